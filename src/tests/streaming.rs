//! Streaming a run (events, node rows, samples and finished pods written as
//! they happen, finished pods retired) writes byte for byte the files an
//! in-memory run writes (timeseries.csv and workloads.csv among them), and
//! keeps memory per finished pod bounded.

use super::scenario;
use crate::metrics::stream::StreamWriters;
use crate::output::{run_streaming, write_results, RunManifest};
use crate::scenario::Scenario;
use crate::sim::{simulate, simulate_streaming, RunOptions};
use std::path::Path;

/// Bare pods that finish, fail and restart, are deleted while pending,
/// running and terminating (and, finished long before, by name), wait
/// unschedulable to the end, fail the
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
  - {at: 30m, delete: {kind: Pod, name: never-3}}
faults:
  - {at: 8m, nodeDown: {node: n-1}, for: 10m}
  - {at: 12m, networkPartition: {nodes: [n-2]}, for: 8m}
"#;

/// Pods that controllers own: a Deployment rolled twice and scaled down
/// behind a Service, a ReplicaSet, Jobs that fail past their backoffLimit,
/// run Indexed and go after their TTL, a CronJob whose old Jobs go with
/// its history limits, a DaemonSet, and nodes that crash (taint-based
/// evictions, recreated pods) and are deleted from the API while down.
const OWNED_PODS: &str = r#"
name: owned
seed: 4
duration: 90m
sampleInterval: 1m
controllerManager: {startTime: "2024-01-01T00:00:00Z"}
nodePools:
  - {name: n, count: 8, capacity: {cpu: "8", memory: 16Gi}, zones: [a, b]}
workloads:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      replicas: 12
      minReadySeconds: 5
      revisionHistoryLimit: 1
      strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}}
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          terminationGracePeriodSeconds: 5
          containers: [{name: web, image: "web:1", resources: {requests: {cpu: 250m, memory: 256Mi}}}]
  - {apiVersion: v1, kind: Service, metadata: {name: web}, spec: {selector: {app: web}, ports: [{port: 80}]}}
  - apiVersion: apps/v1
    kind: ReplicaSet
    metadata: {name: rs}
    spec:
      replicas: 4
      selector: {matchLabels: {app: rs}}
      template:
        metadata: {labels: {app: rs}}
        spec: {containers: [{name: rs, image: "rs:1", resources: {requests: {cpu: 100m}}}]}
  - apiVersion: batch/v1
    kind: Job
    metadata: {name: flaky}
    spec:
      completions: 20
      parallelism: 4
      backoffLimit: 3
      template:
        metadata: {labels: {app: flaky}}
        spec:
          restartPolicy: Never
          containers: [{name: job, image: "job:1", resources: {requests: {cpu: 200m}}}]
  - apiVersion: batch/v1
    kind: Job
    metadata: {name: indexed}
    spec:
      completions: 30
      parallelism: 5
      completionMode: Indexed
      backoffLimit: 50
      ttlSecondsAfterFinished: 120
      template:
        spec:
          restartPolicy: Never
          containers: [{name: job, image: "job:1", resources: {requests: {cpu: 200m}}}]
  - apiVersion: batch/v1
    kind: CronJob
    metadata: {name: cron}
    spec:
      schedule: "*/2 * * * *"
      successfulJobsHistoryLimit: 2
      failedJobsHistoryLimit: 1
      jobTemplate:
        spec:
          completions: 3
          parallelism: 3
          backoffLimit: 2
          template:
            spec:
              restartPolicy: Never
              containers: [{name: job, image: "job:1", resources: {requests: {cpu: 200m}}}]
  - apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: agent}
    spec:
      selector: {matchLabels: {app: agent}}
      template:
        metadata: {labels: {app: agent}}
        spec: {containers: [{name: agent, image: "agent:1", resources: {requests: {cpu: 50m}}}]}
behaviour:
  - container: job
    runTime: uniform(10s, 60s)
    failProbability: 0.2
  - selector: {matchLabels: {app: flaky}}
    runTime: uniform(5s, 20s)
    failProbability: 0.5
  - startLatency: uniform(0s, 3s)
actions:
  - {at: 10m, setImage: {kind: Deployment, name: web, container: web, image: "web:2"}}
  - {at: 30m, setImage: {kind: Deployment, name: web, container: web, image: "web:3"}}
  - {at: 45m, scale: {kind: Deployment, name: web, replicas: 5}}
  - {at: 50m, scale: {kind: ReplicaSet, name: rs, replicas: 1}}
  - {at: 60m, delete: {kind: ReplicaSet, name: rs, propagationPolicy: Foreground}}
faults:
  - {at: 15m, nodeDown: {node: n-1}, for: 12m}
  - {at: 40m, networkPartition: {nodes: [n-2]}, for: 10m}
  - {at: 55m, nodeDown: {node: n-3}}
