//! The scheduler end to end: placement, FailedScheduling messages, requeueing.

use super::{errors, events_of, pod_outcomes, run, scenario};

const POD: &str = "apiVersion: v1\n    kind: Pod";

#[test]
fn failed_scheduling_message_follows_upstream_form() {
    let report = run(&format!(
        r#"
duration: 10s
nodePools:
  - {{name: small, count: 42, capacity: {{cpu: "1", memory: 4Gi}}}}
  - name: gpu
    count: 8
    capacity: {{cpu: "64", memory: 256Gi}}
    taints: [{{key: dedicated, value: gpu, effect: NoSchedule}}]
workloads:
  - {POD}
    metadata: {{name: big}}
    spec:
      containers: [{{name: c, image: busybox, resources: {{requests: {{cpu: "2"}}}}}}]
"#
    ));
    let events = events_of(&report, "default/big");
    assert_eq!(events[0].1, "FailedScheduling");
    assert_eq!(
        events[0].2,
        // DefaultPreemption's PostFilter appends its own diagnosis: tainted nodes are
        // UnschedulableAndUnresolvable, the others have no lower-priority pods.
        "0/50 nodes are available: 42 Insufficient cpu, 8 node(s) had untolerated taint {dedicated: gpu}. \
         preemption: 0/50 nodes are available: 42 No preemption victims found for incoming pod, \
         8 Preemption is not helpful for scheduling."
    );
    let outcome = &pod_outcomes(&report)[0];
    assert_eq!(
        (outcome.2.as_str(), outcome.3.as_str()),
        ("Pending", "Unschedulable")
    );
}

#[test]
fn unschedulable_pod_is_retried_by_the_five_minute_flush() {
    // Nothing ever frees room, so only flushUnschedulablePodsLeftover retries
    // it: ticks every 30 s move pods unschedulable for more than 5 min. Failed
    // at 0 → first tick past 300 s is 330 → fails again → 660 → 990.
    let report = run(&format!(
        r#"
duration: 1000s
nodePools: [{{name: n, count: 1, capacity: {{cpu: "1", memory: 1Gi}}}}]
workloads:
  - {POD}
    metadata: {{name: big}}
    spec:
      containers: [{{name: c, image: busybox, resources: {{requests: {{cpu: "2"}}}}}}]
"#
    ));
    let times: Vec<f64> = events_of(&report, "default/big")
        .iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(times, vec![0.0, 330.0, 660.0, 990.0]);
    assert_eq!(report.state.pods()[0].scheduling_attempts, 4);
}

/// As the API records it (`--events api`, the default of `kubesim run`):
/// the four identical FailedScheduling occurrences above are one Event with
/// count 4, first seen at 0 and last at 990 (client-go's eventLogger).
#[test]
fn a_pod_that_waits_long_has_one_failed_scheduling_event_with_a_count() {
    let s = scenario(&format!(
        r#"
duration: 1000s
nodePools: [{{name: n, count: 1, capacity: {{cpu: "1", memory: 1Gi}}}}]
workloads:
  - {POD}
    metadata: {{name: big}}
    spec:
      containers: [{{name: c, image: busybox, resources: {{requests: {{cpu: "2"}}}}}}]
"#
    ));
    let report = crate::sim::simulate(&s, s.seed, &crate::sim::RunOptions::default());
    let rows: Vec<(String, u32, f64, f64)> = (report.recorder.events.iter())
        .filter(|e| e.object == "default/big")
        .map(|e| {
            let (first, last) = (e.first_time.as_secs_f64(), e.time.as_secs_f64());
            (e.reason.to_string(), e.count, first, last)
        })
        .collect();
    assert_eq!(rows, [("FailedScheduling".to_string(), 4, 0.0, 990.0)]);
    assert_eq!(report.recorder.failed_scheduling_events, 4);
}

#[test]
fn pending_pod_is_scheduled_when_a_running_pod_finishes() {
    // first holds the only cpu for 60 s; second waits, then is requeued by
    // the AssignedPodDelete event and backs off 1 s from its failure at 0, so
    // it is already past its backoff and binds at once at 60 s.
    let report = run(&format!(
        r#"
nodePools: [{{name: n, count: 1, capacity: {{cpu: "1", memory: 1Gi}}}}]
workloads:
  - {POD}
    metadata: {{name: first, annotations: {{kubesim.io/run-time: 60s}}}}
    spec:
      restartPolicy: Never
      containers: [{{name: c, image: busybox, resources: {{requests: {{cpu: "1"}}}}}}]
  - {POD}
    metadata: {{name: second, annotations: {{kubesim.io/run-time: 10s}}}}
    spec:
      restartPolicy: Never
      containers: [{{name: c, image: busybox, resources: {{requests: {{cpu: "1"}}}}}}]
"#
    ));
    let second = &report.state.pods()[1];
    assert_eq!(
        second
            .status
            .conditions
            .pod_scheduled
            .unwrap()
            .as_secs_f64(),
        60.0
    );
    assert_eq!(second.finished.unwrap().as_secs_f64(), 70.0);
    assert_eq!(second.scheduling_attempts, 2);
    assert_eq!(pod_outcomes(&report)[1].2, "Succeeded");
}

