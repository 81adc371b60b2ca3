//! Priority and preemption end to end: PriorityClass admission, victims
//! deleted gracefully with Preempted events, nomination, PDBs, preemptionPolicy Never.

use super::{errors, events_of, pod_outcomes, run, scenario};

const CLASSES: &str = r#"
  - apiVersion: scheduling.k8s.io/v1
    kind: PriorityClass
    metadata: {name: high}
    value: 1000
  - apiVersion: scheduling.k8s.io/v1
    kind: PriorityClass
    metadata: {name: low}
    value: 10
    globalDefault: true
  - apiVersion: scheduling.k8s.io/v1
    kind: PriorityClass
    metadata: {name: polite}
    value: 1000
    preemptionPolicy: Never
"#;

/// A pod created at 1 s by an arrival process (named `<name>-0`).
fn later(name: &str, class: &str, cpu: &str) -> String {
    format!(
        r#"
arrivals:
  - name: {name}
    process: times
    times: [1s]
    template:
      apiVersion: v1
      kind: Pod
      metadata: {{labels: {{app: {name}}}}}
      spec:
        priorityClassName: {class}
        containers: [{{name: c, image: busybox, resources: {{requests: {{cpu: "{cpu}"}}}}}}]
"#
    )
}

fn pod(name: &str, class: &str, cpu: &str) -> String {
    format!(
        r#"
  - apiVersion: v1
    kind: Pod
    metadata: {{name: {name}, labels: {{app: {name}}}, annotations: {{kubesim.io/stop-time: 4s}}}}
    spec:
      priorityClassName: {class}
      terminationGracePeriodSeconds: 5
      containers: [{{name: c, image: busybox, resources: {{requests: {{cpu: "{cpu}"}}}}}}]
"#
    )
}

#[test]
fn priority_class_resolves_priority_and_global_default() {
    let s = scenario(&format!(
        "nodePools: [{{name: n, count: 1, capacity: {{cpu: \"1\", memory: 1Gi}}}}]\nworkloads:{CLASSES}{}{}",
        pod("a", "high", "100m"),
        "  - {apiVersion: v1, kind: Pod, metadata: {name: b}, spec: {containers: [{name: c, image: busybox}]}}\n"
    ));
    let priorities: Vec<(i32, Option<&str>)> = s
        .pods
        .iter()
        .map(|(_, p)| (p.spec.priority, p.spec.priority_class_name.as_deref()))
        .collect();
    // b names no class and gets the globalDefault class `low` (admission.go).
    assert_eq!(priorities, vec![(1000, Some("high")), (10, Some("low"))]);
}

#[test]
fn unknown_priority_class_is_an_error() {
    let e = errors(&format!(
        "nodePools: [{{name: n, count: 1, capacity: {{cpu: \"1\", memory: 1Gi}}}}]\nworkloads:{}",
        pod("a", "missing", "100m")
    ));
    assert!(
        e.contains("Pod default/a: spec.priorityClassName: no PriorityClass with name \"missing\" was found"),
        "{e}"
    );
}

#[test]
fn two_global_defaults_and_reserved_names_are_errors() {
    let e = errors(
        r#"
workloads:
  - {apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {name: a}, value: 1, globalDefault: true}
  - {apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {name: b}, value: 2, globalDefault: true}
  - {apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {name: system-x}, value: 2}
  - {apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {name: c}, value: 2000000000}
"#,
    );
    assert!(e.contains("only one default can exist"), "{e}");
    assert!(e.contains("prefix \"system-\" are reserved"), "{e}");
    assert!(
        e.contains("test.yaml:6:89: workloads[3].value: expected a value of at most 1000000000"),
        "{e}"
    );
}

