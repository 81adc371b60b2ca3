//! Probes end to end: readiness gating Ready, liveness restarts, startup
//! probes holding the others back, and invalid probe specs.

use super::{errors, events_of, run};

fn probed(duration: &str, annotations: &str, probes: &str) -> String {
    format!(
        r#"
duration: {duration}
nodePools: [{{name: n, count: 1, capacity: {{cpu: "4", memory: 4Gi}}}}]
workloads:
  - apiVersion: v1
    kind: Pod
    metadata: {{name: p, annotations: {{{annotations}}}}}
    spec:
      containers:
        - name: app
          image: nginx
{probes}
"#
    )
}

fn times(report: &crate::sim::RunReport, reason: &str) -> Vec<f64> {
    events_of(report, "default/p")
        .into_iter()
        .filter(|e| e.1 == reason)
        .map(|e| e.0)
        .collect()
}

#[test]
fn readiness_probe_decides_when_the_pod_is_ready() {
    // Ticks every 10 s from the start at 0; the first at least 5 s in is
    // at 10 s. The app answers from 30 s: failures at 10 and 20, success at 30.
    let probe = "          readinessProbe: {httpGet: {path: /healthz, port: 80}, initialDelaySeconds: 5, periodSeconds: 10}";
    let report = run(&probed("60s", "kubesim.io/ready-after: 30s", probe));
    let p = &report.state.pods()[0];
    assert_eq!(p.ready.map(|t| t.as_secs_f64()), Some(30.0));
    assert_eq!(p.started.map(|t| t.as_secs_f64()), Some(0.0));
    assert_eq!(times(&report, "Unhealthy"), vec![10.0, 20.0]);
    // successThreshold 2: ready after the second success in a row, at 40 s.
    let probe2 = "          readinessProbe: {exec: {command: [cat, /ready]}, initialDelaySeconds: 5, periodSeconds: 10, successThreshold: 2}";
    let report = run(&probed("60s", "kubesim.io/ready-after: 30s", probe2));
    assert_eq!(
        report.state.pods()[0].ready.map(|t| t.as_secs_f64()),
        Some(40.0)
    );
}

#[test]
fn liveness_failures_restart_the_container_with_backoff() {
    // Fails from 60 s after each start; three failures in a row (60, 70,
    // 80 s) kill it at 80 s; the first restart is immediate. The next run
    // fails from 140 s: killed at 160 s, restarted after 10 s of backoff.
    let probe =
        "          livenessProbe: {tcpSocket: {port: 80}, periodSeconds: 10, failureThreshold: 3}";
    let report = run(&probed(
        "175s",
        "kubesim.io/liveness-fails-after: 60s",
        probe,
    ));
    assert_eq!(times(&report, "Started"), vec![0.0, 80.0, 170.0]);
    let killing: Vec<(f64, String)> = events_of(&report, "default/p")
        .into_iter()
        .filter(|e| e.1 == "Killing")
        .map(|e| (e.0, e.2))
        .collect();
    assert_eq!(
        killing,
        vec![
            (
                80.0,
                "Container app failed liveness probe, will be restarted".to_string()
            ),
            (
                160.0,
                "Container app failed liveness probe, will be restarted".to_string()
            )
        ]
    );
    assert_eq!(report.state.pods()[0].status.restarts(), 2);
}

#[test]
fn startup_probe_holds_readiness_and_kills_after_its_threshold() {
    // The worker starts with the pod at 0 s; its probe then finds no
    // container. Startup passes from 25 s: failures at 10 and 20 s, success
    // at 30 s; with no readiness probe the pod is Ready then.
    let probe =
        "          startupProbe: {httpGet: {port: 80}, periodSeconds: 10, failureThreshold: 5}";
    let report = run(&probed("60s", "kubesim.io/started-after: 25s", probe));
    assert_eq!(
        report.state.pods()[0].ready.map(|t| t.as_secs_f64()),
        Some(30.0)
    );
    // failureThreshold 3: failures at 10, 20 and 30 s kill it at 30 s,
    // three full periods in (not two, as ticks counted from the container's
    // start would).
    let probe =
        "          startupProbe: {httpGet: {port: 80}, periodSeconds: 10, failureThreshold: 3}";
    let report = run(&probed("35s", "kubesim.io/started-after: 35s", probe));
    assert_eq!(times(&report, "Started"), vec![0.0, 30.0]);
    assert!(report.state.pods()[0].ready.is_none());
}

