//! The HPA algorithm on small cases worked out by hand from upstream's
//! `replica_calculator.go` and `horizontal.go` (v1.32).

use super::behavior::BehaviorMemory;
use super::replica_calculator::{resource_replicas, MetricTime, PodView};
use crate::engine::{SimDuration, SimTime};
use crate::model::autoscaling::{PolicyType, ScalingPolicy, ScalingRules, SelectPolicy};

fn t(s: u64) -> SimTime {
    SimTime::from_secs(s)
}

const NOW: u64 = 3600;

/// A ready pod long past its cpu initialization period, using `m`
/// millicores of its 1000m request.
fn ready(m: i64) -> PodView {
    PodView {
        ignored: false,
        pending: false,
        metric: Some(m),
        request: Ok(1000),
        start_time: Some(t(0)),
        ready: Some((true, t(10))),
    }
}

fn pending() -> PodView {
    PodView {
        pending: true,
        metric: None,
        start_time: None,
        ready: None,
        ..ready(0)
    }
}

fn missing() -> PodView {
    PodView {
        metric: None,
        ..ready(0)
    }
}

fn metric_time() -> MetricTime {
    MetricTime {
        timestamp: t(NOW),
        window: SimDuration::from_secs(15),
    }
}

/// Utilization target `target` % of cpu.
fn util(current: i32, target: i64, pods: &[PodView]) -> Result<(i32, i64), String> {
    resource_replicas(current, target, true, true, pods, t(NOW), metric_time())
}

#[test]
fn desired_is_ceil_of_current_times_ratio() {
    // 90 % against 50 %: ratio 1.8, ceil(1.8 × 3) = 6.
    assert_eq!(
        util(3, 50, &[ready(900), ready(900), ready(900)]),
        Ok((6, 90))
    );
    // 25 % against 50 %: ceil(0.5 × 4) = 2.
    assert_eq!(util(4, 50, &vec![ready(250); 4]), Ok((2, 25)));
}

#[test]
fn tolerance_and_integer_utilization() {
    // 52 %: ratio 1.04, within 0.1 of 1: no change.
    assert_eq!(util(3, 50, &vec![ready(520); 3]), Ok((3, 52)));
    // 54.9 % truncates to 54 (ratio 1.08): no change.
    assert_eq!(util(3, 50, &vec![ready(549); 3]), Ok((3, 54)));
    // 55 %: 55/50 is 1.1000000000000001 in floating point, just outside
    // the tolerance: ceil(3.3000000000000003) = 4, as upstream computes it.
    assert_eq!(util(3, 50, &vec![ready(550); 3]), Ok((4, 55)));
}

#[test]
fn missing_pods_count_at_their_request_on_a_scale_down() {
    // 4 ready at 10 %, one without a sample: ratio 0.2; the missing one
    // counts at 100 % of its request: (400 + 1000) / 5000 = 28 %, ratio
    // 0.56, ceil(0.56 × 5) = 3.
    let pods = [ready(100), ready(100), ready(100), ready(100), missing()];
    assert_eq!(util(5, 50, &pods), Ok((3, 10)));
    // 2 ready at 20 % and one missing: (400 + 1000) / 3000 = 46 %, within
    // the tolerance: no change.
    assert_eq!(
        util(3, 50, &[ready(200), ready(200), missing()]),
        Ok((3, 20))
    );
}

#[test]
fn missing_pods_count_at_zero_on_a_scale_up() {
    // 2 ready at 100 %, one missing: 2000 / 3000 = 66 %, ratio 1.32,
    // ceil(1.32 × 3) = 4.
    assert_eq!(
        util(3, 50, &[ready(1000), ready(1000), missing()]),
        Ok((4, 100))
    );
}

#[test]
fn unready_pods_count_at_zero_only_on_a_scale_up() {
    // 3 ready at 100 %, one pending: 3000 / 4000 = 75 %, ratio 1.5, ceil(6).
    let pods = [ready(1000), ready(1000), ready(1000), pending()];
    assert_eq!(util(4, 50, &pods), Ok((6, 100)));
    // 2 ready at 100 %, 2 pending: 2000 / 4000 = 50 %, ratio 1: no change.
    let pods = [ready(1000), ready(1000), pending(), pending()];
    assert_eq!(util(4, 50, &pods), Ok((4, 100)));
    // On a scale-down unready pods are left out: ceil(0.4 × 1) = 1.
    assert_eq!(util(2, 50, &[ready(200), pending()]), Ok((1, 20)));
}

