//! CSV writers for the output contract in DESIGN.md. Each takes `impl Write`
//! and writes a header and rows; times are exact decimal seconds from the
//! start of the run, empty where a moment was never reached.

use super::events::EventRow;
use super::rows::{
    timeseries_record, with_event_row, workload_record, RowFormatter, Sample, WorkloadSample,
    EVENTS_HEADER, PODS_HEADER, TIMESERIES_HEADER, WORKLOADS_HEADER,
};
use super::running::WorkloadFigures;
use super::summary::{workload_figures, Summary, WORKLOAD_SUMMARY_COLUMNS};
use crate::model::{ClusterState, PodId};
use crate::scheduler::DecisionRow;
use std::io::{self, Write};

fn csv_err(e: csv::Error) -> io::Error {
    io::Error::other(e)
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

/// events.csv: `time_s,kind,object,reason,message,count,first_s`, one row
/// per Event (see [`super::events`]), by last time.
pub fn write_events(w: impl Write, events: &[EventRow]) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(EVENTS_HEADER).map_err(csv_err)?;
    for e in events {
        with_event_row(e, |row| out.write_record(row)).map_err(csv_err)?;
    }
    out.flush()
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
        "code",
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
            r.code.to_string(),
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
        "code",
        "reason",
        "nodes",
        "rank",
        "node",
        "score",
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
            r.code.to_string(),
            r.reason.clone(),
            opt_u(r.nodes),
            opt_u(r.rank),
            r.node.clone(),
            opt(r.score),
            opt(r.normalized_score),
            opt(r.weighted_score),
        ])
        .map_err(csv_err)?;
    }
    out.flush()
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
    figures: &[WorkloadFigures],
) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(WORKLOAD_SUMMARY_COLUMNS)
        .map_err(csv_err)?;
    for row in workload_figures(state, figures) {
        out.write_record(row.iter().map(|f| f.to_csv()))
            .map_err(csv_err)?;
    }
    out.flush()
}
