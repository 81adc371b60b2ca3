//! The kubelets of all nodes: admitting bound pods, running their init
//! containers one after another and then their app containers, restarting
//! containers by `restartPolicy` with the CrashLoopBackOff backoff, and
//! reporting phases, container states and conditions.
//!
//! What the containers do is declared (`ContainerBehaviour`): how long the
//! runtime takes to start one, how long it runs, how it exits. Every random
//! draw for a pod comes from that pod's own streams (keyed by the pod's
//! creation index), so the same pod behaves the same under any scheduling
//! policy. Image pulls are in `images.rs`, probes in `prober.rs`, what a
//! node's failure does to its kubelet in `node.rs`, how a pod's run ends
//! (deletion, its terminal phase, `activeDeadlineSeconds`) and how long a
//! lifecycle hook runs in `termination.rs`; without probes a container is
//! Ready once it runs (and its postStart hook has returned).

mod admission;
pub mod backoff;
pub mod images;
pub mod node;
pub mod prober;
mod termination;

/// Exit code of a container killed with SIGKILL (128 + 9): by the OOM
/// killer, or by the kubelet after failed liveness or startup probes.
pub const OOM_KILLED_EXIT_CODE: i32 = 137;

/// `minimumGracePeriodInSeconds` of the kubelet's container runtime manager.
pub const MINIMUM_GRACE_PERIOD_S: u64 = 2;

use crate::engine::distribution::Distribution;
use crate::engine::rng::{derive_seed, Stream};
use crate::engine::{EventQueue, SimDuration, SimTime, TimerId};
use crate::model::api_latency::Hop;
use crate::model::pod::{Container, RestartPolicy};
use crate::model::probe::ProbeKind;
pub use crate::model::status::ContainerRef;
use crate::model::status::ContainerState;
use crate::model::store::{NodeId, PodId, WatchEvent};
use crate::model::{ClusterState, PodPhase};
use backoff::RestartBackoff;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use termination::run_hook;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KubeletEvent {
    /// The runtime has started the container (after its start latency).
    Started(PodId, ContainerRef),
    /// The container's process exited.
    Exited(PodId, ContainerRef),
    /// The restart backoff has passed: start the container again.
    Restart(PodId, ContainerRef),
    /// Every container of a terminating pod has stopped: remove the pod.
    Removed(PodId),
    /// A probe of a running container is due.
    Probe(PodId, ContainerRef, crate::model::probe::ProbeKind),
    /// An image pull requested at the given time, taking the given time, finished.
    Pulled(PodId, ContainerRef, SimTime, SimDuration),
    /// The image backoff has passed: try the pull again.
    PullRetry(PodId, ContainerRef),
    /// The container's postStart hook has returned successfully.
    PostStartDone(PodId, ContainerRef),
    /// The preStop hook of a terminating pod's container returned an error.
    PreStopHookFailed(PodId, ContainerRef),
    /// The pod's `activeDeadlineSeconds` have passed since its start.
    DeadlineExceeded(PodId),
}

#[derive(Default)]
struct ContainerRuntime {
    timer: Option<TimerId>,
    /// The successful return of its postStart hook, while the hook runs.
    hook_timer: Option<TimerId>,
    backoff: RestartBackoff,
    finished_at: SimTime,
    /// Exited and will not run again.
    done: bool,
    exit_code: i32,
    /// Why the scheduled exit of the current run happens.
    exit_kind: ExitKind,
    /// When the runtime started the current run.
    started_at: SimTime,
    /// Probe workers of the current run.
    probes: prober::ProbeRuntime,
    pull_backoff: images::PullBackoff,
}

/// What ends a container's run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum ExitKind {
    /// Its run time is over (exit code as declared, or a declared failure).
    #[default]
    RunEnds,
    /// A crash declared by `crashAfter` (exit code 1).
    Crash,
    /// Its memory use passed its limit (OOMKilled, exit 137).
    OomKilled,
    /// The kubelet killed it after failed liveness or startup probes.
    ProbeKilled,
    /// Its postStart hook failed and the kubelet killed it.
    PostStartHookFailed,
}

