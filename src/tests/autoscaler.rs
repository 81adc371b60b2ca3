//! The Cluster Autoscaler (cluster-autoscaler 1.32 defaults) and node cost,
//! on small scenarios whose timings are worked out by hand in each test.

use super::run;
use crate::sim::RunReport;

fn figure(report: &RunReport, name: &str) -> String {
    report.summary.get(name).expect(name).to_csv()
}

#[test]
fn fixed_pools_with_a_price_cost_their_node_hours() {
    let r = run("
duration: 2h
nodePools:
  - {name: a, count: 2, capacity: {cpu: '4', memory: 8Gi}, pricePerHour: 0.5}
  - {name: b, count: 1, capacity: {cpu: '4', memory: 8Gi}, capacityType: spot}
actions:
  - {at: 30m, addNodes: {pool: a, count: 1}}
");
    // a: 2 nodes × 2 h + 1 node × 1.5 h = 5.5 h at 0.5; b: 2 h at nothing.
    assert_eq!(figure(&r, "node_hours"), "7.500000");
    assert_eq!(figure(&r, "cost"), "2.750000");
}

#[test]
fn without_a_price_cost_is_empty() {
    let r = run("
duration: 1h
nodePools: [{name: a, count: 2, capacity: {cpu: '4', memory: 8Gi}}]
");
    assert_eq!(figure(&r, "node_hours"), "2.000000");
    assert_eq!(figure(&r, "cost"), "");
}

const POD: &str = "apiVersion: v1\n    kind: Pod";

/// A fixed 2-cpu node and an autoscaled pool of 4-cpu nodes, empty at the
/// start, provisioning in exactly 60 s.
fn one_big_pod(autoscaler: &str) -> RunReport {
    run(&format!(
        r#"
duration: 5m
nodePools:
  - {{name: fixed, count: 1, capacity: {{cpu: "2", memory: 8Gi}}}}
  - name: auto
    count: 0
    capacity: {{cpu: "4", memory: 8Gi}}
    pricePerHour: 1.2
    autoscaling: {{maxSize: 3, provisioningTime: 60s}}
{autoscaler}
workloads:
  - {POD}
    metadata: {{name: big}}
    spec:
      containers: [{{name: c, image: busybox, resources: {{requests: {{cpu: "3"}}}}}}]
"#
    ))
}

#[test]
fn an_unschedulable_pod_scales_up_at_the_next_scan_and_binds_when_the_node_is_ready() {
    let r = one_big_pod("");
    let events = super::events_of(&r, "default/big");
    let at = |reason: &str| {
        events
            .iter()
            .find(|e| e.1 == reason)
            .unwrap_or_else(|| panic!("no {reason} in {events:?}"))
            .clone()
    };
    // t=0: the scheduler finds no node; t=10 s: the first scan (scan-interval
    // 10 s) asks for one node; t=70 s: it is Ready after its 60 s and the pod
    // binds to it.
    assert_eq!(at("FailedScheduling").0, 0.0);
    let up = at("TriggeredScaleUp");
    assert_eq!(up.0, 10.0);
    assert_eq!(up.2, "pod triggered scale-up: [{auto 0->1 (max: 3)}]");
    let scheduled = at("Scheduled");
    assert_eq!(scheduled.0, 70.0);
    assert!(scheduled.2.contains("to auto-0"), "{}", scheduled.2);
    let rows = r.autoscaler.as_ref().unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        (
            rows[0].time.as_secs_f64(),
            rows[0].pool.as_str(),
            rows[0].delta
        ),
        (10.0, "auto", 1)
    );
    assert_eq!((rows[0].reason, rows[0].pods_helped), ("scale-up", 1));
    // fixed-0: 5 min; auto-0: from 70 s to 300 s, at 1.2 per hour.
    assert_eq!(
        figure(&r, "node_hours"),
        format!("{:.6}", (300.0 + 230.0) / 3600.0)
    );
    assert_eq!(figure(&r, "cost"), format!("{:.6}", 230.0 / 3600.0 * 1.2));
}

/// One Job pod of 3 cpus running 95 s, which only an autoscaled node fits.
fn one_job(extra: &str) -> RunReport {
    let (autoscaler, workload) = match extra.strip_prefix("  - ") {
        Some(_) => ("", extra),
        None => (extra, ""),
    };
    run(&format!(
        r#"
duration: 20m
nodePools:
  - {{name: fixed, count: 1, capacity: {{cpu: "2", memory: 8Gi}}}}
  - name: auto
    count: 0
    capacity: {{cpu: "4", memory: 8Gi}}
    autoscaling: {{maxSize: 3, provisioningTime: 60s}}
{autoscaler}
workloads:
  - apiVersion: batch/v1
    kind: Job
    metadata: {{name: crunch}}
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{{name: c, image: x, resources: {{requests: {{cpu: "3"}}}}}}]
{workload}
behaviour: [{{container: c, runTime: 95s}}]
"#
    ))
}

