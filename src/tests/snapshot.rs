//! A snapshot's running pods keep their start (`status.startTime`, each
//! container's `state.running.startedAt`): the kubelet resumes them at
//! t = 0 where the snapshot shows them, and `activeDeadlineSeconds`, run
//! times and probes' `initialDelaySeconds` count from those starts.

use super::{errors, events_of, run};
use crate::sim::RunReport;

/// A scenario whose t = 0 is 2024-05-01T10:00:00Z, with one 4-cpu node,
/// image pulls of 30 s, and `items` (YAML lines of a List's items).
fn snapshot(items: &str) -> String {
    format!(
        r#"
duration: 1h
controllerManager: {{startTime: "2024-05-01T10:00:00Z"}}
nodePools: [{{name: n, count: 1, capacity: {{cpu: "4", memory: 8Gi}}}}]
images:
  list: [{{image: "app:1", pullTime: 30s}}]
workloads:
  - apiVersion: v1
    kind: List
    items:
{items}
"#
    )
}

/// A Running pod of the snapshot on n-0: `annotations`, `spec` fields and
/// `status` fields as flow mappings' contents.
fn pod(name: &str, annotations: &str, spec: &str, status: &str) -> String {
    format!(
        r#"      - apiVersion: v1
        kind: Pod
        metadata: {{name: {name}, annotations: {{{annotations}}}}}
        spec: {{nodeName: n-0, restartPolicy: Never, {spec}}}
        status: {{phase: Running, {status}}}
"#
    )
}

const APP: &str = r#"containers: [{name: c, image: "app:1"}]"#;

fn entry<'r>(report: &'r RunReport, name: &str) -> &'r crate::model::store::PodEntry {
    report
        .state
        .pods()
        .iter()
        .find(|e| e.pod.metadata.name == name)
        .expect("the pod exists")
}

fn secs(t: Option<crate::engine::SimTime>) -> Option<f64> {
    t.map(|t| t.as_secs_f64())
}

fn reasons(report: &RunReport, name: &str) -> Vec<(f64, String)> {
    events_of(report, &format!("default/{name}"))
        .into_iter()
        .map(|e| (e.0, e.1))
        .collect()
}

#[test]
fn a_pod_running_for_four_minutes_of_ten_ends_six_minutes_in_without_pulling_or_starting() {
    let ann = r#"kubesim.io/run-time: 10m, kubesim.io/start-latency: 5s"#;
    let report = run(&snapshot(&format!(
        "{}{}",
        pod("resumed", ann, APP, r#"startTime: "2024-05-01T09:56:00Z""#),
        // Without startTime a pod starts afresh, as before: the 30 s pull, 5 s start.
        pod("afresh", ann, APP, ""),
    )));
    let resumed = entry(&report, "resumed");
    assert_eq!(resumed.status.phase.as_str(), "Succeeded");
    assert_eq!(secs(resumed.started), Some(0.0));
    assert_eq!(secs(resumed.finished), Some(360.0));
    // No pull, no Created or Started: the container started before t = 0.
    assert_eq!(reasons(&report, "resumed"), vec![]);
    let afresh = entry(&report, "afresh");
    assert_eq!(secs(afresh.finished), Some(35.0 + 600.0));
    let r: Vec<String> = reasons(&report, "afresh")
        .into_iter()
        .map(|e| e.1)
        .collect();
    assert_eq!(r, ["Pulling", "Pulled", "Created", "Started"]);
}

#[test]
fn each_container_runs_from_its_started_at_and_one_not_running_starts_afresh() {
    let spec = r#"containers: [{name: a, image: "app:1"}, {name: b, image: "app:1"}, {name: w, image: "app:1"}]"#;
    let status = r#"startTime: "2024-05-01T09:50:00Z", containerStatuses: [
            {name: b, restartCount: 2, state: {running: {startedAt: "2024-05-01T09:58:00Z"}}},
            {name: w, state: {waiting: {reason: CrashLoopBackOff}}}]"#;
    let ann = r#"kubesim.io/run-time: 15m"#;
    let report = run(&snapshot(&pod("p", ann, spec, status)));
    let p = entry(&report, "p");
    let finished = |i: usize| match p.status.container_statuses[i].state {
        crate::model::status::ContainerState::Terminated { finished_at, .. } => {
            finished_at.as_secs_f64()
        }
        ref s => panic!("{s:?}"),
    };
    // a: not listed, so since startTime (10 min before t = 0); b since its
    // startedAt (2 min); w is created afresh: the pull, then 15 min.
    assert_eq!(finished(0), 300.0);
    assert_eq!(finished(1), 780.0);
    assert_eq!(finished(2), 930.0);
    // restartCount is not carried over: restarts count those of the run.
    assert_eq!(p.status.restarts(), 0);
    let r: Vec<String> = reasons(&report, "p").into_iter().map(|e| e.1).collect();
    assert_eq!(r, ["Pulling", "Pulled", "Created", "Started"]);
}

