//! Rates that change over time: piecewise-constant and piecewise-linear
//! lists, a daily (diurnal) cosine, and the non-homogeneous Poisson process
//! that follows one (by thinning, Lewis and Shedler 1979).
//!
//! A profile's time is simulated time since the run's start, in seconds, so
//! that arrivals and service loads that share a profile see the same rate
//! at the same moment.

use rand::Rng;

/// A rate (events per second) as a function of simulated time.
#[derive(Clone, Debug, PartialEq)]
pub enum RateProfile {
    /// `(from_s, rate)`, ascending `from_s`, the first at 0: the rate is
    /// `rate` from `from_s` until the next point, and the last rate holds on.
    Steps(Vec<(f64, f64)>),
    /// `(at_s, rate)`, ascending, the first at 0: straight lines between
    /// the points; the last rate holds on after the last point.
    Linear(Vec<(f64, f64)>),
    /// `mean × (1 + amplitude × cos(2π (t − peak) / period))`: the mean rate
    /// over a period, the peak `mean × (1 + amplitude)` at `peak_s` (and every
    /// period after), the trough `mean × (1 − amplitude)` half a period away.
    Diurnal {
        mean: f64,
        /// Relative, 0 to 1.
        amplitude: f64,
        peak_s: f64,
        period_s: f64,
    },
}

impl RateProfile {
    /// The rate at `t` seconds (never negative).
    pub fn rate_at(&self, t: f64) -> f64 {
        match self {
            RateProfile::Steps(points) => {
                // The last point at or before t.
                let i = points.partition_point(|&(at, _)| at <= t);
                points[i.saturating_sub(1)].1
            }
            RateProfile::Linear(points) => {
                let i = points.partition_point(|&(at, _)| at <= t);
                if i == 0 {
                    return points[0].1;
                }
                if i == points.len() {
                    return points[i - 1].1;
                }
                let (t0, r0) = points[i - 1];
                let (t1, r1) = points[i];
                r0 + (r1 - r0) * (t - t0) / (t1 - t0)
            }
            RateProfile::Diurnal {
                mean,
                amplitude,
                peak_s,
                period_s,
            } => {
                let phase = std::f64::consts::TAU * (t - peak_s) / period_s;
                (mean * (1.0 + amplitude * phase.cos())).max(0.0)
            }
        }
    }

    /// A bound of the rate from `t` until the end of `t`'s segment, and
    /// that end (infinity for the last segment and the diurnal shape).
    pub fn bound_from(&self, t: f64) -> (f64, f64) {
        match self {
            RateProfile::Steps(points) | RateProfile::Linear(points) => {
                let i = points.partition_point(|&(at, _)| at <= t).saturating_sub(1);
                match points.get(i + 1) {
                    Some(&(end, next)) => {
                        let rate = points[i].1;
                        let bound = match self {
                            RateProfile::Linear(_) => rate.max(next),
                            _ => rate,
                        };
                        (bound, end)
                    }
                    None => (points[i].1, f64::INFINITY),
                }
            }
            RateProfile::Diurnal { .. } => (self.max_rate(), f64::INFINITY),
        }
    }

    /// The highest rate the profile ever takes (the thinning bound).
    pub fn max_rate(&self) -> f64 {
        match self {
            RateProfile::Steps(points) | RateProfile::Linear(points) => {
                points.iter().map(|p| p.1).fold(0.0, f64::max)
            }
            RateProfile::Diurnal {
                mean, amplitude, ..
            } => mean * (1.0 + amplitude),
        }
    }

    /// The time after which the rate is 0 for good (a list whose last rate
    /// is 0), else infinity: a process stops looking for events there.
    pub fn horizon(&self) -> f64 {
        match self {
            RateProfile::Steps(points) | RateProfile::Linear(points) => match points.last() {
                Some(&(at, rate)) if rate <= 0.0 => at,
                _ => f64::INFINITY,
            },
            RateProfile::Diurnal { .. } => f64::INFINITY,
        }
    }

    /// The mean rate over `[from, until]` (the integral divided by its length),
    /// by the midpoint rule on one-second steps: what tests and reports
    /// compare counts with.
    pub fn mean_rate(&self, from: f64, until: f64) -> f64 {
        let steps = ((until - from).ceil() as usize).max(1);
        let h = (until - from) / steps as f64;
        (0..steps)
            .map(|i| self.rate_at(from + (i as f64 + 0.5) * h))
            .sum::<f64>()
            / steps as f64
    }
}

