//! Kubernetes API objects and cluster state: metadata, resources and
//! quantities, label selectors, taints and tolerations, node affinity, Pod,
//! Node, and the object store with its watch notifications.
pub mod admission;
pub mod affinity;
pub mod api_latency;
pub mod autoscaling;
pub mod event;
pub mod eviction;
pub mod gpu_device;
pub mod gpu_share;
pub mod intstr;
pub mod labels;
pub mod meta;
pub mod node;
pub mod node_health;
pub mod pod;
pub mod policy;
pub mod probe;
pub mod quantity;
pub mod resources;
pub mod status;
pub mod store;
pub mod taints;
pub mod topology;
pub mod workloads;

pub use node::Node;
pub use pod::{Pod, PodPhase, PodSpec};
pub use resources::{ResourceName, ResourceNames, Resources};
pub use store::{ClusterState, NodeId, PodEntry, PodId, Propagation, WatchEvent, WorkloadId};
