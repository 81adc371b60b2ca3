//! Issue 18's example (a) stretched to 1 000 nodes, run as `kubesim run`
//! runs it: `benches/web-autoscaled-1000.yaml`, the diurnal web service of
//! `scenarios/web-autoscaled.yaml` with 550 times its traffic, its
//! HorizontalPodAutoscaler (up to 10 000 replicas) and the Cluster
//! Autoscaler on a pool of 4-cpu nodes (1 to 1 000), over 24 hours: from
//! reading the file to writing every result file into a temporary directory.
//!
//! Limit to approach (release build, this 2-core machine): about 8 s. The
//! run processes about 75 million events, nearly all of them the kubelets'
//! readiness probes (every ready pod is probed every 5 s: 7 000 pods at the
//! peak) and the event queue's ordering of them; at ≈ 100 ns per event (a
//! heap pop among ~10 000 pending timers and the probe's handler) that is
//! 7.5 s. The autoscalers must not dominate: the Cluster Autoscaler's scans
//! every 10 s and the HPA's syncs every 15 s are a few thousand decisions,
//! each far below a millisecond (`benches/autoscaler.rs`). Measured
//! 2026-12-06: about 21 s, of which (perf, self time) the event queue's
//! pops 31 %, the kubelets 24 %, the Cluster Autoscaler 1.8 % and the HPA
//! 3.2 %: the probe timers, not the autoscalers, bound it.
//!
//! Run with `cargo bench --bench web_autoscaled` (eleven runs, one of them
//! warm-up: about 4 minutes).

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use std::time::Duration;

/// The allocator of the `kubesim` binary (see `src/main.rs`), so that the
/// figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SCENARIO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/benches/web-autoscaled-1000.yaml"
);

fn web_autoscaled(c: &mut Criterion) {
    let out = std::env::temp_dir().join(format!("kubesim-bench-web-{}", std::process::id()));
    let out_arg = out
        .to_str()
        .expect("a UTF-8 temporary directory")
        .to_string();
    let mut group = c.benchmark_group("web_autoscaled");
    group.sample_size(10);
    // One run per sample while a run takes several seconds.
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(200));
    group.bench_function("1000_nodes_one_day", |b| {
        b.iter(|| {
            let args = ["kubesim", "run", SCENARIO, "--out", &out_arg, "--quiet"];
            let status = kubesim::cli::main_with_args(args);
            assert_eq!(status, kubesim::cli::EXIT_OK, "kubesim run {SCENARIO}");
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&out);
}

criterion_group!(benches, web_autoscaled);
criterion_main!(benches);