/// The first event after `now` (seconds) of a non-homogeneous Poisson
/// process with this profile, by thinning (Lewis and Shedler 1979):
/// candidates of a homogeneous process at a bound of the rate, each kept
/// with probability rate(t) / bound. The bound is taken per segment (a
/// step's rate, the larger end of a line, the diurnal peak); a candidate
/// past the segment's end is dropped and the search restarts there, which
/// the homogeneous process's lack of memory makes exact. Steps so keep
/// every candidate, and no segment's rate slows another's. `None` when no
/// event comes before `until` (or the rate stays 0 for good).
pub fn next_event(profile: &RateProfile, now: f64, until: f64, rng: &mut impl Rng) -> Option<f64> {
    let until = until.min(profile.horizon());
    let mut t = now;
    loop {
        if t >= until {
            return None;
        }
        let (bound, end) = profile.bound_from(t);
        if !(bound > 0.0 && bound.is_finite()) {
            if end.is_finite() {
                t = end;
                continue;
            }
            return None;
        }
        let u: f64 = rng.gen();
        let candidate = t - (1.0 - u).ln() / bound;
        if candidate >= end {
            t = end;
            continue;
        }
        if candidate > until {
            return None;
        }
        t = candidate;
        let keep: f64 = rng.gen();
        if keep * bound < profile.rate_at(t) {
            return Some(t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn steps_hold_each_rate_until_the_next_point() {
        let p = RateProfile::Steps(vec![(0.0, 1.0), (10.0, 5.0), (20.0, 0.0)]);
        assert_eq!(p.rate_at(0.0), 1.0);
        assert_eq!(p.rate_at(9.99), 1.0);
        assert_eq!(p.rate_at(10.0), 5.0);
        assert_eq!(p.rate_at(25.0), 0.0);
        assert_eq!(p.max_rate(), 5.0);
    }

    #[test]
    fn linear_interpolates_and_holds_the_last_rate() {
        let p = RateProfile::Linear(vec![(0.0, 0.0), (10.0, 10.0)]);
        assert_eq!(p.rate_at(2.5), 2.5);
        assert_eq!(p.rate_at(100.0), 10.0);
    }

    #[test]
    fn diurnal_peaks_at_its_peak_and_dips_half_a_period_later() {
        let p = RateProfile::Diurnal {
            mean: 10.0,
            amplitude: 0.5,
            peak_s: 3600.0 * 14.0,
            period_s: 86_400.0,
        };
        assert!((p.rate_at(3600.0 * 14.0) - 15.0).abs() < 1e-9);
        assert!((p.rate_at(3600.0 * 2.0) - 5.0).abs() < 1e-9);
        assert!((p.mean_rate(0.0, 86_400.0) - 10.0).abs() < 1e-6);
        assert_eq!(p.max_rate(), 15.0);
    }

    /// Counts per interval of a piecewise-constant profile are Poisson with
    /// mean rate × length: each within 4.5 standard deviations.
    #[test]
    fn thinning_counts_match_each_steps_rate() {
        let p = RateProfile::Steps(vec![(0.0, 2.0), (1000.0, 10.0), (2000.0, 0.5)]);
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut counts = [0u32; 3];
        let mut t = 0.0;
        while let Some(next) = next_event(&p, t, 3000.0, &mut rng) {
            counts[(next / 1000.0) as usize] += 1;
            t = next;
        }
        for (count, rate) in counts.iter().zip([2.0, 10.0, 0.5]) {
            let mean = rate * 1000.0;
            let z = (*count as f64 - mean) / f64::sqrt(mean);
            assert!(z.abs() < 4.5, "{count} events where {mean} expected");
        }
    }

    /// A line from 0 to 10 per second over 1000 s: 5000 events expected.
    #[test]
    fn thinning_follows_a_line() {
        let p = RateProfile::Linear(vec![(0.0, 0.0), (1000.0, 10.0)]);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let (mut n, mut late, mut t) = (0u32, 0u32, 0.0);
        while let Some(next) = next_event(&p, t, 1000.0, &mut rng) {
            n += 1;
            late += u32::from(next >= 500.0);
            t = next;
        }
        assert!((f64::from(n) - 5000.0).abs() < 4.5 * 5000f64.sqrt(), "{n}");
        // Three quarters of the mass is in the second half.
        assert!(
            (f64::from(late) - 3750.0).abs() < 4.5 * 3750f64.sqrt(),
            "{late}"
        );
    }

    /// Bounds are per segment: a quiet hour before a huge rate is crossed
    /// with a handful of draws, not a candidate per microsecond.
    #[test]
    fn a_huge_later_rate_leaves_a_quiet_segment_quick() {
        let p = RateProfile::Steps(vec![(0.0, 0.0), (3600.0, 1e12)]);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        assert_eq!(next_event(&p, 0.0, 3599.0, &mut rng), None);
        let t = next_event(&p, 0.0, 7200.0, &mut rng).unwrap();
        assert!((3600.0..3600.001).contains(&t), "{t}");
    }

    #[test]
    fn a_zero_profile_has_no_events() {
        let p = RateProfile::Steps(vec![(0.0, 0.0)]);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        assert_eq!(next_event(&p, 0.0, 1e9, &mut rng), None);
    }
}
