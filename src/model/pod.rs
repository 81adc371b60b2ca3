//! The Pod: spec as the user wrote it, the behaviour its containers declare,
//! and the status the kubelet and scheduler report.

use super::affinity::Affinity;
use super::meta::ObjectMeta;
use super::resources::{Resources, DEFAULT_MEMORY_REQUEST_BYTES, DEFAULT_MILLI_CPU_REQUEST};
use super::taints::Toleration;
use crate::engine::distribution::Distribution;
use crate::engine::SimDuration;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The scheduler a pod names when it names none (`v1.DefaultSchedulerName`).
pub const DEFAULT_SCHEDULER_NAME: &str = "default-scheduler";
/// `terminationGracePeriodSeconds` default (`pkg/apis/core/v1/defaults.go`).
pub const DEFAULT_TERMINATION_GRACE_PERIOD_S: i64 = 30;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RestartPolicy {
    Always,
    OnFailure,
    Never,
}

impl RestartPolicy {
    pub fn parse(s: &str) -> Option<RestartPolicy> {
        match s {
            "Always" => Some(RestartPolicy::Always),
            "OnFailure" => Some(RestartPolicy::OnFailure),
            "Never" => Some(RestartPolicy::Never),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            RestartPolicy::Always => "Always",
            RestartPolicy::OnFailure => "OnFailure",
            RestartPolicy::Never => "Never",
        }
    }
    /// Whether a container that exited with `exit_code` is started again.
    pub fn restarts(self, exit_code: i32) -> bool {
        match self {
            RestartPolicy::Always => true,
            RestartPolicy::OnFailure => exit_code != 0,
            RestartPolicy::Never => false,
        }
    }
}

/// What a real cluster would learn by running the container, declared in the
/// scenario (`kubesim.io/` annotations or the behaviour section).
#[derive(Clone, Debug, PartialEq)]
pub struct ContainerBehaviour {
    /// How long one run of the container lasts; `None` runs until deleted.
    pub run_time: Option<Distribution>,
    /// Exit code of a normal run.
    pub exit_code: i32,
    /// Probability that a run fails with exit code 1 instead.
    pub fail_probability: f64,
    /// From the kubelet starting the container until it is running.
    pub start_latency: Distribution,
    /// How long its preStop hook runs when the pod is deleted; `None`: no hook.
    pub pre_stop: Option<Distribution>,
    /// How long it takes to exit after SIGTERM.
    pub stop_time: Distribution,
    /// Time from each start to a crash (exit code 1), if it comes before the
    /// run ends; `None`: it never crashes on its own.
    pub crash_after: Option<Distribution>,
    /// Memory the container comes to use, in bytes; above its memory limit
    /// the kernel's OOM killer ends it (`OOMKilled`, exit 137).
    pub memory_usage_bytes: Option<i64>,
    /// Time from each start until it uses `memory_usage_bytes`.
    pub memory_usage_after: Distribution,
    /// Time from each start until its readiness probe passes.
    pub ready_after: Distribution,
    /// Time from each start until its startup probe passes.
    pub started_after: Distribution,
    /// Time from each start until its liveness probe starts failing; `None`: never.
    pub liveness_fails_after: Option<Distribution>,
    /// How long the container takes to answer a probe; an answer slower
    /// than the probe's `timeoutSeconds` is a failure. `None`: at once.
    pub probe_response_time: Option<Distribution>,
    /// How long its postStart hook runs after each start; `None`: no hook.
    pub post_start: Option<Distribution>,
    /// Probability that the postStart hook fails (the kubelet then kills the container).
    pub post_start_fail_probability: f64,
    /// Probability that the preStop hook fails (FailedPreStopHook; the kill goes on).
    pub pre_stop_fail_probability: f64,
}

