//! GpuClustering: the GpuClustering policy of Weng et al. (ATC'23;
//! `gpu_clustering_score.go` in the authors' simulator): prefer nodes whose
//! GPU pods have the pod's shape tag (`share-gpu`, `N-gpu`), then idle
//! nodes, then the rest, and within a band less free GPU share. Scores pods
//! with a GPU share (`kubesim.io/gpu-milli`); PreScore skips the others. Not
//! in the default set: enable it in a profile's `plugins.score`.

use super::gpu_share::{gpu_node, gpu_pod};
use crate::model::gpu_share;
use crate::model::Pod;
use crate::scheduler::framework::{NodeView, Plugin, PreResult};

pub const NAME: &str = "GpuClustering";

pub struct GpuClustering;

impl Plugin for GpuClustering {
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
            Some(p) => crate::gpu::policy::gpu_clustering_score(&gpu_node(node), &p),
            None => 0,
        }
    }
}
