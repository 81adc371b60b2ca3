//! The straight-line scores of the fused pass: the default score plugins'
//! arithmetic (NodeResourcesFit LeastAllocated or MostAllocated with cpu
//! and memory weighted 1 each, BalancedAllocation over cpu and memory) in
//! doubles that hold the plugins' integers exactly, without branches.

use super::Cycle;
use crate::model::store::NodeId;
use crate::scheduler::columns::{ScoreColumns, ScoreRow};
use crate::scheduler::framework::MAX_NODE_SCORE;
use crate::scheduler::snapshot::Snapshot;
use std::ops::Range;

/// NodeResourcesFit's strategy in the straight-line scores.
#[derive(Clone, Copy, Debug)]
pub(super) enum Straight {
    Least,
    Most,
}

/// The totals of the feasible nodes `found` into `totals`, with the default
/// score plugins' arithmetic on [`ScoreRow`]s, without branches (see
/// `Plan::straight` for when it applies): the same integers as
/// `Plan::total`, since each step computes the same quotient. A total
/// cached in the current epoch is reused.
#[inline(never)]
pub(super) fn score_found<const MOST_ALLOCATED: bool>(
    cycle: &Cycle,
    snapshot: &Snapshot,
    found: &[NodeId],
    totals: &mut Vec<i64>,
) {
    let pod = PodRequests::of(cycle);
    if !snapshot.totals_in_epoch {
        // No total to reuse (always so for pods that all differ).
        totals.extend(
            found
                .iter()
                .map(|&node_id| straight_total::<MOST_ALLOCATED>(&pod, snapshot.row(node_id))),
        );
        return;
    }
    let epoch = snapshot.score_epoch;
    totals.extend(found.iter().map(|&node_id| {
        let f = snapshot.fit(node_id);
        // Predictable: pods of one shape find every total cached.
        if f.total_epoch == epoch {
            f.total as i64
        } else {
            straight_total::<MOST_ALLOCATED>(&pod, snapshot.row(node_id))
        }
    }));
}

/// `score_found` without cached totals, over the snapshot's columns: the
/// totals of every node the pass visited (the positions `visited` in the
/// visiting order, wrapping around past the last) in one loop over
/// consecutive positions, which the compiler vectorises, into `scratch`
/// (by position); then each feasible node's total is read off by its
/// position. Cheaper than `score_found` when most visited nodes are
/// feasible.
#[inline(never)]
pub(super) fn score_visited(
    straight: Straight,
    pod: &PodRequests,
    columns: &ScoreColumns,
    visited: Range<usize>,
    found: &[NodeId],
    scratch: &mut Vec<i64>,
    totals: &mut Vec<i64>,
) {
    let n = columns.allocatable[0].len();
    scratch.resize(n, 0);
    let first = visited.start..visited.end.min(n);
    let second = 0..visited.len() - first.len();
    for run in [first, second] {
        match straight {
            Straight::Least => score_run::<false>(pod, columns, run, scratch),
            Straight::Most => score_run::<true>(pod, columns, run, scratch),
        }
    }
    totals.extend(
        found
            .iter()
            .map(|&node_id| scratch[columns.position(node_id)]),
    );
}

/// `straight_total` of the nodes at positions `run` into `out[run]`.
fn score_run<const MOST_ALLOCATED: bool>(
    pod: &PodRequests,
    columns: &ScoreColumns,
    run: Range<usize>,
    out: &mut [i64],
) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2.
        return unsafe { score_run_avx2::<MOST_ALLOCATED>(pod, columns, run, out) };
    }
    score_run_plain::<MOST_ALLOCATED>(pod, columns, run, out)
}

/// `score_run_plain` compiled for AVX2: four nodes per vector operation
/// instead of the baseline's two. The same operations on each node, in
/// IEEE arithmetic without fused multiply-adds, so the same totals.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn score_run_avx2<const MOST_ALLOCATED: bool>(
    pod: &PodRequests,
    columns: &ScoreColumns,
    run: Range<usize>,
    out: &mut [i64],
) {
    score_run_plain::<MOST_ALLOCATED>(pod, columns, run, out)
}

