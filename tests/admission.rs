//! The kubelet admits every pod it receives: a scheduler profile without
//! NodeResourcesFit's filter binds a pod that does not fit, and the node's
//! kubelet fails it with `OutOfcpu` (`pkg/kubelet/lifecycle/predicate.go`)
//! instead of the run stopping.

mod common;

use common::kubesim;

const SCENARIO: &str = r#"name: no-fit-filter
seed: 1
duration: 1m
nodePools:
  - {name: n, count: 1, capacity: {cpu: "1", memory: 4Gi}}
scheduler:
  profiles:
    - schedulerName: default-scheduler
      plugins:
        filter:
          disabled: [{name: NodeResourcesFit}]
workloads:
  - apiVersion: v1
    kind: Pod
    metadata: {name: first}
    spec:
      containers: [{name: c, image: busybox, resources: {requests: {cpu: 800m}}}]
  - apiVersion: v1
    kind: Pod
    metadata: {name: second}
    spec:
      containers: [{name: c, image: busybox, resources: {requests: {cpu: 800m}}}]
"#;

#[test]
fn a_pod_bound_without_the_fit_filter_fails_kubelet_admission() {
    let dir = common::Scratch::new("admission-no-fit");
    let scenario = dir.join("s.yaml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let out = dir.join("out");
    let o = kubesim(&[
        "run",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let pods = std::fs::read_to_string(out.join("pods.csv")).unwrap();
    let header: Vec<&str> = pods.lines().next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let row = |pod: &str| -> Vec<String> {
        let line = pods
            .lines()
            .find(|l| l.split(',').next() == Some(pod))
            .unwrap_or_else(|| panic!("{pod} in pods.csv:\n{pods}"));
        line.split(',').map(str::to_string).collect()
    };
    let (first, second) = (row("first"), row("second"));
    assert_eq!(first[col("phase")], "Running");
    // Bound by the scheduler (so on the node, as upstream's nodeName), then refused.
    assert_eq!(second[col("node")], "n-0");
    assert_eq!(
        (
            second[col("phase")].as_str(),
            second[col("reason")].as_str()
        ),
        ("Failed", "OutOfcpu")
    );
    let events = std::fs::read_to_string(out.join("events.csv")).unwrap();
    assert!(
        events.contains(
            "default/second,OutOfcpu,\"Node didn't have enough resource: cpu, requested: 800, \
             used: 800, capacity: 1000\""
        ),
        "{events}"
    );
}
