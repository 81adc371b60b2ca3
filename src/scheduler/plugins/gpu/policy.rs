//! The GPU placement policies compared by Weng et al. (ATC'23 §6) and the
//! kube-scheduler's own scoring strategies, as score functions over one node.
//!
//! Each GPU policy follows the authors' simulator
//! (hkust-adsl/kubernetes-scheduler-simulator, `pkg/simulator/plugin/*`):
//! the score formula, whether NormalizeScore runs, and which GPU inside the
//! chosen node the pod gets. FGD and DotProd choose the GPU as part of their
//! score; Random gives a sharing pod a random GPU among those it fits
//! (`gpuSelMethod: random`, as the authors ran it); every other policy
//! leaves it to the GpuShare plugin's best-fit selection (`gpuSelMethod:
//! best`). Scores are pure functions of the node and the pod; the run loop
//! owns all state and randomness (Random's GPU draw is passed in).

use super::frag::{after_packed_placement, TypicalPods};
use crate::model::gpu_device::{GpuNode, GpuPod, GpuSet, MILLI_PER_GPU, N_AFFINITY_TAGS};
use crate::model::resources::{DEFAULT_MEMORY_REQUEST_BYTES, DEFAULT_MILLI_CPU_REQUEST};
use crate::scheduler::framework::MAX_NODE_SCORE;
use crate::scheduler::plugins::balanced_allocation::balanced_resource_score;
use crate::scheduler::plugins::node_resources_fit::{least_requested_score, most_requested_score};

/// `gpushareutils.MaxSpecCpu`: cpu normaliser of BestFit and DotProd (128 cores).
pub const MAX_SPEC_CPU_MILLI: f64 = 128_000.0;
/// `gpushareutils.MaxSpecGpu`: GPU normaliser of BestFit, DotProd and GpuClustering (8 GPUs).
pub const MAX_SPEC_GPU_MILLI: i64 = 8_000;

/// A node-scoring policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Policy {
    /// A uniformly random feasible node (`random_score.go`).
    Random,
    /// Tetris-style dot product of free and requested (cpu, GPU) (`dot_product_score.go`).
    DotProd,
    /// Prefer nodes already running pods of the same GPU shape (`gpu_clustering_score.go`).
    GpuClustering,
    /// Prefer shared GPUs, then used nodes, then empty ones (`gpu_packing_score.go`).
    GpuPacking,
    /// Least free (cpu, GPU) left after placement (`best_fit_score.go`).
    BestFit,
    /// Fragmentation gradient descent (`fgd_score.go`).
    Fgd,
    /// kube-scheduler NodeResourcesFit LeastAllocated (cpu, memory).
    LeastAllocated,
    /// kube-scheduler NodeResourcesFit MostAllocated (cpu, memory).
    MostAllocated,
    /// kube-scheduler NodeResourcesBalancedAllocation (cpu, memory).
    BalancedAllocation,
}

