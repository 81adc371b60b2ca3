use super::*;
use crate::engine::SimTime;
use crate::model::labels::{Operator, Requirement};
use crate::model::pod::fixtures::pod;
use crate::model::resources::ResourceNames;
use crate::model::WatchEvent;
use crate::scheduler::plugins::test_nodes::node;

/// Nodes (name, zone or "" for none) and bound pods (labels app=foo, node index).
fn cluster(nodes: &[(&str, &str)], pods_on: &[usize]) -> ClusterState {
    let mut state = ClusterState::new(ResourceNames::default());
    for (name, zone) in nodes {
        let mut n = node(name, "64", "64Gi").node;
        n.metadata
            .labels
            .insert(LABEL_HOSTNAME.into(), name.to_string());
        if !zone.is_empty() {
            n.metadata
                .labels
                .insert(LABEL_TOPOLOGY_ZONE.into(), zone.to_string());
        }
        state.add_node(n);
    }
    for (i, &on) in pods_on.iter().enumerate() {
        let mut p = pod(&format!("p{i}")).build();
        p.metadata.labels.insert("app".into(), "foo".into());
        let id = state.add_pod(p, SimTime::ZERO);
        state.bind(id, NodeId(on as u32), SimTime::ZERO);
    }
    state
}

/// `app=<value>`.
fn app(value: &str) -> LabelSelector {
    let mut s = LabelSelector::default();
    s.match_labels.insert("app".into(), value.into());
    s
}

#[test]
fn kept_counts_equal_a_scan_through_binds_terminations_and_deletions() {
    // Pods bound before the counts exist (p0, p1 on n0; p2 on n1), then
    // changes delivered as watch events: a new node, binds, a pod
    // terminating, one finishing, one deleted, and more selectors than
    // are kept, so that `app=foo` is dropped and counted again.
    let mut state = cluster(&[("n0", "a"), ("n1", "b")], &[0, 0, 1]);
    let mut counts = MatchingPodCounts::default();
    let check = |counts: &mut MatchingPodCounts, state: &ClusterState| {
        for sel in [app("foo"), app("bar"), foo_exists()] {
            let kept = counts.per_node("default", &sel, state).to_vec();
            assert_eq!(kept, scan_per_node("default", &sel, state), "{sel:?}");
        }
        assert!(counts
            .per_node("other", &app("foo"), state)
            .iter()
            .all(|&n| n == 0));
    };
    check(&mut counts, &state);
    assert_eq!(counts.per_node("default", &app("foo"), &state), &[2, 1]);
    let deliver = |counts: &mut MatchingPodCounts, state: &mut ClusterState| {
        while let Some(w) = state.next_watch_event() {
            if let WatchEvent::PodBound(id, _)
            | WatchEvent::PodTerminating(id)
            | WatchEvent::PodTerminated(id)
            | WatchEvent::PodDeleted(id) = w
            {
                counts.pod_changed(id, state);
            }
        }
    };
    deliver(&mut counts, &mut state);
    let n2 = state.add_node(node("n2", "64", "64Gi").node);
    let mut bar = pod("q0").build();
    bar.metadata.labels.insert("app".into(), "bar".into());
    let q0 = state.add_pod(bar, SimTime::ZERO);
    state.bind(q0, n2, SimTime::ZERO);
    let mut foo = pod("p3").build();
    foo.metadata.labels.insert("app".into(), "foo".into());
    let p3 = state.add_pod(foo, SimTime::ZERO);
    state.bind(p3, n2, SimTime::ZERO);
    deliver(&mut counts, &mut state);
    check(&mut counts, &state);
    assert_eq!(counts.per_node("default", &app("foo"), &state), &[2, 1, 1]);
    state.request_pod_deletion(PodId(0), SimTime::from_secs(1));
    state.set_phase(
        PodId(2),
        crate::model::PodPhase::Failed,
        SimTime::from_secs(1),
    );
    state.delete_pod(p3, SimTime::from_secs(1));
    deliver(&mut counts, &mut state);
    check(&mut counts, &state);
    assert_eq!(counts.per_node("default", &app("foo"), &state), &[1, 0, 0]);
    for i in 0..MAX_CACHED_SELECTORS {
        counts.per_node("default", &app(&format!("x{i}")), &state);
    }
    assert_eq!(counts.entries.len(), MAX_CACHED_SELECTORS);
    state.delete_pod(PodId(0), SimTime::from_secs(2));
    deliver(&mut counts, &mut state);
    check(&mut counts, &state);
    assert_eq!(counts.per_node("default", &app("foo"), &state), &[1, 0, 0]);
    assert_eq!(counts.per_node("default", &app("bar"), &state), &[0, 0, 1]);
}

