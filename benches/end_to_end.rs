//! End to end: a whole scenario from the first arrival to the last pod
//! finishing, in the shape issue 8 and the Rust peers use: nodes of 64 cpu /
//! 256 GiB, 100 000 pods arriving uniformly over 10 000 s with requests
//! uniform in 0.1–4 cpu and 0.25–8 GiB and run times uniform in 10–1000 s,
//! default scheduler profile (adaptive percentageOfNodesToScore).
//!
//! Limits to approach: 1 000 nodes / 100 000 pods in ≤ 1 s and 5 000 nodes /
//! 100 000 pods in ≤ 3 s on this 2-core machine. Peer: jellythefish/kubernetriks
//! (dslab engine) reports about 20 s and 170 s for the same two shapes.
//!
//! Also: a sweep of 16 such runs (200 nodes / 10 000 pods each) on 1 and 2
//! threads; the limit is a speed-up of 2 on 2 cores.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use kubesim::scenario::decode::load_str;
use kubesim::scenario::Scenario;
use kubesim::sim::{simulate, RunOptions};
use std::path::Path;

/// The allocator of the `kubesim` binary (see `src/main.rs`), so that the
/// figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn scenario_yaml(nodes: usize, pods: usize, seconds: usize) -> String {
    format!(
        r#"name: e2e
seed: 1
sampleInterval: 60s
nodePools: [{{name: node, count: {nodes}, capacity: {{cpu: "64", memory: 256Gi}}}}]
arrivals:
  - name: pod
    process: constant
    rate: {rate}
    count: {pods}
    requests: {{cpu: "uniform(100m, 4)", memory: "uniform(256Mi, 8Gi)"}}
    template:
      apiVersion: v1
      kind: Pod
      spec:
        restartPolicy: Never
        containers: [{{name: c, image: c}}]
behaviour: [{{runTime: "uniform(10s, 1000s)"}}]
"#,
        rate = pods as f64 / seconds as f64,
    )
}

fn scenario(nodes: usize, pods: usize) -> Scenario {
    let yaml = scenario_yaml(nodes, pods, 10_000);
    load_str("e2e.yaml", &yaml, Path::new("."), "e2e")
        .expect("a valid scenario")
        .scenario
}

fn end_to_end(c: &mut Criterion) {
    let mut group = c.benchmark_group("end_to_end");
    group.sample_size(10);
    for nodes in [1_000, 5_000] {
        let s = scenario(nodes, 100_000);
        group.bench_function(BenchmarkId::new("100k_pods", nodes), |b| {
            b.iter(|| simulate(&s, s.seed, &RunOptions::default()))
        });
    }
    group.finish();
}

struct Quiet;
impl kubesim::sweep::run::RunProgress for Quiet {
    fn run_done(&self) {}
}
impl kubesim::sweep::Progress for Quiet {
    fn start(&self, _: usize, _: usize) {}
}

fn sweep(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("kubesim-bench-sweep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("base.yaml"), scenario_yaml(200, 10_000, 10_000)).unwrap();
    std::fs::write(
        dir.join("sweep.yaml"),
        "name: bench\nbase: base.yaml\nreplications: 8\naxes:\n  - path: nodePools[0].count\n    values: [150, 200]\n",
    )
    .unwrap();
    let sweep = kubesim::sweep::load(&dir.join("sweep.yaml")).expect("a valid sweep");
    let mut group = c.benchmark_group("sweep_16_runs");
    group.sample_size(10);
    for jobs in [1, 2] {
        group.bench_function(BenchmarkId::new("threads", jobs), |b| {
            b.iter(|| {
                let out = dir.join("out");
                let _ = std::fs::remove_dir_all(&out);
                let options = kubesim::sweep::Options {
                    jobs,
                    ..Default::default()
                };
                kubesim::sweep::run(&sweep, &out, &options, &Quiet).unwrap()
            })
        });
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, end_to_end, sweep);
criterion_main!(benches);
