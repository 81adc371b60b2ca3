//! One scheduling cycle with the default plugins (filter + score + bind), in
//! the shape of upstream scheduler_perf's SchedulingBasic: N nodes of 32 cpu
//! / 128 GiB / 110 pods, each already a quarter full, and pods of 500m / 1 GiB.
//!
//! Limit to approach: a full filter+score pass costs about 1 ns per node per
//! plugin-light pass, so scoring all 5 000 nodes ≈ 5–10 µs per pod, i.e.
//! 100 000–200 000 pods/s; with the adaptive percentageOfNodesToScore (10% at
//! 5 000 nodes) about ten times less work per pod. The real kube-scheduler's
//! scheduler_perf CI thresholds at 5 000 nodes are about 680–810 pods/s.
//!
//! SchedulingBasic's pods are all one shape, as upstream's are; the
//! `basic-varied` rows give each pod its own cpu request, so that the
//! scheduler's per-node totals cached across pods of one shape never help.
//! The `heterogeneous` rows vary cpu and memory together, as a recorded
//! trace's pods do (cpu 100m–4, memory 256Mi–8Gi, drawn per pod). Limit for
//! both with the default plugins: 5 ns per node scoring every node (25 µs
//! at 5 000 nodes), the filter and the straight-line scores of every node
//! with no total reused.
//!
//! Besides SchedulingBasic, the same cluster in the shapes of upstream's
//! SchedulingNodeAffinity (pods require one zone of three),
//! SchedulingPodAntiAffinity (required anti-affinity by hostname to the pods
//! on half of the nodes) and TopologySpreading (maxSkew 1 by zone,
//! DoNotSchedule, over pods already on every node); the pods come from a
//! manifest through the scenario decoder, as users write them. Their limit is
//! the basic one plus the plugin's per-cycle preparation.
//!
//! PreemptionBasic (upstream's `config/performance-config.yaml`): nodes of
//! 4 cpu / 32 GiB / 110 pods (`node-default.yaml`) each full with four
//! priority-0 pods of 900m / 500Mi (`pod-low-priority.yaml`; 2 000 and
//! 20 000 of them), then priority-10 pods of 3 000m / 500Mi
//! (`pod-high-priority.yaml`) that fit nowhere and must preempt three pods.
//! The measured cycle is the preemptor's first: Filter fails on every node,
//! PostFilter (DefaultPreemption) dry-runs victims on candidate nodes from a
//! random offset until max(10%, 100) are found, deletes the chosen node's
//! victims and nominates it; only the preemptor's creation and that cycle
//! are timed (putting the cluster back is not). percentageOfNodesToScore
//! changes nothing here, since no node is feasible. Limit to approach: the
//! failed filter pass over all nodes (≈ 1 ns per node), one pass over the
//! bound pods to list them by node, and a dry run per candidate (four pods
//! removed and re-added through the filters, ≈ 100 ns): ≈ 15 µs at 500 nodes
//! (100 candidates, 2 000 pods) and ≈ 80 µs at 5 000 nodes (500 candidates,
//! 20 000 pods), i.e. 60 000 and 12 000 preemptions/s.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use kubesim::engine::{EventQueue, SimTime};
use kubesim::model::meta::ObjectMeta;
use kubesim::model::node::Node;
use kubesim::model::pod::{Container, Pod, PodSpec, RequestsSet, RestartPolicy};
use kubesim::model::{ClusterState, NodeId, PodId, ResourceNames, Resources};
use kubesim::scheduler::config::SchedulerConfig;
use kubesim::scheduler::{Explained, Scheduler, SchedulerEvent, SchedulerOptions};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;

/// The allocator of the `kubesim` binary (see `src/main.rs`), so that the
/// figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const GIB: i64 = 1 << 30;