impl PodRuntime {
    /// Cancels every pending timer of the pod (container starts, exits,
    /// restarts, its removal).
    fn cancel_timers<E>(&mut self, events: &mut EventQueue<E>) {
        for c in self.init.iter_mut().chain(self.app.iter_mut()) {
            for t in [c.timer.take(), c.hook_timer.take()].into_iter().flatten() {
                events.cancel(t);
            }
            c.probes.stop(events);
        }
        for t in [self.removal.take(), self.deadline.take()]
            .into_iter()
            .flatten()
        {
            events.cancel(t);
        }
    }
}

/// Per-pod runtime state, alive while the pod runs on a node.
struct PodRuntime {
    /// Draws for run times and exit codes.
    run_rng: ChaCha8Rng,
    /// Draws for start latencies.
    latency_rng: ChaCha8Rng,
    init: Vec<ContainerRuntime>,
    app: Vec<ContainerRuntime>,
    /// The pending removal of a terminating pod.
    removal: Option<TimerId>,
    /// When its first image pull started (pod startup latency leaves pulls out).
    first_pull: Option<SimTime>,
    /// Init containers completed (sidecars: started) so far, in order.
    init_passed: usize,
    /// The pending `activeDeadlineSeconds` check.
    deadline: Option<TimerId>,
    /// A terminating pod's containers that were running, with the exit code
    /// each stops with: its own after SIGTERM, or 137 if SIGKILL cuts it off.
    stopping: Vec<(ContainerRef, i32)>,
}

pub struct Kubelets {
    run_times_seed: u64,
    latencies_seed: u64,
    /// Indexed by pod id; `None` for pods not running on a node. Boxed, so
    /// that a finished pod's slot costs a pointer, not a runtime (two random
    /// streams of a few hundred bytes each).
    pods: Vec<Option<Box<PodRuntime>>>,
    /// Per-node kubelet state (faults, API notifications held back), by node id.
    nodes: Vec<node::KubeletNode>,
    /// Image pulls (disabled unless the scenario has an `images` section).
    images: images::ImageConfig,
    /// Declared API latency and the run's seed: a pod's start and readiness
    /// are observed once its status write is persisted (`statusUpdate`).
    api_latency: (crate::model::api_latency::ApiLatency, u64),
}

fn stream_for(seed: u64, pod: PodId) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(pod.0 as u64);
    rng
}

impl Kubelets {
    /// The kubelets of a run: its seed, its declared API latency and image
    /// pulls (both disabled by default).
    pub fn new(
        seed: u64,
        api_latency: crate::model::api_latency::ApiLatency,
        images: images::ImageConfig,
    ) -> Self {
        Kubelets {
            run_times_seed: derive_seed(seed, Stream::RunTimes as u64),
            latencies_seed: derive_seed(seed, Stream::Latencies as u64),
            pods: Vec::new(),
            nodes: Vec::new(),
            images,
            api_latency: (api_latency, seed),
        }
    }

    /// Whether the kubelets still hold anything of the pod: its runtime
    /// (and so its timers), or a notification about it that its node's
    /// kubelet has held back while it could not reach the API server.
    pub fn references(&self, pod: PodId, node: Option<NodeId>) -> bool {
        self.pods.get(pod.0 as usize).is_some_and(Option::is_some)
            || node.is_some_and(|n| {
                self.nodes
                    .get(n.0 as usize)
                    .is_some_and(|k| k.holds_back(pod))
            })
    }

    fn runtime(&mut self, pod: PodId) -> &mut PodRuntime {
        self.pods[pod.0 as usize]
            .as_mut()
            .expect("pod has a runtime")
    }

