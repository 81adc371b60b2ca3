//! What happens to a node's kubelet when the machine or its network fails.
//!
//! - **Down** (crash, power loss): the kubelet and every container stop. The
//!   API keeps showing the pods' last status until the node lifecycle
//!   controller marks them not ready. When the machine comes back the kubelet
//!   starts afresh (its in-memory restart backoff is gone), pods deleted in
//!   the meantime are removed at once (their containers are already dead),
//!   and every other pod's sandbox is re-created: its containers report
//!   `ContainerStatusUnknown` (exit 137) and restart by `restartPolicy`, init
//!   containers first, as after a real reboot.
//! - **Partitioned**: the kubelet cannot reach the API server. Its Lease is
//!   not renewed and it does not see new bindings or deletions, but the
//!   containers keep running. When the network heals, it acts on what it
//!   missed (starts newly bound pods, stops deleted ones gracefully).
//! - **NotReady**: the kubelet reaches the API server but reports the Ready
//!   condition False (e.g. its container runtime is unhealthy); its Lease is
//!   renewed and its containers keep running.
//!
//! Simplification: while partitioned, container state changes are still
//! written to the API at once rather than when the network heals.

use super::Kubelets;
use crate::engine::{EventQueue, SimTime};
use crate::model::node_health::ConditionStatus;
use crate::model::store::{NodeId, PodId, WatchEvent};
use crate::model::{ClusterState, PodPhase};

/// What is wrong with a node, worst last.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum NodeFault {
    #[default]
    Healthy,
    /// The kubelet reports Ready=False.
    NotReady,
    /// The kubelet cannot reach the API server.
    Partitioned,
    /// The machine is off.
    Down,
}

impl NodeFault {
    /// The kubelet can talk to the API server.
    fn reachable(self) -> bool {
        matches!(self, NodeFault::Healthy | NodeFault::NotReady)
    }
    fn running(self) -> bool {
        self != NodeFault::Down
    }
}

/// The kubelet's view of its node.
#[derive(Clone, Debug, Default)]
pub struct KubeletNode {
    pub fault: NodeFault,
    /// Notifications the kubelet has not seen while it could not reach the
    /// API server, oldest first.
    deferred: Vec<WatchEvent>,
    /// Its image cache and pull queue.
    pub images: super::images::NodeImages,
}

/// Exit code the kubelet reports for a container that vanished with its
/// sandbox (`kuberuntime_manager.go`: ContainerStatusUnknown, 128 + SIGKILL).
pub const LOST_CONTAINER_EXIT_CODE: i32 = 137;

impl KubeletNode {
    /// Whether a notification about the pod is held back.
    pub(super) fn holds_back(&self, pod: PodId) -> bool {
        self.deferred.iter().any(|w| w.pod() == Some(pod))
    }
}

impl Kubelets {
    pub(super) fn node_mut(&mut self, id: NodeId) -> &mut KubeletNode {
        let idx = id.0 as usize;
        if self.nodes.len() <= idx {
            self.nodes.resize_with(idx + 1, KubeletNode::default);
        }
        &mut self.nodes[idx]
    }

    pub fn fault(&self, id: NodeId) -> NodeFault {
        self.nodes
            .get(id.0 as usize)
            .map_or(NodeFault::Healthy, |n| n.fault)
    }

    /// The kubelet registers the node and starts renewing its Lease.
    pub(super) fn on_node_added(&mut self, id: NodeId, state: &mut ClusterState, now: SimTime) {
        self.node_mut(id);
        state.start_node_lease(id, now);
    }

    /// Holds back a notification the kubelet of an unreachable node cannot
    /// see; true when held.
    pub(super) fn held_back(&mut self, event: WatchEvent, state: &ClusterState) -> bool {
        let node = match event {
            WatchEvent::PodBound(_, node) => node,
            WatchEvent::PodTerminating(id) => match state.pod(id).node {
                Some(node) => node,
                None => return false,
            },
            _ => return false,
        };
        if self.fault(node).reachable() {
            return false;
        }
        self.node_mut(node).deferred.push(event);
        true
    }

    /// Pods bound to a node and still in the API, in id order.
    fn pods_on(state: &ClusterState, node: NodeId) -> Vec<PodId> {
        state
            .pods_on_node(node)
            .filter(|&p| state.pod(p).deleted.is_none())
            .collect()
    }