fn foo_exists() -> LabelSelector {
    LabelSelector {
        match_labels: Default::default(),
        match_expressions: vec![Requirement {
            key: "app".into(),
            operator: Operator::Exists,
            values: vec![],
        }],
    }
}

fn constraint(key: &str, max_skew: i32, when: WhenUnsatisfiable) -> TopologySpreadConstraint {
    TopologySpreadConstraint {
        max_skew,
        topology_key: key.into(),
        when_unsatisfiable: when,
        label_selector: Some(foo_exists()),
        min_domains: None,
        node_affinity_policy: InclusionPolicy::Honor,
        node_taints_policy: InclusionPolicy::Ignore,
        match_label_keys: vec![],
    }
}

fn incoming(constraints: Vec<TopologySpreadConstraint>) -> Pod {
    let mut p = pod("incoming")
        .spec(|s| s.topology_spread_constraints = constraints)
        .build();
    p.metadata.labels.insert("app".into(), "foo".into());
    p
}

/// Filter verdicts per node: "ok", "skew" or "label".
fn filter_all(state: &ClusterState, pod: &Pod) -> Vec<&'static str> {
    let mut plugin = PodTopologySpread::default();
    plugin.prepare(pod, state);
    (0..state.nodes().len())
        .map(
            |i| match plugin.filter(pod, NodeView::of(state, NodeId(i as u32))) {
                Ok(()) => "ok",
                Err(u) if u.reasons[0] == FilterReason::SpreadMissingLabel => "label",
                Err(_) => "skew",
            },
        )
        .collect()
}

const ZONES: &[(&str, &str)] = &[("a", "z1"), ("b", "z1"), ("x", "z2"), ("y", "z2")];

#[test]
fn skew_is_count_plus_self_minus_global_min() {
    // filtering.go: zone1 holds 2 matching pods, zone2 none; maxSkew 1.
    // zone1: 2 + 1 − 0 = 3 > 1 → rejected; zone2: 0 + 1 − 0 = 1 → fits.
    let state = cluster(ZONES, &[0, 1]);
    let p = incoming(vec![constraint(
        LABEL_TOPOLOGY_ZONE,
        1,
        WhenUnsatisfiable::DoNotSchedule,
    )]);
    assert_eq!(filter_all(&state, &p), ["skew", "skew", "ok", "ok"]);
    // maxSkew 3 allows zone1 as well.
    let p = incoming(vec![constraint(
        LABEL_TOPOLOGY_ZONE,
        3,
        WhenUnsatisfiable::DoNotSchedule,
    )]);
    assert_eq!(filter_all(&state, &p), ["ok", "ok", "ok", "ok"]);
}