#[test]
fn probes_tick_from_the_pods_sync_not_from_the_containers_start() {
    // worker.go: the worker starts when the kubelet starts the pod (0 s)
    // and ticks at 10, 20, 30 s …; the container starts 4 s in. Startup
    // never passes, failureThreshold 3: failures at 10, 20, 30 s, killed at
    // 30 s (26 s after its start). The restart is immediate and takes 4 s
    // again (34 s); the worker keeps its ticker: 40, 50, 60 s, killed at
    // 60 s; after 10 s of backoff it starts at 74 s: killed at 100 s.
    let probe =
        "          startupProbe: {httpGet: {port: 80}, periodSeconds: 10, failureThreshold: 3}";
    let report = run(&probed(
        "105s",
        "kubesim.io/start-latency: 4s, kubesim.io/started-after: 1h",
        probe,
    ));
    assert_eq!(times(&report, "Started"), vec![4.0, 34.0, 74.0]);
    assert_eq!(times(&report, "Killing"), vec![30.0, 60.0, 100.0]);
    assert_eq!(
        times(&report, "Unhealthy"),
        vec![10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 80.0, 90.0, 100.0]
    );
}

#[test]
fn readiness_ticks_on_its_own_period_once_the_startup_probe_passes() {
    // Started at 4 s; startup (every 10 s) passes from 9 s: success at its
    // 10 s tick. The readiness worker ticks every 3 s from the pod's sync
    // (3, 6, 9, 12 s …) and sees the container started at its first tick
    // after 10 s: Ready at 12 s.
    let probes = "          startupProbe: {httpGet: {port: 80}, periodSeconds: 10}
          readinessProbe: {httpGet: {port: 80}, periodSeconds: 3}";
    let report = run(&probed(
        "30s",
        "kubesim.io/start-latency: 4s, kubesim.io/started-after: 5s",
        probes,
    ));
    let p = &report.state.pods()[0];
    assert_eq!(p.started.map(|t| t.as_secs_f64()), Some(4.0));
    assert_eq!(p.ready.map(|t| t.as_secs_f64()), Some(12.0));
}

#[test]
fn a_failure_run_carries_over_a_crash_restart() {
    // worker.go keeps `resultRun` when the container changes; only a kill
    // by the probe itself clears it. Liveness fails from the start,
    // failureThreshold 3: failures at 10 and 20 s, the container crashes
    // at 25 s and restarts at once, and the third failure in a row at 30 s
    // kills the new one.
    let probe =
        "          livenessProbe: {tcpSocket: {port: 80}, periodSeconds: 10, failureThreshold: 3}";
    let report = run(&probed(
        "35s",
        "kubesim.io/liveness-fails-after: 0s, kubesim.io/crash-after: 25s",
        probe,
    ));
    assert_eq!(times(&report, "Started"), vec![0.0, 25.0]);
    assert_eq!(times(&report, "Killing"), vec![30.0]);
}

