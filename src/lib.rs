//! kubesim: a deterministic discrete-event simulator of a Kubernetes cluster.
//!
//! The concepts a newcomer needs:
//! - **event**: something that happens at a simulated instant (a pod arrives,
//!   a scheduling cycle runs, a container exits). The [`engine`] pops events in
//!   (time, sequence) order; time is integer microseconds.
//! - **cluster state**: the object store ([`model::ClusterState`]) holding
//!   nodes and pods. Components change it only through its methods, which
//!   emit watch notifications.
//! - **component**: the [`scheduler`], the [`kubelet`]s and the
//!   [`controllers`]. Each reacts to its own timers and to watch
//!   notifications, and never calls another's internals.
//! - **fault**: what goes wrong with a machine ([`faults`]): it stops, loses
//!   the network, or its kubelet reports NotReady. The cluster's reaction
//!   (Unknown nodes, taints, evictions, replacements) is the components'
//!   ordinary work.
//! - **scenario**: the validated input of a run ([`scenario::Scenario`]),
//!   decoded from YAML with precise errors.
//! - **run**: [`sim::simulate`] takes a scenario and a seed and returns a
//!   [`sim::RunReport`]; [`output`] writes its files. Same scenario and seed,
//!   same bytes.
pub mod autoscaler;
pub mod cli;
pub mod controllers;
pub mod engine;
pub mod faults;
pub mod gpu;
pub mod input;
pub mod kubelet;
pub mod limits;
pub mod metrics;
pub mod model;
pub mod output;
pub mod plot;
pub mod report;
pub mod scenario;
pub mod scheduler;
pub mod sim;
pub mod sweep;
pub mod trace;

#[cfg(test)]
mod tests;