#[inline(always)]
fn score_run_plain<const MOST_ALLOCATED: bool>(
    pod: &PodRequests,
    columns: &ScoreColumns,
    run: Range<usize>,
    out: &mut [i64],
) {
    let out = &mut out[run.clone()];
    let n = out.len();
    // Slices of one length, so the loop needs no bounds checks.
    fn column<'a>(c: &'a [Vec<f64>; 2], k: usize, run: &Range<usize>, n: usize) -> &'a [f64] {
        &c[k][run.clone()][..n]
    }
    let (a0, a1) = (
        column(&columns.allocatable, 0, &run, n),
        column(&columns.allocatable, 1, &run, n),
    );
    let (v0, v1) = (
        column(&columns.inverse_allocatable, 0, &run, n),
        column(&columns.inverse_allocatable, 1, &run, n),
    );
    let (r0, r1) = (
        column(&columns.requested, 0, &run, n),
        column(&columns.requested, 1, &run, n),
    );
    let (z0, z1) = (
        column(&columns.non_zero_requested, 0, &run, n),
        column(&columns.non_zero_requested, 1, &run, n),
    );
    for i in 0..n {
        let row = ScoreRow {
            allocatable: [a0[i], a1[i]],
            inverse_allocatable: [v0[i], v1[i]],
            requested: [r0[i], r1[i]],
            non_zero_requested: [z0[i], z1[i]],
        };
        out[i] = straight_total::<MOST_ALLOCATED>(pod, &row);
    }
}

/// The pod's side of `straight_total`, cpu then memory in each pair.
pub(super) struct PodRequests {
    pub(super) requested: [f64; 2],
    pub(super) non_zero: [f64; 2],
    pub(super) constant: f64,
    pub(super) fit_weight: f64,
    pub(super) balanced_weight: f64,
}

impl PodRequests {
    pub(super) fn of(cycle: &Cycle) -> PodRequests {
        PodRequests {
            requested: [
                cycle.requested_cpu_millis as f64,
                cycle.requested_memory_bytes as f64,
            ],
            non_zero: [
                cycle.non_zero_cpu_millis as f64,
                cycle.non_zero_memory_bytes as f64,
            ],
            constant: cycle.constant as f64,
            fit_weight: cycle.fit_weight as f64,
            balanced_weight: cycle.balanced_weight as f64,
        }
    }
}

/// `Plan::total` for `Plan::straight`'s case, in doubles holding integers
/// below 2^53 (exact) wherever the plugins compute in integers.
#[inline(always)]
pub(super) fn straight_total<const MOST_ALLOCATED: bool>(pod: &PodRequests, row: &ScoreRow) -> i64 {
    const ROUND: f64 = (3u64 << 51) as f64;
    let max_score = MAX_NODE_SCORE as f64;
    // NodeResourcesFit: leastRequestedScore is 0 when requested exceeds
    // capacity, mostRequestedScore counts such a resource as full; then
    // `numerator / capacity` rounded down, as `divide` computes it: the
    // product with the reciprocal rounded to an integer is within one of
    // the quotient, and the exact remainder corrects it.
    let fit: [f64; 2] = std::array::from_fn(|k| {
        let requested = row.non_zero_requested[k] + pod.non_zero[k];
        let capacity = row.allocatable[k];
        let numerator = if MOST_ALLOCATED {
            requested.min(capacity)
        } else {
            (capacity - requested).max(0.0)
        } * max_score;
        let q = (numerator * row.inverse_allocatable[k] - 0.5 + ROUND) - ROUND;
        let remainder = numerator - q * capacity;
        q + if remainder >= capacity { 1.0 } else { 0.0 } - if remainder < 0.0 { 1.0 } else { 0.0 }
    });
    // Weights 1 and 1: the weighted sum divided by 2 and rounded down. The
    // half sum is an integer or an integer and a half, a quarter below it
    // rounds to the nearest integer without a tie.
    let fit = ((fit[0] + fit[1]) * 0.5 - 0.25 + ROUND) - ROUND;
    // BalancedAllocation (`balanced_two_resource_score`): the same
    // divisions on the same doubles, since `requested + pod` is exact.
    let fraction: [f64; 2] = std::array::from_fn(|k| {
        ((row.requested[k] + pod.requested[k]) / row.allocatable[k]).min(1.0)
    });
    // |fraction_a - fraction_b| is the same for either order of cpu and memory.
    let std = ((fraction[0] - fraction[1]) / 2.0).abs();
    let score = (1.0 - std) * max_score;
    // Truncated like the plugin's `as i64` (50 <= score <= 100): rounding
    // `score - 1/2` (exact) to the nearest integer gives the integer part,
    // or one less when score is an integer (a tie).
    let below = (score - 0.5 + ROUND) - ROUND;
    let balanced = below + if below + 1.0 <= score { 1.0 } else { 0.0 };
    // Integers far below 2^53 all the way (weights are at most
    // MAX_PLUGIN_WEIGHT): exact, and read off the mantissa as `divide` does.
    let total = pod.constant + fit * pod.fit_weight + balanced * pod.balanced_weight;
    (total + ROUND).to_bits() as i64 - ROUND.to_bits() as i64
}
