//! The bundled scheduler scenarios run, with the outcomes their comments promise.

use crate::sim::{simulate, RunOptions, RunReport};
use std::collections::BTreeMap;

fn run_bundled(name: &str) -> RunReport {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.yaml"));
    let s = crate::scenario::decode::load(&path)
        .unwrap_or_else(|d| panic!("{d}"))
        .scenario;
    simulate(
        &s,
        s.seed,
        &RunOptions {
            check_invariants: true,
            events: crate::metrics::events::EventsMode::All,
            ..Default::default()
        },
    )
}

/// Running pods whose name starts with `prefix`, counted per label value of the node.
fn running_by(report: &RunReport, prefix: &str, node_label: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for e in report.state.pods() {
        if e.deleted.is_none() && e.holds_resources() && e.pod.metadata.name.starts_with(prefix) {
            let node = report.state.node(e.node.unwrap());
            let key = node
                .metadata
                .labels
                .get(node_label)
                .cloned()
                .unwrap_or_default();
            *out.entry(key).or_default() += 1;
        }
    }
    out
}

fn pending(report: &RunReport, prefix: &str) -> usize {
    report
        .state
        .pods()
        .iter()
        .filter(|e| {
            e.deleted.is_none() && e.node.is_none() && e.pod.metadata.name.starts_with(prefix)
        })
        .count()
}

#[test]
fn zone_spread_keeps_zones_within_max_skew() {
    // Zone c fits 2 replicas, so a and b hold at most 2 + maxSkew 1 = 3 each; 4 pend.
    let report = run_bundled("zone-spread");
    let by_zone = running_by(&report, "web-", "topology.kubernetes.io/zone");
    assert_eq!(
        by_zone,
        [
            ("zone-a".to_string(), 3),
            ("zone-b".to_string(), 3),
            ("zone-c".to_string(), 2)
        ]
        .into()
    );
    assert_eq!(pending(&report, "web-"), 4);
    // The hostname constraint (ScheduleAnyway) puts at most one replica per node in a and b.
    let by_node = running_by(&report, "web-", "kubernetes.io/hostname");
    assert!(
        by_node
            .iter()
            .filter(|(n, _)| !n.starts_with("c-"))
            .all(|(_, &c)| c == 1),
        "{by_node:?}"
    );
}

#[test]
fn anti_affinity_runs_one_cache_replica_per_node() {
    let report = run_bundled("anti-affinity");
    let by_node = running_by(&report, "cache-", "kubernetes.io/hostname");
    assert_eq!(by_node.len(), 6);
    assert!(by_node.values().all(|&c| c == 1), "{by_node:?}");
    assert_eq!(pending(&report, "cache-"), 2);
    // Every web pod shares its node with a cache replica (preferred affinity, weight 100).
    let web = running_by(&report, "web-", "kubernetes.io/hostname");
    assert_eq!(web.values().sum::<usize>(), 4);
    assert!(web.keys().all(|n| by_node.contains_key(n)), "{web:?}");
}

#[test]
fn priority_preemption_makes_room_for_web_and_not_for_polite_pods() {
    let report = run_bundled("priority-preemption");
    assert_eq!(
        running_by(&report, "web-", "kubernetes.io/hostname")
            .values()
            .sum::<usize>(),
        8
    );
    let preempted = report
        .recorder
        .events
        .iter()
        .filter(|e| e.reason == "Preempted")
        .count();
    assert_eq!(preempted, 8);
    // The report pod's class has preemptionPolicy Never: it never runs.
    assert_eq!(pending(&report, "report-"), 1);
    // 40 batch replicas on 40 cpus; 8 gave way to web and their replacements pend.
    assert_eq!(pending(&report, "batch-"), 8);
}

#[test]
fn scheduler_config_file_profiles_spread_and_pack() {
    let report = run_bundled("scheduler-config");
    // Default profile spreads the 8 service replicas one per node.
    let service = running_by(&report, "service-", "kubernetes.io/hostname");
    assert_eq!(service.len(), 8);
    // The bin-packing profile puts the 12 batch replicas on as few nodes as fit them.
    let batch = running_by(&report, "batch-", "kubernetes.io/hostname");
    assert_eq!(batch.values().sum::<usize>(), 12);
    assert!(batch.len() <= 2, "{batch:?}");
}
