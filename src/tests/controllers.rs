//! Controllers and graceful deletion end to end.

use super::{events_of, run};
use crate::model::workloads::WorkloadSpec;
use crate::model::PodPhase;
use crate::sim::RunReport;

pub(super) fn workload<'r>(
    report: &'r RunReport,
    kind: &str,
    name: &str,
) -> &'r crate::model::store::WorkloadEntry {
    report
        .state
        .workloads()
        .iter()
        .find(|w| w.workload.spec.kind() == kind && w.workload.metadata.name == name)
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

pub(super) fn pods_of_app<'r>(report: &'r RunReport, app: &str) -> Vec<&'r crate::model::PodEntry> {
    report
        .state
        .pods()
        .iter()
        .filter(|p| p.pod.metadata.labels.get("app").map(String::as_str) == Some(app))
        .collect()
}

const NODES: &str = "nodePools: [{name: n, count: 10, capacity: {cpu: '16', memory: 64Gi}}]";

fn deployment(name: &str, replicas: u32, strategy: &str) -> String {
    format!(
        r#"
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {{name: {name}}}
    spec:
      replicas: {replicas}
      strategy: {strategy}
      selector: {{matchLabels: {{app: {name}}}}}
      template:
        metadata: {{labels: {{app: {name}}}}}
        spec:
          containers: [{{name: web, image: 'web:1', resources: {{requests: {{cpu: 100m, memory: 128Mi}}}}}}]
"#
    )
}

#[test]
fn deployment_creates_a_replicaset_with_upstream_names_and_events() {
    let report = run(&format!(
        "duration: 1m\n{NODES}\nworkloads:{}",
        deployment("web", 3, "{type: RollingUpdate}")
    ));
    let rs = report
        .state
        .workloads()
        .iter()
        .find(|w| w.workload.spec.kind() == "ReplicaSet")
        .expect("a ReplicaSet");
    let rs_name = &rs.workload.metadata.name;
    assert!(
        rs_name.starts_with("web-") && rs_name.len() == "web-".len() + 10,
        "{rs_name}"
    );
    let pods = pods_of_app(&report, "web");
    assert_eq!(pods.len(), 3);
    for p in &pods {
        let name = &p.pod.metadata.name;
        assert!(
            name.starts_with(&format!("{rs_name}-")) && name.len() == rs_name.len() + 6,
            "{name}"
        );
        assert_eq!(p.pod.metadata.controller().unwrap().kind, "ReplicaSet");
        assert_eq!(p.status.phase, PodPhase::Running);
    }
    let d = events_of(&report, "default/web");
    assert_eq!(d[0].1, "ScalingReplicaSet");
    assert_eq!(
        d[0].2,
        format!("Scaled up replica set {rs_name} from 0 to 3")
    );
    assert_eq!(
        events_of(&report, &format!("default/{rs_name}"))
            .iter()
            .filter(|e| e.1 == "SuccessfulCreate")
            .count(),
        3
    );
    let status = &workload(&report, "Deployment", "web").status;
    assert_eq!(
        (status.replicas, status.available, status.updated),
        (3, 3, 3)
    );
}

