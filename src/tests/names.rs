//! Object names are unique where Kubernetes requires it, checked at load:
//! each clash is reported once, at the field that introduces it.

use super::errors;

const POD: &str = "{containers: [{name: c, image: x}]}";

#[test]
fn an_arrival_whose_pods_would_take_a_manifest_pods_name_is_rejected_at_its_name() {
    // Arrival `web` names its pods web-0, web-1, …: the manifest Pod web-0
    // would be there twice (two rows of pods.csv for default/web-0).
    let e = errors(&format!(
        r#"nodePools: [{{name: n, count: 1, capacity: {{cpu: '4', memory: 8Gi}}}}]
workloads:
  - {{apiVersion: v1, kind: Pod, metadata: {{name: web-0}}, spec: {POD}}}
arrivals:
  - name: web
    process: times
    times: [1s, 2s]
    template: {{apiVersion: v1, kind: Pod, spec: {POD}}}
"#
    ));
    assert_eq!(
        e,
        "test.yaml:5:11: arrivals[0].name: arrival \"web\" would create pod default/web-0, \
         already the name of the Pod at test.yaml:3:50; pod names must be unique: rename the \
         arrival or the Pod"
    );
}

#[test]
fn arrival_names_that_cannot_clash_are_accepted() {
    // web-10 is beyond the arrival's two pods, web-01 is not a name it
    // gives, and web-0 in another namespace is another object.
    super::scenario(&format!(
        r#"nodePools: [{{name: n, count: 1, capacity: {{cpu: '4', memory: 8Gi}}}}]
workloads:
  - {{apiVersion: v1, kind: Pod, metadata: {{name: web-10}}, spec: {POD}}}
  - {{apiVersion: v1, kind: Pod, metadata: {{name: web-01}}, spec: {POD}}}
  - {{apiVersion: v1, kind: Pod, metadata: {{name: web-0, namespace: other}}, spec: {POD}}}
arrivals:
  - name: web
    process: times
    times: [1s, 2s]
    template: {{apiVersion: v1, kind: Pod, spec: {POD}}}
"#
    ));
}

#[test]
fn duplicate_pods_and_arrivals_are_reported_at_the_later_name() {
    let e = errors(&format!(
        r#"nodePools: [{{name: n, count: 1, capacity: {{cpu: '4', memory: 8Gi}}}}]
workloads:
  - {{apiVersion: v1, kind: Pod, metadata: {{name: a}}, spec: {POD}}}
  - {{apiVersion: v1, kind: Pod, metadata: {{name: a}}, spec: {POD}}}
arrivals:
  - {{name: b, process: constant, interval: 1s, count: 2, template: {{apiVersion: v1, kind: Pod, spec: {POD}}}}}
  - {{name: b, process: constant, interval: 1s, count: 2, template: {{apiVersion: v1, kind: Pod, spec: {POD}}}}}
"#
    ));
    assert_eq!(
        e,
        "test.yaml:4:50: workloads[1].metadata.name: pod name default/a already taken (named at \
         test.yaml:3:50); pod names must be unique\n\
         test.yaml:7:12: arrivals[1].name: arrival name \"b\" already taken (named at \
         test.yaml:6:12); the pods of both would be named b-0, b-1, …"
    );
}

#[test]
fn duplicate_node_names_are_reported_once_at_the_pool_or_node_that_takes_them() {
    // The second pool `a` takes a-0, a-1 and a-2 again: one error at its
    // name, not three at the top of the file. The Node a-1 is another.
    let e = errors(
        r#"nodePools:
  - {name: a, count: 3, capacity: {cpu: '4', memory: 8Gi}}
  - {name: a, count: 3, capacity: {cpu: '4', memory: 8Gi}}
nodes:
  - {apiVersion: v1, kind: Node, metadata: {name: a-1}, status: {capacity: {cpu: '4', memory: 8Gi}}}
"#,
    );
    assert_eq!(
        e,
        "test.yaml:3:12: nodePools[1].name: node name \"a-0\" and 2 more of its nodes' names \
         already taken (named at test.yaml:2:12); node names must be unique\n\
         test.yaml:5:51: nodes[0].metadata.name: node name \"a-1\" already taken (named at \
         test.yaml:2:12); node names must be unique"
    );
}

#[test]
fn a_pool_name_must_make_valid_node_names() {
    // Nodes are named `<pool>-<index>`: an upper-case name, or one so long
    // that the last node's name passes 253 characters, makes invalid node
    // names (upstream `ValidateNodeName`).
    let long = "a".repeat(251);
    for (name, count) in [("General", 1), (long.as_str(), 100)] {
        let e = errors(&format!(
            "nodePools: [{{name: {name}, count: {count}, capacity: {{cpu: '4', memory: 8Gi}}}}]\n"
        ));
        assert!(
            e.starts_with(
                "test.yaml:1:20: nodePools[0].name: expected a name that makes valid node names"
            ),
            "{e}"
        );
    }
    // 247 characters and nodes up to index 99: the last is 250 characters long.
    super::scenario(&format!(
        "nodePools: [{{name: {}, count: 100, capacity: {{cpu: '4', memory: 8Gi}}}}]\n",
        "a".repeat(247)
    ));
}
