//! GpuDotProduct: the DotProd (`dot_product_score.go`) (Weng et al., ATC'23; the authors' simulator
//! hkust-adsl/kubernetes-scheduler-simulator). Scores pods with a GPU share
//! (`kubesim.io/gpu-milli`); PreScore skips the others. Not in the default
//! set: enable it in a profile's `plugins.score`.

use super::gpu_share::{gpu_node, gpu_pod};
use crate::model::gpu_share;
use crate::model::Pod;
use crate::scheduler::framework::{NodeView, Plugin, PreResult};

pub const NAME: &str = "GpuDotProduct";

pub struct GpuDotProduct;

impl Plugin for GpuDotProduct {
    fn name(&self) -> &'static str {
        NAME
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
            Some(p) => crate::gpu::policy::dot_product(&gpu_node(node), &p).0,
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
    fn scores_a_sharing_pod_from_the_node_gpus() {
        // 64 cores, GPUs [1000, 300 free]: as in `gpu::policy`'s hand-computed
        // case, a 2-core 0.2-GPU pod scores 99 on the partly used GPU.
        let mut n = node("n", "64", "256Gi");
        n.usage.gpus.count = 2;
        n.usage.gpus.used_milli[1] = 700;
        let mut b = pod("p").cpu("2");
        b.1.annotations
            .insert(gpu_share::MILLI_ANNOTATION.into(), "200".into());
        let pod = b.build();
        assert_eq!(GpuDotProduct.pre_score(&pod), PreResult::Run);
        assert_eq!(GpuDotProduct.score(&pod, n.view()), 99);
        // 63.5 cores used: too little cpu left for any option → 0.
        n.usage.requested.cpu_millis = 63_000;
        assert_eq!(GpuDotProduct.score(&pod, n.view()), 0);
    }
}
