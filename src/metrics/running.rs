//! The summary figures that come from the samples, gathered as each sample
//! is taken, so that neither a long run's memory nor its final summary
//! grows with the number of samples (timeseries.csv and workloads.csv rows
//! are streamed away as they are taken).
//!
//! Every sum adds the values one by one in sample order from 0.0, exactly
//! as a mean over the kept samples did, so the figures are bit for bit the
//! same as when they were computed at the end.

use super::rows::{Sample, WorkloadSample};
use crate::engine::SimTime;

/// The running max of `f64`s (`f64::max`, first value first).
fn fold_max(m: &mut Option<f64>, v: f64) {
    *m = Some(m.map_or(v, |m| m.max(v)));
}

fn fold_min(m: &mut Option<i32>, v: i32) {
    *m = Some(m.map_or(v, |m| m.min(v)));
}

/// A mean added up one value at a time.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RunningMean {
    sum: f64,
    n: usize,
}

impl RunningMean {
    pub fn add(&mut self, v: f64) {
        self.sum += v;
        self.n += 1;
    }

    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }
}

/// summary.csv's figures from timeseries.csv.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SampleFigures {
    pub cpu_allocated: RunningMean,
    pub memory_allocated: RunningMean,
    pub nodes_with_pods: RunningMean,
    pub cpu_allocated_max: Option<f64>,
    pub memory_allocated_max: Option<f64>,
}

impl SampleFigures {
    pub fn add(&mut self, s: &Sample) {
        self.cpu_allocated.add(s.cpu_allocated_ratio);
        self.memory_allocated.add(s.memory_allocated_ratio);
        self.nodes_with_pods.add(s.nodes_with_pods as f64);
        fold_max(&mut self.cpu_allocated_max, s.cpu_allocated_ratio);
        fold_max(&mut self.memory_allocated_max, s.memory_allocated_ratio);
    }
}

/// What workload_summary.csv (and summary.csv's Deployment availability)
/// needs of one workload object's samples.
///
/// `rollout_min_available` is the least `available` of the samples taken
/// during one of the object's completed rollouts `(start, end)`, ends
/// included. A rollout is listed in the status only once it completes, so
/// the samples taken while it runs are folded into `in_rollout` (the
/// controller says when the rollout in progress started) and committed when
/// it is listed; one abandoned (its object deleted) never is. The
/// minimum may take a sample twice, which changes nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorkloadFigures {
    /// min(available, desired) / desired over the samples with desired > 0.
    pub availability: RunningMean,
    /// 1 for each sample with a ready pod (a Service's endpoint), 0 otherwise.
    pub ready_any: RunningMean,
    pub rollout_min_available: Option<i32>,
    /// Completed rollouts already folded in.
    rollouts_seen: usize,
    /// The rollout in progress at the last sample: its start and the least
    /// `available` sampled since.
    in_rollout: Option<(SimTime, i32)>,
    /// The last sample's time and `available`: a rollout starting at that
    /// very moment, after the sample was taken, still includes it.
    last: Option<(SimTime, i32)>,
}

impl WorkloadFigures {
    /// Adds a sample; `rollouts` are the object's completed rollouts so
    /// far, `rollout_started` when its rollout in progress started.
    pub fn add(
        &mut self,
        s: &WorkloadSample,
        rollouts: &[(SimTime, SimTime)],
        rollout_started: Option<SimTime>,
    ) {
        if s.desired > 0 {
            self.availability
                .add(s.available.min(s.desired) as f64 / s.desired as f64);
        }
        self.ready_any.add(f64::from(u8::from(s.ready > 0)));
        let now = (s.time, s.available);
        self.catch_up(rollouts, Some(now));
        self.in_rollout = rollout_started.map(|start| {
            let mut least = s.available;
            match self.in_rollout {
                Some((since, m)) if since == start => least = least.min(m),
                _ => {
                    if let Some((t, v)) = self.last.filter(|&(t, _)| t >= start) {
                        debug_assert!(t == start, "a rollout seen late");
                        least = least.min(v);
                    }
                }
            }
            (start, least)
        });
        self.last = Some(now);
    }

    /// Folds in the rollouts completed since the last sample: the samples
    /// taken while each ran, the last one and `now` where they fall in it.
    pub fn catch_up(&mut self, rollouts: &[(SimTime, SimTime)], now: Option<(SimTime, i32)>) {
        debug_assert!(
            rollouts.len() >= self.rollouts_seen,
            "rollouts are only added"
        );
        for &(start, end) in rollouts.iter().skip(self.rollouts_seen) {
            if let Some((since, least)) = self.in_rollout {
                if since == start {
                    fold_min(&mut self.rollout_min_available, least);
                    self.in_rollout = None;
                }
            }
            for (t, v) in self.last.into_iter().chain(now) {
                if start <= t && t <= end {
                    fold_min(&mut self.rollout_min_available, v);
                }
            }
        }
        self.rollouts_seen = self.rollouts_seen.max(rollouts.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::store::WorkloadId;

    fn sample(t: u64, available: i32) -> WorkloadSample {
        WorkloadSample {
            time: SimTime(t),
            workload: WorkloadId(0),
            desired: 4,
            current: 4,
            ready: available,
            available,
            updated: 0,
            succeeded: 0,
            failed: 0,
        }
    }

    /// At a sample: `available`, the completed rollouts and when the
    /// rollout in progress started.
    type Step<'a> = (i32, &'a [(u64, u64)], Option<u64>);

    /// Feeds samples at 10, 20, … with what the controller shows at each
    /// and returns the figure.
    fn min_during(steps: &[Step]) -> Option<i32> {
        let mut f = WorkloadFigures::default();
        for (i, (available, rollouts, started)) in steps.iter().enumerate() {
            let rollouts: Vec<_> = rollouts
                .iter()
                .map(|&(a, b)| (SimTime(a), SimTime(b)))
                .collect();
            f.add(
                &sample(10 * (i as u64 + 1), *available),
                &rollouts,
                started.map(SimTime),
            );
        }
        f.rollout_min_available
    }

    #[test]
    fn samples_during_a_rollout_count_once_it_completes() {
        // Rollout 15..35 covers the samples at 20 (2) and 30 (3), not 10 or 40.
        let done: &[(u64, u64)] = &[(15, 35)];
        let steps = [
            (1, &[][..], None),
            (2, &[][..], Some(15)),
            (3, &[][..], Some(15)),
            (0, done, None),
        ];
        assert_eq!(min_during(&steps), Some(2));
        // Never completed: no figure.
        assert_eq!(min_during(&steps[..3]), None);
    }

    #[test]
    fn the_ends_of_a_rollout_include_samples_at_the_same_moment() {
        // Started at 10 just after the sample there; completed at 30 just
        // before the sample there: both samples are inside [10, 30].
        let done: &[(u64, u64)] = &[(10, 30)];
        let steps = [(1, &[][..], None), (5, &[][..], Some(10)), (2, done, None)];
        assert_eq!(min_during(&steps), Some(1));
        // A rollout that started and ended between two samples holds none.
        let between: &[(u64, u64)] = &[(12, 18)];
        assert_eq!(min_during(&[(1, &[][..], None), (3, between, None)]), None);
    }
}
