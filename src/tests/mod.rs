//! Whole-scenario tests: tiny inline scenarios run end to end with the
//! invariant checker on after every event.

mod admission;
mod api_latency;
mod autoscaler;
mod controllers;
mod daemonset;
mod deletion;
mod determinism;
mod gpu_fillup;
mod gpu_share;
mod hpa;
mod images;
mod kubelet;
mod lifecycle;
mod names;
mod node_deletion;
mod pod_spec_lifecycle;
mod preemption;
mod probes;
mod profile_arrivals;
mod queueing;
mod sampling;
mod scheduler_scenarios;
mod scheduling;
mod snapshot;
mod statefulset;
mod streaming;
mod warmup;

/// The integration tests' scratch directory, shared with the unit tests.
#[path = "../../tests/common/scratch.rs"]
pub mod scratch;

use crate::scenario::decode::load_str;
use crate::sim::{simulate, RunOptions, RunReport};
use std::path::Path;

/// Decodes an inline scenario, panicking with every diagnostic if invalid.
pub fn scenario(yaml: &str) -> crate::scenario::Scenario {
    match load_str("test.yaml", yaml, Path::new("."), "test") {
        Ok(loaded) => loaded.scenario,
        Err(d) => panic!("invalid test scenario:\n{d}"),
    }
}

/// Runs an inline scenario with invariant checks after every event, and
/// every occurrence of an event recorded (tests count occurrences).
pub fn run(yaml: &str) -> RunReport {
    let s = scenario(yaml);
    let options = RunOptions {
        check_invariants: true,
        events: crate::metrics::events::EventsMode::All,
        ..Default::default()
    };
    simulate(&s, s.seed, &options)
}

/// The decoding errors of an invalid inline scenario, one per line.
pub fn errors(yaml: &str) -> String {
    match load_str("test.yaml", yaml, Path::new("."), "test") {
        Ok(_) => panic!("expected the scenario to be invalid"),
        Err(d) => d.to_string(),
    }
}

/// A pod's row of interest: (name, node, phase, reason).
pub fn pod_outcomes(report: &RunReport) -> Vec<(String, String, String, String)> {
    report
        .state
        .pods()
        .iter()
        .map(|e| {
            (
                e.pod.metadata.name.clone(),
                e.node
                    .map_or(String::new(), |n| report.state.node(n).name().to_string()),
                e.status.phase.as_str().to_string(),
                e.status.reason.as_deref().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Events as (time in seconds, reason, message) for one object.
pub fn events_of(report: &RunReport, object: &str) -> Vec<(f64, String, String)> {
    report
        .recorder
        .events
        .iter()
        .filter(|e| e.object == object)
        .map(|e| {
            (
                e.time.as_secs_f64(),
                e.reason.to_string(),
                e.message.clone(),
            )
        })
        .collect()
}
