//! The pod status writes of the kubelet, the scheduler, the controllers and
//! the API server, one method per change: container states and restarts,
//! readiness, conditions, reasons, owners and the lifecycle timestamps.
//! None of them changes what the store derives from a pod (phase counts,
//! node usage, the per-node lists: those follow `set_phase`, `bind` and
//! `delete_pod`); each keeps the pod's own fields consistent with one
//! another, as `check_invariants` checks (a Ready pod has its first-Ready
//! time and a node; an owned pod names its owner in its ownerReferences).

use super::{ClusterState, NodeId, PodId, WatchEvent, WorkloadId};
use crate::engine::{SimDuration, SimTime};
use crate::model::pod::Pod;
use crate::model::status::{ContainerRef, ContainerState};
use std::borrow::Cow;

impl ClusterState {
    /// Creates a pod owned by a controller: the `ownerReferences` of its
    /// metadata name the owner; this records the owner's id beside them.
    pub fn add_owned_pod(&mut self, pod: Pod, owner: WorkloadId, now: SimTime) -> PodId {
        let id = self.add_pod(pod, now);
        self.pods[id.0 as usize].owner = Some(owner);
        self.owned_pod_added(id, owner);
        id
    }

    /// Orphan deletion of the owner: the pod stays, without its owner.
    pub fn orphan_pod(&mut self, id: PodId) {
        self.owned_pod_removed(id);
        let entry = &mut self.pods[id.0 as usize];
        entry.owner = None;
        entry.pod.metadata.owner_references.clear();
    }

    /// The creation is persisted later than it was requested (modelled API
    /// latency): `metadata.creationTimestamp` is the time it is persisted.
    pub fn set_pod_created(&mut self, id: PodId, at: SimTime) {
        self.pods[id.0 as usize].created = at;
        self.owned_pod_changed(id);
    }

    /// The binding is persisted at `at`: the PodScheduled condition's time.
    pub fn set_pod_scheduled_time(&mut self, id: PodId, at: SimTime) {
        let entry = &mut self.pods[id.0 as usize];
        assert!(entry.node.is_some(), "PodScheduled set on an unbound pod");
        entry.status.conditions.pod_scheduled = Some(at);
    }

    /// One more scheduling cycle tried to place the pod.
    pub fn count_scheduling_attempt(&mut self, id: PodId) {
        self.pods[id.0 as usize].scheduling_attempts += 1;
    }

    /// `status.reason`: why the pod is in its phase (Unschedulable,
    /// OutOfcpu, Completed, Error …).
    pub fn set_pod_reason(&mut self, id: PodId, reason: impl Into<Cow<'static, str>>) {
        self.pods[id.0 as usize].status.reason = Some(reason.into());
    }

    /// The DisruptionTarget condition becomes True, with its reason.
    pub fn set_disruption_target(&mut self, id: PodId, now: SimTime, reason: &'static str) {
        self.pods[id.0 as usize].status.conditions.disruption_target = Some((now, reason));
    }

    /// Sets or clears `status.nominatedNodeName` (the scheduler's nominations).
    pub fn set_nominated_node(&mut self, id: PodId, node: Option<NodeId>) {
        let name = node.map(|n| self.nodes[n.0 as usize].metadata.name.clone());
        self.pods[id.0 as usize].status.nominated_node_name = name;
    }

    /// From the first image pull started to the last one finished so far.
    pub fn set_image_pull_time(&mut self, id: PodId, took: SimDuration) {
        self.pods[id.0 as usize].image_pull = took;
    }

    /// Every init container has completed: the Initialized condition,
    /// whose status write reaches the API at `observed`.
    pub fn set_pod_initialized(&mut self, id: PodId, now: SimTime, observed: SimTime) {
        let entry = &mut self.pods[id.0 as usize];
        entry.status.conditions.initialized = Some(now);
        entry.first_true.initialized.get_or_insert(observed);
    }

    /// The pod's sandbox is up: the PodReadyToStartContainers condition,
    /// whose status write reaches the API at `observed`. A re-created
    /// sandbox (after a reboot) keeps the first time: the kubelet reads it
    /// as the pod's status.startTime.
    pub fn set_pod_ready_to_start_containers(
        &mut self,
        id: PodId,
        now: SimTime,
        observed: SimTime,
    ) {
        let entry = &mut self.pods[id.0 as usize];
        (entry.status.conditions.ready_to_start_containers).get_or_insert(now);
        entry
            .first_true
            .ready_to_start_containers
            .get_or_insert(observed);
    }

