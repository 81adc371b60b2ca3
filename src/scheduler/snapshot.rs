//! The scheduler's compact per-node snapshot (upstream's cache Snapshot of
//! NodeInfos, `pkg/scheduler/backend/cache/snapshot.go`): for each node the
//! few numbers the default filters and scores read, in contiguous arrays:
//! 32 bytes per node that every pass reads ([`NodeFit`]: what is free,
//! summary flags, the cached total), 64 bytes that scoring reads
//! ([`NodeEntry`]), and the same as doubles in pairs for the fused pass's
//! straight-line scores ([`ScoreRow`]; and in columns in the visiting
//! order, `columns`), instead of the Node object and its usage.
//!
//! `NodeFit` also keeps the fused pass's last total for the node and the
//! score epoch it was computed in: consecutive pods of one shape (replicas
//! of a workload) then reuse the totals of the nodes that did not change.
//!
//! It is updated per change, not rebuilt per cycle: the store lists the
//! nodes whose spec or usage changed (bind, a pod releasing its resources,
//! node add and update) and the scheduler refreshes those entries before
//! each cycle. Debug builds compare every entry the fused loop reads with
//! the store.

use super::columns::{ScoreColumns, ScoreRow};
use crate::model::store::NodeId;
use crate::model::taints::TaintEffect;
use crate::model::ClusterState;

/// The node takes the general filters: it is cordoned or has a NoSchedule or
/// NoExecute taint (NodeUnschedulable, TaintToleration may reject it).
pub const NEEDS_FILTERS: u8 = 1;
/// The node has a PreferNoSchedule taint (TaintToleration's score may differ).
pub const PREFER_NO_SCHEDULE: u8 = 2;
/// The node's allocatable cpu or memory is 0 or at least [`ROOMY`]: the
/// fused pass's straight-line scores assume neither.
pub const ODD_ALLOCATABLE: u8 = 4;
/// Allocatable below this keeps every score's numerator (at most
/// `MAX_NODE_SCORE` times allocatable) below 2^52, where division by the
/// reciprocal with one integer correction is exact (`fused::divide`).
pub const ROOMY: i64 = 1 << 45;

/// What every pass reads of a node: free cpu and memory, free pod slots,
/// summary flags, and the fused pass's cached total.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(align(32))]
pub struct NodeFit {
    /// Allocatable minus requested.
    pub free_cpu_millis: i64,
    pub free_memory_bytes: i64,
    /// `allocatable.pods` minus the pods on the node, clamped to the i32 range.
    pub pod_slots_free: i32,
    pub flags: u8,
    /// The fused pass's total for this node in `total_epoch`; epoch 0 is
    /// never current, so a refreshed entry has no cached total.
    pub total: i32,
    pub total_epoch: u32,
}

impl NodeFit {
    pub fn of(state: &ClusterState, id: NodeId) -> NodeFit {
        let node = &state.nodes()[id.0 as usize];
        let usage = state.node_usage(id);
        let mut flags = 0;
        if node.unschedulable {
            flags |= NEEDS_FILTERS;
        }
        let odd = |a: i64| a <= 0 || a >= ROOMY;
        if odd(node.allocatable.cpu_millis) || odd(node.allocatable.memory_bytes) {
            flags |= ODD_ALLOCATABLE;
        }
        for taint in &node.taints {
            flags |= match taint.effect {
                TaintEffect::NoSchedule | TaintEffect::NoExecute => NEEDS_FILTERS,
                TaintEffect::PreferNoSchedule => PREFER_NO_SCHEDULE,
            };
        }
        NodeFit {
            free_cpu_millis: node.allocatable.cpu_millis - usage.requested.cpu_millis,
            free_memory_bytes: node.allocatable.memory_bytes - usage.requested.memory_bytes,
            pod_slots_free: (node.allocatable_pods - usage.pod_count)
                .clamp(i32::MIN as i64, i32::MAX as i64) as i32,
            flags,
            total: 0,
            total_epoch: 0,
        }
    }
}

/// What scoring reads of a node: allocatable (and its reciprocal, for exact
/// divisions by multiplication) and requested, actual and with upstream's
/// non-zero defaults.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct NodeEntry {
    pub allocatable_cpu_millis: i64,
    pub allocatable_memory_bytes: i64,
    /// `1 / allocatable` (0 when allocatable is 0).
    pub inverse_allocatable_cpu: f64,
    pub inverse_allocatable_memory: f64,
    pub requested_cpu_millis: i64,
    pub requested_memory_bytes: i64,
    pub non_zero_requested_cpu_millis: i64,
    pub non_zero_requested_memory_bytes: i64,
}

