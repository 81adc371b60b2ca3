//! The `delete` action's options end to end: grace periods, force
//! deletion, label selectors, and names that find nothing.

use super::controllers::pods_of_app;
use super::{errors, events_of, run};
use crate::sim::RunReport;

/// Two pods `web-a` and `web-b` (app: web) whose container ignores SIGTERM
/// (it would take 100 s to stop), so the grace period decides when they go.
fn pods(delete: &str) -> String {
    format!(
        r#"duration: 2m
nodePools: [{{name: n, count: 1, capacity: {{cpu: '4', memory: 8Gi}}}}]
workloads:
  - {{apiVersion: v1, kind: Pod, metadata: {{name: web-a, labels: {{app: web}}}}, spec: {{containers: [{{name: c, image: x}}]}}}}
  - {{apiVersion: v1, kind: Pod, metadata: {{name: web-b, labels: {{app: web}}}}, spec: {{containers: [{{name: c, image: x}}]}}}}
behaviour: [{{container: c, startLatency: 1s, stopTime: 100s}}]
actions:
  - {{at: 10s, delete: {delete}}}
"#
    )
}

/// Seconds from the delete (10 s) to each pod's removal from the API.
fn removal_after_delete(report: &RunReport) -> Vec<(String, Option<f64>)> {
    pods_of_app(report, "web")
        .iter()
        .map(|p| {
            (
                p.pod.metadata.name.clone(),
                p.deleted.map(|t| t.as_secs_f64() - 10.0),
            )
        })
        .collect()
}

#[test]
fn grace_period_seconds_replaces_the_pods_own() {
    // The spec's default is 30 s; the delete's 5 s wins.
    let report = run(&pods("{kind: Pod, name: web-a}"));
    assert_eq!(removal_after_delete(&report)[0].1, Some(30.0));
    let report = run(&pods("{kind: Pod, name: web-a, gracePeriodSeconds: 5}"));
    assert_eq!(removal_after_delete(&report)[0].1, Some(5.0));
    // kubectl turns --grace-period=0 without --force into 1.
    let report = run(&pods("{kind: Pod, name: web-a, gracePeriodSeconds: 0}"));
    // 1 s, raised to the kubelet's 2 s minimum after SIGTERM.
    assert_eq!(removal_after_delete(&report)[0].1, Some(2.0));
}

#[test]
fn force_removes_the_pod_from_the_api_at_once_and_the_kubelet_still_kills_it() {
    let report = run(&pods("{kind: Pod, name: web-a, force: true}"));
    assert_eq!(
        removal_after_delete(&report),
        [
            ("web-a".to_string(), Some(0.0)),
            ("web-b".to_string(), None)
        ]
    );
    let killing: Vec<(f64, String)> = events_of(&report, "default/web-a")
        .into_iter()
        .filter(|e| e.1 == "Killing")
        .map(|e| (e.0, e.2))
        .collect();
    assert_eq!(killing, [(10.0, "Stopping container c".to_string())]);
}

#[test]
fn a_selector_deletes_every_pod_it_matches() {
    for selector in [
        "{matchLabels: {app: web}}",
        "'app=web'",
        "'app in (web, api)'",
    ] {
        let report = run(&pods(&format!(
            "{{kind: Pod, selector: {selector}, gracePeriodSeconds: 5}}"
        )));
        assert_eq!(
            removal_after_delete(&report),
            [
                ("web-a".to_string(), Some(5.0)),
                ("web-b".to_string(), Some(5.0))
            ],
            "{selector}"
        );
    }
}

#[test]
fn a_delete_that_finds_nothing_at_run_time_records_a_warning_event() {
    // web-c could exist (a name no manifest has, but the scenario could make
    // none here: it is checked against the Pods, workloads and arrivals).
    let yaml = pods("{kind: Pod, name: web-a}").replace(
        "  - {at: 10s, delete: {kind: Pod, name: web-a}}",
        "  - {at: 10s, delete: {kind: Pod, name: web-a}}\n  - {at: 11s, delete: {kind: Pod, name: web-a}}\n  \
         - {at: 12s, delete: {kind: Pod, selector: 'app=none'}}",
    );
    let report = run(&yaml);
    let not_found: Vec<(f64, String, String)> = report
        .recorder
        .events
        .iter()
        .filter(|e| e.reason == "NotFound")
        .map(|e| (e.time.as_secs_f64(), e.object.clone(), e.message.clone()))
        .collect();
    // At 11 s web-a is still terminating: deleting it again is a no-op that
    // finds it. At 12 s the selector matches nothing.
    assert_eq!(
        not_found,
        [(
            12.0,
            "default".to_string(),
            "No resources found in default namespace.".to_string()
        )]
    );
    let yaml = pods("{kind: Pod, name: web-a}").replace(
        "  - {at: 10s, delete: {kind: Pod, name: web-a}}",
        "  - {at: 10s, delete: {kind: Pod, name: web-a, force: true}}\n  - {at: 11s, delete: {kind: Pod, name: web-a}}",
    );
    let report = run(&yaml);
    assert_eq!(
        events_of(&report, "default/web-a")
            .into_iter()
            .filter(|e| e.1 == "NotFound")
            .collect::<Vec<_>>(),
        [(
            11.0,
            "NotFound".to_string(),
            "Error from server (NotFound): pods \"web-a\" not found".to_string()
        )]
    );
}

#[test]
fn delete_options_are_validated_where_they_are_written() {
    let e = errors(&pods("{kind: Pod, name: nosuch}"));
    assert!(
        e.contains("test.yaml:8:41: actions[0].delete.name: no pod named default/nosuch can exist"),
        "{e}"
    );
    let e = errors(&pods("{kind: Pod, name: web-a, gracePeriodSeconds: -1}"));
    assert!(
        e.contains("actions[0].delete.gracePeriodSeconds: expected an integer of at least 0"),
        "{e}"
    );
    let e = errors(&pods("{kind: Pod, name: web-a, selector: 'app=web'}"));
    assert!(
        e.contains("give either `name` or `selector`, not both"),
        "{e}"
    );
    let e = errors(&pods("{kind: Pod, selector: 'app=web,'}"));
    assert!(e.contains("invalid label selector"), "{e}");
    let e = errors(&pods("{kind: Job, name: j, force: true}"));
    assert!(
        e.contains("actions[0].delete.force: only a Pod delete takes force"),
        "{e}"
    );
}
