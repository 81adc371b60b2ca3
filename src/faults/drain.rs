//! Operator maintenance: `kubectl cordon` and `uncordon` (the `drain`
//! action, which evicts through the Eviction API, is in `model::eviction`).

use crate::engine::SimTime;
use crate::model::store::NodeId;
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