#[test]
fn rolling_update_respects_max_surge_and_max_unavailable_at_every_sample() {
    // 20 replicas, 25%/25%: surge ⌈5⌉ = 5, unavailable ⌊5⌋ = 5, so at every
    // moment at most 25 pods exist and at least 15 are available.
    let yaml = format!(
        "duration: 20m\nsampleInterval: 1s\n{NODES}\nworkloads:{}\nbehaviour: [{{container: web, startLatency: 3s}}]\n\
         actions: [{{at: 2m, setImage: {{kind: Deployment, name: web, container: web, image: 'web:2'}}}}]\n",
        deployment("web", 20, "{type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}}")
    );
    let report = run(&yaml);
    let d = workload(&report, "Deployment", "web");
    assert_eq!(
        d.status.rollouts.len(),
        1,
        "the image update (creating the Deployment is not a rollout)"
    );
    let (start, end) = d.status.rollouts[0];
    assert_eq!(start.as_secs_f64(), 120.0);
    let samples: Vec<_> = report
        .recorder
        .workload_samples
        .iter()
        .filter(|s| {
            report.state.workload(s.workload).workload.metadata.name == "web"
                && s.time >= start
                && s.time <= end
        })
        .collect();
    assert!(samples.len() > 5);
    for s in &samples {
        assert!(s.available >= 15, "available {} at {}", s.available, s.time);
    }
    // Pods holding resources never exceed replicas + maxSurge.
    let live_at = |t: crate::engine::SimTime| {
        pods_of_app(&report, "web")
            .iter()
            .filter(|p| p.created <= t && p.deleted.is_none_or(|d| d > t))
            .count()
    };
    for s in &samples {
        assert!(
            live_at(s.time) <= 25,
            "{} pods at {}",
            live_at(s.time),
            s.time
        );
    }
    assert_eq!(d.status.updated, 20);
    assert_eq!(d.status.available, 20);
}

#[test]
fn recreate_deletes_every_old_pod_before_creating_new_ones() {
    let yaml = format!(
        "duration: 10m\n{NODES}\nworkloads:{}\nbehaviour: [{{container: web, stopTime: 4s}}]\n\
         actions: [{{at: 1m, setImage: {{kind: Deployment, name: web, container: web, image: 'web:2'}}}}]\n",
        deployment("web", 4, "{type: Recreate}")
    );
    let report = run(&yaml);
    let pods = pods_of_app(&report, "web");
    let old: Vec<_> = pods
        .iter()
        .filter(|p| p.pod.spec.containers[0].image == "web:1")
        .collect();
    let new: Vec<_> = pods
        .iter()
        .filter(|p| p.pod.spec.containers[0].image == "web:2")
        .collect();
    assert_eq!((old.len(), new.len()), (4, 4));
    let last_old_gone = old
        .iter()
        .map(|p| p.deleted.expect("old pods deleted"))
        .max()
        .unwrap();
    let first_new = new.iter().map(|p| p.created).min().unwrap();
    // Old pods stop 4 s after SIGTERM at 60 s; the new ones come only after.
    assert_eq!(last_old_gone.as_secs_f64(), 64.0);
    assert!(first_new >= last_old_gone);
}

#[test]
fn graceful_deletion_waits_for_a_slow_pre_stop_up_to_the_grace_period_plus_two_seconds() {
    // preStop 40 s > grace 30 s: the hook is cut at 30 s, SIGTERM gets the
    // 2 s minimum, the container needs 5 s → SIGKILL at 30 + 2 = 32 s after deletion.
    let pod = |name: &str, pre_stop: &str| {
        format!(
            "  - {{apiVersion: v1, kind: Pod, metadata: {{name: {name}, annotations: {{kubesim.io/pre-stop: {pre_stop}, kubesim.io/stop-time: 5s}}}}, \
             spec: {{terminationGracePeriodSeconds: 30, containers: [{{name: c, image: x}}]}}}}\n"
        )
    };
    let yaml = format!(
        "duration: 5m\n{NODES}\nworkloads:\n{}{}actions:\n  - {{at: 60s, delete: {{kind: Pod, name: slow}}}}\n  - {{at: 60s, delete: {{kind: Pod, name: quick}}}}\n",
        pod("slow", "40s"),
        pod("quick", "3s")
    );
    let report = run(&yaml);
    let deleted = |name: &str| {
        report
            .state
            .pods()
            .iter()
            .find(|p| p.pod.metadata.name == name)
            .unwrap()
            .deleted
            .unwrap()
            .as_secs_f64()
    };
    assert_eq!(deleted("slow"), 92.0);
    // preStop 3 s, then 5 s to exit within the remaining 27 s: removed at 60 + 8.
    assert_eq!(deleted("quick"), 68.0);
    assert_eq!(
        events_of(&report, "default/slow")
            .iter()
            .filter(|e| e.1 == "Killing")
            .count(),
        1
    );
}