    pub fn on_watch<E: From<KubeletEvent>>(
        &mut self,
        event: WatchEvent,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        let now = events.now();
        if self.held_back(event, state) {
            return;
        }
        match event {
            WatchEvent::PodAdded(id) => self.admit_named_pod(id, state, now),
            WatchEvent::PodBound(id, node) => self.admit_bound_pod(id, node, state, events),
            WatchEvent::PodDeleted(id) => {
                // A deleted pod's pending timers must never fire.
                if let Some(mut rt) = self.pods.get_mut(id.0 as usize).and_then(Option::take) {
                    rt.cancel_timers(events);
                    // Removed from the API while running (a force deletion):
                    // the kubelet still kills what runs.
                    if state.pod(id).terminating.is_none() {
                        kill_running_containers(id, state, now);
                    }
                }
            }
            WatchEvent::PodTerminating(id) => self.terminate_pod(id, state, events),
            WatchEvent::NodeAdded(id) => self.on_node_added(id, state, now),
            // `kubectl delete node` leaves the machine alone: its kubelet
            // keeps running its pods until they are deleted from the API,
            // and does not register the node again (a kubelet registers
            // once, when it starts: `registerWithAPIServer`).
            WatchEvent::PodTerminated(_)
            | WatchEvent::NodeDeleted(_)
            | WatchEvent::PodUpdated(_)
            | WatchEvent::NodeUpdated(_)
            | WatchEvent::WorkloadAdded(_)
            | WatchEvent::WorkloadUpdated(_)
            | WatchEvent::WorkloadDeleted(_) => {}
        }
    }

    /// A pod created with `spec.nodeName` skips the scheduler: it is bound
    /// to the named node at once, and that node's kubelet admits it or not
    /// like any other pod it receives.
    fn admit_named_pod(&mut self, id: PodId, state: &mut ClusterState, now: SimTime) {
        let entry = state.pod(id);
        let Some(name) = entry.pod.spec.node_name.clone() else {
            return;
        };
        let Some(node) = state.find_node(&name) else {
            return; // No such node: the pod stays Pending, as upstream.
        };
        state.bind(id, node, now);
    }

    /// A pod bound to `node` reaches its kubelet, which runs it through
    /// admission (`admission.rs`): admitted, it starts; refused, it fails
    /// with upstream's reason and its event says why.
    fn admit_bound_pod<E: From<KubeletEvent>>(
        &mut self,
        id: PodId,
        node: NodeId,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        if state.pod(id).pod.running_in_snapshot {
            return self.start_pod(id, state, events);
        }
        let runs = |p: &PodId| *p != id && self.pods.get(p.0 as usize).is_some_and(Option::is_some);
        let admitted = state.bound_pods_on_node(node).iter().copied().filter(runs);
        match admission::check(state, id, node, admitted) {
            None => self.start_pod(id, state, events),
            Some((reason, message)) => {
                let now = events.now();
                state.set_pod_reason(id, reason.clone());
                state.set_phase(id, PodPhase::Failed, now);
                state.record_pod_event(now, id, reason, message);
            }
        }
    }

    fn start_pod<E: From<KubeletEvent>>(
        &mut self,
        id: PodId,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        let idx = id.0 as usize;
        if self.pods.len() <= idx {
            self.pods.resize_with(idx + 1, || None);
        }
        let spec = state.pod(id).pod.spec.clone();
        let new_runtimes = |n: usize| (0..n).map(|_| ContainerRuntime::default()).collect();
        self.pods[idx] = Some(Box::new(PodRuntime {
            run_rng: stream_for(self.run_times_seed, id),
            latency_rng: stream_for(self.latencies_seed, id),
            init: new_runtimes(spec.init_containers.len()),
            app: new_runtimes(spec.containers.len()),
            removal: None,
            first_pull: None,
            init_passed: 0,
            deadline: None,
            stopping: Vec::new(),
        }));
        let now = events.now();
        // `active_deadline.go`: counted from status.startTime, which the
        // kubelet sets when it first syncs the pod and keeps across a
        // reboot's new sandbox: the first time the sandbox was up.
        let start_time = (state.pod(id).status.conditions)
            .ready_to_start_containers
            .unwrap_or(now);
        // The sandbox is up: PodReadyToStartContainers (`status/generate.go`,
        // v1.32); kubesim does not model the sandbox's creation time.
        let observed = self.observed(id, now);
        state.set_pod_ready_to_start_containers(id, now, observed);
        if let Some(deadline_s) = spec.active_deadline_s {
            let at = (start_time + SimDuration::from_secs(deadline_s)).max(now);
            let timer = events.schedule(at, KubeletEvent::DeadlineExceeded(id).into());
            self.runtime(id).deadline = Some(timer);
        }
        self.start_probe_workers(id, now);
        if spec.init_containers.is_empty() {
            self.start_app_containers(id, state, events);
        } else {
            self.create_container(id, ContainerRef::Init(0), state, events);
        }
    }

