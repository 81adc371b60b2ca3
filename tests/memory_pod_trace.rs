//! A pod trace streams: a run holds one row of it at a time, not the file
//! (loading holds a 16-byte digest of each row's pod name besides).
//! The most memory a streamed run of a trace ever holds grows with the
//! trace by no more than what each finished pod leaves behind anyway (its
//! id's slots and summary figures, `memory.rs`), not by a pod or a row per
//! line of the file, as it would if the trace were read whole.
//!
//! A counting global allocator measures the heap; this file is its own test
//! binary with a single test, so nothing else allocates meanwhile.

#[path = "common/counting_alloc.rs"]
mod counting_alloc;
#[path = "common/scratch.rs"]
mod scratch;

use counting_alloc::{live_bytes, peak_bytes, reset_peak};
use kubesim::metrics::stream::StreamWriters;
use kubesim::scenario::decode::load_str;
use kubesim::sim::{simulate_streaming, RunOptions};
use std::fmt::Write;

/// The peak heap of loading and then running `rows` pods of 10 s, one a
/// second (about ten alive at once), from a trace or, `trace` false, from
/// an arrival process creating the same pods: (loading, running).
fn peaks(dir: &std::path::Path, rows: u32, trace: bool) -> (isize, isize) {
    let mut csv = String::from("creation_time_s,cpu,memory,run_time_s\n");
    for i in 0..rows {
        writeln!(csv, "{i},250m,512Mi,10").unwrap();
    }
    std::fs::write(dir.join("pods.csv"), csv).unwrap();
    let nodes = "name: trace\nseed: 1\nnodePools: [{name: n, count: 2, capacity: {cpu: \"8\", memory: 32Gi}}]\n";
    let pods = if trace {
        "podTraces: [{file: pods.csv}]\n".to_string()
    } else {
        format!(
            "arrivals:\n  - {{name: pods, process: constant, interval: 1s, count: {rows}, template: \
             {{apiVersion: v1, kind: Pod, metadata: {{annotations: {{kubesim.io/run-time.main: 10s}}}}, \
             spec: {{restartPolicy: Never, containers: [{{name: main, image: kubesim.io/pod-trace:1, \
             imagePullPolicy: IfNotPresent, resources: {{requests: {{cpu: 250m, memory: 512Mi}}}}}}]}}}}}}\n"
        )
    };
    reset_peak();
    let before = live_bytes();
    let s = load_str("memory.yaml", &format!("{nodes}{pods}"), dir, "memory")
        .expect("valid")
        .scenario;
    let loading = peak_bytes() - before;
    reset_peak();
    let before = live_bytes();
    let report = simulate_streaming(&s, s.seed, &RunOptions::default(), StreamWriters::discard());
    let running = peak_bytes() - before;
    assert_eq!(report.state.pods().len(), rows as usize);
    assert!(report.input_errors.is_empty());
    (loading, running)
}

#[test]
fn a_run_holds_one_row_of_a_pod_trace_at_a_time() {
    let dir = scratch::Scratch::new("memory-pod-trace");
    let (load_small, _) = peaks(&dir, 2_000, true);
    let (load_large, traced) = peaks(&dir, 20_000, true);
    let (_, arrived) = peaks(&dir, 20_000, false);
    // Loading reads and checks every row, keeping none: its peak grows with
    // the file only by the table of taken pod names (a 16-byte digest per
    // row in a hash table at least half full, and the old table while it
    // grows: under 48 bytes a row), dropped before the run; a decoded row
    // or a pod per row would be hundreds of bytes a row.
    assert!(
        load_large - load_small <= 48 * 18_000 + 4096,
        "loading 18 000 more rows peaked {} bytes higher",
        load_large - load_small
    );
    // Running, the trace costs its read buffer (64 KiB) and one row more
    // than an arrival process making the same 20 000 pods; a pod held per
    // row would be more than 20 MB, a decoded row per row more than 10 MB.
    assert!(
        traced - arrived <= 256 << 10,
        "the trace's run peaked {traced} bytes, the arrival's {arrived}"
    );
    eprintln!(
        "peak: loading {load_small}/{load_large} bytes, running {traced} (arrival {arrived})"
    );
}
