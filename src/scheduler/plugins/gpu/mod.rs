//! GPU placement in the scheduler: the GPU share filter and device choice at
//! Reserve, the placement policies of Weng et al. ("Beware of
//! Fragmentation", USENIX ATC'23) and their fragmentation measure.
//!
//! - [`share`]: the GpuShare plugin (filter, Reserve's device choice).
//! - [`policies`]: the paper's policies as score plugins.
//! - [`fgd`]: FGD, fragmentation gradient descent, as a score plugin.
//! - [`frag`]: typical pods and the expected fragmentation of a node.
//! - [`policy`]: Random, DotProd, GpuClustering, GpuPacking, BestFit, FGD and
//!   kube's LeastAllocated, MostAllocated and BalancedAllocation as scores
//!   over a node's devices, shared with the fill-up application.
pub mod fgd;
pub mod frag;
pub mod policies;
pub mod policy;
pub mod share;
