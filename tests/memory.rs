//! Memory per finished pod is bounded when a run streams its results: the
//! heap a run still holds when it ends grows by a small fixed amount per
//! extra finished pod (its id's slots and its summary figures), not by the
//! pod's entry, its events and its node rows, as an in-memory run's does.
//!
//! A counting global allocator measures the heap; this file is its own test
//! binary with a single test, so nothing else allocates meanwhile.

#[path = "common/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::held_by_run;

/// Bytes the finished run still holds, for `count` pods of 10 s arriving
/// one a second (about ten run at once).
fn held_bytes(count: u32, streaming: bool) -> isize {
    let yaml = format!(
        "name: short\nseed: 1\nnodePools: [{{name: n, count: 2, capacity: {{cpu: \"8\", memory: 8Gi}}}}]\n\
         arrivals:\n  - {{name: p, process: constant, interval: 1s, count: {count}, \
         requests: {{cpu: \"uniform(100m, 1)\"}}, template: {{apiVersion: v1, kind: Pod, \
         spec: {{restartPolicy: Never, containers: [{{name: c, image: c}}]}}}}}}\n\
         behaviour: [{{runTime: 10s}}]\n"
    );
    let (held, pods) = held_by_run(&yaml, streaming);
    assert_eq!(pods, count as usize);
    held
}

#[test]
fn memory_per_finished_pod_is_bounded_when_streaming() {
    let extra_pods = 8_000 - 2_000;
    let streamed = (held_bytes(8_000, true) - held_bytes(2_000, true)) / extra_pods;
    let in_memory = (held_bytes(8_000, false) - held_bytes(2_000, false)) / extra_pods;
    // Streamed, a finished pod leaves its id's slots in the pod table, the
    // kubelets and the scheduling queue (8 + 8 + 48 bytes), where its row
    // went (16) and its pending and startup times (16): about 100 bytes,
    // up to twice that with the growth slack of those vectors.
    assert!(
        streamed <= 256,
        "a finished pod costs {streamed} bytes when streaming"
    );
    // In memory it keeps its entry, spec, events and node rows.
    assert!(
        in_memory >= 1_000,
        "a finished pod costs {in_memory} bytes in memory"
    );
    eprintln!("bytes per finished pod: streamed {streamed}, in memory {in_memory}");
}
