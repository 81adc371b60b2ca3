//! What the kubelet takes from the Pod spec itself: lifecycle hooks
//! (`lifecycle.postStart` / `lifecycle.preStop`), `activeDeadlineSeconds`,
//! the terminal phase a deleted pod is given, and when the conditions
//! became True.

use super::{errors, events_of, pod_outcomes, run};

const NODES: &str = r#"nodePools: [{name: n, count: 1, capacity: {cpu: "4", memory: 4Gi}}]"#;

/// One pod `p` with the given annotations and spec lines, optionally deleted at `delete_at`.
fn one_pod(duration: &str, annotations: &str, spec: &str, delete_at: Option<&str>) -> String {
    let actions = delete_at.map_or(String::new(), |at| {
        format!("actions:\n  - {{at: {at}, delete: {{kind: Pod, name: p}}}}\n")
    });
    format!(
        "duration: {duration}\n{NODES}\nworkloads:\n  - apiVersion: v1\n    kind: Pod\n    \
         metadata: {{name: p, annotations: {{{annotations}}}}}\n    spec:\n{spec}\n{actions}"
    )
}

fn times(report: &crate::sim::RunReport, reason: &str) -> Vec<f64> {
    events_of(report, "default/p")
        .iter()
        .filter(|e| e.1 == reason)
        .map(|e| e.0)
        .collect()
}

fn deleted_s(report: &crate::sim::RunReport) -> f64 {
    report.state.pods()[0].deleted.unwrap().as_secs_f64()
}

#[test]
fn pre_stop_sleep_from_the_manifest_delays_the_removal() {
    // preStop sleeps 20 s, then the container exits at once on SIGTERM:
    // deleted at 10 s, removed at 30 s. Before, the hook was ignored (10 s).
    let report = run(&one_pod(
        "2m",
        "",
        "      containers:\n      - name: app\n        image: nginx:1.27\n        \
         lifecycle: {preStop: {sleep: {seconds: 20}}}",
        Some("10s"),
    ));
    assert_eq!(deleted_s(&report), 30.0);
}

#[test]
fn pre_stop_sleep_is_cut_at_the_grace_period_plus_two_seconds() {
    // Sleep 30 s with a 30 s grace period, the app needing 5 s after SIGTERM:
    // the hook takes the whole grace period, SIGTERM gets the 2 s minimum,
    // SIGKILL at 10 + 32 s.
    let report = run(&one_pod(
        "2m",
        "kubesim.io/stop-time: 5s",
        "      containers:\n      - name: app\n        image: nginx:1.27\n        \
         lifecycle: {preStop: {sleep: {seconds: 30}}}",
        Some("10s"),
    ));
    assert_eq!(deleted_s(&report), 42.0);
    // Killed by SIGKILL (137): the deleted pod ends Failed.
    assert_eq!(pod_outcomes(&report)[0].2, "Failed");
}

#[test]
fn exec_and_http_hooks_take_their_time_and_outcome_from_the_behaviour() {
    // An exec preStop declared to take 7 s and to fail: removed at 10 + 7 s,
    // and a FailedPreStopHook event when it returns; the kill goes on.
    let report = run(&one_pod(
        "2m",
        "kubesim.io/pre-stop: 7s, kubesim.io/pre-stop-fail-probability: '1'",
        "      containers:\n      - name: app\n        image: nginx:1.27\n        \
         lifecycle: {preStop: {exec: {command: [sh, -c, drain]}}}",
        Some("10s"),
    ));
    assert_eq!(deleted_s(&report), 17.0);
    assert_eq!(times(&report, "FailedPreStopHook"), vec![17.0]);
    // Without a declared duration an httpGet hook returns at once.
    let report = run(&one_pod(
        "2m",
        "",
        "      containers:\n      - name: app\n        image: nginx:1.27\n        \
         lifecycle: {preStop: {httpGet: {path: /drain, port: 8080}}}",
        Some("10s"),
    ));
    assert_eq!(deleted_s(&report), 10.0);
    assert!(times(&report, "FailedPreStopHook").is_empty());
}

