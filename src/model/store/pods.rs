//! Pod mutations: creation, binding, phases, deletion and retirement, and
//! the status fields the kubelet, the scheduler and the API server write.
//! Each keeps the derived state (phase counts, node usage, the per-node pod
//! lists) in step and pushes the watch notification its change implies.

use super::{ClusterState, NodeId, PodEntry, PodId, WatchEvent};
use crate::engine::SimTime;
use crate::model::gpu_share;
use crate::model::pod::{Pod, PodPhase};
use crate::model::status::PodStatus;

impl ClusterState {
    /// Drops a finished pod's entry (see `PodTable::retire`), returning it.
    /// The caller makes sure nothing refers to the pod any more (the
    /// simulation's `retirement` check; the benchmarks retire pods they
    /// deleted and the scheduler has forgotten).
    pub fn retire_pod(&mut self, id: PodId) -> Box<PodEntry> {
        let entry = self.pods.retire(id);
        if let Some(node) = entry.node {
            let pods = &mut self.pods_by_node[node.0 as usize];
            if let Ok(i) = pods.binary_search(&id) {
                pods.remove(i);
            }
        }
        entry
    }

    /// Reserve: the bound pod holds `milli` share on each GPU in `devices`.
    pub fn reserve_gpus(&mut self, pod_id: PodId, devices: u8, milli: i32) {
        let entry = &mut self.pods[pod_id.0 as usize];
        let node_id = entry.node.expect("GPUs are reserved for a bound pod");
        assert_eq!(entry.gpu_devices, 0, "GPUs reserved twice");
        entry.gpu_devices = devices;
        entry.gpu_milli = milli;
        let gpus = &mut self.node_usage[node_id.0 as usize].gpus;
        gpus.charge(devices, milli, 1);
        for i in 0..gpu_share::MAX_GPUS {
            if devices & (1 << i) != 0 {
                assert!(i < gpus.count as usize, "no GPU {i} on the node");
                assert!(
                    gpus.used_milli[i] <= gpu_share::MILLI_PER_GPU,
                    "GPU {i} oversubscribed"
                );
            }
        }
    }

    /// Tells watchers that a pod's status changed (readiness, restarts, Running).
    pub fn pod_status_changed(&mut self, id: PodId) {
        self.watch.push_back(WatchEvent::PodUpdated(id));
    }

    /// Graceful deletion (`DELETE` on a pod): a pod running on a node becomes
    /// Terminating and its kubelet stops it; a pod with no node, or that has
    /// finished, is removed at once. Repeated requests are no-ops.
    pub fn request_pod_deletion(&mut self, id: PodId, now: SimTime) {
        let entry = &mut self.pods[id.0 as usize];
        if entry.deleted.is_some() || entry.terminating.is_some() {
            return;
        }
        if entry.holds_resources() {
            entry.terminating = Some(now);
            self.owned_pod_changed(id);
            self.watch.push_back(WatchEvent::PodTerminating(id));
        } else {
            self.delete_pod(id, now);
        }
    }

    /// Deletion with `DeleteOptions.gracePeriodSeconds` (`kubectl delete
    /// --grace-period=N [--force]`, after kubectl turns a grace period of 0
    /// without `--force` into 1). 0 removes the pod from the API at once,
    /// terminating or not (`pkg/registry/core/pod/strategy.go`
    /// `CheckGracefulDelete`: a zero grace period is an immediate delete);
    /// its node's kubelet still kills its containers. Otherwise the pod
    /// terminates gracefully with that grace period in place of its spec's
    /// `terminationGracePeriodSeconds`. A pod already terminating keeps its
    /// grace period: upstream may shorten it, kubesim does not.
    pub fn request_pod_deletion_with_grace(
        &mut self,
        id: PodId,
        now: SimTime,
        grace_period_s: Option<i64>,
    ) {
        let entry = &self.pods[id.0 as usize];
        if entry.deleted.is_some() {
            return;
        }
        match grace_period_s {
            Some(0) => self.delete_pod(id, now),
            Some(s) if entry.terminating.is_none() => {
                if entry.holds_resources() {
                    self.deletion_grace_s.insert(id, s);
                }
                self.request_pod_deletion(id, now);
            }
            _ => self.request_pod_deletion(id, now),
        }
    }

    /// The grace period a deletion gave the pod, if it gave one.
    pub fn deletion_grace_period_s(&self, id: PodId) -> Option<i64> {
        self.deletion_grace_s.get(&id).copied()
    }

    pub fn add_pod(&mut self, mut pod: Pod, now: SimTime) -> PodId {
        self.admission.admit(&mut pod);
        let status = PodStatus::pending(pod.spec.init_containers.len(), pod.spec.containers.len());
        self.phase_counts[PodPhase::Pending as usize] += 1;
        let id = self.pods.push(PodEntry {
            pod,
            status,
            node: None,
            created: now,
            started: None,
            ready: None,
            finished: None,
            deleted: None,
            scheduling_attempts: 0,
            terminating: None,
            owner: None,
            backoff: Default::default(),
            image_pull: Default::default(),
            gpu_devices: 0,
            gpu_milli: 0,
            first_true: Default::default(),
        });
        self.watch.push_back(WatchEvent::PodAdded(id));
        id
    }