"#;

fn manifest(name: &str) -> RunManifest<'_> {
    RunManifest {
        scenario_path: "test.yaml",
        scenario_sha256: String::new(),
        inputs: &[],
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
    assert_eq!(in_memory.state.pods().live(), in_memory.state.pods().len());
    std::fs::remove_dir_all(&base).unwrap();
    streamed.state.pods().len() - streamed.state.pods().live()
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
fn streamed_bare_pods_with_a_warmup_write_identical_files() {
    // Retired pods created before the warm-up leave their times out too.
    let s = scenario(&BARE_PODS.replace("sampleInterval: 1m", "sampleInterval: 1m\nwarmup: 10m"));
    assert!(check_identical(&s, "warmup") > 300);
}

#[test]
fn streamed_bare_pods_with_a_deleted_node_write_identical_files() {
    // The pod GC deletes the deleted node's pods 40 to 60 s later.
    let s = scenario(&BARE_PODS.replace(
        "actions:\n",
        "actions:\n  - {at: 10m, delete: {kind: Node, name: n-1}}\n",
    ));
    let deletes_node = |a: &crate::scenario::Action| matches!(&a.kind, crate::scenario::ActionKind::Delete { kind, .. } if kind == "Node");
    assert!(s.actions.iter().any(deletes_node));
    assert!(check_identical(&s, "node-deleted") > 300);
}

/// `yaml` with API latency on every path, inserted before its `section` line.
fn with_api_latency(yaml: &str, section: &str) -> String {
    let latency =
        "apiLatency:\n  create: uniform(10ms, 200ms)\n  schedulerWatch: uniform(1ms, 50ms)\n  \
         bind: uniform(10ms, 100ms)\n  kubeletWatch: uniform(1ms, 50ms)\n  \
         statusUpdate: uniform(10ms, 300ms)\n";
    yaml.replace(section, &format!("{latency}{section}"))
}

#[test]
fn streamed_bare_pods_with_api_latency_write_identical_files() {
    let yaml = with_api_latency(BARE_PODS, "images:");
    let retired = check_identical(&scenario(&yaml), "latency");
    assert!(retired > 300, "only {retired} pods retired");
}

#[test]
fn streamed_controller_owned_pods_write_identical_files_and_are_retired() {
    let s = scenario(OWNED_PODS);
    let base = std::env::temp_dir().join(format!("kubesim-owned-{}", std::process::id()));
    let streamed = run_streaming(&base, &manifest(&s.name), false, |w| {
        simulate_streaming(&s, s.seed, &RunOptions::default(), w)
    })
    .unwrap();
    std::fs::remove_dir_all(&base).unwrap();
    // Every pod gone from the API that nothing looks at any more goes.
    let state = &streamed.state;
    let retired = state.pods().len() - state.pods().live();
    let deleted_live = state.pods().iter().filter(|e| e.deleted.is_some()).count();
    // 272 pods, 228 retired: the 44 left are the live ones and the Jobs'
    // finished pods, which stay in the API while their Job does.
    assert!(
        retired * 4 >= state.pods().len() * 3,
        "only {retired} of {} pods retired",
        state.pods().len()
    );
    assert!(
        deleted_live <= retired / 10,
        "{deleted_live} deleted pods still held, {retired} retired"
    );
    check_identical(&s, "owned");
}

#[test]
fn streamed_controller_owned_pods_with_api_latency_write_identical_files() {
    let yaml = with_api_latency(OWNED_PODS, "workloads:");
    let retired = check_identical(&scenario(&yaml), "owned-latency");
    assert!(retired > 150, "only {retired} pods retired");
}

#[test]
fn streamed_example_scenarios_write_identical_files() {
    // Controllers, rollouts, Jobs, CronJobs, DaemonSets, Services,
    // preemption, node and zone failures, image pulls, API latency, an HPA.
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
        "resilience-base",
        "zone-spread",
        "spreading",
        "anti-affinity",
        "scheduler-config",
        "binpacking",
        "capacity-base",
        "hpa-diurnal",
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
    assert_eq!(streamed.state.pods().len(), 2000);
    assert!(
        streamed.state.pods().live() <= 20,
        "{} pod entries held after the run",
        streamed.state.pods().live()
    );
    assert!(streamed.recorder.events.is_empty() && streamed.recorder.nodes.rows.is_empty());
    assert!(streamed.recorder.samples.is_empty());
    assert_eq!(streamed.recorder.retired.pods, 2000);
    // The in-memory run holds every entry, every event and node row.
    let in_memory = simulate(&s, 1, &RunOptions::default());
    assert_eq!(in_memory.state.pods().live(), 2000);
    assert!(in_memory.recorder.events.len() >= 2000 * 3);
    assert_eq!(in_memory.summary, streamed.summary);
}
