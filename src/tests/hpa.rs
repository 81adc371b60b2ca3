//! A HorizontalPodAutoscaler end to end: a service load drives a
//! Deployment's cpu usage and the HPA scales it through the store.

use super::{events_of, run};
use crate::metrics::rows::WorkloadSample;

const SCENARIO: &str = r#"
duration: 20m
sampleInterval: 15s
nodePools: [{name: n, count: 4, capacity: {cpu: '16', memory: 64Gi}}]
workloads:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      replicas: 1
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers: [{name: app, image: 'web:1', resources: {requests: {cpu: 100m, memory: 128Mi}}}]
  - apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata: {name: web}
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
      minReplicas: 1
      maxReplicas: 10
      metrics:
        - type: Resource
          resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
serviceLoads:
  - deployment: web
    rate: {steps: [{at: 0s, rate: 0}, {at: 6m, rate: 10}, {at: 12m, rate: 1}]}
    cpuPerRequest: 20m
"#;

fn desired_over_time(report: &crate::sim::RunReport) -> Vec<(f64, i32)> {
    let web = (report.state.workloads().iter())
        .position(|w| w.workload.spec.kind() == "Deployment")
        .unwrap();
    (report.recorder.workload_samples.iter())
        .filter(|s: &&WorkloadSample| s.workload.0 as usize == web)
        .map(|s| (s.time.as_secs_f64(), s.desired))
        .collect()
}

#[test]
fn the_hpa_follows_the_load_up_and_down_after_the_window() {
    let report = run(SCENARIO);
    let rescales: Vec<(f64, String)> = events_of(&report, "default/web")
        .into_iter()
        .filter(|e| e.1 == "SuccessfulRescale")
        .map(|e| (e.0, e.2))
        .collect();
    // At 6 m the load is 10 requests/s × 20m = 200m on one pod of 100m:
    // 200 %, ratio 4, ceil(4 × 1) = 4, within the +4 pods policy.
    assert_eq!(
        rescales[0],
        (
            360.0,
            "New size: 4; reason: cpu resource utilization (percentage of request) above target"
                .to_string()
        )
    );
    // Four pods at 50 % recommend 4 until the load drops to 20m at 12 m;
    // from the sync at 720 s they recommend 1 (5 %, ceil(0.1 × 4)). The
    // last 4 was at 705 s: the sync at 1005 s is the first whose 300 s
    // window (strictly after 705 s) holds only 1s.
    assert_eq!(
        rescales[1..],
        [(
            1005.0,
            "New size: 1; reason: All metrics below target".to_string()
        )],
        "{rescales:?}"
    );
    // workloads.csv's desired column follows the HPA.
    let desired = desired_over_time(&report);
    assert!(
        desired
            .iter()
            .any(|&(t, d)| (360.0..720.0).contains(&t) && d == 4),
        "{desired:?}"
    );
    assert_eq!(desired.last().unwrap().1, 1);
}

#[test]
fn hpa_manifests_are_checked_where_they_are_written() {
    let e = super::errors(&SCENARIO.replace("averageUtilization: 50", "averageUtilization: 0"));
    assert!(
        e.contains("averageUtilization: must be greater than 0, found 0"),
        "{e}"
    );
    let e = super::errors(&SCENARIO.replace(
        "name: web}\n      minReplicas",
        "name: api}\n      minReplicas",
    ));
    assert!(
        e.contains("Deployment default/api, not among the workloads"),
        "{e}"
    );
    let e = super::errors(&SCENARIO.replace("duration: 20m\n", ""));
    assert!(e.contains("give the scenario a `duration`"), "{e}");
}

/// One pod (100m request, 200m limit) under 150m of load from 60 s to
/// 120 s and 300m from 120 s to 180 s: sampled every 10 s, 120 s above its
/// request, 60 s of them above its limit.
#[test]
fn service_load_reports_the_time_above_request_and_limit() {
    let report = run(r#"
duration: 240s
sampleInterval: 10s
nodePools: [{name: n, count: 1, capacity: {cpu: '4', memory: 16Gi}}]
workloads:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: api}
    spec:
      replicas: 1
      selector: {matchLabels: {app: api}}
      template:
        metadata: {labels: {app: api}}
        spec:
          containers: [{name: app, image: 'api:1', resources: {requests: {cpu: 100m}, limits: {cpu: 200m}}}]
serviceLoads:
  - deployment: api
    rate: {steps: [{at: 0s, rate: 0}, {at: 60s, rate: 15}, {at: 120s, rate: 30}, {at: 180s, rate: 0}]}
    cpuPerRequest: 10m
"#);
    let f = &report.service_load.figures[0];
    assert_eq!(f.above_request_s, 120.0);
    assert_eq!(f.above_limit_s, 60.0);
    assert_eq!(f.pod_seconds_above_request, 120.0);
    assert_eq!(f.without_serving_pods_s, 0.0);
    assert_eq!(f.peak_rate, 30.0);
    assert_eq!(f.peak_cpu_utilization, 3.0);
}

/// Upstream's defaults: cpu at 80 % without `metrics`, and each `behavior`
/// field that is left out (a scale-down with its own policies keeps the
/// 300 s window; scale-up keeps its two policies).
#[test]
fn hpa_defaults_fill_what_the_manifest_leaves_out() {
    use crate::model::autoscaling::*;
    let yaml = SCENARIO
        .replace(
            "      metrics:\n        - type: Resource\n          resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}\n",
            "      behavior: {scaleDown: {policies: [{type: Pods, value: 1, periodSeconds: 60}]}}\n",
        );
    let s = super::scenario(&yaml);
    let h = &s.autoscalers[0];
    assert_eq!(
        h.metrics,
        [ResourceMetric {
            resource: MetricResource::Cpu,
            target: MetricTarget::Utilization(80)
        }]
    );
    assert_eq!(h.scale_up, ScalingRules::default_scale_up());
    assert_eq!(h.scale_down.stabilization_window_seconds, 300);
    assert_eq!(h.scale_down.select_policy, SelectPolicy::Max);
    assert_eq!(
        h.scale_down.policies,
        [ScalingPolicy {
            kind: PolicyType::Pods,
            value: 1,
            period_seconds: 60
        }]
    );
    let e = super::errors(&yaml.replace("periodSeconds: 60", "periodSeconds: 1801"));
    assert!(
        e.contains("periodSeconds: must be from 1 to 1800, found 1801"),
        "{e}"
    );
    let e = super::errors(&yaml.replace("type: Pods", "type: Pod"));
    assert!(e.contains("policies[0].type"), "{e}");
}
