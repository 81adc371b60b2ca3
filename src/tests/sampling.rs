//! Sampling: the limit on how many samples a scenario may ask for, and the
//! summary figures gathered sample by sample, which must equal what the
//! kept samples give (streamed runs keep none).

use super::{errors, run, scenario};
use crate::engine::SimTime;
use crate::metrics::recorder::MAX_SAMPLES;
use crate::metrics::stream::StreamWriters;
use crate::sim::{simulate_streaming, RunOptions};
use std::path::Path;

const NODES: &str = "nodePools: [{name: n, count: 1, capacity: {cpu: \"1\", memory: 1Gi}}]\n";

#[test]
fn a_sample_interval_taking_too_many_samples_is_rejected_at_its_field() {
    let e = errors(&format!(
        "name: x\nduration: 100d\nsampleInterval: 1us\n{NODES}"
    ));
    // 100 days are 8 640 000 s: at most 10 000 000 samples need 0.864 s each.
    assert_eq!(
        e,
        "test.yaml:3:17: sampleInterval: a sampleInterval of 0.000001s over a duration of \
         8640000s takes 8640000000000 samples; at most 10000000 are allowed \
         (duration ÷ sampleInterval): use a sampleInterval of at least 0.864s, or a shorter \
         duration"
    );
}

#[test]
fn a_duration_too_long_for_the_default_interval_is_rejected_at_the_duration() {
    // 10 000 000 samples of 10 s are 1 157.4 days.
    let e = errors(&format!("name: x\nduration: 1200d\n{NODES}"));
    assert!(
        e.starts_with(
            "test.yaml:2:11: duration: the default sampleInterval of 10s over a duration of \
             103680000s takes 10368000 samples; at most 10000000 are allowed"
        ),
        "{e}"
    );
    assert!(e.contains("at least 10.368s"), "{e}");
}

#[test]
fn a_duration_of_exactly_the_most_samples_is_accepted() {
    assert_eq!(MAX_SAMPLES, 10_000_000);
    // 10 000 000 × 1 ms = 10 000 s.
    let s = scenario(&format!(
        "name: x\nduration: 10000s\nsampleInterval: 1ms\n{NODES}"
    ));
    assert_eq!(s.duration.unwrap().0 / s.sample_interval.0, MAX_SAMPLES);
}

/// Rolling updates (some at a sample's very moment), a Deployment scaled
/// while it rolls, a Service, Jobs and a CronJob's Jobs.
const WORKLOADS: &str = r#"
name: figures
seed: 5
duration: 40m
sampleInterval: 10s
controllerManager: {startTime: "2024-01-01T00:00:00Z"}
nodePools:
  - {name: n, count: 4, capacity: {cpu: "4", memory: 16Gi}}
workloads:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      replicas: 8
      minReadySeconds: 5
      strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 1}}
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec: {containers: [{name: web, image: "web:1", resources: {requests: {cpu: 300m}}}]}
  - {apiVersion: v1, kind: Service, metadata: {name: web}, spec: {selector: {app: web}, ports: [{port: 80}]}}
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: api}
    spec:
      replicas: 4
      strategy: {type: Recreate}
      selector: {matchLabels: {app: api}}
      template:
        metadata: {labels: {app: api}}
        spec: {containers: [{name: api, image: "api:1", resources: {requests: {cpu: 200m}}}]}
  - apiVersion: batch/v1
    kind: CronJob
    metadata: {name: cron}
    spec:
      schedule: "*/3 * * * *"
      successfulJobsHistoryLimit: 1
      jobTemplate:
        spec:
          completions: 2
          template:
            spec:
              restartPolicy: Never
              containers: [{name: job, image: "job:1", resources: {requests: {cpu: 100m}}}]
behaviour:
  - container: job
    runTime: uniform(10s, 50s)
  - startLatency: uniform(0s, 15s)
actions:
  - {at: 5m, setImage: {kind: Deployment, name: web, container: web, image: "web:2"}}
  - {at: 6m, scale: {kind: Deployment, name: web, replicas: 12}}
  - {at: 15m, setImage: {kind: Deployment, name: api, container: api, image: "api:2"}}
  - {at: 20m, setImage: {kind: Deployment, name: web, container: web, image: "web:3"}}
  - {at: 25m, delete: {kind: Deployment, name: api}}
  - {at: 30m, setImage: {kind: Deployment, name: web, container: web, image: "web:4"}}
"#;

#[test]
fn figures_gathered_sample_by_sample_equal_the_figures_of_every_sample() {
    let report = run(WORKLOADS);
    let (state, recorder) = (&report.state, &report.recorder);
    let mean = |v: Vec<f64>| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
    let mut rollouts_seen = 0;
    for (i, w) in state.workloads().iter().enumerate() {
        let own: Vec<_> = recorder
            .workload_samples
            .iter()
            .filter(|s| s.workload.0 as usize == i)
            .collect();
        let f = &recorder.workload_figures[i];
        let rollouts = &w.status.rollouts;
        rollouts_seen += rollouts.len();
        let min_during = own
            .iter()
            .filter(|s| rollouts.iter().any(|&(a, b)| a <= s.time && s.time <= b))
            .map(|s| s.available)
            .min();
        let name = &w.workload.metadata.name;
        assert_eq!(f.rollout_min_available, min_during, "{name}");
        let availability: Vec<f64> = own
            .iter()
            .filter(|s| s.desired > 0)
            .map(|s| s.available.min(s.desired) as f64 / s.desired as f64)
            .collect();
        assert_eq!(f.availability.mean(), mean(availability), "{name}");
        let ready: Vec<f64> = own
            .iter()
            .map(|s| f64::from(u8::from(s.ready > 0)))
            .collect();
        assert_eq!(f.ready_any.mean(), mean(ready), "{name}");
    }
    // Three rollouts of web and one of api.
    assert!(rollouts_seen >= 4, "{rollouts_seen} rollouts");
    let web = &recorder.workload_figures[0];
    assert!(web.rollout_min_available.is_some_and(|m| m < 12));
    let samples = &recorder.samples;
    let cpu: Vec<f64> = samples.iter().map(|s| s.cpu_allocated_ratio).collect();
    let sampled = &recorder.sample_figures;
    assert_eq!(sampled.cpu_allocated.mean(), mean(cpu.clone()));
    assert_eq!(
        sampled.cpu_allocated_max,
        cpu.into_iter().reduce(f64::max),
        "cpu max"
    );
    assert_eq!(
        samples.last().map(|s| s.time),
        Some(SimTime::from_secs(2400))
    );
}

#[test]
fn a_streamed_run_keeps_no_samples() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/rolling-update.yaml");
    let s = crate::scenario::decode::load(&path).unwrap().scenario;
    let streamed = simulate_streaming(&s, s.seed, &RunOptions::default(), StreamWriters::discard());
    assert!(streamed.recorder.samples.is_empty());
    assert!(streamed.recorder.workload_samples.is_empty());
    assert!(streamed
        .recorder
        .sample_figures
        .cpu_allocated
        .mean()
        .is_some());
    assert!(!streamed.recorder.workload_figures.is_empty());
}