#[test]
fn one_plugin_follows_relabelled_and_added_nodes() {
    // The plugin keeps each node's domain between cycles: a node moved to
    // another zone, and a node added, must count where they are now.
    let mut state = cluster(ZONES, &[0, 1]);
    let p = incoming(vec![constraint(
        LABEL_TOPOLOGY_ZONE,
        1,
        WhenUnsatisfiable::DoNotSchedule,
    )]);
    let mut plugin = PodTopologySpread::default();
    let verdicts = |plugin: &mut PodTopologySpread, state: &ClusterState| {
        plugin.prepare(&p, state);
        (0..state.nodes().len())
            .map(|i| {
                plugin
                    .filter(&p, NodeView::of(state, NodeId(i as u32)))
                    .is_ok()
            })
            .collect::<Vec<_>>()
    };
    // z1 holds both pods (2 + 1 − 0 > 1): only z2 fits.
    assert_eq!(verdicts(&mut plugin, &state), [false, false, true, true]);
    // Node b (one pod) moves to z2: z1 = 1, z2 = 1, every node fits.
    state.update_node(NodeId(1), |n| {
        n.metadata
            .labels
            .insert(LABEL_TOPOLOGY_ZONE.into(), "z2".into());
    });
    assert_eq!(verdicts(&mut plugin, &state), [true; 4]);
    // An empty zone z3 appears: the global minimum is 0, so only z3 fits.
    let mut n = node("c", "64", "64Gi").node;
    n.metadata
        .labels
        .insert(LABEL_TOPOLOGY_ZONE.into(), "z3".into());
    state.add_node(n);
    assert_eq!(
        verdicts(&mut plugin, &state),
        [false, false, false, false, true]
    );
}

#[test]
fn min_domains_makes_the_global_min_zero_while_domains_are_missing() {
    // One pod per zone: min 1, so 1 + 1 − 1 = 1 ≤ 1 everywhere. With
    // minDomains 3 and only 2 zones the min counts as 0: 1 + 1 − 0 = 2 > 1.
    let state = cluster(ZONES, &[0, 2]);
    let mut c = constraint(LABEL_TOPOLOGY_ZONE, 1, WhenUnsatisfiable::DoNotSchedule);
    let p = incoming(vec![c.clone()]);
    assert_eq!(filter_all(&state, &p), ["ok", "ok", "ok", "ok"]);
    c.min_domains = Some(3);
    let p = incoming(vec![c]);
    assert_eq!(filter_all(&state, &p), ["skew", "skew", "skew", "skew"]);
}

#[test]
fn node_without_the_key_is_unresolvable_and_not_a_domain() {
    // Node c has no zone: rejected for the missing label, and its pods are not counted.
    let state = cluster(&[("a", "z1"), ("c", ""), ("x", "z2")], &[1, 1, 1]);
    let p = incoming(vec![constraint(
        LABEL_TOPOLOGY_ZONE,
        1,
        WhenUnsatisfiable::DoNotSchedule,
    )]);
    assert_eq!(filter_all(&state, &p), ["ok", "label", "ok"]);
}

#[test]
fn node_affinity_policy_decides_which_domains_count() {
    // zone3's only node is excluded by the pod's nodeSelector. Honor: domains are
    // z1 (2 pods) and z2 (1): min 1, z2 → 1 + 1 − 1 = 1 fits. Ignore: z3 (0) counts,
    // min 0, z2 → 2 > 1 rejected.
    let mut state = cluster(&[("a", "z1"), ("x", "z2"), ("m", "z3")], &[0, 0, 1]);
    for i in 0..2 {
        state.update_node(NodeId(i), |n| {
            n.metadata.labels.insert("pool".into(), "main".into());
        });
    }
    let mut c = constraint(LABEL_TOPOLOGY_ZONE, 1, WhenUnsatisfiable::DoNotSchedule);
    let with_selector = |c: TopologySpreadConstraint| {
        let mut p = incoming(vec![c]);
        std::sync::Arc::make_mut(&mut p.spec)
            .node_selector
            .insert("pool".into(), "main".into());
        p
    };
    assert_eq!(filter_all(&state, &with_selector(c.clone()))[1], "ok");
    c.node_affinity_policy = InclusionPolicy::Ignore;
    assert_eq!(filter_all(&state, &with_selector(c))[1], "skew");
}