fn node(i: usize) -> Node {
    let allocatable = Resources {
        cpu_millis: 32_000,
        memory_bytes: 128 * GIB,
        ..Default::default()
    };
    let mut metadata = ObjectMeta {
        name: format!("node-{i}"),
        ..Default::default()
    };
    metadata.labels.insert(
        "topology.kubernetes.io/zone".into(),
        format!("zone-{}", i % 3),
    );
    metadata
        .labels
        .insert("kubernetes.io/hostname".into(), format!("node-{i}"));
    Node {
        metadata,
        capacity: allocatable,
        allocatable,
        allocatable_pods: 110,
        taints: vec![],
        unschedulable: false,
        ready: true,
        images: vec![],
    }
}

fn pod(name: String, cpu_millis: i64, memory_bytes: i64) -> Pod {
    let container = Container {
        name: "c".into(),
        image: "pause".into(),
        requests: Resources {
            cpu_millis,
            memory_bytes,
            ..Default::default()
        },
        // As a manifest that names only the non-zero requests.
        requests_set: RequestsSet {
            cpu: cpu_millis != 0,
            memory: memory_bytes != 0,
        },
        limits: Resources::default(),
        restart_policy_always: false,
        behaviour: Default::default(),
        probes: Default::default(),
        image_pull_policy: kubesim::model::pod::ImagePullPolicy::IfNotPresent,
        lifecycle: Default::default(),
    };
    let spec = PodSpec {
        containers: vec![container],
        init_containers: vec![],
        node_selector: Default::default(),
        node_name: None,
        affinity: Default::default(),
        tolerations: vec![],
        priority: 0,
        priority_class_name: None,
        scheduler_name: "default-scheduler".into(),
        restart_policy: RestartPolicy::Always,
        termination_grace_period_s: 30,
        overhead: Resources::default(),
        topology_spread_constraints: vec![],
        active_deadline_s: None,
    };
    Pod::new(
        ObjectMeta {
            name,
            namespace: "default".into(),
            ..Default::default()
        },
        Arc::new(spec),
    )
}

/// The measured pod of each shape, as a manifest.
const SHAPES: &[(&str, &str)] = &[
    ("basic", ""),
    // SchedulingBasic with a different cpu request per pod, so that no
    // node's score can be reused from the previous pod (the fast path
    // caches totals while pod shapes repeat, as a workload's replicas do).
    ("basic-varied", ""),
    // Every pod its own cpu and memory request, as in a recorded trace.
    ("heterogeneous", ""),
    (
        "node-affinity",
        "affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: topology.kubernetes.io/zone, operator: In, values: [zone-0]}]}]}}}",
    ),
    (
        "pod-anti-affinity",
        "affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{labelSelector: {matchLabels: {color: blue}}, topologyKey: kubernetes.io/hostname}]}}",
    ),
    (
        "topology-spread",
        "topologySpreadConstraints: [{maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: bench}}}]",
    ),
];

/// A pod of 500m / 1 GiB with the shape's constraint, decoded as a scenario's pod.
fn measured_pod(constraint: &str) -> Pod {
    let yaml = format!(
        "nodePools: [{{name: n, count: 1, capacity: {{cpu: '1'}}}}]\nworkloads:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {{name: template, labels: {{app: other}}}}\n    spec:\n      {constraint}\n      containers: [{{name: c, image: pause, resources: {{requests: {{cpu: 500m, memory: 1Gi}}}}}}]\n"
    );
    let loaded = kubesim::scenario::decode::load_str(
        "bench.yaml",
        &yaml,
        std::path::Path::new("."),
        "bench",
    )
    .unwrap_or_else(|d| panic!("{d}"));
    loaded.scenario.pods[0].1.clone()
}

/// `n_nodes` empty nodes made by `node`, an event queue, and a scheduler
/// with the default profile scoring `percentage` of the nodes.
fn cluster(
    n_nodes: usize,
    node: fn(usize) -> Node,
    percentage: Option<u32>,
) -> (ClusterState, EventQueue<SchedulerEvent>, Scheduler) {
    let mut state = ClusterState::new(ResourceNames::default());
    for i in 0..n_nodes {
        state.add_node(node(i));
    }
    let config = SchedulerConfig {
        percentage_of_nodes_to_score: percentage,
        ..Default::default()
    };
    (
        state,
        EventQueue::new(),
        Scheduler::new(config, SchedulerOptions::default()),
    )
}

