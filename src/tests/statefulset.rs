//! StatefulSets end to end: ordinal names, OrderedReady and Parallel pod
//! management, rolling updates with a partition, and OnDelete
//! (`pkg/controller/statefulset/stateful_set_control.go`, v1.32).

use super::controllers::{pods_of_app, workload};
use super::{events_of, run};
use crate::sim::RunReport;

/// A StatefulSet `web` whose pods start in 5 s and stop in 3 s.
fn sts(replicas: u32, extra_spec: &str, actions: &str) -> String {
    format!(
        r#"duration: 5m
nodePools: [{{name: n, count: 3, capacity: {{cpu: '8', memory: 16Gi}}}}]
workloads:
  - apiVersion: apps/v1
    kind: StatefulSet
    metadata: {{name: web}}
    spec:
      replicas: {replicas}
      serviceName: web
      selector: {{matchLabels: {{app: web}}}}
{extra_spec}
      template:
        metadata: {{labels: {{app: web}}}}
        spec: {{containers: [{{name: c, image: 'web:1'}}]}}
behaviour: [{{container: c, startLatency: 5s, stopTime: 3s}}]
actions:
{actions}
"#
    )
}

/// (pod name, created s, deleted s) of every pod of the set, in creation order.
fn lifetimes(report: &RunReport) -> Vec<(String, f64, Option<f64>)> {
    pods_of_app(report, "web")
        .iter()
        .map(|p| {
            (
                p.pod.metadata.name.clone(),
                p.created.as_secs_f64(),
                p.deleted.map(|t| t.as_secs_f64()),
            )
        })
        .collect()
}

#[test]
fn ordered_ready_creates_one_pod_at_a_time_and_scales_down_from_the_top() {
    // Each pod waits for its predecessor to be Running and Ready: web-0 at
    // 0 s is ready at 5 s, web-1 is created then and ready at 10 s, web-2 at
    // 10 s. Scaling to 1 at 60 s deletes web-2 first (gone at 63 s after its
    // 3 s stop), then web-1.
    let report = run(&sts(
        3,
        "",
        "  - {at: 60s, scale: {kind: StatefulSet, name: web, replicas: 1}}",
    ));
    assert_eq!(
        lifetimes(&report),
        [
            ("web-0".to_string(), 0.0, None),
            ("web-1".to_string(), 5.0, Some(66.0)),
            ("web-2".to_string(), 10.0, Some(63.0)),
        ]
    );
    let set = workload(&report, "StatefulSet", "web");
    assert_eq!((set.status.replicas, set.status.ready), (1, 1));
    let created: Vec<String> = events_of(&report, "default/web")
        .into_iter()
        .filter(|e| e.1 == "SuccessfulCreate")
        .map(|e| e.2)
        .collect();
    assert_eq!(created[0], "create Pod web-0 in StatefulSet web successful");
}

#[test]
fn parallel_creates_and_deletes_every_pod_at_once() {
    let report = run(&sts(
        3,
        "      podManagementPolicy: Parallel",
        "  - {at: 60s, scale: {kind: StatefulSet, name: web, replicas: 0}}",
    ));
    assert_eq!(
        lifetimes(&report),
        [
            ("web-0".to_string(), 0.0, Some(63.0)),
            ("web-1".to_string(), 0.0, Some(63.0)),
            ("web-2".to_string(), 0.0, Some(63.0)),
        ]
    );
}

#[test]
fn ordinals_start_names_the_first_pod() {
    let report = run(&sts(2, "      ordinals: {start: 5}", "  []"));
    let names: Vec<String> = lifetimes(&report).into_iter().map(|p| p.0).collect();
    assert_eq!(names, ["web-5", "web-6"]);
}

#[test]
fn rolling_update_replaces_from_the_highest_ordinal_down_to_the_partition() {
    // partition 1: web-2 then web-1 are replaced, web-0 keeps web:1. At 60 s
    // web-2 is deleted (gone at 63 s), recreated at 63 s and available at
    // 68 s; then web-1 is deleted (gone at 71 s) and recreated at 71 s.
    let report = run(&sts(
        3,
        "      updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 1}}",
        "  - {at: 60s, setImage: {kind: StatefulSet, name: web, container: c, image: 'web:2'}}",
    ));
    let pods = pods_of_app(&report, "web");
    let live: Vec<(String, f64, String)> = pods
        .iter()
        .filter(|p| p.deleted.is_none())
        .map(|p| {
            (
                p.pod.metadata.name.clone(),
                p.created.as_secs_f64(),
                p.pod.spec.containers[0].image.clone(),
            )
        })
        .collect();
    assert_eq!(
        live,
        [
            ("web-0".to_string(), 0.0, "web:1".to_string()),
            ("web-2".to_string(), 63.0, "web:2".to_string()),
            ("web-1".to_string(), 71.0, "web:2".to_string()),
        ]
    );
    let set = workload(&report, "StatefulSet", "web");
    assert_eq!((set.status.replicas, set.status.updated), (3, 2));
}

#[test]
fn on_delete_replaces_only_pods_that_are_deleted() {
    // Nothing rolls by itself; deleting web-1 brings it back with web:2.
    let report = run(&sts(
        3,
        "      updateStrategy: {type: OnDelete}",
        "  - {at: 60s, setImage: {kind: StatefulSet, name: web, container: c, image: 'web:2'}}\n  \
         - {at: 90s, delete: {kind: Pod, name: web-1}}",
    ));
    let images: Vec<(String, String)> = pods_of_app(&report, "web")
        .iter()
        .filter(|p| p.deleted.is_none())
        .map(|p| {
            (
                p.pod.metadata.name.clone(),
                p.pod.spec.containers[0].image.clone(),
            )
        })
        .collect();
    assert_eq!(
        images,
        [
            ("web-0".to_string(), "web:1".to_string()),
            ("web-2".to_string(), "web:1".to_string()),
            ("web-1".to_string(), "web:2".to_string()),
        ]
    );
}