impl Default for ContainerBehaviour {
    fn default() -> Self {
        ContainerBehaviour {
            run_time: None,
            exit_code: 0,
            fail_probability: 0.0,
            start_latency: Distribution::Constant(Default::default()),
            pre_stop: None,
            stop_time: Distribution::Constant(Default::default()),
            crash_after: None,
            memory_usage_bytes: None,
            memory_usage_after: Distribution::Constant(Default::default()),
            ready_after: Distribution::Constant(Default::default()),
            started_after: Distribution::Constant(Default::default()),
            liveness_fails_after: None,
            probe_response_time: None,
            post_start: None,
            post_start_fail_probability: 0.0,
            pre_stop_fail_probability: 0.0,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Container {
    pub name: String,
    pub image: String,
    pub requests: Resources,
    /// Which of cpu and memory `requests` names (after API defaulting, which
    /// copies a limit into an absent request). Scoring substitutes upstream's
    /// defaults only for a request that is absent, never for an explicit `0`.
    pub requests_set: RequestsSet,
    pub limits: Resources,
    /// Init containers only: `restartPolicy: Always` makes a sidecar.
    pub restart_policy_always: bool,
    /// Shared: the pods of one template (each with its own sampled
    /// requests, so its own spec) keep one copy.
    pub behaviour: Arc<ContainerBehaviour>,
    /// Startup, readiness and liveness probes.
    pub probes: super::probe::ContainerProbes,
    pub image_pull_policy: ImagePullPolicy,
    /// `lifecycle.postStart` and `lifecycle.preStop` as the manifest writes them.
    pub lifecycle: Lifecycle,
}

/// A container's `lifecycle` hooks (`core/v1` Lifecycle).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Lifecycle {
    pub post_start: Option<HookHandler>,
    pub pre_stop: Option<HookHandler>,
}

/// What a lifecycle hook does (`LifecycleHandler`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HookHandler {
    /// `sleep: {seconds: N}` (beta and on by default since v1.30): the kubelet
    /// itself sleeps exactly that long, and the hook cannot fail.
    Sleep(SimDuration),
    /// `exec`, `httpGet` or the deprecated `tcpSocket`: what it takes and
    /// whether it fails is declared (`postStart`/`preStop` durations and
    /// fail probabilities); by default it succeeds at once.
    Declared,
}

/// Whether a container's `resources.requests` names cpu and memory; the
/// other resources need no such flag, as no default replaces them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RequestsSet {
    pub cpu: bool,
    pub memory: bool,
}

/// `imagePullPolicy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImagePullPolicy {
    Always,
    IfNotPresent,
    Never,
}

impl ImagePullPolicy {
    /// `SetDefaults_Container`: Always for `:latest` or an untagged image
    /// (no digest), IfNotPresent otherwise.
    pub fn default_for(image: &str) -> ImagePullPolicy {
        let name = image.rsplit('/').next().unwrap_or(image);
        if image.contains('@') {
            return ImagePullPolicy::IfNotPresent;
        }
        match name.rsplit_once(':') {
            Some((_, "latest")) | None => ImagePullPolicy::Always,
            Some(_) => ImagePullPolicy::IfNotPresent,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct PodSpec {
    pub containers: Vec<Container>,
    pub init_containers: Vec<Container>,
    pub node_selector: BTreeMap<String, String>,
    /// Set by the user to bypass the scheduler, or by binding.
    pub node_name: Option<String>,
    pub affinity: Affinity,
    pub tolerations: Vec<Toleration>,
    pub priority: i32,
    pub priority_class_name: Option<String>,
    pub scheduler_name: String,
    pub restart_policy: RestartPolicy,
    pub termination_grace_period_s: i64,
    pub overhead: Resources,
    pub topology_spread_constraints: Vec<super::topology::TopologySpreadConstraint>,
    /// `activeDeadlineSeconds`: the kubelet fails the pod this long after its
    /// `status.startTime` (`pkg/kubelet/active_deadline.go`).
    pub active_deadline_s: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PodPhase {
    Pending,
    Running,
    Succeeded,
    Failed,
    Unknown,
}

impl PodPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            PodPhase::Pending => "Pending",
            PodPhase::Running => "Running",
            PodPhase::Succeeded => "Succeeded",
            PodPhase::Failed => "Failed",
            PodPhase::Unknown => "Unknown",
        }
    }
    pub fn is_terminal(self) -> bool {
        matches!(self, PodPhase::Succeeded | PodPhase::Failed)
    }
}

/// A pod as stored in the cluster. Requests are computed once at creation,
/// because the scheduler reads them on every node of every cycle.
#[derive(Clone, Debug, PartialEq)]
pub struct Pod {
    pub metadata: ObjectMeta,
    /// Shared: pods created from one template share one spec.
    pub spec: Arc<PodSpec>,
    /// Effective request (`resource.PodRequests`).
    pub requests: Resources,
    /// The same with upstream's defaults substituted for unset cpu/memory, used by scoring.
    pub non_zero_requests: Resources,
    /// A snapshot's pod that already runs on its node (`spec.nodeName` and
    /// `status.phase: Running`): its kubelet admitted it before the run, so
    /// it runs even where the node's pods now exceed its allocatable.
    pub running_in_snapshot: bool,
    /// For such a pod whose snapshot shows `status.startTime`: how long it
    /// and its containers had run at t = 0 (the kubelet resumes them).
    pub snapshot_start: Option<Box<SnapshotStart>>,
}

/// How long before t = 0 a snapshot's running pod and its containers
/// started (simulated time starts at 0, so the past is kept as durations).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SnapshotStart {
    /// Since `status.startTime`: when its kubelet first synced it, the
    /// start of `activeDeadlineSeconds`.
    pub pod: SimDuration,
    /// Per app container, in spec order: since its
    /// `state.running.startedAt`; `None` for a container the snapshot
    /// shows but not running, which the kubelet creates afresh.
    pub containers: Vec<Option<SimDuration>>,
}