    /// Binds a pod to a node (the Bind API call) and charges its requests.
    pub fn bind(&mut self, pod_id: PodId, node_id: NodeId, now: SimTime) {
        let entry = &mut self.pods[pod_id.0 as usize];
        assert!(
            entry.node.is_none(),
            "pod {} bound twice",
            entry.pod.metadata.name
        );
        assert!(
            entry.deleted.is_none(),
            "binding deleted pod {}",
            entry.pod.metadata.name
        );
        entry.node = Some(node_id);
        entry.status.conditions.pod_scheduled = Some(now);
        entry.status.reason = None;
        let usage = &mut self.node_usage[node_id.0 as usize];
        usage.requested += &entry.pod.requests;
        usage.non_zero_requested += &entry.pod.non_zero_requests;
        usage.pod_count += 1;
        self.requested_total += &entry.pod.requests;
        self.bound_pods.insert(pod_id);
        for pods in [
            &mut self.pods_by_node[node_id.0 as usize],
            &mut self.bound_by_node[node_id.0 as usize],
        ] {
            if let Err(i) = pods.binary_search(&pod_id) {
                pods.insert(i, pod_id);
            }
        }
        let affinity = &entry.pod.spec.affinity;
        if !affinity.pod_affinity.is_empty() || !affinity.pod_anti_affinity.is_empty() {
            self.bound_pods_with_affinity.insert(pod_id);
        }
        // No check that the pod fits: upstream's Bind makes none, a profile
        // without NodeResourcesFit's filter binds pods that do not fit (the
        // node's kubelet then rejects them at admission), and a snapshot may
        // hold more running pods than a node's allocatable.
        self.watch.push_back(WatchEvent::PodBound(pod_id, node_id));
        self.mark_node_changed(node_id);
    }

    /// Moves a pod to a new phase, releasing its node's resources when the
    /// phase is terminal.
    pub fn set_phase(&mut self, pod_id: PodId, phase: PodPhase, now: SimTime) {
        let entry = &mut self.pods[pod_id.0 as usize];
        let from = entry.status.phase;
        assert!(
            PodStatus::transition_allowed(from, phase),
            "illegal phase transition {from:?} -> {phase:?} for {}",
            entry.pod.metadata.name
        );
        if from == phase {
            return;
        }
        let released = entry.holds_resources() && phase.is_terminal();
        entry.status.phase = phase;
        if entry.deleted.is_none() {
            self.phase_counts[from as usize] -= 1;
            self.phase_counts[phase as usize] += 1;
        }
        if phase.is_terminal() {
            entry.finished = Some(now);
        }
        self.owned_pod_changed(pod_id);
        if released {
            self.release(pod_id);
            self.watch.push_back(WatchEvent::PodTerminated(pod_id));
        } else {
            self.watch.push_back(WatchEvent::PodUpdated(pod_id));
        }
    }

    /// Removes a pod from the API (after graceful termination, or at once if
    /// it never ran), releasing its resources if it still held them.
    pub fn delete_pod(&mut self, pod_id: PodId, now: SimTime) {
        let entry = &mut self.pods[pod_id.0 as usize];
        assert!(
            entry.deleted.is_none(),
            "pod {} deleted twice",
            entry.pod.metadata.name
        );
        let held = entry.holds_resources();
        entry.deleted = Some(now);
        self.deletion_grace_s.remove(&pod_id);
        self.phase_counts[entry.status.phase as usize] -= 1;
        self.owned_pod_removed(pod_id);
        if held {
            self.release(pod_id);
        }
        self.watch.push_back(WatchEvent::PodDeleted(pod_id));
    }

    pub(super) fn release(&mut self, pod_id: PodId) {
        let entry = &self.pods[pod_id.0 as usize];
        let node_id = entry.node.expect("released pod is bound");
        let usage = &mut self.node_usage[node_id.0 as usize];
        usage.requested -= &entry.pod.requests;
        usage.non_zero_requested -= &entry.pod.non_zero_requests;
        usage.pod_count -= 1;
        usage.gpus.charge(entry.gpu_devices, entry.gpu_milli, -1);
        self.requested_total -= &entry.pod.requests;
        self.bound_pods.remove(&pod_id);
        self.bound_pods_with_affinity.remove(&pod_id);
        let bound = &mut self.bound_by_node[node_id.0 as usize];
        if let Ok(i) = bound.binary_search(&pod_id) {
            bound.remove(i);
        }
        assert!(
            usage.pod_count >= 0 && usage.requested.cpu_millis >= 0,
            "negative usage on a node"
        );
        self.mark_node_changed(node_id);
    }
}
