//! The Eviction API (`pods/eviction`, `pkg/registry/core/pod/storage/eviction.go`,
//! v1.32) and `kubectl drain` built on it: an eviction is a graceful deletion
//! that the API server refuses (429) while it would take any PodDisruptionBudget
//! covering the pod below zero allowed disruptions; `kubectl drain` cordons
//! the node, evicts every pod on it but DaemonSet pods, and retries refused
//! evictions every 5 s until the node is empty.

use super::store::{ClusterState, NodeId, PodId};
use super::workloads::WorkloadSpec;
use crate::engine::{SimDuration, SimTime};

/// How long `kubectl drain` waits before retrying a refused eviction.
pub const DRAIN_RETRY: SimDuration = SimDuration(5_000_000);

/// Why the API server refused an eviction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvictionRefused {
    /// The PDB that would be violated.
    pub pdb: String,
}

/// Evicts a pod: deletes it gracefully unless a PDB covering it has no
/// disruption left. A pod not Running (pending, finished) is always deletable,
/// as upstream lets any pod that is not healthy-and-counted go.
pub fn evict(state: &mut ClusterState, pod: PodId, now: SimTime) -> Result<(), EvictionRefused> {
    evict_with_grace(state, pod, now, None)
}

/// [`evict`] with `DeleteOptions.gracePeriodSeconds` (the Cluster
/// Autoscaler's drain caps it at `max-graceful-termination-sec`).
pub fn evict_with_grace(
    state: &mut ClusterState,
    pod: PodId,
    now: SimTime,
    grace_period_s: Option<i64>,
) -> Result<(), EvictionRefused> {
    let entry = state.pod(pod);
    if entry.terminating.is_some() || entry.deleted.is_some() {
        return Ok(());
    }
    // Upstream: a pod that is not Ready does not count as healthy, so evicting
    // it cannot lower currentHealthy; the API server lets it go.
    let ready = entry.status.conditions.ready.is_some();
    if ready {
        for pdb in state.pod_disruption_budgets() {
            if pdb.selects(entry) && pdb.disruptions_allowed(state) <= 0 {
                return Err(EvictionRefused {
                    pdb: pdb.metadata.name.clone(),
                });
            }
        }
    }
    state.request_pod_deletion_with_grace(pod, now, grace_period_s);
    Ok(())
}

/// Whether `kubectl drain` (with `--ignore-daemonsets`) leaves the pod alone.
fn is_daemon_pod(state: &ClusterState, pod: PodId) -> bool {
    state
        .pod(pod)
        .owner
        .is_some_and(|w| matches!(state.workload(w).workload.spec, WorkloadSpec::DaemonSet(_)))
}

/// One pass of `kubectl drain`: cordons the node (once) and tries to evict
/// every pod on it. Returns the number of pods whose eviction was refused
/// (the caller retries after [`DRAIN_RETRY`] while it is not zero).
pub fn drain_pass(state: &mut ClusterState, node: NodeId, now: SimTime) -> usize {
    if !state.node(node).unschedulable {
        state.update_node(node, |n| n.unschedulable = true);
        state.record_node_event(
            now,
            node,
            "NodeNotSchedulable",
            format!(
                "Node {} status is now: NodeNotSchedulable",
                state.node(node).name()
            ),
        );
    }
    let pods: Vec<PodId> = (state.bound_pods_on_node(node).iter().copied())
        .filter(|&p| !is_daemon_pod(state, p))
        .collect();
    let mut refused = 0;
    for p in pods {
        if let Err(e) = evict(state, p, now) {
            refused += 1;
            let message = format!(
                "Cannot evict pod as it would violate the pod's disruption budget {:?}",
                e.pdb
            );
            state.record_pod_event(now, p, "EvictionBlocked", message);
        }
    }
    refused
}
