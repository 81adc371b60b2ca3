//! The arithmetic of Deployments, ReplicaSets and Jobs, as pure functions:
//! maxSurge / maxUnavailable resolution (`pkg/controller/deployment/util/deployment_util.go`),
//! how far a rolling update may go in one step, the Job retry backoff
//! (`pkg/controller/job/backoff_utils.go`), the scale-down order of pods
//! (`pkg/controller/controller_utils.go` ActivePodsWithRanks), and generated names.

use crate::engine::{SimDuration, SimTime};
pub use crate::model::intstr::IntOrPercent;
use std::cmp::{Ordering, Reverse};

impl IntOrPercent {
    /// `"25%"` or `"3"`; negative values are errors.
    pub fn parse(text: &str) -> Result<IntOrPercent, String> {
        let t = text.trim();
        let (digits, percent) = match t.strip_suffix('%') {
            Some(d) => (d, true),
            None => (t, false),
        };
        let v: i32 = digits.parse().map_err(|_| {
            format!(
                "expected a non-negative integer or percentage such as 3 or 25%, found {text:?}"
            )
        })?;
        if v < 0 {
            return Err(format!(
                "must be greater than or equal to 0, found {text:?}"
            ));
        }
        Ok(if percent {
            IntOrPercent::Percent(v)
        } else {
            IntOrPercent::Int(v)
        })
    }
}

/// `intstr.GetScaledValueFromIntOrPercent`: a percentage of `total`, rounded up or down.
pub fn scaled_value(v: IntOrPercent, total: i32, round_up: bool) -> i32 {
    match v {
        IntOrPercent::Int(i) => i,
        IntOrPercent::Percent(p) => {
            let scaled = p as i64 * total as i64;
            (if round_up {
                (scaled + 99).div_euclid(100)
            } else {
                scaled.div_euclid(100)
            }) as i32
        }
    }
}

/// `ResolveFenceposts`: maxSurge rounded up, maxUnavailable rounded down; if
/// both come out 0, maxUnavailable is 1 so a rollout can progress.
pub fn resolve_fenceposts(
    max_surge: IntOrPercent,
    max_unavailable: IntOrPercent,
    desired: i32,
) -> (i32, i32) {
    let surge = scaled_value(max_surge, desired, true);
    let unavailable = scaled_value(max_unavailable, desired, false);
    if surge == 0 && unavailable == 0 {
        (0, 1)
    } else {
        (surge, unavailable)
    }
}

/// `MaxUnavailable`: capped at the desired replicas.
pub fn max_unavailable(
    max_surge: IntOrPercent,
    max_unavailable: IntOrPercent,
    desired: i32,
) -> i32 {
    if desired == 0 {
        return 0;
    }
    resolve_fenceposts(max_surge, max_unavailable, desired)
        .1
        .min(desired)
}

/// `MaxSurge`.
pub fn max_surge(max_surge: IntOrPercent, max_unavailable: IntOrPercent, desired: i32) -> i32 {
    resolve_fenceposts(max_surge, max_unavailable, desired).0
}

/// `NewRSNewReplicas` for RollingUpdate: the new ReplicaSet may grow until all
/// ReplicaSets together reach desired + maxSurge, and never past desired.
pub fn new_rs_new_replicas(
    desired: i32,
    max_surge: i32,
    all_current: i32,
    new_rs_current: i32,
) -> i32 {
    let max_total = desired + max_surge;
    if all_current >= max_total {
        return new_rs_current;
    }
    // Upstream does not clamp: a new ReplicaSet above desired shrinks here.
    let scale_up = (max_total - all_current).min(desired - new_rs_current);
    new_rs_current + scale_up
}

/// `reconcileOldReplicaSets`: how many old replicas may go now, keeping
/// desired − maxUnavailable available and counting the new ReplicaSet's
/// unavailable pods against the budget.
pub fn old_replicas_scale_down_budget(
    desired: i32,
    max_unavailable: i32,
    all_pods: i32,
    new_rs_replicas: i32,
    new_rs_available: i32,
) -> i32 {
    let min_available = desired - max_unavailable;
    let new_unavailable = (new_rs_replicas - new_rs_available).max(0);
    (all_pods - min_available - new_unavailable).max(0)
}

/// `DefaultJobPodFailureBackOff` 10 s, doubled per failure, capped at
/// `MaxJobPodFailureBackOff` 10 min (`job_controller.go`, v1.32; the docs' "six minutes" is older).
pub fn job_backoff_delay(failures: u32) -> SimDuration {
    if failures == 0 {
        return SimDuration::ZERO;
    }
    let cap = SimDuration::from_secs(600);
    let exp = (failures - 1).min(16);
    SimDuration::from_secs(10u64 << exp).min(cap)
}