#[test]
fn post_start_sleep_holds_the_container_from_running_and_ready() {
    // The container starts at 0 (Started event), but it is reported running,
    // so the pod Running and Ready, only when its 15 s postStart returns.
    let report = run(&one_pod(
        "1m",
        "",
        "      containers:\n      - name: app\n        image: nginx:1.27\n        \
         lifecycle: {postStart: {sleep: {seconds: 15}}}",
        None,
    ));
    assert_eq!(times(&report, "Started"), vec![0.0]);
    let p = &report.state.pods()[0];
    assert_eq!(p.ready.map(|t| t.as_secs_f64()), Some(15.0));
    assert_eq!(p.started.map(|t| t.as_secs_f64()), Some(15.0));
}

#[test]
fn failing_exec_post_start_kills_the_container_and_it_restarts() {
    // The exec hook is declared to take 2 s and fail: killed at 2 s
    // (FailedPostStartHook), restarted at once, killed again at 4 s, then
    // 10 s of backoff: the third start at 14 s.
    let report = run(&one_pod(
        "15s",
        "kubesim.io/post-start: 2s, kubesim.io/post-start-fail-probability: '1'",
        "      containers:\n      - name: app\n        image: nginx:1.27\n        \
         lifecycle: {postStart: {exec: {command: [sh, -c, warm-up]}}}",
        None,
    ));
    assert_eq!(times(&report, "FailedPostStartHook"), vec![2.0, 4.0]);
    assert_eq!(times(&report, "Started"), vec![0.0, 2.0, 14.0]);
    // Only the outcome declared: the manifest's hook fails at once, and with
    // restartPolicy Never the pod fails.
    let report = run(&one_pod(
        "15s",
        "kubesim.io/post-start-fail-probability: '1'",
        "      restartPolicy: Never\n      containers:\n      - name: app\n        \
         image: nginx:1.27\n        lifecycle: {postStart: {tcpSocket: {port: 80}}}",
        None,
    ));
    assert_eq!(times(&report, "Started"), vec![0.0]);
    assert_eq!(times(&report, "FailedPostStartHook"), vec![0.0]);
    assert_eq!(pod_outcomes(&report)[0].2, "Failed");
    // A sleep hook never fails, whatever is declared.
    let report = run(&one_pod(
        "15s",
        "kubesim.io/post-start-fail-probability: '1'",
        "      restartPolicy: Never\n      containers:\n      - name: app\n        \
         image: nginx:1.27\n        lifecycle: {postStart: {sleep: {seconds: 1}}}",
        None,
    ));
    assert!(times(&report, "FailedPostStartHook").is_empty());
    assert_eq!(pod_outcomes(&report)[0].2, "Running");
}

#[test]
fn invalid_hooks_are_rejected_with_positions() {
    let pod = |lifecycle: &str| {
        one_pod(
            "1m",
            "",
            &format!(
                "      terminationGracePeriodSeconds: 10\n      containers:\n      - name: app\n        \
                 image: nginx:1.27\n        lifecycle: {lifecycle}"
            ),
            None,
        )
    };
    // validateSleepAction: more than 0, at most the grace period.
    assert_eq!(
        errors(&pod("{preStop: {sleep: {seconds: 11}}}")),
        "test.yaml:12:48: workloads[0].spec.containers[0].lifecycle.preStop.sleep.seconds: must be \
         greater \
         than 0 and less than terminationGracePeriodSeconds (10), found 11"
    );
    assert!(errors(&pod("{postStart: {sleep: {seconds: 0}}}"))
        .contains("lifecycle.postStart.sleep.seconds: must be greater than 0"));
    // validateHandler: exactly one handler.
    assert!(errors(&pod("{preStop: {}}")).contains(
        "lifecycle.preStop: must specify exactly one handler type of: exec, httpGet, tcpSocket, \
         sleep (found 0)"
    ));
    assert!(errors(&pod(
        "{preStop: {exec: {command: [x]}, sleep: {seconds: 1}}}"
    ))
    .contains("(found 2)"));
    assert!(errors(&pod("{preStart: {sleep: {seconds: 1}}}"))
        .contains("lifecycle: unknown field `preStart`; expected one of: postStart, preStop"));
}

