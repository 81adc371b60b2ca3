//! Shared scoring machinery of NodeResourcesFit and
//! NodeResourcesBalancedAllocation (`noderesources/resource_allocation.go`,
//! v1.32): per configured resource, the node's allocatable and what would be
//! requested on it if the pod were placed there.

use crate::model::resources::ResourceName;
use crate::model::Pod;
use crate::scheduler::framework::NodeView;

/// A resource and its weight in a score (`config.ResourceSpec`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceSpec {
    pub name: ResourceName,
    pub weight: i64,
}

/// Default resources of both plugins: cpu and memory, weight 1 each.
pub fn default_resources() -> Vec<ResourceSpec> {
    vec![
        ResourceSpec {
            name: ResourceName::Cpu,
            weight: 1,
        },
        ResourceSpec {
            name: ResourceName::Memory,
            weight: 1,
        },
    ]
}

/// Most resources one score may weigh (cpu, memory, ephemeral-storage and the extended ones).
pub const MAX_SCORED_RESOURCES: usize = 3 + crate::model::resources::MAX_EXTENDED_RESOURCES;

/// One resource's (allocatable, requested-with-the-pod) on the node.
/// `use_requested` selects actual requests (BalancedAllocation) instead of the
/// non-zero defaults for cpu and memory (NodeResourcesFit). An extended
/// resource the pod does not request gives (0, 0), which scorers skip.
/// Called per node and resource in the score loop, so it builds no arrays.
#[inline]
pub fn allocatable_and_requested(
    pod: &Pod,
    node: NodeView,
    name: ResourceName,
    use_requested: bool,
) -> (i64, i64) {
    let (pod_req, node_req) = if use_requested {
        (&pod.requests, &node.usage.requested)
    } else {
        (&pod.non_zero_requests, &node.usage.non_zero_requested)
    };
    let pod_request = name.get(pod_req);
    match name {
        ResourceName::Cpu | ResourceName::Memory => (
            name.get(&node.node.allocatable),
            name.get(node_req) + pod_request,
        ),
        // Ephemeral storage and extended resources have no non-zero default.
        ResourceName::EphemeralStorage => (
            node.node.allocatable.ephemeral_storage_bytes,
            node.usage.requested.ephemeral_storage_bytes + pod_request,
        ),
        ResourceName::Extended(_) if pod_request == 0 => (0, 0),
        ResourceName::Extended(_) => (
            name.get(&node.node.allocatable),
            name.get(&node.usage.requested) + pod_request,
        ),
    }
}
