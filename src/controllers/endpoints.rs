//! The endpoints controller (`pkg/controller/endpointslice`, v1.32), reduced
//! to what availability needs: a Service's ready endpoints are the pods its
//! selector matches in its namespace that are Ready and not terminating — a
//! pod being deleted leaves the endpoints at once.

use super::{is_active, is_ready, ControllerEvent, ControllerManager, Memory};
use crate::engine::EventQueue;
use crate::model::labels::Labels;
use crate::model::store::{PodId, WorkloadId};
use crate::model::workloads::WorkloadSpec;
use crate::model::ClusterState;

/// The Service's selector, if it selects pods.
fn selector(state: &ClusterState, id: WorkloadId) -> Option<&Labels> {
    match &state.workload(id).workload.spec {
        WorkloadSpec::Service(s) => s.selector.as_ref(),
        _ => None,
    }
}

/// Whether a Service selects a pod.
pub fn selects(state: &ClusterState, service: WorkloadId, pod: PodId) -> bool {
    let Some(sel) = selector(state, service) else {
        return false;
    };
    let p = &state.pod(pod).pod.metadata;
    p.namespace == state.workload(service).workload.metadata.namespace
        && sel.iter().all(|(k, v)| p.labels.get(k) == Some(v))
}

/// Updates a Service's endpoint sets for one pod it selects (O(log n) per pod event).
pub fn observe(memory: &mut Memory, pod: PodId, state: &ClusterState) {
    let active = is_active(state, pod);
    let ready = active && is_ready(state, pod);
    for (set, member) in [
        (&mut memory.endpoints_selected, active),
        (&mut memory.endpoints_ready, ready),
    ] {
        if member {
            set.insert(pod);
        } else {
            set.remove(&pod);
        }
    }
}

pub fn sync<E: From<ControllerEvent>>(
    cm: &mut ControllerManager,
    id: WorkloadId,
    state: &mut ClusterState,
    _events: &mut EventQueue<E>,
) {
    let memory = cm.memory(id);
    let (selected, ready) = (
        memory.endpoints_selected.len() as i32,
        memory.endpoints_ready.len() as i32,
    );
    let status = state.workload_status_mut(id);
    status.replicas = selected;
    status.ready = ready;
    status.available = ready;
}
