//! API latency along the pod creation flow: each hop (create, scheduler
//! watch, bind, kubelet watch, the container runtime's start latency, status
//! update) shifts the pod's timeline by exactly its declared delay, and pod
//! startup latency (SIG Scalability: creationTimestamp to all containers
//! running as observed) counts every hop after creation.

use super::{errors, events_of, run};
use crate::metrics::writers;

/// One pod `a-0` created at 10 s whose container starts 1 s after the kubelet asks.
fn one_pod(api_latency: &str) -> String {
    format!(
        r#"
duration: 60s
nodePools: [{{name: n, count: 1, capacity: {{cpu: "8", memory: 8Gi}}}}]
{api_latency}
arrivals:
  - name: a
    process: times
    times: [10s]
    template:
      apiVersion: v1
      kind: Pod
      spec:
        containers: [{{name: c, image: "app:1"}}]
behaviour: [{{container: c, startLatency: 1s}}]
"#
    )
}

/// created_s, scheduled_s, started_s and ready_s of pod `a-0` in pods.csv.
fn pods_csv_times(report: &crate::sim::RunReport) -> [f64; 4] {
    let mut out = Vec::new();
    writers::write_pods(&mut out, &report.state).unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines
        .find(|l| l.starts_with("a-0,"))
        .expect("a row for a-0")
        .split(',')
        .collect();
    let col = |name: &str| {
        let i = header.iter().position(|h| *h == name).unwrap();
        row[i]
            .parse::<f64>()
            .unwrap_or_else(|_| panic!("{name}: {:?}", row[i]))
    };
    [
        col("created_s"),
        col("scheduled_s"),
        col("started_s"),
        col("ready_s"),
    ]
}

fn startup_p50(report: &crate::sim::RunReport) -> String {
    let mut out = Vec::new();
    writers::write_summary(&mut out, &report.summary).unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let i = header.iter().position(|h| *h == "startup_p50_s").unwrap();
    row[i].to_string()
}

#[test]
fn each_hop_shifts_the_timeline_by_its_declared_delay() {
    // Without API latency: created and bound at 10 s, the container starts
    // after its 1 s runtime latency. Each hop then adds its own constant:
    // `create` moves the creationTimestamp (and everything after it);
    // `schedulerWatch` and `bind` move the binding; `kubeletWatch` the
    // kubelet's start; `statusUpdate` only when the start is observed.
    let cases: [(&str, [f64; 4], &str); 7] = [
        ("", [10.0, 10.0, 11.0, 11.0], "1.000000"),
        ("apiLatency: {create: 1s}", [11.0, 11.0, 12.0, 12.0], "1.000000"),
        ("apiLatency: {schedulerWatch: 2s}", [10.0, 12.0, 13.0, 13.0], "3.000000"),
        ("apiLatency: {bind: 3s}", [10.0, 13.0, 14.0, 14.0], "4.000000"),
        ("apiLatency: {kubeletWatch: 4s}", [10.0, 10.0, 15.0, 15.0], "5.000000"),
        ("apiLatency: {statusUpdate: 5s}", [10.0, 10.0, 16.0, 16.0], "6.000000"),
        (
            "apiLatency: {create: 1s, schedulerWatch: 2s, bind: 3s, kubeletWatch: 4s, statusUpdate: 5s}",
            // created 11; bound 11 + 2 + 3 = 16; kubelet at 20, runtime
            // start at 21, observed at 26: startup 26 − 11 = 15 s.
            [11.0, 16.0, 26.0, 26.0],
            "15.000000",
        ),
    ];
    for (latency, expected, p50) in cases {
        let report = run(&one_pod(latency));
        assert_eq!(pods_csv_times(&report), expected, "{latency}");
        assert_eq!(startup_p50(&report), p50, "{latency}");
    }
}

#[test]
fn the_kubelet_acts_at_its_own_time_and_the_status_is_observed_later() {
    // All hops: the scheduler decides at 13 s (create 1 + watch 2 after the
    // request at 10) and its Binding succeeds at 16 s (the Scheduled event);
    // the kubelet starts the container at 16 + 4 + 1 = 21 s (its Started
    // event), observed Running at 26 s.
    let report = run(&one_pod(
        "apiLatency: {create: 1s, schedulerWatch: 2s, bind: 3s, kubeletWatch: 4s, statusUpdate: 5s}",
    ));
    let events = events_of(&report, "default/a-0");
    let at = |reason: &str| {
        events
            .iter()
            .find(|e| e.1 == reason)
            .unwrap_or_else(|| panic!("no {reason} in {events:?}"))
            .0
    };
    assert_eq!(at("Scheduled"), 16.0);
    assert_eq!(at("Started"), 21.0);
}

#[test]
fn declared_zero_latency_changes_nothing() {
    let all_outputs = |yaml: &str| {
        let report = run(yaml);
        let mut out = Vec::new();
        writers::write_pods(&mut out, &report.state).unwrap();
        writers::write_events(&mut out, &report.recorder.events).unwrap();
        writers::write_timeseries(&mut out, &report.recorder.samples).unwrap();
        writers::write_summary(&mut out, &report.summary).unwrap();
        out
    };
    let quickstart = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/quickstart.yaml"
    ))
    .unwrap();
    let zero = format!(
        "{quickstart}\napiLatency: {{create: 0s, schedulerWatch: 0s, bind: 0s, kubeletWatch: 0s, statusUpdate: 0s}}\n"
    );
    let a = all_outputs(&quickstart);
    assert!(a.len() > 10_000);
    assert!(a == all_outputs(&zero), "zero API latency changed the run");
}

