//! The kubelet's prober (`pkg/kubelet/prober/worker.go`, v1.32): one worker
//! per probe of an app container or a sidecar, created when the kubelet
//! starts syncing the pod (`SyncPod` calls `probeManager.AddPod` before it
//! pulls images or creates containers). A worker probes at once and then on
//! every tick of its ticker, every `periodSeconds` from its start; the
//! probe at once always finds no container yet. A tick does nothing while
//! the container is not running, within `initialDelaySeconds` of the
//! container's start, or (readiness and liveness) before the startup probe
//! has succeeded, so the first real probe lands up to one period after the
//! container starts. When a container restarts the worker keeps its ticker
//! and its run of equal results; the probe's state goes back to its
//! initial value (not ready, not started), and a kill by the liveness or
//! startup probe clears the run (`onHold`). A result changes the probe's
//! state only after `successThreshold` / `failureThreshold` equal results
//! in a row. Readiness starts as Failure (not ready), so a container with a
//! readiness probe is Ready after its first passing probe. A failed
//! liveness or startup probe kills the container, which restarts by
//! `restartPolicy` (with the usual backoff). Every failed probe records an
//! Unhealthy event.
//!
//! Upstream delays a worker's start by a random part of its period when
//! the kubelet itself started less than a period ago (so that a restarted
//! kubelet does not probe everything at once). kubesim's kubelets are
//! running before the simulation starts, and a node's reboot restarts its
//! pods' workers without that delay: it is not modelled.
//!
//! What a probe returns is declared: the readiness probe passes from
//! `readyAfter` after each start, the startup probe from `startedAfter`,
//! and the liveness probe fails from `livenessFailsAfter` on (a memory leak
//! that breaks the app after N minutes). With a declared
//! `probeResponseTime`, an answer slower than `timeoutSeconds` fails.

use super::{ContainerRef, ExitKind, KubeletEvent, Kubelets};
use crate::engine::{EventQueue, SimDuration, SimTime, TimerId};
use crate::model::probe::{Probe, ProbeKind};
use crate::model::store::PodId;
use crate::model::ClusterState;

/// The probe workers of one container: their tickers run from the pod's
/// sync; the rest describes the container's current run.
#[derive(Clone, Debug, Default)]
pub struct ProbeRuntime {
    /// When the workers started: every tick is `periodSeconds` apart from it.
    worker_start: SimTime,
    /// Each worker's last tick that probed (the worker's start before any).
    last_tick: [SimTime; 3],
    /// When the current run of the container started.
    started_at: SimTime,
    /// How long it had run by `started_at` (a snapshot's container running
    /// since before t = 0): `initialDelaySeconds` and the declared turns
    /// count from its real start (`worker.go` compares the delay with the
    /// time since `State.Running.StartedAt`).
    ran_before: SimDuration,
    timers: [Option<TimerId>; 3],
    /// Results in a row: (kind of the last result: true = success, count).
    /// Kept across the container's restarts, as the worker keeps it.
    run: [(bool, u32); 3],
    startup_done: bool,
    /// When each probe starts passing (startup, readiness) or failing (liveness).
    turns_at: [Option<SimTime>; 3],
}

impl ProbeRuntime {
    pub fn stop<E>(&mut self, events: &mut EventQueue<E>) {
        for t in self.timers.iter_mut() {
            if let Some(t) = t.take() {
                events.cancel(t);
            }
        }
    }
}

/// The first tick of a worker started at `worker_start` that comes after
/// `after` and at or after `earliest`. Ticks are `worker_start + k ×
/// periodSeconds` for k ≥ 1: the probe at k = 0 runs as the worker starts,
/// before the pod has any container.
fn next_tick(probe: &Probe, worker_start: SimTime, after: SimTime, earliest: SimTime) -> SimTime {
    let period = SimDuration::from_secs(probe.period_s.max(1) as u64).0;
    let from = earliest.max(after.max(worker_start) + SimDuration(1));
    let k = from.since(worker_start).0.div_ceil(period);
    worker_start + SimDuration(k * period)
}

