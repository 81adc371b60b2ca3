//! The fill-up protocol of Weng et al. (ATC'23 §6.1) over a GPU trace.
//!
//! - The cluster is the trace's node list, empty at the start.
//! - The workload is the trace's pod list, inflated until its total GPU
//!   request reaches `inflation_pct`% of the cluster's GPU capacity by
//!   copies of trace pods drawn uniformly with replacement. As the authors'
//!   simulator runs it ([`InflationOrder::AfterTrace`], the default), the
//!   trace's pods arrive first in a seeded random order and the copies
//!   after them in the order drawn; [`InflationOrder::Mixed`] shuffles the
//!   copies in among the trace's pods instead.
//! - Pods arrive one at a time and never leave. Each gets one scheduling
//!   attempt over all nodes (filter, score every feasible node, highest
//!   score wins); a pod that fits nowhere is dropped, but its request still
//!   counts as arrived.
//! - Equal top scores go to the node that comes first in a seeded random
//!   node order fixed for the whole run (the same for every policy).
//!
//! After each arrival the run records, at every whole percent of capacity
//! the arrived GPU request crosses, the allocated GPU share and the
//! cluster's fragmentation ([`crate::scheduler::plugins::gpu::frag`]). This dedicated loop reuses the
//! filter and score functions of [`crate::model::gpu_device`] and [`crate::scheduler::plugins::gpu::policy`];
//! it does not go through the event engine, which a protocol without time
//! does not need.

use crate::engine::rng::derive_seed;
use crate::model::gpu_device::{GpuNode, GpuPod, GpuRequest, GpuSet};
use crate::scheduler::plugins::gpu::frag::TypicalPods;
use crate::scheduler::plugins::gpu::policy::{normalize_min_max, share_fit_count, Policy};
use crate::trace::openb::OpenbTrace;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Default inflation: the workload's GPU request reaches 130% of capacity.
pub const DEFAULT_INFLATION_PCT: u32 = 130;
pub use crate::limits::MAX_INFLATION_FACTOR;

/// Labels of the run's random streams (mixed into the run seed with
/// [`derive_seed`]); each concern has its own stream so that a policy that
/// draws (Random) does not shift the workload or the node order.
const STREAM_INFLATION: u64 = 0x6770_7501;
const STREAM_ARRIVAL_ORDER: u64 = 0x6770_7502;
const STREAM_NODE_ORDER: u64 = 0x6770_7503;
const STREAM_RANDOM_POLICY: u64 = 0x6770_7504;
/// The Random policy's GPU draws inside the chosen node: their own stream,
/// so that they do not shift its node draws.
const STREAM_RANDOM_GPU: u64 = 0x6770_7505;

/// Pod classes for failed-pod counts, by GPU shape.
pub const CLASSES: [&str; 7] = ["cpu", "share", "1-gpu", "2-gpu", "4-gpu", "8-gpu", "other"];

pub fn class_of(req: &GpuRequest) -> usize {
    match req.count {
        0 => 0,
        1 if req.is_share() => 1,
        1 => 2,
        2 => 3,
        4 => 4,
        8 => 5,
        _ => 6,
    }
}

/// Pods and their GPU request, per class.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClassCount {
    pub pods: u64,
    pub gpu_milli: i64,
}

/// The cluster when the arrived GPU request first reached `arrived_pct`% of capacity.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CurvePoint {
    pub arrived_pct: u32,
    pub allocated_milli: i64,
    /// Expected fragmented GPU share over all nodes.
    pub frag_milli: f64,
    /// Free GPU share over all nodes.
    pub idle_milli: i64,
}

/// Where one arriving pod went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    /// Index into the trace's pod list.
    pub trace_pod: u32,
    /// Node index and GPUs, or None when the pod was dropped.
    pub node: Option<(u32, GpuSet)>,
}

/// The outcome of one run.
#[derive(Clone, Debug, PartialEq)]
pub struct FillUpRun {
    pub policy: Policy,
    pub seed: u64,
    pub capacity_milli: i64,
    pub arrived_milli: i64,
    pub allocated_milli: i64,
    pub curve: Vec<CurvePoint>,
    pub arrived: [ClassCount; CLASSES.len()],
    pub failed: [ClassCount; CLASSES.len()],
    pub placements: Vec<Placement>,
    pub nodes: Vec<GpuNode>,
}

