//! The object store: every node and pod of the run, indexed by dense ids,
//! with the per-node request totals the scheduler's cache keeps, and a queue
//! of watch notifications that the components consume.
//!
//! All mutations go through methods here, which assert the invariants they
//! maintain (a pod is bound at most once; a node's requests never exceed its
//! allocatable) and push the matching watch event.

use super::event::EventRecord;
use super::node::Node;
use super::node_health::{ConditionStatus, NodeHealth};
use super::pod::{Pod, PodPhase};
use super::policy::{PodDisruptionBudget, PriorityClass};
use super::resources::{ResourceNames, Resources};
use super::status::PodStatus;
use super::workloads::{Workload, WorkloadStatus};
use crate::engine::SimTime;
use std::borrow::Cow;
use std::collections::{BTreeSet, VecDeque};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PodId(pub u32);

/// Totals over the pods bound to a node and not yet terminal: what the
/// scheduler cache's NodeInfo holds (`Requested`, `NonZeroRequested`, pod count).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NodeUsage {
    pub requested: Resources,
    pub non_zero_requested: Resources,
    pub pod_count: i64,
    /// The node's GPU devices and the share pods hold on each (`gpu_share`).
    pub gpus: super::gpu_share::NodeGpus,
}

/// A pod with its status and lifecycle timestamps.
#[derive(Clone, Debug)]
pub struct PodEntry {
    pub pod: Pod,
    pub status: PodStatus,
    pub node: Option<NodeId>,
    pub created: SimTime,
    /// When all its containers were first running at once (pod startup, as SIG Scalability measures it).
    pub started: Option<SimTime>,
    /// When it first became Ready.
    pub ready: Option<SimTime>,
    /// When it reached Succeeded or Failed.
    pub finished: Option<SimTime>,
    pub deleted: Option<SimTime>,
    /// Scheduling cycles that tried to place it.
    pub scheduling_attempts: u32,
    /// Graceful deletion requested (`metadata.deletionTimestamp`): Terminating.
    pub terminating: Option<SimTime>,
    /// The controller that owns it.
    pub owner: Option<WorkloadId>,
    /// Time its containers spent waiting out restart backoff (CrashLoopBackOff).
    pub backoff: crate::engine::SimDuration,
    /// From its first image pull started to its last one finished
    /// (`pod_startup_latency_tracker.go`), which SIG Scalability's pod
    /// startup latency leaves out.
    pub image_pull: crate::engine::SimDuration,
    /// GPU devices it holds (bit i = GPU i) and the share on each (`gpu_share`).
    pub gpu_devices: u8,
    pub gpu_milli: i32,
}

impl PodEntry {
    /// Occupies resources on its node: bound and not terminal.
    pub fn holds_resources(&self) -> bool {
        self.node.is_some() && !self.status.phase.is_terminal() && self.deleted.is_none()
    }
}

/// A change to the store, delivered to every component in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatchEvent {
    NodeAdded(NodeId),
    NodeUpdated(NodeId),
    PodAdded(PodId),
    PodBound(PodId, NodeId),
    /// The pod's status changed (phase Running, readiness, restarts).
    PodUpdated(PodId),
    /// The pod reached Succeeded or Failed and released its node's resources.
    PodTerminated(PodId),
    /// Graceful deletion began: the pod has a deletionTimestamp and is Terminating.
    PodTerminating(PodId),
    /// The pod is gone from the API.
    PodDeleted(PodId),
    WorkloadAdded(WorkloadId),
    WorkloadUpdated(WorkloadId),
    WorkloadDeleted(WorkloadId),
}

