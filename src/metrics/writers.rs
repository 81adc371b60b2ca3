//! CSV writers for the output contract in DESIGN.md. Each takes `impl Write`
//! and writes a header and rows; times are exact decimal seconds from the
//! start of the run, empty where a moment was never reached.

use super::float::fixed;
use super::recorder::{Sample, WorkloadSample};
use super::summary::Summary;
use crate::engine::SimTime;
use crate::model::event::EventRecord;
use crate::model::{ClusterState, PodEntry, PodId};
use crate::scheduler::DecisionRow;
use std::io::{self, Write};

fn time(t: Option<SimTime>) -> String {
    t.map_or(String::new(), |t| t.to_string())
}

fn csv_err(e: csv::Error) -> io::Error {
    io::Error::other(e)
}

pub const PODS_HEADER: &[&str] = &[
    "pod",
    "namespace",
    "owner_kind",
    "owner",
    "node",
    "priority",
    "created_s",
    "scheduled_s",
    "started_s",
    "ready_s",
    "finished_s",
    "deleted_s",
    "phase",
    "reason",
    "restarts",
    "scheduling_attempts",
    "backoff_s",
    "container_reason",
    "gpus",
];

/// GPU device indices of a pod's GPU share (`0-1-3`), empty when it holds none.
fn gpu_devices(devices: u8) -> String {
    let held: Vec<String> = (0..crate::model::gpu_share::MAX_GPUS)
        .filter(|i| devices & (1 << i) != 0)
        .map(|i| i.to_string())
        .collect();
    held.join("-")
}

/// Formats CSV rows one at a time, so that a row can be written at once to
/// a stream (a finished pod's row when it is retired) or later to the file,
/// byte for byte the same either way.
pub struct RowFormatter(csv::Writer<Vec<u8>>);

impl Default for RowFormatter {
    fn default() -> Self {
        RowFormatter(csv::Writer::from_writer(Vec::new()))
    }
}

/// Bytes of formatted rows kept before the formatter starts a new buffer.
const FORMATTER_BUFFER_BYTES: usize = 1 << 20;

impl RowFormatter {
    /// The record as one CSV line; valid until the next call.
    pub fn format<I, T>(&mut self, record: I) -> &[u8]
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        if self.0.get_ref().len() > FORMATTER_BUFFER_BYTES {
            *self = RowFormatter::default();
        }
        let start = self.0.get_ref().len();
        // Writing into a Vec cannot fail.
        self.0.write_record(record).expect("CSV into memory");
        self.0.flush().expect("CSV into memory");
        &self.0.get_ref()[start..]
    }

    /// The pod's pods.csv line.
    pub fn pod(&mut self, entry: &PodEntry, state: &ClusterState) -> &[u8] {
        let meta = &entry.pod.metadata;
        let owner = meta.controller();
        let node = entry.node.map_or("", |n| state.node(n).name());
        self.format([
            meta.name.as_str(),
            meta.namespace.as_str(),
            owner.map_or("", |o| o.kind.as_str()),
            owner.map_or("", |o| o.name.as_str()),
            node,
            &entry.pod.spec.priority.to_string(),
            &entry.created.to_string(),
            &time(entry.status.conditions.pod_scheduled),
            &time(entry.started),
            &time(entry.ready),
            &time(entry.finished),
            &time(entry.deleted),
            entry.status.phase.as_str(),
            entry.status.reason.as_deref().unwrap_or(""),
            &entry.status.restarts().to_string(),
            &entry.scheduling_attempts.to_string(),
            &SimTime(entry.backoff.0).to_string(),
            &entry.status.container_reason(),
            &gpu_devices(entry.gpu_devices),
        ])
    }
}

/// pods.csv: one row per pod, in creation order.
pub fn write_pods(w: impl Write, state: &ClusterState) -> io::Result<()> {
    write_pods_with(w, state, |id, _| {
        Err(io::Error::other(format!(
            "pod {} was retired without its row",
            id.0
        )))
    })
}

/// pods.csv when some pods were retired during the run: `retired_row`
/// appends a retired pod's row (as it was streamed) to the buffer; the
/// other pods' rows are formatted from the state. Creation order either way.
pub fn write_pods_with(
    mut w: impl Write,
    state: &ClusterState,
    mut retired_row: impl FnMut(PodId, &mut Vec<u8>) -> io::Result<()>,
) -> io::Result<()> {
    let mut rows = RowFormatter::default();
    w.write_all(rows.format(PODS_HEADER))?;
    let mut buf = Vec::new();
    for i in 0..state.pods().len() {
        let id = PodId(i as u32);
        match state.pods().get(id) {
            Some(entry) => w.write_all(rows.pod(entry, state))?,
            None => {
                buf.clear();
                retired_row(id, &mut buf)?;
                w.write_all(&buf)?;
            }
        }
    }
    w.flush()
}

pub const EVENTS_HEADER: &[&str] = &["time_s", "kind", "object", "reason", "message"];

/// events.csv: `time_s,kind,object,reason,message`, in the order they happened.
pub fn write_events(w: impl Write, events: &[EventRecord]) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(EVENTS_HEADER).map_err(csv_err)?;
    for e in events {
        out.write_record([
            e.time.to_string().as_str(),
            e.kind,
            &e.object,
            &e.reason,
            &e.message,
        ])
        .map_err(csv_err)?;
    }
    out.flush()
}

