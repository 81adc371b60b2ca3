//! The GPU fill-up and replay: applications over the simulator's GPU parts,
//! beside `sweep`. The paper's fill-up protocol (Weng et al., "Beware of
//! Fragmentation", USENIX ATC'23) and a time-driven replay of a GPU trace,
//! each with its own loop over the same device accounting
//! ([`crate::model::gpu_device`]) and placement policies
//! ([`crate::scheduler::plugins::gpu`]) that the event-driven simulation uses.
//!
//! - [`fillup`]: one run of the protocol over a trace.
//! - [`replay`]: the trace replayed at its own timestamps.
//! - [`scenario`], [`report`], [`replay_report`]: the scenario files and the
//!   files a run writes.
pub mod fillup;
pub mod replay;
pub mod replay_report;
pub mod report;
pub mod scenario;