#[test]
fn a_run_time_over_by_t0_ends_at_t0_with_its_exit_code() {
    let ann = r#"kubesim.io/run-time: 10m, kubesim.io/exit-code: "3""#;
    let report = run(&snapshot(&pod(
        "over",
        ann,
        APP,
        r#"startTime: "2024-05-01T09:40:00Z""#,
    )));
    let over = entry(&report, "over");
    assert_eq!(
        (over.status.phase.as_str(), secs(over.finished)),
        ("Failed", Some(0.0))
    );
    assert!(matches!(
        over.status.container_statuses[0].state,
        crate::model::status::ContainerState::Terminated { exit_code: 3, .. }
    ));
}

#[test]
fn active_deadline_seconds_count_from_start_time() {
    let report = run(&snapshot(&format!(
        "{}{}",
        // Started 5 min before t = 0 with a 10-min deadline: 5 min left.
        pod(
            "left",
            "",
            &format!("activeDeadlineSeconds: 600, {APP}"),
            r#"startTime: "2024-05-01T09:55:00Z""#
        ),
        // Past its 2-min deadline already: fails at t = 0.
        pod(
            "past",
            "",
            &format!("activeDeadlineSeconds: 120, {APP}"),
            r#"startTime: "2024-05-01T09:55:00Z""#
        ),
    )));
    for (name, at) in [("left", 300.0), ("past", 0.0)] {
        let e = entry(&report, name);
        assert_eq!(
            (
                e.status.phase.as_str(),
                e.status.reason.as_deref(),
                secs(e.finished)
            ),
            ("Failed", Some("DeadlineExceeded"), Some(at)),
            "{name}"
        );
        let r = reasons(&report, name);
        assert_eq!(r[0], (at, "DeadlineExceeded".to_string()), "{name}");
    }
}

#[test]
fn initial_delay_seconds_count_from_the_containers_start() {
    // Started 4 min before t = 0, probed every 10 s after 5 min: the first
    // probe is the worker's first tick at or after 60 s, and it passes.
    let spec = r#"containers: [{name: c, image: "app:1", readinessProbe: {exec: {command: [ok]}, initialDelaySeconds: 300, periodSeconds: 10}}]"#;
    let report = run(&snapshot(&pod(
        "probed",
        "",
        spec,
        r#"startTime: "2024-05-01T09:56:00Z""#,
    )));
    let p = entry(&report, "probed");
    assert_eq!(secs(p.started), Some(0.0));
    assert_eq!(secs(p.ready), Some(60.0));
}

#[test]
fn init_containers_completed_before_and_sidecars_run_on() {
    let spec = r#"initContainers: [{name: setup, image: "app:1"}, {name: proxy, image: "app:1", restartPolicy: Always}], containers: [{name: c, image: "app:1"}]"#;
    let ann = r#"kubesim.io/run-time.c: 10m"#;
    let report = run(&snapshot(&pod(
        "init",
        ann,
        spec,
        r#"startTime: "2024-05-01T09:58:00Z""#,
    )));
    let p = entry(&report, "init");
    assert_eq!(secs(p.first_true.initialized), Some(0.0));
    assert_eq!(p.status.phase.as_str(), "Succeeded");
    assert_eq!(secs(p.finished), Some(480.0));
    assert_eq!(reasons(&report, "init"), vec![]);
}

