use super::straight::{score_visited, straight_total, PodRequests};
use super::*;
use crate::engine::{EventQueue, SimTime};
use crate::model::affinity::{NodeAffinity, NodeSelectorTerm};
use crate::model::labels::{LabelSelector, Operator, Requirement};
use crate::model::pod::fixtures::pod;
use crate::model::resources::{ResourceNames, Resources};
use crate::model::store::PodId;
use crate::model::taints::{Taint, TaintEffect, Toleration, TolerationOperator};
use crate::model::topology::{
    InclusionPolicy, PodAffinityTerm, TopologySpreadConstraint, WhenUnsatisfiable,
};
use crate::scheduler::columns::ScoreRow;
use crate::scheduler::config::{PluginSet, SchedulerConfig};
use crate::scheduler::plugins::node_resources_fit::{NodeResourcesFit, UtilizationShapePoint};
use crate::scheduler::plugins::resource_allocation::ResourceSpec;
use crate::scheduler::plugins::test_nodes::node;
use crate::scheduler::{Explained, Scheduler, SchedulerEvent, SchedulerOptions};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const GIB: i64 = 1 << 30;
const EXTENDED: &str = "example.com/foo";

fn taint(key: &str, effect: TaintEffect) -> Taint {
    Taint {
        key: key.into(),
        value: "x".into(),
        effect,
    }
}

/// A random cluster: varied allocatable (sometimes zero cpu or memory,
/// unless `regular`), cordons and NoSchedule/NoExecute taints unless
/// `plain`, PreferNoSchedule taints when `prefer_no_schedule`, an extended
/// resource, zone and hostname labels, and random usage by pods labelled
/// `app=a` or `app=b`.
fn random_cluster(seed: u64, plain: bool, prefer_no_schedule: bool, regular: bool) -> ClusterState {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut names = ResourceNames::default();
    let ResourceName::Extended(ext) = names.intern(EXTENDED).unwrap() else {
        unreachable!()
    };
    let mut state = ClusterState::new(names);
    let n_nodes = rng.gen_range(1..160);
    for i in 0..n_nodes {
        let mut n = node(&format!("n{i}"), "1", "1Gi").node;
        n.allocatable.cpu_millis = if rng.gen_bool(0.03) && !regular {
            0
        } else {
            rng.gen_range(500..16_000)
        };
        n.allocatable.memory_bytes = if rng.gen_bool(0.03) && !regular {
            0
        } else {
            rng.gen_range(GIB / 2..64 * GIB)
        };
        if rng.gen_bool(0.3) {
            n.allocatable.extended[ext.0 as usize] = rng.gen_range(1..4);
        }
        n.allocatable_pods = rng.gen_range(1..12);
        n.capacity = n.allocatable;
        n.unschedulable = rng.gen_bool(0.08) && !plain;
        if rng.gen_bool(0.15) && !plain {
            n.taints.push(taint("dedicated", TaintEffect::NoSchedule));
        }
        if rng.gen_bool(0.05) && !plain {
            n.taints.push(taint("evict", TaintEffect::NoExecute));
        }
        if prefer_no_schedule && rng.gen_bool(0.2) {
            n.taints.push(taint("soft", TaintEffect::PreferNoSchedule));
        }
        n.metadata.labels.insert(
            crate::model::node::LABEL_TOPOLOGY_ZONE.into(),
            format!("zone-{}", i % 3),
        );
        n.metadata
            .labels
            .insert(crate::model::node::LABEL_HOSTNAME.into(), format!("n{i}"));
        state.add_node(n);
    }
    for i in 0..n_nodes * 3 {
        let node_id = NodeId(rng.gen_range(0..n_nodes) as u32);
        let p = random_pod(&mut rng, format!("existing-{i}"), false);
        let usage = state.node_usage(node_id);
        let node = state.node(node_id);
        let mut after: Resources = usage.requested;
        after += &p.requests;
        if after.fits_within(&node.allocatable) && usage.pod_count < node.allocatable_pods {
            let id = state.add_pod(p, SimTime::ZERO);
            state.bind(id, node_id, SimTime::ZERO);
        }
    }
    state
}