#[test]
fn replicaset_replaces_a_deleted_pod() {
    let yaml = format!(
        r#"duration: 5m
{NODES}
workloads:
  - apiVersion: apps/v1
    kind: ReplicaSet
    metadata: {{name: frontend}}
    spec:
      replicas: 2
      selector: {{matchLabels: {{app: frontend}}}}
      template:
        metadata: {{labels: {{app: frontend}}}}
        spec: {{containers: [{{name: c, image: x}}]}}
actions:
  - {{at: 1m, scale: {{kind: ReplicaSet, name: frontend, replicas: 3}}}}
  - {{at: 2m, scale: {{kind: ReplicaSet, name: frontend, replicas: 1}}}}
"#
    );
    let report = run(&yaml);
    let rs = workload(&report, "ReplicaSet", "frontend");
    assert_eq!(rs.status.replicas, 1);
    let pods = pods_of_app(&report, "frontend");
    assert_eq!(pods.len(), 3);
    assert_eq!(pods.iter().filter(|p| p.deleted.is_some()).count(), 2);
    // Scale-down deletes the pod ready for the shortest time first: the one created at 1 min.
    assert!(pods[2].deleted.is_some(), "the newest pod goes first");
}

#[test]
fn job_retries_failures_with_exponential_backoff_then_fails() {
    // Every pod fails after 5 s; backoffLimit 2. Pod k is created 5 s after
    // the previous failure's backoff: failure 1 at 5 → next at 5 + 10 = 15,
    // fails at 20 → next at 20 + 20 = 40, fails at 45 → 3 failures > 2: Failed.
    let yaml = format!(
        r#"duration: 10m
{NODES}
workloads:
  - apiVersion: batch/v1
    kind: Job
    metadata: {{name: pi}}
    spec:
      backoffLimit: 2
      template:
        metadata: {{labels: {{app: pi}}}}
        spec:
          restartPolicy: Never
          containers: [{{name: pi, image: 'perl:5.34.0'}}]
behaviour: [{{container: pi, runTime: 5s, exitCode: 1}}]
"#
    );
    let report = run(&yaml);
    let created: Vec<f64> = pods_of_app(&report, "pi")
        .iter()
        .map(|p| p.created.as_secs_f64())
        .collect();
    assert_eq!(created, vec![0.0, 15.0, 40.0]);
    let job = workload(&report, "Job", "pi");
    let failed = job.status.finished().unwrap();
    assert_eq!(
        (failed.kind, failed.reason, failed.since.as_secs_f64()),
        ("Failed", "BackoffLimitExceeded", 45.0)
    );
    assert!(pods_of_app(&report, "pi")
        .iter()
        .all(|p| p.pod.metadata.name.starts_with("pi-") && p.pod.metadata.name.len() == 8));
}

#[test]
fn indexed_job_completes_every_index_with_parallelism() {
    let yaml = format!(
        r#"duration: 10m
{NODES}
workloads:
  - apiVersion: batch/v1
    kind: Job
    metadata: {{name: idx}}
    spec:
      completions: 5
      parallelism: 2
      completionMode: Indexed
      template:
        metadata: {{labels: {{app: idx}}}}
        spec:
          restartPolicy: Never
          containers: [{{name: w, image: x}}]
behaviour: [{{container: w, runTime: 10s}}]
"#
    );
    let report = run(&yaml);
    let job = workload(&report, "Job", "idx");
    // Two at a time, 10 s each: 0–10, 10–20, 20–30 → complete at 30 s.
    assert_eq!(
        job.status
            .finished()
            .map(|c| (c.kind, c.since.as_secs_f64())),
        Some(("Complete", 30.0))
    );
    let mut indexes: Vec<String> = pods_of_app(&report, "idx")
        .iter()
        .map(|p| p.pod.metadata.annotations["batch.kubernetes.io/job-completion-index"].clone())
        .collect();
    indexes.sort();
    assert_eq!(indexes, vec!["0", "1", "2", "3", "4"]);
    assert!(events_of(&report, "default/idx")
        .iter()
        .any(|e| e.1 == "Completed" && e.2 == "Job completed"));
}