#[test]
fn cpu_initialization_period_and_initial_readiness_delay() {
    // Started 60 s ago, ready 10 s ago: its sample does not yet cover a
    // whole window since the transition, so it is unready and left out.
    let young = PodView {
        start_time: Some(t(NOW - 60)),
        ready: Some((true, t(NOW - 10))),
        ..ready(1000)
    };
    // Only the young pod is left out: 1 ready at 10 %, ceil(0.2 × 1) = 1.
    assert_eq!(util(2, 50, &[ready(100), young.clone()]), Ok((1, 10)));
    // Ready 20 s ago: its sample counts (55 %, ratio 1.1…: ceil(2.2) = 3).
    let settled = PodView {
        ready: Some((true, t(NOW - 20))),
        ..young
    };
    assert_eq!(util(2, 50, &[ready(100), settled]), Ok((3, 55)));
    // Past the initialization period, not ready and never was (its
    // condition changed within 30 s of its start): left out.
    let never = PodView {
        ready: Some((false, t(5))),
        ..ready(1000)
    };
    assert_eq!(util(2, 50, &[ready(100), never]), Ok((1, 10)));
    // Not ready, but it was after the delay: its sample counts.
    let dropped = PodView {
        ready: Some((false, t(600))),
        ..ready(1000)
    };
    assert_eq!(util(2, 50, &[ready(100), dropped]), Ok((3, 55)));
}

#[test]
fn average_value_targets_and_errors() {
    // 300m and 500m against 200m: average 400, ratio 2, ceil(2 × 2) = 4.
    let r = resource_replicas(
        2,
        200,
        false,
        true,
        &[ready(300), ready(500)],
        t(NOW),
        metric_time(),
    );
    assert_eq!(r, Ok((4, 400)));
    // No sample at all: the metrics client's error.
    let no_metrics =
        "unable to get metrics for resource cpu: no metrics returned from resource metrics API";
    assert_eq!(util(2, 50, &[pending(), pending()]), Err(no_metrics.into()));
    assert_eq!(util(1, 50, &[]), Err(no_metrics.into()));
    // Samples, but only of pods that do not count yet.
    let young = PodView {
        start_time: Some(t(NOW - 60)),
        ready: Some((false, t(NOW - 60))),
        ..ready(1000)
    };
    assert_eq!(
        util(1, 50, &[young]),
        Err("did not receive metrics for targeted pods (pods might be unready)".into())
    );
    let no_request = PodView {
        request: Err("missing request for cpu in container app of Pod web-1".into()),
        ..ready(100)
    };
    assert_eq!(
        util(1, 50, &[no_request]),
        Err("missing request for cpu in container app of Pod web-1".into())
    );
}

fn up() -> ScalingRules {
    ScalingRules::default_scale_up()
}
fn down() -> ScalingRules {
    ScalingRules::default_scale_down()
}

/// Runs syncs every 15 s from `start` with these metric recommendations
/// through the behavior, applying each result as the new current count
/// (with its scale event), and returns the counts.
fn sequence(
    up: &ScalingRules,
    down: &ScalingRules,
    (min, max): (i32, i32),
    mut current: i32,
    recommendations: &[i32],
) -> Vec<i32> {
    let mut memory = BehaviorMemory::default();
    let mut out = Vec::new();
    for (i, &desired) in recommendations.iter().enumerate() {
        let now = t(15 * i as u64);
        let n = memory.normalize(up, down, min, max, current, desired, now);
        if n.replicas != current {
            memory.store_scale_event(up, down, current, n.replicas, now);
            current = n.replicas;
        }
        out.push(current);
    }
    out
}

#[test]
fn default_scale_up_is_the_larger_of_4_pods_and_100_percent_per_15_s() {
    // From 1 to 40: +4 (5), +5 doubling (10), doubling (20), (40).
    assert_eq!(
        sequence(&up(), &down(), (1, 100), 1, &[40; 5]),
        [5, 10, 20, 40, 40]
    );
    // The maximum caps it.
    assert_eq!(
        sequence(&up(), &down(), (1, 12), 1, &[40; 4]),
        [5, 10, 12, 12]
    );
}