/// A random pod labelled `app=a` or `app=b`: zero or varied requests,
/// sometimes an extended resource, a toleration, a node selector, a node
/// name or a higher priority; when `constrained`, often also required node
/// affinity, a topology spread constraint or required pod anti-affinity
/// (the shapes the general path scores).
fn random_pod(rng: &mut ChaCha8Rng, name: String, constrained: bool) -> Pod {
    let cpu = if rng.gen_bool(0.2) {
        0
    } else {
        rng.gen_range(50..4_000)
    };
    let memory = if rng.gen_bool(0.2) {
        0
    } else {
        rng.gen_range(1..8 * GIB)
    };
    let extended = if rng.gen_bool(0.1) { 1 } else { 0 };
    let tolerate = rng.gen_bool(0.3);
    let tolerate_soft = rng.gen_bool(0.3);
    let selector = rng.gen_bool(0.05);
    let node_name = rng
        .gen_bool(0.03)
        .then(|| format!("n{}", rng.gen_range(0..5)));
    let priority = if rng.gen_bool(0.1) { 100 } else { 0 };
    // Half the zero requests are written as an explicit "0", which scoring
    // keeps at 0 instead of the 100m / 200Mi defaults.
    let explicit_zero = rng.gen_bool(0.5);
    let app = if rng.gen_bool(0.5) { "a" } else { "b" };
    let constraint = if constrained { rng.gen_range(0..6) } else { 0 };
    let mut p = pod(&name)
        .spec(|s| {
            constrain(s, constraint);
            s.containers[0].requests.cpu_millis = cpu;
            s.containers[0].requests.memory_bytes = memory;
            s.containers[0].requests_set.cpu = explicit_zero;
            s.containers[0].requests_set.memory = explicit_zero;
            s.containers[0].requests.extended[0] = extended;
            for (yes, key, effect) in [
                (tolerate, "dedicated", TaintEffect::NoSchedule),
                (tolerate_soft, "soft", TaintEffect::PreferNoSchedule),
            ] {
                if yes {
                    s.tolerations.push(Toleration {
                        key: key.into(),
                        operator: TolerationOperator::Exists,
                        value: String::new(),
                        effect: Some(effect),
                        toleration_seconds: None,
                    });
                }
            }
            if selector {
                s.node_selector.insert(
                    crate::model::node::LABEL_TOPOLOGY_ZONE.into(),
                    "zone-1".into(),
                );
            }
            s.node_name = node_name;
            s.priority = priority;
        })
        .build();
    p.metadata.labels.insert("app".into(), app.into());
    p
}

/// `app=a`.
fn app_a() -> LabelSelector {
    let mut selector = LabelSelector::default();
    selector.match_labels.insert("app".into(), "a".into());
    selector
}

/// Nothing (0), required node affinity to zones 0 and 1 (1), a topology
/// spread constraint by zone over `app=a` (2), required anti-affinity by
/// hostname to `app=a` (3), spread by hostname with maxSkew 2 and minDomains
/// over `app=b` (4), or a node selector on a zone that a node update may
/// give or take away (5).
fn constrain(s: &mut crate::model::PodSpec, constraint: u32) {
    use crate::model::node::{LABEL_HOSTNAME, LABEL_TOPOLOGY_ZONE};
    match constraint {
        4 => s
            .topology_spread_constraints
            .push(TopologySpreadConstraint {
                max_skew: 2,
                topology_key: LABEL_HOSTNAME.into(),
                when_unsatisfiable: WhenUnsatisfiable::DoNotSchedule,
                label_selector: Some({
                    let mut selector = LabelSelector::default();
                    selector.match_labels.insert("app".into(), "b".into());
                    selector
                }),
                min_domains: Some(200),
                node_affinity_policy: InclusionPolicy::Honor,
                node_taints_policy: InclusionPolicy::Honor,
                match_label_keys: vec![],
            }),
        5 => {
            s.node_selector
                .insert(LABEL_TOPOLOGY_ZONE.into(), "zone-3".into());
        }
        1 => {
            s.affinity.node_affinity = Some(NodeAffinity {
                required: Some(vec![NodeSelectorTerm {
                    match_expressions: vec![Requirement {
                        key: LABEL_TOPOLOGY_ZONE.into(),
                        operator: Operator::In,
                        values: vec!["zone-0".into(), "zone-1".into()],
                    }],
                    match_fields: vec![],
                }]),
                preferred: vec![],
            })
        }
        2 => s
            .topology_spread_constraints
            .push(TopologySpreadConstraint {
                max_skew: 1,
                topology_key: LABEL_TOPOLOGY_ZONE.into(),
                when_unsatisfiable: WhenUnsatisfiable::DoNotSchedule,
                label_selector: Some(app_a()),
                min_domains: None,
                node_affinity_policy: InclusionPolicy::Honor,
                node_taints_policy: InclusionPolicy::Ignore,
                match_label_keys: vec![],
            }),
        3 => s.affinity.pod_anti_affinity.required.push(PodAffinityTerm {
            label_selector: Some(app_a()),
            namespaces: vec![],
            namespace_selector: None,
            topology_key: LABEL_HOSTNAME.into(),
            match_label_keys: vec![],
            mismatch_label_keys: vec![],
        }),
        _ => {}
    }
}

