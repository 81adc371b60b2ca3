//! Random distributions of durations for simulated behaviour (run times,
//! start latencies, inter-arrival gaps …): their text form in scenario files
//! and annotations, sampling, and their means. Knows nothing about
//! Kubernetes.
//!
//! Sampling is reproducible bit for bit: it reads only raw `u64`s from the
//! generator (never `rand`'s own float, range or distribution code, whose
//! algorithms may change between crate versions), turns them into floats
//! itself, and evaluates `ln`, `exp` and `cos` with the portable routines at
//! the end of this file rather than the platform's libm, whose last bits
//! differ between operating systems. Every draw consumes a fixed number of
//! `u64`s (`Constant` 0, `LogNormal` 2, the others 1), so how many values a
//! stream has produced depends only on how many samples were taken.

use std::fmt;

use rand::Rng;

use crate::engine::time::{parse_duration, SimDuration, MICROS_PER_SECOND};

/// The accepted text forms, quoted in every parse error.
const FORMS: &str = "accepted forms are 30s, constant(30s), uniform(10s, 2m), \
                     exponential(60s), lognormal(30s, 0.5) and empirical(1s, 5s, 20s)";

/// A distribution of durations.
#[derive(Clone, Debug, PartialEq)]
pub enum Distribution {
    Constant(SimDuration),
    /// Integer microseconds, uniform in `[min, max]` inclusive.
    Uniform {
        min: SimDuration,
        max: SimDuration,
    },
    Exponential {
        mean: SimDuration,
    },
    /// Log-normal given its median (= e^mu) and sigma (std-dev of the underlying normal).
    LogNormal {
        median: SimDuration,
        sigma: f64,
    },
    /// Empirical: draw uniformly from the listed values.
    Empirical(Vec<SimDuration>),
}