fn cycle(c: &mut Criterion) {
    let mut group = c.benchmark_group("scheduling_cycle");
    for &(shape, constraint) in SHAPES {
        let template = measured_pod(constraint);
        for &n_nodes in &[500usize, 5_000] {
            for (label, percentage) in [("adaptive", None), ("score-all", Some(100))] {
                let (mut state, mut events, mut scheduler) = cluster(n_nodes, node, percentage);
                // Each node a quarter full, with varied load so scores differ;
                // every existing pod is app=bench, those on even nodes also color=blue.
                for i in 0..n_nodes {
                    let mut p = pod(
                        format!("existing-{i}"),
                        4_000 + (i as i64 % 8) * 500,
                        16 * GIB,
                    );
                    p.metadata.labels.insert("app".into(), "bench".into());
                    if i % 2 == 0 {
                        p.metadata.labels.insert("color".into(), "blue".into());
                    }
                    let p = state.add_pod(p, SimTime::ZERO);
                    state.bind(p, NodeId(i as u32), SimTime::ZERO);
                }
                while let Some(w) = state.next_watch_event() {
                    scheduler.on_watch(w, &state, &mut events);
                }
                let mut rng = ChaCha8Rng::seed_from_u64(1);
                let mut requests_rng = ChaCha8Rng::seed_from_u64(2);
                let mut k = 0u64;
                group.throughput(Throughput::Elements(1));
                let id = BenchmarkId::new(format!("{shape}/{label}"), n_nodes);
                group.bench_with_input(id, &n_nodes, |b, _| {
                    b.iter(|| {
                        k += 1;
                        let metadata = ObjectMeta {
                            name: format!("p-{k}"),
                            ..template.metadata.clone()
                        };
                        let mut spec = template.spec.clone();
                        if shape == "basic-varied" {
                            Arc::make_mut(&mut spec).containers[0].requests.cpu_millis =
                                100 + (k % 3_900) as i64;
                        }
                        if shape == "heterogeneous" {
                            let requests = &mut Arc::make_mut(&mut spec).containers[0].requests;
                            requests.cpu_millis = requests_rng.gen_range(100..=4_000);
                            requests.memory_bytes = requests_rng.gen_range(256..=8_192) << 20;
                        }
                        let p = Pod::new(metadata, spec);
                        let id = state.add_pod(p, SimTime::ZERO);
                        while let Some(w) = state.next_watch_event() {
                            scheduler.on_watch(w, &state, &mut events);
                        }
                        scheduler.handle(
                            SchedulerEvent::ScheduleOne,
                            &mut state,
                            &mut events,
                            &mut rng,
                            &mut Explained::default(),
                        );
                        assert!(state.pod(id).node.is_some(), "the pod fits");
                        // Free the node again so every iteration sees the same cluster.
                        state.delete_pod(id, SimTime::ZERO);
                        while let Some(w) = state.next_watch_event() {
                            scheduler.on_watch(w, &state, &mut events);
                        }
                        while events.pop().is_some() {}
                        forget(&mut state, &scheduler, &[id]);
                    })
                });
            }
        }
    }
    group.finish();
}

/// Drops the entries of pods the harness deleted, and the events recorded,
/// as a simulation retires finished pods: otherwise every iteration leaves a
/// pod behind, and the later benchmarks of a run measure page faults and
/// cache misses on a heap of several GB rather than the scheduler.
fn forget(state: &mut ClusterState, scheduler: &Scheduler, deleted: &[PodId]) {
    for &id in deleted {
        assert!(
            state.pod(id).deleted.is_some(),
            "only deleted pods are forgotten"
        );
        assert!(
            scheduler.queue.info(id).is_none(),
            "the scheduler forgot the pod"
        );
        state.retire_pod(id);
    }
    state.drain_events();
}