fn rows(r: &RunReport) -> Vec<(f64, String, i64, &'static str)> {
    (r.autoscaler.as_ref().unwrap().iter())
        .map(|r| (r.time.as_secs_f64(), r.pool.clone(), r.delta, r.reason))
        .collect()
}

#[test]
fn an_idle_node_goes_after_ten_minutes_unneeded() {
    let r = one_job("");
    // Scale-up at 10 s, node Ready at 70 s, the pod runs 70–165 s; the node
    // is unneeded from the scan at 170 s and goes at the scan 10 min later
    // (scale-down-delay-after-add ended at 610 s). It is empty: deleted at once.
    assert_eq!(
        rows(&r),
        [
            (10.0, "auto".into(), 1, "scale-up"),
            (770.0, "auto".into(), -1, "scale-down-empty"),
        ]
    );
    let node_events = super::events_of(&r, "auto-0");
    let scale_down: Vec<_> = node_events.iter().filter(|e| e.1 == "ScaleDown").collect();
    assert_eq!(scale_down.len(), 2, "{node_events:?}");
    assert_eq!(scale_down[1].0, 770.0);
    assert_eq!(scale_down[1].2, "nodes removed by cluster autoscaler");
    let last = (r.recorder.nodes.rows.iter())
        .rfind(|row| r.state.node(row.node).name() == "auto-0")
        .unwrap();
    assert_eq!(
        (last.time.as_secs_f64(), last.view.condition),
        (770.0, "Deleted")
    );
    // fixed-0 for 20 min, auto-0 from 70 s to 770 s.
    assert_eq!(
        figure(&r, "node_hours"),
        format!("{:.6}", (1200.0 + 700.0) / 3600.0)
    );
}

#[test]
fn scale_down_waits_for_the_delay_after_add() {
    // Unneeded from 170 s, long enough at 230 s, but the scale-up at 10 s
    // holds every scale-down until 10 s + 10 min.
    let r = one_job("autoscaler: {scaleDownUnneededTime: 1m}");
    assert_eq!(rows(&r)[1], (610.0, "auto".into(), -1, "scale-down-empty"));
    // Without the delay, the node goes once unneeded for the minute.
    let r = one_job("autoscaler: {scaleDownUnneededTime: 1m, scaleDownDelayAfterAdd: 0s}");
    assert_eq!(rows(&r)[1], (230.0, "auto".into(), -1, "scale-down-empty"));
}

/// Four pods of 1 cpu, no node at the start; `small` (2 cpu, at most one
/// node, 1.0 per hour) can take two of them, `large` (8 cpu, priority 10,
/// 3.0 per hour) all four on one node.
fn two_pools(autoscaler: &str) -> RunReport {
    run(&format!(
        r#"
duration: 1m
nodePools:
  - name: small
    count: 0
    capacity: {{cpu: "2", memory: 8Gi}}
    pricePerHour: 1.0
    autoscaling: {{maxSize: 1, provisioningTime: 30s}}
  - name: large
    count: 0
    capacity: {{cpu: "8", memory: 8Gi}}
    pricePerHour: 3.0
    autoscaling: {{maxSize: 5, provisioningTime: 30s, priority: 10}}
{autoscaler}
workloads:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {{name: web}}
    spec:
      replicas: 4
      selector: {{matchLabels: {{app: web}}}}
      template:
        metadata: {{labels: {{app: web}}}}
        spec:
          containers: [{{name: c, image: x, resources: {{requests: {{cpu: "1"}}}}}}]
"#
    ))
}

