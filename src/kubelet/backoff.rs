//! The kubelet's container restart backoff: `flowcontrol.Backoff` as
//! `pkg/kubelet/kuberuntime/kuberuntime_manager.go` `doBackOff` uses it
//! (Kubernetes v1.32), without jitter.
//!
//! The first restart after a crash is immediate and arms a 10 s backoff; each
//! later restart waits out the current backoff from the container's exit and
//! doubles it, up to 300 s. An entry expires when the container ran for more
//! than twice the maximum (10 min) since its last restart: the next crash
//! restarts at once again.

use crate::engine::{SimDuration, SimTime};

/// `kubelet.go`: `backOffPeriod`.
pub const INITIAL_BACKOFF: SimDuration = SimDuration(10_000_000);
/// `kubelet.go`: `MaxContainerBackOff`.
pub const MAX_BACKOFF: SimDuration = SimDuration(300_000_000);

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RestartBackoff {
    /// (current backoff, time of the last restart); `None` before the first restart.
    entry: Option<(SimDuration, SimTime)>,
}

impl RestartBackoff {
    /// `hasExpired`: more than 2 × max since the last update.
    fn expired(event_time: SimTime, last_update: SimTime) -> bool {
        event_time.since(last_update) > MAX_BACKOFF.saturating_mul(2)
    }

    /// How long after its exit at `finished_at` the container may restart
    /// (`IsInBackOffSince`): zero when there is no live entry.
    pub fn delay_after_exit(&self, finished_at: SimTime) -> SimDuration {
        match self.entry {
            Some((backoff, last_update)) if !Self::expired(finished_at, last_update) => backoff,
            _ => SimDuration::ZERO,
        }
    }

    /// `Next`, called when the container is restarted at `now` after exiting at `finished_at`.
    pub fn on_restart(&mut self, finished_at: SimTime, now: SimTime) {
        let backoff = match self.entry {
            Some((b, last_update)) if !Self::expired(finished_at, last_update) => {
                SimDuration(b.0.saturating_mul(2)).min(MAX_BACKOFF)
            }
            _ => INITIAL_BACKOFF,
        };
        self.entry = Some((backoff, now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A container that crashes `run` after each start: the delays between exit and restart.
    fn delays(run: SimDuration, crashes: usize) -> Vec<u64> {
        let mut b = RestartBackoff::default();
        let mut now = SimTime::ZERO;
        let mut out = vec![];
        for _ in 0..crashes {
            now += run; // crash
            let d = b.delay_after_exit(now);
            out.push(d.0 / 1_000_000);
            let finished = now;
            now += d;
            b.on_restart(finished, now);
        }
        out
    }

    #[test]
    fn crash_loop_delays_double_to_five_minutes() {
        assert_eq!(
            delays(SimDuration::from_secs(5), 9),
            vec![0, 10, 20, 40, 80, 160, 300, 300, 300]
        );
    }

    #[test]
    fn backoff_resets_after_ten_minutes_of_running() {
        let mut b = RestartBackoff::default();
        b.on_restart(SimTime::ZERO, SimTime::ZERO);
        b.on_restart(SimTime::from_secs(1), SimTime::from_secs(11)); // backoff now 20 s
        assert_eq!(
            b.delay_after_exit(SimTime::from_secs(20)),
            SimDuration::from_secs(20)
        );
        // Exactly 10 min after the last restart is not yet expired; just over is.
        assert_eq!(
            b.delay_after_exit(SimTime::from_secs(611)),
            SimDuration::from_secs(20)
        );
        assert_eq!(b.delay_after_exit(SimTime(611_000_001)), SimDuration::ZERO);
        b.on_restart(SimTime(611_000_001), SimTime(611_000_001));
        assert_eq!(b.delay_after_exit(SimTime::from_secs(620)), INITIAL_BACKOFF);
    }
}
