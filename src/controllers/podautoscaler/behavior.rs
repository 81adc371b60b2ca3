//! `behavior`: the stabilization window and the scaling policies
//! (`pkg/controller/podautoscaler/horizontal.go`, v1.32:
//! `normalizeDesiredReplicasWithBehaviors`, `stabilizeRecommendationWithBehaviors`,
//! `convertDesiredReplicasWithBehaviorRate`, `calculateScaleUpLimitWithScalingRules`,
//! `calculateScaleDownLimitWithBehaviors`, `storeScaleEvent`).

use crate::engine::{SimDuration, SimTime};
use crate::model::autoscaling::{PolicyType, ScalingRules, SelectPolicy};

/// A condition as the controller sets it: (status, reason, message).
pub type Condition = (bool, &'static str, &'static str);

/// What the controller remembers of one HPA between syncs.
#[derive(Clone, Debug, Default)]
pub struct BehaviorMemory {
    /// Recent recommendations (replicas, when).
    recommendations: Vec<(i32, SimTime)>,
    /// Recent scale events (replica change, when, outdated).
    scale_up_events: Vec<(i32, SimTime, bool)>,
    scale_down_events: Vec<(i32, SimTime, bool)>,
}

/// One normalization's outcome: the replicas, and the AbleToScale and
/// ScalingLimited conditions it sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Normalized {
    pub replicas: i32,
    pub able_to_scale: Condition,
    pub scaling_limited: Condition,
}

fn secs(s: i32) -> SimDuration {
    SimDuration::from_secs(s.max(0) as u64)
}

/// `t − d`, or `None` before the run's start (every time is after it).
fn before(t: SimTime, d: SimDuration) -> Option<SimTime> {
    t.0.checked_sub(d.0).map(SimTime)
}

impl BehaviorMemory {
    /// `normalizeDesiredReplicasWithBehaviors`.
    #[allow(clippy::too_many_arguments)]
    pub fn normalize(
        &mut self,
        up: &ScalingRules,
        down: &ScalingRules,
        min: i32,
        max: i32,
        current: i32,
        desired: i32,
        now: SimTime,
    ) -> Normalized {
        // `maybeInitScaleDownStabilizationWindow`: the first sync remembers the current size.
        if self.recommendations.is_empty() {
            self.recommendations.push((current, now));
        }
        let (stabilized, reason, message) = self.stabilize(up, down, current, desired, now);
        let able_to_scale = if stabilized != desired {
            (true, reason, message)
        } else {
            (
                true,
                "ReadyForNewScale",
                "recommended size matches current size",
            )
        };
        let (replicas, reason, message) =
            self.rate_limit(up, down, min, max, current, stabilized, now);
        Normalized {
            replicas,
            able_to_scale,
            scaling_limited: (replicas != stabilized, reason, message),
        }
    }

    /// `stabilizeRecommendationWithBehaviors`: the lowest recommendation of
    /// the scale-up window when going up, the highest of the scale-down
    /// window when going down; the new one replaces a sample older than both
    /// windows, or is appended.
    fn stabilize(
        &mut self,
        up: &ScalingRules,
        down: &ScalingRules,
        current: i32,
        desired: i32,
        now: SimTime,
    ) -> (i32, &'static str, &'static str) {
        let going_up = desired >= current;
        let (window, reason, message) = if going_up {
            (
                up.stabilization_window_seconds,
                "ScaleUpStabilized",
                "recent recommendations were lower than current one, applying the lowest recent recommendation",
            )
        } else {
            (
                down.stabilization_window_seconds,
                "ScaleDownStabilized",
                "recent recommendations were higher than current one, applying the highest recent recommendation",
            )
        };
        let longest = up
            .stabilization_window_seconds
            .max(down.stabilization_window_seconds);
        let obsolete = before(now, secs(longest));
        let cutoff = before(now, secs(window));
        let mut recommendation = desired;
        let mut old = None;
        for (i, &(r, at)) in self.recommendations.iter().enumerate() {
            if cutoff.is_none_or(|c| at > c) {
                recommendation = if going_up {
                    recommendation.min(r)
                } else {
                    recommendation.max(r)
                };
            }
            if obsolete.is_some_and(|o| at < o) {
                old = Some(i);
            }
        }
        match old {
            Some(i) => self.recommendations[i] = (desired, now),
            None => self.recommendations.push((desired, now)),
        }
        (recommendation, reason, message)
    }

