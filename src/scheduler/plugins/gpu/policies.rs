//! Four GPU policies of Weng et al. ("Beware of Fragmentation", ATC'23; the
//! authors' simulator hkust-adsl/kubernetes-scheduler-simulator) as optional
//! score plugins, one struct with the policy's score function:
//! - GpuPacking (`gpu_packing_score.go`);
//! - GpuBestFit (`best_fit_score.go`);
//! - GpuDotProduct (DotProd, `dot_product_score.go`);
//! - GpuClustering (`gpu_clustering_score.go`): prefer nodes whose GPU pods
//!   have the pod's shape tag (`share-gpu`, `N-gpu`), then idle nodes, then
//!   the rest, and within a band less free GPU share.
//!
//! They score pods with a GPU share (`kubesim.io/gpu-milli`); PreScore skips
//! the others. Not in the default set: enable them in a profile's
//! `plugins.score`. FGD, which also picks the GPU at Reserve, is `fgd.rs`.

use super::share::{gpu_node, gpu_pod};
use crate::model::gpu_device::{GpuNode, GpuPod};
use crate::model::gpu_share;
use crate::model::Pod;
use crate::scheduler::framework::{NodeView, Plugin, PreResult};
use crate::scheduler::plugins::gpu::policy;

pub const GPU_PACKING: &str = "GpuPacking";
pub const GPU_BEST_FIT: &str = "GpuBestFit";
pub const GPU_DOT_PRODUCT: &str = "GpuDotProduct";
pub const GPU_CLUSTERING: &str = "GpuClustering";

pub struct GpuPolicyScore {
    name: &'static str,
    score: fn(&GpuNode, &GpuPod) -> i64,
}

/// The plugin of that name, if it is one of these policies.
pub fn plugin(name: &str) -> Option<GpuPolicyScore> {
    let (name, score): (&'static str, fn(&GpuNode, &GpuPod) -> i64) = match name {
        GPU_PACKING => (GPU_PACKING, policy::gpu_packing_score),
        GPU_BEST_FIT => (GPU_BEST_FIT, policy::best_fit_score),
        GPU_DOT_PRODUCT => (GPU_DOT_PRODUCT, |node, pod| {
            policy::dot_product(node, pod).0
        }),
        GPU_CLUSTERING => (GPU_CLUSTERING, policy::gpu_clustering_score),
        _ => return None,
    };
    Some(GpuPolicyScore { name, score })
}

impl Plugin for GpuPolicyScore {
    fn name(&self) -> &'static str {
        self.name
    }
    fn has_score(&self) -> bool {
        true
    }
    fn pre_score(&self, pod: &Pod) -> PreResult {
        if gpu_share::request(pod).is_some() {
            PreResult::Run
        } else {
            PreResult::Skip
        }
    }
    fn score(&self, pod: &Pod, node: NodeView) -> i64 {
        match gpu_pod(pod) {
            Some(p) => (self.score)(&gpu_node(node), &p),
            None => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::pod::fixtures::pod;
    use crate::scheduler::plugins::test_nodes::node;

    #[test]
    fn dot_product_scores_a_sharing_pod_from_the_node_gpus() {
        // 64 cores, GPUs [1000, 300 free]: as in `gpu::policy`'s hand-computed
        // case, a 2-core 0.2-GPU pod scores 99 on the partly used GPU.
        let mut n = node("n", "64", "256Gi");
        n.usage.gpus.count = 2;
        n.usage.gpus.used_milli[1] = 700;
        let mut b = pod("p").cpu("2");
        b.1.annotations
            .insert(gpu_share::MILLI_ANNOTATION.into(), "200".into());
        let pod = b.build();
        let dot = plugin(GPU_DOT_PRODUCT).unwrap();
        assert_eq!(dot.name(), "GpuDotProduct");
        assert_eq!(dot.pre_score(&pod), PreResult::Run);
        assert_eq!(dot.score(&pod, n.view()), 99);
        // 63.5 cores used: too little cpu left for any option → 0.
        n.usage.requested.cpu_millis = 63_000;
        assert_eq!(dot.score(&pod, n.view()), 0);
    }

    #[test]
    fn pods_without_a_gpu_share_are_skipped_and_unknown_names_are_none() {
        let p = pod("p").cpu("1").build();
        for name in [GPU_PACKING, GPU_BEST_FIT, GPU_DOT_PRODUCT, GPU_CLUSTERING] {
            assert_eq!(plugin(name).unwrap().pre_score(&p), PreResult::Skip);
        }
        assert!(plugin("Fgd").is_none());
    }
}