#[test]
fn scoring_strategy_decides_between_packing_and_spreading() {
    let scenario = |strategy: &str| {
        format!(
            r#"
nodePools: [{{name: n, count: 2, capacity: {{cpu: "4", memory: 8Gi}}}}]
workloads:
  - {POD}
    metadata: {{name: a}}
    spec:
      nodeName: n-0
      containers: [{{name: c, image: busybox, resources: {{requests: {{cpu: "2", memory: 2Gi}}}}}}]
  - {POD}
    metadata: {{name: b}}
    spec:
      containers: [{{name: c, image: busybox, resources: {{requests: {{cpu: "1", memory: 1Gi}}}}}}]
scheduler:
  profiles:
    - pluginConfig:
        - name: NodeResourcesFit
          args: {{scoringStrategy: {{type: {strategy}}}}}
"#
        )
    };
    let node_of_b = |s: &str| pod_outcomes(&run(&scenario(s)))[1].1.clone();
    assert_eq!(node_of_b("MostAllocated"), "n-0");
    assert_eq!(node_of_b("LeastAllocated"), "n-1");
}

#[test]
fn node_selector_and_tolerations_place_pods() {
    let report = run(&format!(
        r#"
nodePools:
  - {{name: plain, count: 3, capacity: {{cpu: "8", memory: 8Gi}}}}
  - {{name: ssd, count: 1, capacity: {{cpu: "8", memory: 8Gi}}, labels: {{disk: ssd}}, taints: [{{key: team, value: db, effect: NoSchedule}}]}}
workloads:
  - {POD}
    metadata: {{name: db}}
    spec:
      nodeSelector: {{disk: ssd}}
      tolerations: [{{key: team, operator: Equal, value: db, effect: NoSchedule}}]
      containers: [{{name: c, image: postgres}}]
  - {POD}
    metadata: {{name: no-toleration}}
    spec:
      nodeSelector: {{disk: ssd}}
      containers: [{{name: c, image: postgres}}]
"#
    ));
    let outcomes = pod_outcomes(&report);
    assert_eq!(outcomes[0].1, "ssd-0");
    assert_eq!(outcomes[1].1, "");
    // Filters stop at the first failure: TaintToleration runs before NodeAffinity.
    assert_eq!(
        events_of(&report, "default/no-toleration")[0].2,
        "0/4 nodes are available: 1 node(s) had untolerated taint {team: db}, 3 node(s) didn't match Pod's node affinity/selector. \
         preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling."
    );
}

#[test]
fn node_name_bypasses_the_scheduler_and_kubelet_admission_rejects_misfits() {
    let report = run(&format!(
        r#"
nodePools: [{{name: n, count: 1, capacity: {{cpu: "1", memory: 1Gi}}}}]
workloads:
  - {POD}
    metadata: {{name: pinned}}
    spec:
      nodeName: n-0
      containers: [{{name: c, image: busybox, resources: {{requests: {{cpu: 500m}}}}}}]
  - {POD}
    metadata: {{name: too-big}}
    spec:
      nodeName: n-0
      containers: [{{name: c, image: busybox, resources: {{requests: {{cpu: "1"}}}}}}]
"#
    ));
    let outcomes = pod_outcomes(&report);
    assert_eq!(
        (outcomes[0].1.as_str(), outcomes[0].2.as_str()),
        ("n-0", "Running")
    );
    assert_eq!(
        (outcomes[1].2.as_str(), outcomes[1].3.as_str()),
        ("Failed", "OutOfcpu")
    );
    assert_eq!(report.state.pods()[0].scheduling_attempts, 0);
    assert_eq!(
        events_of(&report, "default/too-big")[0].2,
        "Node didn't have enough resource: cpu, requested: 1000, used: 500, capacity: 1000"
    );
}

