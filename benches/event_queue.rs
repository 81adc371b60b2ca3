//! Event queue throughput: push one event and pop one with N events pending.
//!
//! Limit to approach: a plain binary heap on (time, sequence) does about 12
//! million push+pop pairs per second on this 2-core machine at 1e5 pending
//! (≈ 80 ns per pair); a heap is O(log n), so 1e6 pending costs a little more
//! through cache misses.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use kubesim::engine::{EventQueue, SimTime};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn push_pop(c: &mut Criterion) {
    let mut group = c.benchmark_group("event_queue_push_pop");
    for &pending in &[1_000usize, 100_000, 1_000_000] {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut q: EventQueue<u64> = EventQueue::new();
        for i in 0..pending {
            q.schedule(SimTime(rng.gen_range(0..1_000_000_000)), i as u64);
        }
        group.throughput(Throughput::Elements(1));
        group.bench_with_input(BenchmarkId::from_parameter(pending), &pending, |b, _| {
            b.iter(|| {
                let (t, e) = q.pop().expect("pending events");
                // Reschedule in the future so the queue keeps its size.
                q.schedule(SimTime(t.0 + 1 + (e % 1_000_000)), e);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, push_pop);
criterion_main!(benches);