/// What the scale-down order compares for one pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodRank {
    pub assigned: bool,
    /// Pending 0, Unknown 1, Running 2.
    pub phase_rank: u8,
    pub ready: bool,
    /// Active pods of the same controller on the same node (more goes first).
    pub co_located_rank: i32,
    pub ready_since: Option<SimTime>,
    pub restarts: u32,
    pub created: SimTime,
}

/// Seconds since `t` on upstream's logarithmic scale (LogarithmicScaleDown,
/// on by default): times within the same power of two compare equal.
fn log_bucket(t: SimTime, now: SimTime) -> i64 {
    let secs = now.since(t).0 / 1_000_000;
    if secs == 0 {
        -1
    } else {
        63 - secs.leading_zeros() as i64
    }
}

/// `ActivePodsWithRanks.Less`: the pods to delete first sort first —
/// unassigned, then Pending < Unknown < Running, not ready before ready,
/// more pods on the same node, ready for less time, more restarts, newer.
/// Equal pods compare Equal: callers break ties (by name).
pub fn scale_down_order(a: &PodRank, b: &PodRank, now: SimTime) -> Ordering {
    a.assigned
        .cmp(&b.assigned)
        .then(a.phase_rank.cmp(&b.phase_rank))
        .then(a.ready.cmp(&b.ready))
        .then(b.co_located_rank.cmp(&a.co_located_rank))
        .then_with(
            || match (a.ready && b.ready, a.ready_since, b.ready_since) {
                // Ready for less time first: a later ready time sorts first.
                (true, Some(x), Some(y)) => log_bucket(x, now).cmp(&log_bucket(y, now)),
                _ => Ordering::Equal,
            },
        )
        .then(b.restarts.cmp(&a.restarts))
        .then_with(|| log_bucket(a.created, now).cmp(&log_bucket(b.created, now)))
}

/// [`scale_down_order`] as a sort key, so that pods are ranked once rather
/// than at every comparison: keys compare as their ranks do.
pub type ScaleDownKey = (bool, u8, bool, Reverse<i32>, i64, Reverse<u32>, i64);

pub fn scale_down_key(r: &PodRank, now: SimTime) -> ScaleDownKey {
    debug_assert_eq!(r.ready, r.ready_since.is_some(), "ready since when");
    // Ready time counts only between two ready pods; the pods compared here
    // are both ready or both not (`ready` is compared before).
    let ready_bucket = match (r.ready, r.ready_since) {
        (true, Some(t)) => log_bucket(t, now),
        _ => i64::MIN,
    };
    (
        r.assigned,
        r.phase_rank,
        r.ready,
        Reverse(r.co_located_rank),
        ready_bucket,
        Reverse(r.restarts),
        log_bucket(r.created, now),
    )
}

/// The alphabet of `rand.SafeEncodeString`: no vowels, no confusable characters.
const SAFE_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

fn encode(mut v: u64, len: usize) -> String {
    (0..len)
        .map(|_| {
            let c = SAFE_ALPHABET[(v % SAFE_ALPHABET.len() as u64) as usize];
            v /= SAFE_ALPHABET.len() as u64;
            c as char
        })
        .collect()
}

/// A stable 10-character pod-template-hash from the template's canonical
/// text (FNV-1a 64). Upstream hashes the Go object, which cannot be
/// reproduced byte for byte; what matters is that equal templates share a
/// hash and different ones do not.
pub fn pod_template_hash(template_text: &str, collision_count: u32) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in template_text.bytes().chain(collision_count.to_le_bytes()) {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    encode(h, 10)
}

/// A 5-character generated-name suffix (`web-7d9f8c6b5-x2k4q`) from a random u64.
pub fn name_suffix(random: u64) -> String {
    encode(random, 5)
}

#[cfg(test)]
mod tests {
    use super::*;
    use IntOrPercent::{Int, Percent};

    #[test]
    fn default_fenceposts_for_1_to_20_replicas() {
        for n in 1..=20 {
            // 25% of n: surge ⌈n/4⌉, unavailable ⌊n/4⌋; both 0 only when n = 0.
            let surge = (n + 3) / 4;
            let unavailable = n / 4;
            let expected = if surge == 0 && unavailable == 0 {
                (0, 1)
            } else {
                (surge, unavailable)
            };
            assert_eq!(
                resolve_fenceposts(Percent(25), Percent(25), n),
                expected,
                "n = {n}"
            );
        }
        // n = 1..3: surge 1, unavailable 0 (a rollout surges by one pod).
        assert_eq!(resolve_fenceposts(Percent(25), Percent(25), 3), (1, 0));
        assert_eq!(resolve_fenceposts(Percent(0), Percent(0), 10), (0, 1));
        assert_eq!(resolve_fenceposts(Int(2), Int(0), 10), (2, 0));
        // Upstream deployment_util_test: 30% of 10 surge → 3, unavailable 33% of 10 → 3.
        assert_eq!(resolve_fenceposts(Percent(30), Percent(33), 10), (3, 3));
        assert_eq!(max_unavailable(Int(0), Int(50), 10), 10);
    }

