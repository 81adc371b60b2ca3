//! `kubectl delete node` (a `delete` action of kind Node): the Node leaves
//! the API, its pods become orphans, and the pod garbage collector
//! (`gc_controller.go` v1.32: `gcCheckPeriod` 20 s, `quarantineTime` 40 s)
//! marks them Failed with DisruptionTarget and deletes them at the first
//! pass after their node's quarantine; their controllers replace them.

use super::controllers::pods_of_app;
use super::{errors, events_of, run};
use crate::controllers::pod_gc::DELETION_BY_POD_GC;
use crate::engine::SimTime;
use crate::model::{NodeId, PodPhase};
use crate::sim::RunReport;

/// Three nodes, a Deployment of three replicas (one per node: spreading),
/// a DaemonSet, and `actions`.
fn cluster(actions: &str) -> RunReport {
    cluster_for("5m", actions)
}

fn cluster_for(duration: &str, actions: &str) -> RunReport {
    run(&format!(
        r#"duration: {duration}
sampleInterval: 10s
nodePools: [{{name: n, count: 3, capacity: {{cpu: '4', memory: 8Gi}}, labels: {{tier: x}}}}]
workloads:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {{name: web}}
    spec:
      replicas: 3
      selector: {{matchLabels: {{app: web}}}}
      template:
        metadata: {{labels: {{app: web}}}}
        spec: {{containers: [{{name: c, image: x, resources: {{requests: {{cpu: '1'}}}}}}]}}
  - apiVersion: apps/v1
    kind: DaemonSet
    metadata: {{name: agent}}
    spec:
      selector: {{matchLabels: {{app: agent}}}}
      template:
        metadata: {{labels: {{app: agent}}}}
        spec: {{containers: [{{name: c, image: x}}]}}
actions:
{actions}
"#
    ))
}

fn node(r: &RunReport, name: &str) -> NodeId {
    NodeId(
        r.state
            .nodes()
            .iter()
            .position(|n| n.name() == name)
            .unwrap() as u32,
    )
}

/// The pods of `app` that were bound to `node`.
fn on_node<'r>(r: &'r RunReport, app: &str, node: NodeId) -> Vec<&'r crate::model::PodEntry> {
    (pods_of_app(r, app).into_iter())
        .filter(|p| p.node == Some(node))
        .collect()
}

#[test]
fn orphaned_pods_are_failed_and_deleted_after_the_quarantine_and_replaced() {
    let r = cluster("  - {at: 30s, delete: {kind: Node, name: n-0}}");
    let n0 = node(&r, "n-0");
    assert_eq!(r.state.node_deleted(n0), Some(SimTime::from_secs(30)));
    // Deleted at 30 s: the pass at 40 s quarantines n-0 until 80 s; the pass
    // at 80 s deletes its pods.
    let gone = SimTime::from_secs(80);
    let web = on_node(&r, "web", n0);
    let agent = on_node(&r, "agent", n0);
    assert_eq!((web.len(), agent.len()), (1, 1));
    for p in web.iter().chain(&agent) {
        assert_eq!(p.deleted, Some(gone), "{}", p.pod.metadata.name);
        // Running until then (the kubelet keeps it), then marked Failed.
        assert_eq!(p.finished, Some(gone));
        assert_eq!(p.status.phase, PodPhase::Failed);
        assert_eq!(
            p.status.conditions.disruption_target,
            Some((gone, DELETION_BY_POD_GC))
        );
    }
    // The Deployment's replacement runs on another node; the DaemonSet's
    // pod is not replaced (it runs on the nodes that exist).
    let web_live: Vec<_> = (pods_of_app(&r, "web").into_iter())
        .filter(|p| p.deleted.is_none())
        .collect();
    assert_eq!(web_live.len(), 3);
    let replacement = web_live.iter().find(|p| p.created >= gone).unwrap();
    assert_ne!(replacement.node, Some(n0));
    assert_eq!(replacement.status.phase, PodPhase::Running);
    let agents_live = (pods_of_app(&r, "agent").into_iter())
        .filter(|p| p.deleted.is_none())
        .count();
    assert_eq!(agents_live, 2);
    // Nothing is bound to n-0 once it is deleted.
    assert!(pods_of_app(&r, "web")
        .iter()
        .all(|p| p.node != Some(n0) || p.created < SimTime::from_secs(30)));
    // nodes.csv says so; the sampled count of Ready nodes drops.
    let last_n0 = r
        .recorder
        .nodes
        .rows
        .iter()
        .rev()
        .find(|row| row.node == n0)
        .unwrap();
    assert_eq!(last_n0.view.condition, "Deleted");
    let ready_at = |t: u64| {
        (r.recorder.samples.iter())
            .find(|s| s.time == SimTime::from_secs(t))
            .unwrap()
            .nodes_ready
    };
    // (The sample at 30 s is taken after the action at 30 s.)
    assert_eq!((ready_at(20), ready_at(30)), (3, 2));
    assert_eq!(r.state.allocatable_total().cpu_millis, 8_000);
}

