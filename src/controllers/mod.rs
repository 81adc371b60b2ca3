//! The controllers of kube-controller-manager (Kubernetes v1.32): they watch
//! the object store and reconcile desired and observed state.
//!
//! Like upstream, controllers are level-triggered: a watch notification only
//! marks an object dirty (its key enters a work queue), and after the
//! configured reconcile latency a sync reads the whole current state of that
//! object and acts (creates or deletes pods and child objects, updates
//! status). Each kind lives in its own file; this file holds the work queue,
//! the ownership indexes and what the kinds share (creating pods from
//! templates, recording events).

pub mod cron;
pub mod cronjob;
pub mod daemonset;
pub mod deployment;
pub mod endpoints;
pub mod gc;
pub mod job;
pub mod node_lifecycle;
pub mod pod_gc;
pub mod podautoscaler;
pub mod replicaset;
pub mod rollout;
pub mod statefulset;
pub mod taint_eviction;

use crate::engine::rng::{derive_seed, Stream};
use crate::engine::{EventQueue, SimDuration, SimTime};
use crate::model::meta::{ObjectMeta, OwnerReference};
use crate::model::store::{PodId, WatchEvent, WorkloadId};
use crate::model::workloads::{PodTemplate, Workload, WorkloadSpec};
use crate::model::{ClusterState, Pod};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;
use std::sync::Arc;

/// The controller manager's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ControllerEvent {
    /// Reconcile one object (its key reached the front of the work queue).
    Sync(WorkloadId),
    /// A CronJob's schedule fires at this time.
    CronTick(WorkloadId, SimTime),
    /// The garbage collector deletes the dependents of a deleted owner.
    Collect(WorkloadId),
    /// A node was added or changed (node lifecycle and taint eviction).
    NodeSync(crate::model::NodeId),
    /// A pod on a node with NoExecute taints changed (taint eviction).
    PodTaintSync(PodId),
    /// The node lifecycle controller's `monitorNodeHealth` pass.
    NodeMonitor,
    /// The NoExecute tainting pass of one zone (by zone index).
    NodeTaintPass(usize),
    /// A pod's tolerationSeconds ran out on a tainted node.
    TaintEviction(PodId),
    /// The pod garbage collector's pass over terminating pods of out-of-service nodes.
    PodGc,
    /// A HorizontalPodAutoscaler's periodic sync (by its index).
    HpaSync(usize),
}

/// Settings of the controller manager.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ControllerConfig {
    /// From an object becoming dirty to its sync.
    pub reconcile_latency: SimDuration,
    /// Civil time of simulated time 0, as Unix seconds (CronJob schedules).
    pub epoch_unix_s: i64,
    pub node_lifecycle: node_lifecycle::NodeLifecycleConfig,
}

pub struct ControllerManager {
    pub config: ControllerConfig,
    /// Keys waiting for their sync (deduplicated like a client-go work queue).
    dirty: BTreeSet<WorkloadId>,
    /// Child workloads (a Deployment's ReplicaSets, a CronJob's Jobs).
    owned_workloads: Vec<Vec<WorkloadId>>,
    /// Draws for generated names (`web-7d9f8c6b5-x2k4q`).
    names: ChaCha8Rng,
    /// Per-workload controller memory that is not API state.
    memory: Vec<Memory>,
    /// Services, whose endpoints follow every pod event.
    services: Vec<WorkloadId>,
    pub node_lifecycle: node_lifecycle::NodeLifecycle,
    pub taint_eviction: taint_eviction::TaintEviction,
    pod_gc_pending: bool,
    /// The HorizontalPodAutoscalers and the service loads their metrics read.
    pub autoscalers: podautoscaler::PodAutoscalers,
    /// The pod GC's quarantine of deleted nodes that still have pods: when
    /// each one's 40 s end (`nodeQueue.AddAfter(node, quarantineTime)`).
    pod_gc_quarantine: std::collections::BTreeMap<crate::model::NodeId, SimTime>,
}