    /// `convertDesiredReplicasWithBehaviorRate`.
    #[allow(clippy::too_many_arguments)]
    fn rate_limit(
        &self,
        up: &ScalingRules,
        down: &ScalingRules,
        min: i32,
        max: i32,
        current: i32,
        desired: i32,
        now: SimTime,
    ) -> (i32, &'static str, &'static str) {
        if desired > current {
            let limit = self.scale_up_limit(current, up, now).max(current);
            let (allowed, reason, message) = if max > limit {
                (
                    limit,
                    "ScaleUpLimit",
                    "the desired replica count is increasing faster than the maximum scale rate",
                )
            } else {
                (
                    max,
                    "TooManyReplicas",
                    "the desired replica count is more than the maximum replica count",
                )
            };
            if desired > allowed {
                return (allowed, reason, message);
            }
        } else if desired < current {
            let limit = self.scale_down_limit(current, down, now).min(current);
            let (allowed, reason, message) = if min < limit {
                (
                    limit,
                    "ScaleDownLimit",
                    "the desired replica count is decreasing faster than the maximum scale rate",
                )
            } else {
                (
                    min,
                    "TooFewReplicas",
                    "the desired replica count is less than the minimum replica count",
                )
            };
            if desired < allowed {
                return (allowed, reason, message);
            }
        }
        (
            desired,
            "DesiredWithinRange",
            "the desired count is within the acceptable range",
        )
    }

    /// The replicas at the start of a policy's period: the current count less
    /// the scale-ups and plus the scale-downs made within it.
    fn period_start(&self, current: i32, period_seconds: i32, now: SimTime) -> i32 {
        let cutoff = before(now, secs(period_seconds));
        let change = |events: &[(i32, SimTime, bool)]| -> i32 {
            (events.iter())
                .filter(|e| cutoff.is_none_or(|c| e.1 > c))
                .map(|e| e.0)
                .sum()
        };
        current - change(&self.scale_up_events) + change(&self.scale_down_events)
    }

    /// `calculateScaleUpLimitWithScalingRules`.
    fn scale_up_limit(&self, current: i32, rules: &ScalingRules, now: SimTime) -> i32 {
        let proposals = rules.policies.iter().map(|p| {
            let start = self.period_start(current, p.period_seconds, now);
            match p.kind {
                PolicyType::Pods => start + p.value,
                // Rounded up, so that a small count still grows.
                PolicyType::Percent => {
                    (start as f64 * (1.0 + p.value as f64 / 100.0)).ceil() as i32
                }
            }
        });
        match rules.select_policy {
            SelectPolicy::Disabled => current,
            SelectPolicy::Min => proposals.fold(i32::MAX, i32::min),
            SelectPolicy::Max => proposals.fold(i32::MIN, i32::max),
        }
    }

    /// `calculateScaleDownLimitWithBehaviors`.
    fn scale_down_limit(&self, current: i32, rules: &ScalingRules, now: SimTime) -> i32 {
        let proposals = rules.policies.iter().map(|p| {
            let start = self.period_start(current, p.period_seconds, now);
            match p.kind {
                PolicyType::Pods => start - p.value,
                // Truncated toward zero, as Go's int32() conversion does.
                PolicyType::Percent => (start as f64 * (1.0 - p.value as f64 / 100.0)) as i32,
            }
        });
        match rules.select_policy {
            SelectPolicy::Disabled => current,
            SelectPolicy::Min => proposals.fold(i32::MIN, i32::max),
            SelectPolicy::Max => proposals.fold(i32::MAX, i32::min),
        }
    }

    /// `storeScaleEvent`: a rescale from `previous` to `new`, replacing an
    /// event older than the direction's longest policy period, if any.
    pub fn store_scale_event(
        &mut self,
        up: &ScalingRules,
        down: &ScalingRules,
        previous: i32,
        new: i32,
        now: SimTime,
    ) {
        let (events, rules, change) = if new > previous {
            (&mut self.scale_up_events, up, new - previous)
        } else {
            (&mut self.scale_down_events, down, previous - new)
        };
        let longest = rules
            .policies
            .iter()
            .map(|p| p.period_seconds)
            .max()
            .unwrap_or(0);
        let cutoff = before(now, secs(longest));
        for e in events.iter_mut() {
            if cutoff.is_some_and(|c| e.1 < c) {
                e.2 = true;
            }
        }
        match events.iter_mut().find(|e| e.2) {
            Some(e) => *e = (change, now, false),
            None => events.push((change, now, false)),
        }
    }
}
