//! A container's run: what the runtime's start of it schedules (its exit,
//! its postStart hook) and its becoming Running; and the pods of a
//! snapshot that already run at t = 0, which the kubelet resumes where the
//! snapshot shows them instead of starting them.

use super::termination::run_hook;
use super::{ContainerRef, ExitKind, KubeletEvent, Kubelets};
use crate::engine::distribution::Distribution;
use crate::engine::{EventQueue, SimDuration, SimTime};
use crate::model::pod::SnapshotStart;
use crate::model::status::ContainerState;
use crate::model::store::PodId;
use crate::model::{ClusterState, PodPhase};

impl Kubelets {
    /// The runtime has started the container, or, `ran` set, the kubelet
    /// finds it running since `ran` before now (a snapshot's pod at t = 0):
    /// its run ends `ran` sooner, and its start (the Created and Started
    /// events, the postStart hook) happened before.
    pub(super) fn on_started<E: From<KubeletEvent>>(
        &mut self,
        id: PodId,
        c: ContainerRef,
        ran: Option<SimDuration>,
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
        // A start before t = 0 shows as t = 0: simulated time has no past.
        slot.started_at = now;
        slot.ran_before = ran.unwrap_or(SimDuration::ZERO);
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
        let hook = match ran {
            Some(_) => None,
            None => run_hook(
                post_start_handler,
                &behaviour.post_start,
                behaviour.post_start_fail_probability,
                &mut rt.run_rng,
            ),
        };
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
            // A run already over by now ends now, with its exit code.
            let after = after.saturating_sub(ran.unwrap_or(SimDuration::ZERO));
            let timer = events.schedule(now + after, KubeletEvent::Exited(id, c).into());
            let slot = Self::slot(self.runtime(id), c);
            slot.timer = Some(timer);
            slot.exit_kind = kind;
        }
        if ran.is_none() {
            let created = ["Created container ", name.as_str()].concat();
            state.record_pod_event(now, id, "Created", created);
            let started = ["Started container ", name.as_str()].concat();
            state.record_pod_event(now, id, "Started", started);
        }
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
    pub(super) fn container_running<E: From<KubeletEvent>>(
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

    /// A snapshot's pod running since before t = 0 (`status.startTime`):
    /// the kubelet finds its sandbox up and its containers running, as a
    /// restarted kubelet finds them (`SyncPod` computes no action for a
    /// running container): no image pull, no start latency, no postStart
    /// hook again. Its init containers completed before (sidecars run, since
    /// the pod started); each app container runs since its
    /// `state.running.startedAt`, and one the snapshot shows not running is
    /// created afresh.
    pub(super) fn resume_pod<E: From<KubeletEvent>>(
        &mut self,
        id: PodId,
        snapshot: &SnapshotStart,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        let now = events.now();
        // They ran on while the pod reached its kubelet (API latency, a node
        // unreachable at t = 0): what they ran by now.
        let since_t0 = now.since(SimTime::ZERO);
        let init = state.pod(id).pod.spec.init_containers.clone();
        // Passed already: a sidecar's start below lets nothing else start.
        self.runtime(id).init_passed = init.len();
        for (i, container) in init.iter().enumerate() {
            let c = ContainerRef::Init(i as u16);
            if container.restart_policy_always {
                self.on_started(id, c, Some(snapshot.pod + since_t0), state, events);
            } else {
                let slot = Self::slot(self.runtime(id), c);
                slot.done = true;
                let completed = ContainerState::Terminated {
                    exit_code: 0,
                    reason: "Completed",
                    finished_at: now,
                };
                Self::set_state(state, id, c, completed);
            }
        }
        let observed = self.observed(id, now);
        state.set_pod_initialized(id, now, observed);
        for (i, ran) in snapshot.containers.iter().enumerate() {
            let c = ContainerRef::App(i as u16);
            match ran {
                Some(ran) => self.on_started(id, c, Some(*ran + since_t0), state, events),
                None => self.create_container(id, c, state, events),
            }
        }
    }
}
