//! The user's path, whole: `kubesim validate` and `kubesim run` exactly as the
//! binary runs them (`kubesim::cli::main_with_args`, reading files, writing
//! results), on the large shapes the examples write:
//!
//! - `yaml_100k_pods/validate`: loading a scenario of 1 000 nodes and 100 000
//!   Pod manifests written out one by one (`examples/gen_big_scenario.rs`,
//!   about 30 MB of YAML);
//! - `pod_trace_100k/run`: a pod trace of 100 000 pods on 1 000 nodes
//!   (`examples/gen_pod_trace.rs --big`), the whole run, with
//!   `percentageOfNodesToScore` at its default (adaptive) and at 100 (every
//!   node scored).
//!
//! Limits to approach on this 2-core machine: the whole process ≤ 1.5 s at
//! 1 000 nodes scoring every node; loading 1 000 000 trace rows ≤ 1 s; peak
//! memory ≤ 200 MB for the 100 000-pod run (measure it with
//! `/usr/bin/time -v kubesim run …`; criterion does not). The reference: the
//! peer simulator takes 32 s for the same shape on this machine.
//!
//! The inputs are written into a temporary directory at the start, from the
//! examples' fixed seeds. Samples are few (10): one sample is a whole run.

#[allow(dead_code)]
#[path = "../examples/gen_big_scenario.rs"]
mod gen_big_scenario;
#[allow(dead_code)]
#[path = "../examples/gen_pod_trace.rs"]
mod gen_pod_trace;

use criterion::{criterion_group, criterion_main, Criterion};
use std::path::{Path, PathBuf};

/// The allocator of the `kubesim` binary (see `src/main.rs`), so that the
/// figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const PODS: u64 = 100_000;

/// Runs a `kubesim` command line in process; it must succeed.
fn kubesim(args: &[&str]) {
    let mut argv = vec!["kubesim"];
    argv.extend_from_slice(args);
    assert_eq!(kubesim::cli::main_with_args(argv), 0, "kubesim {args:?}");
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temporary path")
}

/// Writes the inputs; returns the big YAML scenario and the two trace scenarios
/// (default scoring, every node scored).
fn inputs(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    std::fs::create_dir_all(dir).expect("temporary directory");
    let yaml = dir.join("big.yaml");
    gen_big_scenario::write_scenario(&yaml, PODS, 7).expect("writes the YAML scenario");
    gen_pod_trace::write_trace(&dir.join("pod-trace.csv"), PODS, 10_000.0, 7)
        .expect("writes the trace");
    gen_pod_trace::write_big_scenario(dir).expect("writes the trace scenario");
    let default_scoring = dir.join("pod-trace.yaml");
    let all_nodes = dir.join("pod-trace-score-all.yaml");
    let text = std::fs::read_to_string(&default_scoring).expect("reads the trace scenario");
    std::fs::write(
        &all_nodes,
        format!("{text}scheduler: {{percentageOfNodesToScore: 100}}\n"),
    )
    .expect("writes the scoring variant");
    (yaml, default_scoring, all_nodes)
}

fn user_path(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("kubesim-bench-user-path-{}", std::process::id()));
    let (yaml, default_scoring, all_nodes) = inputs(&dir);
    let out = dir.join("results");

    let mut g = c.benchmark_group("yaml_100k_pods");
    g.sample_size(10);
    g.bench_function("validate", |b| {
        b.iter(|| kubesim(&["validate", path_str(&yaml)]))
    });
    g.finish();

    let mut g = c.benchmark_group("pod_trace_100k");
    g.sample_size(10);
    for (name, scenario) in [
        ("run_default_scoring", &default_scoring),
        ("run_score_all_nodes", &all_nodes),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                kubesim(&[
                    "run",
                    path_str(scenario),
                    "--out",
                    path_str(&out),
                    "--quiet",
                ])
            })
        });
    }
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, user_path);
criterion_main!(benches);
