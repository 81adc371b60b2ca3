//! How the kubelet ends a pod's run: graceful termination of a deleted pod
//! (preStop hooks, SIGTERM, the grace period, SIGKILL), the terminal phase it
//! writes before the pod leaves the API, and `activeDeadlineSeconds`. Also
//! how long a lifecycle hook (postStart or preStop) runs and whether it fails.

use super::{KubeletEvent, Kubelets, MINIMUM_GRACE_PERIOD_S, OOM_KILLED_EXIT_CODE};
use crate::engine::distribution::Distribution;
use crate::engine::{EventQueue, SimDuration, SimTime};
use crate::model::pod::HookHandler;
use crate::model::status::{ContainerRef, ContainerState};
use crate::model::store::PodId;
use crate::model::{ClusterState, PodPhase};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

impl Kubelets {
    /// `activeDeadlineSeconds` have passed since the pod started: the
    /// kubelet's `activeDeadlineHandler` (`pkg/kubelet/active_deadline.go`,
    /// v1.32) has it evicted — phase Failed, reason DeadlineExceeded, an
    /// event saying so — and its containers are killed.
    pub(super) fn on_deadline_exceeded<E>(
        &mut self,
        id: PodId,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        let now = events.now();
        self.runtime(id).deadline = None;
        if state.pod(id).terminating.is_some() || state.pod(id).status.phase.is_terminal() {
            return;
        }
        let msg = "Pod was active on the node longer than the specified deadline".to_string();
        state.record_pod_event(now, id, "DeadlineExceeded", msg);
        super::kill_running_containers(id, state, now);
        state.lose_running_containers(id, OOM_KILLED_EXIT_CODE, "Error", now);
        self.finish_pod(id, PodPhase::Failed, "DeadlineExceeded", state, events);
    }

    /// Before a terminated pod leaves the API the kubelet writes its terminal
    /// phase (`generateAPIPodStatus` with podIsTerminal and `getPhase` in
    /// `pkg/kubelet/kubelet_pods.go`, and the status manager's rule that a
    /// terminal pod still Pending or Running is Failed, v1.32): Succeeded when
    /// every app container has terminated with exit code 0, else Failed.
    /// `stopping` holds the containers that ran until the deletion, with the
    /// exit code each stopped with.
    pub(super) fn set_terminal_phase(
        id: PodId,
        stopping: &[(ContainerRef, i32)],
        state: &mut ClusterState,
        now: SimTime,
    ) {
        let entry = state.pod(id);
        if entry.status.phase.is_terminal() {
            return;
        }
        for &(c, exit_code) in stopping {
            let reason = if exit_code == 0 { "Completed" } else { "Error" };
            let stopped = ContainerState::Terminated {
                exit_code,
                reason,
                finished_at: now,
            };
            state.set_container_state(id, c, stopped, false);
        }
        let all_succeeded = state
            .pod(id)
            .status
            .container_statuses
            .iter()
            .all(|s| matches!(s.state, ContainerState::Terminated { exit_code: 0, .. }));
        let (phase, reason) = if all_succeeded {
            (PodPhase::Succeeded, "Completed")
        } else {
            (PodPhase::Failed, "Error")
        };
        state.set_pod_reason(id, reason);
        state.clear_pod_readiness(id);
        state.set_phase(id, phase, now);
    }

