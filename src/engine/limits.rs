//! Named limits on a run. Hitting one ends the run early and is reported in
//! the results as an outcome, never a hang.

use super::time::SimTime;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Stop after this many events have been processed.
    pub max_events: u64,
    /// Stop when simulated time would pass this point.
    pub max_time: SimTime,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_events: 100_000_000,
            max_time: SimTime::MAX,
        }
    }
}

/// Why a run stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// No events were left: everything that could happen did.
    Drained,
    /// The scenario's duration (`max_time`) was reached.
    MaxTime,
    /// `max_events` events were processed.
    MaxEvents,
}

impl StopReason {
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::Drained => "drained",
            StopReason::MaxTime => "max_time",
            StopReason::MaxEvents => "max_events",
        }
    }
}
