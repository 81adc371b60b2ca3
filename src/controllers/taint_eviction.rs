//! The taint eviction controller (`pkg/controller/tainteviction/
//! taint_eviction.go`, Kubernetes v1.32; the NoExecuteTaintManager before
//! v1.29): pods on a node with NoExecute taints they do not tolerate are
//! deleted at once; pods that tolerate them for `tolerationSeconds` are
//! deleted when the shortest such toleration runs out; pods that tolerate
//! them forever stay. Removing the taints cancels a scheduled deletion.
//! Deletion is the usual graceful one; on a node that cannot be reached the
//! pod then stays Terminating until the node comes back, as upstream.

use super::{ControllerEvent, ControllerManager};
use crate::engine::{EventQueue, SimDuration, SimTime, TimerId};
use crate::model::store::{NodeId, PodId};
use crate::model::taints::{Taint, TaintEffect};
use crate::model::ClusterState;
use std::collections::BTreeMap;

/// A scheduled deletion (`TimedWorkerQueue` entry).
struct Scheduled {
    created_at: SimTime,
    timer: TimerId,
}

#[derive(Default)]
pub struct TaintEviction {
    scheduled: BTreeMap<PodId, Scheduled>,
    /// Each node's NoExecute taints when last handled, to skip no-op updates.
    node_taints: Vec<Vec<Taint>>,
}

/// What to do with a pod given the NoExecute taints of its node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No NoExecute taint, or all tolerated forever: cancel any deletion.
    Stay,
    /// Some taint is not tolerated: delete now.
    DeleteNow,
    /// Delete after the shortest matching `tolerationSeconds`.
    DeleteAfter(SimDuration),
}

/// `processPodOnNode`'s decision: `GetMatchingTolerations` then `getMinTolerationTime`.
pub fn verdict(tolerations: &[crate::model::taints::Toleration], taints: &[Taint]) -> Verdict {
    if taints.is_empty() {
        return Verdict::Stay;
    }
    let mut min: Option<i64> = None;
    for taint in taints {
        let mut tolerated = false;
        for t in tolerations.iter().filter(|t| t.tolerates(taint)) {
            tolerated = true;
            if let Some(s) = t.toleration_seconds {
                // Negative or zero seconds mean "evict at once" upstream.
                let s = s.max(0);
                min = Some(min.map_or(s, |m| m.min(s)));
            }
        }
        if !tolerated {
            return Verdict::DeleteNow;
        }
    }
    match min {
        None => Verdict::Stay,
        Some(s) => Verdict::DeleteAfter(SimDuration::from_secs(s as u64)),
    }
}

fn no_execute_taints(state: &ClusterState, node: NodeId) -> Vec<Taint> {
    state
        .node(node)
        .taints
        .iter()
        .filter(|t| t.effect == TaintEffect::NoExecute)
        .cloned()
        .collect()
}

impl TaintEviction {
    /// Whether a node's NoExecute taints differ from those last handled.
    pub fn interested_in_node(&self, node: NodeId, state: &ClusterState) -> bool {
        let last: &[Taint] = self.node_taints.get(node.0 as usize).map_or(&[], |v| v);
        !state
            .node(node)
            .taints
            .iter()
            .filter(|t| t.effect == TaintEffect::NoExecute)
            .eq(last.iter())
    }

    /// A node changed: re-examine its pods if its NoExecute taints did.
    pub fn on_node_updated<E: From<ControllerEvent>>(
        &mut self,
        node: NodeId,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        let idx = node.0 as usize;
        if self.node_taints.len() <= idx {
            self.node_taints.resize_with(idx + 1, Vec::new);
        }
        let taints = no_execute_taints(state, node);
        if taints == self.node_taints[idx] {
            return;
        }
        self.node_taints[idx] = taints;
        let pods: Vec<PodId> = state.pods_on_node(node).collect();
        for pod in pods {
            self.process_pod(pod, state, events);
        }
    }

    /// Whether a deletion of the pod is scheduled.
    pub fn tracks(&self, pod: PodId) -> bool {
        self.scheduled.contains_key(&pod)
    }

    /// Whether a pod notification concerns this controller (read-only check
    /// made when the notification arrives).
    pub fn interested(&self, pod: PodId, state: &ClusterState) -> bool {
        self.scheduled.contains_key(&pod)
            || state.pod(pod).node.is_some_and(|n| {
                state
                    .node(n)
                    .taints
                    .iter()
                    .any(|t| t.effect == TaintEffect::NoExecute)
            })
    }

    /// A pod was bound or changed: examine it if its node has NoExecute taints.
    pub fn on_pod_event<E: From<ControllerEvent>>(
        &mut self,
        pod: PodId,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        let Some(node) = state.pod(pod).node else {
            return;
        };
        let tainted = state
            .node(node)
            .taints
            .iter()
            .any(|t| t.effect == TaintEffect::NoExecute);
        if tainted || self.scheduled.contains_key(&pod) {
            self.process_pod(pod, state, events);
        }
    }

