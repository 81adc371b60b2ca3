//! The fragmentation measure of Weng et al. (ATC'23, §3) as the authors'
//! simulator computes it (`pkg/utils/frag.go`, `NodeGpuShareFragAmount` and
//! `GetTypicalPods`).
//!
//! The *typical pods* are the workload's pod shapes (cpu, GPU share, GPU
//! count, allowed models) sorted by how often they occur, taken until they
//! cover 95% of the pods, with frequencies renormalised to sum to 1. A node's
//! fragmentation is the expected amount of its free GPU share that a pod
//! drawn from that distribution could not use:
//! - a CPU-only pod, a pod the node's model does not serve, or a pod that
//!   does not fit (too little cpu or no GPU with enough share) counts all of
//!   the node's free GPU share as fragment;
//! - a pod that fits counts the GPUs whose free share is below its per-GPU
//!   request.

use crate::model::gpu_device::{GpuNode, GpuRequest, MILLI_PER_GPU};
use std::collections::HashMap;

/// Default share of the workload the typical pods cover (`podPopularityThreshold: 95`).
pub const DEFAULT_TYPICAL_COVERAGE: f64 = 0.95;

/// One typical pod shape and its probability.
#[derive(Clone, Debug, PartialEq)]
pub struct TypicalPod {
    pub cpu_milli: i64,
    pub gpu: GpuRequest,
    /// Probability of this shape among the typical pods (they sum to 1).
    pub freq: f64,
}

/// The typical pod distribution of a workload.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TypicalPods(pub Vec<TypicalPod>);

impl TypicalPods {
    /// Counts the shapes of `pods` (cpu milli, GPU request), sorts them by
    /// count, most frequent first (ties: the larger shape first, as the
    /// authors' `sort.Reverse` over `PodResource.Less` orders them), and keeps
    /// shapes until they cover `coverage` of the pods (`podIncreaseStep: 1`).
    /// `spec_text` renders a model set as the trace's `gpu_spec`, the last tie-break.
    pub fn from_workload(
        pods: impl IntoIterator<Item = (i64, GpuRequest)>,
        coverage: f64,
        spec_text: impl Fn(&GpuRequest) -> String,
    ) -> TypicalPods {
        let mut counts: HashMap<(i64, GpuRequest), u64> = HashMap::new();
        let mut total = 0u64;
        for shape in pods {
            *counts.entry(shape).or_default() += 1;
            total += 1;
        }
        if total == 0 {
            return TypicalPods::default();
        }
        let mut shapes: Vec<((i64, GpuRequest), u64, String)> = counts
            .into_iter()
            .map(|(k, n)| {
                let text = spec_text(&k.1);
                (k, n, text)
            })
            .collect();
        // Descending by count, then descending by (cpu, milli, count, spec text).
        shapes.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then(b.0 .0.cmp(&a.0 .0))
                .then(b.0 .1.milli.cmp(&a.0 .1.milli))
                .then(b.0 .1.count.cmp(&a.0 .1.count))
                .then(b.2.cmp(&a.2))
        });
        let expected = coverage * total as f64;
        let mut covered = 0u64;
        let mut kept = 0;
        while (covered as f64) < expected && kept < shapes.len() {
            covered += shapes[kept].1;
            kept += 1;
        }
        TypicalPods(
            shapes[..kept]
                .iter()
                .map(|((cpu_milli, gpu), n, _)| TypicalPod {
                    cpu_milli: *cpu_milli,
                    gpu: *gpu,
                    freq: *n as f64 / covered as f64,
                })
                .collect(),
        )
    }

    /// `NodeGpuShareFragAmountScore`: the node's expected fragmented GPU share, in milli-GPU.
    pub fn node_frag_milli(&self, node: &GpuNode) -> f64 {
        let left_total = node.gpu_left_total();
        if left_total == 0 {
            return 0.0;
        }
        let mut frag = 0.0;
        for t in &self.0 {
            frag += t.freq * pod_frag_milli(node, t, left_total) as f64;
        }
        frag
    }
}

/// How much of the node's free GPU share one typical pod would leave as fragment.
fn pod_frag_milli(node: &GpuNode, t: &TypicalPod, left_total: i64) -> i64 {
    // `GetNodePodFrag`: XL/XR (CPU-only), NoAccess, Q1, Q2 and Q4 count all
    // free share; only Q3 (the pod fits) counts the too-small GPUs.
    if t.gpu.milli == 0 || !t.gpu.models.accepts(node.model) {
        return left_total;
    }
    if node.can_host_gpus(&t.gpu) && node.cpu_left_milli >= t.cpu_milli {
        node.gpus()
            .iter()
            .filter(|&&m| m < t.gpu.milli)
            .map(|&m| m as i64)
            .sum()
    } else {
        left_total
    }
}