#[test]
fn high_priority_pod_preempts_the_lower_one_gracefully() {
    // One 1-cpu node holds `victim` (low, 1 cpu). `boss` (high, 1 cpu) fails
    // Filter, preempts `victim` (Terminating, grace 5 s), is nominated to n-0
    // and binds once victim is gone.
    let report = run(&format!(
        "duration: 60s\nnodePools: [{{name: n, count: 1, capacity: {{cpu: \"1\", memory: 1Gi}}}}]\nworkloads:{CLASSES}{}{}",
        pod("victim", "low", "1"),
        later("boss", "high", "1")
    ));
    let victim = events_of(&report, "default/victim");
    assert!(
        victim
            .iter()
            .any(|e| e.1 == "Preempted" && e.2 == "Preempted by pod default/boss-0 on node n-0"),
        "{victim:?}"
    );
    let boss = events_of(&report, "default/boss-0");
    assert_eq!(boss[0].1, "FailedScheduling");
    assert_eq!(boss[0].2, "0/1 nodes are available: 1 Insufficient cpu.");
    let scheduled = boss
        .iter()
        .find(|e| e.1 == "Scheduled")
        .expect("boss binds");
    // Graceful: the victim takes 4 s to stop after SIGTERM at 1 s, so its cpu
    // is free at 5 s; boss is requeued then and binds (its 1 s backoff from 1 s has passed).
    assert_eq!(scheduled.0, 5.0, "{boss:?}");
    assert_eq!(
        report.state.pods()[0].deleted.map(|t| t.as_secs_f64()),
        Some(5.0)
    );
    let outcomes = pod_outcomes(&report);
    assert_eq!(outcomes[1].1, "n-0");
    assert!(report.state.pods()[0].deleted.is_some());
    // status.nominatedNodeName: set by the preemption and, as in v1.32, not
    // cleared by the binding; pods.csv's last column shows it.
    let mut rows = crate::metrics::rows::RowFormatter::default();
    let boss_row = String::from_utf8(rows.pod(&report.state.pods()[1], &report.state).to_vec());
    assert!(boss_row.unwrap().ends_with(",n-0\n"));
    let victim_row = String::from_utf8(rows.pod(&report.state.pods()[0], &report.state).to_vec());
    assert!(victim_row.unwrap().ends_with(",\n"));
}

#[test]
fn activeq_orders_by_priority_so_high_goes_first() {
    // Both created at 0 on a node that fits only one: the higher priority wins without preemption.
    let report = run(&format!(
        "duration: 10s\nnodePools: [{{name: n, count: 1, capacity: {{cpu: \"1\", memory: 1Gi}}}}]\nworkloads:{CLASSES}{}{}",
        pod("first", "low", "1"),
        pod("second", "high", "1")
    ));
    let outcomes = pod_outcomes(&report);
    assert_eq!(outcomes[1].1, "n-0");
    assert_eq!(outcomes[0].1, "");
}

#[test]
fn preemption_policy_never_does_not_preempt() {
    let report = run(&format!(
        "duration: 30s\nnodePools: [{{name: n, count: 1, capacity: {{cpu: \"1\", memory: 1Gi}}}}]\nworkloads:{CLASSES}{}{}",
        pod("victim", "low", "1"),
        later("polite", "polite", "1")
    ));
    let polite = events_of(&report, "default/polite-0");
    assert_eq!(
        polite[0].2,
        "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never."
    );
    assert!(events_of(&report, "default/victim")
        .iter()
        .all(|e| e.1 != "Preempted"));
}

#[test]
fn equal_priority_pods_are_not_victims() {
    let report = run(&format!(
        "duration: 30s\nnodePools: [{{name: n, count: 1, capacity: {{cpu: \"1\", memory: 1Gi}}}}]\nworkloads:{CLASSES}{}{}",
        pod("a", "high", "1"),
        later("b", "high", "1")
    ));
    let b = events_of(&report, "default/b-0");
    assert_eq!(
        b[0].2,
        "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: \
         1 No preemption victims found for incoming pod."
    );
}

#[test]
fn nominated_node_is_held_for_the_preemptor_against_lower_priority_pods() {
    // victim (low) fills the 1-cpu node and stops at once when deleted. boss (high)
    // arrives at 1 s, preempts it and is nominated to n-0, then backs off until 2 s.
    // sneaky (low) arrives at 1.5 s, when n-0 is empty: the nominated boss's cpu
    // counts against it (addNominatedPods), so it does not take the room.
    let sneaky = later("sneaky", "low", "1").replace("times: [1s]", "times: [1500ms]");
    let boss = later("boss", "high", "1").replace("arrivals:\n", "");
    let report = run(&format!(
        "duration: 30s\nnodePools: [{{name: n, count: 1, capacity: {{cpu: \"1\", memory: 1Gi}}}}]\nworkloads:{CLASSES}{}{sneaky}{boss}",
        pod("victim", "low", "1").replace("kubesim.io/stop-time: 4s", "kubesim.io/stop-time: 0s"),
    ));
    let boss = events_of(&report, "default/boss-0");
    let bound = boss
        .iter()
        .find(|e| e.1 == "Scheduled")
        .expect("boss binds");
    assert_eq!(bound.0, 2.0, "{boss:?}");
    let sneaky = events_of(&report, "default/sneaky-0");
    assert_eq!(sneaky[0].0, 1.5);
    assert_eq!(sneaky[0].1, "FailedScheduling", "{sneaky:?}");
    assert!(sneaky.iter().all(|e| e.1 != "Scheduled"), "{sneaky:?}");
}