/// `node-default.yaml` of scheduler_perf: 4 cpu / 32 GiB / 110 pods.
fn small_node(i: usize) -> Node {
    let allocatable = Resources {
        cpu_millis: 4_000,
        memory_bytes: 32 * GIB,
        ..Default::default()
    };
    Node {
        capacity: allocatable,
        allocatable,
        ..node(i)
    }
}

/// A pod of `pod-low-priority.yaml` (priority 0, 900m / 500Mi, grace period 0)
/// bound to a node.
fn bind_low_priority(state: &mut ClusterState, name: String, node_idx: usize) -> PodId {
    let mut p = pod(name, 900, 500 << 20);
    Arc::make_mut(&mut p.spec).termination_grace_period_s = 0;
    let id = state.add_pod(p, SimTime::ZERO);
    state.bind(id, NodeId(node_idx as u32), SimTime::ZERO);
    id
}

/// PreemptionBasic: pods/s of the preemptor's cycle (see the file's comment).
fn preemption(c: &mut Criterion) {
    let mut group = c.benchmark_group("scheduling_cycle");
    for &n_nodes in &[500usize, 5_000] {
        for (label, percentage) in [("adaptive", None), ("score-all", Some(100))] {
            let (mut state, mut events, mut scheduler) = cluster(n_nodes, small_node, percentage);
            // initPods = 4 × nodes: every node full (3 600m of 4 000m).
            let mut k = 0u64;
            for i in 0..n_nodes {
                for _ in 0..4 {
                    k += 1;
                    bind_low_priority(&mut state, format!("low-{k}"), i);
                }
            }
            while let Some(w) = state.next_watch_event() {
                scheduler.on_watch(w, &state, &mut events);
            }
            let mut rng = ChaCha8Rng::seed_from_u64(1);
            group.throughput(Throughput::Elements(1));
            let id = BenchmarkId::new(format!("preemption/{label}"), n_nodes);
            group.bench_with_input(id, &n_nodes, |b, _| {
                b.iter_custom(|iters| {
                    let mut measured = std::time::Duration::ZERO;
                    for _ in 0..iters {
                        k += 1;
                        let mut p = pod(format!("high-{k}"), 3_000, 500 << 20);
                        Arc::make_mut(&mut p.spec).priority = 10;
                        let start = std::time::Instant::now();
                        let id = state.add_pod(p, SimTime::ZERO);
                        while let Some(w) = state.next_watch_event() {
                            scheduler.on_watch(w, &state, &mut events);
                        }
                        scheduler.handle(
                            SchedulerEvent::ScheduleOne,
                            &mut state,
                            &mut events,
                            &mut rng,
                            &mut Explained::default(),
                        );
                        measured += start.elapsed();
                        // Not measured: put the cluster back as it was. The
                        // victims leave the API and fresh low-priority pods
                        // take their place; the preemptor is deleted.
                        let node_id = scheduler
                            .nominated_node(id)
                            .expect("the preemptor is nominated");
                        let victims: Vec<PodId> = state
                            .bound_pods()
                            .iter()
                            .copied()
                            .filter(|&v| {
                                let e = state.pod(v);
                                e.node == Some(node_id) && e.terminating.is_some()
                            })
                            .collect();
                        assert_eq!(victims.len(), 3, "three victims make room for 3 000m");
                        for &v in &victims {
                            state.delete_pod(v, SimTime::ZERO);
                            k += 1;
                            bind_low_priority(&mut state, format!("low-{k}"), node_id.0 as usize);
                        }
                        state.delete_pod(id, SimTime::ZERO);
                        while let Some(w) = state.next_watch_event() {
                            scheduler.on_watch(w, &state, &mut events);
                        }
                        while events.pop().is_some() {}
                        forget(&mut state, &scheduler, &victims);
                        forget(&mut state, &scheduler, &[id]);
                    }
                    measured
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, cycle, preemption);
criterion_main!(benches);
