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
//! Besides SchedulingBasic, the same cluster in the shapes of upstream's
//! SchedulingNodeAffinity (pods require one zone of three),
//! SchedulingPodAntiAffinity (required anti-affinity by hostname to the pods
//! on half of the nodes) and TopologySpreading (maxSkew 1 by zone,
//! DoNotSchedule, over pods already on every node); the pods come from a
//! manifest through the scenario decoder, as users write them. Their limit is
//! the basic one plus the plugin's per-cycle preparation.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use kubesim::engine::{EventQueue, SimTime};
use kubesim::model::meta::ObjectMeta;
use kubesim::model::node::Node;
use kubesim::model::pod::{Container, ContainerBehaviour, Pod, PodSpec, RestartPolicy};
use kubesim::model::{ClusterState, ResourceNames, Resources};
use kubesim::scheduler::config::SchedulerConfig;
use kubesim::scheduler::{ExplainFilter, Scheduler, SchedulerEvent};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;

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
        limits: Resources::default(),
        restart_policy_always: false,
        behaviour: ContainerBehaviour::default(),
        probes: Default::default(),
        image_pull_policy: kubesim::model::pod::ImagePullPolicy::IfNotPresent,
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

fn cycle(c: &mut Criterion) {
    let mut group = c.benchmark_group("scheduling_cycle");
    for &(shape, constraint) in SHAPES {
        let template = measured_pod(constraint);
        for &n_nodes in &[500usize, 5_000] {
            for (label, percentage) in [("adaptive", None), ("score-all", Some(100))] {
                let mut state = ClusterState::new(ResourceNames::default());
                let mut events: EventQueue<SchedulerEvent> = EventQueue::new();
                let config = SchedulerConfig {
                    percentage_of_nodes_to_score: percentage,
                    ..Default::default()
                };
                let mut scheduler = Scheduler::new(config, ExplainFilter::None);
                for i in 0..n_nodes {
                    state.add_node(node(i));
                }
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
                    state.bind(p, kubesim::model::NodeId(i as u32), SimTime::ZERO);
                }
                while let Some(w) = state.next_watch_event() {
                    scheduler.on_watch(w, &state, &mut events);
                }
                let mut rng = ChaCha8Rng::seed_from_u64(1);
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
                        let p = Pod::new(metadata, template.spec.clone());
                        let id = state.add_pod(p, SimTime::ZERO);
                        while let Some(w) = state.next_watch_event() {
                            scheduler.on_watch(w, &state, &mut events);
                        }
                        scheduler.handle(
                            SchedulerEvent::ScheduleOne,
                            &mut state,
                            &mut events,
                            &mut rng,
                        );
                        assert!(state.pod(id).node.is_some(), "the pod fits");
                        // Free the node again so every iteration sees the same cluster.
                        state.delete_pod(id, SimTime::ZERO);
                        while let Some(w) = state.next_watch_event() {
                            scheduler.on_watch(w, &state, &mut events);
                        }
                        while events.pop().is_some() {}
                    })
                });
            }
        }
    }
    group.finish();
}

criterion_group!(benches, cycle);
criterion_main!(benches);