/// Scheduler configurations: the default one, MostAllocated with
/// weights, BalancedAllocation over memory, cpu and an extended
/// resource, TaintToleration's score disabled, and
/// RequestedToCapacityRatio (never fused).
fn config(case: u64, names: &mut ResourceNames) -> SchedulerConfig {
    let mut config = SchedulerConfig {
        percentage_of_nodes_to_score: [None, Some(100), Some(30)][(case % 3) as usize],
        ..Default::default()
    };
    let profile = &mut config.profiles[0];
    if case % 7 == 2 {
        // addedAffinity: every pod's NodeAffinity filters, the profile's
        // terms first (nodes of zone-2 fail them).
        profile.added_affinity = Some(NodeAffinity {
            required: Some(vec![NodeSelectorTerm {
                match_expressions: vec![Requirement {
                    key: crate::model::node::LABEL_TOPOLOGY_ZONE.into(),
                    operator: Operator::NotIn,
                    values: vec!["zone-2".into()],
                }],
                match_fields: vec![],
            }]),
            preferred: vec![],
        });
    }
    let spec = |name, weight| ResourceSpec { name, weight };
    match (case / 3) % 5 {
        0 => {}
        1 => {
            profile.fit_args = NodeResourcesFit {
                strategy: ScoringStrategy::MostAllocated,
                resources: vec![spec(ResourceName::Cpu, 2), spec(ResourceName::Memory, 1)],
                ..Default::default()
            }
        }
        2 => {
            profile.balanced_resources = vec![
                spec(ResourceName::Memory, 1),
                spec(ResourceName::Cpu, 1),
                spec(names.intern(EXTENDED).unwrap(), 1),
            ]
        }
        3 => {
            profile.score = PluginSet {
                enabled: vec![],
                disabled: vec![taint_toleration::NAME.into()],
            }
        }
        _ => {
            let point = |utilization, score| UtilizationShapePoint { utilization, score };
            profile.fit_args.strategy = ScoringStrategy::RequestedToCapacityRatio {
                shape: vec![point(0, 0), point(100, 10)],
            }
        }
    }
    config
}

#[test]
fn division_by_reciprocal_is_exact() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for _ in 0..200_000 {
        let b: i64 = match rng.gen_range(0..3) {
            0 => rng.gen_range(1..10),
            1 => rng.gen_range(1..100_000),
            _ => rng.gen_range(1..1 << 50),
        };
        // Scores: a up to MAX_NODE_SCORE·b, often exact multiples.
        let q = rng.gen_range(0..=MAX_NODE_SCORE);
        let a = match rng.gen_range(0..3) {
            0 => q * b,
            1 => (q * b - 1).max(0),
            _ => rng.gen_range(0..=MAX_NODE_SCORE * b),
        };
        assert_eq!(divide(a, b, 1.0 / b as f64), a / b, "{a} / {b}");
    }
}

