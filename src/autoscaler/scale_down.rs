//! Scale-down (cluster-autoscaler 1.32 `core/scaledown/`): a node of an
//! autoscaled pool is unneeded while its utilization (the larger of its
//! pods' cpu and memory requests over its allocatable, DaemonSet pods
//! included: `--ignore-daemonsets-utilization` is false) is below
//! `scale-down-utilization-threshold` and every pod on it could move to
//! another node (`eligibility/eligibility.go`, `simulator/removal.go`,
//! `simulator/drainability/rules/`). A node unneeded for
//! `scale-down-unneeded-time` is removed when the autoscaler is not in
//! cooldown (`static_autoscaler.go` `isScaleDownInCooldown`): empty nodes at
//! once, others after a drain through the Eviction API, one at a time
//! (`--max-drain-parallelism` 1, `--max-scale-down-parallelism` 10); the
//! removal itself is [`super::drain`].

use super::estimator::{charge, has_room};
use super::{AutoscalerEvent, ClusterAutoscaler};
use crate::engine::{EventQueue, SimDuration, SimTime};
use crate::model::store::{NodeId, NodeUsage, PodId};
use crate::model::workloads::WorkloadSpec;
use crate::model::ClusterState;
use std::collections::{BTreeMap, BTreeSet};

/// `--max-scale-down-parallelism` and `--max-drain-parallelism` defaults.
pub const MAX_SCALE_DOWN_PARALLELISM: usize = 10;
pub const MAX_DRAIN_PARALLELISM: usize = 1;
/// `safe-to-evict` annotation (`drainability/rules/safetoevict`, `notsafetoevict`).
pub const SAFE_TO_EVICT: &str = "cluster-autoscaler.kubernetes.io/safe-to-evict";

pub(super) fn is_daemon_pod(state: &ClusterState, p: PodId) -> bool {
    (state.pod(p).owner)
        .is_some_and(|w| matches!(state.workload(w).workload.spec, WorkloadSpec::DaemonSet(_)))
}

/// The pods that would have to move off the node (not DaemonSet pods, not
/// already terminating).
pub(super) fn pods_to_move(state: &ClusterState, n: NodeId) -> Vec<PodId> {
    (state.bound_pods_on_node(n).iter().copied())
        .filter(|&p| !is_daemon_pod(state, p) && state.pod(p).terminating.is_none())
        .collect()
}

/// `utilization.Calculate`: the larger of cpu and memory requested over allocatable.
pub fn utilization(state: &ClusterState, n: NodeId) -> f64 {
    let node = state.node(n);
    let used = &state.node_usage(n).requested;
    let ratio = |u: i64, a: i64| if a > 0 { u as f64 / a as f64 } else { 0.0 };
    ratio(used.cpu_millis, node.allocatable.cpu_millis)
        .max(ratio(used.memory_bytes, node.allocatable.memory_bytes))
}

