//! Arrivals whose rate follows a profile: counts per interval, determinism,
//! and streams of their own.

use super::{errors, run};

fn creation_times(report: &crate::sim::RunReport, prefix: &str) -> Vec<f64> {
    (report.state.pods().iter())
        .filter(|e| e.pod.metadata.name.starts_with(prefix))
        .map(|e| e.created.as_secs_f64())
        .collect()
}

const SCENARIO: &str = "
seed: 5
duration: 400s
nodePools: [{name: n, count: 1, capacity: {cpu: '1000', memory: 1000Gi, pods: '100000'}}]
arrivals:
  - name: steady
    process: poisson
    rate: 0.2
    until: 400s
    template: {apiVersion: v1, kind: Pod, spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}
  - name: load
    process: profile
    profile: {steps: [{at: 0s, rate: RATE_A}, {at: 200s, rate: 0.25}]}
    until: 400s
    template: {apiVersion: v1, kind: Pod, spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}
";

#[test]
fn a_piecewise_constant_profile_gives_each_interval_its_rate() {
    let report = run(&SCENARIO.replace("RATE_A", "1"));
    let times = creation_times(&report, "load-");
    let first = times.iter().filter(|&&t| t < 200.0).count() as f64;
    let second = times.iter().filter(|&&t| t >= 200.0).count() as f64;
    // Poisson counts: mean 200 and 50, each within 4.5 standard deviations.
    assert!(
        (first - 200.0).abs() < 4.5 * 200f64.sqrt(),
        "{first} in the first 200 s"
    );
    assert!(
        (second - 50.0).abs() < 4.5 * 50f64.sqrt(),
        "{second} in the last 200 s"
    );
}

#[test]
fn same_seed_same_times_and_other_streams_stay_put() {
    let a = run(&SCENARIO.replace("RATE_A", "1"));
    let b = run(&SCENARIO.replace("RATE_A", "1"));
    assert_eq!(creation_times(&a, "load-"), creation_times(&b, "load-"));
    let c = run(&SCENARIO.replace("RATE_A", "1.5"));
    assert_ne!(creation_times(&a, "load-"), creation_times(&c, "load-"));
    assert_eq!(creation_times(&a, "steady-"), creation_times(&c, "steady-"));
}

#[test]
fn a_profile_process_needs_a_profile_and_nothing_else() {
    let e = errors(
        &SCENARIO
            .replace("RATE_A", "1")
            .replace("process: profile", "process: poisson"),
    );
    assert!(
        e.contains("`profile` goes with `process: profile` only"),
        "{e}"
    );
    let e = errors(&SCENARIO.replace("RATE_A", "-1"));
    assert!(e.contains("arrivals[1].profile.steps[0].rate"), "{e}");
}