/// Random fractions, and the near-integer cases the guard exists for:
/// equal fractions (score exactly 100), fractions whose difference is a
/// multiple of 2 %, caps above 1, and zero allocatable.
#[test]
fn balanced_score_by_reciprocal_is_exact() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let fraction = |requested: i64, allocatable: i64| Fraction {
        requested,
        allocatable,
        inverse_allocatable: if allocatable == 0 {
            0.0
        } else {
            1.0 / allocatable as f64
        },
    };
    for _ in 0..300_000 {
        let allocatable = |rng: &mut ChaCha8Rng| match rng.gen_range(0..4) {
            0 => 0,
            1 => rng.gen_range(1..100),
            2 => rng.gen_range(1..1_000_000),
            _ => rng.gen_range(1..1i64 << 42),
        };
        let (aa, ab) = (allocatable(&mut rng), allocatable(&mut rng));
        let ra = rng.gen_range(0..=aa + aa / 4 + 1);
        let rb = match rng.gen_range(0..4) {
            // The same fraction as a, when the numbers allow it.
            0 if aa != 0 => (ra as i128 * ab as i128 / aa as i128) as i64,
            // A difference of k·2 % of allocatable.
            1 => {
                (ra as i128 * ab as i128 / aa.max(1) as i128) as i64 + ab / 50 * rng.gen_range(0..5)
            }
            _ => rng.gen_range(0..=ab + ab / 4 + 1),
        };
        assert_eq!(
            balanced_score(fraction(ra, aa), fraction(rb, ab)),
            balanced_two_resource_score(ra, aa, rb, ab),
            "{ra}/{aa} {rb}/{ab}"
        );
    }
}

fn deliver(state: &mut ClusterState, scheduler: &mut Scheduler) {
    let mut events: EventQueue<SchedulerEvent> = EventQueue::new();
    while let Some(w) = state.next_watch_event() {
        scheduler.on_watch(w, state, &mut events);
    }
}

/// The pods a differential run feeds both schedulers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pods {
    /// Half the pods repeat the previous one's shape, like a workload's
    /// replicas; clusters with odd allocatable, cordons and taints.
    Mixed,
    /// Every pod its own requests, as in a recorded trace, on clusters
    /// whose allocatable the straight-line scores take.
    Heterogeneous,
    /// Heterogeneous pods, most with node affinity, topology spread or pod
    /// anti-affinity.
    Constrained,
}

/// What a differential run saw.
#[derive(Default)]
struct Seen {
    cycles: u64,
    fused_cycles: u64,
    patched: u64,
    straight: u64,
    visited_columns: u64,
    quick_passes: u64,
    quick_patched: u64,
}

