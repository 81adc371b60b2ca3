//! Removing a node the scale-down chose (cluster-autoscaler 1.32
//! `core/scaledown/actuation/`): the node is tainted
//! `ToBeDeletedByClusterAutoscaler`; an empty node is deleted at once; the
//! pods of another are evicted through the Eviction API, all at once, each
//! refused eviction retried every 10 s (`EvictionRetryTime`) until
//! `--max-pod-eviction-time` (2 min) has passed since the drain started
//! (`drain.go` `initiateEviction`, `evictPod`). Once every eviction went
//! through, the pods get their grace period (capped at
//! `--max-graceful-termination-sec`) plus 30 s of headroom to go, looked at
//! every 5 s (`waitPodsToDisappear`); the node is deleted as soon as they
//! are gone. An eviction still refused at the deadline, or a pod still there
//! after the wait, fails the scale-down: ScaleDownFailed, the taint goes,
//! and scale-down waits `--scale-down-delay-after-failure`. Pods evicted
//! before a failure stay evicted, as upstream's do.

use super::rows::AutoscalerRow;
use super::scale_down::{is_daemon_pod, pods_to_move};
use super::{AutoscalerEvent, ClusterAutoscaler};
use crate::engine::{EventQueue, SimDuration, SimTime};
use crate::model::store::{NodeId, PodId};
use crate::model::taints::{Taint, TaintEffect};
use crate::model::ClusterState;

/// The taint marking a node the autoscaler is deleting (`utils/taints`).
pub const TO_BE_DELETED_TAINT: &str = "ToBeDeletedByClusterAutoscaler";
/// How long after the grace period a drain waits for its pods
/// (`PodEvictionHeadroom`, 30 s, in `core/scaledown/actuation/drain.go`).
pub const POD_EVICTION_HEADROOM: SimDuration = SimDuration(30_000_000);
/// How long after a refused eviction it is tried again (`EvictionRetryTime`).
pub const EVICTION_RETRY_TIME: SimDuration = SimDuration(10_000_000);
/// How often a drain looks whether its pods are gone (`waitPodsToDisappear`).
pub const POD_GONE_POLL: SimDuration = SimDuration(5_000_000);

/// A node being drained.
#[derive(Clone, Debug, PartialEq)]
pub struct Drain {
    /// Pods whose eviction was refused, to try again.
    pub refused: Vec<PodId>,
    /// Refused evictions are tried while the time is before this.
    pub retry_until: SimTime,
    /// When the last eviction went through: the wait for the pods runs
    /// from here. `None` while some are refused.
    pub evicted: Option<SimTime>,
}

impl ClusterAutoscaler {
    /// Taints the node and deletes it (empty) or starts its drain.
    pub(super) fn start_deletion<E: From<AutoscalerEvent>>(
        &mut self,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
        n: NodeId,
        g: usize,
        empty: bool,
    ) {
        let now = events.now();
        let taint = Taint {
            key: TO_BE_DELETED_TAINT.into(),
            value: (now.0 / 1_000_000).to_string(),
            effect: TaintEffect::NoSchedule,
        };
        state.update_node(n, |node| node.taints.push(taint));
        // `actuation/actuator.go`: the node is marked first.
        let message = "marked the node as toBeDeleted/unschedulable".to_string();
        state.record_node_event(now, n, "ScaleDown", message);
        self.unneeded.remove(&n);
        let reason = if empty {
            "scale-down-empty"
        } else {
            "scale-down-underutilized"
        };
        self.push_row(state, n, g, now, reason, -1);
        if empty {
            self.delete(state, n, now);
            return;
        }
        let pods = pods_to_move(state, n);
        for &p in &pods {
            // `evictPod` records it once per pod, before its first attempt.
            let message = "deleting pod for node scale down".to_string();
            state.record_pod_event(now, p, "ScaleDown", message);
        }
        let refused = self.evict(state, n, &pods, now);
        let evicted = refused.is_empty().then_some(now);
        let (at, next) = match evicted {
            Some(_) => (now, AutoscalerEvent::WaitForPods(n)),
            None => (
                now + EVICTION_RETRY_TIME,
                AutoscalerEvent::RetryEvictions(n),
            ),
        };
        events.schedule(at, next.into());
        let retry_until = now + self.options.max_pod_eviction_time;
        self.draining.insert(
            n,
            Drain {
                refused,
                retry_until,
                evicted,
            },
        );
    }

    /// Evicts each of `pods` still on node `n` with the drain's grace
    /// period; returns those whose eviction was refused. A pod already gone
    /// counts as evicted (upstream treats NotFound as success).
    fn evict(
        &self,
        state: &mut ClusterState,
        n: NodeId,
        pods: &[PodId],
        now: SimTime,
    ) -> Vec<PodId> {
        let cap = self.options.max_graceful_termination_sec;
        let mut refused = Vec::new();
        for &p in pods {
            let Some(e) = state.pods().get(p) else {
                continue;
            };
            if e.node != Some(n) {
                continue;
            }
            let grace = e.pod.spec.termination_grace_period_s.min(cap);
            if crate::model::eviction::evict_with_grace(state, p, now, Some(grace)).is_err() {
                refused.push(p);
            }
        }
        refused
    }