impl Policy {
    pub const ALL: [Policy; 9] = [
        Policy::Random,
        Policy::DotProd,
        Policy::GpuClustering,
        Policy::GpuPacking,
        Policy::BestFit,
        Policy::Fgd,
        Policy::LeastAllocated,
        Policy::MostAllocated,
        Policy::BalancedAllocation,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Policy::Random => "Random",
            Policy::DotProd => "DotProd",
            Policy::GpuClustering => "GpuClustering",
            Policy::GpuPacking => "GpuPacking",
            Policy::BestFit => "BestFit",
            Policy::Fgd => "FGD",
            Policy::LeastAllocated => "LeastAllocated",
            Policy::MostAllocated => "MostAllocated",
            Policy::BalancedAllocation => "BalancedAllocation",
        }
    }

    pub fn names() -> Vec<&'static str> {
        Policy::ALL.iter().map(|p| p.name()).collect()
    }

    pub fn parse(name: &str) -> Option<Policy> {
        Policy::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Whether the policy's scores go through min-max NormalizeScore
    /// (`plugin_utils.go` NormalizeScore; only BestFit among these).
    pub fn normalizes(self) -> bool {
        self == Policy::BestFit
    }

    /// The raw score of a feasible node. `node_frag_milli` is the node's
    /// current fragmentation (FGD only). Random scores every node 0; the run
    /// loop draws its node.
    pub fn score(
        self,
        node: &GpuNode,
        pod: &GpuPod,
        typical: &TypicalPods,
        node_frag_milli: f64,
    ) -> i64 {
        match self {
            Policy::Random => 0,
            Policy::DotProd => dot_product(node, pod).0,
            Policy::GpuClustering => gpu_clustering_score(node, pod),
            Policy::GpuPacking => gpu_packing_score(node, pod),
            Policy::BestFit => best_fit_score(node, pod),
            Policy::Fgd => fgd(node, pod, typical, node_frag_milli).0,
            Policy::LeastAllocated => kube_fit_score(node, pod, least_requested_score),
            Policy::MostAllocated => kube_fit_score(node, pod, most_requested_score),
            Policy::BalancedAllocation => balanced_allocation_score(node, pod),
        }
    }

    /// Whether the policy draws the GPU of a pod at random: Random for a
    /// sharing pod (the run loop then draws an index below
    /// [`share_fit_count`] and passes it to [`Policy::select_gpus`]).
    pub fn draws_gpu(self, pod: &GpuPod) -> bool {
        self == Policy::Random && pod.gpu.is_share()
    }

    /// The GPUs the pod gets on the chosen node (Reserve). `gpu_draw` is
    /// the run loop's draw for a policy that [`Policy::draws_gpu`]: an index
    /// among the GPUs the sharing pod fits, in GPU order; it is ignored
    /// otherwise.
    pub fn select_gpus(
        self,
        node: &GpuNode,
        pod: &GpuPod,
        typical: &TypicalPods,
        node_frag_milli: f64,
        gpu_draw: usize,
    ) -> GpuSet {
        if pod.gpu.count == 0 {
            return GpuSet(0);
        }
        let chosen = match self {
            Policy::DotProd => dot_product(node, pod).1,
            Policy::Fgd => fgd(node, pod, typical, node_frag_milli).1,
            _ if self.draws_gpu(pod) => random_fit_gpu(node, pod, gpu_draw),
            _ => GpuSet(0),
        };
        if chosen.is_empty() {
            node.best_fit_gpus(&pod.gpu)
        } else {
            chosen
        }
    }
}

/// How many GPUs of the node have room for the sharing pod's share.
pub fn share_fit_count(node: &GpuNode, pod: &GpuPod) -> usize {
    node.gpus().iter().filter(|&&m| m >= pod.gpu.milli).count()
}

/// `allocateGpuIdBasedOnRandomFit` (`pkg/simulator/plugin/open_gpu_share.go`
/// of the authors' simulator): a sharing pod gets a GPU drawn uniformly among
/// those it fits. Upstream draws by reservoir sampling over the GPUs in
/// order; `draw` (below [`share_fit_count`]) picks the same distribution with
/// one draw. Whole-GPU pods are placed as best fit places them
/// (`AllocateExclusiveGpuId` in both), so they are not drawn.
fn random_fit_gpu(node: &GpuNode, pod: &GpuPod, draw: usize) -> GpuSet {
    node.gpus()
        .iter()
        .enumerate()
        .filter(|&(_, &m)| m >= pod.gpu.milli)
        .nth(draw)
        .map_or(GpuSet(0), |(i, _)| GpuSet(1 << i))
}

