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
}

impl Node {
    pub fn name(&self) -> &str {
        &self.metadata.name
    }
}