impl WatchEvent {
    /// The pod the notification is about, if any.
    pub fn pod(self) -> Option<PodId> {
        match self {
            WatchEvent::PodAdded(p)
            | WatchEvent::PodBound(p, _)
            | WatchEvent::PodUpdated(p)
            | WatchEvent::PodTerminated(p)
            | WatchEvent::PodTerminating(p)
            | WatchEvent::PodDeleted(p) => Some(p),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WorkloadId(pub u32);

/// How deleting an owner treats its dependents (`metav1.DeletionPropagation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Propagation {
    /// The owner goes at once; the garbage collector then deletes the dependents.
    Background,
    /// The dependents are deleted first; the owner goes when none is left.
    Foreground,
    /// The dependents stay, without the owner reference.
    Orphan,
}

/// A workload object (Deployment, ReplicaSet, Job, CronJob, DaemonSet) in the store.
#[derive(Clone, Debug)]
pub struct WorkloadEntry {
    pub workload: Workload,
    /// The controlling owner (a Deployment's ReplicaSets, a CronJob's Jobs).
    pub owner: Option<WorkloadId>,
    pub created: SimTime,
    /// Foreground deletion in progress (deletionTimestamp with the foregroundDeletion finalizer).
    pub deleting: Option<SimTime>,
    pub deleted: Option<SimTime>,
    pub status: WorkloadStatus,
    /// `metadata.generation`: 1 when created, one more at every spec change
    /// ([`ClusterState::update_workload`]), so that a controller can keep
    /// what it derives from a spec until the spec changes.
    pub generation: u64,
}

#[derive(Default)]
pub struct ClusterState {
    pub resource_names: ResourceNames,
    pub nodes: Vec<Node>,
    pub node_usage: Vec<NodeUsage>,
    /// Every pod created, by id (a finished pod's entry may be retired).
    pub pods: super::pod_table::PodTable,
    watch: VecDeque<WatchEvent>,
    /// Events recorded since the consumer last drained them.
    events: Vec<EventRecord>,
    /// Pods in the API (not deleted) by phase, indexed by `PodPhase as usize`.
    pub phase_counts: [i64; 5],
    /// Sum of the requests of all pods holding resources.
    pub requested_total: Resources,
    /// Sum of the allocatable of all nodes.
    pub allocatable_total: Resources,
    pub workloads: Vec<WorkloadEntry>,
    /// Each node's Lease and Ready condition, indexed by node id.
    pub node_health: Vec<NodeHealth>,
    /// The API server's admission of created pods (DefaultTolerationSeconds).
    admission: super::admission::Admission,
    /// PriorityClasses and PodDisruptionBudgets, read by the scheduler's preemption.
    pub priority_classes: Vec<PriorityClass>,
    pub pod_disruption_budgets: Vec<PodDisruptionBudget>,
    /// Pods holding resources on a node, and those of them with pod affinity
    /// or anti-affinity terms: what the scheduler's cache lists per node, so
    /// that inter-pod plugins need not scan every pod ever created.
    pub bound_pods: BTreeSet<PodId>,
    pub bound_pods_with_affinity: BTreeSet<PodId>,
    /// Nodes whose spec or usage changed since the scheduler last took them
    /// ([`ClusterState::take_changed_nodes`]), each listed once, so that its
    /// snapshot is updated per change rather than rebuilt per cycle.
    changed_nodes: Vec<NodeId>,
    node_is_changed: Vec<bool>,
    /// Counts node additions and label changes, so that per-node label
    /// indexes know when to rebuild.
    pub nodes_generation: u64,
    /// By node id: the pods ever bound to it whose entries are held (not
    /// retired), so that what happens to a node looks at its pods, not at
    /// every pod ever created. Sorted vectors: a node holds at most a few
    /// hundred, and new pods (the highest ids) go at the end.
    pods_by_node: Vec<Vec<PodId>>,
    /// By node id: its pods in `bound_pods`, sorted.
    bound_by_node: Vec<Vec<PodId>>,
}

impl ClusterState {
    pub fn new(resource_names: ResourceNames) -> Self {
        ClusterState {
            resource_names,
            ..Default::default()
        }
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0 as usize]
    }
    pub fn pod(&self, id: PodId) -> &PodEntry {
        &self.pods[id.0 as usize]
    }
    pub fn pod_mut(&mut self, id: PodId) -> &mut PodEntry {
        &mut self.pods[id.0 as usize]
    }

    /// The pods bound to a node whose entries are held (deleted and finished
    /// ones included until they are retired), in id order: the pods
    /// `self.pods.iter_ids()` yields with `node == Some(node)`.
    pub fn pods_on_node(&self, node: NodeId) -> impl Iterator<Item = PodId> + '_ {
        self.pods_by_node[node.0 as usize].iter().copied()
    }

