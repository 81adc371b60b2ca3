//! 95% confidence intervals of a figure's mean over replications that stay
//! within the range the figure can take.
//!
//! The Student-t interval `mean ± t · sd / √n` is symmetric, so a skewed
//! figure near a bound gets an interval past it: a p99 pending time of
//! 1.757 s with [−2.218, 5.732], although no time is negative. Where the t
//! interval crosses a bound of the figure (below 0 for a time, a count or
//! a ratio; above 1 for a fraction), the interval is instead the bootstrap
//! percentile interval: the 2.5th and 97.5th percentiles of the means of
//! [`RESAMPLES`] resamples (n values drawn with replacement from the n
//! replications; fewer resamples above 10 000 replications, within
//! [`crate::limits::MAX_BOOTSTRAP_DRAWS`]). Resampled means lie between the smallest and largest
//! value, so it respects the range; it is seeded, so the same values give
//! the same interval. With few replications it is narrower than it should
//! be (with 2 values it can only be [min, max]); the method is written
//! beside every interval so a reader knows which it is.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Resamples of the bootstrap.
pub const RESAMPLES: usize = 10_000;

/// Resamples of `n` values: [`RESAMPLES`], or as many as
/// [`crate::limits::MAX_BOOTSTRAP_DRAWS`] allows.
pub fn resamples_for(n: usize) -> usize {
    let most = crate::limits::MAX_BOOTSTRAP_DRAWS / (n.max(1) as u64);
    RESAMPLES.min(most as usize).max(1)
}

/// The bootstrap's own random stream, apart from every run's streams (its
/// seeds derive from this label, the grid point and the figure's name).
const BOOTSTRAP_STREAM: u64 = 0x626f_6f74_7374_7270;

/// How an interval was computed; written as `t` or `bootstrap`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Student t: mean ± t(0.975, n − 1) · sd / √n.
    StudentT,
    /// Bootstrap percentile: the Student-t interval crossed a bound.
    Bootstrap,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::StudentT => "t",
            Method::Bootstrap => "bootstrap",
        }
    }
}

/// The values a figure can take: at least `low`, at most `high` where set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    pub low: Option<f64>,
    pub high: Option<f64>,
}

/// Figures of summary.csv that are fractions, within [0, 1].
const FRACTIONS: &[&str] = &["pending_waited_ratio", "deployment_availability_min_ratio"];

/// The range of a summary.csv figure. Every figure kubesim writes is a
/// time, a count or a ratio, none negative; the fractions are also at
/// most one. The allocation ratios (requested ÷ allocatable) are not
/// fractions: an over-committed node's requests exceed its allocatable.
pub fn range_of(figure: &str) -> Range {
    Range {
        low: Some(0.0),
        high: FRACTIONS.contains(&figure).then_some(1.0),
    }
}

/// The seed of one figure's bootstrap at one grid point: the same point and
/// figure get the same resamples whatever else the sweep holds.
pub fn seed_of(point: usize, figure: &str) -> u64 {
    use crate::engine::rng::derive_seed;
    // FNV-1a: a stable hash of the name (std's hasher may change).
    let name = figure.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    derive_seed(derive_seed(BOOTSTRAP_STREAM, point as u64), name)
}

/// The bootstrap percentile 95% interval of the mean of `values`: the
/// means of B = [`resamples_for`]`(n)` resamples, sorted; the values at
/// nearest ranks ⌈0.025 · B⌉ and ⌈0.975 · B⌉.
pub fn bootstrap_percentile(values: &[f64], seed: u64) -> (f64, f64) {
    let n = values.len();
    assert!(n > 0, "a bootstrap needs values");
    let b = resamples_for(n);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut means: Vec<f64> = (0..b)
        .map(|_| (0..n).map(|_| values[rng.gen_range(0..n)]).sum::<f64>() / n as f64)
        .collect();
    means.sort_by(f64::total_cmp);
    let at = |p: f64| means[((p * b as f64).ceil() as usize).clamp(1, b) - 1];
    (at(0.025), at(0.975))
}

/// The 95% interval of the mean: Student t's `t_interval`, unless it
/// crosses a bound of `range`, then the bootstrap's.
pub fn within_range(
    values: &[f64],
    t_interval: (f64, f64),
    range: Range,
    seed: u64,
) -> ((f64, f64), Method) {
    let (low, high) = t_interval;
    let crosses = range.low.is_some_and(|b| low < b) || range.high.is_some_and(|b| high > b);
    if crosses {
        (bootstrap_percentile(values, seed), Method::Bootstrap)
    } else {
        (t_interval, Method::StudentT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_have_their_ranges() {
        let frac = Range {
            low: Some(0.0),
            high: Some(1.0),
        };
        assert_eq!(range_of("pending_waited_ratio"), frac);
        assert_eq!(range_of("deployment_availability_min_ratio"), frac);
        let non_negative = Range {
            low: Some(0.0),
            high: None,
        };
        assert_eq!(range_of("pending_p99_s"), non_negative);
        assert_eq!(range_of("cpu_allocated_max_ratio"), non_negative);
        assert_eq!(range_of("restarts"), non_negative);
    }

    #[test]
    fn resamples_stay_within_the_draw_limit() {
        assert_eq!(resamples_for(10), RESAMPLES);
        assert_eq!(resamples_for(10_000), RESAMPLES);
        assert_eq!(resamples_for(20_000), 5_000);
        assert_eq!(resamples_for(100_000), 1_000);
    }

    #[test]
    fn a_bootstrap_of_equal_values_is_that_value() {
        assert_eq!(bootstrap_percentile(&[2.5; 7], 1), (2.5, 2.5));
    }

    #[test]
    fn the_bootstrap_is_seeded_and_within_the_values() {
        let v = [0.0, 0.0, 0.0, 0.0, 12.0];
        let a = bootstrap_percentile(&v, seed_of(3, "pending_p99_s"));
        assert_eq!(a, bootstrap_percentile(&v, seed_of(3, "pending_p99_s")));
        // Resample means are multiples of 12 / 5 = 2.4 between 0 and 12.
        // P(no draw is the 12) = 0.8^5 = 0.328 > 2.5%, so the lower end is
        // 0; P(at most two 12s) = 0.942 < 97.5% ≤ P(at most three) =
        // 0.993, so the upper end is three 12s: 7.2.
        assert_eq!(a, (0.0, 7.2));
        assert_ne!(seed_of(3, "pending_p99_s"), seed_of(4, "pending_p99_s"));
        assert_ne!(seed_of(3, "pending_p99_s"), seed_of(3, "pending_p90_s"));
    }

    #[test]
    fn only_an_interval_that_crosses_a_bound_is_replaced() {
        let non_negative = range_of("pending_p99_s");
        let v = [1.0, 2.0, 3.0];
        assert_eq!(
            within_range(&v, (0.5, 3.5), non_negative, 1),
            ((0.5, 3.5), Method::StudentT)
        );
        let (ci, method) = within_range(&v, (-0.5, 4.5), non_negative, 1);
        assert_eq!(method, Method::Bootstrap);
        assert!(ci.0 >= 1.0 && ci.1 <= 3.0, "{ci:?}");
        // A fraction's interval may not pass 1 either.
        let (_, method) =
            within_range(&[0.9, 1.0], (0.4, 1.5), range_of("pending_waited_ratio"), 1);
        assert_eq!(method, Method::Bootstrap);
        assert_eq!(
            within_range(
                &v,
                (-0.5, 4.5),
                Range {
                    low: None,
                    high: None
                },
                1
            )
            .1,
            Method::StudentT
        );
    }
}