#[test]
fn invalid_probes_are_rejected_with_positions() {
    let text = errors(
        r#"
nodePools: [{name: n, count: 1, capacity: {cpu: "1", memory: 1Gi}}]
workloads:
  - apiVersion: v1
    kind: Pod
    metadata: {name: p}
    spec:
      initContainers:
        - {name: init, image: busybox, readinessProbe: {exec: {command: [x]}}}
      containers:
        - name: app
          image: nginx
          livenessProbe: {httpGet: {port: 80}, failureThreshold: -1, successThreshold: 2}
          readinessProbe: {periodSeconds: 5}
"#,
    );
    for expected in [
        "test.yaml:9:56: workloads[0].spec.initContainers[0].readinessProbe: may not be set for init containers without restartPolicy=Always",
        "livenessProbe.failureThreshold: must be greater than or equal to 0, found -1",
        "livenessProbe.successThreshold: must be 1 for liveness probes, found 2",
        "readinessProbe: must specify exactly one handler type of: exec, httpGet, tcpSocket, grpc (found 0)",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn failing_init_container_shows_init_crash_loop_back_off() {
    // The init container fails after 5 s each time: restarted at once, then
    // after 10 s; at 12 s it waits out its backoff and the app never starts.
    let report = run(r#"
duration: 12s
nodePools: [{name: n, count: 1, capacity: {cpu: "4", memory: 4Gi}}]
workloads:
  - apiVersion: v1
    kind: Pod
    metadata: {name: p, annotations: {kubesim.io/run-time.init: 5s, kubesim.io/exit-code.init: "1"}}
    spec:
      initContainers: [{name: init, image: busybox}]
      containers: [{name: app, image: nginx}]
"#);
    let p = &report.state.pods()[0];
    assert_eq!(p.status.container_reason(), "Init:CrashLoopBackOff");
    assert!(p.status.conditions.initialized.is_none());
    assert_eq!(times(&report, "BackOff"), vec![10.0]);
}

#[test]
fn failing_post_start_hook_kills_the_container() {
    // The hook runs 3 s and fails: killed at 3 s, restarted at once, killed
    // at 6 s, restarted after 10 s of backoff at 16 s.
    let report = run(&probed(
        "18s",
        "kubesim.io/post-start: 3s, kubesim.io/post-start-fail-probability: '1'",
        "",
    ));
    assert_eq!(times(&report, "FailedPostStartHook"), vec![3.0, 6.0]);
    assert_eq!(times(&report, "Started"), vec![0.0, 3.0, 16.0]);
    // A hook that succeeds changes nothing.
    let ok = run(&probed("18s", "kubesim.io/post-start: 3s", ""));
    assert_eq!(times(&ok, "Started"), vec![0.0]);
}

#[test]
fn init_containers_of_an_always_pod_run_once() {
    // restartPolicy Always (the default): a succeeding init container is not
    // restarted (init containers restart only on failure); the app starts.
    let report = run(r#"
duration: 60s
nodePools: [{name: n, count: 1, capacity: {cpu: "4", memory: 4Gi}}]
workloads:
  - apiVersion: v1
    kind: Pod
    metadata: {name: p, annotations: {kubesim.io/run-time.init: 5s}}
    spec:
      initContainers: [{name: init, image: busybox}]
      containers: [{name: app, image: nginx}]
"#);
    assert_eq!(times(&report, "Started"), vec![0.0, 5.0]);
    assert_eq!(
        report.state.pods()[0].ready.map(|t| t.as_secs_f64()),
        Some(5.0)
    );
}

#[test]
fn sidecar_runs_beside_the_app_and_does_not_hold_the_pod_open() {
    // The sidecar (restartPolicy Always) starts at 0 and lets the next init
    // container start at once; that one runs 5 s; the app runs 30 s from
    // 5 s, and the pod Succeeds at 35 s though the sidecar still runs.
    let report = run(r#"
duration: 60s
nodePools: [{name: n, count: 1, capacity: {cpu: "4", memory: 4Gi}}]
workloads:
  - apiVersion: v1
    kind: Pod
    metadata: {name: p, annotations: {kubesim.io/run-time.setup: 5s, kubesim.io/run-time.app: 30s}}
    spec:
      restartPolicy: Never
      initContainers:
        - {name: proxy, image: envoy, restartPolicy: Always}
        - {name: setup, image: busybox}
      containers: [{name: app, image: busybox}]
"#);
    assert_eq!(times(&report, "Started"), vec![0.0, 0.0, 5.0]);
    let p = &report.state.pods()[0];
    assert_eq!(p.status.phase.as_str(), "Succeeded");
    assert_eq!(p.finished.map(|t| t.as_secs_f64()), Some(35.0));
}

#[test]
fn slow_probe_answers_time_out() {
    // Answers take 2 s; with timeoutSeconds 1 every readiness probe fails
    // and the pod is never Ready; with timeoutSeconds 3 it is Ready at the
    // first tick, 10 s after the pod's sync began.
    let slow =
        "          readinessProbe: {httpGet: {port: 80}, periodSeconds: 10, timeoutSeconds: 1}";
    let report = run(&probed("35s", "kubesim.io/probe-response-time: 2s", slow));
    assert!(report.state.pods()[0].ready.is_none());
    assert_eq!(times(&report, "Unhealthy"), vec![10.0, 20.0, 30.0]);
    let msg = &events_of(&report, "default/p")
        .into_iter()
        .find(|e| e.1 == "Unhealthy")
        .unwrap()
        .2;
    assert_eq!(
        msg,
        "Readiness probe failed: timeout: the probe took longer than 1s"
    );
    let patient =
        "          readinessProbe: {httpGet: {port: 80}, periodSeconds: 10, timeoutSeconds: 3}";
    let report = run(&probed(
        "35s",
        "kubesim.io/probe-response-time: 2s",
        patient,
    ));
    assert_eq!(
        report.state.pods()[0].ready.map(|t| t.as_secs_f64()),
        Some(10.0)
    );
}