    /// The pods holding resources on a node (those of `bound_pods` bound to
    /// it), in id order.
    pub fn bound_pods_on_node(&self, node: NodeId) -> &[PodId] {
        &self.bound_by_node[node.0 as usize]
    }

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

    /// Next watch notification, oldest first.
    pub fn next_watch_event(&mut self) -> Option<WatchEvent> {
        self.watch.pop_front()
    }

    /// Records an Event about a pod.
    pub fn record_pod_event(
        &mut self,
        time: SimTime,
        pod: PodId,
        reason: impl Into<Cow<'static, str>>,
        message: String,
    ) {
        let reason = reason.into();
        let meta = &self.pods[pod.0 as usize].pod.metadata;
        let object = format!("{}/{}", meta.namespace, meta.name);
        self.events.push(EventRecord {
            time,
            kind: "Pod",
            object,
            reason,
            message,
        });
    }

    /// Records an Event about any object.
    pub fn record_event(
        &mut self,
        time: SimTime,
        kind: &'static str,
        object: String,
        reason: impl Into<Cow<'static, str>>,
        message: String,
    ) {
        self.events.push(EventRecord {
            time,
            kind,
            object,
            reason: reason.into(),
            message,
        });
    }

    /// Records an Event about a node.
    pub fn record_node_event(
        &mut self,
        time: SimTime,
        node: NodeId,
        reason: impl Into<Cow<'static, str>>,
        message: String,
    ) {
        let reason = reason.into();
        let object = self.nodes[node.0 as usize].metadata.name.clone();
        self.events.push(EventRecord {
            time,
            kind: "Node",
            object,
            reason,
            message,
        });
    }