#[test]
fn cronjob_with_forbid_skips_runs_while_a_job_is_active() {
    let report = run(&format!(
        r#"duration: 40m
{NODES}
workloads:
  - apiVersion: batch/v1
    kind: CronJob
    metadata: {{name: report}}
    spec:
      schedule: "*/5 * * * *"
      concurrencyPolicy: Forbid
      jobTemplate:
        spec:
          template:
            metadata: {{labels: {{app: report}}}}
            spec:
              restartPolicy: OnFailure
              containers: [{{name: r, image: x}}]
behaviour: [{{container: r, runTime: 12m}}]
"#
    ));
    let jobs: Vec<f64> = report
        .state
        .workloads()
        .iter()
        .filter(|w| matches!(w.workload.spec, WorkloadSpec::Job(_)))
        .map(|w| w.created.as_secs_f64())
        .collect();
    // Fires at 5, 10, 15 … min; a job runs 5–17 min, so 10 and 15 are
    // skipped; the next runs 20–32 (25, 30 skipped), then 35 (40 skipped).
    assert_eq!(jobs, vec![300.0, 1200.0, 2100.0]);
    let skipped = events_of(&report, "default/report")
        .iter()
        .filter(|e| e.1 == "JobAlreadyActive")
        .count();
    assert_eq!(skipped, 5);
}

#[test]
fn deleting_a_deployment_collects_its_replicasets_and_pods() {
    for (policy, pods_left) in [("Background", 0), ("Foreground", 0), ("Orphan", 2)] {
        let yaml = format!(
            "duration: 5m\n{NODES}\nworkloads:{}\nactions: [{{at: 1m, delete: {{kind: Deployment, name: web, propagationPolicy: {policy}}}}}]\n",
            deployment("web", 2, "{type: RollingUpdate}")
        );
        let report = run(&yaml);
        let left = pods_of_app(&report, "web")
            .iter()
            .filter(|p| p.deleted.is_none())
            .count();
        assert_eq!(left, pods_left, "{policy}");
        assert!(
            workload(&report, "Deployment", "web").deleted.is_some(),
            "{policy}"
        );
    }
}

#[test]
fn kubernetes_io_examples_run_unchanged() {
    let path = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/kubernetes-io-examples.yaml"
    ));
    let s = crate::scenario::decode::load(path).unwrap().scenario;
    let report = crate::sim::simulate(
        &s,
        s.seed,
        &crate::sim::RunOptions {
            check_invariants: true,
            events: crate::metrics::events::EventsMode::All,
            ..Default::default()
        },
    );
    assert_eq!(
        workload(&report, "Deployment", "nginx-deployment")
            .status
            .available,
        3
    );
    assert_eq!(
        workload(&report, "ReplicaSet", "frontend").status.available,
        3
    );
    assert_eq!(
        workload(&report, "Job", "pi")
            .status
            .finished()
            .map(|c| c.kind),
        Some("Complete")
    );
    let ds = workload(&report, "DaemonSet", "fluentd-elasticsearch");
    assert_eq!((ds.status.desired, ds.status.available), (3, 3));
    // "* * * * *" over 10 minutes: a job each minute; the history limit keeps 3 finished.
    let hello_jobs = report
        .state
        .workloads()
        .iter()
        .filter(|w| w.workload.metadata.name.starts_with("hello-"))
        .count();
    assert_eq!(hello_jobs, 10);
    let kept = report
        .state
        .workloads()
        .iter()
        .filter(|w| {
            w.workload.metadata.name.starts_with("hello-")
                && w.deleted.is_none()
                && w.status.finished().is_some()
        })
        .count();
    assert_eq!(kept, 3);
}