    fn start_app_containers<E: From<KubeletEvent>>(
        &mut self,
        id: PodId,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        let now = events.now();
        let observed = self.observed(id, now);
        state.set_pod_initialized(id, now, observed);
        for c in 0..state.pod(id).pod.spec.containers.len() {
            self.create_container(id, ContainerRef::App(c as u16), state, events);
        }
    }

    fn container(state: &ClusterState, id: PodId, c: ContainerRef) -> &Container {
        let spec = &state.pod(id).pod.spec;
        match c {
            ContainerRef::Init(i) => &spec.init_containers[i as usize],
            ContainerRef::App(i) => &spec.containers[i as usize],
        }
    }

    fn slot(rt: &mut PodRuntime, c: ContainerRef) -> &mut ContainerRuntime {
        match c {
            ContainerRef::Init(i) => &mut rt.init[i as usize],
            ContainerRef::App(i) => &mut rt.app[i as usize],
        }
    }

    fn set_state(state: &mut ClusterState, id: PodId, c: ContainerRef, s: ContainerState) {
        // With a startup or readiness probe a running container is ready only
        // once the prober says so.
        let probes = Self::container(state, id, c).probes;
        let probed =
            probes.get(ProbeKind::Startup).is_some() || probes.get(ProbeKind::Readiness).is_some();
        let counts = match c {
            ContainerRef::App(_) => true,
            ContainerRef::Init(i) => {
                state.pod(id).pod.spec.init_containers[i as usize].restart_policy_always
            }
        };
        let ready = matches!(s, ContainerState::Running { .. }) && counts && !probed;
        state.set_container_state(id, c, s, ready);
    }

    /// Makes sure the container's image is there, then creates the container.
    fn create_container<E: From<KubeletEvent>>(
        &mut self,
        id: PodId,
        c: ContainerRef,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        if self.ensure_image(id, c, state, events) {
            self.run_container(id, c, state, events);
        }
    }

    /// Asks the runtime to create and start a container; it runs after its start latency.
    fn run_container<E: From<KubeletEvent>>(
        &mut self,
        id: PodId,
        c: ContainerRef,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        let latency = Self::container(state, id, c)
            .behaviour
            .start_latency
            .clone();
        let rt = self.runtime(id);
        let delay = latency.sample(&mut rt.latency_rng);
        let timer = events.schedule(events.now() + delay, KubeletEvent::Started(id, c).into());
        Self::slot(rt, c).timer = Some(timer);
    }

    pub fn handle<E: From<KubeletEvent>>(
        &mut self,
        event: KubeletEvent,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        let now = events.now();
        match event {
            KubeletEvent::Started(id, c) => self.on_started(id, c, state, events),
            KubeletEvent::Probe(id, c, kind) => self.on_probe(id, c, kind, state, events),
            KubeletEvent::Pulled(id, c, requested, took) => {
                self.on_pulled(id, c, requested, took, state, events)
            }
            KubeletEvent::PullRetry(id, c) => {
                Self::slot(self.runtime(id), c).timer = None;
                self.create_container(id, c, state, events);
            }
            KubeletEvent::Exited(id, c) => self.on_exited(id, c, state, events),
            KubeletEvent::PostStartDone(id, c) => {
                let slot = Self::slot(self.runtime(id), c);
                slot.hook_timer = None;
                let started_at = slot.started_at;
                self.container_running(id, c, started_at, state, events);
            }
            KubeletEvent::PreStopHookFailed(id, c) => {
                Self::slot(self.runtime(id), c).timer = None;
                // The event leaves the hook's output out, as upstream does.
                let msg = "PreStopHook failed".to_string();
                state.record_pod_event(now, id, "FailedPreStopHook", msg);
            }
            KubeletEvent::DeadlineExceeded(id) => self.on_deadline_exceeded(id, state, events),
            KubeletEvent::Removed(id) => {
                // The timer has fired: drop its handle with the runtime.
                let stopping = self
                    .pods
                    .get_mut(id.0 as usize)
                    .and_then(Option::take)
                    .map(|rt| rt.stopping)
                    .unwrap_or_default();
                Self::set_terminal_phase(id, &stopping, state, now);
                state.delete_pod(id, now);
            }
            KubeletEvent::Restart(id, c) => {
                let rt = self.runtime(id);
                let slot = Self::slot(rt, c);
                slot.timer = None;
                let finished_at = slot.finished_at;
                slot.backoff.on_restart(finished_at, now);
                state.count_container_restart(id, c, now.since(finished_at));
                self.create_container(id, c, state, events);
            }
        }
    }