#[test]
fn a_node_deleted_on_a_pass_waits_for_the_next_one() {
    // At 40 s exactly: the node is seen at the pass after, 60 s; deleted
    // from 100 s. A selector names it as `kubectl delete nodes -l` would.
    let r = cluster(
        "  - {at: 40s, cordon: {node: n-1}}\n  - {at: 40s, delete: {kind: Node, selector: 'tier=x,kubernetes.io/hostname=n-1'}}",
    );
    let n1 = node(&r, "n-1");
    assert_eq!(r.state.node_deleted(n1), Some(SimTime::from_secs(40)));
    for p in on_node(&r, "web", n1)
        .iter()
        .chain(&on_node(&r, "agent", n1))
    {
        assert_eq!(p.deleted, Some(SimTime::from_secs(100)));
    }
}

#[test]
fn deleting_a_node_that_is_gone_warns_and_actions_on_it_do_nothing() {
    let r = cluster(
        "  - {at: 10s, delete: {kind: Node, name: n-2}}\n  - {at: 20s, delete: {kind: Node, name: n-2}}\n  - {at: 30s, taint: {node: n-2, taints: [{key: k, effect: NoSchedule}]}}",
    );
    let n2 = node(&r, "n-2");
    assert_eq!(r.state.node_deleted(n2), Some(SimTime::from_secs(10)));
    let warned = events_of(&r, "n-2");
    assert!(
        warned.iter().any(|(t, reason, m)| *t == 20.0
            && reason == "NotFound"
            && m == "Error from server (NotFound): nodes \"n-2\" not found"),
        "{warned:?}"
    );
    assert!(r.state.node(n2).taints.iter().all(|t| t.key != "k"));
}

#[test]
fn a_delete_naming_no_node_of_the_scenario_is_an_error() {
    let e = errors(
        "nodePools: [{name: n, count: 1, capacity: {cpu: '1', memory: 1Gi}}]\nactions:\n  - {at: 1s, delete: {kind: Node, name: m-0}}\n",
    );
    assert_eq!(
        e,
        "test.yaml:3:22: actions[0].delete: no node named \"m-0\" in this scenario"
    );
}

#[test]
fn a_daemonset_pod_waiting_for_a_deleted_node_is_deleted_by_its_controller() {
    // n-0 is full, so the DaemonSet's pod for it stays Pending; once n-0 is
    // deleted the DaemonSet controller deletes that pod
    // (`getUnscheduledPodsWithoutNode`) and creates none in its place.
    let r = run(r#"duration: 2m
nodePools: [{name: n, count: 2, capacity: {cpu: '1', memory: 1Gi}}]
workloads:
  - apiVersion: v1
    kind: Pod
    metadata: {name: hog}
    spec: {nodeName: n-0, containers: [{name: c, image: x, resources: {requests: {cpu: '1'}}}]}
  - apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: agent}
    spec:
      selector: {matchLabels: {app: agent}}
      template:
        metadata: {labels: {app: agent}}
        spec: {containers: [{name: c, image: x, resources: {requests: {cpu: 500m}}}]}
actions:
  - {at: 30s, delete: {kind: Node, name: n-0}}
"#);
    let agents = pods_of_app(&r, "agent");
    assert_eq!(agents.len(), 2, "no pod is made for the deleted node");
    let waiting = agents.iter().find(|p| p.node.is_none()).unwrap();
    assert_eq!(waiting.status.phase, PodPhase::Pending);
    let deleted = waiting
        .deleted
        .expect("deleted by the DaemonSet controller");
    assert!(
        deleted >= SimTime::from_secs(30) && deleted < SimTime::from_secs(40),
        "{deleted:?}"
    );
    // The hog, bound to n-0, is the pod GC's: deleted at 80 s.
    let hog = r
        .state
        .pods()
        .iter()
        .find(|p| p.pod.metadata.name == "hog")
        .unwrap();
    assert_eq!(hog.deleted, Some(SimTime::from_secs(80)));
}

#[test]
fn a_dead_node_deleted_before_its_pods_are_evicted() {
    // n-0 goes down at 10 s; it is Unknown and tainted unreachable about
    // 50 s later, which schedules its pods' evictions at 300 s; the
    // operator deletes it at 100 s, and the pod GC deletes its pods at
    // 160 s (pass at 120 s, quarantine to 160 s), well before.
    let r = cluster_for(
        "10m",
        "  - {at: 100s, delete: {kind: Node, name: n-0}}\nfaults:\n  - {at: 10s, nodeDown: {node: n-0}}",
    );
    let n0 = node(&r, "n-0");
    for p in on_node(&r, "web", n0)
        .iter()
        .chain(&on_node(&r, "agent", n0))
    {
        assert_eq!(
            p.deleted,
            Some(SimTime::from_secs(160)),
            "{}",
            p.pod.metadata.name
        );
        assert_eq!(p.status.phase, PodPhase::Failed);
    }
    // No taint-based eviction was left to fire on a deleted pod (they were
    // due at about 350 s, within the run).
    assert!(!r
        .recorder
        .events
        .iter()
        .any(|e| e.reason == "TaintManagerEviction"));
    let live = (pods_of_app(&r, "web").into_iter())
        .filter(|p| p.deleted.is_none() && p.status.phase == PodPhase::Running)
        .count();
    assert_eq!(live, 3);
    // Without the deletion, the eviction does come.
    let kept = cluster_for(
        "10m",
        "  - {at: 100s, cordon: {node: n-1}}\nfaults:\n  - {at: 10s, nodeDown: {node: n-0}}",
    );
    assert!(kept
        .recorder
        .events
        .iter()
        .any(|e| e.reason == "TaintManagerEviction"));
}