/// Runs the same pods through two identical clusters, one scheduler with
/// the fused pass and one without, and compares every cycle: the
/// feasible nodes, their totals, the failures, where the next cycle
/// starts, the binding and the events.
fn compare_with_general_path(cases: std::ops::Range<u64>, pods: Pods) -> Seen {
    let mut seen = Seen::default();
    for case in cases {
        let prefer_no_schedule = case % 4 == 3;
        // Without cordons and taints, passes over every node are patched.
        let plain = case % 4 == 1;
        let regular = pods != Pods::Mixed;
        let mut states = [
            random_cluster(case, plain, prefer_no_schedule, regular),
            random_cluster(case, plain, prefer_no_schedule, regular),
        ];
        let mut schedulers = [0, 1].map(|k| {
            // random_cluster has interned EXTENDED already: the copy gains nothing.
            let config = config(case, &mut states[k].resource_names().clone());
            let options = SchedulerOptions {
                fused: k == 0,
                ..SchedulerOptions::default()
            };
            Scheduler::new(config, options)
        });
        let mut tie_breaks = [0, 1].map(|_| ChaCha8Rng::seed_from_u64(case));
        let mut rng = ChaCha8Rng::seed_from_u64(1000 + case);
        let mut previous: Option<Pod> = None;
        for step in 0..80 {
            let name = format!("p-{step}");
            let p = match previous.take() {
                Some(p) if pods != Pods::Heterogeneous && rng.gen_bool(0.5) => Pod::new(
                    crate::model::meta::ObjectMeta {
                        name,
                        ..p.metadata.clone()
                    },
                    p.spec.clone(),
                ),
                _ => random_pod(&mut rng, name, pods == Pods::Constrained),
            };
            previous = Some(p.clone());
            // Sometimes a pod ends or a node changes, in both clusters.
            let delete = rng.gen_bool(0.2).then(|| rng.gen_range(0..1000usize));
            let update = rng
                .gen_bool(if plain { 0.01 } else { 0.05 })
                .then(|| rng.gen_range(0..1000usize));
            let mut ids = [PodId(0); 2];
            for k in 0..2 {
                let (state, scheduler) = (&mut states[k], &mut schedulers[k]);
                if let Some(d) = delete.filter(|_| !state.bound_pods().is_empty()) {
                    let victim = *state
                        .bound_pods()
                        .iter()
                        .nth(d % state.bound_pods().len())
                        .unwrap();
                    state.delete_pod(victim, SimTime::ZERO);
                }
                if let Some(u) = update {
                    let id = NodeId((u % state.nodes().len()) as u32);
                    let relabel = pods == Pods::Constrained && u % 2 == 0;
                    state.update_node(id, |n| {
                        if relabel {
                            // Into zone-3 (which node selectors ask for) and back.
                            let zone = n
                                .metadata
                                .labels
                                .entry(crate::model::node::LABEL_TOPOLOGY_ZONE.into())
                                .or_default();
                            *zone = if zone == "zone-3" {
                                format!("zone-{}", u % 3)
                            } else {
                                "zone-3".into()
                            };
                            return;
                        }
                        n.unschedulable = !n.unschedulable;
                        if n.taints.pop().is_none() {
                            n.taints.push(taint("dedicated", TaintEffect::NoSchedule));
                        }
                    });
                }
                ids[k] = state.add_pod(p.clone(), SimTime::ZERO);
                deliver(state, scheduler);
                let mut events: EventQueue<SchedulerEvent> = EventQueue::new();
                scheduler.handle(
                    SchedulerEvent::ScheduleOne,
                    state,
                    &mut events,
                    &mut tie_breaks[k],
                    &mut Explained::default(),
                );
                deliver(state, scheduler);
            }
            let [a, b] = &schedulers;
            let context = format!("case {case} step {step}");
            assert_eq!(a.scratch.feasible, b.scratch.feasible, "{context}");
            assert_eq!(a.scratch.failures, b.scratch.failures, "{context}");
            if a.scratch.feasible.len() > 1 {
                assert_eq!(a.scratch.totals, b.scratch.totals, "{context}");
            }
            assert_eq!(
                a.next_start_node_index, b.next_start_node_index,
                "{context}"
            );
            assert_eq!(
                states[0].pod(ids[0]).node,
                states[1].pod(ids[1]).node,
                "{context}"
            );
            let [ea, eb] = states.each_mut().map(|s| {
                s.drain_events()
                    .map(|e| format!("{} {} {}", e.object, e.reason, e.message))
                    .collect::<Vec<_>>()
            });
            assert_eq!(ea, eb, "{context}");
            seen.cycles += 1;
        }
        assert_eq!(schedulers[1].fused_cycles, 0);
        seen.fused_cycles += schedulers[0].fused_cycles;
        seen.patched += schedulers[0].last_pass.patched;
        seen.straight += schedulers[0].last_pass.straight;
        seen.visited_columns += schedulers[0].last_pass.visited_columns;
        seen.quick_passes += schedulers[0].last_pass.quick_passes;
        seen.quick_patched += schedulers[0].last_pass.quick_patched;
    }
    seen
}

#[test]
fn fused_pass_matches_the_general_path() {
    let seen = compare_with_general_path(0..60, Pods::Mixed);
    let Seen {
        cycles,
        fused_cycles,
        patched,
        ..
    } = seen;
    // The comparison means something only if the fused pass ran often,
    // and patched passes often.
    assert!(
        fused_cycles * 3 > cycles,
        "{fused_cycles} of {cycles} cycles fused"
    );
    assert!(patched >= 50, "{patched} of {cycles} cycles patched");
}

