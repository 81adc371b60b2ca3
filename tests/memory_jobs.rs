//! Memory per finished pod stays bounded when a run streams its results and
//! its pods belong to controllers: a CronJob's Jobs, whose finished pods go
//! with their Job once the CronJob's history limits delete it, and a
//! Deployment rolled over and over, whose old pods are deleted.
//!
//! A counting global allocator measures the heap (as in `memory.rs`); this
//! file is its own test binary with a single test, so nothing else
//! allocates meanwhile.

#[path = "common/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::held_by_run;

/// Bytes the finished run still holds after `hours` of a CronJob starting a
/// Job of 10 pods of 20 s every minute (600 pods an hour), and a Deployment
/// of 10 replicas getting a new image every 10 minutes (60 pods an hour);
/// and how many pods it created.
fn held_bytes(hours: u32, streaming: bool) -> (isize, usize) {
    let mut yaml = format!(
        "name: jobs\nseed: 1\nduration: {hours}h\nsampleInterval: 10m\n\
         controllerManager: {{startTime: \"2024-01-01T00:00:00Z\"}}\n\
         nodePools: [{{name: n, count: 4, capacity: {{cpu: \"16\", memory: 64Gi}}}}]\n\
         workloads:\n\
         - {{apiVersion: batch/v1, kind: CronJob, metadata: {{name: cron}}, spec: {{schedule: \"* * * * *\", \
         successfulJobsHistoryLimit: 2, failedJobsHistoryLimit: 1, jobTemplate: {{spec: {{completions: 10, \
         parallelism: 10, backoffLimit: 20, template: {{spec: {{restartPolicy: Never, containers: \
         [{{name: job, image: job, resources: {{requests: {{cpu: 100m}}}}}}]}}}}}}}}}}}}\n\
         - {{apiVersion: apps/v1, kind: Deployment, metadata: {{name: web}}, spec: {{replicas: 10, \
         selector: {{matchLabels: {{app: web}}}}, template: {{metadata: {{labels: {{app: web}}}}, spec: \
         {{containers: [{{name: web, image: web, resources: {{requests: {{cpu: 100m}}}}}}]}}}}}}}}\n\
         behaviour: [{{container: job, runTime: 20s, failProbability: 0.1}}]\nactions:\n"
    );
    for i in 1..hours * 6 {
        yaml += &format!(
            "- {{at: {}m, setImage: {{kind: Deployment, name: web, container: web, image: \"web:{i}\"}}}}\n",
            i * 10
        );
    }
    held_by_run(&yaml, streaming)
}

#[test]
fn memory_per_finished_owned_pod_is_bounded_when_streaming() {
    let per_pod = |streaming| {
        let (small, small_pods) = held_bytes(2, streaming);
        let (large, large_pods) = held_bytes(8, streaming);
        assert!(
            large_pods > small_pods * 3,
            "{small_pods} → {large_pods} pods"
        );
        (large - small) / (large_pods - small_pods) as isize
    };
    let streamed = per_pod(true);
    let in_memory = per_pod(false);
    eprintln!("bytes per finished owned pod: streamed {streamed}, in memory {in_memory}");
    // Streamed, a finished pod leaves what a bare one does (about 200
    // bytes, see `memory.rs`) plus a tenth of what its deleted Job leaves
    // (the Job object, kept for workloads.csv and workload_summary.csv, and
    // its controller's bookkeeping: about 2 KB).
    assert!(
        streamed <= 512,
        "a finished owned pod costs {streamed} bytes when streaming"
    );
    assert!(
        in_memory >= 1_000,
        "a finished owned pod costs {in_memory} bytes in memory"
    );
}