    fn on_started<E: From<KubeletEvent>>(
        &mut self,
        id: PodId,
        c: ContainerRef,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        let now = events.now();
        let container = Self::container(state, id, c);
        let name = container.name.clone();
        let run_time: Option<Distribution> = container.behaviour.run_time.clone();
        let crash_after = container.behaviour.crash_after.clone();
        let post_start_handler = container.lifecycle.post_start;
        let behaviour = std::sync::Arc::clone(&container.behaviour);
        let sidecar = matches!(c, ContainerRef::Init(_)) && container.restart_policy_always;
        // The OOM killer acts when the declared usage exceeds a set memory limit.
        let limit = container.limits.memory_bytes;
        let oom_after = container
            .behaviour
            .memory_usage_bytes
            .filter(|&usage| limit > 0 && usage > limit)
            .map(|_| container.behaviour.memory_usage_after.clone());
        let rt = self.runtime(id);
        let slot = Self::slot(rt, c);
        slot.timer = None;
        slot.started_at = now;
        // Init containers without a declared run time complete at once; app
        // containers without one run until the pod is deleted. A declared
        // crash or an OOM kill may end the run sooner.
        let run = match (&run_time, c) {
            (Some(d), _) => Some(d.sample(&mut rt.run_rng)),
            (None, ContainerRef::Init(_)) if !sidecar => Some(SimDuration::ZERO),
            (None, _) => None,
        };
        let mut end = run.map(|r| (r, ExitKind::RunEnds));
        if let Some(d) = &crash_after {
            let at = d.sample(&mut rt.run_rng);
            if end.is_none_or(|(r, _)| at < r) {
                end = Some((at, ExitKind::Crash));
            }
        }
        if let Some(at) = oom_after {
            let at = at.sample(&mut rt.run_rng);
            if end.is_none_or(|(r, _)| at < r) {
                end = Some((at, ExitKind::OomKilled));
            }
        }
        // `startContainer` (`kuberuntime_container.go`, v1.32) runs the
        // postStart hook right after starting the container and reports the
        // container running only once the hook has returned; a failing hook
        // gets the container killed when it returns (FailedPostStartHook).
        let hook = run_hook(
            post_start_handler,
            &behaviour.post_start,
            behaviour.post_start_fail_probability,
            &mut rt.run_rng,
        );
        let mut hook_returns = None;
        if let Some((took, fails)) = hook {
            if end.is_none_or(|(r, _)| took < r) {
                if fails {
                    end = Some((took, ExitKind::PostStartHookFailed));
                } else if took > SimDuration::ZERO {
                    hook_returns = Some(took);
                }
            }
        }
        if let Some((after, kind)) = end {
            let timer = events.schedule(now + after, KubeletEvent::Exited(id, c).into());
            let slot = Self::slot(self.runtime(id), c);
            slot.timer = Some(timer);
            slot.exit_kind = kind;
        }
        let created = ["Created container ", name.as_str()].concat();
        state.record_pod_event(now, id, "Created", created);
        let started = ["Started container ", name.as_str()].concat();
        state.record_pod_event(now, id, "Started", started);
        match hook_returns {
            Some(took) => {
                let at = now + took;
                let timer = events.schedule(at, KubeletEvent::PostStartDone(id, c).into());
                Self::slot(self.runtime(id), c).hook_timer = Some(timer);
            }
            None => self.container_running(id, c, now, state, events),
        }
    }