impl Pod {
    pub fn new(metadata: ObjectMeta, spec: Arc<PodSpec>) -> Pod {
        let requests = pod_requests(&spec, false);
        let non_zero_requests = pod_requests(&spec, true);
        Pod {
            metadata,
            spec,
            requests,
            non_zero_requests,
            running_in_snapshot: false,
            snapshot_start: None,
        }
    }
}

/// A container's request, with upstream's defaults for scoring when
/// `non_zero`: `PodRequests` with `NonMissingContainerRequests` (v1.32
/// `staging/src/k8s.io/component-helpers/resource/helpers.go`,
/// `applyNonMissing`) adds 100m cpu / 200Mi memory only where the container's
/// requests lack the key, so an explicit `cpu: "0"` stays 0. A value set by
/// code without the flag (non-zero) counts as set too.
fn container_request(c: &Container, non_zero: bool) -> Resources {
    let mut r = c.requests;
    if non_zero {
        if !c.requests_set.cpu && r.cpu_millis == 0 {
            r.cpu_millis = DEFAULT_MILLI_CPU_REQUEST;
        }
        if !c.requests_set.memory && r.memory_bytes == 0 {
            r.memory_bytes = DEFAULT_MEMORY_REQUEST_BYTES;
        }
    }
    r
}

/// The pod's effective request, as `PodRequests` in
/// `k8s.io/component-helpers/resource/helpers.go` (v1.32) computes it: the sum
/// of the app containers and sidecars, or the largest single init container
/// (plus the sidecars started before it) if that is larger, plus overhead.
pub fn pod_requests(spec: &PodSpec, non_zero: bool) -> Resources {
    let mut reqs = Resources::default();
    for c in &spec.containers {
        reqs += &container_request(c, non_zero);
    }
    let mut sidecars = Resources::default();
    let mut init_max = Resources::default();
    for c in &spec.init_containers {
        let r = container_request(c, non_zero);
        let during = if c.restart_policy_always {
            reqs += &r;
            sidecars += &r;
            sidecars
        } else {
            let mut during = r;
            during += &sidecars;
            during
        };
        init_max = init_max.max(&during);
    }
    let mut total = reqs.max(&init_max);
    total += &spec.overhead;
    total
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! Builders for tests: `pod("web-0").cpu("250m").memory("128Mi")`.
    use super::*;
    use crate::model::quantity::{parse_milli, parse_units};

    pub struct PodBuilder(pub PodSpec, pub ObjectMeta);

    pub fn container(name: &str) -> Container {
        Container {
            name: name.into(),
            image: "busybox".into(),
            requests: Resources::default(),
            requests_set: RequestsSet::default(),
            limits: Resources::default(),
            restart_policy_always: false,
            behaviour: Default::default(),
            probes: Default::default(),
            image_pull_policy: ImagePullPolicy::IfNotPresent,
            lifecycle: Lifecycle::default(),
        }
    }

    pub fn pod(name: &str) -> PodBuilder {
        PodBuilder(
            PodSpec {
                containers: vec![container("main")],
                init_containers: vec![],
                node_selector: Default::default(),
                node_name: None,
                affinity: Default::default(),
                tolerations: vec![],
                priority: 0,
                priority_class_name: None,
                scheduler_name: DEFAULT_SCHEDULER_NAME.into(),
                restart_policy: RestartPolicy::Always,
                termination_grace_period_s: DEFAULT_TERMINATION_GRACE_PERIOD_S,
                overhead: Resources::default(),
                topology_spread_constraints: vec![],
                active_deadline_s: None,
            },
            ObjectMeta {
                name: name.into(),
                namespace: "default".into(),
                ..Default::default()
            },
        )
    }

    impl PodBuilder {
        pub fn cpu(mut self, q: &str) -> Self {
            self.0.containers[0].requests.cpu_millis = parse_milli(q).unwrap();
            self.0.containers[0].requests_set.cpu = true;
            self
        }
        pub fn memory(mut self, q: &str) -> Self {
            self.0.containers[0].requests.memory_bytes = parse_units(q).unwrap();
            self.0.containers[0].requests_set.memory = true;
            self
        }
        pub fn container(mut self, c: Container) -> Self {
            self.0.containers.push(c);
            self
        }
        pub fn init_container(mut self, c: Container) -> Self {
            self.0.init_containers.push(c);
            self
        }
        pub fn spec(mut self, f: impl FnOnce(&mut PodSpec)) -> Self {
            f(&mut self.0);
            self
        }
        pub fn build(self) -> Pod {
            Pod::new(self.1, Arc::new(self.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    fn with_cpu(mut c: Container, millis: i64) -> Container {
        c.requests.cpu_millis = millis;
        c
    }

    #[test]
    fn request_is_max_of_containers_sum_and_each_init_container() {
        // Containers 100m + 200m = 300m; init containers 250m and 500m: max(300, 250, 500) = 500m.
        let p = pod("p")
            .cpu("100m")
            .container(with_cpu(container("b"), 200))
            .init_container(with_cpu(container("i1"), 250))
            .init_container(with_cpu(container("i2"), 500))
            .build();
        assert_eq!(p.requests.cpu_millis, 500);
        // Without the big init container the sum wins.
        let p = pod("p")
            .cpu("100m")
            .container(with_cpu(container("b"), 200))
            .init_container(with_cpu(container("i1"), 250))
            .build();
        assert_eq!(p.requests.cpu_millis, 300);
    }

    #[test]
    fn sidecars_add_to_the_sum_and_to_later_init_containers() {
        // Upstream TestPodRequests "restartable init container": sidecar 100m runs
        // beside the app (200m) => 300m; a later init container 250m + sidecar 100m = 350m.
        let mut sidecar = with_cpu(container("s"), 100);
        sidecar.restart_policy_always = true;
        let p = pod("p")
            .cpu("200m")
            .init_container(sidecar)
            .init_container(with_cpu(container("i"), 250))
            .build();
        assert_eq!(p.requests.cpu_millis, 350);
    }

    #[test]
    fn non_zero_requests_fill_in_defaults() {
        let p = pod("p").build();
        assert_eq!(p.requests.cpu_millis, 0);
        assert_eq!(p.non_zero_requests.cpu_millis, 100);
        assert_eq!(p.non_zero_requests.memory_bytes, 200 * 1024 * 1024);
    }

    #[test]
    fn explicit_zero_request_is_not_replaced_by_the_default() {
        // Upstream TestPodRequests "NonMissingContainerRequests, explicit zero":
        // `cpu: "0"` is present, so only the absent memory gets its 200Mi default.
        let p = pod("p").cpu("0").build();
        assert_eq!(p.non_zero_requests.cpu_millis, 0);
        assert_eq!(p.non_zero_requests.memory_bytes, 200 * 1024 * 1024);
        // Per container: an absent cpu in a second container still gets 100m.
        let p = pod("p").cpu("0").container(container("b")).build();
        assert_eq!(p.non_zero_requests.cpu_millis, 100);
    }
}