    /// Graceful termination (`kuberuntime_container.go` killContainer, v1.32):
    /// each running container runs its preStop hook (bounded by the grace
    /// period), gets SIGTERM, and has what is left of the grace period — at
    /// least the 2 s `minimumGracePeriodInSeconds` — to exit before SIGKILL.
    /// The pod is removed from the API when its last container has stopped.
    pub(super) fn terminate_pod<E: From<KubeletEvent>>(
        &mut self,
        id: PodId,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        let now = events.now();
        let Some(rt) = self.pods.get_mut(id.0 as usize).and_then(Option::as_mut) else {
            // No containers were started for it: remove at once.
            state.delete_pod(id, now);
            return;
        };
        // A container whose postStart hook still runs is running too.
        let in_hook: Vec<ContainerRef> = (rt.init.iter().enumerate())
            .map(|(i, s)| (ContainerRef::Init(i as u16), s))
            .chain((rt.app.iter().enumerate()).map(|(i, s)| (ContainerRef::App(i as u16), s)))
            .filter(|(_, s)| s.hook_timer.is_some())
            .map(|(c, _)| c)
            .collect();
        rt.cancel_timers(events);
        let entry = state.pod(id);
        // A deletion's own grace period wins over the spec's
        // (`metadata.deletionGracePeriodSeconds`).
        let grace_s = state
            .deletion_grace_period_s(id)
            .unwrap_or(entry.pod.spec.termination_grace_period_s);
        let grace = SimDuration::from_secs(grace_s.max(0) as u64);
        let min_grace = SimDuration::from_secs(MINIMUM_GRACE_PERIOD_S);
        let mut last_stop = SimDuration::ZERO;
        let mut stopping = Vec::new();
        let spec = &entry.pod.spec;
        let init = (0..spec.init_containers.len()).map(|i| ContainerRef::Init(i as u16));
        let app = (0..spec.containers.len()).map(|i| ContainerRef::App(i as u16));
        let mut failed_hooks = Vec::new();
        for c in init.chain(app) {
            let running = matches!(
                entry.status.container(c).state,
                ContainerState::Running { .. }
            );
            if !running && !in_hook.contains(&c) {
                continue;
            }
            let container = Self::container(state, id, c);
            let b = &container.behaviour;
            // `executePreStopHook`: the kubelet waits for the hook at most the
            // grace period; a hook that returns an error only leaves an event.
            let (hook, hook_fails) = run_hook(
                container.lifecycle.pre_stop,
                &b.pre_stop,
                b.pre_stop_fail_probability,
                &mut rt.run_rng,
            )
            .unwrap_or((SimDuration::ZERO, false));
            if hook_fails && hook <= grace {
                failed_hooks.push((c, hook));
            }
            let hook = hook.min(grace);
            let left = SimDuration(grace.0 - hook.0).max(min_grace);
            let needs = b.stop_time.sample(&mut rt.run_rng);
            // Exiting within what is left of the grace period, the container
            // exits as it declares; otherwise SIGKILL ends it (137).
            let exit_code = if needs <= left {
                b.exit_code
            } else {
                OOM_KILLED_EXIT_CODE
            };
            let exit = needs.min(left);
            last_stop = last_stop.max(hook + exit);
            rt.stopping.push((c, exit_code));
            stopping.push(container.name.clone());
        }
        for (c, after) in failed_hooks {
            let timer = events.schedule(now + after, KubeletEvent::PreStopHookFailed(id, c).into());
            Self::slot(rt, c).timer = Some(timer);
        }
        for name in stopping {
            state.record_pod_event(now, id, "Killing", format!("Stopping container {name}"));
        }
        rt.removal = Some(events.schedule(now + last_stop, KubeletEvent::Removed(id).into()));
    }
}

/// A lifecycle hook's run: how long it takes and whether it fails. A sleep
/// takes exactly its seconds and succeeds; the other handlers take and fail
/// as declared (by default: at once, successfully). A declared duration
/// without a hook in the spec stands for a hook the manifest leaves out.
pub(super) fn run_hook(
    handler: Option<HookHandler>,
    declared: &Option<Distribution>,
    fail_probability: f64,
    rng: &mut ChaCha8Rng,
) -> Option<(SimDuration, bool)> {
    let declared_run = |rng: &mut ChaCha8Rng| {
        let took = declared
            .as_ref()
            .map_or(SimDuration::ZERO, |d| d.sample(rng));
        let fails = fail_probability > 0.0 && rng.gen::<f64>() < fail_probability;
        (took, fails)
    };
    match handler {
        Some(HookHandler::Sleep(took)) => Some((took, false)),
        Some(HookHandler::Declared) => Some(declared_run(rng)),
        None => declared.is_some().then(|| declared_run(rng)),
    }
}