#[test]
fn controllers_hear_of_a_completion_once_the_status_write_is_persisted() {
    // A Job of two 5 s completions, one at a time: the controller creates
    // the second pod when it hears the first succeeded — at 5 s, or 5 + 3 s
    // with a 3 s status update.
    let job = |latency: &str| {
        format!(
            r#"duration: 2m
nodePools: [{{name: n, count: 1, capacity: {{cpu: "8", memory: 8Gi}}}}]
{latency}
workloads:
  - apiVersion: batch/v1
    kind: Job
    metadata: {{name: j}}
    spec:
      completions: 2
      parallelism: 1
      template:
        spec:
          restartPolicy: Never
          containers: [{{name: w, image: x}}]
behaviour: [{{container: w, runTime: 5s}}]
"#
        )
    };
    let created = |yaml: &str| -> Vec<f64> {
        let report = run(yaml);
        report
            .state
            .pods()
            .iter()
            .map(|p| p.created.as_secs_f64())
            .collect()
    };
    assert_eq!(created(&job("")), vec![0.0, 5.0]);
    assert_eq!(
        created(&job("apiLatency: {statusUpdate: 3s}")),
        vec![0.0, 8.0]
    );
    // A controller's create request is persisted after `create`: the
    // creationTimestamps move, and no extra pod is made meanwhile.
    assert_eq!(created(&job("apiLatency: {create: 2s}")), vec![2.0, 9.0]);
}

#[test]
fn latency_draws_are_per_pod_and_hop() {
    // A random hop draws the same delays whether or not another hop is declared.
    let sched = |latency: &str| {
        let report = run(&one_pod(latency));
        pods_csv_times(&report)[1] - pods_csv_times(&report)[0]
    };
    let alone = sched("apiLatency: {schedulerWatch: \"uniform(1s, 3s)\"}");
    assert!(alone > 1.0 && alone < 3.0);
    assert_eq!(
        sched(
            "apiLatency: {schedulerWatch: \"uniform(1s, 3s)\", statusUpdate: \"uniform(1s, 9s)\"}"
        ),
        alone
    );
}

#[test]
fn invalid_api_latency_is_rejected_with_its_position() {
    let text = errors(
        "apiLatency:\n  create: -1s\n  bind: soon\n  statusUpdate: uniform(2s)\n  kubletWatch: 1s\n",
    );
    for expected in [
        "test.yaml:2:11: apiLatency.create: \"-1s\" is not a distribution",
        "test.yaml:3:9: apiLatency.bind: \"soon\" is not a distribution",
        "test.yaml:4:17: apiLatency.statusUpdate: \"uniform(2s)\" is not a distribution",
        "test.yaml:5:3: apiLatency: unknown field `kubletWatch`",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn random_hops_keep_committed_scenarios_consistent_and_slow_startup_down() {
    // Rolling updates, node failures, crash loops and preemption with every
    // hop random: the invariants hold after every event, the same pods are
    // made, and startup latency grows by the hops after creation.
    use crate::engine::distribution::Distribution;
    let hops = crate::model::api_latency::ApiLatency {
        create: Some(Distribution::parse("uniform(0s, 2s)").unwrap()),
        scheduler_watch: Some(Distribution::parse("exponential(1s)").unwrap()),
        bind: Some(Distribution::parse("uniform(0s, 3s)").unwrap()),
        kubelet_watch: Some(Distribution::parse("lognormal(1s, 0.5)").unwrap()),
        status_update: Some(Distribution::parse("uniform(0s, 4s)").unwrap()),
    };
    for name in [
        "rolling-update",
        "node-failure",
        "crash-looping-sidecar",
        "priority-preemption",
    ] {
        let path = format!("{}/scenarios/{name}.yaml", env!("CARGO_MANIFEST_DIR"));
        let mut s = crate::scenario::decode::load(std::path::Path::new(&path))
            .unwrap()
            .scenario;
        let options = crate::sim::RunOptions {
            check_invariants: true,
            ..Default::default()
        };
        let before = crate::sim::simulate(&s, s.seed, &options);
        s.api_latency = hops.clone();
        let after = crate::sim::simulate(&s, s.seed, &options);
        assert_eq!(
            after.state.pods().len(),
            before.state.pods().len(),
            "{name}: pods made"
        );
        let p50 = |r: &crate::sim::RunReport| startup_p50(r).parse::<f64>().unwrap();
        assert!(p50(&after) > p50(&before), "{name}: startup p50");
    }
}

#[test]
fn the_startup_slo_scenario_meets_the_slo_with_every_hop_random() {
    let path = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/startup-slo.yaml"
    ));
    let s = crate::scenario::decode::load(path).unwrap().scenario;
    let report = crate::sim::simulate(&s, s.seed, &Default::default());
    let figure = |name: &str| match report.summary.get(name) {
        Some(crate::metrics::summary::Figure::Float(v)) => *v,
        other => panic!("{name}: {other:?}"),
    };
    // The runtime's 1–3 s start plus every hop after creation (each tens of
    // milliseconds): the median above 2 s, the p99 above 3 s and within the 5 s SLO.
    let (p50, p99) = (figure("startup_p50_s"), figure("startup_p99_s"));
    assert!((2.0..2.5).contains(&p50), "{p50}");
    assert!((3.0..5.0).contains(&p99), "{p99}");
}