pub const TIMESERIES_HEADER: &[&str] = &[
    "time_s",
    "nodes_ready",
    "nodes_with_pods",
    "pods_pending",
    "pods_running",
    "pods_succeeded",
    "pods_failed",
    "pods_unschedulable",
    "cpu_allocated_ratio",
    "memory_allocated_ratio",
];

/// A row of timeseries.csv, the same whether it is streamed or written at the end.
pub fn timeseries_record(s: &Sample) -> [String; 10] {
    [
        s.time.to_string(),
        s.nodes_ready.to_string(),
        s.nodes_with_pods.to_string(),
        s.pods_pending.to_string(),
        s.pods_running.to_string(),
        s.pods_succeeded.to_string(),
        s.pods_failed.to_string(),
        s.pods_unschedulable.to_string(),
        fixed(s.cpu_allocated_ratio, 6),
        fixed(s.memory_allocated_ratio, 6),
    ]
}

/// timeseries.csv: one row per sample.
pub fn write_timeseries(w: impl Write, samples: &[Sample]) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(TIMESERIES_HEADER).map_err(csv_err)?;
    for s in samples {
        out.write_record(timeseries_record(s)).map_err(csv_err)?;
    }
    out.flush()
}

/// summary.csv: a header and one row.
pub fn write_summary(w: impl Write, summary: &Summary) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(summary.figures.iter().map(|(n, _)| *n))
        .map_err(csv_err)?;
    out.write_record(summary.figures.iter().map(|(_, f)| f.to_csv()))
        .map_err(csv_err)?;
    out.flush()
}

/// decisions.csv: per attempt of the explained pods, per node and plugin.
pub fn write_decisions(w: impl Write, rows: &[DecisionRow]) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record([
        "time_s",
        "pod",
        "node",
        "stage",
        "plugin",
        "status",
        "score",
        "normalized_score",
        "weighted_score",
    ])
    .map_err(csv_err)?;
    let opt = |v: Option<i64>| v.map_or(String::new(), |v| v.to_string());
    for r in rows {
        out.write_record([
            r.time.to_string(),
            r.pod.clone(),
            r.node.clone(),
            r.stage.to_string(),
            r.plugin.to_string(),
            r.status.clone(),
            opt(r.score),
            opt(r.normalized_score),
            opt(r.weighted_score),
        ])
        .map_err(csv_err)?;
    }
    out.flush()
}

/// decisions_summary.csv: per attempt of the explained pods, the filter
/// failures by plugin and reason and the top-k nodes' scores per plugin.
pub fn write_decision_summary(
    w: impl Write,
    rows: &[crate::scheduler::explain::SummaryRow],
) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record([
        "time_s",
        "pod",
        "attempt",
        "stage",
        "plugin",
        "reason",
        "nodes",
        "rank",
        "node",
        "normalized_score",
        "weighted_score",
    ])
    .map_err(csv_err)?;
    let opt = |v: Option<i64>| v.map_or(String::new(), |v| v.to_string());
    let opt_u = |v: Option<usize>| v.map_or(String::new(), |v| v.to_string());
    for r in rows {
        out.write_record([
            r.time.to_string(),
            r.pod.clone(),
            r.attempt.to_string(),
            r.stage.to_string(),
            r.plugin.to_string(),
            r.reason.clone(),
            opt_u(r.nodes),
            opt_u(r.rank),
            r.node.clone(),
            opt(r.normalized_score),
            opt(r.weighted_score),
        ])
        .map_err(csv_err)?;
    }
    out.flush()
}

pub const WORKLOADS_HEADER: &[&str] = &[
    "time_s",
    "kind",
    "namespace",
    "name",
    "desired",
    "current",
    "ready",
    "available",
    "updated",
    "succeeded",
    "failed",
];

/// A row of workloads.csv, the same whether it is streamed or written at the end.
pub fn workload_record(s: &WorkloadSample, state: &ClusterState) -> [String; 11] {
    let w = &state.workload(s.workload).workload;
    [
        s.time.to_string(),
        w.spec.kind().to_string(),
        w.metadata.namespace.clone(),
        w.metadata.name.clone(),
        s.desired.to_string(),
        s.current.to_string(),
        s.ready.to_string(),
        s.available.to_string(),
        s.updated.to_string(),
        s.succeeded.to_string(),
        s.failed.to_string(),
    ]
}

/// workloads.csv: each workload object's counts at every sample time.
pub fn write_workloads(
    w: impl Write,
    state: &ClusterState,
    samples: &[WorkloadSample],
) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(WORKLOADS_HEADER).map_err(csv_err)?;
    for s in samples {
        out.write_record(workload_record(s, state))
            .map_err(csv_err)?;
    }
    out.flush()
}

/// workload_summary.csv: one row per workload object (see `workload_figures`),
/// from the figures gathered as the samples came.
pub fn write_workload_summary(
    w: impl Write,
    state: &ClusterState,
    figures: &[super::running::WorkloadFigures],
) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(super::summary::WORKLOAD_SUMMARY_COLUMNS)
        .map_err(csv_err)?;
    for row in super::summary::workload_figures(state, figures) {
        out.write_record(row.iter().map(|f| f.to_csv()))
            .map_err(csv_err)?;
    }
    out.flush()
}