#[test]
fn expanders_pick_the_pool_upstream_would() {
    let first = |expander: &str| {
        let r = two_pools(&format!("autoscaler: {{expander: '{expander}'}}"));
        let row = &r.autoscaler.as_ref().unwrap()[0];
        (row.pool.clone(), row.delta, row.pods_helped)
    };
    // least-waste: small wastes (2 - 2) / 2 of its cpu, large (8 - 4) / 8.
    assert_eq!(first("least-waste"), ("small".into(), 1, 2));
    // most-pods: large helps all four.
    assert_eq!(first("most-pods"), ("large".into(), 1, 4));
    assert_eq!(first("priority"), ("large".into(), 1, 4));
    // price: small 1.0 / 2 pods per hour against large 3.0 / 4.
    assert_eq!(first("price"), ("small".into(), 1, 2));
    // 1.33's default expander is least-waste; an explicit one still wins.
    assert_eq!(first("least-waste").0, {
        let r = two_pools("autoscaler: {release: '1.33'}");
        r.autoscaler.as_ref().unwrap()[0].pool.clone()
    });
    let r = two_pools("autoscaler: {release: '1.33', expander: most-pods}");
    assert_eq!(r.autoscaler.as_ref().unwrap()[0].pool, "large");
    // A chain: priority first leaves large alone.
    assert_eq!(first("priority,least-waste"), ("large".into(), 1, 4));
}

#[test]
fn random_is_the_default_and_its_choice_depends_on_the_seed_only() {
    let mut chosen = std::collections::BTreeSet::new();
    for seed in 1..=12 {
        let r = two_pools(&format!("seed: {seed}"));
        chosen.insert(r.autoscaler.as_ref().unwrap()[0].pool.clone());
        let again = two_pools(&format!("seed: {seed}"));
        assert_eq!(r.autoscaler, again.autoscaler);
    }
    assert_eq!(chosen.len(), 2, "{chosen:?}");
}

#[test]
fn pool_and_cluster_limits_are_respected() {
    // With maxNodesTotal 1, small (least waste) takes the one node allowed;
    // large, which could take the other two pods, may not add a node.
    let r = two_pools("autoscaler: {expander: least-waste, maxNodesTotal: 1}");
    assert_eq!(rows(&r), [(10.0, "small".into(), 1, "scale-up")]);
    // The two pods small-0 cannot take find every pool at its limit.
    let events: Vec<_> = (r.recorder.events.iter())
        .filter(|e| e.reason == "NotTriggerScaleUp")
        .map(|e| e.message.clone())
        .collect();
    assert!(!events.is_empty());
    assert!(
        events.iter().all(|m| m
            == "pod didn't trigger scale-up: 1 max cluster size reached, \
             1 max node group size reached"),
        "{events:?}"
    );
}

#[test]
fn a_pool_that_never_delivers_is_given_up_after_max_node_provision_time() {
    let r = run(&format!(
        r#"
duration: 25m
nodePools:
  - name: broken
    count: 0
    capacity: {{cpu: "4", memory: 8Gi}}
    autoscaling: {{maxSize: 3, provisioningTime: 1h}}
workloads:
  - {POD}
    metadata: {{name: p}}
    spec:
      containers: [{{name: c, image: busybox, resources: {{requests: {{cpu: "1"}}}}}}]
"#
    ));
    // Asked at 10 s, given up at 10 s + 15 min; the pool backs off 5 min,
    // then is asked again at 1210 s.
    assert_eq!(
        rows(&r),
        [
            (10.0, "broken".into(), 1, "scale-up"),
            (910.0, "broken".into(), -1, "max-node-provision-time"),
            (1210.0, "broken".into(), 1, "scale-up"),
        ]
    );
    let backoff = super::events_of(&r, "default/p");
    assert!(backoff.iter().any(|e| e.0 == 920.0
        && e.2 == "pod didn't trigger scale-up: 1 in backoff after failed scale-up"));
}

/// Two autoscaled 4-cpu nodes with one 1-cpu pod each (25 % used): either
/// pod fits on the other node, so one node is unneeded from the first scan.
fn two_quiet_nodes(namespace: &str, annotations: &str, extra: &str) -> RunReport {
    quiet_nodes_with("", namespace, annotations, extra)
}