    /// `RetryEvictions(n)`: the refused evictions of node `n`'s drain are
    /// tried again, or, past `max-pod-eviction-time`, the drain fails.
    pub(super) fn retry_evictions<E: From<AutoscalerEvent>>(
        &mut self,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
        n: NodeId,
    ) {
        let now = events.now();
        let Some(drain) = self.draining.get(&n) else {
            return;
        };
        if now >= drain.retry_until {
            let drain = self.draining.remove(&n).expect("looked up above");
            let mut errors = Vec::new();
            for &p in &drain.refused {
                let Some(e) = state.pods().get(p).filter(|e| e.node == Some(n)) else {
                    continue;
                };
                let meta = &e.pod.metadata;
                errors.push(format!(
                    "failed to evict pod {}/{} within allowed timeout (last error: Cannot evict \
                     pod as it would violate the pod's disruption budget.)",
                    meta.namespace, meta.name
                ));
                let message = "failed to delete pod for ScaleDown".to_string();
                state.record_pod_event(now, p, "ScaleDownFailed", message);
            }
            let node = state.node(n).name();
            let message = format!(
                "failed to drain the node: Failed to drain node /{node}, due to following \
                 errors: [{}]",
                errors.join(" ")
            );
            self.fail(state, n, now, message);
            return;
        }
        let refused = drain.refused.clone();
        let refused = self.evict(state, n, &refused, now);
        let drain = self.draining.get_mut(&n).expect("looked up above");
        if refused.is_empty() {
            drain.evicted = Some(now);
            events.schedule(now, AutoscalerEvent::WaitForPods(n).into());
        } else {
            events.schedule(
                now + EVICTION_RETRY_TIME,
                AutoscalerEvent::RetryEvictions(n).into(),
            );
        }
        drain.refused = refused;
    }

    /// `WaitForPods(n)`, every 5 s once node `n`'s evictions went through:
    /// the node is deleted when its pods are gone; past the longest grace
    /// period plus headroom the drain fails.
    pub(super) fn wait_for_pods<E: From<AutoscalerEvent>>(
        &mut self,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
        n: NodeId,
    ) {
        let now = events.now();
        let Some(since) = self.draining.get(&n).and_then(|d| d.evicted) else {
            return;
        };
        let limit = SimDuration::from_secs(self.options.max_graceful_termination_sec.max(0) as u64)
            + POD_EVICTION_HEADROOM;
        if now >= since + limit {
            self.draining.remove(&n);
            let message = format!(
                "failed to drain the node: Failed to drain node /{}: pods remaining after timeout",
                state.node(n).name()
            );
            self.fail(state, n, now, message);
            return;
        }
        let left = (state.bound_pods_on_node(n).iter()).any(|&p| !is_daemon_pod(state, p));
        if left {
            events.schedule(now + POD_GONE_POLL, AutoscalerEvent::WaitForPods(n).into());
        } else {
            self.draining.remove(&n);
            self.delete(state, n, now);
        }
    }

    /// The drain failed: ScaleDownFailed, the taint goes, the pool's target
    /// size goes back up (a `scale-down-failed` row of +1), and scale-down
    /// waits `scale-down-delay-after-failure`.
    fn fail(&mut self, state: &mut ClusterState, n: NodeId, now: SimTime, message: String) {
        state.record_node_event(now, n, "ScaleDownFailed", message);
        state.update_node(n, |node| {
            node.taints.retain(|t| t.key != TO_BE_DELETED_TAINT)
        });
        if let Some(g) = self.node_group[n.0 as usize] {
            self.push_row(state, n, g, now, "scale-down-failed", 1);
        }
        self.last_scale_down_fail = Some(now);
    }

    fn push_row(
        &mut self,
        state: &ClusterState,
        n: NodeId,
        g: usize,
        now: SimTime,
        reason: &'static str,
        delta: i64,
    ) {
        self.rows.push(AutoscalerRow {
            time: now,
            pool: self.groups[g].name.clone(),
            delta,
            reason,
            pods_helped: 0,
            node: state.node(n).name().to_string(),
        });
    }

    /// The machine goes and its node object with it; DaemonSet pods left on
    /// it go at once (upstream's pod garbage collector deletes the pods of a
    /// node that no longer exists).
    fn delete(&mut self, state: &mut ClusterState, n: NodeId, now: SimTime) {
        let left: Vec<PodId> = state.bound_pods_on_node(n).to_vec();
        for p in left {
            state.request_pod_deletion_with_grace(p, now, Some(0));
        }
        // `actuation/delete_in_batch.go`.
        let message = "nodes removed by cluster autoscaler".to_string();
        state.record_node_event(now, n, "ScaleDown", message);
        state.delete_node(n, now);
        if let Some(g) = self.node_group[n.0 as usize] {
            self.state[g].members.remove(&n);
        }
    }
}
