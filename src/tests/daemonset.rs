//! DaemonSets end to end: where their pods run, rolling updates, burst
//! limits, and what happens to their pods when a node is tainted or fails.

use super::controllers::{bursts, pods_of_app, workload};
use super::run;
use crate::sim::RunReport;

#[test]
fn daemonset_runs_on_every_eligible_node_including_new_ones() {
    let report = run(r#"duration: 10m
nodePools:
  - {name: a, count: 2, capacity: {cpu: '4', memory: 8Gi}}
  - {name: gpu, count: 1, capacity: {cpu: '4', memory: 8Gi}, taints: [{key: dedicated, value: gpu, effect: NoSchedule}]}
workloads:
  - apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: agent}
    spec:
      selector: {matchLabels: {app: agent}}
      template:
        metadata: {labels: {app: agent}}
        spec: {containers: [{name: c, image: x}]}
actions:
  - {at: 2m, addNodes: {pool: a, count: 2}}
"#);
    let mut nodes: Vec<String> = pods_of_app(&report, "agent")
        .iter()
        .map(|p| report.state.node(p.node.expect("bound")).name().to_string())
        .collect();
    nodes.sort();
    assert_eq!(nodes, vec!["a-0", "a-1", "a-2", "a-3"]);
    let ds = workload(&report, "DaemonSet", "agent");
    assert_eq!((ds.status.desired, ds.status.available), (4, 4));
}

#[test]
fn daemonset_rolling_update_with_max_surge_keeps_every_node_served() {
    let report = run(r#"duration: 5m
sampleInterval: 1s
nodePools: [{name: a, count: 3, capacity: {cpu: '4', memory: 8Gi}}]
workloads:
  - apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: agent}
    spec:
      selector: {matchLabels: {app: agent}}
      updateStrategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
      template:
        metadata: {labels: {app: agent}}
        spec: {containers: [{name: c, image: 'agent:1'}]}
behaviour: [{container: c, startLatency: 5s, stopTime: 3s}]
actions:
  - {at: 60s, setImage: {kind: DaemonSet, name: agent, container: c, image: 'agent:2'}}
"#);
    // Once the first pods run (5 s), every node always has an available pod:
    // the new one starts beside the old, which goes only when the new is available.
    for s in report
        .recorder
        .workload_samples
        .iter()
        .filter(|s| s.time.as_secs_f64() >= 10.0)
    {
        assert_eq!(s.available, 3, "at {}", s.time);
    }
    let ds = workload(&report, "DaemonSet", "agent");
    assert_eq!((ds.status.updated, ds.status.available), (3, 3));
    let new_pods = pods_of_app(&report, "agent")
        .into_iter()
        .filter(|p| p.pod.spec.containers[0].image == "agent:2")
        .count();
    assert_eq!(new_pods, 3);
}

#[test]
fn daemonset_creates_at_most_250_pods_per_sync() {
    // BurstReplicas = 250 (daemon_controller.go): 300 eligible nodes get
    // their pods 250 at the first sync (1 s) and 50 at the next (2 s).
    let report = run(r#"duration: 5s
nodePools: [{name: n, count: 300, capacity: {cpu: '4', memory: 8Gi}}]
controllerManager: {reconcileLatency: 1s}
workloads:
  - apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: agent}
    spec:
      selector: {matchLabels: {app: agent}}
      template:
        metadata: {labels: {app: agent}}
        spec: {containers: [{name: c, image: x}]}
"#);
    assert_eq!(
        bursts(&report, "default/agent", "SuccessfulCreate"),
        [(1.0, 250), (2.0, 50)]
    );
    assert_eq!(workload(&report, "DaemonSet", "agent").status.desired, 300);
}

/// A DaemonSet on two nodes; `actions` and `faults` happen to node a-1.
fn daemonset_with(events: &str) -> RunReport {
    run(&format!(
        r#"duration: 20m
nodePools: [{{name: a, count: 2, capacity: {{cpu: '4', memory: 8Gi}}}}]
workloads:
  - apiVersion: apps/v1
    kind: DaemonSet
    metadata: {{name: agent}}
    spec:
      selector: {{matchLabels: {{app: agent}}}}
      template:
        metadata: {{labels: {{app: agent}}}}
        spec: {{containers: [{{name: c, image: x}}]}}
{events}
"#
    ))
}

#[test]
fn a_daemonset_pod_survives_a_no_schedule_taint_on_its_node() {
    // NodeShouldRunDaemonPod: the NoSchedule taint makes shouldRun false
    // but shouldContinueRunning true, so the pod is kept and none is added.
    let report = daemonset_with(
        "actions: [{at: 2m, taint: {node: a-1, taints: [{key: maintenance, effect: NoSchedule}]}}]",
    );
    let on_a1 = agent_pods_on(&report, "a-1");
    assert_eq!(on_a1.len(), 1, "{on_a1:?}");
    assert!(!on_a1[0].1, "deleted: {on_a1:?}");
    let ds = workload(&report, "DaemonSet", "agent");
    // desiredNumberScheduled and currentNumberScheduled count only the
    // nodes that should run a pod; the kept one is numberMisscheduled.
    assert_eq!((ds.status.desired, ds.status.replicas), (1, 1));
}

#[test]
fn a_daemonset_pod_is_deleted_for_a_no_execute_taint_it_does_not_tolerate() {
    let report = daemonset_with(
        "actions: [{at: 2m, taint: {node: a-1, taints: [{key: maintenance, effect: NoExecute}]}}]",
    );
    let on_a1 = agent_pods_on(&report, "a-1");
    assert_eq!(on_a1.len(), 1, "{on_a1:?}");
    assert!(on_a1[0].1, "not deleted: {on_a1:?}");
}

#[test]
fn a_daemonset_pod_keeps_running_through_its_nodes_failure() {
    // The node is Unknown from about 55 s after the failure and gets the
    // unreachable NoExecute and NoSchedule taints; the daemon pod tolerates
    // the NoExecute one for ever, so the controller keeps it (it creates
    // none there while the NoSchedule taint is on) and the same pod runs
    // again once the node is back.
    let report = daemonset_with("faults: [{at: 2m, nodeDown: {node: a-1}, for: 10m}]");
    let on_a1 = agent_pods_on(&report, "a-1");
    assert_eq!(on_a1.len(), 1, "{on_a1:?}");
    assert!(!on_a1[0].1, "deleted: {on_a1:?}");
    let ds = workload(&report, "DaemonSet", "agent");
    assert_eq!((ds.status.desired, ds.status.available), (2, 2));
}

/// The names of the agent pods ever created on a node, in creation order.
fn agent_pods_on(report: &RunReport, node: &str) -> Vec<(String, bool)> {
    pods_of_app(report, "agent")
        .iter()
        .filter(|p| p.node.is_some_and(|n| report.state.node(n).name() == node))
        .map(|p| (p.pod.metadata.name.clone(), p.deleted.is_some()))
        .collect()
}