    /// The container runs (its postStart hook, if any, has returned): it
    /// counts as Running, its probes start, and a started sidecar lets the
    /// next init container start.
    fn container_running<E: From<KubeletEvent>>(
        &mut self,
        id: PodId,
        c: ContainerRef,
        started_at: SimTime,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        let now = events.now();
        let sidecar = match c {
            ContainerRef::Init(i) => {
                state.pod(id).pod.spec.init_containers[i as usize].restart_policy_always
            }
            ContainerRef::App(_) => false,
        };
        Self::set_state(state, id, c, ContainerState::Running { started_at });
        if let ContainerRef::App(_) = c {
            if state.pod(id).status.phase == PodPhase::Pending {
                state.set_phase(id, PodPhase::Running, now);
            }
            self.start_probes(id, c, state, events);
            self.update_readiness(id, state, now);
        }
        if let (ContainerRef::Init(i), true) = (c, sidecar) {
            // A started sidecar lets the next init container (or the app
            // containers) start; it keeps running beside them.
            self.start_probes(id, c, state, events);
            if self.runtime(id).init_passed == i as usize {
                self.init_done(id, i, state, events);
            }
            self.update_readiness(id, state, now);
        }
    }

    /// Init container `i` has completed (or, a sidecar, started): the next
    /// one starts, or the app containers after the last.
    fn init_done<E: From<KubeletEvent>>(
        &mut self,
        id: PodId,
        i: u16,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        self.runtime(id).init_passed = i as usize + 1;
        if (i as usize) + 1 < state.pod(id).pod.spec.init_containers.len() {
            self.create_container(id, ContainerRef::Init(i + 1), state, events);
        } else {
            self.start_app_containers(id, state, events);
        }
    }

    /// All app containers running ⇒ ContainersReady and Ready (no probes yet).
    fn update_readiness(&self, id: PodId, state: &mut ClusterState, now: SimTime) {
        let observed = self.observed(id, now);
        state.update_pod_readiness(id, now, observed);
    }

    /// When a status write the kubelet makes at `now` reaches the API.
    fn observed(&self, id: PodId, now: SimTime) -> SimTime {
        let (latency, seed) = &self.api_latency;
        now + latency.delay(Hop::StatusUpdate, id, *seed)
    }

