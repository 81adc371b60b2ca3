//! The Cluster Autoscaler (cluster-autoscaler 1.32) over the scenario's
//! autoscaled node pools, and the node-hours and cost of every pool.
//!
//! - [`group`]: node pools as node groups (size limits, template, price);
//! - [`options`]: the autoscaler's flags and their 1.32 defaults;
//! - [`cost`]: each node's time in the cluster, node-hours and cost.

pub mod cost;
pub mod group;
pub mod options;

pub use group::{group_of, CapacityType, GroupAutoscaling, NodeGroup};
pub use options::{AutoscalerOptions, Expander};