#[test]
fn service_endpoints_drop_when_pods_terminate() {
    let yaml = format!(
        r#"duration: 2m
sampleInterval: 1s
{NODES}
workloads:
  - {{apiVersion: v1, kind: Pod, metadata: {{name: a, labels: {{app: web}}, annotations: {{kubesim.io/pre-stop: 20s}}}}, spec: {{containers: [{{name: c, image: x}}]}}}}
  - {{apiVersion: v1, kind: Pod, metadata: {{name: b, labels: {{app: web}}}}, spec: {{containers: [{{name: c, image: x}}]}}}}
  - {{apiVersion: v1, kind: Service, metadata: {{name: web}}, spec: {{selector: {{app: web}}}}}}
actions: [{{at: 60s, delete: {{kind: Pod, name: a}}}}]
"#
    );
    let report = run(&yaml);
    let ready_at = |t: f64| {
        report
            .recorder
            .workload_samples
            .iter()
            .find(|s| s.time.as_secs_f64() == t)
            .map(|s| s.ready)
            .unwrap()
    };
    assert_eq!(ready_at(59.0), 2);
    // Terminating at 60 s (its preStop runs until 80 s): out of the endpoints
    // in the same instant (the sample at 60 s was taken just before).
    assert_eq!(ready_at(61.0), 1);
    assert_eq!(
        report.state.pods()[0].terminating.map(|t| t.as_secs_f64()),
        Some(60.0)
    );
    assert_eq!(ready_at(70.0), 1);
    let a = report
        .state
        .pods()
        .iter()
        .find(|p| p.pod.metadata.name == "a")
        .unwrap();
    assert_eq!(a.deleted.unwrap().as_secs_f64(), 80.0);
}

/// `(time_s, count)` of an object's events with `reason`, one entry per
/// distinct time in order: the pods each sync created or deleted.
pub(super) fn bursts(report: &RunReport, object: &str, reason: &str) -> Vec<(f64, usize)> {
    let mut out: Vec<(f64, usize)> = Vec::new();
    for (t, r, _) in events_of(report, object) {
        if r != reason {
            continue;
        }
        match out.last_mut() {
            Some((last, n)) if *last == t => *n += 1,
            _ => out.push((t, 1)),
        }
    }
    out
}

/// A pod template requesting more CPU than the one node has, so the
/// scheduler leaves the pods pending and cheap.
const BIG_POD: &str = "{containers: [{name: c, image: x, resources: {requests: {cpu: '64'}}}]}";

#[test]
fn replicaset_creates_and_deletes_at_most_burst_replicas_per_sync() {
    // burstReplicas = 500 (replica_set.go). A sync a second after each
    // change: the ReplicaSet appears at 0, syncs at 1 s and creates 500; their
    // watch queues the next sync at 2 s (500 more), then 3 s (the last 200).
    // Scaled to 0 at 10 s: deletions likewise at 11, 12 and 13 s.
    let report = run(&format!(
        r#"duration: 20s
nodePools: [{{name: n, count: 1, capacity: {{cpu: '4', memory: 8Gi}}}}]
controllerManager: {{reconcileLatency: 1s}}
workloads:
  - apiVersion: apps/v1
    kind: ReplicaSet
    metadata: {{name: big}}
    spec:
      replicas: 1200
      selector: {{matchLabels: {{app: big}}}}
      template:
        metadata: {{labels: {{app: big}}}}
        spec: {BIG_POD}
actions:
  - {{at: 10s, scale: {{kind: ReplicaSet, name: big, replicas: 0}}}}
"#
    ));
    assert_eq!(
        bursts(&report, "default/big", "SuccessfulCreate"),
        [(1.0, 500), (2.0, 500), (3.0, 200)]
    );
    assert_eq!(
        bursts(&report, "default/big", "SuccessfulDelete"),
        [(11.0, 500), (12.0, 500), (13.0, 200)]
    );
    assert_eq!(workload(&report, "ReplicaSet", "big").status.replicas, 0);
}