/// What a controller remembers about one object between syncs.
#[derive(Clone, Debug, Default)]
pub struct Memory {
    /// Deployment: the template revision its ReplicaSets are compared with.
    pub revision: u64,
    /// Deployment: when the current rollout started and last made progress.
    pub rollout_started: Option<SimTime>,
    pub last_progress: Option<SimTime>,
    /// Job: when the last pod failure was seen, for the retry backoff.
    pub last_failure: Option<SimTime>,
    /// Job: failed pods since the last succeeded one.
    pub failures_after_success: u32,
    /// Job: pods already counted as succeeded or failed.
    pub counted: BTreeSet<PodId>,
    /// Indexed Job: completed indexes.
    pub completed_indexes: BTreeSet<i32>,
    /// Timers already armed (deadline, TTL, backoff), so they are armed once.
    pub armed: BTreeSet<SimTime>,
    /// CronJob: finished jobs already reported.
    pub seen_jobs: BTreeSet<WorkloadId>,
    /// Service: the active pods it selects, and those of them that are ready.
    pub endpoints_selected: BTreeSet<PodId>,
    pub endpoints_ready: BTreeSet<PodId>,
    /// Deployment, DaemonSet: the pod-template-hash of the template at a
    /// generation (see `deployment::current_template_hash`).
    pub template_hash: Option<(u64, String)>,
    /// StatefulSet: the current revision's hash and template (kubesim keeps
    /// no ControllerRevision objects).
    pub current_revision: Option<(String, PodTemplate)>,
    /// DaemonSet: the node each of its pods is for.
    pub pod_nodes: std::collections::BTreeMap<PodId, crate::model::NodeId>,
}

impl ControllerManager {
    pub fn new(config: ControllerConfig, seed: u64) -> Self {
        ControllerManager {
            config,
            dirty: BTreeSet::new(),
            owned_workloads: Vec::new(),
            names: ChaCha8Rng::seed_from_u64(derive_seed(seed, Stream::Names as u64)),
            memory: Vec::new(),
            services: Vec::new(),
            node_lifecycle: node_lifecycle::NodeLifecycle::new(config.node_lifecycle),
            taint_eviction: taint_eviction::TaintEviction::default(),
            pod_gc_pending: false,
            autoscalers: podautoscaler::PodAutoscalers::default(),
            pod_gc_quarantine: Default::default(),
        }
    }

    fn grow(&mut self, id: WorkloadId) {
        let n = id.0 as usize + 1;
        if self.owned_workloads.len() < n {
            self.owned_workloads.resize_with(n, Vec::new);
            self.memory.resize_with(n, Memory::default);
        }
    }

    pub fn memory(&mut self, id: WorkloadId) -> &mut Memory {
        self.grow(id);
        &mut self.memory[id.0 as usize]
    }

    /// Deployment: when its rollout in progress started, if one is (the
    /// metrics follow the samples taken during a rollout as they come).
    pub fn rollout_started(&self, id: WorkloadId) -> Option<SimTime> {
        self.memory.get(id.0 as usize)?.rollout_started
    }

    /// Marks an object dirty: it is synced after the reconcile latency.
    pub fn enqueue<E: From<ControllerEvent>>(
        &mut self,
        id: WorkloadId,
        events: &mut EventQueue<E>,
    ) {
        if self.dirty.insert(id) {
            events.schedule(
                events.now() + self.config.reconcile_latency,
                ControllerEvent::Sync(id).into(),
            );
        }
    }