impl FillUpRun {
    /// The curve point at `pct`% arrived, if the run got there.
    pub fn at(&self, pct: u32) -> Option<&CurvePoint> {
        self.curve.iter().find(|p| p.arrived_pct == pct)
    }

    pub fn pods_arrived(&self) -> u64 {
        self.arrived.iter().map(|c| c.pods).sum()
    }

    pub fn pods_failed(&self) -> u64 {
        self.failed.iter().map(|c| c.pods).sum()
    }
}

/// Where the inflation's copies arrive relative to the trace's own pods.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InflationOrder {
    /// The authors' order (hkust-adsl/kubernetes-scheduler-simulator,
    /// `pkg/simulator/core.go`): `SortClusterPods` shuffles the trace's pods
    /// (`shufflePod: true`), then `tuneUpPods` (`simulator.go`) appends the
    /// copies, so every trace pod arrives before the first copy.
    #[default]
    AfterTrace,
    /// The copies shuffled in among the trace's pods: every arrival is a
    /// draw from the same mixture from the first pod on.
    Mixed,
}

impl InflationOrder {
    pub const NAMES: [&'static str; 2] = ["afterTrace", "mixed"];

    pub fn name(self) -> &'static str {
        match self {
            InflationOrder::AfterTrace => "afterTrace",
            InflationOrder::Mixed => "mixed",
        }
    }

    pub fn parse(name: &str) -> Option<InflationOrder> {
        match name {
            "afterTrace" => Some(InflationOrder::AfterTrace),
            "mixed" => Some(InflationOrder::Mixed),
            _ => None,
        }
    }
}

/// The arrival list in the default order ([`InflationOrder::AfterTrace`]).
pub fn workload(trace: &OpenbTrace, inflation_pct: u32, seed: u64) -> Vec<u32> {
    workload_ordered(trace, inflation_pct, seed, InflationOrder::default())
}

/// The arrival list: trace pod indices after inflation, in `order`.
///
/// Copies are drawn until the total GPU request reaches the target, the
/// copy that crosses it included, so that the curve reaches
/// `inflation_pct`%. (`tuneUpPods` stops before a copy whose per-GPU share
/// would cross it, so the authors' list ends at most one pod earlier.)
pub fn workload_ordered(
    trace: &OpenbTrace,
    inflation_pct: u32,
    seed: u64,
    order: InflationOrder,
) -> Vec<u32> {
    let n = trace.pods.len();
    let mut list: Vec<u32> = (0..n as u32).collect();
    let mut shuffle = ChaCha8Rng::seed_from_u64(derive_seed(seed, STREAM_ARRIVAL_ORDER));
    if order == InflationOrder::AfterTrace {
        list.shuffle(&mut shuffle);
    }
    let target = trace.gpu_capacity_milli() * inflation_pct as i64 / 100;
    let mut total: i64 = trace.pods.iter().map(|p| p.gpu.total_milli()).sum();
    let mut rng = ChaCha8Rng::seed_from_u64(derive_seed(seed, STREAM_INFLATION));
    if n > 0 && trace.pods.iter().any(|p| p.gpu.count > 0) {
        while total < target && list.len() < n * MAX_INFLATION_FACTOR {
            let i = rng.gen_range(0..n);
            list.push(i as u32);
            total += trace.pods[i].gpu.total_milli();
        }
    }
    if order == InflationOrder::Mixed {
        list.shuffle(&mut shuffle);
    }
    list
}

/// The typical pods of a trace: its pod shapes covering `coverage` of its pods.
pub fn typical_pods(trace: &OpenbTrace, coverage: f64) -> TypicalPods {
    TypicalPods::from_workload(
        trace.pods.iter().map(|p| (p.cpu_milli, p.gpu)),
        coverage,
        |r| trace.spec_text(r.models),
    )
}

/// Records a curve point at every whole percent of capacity the arrived request crosses.
struct CurveRecorder {
    curve: Vec<CurvePoint>,
    next_bin: u32,
    max_bin: u32,
    capacity: i64,
}

