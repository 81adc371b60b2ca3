//! The kubelet's admission of the pods it receives (`pkg/kubelet/lifecycle/
//! predicate.go`, v1.32): the first failing GeneralPredicate becomes the
//! pod's reason, `Predicate <name> failed: <why>` its event.

use super::{events_of, pod_outcomes, run};

const POD: &str = "apiVersion: v1\n    kind: Pod";

#[test]
fn node_name_onto_a_node_failing_affinity_or_a_no_execute_taint_is_refused() {
    let report = run(&format!(
        r#"
nodePools:
  - {{name: plain, count: 1, capacity: {{cpu: "4", memory: 4Gi}}}}
  - {{name: tainted, count: 1, capacity: {{cpu: "4", memory: 4Gi}},
     taints: [{{key: maintenance, value: "yes", effect: NoExecute}}, {{key: soft, effect: NoSchedule}}]}}
workloads:
  - {POD}
    metadata: {{name: wrong-selector}}
    spec:
      nodeName: plain-0
      nodeSelector: {{disk: ssd}}
      containers: [{{name: c, image: busybox}}]
  - {POD}
    metadata: {{name: untolerated}}
    spec:
      nodeName: tainted-0
      containers: [{{name: c, image: busybox}}]
  - {POD}
    metadata: {{name: tolerated}}
    spec:
      nodeName: tainted-0
      tolerations: [{{key: maintenance, operator: Exists, effect: NoExecute}}]
      containers: [{{name: c, image: busybox}}]
"#
    ));
    let outcomes = pod_outcomes(&report);
    let outcome = |i: usize| (outcomes[i].2.as_str(), outcomes[i].3.as_str());
    assert_eq!(outcome(0), ("Failed", "NodeAffinity"));
    assert_eq!(
        events_of(&report, "default/wrong-selector")[0].2,
        "Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector"
    );
    assert_eq!(outcome(1), ("Failed", "TaintToleration"));
    assert_eq!(
        events_of(&report, "default/untolerated")[0].2,
        "Predicate TaintToleration failed: node(s) had taints that the pod didn't tolerate"
    );
    // The kubelet looks at NoExecute taints only: NoSchedule is the scheduler's.
    assert_eq!(outcome(2).0, "Running");
}

/// A snapshot (`kubectl get pods -o yaml`) of a node whose allocatable has
/// shrunk under its running pods: 1.6 cpus of pods on a 1-cpu node.
const OVERCOMMITTED_SNAPSHOT: &str = r#"
nodePools:
  - {name: small, count: 1, capacity: {cpu: "1", memory: 4Gi}}
  - {name: other, count: 1, capacity: {cpu: "1", memory: 4Gi}}
workloads:
  - apiVersion: v1
    kind: List
    items:
      - apiVersion: v1
        kind: Pod
        metadata: {name: a, uid: 1f0c}
        spec: {nodeName: small-0, containers: [{name: c, image: busybox, resources: {requests: {cpu: 800m}}}]}
        status: {phase: Running, startTime: "2024-01-01T00:00:00Z"}
      - apiVersion: v1
        kind: Pod
        metadata: {name: b}
        spec: {nodeName: small-0, containers: [{name: c, image: busybox, resources: {requests: {cpu: 800m}}}]}
        status: {phase: Running}
      - apiVersion: v1
        kind: Pod
        metadata: {name: late}
        spec: {nodeName: small-0, containers: [{name: c, image: busybox, resources: {requests: {cpu: 100m}}}]}
        status: {phase: Pending}
  - apiVersion: v1
    kind: Pod
    metadata: {name: new}
    spec: {containers: [{name: c, image: busybox, resources: {requests: {cpu: 100m}}}]}
"#;

#[test]
fn a_snapshot_over_its_nodes_allocatable_loads_and_keeps_its_running_pods() {
    let report = run(OVERCOMMITTED_SNAPSHOT);
    let outcomes = pod_outcomes(&report);
    let outcome = |i: usize| (outcomes[i].1.as_str(), outcomes[i].2.as_str());
    assert_eq!(outcome(0), ("small-0", "Running"));
    assert_eq!(outcome(1), ("small-0", "Running"));
    // A pod that was not yet running there is admitted now, and refused.
    assert_eq!(
        (outcomes[2].2.as_str(), outcomes[2].3.as_str()),
        ("Failed", "OutOfcpu")
    );
    // LeastAllocated scores the over-committed node's cpu 0 (capacity 1000m
    // < 1700m requested with the pod), the empty one (1000 − 100) · 100 / 1000 = 90.
    assert_eq!(outcome(3), ("other-0", "Running"));
    let mut csv = Vec::new();
    crate::metrics::nodes::write_nodes(&mut csv, &report.recorder.nodes.rows, &report.state)
        .unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.lines().any(|l| l.starts_with("0,small-0,")
            && l.contains(",1600,")
            && l.contains(",1.600000,")),
        "{csv}"
    );
}

/// NodeResourcesFit's `ignoredResourceGroups` (and `ignoredResources`): the
/// Filter skips those extended resources, for cluster-level resources no
/// node advertises; the kubelet then admits the pod, as it drops requests
/// for extended resources its node does not have.
#[test]
fn ignored_extended_resources_are_not_filtered_and_the_kubelet_admits_them() {
    let scenario = |args: &str| {
        format!(
            r#"
nodePools: [{{name: n, count: 1, capacity: {{cpu: "1", memory: 1Gi}}}}]
scheduler:
  profiles:
    - schedulerName: default-scheduler
      pluginConfig: [{{name: NodeResourcesFit, args: {args}}}]
workloads:
  - {POD}
    metadata: {{name: licensed}}
    spec:
      containers: [{{name: c, image: busybox, resources: {{limits: {{example.com/license: 1}}}}}}]
"#
        )
    };
    for args in [
        "{ignoredResourceGroups: [example.com]}",
        "{ignoredResources: [example.com/license]}",
    ] {
        let report = run(&scenario(args));
        let outcomes = pod_outcomes(&report);
        assert_eq!(
            (outcomes[0].1.as_str(), outcomes[0].2.as_str()),
            ("n-0", "Running"),
            "{args}"
        );
    }
    // Without the args the pod cannot be scheduled.
    let report = run(&scenario("{}"));
    assert_eq!(pod_outcomes(&report)[0].2, "Pending");
}