/// Pods that all differ take the straight-line scores, whose totals must
/// be the general path's to the integer.
#[test]
fn fused_pass_matches_the_general_path_on_heterogeneous_pods() {
    let Seen {
        cycles,
        straight,
        visited_columns,
        ..
    } = compare_with_general_path(100..160, Pods::Heterogeneous);
    assert!(
        straight * 4 > cycles,
        "{straight} of {cycles} cycles took the straight-line scores"
    );
    // Both ways: over the columns and row by row.
    assert!(
        visited_columns * 8 > straight && visited_columns * 8 < straight * 7,
        "{visited_columns} of {straight} straight-line passes over the columns"
    );
}

/// Pods with node affinity, a node selector, topology spread or required
/// pod anti-affinity take the fused pass with those plugins' quick filters
/// (node affinity from the second pod with the same requirement on), and
/// so do pods that a bound pod's required anti-affinity matches; passes are
/// patched like the others. Half the pods repeat the previous one, and node
/// updates move nodes between zones. (Most cycles here take the general
/// path for other reasons: InterPodAffinity's score runs for every pod once
/// a pod with anti-affinity is bound, preemptors are nominated, extended
/// resources, configurations the pass does not compute.)
#[test]
fn fused_pass_matches_the_general_path_on_constrained_pods() {
    let Seen {
        cycles,
        fused_cycles,
        straight,
        quick_passes,
        quick_patched,
        ..
    } = compare_with_general_path(200..290, Pods::Constrained);
    assert!(
        straight > 0 && fused_cycles < cycles,
        "{fused_cycles} of {cycles} cycles fused, {straight} straight"
    );
    assert!(
        quick_passes * 2 > fused_cycles && quick_passes > 400 && quick_patched > 20,
        "{quick_passes} of {cycles} cycles with quick filters, {quick_patched} patched, {fused_cycles} fused"
    );
}

/// `straight_total` against the plugins' own functions on random nodes and
/// pods, with the edge cases of its arithmetic: requests above capacity,
/// quotients that are exact integers, equal fractions (balance exactly 100).
/// How much of `c` a node or pod uses: a whole percentage, half, or any
/// amount up to a quarter above it.
fn used(rng: &mut ChaCha8Rng, c: i64) -> i64 {
    match rng.gen_range(0..4) {
        0 => c / 100 * rng.gen_range(0..=100),
        1 => c / 2,
        _ => rng.gen_range(0..=c + c / 4),
    }
}

/// A node of small, middling or huge capacity, used by `used`.
fn random_entry(rng: &mut ChaCha8Rng) -> NodeEntry {
    let capacity = |rng: &mut ChaCha8Rng| match rng.gen_range(0..3) {
        0 => rng.gen_range(1..100),
        1 => rng.gen_range(1..1_000_000),
        _ => rng.gen_range(1..crate::scheduler::snapshot::ROOMY),
    };
    let (cpu, memory) = (capacity(rng), capacity(rng));
    NodeEntry {
        allocatable_cpu_millis: cpu,
        allocatable_memory_bytes: memory,
        inverse_allocatable_cpu: 1.0 / cpu as f64,
        inverse_allocatable_memory: 1.0 / memory as f64,
        requested_cpu_millis: used(rng, cpu),
        requested_memory_bytes: used(rng, memory),
        non_zero_requested_cpu_millis: used(rng, cpu),
        non_zero_requested_memory_bytes: used(rng, memory),
    }
}

