//! Same scenario + seed ⇒ byte-identical outputs.

use crate::metrics::writers;
use crate::scenario::decode::load;
use crate::sim::{simulate, RunOptions, RunReport};
use std::path::Path;

fn all_outputs(report: &RunReport) -> Vec<u8> {
    let mut out = Vec::new();
    writers::write_pods(&mut out, &report.state).unwrap();
    writers::write_events(&mut out, &report.recorder.events).unwrap();
    writers::write_timeseries(&mut out, &report.recorder.samples).unwrap();
    writers::write_summary(&mut out, &report.summary).unwrap();
    writers::write_decisions(&mut out, &report.decisions).unwrap();
    writers::write_decision_summary(&mut out, &report.explain_summary).unwrap();
    out
}

fn quickstart() -> crate::scenario::Scenario {
    load(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/quickstart.yaml"
    )))
    .unwrap()
    .scenario
}

#[test]
fn two_runs_of_the_quickstart_are_byte_identical() {
    let s = quickstart();
    let options = RunOptions {
        explain: crate::scheduler::ExplainFilter::Prefix("train".into()),
        ..Default::default()
    };
    let a = all_outputs(&simulate(&s, s.seed, &options));
    let b = all_outputs(&simulate(&s, s.seed, &options));
    assert!(
        a.len() > 10_000,
        "the quickstart should produce substantial output"
    );
    assert!(a == b, "outputs differ between two runs with the same seed");
}

#[test]
fn a_different_seed_gives_a_different_run() {
    let s = quickstart();
    let a = all_outputs(&simulate(&s, 1, &RunOptions::default()));
    let b = all_outputs(&simulate(&s, 2, &RunOptions::default()));
    assert!(a != b);
}

#[test]
fn quickstart_holds_every_invariant_after_every_event() {
    let s = quickstart();
    let report = simulate(
        &s,
        s.seed,
        &RunOptions {
            check_invariants: true,
            ..Default::default()
        },
    );
    assert!(
        report
            .summary
            .get("pods_succeeded")
            .and_then(|f| f.as_f64())
            .unwrap()
            > 100.0
    );
}

#[test]
fn every_bundled_scenario_is_valid() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"));
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let text = std::fs::read_to_string(&path).unwrap();
            if crate::gpu::scenario::is_fillup(&text) {
                if let Err(d) = crate::gpu::scenario::load(&path) {
                    panic!("{} is invalid:\n{d}", path.display());
                }
            } else if crate::gpu::scenario::is_replay(&text) {
                if let Err(d) = crate::gpu::scenario::load_replay(&path) {
                    panic!("{} is invalid:\n{d}", path.display());
                }
            } else if let Err(d) = load(&path) {
                panic!("{} is invalid:\n{d}", path.display());
            }
            n += 1;
        }
    }
    assert!(n >= 4);
}
