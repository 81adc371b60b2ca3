//! A node's health as the API shows it: the kubelet's Lease
//! (`kube-node-lease`) and the status of the node's Ready condition.
//!
//! The Lease is renewed every [`LEASE_RENEW_INTERVAL`] while the kubelet can
//! reach the API server. Renewals are not simulated as events: the renew
//! time at any instant follows from when the kubelet started renewing and
//! when it stopped, which is all the node lifecycle controller reads.

use crate::engine::{SimDuration, SimTime};

/// `NodeLeaseDurationSeconds` (40 s) × `renewIntervalFraction` (0.25):
/// the kubelet renews its Lease every 10 s (`pkg/kubelet/kubelet.go`, v1.32).
pub const LEASE_RENEW_INTERVAL: SimDuration = SimDuration(10_000_000);

/// `v1.ConditionStatus` of the Ready condition.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum ConditionStatus {
    #[default]
    True,
    False,
    Unknown,
}

impl ConditionStatus {
    /// The word `kubectl get nodes` shows in STATUS.
    pub fn node_status(self) -> &'static str {
        match self {
            ConditionStatus::True => "Ready",
            ConditionStatus::False => "NotReady",
            ConditionStatus::Unknown => "Unknown",
        }
    }
}

/// A node's Lease and Ready condition.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NodeHealth {
    /// When the kubelet (re)started renewing its Lease.
    pub lease_since: SimTime,
    /// When it stopped (crash, partition); `None` while it renews.
    pub lease_stopped: Option<SimTime>,
    /// Status of the Ready condition (`node.ready` is `ready == True`).
    pub ready: ConditionStatus,
}

impl NodeHealth {
    /// `spec.renewTime` of the Lease as seen at `now`: the last renewal at or
    /// before `now` (or before the kubelet stopped).
    pub fn lease_renew_time(&self, now: SimTime) -> SimTime {
        let until = self.lease_stopped.map_or(now, |s| s.min(now));
        let elapsed = until.since(self.lease_since).0;
        let step = LEASE_RENEW_INTERVAL.0;
        SimTime(self.lease_since.0 + elapsed / step * step)
    }

    pub fn renewing(&self) -> bool {
        self.lease_stopped.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lease_renews_every_ten_seconds_until_stopped() {
        let mut h = NodeHealth {
            lease_since: SimTime::from_secs(3),
            ..Default::default()
        };
        assert_eq!(
            h.lease_renew_time(SimTime::from_secs(3)),
            SimTime::from_secs(3)
        );
        assert_eq!(
            h.lease_renew_time(SimTime::from_secs(12)),
            SimTime::from_secs(3)
        );
        assert_eq!(
            h.lease_renew_time(SimTime::from_secs(13)),
            SimTime::from_secs(13)
        );
        h.lease_stopped = Some(SimTime::from_secs(41));
        assert_eq!(
            h.lease_renew_time(SimTime::from_secs(500)),
            SimTime::from_secs(33)
        );
    }
}
