//! nodes.csv: each node's timeline, one row whenever what `kubectl get
//! nodes` / `kubectl describe node` would show changes — the Ready
//! condition, `spec.unschedulable`, the taints, or what the pods on it
//! request.

use super::csv_line::CsvLine;
use crate::engine::SimTime;
use crate::model::store::{NodeId, WatchEvent};
use crate::model::ClusterState;
use std::io::{self, Write};

/// What a row shows of a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeView {
    /// Ready, NotReady or Unknown; Deleted once the node object is gone.
    pub condition: &'static str,
    pub unschedulable: bool,
    /// Taints as `kubectl describe node` prints them, joined by `;`.
    pub taints: String,
    pub pods: i64,
    pub cpu_requested_millis: i64,
    pub memory_requested_bytes: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeRow {
    pub time: SimTime,
    pub node: NodeId,
    pub view: NodeView,
}

#[derive(Default)]
pub struct NodeTimeline {
    /// The rows so far (none when they are streamed).
    pub rows: Vec<NodeRow>,
    last: Vec<Option<NodeView>>,
    /// Streaming: rows are written here as they happen instead of kept.
    pub stream: Option<super::stream::CsvSink>,
}

fn view(state: &ClusterState, node: NodeId) -> NodeView {
    let n = state.node(node);
    let usage = state.node_usage(node);
    NodeView {
        // A deleted node's last row says so; its pods stay on it until deleted.
        condition: if state.node_exists(node) {
            state.node_health(node).ready.node_status()
        } else {
            "Deleted"
        },
        unschedulable: n.unschedulable,
        taints: n
            .taints
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(";"),
        pods: usage.pod_count,
        cpu_requested_millis: usage.requested.cpu_millis,
        memory_requested_bytes: usage.requested.memory_bytes,
    }
}

impl NodeTimeline {
    /// Notes a change to the store; adds a row if the node's view changed.
    pub fn on_watch(&mut self, event: WatchEvent, state: &ClusterState, now: SimTime) {
        let node = match event {
            WatchEvent::NodeAdded(n)
            | WatchEvent::NodeUpdated(n)
            | WatchEvent::NodeDeleted(n)
            | WatchEvent::PodBound(_, n) => n,
            WatchEvent::PodTerminated(p) | WatchEvent::PodDeleted(p) => match state.pod(p).node {
                Some(n) => n,
                None => return,
            },
            _ => return,
        };
        let idx = node.0 as usize;
        if self.last.len() <= idx {
            self.last.resize(idx + 1, None);
        }
        let v = view(state, node);
        if self.last[idx].as_ref() == Some(&v) {
            return;
        }
        self.last[idx] = Some(v.clone());
        let row = NodeRow {
            time: now,
            node,
            view: v,
        };
        match &mut self.stream {
            Some(sink) => sink.write_line(|line| node_line(line, &row, state)),
            None => self.rows.push(row),
        }
    }
}

pub const NODES_HEADER: &[&str] = &[
    "time_s",
    "node",
    "condition",
    "unschedulable",
    "taints",
    "pods",
    "cpu_requested_millis",
    "memory_requested_bytes",
    "cpu_allocated_ratio",
    "memory_allocated_ratio",
];

/// A row of nodes.csv.
fn node_line(line: &mut CsvLine, r: &NodeRow, state: &ClusterState) {
    let node = state.node(r.node);
    let v = &r.view;
    let ratio = |line: &mut CsvLine, used: i64, total: i64| {
        if total == 0 {
            line.field("");
        } else {
            line.fixed(used as f64 / total as f64, 6);
        }
    };
    line.at(r.time)
        .field(node.name())
        .field(v.condition)
        .field(if v.unschedulable { "true" } else { "false" })
        .field(&v.taints)
        .int(v.pods)
        .int(v.cpu_requested_millis)
        .int(v.memory_requested_bytes);
    ratio(line, v.cpu_requested_millis, node.allocatable.cpu_millis);
    ratio(
        line,
        v.memory_requested_bytes,
        node.allocatable.memory_bytes,
    );
}

/// nodes.csv, in time order.
pub fn write_nodes(mut w: impl Write, rows: &[NodeRow], state: &ClusterState) -> io::Result<()> {
    let mut line = CsvLine::default();
    w.write_all(line.record(NODES_HEADER))?;
    for r in rows {
        line.clear();
        node_line(&mut line, r, state);
        w.write_all(line.end())?;
    }
    w.flush()
}
