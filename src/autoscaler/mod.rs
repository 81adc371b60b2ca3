//! The Cluster Autoscaler (cluster-autoscaler 1.32) over the scenario's
//! autoscaled node pools, and the node-hours and cost of every pool.
//!
//! Like upstream's `core/static_autoscaler.go` `RunOnce`, the autoscaler
//! wakes every `scan-interval`: it gives up nodes not provisioned within
//! `max-node-provision-time`, finds the pods the scheduler marked
//! Unschedulable (PodScheduled=False, reason Unschedulable) that no node
//! being provisioned will take, and scales up for them ([`scale_up`]); in a
//! loop with no such pods it looks for unneeded nodes and removes them
//! ([`scale_down`]). It acts only through the store, as the other
//! components do: nodes join with `add_node` after their provisioning time,
//! pods leave through the Eviction API.
//!
//! - [`group`]: node pools as node groups (size limits, template, price);
//! - [`options`]: the autoscaler's flags and their 1.32 defaults;
//! - [`estimator`]: the scheduler's filters on template nodes, binpacking;
//! - [`expander`]: which pool to grow;
//! - [`scale_up`], [`scale_down`]: the two halves of a loop;
//! - [`drain`]: removing a node scale-down chose, evictions retried;
//! - [`rows`]: the decisions written to autoscaler.csv;
//! - [`cost`]: each node's time in the cluster, node-hours and cost.

pub mod cost;
pub mod drain;
pub mod estimator;
pub mod expander;
pub mod group;
pub mod options;
pub mod rows;
pub mod scale_down;
pub mod scale_up;

pub use group::{group_of, CapacityType, GroupAutoscaling, NodeGroup};
pub use options::{AutoscalerOptions, Expander};

use crate::engine::rng::{derive_seed, Stream};
use crate::engine::{EventQueue, SimDuration, SimTime};
use crate::model::store::{NodeId, PodId, WatchEvent};
use crate::model::ClusterState;
use crate::scheduler::config::SchedulerConfig;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};

/// Upstream's node group backoff after a failed scale-up
/// (`--initial-node-group-backoff-duration` 5 min, doubling up to
/// `--max-node-group-backoff-duration` 30 min).
pub const INITIAL_BACKOFF: SimDuration = SimDuration(300_000_000);
pub const MAX_BACKOFF: SimDuration = SimDuration(1_800_000_000);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AutoscalerEvent {
    /// One loop of `RunOnce`.
    Scan,
    /// The machine of scale-up request `i` registered as a Ready node.
    NodeProvisioned(u32),
    /// Scale-up request `i` reached `max-node-provision-time` without a node.
    ProvisionTimedOut(u32),
    /// The refused evictions of a node's drain are tried again.
    RetryEvictions(NodeId),
    /// A drain looks whether the node's evicted pods are gone.
    WaitForPods(NodeId),
}

/// What the autoscaler knows of one node group besides its spec.
#[derive(Clone, Debug, Default)]
pub struct GroupState {
    /// Its nodes in the cluster (deleted ones leave).
    pub members: BTreeSet<NodeId>,
    /// Nodes requested and not registered yet.
    pub upcoming: u64,
    /// No scale-up before this (after a provisioning failure).
    pub backoff_until: SimTime,
    pub backoff: SimDuration,
    /// The index the next new node's name tries.
    pub next_index: u64,
}

impl GroupState {
    /// The target size: registered plus upcoming nodes.
    pub fn size(&self) -> u64 {
        self.members.len() as u64 + self.upcoming
    }
}

pub struct ClusterAutoscaler {
    pub options: AutoscalerOptions,
    pub groups: Vec<NodeGroup>,
    pub state: Vec<GroupState>,
    /// Whether any pool is autoscaled: otherwise the autoscaler never wakes.
    active: bool,
    filters: estimator::TemplateFilters,
    /// Each node's group, by node id.
    node_group: Vec<Option<usize>>,
    node_names: BTreeSet<String>,
    /// Pods not bound to a node and not gone: the pods a scan looks at.
    unbound: BTreeSet<PodId>,
    /// Scale-up requests' groups, by request index; `None` once settled.
    requests: Vec<Option<usize>>,
    expander_rng: ChaCha8Rng,
    provisioning_rng: ChaCha8Rng,
    last_scale_up: Option<SimTime>,
    last_scale_down_delete: Option<SimTime>,
    last_scale_down_fail: Option<SimTime>,
    /// Nodes unneeded since when (`core/scaledown/unneeded/nodes.go`).
    pub unneeded: BTreeMap<NodeId, SimTime>,
    /// Nodes whose pods could not move, not looked at again before the time.
    pub unremovable_until: BTreeMap<NodeId, SimTime>,
    /// Nodes being drained.
    pub draining: BTreeMap<NodeId, drain::Drain>,
    /// autoscaler.csv.
    pub rows: Vec<rows::AutoscalerRow>,
}

impl ClusterAutoscaler {
    pub fn new(
        groups: &[NodeGroup],
        options: &AutoscalerOptions,
        scheduler: &SchedulerConfig,
        seed: u64,
    ) -> Self {
        let active = groups.iter().any(|g| g.autoscaling.is_some());
        ClusterAutoscaler {
            options: options.clone(),
            groups: groups.to_vec(),
            state: groups
                .iter()
                .map(|g| GroupState {
                    next_index: g.count,
                    ..Default::default()
                })
                .collect(),
            active,
            filters: estimator::TemplateFilters::new(scheduler),
            node_group: Vec::new(),
            node_names: BTreeSet::new(),
            unbound: BTreeSet::new(),
            requests: Vec::new(),
            expander_rng: ChaCha8Rng::seed_from_u64(derive_seed(
                seed,
                Stream::AutoscalerExpander as u64,
            )),
            provisioning_rng: ChaCha8Rng::seed_from_u64(derive_seed(
                seed,
                Stream::NodeProvisioning as u64,
            )),
            last_scale_up: None,
            last_scale_down_delete: None,
            last_scale_down_fail: None,
            unneeded: BTreeMap::new(),
            unremovable_until: BTreeMap::new(),
            draining: BTreeMap::new(),
            rows: Vec::new(),
        }
    }

