//! The object store: every node and pod of the run, indexed by dense ids,
//! with the per-node request totals the scheduler's cache keeps, and a queue
//! of watch notifications that the components consume.
//!
//! The fields of [`ClusterState`] are private: components read through the
//! getters here and change the state only through methods named for the
//! change (`bind`, `set_phase`, `set_container_state`, `update_node_health`,
//! `update_workload_status` …), in `pods.rs`, `nodes.rs` and `workloads.rs`.
//! Each keeps what the store derives (node usage, phase counts, the per-node
//! pod lists) in step, asserts what it maintains (a pod is bound at most
//! once; its requests may exceed a node's allocatable, as upstream's
//! may: the kubelet's admission, not the store, refuses such pods) and pushes the
//! matching watch event; `check_invariants` (`invariants.rs`) recomputes the
//! derived state from scratch, and tests run it after every event.

mod disruption;
mod invariants;
mod nodes;
mod owned;
mod pod_status;
mod pod_table;
mod pods;
#[cfg(test)]
mod tests;
mod workloads;

pub use owned::OwnedPod;
pub use pod_table::PodTable;

use super::event::EventRecord;
use super::node::Node;
use super::node_health::NodeHealth;
use super::pod::Pod;
use super::policy::{PodDisruptionBudget, PriorityClass};
use super::resources::{ResourceNames, Resources};
use super::status::PodStatus;
use super::workloads::{Workload, WorkloadStatus};
use crate::engine::SimTime;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

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
    /// When its other kubelet-owned conditions first became True.
    pub first_true: crate::model::status::ConditionsFirstTrue,
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
    /// The Node object left the API; its pods are still bound to it.
    NodeDeleted(NodeId),
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
    resource_names: ResourceNames,
    nodes: Vec<Node>,
    node_usage: Vec<NodeUsage>,
    /// Every pod created, by id (a finished pod's entry may be retired).
    pods: PodTable,
    watch: VecDeque<WatchEvent>,
    /// Events recorded since the consumer last drained them.
    events: Vec<EventRecord>,
    /// Pods in the API (not deleted) by phase, indexed by `PodPhase as usize`.
    phase_counts: [i64; 5],
    /// Sum of the requests of all pods holding resources.
    requested_total: Resources,
    /// Sum of the allocatable of all nodes.
    allocatable_total: Resources,
    workloads: Vec<WorkloadEntry>,
    /// Each node's Lease and Ready condition, indexed by node id.
    node_health: Vec<NodeHealth>,
    /// By node id: when the Node object was deleted (`kubectl delete
    /// node`). Its id stays taken and its pods stay bound to it until they
    /// are deleted (the pod garbage collector's orphans).
    node_deleted: Vec<Option<SimTime>>,
    /// The API server's admission of created pods (DefaultTolerationSeconds).
    admission: super::admission::Admission,
    /// PriorityClasses and PodDisruptionBudgets, read by the scheduler's preemption.
    priority_classes: Vec<PriorityClass>,
    pod_disruption_budgets: Vec<PodDisruptionBudget>,
    /// Pods holding resources on a node, and those of them with pod affinity
    /// or anti-affinity terms: what the scheduler's cache lists per node, so
    /// that inter-pod plugins need not scan every pod ever created.
    bound_pods: BTreeSet<PodId>,
    bound_pods_with_affinity: BTreeSet<PodId>,
    /// Nodes whose spec or usage changed since the scheduler last took them
    /// ([`ClusterState::take_changed_nodes`]), each listed once, so that its
    /// snapshot is updated per change rather than rebuilt per cycle.
    changed_nodes: Vec<NodeId>,
    node_is_changed: Vec<bool>,
    /// Counts node additions and label changes, so that per-node label
    /// indexes know when to rebuild.
    nodes_generation: u64,
    /// By node id: the pods ever bound to it whose entries are held (not
    /// retired), so that what happens to a node looks at its pods, not at
    /// every pod ever created. Sorted vectors: a node holds at most a few
    /// hundred, and new pods (the highest ids) go at the end.
    pods_by_node: Vec<Vec<PodId>>,
    /// By node id: its pods in `bound_pods`, sorted.
    bound_by_node: Vec<Vec<PodId>>,
    /// `metadata.deletionGracePeriodSeconds` of terminating pods whose
    /// deletion asked for a grace period of its own (`delete
    /// --grace-period`); the others use their spec's. A side table, as few
    /// pods ever have one.
    deletion_grace_s: BTreeMap<PodId, i64>,
    /// By workload id: its live pods with what its sync counts (`owned.rs`).
    owned: Vec<Vec<OwnedPod>>,
}

