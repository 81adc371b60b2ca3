//! The kubelet's prober (`pkg/kubelet/prober/worker.go`, v1.32): one worker
//! per probe of a running app container. A worker ticks every
//! `periodSeconds` from the container's start and skips ticks until
//! `initialDelaySeconds` have passed; readiness and liveness also wait until
//! the startup probe has succeeded. A result changes the probe's state only
//! after `successThreshold` / `failureThreshold` equal results in a row.
//! Readiness starts as Failure (not ready), so a container with a readiness
//! probe is Ready after its first passing probe. A failed liveness or
//! startup probe kills the container, which restarts by `restartPolicy`
//! (with the usual backoff). Every failed probe records an Unhealthy event.
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

/// The probe workers of one run of a container.
#[derive(Clone, Debug, Default)]
pub struct ProbeRuntime {
    started_at: SimTime,
    timers: [Option<TimerId>; 3],
    /// Results in a row: (kind of the last result: true = success, count).
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

/// The first tick of a worker started at `start` that is at or after `now`
/// and at least `initialDelaySeconds` after `start`.
fn next_tick(probe: &Probe, start: SimTime, now: SimTime) -> SimTime {
    let period = SimDuration::from_secs(probe.period_s.max(1) as u64).0;
    let earliest = now.max(start + SimDuration::from_secs(probe.initial_delay_s as u64));
    let k = earliest.since(start).0.div_ceil(period);
    start + SimDuration(k * period)
}

impl Kubelets {
    /// Starts the probe workers of a container that just started running.
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
        // Draw only for declared probes, so other draws do not shift.
        let mut turns_at = [None; 3];
        if probes.get(ProbeKind::Startup).is_some() {
            turns_at[0] = Some(now + b.started_after.sample(&mut rt.run_rng));
        }
        if probes.get(ProbeKind::Readiness).is_some() {
            turns_at[1] = Some(now + b.ready_after.sample(&mut rt.run_rng));
        }
        if probes.get(ProbeKind::Liveness).is_some() {
            turns_at[2] = b
                .liveness_fails_after
                .as_ref()
                .map(|d| now + d.sample(&mut rt.run_rng));
        }
        let slot = Self::slot(rt, c);
        slot.probes = ProbeRuntime {
            started_at: now,
            timers: [None; 3],
            run: [(false, 0); 3],
            startup_done: probes.get(ProbeKind::Startup).is_none(),
            turns_at,
        };
        let first: &[ProbeKind] = if slot.probes.startup_done {
            &[ProbeKind::Readiness, ProbeKind::Liveness]
        } else {
            &[ProbeKind::Startup]
        };
        for &kind in first {
            if let Some(p) = probes.get(kind) {
                let at = next_tick(p, now, now);
                let t = events.schedule(at, KubeletEvent::Probe(id, c, kind).into());
                slot.probes.timers[kind as usize] = Some(t);
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
                for k in [ProbeKind::Readiness, ProbeKind::Liveness] {
                    if let Some(p) = all.get(k) {
                        let at = next_tick(p, pr.started_at, now);
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
    fn ticks_follow_the_period_after_the_initial_delay() {
        let p = Probe {
            initial_delay_s: 15,
            period_s: 10,
            ..Default::default()
        };
        let start = SimTime::from_secs(100);
        // Ticks at 100, 110, 120 …; the first at least 15 s after the start is 120.
        assert_eq!(next_tick(&p, start, start), SimTime::from_secs(120));
        assert_eq!(
            next_tick(&p, start, SimTime::from_secs(121)),
            SimTime::from_secs(130)
        );
        let p0 = Probe::default();
        assert_eq!(next_tick(&p0, start, start), start);
    }
}