    /// Whether any pool is autoscaled (otherwise the autoscaler does nothing).
    pub fn active(&self) -> bool {
        self.active
    }

    /// The first scan, at the start (if any pool is autoscaled).
    pub fn start<E: From<AutoscalerEvent>>(&mut self, events: &mut EventQueue<E>) {
        if self.active {
            let first = events.now() + self.options.scan_interval;
            events.schedule(first, AutoscalerEvent::Scan.into());
        }
    }

    /// Timers that never end while nothing else happens (the periodic scan),
    /// or `None` while nodes are being provisioned or drained.
    pub fn idle_timers(&self) -> Option<usize> {
        if !self.active {
            return Some(0);
        }
        let busy = self.state.iter().any(|g| g.upcoming > 0) || !self.draining.is_empty();
        (!busy).then_some(1)
    }

    pub fn on_watch(&mut self, w: WatchEvent, state: &ClusterState) {
        match w {
            WatchEvent::NodeAdded(n) => {
                let name = state.node(n).name();
                let g = group_of(&self.groups, name);
                if let Some(g) = g {
                    self.state[g].members.insert(n);
                }
                self.node_group.push(g);
                self.node_names.insert(name.to_string());
            }
            WatchEvent::PodAdded(p) if self.active && state.pod(p).node.is_none() => {
                self.unbound.insert(p);
            }
            WatchEvent::PodBound(p, _)
            | WatchEvent::PodDeleted(p)
            | WatchEvent::PodTerminated(p) => {
                self.unbound.remove(&p);
            }
            _ => {}
        }
    }

    pub fn handle<E: From<AutoscalerEvent>>(
        &mut self,
        e: AutoscalerEvent,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        let now = events.now();
        match e {
            AutoscalerEvent::Scan => {
                self.run_once(state, events);
                events.schedule(
                    now + self.options.scan_interval,
                    AutoscalerEvent::Scan.into(),
                );
            }
            AutoscalerEvent::NodeProvisioned(i) => {
                let Some(g) = self.requests[i as usize].take() else {
                    return;
                };
                self.state[g].upcoming -= 1;
                self.state[g].backoff = SimDuration::ZERO;
                let node = self.new_node(g);
                state.add_node(node);
            }
            AutoscalerEvent::RetryEvictions(n) => self.retry_evictions(state, events, n),
            AutoscalerEvent::WaitForPods(n) => self.wait_for_pods(state, events, n),
            AutoscalerEvent::ProvisionTimedOut(i) => {
                let Some(g) = self.requests[i as usize].take() else {
                    return;
                };
                let gs = &mut self.state[g];
                gs.upcoming -= 1;
                gs.backoff = if gs.backoff == SimDuration::ZERO {
                    INITIAL_BACKOFF
                } else {
                    SimDuration(gs.backoff.0.saturating_mul(2).min(MAX_BACKOFF.0))
                };
                gs.backoff_until = now + gs.backoff;
                self.rows.push(rows::AutoscalerRow {
                    time: now,
                    pool: self.groups[g].name.clone(),
                    delta: -1,
                    reason: "max-node-provision-time",
                    pods_helped: 0,
                    node: String::new(),
                });
            }
        }
    }

    /// One `RunOnce`: scale up for the pods that need it, else scale down.
    fn run_once<E: From<AutoscalerEvent>>(
        &mut self,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        let pending: Vec<PodId> = (self.unbound.iter().copied())
            .filter(|&p| is_unschedulable(state, p))
            .collect();
        let to_help = self.filter_out_schedulable(state, pending);
        if !to_help.is_empty() {
            self.scale_up(state, events, to_help);
            return;
        }
        self.scale_down(state, events);
    }

    /// A node for group `g` under the next name `<pool>-<i>` nothing has taken.
    fn new_node(&mut self, g: usize) -> crate::model::Node {
        loop {
            let i = self.state[g].next_index;
            self.state[g].next_index += 1;
            let node = self.groups[g].node(i);
            if !self.node_names.contains(node.name()) {
                return node;
            }
        }
    }

    /// Nodes of the cluster that exist (not deleted), plus those upcoming.
    fn cluster_size(&self, state: &ClusterState) -> u64 {
        let live = (0..state.nodes().len())
            .filter(|&i| state.node_exists(NodeId(i as u32)))
            .count();
        live as u64 + self.state.iter().map(|g| g.upcoming).sum::<u64>()
    }
}

/// The scheduler gave up on the pod for now: Pending, unbound, not being
/// deleted, with PodScheduled=False reason Unschedulable. DaemonSet pods
/// are left out, as upstream's `FilterOutDaemonSetPodListProcessor` does.
pub fn is_unschedulable(state: &ClusterState, p: PodId) -> bool {
    let Some(e) = state.pods().get(p) else {
        return false;
    };
    let daemon = e.owner.is_some_and(|w| {
        matches!(
            state.workload(w).workload.spec,
            crate::model::workloads::WorkloadSpec::DaemonSet(_)
        )
    });
    !daemon
        && e.node.is_none()
        && e.deleted.is_none()
        && e.terminating.is_none()
        && e.status.phase == crate::model::PodPhase::Pending
        && e.status.reason.as_deref() == Some("Unschedulable")
}
