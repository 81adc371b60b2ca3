//! The bundled openb fill-up scenario runs and reproduces its committed results.

use crate::gpu::{report, scenario};
use crate::scheduler::plugins::gpu::policy::Policy;
use std::path::Path;

#[test]
fn the_openb_fillup_scenario_reproduces_its_committed_best_fit_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut s = scenario::load(&root.join("scenarios/openb-fillup.yaml")).unwrap();
    assert_eq!(s.policies, Policy::ALL.to_vec());
    assert_eq!((s.replications, s.inflation_pct), (10, 130));
    let trace = crate::trace::openb::load(&s.nodes, &s.pods).unwrap();
    // One policy, one replication: the first BestFit row of the committed runs.csv.
    s.policies = vec![Policy::BestFit];
    s.replications = 1;
    let runs = report::run_all(&s, &trace);
    let row = report::runs_csv(&runs).lines().nth(1).unwrap().to_string();
    let committed = std::fs::read_to_string(root.join("results/openb-fillup/runs.csv")).unwrap();
    assert!(
        committed.lines().any(|l| l == row),
        "BestFit replication 0 differs from results/openb-fillup/runs.csv: {row}"
    );
    // 10.8k pods arrive: the trace's 8 152 plus copies up to 130% of 6 212 GPUs.
    let r = &runs[0].1;
    assert!(r.pods_arrived() > 10_000 && r.pods_arrived() < 11_500);
    assert!(r.arrived_milli * 100 >= 130 * r.capacity_milli);
    assert_eq!(r.curve.len(), 131);
}

#[test]
fn the_openb_replay_scenario_reproduces_its_committed_summary() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let s = scenario::load_replay(&root.join("scenarios/openb-replay.yaml")).unwrap();
    let scenario::PodTrace::Openb(pods) = &s.pods else {
        panic!("the openb replay reads the openb pod list");
    };
    let trace = crate::trace::openb::load(&s.nodes, pods).unwrap();
    let typical = crate::gpu::fillup::typical_pods(&trace, s.typical_coverage);
    let r = crate::gpu::replay::replay(&trace, &typical, s.policy, s.seed, s.sample_interval_s);
    let summary = crate::gpu::replay_report::summary_csv(&trace, &r);
    let committed = std::fs::read_to_string(root.join("results/openb-replay/summary.csv")).unwrap();
    assert_eq!(summary, committed);
    // The trace README: at most about 1% of the GPUs are in use at once.
    let peak = r
        .samples
        .iter()
        .map(|x| x.gpu_allocated_milli)
        .max()
        .unwrap();
    assert!(peak * 100 < 2 * r.capacity_milli, "peak {peak}");
}

#[test]
fn fillup_results_do_not_depend_on_the_thread_count() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut s = scenario::load(&root.join("scenarios/openb-fillup.yaml")).unwrap();
    let mut trace = crate::trace::openb::load(&s.nodes, &s.pods).unwrap();
    // A slice of the trace keeps the test fast; three policies, three seeds.
    trace.nodes = trace.nodes.into_iter().step_by(10).collect();
    trace.pods = trace.pods.into_iter().step_by(10).collect();
    s.policies = vec![Policy::Random, Policy::Fgd, Policy::DotProd];
    s.replications = 3;
    let with = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let runs = report::run_all(&s, &trace);
            (report::runs_csv(&runs), report::curves_csv(&runs))
        })
    };
    assert_eq!(with(1), with(4));
}

#[test]
fn a_fillup_without_gpus_is_refused_and_its_tables_would_hold_no_non_finite_number() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut s = scenario::load(&root.join("scenarios/openb-fillup.yaml")).unwrap();
    let mut trace = crate::trace::openb::load(&s.nodes, &s.pods).unwrap();
    trace.nodes.truncate(5);
    for n in &mut trace.nodes {
        n.gpus = 0;
        n.model = None;
    }
    let e = s.check_trace(&trace).unwrap_err().to_string();
    assert!(
        e.contains("gpuFillUp.nodes: the node list") && e.contains("needs at least one GPU node"),
        "{e}"
    );
    // Were it run anyway, every share of the zero capacity is undefined:
    // the writers leave those fields empty rather than write NaN or inf.
    s.policies = vec![Policy::BestFit];
    s.replications = 1;
    let runs = report::run_all(&s, &trace);
    for table in [
        report::runs_csv(&runs),
        report::comparison_csv(&runs),
        report::failed_pods_csv(&runs),
        report::curves_csv(&runs),
        report::curves_mean_csv(&runs),
    ] {
        let lower = table.to_lowercase();
        assert!(!lower.contains("nan") && !lower.contains("inf"), "{table}");
    }
}
