//! Operator maintenance: `kubectl cordon`, `uncordon` and `drain`.
//!
//! Drain cordons the node, then evicts every pod on it except those a
//! DaemonSet owns (as `kubectl drain --ignore-daemonsets --force`). With no
//! PodDisruptionBudgets in the model, every eviction is allowed: each pod
//! is deleted gracefully at once and its controller replaces it.

use crate::engine::SimTime;
use crate::model::store::{NodeId, PodId};
use crate::model::ClusterState;

fn find(state: &ClusterState, name: &str) -> Option<NodeId> {
    state
        .nodes
        .iter()
        .position(|n| n.metadata.name == name)
        .map(|i| NodeId(i as u32))
}

/// Sets `spec.unschedulable`; records NodeSchedulable / NodeNotSchedulable
/// as the kubelet does when it sees the change.
pub fn cordon(state: &mut ClusterState, name: &str, unschedulable: bool, now: SimTime) {
    let Some(id) = find(state, name) else {
        return;
    };
    if state.node(id).unschedulable == unschedulable {
        return;
    }
    state.update_node(id, |n| n.unschedulable = unschedulable);
    let reason = if unschedulable {
        "NodeNotSchedulable"
    } else {
        "NodeSchedulable"
    };
    state.record_node_event(
        now,
        id,
        reason,
        format!("Node {name} status is now: {reason}"),
    );
}

pub fn drain(state: &mut ClusterState, name: &str, now: SimTime) {
    cordon(state, name, true, now);
    let Some(id) = find(state, name) else {
        return;
    };
    for i in 0..state.pods.len() {
        let pod = PodId(i as u32);
        let e = state.pod(pod);
        let daemon = e
            .pod
            .metadata
            .controller()
            .is_some_and(|o| o.kind == "DaemonSet");
        if e.node != Some(id) || e.deleted.is_some() || e.terminating.is_some() || daemon {
            continue;
        }
        if e.status.phase.is_terminal() {
            continue;
        }
        // The Eviction API records no event; the kubelet's Killing follows.
        state.request_pod_deletion(pod, now);
    }
}