fn quiet_nodes_with(top: &str, namespace: &str, annotations: &str, extra: &str) -> RunReport {
    run(&format!(
        r#"
duration: 12m
{top}
nodePools:
  - name: auto
    count: 2
    capacity: {{cpu: "4", memory: 8Gi}}
    autoscaling: {{maxSize: 3}}
workloads:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {{name: web, namespace: {namespace}}}
    spec:
      replicas: 2
      selector: {{matchLabels: {{app: web}}}}
      template:
        metadata: {{labels: {{app: web}}, annotations: {{{annotations}}}}}
        spec:
          terminationGracePeriodSeconds: 7200
          containers: [{{name: c, image: x, resources: {{requests: {{cpu: "1"}}}}}}]
{extra}
"#
    ))
}

#[test]
fn an_underutilized_node_is_drained_through_the_eviction_api_and_deleted() {
    let r = two_quiet_nodes("default", "", "");
    // Unneeded from the scan at 10 s, no scale-up ever: removed at 610 s.
    // Its pod is evicted, the Deployment's replacement goes to the other
    // node, and the node goes at the drain's first look (every 5 s) that
    // finds its pod gone: the pod stops at once (no preStop hook), the API
    // server and the kubelet take a few milliseconds, so at 615 s.
    assert_eq!(
        rows(&r),
        [(610.0, "auto".into(), -1, "scale-down-underutilized")]
    );
    let removed = super::events_of(&r, "auto-0");
    assert!(removed.iter().any(|e| e.0 == 610.0
        && e.1 == "ScaleDown"
        && e.2 == "marked the node as toBeDeleted/unschedulable"));
    assert!(
        removed.iter().any(|e| e.0 == 615.0
            && e.1 == "ScaleDown"
            && e.2 == "nodes removed by cluster autoscaler"),
        "{removed:?}"
    );
    let evicted = (r.recorder.events.iter())
        .filter(|e| e.reason == "ScaleDown" && e.message == "deleting pod for node scale down")
        .count();
    assert_eq!(evicted, 1);
    // Both replicas run on auto-1 at the end.
    let running: Vec<_> = super::pod_outcomes(&r)
        .into_iter()
        .filter(|o| o.2 == "Running")
        .map(|o| o.1)
        .collect();
    assert_eq!(running, ["auto-1", "auto-1"]);
    assert_eq!(
        figure(&r, "node_hours"),
        format!("{:.6}", (720.0 + 615.0) / 3600.0)
    );
}