#[test]
fn job_creates_and_deletes_at_most_500_pods_per_sync() {
    // MaxPodCreateDeletePerSync = 500 (job_controller.go): as for the
    // ReplicaSet, 500 at 1 s, 500 at 2 s, 200 at 3 s. Parallelism lowered to
    // 100 at 10 s: 1 100 extra pods, deleted 500, 500, 100.
    let report = run(r#"duration: 20s
nodePools: [{name: n, count: 1, capacity: {cpu: '4', memory: 8Gi}}]
controllerManager: {reconcileLatency: 1s}
workloads:
  - apiVersion: batch/v1
    kind: Job
    metadata: {name: batch}
    spec:
      parallelism: 1200
      completions: 5000
      template:
        metadata: {labels: {app: batch}}
        spec: {restartPolicy: Never, containers: [{name: c, image: x, resources: {requests: {cpu: '64'}}}]}
actions:
  - {at: 10s, scale: {kind: Job, name: batch, replicas: 100}}
"#);
    assert_eq!(
        bursts(&report, "default/batch", "SuccessfulCreate"),
        [(1.0, 500), (2.0, 500), (3.0, 200)]
    );
    assert_eq!(
        bursts(&report, "default/batch", "SuccessfulDelete"),
        [(11.0, 500), (12.0, 500), (13.0, 100)]
    );
}

#[test]
fn ten_million_replicas_stop_at_max_events_with_few_pods() {
    // One sync creates at most 500 pods, so 40 events create at most
    // 20 000 pods, however many the ReplicaSet or Job asks for: maxEvents
    // bounds the run's time and memory.
    for workload in [
        format!(
            "apiVersion: apps/v1, kind: ReplicaSet, metadata: {{name: big}},
      spec: {{replicas: 10000000, selector: {{matchLabels: {{app: big}}}},
        template: {{metadata: {{labels: {{app: big}}}}, spec: {BIG_POD}}}}}"
        ),
        "apiVersion: batch/v1, kind: Job, metadata: {name: big},
      spec: {parallelism: 10000000, completions: 10000000, template: {spec:
        {restartPolicy: Never, containers: [{name: c, image: x, resources: {requests: {cpu: '64'}}}]}}}"
            .to_string(),
    ] {
        let started = std::time::Instant::now();
        let report = run(&format!(
            "duration: 1h\nmaxEvents: 40\n\
             nodePools: [{{name: n, count: 1, capacity: {{cpu: '4', memory: 8Gi}}}}]\n\
             workloads:\n  - {{{workload}}}\n"
        ));
        assert_eq!(report.stop_reason, crate::engine::StopReason::MaxEvents);
        let pods = report.state.pods().iter().count();
        assert!(pods <= 40 * 500, "{pods} pods after 40 events");
        assert!(pods >= 500, "{pods} pods: the first sync creates 500");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "took {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn replicaset_waits_until_every_pod_it_created_is_persisted() {
    // Upstream's expectations: after a burst, the ReplicaSet manages pods
    // again only once it has observed every pod of it. Each creation is
    // persisted 1 to 5 s after the request, and the first persisted pod's
    // watch queues a sync that must not create the next burst yet: each
    // burst comes after every pod of the earlier ones was persisted.
    let report = run(&format!(
        r#"duration: 60s
nodePools: [{{name: n, count: 1, capacity: {{cpu: '4', memory: 8Gi}}}}]
apiLatency: {{create: "uniform(1s, 5s)"}}
workloads:
  - apiVersion: apps/v1
    kind: ReplicaSet
    metadata: {{name: big}}
    spec:
      replicas: 1200
      selector: {{matchLabels: {{app: big}}}}
      template:
        metadata: {{labels: {{app: big}}}}
        spec: {BIG_POD}
"#
    ));
    let bursts = bursts(&report, "default/big", "SuccessfulCreate");
    assert_eq!(
        bursts.iter().map(|b| b.1).collect::<Vec<_>>(),
        [500, 500, 200]
    );
    // pods.created is the persisted time; pods are in creation order.
    let pods = pods_of_app(&report, "big");
    for (i, &(at, _)) in bursts.iter().enumerate().skip(1) {
        let persisted = pods[..500 * i]
            .iter()
            .map(|p| p.created.as_secs_f64())
            .fold(0.0, f64::max);
        assert!(
            at >= persisted,
            "burst {i} at {at} s before the earlier pods were persisted ({persisted} s)"
        );
    }
}
