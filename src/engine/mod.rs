//! The discrete-event engine: virtual time, the event queue with cancellable
//! timers, seeded random streams, distributions and run limits.
//! It knows nothing about Kubernetes.
pub mod distribution;
pub mod limits;
pub mod profile;
pub mod queue;
pub mod rng;
pub mod time;

pub use limits::{Limits, StopReason};
pub use queue::{EventQueue, TimerId};
pub use rng::RandomStreams;
pub use time::{SimDuration, SimTime};
