//! Node lifecycle end to end: heartbeats, Unknown after the grace period,
//! the NoExecute taints, eviction after tolerationSeconds, replacement pods,
//! and the node coming back.

use super::{events_of, run};
use crate::model::node_health::ConditionStatus;
use crate::model::NodeId;

/// Four nodes in one zone; a 10-replica Deployment; `faults` appended.
fn cluster(duration: &str, faults: &str, extra: &str) -> String {
    format!(
        r#"
duration: {duration}
nodePools: [{{name: n, count: 4, capacity: {{cpu: "4", memory: 8Gi}}}}]
workloads:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {{name: web}}
    spec:
      replicas: 10
      selector: {{matchLabels: {{app: web}}}}
      template:
        metadata: {{labels: {{app: web}}}}
        spec:
          containers: [{{name: app, image: nginx, resources: {{requests: {{cpu: 100m}}}}}}]
faults:
{faults}
{extra}
"#
    )
}

fn times(report: &crate::sim::RunReport, object: &str, reason: &str) -> Vec<f64> {
    events_of(report, object)
        .into_iter()
        .filter(|e| e.1 == reason)
        .map(|e| e.0)
        .collect()
}

#[test]
fn crashed_node_turns_unknown_after_the_grace_period_and_its_pods_go_after_300_s() {
    // The node crashes at 100 s, just after its Lease renewal at 100 s
    // (renewed every 10 s from 0). The monitor (every 5 s) saw that renewal
    // at 100 s; Unknown needs now > 100 + 50, so the pass at 155 s marks it
    // (`monitorNodeHealth`). The unreachable NoExecute taint goes on in the
    // same instant (first token of the zone's limiter), and the pods'
    // default 300 s toleration runs out at 455 s.
    let report = run(&cluster(
        "900s",
        "  - {at: 100s, nodeDown: {node: n-1}}",
        "",
    ));
    assert_eq!(times(&report, "n-1", "NodeNotReady"), vec![155.0]);
    let state = &report.state;
    let n1 = state
        .nodes()
        .iter()
        .position(|n| n.metadata.name == "n-1")
        .unwrap();
    assert_eq!(
        state.node_health(NodeId(n1 as u32)).ready,
        ConditionStatus::Unknown
    );
    let mut taints: Vec<String> = state.nodes()[n1]
        .taints
        .iter()
        .map(|t| t.to_string())
        .collect();
    taints.sort();
    assert_eq!(
        taints,
        vec![
            "node.kubernetes.io/unreachable:NoExecute",
            "node.kubernetes.io/unreachable:NoSchedule"
        ]
    );
    let on_n1: Vec<_> = state
        .pods()
        .iter()
        .enumerate()
        .filter(|(_, p)| p.node.map(|n| n.0 as usize) == Some(n1))
        .collect();
    assert!(!on_n1.is_empty());
    for (_, p) in &on_n1 {
        let object = format!("default/{}", p.pod.metadata.name);
        assert_eq!(times(&report, &object, "NodeNotReady"), vec![155.0]);
        assert_eq!(times(&report, &object, "TaintManagerEviction"), vec![455.0]);
        // Unreachable: the deletion cannot complete, the pod stays Terminating.
        assert_eq!(p.terminating.map(|t| t.as_secs_f64()), Some(455.0));
        assert!(p.deleted.is_none());
        assert!(p.status.conditions.ready.is_none());
    }
    // The ReplicaSet replaced them at once, on the healthy nodes.
    let live: Vec<_> = state
        .pods()
        .iter()
        .filter(|p| p.deleted.is_none() && p.terminating.is_none())
        .collect();
    assert_eq!(live.len(), 10);
    assert!(live
        .iter()
        .all(|p| p.node.is_some_and(|n| n.0 as usize != n1)));
    assert!(live.iter().all(|p| p.status.conditions.ready.is_some()));
    let replacements = live
        .iter()
        .filter(|p| p.created.as_secs_f64() == 455.0)
        .count();
    assert_eq!(replacements, on_n1.len());
}

