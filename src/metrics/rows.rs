//! One row of each output file that is streamed as the run goes (pods.csv,
//! events.csv, timeseries.csv, workloads.csv): what the row holds and its
//! CSV fields, the same bytes whether the row is streamed when it happens
//! or written with the whole file at the end. The recorder and the streams
//! below it and the writers above it all format rows here.

use super::csv_line::CsvLine;
use super::events::EventRow;
use super::float::fixed;
use crate::engine::SimTime;
use crate::model::store::{WorkloadEntry, WorkloadId};
use crate::model::workloads::WorkloadSpec;
use crate::model::{ClusterState, PodEntry};

/// One row of timeseries.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub time: SimTime,
    pub nodes_ready: usize,
    /// Nodes hosting at least one pod that holds resources.
    pub nodes_with_pods: usize,
    pub pods_pending: i64,
    pub pods_running: i64,
    pub pods_succeeded: i64,
    pub pods_failed: i64,
    /// Pods waiting in the scheduler's queues (active, backoff, unschedulable).
    pub pods_unschedulable: usize,
    pub cpu_allocated_ratio: f64,
    pub memory_allocated_ratio: f64,
    /// Node-hours and cost from the start of the run to this sample.
    pub cost: crate::autoscaler::cost::NodeCost,
}

/// One row of workloads.csv: a workload object's counts at a sample time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadSample {
    pub time: SimTime,
    pub workload: WorkloadId,
    pub desired: i32,
    pub current: i32,
    pub ready: i32,
    pub available: i32,
    pub updated: i32,
    pub succeeded: i32,
    pub failed: i32,
}

/// What a workload object should have: replicas, completions, eligible nodes.
pub fn desired(w: &WorkloadEntry) -> i32 {
    match &w.workload.spec {
        WorkloadSpec::Deployment(d) => d.replicas,
        WorkloadSpec::ReplicaSet(r) => r.replicas,
        WorkloadSpec::StatefulSet(s) => s.replicas,
        WorkloadSpec::Job(j) => j.completions.unwrap_or(1),
        WorkloadSpec::CronJob(_) => w.status.active,
        WorkloadSpec::DaemonSet(_) => w.status.desired,
        // A Service wants every pod it selects to be a ready endpoint.
        WorkloadSpec::Service(_) => w.status.replicas,
    }
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
    "ready_to_start_containers_s",
    "initialized_s",
    "containers_ready_s",
    "nominated_node",
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
#[derive(Default)]
pub struct RowFormatter(CsvLine);

impl RowFormatter {
    /// The record as one CSV line; valid until the next call.
    pub fn format<I, T>(&mut self, record: I) -> &[u8]
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.0.record(record)
    }

    /// The pod's pods.csv line.
    pub fn pod(&mut self, entry: &PodEntry, state: &ClusterState) -> &[u8] {
        let meta = &entry.pod.metadata;
        let owner = meta.controller();
        let node = entry.node.map_or("", |n| state.node(n).name());
        let line = &mut self.0;
        line.clear();
        line.field(&meta.name)
            .field(&meta.namespace)
            .field(owner.map_or("", |o| o.kind.as_str()))
            .field(owner.map_or("", |o| o.name.as_str()))
            .field(node)
            .int(entry.pod.spec.priority)
            .at(entry.created)
            .time(entry.status.conditions.pod_scheduled)
            .time(entry.started)
            .time(entry.ready)
            .time(entry.finished)
            .time(entry.deleted)
            .field(entry.status.phase.as_str())
            .field(entry.status.reason.as_deref().unwrap_or(""))
            .int(entry.status.restarts())
            .int(entry.scheduling_attempts)
            .at(SimTime(entry.backoff.0))
            .field(entry.status.container_reason())
            .field(gpu_devices(entry.gpu_devices))
            .time(entry.first_true.ready_to_start_containers)
            .time(entry.first_true.initialized)
            .time(entry.first_true.containers_ready)
            .field(entry.status.nominated_node_name.as_deref().unwrap_or(""));
        line.end()
    }
}

pub const EVENTS_HEADER: &[&str] = &[
    "time_s", "kind", "object", "reason", "message", "count", "first_s",
];

/// Hands a row of events.csv to `write`, the same whether it is streamed
/// or written at the end: the Event's last time, then its count and first time.
pub fn with_event_row<R>(e: &EventRow, write: impl FnOnce([&str; 7]) -> R) -> R {
    let time = e.event.time.to_string();
    let count = e.count.to_string();
    let first = e.first_time.to_string();
    write([
        time.as_str(),
        e.event.kind,
        &e.event.object,
        &e.event.reason,
        &e.event.message,
        &count,
        &first,
    ])
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
    "node_hours",
    "cost",
];

/// A row of timeseries.csv, the same whether it is streamed or written at the end.
pub fn timeseries_record(s: &Sample) -> [String; 12] {
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
        fixed(s.cost.node_hours, 6),
        s.cost.cost.map(|c| fixed(c, 6)).unwrap_or_default(),
    ]
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
