//! The pod garbage collector (`pkg/controller/podgc/gc_controller.go`,
//! v1.32), every `gcCheckPeriod` (20 s, on a grid from the start), in
//! upstream's order:
//!
//! - `gcTerminating` (non-graceful node shutdown, GA in v1.28) force-deletes
//!   the terminating pods bound to a node that is not Ready and carries the
//!   `node.kubernetes.io/out-of-service` taint. That is how an operator
//!   frees the pods of a node known to be dead without waiting for it to
//!   come back: taint it out-of-service (the taint eviction controller then
//!   evicts every pod that does not tolerate the taint) and the evicted pods
//!   leave the API at the next pass.
//! - `gcOrphaned` deletes the pods bound to a node that no longer exists
//!   (`kubectl delete node`). A pass that finds such pods puts their node in
//!   quarantine for `quarantineTime` (40 s: `nodeQueue.AddAfter`, which keeps
//!   the earliest time when added again); the first pass once it has passed
//!   checks that the node is really gone and deletes its pods: each one not
//!   yet Succeeded or Failed is first marked Failed with the DisruptionTarget
//!   condition (reason `DeletionByPodGC`, "PodGC: node no longer exists"),
//!   then deleted with a grace period of 0 (`markFailedAndDeletePodWithCondition`).
//!   A node deleted at t is thus emptied at P + 40 s, P the first pass after
//!   t: between 40 and 60 s later. Their controllers replace them.
//!
//! kubesim's pass looks only at the nodes concerned, not at every pod
//! (upstream lists them all); `gcTerminated` (the terminated-pod threshold,
//! 12 500 by default) and `gcUnscheduledTerminating` are not modelled.

use super::{ControllerEvent, ControllerManager};
use crate::engine::{EventQueue, SimDuration, SimTime};
use crate::model::node_health::ConditionStatus;
use crate::model::store::{NodeId, PodId};
use crate::model::{ClusterState, PodPhase};

pub const TAINT_OUT_OF_SERVICE: &str = "node.kubernetes.io/out-of-service";
/// `gcCheckPeriod`.
pub const GC_CHECK_PERIOD: SimDuration = SimDuration(20_000_000);
/// `quarantineTime`.
pub const QUARANTINE_TIME: SimDuration = SimDuration(40_000_000);
/// The reason of the DisruptionTarget condition of an orphan's deletion.
pub const DELETION_BY_POD_GC: &str = "DeletionByPodGC";

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

/// One pass: `gcTerminating`, then `gcOrphaned`; another is armed while a
/// node is in quarantine.
pub fn run<E: From<ControllerEvent>>(
    cm: &mut ControllerManager,
    state: &mut ClusterState,
    events: &mut EventQueue<E>,
) {
    let now = events.now();
    cm.pod_gc_pending = false;
    gc_terminating(state, now);
    gc_orphaned(cm, state, now);
    if !cm.pod_gc_quarantine.is_empty() {
        arm(cm, events);
    }
}

/// `gcOrphaned`: quarantines the deleted nodes that have pods, and deletes
/// the pods of those whose quarantine is over.
fn gc_orphaned(cm: &mut ControllerManager, state: &mut ClusterState, now: SimTime) {
    for n in (0..state.nodes().len()).map(|n| NodeId(n as u32)) {
        if state.node_exists(n) || cm.pod_gc_quarantine.contains_key(&n) {
            continue;
        }
        if state
            .pods_on_node(n)
            .any(|p| state.pod(p).deleted.is_none())
        {
            cm.pod_gc_quarantine.insert(n, now + QUARANTINE_TIME);
        }
    }
    let gone: Vec<NodeId> = (cm.pod_gc_quarantine.iter())
        .filter(|&(_, &until)| until <= now)
        .map(|(&n, _)| n)
        .collect();
    for n in gone {
        cm.pod_gc_quarantine.remove(&n);
        let pods: Vec<PodId> = state
            .pods_on_node(n)
            .filter(|&p| state.pod(p).deleted.is_none())
            .collect();
        for pod in pods {
            if !state.pod(pod).status.phase.is_terminal() {
                state.set_disruption_target(pod, now, DELETION_BY_POD_GC);
                state.set_phase(pod, PodPhase::Failed, now);
            }
            state.delete_pod(pod, now);
        }
    }
}

/// `gcTerminating`.
fn gc_terminating(state: &mut ClusterState, now: SimTime) {
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
