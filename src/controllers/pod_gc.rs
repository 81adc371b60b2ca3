//! The pod garbage collector's `gcTerminating` (`pkg/controller/podgc/
//! gc_controller.go`, v1.32; non-graceful node shutdown, GA in v1.28): every
//! `gcCheckPeriod` (20 s) it force-deletes the terminating pods bound to a
//! node that is not Ready and carries the `node.kubernetes.io/out-of-service`
//! taint. That is how an operator frees the pods of a node known to be dead
//! without waiting for it to come back: taint it out-of-service (the taint
//! eviction controller then evicts every pod that does not tolerate the
//! taint) and the evicted pods leave the API at the next pass.

use super::{ControllerEvent, ControllerManager};
use crate::engine::{EventQueue, SimDuration, SimTime};
use crate::model::node_health::ConditionStatus;
use crate::model::store::{NodeId, PodId};
use crate::model::ClusterState;

pub const TAINT_OUT_OF_SERVICE: &str = "node.kubernetes.io/out-of-service";
/// `gcCheckPeriod`.
pub const GC_CHECK_PERIOD: SimDuration = SimDuration(20_000_000);

/// Not Ready and tainted out-of-service.
pub fn out_of_service(state: &ClusterState, node: NodeId) -> bool {
    state.node_health(node).ready != ConditionStatus::True
        && state
            .node(node)
            .taints
            .iter()
            .any(|t| t.key == TAINT_OUT_OF_SERVICE)
}

/// Arms the next pass (on the 20 s grid) if none is pending.
pub fn arm<E: From<ControllerEvent>>(cm: &mut ControllerManager, events: &mut EventQueue<E>) {
    if !cm.pod_gc_pending {
        cm.pod_gc_pending = true;
        let p = GC_CHECK_PERIOD.0;
        let at = SimTime((events.now().0 / p + 1) * p);
        events.schedule(at, ControllerEvent::PodGc.into());
    }
}

/// One `gcTerminating` pass.
pub fn run(cm: &mut ControllerManager, state: &mut ClusterState, now: SimTime) {
    cm.pod_gc_pending = false;
    // The pods of the out-of-service nodes, in id order (as upstream lists them).
    let mut pods: Vec<PodId> = (0..state.nodes().len())
        .map(|n| NodeId(n as u32))
        .filter(|&n| out_of_service(state, n))
        .flat_map(|n| state.pods_on_node(n))
        .collect();
    pods.sort_unstable();
    for pod in pods {
        let e = state.pod(pod);
        if e.deleted.is_none() && e.terminating.is_some() {
            state.delete_pod(pod, now);
        }
    }
}