    #[test]
    fn new_replica_set_growth() {
        assert_eq!(new_rs_new_replicas(10, 3, 10, 0), 3);
        assert_eq!(new_rs_new_replicas(10, 3, 13, 3), 3);
        assert_eq!(new_rs_new_replicas(10, 3, 11, 3), 5);
        assert_eq!(new_rs_new_replicas(10, 3, 4, 0), 9);
        assert_eq!(new_rs_new_replicas(3, 1, 0, 0), 3);
    }

    #[test]
    fn old_replica_budget() {
        // 10 desired, 2 unavailable allowed, 13 pods, new RS 3 replicas none available:
        // 13 − 8 − 3 = 2.
        assert_eq!(old_replicas_scale_down_budget(10, 2, 13, 3, 0), 2);
        assert_eq!(old_replicas_scale_down_budget(10, 0, 10, 0, 0), 0);
    }

    #[test]
    fn job_backoff_doubles_to_ten_minutes() {
        let secs: Vec<u64> = (0..=8)
            .map(|f| job_backoff_delay(f).0 / 1_000_000)
            .collect();
        assert_eq!(secs, vec![0, 10, 20, 40, 80, 160, 320, 600, 600]);
    }

    fn rank(assigned: bool, phase: u8, ready: bool, restarts: u32, created_s: u64) -> PodRank {
        PodRank {
            assigned,
            phase_rank: phase,
            ready,
            co_located_rank: 1,
            ready_since: ready.then(|| SimTime::from_secs(created_s)),
            restarts,
            created: SimTime::from_secs(created_s),
        }
    }

    #[test]
    fn scale_down_order_matches_upstream_precedence() {
        let now = SimTime::from_secs(10_000);
        let o = |a: PodRank, b: PodRank| scale_down_order(&a, &b, now);
        assert_eq!(
            o(rank(false, 0, false, 0, 0), rank(true, 2, true, 0, 0)),
            Ordering::Less
        );
        assert_eq!(
            o(rank(true, 0, false, 0, 0), rank(true, 2, false, 0, 0)),
            Ordering::Less
        );
        assert_eq!(
            o(rank(true, 2, false, 0, 0), rank(true, 2, true, 0, 0)),
            Ordering::Less
        );
        assert_eq!(
            o(rank(true, 2, true, 5, 0), rank(true, 2, true, 0, 0)),
            Ordering::Less
        );
        // Ready at 9 990 s (10 s ago) goes before ready at 0 (10 000 s ago).
        assert_eq!(
            o(rank(true, 2, true, 0, 9_990), rank(true, 2, true, 0, 0)),
            Ordering::Less
        );
        // Within the same power of two of age, equal.
        assert_eq!(
            o(rank(true, 2, true, 0, 9_990), rank(true, 2, true, 0, 9_989)),
            Ordering::Equal
        );
    }

    #[test]
    fn scale_down_keys_compare_as_their_ranks() {
        let now = SimTime::from_secs(10_000);
        let mut ranks = Vec::new();
        for assigned in [false, true] {
            for phase in 0..3 {
                for ready in [false, true] {
                    for co_located in [1, 2] {
                        for restarts in [0, 3] {
                            for created_s in [0, 9_000, 9_989, 9_990, 10_000] {
                                let mut r = rank(assigned, phase, ready, restarts, created_s);
                                r.co_located_rank = co_located;
                                // Ready at another time than created.
                                r.ready_since = ready.then(|| SimTime::from_secs(created_s / 2));
                                ranks.push(r);
                            }
                        }
                    }
                }
            }
        }
        for a in &ranks {
            for b in &ranks {
                assert_eq!(
                    scale_down_key(a, now).cmp(&scale_down_key(b, now)),
                    scale_down_order(a, b, now),
                    "{a:?} vs {b:?}"
                );
            }
        }
    }

    #[test]
    fn names_use_the_safe_alphabet() {
        let h = pod_template_hash("spec", 0);
        assert_eq!(h.len(), 10);
        assert_eq!(h, pod_template_hash("spec", 0));
        assert_ne!(h, pod_template_hash("spec2", 0));
        assert_ne!(h, pod_template_hash("spec", 1));
        let s = name_suffix(12345);
        assert_eq!(s.len(), 5);
        assert!(s.bytes().all(|c| SAFE_ALPHABET.contains(&c)));
        assert_eq!(IntOrPercent::parse("25%"), Ok(Percent(25)));
        assert_eq!(IntOrPercent::parse("3"), Ok(Int(3)));
        assert!(IntOrPercent::parse("-1").is_err());
    }
}