#[test]
fn without_a_start_time_t0_is_the_latest_time_the_snapshot_shows() {
    let yaml = snapshot(&format!(
        "{}{}",
        pod(
            "old",
            "kubesim.io/run-time: 10m",
            APP,
            r#"startTime: "2024-05-01T09:56:00Z""#
        ),
        pod(
            "new",
            "",
            APP,
            r#"startTime: "2024-05-01T09:57:00Z", containerStatuses: [{name: c, state: {running: {startedAt: "2024-05-01T09:59:00Z"}}}]"#
        ),
    ))
    .replace(
        "controllerManager: {startTime: \"2024-05-01T10:00:00Z\"}\n",
        "",
    );
    let report = run(&yaml);
    // t = 0 is 09:59:00: "old" has run 3 min of its 10.
    assert_eq!(secs(entry(&report, "old").finished), Some(420.0));
    // CronJob schedules take it as t = 0's civil time too.
    let t0 = crate::scenario::civil_time::parse_utc_timestamp("2024-05-01T09:59:00Z");
    assert_eq!(Ok(super::scenario(&yaml).controllers.epoch_unix_s), t0);
}

#[test]
fn bad_or_future_start_times_are_located_errors() {
    let yaml = snapshot(&format!(
        "{}{}{}",
        pod("bad", "", APP, r#"startTime: "2024-05-01 10:00:00""#),
        pod("late", "", APP, r#"startTime: "2024-05-01T10:00:05Z""#),
        pod(
            "names",
            "",
            APP,
            r#"startTime: "2024-05-01T09:00:00Z", containerStatuses: [{name: x, state: {running: {startedAt: "2024-05-01T09:00:00Z"}}}, {name: c, state: {running: {startedAt: 5}}}]"#
        ),
    ));
    let e = errors(&yaml);
    let lines: Vec<&str> = e.lines().collect();
    assert_eq!(
        lines,
        [
            r#"test.yaml:15:45: workloads[0].items[0].status.startTime: expected a UTC time such as 2024-01-01T00:00:00Z, found "2024-05-01 10:00:00""#,
            "test.yaml:20:45: workloads[0].items[1].status.startTime: expected a time at or before \
             the scenario's controllerManager.startTime (t = 0), found 2024-05-01T10:00:05Z (5 s \
             after it): a snapshot cannot show a start after it was taken",
            r#"test.yaml:25:96: workloads[0].items[2].status.containerStatuses[0].name: expected the name of one of the pod's containers (c), found "x""#,
            "test.yaml:25:194: workloads[0].items[2].status.containerStatuses[1].state.running.startedAt: expected a string, found an integer 5",
        ],
        "{e}"
    );
}

#[test]
fn a_run_ends_on_time_when_its_kubelet_sees_the_pod_late() {
    // The pod reaches its kubelet 3 s into the run: its container ran on
    // meanwhile, so it still ends 6 min in.
    let yaml = snapshot(&pod(
        "late",
        "kubesim.io/run-time: 10m",
        APP,
        r#"startTime: "2024-05-01T09:56:00Z""#,
    ))
    .replace(
        "images:",
        "apiLatency: {create: 1s, kubeletWatch: 2s}\nimages:",
    );
    let report = run(&yaml);
    let late = entry(&report, "late");
    assert_eq!(secs(late.first_true.ready_to_start_containers), Some(3.0));
    assert_eq!(secs(late.finished), Some(360.0));
}

#[test]
fn after_a_reboot_containers_start_afresh_and_the_deadline_still_counts_from_start_time() {
    let yaml = snapshot(&pod(
        "rebooted",
        "",
        &format!("activeDeadlineSeconds: 600, {APP}"),
        r#"startTime: "2024-05-01T09:55:00Z""#,
    ))
    .replace("restartPolicy: Never", "restartPolicy: Always")
    .replace(
        "workloads:",
        "faults: [{at: 60s, nodeDown: {node: n-0}, for: 60s}]\nworkloads:",
    );
    let report = run(&yaml);
    let r = reasons(&report, "rebooted");
    let started: Vec<f64> = (r.iter())
        .filter(|e| e.1 == "Started")
        .map(|e| e.0)
        .collect();
    // Only the start after the reboot (at 120 s) is the kubelet's.
    assert_eq!(started.len(), 1, "{r:?}");
    assert!(started[0] >= 120.0, "{r:?}");
    let e = entry(&report, "rebooted");
    assert_eq!(
        (e.status.reason.as_deref(), secs(e.finished)),
        (Some("DeadlineExceeded"), Some(300.0))
    );
}