/// `plugin_utils.go` NormalizeScore: map [lowest, highest] onto 0..=100
/// (all 0 when every score is equal), integer arithmetic.
pub fn normalize_min_max(scores: &mut [i64]) {
    let (Some(&lo), Some(&hi)) = (scores.iter().min(), scores.iter().max()) else {
        return;
    };
    let range = hi - lo;
    for s in scores.iter_mut() {
        *s = if range == 0 {
            0
        } else {
            (*s - lo) * MAX_NODE_SCORE / range
        };
    }
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// `calculateGpuShareFragExtendScore`: sigmoid of the fragmentation the
/// placement removes (in GPUs), times 100. A sharing pod tries every GPU with
/// enough free share and keeps the best (lowest index among equals); other
/// pods are placed as `NodeResource.Sub` packs them.
pub fn fgd(node: &GpuNode, pod: &GpuPod, typical: &TypicalPods, frag_before: f64) -> (i64, GpuSet) {
    let score_of = |after: &GpuNode| {
        let delta = frag_before - typical.node_frag_milli(after);
        (sigmoid(delta / MILLI_PER_GPU as f64) * MAX_NODE_SCORE as f64) as i64
    };
    if pod.gpu.is_share() {
        let mut best: Option<(i64, usize)> = None;
        for (i, &m) in node.gpus().iter().enumerate() {
            // A GPU with the same free share as an earlier one leads to the
            // same node state (the measure sees the multiset of free shares),
            // and ties keep the lower index: skip it.
            if m < pod.gpu.milli || node.gpus()[..i].contains(&m) {
                continue;
            }
            let mut after = node.clone();
            after.cpu_left_milli -= pod.cpu_milli;
            after.milli_left[i] -= pod.gpu.milli;
            let score = score_of(&after);
            if best.is_none_or(|(b, _)| score > b) {
                best = Some((score, i));
            }
        }
        return best.map_or((0, GpuSet(0)), |(s, i)| (s, GpuSet(1 << i)));
    }
    let after = after_packed_placement(node, &pod.gpu, pod.cpu_milli);
    (score_of(&after), node.exclusive_gpus(&pod.gpu))
}

/// `calculateDotProductScore` with `dimExtMethod: share` and `normMethod: max`:
/// for each way to place the pod (one partly used GPU with enough share, or
/// the fully free GPUs), the node vector (cpu left, that GPU share left) and
/// the pod vector (cpu, GPU request), both divided by (128 cores, 8 GPUs);
/// score = 1 − dot/2, the best option wins, times 100.
pub fn dot_product(node: &GpuNode, pod: &GpuPod) -> (i64, GpuSet) {
    if node.cpu_left_milli < pod.cpu_milli {
        return (0, GpuSet(0));
    }
    let req = pod.gpu.total_milli();
    let max_gpu = MAX_SPEC_GPU_MILLI as f64;
    let pod_cpu = pod.cpu_milli as f64 / MAX_SPEC_CPU_MILLI;
    let pod_gpu = req as f64 / max_gpu;
    let node_cpu = node.cpu_left_milli as f64 / MAX_SPEC_CPU_MILLI;
    let option =
        |gpu_left: i64| 1.0 - (node_cpu * pod_cpu + (gpu_left as f64 / max_gpu) * pod_gpu) / 2.0;
    let mut best: Option<(f64, GpuSet)> = None;
    let mut consider = |score: f64, gpus: GpuSet| {
        if best.is_none_or(|(b, _)| b < score) {
            best = Some((score, gpus));
        }
    };
    if req < MILLI_PER_GPU as i64 {
        for (i, &m) in node.gpus().iter().enumerate() {
            if m >= MILLI_PER_GPU || (m as i64) < req {
                continue;
            }
            consider(option(m as i64), GpuSet(1 << i));
        }
    }
    let idle = node.fully_free_gpus() as i64;
    if req <= idle * MILLI_PER_GPU as i64 {
        consider(
            option(idle * MILLI_PER_GPU as i64),
            node.exclusive_gpus(&pod.gpu),
        );
    }
    best.map_or((0, GpuSet(0)), |(s, g)| {
        ((MAX_NODE_SCORE as f64 * s) as i64, g)
    })
}

/// `getPackingScore`: 50..=100 when only partly used GPUs are needed (fewer
/// free share on them is better), 33..=50 when a used node must open fully
/// free GPUs, 0..=33 on a node whose GPUs are all free. CPU-only pods score 0.
pub fn gpu_packing_score(node: &GpuNode, pod: &GpuPod) -> i64 {
    if pod.gpu.count == 0 {
        return 0;
    }
    let fully_free = node.fully_free_gpus() as i64;
    if fully_free == node.n_gpus as i64 {
        return (MAX_NODE_SCORE / 3 - fully_free).max(fully_free);
    }
    let n = node.n_gpus as usize;
    let mut order: [usize; crate::model::gpu_device::MAX_GPUS_PER_NODE] = [0, 1, 2, 3, 4, 5, 6, 7];
    order[..n].sort_by_key(|&i| node.milli_left[i]);
    let mut need = pod.gpu.count as usize;
    let mut fully_free_used = 0;
    let mut free_ratio_on_used: i64 = 0;
    for &i in &order[..n] {
        if need == 0 {
            break;
        }
        let m = node.milli_left[i];
        if pod.gpu.milli <= m {
            need -= 1;
            if m == MILLI_PER_GPU {
                fully_free_used += 1;
            }
            free_ratio_on_used += m as i64 * 100 / MILLI_PER_GPU as i64;
        }
    }
    if need != 0 {
        return 0;
    }
    if fully_free_used > 0 {
        return (MAX_NODE_SCORE / 2 - fully_free_used).max(MAX_NODE_SCORE / 3);
    }
    (MAX_NODE_SCORE - free_ratio_on_used / 10).max(MAX_NODE_SCORE / 2)
}

/// GpuClustering: 75..100 on a node whose GPU pods all share the pod's shape
/// tag, 50..75 when the tag is among several, 25..50 on a node without GPU
/// pods, 0..25 otherwise; within a band, less free GPU share is better.
/// CPU-only pods score 0.
pub fn gpu_clustering_score(node: &GpuNode, pod: &GpuPod) -> i64 {
    let Some(tag) = crate::model::gpu_device::affinity_tag(&pod.gpu) else {
        return 0;
    };
    let quarter = MAX_NODE_SCORE / 4;
    let fill = quarter * (MAX_SPEC_GPU_MILLI - node.gpu_left_total()) / MAX_SPEC_GPU_MILLI;
    let n_tags = (0..N_AFFINITY_TAGS)
        .filter(|&t| node.affinity[t] > 0)
        .count();
    let band = if node.affinity[tag] > 0 {
        if n_tags == 1 {
            3
        } else {
            2
        }
    } else if n_tags == 0 {
        1
    } else {
        0
    };
    fill + MAX_NODE_SCORE * band / 4
}

/// `getBestFitScore`: 100 × (1 − ½·cpu left after / 128 cores − ½·GPU left
/// after / 8 GPUs), truncated; NormalizeScore then stretches it to 0..=100.
pub fn best_fit_score(node: &GpuNode, pod: &GpuPod) -> i64 {
    let cpu = (node.cpu_left_milli - pod.cpu_milli) as f64 / MAX_SPEC_CPU_MILLI;
    let gpu = (node.gpu_left_total() - pod.gpu.total_milli()) as f64 / MAX_SPEC_GPU_MILLI as f64;
    ((1.0 - (0.5 * cpu + 0.5 * gpu)) * MAX_NODE_SCORE as f64) as i64
}

/// NodeResourcesFit with the default resources (cpu and memory, weight 1):
/// the mean of the per-resource scores, with upstream's non-zero defaults for
/// a pod that requests no cpu or memory.
fn kube_fit_score(node: &GpuNode, pod: &GpuPod, per_resource: fn(i64, i64) -> i64) -> i64 {
    let (cpu, mem) = non_zero(pod);
    let cpu_used = node.cpu_capacity_milli - node.cpu_left_milli + cpu;
    let mem_used = (node.memory_capacity_mib - node.memory_left_mib) * MIB + mem;
    let cpu_score = per_resource(cpu_used, node.cpu_capacity_milli);
    let mem_score = per_resource(mem_used, node.memory_capacity_mib * MIB);
    (cpu_score + mem_score) / 2
}

/// NodeResourcesBalancedAllocation over cpu and memory (actual requests).
fn balanced_allocation_score(node: &GpuNode, pod: &GpuPod) -> i64 {
    let requested = [
        node.cpu_capacity_milli - node.cpu_left_milli + pod.cpu_milli,
        node.memory_capacity_mib - node.memory_left_mib + pod.memory_mib,
    ];
    let allocatable = [node.cpu_capacity_milli, node.memory_capacity_mib];
    balanced_resource_score(&requested, &allocatable)
}

const MIB: i64 = 1 << 20;

/// `schedutil.GetNonzeroRequests`: 100m cpu and 200 MiB when a pod requests none.
fn non_zero(pod: &GpuPod) -> (i64, i64) {
    let cpu = if pod.cpu_milli == 0 {
        DEFAULT_MILLI_CPU_REQUEST
    } else {
        pod.cpu_milli
    };
    let mem = if pod.memory_mib == 0 {
        DEFAULT_MEMORY_REQUEST_BYTES
    } else {
        pod.memory_mib * MIB
    };
    (cpu, mem)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::gpu_device::{GpuRequest, ModelSet};
    use crate::scheduler::plugins::gpu::frag::TypicalPod;

    fn pod(cpu: i64, count: u8, milli: i32) -> GpuPod {
        GpuPod {
            cpu_milli: cpu,
            memory_mib: 1024,
            gpu: GpuRequest {
                count,
                milli,
                models: ModelSet::ANY,
            },
        }
    }

    fn node(cpu: i64, gpus: &[i32]) -> GpuNode {
        let mut n = GpuNode::new(cpu, 1 << 20, gpus.len() as u8, Some(0));
        n.milli_left[..gpus.len()].copy_from_slice(gpus);
        n
    }

    #[test]
    fn random_fit_draws_among_the_gpus_the_share_fits_in_gpu_order() {
        // Free shares [1000, 300, 1000, 600]; a 0.5-GPU pod fits GPUs 0, 2, 3.
        let mut node = GpuNode::new(64_000, 1 << 20, 4, None);
        node.milli_left[1] = 300;
        node.milli_left[3] = 600;
        let pod = GpuPod {
            cpu_milli: 1000,
            memory_mib: 1024,
            gpu: GpuRequest {
                count: 1,
                milli: 500,
                models: ModelSet::ANY,
            },
        };
        let typical = TypicalPods::default();
        assert!(Policy::Random.draws_gpu(&pod));
        assert!(!Policy::BestFit.draws_gpu(&pod));
        assert_eq!(share_fit_count(&node, &pod), 3);
        let pick = |draw| Policy::Random.select_gpus(&node, &pod, &typical, 0.0, draw);
        assert_eq!(
            (0..3).map(|d| pick(d).render()).collect::<Vec<_>>(),
            ["0", "2", "3"]
        );
        // Best fit would take GPU 3, the least free share that fits.
        assert_eq!(
            Policy::BestFit
                .select_gpus(&node, &pod, &typical, 0.0, 0)
                .render(),
            "3"
        );
    }

    #[test]
    fn gpu_packing_bands() {
        // All GPUs free (8): max(33 − 8, 8) = 25.
        assert_eq!(
            gpu_packing_score(&node(96_000, &[1000; 8]), &pod(1000, 1, 500)),
            25
        );
        // A used node, share pod fits on the 600 GPU (tightest): 100 − 60/10 = 94.
        let used = node(96_000, &[1000, 600, 1000, 1000]);
        assert_eq!(gpu_packing_score(&used, &pod(1000, 1, 500)), 94);
        // Needs one fully free GPU on a used node: 50 − 1 = 49.
        assert_eq!(gpu_packing_score(&used, &pod(1000, 1, 1000)), 49);
        // Three fully free GPUs: 50 − 3 = 47.
        assert_eq!(gpu_packing_score(&used, &pod(1000, 3, 1000)), 47);
        // CPU-only pods score 0.
        assert_eq!(gpu_packing_score(&used, &pod(1000, 0, 0)), 0);
    }

    #[test]
    fn gpu_clustering_bands() {
        let mut n = node(96_000, &[1000, 1000, 1000, 500]);
        let share = pod(1000, 1, 500);
        // Idle node (no GPU pods): 25·(8000 − 3500)/8000 = 14 (integer), + 25 = 39.
        assert_eq!(gpu_clustering_score(&n, &share), 39);
        n.affinity[0] = 1; // one share-gpu pod
        assert_eq!(gpu_clustering_score(&n, &share), 14 + 75);
        n.affinity[1] = 1; // and a 1-gpu pod
        assert_eq!(gpu_clustering_score(&n, &share), 14 + 50);
        // A 2-GPU pod sees neither of its own tag: band 0.
        assert_eq!(gpu_clustering_score(&n, &pod(1000, 2, 1000)), 14);
    }

    #[test]
    fn best_fit_and_its_normalisation() {
        // cpu left after 64 of 128 → 0.25, GPU left after 4000 − 1000 of 8000 → 0.1875:
        // (1 − 0.4375)·100 = 56.25 → 56.
        let n = node(65_000, &[1000, 1000, 1000, 1000]);
        assert_eq!(best_fit_score(&n, &pod(1000, 1, 1000)), 56);
        let mut scores = vec![56, 70, 63];
        normalize_min_max(&mut scores);
        assert_eq!(scores, vec![0, 100, 50]);
        let mut equal = vec![5, 5];
        normalize_min_max(&mut equal);
        assert_eq!(equal, vec![0, 0]);
    }

    #[test]
    fn dot_product_prefers_the_smaller_match() {
        // Node: 64 cores left, GPUs [1000, 300, 1000]. Share pod 2 cores, 200 milli.
        // Share option: 1 − (0.5·(2/128) + (300/8000)·(200/8000))/2 = 0.99563…
        // Exclusive option (2 idle = 2000): 1 − (0.0078125 + 0.25·0.025)/2 = 0.99297…
        // The share option wins: GPU 1, score 99.
        let n = node(64_000, &[1000, 300, 1000]);
        let (score, gpus) = dot_product(&n, &pod(2000, 1, 200));
        assert_eq!((score, gpus.render().as_str()), (99, "1"));
        // A whole-GPU pod only has the exclusive option: GPU 0.
        let (_, gpus) = dot_product(&n, &pod(2000, 1, 1000));
        assert_eq!(gpus.render(), "0");
        // Too little cpu: score 0.
        assert_eq!(dot_product(&n, &pod(65_000, 0, 0)).0, 0);
    }

    #[test]
    fn fgd_prefers_the_placement_that_removes_fragmentation() {
        // Typical pods: all <0.5 GPU>. Node GPUs [1000, 700]: 700 is usable,
        // frag = 0. Placing a 0.5 pod on GPU 1 leaves 200 (< 500): frag 200,
        // Δ = −200 → sigmoid(−0.2)·100 = 45. On GPU 0 it leaves [500, 700]: frag 0,
        // Δ = 0 → 50. FGD picks GPU 0 with score 50.
        let t = TypicalPods(vec![TypicalPod {
            cpu_milli: 1000,
            gpu: GpuRequest {
                count: 1,
                milli: 500,
                models: ModelSet::ANY,
            },
            freq: 1.0,
        }]);
        let n = node(64_000, &[1000, 700]);
        let before = t.node_frag_milli(&n);
        assert_eq!(before, 0.0);
        let (score, gpus) = fgd(&n, &pod(1000, 1, 500), &t, before);
        assert_eq!((score, gpus.render().as_str()), (50, "0"));
        // A 0.2 pod on GPU 1 leaves 500, still usable: Δ = 0, 50; on GPU 0, too.
        // Equal scores keep the lowest index.
        let (score, gpus) = fgd(&n, &pod(1000, 1, 200), &t, before);
        assert_eq!((score, gpus.render().as_str()), (50, "0"));
        // Node [300, 700] (frag 300): a 0.3 pod on GPU 0 removes the fragment:
        // Δ = +300 → sigmoid(0.3)·100 = 57.
        let n = node(64_000, &[300, 700]);
        let before = t.node_frag_milli(&n);
        assert!((before - 300.0).abs() < 1e-9);
        let (score, gpus) = fgd(&n, &pod(1000, 1, 300), &t, before);
        assert_eq!((score, gpus.render().as_str()), (57, "0"));
    }

    #[test]
    fn kube_strategies_score_cpu_and_memory() {
        // 1000 of 4000 cpu used, pod 1000 → 50% used; memory 1 GiB of 1 TiB + 1 GiB.
        let mut n = node(4000, &[1000]);
        n.cpu_left_milli = 3000;
        let p = pod(1000, 1, 1000);
        let cpu_least = 50;
        let mem_least = ((1i64 << 40) - (1 << 30)) * 100 / (1 << 40);
        assert_eq!(
            Policy::LeastAllocated.score(&n, &p, &TypicalPods::default(), 0.0),
            (cpu_least + mem_least) / 2
        );
        assert_eq!(
            Policy::MostAllocated.score(&n, &p, &TypicalPods::default(), 0.0),
            50 / 2
        );
        // Balanced: fractions 0.5 and 1/1024 → (1 − |0.5 − 0.000977|/2)·100 = 75.
        assert_eq!(
            Policy::BalancedAllocation.score(&n, &p, &TypicalPods::default(), 0.0),
            75
        );
    }

    #[test]
    fn policy_names_round_trip() {
        for p in Policy::ALL {
            assert_eq!(Policy::parse(p.name()), Some(p));
        }
        assert_eq!(Policy::parse("fgd"), None);
    }
}
