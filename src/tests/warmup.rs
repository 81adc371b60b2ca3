//! The scenario's `warmup`: summary.csv leaves out the pods created and the
//! samples taken before it; counts stay those of the whole run.

use super::{errors, run, scenario};
use crate::engine::SimTime;

/// One node that fits one pod; pods at 0 s and 10 s (the second waits for
/// the first to finish at about 60 s), then at 130 s and 200 s on an idle
/// node.
fn yaml(warmup: &str) -> String {
    format!(
        r#"
name: w
duration: 300s
sampleInterval: 10s
{warmup}
nodePools: [{{name: n, count: 1, capacity: {{cpu: "1", memory: 1Gi}}}}]
arrivals:
  - name: p
    process: times
    times: [0s, 10s, 130s, 200s]
    template:
      apiVersion: v1
      kind: Pod
      spec:
        restartPolicy: Never
        containers: [{{name: c, image: x, resources: {{requests: {{cpu: "1", memory: 1Gi}}}}}}]
behaviour:
  - runTime: 60s
scheduler: {{podInitialBackoffSeconds: 0, podMaxBackoffSeconds: 0}}
"#
    )
}

fn figure(r: &crate::sim::RunReport, name: &str) -> Option<f64> {
    r.summary.get(name).and_then(|f| f.as_f64())
}

#[test]
fn pods_created_and_samples_taken_before_the_warmup_are_left_out() {
    let cold = run(&yaml(""));
    // From the start: waits 0, about 50, 0, 0.
    let p1 = cold.state.pods().iter().nth(1).unwrap();
    let wait = p1
        .status
        .conditions
        .pod_scheduled
        .unwrap()
        .since(p1.created)
        .as_secs_f64();
    assert!((49.0..=51.0).contains(&wait), "{wait}");
    assert_eq!(figure(&cold, "pending_waited_ratio"), Some(0.25));
    assert_eq!(figure(&cold, "pending_max_s"), Some(wait));
    assert!((figure(&cold, "pending_mean_s").unwrap() - wait / 4.0).abs() < 1e-9);

    let warm = run(&yaml("warmup: 50s"));
    // From 50 s: only the pods at 130 s and 200 s, which did not wait.
    assert_eq!(figure(&warm, "pending_waited_ratio"), Some(0.0));
    assert_eq!(figure(&warm, "pending_max_s"), Some(0.0));
    assert_eq!(figure(&warm, "pending_mean_s"), Some(0.0));
    // Counts are of the whole run.
    assert_eq!(figure(&warm, "pods_created"), Some(4.0));
    assert_eq!(
        figure(&warm, "scheduling_attempts"),
        figure(&cold, "scheduling_attempts")
    );
    // The sampled means are over the samples from 50 s on.
    let kept: Vec<f64> = warm
        .recorder
        .samples
        .iter()
        .filter(|s| s.time >= SimTime::from_secs(50))
        .map(|s| s.cpu_allocated_ratio)
        .collect();
    assert_eq!(kept.len(), 26); // 50, 60, … 300
    let mean = kept.iter().sum::<f64>() / kept.len() as f64;
    assert_eq!(figure(&warm, "cpu_allocated_mean_ratio"), Some(mean));
    assert_ne!(
        figure(&cold, "cpu_allocated_mean_ratio"),
        figure(&warm, "cpu_allocated_mean_ratio")
    );
}

#[test]
fn a_warmup_as_long_as_the_run_is_rejected_at_its_field() {
    let e = errors(&yaml("warmup: 300s"));
    assert_eq!(
        e,
        "test.yaml:5:9: warmup: expected a warm-up shorter than the duration (300s), found \
         300s: summary.csv would count nothing"
    );
    let e = errors(&yaml("warmup: soon"));
    assert!(e.starts_with("test.yaml:5:9: warmup: "), "{e}");
    // Without a duration any warm-up is accepted.
    let s = scenario(&yaml("warmup: 1h").replace("duration: 300s", ""));
    assert_eq!(s.warmup.0, 3_600_000_000);
}