    pub fn on_watch<E: From<ControllerEvent>>(
        &mut self,
        event: WatchEvent,
        state: &ClusterState,
        events: &mut EventQueue<E>,
    ) {
        match event {
            WatchEvent::WorkloadAdded(id) => {
                self.grow(id);
                if let WorkloadSpec::Service(_) = state.workload(id).workload.spec {
                    self.services.push(id);
                    for i in 0..state.pods().len() {
                        let pod = PodId(i as u32);
                        if !state.pods().is_retired(pod) && endpoints::selects(state, id, pod) {
                            endpoints::observe(&mut self.memory[id.0 as usize], pod, state);
                        }
                    }
                }
                if let Some(owner) = state.workload(id).owner {
                    self.grow(owner);
                    self.owned_workloads[owner.0 as usize].push(id);
                }
                if let WorkloadSpec::CronJob(_) = state.workload(id).workload.spec {
                    cronjob::arm_next_tick(self, id, state, events);
                }
                self.enqueue(id, events);
            }
            WatchEvent::WorkloadUpdated(id) => self.enqueue(id, events),
            WatchEvent::WorkloadDeleted(id) => {
                // Its owner counts its children; the garbage collector handles its dependents.
                if let Some(owner) = state.workload(id).owner {
                    self.enqueue(owner, events);
                }
                events.schedule(events.now(), ControllerEvent::Collect(id).into());
            }
            WatchEvent::PodAdded(id)
            | WatchEvent::PodBound(id, _)
            | WatchEvent::PodUpdated(id)
            | WatchEvent::PodTerminated(id)
            | WatchEvent::PodTerminating(id)
            | WatchEvent::PodDeleted(id) => {
                if let Some(owner) = state.pod(id).owner {
                    self.enqueue(owner, events);
                }
                if matches!(event, WatchEvent::PodTerminating(_))
                    && state
                        .pod(id)
                        .node
                        .is_some_and(|n| pod_gc::out_of_service(state, n))
                {
                    pod_gc::arm(self, events);
                }
                if self.taint_eviction.interested(id, state) {
                    events.schedule(events.now(), ControllerEvent::PodTaintSync(id).into());
                }
                for s in self.services.clone() {
                    if endpoints::selects(state, s, id) {
                        endpoints::observe(self.memory(s), id, state);
                        self.enqueue(s, events);
                    }
                }
            }
            WatchEvent::NodeDeleted(node) => {
                // Its pods are orphans now: the pod GC's next pass
                // quarantines the node, the one after 40 s deletes them.
                pod_gc::arm(self, events);
                self.node_lifecycle.forget(node, state);
                self.enqueue_daemonsets(state, events);
            }
            WatchEvent::NodeAdded(node) | WatchEvent::NodeUpdated(node) => {
                if pod_gc::out_of_service(state, node) {
                    pod_gc::arm(self, events);
                }
                if self.node_lifecycle.interested(node, state)
                    || self.taint_eviction.interested_in_node(node, state)
                {
                    events.schedule(events.now(), ControllerEvent::NodeSync(node).into());
                }
                self.enqueue_daemonsets(state, events);
            }
        }
    }

    /// Every DaemonSet looks at the nodes again.
    fn enqueue_daemonsets<E: From<ControllerEvent>>(
        &mut self,
        state: &ClusterState,
        events: &mut EventQueue<E>,
    ) {
        for (i, w) in state.workloads().iter().enumerate() {
            if w.deleted.is_none() && matches!(w.workload.spec, WorkloadSpec::DaemonSet(_)) {
                self.enqueue(WorkloadId(i as u32), events);
            }
        }
    }

    pub fn handle<E: From<ControllerEvent>>(
        &mut self,
        event: ControllerEvent,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        match event {
            ControllerEvent::Sync(id) => {
                self.dirty.remove(&id);
                let entry = state.workload(id);
                if entry.deleted.is_some() {
                    return;
                }
                if entry.deleting.is_some() {
                    gc::sync_foreground(self, id, state, events);
                    return;
                }
                match entry.workload.spec.kind() {
                    "ReplicaSet" => replicaset::sync(self, id, state, events),
                    "Deployment" => deployment::sync(self, id, state, events),
                    "Job" => job::sync(self, id, state, events),
                    "CronJob" => cronjob::sync(self, id, state, events),
                    "DaemonSet" => daemonset::sync(self, id, state, events),
                    "StatefulSet" => statefulset::sync(self, id, state, events),
                    "Service" => endpoints::sync(self, id, state, events),
                    kind => unreachable!("no controller for {kind}"),
                }
            }
            ControllerEvent::CronTick(id, at) => cronjob::fire(self, id, at, state, events),
            ControllerEvent::Collect(id) => gc::collect(self, id, state, events),
            ControllerEvent::NodeSync(node) => {
                self.node_lifecycle.on_node_event(node, state, events);
                self.taint_eviction.on_node_updated(node, state, events);
            }
            // A retired pod finished long ago: nothing to evict.
            ControllerEvent::PodTaintSync(pod) if state.pods().is_retired(pod) => {}
            ControllerEvent::PodTaintSync(pod) => {
                self.taint_eviction.on_pod_event(pod, state, events)
            }
            ControllerEvent::NodeMonitor => {
                node_lifecycle::NodeLifecycle::monitor(self, state, events)
            }
            ControllerEvent::NodeTaintPass(zone) => {
                node_lifecycle::NodeLifecycle::tainting_pass(self, zone, state, events)
            }
            ControllerEvent::PodGc => pod_gc::run(self, state, events),
            ControllerEvent::TaintEviction(pod) => {
                taint_eviction::TaintEviction::fire(self, pod, state, events.now())
            }
            ControllerEvent::HpaSync(i) => podautoscaler::sync(self, i, state, events),
        }
    }