impl ClusterAutoscaler {
    /// Why a pod keeps its node (`drainability/rules`), if it does.
    fn blocking(&self, state: &ClusterState, p: PodId) -> Option<&'static str> {
        let e = state.pod(p);
        let annotations = &e.pod.metadata.annotations;
        match annotations.get(SAFE_TO_EVICT).map(String::as_str) {
            Some("false") => return Some("NotSafeToEvictAnnotation"),
            Some("true") => return None,
            _ => {}
        }
        if e.owner.is_none() {
            return Some("NotReplicated");
        }
        let pdbs = state.pod_disruption_budgets();
        let covered = pdbs.iter().filter(|b| b.selects(e)).collect::<Vec<_>>();
        if covered.iter().any(|b| b.disruptions_allowed(state) < 1) {
            return Some("NotEnoughPdb");
        }
        if self.options.skip_nodes_with_system_pods
            && e.pod.metadata.namespace == "kube-system"
            && covered.is_empty()
        {
            return Some("UnmovableKubeSystemPod");
        }
        None
    }

    /// One scale-down half of a loop at `now`: drains in progress move on,
    /// the unneeded nodes are found, and those unneeded long enough go.
    pub(super) fn scale_down<E: From<AutoscalerEvent>>(
        &mut self,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        let now = events.now();
        if !self.options.scale_down_enabled {
            return;
        }
        self.update_unneeded(state, now);
        let o = &self.options;
        let after = |t: Option<SimTime>, d: SimDuration| t.is_some_and(|t| now < t + d);
        let cooldown = after(self.last_scale_up, o.scale_down_delay_after_add)
            || after(self.last_scale_down_delete, o.scale_down_delay_after_delete)
            || after(self.last_scale_down_fail, o.scale_down_delay_after_failure);
        if cooldown {
            return;
        }
        let mut removed_per_group: BTreeMap<usize, u64> = BTreeMap::new();
        for &n in self.draining.keys() {
            if let Some(g) = self.node_group[n.0 as usize] {
                *removed_per_group.entry(g).or_default() += 1;
            }
        }
        let mut started = 0;
        let mut drains = self.draining.len();
        let ready: Vec<NodeId> = (self.unneeded.iter())
            .filter(|(_, &since)| now >= since + self.options.scale_down_unneeded_time)
            .map(|(&n, _)| n)
            .collect();
        for n in ready {
            if self.draining.len() >= MAX_SCALE_DOWN_PARALLELISM
                || started >= MAX_SCALE_DOWN_PARALLELISM
            {
                break;
            }
            let g = self.node_group[n.0 as usize].expect("unneeded nodes are in a group");
            let min = self.groups[g].autoscaling.as_ref().map_or(0, |a| a.min);
            let removed = removed_per_group.entry(g).or_default();
            if (self.state[g].members.len() as u64).saturating_sub(*removed) <= min {
                continue;
            }
            let empty = pods_to_move(state, n).is_empty();
            if !empty && drains >= MAX_DRAIN_PARALLELISM {
                continue;
            }
            self.start_deletion(state, events, n, g, empty);
            *removed += 1;
            started += 1;
            drains += usize::from(!empty);
        }
        if started > 0 {
            self.last_scale_down_delete = Some(now);
        }
    }

    /// Which nodes are unneeded now; each keeps the time it first was.
    fn update_unneeded(&mut self, state: &ClusterState, now: SimTime) {
        // Pods moved in the simulation so far are charged to their new node.
        let mut charged: BTreeMap<NodeId, NodeUsage> = BTreeMap::new();
        let mut removable: BTreeSet<NodeId> = BTreeSet::new();
        let mut recheck = Vec::new();
        self.unremovable_until.retain(|_, t| now < *t);
        for (g, gs) in self.state.iter().enumerate() {
            if self.groups[g].autoscaling.is_none() {
                continue;
            }
            for &n in &gs.members {
                if self.draining.contains_key(&n) || !state.node_exists(n) {
                    continue;
                }
                if utilization(state, n) >= self.options.scale_down_utilization_threshold {
                    continue;
                }
                if self.unremovable_until.get(&n).is_some_and(|&t| now < t) {
                    continue;
                }
                let pods = pods_to_move(state, n);
                let mut trial = charged.clone();
                let fits = !pods.iter().any(|&p| self.blocking(state, p).is_some())
                    && (pods.iter()).all(|&p| self.find_place(state, p, n, &removable, &mut trial));
                if fits {
                    charged = trial;
                    removable.insert(n);
                } else {
                    // Not looked at again for a while (`categorizeNodes`).
                    let until = now + self.options.unremovable_node_recheck_timeout;
                    recheck.push((n, until));
                }
            }
        }
        self.unremovable_until.extend(recheck);
        self.unneeded.retain(|n, _| removable.contains(n));
        for n in removable {
            self.unneeded.entry(n).or_insert(now);
        }
    }

    /// A node other than `from` (and the nodes leaving) that the pod passes
    /// the scheduler's filters on, charged with the pod.
    fn find_place(
        &self,
        state: &ClusterState,
        p: PodId,
        from: NodeId,
        leaving: &BTreeSet<NodeId>,
        charged: &mut BTreeMap<NodeId, NodeUsage>,
    ) -> bool {
        let pod = &state.pod(p).pod;
        for (i, node) in state.nodes().iter().enumerate() {
            let id = NodeId(i as u32);
            if id == from
                || leaving.contains(&id)
                || self.draining.contains_key(&id)
                || !state.node_exists(id)
            {
                continue;
            }
            let usage = charged.get(&id).unwrap_or_else(|| state.node_usage(id));
            if has_room(node, usage, pod) && self.filters.filter(pod, node, usage).is_ok() {
                let mut after = *usage;
                charge(&mut after, pod);
                charged.insert(id, after);
                return true;
            }
        }
        false
    }
}
