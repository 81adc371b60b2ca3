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

/// Fills `requested` and `allocatable` for each resource and returns how many
/// were filled. `use_requested` selects actual requests (BalancedAllocation)
/// instead of the non-zero defaults for cpu and memory (NodeResourcesFit).
/// An extended resource the pod does not request gives (0, 0), which scorers skip.
pub fn allocatable_and_requested(
    pod: &Pod,
    node: NodeView,
    resources: &[ResourceSpec],
    use_requested: bool,
    requested: &mut [i64; MAX_SCORED_RESOURCES],
    allocatable: &mut [i64; MAX_SCORED_RESOURCES],
) -> usize {
    let (pod_req, node_req) = if use_requested {
        (&pod.requests, &node.usage.requested)
    } else {
        (&pod.non_zero_requests, &node.usage.non_zero_requested)
    };
    for (i, spec) in resources.iter().enumerate() {
        let pod_request = spec.name.get(pod_req);
        let (alloc, req) = match spec.name {
            ResourceName::Cpu | ResourceName::Memory => (
                spec.name.get(&node.node.allocatable),
                spec.name.get(node_req) + pod_request,
            ),
            // Ephemeral storage and extended resources have no non-zero default.
            ResourceName::EphemeralStorage => (
                node.node.allocatable.ephemeral_storage_bytes,
                node.usage.requested.ephemeral_storage_bytes + pod_request,
            ),
            ResourceName::Extended(_) if pod_request == 0 => (0, 0),
            ResourceName::Extended(_) => (
                spec.name.get(&node.node.allocatable),
                spec.name.get(&node.usage.requested) + pod_request,
            ),
        };
        allocatable[i] = alloc;
        requested[i] = req;
    }
    resources.len()
}