    /// Whether the controllers may still look at the pod: a taint-based
    /// deletion is scheduled for it.
    pub fn references(&self, pod: PodId) -> bool {
        self.taint_eviction.tracks(pod)
    }

    /// Live pods the workload owns, oldest first: the store's list of them
    /// (`ClusterState::owned_pods`), whose figures the syncs that only
    /// count read without this copy.
    pub fn pods_of(&self, id: WorkloadId, state: &ClusterState) -> Vec<PodId> {
        state.owned_pods(id).iter().map(|o| o.id).collect()
    }

    /// Live child workloads, oldest first.
    pub fn children_of(&mut self, id: WorkloadId, state: &ClusterState) -> Vec<WorkloadId> {
        self.grow(id);
        let list = &mut self.owned_workloads[id.0 as usize];
        list.retain(|w| state.workload(*w).deleted.is_none());
        list.clone()
    }

    /// Forgets ownership (orphan propagation).
    pub fn disown_all(&mut self, id: WorkloadId) {
        self.grow(id);
        self.owned_workloads[id.0 as usize].clear();
    }

    /// A random 5-character name suffix, as the API server's generateName.
    pub fn suffix(&mut self) -> String {
        rollout::name_suffix(self.names.gen())
    }

    /// Creates a pod from a template, owned by `owner`, and records SuccessfulCreate.
    pub fn create_pod(
        &mut self,
        owner: WorkloadId,
        template: &PodTemplate,
        name: String,
        customize: impl FnOnce(&mut ObjectMeta),
        state: &mut ClusterState,
        now: SimTime,
    ) -> PodId {
        let message = format!("Created pod: {name}");
        self.create_pod_with_message(owner, template, name, customize, message, state, now)
    }

    /// [`Self::create_pod`] with the SuccessfulCreate message the owner's
    /// controller words its own way (the StatefulSet controller's differs).
    #[allow(clippy::too_many_arguments)]
    pub fn create_pod_with_message(
        &mut self,
        owner: WorkloadId,
        template: &PodTemplate,
        name: String,
        customize: impl FnOnce(&mut ObjectMeta),
        message: String,
        state: &mut ClusterState,
        now: SimTime,
    ) -> PodId {
        let owner_meta = &state.workload(owner).workload.metadata;
        let kind = state.workload(owner).workload.spec.kind();
        let mut metadata = ObjectMeta {
            name,
            namespace: owner_meta.namespace.clone(),
            labels: template.metadata.labels.clone(),
            annotations: template.metadata.annotations.clone(),
            owner_references: vec![OwnerReference {
                kind: kind.into(),
                name: owner_meta.name.clone(),
                controller: true,
            }],
        };
        customize(&mut metadata);
        let pod = Pod::new(metadata, Arc::clone(&template.spec));
        let id = state.add_owned_pod(pod, owner, now);
        record(state, owner, now, "SuccessfulCreate", message);
        id
    }

    /// Creates a child workload (a ReplicaSet of a Deployment, a Job of a CronJob).
    pub fn create_child(
        &mut self,
        owner: WorkloadId,
        workload: Workload,
        state: &mut ClusterState,
        now: SimTime,
    ) -> WorkloadId {
        let id = state.add_workload(workload, Some(owner), now);
        self.grow(id);
        id
    }

