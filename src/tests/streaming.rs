//! Streaming a run (events, node rows and finished pods written as they
//! happen, finished pods retired) writes byte for byte the files an
//! in-memory run writes, and keeps memory per finished pod bounded.

use super::scenario;
use crate::metrics::stream::StreamWriters;
use crate::output::{run_streaming, write_results, RunManifest};
use crate::scenario::Scenario;
use crate::sim::{simulate, simulate_streaming, RunOptions};
use std::path::Path;

/// Bare pods that finish, fail and restart, are deleted while pending,
/// running and terminating, wait unschedulable to the end, fail the
/// kubelet's admission, and sit on nodes that crash and lose the network
/// (so that taint-based evictions leave pods Terminating).
const BARE_PODS: &str = r#"
name: streaming
seed: 3
duration: 40m
sampleInterval: 1m
nodePools:
  - {name: n, count: 6, capacity: {cpu: "4", memory: 8Gi}, zones: [a, b]}
images:
  registryOutages: [{at: 2m, for: 1m}]
arrivals:
  - name: ok
    process: poisson
    rate: 0.5
    count: 300
    requests: {cpu: "uniform(100m, 2)", memory: "uniform(64Mi, 2Gi)"}
    template:
      apiVersion: v1
      kind: Pod
      spec:
        restartPolicy: OnFailure
        containers: [{name: c, image: "app:1"}]
  - name: never
    process: constant
    interval: 7s
    count: 100
    template:
      apiVersion: v1
      kind: Pod
      metadata: {labels: {app: never}}
      spec:
        restartPolicy: Never
        containers: [{name: c, image: "app:2", resources: {requests: {cpu: 200m}}}]
  - name: huge
    process: times
    times: [10s, 20m]
    template:
      apiVersion: v1
      kind: Pod
      spec: {containers: [{name: c, image: "app:1", resources: {requests: {cpu: "64"}}}]}
workloads:
  - apiVersion: v1
    kind: Pod
    metadata: {name: pinned}
    spec:
      nodeName: n-0
      containers: [{name: c, image: "app:1", resources: {requests: {cpu: "5"}}}]
  - apiVersion: v1
    kind: Pod
    metadata: {name: forever}
    spec: {containers: [{name: c, image: "app:1"}]}
behaviour:
  - selector: {matchLabels: {app: never}}
    runTime: uniform(5s, 60s)
    failProbability: 0.3
  - runTime: uniform(10s, 200s)
    failProbability: 0.1
    startLatency: uniform(0s, 2s)
actions:
  - {at: 90s, delete: {kind: Pod, name: ok-10}}
  - {at: 5m, delete: {kind: Pod, name: forever}}
  - {at: 21m, delete: {kind: Pod, name: huge-1}}
faults:
  - {at: 8m, nodeDown: {node: n-1}, for: 10m}
  - {at: 12m, networkPartition: {nodes: [n-2]}, for: 8m}
"#;

fn manifest(name: &str) -> RunManifest<'_> {
    RunManifest {
        scenario_path: "test.yaml",
        scenario_sha256: String::new(),
        scenario_name: name,
        seed: 0,
        explain: None,
        explain_pod: None,
        explain_top: None,
    }
}

/// Every file of a directory, by name.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// Runs the scenario both ways into a fresh directory each; asserts the
/// files are identical and returns how many pods the streamed run retired.
fn check_identical(s: &Scenario, label: &str) -> usize {
    let base =
        std::env::temp_dir().join(format!("kubesim-streaming-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let options = || RunOptions {
        check_invariants: true,
        ..Default::default()
    };
    let in_memory = simulate(s, s.seed, &options());
    write_results(&base.join("memory"), &in_memory, &manifest(&s.name), false).unwrap();
    let streamed = run_streaming(&base.join("streamed"), &manifest(&s.name), false, |w| {
        simulate_streaming(s, s.seed, &options(), w)
    })
    .unwrap();
    let (a, b) = (files(&base.join("memory")), files(&base.join("streamed")));
    let names = |f: &[(String, Vec<u8>)]| f.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b), "{label}: the same files");
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(
            x == y,
            "{label}: {name} differs between the in-memory and the streamed run"
        );
    }
    assert_eq!(in_memory.summary, streamed.summary);
    assert_eq!(in_memory.state.pods.live(), in_memory.state.pods.len());
    std::fs::remove_dir_all(&base).unwrap();
    streamed.state.pods.len() - streamed.state.pods.live()
}

#[test]
fn streamed_bare_pods_with_faults_restarts_and_deletions_write_identical_files() {
    let s = scenario(BARE_PODS);
    let retired = check_identical(&s, "bare");
    // Most of the 400 finite pods are retired; the point of the test is
    // that retiring them changes nothing.
    assert!(retired > 300, "only {retired} pods retired");
}

#[test]
fn streamed_bare_pods_with_api_latency_write_identical_files() {
    let yaml = BARE_PODS.replace(
        "images:",
        "apiLatency:\n  create: uniform(10ms, 200ms)\n  schedulerWatch: uniform(1ms, 50ms)\n  \
         bind: uniform(10ms, 100ms)\n  kubeletWatch: uniform(1ms, 50ms)\n  \
         statusUpdate: uniform(10ms, 300ms)\nimages:",
    );
    let retired = check_identical(&scenario(&yaml), "latency");
    assert!(retired > 300, "only {retired} pods retired");
}

#[test]
fn streamed_example_scenarios_write_identical_files() {
    // Controllers, rollouts, Jobs, CronJobs, DaemonSets, Services,
    // preemption, node and zone failures, image pulls, API latency.
    for name in [
        "quickstart",
        "rolling-update",
        "job-backoff",
        "cronjob-forbid",
        "daemonset-growing",
        "kubernetes-io-examples",
        "priority-preemption",
        "node-failure",
        "zone-outage",
        "crash-looping-sidecar",
        "slow-registry",
        "startup-slo",
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(format!("{name}.yaml"));
        let s = crate::scenario::decode::load(&path)
            .unwrap_or_else(|d| panic!("{name}: {d}"))
            .scenario;
        check_identical(&s, name);
    }
}

#[test]
fn streaming_keeps_only_the_pods_alive() {
    // 2 000 pods of 10 s each, one a second: about 10 run at any time.
    let yaml = |count: u32| {
        format!(
            "name: short\nseed: 1\nnodePools: [{{name: n, count: 2, capacity: {{cpu: \"8\", memory: 8Gi}}}}]\n\
             arrivals:\n  - {{name: p, process: constant, interval: 1s, count: {count}, template: \
             {{apiVersion: v1, kind: Pod, spec: {{restartPolicy: Never, containers: [{{name: c, image: c}}]}}}}}}\n\
             behaviour: [{{runTime: 10s}}]\n"
        )
    };
    let s = scenario(&yaml(2000));
    let streamed = simulate_streaming(&s, 1, &RunOptions::default(), StreamWriters::discard());
    assert_eq!(streamed.state.pods.len(), 2000);
    assert!(
        streamed.state.pods.live() <= 20,
        "{} pod entries held after the run",
        streamed.state.pods.live()
    );
    assert!(streamed.recorder.events.is_empty() && streamed.recorder.nodes.rows.is_empty());
    assert_eq!(streamed.recorder.retired.pods, 2000);
    // The in-memory run holds every entry, every event and node row.
    let in_memory = simulate(&s, 1, &RunOptions::default());
    assert_eq!(in_memory.state.pods.live(), 2000);
    assert!(in_memory.recorder.events.len() >= 2000 * 3);
    assert_eq!(in_memory.summary, streamed.summary);
}