impl Distribution {
    /// Parses the text form used in scenario files and `kubesim.io/`
    /// annotations: `30s` (constant), `constant(30s)`, `uniform(10s, 2m)`,
    /// `exponential(60s)` (mean), `lognormal(30s, 0.5)` (median, sigma),
    /// `empirical(1s, 5s, 20s)`. Durations are as
    /// [`parse_duration`](crate::engine::time::parse_duration) reads them;
    /// names are case-insensitive and whitespace around names, arguments and
    /// parentheses is ignored.
    pub fn parse(text: &str) -> Result<Distribution, String> {
        let s = text.trim();
        if s.is_empty() {
            return Err(format!("an empty string is not a distribution; {FORMS}"));
        }
        let fail = |detail: String| format!("{s:?} is not a distribution: {detail}; {FORMS}");
        let Some(open) = s.find('(') else {
            return parse_duration(s).map(Distribution::Constant).map_err(fail);
        };
        let name = s[..open].trim().to_ascii_lowercase();
        let Some(inner) = s[open + 1..].strip_suffix(')') else {
            return Err(fail("it does not end with ')'".to_string()));
        };
        if inner.contains(['(', ')']) {
            return Err(fail("it has nested parentheses".to_string()));
        }
        let args: Vec<&str> = if inner.trim().is_empty() {
            Vec::new()
        } else {
            inner.split(',').map(str::trim).collect()
        };
        let arity = |want: usize| -> Result<(), String> {
            if args.len() == want {
                Ok(())
            } else {
                Err(fail(format!(
                    "{name}(…) takes {want} argument{}, found {}",
                    if want == 1 { "" } else { "s" },
                    args.len()
                )))
            }
        };
        let duration = |arg: &str| parse_duration(arg).map_err(fail);

        match name.as_str() {
            "constant" => {
                arity(1)?;
                Ok(Distribution::Constant(duration(args[0])?))
            }
            "uniform" => {
                arity(2)?;
                let (min, max) = (duration(args[0])?, duration(args[1])?);
                if min > max {
                    return Err(fail(format!(
                        "uniform(min, max) needs min <= max, found min {min} > max {max}"
                    )));
                }
                Ok(Distribution::Uniform { min, max })
            }
            "exponential" => {
                arity(1)?;
                Ok(Distribution::Exponential {
                    mean: duration(args[0])?,
                })
            }
            "lognormal" => {
                arity(2)?;
                let median = duration(args[0])?;
                let sigma = match args[1].parse::<f64>() {
                    Ok(x) if x.is_finite() && x >= 0.0 => x,
                    _ => {
                        return Err(fail(format!(
                            "lognormal(median, sigma) needs sigma to be a finite number >= 0, \
                             found {:?}",
                            args[1]
                        )))
                    }
                };
                Ok(Distribution::LogNormal { median, sigma })
            }
            "empirical" => {
                if args.is_empty() {
                    return Err(fail(
                        "empirical(…) needs at least one duration, found none".to_string(),
                    ));
                }
                let values = args
                    .iter()
                    .map(|a| duration(a))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Distribution::Empirical(values))
            }
            "" => Err(fail("there is no distribution name before '('".to_string())),
            other => Err(fail(format!("unknown distribution {other:?}"))),
        }
    }

    /// Draws one value. Never panics: a hand-built `Uniform` with
    /// `min > max` draws from `[max, min]`, an empty `Empirical` gives zero,
    /// and a non-finite result clamps to `[0, u64::MAX]` microseconds.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> SimDuration {
        match self {
            Distribution::Constant(d) => *d,
            Distribution::Uniform { min, max } => {
                let (lo, hi) = if min <= max {
                    (min.0, max.0)
                } else {
                    (max.0, min.0)
                };
                // hi - lo + 1 can be 2^64, hence u128.
                let span = u128::from(hi - lo) + 1;
                SimDuration(lo + below(rng.gen::<u64>(), span))
            }
            Distribution::Exponential { mean } => {
                // Inverse transform: 1 - u lies in (0, 1], so ln is finite.
                let u = unit_f64(rng.gen::<u64>());
                from_micros_f64(mean.0 as f64 * -portable_ln(1.0 - u))
            }
            Distribution::LogNormal { median, sigma } => {
                // Box–Muller, keeping only the cosine branch so that every
                // sample costs exactly two draws.
                let u1 = 1.0 - unit_f64(rng.gen::<u64>()); // (0, 1]
                let u2 = unit_f64(rng.gen::<u64>()); // [0, 1)
                let z = (-2.0 * portable_ln(u1)).sqrt() * portable_cos_turns(u2);
                from_micros_f64(median.0 as f64 * portable_exp(sigma * z))
            }
            Distribution::Empirical(values) => {
                let index = below(rng.gen::<u64>(), values.len() as u128);
                values
                    .get(index as usize)
                    .copied()
                    .unwrap_or(SimDuration::ZERO)
            }
        }
    }

    /// The mean in seconds (for documentation and tests): the constant,
    /// (min+max)/2, the mean, median·exp(sigma²/2), or the average of the
    /// empirical values (0 if there are none).
    pub fn mean_secs(&self) -> f64 {
        match self {
            Distribution::Constant(d) => d.as_secs_f64(),
            Distribution::Uniform { min, max } => (min.as_secs_f64() + max.as_secs_f64()) / 2.0,
            Distribution::Exponential { mean } => mean.as_secs_f64(),
            Distribution::LogNormal { median, sigma } => {
                median.as_secs_f64() * portable_exp(sigma * sigma / 2.0)
            }
            Distribution::Empirical(values) => {
                if values.is_empty() {
                    return 0.0;
                }
                let total_us: u128 = values.iter().map(|d| u128::from(d.0)).sum();
                total_us as f64 / values.len() as f64 / MICROS_PER_SECOND as f64
            }
        }
    }
}

impl fmt::Display for Distribution {
    /// The canonical text form, which [`Distribution::parse`] reads back to
    /// an equal value: `30s`, `uniform(10s, 120s)`, `exponential(60s)`,
    /// `lognormal(30s, 0.5)`, `empirical(1s, 5s, 20s)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Distribution::Constant(d) => write!(f, "{d}"),
            Distribution::Uniform { min, max } => write!(f, "uniform({min}, {max})"),
            Distribution::Exponential { mean } => write!(f, "exponential({mean})"),
            // f64's Display is the shortest text that parses back exactly.
            Distribution::LogNormal { median, sigma } => {
                write!(f, "lognormal({median}, {sigma})")
            }
            Distribution::Empirical(values) => {
                f.write_str("empirical(")?;
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str(")")
            }
        }
    }
}