#[test]
fn nodes_whose_pods_cannot_move_are_kept() {
    let kept = |r: &RunReport| rows(r).is_empty();
    assert!(kept(&two_quiet_nodes(
        "default",
        "cluster-autoscaler.kubernetes.io/safe-to-evict: 'false'",
        ""
    )));
    assert!(kept(&two_quiet_nodes("kube-system", "", "")));
    let pdb = "  - apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata: {name: web}
    spec: {minAvailable: 2, selector: {matchLabels: {app: web}}}";
    assert!(kept(&two_quiet_nodes("default", "", pdb)));
    // Pods without a controller keep their node too.
    let r = run(&format!(
        r#"
duration: 12m
nodePools:
  - {{name: auto, count: 1, capacity: {{cpu: "4", memory: 8Gi}}, autoscaling: {{maxSize: 3}}}}
workloads:
  - {POD}
    metadata: {{name: bare}}
    spec:
      containers: [{{name: c, image: x, resources: {{requests: {{cpu: "1"}}}}}}]
"#
    ));
    assert!(kept(&r));
    // And a pool at its minSize keeps its nodes.
    let r = run("
duration: 12m
nodePools:
  - {name: auto, count: 1, capacity: {cpu: '4', memory: 8Gi}, autoscaling: {minSize: 1, maxSize: 3}}
");
    assert!(kept(&r));
}

#[test]
fn bad_autoscaling_settings_are_located_errors() {
    let e = super::errors(
        "
nodePools:
  - name: a
    count: 5
    capacity: {cpu: '4', memory: 8Gi}
    capacityType: reserved
    autoscaling: {minSize: 1, maxSize: 3, provisioningTime: soon}
autoscaler: {expander: cheapest, scaleDownUtilizationThreshold: 2, scanInterval: 0s}
",
    );
    for expected in [
        "test.yaml:6:19: nodePools[0].capacityType: expected \"on-demand\" or \"spot\", found \"reserved\"",
        "provisioningTime: \"soon\" is not a distribution",
        "test.yaml:8:24: autoscaler.expander: expected expander names separated by commas, each one of random, least-waste, most-pods, priority, price, found \"cheapest\"",
        "autoscaler.scaleDownUtilizationThreshold: expected a ratio from 0 to 1, found 2",
        "autoscaler.scanInterval: expected a duration above 0, found 0s",
    ] {
        assert!(e.contains(expected), "{expected}\nnot in:\n{e}");
    }
    let e = super::errors(
        "
nodePools:
  - {name: a, count: 5, capacity: {cpu: '4', memory: 8Gi}, autoscaling: {minSize: 1, maxSize: 3}}
",
    );
    assert!(
        e.contains("nodePools[0].autoscaling: expected minSize <= count <= maxSize, found minSize 1, count 5, maxSize 3"),
        "{e}"
    );
}

#[test]
fn daemonset_pods_neither_keep_a_node_nor_come_back_to_a_deleted_one() {
    let r = one_job(
        "  - apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: agent}
    spec:
      selector: {matchLabels: {app: agent}}
      template:
        metadata: {labels: {app: agent}}
        spec:
          tolerations: [{operator: Exists}]
          containers: [{name: a, image: agent, resources: {requests: {cpu: 100m}}}]",
    );
    assert_eq!(rows(&r)[1], (770.0, "auto".into(), -1, "scale-down-empty"));
    // auto-0's agent went with the node and was not created again there.
    let pending = (r.state.pods().iter())
        .filter(|e| e.status.phase == crate::model::PodPhase::Pending && e.deleted.is_none())
        .count();
    assert_eq!(pending, 0);
    assert_eq!(figure(&r, "pods_unschedulable"), "0");
}

#[test]
fn without_a_duration_the_run_ends_once_only_the_scans_are_left() {
    let r = run(r#"
nodePools:
  - {name: auto, count: 0, capacity: {cpu: "4", memory: 8Gi}, autoscaling: {maxSize: 2, provisioningTime: 60s}}
workloads:
  - apiVersion: batch/v1
    kind: Job
    metadata: {name: once}
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, image: x, resources: {requests: {cpu: "1"}}}]
behaviour: [{container: c, runTime: 30s}]
"#);
    assert_eq!(r.stop_reason, crate::engine::StopReason::Drained);
    // Scale-up at 10 s, Ready at 70 s, the pod runs 70–100 s.
    assert!(r.end.as_secs_f64() < 200.0, "{}", r.end);
    assert_eq!(figure(&r, "jobs_completed"), "1");
}

#[test]
fn the_drain_caps_grace_periods_at_max_graceful_termination_sec() {
    // The pods would take an hour to stop (a preStop hook of 1 h within a
    // grace period of 2 h); the drain at 610 s gives them 60 s.
    let r = quiet_nodes_with(
        "autoscaler: {maxGracefulTerminationSec: 60}",
        "default",
        "",
        "behaviour: [{container: c, preStop: 1h}]",
    );
    let removed = super::events_of(&r, "auto-0");
    let deleted = removed
        .iter()
        .find(|e| e.2 == "nodes removed by cluster autoscaler")
        .expect("auto-0 deleted");
    // Killed at 670 s, before that instant's scan, which deletes the node
    // (without the cap it would still be draining when the run ends).
    assert_eq!(deleted.0, 670.0, "{removed:?}");
}

#[test]
fn a_node_found_unremovable_is_looked_at_again_after_five_minutes() {
    let scenario = |options: &str| {
        run(&format!(
            r#"
duration: 20m
{options}
nodePools:
  - {{name: auto, count: 1, capacity: {{cpu: "4", memory: 8Gi}}, autoscaling: {{maxSize: 3}}}}
workloads:
  - {POD}
    metadata: {{name: bare}}
    spec:
      restartPolicy: Never
      containers: [{{name: c, image: x, resources: {{requests: {{cpu: "1"}}}}}}]
behaviour: [{{container: c, runTime: 100s}}]
"#
        ))
    };
    let r = scenario("");
    // The scan at 10 s finds a pod without a controller: auto-0 is not
    // looked at again before 310 s, though the pod ends at 100 s. Unneeded
    // from 310 s, it goes 10 min later.
    assert_eq!(rows(&r), [(910.0, "auto".into(), -1, "scale-down-empty")]);
    let r2 = scenario("autoscaler: {unremovableNodeRecheckTimeout: 0s}");
    // Rechecked at every scan, it is unneeded from the scan at 100 s, when
    // the pod has just ended.
    assert_eq!(rows(&r2), [(700.0, "auto".into(), -1, "scale-down-empty")]);
}