    fn on_exited<E: From<KubeletEvent>>(
        &mut self,
        id: PodId,
        c: ContainerRef,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        let now = events.now();
        let behaviour = &Self::container(state, id, c).behaviour;
        let (fail_probability, normal_exit_code) =
            (behaviour.fail_probability, behaviour.exit_code);
        let restart_policy = state.pod(id).pod.spec.restart_policy;
        let rt = self.runtime(id);
        if Self::slot(rt, c).exit_kind == ExitKind::PostStartHookFailed {
            let name = Self::container(state, id, c).name.clone();
            let msg = format!("PostStartHookError: the hook of container {name} failed");
            state.record_pod_event(now, id, "FailedPostStartHook", msg);
            state.record_pod_event(
                now,
                id,
                "Killing",
                format!("FailedPostStartHook: Container {name} failed its postStart hook"),
            );
        }
        let rt = self.runtime(id);
        let (exit_code, reason) = match Self::slot(rt, c).exit_kind {
            ExitKind::OomKilled => (OOM_KILLED_EXIT_CODE, "OOMKilled"),
            ExitKind::Crash => (1, "Error"),
            ExitKind::ProbeKilled | ExitKind::PostStartHookFailed => {
                (OOM_KILLED_EXIT_CODE, "Error")
            }
            ExitKind::RunEnds => {
                let failed = fail_probability > 0.0 && rt.run_rng.gen::<f64>() < fail_probability;
                let exit_code = if failed { 1 } else { normal_exit_code };
                (
                    exit_code,
                    if exit_code == 0 { "Completed" } else { "Error" },
                )
            }
        };

        let slot = Self::slot(rt, c);
        slot.timer = None;
        if let Some(t) = slot.hook_timer.take() {
            // It exited before its postStart hook returned.
            events.cancel(t);
        }
        slot.probes.stop(events);
        slot.finished_at = now;
        slot.exit_code = exit_code;
        Self::set_state(
            state,
            id,
            c,
            ContainerState::Terminated {
                exit_code,
                reason,
                finished_at: now,
            },
        );

        // Init containers of a pod with restartPolicy Always restart only
        // on failure; sidecars (init containers with restartPolicy Always)
        // always restart (`kuberuntime_manager.go` computeInitContainerActions).
        let restart_policy = match c {
            ContainerRef::Init(i)
                if state.pod(id).pod.spec.init_containers[i as usize].restart_policy_always =>
            {
                RestartPolicy::Always
            }
            ContainerRef::Init(_) if restart_policy == RestartPolicy::Always => {
                RestartPolicy::OnFailure
            }
            _ => restart_policy,
        };
        if restart_policy.restarts(exit_code) {
            let delay = Self::slot(self.runtime(id), c)
                .backoff
                .delay_after_exit(now);
            if delay > SimDuration::ZERO {
                Self::set_state(
                    state,
                    id,
                    c,
                    ContainerState::Waiting {
                        reason: "CrashLoopBackOff",
                    },
                );
                let pod_name = &state.pod(id).pod.metadata;
                let msg = format!(
                    "Back-off restarting failed container {} in pod {}_{}",
                    Self::container(state, id, c).name,
                    pod_name.name,
                    pod_name.namespace
                );
                state.record_pod_event(now, id, "BackOff", msg);
            }
            let timer = events.schedule(now + delay, KubeletEvent::Restart(id, c).into());
            Self::slot(self.runtime(id), c).timer = Some(timer);
            if let ContainerRef::App(_) = c {
                self.update_readiness(id, state, now);
            }
            return;
        }

        Self::slot(self.runtime(id), c).done = true;
        match c {
            ContainerRef::Init(i) => {
                if exit_code != 0 {
                    // Never restarts: the pod fails (`Init:Error`).
                    self.finish_pod(id, PodPhase::Failed, "Init:Error", state, events);
                } else if self.runtime(id).init_passed == i as usize {
                    self.init_done(id, i, state, events);
                }
            }
            ContainerRef::App(_) => {
                self.update_readiness(id, state, now);
                let rt = self.runtime(id);
                if rt.app.iter().all(|s| s.done) {
                    let all_ok = rt.app.iter().all(|s| s.exit_code == 0);
                    let (phase, reason) = if all_ok {
                        (PodPhase::Succeeded, "Completed")
                    } else {
                        (PodPhase::Failed, "Error")
                    };
                    self.finish_pod(id, phase, reason, state, events);
                }
            }
        }
    }

    /// The pod is done: what still runs (sidecars, probes) is stopped.
    fn finish_pod<E>(
        &mut self,
        id: PodId,
        phase: PodPhase,
        reason: &'static str,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        let now = events.now();
        if let Some(mut rt) = self.pods[id.0 as usize].take() {
            rt.cancel_timers(events);
        }
        state.set_pod_reason(id, reason);
        state.clear_pod_readiness(id);
        state.set_phase(id, phase, now);
    }
}

/// The Killing events of a pod whose running containers the kubelet stops at
/// once: the pod left the API under it (`kubectl delete --grace-period=0
/// --force`) or its `activeDeadlineSeconds` passed.
fn kill_running_containers(id: PodId, state: &mut ClusterState, now: SimTime) {
    let entry = state.pod(id);
    let running: Vec<String> = entry
        .pod
        .spec
        .init_containers
        .iter()
        .zip(&entry.status.init_container_statuses)
        .chain(
            entry
                .pod
                .spec
                .containers
                .iter()
                .zip(&entry.status.container_statuses),
        )
        .filter(|(_, s)| matches!(s.state, ContainerState::Running { .. }))
        .map(|(c, _)| c.name.clone())
        .collect();
    for name in running {
        state.record_pod_event(now, id, "Killing", format!("Stopping container {name}"));
    }
}