#[test]
fn node_that_returns_before_the_toleration_runs_out_keeps_its_pods() {
    // Down from 100 s to 300 s: Unknown at 155 s, back at 300 s. The kubelet
    // reports Ready at once; the taints go at the next monitor pass (300 s)
    // and the scheduled deletions are cancelled. The containers restart
    // (sandbox re-created) and the pods are Ready again.
    let report = run(&cluster(
        "900s",
        "  - {at: 100s, nodeDown: {node: n-1}, for: 200s}",
        "",
    ));
    let state = &report.state;
    let n1 = state
        .nodes()
        .iter()
        .position(|n| n.metadata.name == "n-1")
        .unwrap();
    assert_eq!(times(&report, "n-1", "NodeReady"), vec![300.0]);
    assert!(state.nodes()[n1].taints.is_empty());
    assert_eq!(
        state.node_health(NodeId(n1 as u32)).ready,
        ConditionStatus::True
    );
    let on_n1: Vec<_> = state
        .pods()
        .iter()
        .filter(|p| p.node.map(|n| n.0 as usize) == Some(n1))
        .collect();
    assert!(!on_n1.is_empty());
    for p in on_n1 {
        let object = format!("default/{}", p.pod.metadata.name);
        assert_eq!(times(&report, &object, "TaintManagerEviction"), vec![300.0]);
        assert!(p.terminating.is_none());
        assert!(p.status.conditions.ready.is_some());
        assert_eq!(p.status.restarts(), 1);
    }
    assert_eq!(state.pods().len(), 10, "no pod was replaced");
}

#[test]
fn partitioned_node_keeps_running_and_finishes_the_deletion_when_it_heals() {
    // Partitioned from 100 s to 600 s: evicted at 455 s, Terminating until
    // the kubelet hears of the deletion at 600 s and stops the containers
    // (30 s grace, containers stop at once here) — removed at 600 s.
    let report = run(&cluster(
        "900s",
        "  - {at: 100s, networkPartition: {node: n-1}, for: 500s}",
        "",
    ));
    let state = &report.state;
    let n1 = state
        .nodes()
        .iter()
        .position(|n| n.metadata.name == "n-1")
        .unwrap();
    let evicted: Vec<_> = state
        .pods()
        .iter()
        .filter(|p| p.node.map(|n| n.0 as usize) == Some(n1) && p.terminating.is_some())
        .collect();
    assert!(!evicted.is_empty());
    for p in evicted {
        assert_eq!(p.terminating.unwrap().as_secs_f64(), 455.0);
        assert_eq!(p.deleted.unwrap().as_secs_f64(), 600.0);
        assert_eq!(p.status.restarts(), 0, "containers kept running");
    }
}

#[test]
fn a_not_ready_kubelet_gets_the_not_ready_taint() {
    // The kubelet reports Ready=False at 100 s: the NoSchedule taint follows
    // at once, the monitor pass at 100 s sees the change and the NoExecute
    // taint goes on; the pods go 300 s later.
    let report = run(&cluster(
        "900s",
        "  - {at: 100s, kubeletNotReady: {node: n-1}}",
        "",
    ));
    assert_eq!(times(&report, "n-1", "NodeNotReady"), vec![100.0, 100.0]);
    let state = &report.state;
    let n1 = state
        .nodes()
        .iter()
        .position(|n| n.metadata.name == "n-1")
        .unwrap();
    let mut taints: Vec<String> = state.nodes()[n1]
        .taints
        .iter()
        .map(|t| t.to_string())
        .collect();
    taints.sort();
    assert_eq!(
        taints,
        vec![
            "node.kubernetes.io/not-ready:NoExecute",
            "node.kubernetes.io/not-ready:NoSchedule"
        ]
    );
    let evictions: Vec<f64> = state
        .pods()
        .iter()
        .filter(|p| p.node.map(|n| n.0 as usize) == Some(n1) && p.terminating.is_some())
        .map(|p| p.terminating.unwrap().as_secs_f64())
        .collect();
    assert!(!evictions.is_empty());
    assert!(evictions.iter().all(|&t| t == 400.0));
}

#[test]
fn grace_period_is_configurable() {
    let report = run(&cluster(
        "300s",
        "  - {at: 100s, nodeDown: {node: n-1}}",
        "controllerManager: {nodeMonitorGracePeriod: 20s}",
    ));
    // Renewed at 100 s, seen at 100 s; Unknown once now > 120 s: at 125 s.
    assert_eq!(times(&report, "n-1", "NodeNotReady"), vec![125.0]);
}