impl CurveRecorder {
    fn record(&mut self, arrived: i64, allocated: i64, nodes: &[GpuNode], frag: &[f64]) {
        while self.next_bin <= self.max_bin && arrived * 100 >= self.next_bin as i64 * self.capacity
        {
            self.curve.push(CurvePoint {
                arrived_pct: self.next_bin,
                allocated_milli: allocated,
                frag_milli: frag.iter().sum(),
                idle_milli: nodes.iter().map(GpuNode::gpu_left_total).sum(),
            });
            self.next_bin += 1;
        }
    }
}

/// Buffers reused across scheduling attempts (no allocation per pod).
#[derive(Default)]
pub struct Scratch {
    feasible: Vec<u32>,
    scores: Vec<i64>,
}

/// One scheduling attempt: filter every node, score the feasible ones with
/// `policy` (NormalizeScore if the policy has one) and return the first
/// highest-scoring node in `order`; Random draws a feasible node from `random`.
#[allow(clippy::too_many_arguments)]
pub fn select_node(
    nodes: &[GpuNode],
    order: &[u32],
    pod: &GpuPod,
    policy: Policy,
    typical: &TypicalPods,
    frag: &[f64],
    scratch: &mut Scratch,
    random: &mut ChaCha8Rng,
) -> Option<u32> {
    let Scratch { feasible, scores } = scratch;
    feasible.clear();
    scores.clear();
    for &ni in order {
        let node = &nodes[ni as usize];
        if !node.fits(pod) {
            continue;
        }
        feasible.push(ni);
        if policy != Policy::Random {
            scores.push(policy.score(node, pod, typical, frag[ni as usize]));
        }
    }
    if feasible.is_empty() {
        return None;
    }
    if policy == Policy::Random {
        return Some(feasible[random.gen_range(0..feasible.len())]);
    }
    if policy.normalizes() {
        normalize_min_max(scores);
    }
    // First highest score in the fixed node order.
    let mut best = 0;
    for (i, &s) in scores.iter().enumerate() {
        if s > scores[best] {
            best = i;
        }
    }
    Some(feasible[best])
}

/// A seeded random node order (the tie-break order of a run).
pub fn node_order(n: usize, seed: u64) -> Vec<u32> {
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(derive_seed(
        seed,
        STREAM_NODE_ORDER,
    )));
    order
}

/// The stream the Random policy draws from.
pub fn random_policy_stream(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(derive_seed(seed, STREAM_RANDOM_POLICY))
}

/// The stream the Random policy draws its GPUs from.
pub fn random_gpu_stream(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(derive_seed(seed, STREAM_RANDOM_GPU))
}

/// The GPUs `policy` gives the pod on the chosen node, drawing from
/// `random_gpu` only when the policy picks its GPU at random.
pub fn place_gpus(
    policy: Policy,
    node: &GpuNode,
    pod: &GpuPod,
    typical: &TypicalPods,
    node_frag_milli: f64,
    random_gpu: &mut ChaCha8Rng,
) -> GpuSet {
    let draw = if policy.draws_gpu(pod) {
        random_gpu.gen_range(0..share_fit_count(node, pod).max(1))
    } else {
        0
    };
    policy.select_gpus(node, pod, typical, node_frag_milli, draw)
}

/// The empty nodes of a trace.
pub fn trace_nodes(trace: &OpenbTrace) -> Vec<GpuNode> {
    trace
        .nodes
        .iter()
        .map(|n| GpuNode::new(n.cpu_milli, n.memory_mib, n.gpus, n.model))
        .collect()
}

/// A trace pod as the GPU scheduler sees it.
pub fn gpu_pod(p: &crate::trace::openb::TracePod) -> GpuPod {
    GpuPod {
        cpu_milli: p.cpu_milli,
        memory_mib: p.memory_mib,
        gpu: p.gpu,
    }
}