    /// Moves a node's kubelet to a new fault state.
    pub fn set_fault<E: From<super::KubeletEvent>>(
        &mut self,
        node: NodeId,
        fault: NodeFault,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        let now = events.now();
        let old = self.node_mut(node).fault;
        if old == fault {
            return;
        }
        self.node_mut(node).fault = fault;
        let name = state.node(node).name().to_string();
        if old.running() && !fault.running() {
            // Everything on the machine stops; the API is not told.
            for pod in Self::pods_on(state, node) {
                if let Some(rt) = self.pods.get_mut(pod.0 as usize).and_then(Option::as_mut) {
                    rt.cancel_timers(events);
                }
            }
        }
        if !old.running() && fault.running() {
            state.record_node_event(
                now,
                node,
                "Rebooted",
                format!("Node {name} has been rebooted"),
            );
            self.node_mut(node).deferred.clear();
            self.reboot_pods(node, state, events);
        }
        let ready = if fault == NodeFault::NotReady {
            ConditionStatus::False
        } else {
            ConditionStatus::True
        };
        if old.reachable() && !fault.reachable() {
            state.update_node_health(node, |h| h.lease_stopped = Some(now));
        } else if !old.reachable() && fault.reachable() {
            state.update_node_health(node, |h| {
                h.lease_since = now;
                h.lease_stopped = None;
                h.ready = ready;
            });
            self.record_ready(node, ready, state, now);
            let deferred = std::mem::take(&mut self.node_mut(node).deferred);
            for event in deferred {
                match event {
                    WatchEvent::PodBound(id, node) if state.pod(id).deleted.is_none() => {
                        self.admit_bound_pod(id, node, state, events)
                    }
                    WatchEvent::PodTerminating(id) if state.pod(id).deleted.is_none() => {
                        self.terminate_pod(id, state, events)
                    }
                    _ => {}
                }
            }
            // The kubelet's status sync reports its pods' readiness again.
            for pod in Self::pods_on(state, node) {
                if self.pods.get(pod.0 as usize).is_some_and(Option::is_some) {
                    self.update_readiness(pod, state, now);
                }
            }
        } else if fault.reachable() && state.node_health(node).ready != ready {
            state.update_node_health(node, |h| h.ready = ready);
            self.record_ready(node, ready, state, now);
        }
    }

    /// The kubelet's node status event (`kubelet_node_status.go` recordNodeStatusEvent).
    fn record_ready(
        &self,
        node: NodeId,
        ready: ConditionStatus,
        state: &mut ClusterState,
        now: SimTime,
    ) {
        let reason = match ready {
            ConditionStatus::True => "NodeReady",
            _ => "NodeNotReady",
        };
        let name = state.node(node).name().to_string();
        state.record_node_event(
            now,
            node,
            reason,
            format!("Node {name} status is now: {reason}"),
        );
    }

    /// After a reboot: deleted pods go at once, the others start again.
    fn reboot_pods<E: From<super::KubeletEvent>>(
        &mut self,
        node: NodeId,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        let now = events.now();
        for pod in Self::pods_on(state, node) {
            let had_runtime = self.pods.get_mut(pod.0 as usize).and_then(Option::take);
            if state.pod(pod).terminating.is_some() {
                state.delete_pod(pod, now);
                continue;
            }
            if state.pod(pod).status.phase.is_terminal() {
                continue;
            }
            if had_runtime.is_some() {
                state.lose_running_containers(
                    pod,
                    LOST_CONTAINER_EXIT_CODE,
                    "ContainerStatusUnknown",
                    now,
                );
                state.clear_pod_readiness(pod);
                state.pod_status_changed(pod);
                let policy = state.pod(pod).pod.spec.restart_policy;
                if !policy.restarts(LOST_CONTAINER_EXIT_CODE) {
                    state.set_pod_reason(pod, "ContainerStatusUnknown");
                    state.set_phase(pod, PodPhase::Failed, now);
                    continue;
                }
                state.record_pod_event(
                    now,
                    pod,
                    "SandboxChanged",
                    "Pod sandbox changed, it will be killed and re-created.".into(),
                );
                state.count_sandbox_restart(pod);
            }
            self.start_pod(pod, state, events);
        }
    }
}