    /// A container's state, and whether it is ready with it.
    pub fn set_container_state(
        &mut self,
        id: PodId,
        c: ContainerRef,
        state: ContainerState,
        ready: bool,
    ) {
        let cs = self.pods[id.0 as usize].status.container_mut(c);
        cs.ready = ready;
        cs.state = state;
    }

    /// A probe changed the container's readiness; true when it changed.
    pub fn set_container_ready(&mut self, id: PodId, c: ContainerRef, ready: bool) -> bool {
        let cs = self.pods[id.0 as usize].status.container_mut(c);
        let changed = cs.ready != ready;
        cs.ready = ready;
        changed
    }

    /// The container is started again after waiting `waited` in restart
    /// backoff: its restart count and the pod's backoff time grow.
    pub fn count_container_restart(&mut self, id: PodId, c: ContainerRef, waited: SimDuration) {
        let entry = &mut self.pods[id.0 as usize];
        entry.backoff = entry.backoff + waited;
        entry.status.container_mut(c).restart_count += 1;
    }

    /// The node rebooted under the pod: its running containers are lost,
    /// terminated with `exit_code` and `reason` and no longer ready.
    pub fn lose_running_containers(
        &mut self,
        id: PodId,
        exit_code: i32,
        reason: &'static str,
        now: SimTime,
    ) {
        let status = &mut self.pods[id.0 as usize].status;
        for cs in status
            .init_container_statuses
            .iter_mut()
            .chain(status.container_statuses.iter_mut())
        {
            if matches!(cs.state, ContainerState::Running { .. }) {
                cs.state = ContainerState::Terminated {
                    exit_code,
                    reason,
                    finished_at: now,
                };
                cs.ready = false;
            }
        }
    }

    /// The pod sandbox is re-created: every terminated container counts a restart.
    pub fn count_sandbox_restart(&mut self, id: PodId) {
        let status = &mut self.pods[id.0 as usize].status;
        for cs in status
            .init_container_statuses
            .iter_mut()
            .chain(status.container_statuses.iter_mut())
        {
            if matches!(cs.state, ContainerState::Terminated { .. }) {
                cs.restart_count += 1;
            }
        }
    }

    /// Ready and ContainersReady turn False (the containers stopped).
    pub fn clear_pod_readiness(&mut self, id: PodId) {
        let conditions = &mut self.pods[id.0 as usize].status.conditions;
        conditions.ready = None;
        conditions.containers_ready = None;
        self.owned_pod_changed(id);
    }

    /// `MarkPodsNotReady` of the node lifecycle controller: Ready turns
    /// False (ContainersReady, the kubelet's, stays), and watchers hear of it.
    pub fn mark_pod_not_ready(&mut self, id: PodId) {
        let conditions = &mut self.pods[id.0 as usize].status.conditions;
        if conditions.ready.is_some() {
            conditions.ready = None;
            self.owned_pod_changed(id);
            self.watch.push_back(WatchEvent::PodUpdated(id));
        }
    }

    /// The kubelet's status manager derives the pod's conditions from its
    /// containers (`GeneratePodReadyCondition`, `pkg/kubelet/status/generate.go`,
    /// v1.32): ContainersReady and Ready when every app container and every
    /// sidecar (KEP-753) is ready. Records when all containers first ran
    /// (`started`) and when the pod first became Ready (`ready`) as
    /// `observed`, the time the status write reaches the API; watchers hear
    /// of a change of Ready.
    pub fn update_pod_readiness(&mut self, id: PodId, now: SimTime, observed: SimTime) {
        let entry = &mut self.pods[id.0 as usize];
        let all_running = entry
            .status
            .container_statuses
            .iter()
            .all(|s| matches!(s.state, ContainerState::Running { .. }));
        let spec = std::sync::Arc::clone(&entry.pod.spec);
        let sidecars_ready = spec
            .init_containers
            .iter()
            .zip(&entry.status.init_container_statuses)
            .all(|(c, s)| !c.restart_policy_always || s.ready);
        let all_ready = sidecars_ready && entry.status.container_statuses.iter().all(|s| s.ready);
        let conditions = &mut entry.status.conditions;
        let was_ready = conditions.ready.is_some();
        if all_running {
            entry.started.get_or_insert(observed);
        }
        if all_ready {
            entry.ready.get_or_insert(observed);
            entry.first_true.containers_ready.get_or_insert(observed);
            if conditions.ready.is_none() {
                conditions.containers_ready = Some(now);
                conditions.ready = Some(now);
            }
        } else {
            conditions.containers_ready = None;
            conditions.ready = None;
        }
        if was_ready != entry.status.conditions.ready.is_some() {
            self.owned_pod_changed(id);
            self.watch.push_back(WatchEvent::PodUpdated(id));
        }
    }
}