impl Kubelets {
    /// The kubelet starts syncing the pod (`probeManager.AddPod`): the probe
    /// workers of all its containers start their tickers now.
    pub(super) fn start_probe_workers(&mut self, id: PodId, now: SimTime) {
        let rt = self.runtime(id);
        for c in rt.init.iter_mut().chain(rt.app.iter_mut()) {
            c.probes.worker_start = now;
            c.probes.last_tick = [now; 3];
        }
    }

    /// A container started running: its workers probe it from their next
    /// ticks on.
    pub(super) fn start_probes<E: From<KubeletEvent>>(
        &mut self,
        id: PodId,
        c: ContainerRef,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        let now = events.now();
        let container = Self::container(state, id, c);
        let probes = container.probes;
        if probes.0.iter().all(Option::is_none) {
            return;
        }
        let b = container.behaviour.clone();
        let rt = self.runtime(id);
        let ran = Self::slot(rt, c).ran_before;
        let after_start = |d: SimDuration| now + d.saturating_sub(ran);
        // Draw only for declared probes, so other draws do not shift.
        let mut turns_at = [None; 3];
        if probes.get(ProbeKind::Startup).is_some() {
            turns_at[0] = Some(after_start(b.started_after.sample(&mut rt.run_rng)));
        }
        if probes.get(ProbeKind::Readiness).is_some() {
            turns_at[1] = Some(after_start(b.ready_after.sample(&mut rt.run_rng)));
        }
        if probes.get(ProbeKind::Liveness).is_some() {
            turns_at[2] = b
                .liveness_fails_after
                .as_ref()
                .map(|d| after_start(d.sample(&mut rt.run_rng)));
        }
        let slot = Self::slot(rt, c);
        let pr = &mut slot.probes;
        // A new container: the probes' states start again (not started, not
        // ready); the tickers and the runs of results go on.
        pr.stop(events);
        pr.started_at = now;
        pr.ran_before = ran;
        pr.startup_done = probes.get(ProbeKind::Startup).is_none();
        pr.turns_at = turns_at;
        let first: &[ProbeKind] = if pr.startup_done {
            &[ProbeKind::Readiness, ProbeKind::Liveness]
        } else {
            &[ProbeKind::Startup]
        };
        for &kind in first {
            if let Some(p) = probes.get(kind) {
                let delay = SimDuration::from_secs(p.initial_delay_s as u64);
                let earliest = after_start(delay);
                let at = next_tick(p, pr.worker_start, pr.last_tick[kind as usize], earliest);
                let t = events.schedule(at, KubeletEvent::Probe(id, c, kind).into());
                pr.timers[kind as usize] = Some(t);
            }
        }
    }