    /// Deletes a pod gracefully and records SuccessfulDelete.
    pub fn delete_pod(
        &mut self,
        owner: WorkloadId,
        pod: PodId,
        state: &mut ClusterState,
        now: SimTime,
    ) {
        let message = format!("Deleted pod: {}", state.pod(pod).pod.metadata.name);
        self.delete_pod_with_message(owner, pod, message, state, now);
    }

    /// [`Self::delete_pod`] with the controller's own SuccessfulDelete message.
    pub fn delete_pod_with_message(
        &mut self,
        owner: WorkloadId,
        pod: PodId,
        message: String,
        state: &mut ClusterState,
        now: SimTime,
    ) {
        state.request_pod_deletion(pod, now);
        record(state, owner, now, "SuccessfulDelete", message);
    }
}

/// Records an Event about a workload object.
pub fn record(
    state: &mut ClusterState,
    id: WorkloadId,
    now: SimTime,
    reason: &'static str,
    message: String,
) {
    let w = &state.workload(id).workload;
    let object = format!("{}/{}", w.metadata.namespace, w.metadata.name);
    state.record_event(now, w.spec.kind(), object, reason, message);
}

/// A pod that counts as active for controllers (`controller.IsPodActive`):
/// not finished and not being deleted.
pub fn is_active(state: &ClusterState, pod: PodId) -> bool {
    let e = state.pod(pod);
    !e.status.phase.is_terminal() && e.terminating.is_none() && e.deleted.is_none()
}

/// Ready now (`podutil.IsPodReady`).
pub fn is_ready(state: &ClusterState, pod: PodId) -> bool {
    state.pod(pod).status.conditions.ready.is_some()
}

/// Ready for at least `min_ready_seconds` (`podutil.IsPodAvailable`).
pub fn is_available(
    state: &ClusterState,
    pod: PodId,
    min_ready_seconds: i32,
    now: SimTime,
) -> bool {
    match state.pod(pod).status.conditions.ready {
        Some(since) => now.since(since) >= SimDuration::from_secs(min_ready_seconds.max(0) as u64),
        None => false,
    }
}

/// When a ready pod becomes available, so a controller can sync again then.
pub fn available_at(state: &ClusterState, pod: PodId, min_ready_seconds: i32) -> Option<SimTime> {
    state
        .pod(pod)
        .status
        .conditions
        .ready
        .map(|since| since + SimDuration::from_secs(min_ready_seconds.max(0) as u64))
}

/// Schedules a sync of `id` at `at` (once per distinct time).
pub fn sync_at<E: From<ControllerEvent>>(
    cm: &mut ControllerManager,
    id: WorkloadId,
    at: SimTime,
    events: &mut EventQueue<E>,
) {
    let now = events.now();
    let armed = &mut cm.memory(id).armed;
    // Times already past are never asked about again (only later ones are
    // armed): drop them, so that the set holds the pending timers only.
    if armed.first().is_some_and(|&t| t <= now) {
        *armed = armed.split_off(&(now + SimDuration(1)));
    }
    if at > now && armed.insert(at) {
        events.schedule(at, ControllerEvent::Sync(id).into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_at_arms_each_time_once_and_forgets_times_past() {
        let mut cm = ControllerManager::new(ControllerConfig::default(), 1);
        let mut events: EventQueue<ControllerEvent> = EventQueue::new();
        let id = WorkloadId(0);
        let t = SimTime::from_secs;
        sync_at(&mut cm, id, t(10), &mut events);
        sync_at(&mut cm, id, t(10), &mut events);
        sync_at(&mut cm, id, t(20), &mut events);
        assert_eq!(events.pending(), 2, "10 s armed once");
        assert_eq!(events.pop(), Some((t(10), ControllerEvent::Sync(id))));
        // At 10 s: arming the past or the present does nothing, and 10 s is
        // forgotten; 20 s is still armed.
        sync_at(&mut cm, id, t(10), &mut events);
        sync_at(&mut cm, id, t(20), &mut events);
        sync_at(&mut cm, id, t(30), &mut events);
        assert_eq!(events.pending(), 2);
        let armed: Vec<SimTime> = cm.memory(id).armed.iter().copied().collect();
        assert_eq!(armed, [t(20), t(30)]);
    }
}
