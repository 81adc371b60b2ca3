//! One run of the paper's fill-up protocol with FGD on the openb trace:
//! 1 213 nodes, the default pod list inflated to 130% of GPU capacity
//! (about 10 800 pods), every feasible node scored for every pod.
//!
//! Limit to approach: FGD evaluates the fragmentation of one hypothetical
//! node state per feasible node (a few per node for sharing pods), each a
//! pass over the ~35 typical pod shapes × 8 GPUs ≈ 0.2–0.3 µs; 10 800 pods ×
//! at most 1 213 nodes ≈ 13 M states ≈ 3 s in the worst case, and less as
//! the filter drops full nodes. The bound is "a few seconds"; the
//! authors' simulator takes about 10 minutes for the same run.

use criterion::{criterion_group, criterion_main, Criterion};
use kubesim::gpu::fillup;
use kubesim::scheduler::plugins::gpu::policy::Policy;
use std::path::Path;

/// The allocator of the `kubesim` binary (see `src/main.rs`), so that the
/// figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn fgd_run(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("traces/openb");
    let trace = kubesim::trace::openb::load(
        &dir.join("openb_node_list_gpu_node.csv"),
        &dir.join("openb_pod_list_default.csv"),
    )
    .expect("the committed trace loads");
    let typical = fillup::typical_pods(&trace, 0.95);
    let mut group = c.benchmark_group("fillup");
    group.sample_size(10);
    for policy in [Policy::Fgd, Policy::BestFit] {
        group.bench_function(format!("openb-default/{}", policy.name()), |b| {
            b.iter(|| fillup::run(&trace, &typical, policy, 42, 130).allocated_milli)
        });
    }
    group.finish();
}

criterion_group!(benches, fgd_run);
criterion_main!(benches);
