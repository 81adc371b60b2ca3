//! FGD: fragmentation gradient descent (Weng et al., ATC'23; `fgd_score.go`
//! in the authors' simulator): score a node by sigmoid(fragmentation the
//! placement removes / 1000) × 100, with the fragmentation measure of
//! `crate::scheduler::plugins::gpu::frag` over the typical pods given in the profile's
//! `pluginConfig` (`typicalPods`: cpu, GPU share, GPU count and a weight per
//! shape). A sharing pod's GPU is the one whose choice removes the most
//! fragmentation, chosen again at Reserve. Scores pods with a GPU share
//! (`kubesim.io/gpu-milli`); PreScore skips the others. Not in the default
//! set: enable it in a profile's `plugins.score`.

use super::share::{gpu_node, gpu_pod};
use crate::model::gpu_device::{GpuRequest, ModelSet};
use crate::model::gpu_share;
use crate::model::Pod;
use crate::scheduler::framework::{NodeView, Plugin, PreResult};
use crate::scheduler::plugins::gpu::frag::{TypicalPod, TypicalPods};

pub const NAME: &str = "FGD";

/// One typical pod shape of `pluginConfig` (weights are relative).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypicalShape {
    pub cpu_millis: i64,
    pub gpu_milli: i32,
    pub gpu_count: u8,
    pub weight: u32,
}

pub struct Fgd {
    typical: TypicalPods,
}

impl Fgd {
    pub fn new(shapes: &[TypicalShape]) -> Fgd {
        let total: f64 = shapes.iter().map(|s| s.weight as f64).sum();
        Fgd {
            typical: TypicalPods(
                shapes
                    .iter()
                    .filter(|s| s.weight > 0)
                    .map(|s| TypicalPod {
                        cpu_milli: s.cpu_millis,
                        gpu: GpuRequest {
                            count: s.gpu_count,
                            milli: s.gpu_milli,
                            models: ModelSet::ANY,
                        },
                        freq: s.weight as f64 / total,
                    })
                    .collect(),
            ),
        }
    }

    fn place(&self, pod: &Pod, node: NodeView) -> Option<(i64, u8, i32)> {
        let p = gpu_pod(pod)?;
        let n = gpu_node(node);
        let before = self.typical.node_frag_milli(&n);
        let (score, gpus) =
            crate::scheduler::plugins::gpu::policy::fgd(&n, &p, &self.typical, before);
        Some((score, gpus.0, p.gpu.milli))
    }
}

impl Plugin for Fgd {
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
        self.place(pod, node).map_or(0, |(score, _, _)| score)
    }
    fn reserve_devices(&self, pod: &Pod, node: NodeView) -> Option<(u8, i32)> {
        self.place(pod, node)
            .filter(|(_, set, _)| *set != 0)
            .map(|(_, set, milli)| (set, milli))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::pod::fixtures::pod;
    use crate::scheduler::plugins::test_nodes::node;

    #[test]
    fn scores_and_reserves_like_the_fill_up_policy() {
        // As `gpu::policy`'s hand-computed case: typical pods all <1 cpu,
        // 0.5 GPU>; node GPUs [300, 700 free]; a 0.3 pod on GPU 0 removes the
        // 300 fragment: sigmoid(0.3)·100 = 57, and Reserve takes GPU 0.
        let fgd = Fgd::new(&[TypicalShape {
            cpu_millis: 1000,
            gpu_milli: 500,
            gpu_count: 1,
            weight: 3,
        }]);
        let mut n = node("n", "64", "256Gi");
        n.usage.gpus.count = 2;
        n.usage.gpus.used_milli[..2].copy_from_slice(&[700, 300]);
        let mut b = pod("p").cpu("1");
        b.1.annotations
            .insert(gpu_share::MILLI_ANNOTATION.into(), "300".into());
        let p = b.build();
        assert_eq!(fgd.score(&p, n.view()), 57);
        assert_eq!(fgd.reserve_devices(&p, n.view()), Some((0b01, 300)));
    }
}
