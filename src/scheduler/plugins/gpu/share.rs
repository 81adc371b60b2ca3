//! GpuShare: the Filter of GPU sharing (`model::gpu_share`), after the
//! authors' simulator of Weng et al. (ATC'23), `pkg/simulator/plugin/open_gpu_share.go`:
//! a pod with a `kubesim.io/gpu-milli` share fits a node whose GPU model it
//! allows and which has one GPU with that share free (a sharing pod) or
//! enough fully free GPUs (a whole-GPU pod). Pods without a share request
//! skip it at PreFilter. The devices are chosen again at Reserve
//! ([`reserve_devices`]), after the pod is bound.

use crate::model::gpu_share::{self, NodeGpus};
use crate::model::{ClusterState, Pod};
use crate::scheduler::framework::{
    ClusterEvent, Code, FilterReason, FilterResult, NodeView, Plugin, PreResult, Unfit,
};

pub const NAME: &str = "GpuShare";

pub struct GpuShare;

impl Plugin for GpuShare {
    fn name(&self) -> &'static str {
        NAME
    }
    fn has_filter(&self) -> bool {
        true
    }
    fn pre_filter(&self, pod: &Pod) -> PreResult {
        if gpu_share::request(pod).is_some() {
            PreResult::Run
        } else {
            PreResult::Skip
        }
    }
    fn filter(&self, pod: &Pod, node: NodeView) -> FilterResult {
        let Some(req) = gpu_share::request(pod) else {
            return Ok(());
        };
        if !gpu_share::model_allowed(req.models, node.node) {
            return Err(Unfit::new(
                Code::UnschedulableAndUnresolvable,
                FilterReason::GpuModelMismatch,
            ));
        }
        match gpu_share::choose(&req, &node.usage.gpus) {
            Some(_) => Ok(()),
            None => Err(Unfit::new(
                Code::Unschedulable,
                FilterReason::InsufficientGpuShare,
            )),
        }
    }
    fn is_schedulable_after(&self, pod: &Pod, event: ClusterEvent, state: &ClusterState) -> bool {
        match event {
            // A pod that ends frees its GPU share.
            ClusterEvent::AssignedPodDelete => true,
            ClusterEvent::NodeAdd(id) | ClusterEvent::NodeUpdate(id) => {
                self.filter(pod, NodeView::of(state, id)).is_ok()
            }
        }
    }
}

/// Reserve: the devices a bound pod gets on its node's GPUs, with the share on
/// each, or None for a pod without a share request or a node without room
/// (when the profile does not run GpuShare).
pub fn reserve_devices(pod: &Pod, gpus: &NodeGpus) -> Option<(u8, i32)> {
    let req = gpu_share::request(pod)?;
    gpu_share::choose(&req, gpus).map(|set| (set, req.milli))
}

/// The node as the GPU policies of `crate::scheduler::plugins::gpu::policy` see it.
pub fn gpu_node(view: NodeView) -> crate::model::gpu_device::GpuNode {
    let alloc = &view.node.allocatable;
    let used = &view.usage.requested;
    let gpus = &view.usage.gpus;
    let n = (gpus.count as usize).min(crate::model::gpu_device::MAX_GPUS_PER_NODE);
    let mut node = crate::model::gpu_device::GpuNode::new(
        alloc.cpu_millis,
        alloc.memory_bytes >> 20,
        n as u8,
        None,
    );
    node.cpu_left_milli = alloc.cpu_millis - used.cpu_millis;
    node.memory_left_mib = (alloc.memory_bytes - used.memory_bytes) >> 20;
    for i in 0..n {
        node.milli_left[i] = gpus.free_milli(i);
    }
    node.affinity = gpus.pods_by_tag;
    node
}

/// The pod as the GPU policies see it, if it declares a GPU share.
pub fn gpu_pod(pod: &Pod) -> Option<crate::model::gpu_device::GpuPod> {
    let req = gpu_share::request(pod)?;
    Some(crate::model::gpu_device::GpuPod {
        cpu_milli: pod.requests.cpu_millis,
        memory_mib: pod.requests.memory_bytes >> 20,
        gpu: crate::model::gpu_device::GpuRequest {
            count: req.count,
            milli: req.milli,
            models: crate::model::gpu_device::ModelSet::ANY,
        },
    })
}
