//! Garbage collection through ownerReferences
//! (`pkg/controller/garbagecollector`, v1.32): deleting an owner deletes its
//! dependents — after it (Background), before it (Foreground: the owner stays
//! with a deletionTimestamp until no dependent is left), or not at all
//! (Orphan: the dependents lose their owner reference).

use super::{ControllerEvent, ControllerManager};
use crate::engine::EventQueue;
use crate::model::store::{Propagation, WorkloadId};
use crate::model::ClusterState;

/// Deletes a workload object with the given propagation policy.
pub fn delete_workload<E: From<ControllerEvent>>(
    cm: &mut ControllerManager,
    id: WorkloadId,
    propagation: Propagation,
    state: &mut ClusterState,
    events: &mut EventQueue<E>,
) {
    let now = events.now();
    if state.workload(id).deleted.is_some() {
        return;
    }
    match propagation {
        Propagation::Background => state.remove_workload(id, now),
        Propagation::Foreground => {
            state.mark_workload_deleting(id, now);
            sync_foreground(cm, id, state, events);
        }
        Propagation::Orphan => {
            for pod in cm.pods_of(id, state) {
                state.orphan_pod(pod);
            }
            for child in cm.children_of(id, state) {
                state.orphan_workload(child);
            }
            cm.disown_all(id);
            state.remove_workload(id, now);
        }
    }
}

/// After a Background deletion: delete every dependent (child objects in the background too).
pub fn collect<E: From<ControllerEvent>>(
    cm: &mut ControllerManager,
    id: WorkloadId,
    state: &mut ClusterState,
    events: &mut EventQueue<E>,
) {
    let now = events.now();
    for pod in cm.pods_of(id, state) {
        state.request_pod_deletion(pod, now);
    }
    for child in cm.children_of(id, state) {
        delete_workload(cm, child, Propagation::Background, state, events);
    }
}

/// A Foreground deletion in progress: delete the dependents (children in the
/// foreground too); remove the owner once none is left.
pub fn sync_foreground<E: From<ControllerEvent>>(
    cm: &mut ControllerManager,
    id: WorkloadId,
    state: &mut ClusterState,
    events: &mut EventQueue<E>,
) {
    let now = events.now();
    let pods = cm.pods_of(id, state);
    let children = cm.children_of(id, state);
    if pods.is_empty() && children.is_empty() {
        state.remove_workload(id, now);
        return;
    }
    for pod in pods {
        state.request_pod_deletion(pod, now);
    }
    for child in children {
        if state.workload(child).deleting.is_none() {
            delete_workload(cm, child, Propagation::Foreground, state, events);
        }
    }
}