    fn cancel<E>(
        &mut self,
        pod: PodId,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
        announce: bool,
    ) {
        if let Some(s) = self.scheduled.remove(&pod) {
            events.cancel(s.timer);
            if announce {
                let m = &state.pod(pod).pod.metadata;
                let msg = format!("Cancelling deletion of Pod {}/{}", m.namespace, m.name);
                state.record_pod_event(events.now(), pod, "TaintManagerEviction", msg);
            }
        }
    }

    /// `processPodOnNode`.
    fn process_pod<E: From<ControllerEvent>>(
        &mut self,
        pod: PodId,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        let now = events.now();
        let e = state.pod(pod);
        if e.deleted.is_some() || e.terminating.is_some() || e.status.phase.is_terminal() {
            self.cancel(pod, state, events, false);
            return;
        }
        let node = e.node.expect("pods examined are bound");
        let taints = no_execute_taints(state, node);
        match verdict(&e.pod.spec.tolerations, &taints) {
            Verdict::Stay => self.cancel(pod, state, events, true),
            Verdict::DeleteNow => {
                self.cancel(pod, state, events, false);
                delete(pod, state, now);
            }
            Verdict::DeleteAfter(d) => {
                // As upstream: a deletion scheduled earlier stands (its
                // created time plus the toleration is before now plus it).
                let mut created_at = now;
                if let Some(s) = self.scheduled.get(&pod) {
                    created_at = s.created_at;
                    if created_at + d < now + d {
                        return;
                    }
                    self.cancel(pod, state, events, true);
                }
                let fire_at = now + d;
                let timer = events.schedule(fire_at, ControllerEvent::TaintEviction(pod).into());
                self.scheduled.insert(pod, Scheduled { created_at, timer });
            }
        }
    }

    /// A scheduled deletion is due.
    pub fn fire(cm: &mut ControllerManager, pod: PodId, state: &mut ClusterState, now: SimTime) {
        if cm.taint_eviction.scheduled.remove(&pod).is_some() {
            delete(pod, state, now);
        }
    }
}

/// `deletePodHandler`: records TaintManagerEviction and deletes the pod gracefully.
fn delete(pod: PodId, state: &mut ClusterState, now: SimTime) {
    let m = &state.pod(pod).pod.metadata;
    let msg = format!("Marking for deletion Pod {}/{}", m.namespace, m.name);
    state.record_pod_event(now, pod, "TaintManagerEviction", msg);
    state.request_pod_deletion(pod, now);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::taints::{Toleration, TolerationOperator};

    fn taint(key: &str) -> Taint {
        Taint {
            key: key.into(),
            value: String::new(),
            effect: TaintEffect::NoExecute,
        }
    }
    fn tol(key: &str, seconds: Option<i64>) -> Toleration {
        Toleration {
            key: key.into(),
            operator: TolerationOperator::Exists,
            value: String::new(),
            effect: Some(TaintEffect::NoExecute),
            toleration_seconds: seconds,
        }
    }

    // Cases after taint_eviction_test.go TestGetMinTolerationTime and
    // TestUpdateNodeWithMultipleTaints.
    #[test]
    fn shortest_matching_toleration_decides() {
        let unreachable = taint("node.kubernetes.io/unreachable");
        let not_ready = taint("node.kubernetes.io/not-ready");
        assert_eq!(verdict(&[], &[]), Verdict::Stay);
        assert_eq!(
            verdict(&[], std::slice::from_ref(&unreachable)),
            Verdict::DeleteNow
        );
        let tols = [
            tol("node.kubernetes.io/unreachable", Some(300)),
            tol("node.kubernetes.io/not-ready", Some(200)),
        ];
        assert_eq!(
            verdict(&tols, std::slice::from_ref(&unreachable)),
            Verdict::DeleteAfter(SimDuration::from_secs(300))
        );
        assert_eq!(
            verdict(&tols, &[unreachable.clone(), not_ready.clone()]),
            Verdict::DeleteAfter(SimDuration::from_secs(200))
        );
        // A forever toleration does not lower the minimum of a timed one.
        let forever = [
            tol("", None),
            tol("node.kubernetes.io/unreachable", Some(60)),
        ];
        assert_eq!(
            verdict(&forever, std::slice::from_ref(&unreachable)),
            Verdict::DeleteAfter(SimDuration::from_secs(60))
        );
        assert_eq!(
            verdict(&[tol("", None)], &[unreachable, not_ready]),
            Verdict::Stay
        );
        // Tolerating one taint but not the other: deleted at once.
        assert_eq!(
            verdict(
                &[tol("node.kubernetes.io/unreachable", None)],
                &[taint("x")]
            ),
            Verdict::DeleteNow
        );
    }
}