/// Maps a uniform `u64` onto `[0, n)` by the widening multiply
/// `floor(x * n / 2^64)`: one draw, no rejection loop. The bias is below
/// `n / 2^64`, far under anything a simulation can detect for any realistic
/// span. `n` must be at most 2^64; `n == 0` gives 0.
fn below(x: u64, n: u128) -> u64 {
    ((u128::from(x) * n) >> 64) as u64
}

/// The top 53 bits of `x` as a float uniform in `[0, 1)`, every value a
/// multiple of 2^-53 and exactly representable.
fn unit_f64(x: u64) -> f64 {
    (x >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Rounds to whole microseconds; NaN and negatives give zero and overflow
/// saturates (Rust's float-to-int `as` is defined to do exactly that).
fn from_micros_f64(us: f64) -> SimDuration {
    SimDuration(us.round() as u64)
}

// Portable elementary functions. They use only IEEE-754 +, -, *, / and
// sqrt, which are correctly rounded everywhere (Rust never fuses them into
// FMAs on its own), so they return the same bits on every platform. Their
// error is a few ulps, which is all sampling needs.

/// Natural logarithm of a positive finite `x`; -inf for 0, NaN for
/// negatives and NaN, +inf for +inf.
fn portable_ln(x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    if x.is_infinite() {
        return f64::INFINITY;
    }
    // x = m * 2^e with m in [sqrt(1/2), sqrt(2)).
    let (mut x, mut e) = (x, 0i64);
    if x < f64::MIN_POSITIVE {
        // Subnormal: scale into the normal range first.
        x *= (1u64 << 54) as f64;
        e -= 54;
    }
    let bits = x.to_bits();
    e += ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut m = f64::from_bits((bits & ((1u64 << 52) - 1)) | (1023u64 << 52));
    if m > std::f64::consts::SQRT_2 {
        m /= 2.0;
        e += 1;
    }
    // ln(m) = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + …), s = (m-1)/(m+1), |s| < 0.172.
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut series = 0.0;
    for k in (0..=12).rev() {
        series = series * s2 + 1.0 / (2 * k + 1) as f64;
    }
    e as f64 * std::f64::consts::LN_2 + 2.0 * s * series
}

/// e^x.
fn portable_exp(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x > 709.8 {
        return f64::INFINITY;
    }
    if x < -745.2 {
        return 0.0;
    }
    // x = k ln2 + r with |r| <= ln2/2. ln2 is split in two as in fdlibm:
    // LN2_HI has its low bits zero, so k * LN2_HI is exact.
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    let k = (x * std::f64::consts::LOG2_E).round();
    let r = (x - k * LN2_HI) - k * LN2_LO;
    // Taylor series of e^r to r^18/18! (the next term is below 1e-25).
    let mut sum = 1.0;
    for n in (1..=18).rev() {
        sum = 1.0 + sum * r / n as f64;
    }
    // Scale by 2^k in two halves so neither factor leaves the normal range.
    let k = k as i64;
    let half = k / 2;
    sum * pow2(half) * pow2(k - half)
}

/// 2^k for k in [-1022, 1023].
fn pow2(k: i64) -> f64 {
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// cos(2π t) for t in [0, 1): reduced exactly by quarter turns, so there is
/// no large-argument reduction to get wrong.
fn portable_cos_turns(t: f64) -> f64 {
    // 4t and 4t - q are exact for t in [0, 1) (power-of-two scaling, then
    // Sterbenz), so the reduction adds no error.
    let t4 = 4.0 * t;
    let q = t4.floor();
    let f = t4 - q; // fraction of a quarter turn, in [0, 1)
                    // cos and sin of f·π/2, each from a series on [0, π/4].
    let (c, s) = if f <= 0.5 {
        let a = f * std::f64::consts::FRAC_PI_2;
        (cos_small(a), sin_small(a))
    } else {
        let a = (1.0 - f) * std::f64::consts::FRAC_PI_2;
        (sin_small(a), cos_small(a))
    };
    match q as i64 {
        0 => c,
        1 => -s,
        2 => -c,
        _ => s,
    }
}

/// cos(a) for |a| <= π/4, Taylor series to a^22/22!.
fn cos_small(a: f64) -> f64 {
    let a2 = a * a;
    let mut sum = 1.0;
    for n in (1..=11).rev() {
        sum = 1.0 - sum * a2 / ((2 * n - 1) * (2 * n)) as f64;
    }
    sum
}

/// sin(a) for |a| <= π/4, Taylor series to a^23/23!.
fn sin_small(a: f64) -> f64 {
    let a2 = a * a;
    let mut sum = 1.0;
    for n in (1..=11).rev() {
        sum = 1.0 - sum * a2 / ((2 * n) * (2 * n + 1)) as f64;
    }
    a * sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn secs(s: u64) -> SimDuration {
        SimDuration::from_secs(s)
    }

    fn rng() -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(7)
    }

    #[test]
    fn parses_every_form() {
        let cases = [
            ("30s", Distribution::Constant(secs(30))),
            (
                "250ms",
                Distribution::Constant(SimDuration::from_millis(250)),
            ),
            ("45", Distribution::Constant(secs(45))),
            ("constant(30s)", Distribution::Constant(secs(30))),
            (
                "uniform(10s, 2m)",
                Distribution::Uniform {
                    min: secs(10),
                    max: secs(120),
                },
            ),
            (
                "exponential(60s)",
                Distribution::Exponential { mean: secs(60) },
            ),
            (
                "lognormal(30s, 0.5)",
                Distribution::LogNormal {
                    median: secs(30),
                    sigma: 0.5,
                },
            ),
            (
                "empirical(1s, 5s, 20s)",
                Distribution::Empirical(vec![secs(1), secs(5), secs(20)]),
            ),
            (
                "empirical(1h30m)",
                Distribution::Empirical(vec![secs(5400)]),
            ),
            (
                "  Uniform ( 1s ,1s )  ",
                Distribution::Uniform {
                    min: secs(1),
                    max: secs(1),
                },
            ),
            (
                "logNormal(1m,0)",
                Distribution::LogNormal {
                    median: secs(60),
                    sigma: 0.0,
                },
            ),
            (
                "\texponential(\n1.5s\n)",
                Distribution::Exponential {
                    mean: SimDuration(1_500_000),
                },
            ),
        ];
        for (text, want) in cases {
            assert_eq!(Distribution::parse(text), Ok(want), "{text:?}");
        }
    }

    #[test]
    fn display_round_trips() {
        let cases = [
            Distribution::Constant(secs(30)),
            Distribution::Constant(SimDuration(1)),
            Distribution::Constant(SimDuration::ZERO),
            Distribution::Uniform {
                min: secs(10),
                max: secs(120),
            },
            Distribution::Exponential {
                mean: SimDuration(1_234_567),
            },
            Distribution::LogNormal {
                median: secs(30),
                sigma: 0.5,
            },
            Distribution::LogNormal {
                median: SimDuration(999),
                sigma: 0.1 + 0.2, // not a short decimal
            },
            Distribution::Empirical(vec![secs(1), SimDuration::from_millis(5_500), secs(20)]),
        ];
        for d in cases {
            let text = d.to_string();
            assert_eq!(Distribution::parse(&text), Ok(d.clone()), "{text}");
        }
        assert_eq!(Distribution::Constant(secs(30)).to_string(), "30s");
        assert_eq!(
            Distribution::parse("uniform(10s, 2m)").unwrap().to_string(),
            "uniform(10s, 120s)"
        );
        assert_eq!(
            Distribution::parse("empirical(1s,5s, 20s)")
                .unwrap()
                .to_string(),
            "empirical(1s, 5s, 20s)"
        );
        assert_eq!(
            Distribution::parse("lognormal(30s, 0.5)")
                .unwrap()
                .to_string(),
            "lognormal(30s, 0.5)"
        );
    }

    #[test]
    fn rejects_bad_input_saying_what_was_found() {
        let bad = [
            ("", "empty"),
            ("   ", "empty"),
            ("5x", "unknown unit"),
            ("-3s", "not a duration"),
            ("normal(1s, 2s)", "unknown distribution \"normal\""),
            ("(1s)", "no distribution name"),
            ("uniform(2m, 10s)", "min <= max"),
            ("uniform(10s)", "takes 2 arguments, found 1"),
            ("uniform(1s, 2s, 3s)", "takes 2 arguments, found 3"),
            ("exponential()", "takes 1 argument, found 0"),
            ("constant(1s, 2s)", "takes 1 argument, found 2"),
            ("exponential(60s", "does not end with ')'"),
            ("exponential(60s) x", "does not end with ')'"),
            ("exponential((60s))", "nested parentheses"),
            ("lognormal(30s, -0.5)", "sigma"),
            ("lognormal(30s, NaN)", "sigma"),
            ("lognormal(30s, inf)", "sigma"),
            ("lognormal(30s, x)", "sigma"),
            ("lognormal(30s)", "takes 2 arguments"),
            ("empirical()", "at least one duration"),
            ("empirical(1s, , 2s)", "empty duration"),
            ("empirical(1s, 2q)", "unknown unit"),
        ];
        for (text, needle) in bad {
            let err = Distribution::parse(text).unwrap_err();
            assert!(err.contains(needle), "{text:?}: {err}");
            assert!(
                err.contains("accepted forms are 30s, constant(30s)"),
                "{text:?}: {err}"
            );
        }
    }

    #[test]
    fn exponential_mean() {
        let d = Distribution::parse("exponential(10s)").unwrap();
        let mut r = rng();
        let n = 100_000;
        let total: f64 = (0..n).map(|_| d.sample(&mut r).as_secs_f64()).sum();
        let mean = total / n as f64;
        assert!((mean - 10.0).abs() < 0.2, "mean {mean}");
        assert_eq!(d.mean_secs(), 10.0);
    }

    #[test]
    fn uniform_bounds_and_mean() {
        let d = Distribution::parse("uniform(10s, 20s)").unwrap();
        let mut r = rng();
        let n = 100_000;
        let mut total = 0.0;
        for _ in 0..n {
            let x = d.sample(&mut r);
            assert!(x >= secs(10) && x <= secs(20), "{x:?}");
            total += x.as_secs_f64();
        }
        let mean = total / n as f64;
        assert!((mean - 15.0).abs() < 0.1, "mean {mean}");
        assert_eq!(d.mean_secs(), 15.0);

        // Both ends of a small integer range are reachable.
        let tiny = Distribution::Uniform {
            min: SimDuration(5),
            max: SimDuration(7),
        };
        let mut seen = [0u32; 3];
        for _ in 0..3_000 {
            seen[(tiny.sample(&mut r).0 - 5) as usize] += 1;
        }
        assert!(seen.iter().all(|&c| c > 900), "{seen:?}");

        // Degenerate and full-width ranges never panic.
        let point = Distribution::Uniform {
            min: secs(3),
            max: secs(3),
        };
        assert_eq!(point.sample(&mut r), secs(3));
        let full = Distribution::Uniform {
            min: SimDuration(0),
            max: SimDuration(u64::MAX),
        };
        let _ = full.sample(&mut r);
        let reversed = Distribution::Uniform {
            min: secs(9),
            max: secs(8),
        };
        let x = reversed.sample(&mut r);
        assert!(x >= secs(8) && x <= secs(9));
    }

    #[test]
    fn lognormal_median_and_mean() {
        let d = Distribution::parse("lognormal(30s, 0.5)").unwrap();
        let mut r = rng();
        let mut xs: Vec<f64> = (0..100_000)
            .map(|_| d.sample(&mut r).as_secs_f64())
            .collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        xs.sort_by(f64::total_cmp);
        let median = xs[xs.len() / 2];
        assert!((median - 30.0).abs() < 0.9, "median {median}");
        let want_mean = 30.0 * (0.125f64).exp();
        assert!((d.mean_secs() - want_mean).abs() < 1e-12);
        assert!((mean - want_mean).abs() / want_mean < 0.02, "mean {mean}");
        // sigma = 0 is a constant.
        let flat = Distribution::parse("lognormal(30s, 0)").unwrap();
        assert!((0..100).all(|_| flat.sample(&mut r) == secs(30)));
    }

    #[test]
    fn empirical_draws_each_value() {
        let d = Distribution::parse("empirical(1s, 5s, 20s)").unwrap();
        assert!((d.mean_secs() - 26.0 / 3.0).abs() < 1e-12);
        let mut r = rng();
        let mut counts = [0u32; 3];
        for _ in 0..30_000 {
            match d.sample(&mut r).0 / 1_000_000 {
                1 => counts[0] += 1,
                5 => counts[1] += 1,
                20 => counts[2] += 1,
                other => panic!("drew {other}s"),
            }
        }
        assert!(
            counts.iter().all(|&c| (9_500..10_500).contains(&c)),
            "{counts:?}"
        );
        // Hand-built empty lists do not panic.
        assert_eq!(
            Distribution::Empirical(vec![]).sample(&mut r),
            SimDuration::ZERO
        );
        assert_eq!(Distribution::Empirical(vec![]).mean_secs(), 0.0);
    }

    #[test]
    fn same_seed_same_sequence_and_fixed_draw_counts() {
        for text in [
            "30s",
            "uniform(1s, 9s)",
            "exponential(5s)",
            "lognormal(3s, 1.2)",
            "empirical(1s, 2s)",
        ] {
            let d = Distribution::parse(text).unwrap();
            let (mut a, mut b) = (rng(), rng());
            let xs: Vec<_> = (0..1000).map(|_| d.sample(&mut a)).collect();
            let ys: Vec<_> = (0..1000).map(|_| d.sample(&mut b)).collect();
            assert_eq!(xs, ys, "{text}");
            // Draws per sample are fixed: after n samples the generator has
            // produced exactly n * draws u64s.
            let draws = match d {
                Distribution::Constant(_) => 0,
                Distribution::LogNormal { .. } => 2,
                _ => 1,
            };
            let mut c = rng();
            for _ in 0..1000 * draws {
                let _: u64 = c.gen();
            }
            assert_eq!(a.gen::<u64>(), c.gen::<u64>(), "{text}");
        }
    }

    /// Pins the exact values drawn, so that a change to the sampling code
    /// (or a platform that computed differently) fails loudly.
    #[test]
    fn golden_values_for_seed_7() {
        let draw = |text: &str| -> Vec<u64> {
            let d = Distribution::parse(text).unwrap();
            let mut r = rng();
            (0..4).map(|_| d.sample(&mut r).0).collect()
        };
        assert_eq!(draw("uniform(0s, 1s)"), GOLDEN_UNIFORM);
        assert_eq!(draw("exponential(10s)"), GOLDEN_EXPONENTIAL);
        assert_eq!(draw("lognormal(30s, 0.5)"), GOLDEN_LOGNORMAL);
    }
    const GOLDEN_UNIFORM: [u64; 4] = [157_796, 167_989, 704_276, 726_742];
    const GOLDEN_EXPONENTIAL: [u64; 4] = [1_717_331, 1_839_101, 12_183_291, 12_973_363];
    const GOLDEN_LOGNORMAL: [u64; 4] = [34_660_417, 26_776_995, 19_513_297, 33_880_319];

    #[test]
    fn portable_functions_agree_with_std() {
        let close = |a: f64, b: f64| (a - b).abs() <= 4.0 * f64::EPSILON * b.abs().max(1e-300);
        let mut x = 1e-310;
        while x < 1e300 {
            assert!(close(portable_ln(x), x.ln()), "ln({x})");
            x *= 1.37;
        }
        for x in [
            1.0,
            0.5,
            2.0,
            1.0 - 1e-16,
            1.0 + 1e-15,
            f64::MIN_POSITIVE,
            5e-324,
        ] {
            assert!(
                (portable_ln(x) - x.ln()).abs() <= 1e-15 * x.ln().abs().max(1.0),
                "ln({x})"
            );
        }
        assert_eq!(portable_ln(0.0), f64::NEG_INFINITY);
        assert!(portable_ln(-1.0).is_nan());
        let mut x = -700.0;
        while x < 709.0 {
            assert!(
                close(portable_exp(x), x.exp()),
                "exp({x}) {} {}",
                portable_exp(x),
                x.exp()
            );
            x += 0.731;
        }
        assert_eq!(portable_exp(0.0), 1.0);
        assert_eq!(portable_exp(1000.0), f64::INFINITY);
        assert_eq!(portable_exp(-1000.0), 0.0);
        for i in 0..4096 {
            let t = i as f64 / 4096.0 + 1e-7;
            let want = (2.0 * std::f64::consts::PI * t).cos();
            assert!((portable_cos_turns(t) - want).abs() < 4e-15, "cos({t})");
        }
        assert_eq!(portable_cos_turns(0.0), 1.0);
        assert_eq!(portable_cos_turns(0.5), -1.0);
    }
}