    pub(super) fn on_probe<E: From<KubeletEvent>>(
        &mut self,
        id: PodId,
        c: ContainerRef,
        kind: ProbeKind,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        let now = events.now();
        let container = Self::container(state, id, c);
        let probe = *container.probes.get(kind).expect("scheduled probes exist");
        let name = container.name.clone();
        let all = container.probes;
        let response = container.behaviour.probe_response_time.clone();
        let rt = self.runtime(id);
        // An answer slower than timeoutSeconds is a failure ("context deadline exceeded").
        let timed_out = response.is_some_and(|d| {
            d.sample(&mut rt.run_rng) > SimDuration::from_secs(probe.timeout_s.max(1) as u64)
        });
        let slot = Self::slot(rt, c);
        let pr = &mut slot.probes;
        pr.timers[kind as usize] = None;
        pr.last_tick[kind as usize] = now;
        let success = !timed_out
            && match (kind, pr.turns_at[kind as usize]) {
                (ProbeKind::Liveness, None) => true,
                (ProbeKind::Liveness, Some(fails)) => now < fails,
                (_, at) => at.is_some_and(|at| now >= at),
            };
        let run = &mut pr.run[kind as usize];
        *run = if run.0 == success && run.1 > 0 {
            (success, run.1 + 1)
        } else {
            (success, 1)
        };
        let count = run.1;
        // The next tick, unless this result ends the worker.
        let period = SimDuration::from_secs(probe.period_s.max(1) as u64);
        let mut reschedule = true;
        if !success {
            let why = if timed_out {
                format!(
                    "timeout: the probe took longer than {}s",
                    probe.timeout_s.max(1)
                )
            } else {
                "declared failure".to_string()
            };
            state.record_pod_event(
                now,
                id,
                "Unhealthy",
                format!("{} probe failed: {why}", kind.title()),
            );
        }
        match kind {
            ProbeKind::Startup if success => {
                // Started: the readiness and liveness workers take over.
                pr.startup_done = true;
                reschedule = false;
                // Their workers see the container started at their next tick
                // after this one: a tick at this instant read the status
                // before the startup result reached it.
                for k in [ProbeKind::Readiness, ProbeKind::Liveness] {
                    if let Some(p) = all.get(k) {
                        let delay = SimDuration::from_secs(p.initial_delay_s as u64);
                        let earliest = pr.started_at + delay.saturating_sub(pr.ran_before);
                        let after = pr.last_tick[k as usize].max(now);
                        let at = next_tick(p, pr.worker_start, after, earliest);
                        let t = events.schedule(at, KubeletEvent::Probe(id, c, k).into());
                        pr.timers[k as usize] = Some(t);
                    }
                }
                if all.get(ProbeKind::Readiness).is_none() {
                    self.set_container_ready(id, c, true, state, now);
                }
            }
            ProbeKind::Readiness => {
                if success && count >= probe.success_threshold {
                    self.set_container_ready(id, c, true, state, now);
                } else if !success && count >= probe.failure_threshold {
                    self.set_container_ready(id, c, false, state, now);
                }
            }
            ProbeKind::Startup | ProbeKind::Liveness
                if !success && count >= probe.failure_threshold =>
            {
                state.record_pod_event(
                    now,
                    id,
                    "Killing",
                    format!(
                        "Container {name} failed {} probe, will be restarted",
                        kind.title().to_lowercase()
                    ),
                );
                let slot = Self::slot(self.runtime(id), c);
                if let Some(t) = slot.timer.take() {
                    events.cancel(t);
                }
                // The worker is on hold until the next container, its run cleared.
                slot.probes.run[kind as usize].1 = 0;
                slot.exit_kind = ExitKind::ProbeKilled;
                self.on_exited(id, c, state, events);
                return;
            }
            _ => {}
        }
        if reschedule {
            let slot = Self::slot(self.runtime(id), c);
            let t = events.schedule(now + period, KubeletEvent::Probe(id, c, kind).into());
            slot.probes.timers[kind as usize] = Some(t);
        }
    }

    fn set_container_ready(
        &mut self,
        id: PodId,
        c: ContainerRef,
        ready: bool,
        state: &mut ClusterState,
        now: SimTime,
    ) {
        if state.set_container_ready(id, c, ready) {
            self.update_readiness(id, state, now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_follow_the_workers_period_from_its_start() {
        let p = Probe {
            period_s: 10,
            ..Default::default()
        };
        let w = SimTime::from_secs(100);
        let t = SimTime::from_secs;
        // Ticks at 110, 120 …: the probe at the worker's start finds no container.
        assert_eq!(next_tick(&p, w, w, w), t(110));
        // A container started at 102 with initialDelaySeconds 15: the first
        // tick at or after 117 is 120.
        assert_eq!(next_tick(&p, w, w, t(117)), t(120));
        // A container started on a tick: that tick probes it.
        assert_eq!(next_tick(&p, w, w, t(130)), t(130));
        // Never the same tick twice: after a probe at 130, the next is 140.
        assert_eq!(next_tick(&p, w, t(130), t(130)), t(140));
    }
}