/// The node after `NodeResource.Sub`: cpu taken, and each requested GPU taken
/// from the GPU with the least free share that still fits (ascending stable
/// sort, so lowest index among equals). FGD scores whole-GPU and CPU-only pods
/// on this state.
pub fn after_packed_placement(node: &GpuNode, req: &GpuRequest, cpu_milli: i64) -> GpuNode {
    let mut out = node.clone();
    out.cpu_left_milli -= cpu_milli;
    let mut need = req.count as usize;
    if need == 0 {
        return out;
    }
    let n = node.n_gpus as usize;
    let mut order: [usize; crate::model::gpu_device::MAX_GPUS_PER_NODE] = [0, 1, 2, 3, 4, 5, 6, 7];
    order[..n].sort_by_key(|&i| node.milli_left[i]);
    for &i in &order[..n] {
        if req.milli <= out.milli_left[i] {
            out.milli_left[i] -= req.milli;
            need -= 1;
            if need == 0 {
                break;
            }
        }
    }
    debug_assert!(need == 0 || req.milli > MILLI_PER_GPU);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::gpu_device::ModelSet;

    fn req(count: u8, milli: i32) -> GpuRequest {
        GpuRequest {
            count,
            milli,
            models: ModelSet::ANY,
        }
    }

    fn typical(shapes: &[(i64, GpuRequest, f64)]) -> TypicalPods {
        TypicalPods(
            shapes
                .iter()
                .map(|&(cpu_milli, gpu, freq)| TypicalPod {
                    cpu_milli,
                    gpu,
                    freq,
                })
                .collect(),
        )
    }

    #[test]
    fn fragmentation_of_hand_computed_nodes() {
        // Paper Fig. 4 style: typical pods 50% <0.5 GPU>, 50% <1 GPU>, 1 cpu each.
        let t = typical(&[(1000, req(1, 500), 0.5), (1000, req(1, 1000), 0.5)]);
        // Node with GPUs [1000, 300]: the 0.5-GPU pod fits and wastes the
        // 300 GPU (< 500); the 1-GPU pod fits and wastes 300 too.
        let mut node = GpuNode::new(8000, 1 << 20, 2, Some(0));
        node.milli_left = [1000, 300, 0, 0, 0, 0, 0, 0];
        assert!((t.node_frag_milli(&node) - 300.0).abs() < 1e-9);
        // GPUs [600, 300]: the 0.5 pod wastes 300; the 1-GPU pod does not fit,
        // so all 900 free is fragment: 0.5·300 + 0.5·900 = 600.
        node.milli_left = [600, 300, 0, 0, 0, 0, 0, 0];
        assert!((t.node_frag_milli(&node) - 600.0).abs() < 1e-9);
        // No cpu left: nothing fits, all 900 is fragment.
        node.cpu_left_milli = 0;
        assert!((t.node_frag_milli(&node) - 900.0).abs() < 1e-9);
        // A full node has no fragment.
        node.milli_left = [0; 8];
        assert_eq!(t.node_frag_milli(&node), 0.0);
    }

    #[test]
    fn cpu_only_and_inaccessible_pods_count_all_free_share() {
        let mut t4_only = req(1, 200);
        t4_only.models = ModelSet(0b10);
        let t = typical(&[(1000, req(0, 0), 0.25), (1000, t4_only, 0.75)]);
        let node = GpuNode::new(8000, 1 << 20, 2, Some(0));
        // Both shapes count the whole 2000 free: model 0 is not T4 (bit 1).
        assert!((t.node_frag_milli(&node) - 2000.0).abs() < 1e-9);
        let t4 = GpuNode::new(8000, 1 << 20, 2, Some(1));
        // On a T4 node the constrained pod fits and wastes nothing: 0.25·2000.
        assert!((t.node_frag_milli(&t4) - 500.0).abs() < 1e-9);
    }

    #[test]
    fn typical_pods_cover_the_threshold_and_renormalise() {
        // 10 pods: 5×A, 3×B, 1×C, 1×D. 95% of 10 = 9.5: A, B, C cover 9 < 9.5,
        // so D (which ties C on count and sorts after it as the smaller shape)
        // is needed too. At 80%: A and B cover 8 ≥ 8, frequencies 5/8 and 3/8.
        let a = (4000, req(1, 1000));
        let b = (2000, req(1, 500));
        let c = (8000, req(0, 0));
        let d = (1000, req(0, 0));
        let pods: Vec<_> = [a; 5].into_iter().chain([b; 3]).chain([c, d]).collect();
        let text = |_: &GpuRequest| String::new();
        let all = TypicalPods::from_workload(pods.clone(), 0.95, text);
        assert_eq!(all.0.len(), 4);
        assert_eq!((all.0[2].cpu_milli, all.0[3].cpu_milli), (8000, 1000));
        let top = TypicalPods::from_workload(pods, 0.8, text);
        assert_eq!(top.0.len(), 2);
        assert!((top.0[0].freq - 5.0 / 8.0).abs() < 1e-12);
        assert!((top.0[1].freq - 3.0 / 8.0).abs() < 1e-12);
    }

    #[test]
    fn packed_placement_takes_the_tightest_gpu() {
        let mut node = GpuNode::new(8000, 1 << 20, 4, Some(0));
        node.milli_left = [1000, 700, 400, 700, 0, 0, 0, 0];
        let after = after_packed_placement(&node, &req(1, 300), 1000);
        assert_eq!(after.gpus(), &[1000, 700, 100, 700]);
        let after = after_packed_placement(&node, &req(1, 500), 1000);
        assert_eq!(after.gpus(), &[1000, 200, 400, 700]);
        assert_eq!(after.cpu_left_milli, 7000);
    }
}