impl ClusterState {
    pub fn new(resource_names: ResourceNames) -> Self {
        ClusterState {
            resource_names,
            ..Default::default()
        }
    }

    /// Sets the PriorityClasses and PodDisruptionBudgets of the run (the
    /// scenario's, before anything happens).
    pub fn set_policy_objects(
        &mut self,
        priority_classes: Vec<PriorityClass>,
        pod_disruption_budgets: Vec<PodDisruptionBudget>,
    ) {
        self.priority_classes = priority_classes;
        self.pod_disruption_budgets = pod_disruption_budgets;
    }

    pub fn resource_names(&self) -> &ResourceNames {
        &self.resource_names
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0 as usize]
    }
    /// Every node, indexed by `NodeId`.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }
    /// What the pods holding resources on the node request, in total.
    pub fn node_usage(&self, id: NodeId) -> &NodeUsage {
        &self.node_usage[id.0 as usize]
    }
    /// Every node's usage, indexed by `NodeId`.
    pub fn node_usages(&self) -> &[NodeUsage] {
        &self.node_usage
    }
    /// The node's Lease and Ready condition.
    pub fn node_health(&self, id: NodeId) -> &NodeHealth {
        &self.node_health[id.0 as usize]
    }
    /// When the Node object was deleted, if it was.
    pub fn node_deleted(&self, id: NodeId) -> Option<SimTime> {
        self.node_deleted[id.0 as usize]
    }
    /// The Node object is in the API (added and not deleted).
    pub fn node_exists(&self, id: NodeId) -> bool {
        self.node_deleted[id.0 as usize].is_none()
    }
    /// The node of that name that is in the API.
    pub fn find_node(&self, name: &str) -> Option<NodeId> {
        (self.nodes.iter().enumerate())
            .map(|(i, n)| (NodeId(i as u32), n))
            .find(|&(id, n)| n.name() == name && self.node_exists(id))
            .map(|(id, _)| id)
    }
    /// Counts node additions and label changes, so that per-node label
    /// indexes know when to rebuild.
    pub fn nodes_generation(&self) -> u64 {
        self.nodes_generation
    }
    /// Sum of the allocatable of all nodes.
    pub fn allocatable_total(&self) -> &Resources {
        &self.allocatable_total
    }

    pub fn pod(&self, id: PodId) -> &PodEntry {
        &self.pods[id.0 as usize]
    }
    /// Every pod created, by id; retired entries are gone.
    pub fn pods(&self) -> &PodTable {
        &self.pods
    }
    /// Pods in the API (not deleted) in the phase.
    pub fn pods_in_phase(&self, phase: super::pod::PodPhase) -> i64 {
        self.phase_counts[phase as usize]
    }
    /// Sum of the requests of all pods holding resources.
    pub fn requested_total(&self) -> &Resources {
        &self.requested_total
    }
    /// The pods holding resources on a node, in id order.
    pub fn bound_pods(&self) -> &BTreeSet<PodId> {
        &self.bound_pods
    }
    /// Those of [`ClusterState::bound_pods`] with pod affinity or anti-affinity terms.
    pub fn bound_pods_with_affinity(&self) -> &BTreeSet<PodId> {
        &self.bound_pods_with_affinity
    }

    pub fn workload(&self, id: WorkloadId) -> &WorkloadEntry {
        &self.workloads[id.0 as usize]
    }
    /// Every workload created, deleted ones included, indexed by `WorkloadId`.
    pub fn workloads(&self) -> &[WorkloadEntry] {
        &self.workloads
    }

    pub fn priority_classes(&self) -> &[PriorityClass] {
        &self.priority_classes
    }
    pub fn pod_disruption_budgets(&self) -> &[PodDisruptionBudget] {
        &self.pod_disruption_budgets
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
        // `namespace/name`, sized once: this runs for every pod event, and
        // `format!` cost several times as much.
        let object = [meta.namespace.as_str(), "/", meta.name.as_str()].concat();
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
}
