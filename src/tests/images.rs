//! Image pulls end to end: the node cache, serialized pulls, pull policies,
//! failures with the image backoff, and startup latency without pulls.

use super::{events_of, run};

fn cluster(images: &str, pods: &[(&str, &str, &str)]) -> String {
    let mut text = format!(
        r#"
duration: 200s
nodePools: [{{name: n, count: 1, capacity: {{cpu: "8", memory: 8Gi}}}}]
images:
{images}
arrivals:
"#
    );
    for (name, at, spec) in pods {
        text.push_str(&format!(
            r#"  - name: {name}
    process: times
    times: [{at}]
    template:
      apiVersion: v1
      kind: Pod
      spec:
        containers: [{spec}]
"#
        ));
    }
    text
}

fn times(report: &crate::sim::RunReport, pod: &str, reason: &str) -> Vec<f64> {
    events_of(report, &format!("default/{pod}"))
        .into_iter()
        .filter(|e| e.1 == reason)
        .map(|e| e.0)
        .collect()
}

#[test]
fn if_not_present_pulls_once_per_node_and_pulls_are_serialized() {
    // a and b (both at 0) want app:1 (20 s); c wants tool:1 (10 s), queued
    // behind the first pull: done at 30 s. b shares a's pull. d (at 50 s)
    // finds app:1 present.
    let report = run(&cluster(
        "  list: [{image: \"app:1\", pullTime: 20s}, {image: \"tool:1\", pullTime: 10s}]",
        &[
            ("a", "0s", "{name: c, image: \"app:1\"}"),
            ("b", "0s", "{name: c, image: \"app:1\"}"),
            ("c", "0s", "{name: c, image: \"tool:1\"}"),
            ("d", "50s", "{name: c, image: \"app:1\"}"),
        ],
    ));
    assert_eq!(times(&report, "a-0", "Started"), vec![20.0]);
    assert_eq!(times(&report, "b-0", "Started"), vec![20.0]);
    assert_eq!(times(&report, "c-0", "Started"), vec![30.0]);
    assert_eq!(times(&report, "d-0", "Started"), vec![50.0]);
    let d = events_of(&report, "default/d-0");
    assert!(d
        .iter()
        .any(|e| e.1 == "Pulled" && e.2 == "Container image \"app:1\" already present on machine"));
    let c = events_of(&report, "default/c-0");
    assert!(c.iter().any(|e| e.1 == "Pulled"
        && e.2
            .starts_with("Successfully pulled image \"tool:1\" in 10s (30s including waiting)")));
    // SIG Scalability startup latency leaves the pulls out: 0 for every pod.
    let startup_p99 = report
        .summary
        .figures
        .iter()
        .find(|(n, _)| *n == "startup_p99_s")
        .unwrap()
        .1
        .to_csv();
    assert_eq!(startup_p99, "0.000000");
}

#[test]
fn always_pulls_every_time_and_never_does_not_pull() {
    let report = run(&cluster(
        "  pullTime: 5s",
        &[
            ("a", "0s", "{name: c, image: \"app:1\"}"),
            (
                "b",
                "20s",
                "{name: c, image: \"app:1\", imagePullPolicy: Always}",
            ),
            (
                "c",
                "20s",
                "{name: c, image: \"other:1\", imagePullPolicy: Never}",
            ),
        ],
    ));
    assert_eq!(times(&report, "a-0", "Started"), vec![5.0]);
    assert_eq!(times(&report, "b-0", "Started"), vec![25.0]);
    assert_eq!(times(&report, "c-0", "ErrImageNeverPull"), vec![20.0]);
    let c = report
        .state
        .pods()
        .iter()
        .find(|p| p.pod.metadata.name == "c-0")
        .unwrap();
    assert_eq!(c.status.container_reason(), "ErrImageNeverPull");
    assert_eq!(c.status.phase.as_str(), "Pending");
}

#[test]
fn registry_outage_gives_err_image_pull_then_backoff_10_20_s() {
    // Every pull fails until 25 s: tries at 0 and 10 s fail; the next try
    // waits 20 s (30 s) and succeeds, 5 s later the container runs.
    let report = run(&cluster(
        "  pullTime: 5s\n  registryOutages: [{at: 0s, for: 25s}]",
        &[("a", "0s", "{name: c, image: \"app:1\"}")],
    ));
    assert_eq!(times(&report, "a-0", "Pulling"), vec![0.0, 10.0, 30.0]);
    assert_eq!(times(&report, "a-0", "BackOff"), vec![0.0, 10.0]);
    assert_eq!(times(&report, "a-0", "Started"), vec![35.0]);
    let mid = run(&cluster(
        "  pullTime: 5s\n  registryOutages: [{at: 0s, for: 25s}]",
        &[("a", "0s", "{name: c, image: \"app:1\"}")],
    )
    .replace("duration: 200s", "duration: 20s"));
    assert_eq!(
        mid.state.pods()[0].status.container_reason(),
        "ImagePullBackOff"
    );
}

#[test]
fn bad_image_settings_are_rejected() {
    let text = super::errors(
        r#"
images:
  nodeBandwidth: fast
  failProbability: 2
  list: [{image: a, sizes: 1Gi}]
workloads:
  - apiVersion: v1
    kind: Pod
    metadata: {name: p}
    spec:
      containers: [{name: c, image: a, imagePullPolicy: Sometimes}]
"#,
    );
    for expected in [
        "images.nodeBandwidth: expected a positive byte quantity such as 200Mi or 1Gi, found \"fast\"",
        "images.failProbability: expected a probability from 0 to 1, found 2",
        "images.list[0]: unknown field `sizes`",
        "imagePullPolicy",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn watch_latency_delays_scheduling_and_the_kubelet() {
    // The scheduler sees each pod 2 s after its creation, the kubelet each
    // binding 3 s after it: created at 0 and 10 s, bound at 2 and 12 s,
    // running at 5 and 15 s; startup latency (creation to running) is 5 s.
    let report = run(&cluster(
        "  pullTime: 0s",
        &[
            ("a", "0s", "{name: c, image: \"app:1\"}"),
            ("b", "10s", "{name: c, image: \"app:1\"}"),
        ],
    )
    .replace(
        "images:",
        "apiLatency: {schedulerWatch: 2s, kubeletWatch: 3s}\nimages:",
    ));
    let pods = &report.state.pods();
    let t = |o: Option<crate::engine::SimTime>| o.map(|t| t.as_secs_f64());
    assert_eq!(t(pods[0].status.conditions.pod_scheduled), Some(2.0));
    assert_eq!(t(pods[0].started), Some(5.0));
    assert_eq!(t(pods[1].status.conditions.pod_scheduled), Some(12.0));
    assert_eq!(t(pods[1].started), Some(15.0));
    let p50 = report
        .summary
        .figures
        .iter()
        .find(|(n, _)| *n == "startup_p50_s")
        .unwrap()
        .1
        .to_csv();
    assert_eq!(p50, "5.000000");
}
