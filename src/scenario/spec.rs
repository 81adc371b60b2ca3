//! The validated scenario: what a run needs, with no file-format concerns.
//! Decoding (`decode.rs`) is the only way to build one from a file.

use crate::controllers::ControllerConfig;
use crate::engine::{SimDuration, SimTime};
use crate::model::policy::{PodDisruptionBudget, PriorityClass};
use crate::model::workloads::{PodTemplate, TimedWorkload};
use crate::model::Propagation;
use crate::model::{Node, Pod, ResourceNames};
use crate::scheduler::config::SchedulerConfig;

/// How an arrival process spaces its pods.
#[derive(Clone, Debug, PartialEq)]
pub enum ArrivalProcess {
    /// One pod every `interval`.
    Constant { interval: SimDuration },
    /// Exponential inter-arrival times with this mean (rate = 1 / mean).
    Poisson { mean_interval: SimDuration },
    /// Pods at these offsets from the process's start, ascending.
    Times(Vec<SimDuration>),
    /// A non-homogeneous Poisson process whose rate follows a profile (of
    /// simulated time since the run's start), by thinning.
    Profile(std::sync::Arc<crate::engine::profile::RateProfile>),
}

/// Pods created from one template by an arrival process.
#[derive(Clone, Debug, PartialEq)]
pub struct Arrival {
    /// Pods are named `<name>-<n>`, n counting from 0.
    pub name: String,
    pub template: Pod,
    pub process: ArrivalProcess,
    pub start: SimTime,
    /// Stop after this many pods.
    pub count: Option<u64>,
    /// Create no pod after this time.
    pub until: Option<SimTime>,
    /// Per-pod requests of the first container, drawn for each pod.
    pub requests: Vec<super::sizes::RequestRange>,
}

/// A bound on a summary figure; failing it makes `kubesim run` exit 1.
#[derive(Clone, Debug, PartialEq)]
pub struct Expectation {
    /// A column of summary.csv.
    pub metric: String,
    pub max: Option<f64>,
    pub min: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    /// Every file the scenario read besides itself (included manifests and
    /// arrivals, rate files, scheduler configurations, pod traces), with
    /// its SHA-256 as read, in the order first read: manifest.json lists them.
    pub input_files: Vec<crate::input::source::InputFile>,
    pub seed: u64,
    /// Simulated time at which the run stops; `None` runs until nothing is left to happen.
    pub duration: Option<SimDuration>,
    pub sample_interval: SimDuration,
    /// summary.csv leaves out the start of the run up to here (`warmup`):
    /// the pods created before it and the samples taken before it, so that
    /// its figures describe the steady state rather than the empty cluster
    /// the run starts from. Zero by default.
    pub warmup: SimDuration,
    pub max_events: u64,
    pub resource_names: ResourceNames,
    pub nodes: Vec<Node>,
    /// The node pools (their nodes are in `nodes`): prices, autoscaling.
    pub node_pools: Vec<crate::autoscaler::NodeGroup>,
    /// The Cluster Autoscaler's options (it runs if a pool is autoscaled).
    pub autoscaler: crate::autoscaler::AutoscalerOptions,
    /// Pods created at the given time (manifests are created at 0).
    pub pods: Vec<(SimTime, Pod)>,
    pub arrivals: Vec<Arrival>,
    /// Pods read from CSV files as their time comes (`podTraces`).
    pub pod_traces: Vec<super::pod_trace::PodTrace>,
    /// Workload objects (Deployments, Jobs …) and when they are created.
    pub workloads: Vec<TimedWorkload>,
    /// PriorityClasses (pods' priorities are already resolved from them).
    pub priority_classes: Vec<PriorityClass>,
    pub pod_disruption_budgets: Vec<PodDisruptionBudget>,
    /// HorizontalPodAutoscalers (created at the start; they sync every 15 s).
    pub autoscalers: Vec<crate::model::autoscaling::HorizontalPodAutoscaler>,
    /// The requests Deployments serve, which give their pods resource usage.
    pub service_loads: Vec<crate::model::autoscaling::ServiceLoad>,
    pub actions: Vec<Action>,
    pub controllers: ControllerConfig,
    /// Node crashes, zone outages, partitions and random failures.
    pub faults: crate::faults::FaultSpec,
    /// Image pulls (off unless the scenario has an `images` section).
    pub images: crate::kubelet::images::ImageConfig,
    /// Watch delays of the scheduler and the kubelets (zero by default).
    pub api_latency: crate::model::api_latency::ApiLatency,
    pub scheduler: SchedulerConfig,
    pub expectations: Vec<Expectation>,
}

/// Something the scenario does to the cluster at a given time.
/// What a `delete` names: one object, or those whose labels match.
#[derive(Clone, Debug, PartialEq)]
pub enum DeleteTarget {
    Name(String),
    Selector(crate::model::labels::LabelSelector),
}

#[derive(Clone, Debug, PartialEq)]
pub enum ActionKind {
    /// Set a Deployment's, ReplicaSet's or Job's (parallelism) replica count.
    Scale {
        kind: String,
        namespace: String,
        name: String,
        replicas: i32,
    },
    /// Replace a workload's pod template (e.g. an image update), starting a rollout.
    SetTemplate {
        kind: String,
        namespace: String,
        name: String,
        template: PodTemplate,
    },
    /// Pause or resume a Deployment.
    SetPaused {
        namespace: String,
        name: String,
        paused: bool,
    },
    /// Delete objects of a kind by name or selector; pods are deleted
    /// gracefully, with `grace_period_s` in place of their own if set (0:
    /// removed from the API at once, `--grace-period=0 --force`). A Node
    /// leaves the API (its pods become the pod GC's orphans).
    Delete {
        kind: String,
        namespace: String,
        target: DeleteTarget,
        propagation: Propagation,
        grace_period_s: Option<i64>,
    },
    /// Nodes join the cluster.
    AddNodes(Vec<Node>),
    /// `kubectl cordon` / `kubectl uncordon`: set `spec.unschedulable`.
    Cordon { node: String, unschedulable: bool },
    /// `kubectl taint nodes NODE key=value:Effect` (or, `remove`, `key:Effect-`).
    Taint {
        node: String,
        taints: Vec<crate::model::taints::Taint>,
        remove: bool,
    },
    /// `kubectl drain NODE --ignore-daemonsets`: cordon, then evict through the
    /// Eviction API (which PodDisruptionBudgets can refuse), retrying every 5 s.
    Drain { node: String },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    pub at: SimTime,
    pub kind: ActionKind,
}