#[test]
fn explain_records_filter_and_score_rows() {
    let s = super::scenario(&format!(
        r#"
nodePools: [{{name: n, count: 3, capacity: {{cpu: "4", memory: 8Gi}}}}]
workloads:
  - {POD}
    metadata: {{name: web}}
    spec:
      containers: [{{name: c, image: nginx, resources: {{requests: {{cpu: "1", memory: 1Gi}}}}}}]
"#
    ));
    let options = crate::sim::RunOptions {
        explain_pod: crate::scheduler::ExplainFilter::All,
        explain_top: Some(2),
        ..Default::default()
    };
    let report = crate::sim::simulate(&s, 1, &options);
    let filters = report
        .decisions
        .iter()
        .filter(|r| r.stage == "filter")
        .count();
    let scores: Vec<_> = report
        .decisions
        .iter()
        .filter(|r| r.stage == "score")
        .collect();
    // 8 filter plugins × 3 nodes (NodeName, NodeAffinity, PodTopologySpread,
    // InterPodAffinity and GpuShare report Skip).
    assert_eq!(filters, 24);
    assert!(report
        .decisions
        .iter()
        .any(|r| r.plugin == "PodTopologySpread" && r.status == "Skip"));
    assert!(report
        .decisions
        .iter()
        .any(|r| r.plugin == "NodeName" && r.status == "Skip"));
    // PreScores that skip: NodeAffinity (no preferred terms), PodTopologySpread (no
    // Service or ReplicaSet selects the pod), InterPodAffinity, ImageLocality. Left:
    // TaintToleration, Fit, BalancedAllocation × 3 nodes.
    assert_eq!(scores.len(), 9);
    // The summary: one filter row (3 feasible), a prescore row per plugin that
    // skipped itself and, for the top 2 nodes, the three plugins and the
    // total: 1 + 4 + 2 × 4 rows.
    let summary = &report.explain_summary;
    assert_eq!(summary.len(), 13);
    let skipped: Vec<(&str, &str)> = (summary.iter())
        .filter(|r| r.stage == "prescore")
        .map(|r| (r.plugin, r.code))
        .collect();
    assert_eq!(
        skipped,
        [
            ("NodeAffinity", "Skip"),
            ("PodTopologySpread", "Skip"),
            ("InterPodAffinity", "Skip"),
            ("ImageLocality", "Skip"),
        ]
    );
    // decisions.csv has them too, for no node.
    let prescore = (report.decisions.iter()).filter(|r| r.stage == "prescore");
    assert_eq!(
        prescore
            .map(|r| (r.node.as_str(), r.code))
            .collect::<Vec<_>>(),
        [("", "Skip"); 4]
    );
    assert!((report.decisions.iter())
        .filter(|r| r.stage != "prescore")
        .all(|r| r.code == "Success" || (r.code == "Skip" && r.status == "Skip")));
    assert_eq!(
        (
            summary[0].stage,
            summary[0].reason.as_str(),
            summary[0].nodes
        ),
        ("filter", "feasible", Some(3))
    );
    let total = summary.iter().find(|r| r.plugin == "total").unwrap();
    // TaintToleration 100×3 + Fit 81×1 + BalancedAllocation (cpu 25%, memory 12.5%:
    // 100·(1 − 0.0625) = 93)×1 = 474.
    assert_eq!((total.rank, total.weighted_score), (Some(1), Some(474)));
    // The summary's raw Score: LeastAllocated 81 (below), normalized as is.
    let fit_summary = (summary.iter())
        .find(|r| r.plugin == "NodeResourcesFit" && r.rank == Some(1))
        .unwrap();
    assert_eq!(
        (
            fit_summary.code,
            fit_summary.score,
            fit_summary.normalized_score
        ),
        ("Success", Some(81), Some(81))
    );
    // LeastAllocated on an empty 4-cpu/8Gi node for 1 cpu/1Gi: cpu 75, memory 87 → 81.
    let fit = scores
        .iter()
        .find(|r| r.plugin == "NodeResourcesFit")
        .unwrap();
    assert_eq!((fit.score, fit.weighted_score), (Some(81), Some(81)));
    let taint = scores
        .iter()
        .find(|r| r.plugin == "TaintToleration")
        .unwrap();
    assert_eq!(
        (taint.normalized_score, taint.weighted_score),
        (Some(100), Some(300))
    );
}

#[test]
fn invalid_scenarios_report_file_line_column_and_field() {
    let e = errors(
        r#"
nodePools:
  - name: n
    count: 2
    capacity: {cpu: 12x, memory: 1Gi}
"#,
    );
    assert!(
        e.starts_with("test.yaml:5:21: nodePools[0].capacity.cpu: "),
        "{e}"
    );
    let e = errors("nodePool: []\n");
    assert!(
        e.contains("test.yaml:1:1") && e.contains("did you mean `nodePools`"),
        "{e}"
    );
    let e = errors("seed: many\n");
    assert!(
        e.contains("test.yaml:1:7: seed: ") && e.contains("many"),
        "{e}"
    );
    let e = errors("workloads:\n  - file: does-not-exist.yaml\n");
    assert!(
        e.contains("test.yaml:2:5: workloads[0].file: cannot read"),
        "{e}"
    );
}

