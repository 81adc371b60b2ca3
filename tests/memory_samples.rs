//! A streamed run's memory does not grow with its simulated duration when
//! nothing else does: timeseries.csv and workloads.csv rows are written as
//! they are sampled, and the summary figures that come from them are
//! gathered as they come. (node-failure.yaml at `duration: 100d` held
//! 403 MB of samples.)
//!
//! A counting global allocator measures the heap (as in `memory.rs`); this
//! file is its own test binary with a single test, so nothing else
//! allocates meanwhile.

#[path = "common/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::held_by_run;

/// Bytes a finished run still holds after `hours` of a steady Deployment
/// behind a Service, sampled every 5 s.
fn held_bytes(hours: u32, streaming: bool) -> isize {
    let yaml = format!(
        "name: steady\nseed: 1\nduration: {hours}h\nsampleInterval: 5s\n\
         nodePools: [{{name: n, count: 4, capacity: {{cpu: \"4\", memory: 16Gi}}}}]\n\
         workloads:\n\
         - {{apiVersion: apps/v1, kind: Deployment, metadata: {{name: web}}, spec: {{replicas: 10, \
         selector: {{matchLabels: {{app: web}}}}, template: {{metadata: {{labels: {{app: web}}}}, spec: \
         {{containers: [{{name: web, image: web, resources: {{requests: {{cpu: 500m}}}}}}]}}}}}}}}\n\
         - {{apiVersion: v1, kind: Service, metadata: {{name: web}}, spec: {{selector: {{app: web}}, \
         ports: [{{port: 80}}]}}}}\n"
    );
    held_by_run(&yaml, streaming).0
}

#[test]
fn memory_for_samples_does_not_grow_with_the_duration_when_streaming() {
    // 6 h and 24 h: 4 320 and 17 280 samples, each a timeseries.csv row
    // and three workloads.csv rows (Deployment, ReplicaSet, Service).
    let extra_samples = 17_280 - 4_320;
    let streamed = held_bytes(24, true) - held_bytes(6, true);
    let in_memory = held_bytes(24, false) - held_bytes(6, false);
    eprintln!(
        "bytes held for 18 more hours: streamed {streamed}, in memory {in_memory} \
         ({} a sample)",
        in_memory / extra_samples
    );
    // Kept, a sample costs its row (80 bytes) and its three workload rows
    // (40 bytes each): about 200 bytes, 2.6 MB for the extra samples.
    assert!(
        in_memory >= 100 * extra_samples,
        "in memory, 18 more hours hold only {in_memory} bytes"
    );
    // Streamed, nothing per sample: what is left is noise (a vector's
    // growth slack), far below a byte a sample.
    assert!(
        streamed < extra_samples / 2,
        "streamed, 18 more hours hold {streamed} more bytes"
    );
}
