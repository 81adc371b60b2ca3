//! The Node: capacity, allocatable, labels, taints, `spec.unschedulable` and
//! the Ready condition.

use super::meta::ObjectMeta;
use super::resources::Resources;
use super::taints::Taint;

/// Well-known labels (`k8s.io/api/core/v1/well_known_labels.go`).
pub const LABEL_HOSTNAME: &str = "kubernetes.io/hostname";
pub const LABEL_TOPOLOGY_ZONE: &str = "topology.kubernetes.io/zone";
/// Default `--max-pods` of the kubelet.
pub const DEFAULT_MAX_PODS: i64 = 110;

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub metadata: ObjectMeta,
    pub capacity: Resources,
    pub allocatable: Resources,
    /// `status.allocatable.pods`.
    pub allocatable_pods: i64,
    pub taints: Vec<Taint>,
    /// `spec.unschedulable` (cordoned).
    pub unschedulable: bool,
    /// The Ready condition is True.
    pub ready: bool,
    /// `status.images`: images present on the node (declared in the scenario).
    pub images: Vec<ContainerImage>,
}

/// One entry of `status.images`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerImage {
    pub names: Vec<String>,
    pub size_bytes: i64,
}

impl Node {
    /// The size of an image present on the node, by any of its names (ImageLocality).
    /// The one place the scheduler asks whether a node has an image, so that a
    /// kubelet image cache can answer it instead of the declared list.
    pub fn image_size(&self, normalized_name: &str) -> Option<i64> {
        self.images
            .iter()
            .find(|i| i.names.iter().any(|n| n == normalized_name))
            .map(|i| i.size_bytes)
    }
}

impl Node {
    pub fn name(&self) -> &str {
        &self.metadata.name
    }
}