#[test]
fn disabling_default_preemption_at_post_filter_turns_it_off() {
    let report = run(&format!(
        "duration: 30s\nnodePools: [{{name: n, count: 1, capacity: {{cpu: \"1\", memory: 1Gi}}}}]\n\
         scheduler:\n  profiles:\n    - plugins: {{postFilter: {{disabled: [{{name: DefaultPreemption}}]}}}}\n\
         workloads:{CLASSES}{}{}",
        pod("victim", "low", "1"),
        later("boss", "high", "1")
    ));
    let boss = events_of(&report, "default/boss-0");
    // No PostFilter ran: the message has no preemption part and nothing is preempted.
    assert_eq!(boss[0].2, "0/1 nodes are available: 1 Insufficient cpu.");
    assert!(boss.iter().all(|e| e.1 != "Scheduled"));
    assert!(events_of(&report, "default/victim")
        .iter()
        .all(|e| e.1 != "Preempted"));
}

#[test]
fn drain_evicts_within_the_pod_disruption_budget_and_retries() {
    // Two 4-cpu nodes, 4 web replicas (2 per node), PDB minAvailable 3. Draining
    // n-0 at 60 s cordons it and evicts one pod (4 healthy − 3 = 1 allowed); the
    // second eviction is refused (429) until the replacement runs on n-1, and the
    // retry 5 s later evicts it.
    let report = run(r#"
duration: 120s
nodePools: [{name: n, count: 2, capacity: {cpu: "4", memory: 8Gi}}]
workloads:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      replicas: 4
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers: [{name: c, image: web, resources: {requests: {cpu: "1"}}}]
  - apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata: {name: web}
    spec: {minAvailable: 3, selector: {matchLabels: {app: web}}}
actions:
  - at: 60s
    drain: {node: n-0}
"#);
    let node_events = events_of(&report, "n-0");
    assert!(
        node_events
            .iter()
            .any(|e| e.0 == 60.0 && e.1 == "NodeNotSchedulable"),
        "{node_events:?}"
    );
    let blocked: Vec<f64> = report
        .recorder
        .events
        .iter()
        .filter(|e| e.reason == "EvictionBlocked")
        .map(|e| e.time.as_secs_f64())
        .collect();
    assert_eq!(blocked, vec![60.0]);
    // At the end every live web pod runs on n-1, and n-0 is cordoned.
    let live: Vec<String> = pod_outcomes(&report)
        .into_iter()
        .zip(report.state.pods())
        .filter(|(_, e)| e.deleted.is_none())
        .map(|(o, _)| o.1)
        .collect();
    assert_eq!(live, vec!["n-1"; 4]);
    assert!(report.state.nodes()[0].unschedulable);
}

#[test]
fn drain_of_an_unknown_node_is_an_error() {
    let e = errors(
        "nodePools: [{name: n, count: 1, capacity: {cpu: \"1\"}}]\nactions:\n  - at: 1s\n    drain: {node: m-0}\n",
    );
    assert!(
        e.contains("test.yaml:4:19: actions[0].drain.node: no node named \"m-0\" in this scenario"),
        "{e}"
    );
    // A pool's node beyond its count exists only once an earlier addNodes adds it.
    let pool = "nodePools: [{name: n, count: 1, capacity: {cpu: \"1\"}}]\nactions:\n";
    let e = errors(&format!("{pool}  - {{at: 1s, drain: {{node: n-1}}}}\n"));
    assert!(
        e.contains("actions[0].drain.node: no node named \"n-1\""),
        "{e}"
    );
    let later = format!("{pool}  - {{at: 1s, drain: {{node: n-1}}}}\n  - {{at: 2s, addNodes: {{pool: n, count: 1}}}}\n");
    assert!(errors(&later).contains("no node named \"n-1\""));
    crate::tests::scenario(&format!(
        "{pool}  - {{at: 1s, addNodes: {{pool: n, count: 1}}}}\n  - {{at: 2s, drain: {{node: n-1}}}}\n"
    ));
}

#[test]
fn preemption_diagnosis_names_what_still_does_not_fit() {
    // n-0 holds a low pod (500m) but boss needs 2 cpu: even without it boss does
    // not fit, so the node's entry is the filter's reason (selectVictimsOnNode).
    let report = run(&format!(
        "duration: 10s\nnodePools: [{{name: n, count: 1, capacity: {{cpu: \"1\", memory: 1Gi}}}}]\nworkloads:{CLASSES}{}{}",
        pod("small", "low", "500m"),
        later("boss", "high", "2")
    ));
    assert_eq!(
        events_of(&report, "default/boss-0")[0].2,
        "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: \
         1 Insufficient cpu."
    );
}

/// PostFilter as decisions_summary.csv and decisions.csv record it: both
/// nodes are candidates (a's one victim, b's two, all of priority 10); the
/// pick is a, decided by the sum of victim priorities (each victim adds
/// about 2^31 after upstream's shift, so fewer victims win there already).
#[test]
fn explain_records_the_preemption_candidates_and_the_criterion_of_the_pick() {
    let on = |name: &str, node: &str, cpu: &str| {
        pod(name, "low", cpu).replace(
            "terminationGracePeriodSeconds: 5",
            &format!("terminationGracePeriodSeconds: 5\n      nodeName: {node}"),
        )
    };
    let s = scenario(&format!(
        "duration: 30s\nnodePools: [{{name: n, count: 2, capacity: {{cpu: \"1\", memory: 1Gi}}}}]\nworkloads:{CLASSES}{}{}{}{}",
        on("a", "n-0", "1"),
        on("b1", "n-1", "500m"),
        on("b2", "n-1", "500m"),
        later("boss", "high", "1")
    ));
    let options = crate::sim::RunOptions {
        explain_pod: crate::scheduler::ExplainFilter::Prefix("boss".into()),
        ..Default::default()
    };
    let report = crate::sim::simulate(&s, s.seed, &options);
    let post_filter =
        |r: &&crate::scheduler::explain::SummaryRow| r.stage == "postfilter" && r.attempt == 1;
    let summary: Vec<_> = (report.explain_summary.iter().filter(post_filter))
        .map(|r| (r.code, r.reason.as_str(), r.nodes, r.rank, r.node.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            ("Success", "candidates", Some(2), None, ""),
            (
                "Success",
                "picked by smallest sum of victim priorities: \
                 victims default/a (priority 10); pdb violations 0",
                None,
                Some(1),
                "n-0"
            ),
        ]
    );
    let mut candidates: Vec<(&str, &str)> = (report.decisions.iter())
        .filter(|r| r.stage == "postfilter" && r.status.starts_with("candidate:"))
        .map(|r| (r.node.as_str(), r.status.as_str()))
        .collect();
    candidates.sort();
    assert_eq!(
        candidates,
        [
            (
                "n-0",
                "candidate: victims default/a (priority 10); pdb violations 0"
            ),
            (
                "n-1",
                "candidate: victims default/b1 (priority 10) default/b2 (priority 10); \
                 pdb violations 0"
            ),
        ]
    );
    // The preemptor is nominated to the node picked.
    let boss = report
        .state
        .pods()
        .iter()
        .find(|e| e.pod.metadata.name == "boss-0");
    let nominated = boss.unwrap().status.nominated_node_name.as_deref();
    assert_eq!(nominated, Some("n-0"));
}

/// A preemption that finds no victims says so with its message.
#[test]
fn explain_records_a_preemption_that_found_no_candidate() {
    let s = scenario(&format!(
        "duration: 30s\nnodePools: [{{name: n, count: 1, capacity: {{cpu: \"1\", memory: 1Gi}}}}]\nworkloads:{CLASSES}{}{}",
        pod("a", "high", "1"),
        later("b", "high", "1")
    ));
    let options = crate::sim::RunOptions {
        explain: crate::scheduler::ExplainFilter::Prefix("b".into()),
        ..Default::default()
    };
    let report = crate::sim::simulate(&s, s.seed, &options);
    let rows: Vec<(&str, &str)> = (report.explain_summary.iter())
        .filter(|r| r.stage == "postfilter" && r.attempt == 1)
        .map(|r| (r.code, r.reason.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            ("Success", "candidates"),
            (
                "Unschedulable",
                "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
            ),
        ]
    );
}