#[test]
fn straight_scores_equal_the_plugins() {
    use crate::scheduler::plugins::node_resources_fit::{
        least_requested_score, most_requested_score,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    for _ in 0..200_000 {
        let e = random_entry(&mut rng);
        let (cpu, memory) = (e.allocatable_cpu_millis, e.allocatable_memory_bytes);
        let pod_cpu = used(&mut rng, cpu) / 4;
        // Sometimes the same fraction of memory as the node's cpu with the pod.
        let pod_memory = if rng.gen_bool(0.2) {
            (((e.requested_cpu_millis + pod_cpu) as i128 * memory as i128 / cpu as i128) as i64
                - e.requested_memory_bytes)
                .max(0)
        } else {
            used(&mut rng, memory) / 4
        };
        let (nz_cpu, nz_memory) = (pod_cpu.max(rng.gen_range(0..200)), pod_memory);
        let (fit_weight, balanced_weight) = (rng.gen_range(1..=100), rng.gen_range(1..=100));
        let constant = MAX_NODE_SCORE * rng.gen_range(0..=100);
        let pod = PodRequests {
            requested: [pod_cpu as f64, pod_memory as f64],
            non_zero: [nz_cpu as f64, nz_memory as f64],
            constant: constant as f64,
            fit_weight: fit_weight as f64,
            balanced_weight: balanced_weight as f64,
        };
        let row = e.score_row();
        let balanced = balanced_two_resource_score(
            e.requested_cpu_millis + pod_cpu,
            cpu,
            e.requested_memory_bytes + pod_memory,
            memory,
        );
        let fit = |score: fn(i64, i64) -> i64| {
            (score(e.non_zero_requested_cpu_millis + nz_cpu, cpu)
                + score(e.non_zero_requested_memory_bytes + nz_memory, memory))
                / 2
        };
        let expected = |fit: i64| constant + fit * fit_weight + balanced * balanced_weight;
        let context = format!("{e:?} pod {pod_cpu} {pod_memory} non-zero {nz_cpu} {nz_memory}");
        assert_eq!(
            straight_total::<false>(&pod, &row),
            expected(fit(least_requested_score)),
            "least {context}"
        );
        assert_eq!(
            straight_total::<true>(&pod, &row),
            expected(fit(most_requested_score)),
            "most {context}"
        );
    }
}

/// `score_visited` over the columns (vectorised where the processor
/// allows) gives each feasible node `straight_total` of its row, for any
/// visiting order, start and number of nodes visited.
#[test]
fn scores_over_the_columns_equal_the_rows() {
    use crate::scheduler::columns::ScoreColumns;
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    for _ in 0..300 {
        let n = rng.gen_range(1..70);
        let rows: Vec<ScoreRow> = (0..n).map(|_| random_entry(&mut rng).score_row()).collect();
        let mut order: Vec<NodeId> = (0..n as u32).map(NodeId).collect();
        order.shuffle(&mut rng);
        let mut columns = ScoreColumns::default();
        columns.arrange(&order, &rows);
        let start = rng.gen_range(0..n);
        let visited = rng.gen_range(0..=n);
        let found: Vec<NodeId> = (0..visited)
            .map(|k| order[(start + k) % n])
            .filter(|_| rng.gen_bool(0.8))
            .collect();
        let pod = PodRequests {
            requested: [
                rng.gen_range(0..5000) as f64,
                rng.gen_range(0..1i64 << 33) as f64,
            ],
            non_zero: [
                rng.gen_range(100..5000) as f64,
                rng.gen_range(1i64 << 20..1 << 33) as f64,
            ],
            constant: (MAX_NODE_SCORE * rng.gen_range(0..=100)) as f64,
            fit_weight: rng.gen_range(1..=100) as f64,
            balanced_weight: rng.gen_range(1..=100) as f64,
        };
        for most in [false, true] {
            let (mut scratch, mut totals) = (Vec::new(), Vec::new());
            let straight = if most {
                Straight::Most
            } else {
                Straight::Least
            };
            let visited_range = start..start + visited;
            score_visited(
                straight,
                &pod,
                &columns,
                visited_range,
                &found,
                &mut scratch,
                &mut totals,
            );
            let expected: Vec<i64> = found
                .iter()
                .map(|id| {
                    let row = &rows[id.0 as usize];
                    if most {
                        straight_total::<true>(&pod, row)
                    } else {
                        straight_total::<false>(&pod, row)
                    }
                })
                .collect();
            assert_eq!(
                totals, expected,
                "most {most} start {start} visited {visited}"
            );
        }
    }
}