#[test]
fn active_deadline_fails_the_pod_counted_from_its_start() {
    // Scheduled and started at 0 with a 45 s deadline: Failed at 45 s with
    // reason DeadlineExceeded, and the event says so.
    let report = run(&one_pod(
        "2m",
        "",
        "      activeDeadlineSeconds: 45\n      containers: [{name: app, image: nginx:1.27}]",
        None,
    ));
    assert_eq!(pod_outcomes(&report)[0].2, "Failed");
    assert_eq!(pod_outcomes(&report)[0].3, "DeadlineExceeded");
    assert_eq!(times(&report, "DeadlineExceeded"), vec![45.0]);
    assert_eq!(
        report.state.pods()[0].finished.map(|t| t.as_secs_f64()),
        Some(45.0)
    );
    // A pod that completes before its deadline is not touched.
    let report = run(&one_pod(
        "2m",
        "kubesim.io/run-time: 30s",
        "      restartPolicy: Never\n      activeDeadlineSeconds: 45\n      \
         containers: [{name: app, image: nginx:1.27}]",
        None,
    ));
    assert_eq!(pod_outcomes(&report)[0].2, "Succeeded");
    assert!(times(&report, "DeadlineExceeded").is_empty());
}

#[test]
fn active_deadline_must_be_a_positive_integer() {
    let pod = |v: &str| {
        one_pod(
            "1m",
            "",
            &format!(
                "      activeDeadlineSeconds: {v}\n      containers: [{{name: app, image: x}}]"
            ),
            None,
        )
    };
    assert_eq!(
        errors(&pod("0")),
        "test.yaml:8:30: workloads[0].spec.activeDeadlineSeconds: expected a number of seconds from 1 to \
         4294967295, found 0"
    );
    assert!(errors(&pod("-3")).contains("found -3"));
    assert!(errors(&pod("soon")).contains("spec.activeDeadlineSeconds"));
}

#[test]
fn deleted_pods_end_succeeded_or_failed_from_their_containers_exit() {
    // Exits 0 within the grace period after SIGTERM: Succeeded.
    let report = run(&one_pod(
        "1m",
        "kubesim.io/stop-time: 3s",
        "      containers: [{name: app, image: nginx:1.27}]",
        Some("10s"),
    ));
    assert_eq!(pod_outcomes(&report)[0].2, "Succeeded");
    let p = &report.state.pods()[0];
    assert_eq!(p.finished.map(|t| t.as_secs_f64()), Some(13.0));
    // Exits with its declared code 143: Failed.
    let report = run(&one_pod(
        "1m",
        "kubesim.io/exit-code: '143'",
        "      containers: [{name: app, image: nginx:1.27}]",
        Some("10s"),
    ));
    assert_eq!(pod_outcomes(&report)[0].2, "Failed");
    // Needs longer than the grace period: SIGKILL (137), Failed.
    let report = run(&one_pod(
        "2m",
        "kubesim.io/stop-time: 40s",
        "      containers: [{name: app, image: nginx:1.27}]",
        Some("10s"),
    ));
    assert_eq!(pod_outcomes(&report)[0].2, "Failed");
    assert_eq!(deleted_s(&report), 40.0);
    // A crash-looping container that is not running counts as failed.
    let report = run(&one_pod(
        "1m",
        "kubesim.io/run-time: 5s, kubesim.io/exit-code: '1'",
        "      containers: [{name: app, image: nginx:1.27}, {name: side, image: nginx:1.27}]",
        Some("12s"),
    ));
    assert_eq!(pod_outcomes(&report)[0].2, "Failed");
}

#[test]
fn condition_times_are_written_to_pods_csv() {
    // Bound at 0; the init container runs 5 s; the app is ready at once.
    let report = run(&one_pod(
        "1m",
        "kubesim.io/run-time.init: 5s",
        "      initContainers: [{name: init, image: busybox}]\n      \
         containers: [{name: app, image: nginx:1.27}]",
        None,
    ));
    let mut csv = Vec::new();
    crate::metrics::writers::write_pods(&mut csv, &report.state).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let mut lines = csv.lines().map(|l| l.split(',').collect::<Vec<_>>());
    let header = lines.next().unwrap();
    let row = lines.next().unwrap();
    let cell = |name: &str| row[header.iter().position(|h| *h == name).unwrap()];
    assert_eq!(
        [
            "scheduled_s",
            "ready_to_start_containers_s",
            "initialized_s",
            "containers_ready_s",
            "ready_s"
        ]
        .map(cell),
        ["0", "0", "5", "5", "5"]
    );
}