#[test]
fn default_scale_down_waits_for_the_300_s_window() {
    // Up to 10 at 15 s, then the metric asks for 3 from 30 s on: the
    // highest recommendation of the last 300 s holds 10 until the 10s are
    // older than 300 s (the sync at 315 s sees only 3s after 15 s), then
    // the whole drop at once (−100 % allowed), down to the minimum at most.
    let mut recs = vec![10, 10];
    recs.extend([3; 20]);
    let counts = sequence(&up(), &down(), (1, 20), 1, &recs);
    assert_eq!(&counts[..2], [5, 10]);
    // Syncs at 30 … 300 s (indexes 2 … 20) keep 10; 315 s (index 21) drops.
    assert!(counts[2..21].iter().all(|&c| c == 10), "{counts:?}");
    assert_eq!(counts[21], 3);
}

#[test]
fn scale_down_policies_and_select_policy() {
    // One pod per 60 s, no window: 10 → 9, then held while the event is
    // within the period; at 60 s an event exactly a period old no longer
    // counts (upstream keeps events strictly after now − period): 8.
    let slow = ScalingRules {
        stabilization_window_seconds: 0,
        select_policy: SelectPolicy::Max,
        policies: vec![ScalingPolicy {
            kind: PolicyType::Pods,
            value: 1,
            period_seconds: 60,
        }],
    };
    let counts = sequence(&up(), &slow, (1, 20), 10, &[5; 7]);
    assert_eq!(counts, [9, 9, 9, 9, 8, 8, 8]);
    // Min of 50 % and 1 pod per 15 s picks the smaller change (1 pod);
    // Max the larger (50 %: 10 → 5).
    let both = |select| ScalingRules {
        stabilization_window_seconds: 0,
        select_policy: select,
        policies: vec![
            ScalingPolicy {
                kind: PolicyType::Pods,
                value: 1,
                period_seconds: 15,
            },
            ScalingPolicy {
                kind: PolicyType::Percent,
                value: 50,
                period_seconds: 15,
            },
        ],
    };
    assert_eq!(
        sequence(&up(), &both(SelectPolicy::Min), (1, 20), 10, &[2]),
        [9]
    );
    assert_eq!(
        sequence(&up(), &both(SelectPolicy::Max), (1, 20), 10, &[2]),
        [5]
    );
    assert_eq!(
        sequence(&up(), &both(SelectPolicy::Disabled), (1, 20), 10, &[2]),
        [10]
    );
}

#[test]
fn conditions_say_why_the_count_was_limited() {
    let mut memory = BehaviorMemory::default();
    let n = memory.normalize(&up(), &down(), 1, 100, 1, 10, t(0));
    assert_eq!(n.replicas, 5);
    assert_eq!(n.able_to_scale.1, "ReadyForNewScale");
    assert_eq!(
        n.scaling_limited,
        (
            true,
            "ScaleUpLimit",
            "the desired replica count is increasing faster than the maximum scale rate"
        )
    );
    let mut memory = BehaviorMemory::default();
    let n = memory.normalize(&up(), &down(), 1, 3, 2, 3, t(0));
    assert_eq!(n.replicas, 3);
    assert!(!n.scaling_limited.0);
    assert_eq!(n.scaling_limited.1, "DesiredWithinRange");
    let mut memory = BehaviorMemory::default();
    memory.normalize(&up(), &down(), 1, 10, 8, 8, t(0));
    let n = memory.normalize(&up(), &down(), 1, 10, 8, 2, t(15));
    assert_eq!(n.replicas, 8);
    assert_eq!(n.able_to_scale.1, "ScaleDownStabilized");
}

#[test]
fn memory_ignores_readiness_and_the_initialization_period() {
    // For memory, a sample of a pod that is not ready yet counts: 2 pods at
    // 90 % of their request against 60 %: ratio 1.5, ceil(1.5 × 2) = 3.
    let young = PodView {
        start_time: Some(t(NOW - 10)),
        ready: Some((false, t(NOW - 10))),
        ..ready(900)
    };
    let r = resource_replicas(
        2,
        60,
        true,
        false,
        &[ready(900), young],
        t(NOW),
        metric_time(),
    );
    assert_eq!(r, Ok((3, 90)));
}