/// One run of the protocol with `policy` and `seed`, in the default inflation order.
pub fn run(
    trace: &OpenbTrace,
    typical: &TypicalPods,
    policy: Policy,
    seed: u64,
    inflation_pct: u32,
) -> FillUpRun {
    run_ordered(
        trace,
        typical,
        policy,
        seed,
        inflation_pct,
        InflationOrder::default(),
    )
}

/// One run of the protocol with `policy` and `seed`, the inflation's copies in `order`.
pub fn run_ordered(
    trace: &OpenbTrace,
    typical: &TypicalPods,
    policy: Policy,
    seed: u64,
    inflation_pct: u32,
    inflation_order: InflationOrder,
) -> FillUpRun {
    let mut nodes: Vec<GpuNode> = trace
        .nodes
        .iter()
        .map(|n| GpuNode::new(n.cpu_milli, n.memory_mib, n.gpus, n.model))
        .collect();
    let pods: Vec<GpuPod> = trace
        .pods
        .iter()
        .map(|p| GpuPod {
            cpu_milli: p.cpu_milli,
            memory_mib: p.memory_mib,
            gpu: p.gpu,
        })
        .collect();
    let mut order: Vec<u32> = (0..nodes.len() as u32).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(derive_seed(
        seed,
        STREAM_NODE_ORDER,
    )));
    let mut random = ChaCha8Rng::seed_from_u64(derive_seed(seed, STREAM_RANDOM_POLICY));
    let mut random_gpu = random_gpu_stream(seed);
    let mut frag: Vec<f64> = nodes.iter().map(|n| typical.node_frag_milli(n)).collect();
    let capacity = trace.gpu_capacity_milli();
    let arrivals = workload_ordered(trace, inflation_pct, seed, inflation_order);

    let mut scratch = Scratch::default();
    let mut placements = Vec::with_capacity(arrivals.len());
    let mut curve = CurveRecorder {
        curve: Vec::with_capacity(inflation_pct as usize + 1),
        next_bin: 0,
        max_bin: inflation_pct,
        capacity,
    };
    let mut arrived_by_class = [ClassCount::default(); CLASSES.len()];
    let mut failed = [ClassCount::default(); CLASSES.len()];
    let (mut arrived, mut allocated) = (0i64, 0i64);
    curve.record(0, 0, &nodes, &frag);

    for &pi in &arrivals {
        let pod = &pods[pi as usize];
        let chosen = select_node(
            &nodes,
            &order,
            pod,
            policy,
            typical,
            &frag,
            &mut scratch,
            &mut random,
        );
        let class = class_of(&pod.gpu);
        let gpu_milli = pod.gpu.total_milli();
        arrived_by_class[class].pods += 1;
        arrived_by_class[class].gpu_milli += gpu_milli;
        let node = chosen.map(|ni| {
            let n = &mut nodes[ni as usize];
            let gpus = place_gpus(policy, n, pod, typical, frag[ni as usize], &mut random_gpu);
            n.assign(pod, gpus);
            frag[ni as usize] = typical.node_frag_milli(n);
            allocated += gpu_milli;
            (ni, gpus)
        });
        if node.is_none() {
            failed[class].pods += 1;
            failed[class].gpu_milli += gpu_milli;
        }
        placements.push(Placement {
            trace_pod: pi,
            node,
        });
        arrived += gpu_milli;
        curve.record(arrived, allocated, &nodes, &frag);
    }
    FillUpRun {
        policy,
        seed,
        capacity_milli: capacity,
        arrived_milli: arrived,
        allocated_milli: allocated,
        curve: curve.curve,
        arrived: arrived_by_class,
        failed,
        placements,
        nodes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::gpu_device::{GpuModels, ModelSet, MILLI_PER_GPU};
    use crate::trace::openb::{Qos, TraceNode, TracePhase, TracePod};

    fn trace(nodes: &[(u8, i64)], pods: &[(u8, i32, i64)]) -> OpenbTrace {
        let mut models = GpuModels::default();
        models.intern("T4").unwrap();
        OpenbTrace {
            models,
            nodes: nodes
                .iter()
                .enumerate()
                .map(|(i, &(gpus, cpu))| TraceNode {
                    name: format!("n{i}"),
                    cpu_milli: cpu,
                    memory_mib: 1 << 20,
                    gpus,
                    model: Some(0),
                })
                .collect(),
            pods: pods
                .iter()
                .enumerate()
                .map(|(i, &(count, milli, cpu))| TracePod {
                    name: format!("p{i}"),
                    cpu_milli: cpu,
                    memory_mib: 1024,
                    gpu: GpuRequest {
                        count,
                        milli,
                        models: ModelSet::ANY,
                    },
                    gpu_spec: String::new(),
                    qos: Qos::BestEffort,
                    phase: TracePhase::Running,
                    creation_s: 0,
                    deletion_s: None,
                    scheduled_s: None,
                    priority: 0,
                    owner: String::new(),
                })
                .collect(),
        }
    }

    #[test]
    fn inflation_reaches_the_target_and_stops_there() {
        // 10 GPUs of capacity; trace: 4 pods of 1 GPU = 4 GPUs (40%).
        // 130% = 13 GPUs: 9 copies appended, 13 pods in all, no more.
        let t = trace(&[(8, 96_000), (2, 32_000)], &[(1, 1000, 1000); 4]);
        let w = workload(&t, 130, 7);
        assert_eq!(w.len(), 13);
        let total: i64 = w
            .iter()
            .map(|&i| t.pods[i as usize].gpu.total_milli())
            .sum();
        assert_eq!(total, 13_000);
        // Every trace pod appears at least once; the order is a shuffle.
        for i in 0..4 {
            assert!(w.contains(&i));
        }
        // With mixed sizes the list stops at the first pod that reaches the target.
        let t = trace(
            &[(8, 96_000), (2, 32_000)],
            &[(8, 1000, 1000), (1, 500, 1000)],
        );
        let w = workload(&t, 130, 3);
        let total: i64 = w
            .iter()
            .map(|&i| t.pods[i as usize].gpu.total_milli())
            .sum();
        let last_step = w
            .iter()
            .map(|&i| t.pods[i as usize].gpu.total_milli())
            .max()
            .unwrap();
        assert!((13_000..13_000 + last_step).contains(&total), "{total}");
        // Same seed, same list; another seed, another order.
        assert_eq!(workload(&t, 130, 3), w);
    }

    #[test]
    fn random_places_a_sharing_pod_on_a_random_gpu_that_fits() {
        // One node of 8 GPUs, pods of 0.1 GPU. Best fit stacks the first ten
        // on GPU 0 (the least free share that fits); the authors' Random
        // (`-gpusel random`, allocateGpuIdBasedOnRandomFit) draws among all
        // eight.
        let t = trace(&[(8, 96_000)], &[(1, 100, 100)]);
        let typical = typical_pods(&t, 0.95);
        let first_gpus = |policy| {
            let r = run(&t, &typical, policy, 5, 130);
            let mut gpus: Vec<usize> = r.placements[..10]
                .iter()
                .flat_map(|p| p.node.unwrap().1.indices())
                .collect();
            gpus.sort();
            gpus.dedup();
            gpus
        };
        assert_eq!(first_gpus(Policy::BestFit), vec![0]);
        let random = first_gpus(Policy::Random);
        assert!(random.len() >= 4, "{random:?}");
        // Seeded: the same seed draws the same GPUs.
        assert_eq!(first_gpus(Policy::Random), random);
    }

    #[test]
    fn the_authors_order_puts_every_trace_pod_before_the_first_copy() {
        // 4 trace pods of 1 GPU on 10 GPUs: 9 copies reach 130%.
        let t = trace(&[(8, 96_000), (2, 32_000)], &[(1, 1000, 1000); 4]);
        for seed in 0..20 {
            // core.go shuffles the trace (SortClusterPods), then
            // tuneUpPods appends the copies.
            let w = workload_ordered(&t, 130, seed, InflationOrder::AfterTrace);
            let mut head = w[..4].to_vec();
            head.sort();
            assert_eq!(head, vec![0, 1, 2, 3], "seed {seed}: {w:?}");
            assert_eq!(workload(&t, 130, seed), w);
            // Mixed: the same multiset of pods, copies shuffled in.
            let mut mixed = workload_ordered(&t, 130, seed, InflationOrder::Mixed);
            let mut sorted = w.clone();
            mixed.sort();
            sorted.sort();
            assert_eq!(mixed, sorted);
        }
        // Some seed mixes a copy into the first four arrivals.
        assert!((0..20).any(|seed| {
            let mut head = workload_ordered(&t, 130, seed, InflationOrder::Mixed)[..4].to_vec();
            head.sort();
            head != vec![0, 1, 2, 3]
        }));
    }

    #[test]
    fn curve_bins_are_whole_percents_of_capacity() {
        // Capacity 2 GPUs (one node). Pods of 0.3 GPU each arrive; 130% = 2.6 GPUs
        // → 9 pods (2.7 GPUs). Arrived after k pods: 15k%. Bin b is recorded
        // when 15k ≥ b first holds, with the allocation at that moment.
        let t = trace(&[(2, 64_000)], &[(1, 300, 1000)]);
        let typical = typical_pods(&t, 0.95);
        let r = run(&t, &typical, Policy::BestFit, 1, 130);
        assert_eq!(r.placements.len(), 9);
        assert_eq!(r.curve.len(), 131);
        assert_eq!(
            r.curve.iter().map(|p| p.arrived_pct).collect::<Vec<_>>(),
            (0..=130).collect::<Vec<_>>()
        );
        // Best fit puts 3 pods on each GPU (900 each), the 7th..9th pods fail.
        assert_eq!(r.allocated_milli, 1800);
        assert_eq!(r.failed[1].pods, 3);
        // Bin 15 = after pod 1 (300 allocated); bin 16 = after pod 2 (600).
        assert_eq!(r.at(15).unwrap().allocated_milli, 300);
        assert_eq!(r.at(16).unwrap().allocated_milli, 600);
        assert_eq!(r.at(100).unwrap().allocated_milli, 1800);
        // Each GPU keeps 100 free, below the typical 300: all 200 is fragment.
        let last = r.curve.last().unwrap();
        assert_eq!(last.idle_milli, 200);
        assert!((last.frag_milli - 200.0).abs() < 1e-9);
    }

    #[test]
    fn no_gpu_is_oversubscribed_and_placements_add_up() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("traces/openb");
        let mut t = crate::trace::openb::load(
            &dir.join("openb_node_list_gpu_node.csv"),
            &dir.join("openb_pod_list_gpuspec33.csv"),
        )
        .unwrap();
        // A slice of the real trace (every 8th node and pod, GPU-model
        // constraints included) keeps the test fast in debug builds.
        t.nodes = t.nodes.into_iter().step_by(8).collect();
        t.pods = t.pods.into_iter().step_by(8).collect();
        let typical = typical_pods(&t, 0.95);
        for policy in Policy::ALL {
            let r = run(&t, &typical, policy, 11, 130);
            // Replay the placements on fresh nodes: every GPU's share sums to
            // its use, the model constraint holds, and totals agree.
            let mut used = vec![[0i32; 8]; t.nodes.len()];
            let mut allocated = 0;
            for p in &r.placements {
                let pod = &t.pods[p.trace_pod as usize];
                if let Some((ni, gpus)) = p.node {
                    assert_eq!(gpus.len(), pod.gpu.count as u32, "{policy:?}");
                    assert!(pod.gpu.models.accepts(t.nodes[ni as usize].model));
                    for g in gpus.indices() {
                        used[ni as usize][g] += pod.gpu.milli;
                    }
                    allocated += pod.gpu.total_milli();
                }
            }
            for (ni, node) in r.nodes.iter().enumerate() {
                for (g, &left) in node.gpus().iter().enumerate() {
                    assert!(
                        used[ni][g] <= MILLI_PER_GPU,
                        "{policy:?}: GPU oversubscribed"
                    );
                    assert_eq!(used[ni][g] + left, MILLI_PER_GPU);
                }
                assert!(node.cpu_left_milli >= 0 && node.memory_left_mib >= 0);
            }
            assert_eq!(allocated, r.allocated_milli);
            assert!(r.arrived_milli * 100 >= 130 * r.capacity_milli);
            assert_eq!(r.curve.len(), 131);
        }
    }
}
