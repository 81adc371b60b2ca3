//! GPU clusters: per-device accounting of GPU share, the GPU placement
//! policies of Weng et al. ("Beware of Fragmentation", USENIX ATC'23), their
//! fragmentation measure, and the paper's fill-up protocol as a scenario mode.
//!
//! - [`device`]: a node's GPUs (model, free milli-GPU per device) and a pod's
//!   GPU request; the filter and the device choice at Reserve.
//! - [`frag`]: typical pods and the expected fragmentation of a node.
//! - [`policy`]: Random, DotProd, GpuClustering, GpuPacking, BestFit, FGD and
//!   kube's LeastAllocated, MostAllocated and BalancedAllocation as scores.
//! - [`fillup`]: one run of the protocol over a trace.
//! - [`scenario`], [`report`]: the scenario file and the files a run writes.
pub mod device;
pub mod fillup;
pub mod frag;
pub mod policy;
pub mod replay;
pub mod replay_report;
pub mod report;
pub mod scenario;