const SIZED_ARRIVALS: &str = r#"
duration: 1h
nodePools: [{name: n, count: 4, capacity: {cpu: '64', memory: 256Gi, ephemeral-storage: 1Ti}}]
arrivals:
  - name: p
    process: poisson
    rate: 2
    count: 200
    requests: {cpu: 'uniform(100m, 4)', memory: 'uniform(256Mi, 8Gi)', ephemeral-storage: 1Gi}
    template:
      apiVersion: v1
      kind: Pod
      spec: {containers: [{name: c, image: c, resources: {requests: {cpu: '1'}}}]}
behaviour: [{runTime: 10s}]
"#;

#[test]
fn arrivals_draw_each_pods_request_from_its_range_without_moving_arrival_times() {
    let sized = run(SIZED_ARRIVALS);
    let mut cpus: Vec<i64> = sized
        .state
        .pods()
        .iter()
        .map(|e| e.pod.requests.cpu_millis)
        .collect();
    assert!(sized.state.pods().iter().all(|e| {
        let r = &e.pod.requests;
        (256 << 20..=8 << 30).contains(&r.memory_bytes) && r.ephemeral_storage_bytes == 1 << 30
    }));
    assert!(cpus.iter().all(|c| (100..=4000).contains(c)));
    cpus.sort();
    cpus.dedup();
    assert!(cpus.len() > 150, "sizes vary: {} distinct", cpus.len());
    // The same arrival times as with the template's fixed request.
    let fixed = run(&SIZED_ARRIVALS.replace("    requests: {", "    # requests: {"));
    let created =
        |r: &crate::sim::RunReport| r.state.pods().iter().map(|e| e.created).collect::<Vec<_>>();
    assert_eq!(created(&sized), created(&fixed));
    assert!(fixed
        .state
        .pods()
        .iter()
        .all(|e| e.pod.requests.cpu_millis == 1000));
}

#[test]
fn arrival_request_ranges_are_checked() {
    let bad = SIZED_ARRIVALS.replace("uniform(100m, 4)", "uniform(4, 100m)");
    let e = errors(&bad);
    assert!(
        e.contains("arrivals[0].requests.cpu") && e.contains("minimum is larger"),
        "{e}"
    );
    let bad = SIZED_ARRIVALS.replace("uniform(100m, 4)", "uniform(1)");
    assert!(errors(&bad).contains("uniform takes two quantities"));
    let bad = SIZED_ARRIVALS.replace("uniform(256Mi, 8Gi)", "uniform(256Mi, -1)");
    assert!(errors(&bad).contains("at least 0"));
}

/// One node fits: upstream returns it without scoring (`schedule_one.go`,
/// `if len(feasibleNodes) == 1`), and the summary says so; the tainted
/// node's rejection is UnschedulableAndUnresolvable (preemption cannot
/// remove a taint), the full node's Unschedulable.
#[test]
fn explain_says_scoring_was_skipped_for_a_single_feasible_node() {
    let s = super::scenario(&format!(
        r#"
nodePools:
  - {{name: free, count: 1, capacity: {{cpu: "4", memory: 8Gi}}}}
  - {{name: gpu, count: 1, capacity: {{cpu: "4", memory: 8Gi}}, taints: [{{key: dedicated, value: gpu, effect: NoSchedule}}]}}
  - {{name: small, count: 1, capacity: {{cpu: 500m, memory: 8Gi}}}}
workloads:
  - {POD}
    metadata: {{name: web}}
    spec:
      containers: [{{name: c, image: nginx, resources: {{requests: {{cpu: "1"}}}}}}]
"#
    ));
    let options = crate::sim::RunOptions {
        explain: crate::scheduler::ExplainFilter::All,
        ..Default::default()
    };
    let report = crate::sim::simulate(&s, 1, &options);
    let rows: Vec<_> = (report.explain_summary.iter())
        .map(|r| {
            (
                r.stage,
                r.plugin,
                r.code,
                r.reason.as_str(),
                r.nodes,
                r.node.as_str(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("filter", "", "Success", "feasible", Some(1), ""),
            (
                "filter",
                "NodeResourcesFit",
                "Unschedulable",
                "Insufficient cpu",
                Some(1),
                ""
            ),
            (
                "filter",
                "TaintToleration",
                "UnschedulableAndUnresolvable",
                "node(s) had untolerated taint {dedicated: gpu}",
                Some(1),
                ""
            ),
            (
                "score",
                "",
                "Skip",
                "only one node is feasible",
                None,
                "free-0"
            ),
        ]
    );
}