fn inverse(x: i64) -> f64 {
    if x == 0 {
        0.0
    } else {
        1.0 / x as f64
    }
}

impl NodeEntry {
    pub fn of(state: &ClusterState, id: NodeId) -> NodeEntry {
        let node = &state.nodes()[id.0 as usize];
        let usage = state.node_usage(id);
        NodeEntry {
            allocatable_cpu_millis: node.allocatable.cpu_millis,
            allocatable_memory_bytes: node.allocatable.memory_bytes,
            inverse_allocatable_cpu: inverse(node.allocatable.cpu_millis),
            inverse_allocatable_memory: inverse(node.allocatable.memory_bytes),
            requested_cpu_millis: usage.requested.cpu_millis,
            requested_memory_bytes: usage.requested.memory_bytes,
            non_zero_requested_cpu_millis: usage.non_zero_requested.cpu_millis,
            non_zero_requested_memory_bytes: usage.non_zero_requested.memory_bytes,
        }
    }

    /// The entry as the straight-line scores read it.
    pub fn score_row(&self) -> ScoreRow {
        ScoreRow {
            allocatable: [
                self.allocatable_cpu_millis as f64,
                self.allocatable_memory_bytes as f64,
            ],
            inverse_allocatable: [
                self.inverse_allocatable_cpu,
                self.inverse_allocatable_memory,
            ],
            requested: [
                self.requested_cpu_millis as f64,
                self.requested_memory_bytes as f64,
            ],
            non_zero_requested: [
                self.non_zero_requested_cpu_millis as f64,
                self.non_zero_requested_memory_bytes as f64,
            ],
        }
    }
}

#[derive(Default)]
pub struct Snapshot {
    /// All three indexed by node id.
    fits: Vec<NodeFit>,
    entries: Vec<NodeEntry>,
    rows: Vec<ScoreRow>,
    /// The rows again, in the visiting order (see `arrange`).
    pub columns: ScoreColumns,
    /// Nodes with a PreferNoSchedule taint.
    n_prefer_no_schedule: usize,
    /// Nodes cordoned or with a NoSchedule/NoExecute taint.
    n_needs_filters: usize,
    /// Nodes with `ODD_ALLOCATABLE`.
    n_odd_allocatable: usize,
    /// Buffer for the store's changed nodes.
    changed: Vec<NodeId>,
    /// Nodes changed since the last fused pass (repeats allowed), for the
    /// next pass to patch; `None` once so many changed that a whole pass is
    /// as cheap.
    changed_since_pass: Option<Vec<NodeId>>,
    /// Cached totals are current in this epoch (see `NodeFit::total`).
    pub score_epoch: u32,
    /// Some node has a total cached in the current epoch.
    pub totals_in_epoch: bool,
    /// Passes made (not patched) in the current epoch.
    pub passes_in_epoch: u32,
}

impl Snapshot {
    /// Brings the entries of the nodes changed since the last call up to date.
    pub fn update(&mut self, state: &mut ClusterState) {
        state.take_changed_nodes(&mut self.changed);
        if self.entries.len() < state.nodes().len() {
            self.entries
                .resize(state.nodes().len(), NodeEntry::default());
            self.fits.resize(state.nodes().len(), NodeFit::default());
            self.rows.resize(state.nodes().len(), ScoreRow::default());
        }
        if let Some(since) = &mut self.changed_since_pass {
            since.extend_from_slice(&self.changed);
            if since.len() > 16 + self.entries.len() / 4 {
                self.changed_since_pass = None;
            }
        }
        for &id in &self.changed {
            let entry = NodeEntry::of(state, id);
            self.entries[id.0 as usize] = entry;
            let row = entry.score_row();
            self.rows[id.0 as usize] = row;
            self.columns.set(id, &row);
            let fit = NodeFit::of(state, id);
            let old = std::mem::replace(&mut self.fits[id.0 as usize], fit);
            self.n_prefer_no_schedule -= (old.flags & PREFER_NO_SCHEDULE != 0) as usize;
            self.n_prefer_no_schedule += (fit.flags & PREFER_NO_SCHEDULE != 0) as usize;
            self.n_needs_filters -= (old.flags & NEEDS_FILTERS != 0) as usize;
            self.n_needs_filters += (fit.flags & NEEDS_FILTERS != 0) as usize;
            self.n_odd_allocatable -= (old.flags & ODD_ALLOCATABLE != 0) as usize;
            self.n_odd_allocatable += (fit.flags & ODD_ALLOCATABLE != 0) as usize;
        }
        self.changed.clear();
    }

    /// The scheduler visits the nodes in `order` from now on (before the
    /// next `update`, which brings the changed nodes' columns up to date).
    pub fn arrange(&mut self, order: &[NodeId]) {
        self.columns.arrange(order, &self.rows);
    }

