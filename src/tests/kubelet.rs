//! The kubelet end to end: restart policies, CrashLoopBackOff timing, init containers.

use super::{events_of, pod_outcomes, run};

fn one_pod(duration: &str, annotations: &str, spec: &str) -> String {
    format!(
        r#"
duration: {duration}
nodePools: [{{name: n, count: 1, capacity: {{cpu: "4", memory: 4Gi}}}}]
workloads:
  - apiVersion: v1
    kind: Pod
    metadata: {{name: p, annotations: {{{annotations}}}}}
    spec:
{spec}
"#
    )
}

#[test]
fn crash_loop_restarts_after_0_10_20_40_seconds() {
    // Runs 5 s each time. Exit 5 → restart at once; exit 10 → +10 s = 20;
    // exit 25 → +20 s = 45; exit 50 → +40 s = 90, after the end at 60.
    let report = run(&one_pod(
        "60s",
        "kubesim.io/run-time: 5s, kubesim.io/exit-code: '1'",
        "      containers: [{name: app, image: busybox}]",
    ));
    let backoffs: Vec<f64> = events_of(&report, "default/p")
        .iter()
        .filter(|e| e.1 == "BackOff")
        .map(|e| e.0)
        .collect();
    assert_eq!(backoffs, vec![10.0, 25.0, 50.0]);
    let starts: Vec<f64> = events_of(&report, "default/p")
        .iter()
        .filter(|e| e.1 == "Started")
        .map(|e| e.0)
        .collect();
    assert_eq!(starts, vec![0.0, 5.0, 20.0, 45.0]);
    assert_eq!(report.state.pods()[0].status.restarts(), 3);
    assert_eq!(pod_outcomes(&report)[0].2, "Running");
    let events = events_of(&report, "default/p");
    let msg = &events.iter().find(|e| e.1 == "BackOff").unwrap().2;
    assert_eq!(
        msg,
        "Back-off restarting failed container app in pod p_default"
    );
}

#[test]
fn restart_policy_decides_the_final_phase() {
    let spec = |policy: &str| {
        format!("      restartPolicy: {policy}\n      containers: [{{name: app, image: busybox}}]")
    };
    let ok = run(&one_pod(
        "1h",
        "kubesim.io/run-time: 30s",
        &spec("OnFailure"),
    ));
    assert_eq!(pod_outcomes(&ok)[0].2, "Succeeded");
    assert_eq!(ok.state.pods()[0].finished.unwrap().as_secs_f64(), 30.0);
    let failed = run(&one_pod(
        "1h",
        "kubesim.io/run-time: 30s, kubesim.io/exit-code: '2'",
        &spec("Never"),
    ));
    assert_eq!(
        (
            pod_outcomes(&failed)[0].2.as_str(),
            pod_outcomes(&failed)[0].3.as_str()
        ),
        ("Failed", "Error")
    );
    // OnFailure restarts a failing container; Always restarts even a successful one.
    let retried = run(&one_pod(
        "100s",
        "kubesim.io/run-time: 30s, kubesim.io/exit-code: '2'",
        &spec("OnFailure"),
    ));
    assert_eq!(retried.state.pods()[0].status.restarts(), 2); // exits 30 → restart 30; exits 60 → +10 → 70
    let always = run(&one_pod(
        "100s",
        "kubesim.io/run-time: 30s",
        &spec("Always"),
    ));
    assert_eq!(always.state.pods()[0].status.restarts(), 2);
}

#[test]
fn init_containers_run_one_after_another_before_the_app() {
    let report = run(&one_pod(
        "1h",
        "kubesim.io/run-time.init-a: 10s, kubesim.io/run-time.init-b: 20s, kubesim.io/start-latency: 1s, kubesim.io/run-time.app: 60s",
        "      restartPolicy: Never\n      initContainers: [{name: init-a, image: busybox}, {name: init-b, image: busybox}]\n      containers: [{name: app, image: busybox}]",
    ));
    let entry = &report.state.pods()[0];
    // init-a: start 1, exit 11; init-b: start 12, exit 32; app: start 33, exit 93.
    assert_eq!(
        entry.status.conditions.initialized.unwrap().as_secs_f64(),
        32.0
    );
    assert_eq!(entry.started.unwrap().as_secs_f64(), 33.0);
    assert_eq!(entry.finished.unwrap().as_secs_f64(), 93.0);
    // Ready since 33 s: the first-ready time survives the pod finishing.
    assert_eq!(entry.ready.unwrap().as_secs_f64(), 33.0);
    assert_eq!(pod_outcomes(&report)[0].2, "Succeeded");
}

#[test]
fn failing_init_container_with_restart_never_fails_the_pod() {
    let report = run(&one_pod(
        "1h",
        "kubesim.io/exit-code.init: '1'",
        "      restartPolicy: Never\n      initContainers: [{name: init, image: busybox}]\n      containers: [{name: app, image: busybox}]",
    ));
    assert_eq!(pod_outcomes(&report)[0].3, "Init:Error");
    assert!(report.state.pods()[0].started.is_none());
}

#[test]
fn deleting_a_pod_cancels_its_pending_timers() {
    use crate::engine::{EventQueue, SimTime};
    use crate::kubelet::{KubeletEvent, Kubelets};
    use crate::model::{ClusterState, NodeId};

    let s = super::scenario(&one_pod(
        "1h",
        "kubesim.io/run-time: 30s",
        "      restartPolicy: Never\n      containers: [{name: app, image: busybox}]",
    ));
    let mut state = ClusterState::new(s.resource_names.clone());
    let mut kubelets = Kubelets::new(1, Default::default(), Default::default());
    let mut events: EventQueue<KubeletEvent> = EventQueue::new();
    let deliver = |state: &mut ClusterState,
                   kubelets: &mut Kubelets,
                   events: &mut EventQueue<KubeletEvent>| {
        while let Some(w) = state.next_watch_event() {
            kubelets.on_watch(w, state, events);
        }
    };
    state.add_node(s.nodes[0].clone());
    let pod = state.add_pod(s.pods[0].1.clone(), SimTime::ZERO);
    state.bind(pod, NodeId(0), SimTime::ZERO);
    deliver(&mut state, &mut kubelets, &mut events);
    let (_, started) = events.pop().expect("the container start is scheduled");
    kubelets.handle(started, &mut state, &mut events);
    assert_eq!(events.pending(), 1, "the exit at 30 s is scheduled");
    state.delete_pod(pod, SimTime::from_secs(10));
    deliver(&mut state, &mut kubelets, &mut events);
    assert_eq!(events.pop(), None, "a deleted pod's exit must never fire");
}
