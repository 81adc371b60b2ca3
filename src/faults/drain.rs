//! Operator maintenance: `kubectl cordon`, `uncordon` and `taint` (the
//! `drain` action, which evicts through the Eviction API, is in
//! `model::eviction`).

use crate::engine::SimTime;
use crate::model::store::NodeId;
use crate::model::taints::Taint;
use crate::model::ClusterState;

/// The node of that name in the API (a deleted one is not found, as
/// kubectl would say).
fn find(state: &ClusterState, name: &str) -> Option<NodeId> {
    state.find_node(name)
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

/// Adds the taints (replacing one with the same key and effect) or removes
/// those with the same key and effect.
pub fn taint(state: &mut ClusterState, name: &str, taints: &[Taint], remove: bool) {
    let Some(id) = find(state, name) else {
        return;
    };
    state.update_node(id, |n| {
        for t in taints {
            n.taints
                .retain(|x| !(x.key == t.key && x.effect == t.effect));
            if !remove {
                n.taints.push(t.clone());
            }
        }
    });
}