    /// Takes the events recorded so far, oldest first.
    pub fn drain_events(&mut self) -> std::vec::Drain<'_, EventRecord> {
        self.events.drain(..)
    }

    pub fn add_node(&mut self, node: Node) -> NodeId {
        let id = NodeId(self.nodes.len() as u32);
        self.nodes_generation += 1;
        self.node_is_changed.push(false);
        self.mark_node_changed(id);
        self.allocatable_total += &node.allocatable;
        let gpus = self.node_gpus(&node);
        self.nodes.push(node);
        self.pods_by_node.push(Vec::new());
        self.bound_by_node.push(Vec::new());
        self.node_usage.push(NodeUsage {
            gpus,
            ..Default::default()
        });
        let ready = if self.nodes[id.0 as usize].ready {
            ConditionStatus::True
        } else {
            ConditionStatus::False
        };
        self.node_health.push(NodeHealth {
            ready,
            ..Default::default()
        });
        self.watch.push_back(WatchEvent::NodeAdded(id));
        id
    }

    /// A node's GPU devices (`nvidia.com/gpu` capacity, at most `gpu_share::MAX_GPUS` tracked), all free.
    fn node_gpus(&self, node: &Node) -> super::gpu_share::NodeGpus {
        let count = self
            .resource_names
            .lookup(super::gpu_share::GPU_RESOURCE)
            .map_or(0, |r| r.get(&node.capacity));
        super::gpu_share::NodeGpus {
            count: count.clamp(0, super::gpu_share::MAX_GPUS as i64) as u8,
            ..Default::default()
        }
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
        for i in 0..super::gpu_share::MAX_GPUS {
            if devices & (1 << i) != 0 {
                assert!(i < gpus.count as usize, "no GPU {i} on the node");
                assert!(
                    gpus.used_milli[i] <= super::gpu_share::MILLI_PER_GPU,
                    "GPU {i} oversubscribed"
                );
            }
        }
    }

    fn mark_node_changed(&mut self, id: NodeId) {
        let flag = &mut self.node_is_changed[id.0 as usize];
        if !*flag {
            *flag = true;
            self.changed_nodes.push(id);
        }
    }

    /// Moves the nodes changed since the last call into `out`, oldest change first.
    pub fn take_changed_nodes(&mut self, out: &mut Vec<NodeId>) {
        for &id in &self.changed_nodes {
            self.node_is_changed[id.0 as usize] = false;
        }
        out.append(&mut self.changed_nodes);
    }

    /// Replaces a node's spec/status (labels, taints, unschedulable, ready).
    pub fn update_node(&mut self, id: NodeId, f: impl FnOnce(&mut Node)) {
        let node = &mut self.nodes[id.0 as usize];
        let labels = node.metadata.labels.clone();
        f(node);
        if node.metadata.labels != labels {
            self.nodes_generation += 1;
        }
        self.mark_node_changed(id);
        self.watch.push_back(WatchEvent::NodeUpdated(id));
    }

    /// Changes a node's Lease or Ready condition, keeping `node.ready` in step.
    pub fn update_node_health(&mut self, id: NodeId, f: impl FnOnce(&mut NodeHealth)) {
        let health = &mut self.node_health[id.0 as usize];
        f(health);
        self.nodes[id.0 as usize].ready = health.ready == ConditionStatus::True;
        self.mark_node_changed(id);
        self.watch.push_back(WatchEvent::NodeUpdated(id));
    }

    pub fn workload(&self, id: WorkloadId) -> &WorkloadEntry {
        &self.workloads[id.0 as usize]
    }

    pub fn add_workload(
        &mut self,
        workload: Workload,
        owner: Option<WorkloadId>,
        now: SimTime,
    ) -> WorkloadId {
        let id = WorkloadId(self.workloads.len() as u32);
        self.workloads.push(WorkloadEntry {
            workload,
            owner,
            created: now,
            deleting: None,
            deleted: None,
            status: WorkloadStatus::default(),
            generation: 1,
        });
        self.watch.push_back(WatchEvent::WorkloadAdded(id));
        id
    }

    /// Changes a workload's spec (a scale or a new template).
    pub fn update_workload(&mut self, id: WorkloadId, f: impl FnOnce(&mut Workload)) {
        let entry = &mut self.workloads[id.0 as usize];
        f(&mut entry.workload);
        entry.generation += 1;
        self.watch.push_back(WatchEvent::WorkloadUpdated(id));
    }

    /// Marks a workload as being deleted in the foreground.
    pub fn mark_workload_deleting(&mut self, id: WorkloadId, now: SimTime) {
        let entry = &mut self.workloads[id.0 as usize];
        if entry.deleting.is_none() && entry.deleted.is_none() {
            entry.deleting = Some(now);
            self.watch.push_back(WatchEvent::WorkloadUpdated(id));
        }
    }

    /// Removes a workload from the API.
    pub fn remove_workload(&mut self, id: WorkloadId, now: SimTime) {
        let entry = &mut self.workloads[id.0 as usize];
        if entry.deleted.is_none() {
            entry.deleted = Some(now);
            self.watch.push_back(WatchEvent::WorkloadDeleted(id));
        }
    }

    /// Live workloads, by kind and name, for lookups by name.
    pub fn find_workload(&self, kind: &str, namespace: &str, name: &str) -> Option<WorkloadId> {
        self.workloads
            .iter()
            .position(|w| {
                w.deleted.is_none()
                    && w.workload.spec.kind() == kind
                    && w.workload.metadata.namespace == namespace
                    && w.workload.metadata.name == name
            })
            .map(|i| WorkloadId(i as u32))
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
            self.watch.push_back(WatchEvent::PodTerminating(id));
        } else {
            self.delete_pod(id, now);
        }
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
        let node = &self.nodes[node_id.0 as usize];
        assert!(
            usage.requested.fits_within(&node.allocatable)
                && usage.pod_count <= node.allocatable_pods,
            "node {} over allocatable after binding {}",
            node.metadata.name,
            entry.pod.metadata.name
        );
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
        self.phase_counts[entry.status.phase as usize] -= 1;
        if held {
            self.release(pod_id);
        }
        self.watch.push_back(WatchEvent::PodDeleted(pod_id));
    }

    fn release(&mut self, pod_id: PodId) {
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

    /// Checks every invariant of the whole state; tests run it after every
    /// event. Returns the first violation found.
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut recomputed: Vec<NodeUsage> = self
            .nodes
            .iter()
            .map(|n| NodeUsage {
                gpus: self.node_gpus(n),
                ..Default::default()
            })
            .collect();
        let mut phase_counts = self.pods.retired_in_api();
        for entry in &self.pods {
            if entry.deleted.is_none() {
                phase_counts[entry.status.phase as usize] += 1;
            }
            if let Some(node) = entry.node {
                if entry.status.conditions.pod_scheduled.is_none() {
                    return Err(format!(
                        "pod {} bound without PodScheduled",
                        entry.pod.metadata.name
                    ));
                }
                if entry.holds_resources() {
                    let u = &mut recomputed[node.0 as usize];
                    u.requested += &entry.pod.requests;
                    u.non_zero_requested += &entry.pod.non_zero_requests;
                    u.pod_count += 1;
                    u.gpus.charge(entry.gpu_devices, entry.gpu_milli, 1);
                }
            } else if entry.status.phase == PodPhase::Running {
                return Err(format!(
                    "pod {} Running without a node",
                    entry.pod.metadata.name
                ));
            }
        }
        let holding: BTreeSet<PodId> = self
            .pods
            .iter_ids()
            .filter(|(_, e)| e.holds_resources())
            .map(|(id, _)| id)
            .collect();
        if holding != self.bound_pods {
            return Err("bound_pods differs from the pods holding resources".into());
        }
        let mut by_node = vec![Vec::new(); self.nodes.len()];
        for (id, e) in self.pods.iter_ids() {
            if let Some(node) = e.node {
                by_node[node.0 as usize].push(id);
            }
        }
        if by_node != self.pods_by_node {
            return Err("pods_by_node differs from the pods bound to each node".into());
        }
        let mut bound_by_node = vec![Vec::new(); self.nodes.len()];
        for &id in &self.bound_pods {
            if let Some(node) = self.pods[id.0 as usize].node {
                bound_by_node[node.0 as usize].push(id);
            }
        }
        if bound_by_node != self.bound_by_node {
            return Err("bound_by_node differs from the bound pods on each node".into());
        }
        if !self.bound_pods_with_affinity.is_subset(&self.bound_pods) {
            return Err("bound_pods_with_affinity holds a pod not bound".into());
        }
        if phase_counts != self.phase_counts {
            return Err(format!(
                "phase counts {:?} != recomputed {phase_counts:?}",
                self.phase_counts
            ));
        }
        for (i, (node, usage)) in self.nodes.iter().zip(&self.node_usage).enumerate() {
            if *usage != recomputed[i] {
                return Err(format!(
                    "node {} usage {usage:?} != recomputed {:?}",
                    node.metadata.name, recomputed[i]
                ));
            }
            if !usage.requested.fits_within(&node.allocatable)
                || usage.pod_count > node.allocatable_pods
            {
                return Err(format!("node {} over allocatable", node.metadata.name));
            }
        }
        Ok(())
    }
}