#[test]
fn when_every_node_is_down_nothing_is_evicted() {
    // All zones fully disrupted: the controller assumes it lost the network
    // and neither taints nor evicts (`handleDisruption`).
    let report = run(&cluster(
        "900s",
        "  - {at: 100s, nodeDown: {nodes: [n-0, n-1, n-2, n-3]}}",
        "",
    ));
    assert!(report.state.nodes().iter().all(|n| n
        .taints
        .iter()
        .all(|t| t.effect != crate::model::taints::TaintEffect::NoExecute)));
    assert!(report.state.pods().iter().all(|p| p.terminating.is_none()));
}

#[test]
fn bad_faults_are_reported_with_positions() {
    let text = super::errors(
        r#"
nodePools: [{name: n, count: 2, zones: [a], capacity: {cpu: "1", memory: 1Gi}}]
faults:
  - {at: 10s, nodeDown: {node: n-7}}
  - {at: 10s, zoneDown: {zone: b}}
  - {at: 10s, nodeDown: {node: n-1}, networkPartition: {node: n-0}}
  - randomNodeFailures: {pool: n, mtbf: often, mttr: 1m}
controllerManager: {nodeMonitorGracePeriod: soon, unhealthyZoneThreshold: 2}
"#,
    );
    for expected in [
        "test.yaml:4:32: faults[0].nodeDown.node: no node named \"n-7\" in this scenario (did you mean `n-0`?)",
        "test.yaml:5:32: faults[1].zoneDown.zone: no node is in zone \"b\"; zones: a",
        "test.yaml:6:5: faults[2]: a fault needs exactly one of",
        "test.yaml:7:25: faults[3].randomNodeFailures: random node failures need the scenario's `duration`",
        "faults[3].randomNodeFailures.mtbf: \"often\" is not a distribution",
        "controllerManager.nodeMonitorGracePeriod: expected a duration",
        "controllerManager.unhealthyZoneThreshold: expected a number from 0 to 1, found 2",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn random_failures_are_reproducible_and_recover() {
    let yaml = r#"
duration: 2h
nodePools: [{name: n, count: 3, capacity: {cpu: "4", memory: 8Gi}}]
faults:
  - randomNodeFailures: {pool: n, mtbf: exponential(30m), mttr: constant(5m)}
"#;
    let a = run(yaml);
    let b = run(yaml);
    let reboots = |r: &crate::sim::RunReport| -> Vec<(String, f64)> {
        r.recorder
            .events
            .iter()
            .filter(|e| e.reason == "Rebooted")
            .map(|e| (e.object.clone(), e.time.as_secs_f64()))
            .collect()
    };
    assert_eq!(reboots(&a), reboots(&b));
    // With a 30 min mean between failures, 3 nodes over 2 h fail a few times.
    assert!(!reboots(&a).is_empty());
}

fn one_pod(annotations: &str, resources: &str) -> String {
    format!(
        r#"
duration: 125s
nodePools: [{{name: n, count: 1, capacity: {{cpu: "4", memory: 4Gi}}}}]
workloads:
  - apiVersion: v1
    kind: Pod
    metadata: {{name: p, annotations: {{{annotations}}}}}
    spec:
      containers: [{{name: app, image: busybox, resources: {resources}}}]
"#
    )
}

/// Start times of the pod's containers and the last terminated state.
fn starts_and_last_exit(report: &crate::sim::RunReport) -> (Vec<f64>, Option<(i32, &'static str)>) {
    let starts = times(report, "default/p", "Started");
    let mut last = None;
    for e in &report.state.pods()[0].status.container_statuses {
        if let crate::model::status::ContainerState::Terminated {
            exit_code, reason, ..
        } = e.state
        {
            last = Some((exit_code, reason));
        }
    }
    (starts, last)
}

#[test]
fn memory_above_the_limit_is_oom_killed_and_crash_loops() {
    // 512Mi used 30 s after each start, limit 256Mi: OOMKilled (137) at 30 s,
    // restarted at once; again at 60 s, restarted after 10 s (70 s); again at
    // 100 s, restarted after 20 s (120 s).
    let report = run(&one_pod(
        "kubesim.io/memory-usage: 512Mi, kubesim.io/memory-usage-after: 30s",
        "{limits: {memory: 256Mi}}",
    ));
    let (starts, _) = starts_and_last_exit(&report);
    assert_eq!(starts, vec![0.0, 30.0, 70.0, 120.0]);
    assert_eq!(times(&report, "default/p", "BackOff"), vec![60.0, 100.0]);
    // Within the limit: never killed.
    let fine = run(&one_pod(
        "kubesim.io/memory-usage: 200Mi",
        "{limits: {memory: 256Mi}}",
    ));
    assert_eq!(starts_and_last_exit(&fine).0, vec![0.0]);
}

#[test]
fn oom_kill_reason_and_exit_code() {
    let report = run(&one_pod(
        "kubesim.io/memory-usage: 1Gi, kubesim.io/memory-usage-after: 100s",
        "{limits: {memory: 256Mi}}",
    ));
    // Killed at 100 s, restarted at once at 100 s, running at the end (125 s).
    assert_eq!(starts_and_last_exit(&report).0, vec![0.0, 100.0]);
    let status = &report.state.pods()[0].status.container_statuses[0];
    assert_eq!(status.restart_count, 1);
    let never = run(&one_pod(
        "kubesim.io/memory-usage: 1Gi, kubesim.io/memory-usage-after: 100s",
        "{limits: {memory: 256Mi}}",
    )
    .replace("containers:", "restartPolicy: Never\n      containers:"));
    assert_eq!(
        starts_and_last_exit(&never).1,
        Some((crate::kubelet::OOM_KILLED_EXIT_CODE, "OOMKilled"))
    );
    assert_eq!(never.state.pods()[0].status.phase.as_str(), "Failed");
}

#[test]
fn declared_crashes_end_a_run_with_exit_code_1() {
    let report = run(&one_pod("kubesim.io/crash-after: 40s", "{}")
        .replace("containers:", "restartPolicy: Never\n      containers:"));
    assert_eq!(starts_and_last_exit(&report).1, Some((1, "Error")));
    assert_eq!(report.state.pods()[0].finished.unwrap().as_secs_f64(), 40.0);
}

#[test]
fn a_cordon_carries_the_unschedulable_taint_until_uncordoned() {
    // doNoScheduleTaintingPass maps spec.unschedulable to
    // node.kubernetes.io/unschedulable:NoSchedule, and removes it again.
    let taints = |duration: &str| {
        let report = run(&cluster(
            duration,
            "  []",
            "actions:\n  - {at: 100s, cordon: {node: n-1}}\n  - {at: 200s, uncordon: {node: n-1}}",
        ));
        let n1 = report
            .state
            .nodes()
            .iter()
            .find(|n| n.metadata.name == "n-1")
            .unwrap();
        (
            n1.unschedulable,
            n1.taints
                .iter()
                .map(|t| format!("{}:{:?}", t.key, t.effect))
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        taints("150s"),
        (
            true,
            vec!["node.kubernetes.io/unschedulable:NoSchedule".to_string()]
        )
    );
    assert_eq!(taints("250s"), (false, vec![]));
}

#[test]
fn drain_cordons_and_evicts_and_the_replacements_go_elsewhere() {
    let report = run(&cluster(
        "300s",
        "  []",
        "actions:\n  - {at: 100s, drain: {node: n-1}}\n  - {at: 200s, uncordon: {node: n-1}}",
    ));
    let state = &report.state;
    let n1 = state
        .nodes()
        .iter()
        .position(|n| n.metadata.name == "n-1")
        .unwrap();
    let drained: Vec<_> = state
        .pods()
        .iter()
        .filter(|p| p.node.map(|n| n.0 as usize) == Some(n1))
        .collect();
    assert!(!drained.is_empty());
    assert!(drained
        .iter()
        .all(|p| p.terminating.map(|t| t.as_secs_f64()) == Some(100.0) && p.deleted.is_some()));
    let replacements = state
        .pods()
        .iter()
        .filter(|p| p.created.as_secs_f64() == 100.0)
        .count();
    assert_eq!(replacements, drained.len());
    assert_eq!(times(&report, "n-1", "NodeNotSchedulable"), vec![100.0]);
    assert_eq!(times(&report, "n-1", "NodeSchedulable"), vec![200.0]);
    assert!(!state.nodes()[n1].unschedulable);
    let errors = super::errors(&cluster(
        "1s",
        "  []",
        "actions: [{at: 1s, cordon: {node: web-9}}]",
    ));
    assert!(
        errors.contains("actions[0].cordon.node: no node named \"web-9\" in this scenario"),
        "{errors}"
    );
}

#[test]
fn zone_eviction_rate_taints_one_node_every_ten_seconds() {
    // Two zones of three nodes; zone a goes down at 100 s. It is fully
    // disrupted while zone b is fine, so the healthy rate of 0.1 node/s
    // applies (`setLimiterInZone`): the unreachable NoExecute taint reaches
    // the three nodes of zone a at 155, 165 and 175 s.
    let yaml = r#"
duration: 400s
nodePools: [{name: n, count: 6, zones: [a, b], capacity: {cpu: "4", memory: 8Gi}}]
faults:
  - {at: 100s, zoneDown: {zone: a}}
"#;
    let report = run(yaml);
    for name in ["n-0", "n-2", "n-4"] {
        assert_eq!(times(&report, name, "NodeNotReady"), vec![155.0]);
    }
    let mut tainted: Vec<f64> = report
        .recorder
        .nodes
        .rows
        .iter()
        .filter(|r| r.view.taints.contains("unreachable:NoExecute"))
        .map(|r| r.time.as_secs_f64())
        .collect();
    tainted.dedup();
    assert_eq!(tainted, vec![155.0, 165.0, 175.0]);
}

#[test]
fn partial_disruption_of_a_small_cluster_stops_eviction() {
    // Four of six nodes of one zone down (67 % > 55 %, more than 2): in a
    // cluster of at most 50 nodes the zone's eviction rate becomes 0
    // (`ReducedQPSFunc`): no NoExecute taint, no eviction.
    let yaml = r#"
duration: 900s
nodePools: [{name: n, count: 6, capacity: {cpu: "4", memory: 8Gi}}]
faults:
  - {at: 100s, nodeDown: {nodes: [n-0, n-1, n-2, n-3]}}
"#;
    let report = run(yaml);
    assert!(report
        .recorder
        .nodes
        .rows
        .iter()
        .all(|r| !r.view.taints.contains("NoExecute")));
    let mut unknown: Vec<u32> = report
        .recorder
        .nodes
        .rows
        .iter()
        .filter(|r| r.time.as_secs_f64() == 155.0 && r.view.condition == "Unknown")
        .map(|r| r.node.0)
        .collect();
    unknown.sort_unstable();
    unknown.dedup();
    assert_eq!(unknown, vec![0, 1, 2, 3]);
    assert!(report.state.pods().iter().all(|p| p.terminating.is_none()));
}

#[test]
fn time_to_recover_runs_until_the_replacements_are_ready() {
    // As in the crash test: replacements are created and Ready at 455 s
    // (no start latency), so the fault at 100 s recovers after 355 s.
    let report = run(&cluster(
        "900s",
        "  - {at: 100s, nodeDown: {node: n-1}}",
        "",
    ));
    let outcome = &report.recorder.recovery.outcomes[0];
    assert_eq!(outcome.workloads.len(), 1);
    assert_eq!(outcome.recovered.map(|t| t.as_secs_f64()), Some(455.0));
    assert_eq!(report.faults[0].start.as_secs_f64(), 100.0);
    // A node back after 200 s recovers when its pods are Ready again (300 s).
    let back = run(&cluster(
        "900s",
        "  - {at: 100s, nodeDown: {node: n-1}, for: 200s}",
        "",
    ));
    assert_eq!(
        back.recorder.recovery.outcomes[0]
            .recovered
            .map(|t| t.as_secs_f64()),
        Some(300.0)
    );
    let summary = |name: &str| {
        back.summary
            .figures
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap()
            .1
            .to_csv()
    };
    assert_eq!(summary("faults"), "1");
    assert_eq!(summary("fault_time_to_recover_max_s"), "200.000000");
}

#[test]
fn backoff_time_and_container_reason_per_pod() {
    // OOM-killed at 30, 60 (10 s backoff), 100 (20 s backoff): 30 s of
    // backoff by the end at 125 s; the container runs again at the end.
    let report = run(&one_pod(
        "kubesim.io/memory-usage: 512Mi, kubesim.io/memory-usage-after: 30s",
        "{limits: {memory: 256Mi}}",
    ));
    let p = &report.state.pods()[0];
    assert_eq!(p.backoff.as_secs_f64(), 30.0);
    assert_eq!(p.status.container_reason(), "");
    let looping = run(&one_pod(
        "kubesim.io/memory-usage: 512Mi, kubesim.io/memory-usage-after: 30s",
        "{limits: {memory: 256Mi}}",
    )
    .replace("duration: 125s", "duration: 110s"));
    assert_eq!(
        looping.state.pods()[0].status.container_reason(),
        "CrashLoopBackOff"
    );
}

fn bundled(name: &str) -> crate::sim::RunReport {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.yaml"));
    let loaded = crate::scenario::decode::load(&path).unwrap_or_else(|d| panic!("{d}"));
    let s = loaded.scenario;
    let options = crate::sim::RunOptions {
        check_invariants: true,
        events: crate::metrics::events::EventsMode::All,
        ..Default::default()
    };
    crate::sim::simulate(&s, s.seed, &options)
}

#[test]
fn node_failure_scenario_shows_the_50_plus_300_second_timeline() {
    // worker-1 stops at 300 s (Lease renewed at 300 s): Unknown at 355 s,
    // evicted at 655 s, replacements Ready a start latency (1-3 s) later.
    let report = bundled("node-failure");
    assert_eq!(times(&report, "worker-1", "NodeNotReady"), vec![355.0]);
    let evictions: Vec<f64> = report
        .recorder
        .events
        .iter()
        .filter(|e| e.reason == "TaintManagerEviction")
        .map(|e| e.time.as_secs_f64())
        .collect();
    assert!(!evictions.is_empty() && evictions.iter().all(|&t| t == 655.0));
    let recovered = report.recorder.recovery.outcomes[0].recovered.unwrap();
    assert!((656.0..=658.0).contains(&recovered.as_secs_f64()));
}

#[test]
fn zone_outage_scenario_taints_a_node_every_ten_seconds_and_recovers() {
    let report = bundled("zone-outage");
    // When each node first got the NoExecute taint.
    let mut first: std::collections::BTreeMap<u32, f64> = Default::default();
    for r in &report.recorder.nodes.rows {
        if r.view.taints.contains("unreachable:NoExecute") {
            first.entry(r.node.0).or_insert(r.time.as_secs_f64());
        }
    }
    let mut tainted: Vec<f64> = first.into_values().collect();
    tainted.sort_by(f64::total_cmp);
    assert_eq!(tainted, vec![355.0, 365.0, 375.0, 385.0]);
    // DaemonSet pods tolerate the taints for ever: none is evicted.
    assert!(
        report
            .recorder
            .events
            .iter()
            .all(|e| e.reason != "TaintManagerEviction"
                || !e.object.starts_with("default/node-agent"))
    );
    assert!(report.recorder.recovery.outcomes[0].recovered.is_some());
    // The zone is back at 20 min: no taint is left.
    assert!(report.state.nodes().iter().all(|n| n.taints.is_empty()));
}

#[test]
fn crash_looping_sidecar_scenario_backs_off_to_five_minutes() {
    let report = bundled("crash-looping-sidecar");
    for p in report.state.pods() {
        // Crashes 20 s after each start; restarts after 0, 10, 20, 40, 80,
        // 160, 300, 300 … s of backoff within the 30 min run.
        assert!(p.status.restarts() >= 9, "{}", p.status.restarts());
        assert!(p.backoff.as_secs_f64() > 1000.0);
    }
}

#[test]
fn slow_registry_scenario_waits_out_the_outage_with_image_backoff() {
    // Scaled to 40 at 600 s with the registry down until 720 s: pulls on
    // nodes without the image fail at 600, 610, 630 and 670 s (backoff 10,
    // 20, 40 s), then succeed at 750 s and take 1.2 GiB / 20 MiB/s = 61.44 s.
    let report = bundled("slow-registry");
    let first_new = report
        .state
        .pods()
        .iter()
        .filter(|p| p.created.as_secs_f64() == 600.0 && p.image_pull.0 > 0)
        .collect::<Vec<_>>();
    assert!(!first_new.is_empty());
    for p in &first_new {
        let object = format!("default/{}", p.pod.metadata.name);
        let pulling = times(&report, &object, "Pulling");
        assert_eq!(pulling, vec![600.0, 610.0, 630.0, 670.0, 750.0]);
    }
    // Pods on nodes that had the image start within their 1-3 s latency.
    assert!(report
        .state
        .pods()
        .iter()
        .filter(|p| p.created.as_secs_f64() == 600.0 && p.image_pull.0 == 0)
        .all(|p| p.started.unwrap().as_secs_f64() <= 603.0));
    // Pulls are left out of the startup latency: its p99 is the start latency.
    let p99 = report
        .summary
        .figures
        .iter()
        .find(|(n, _)| *n == "startup_p99_s")
        .unwrap()
        .1
        .as_f64()
        .unwrap();
    assert!(p99 <= 3.0, "{p99}");
}

#[test]
fn overlapping_faults_each_recover_when_their_own_pods_are_replaced() {
    // n-1 down at 100 s (evicted at 455 s), n-2 at 200 s (evicted at 555 s).
    // The first fault recovers at 455 s: n-2's pods are the second fault's loss.
    let report = run(&cluster(
        "900s",
        "  - {at: 100s, nodeDown: {node: n-1}}\n  - {at: 200s, nodeDown: {node: n-2}}",
        "",
    ));
    let recovered: Vec<Option<f64>> = report
        .recorder
        .recovery
        .outcomes
        .iter()
        .map(|o| o.recovered.map(|t| t.as_secs_f64()))
        .collect();
    assert_eq!(recovered, vec![Some(455.0), Some(555.0)]);
}

#[test]
fn fault_scenarios_are_deterministic() {
    // Random failures, a zone outage and a partition, twice with one seed:
    // the same events, node timeline, faults and pods.
    let yaml = r#"
duration: 1h
seed: 9
nodePools: [{name: n, count: 12, zones: [a, b, c], capacity: {cpu: "8", memory: 32Gi}}]
behaviour:
  - startLatency: uniform(1s, 3s)
faults:
  - randomNodeFailures: {pool: n, mtbf: exponential(2h), mttr: exponential(10m)}
  - {at: 10m, zoneDown: {zone: b}, for: 10m}
  - {at: 30m, networkPartition: {node: n-0}, for: 8m}
workloads:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      replicas: 30
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers: [{name: c, image: "web:1", resources: {requests: {cpu: 500m}}}]
"#;
    let a = run(yaml);
    let b = run(yaml);
    let key = |r: &crate::sim::RunReport| {
        (
            r.recorder
                .events
                .iter()
                .map(|e| format!("{}|{}|{}|{}", e.time, e.object, e.reason, e.message))
                .collect::<Vec<_>>(),
            r.recorder.nodes.rows.clone(),
            r.faults.clone(),
            r.recorder.recovery.outcomes.clone(),
        )
    };
    assert_eq!(key(&a), key(&b));
    assert!(a.faults.len() >= 2);
}

#[test]
fn out_of_service_taint_frees_a_dead_nodes_pods_at_once() {
    // n-1 dies at 100 s (Unknown at 155 s). At 200 s the operator taints it
    // out-of-service: its pods do not tolerate the taint and are evicted at
    // once (replaced at 200 s); the pod GC's next pass on its 20 s period
    // force-deletes them at 220 s, without waiting for the node.
    let report = run(&cluster(
        "400s",
        "  - {at: 100s, nodeDown: {node: n-1}}",
        "actions:\n  - {at: 200s, taint: {node: n-1, taints: [{key: node.kubernetes.io/out-of-service, value: nodeshutdown, effect: NoExecute}]}}",
    ));
    let state = &report.state;
    let n1 = state
        .nodes()
        .iter()
        .position(|n| n.metadata.name == "n-1")
        .unwrap();
    let on_n1: Vec<_> = state
        .pods()
        .iter()
        .filter(|p| p.node.map(|n| n.0 as usize) == Some(n1))
        .collect();
    assert!(!on_n1.is_empty());
    for p in &on_n1 {
        assert_eq!(p.terminating.map(|t| t.as_secs_f64()), Some(200.0));
        assert_eq!(p.deleted.map(|t| t.as_secs_f64()), Some(220.0));
    }
    let replacements = state
        .pods()
        .iter()
        .filter(|p| p.created.as_secs_f64() == 200.0)
        .count();
    assert_eq!(replacements, on_n1.len());
    assert_eq!(report.state.node_usages()[n1].pod_count, 0);
}