#[test]
fn score_prefers_the_emptier_domain_with_log_weights() {
    // scoring.go with a hostname constraint (ScheduleAnyway, maxSkew 1) over 3
    // feasible nodes holding 0, 1 and 2 matching pods: weight ln(3 + 2) = 1.609,
    // raw scores round(0·w) = 0, round(1.609) = 2, round(3.219) = 3; normalized
    // 100·(3 + 0 − s)/3 = 100, 33, 0.
    let state = cluster(&[("a", "z1"), ("b", "z1"), ("c", "z1")], &[1, 2, 2]);
    let p = incoming(vec![constraint(
        LABEL_HOSTNAME,
        1,
        WhenUnsatisfiable::ScheduleAnyway,
    )]);
    let mut plugin = PodTopologySpread::default();
    plugin.prepare(&p, &state);
    assert_eq!(plugin.pre_filter(&p), PreResult::Skip);
    let feasible = [NodeId(0), NodeId(1), NodeId(2)];
    plugin.prepare_score(&p, &state, &feasible);
    let mut scores: Vec<i64> = feasible
        .iter()
        .map(|&id| plugin.score(&p, NodeView::of(&state, id)))
        .collect();
    assert_eq!(scores, [0, 2, 3]);
    plugin.normalize(&p, &mut scores);
    assert_eq!(scores, [100, 33, 0]);
}

#[test]
fn system_defaults_apply_only_to_pods_a_service_selects() {
    use crate::model::meta::ObjectMeta;
    use crate::model::workloads::{ServiceSpec, Workload};
    let mut state = cluster(ZONES, &[0, 0]);
    let mut p = pod("incoming").build();
    p.metadata.labels.insert("app".into(), "foo".into());
    let mut plugin = PodTopologySpread::default();
    plugin.prepare(&p, &state);
    assert_eq!(plugin.pre_score(&p), PreResult::Skip);
    state.add_workload(
        Workload {
            metadata: ObjectMeta {
                name: "svc".into(),
                namespace: "default".into(),
                ..Default::default()
            },
            spec: WorkloadSpec::Service(ServiceSpec {
                selector: Some([("app".to_string(), "foo".to_string())].into()),
            }),
        },
        None,
        SimTime::ZERO,
    );
    plugin.prepare(&p, &state);
    assert_eq!(plugin.pre_score(&p), PreResult::Run);
    // Hostname (maxSkew 3) and zone (maxSkew 5), as in the v1.32 defaults.
    let keys: Vec<(&str, i32)> = plugin
        .score
        .iter()
        .map(|p| (p.constraint.topology_key.as_str(), p.constraint.max_skew))
        .collect();
    assert_eq!(keys, [(LABEL_HOSTNAME, 3), (LABEL_TOPOLOGY_ZONE, 5)]);
}

#[test]
fn system_defaults_apply_to_pods_a_stateful_set_selects() {
    // `helper.DefaultSelector` takes selectors from StatefulSets too.
    use crate::model::labels::LabelSelector;
    use crate::model::meta::ObjectMeta;
    use crate::model::workloads::{
        PodManagementPolicy, PodTemplate, StatefulSetSpec, StatefulSetUpdateStrategy, Workload,
    };
    let mut state = cluster(ZONES, &[0, 0]);
    let mut p = pod("web-0").build();
    p.metadata.labels.insert("app".into(), "web".into());
    let selector = LabelSelector {
        match_labels: [("app".to_string(), "web".to_string())].into(),
        ..Default::default()
    };
    state.add_workload(
        Workload {
            metadata: ObjectMeta {
                name: "web".into(),
                namespace: "default".into(),
                ..Default::default()
            },
            spec: WorkloadSpec::StatefulSet(StatefulSetSpec {
                replicas: 1,
                selector,
                template: PodTemplate {
                    metadata: ObjectMeta::default(),
                    spec: std::sync::Arc::new(p.spec.as_ref().clone()),
                },
                pod_management_policy: PodManagementPolicy::OrderedReady,
                update_strategy: StatefulSetUpdateStrategy::OnDelete,
                min_ready_seconds: 0,
                ordinals_start: 0,
            }),
        },
        None,
        SimTime::ZERO,
    );
    let mut plugin = PodTopologySpread::default();
    plugin.prepare(&p, &state);
    assert_eq!(plugin.pre_score(&p), PreResult::Run);
}