    #[inline]
    pub fn entry(&self, id: NodeId) -> &NodeEntry {
        &self.entries[id.0 as usize]
    }

    #[inline]
    pub fn row(&self, id: NodeId) -> &ScoreRow {
        &self.rows[id.0 as usize]
    }

    #[inline]
    pub fn fit_mut(&mut self, id: NodeId) -> &mut NodeFit {
        &mut self.fits[id.0 as usize]
    }

    #[inline]
    pub fn fit(&self, id: NodeId) -> &NodeFit {
        &self.fits[id.0 as usize]
    }

    /// The nodes changed since the last `restart_changed_since_pass`
    /// (repeats allowed), or `None` when too many changed to be worth listing.
    pub fn changed_since_pass(&self) -> Option<&[NodeId]> {
        self.changed_since_pass.as_deref()
    }

    /// A pass has seen every change so far.
    pub fn restart_changed_since_pass(&mut self) {
        match &mut self.changed_since_pass {
            Some(since) => since.clear(),
            None => self.changed_since_pass = Some(Vec::new()),
        }
    }

    /// Starts a new epoch: every cached total is stale.
    pub fn forget_totals(&mut self) {
        self.score_epoch = self.score_epoch.wrapping_add(1);
        self.totals_in_epoch = false;
        self.passes_in_epoch = 0;
        if self.score_epoch == 0 {
            // After 2^32 epochs an old entry could look current again.
            self.fits.iter_mut().for_each(|f| f.total_epoch = 0);
            self.score_epoch = 1;
        }
    }

    /// Whether any node is cordoned or has a NoSchedule/NoExecute taint.
    pub fn any_needs_filters(&self) -> bool {
        self.n_needs_filters > 0
    }

    /// Whether every node's allocatable cpu and memory are positive and
    /// below [`ROOMY`].
    pub fn all_allocatable_plain(&self) -> bool {
        self.n_odd_allocatable == 0
    }

    /// Whether any node has a PreferNoSchedule taint.
    pub fn any_prefer_no_schedule(&self) -> bool {
        self.n_prefer_no_schedule > 0
    }

    /// Whether the snapshot covers `state`'s nodes (every node was added
    /// through the store, which lists it as changed).
    pub fn covers(&self, state: &ClusterState) -> bool {
        self.entries.len() == state.nodes().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimTime;
    use crate::model::pod::fixtures::pod;
    use crate::model::resources::ResourceNames;
    use crate::model::taints::Taint;
    use crate::scheduler::plugins::test_nodes::node;

    #[test]
    fn entries_follow_binds_releases_and_node_updates() {
        let mut state = ClusterState::new(ResourceNames::default());
        let a = state.add_node(node("a", "4", "8Gi").node);
        let b = state.add_node(node("b", "2", "4Gi").node);
        let mut snapshot = Snapshot::default();
        snapshot.update(&mut state);
        assert!(snapshot.covers(&state));
        assert_eq!(*snapshot.entry(a), NodeEntry::of(&state, a));
        assert_eq!(snapshot.entry(b).allocatable_cpu_millis, 2000);

        let p = state.add_pod(pod("p").cpu("1").memory("1Gi").build(), SimTime::ZERO);
        state.bind(p, a, SimTime::ZERO);
        snapshot.update(&mut state);
        assert_eq!(snapshot.entry(a).requested_cpu_millis, 1000);
        assert_eq!(
            snapshot.fit(a).pod_slots_free as i64,
            state.nodes()[0].allocatable_pods - 1
        );

        state.update_node(b, |n| {
            n.taints.push(Taint {
                key: "soft".into(),
                value: String::new(),
                effect: TaintEffect::PreferNoSchedule,
            })
        });
        snapshot.update(&mut state);
        assert!(snapshot.any_prefer_no_schedule());
        assert_eq!(snapshot.fit(b).flags, PREFER_NO_SCHEDULE);
        state.update_node(b, |n| {
            n.taints.clear();
            n.unschedulable = true;
        });
        snapshot.update(&mut state);
        assert!(!snapshot.any_prefer_no_schedule());
        assert_eq!(snapshot.fit(b).flags, NEEDS_FILTERS);

        state.delete_pod(p, SimTime::ZERO);
        snapshot.update(&mut state);
        assert_eq!(snapshot.entry(a).requested_cpu_millis, 0);
        for id in [a, b] {
            assert_eq!(*snapshot.entry(id), NodeEntry::of(&state, id));
            assert_eq!(*snapshot.fit(id), NodeFit::of(&state, id));
        }
    }
}
