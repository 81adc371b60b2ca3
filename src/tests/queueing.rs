//! Queueing theory check: with c identical nodes that each fit one pod,
//! Poisson arrivals, exponential run times and zero latencies and backoff,
//! the scheduler is an M/M/c queue and the mean wait must match Erlang C.

use crate::scenario::decode::load;
use crate::sim::{simulate, RunOptions};
use std::path::Path;

/// Erlang C: the probability that an arrival waits, for c servers and offered load a = λ/μ.
fn erlang_c(c: u32, a: f64) -> f64 {
    let mut term = 1.0; // a^k / k!
    let mut sum = 0.0;
    for k in 0..c {
        sum += term;
        term *= a / f64::from(k + 1);
    }
    // term is now a^c / c!
    let top = term * f64::from(c) / (f64::from(c) - a);
    top / (sum + top)
}

#[test]
fn erlang_c_matches_hand_computation() {
    // c = 5, a = 4: Σ_{k<5} a^k/k! = 1 + 4 + 8 + 10.667 + 10.667 = 34.333;
    // a^5/5! · 5/(5−4) = 8.533 · 5 = 42.667; C = 42.667 / 77 = 0.5541.
    assert!((erlang_c(5, 4.0) - 0.5541).abs() < 1e-4);
}

#[test]
fn mmc_scenario_mean_wait_matches_erlang_c() {
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/mmc.yaml"));
    let s = load(path).unwrap().scenario;
    let report = simulate(&s, s.seed, &RunOptions::default());
    let (c, lambda, mu) = (5u32, 0.4, 0.1);
    let expected = erlang_c(c, lambda / mu) / (f64::from(c) * mu - lambda);
    assert!((expected - 5.541).abs() < 0.01);

    // Waits in arrival order, after a warm-up, in 20 batches (batch means).
    let waits: Vec<f64> = report
        .state
        .pods()
        .iter()
        .map(|e| {
            e.status
                .conditions
                .pod_scheduled
                .expect("every pod is scheduled")
                .since(e.created)
                .as_secs_f64()
        })
        .skip(1000)
        .collect();
    assert_eq!(waits.len(), 19_000);
    let batches: Vec<f64> = waits
        .chunks(950)
        .map(|b| b.iter().sum::<f64>() / b.len() as f64)
        .collect();
    let n = batches.len() as f64;
    let mean = batches.iter().sum::<f64>() / n;
    let var = batches.iter().map(|b| (b - mean).powi(2)).sum::<f64>() / (n - 1.0);
    // 99% two-sided Student t with 19 degrees of freedom.
    let half_width = 2.861 * (var / n).sqrt();
    assert!(
        (mean - expected).abs() <= half_width,
        "mean wait {mean:.3} s, Erlang C {expected:.3} s, 99% half-width {half_width:.3} s"
    );
    // The interval must be informative, not arbitrarily wide.
    assert!(half_width < 0.25 * expected, "half-width {half_width}");
}