/// Two replicas on auto-0 under a PDB that allows one disruption; a fixed
/// node joins at 5 min with room for both. The scan at 5m10s finds auto-0
/// unneeded; at 15m10s its drain evicts one pod and the API refuses the
/// other (`drain.go` evicts every pod at once). The refused eviction is
/// tried again every 10 s: once the first pod's replacement is Ready on the
/// new node the budget allows it, and the node goes. With
/// `maxPodEvictionTime` shorter than that, the drain fails instead:
/// ScaleDownFailed on the pod and the node, the taint removed, the pool's
/// target back up.
#[test]
fn a_refused_eviction_is_retried_until_max_pod_eviction_time() {
    let scenario = |options: &str| {
        run(&format!(
            r#"
duration: 20m
{options}
nodePools:
  - {{name: auto, count: 1, capacity: {{cpu: "4", memory: 8Gi}}, autoscaling: {{maxSize: 3}}}}
  - {{name: fixed, count: 0, capacity: {{cpu: "4", memory: 8Gi}}}}
actions:
  - {{at: 5m, addNodes: {{pool: fixed, count: 1}}}}
workloads:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {{name: web}}
    spec:
      replicas: 2
      selector: {{matchLabels: {{app: web}}}}
      template:
        metadata: {{labels: {{app: web}}}}
        spec:
          terminationGracePeriodSeconds: 5
          containers: [{{name: c, image: x, resources: {{requests: {{cpu: 500m}}}}}}]
  - apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata: {{name: web}}
    spec: {{maxUnavailable: 1, selector: {{matchLabels: {{app: web}}}}}}
behaviour: [{{container: c, startLatency: 15s}}]
"#
        ))
    };
    let r = scenario("");
    assert_eq!(
        rows(&r),
        [(910.0, "auto".into(), -1, "scale-down-underutilized")]
    );
    let node = super::events_of(&r, "auto-0");
    let deleted = (node.iter())
        .find(|e| e.2 == "nodes removed by cluster autoscaler")
        .expect("auto-0 deleted");
    // Evicted at 910 s, replaced and Ready about 15 s later: the retry at
    // 930 s goes through; the second pod is gone 5 s after, when the drain
    // looks again (every 5 s) and deletes the node.
    assert_eq!(deleted.0, 935.0, "{node:?}");
    assert!(!node.iter().any(|e| e.1 == "ScaleDownFailed"));
    let asked = (r.recorder.events.iter())
        .filter(|e| e.reason == "ScaleDown" && e.message == "deleting pod for node scale down")
        .count();
    assert_eq!(
        asked, 2,
        "one ScaleDown event per pod, at the first attempt"
    );

    let r = scenario("autoscaler: {maxPodEvictionTime: 15s}");
    assert_eq!(
        rows(&r),
        [
            (910.0, "auto".into(), -1, "scale-down-underutilized"),
            (930.0, "auto".into(), 1, "scale-down-failed"),
        ]
    );
    let node = super::events_of(&r, "auto-0");
    assert!(node.iter().any(|e| e.0 == 930.0
        && e.1 == "ScaleDownFailed"
        && e.2.starts_with("failed to drain the node: Failed to drain node /auto-0, due to following errors: [failed to evict pod default/web-")
        && e.2.ends_with("within allowed timeout (last error: Cannot evict pod as it would violate the pod's disruption budget.)]")), "{node:?}");
    assert!(!node
        .iter()
        .any(|e| e.2 == "nodes removed by cluster autoscaler"));
    let failed = (r.recorder.events.iter())
        .filter(|e| {
            e.reason == "ScaleDownFailed" && e.message == "failed to delete pod for ScaleDown"
        })
        .count();
    assert_eq!(failed, 1);
}
