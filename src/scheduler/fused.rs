//! The fused filter+score pass: for the common pod, one loop over the
//! snapshot (`snapshot`) that filters each node and computes its total score
//! in the same step, instead of a virtual call per plugin per node and a
//! score vector per plugin.
//!
//! It runs only when every plugin that runs for this pod (after PreFilter and
//! PreScore skips) is one it computes exactly: the filters NodeUnschedulable,
//! TaintToleration and NodeResourcesFit, the filters that give their verdict
//! for the prepared pod as quick filters (`framework::QuickFilter`: NodeAffinity
//! from the second pod with the same node selector and required terms on,
//! PodTopologySpread's DoNotSchedule constraints), and the scores NodeResourcesFit
//! (LeastAllocated or MostAllocated over cpu and memory),
//! NodeResourcesBalancedAllocation (cpu and memory) and TaintToleration while
//! no node has a PreferNoSchedule taint (every node then scores
//! MAX_NODE_SCORE after its reverse normalization). Otherwise the scheduler
//! takes the general path for the whole cycle. Nodes the quick check does not
//! pass (cordoned, tainted, too full, or rejected by a quick filter) go
//! through the general filters one by one, so failures carry exactly the
//! general path's reasons. A pass over every node is patched for the next
//! pod only while the quick filters' verdicts are the same (`quick_signature`).
//!
//! The pass filters first (the nodes in order from the cycle's start until
//! `numFeasibleNodesToFind` fit) and then scores the feasible nodes in a
//! loop of their own. With the default score configuration on nodes of
//! ordinary size, that loop is straight-line arithmetic on per-node rows of
//! doubles (`columns::ScoreRow`, cpu and memory side by side), so a pod
//! whose requests differ from the previous one's (a recorded trace's pods
//! all do) costs no more than a few dozen instructions per node, and when
//! most visited nodes are feasible it runs over the same numbers laid out
//! as columns in the visiting order (`columns`), four nodes per vector
//! operation where the processor has AVX2; otherwise it computes each total
//! as the plugins' formulas do. Either way a node's total cached for a pod
//! of the same shape is reused.
//!
//! The totals are the same integers the general path computes (the same
//! scoring functions on the same inputs), and the loop visits nodes in the
//! same order and stops at the same `numFeasibleNodesToFind`, so tie-break
//! draws and every output are unchanged; `fused_pass_matches_the_general_path`
//! checks this on random clusters, with pods of repeated shapes, pods that
//! all differ, and constrained pods.

use super::config::{Profile, ProfileConfig};
use super::framework::{PreResult, QuickFilter, Unfit, MAX_NODE_SCORE};
use super::plugins::balanced_allocation::{self, balanced_two_resource_score};
use super::plugins::node_resources_fit::{self, ScoringStrategy};
use super::plugins::{node_unschedulable, taint_toleration};
use super::snapshot::{NodeEntry, NodeFit, Snapshot, NEEDS_FILTERS};
use crate::model::resources::ResourceName;
use crate::model::store::NodeId;
use crate::model::{ClusterState, Pod};
use straight::{score_found, score_visited, PodRequests, Straight};

/// What a plugin of the profile is to the fused pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    NodeUnschedulable,
    TaintToleration,
    NodeResourcesFit,
    BalancedAllocation,
    /// Anything else: if it runs for the pod, the cycle takes the general path.
    Other,
}

/// NodeResourcesFit's score over cpu and memory: the summed weights of the
/// configured specs per resource (extended resources the pod does not
/// request are skipped by the plugin, as here), and the reciprocals of the
/// weight sums the score may divide by.
#[derive(Clone, Copy, Debug)]
struct FitScore {
    most_allocated: bool,
    cpu_weight: i64,
    memory_weight: i64,
    /// `1 / weight sum` with both resources, cpu only, memory only.
    inverse_weights: [f64; 3],
}

/// A profile's plugins as the fused pass sees them; built once per profile.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Indexed like `Profile::plugins`.
    roles: Vec<Role>,
    /// `None` when the configured strategy or resources are beyond the fused pass.
    fit: Option<FitScore>,
    /// BalancedAllocation's two resources in configured order, or `None`.
    balanced: Option<[ResourceName; 2]>,
}

/// One cycle's inputs to the fused loop: equal inputs give equal totals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cycle {
    requested_cpu_millis: i64,
    requested_memory_bytes: i64,
    non_zero_cpu_millis: i64,
    non_zero_memory_bytes: i64,
    /// Score weights of the plugins that run; 0 when one does not.
    fit_weight: i64,
    balanced_weight: i64,
    /// What every node scores alike (TaintToleration without PreferNoSchedule taints).
    constant: i64,
    /// Some score plugin runs (otherwise every node totals 1, as upstream).
    any_score: bool,
}

impl Plan {
    pub fn new(config: &ProfileConfig, profile: &Profile) -> Plan {
        let roles = profile
            .plugins
            .iter()
            .map(|p| match p.name() {
                node_unschedulable::NAME => Role::NodeUnschedulable,
                taint_toleration::NAME => Role::TaintToleration,
                node_resources_fit::NAME => Role::NodeResourcesFit,
                balanced_allocation::NAME => Role::BalancedAllocation,
                _ => Role::Other,
            })
            .collect();
        let fit_args = &config.fit_args;
        let most_allocated = match fit_args.strategy {
            ScoringStrategy::LeastAllocated => Some(false),
            ScoringStrategy::MostAllocated => Some(true),
            ScoringStrategy::RequestedToCapacityRatio { .. } => None,
        };
        let fit = most_allocated.and_then(|most_allocated| {
            let mut fit = FitScore {
                most_allocated,
                cpu_weight: 0,
                memory_weight: 0,
                inverse_weights: [0.0; 3],
            };
            for spec in &fit_args.resources {
                match spec.name {
                    ResourceName::Cpu => fit.cpu_weight += spec.weight,
                    ResourceName::Memory => fit.memory_weight += spec.weight,
                    ResourceName::Extended(_) => {}
                    ResourceName::EphemeralStorage => return None,
                }
            }
            let inverse = |w: i64| if w == 0 { 0.0 } else { 1.0 / w as f64 };
            fit.inverse_weights = [
                inverse(fit.cpu_weight + fit.memory_weight),
                inverse(fit.cpu_weight),
                inverse(fit.memory_weight),
            ];
            Some(fit)
        });
        let balanced_names: Vec<ResourceName> = config
            .balanced_resources
            .iter()
            .map(|s| s.name)
            .filter(|n| !matches!(n, ResourceName::Extended(_)))
            .collect();
        let balanced = match balanced_names[..] {
            [a, b]
                if [a, b]
                    .iter()
                    .all(|n| matches!(n, ResourceName::Cpu | ResourceName::Memory)) =>
            {
                Some([a, b])
            }
            _ => None,
        };
        Plan {
            roles,
            fit,
            balanced,
        }
    }

    /// The fused loop's inputs for this pod, or `None` when some plugin that
    /// runs for it is beyond the fused pass. `filters` are the filter plugins
    /// PreFilter did not skip; `prepare` has run. The filters the pass does
    /// not compute itself append their quick filters to `quick` (emptied
    /// first); one that has none sends the cycle to the general path.
    pub fn cycle<'a>(
        &self,
        profile: &'a Profile,
        pod: &Pod,
        filters: &[usize],
        snapshot: &Snapshot,
        quick: &mut QuickFilters<'a>,
    ) -> Option<Cycle> {
        let requests = &pod.requests;
        if requests.ephemeral_storage_bytes != 0 || requests.extended.iter().any(|&a| a != 0) {
            return None;
        }
        quick.filters.clear();
        quick.owners.clear();
        for &i in filters {
            let fused = matches!(
                self.roles[i],
                Role::NodeUnschedulable | Role::TaintToleration | Role::NodeResourcesFit
            );
            if !fused {
                if !profile.plugins[i].quick_filters(pod, &mut quick.filters) {
                    return None;
                }
                let n = quick.filters.len() - quick.owners.len();
                quick.owners.extend(std::iter::repeat_n(i, n));
            }
        }
        let mut cycle = Cycle {
            requested_cpu_millis: requests.cpu_millis,
            requested_memory_bytes: requests.memory_bytes,
            non_zero_cpu_millis: pod.non_zero_requests.cpu_millis,
            non_zero_memory_bytes: pod.non_zero_requests.memory_bytes,
            fit_weight: 0,
            balanced_weight: 0,
            constant: 0,
            any_score: false,
        };
        for &(i, weight) in &profile.score {
            if profile.plugins[i].pre_score(pod) == PreResult::Skip {
                continue;
            }
            cycle.any_score = true;
            match self.roles[i] {
                Role::NodeResourcesFit if self.fit.is_some() => cycle.fit_weight += weight,
                Role::BalancedAllocation if self.balanced.is_some() => {
                    cycle.balanced_weight += weight
                }
                // Every raw score 0 → DefaultNormalizeScore(reverse) gives each node the maximum.
                Role::TaintToleration if !snapshot.any_prefer_no_schedule() => {
                    cycle.constant += MAX_NODE_SCORE * weight
                }
                _ => return None,
            }
        }
        Some(cycle)
    }

    /// The quick filter: true only if every fused filter surely passes the
    /// node (NodeResourcesFit's `fitsRequest` for a pod requesting only cpu
    /// and memory, an uncordoned node without NoSchedule/NoExecute taints).
    #[inline]
    fn surely_fits(cycle: &Cycle, f: &NodeFit) -> bool {
        let cpu = cycle.requested_cpu_millis;
        let memory = cycle.requested_memory_bytes;
        f.flags & NEEDS_FILTERS == 0
            && f.pod_slots_free >= 1
            && !(cpu > 0 && cpu > f.free_cpu_millis)
            && !(memory > 0 && memory > f.free_memory_bytes)
    }

    /// The filters' outcome on a node, when the quick checks decide it:
    /// `Some(None)` when it passes every filter, `Some(Some(failure))` when
    /// the fused filters pass it and a quick filter rejects it (the first
    /// plugin in order to reject it, as the general filters would find),
    /// and `None` when the general filters must run.
    #[inline(always)]
    fn quick_outcome(
        cycle: &Cycle,
        f: &NodeFit,
        quick: &QuickFilters,
        node: NodeId,
    ) -> Option<Option<(usize, Unfit)>> {
        if !Self::surely_fits(cycle, f) {
            return None;
        }
        for (q, &owner) in quick.filters.iter().zip(&quick.owners) {
            if let Err(unfit) = q.verdict(node)? {
                return Some(Some((owner, unfit.clone())));
            }
        }
        Some(None)
    }

    /// The node's total score: the weighted sum the general path adds up.
    /// Always inlined, as what it calls: called from the pass and from
    /// `patch`, it would otherwise become calls per node in the pass.
    #[inline(always)]
    fn total(&self, cycle: &Cycle, e: &NodeEntry) -> i64 {
        if !cycle.any_score {
            return 1;
        }
        let mut total = cycle.constant;
        if cycle.fit_weight != 0 {
            if let Some(fit) = self.fit {
                total += fit_score(&fit, cycle, e) * cycle.fit_weight;
            }
        }
        if cycle.balanced_weight != 0 {
            if let Some([a, b]) = self.balanced {
                total += balanced_score(
                    requested_with_pod(cycle, e, a),
                    requested_with_pod(cycle, e, b),
                ) * cycle.balanced_weight;
            }
        }
        total
    }

    /// Filters nodes from `order[start]` on, wrapping around, until
    /// `to_find` fit, scoring each feasible node as it is found, into
    /// `feasible`, `totals` and `failures` (whose contents are replaced).
    /// Nodes the quick check (with the other plugins' `quick` filters) does
    /// not pass go through `general_filter`. A
    /// node's total cached in the snapshot's current epoch is reused: the
    /// caller starts a new epoch whenever the cycle's inputs differ from the
    /// last one's. When the previous pass visited every node with the same
    /// inputs from the same start (`last`), and the outputs are still its
    /// own, only the nodes changed since are redone. Returns how many nodes
    /// were processed.
    ///
    /// Never inlined: inlined into `schedule_pod` the loop lost registers to
    /// its caller and ran about 5% more instructions per node (callgrind, an
    /// end-to-end run of 1 000 nodes × 10 000 varied pods scoring every node).
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    pub fn filter_and_score(
        &self,
        cycle: &Cycle,
        snapshot: &mut Snapshot,
        state: &ClusterState,
        order: &[NodeId],
        start: usize,
        to_find: usize,
        quick: &QuickFilters,
        mut general_filter: impl FnMut(NodeId) -> Option<(usize, Unfit)>,
        last: &mut LastPass,
        feasible: &mut Vec<NodeId>,
        totals: &mut Vec<i64>,
        failures: &mut Vec<(NodeId, usize, Unfit)>,
    ) -> usize {
        let n_nodes = order.len();
        let epoch = snapshot.score_epoch;
        let key = (epoch, start, n_nodes, to_find);
        let quick_none = quick.filters.is_empty();
        last.quick_passes += !quick_none as u64;
        // The quick filters' signature, taken only to compare or record it.
        let mut quick_known = None;
        if last.key == Some(key) {
            let known = quick_signature(&quick.filters, state, &mut last.quick_scratch);
            quick_known = Some(known);
            if let Some(changed) = snapshot
                .changed_since_pass()
                .filter(|_| known && last.quick == last.quick_scratch)
            {
                let patch = PassResults {
                    feasible,
                    totals,
                    failures,
                };
                if self.patch(
                    cycle,
                    snapshot,
                    changed,
                    quick,
                    &last.slot,
                    &mut general_filter,
                    patch,
                ) {
                    snapshot.restart_changed_since_pass();
                    last.patched += 1;
                    last.quick_patched += !quick_none as u64;
                    return n_nodes;
                }
            }
        }
        snapshot.restart_changed_since_pass();
        last.key = None;
        feasible.clear();
        totals.clear();
        failures.clear();
        // Owned copies, so that the loops keep lengths and inputs in registers.
        let cycle = &cycle.clone();
        let mut found = std::mem::take(feasible);
        let mut found_totals = std::mem::take(totals);
        found.reserve(to_find.min(n_nodes));
        // Filter first, then score the feasible nodes in a loop of their
        // own: kept apart, each loop is short and branch-light, and scoring
        // (the costly part when no total is cached, as for pods that all
        // differ) runs without the filters' branches between nodes.
        let mut processed = 0;
        // The nodes from `start` to the end, then from the first: two plain
        // runs instead of a wrap-around check per node.
        'runs: for run in [&order[start..], &order[..start]] {
            for &node_id in run {
                if found.len() >= to_find {
                    break 'runs;
                }
                processed += 1;
                debug_assert_eq!(
                    NodeEntry::of(state, node_id),
                    *snapshot.entry(node_id),
                    "snapshot of node {} is stale",
                    state.node(node_id).name()
                );
                let f = snapshot.fit(node_id);
                debug_assert_eq!(
                    NodeFit {
                        total: f.total,
                        total_epoch: f.total_epoch,
                        ..NodeFit::of(state, node_id)
                    },
                    *f,
                    "snapshot of node {} is stale",
                    state.node(node_id).name()
                );
                debug_assert_eq!(
                    snapshot.columns.row(snapshot.columns.position(node_id)),
                    *snapshot.row(node_id),
                    "columns of node {} are stale",
                    state.node(node_id).name()
                );
                if quick_none {
                    if !Self::surely_fits(cycle, f) {
                        if let Some((i, unfit)) = general_filter(node_id) {
                            failures.push((node_id, i, unfit));
                            continue;
                        }
                    }
                } else {
                    let outcome = Self::quick_outcome(cycle, f, quick, node_id)
                        .unwrap_or_else(|| general_filter(node_id));
                    if let Some((i, unfit)) = outcome {
                        failures.push((node_id, i, unfit));
                        continue;
                    }
                }
                found.push(node_id);
            }
        }
        debug_assert!(found_totals.is_empty());
        let straight = self.straight(cycle, snapshot);
        last.straight += straight.is_some() as u64;
        // Without cached totals, and when most visited nodes are feasible,
        // scoring every visited node in the columns' vectorised loop costs
        // less than scoring the feasible ones row by row.
        let visited_columns = !snapshot.totals_in_epoch && found.len() * 2 >= processed;
        last.visited_columns += (visited_columns && straight.is_some()) as u64;
        match straight {
            Some(straight) if visited_columns => score_visited(
                straight,
                &PodRequests::of(cycle),
                &snapshot.columns,
                start..start + processed,
                &found,
                &mut last.column_totals,
                &mut found_totals,
            ),
            Some(Straight::Least) => {
                score_found::<false>(cycle, snapshot, &found, &mut found_totals)
            }
            Some(Straight::Most) => score_found::<true>(cycle, snapshot, &found, &mut found_totals),
            None => found_totals.extend(found.iter().map(|&node_id| {
                let f = snapshot.fit(node_id);
                if f.total_epoch == epoch {
                    f.total as i64
                } else {
                    self.total(cycle, snapshot.entry(node_id))
                }
            })),
        }
        // Cache the totals for a next pod with the same inputs, from the
        // second pass with them on: pods that all differ (a recorded
        // trace's) would never read them, while a workload's replicas lose
        // only one pass.
        snapshot.passes_in_epoch = snapshot.passes_in_epoch.saturating_add(1);
        if snapshot.passes_in_epoch >= 2 {
            for (&total, &node_id) in found_totals.iter().zip(&found) {
                if let Ok(total) = i32::try_from(total) {
                    let f = snapshot.fit_mut(node_id);
                    f.total = total;
                    f.total_epoch = epoch;
                }
            }
            snapshot.totals_in_epoch |= !found.is_empty();
        }
        *feasible = found;
        *totals = found_totals;
        // Every node visited, and a pass with as many feasible nodes (a
        // patch keeps their number) visits every node again. Recorded, like
        // the totals, from the second pass with the same inputs on: pods
        // that all differ would never patch it.
        let reusable = processed == n_nodes && (feasible.len() < to_find || to_find >= n_nodes);
        let mut signature = || quick_signature(&quick.filters, state, &mut last.quick_scratch);
        let record = reusable && snapshot.passes_in_epoch >= 2 && !snapshot.any_needs_filters();
        if record && quick_known.unwrap_or_else(&mut signature) {
            // Recorded after the loop: stores into another vector inside it
            // cost the loop its registers (aliasing).
            last.slot.resize(state.nodes().len(), 0);
            for (k, &node_id) in feasible.iter().enumerate() {
                last.slot[node_id.0 as usize] = k as u32;
            }
            for (k, (node_id, _, _)) in failures.iter().enumerate() {
                last.slot[node_id.0 as usize] = FAILED | k as u32;
            }
            last.key = Some(key);
            std::mem::swap(&mut last.quick, &mut last.quick_scratch);
        }
        processed
    }

    /// Whether this cycle's totals can take the straight-line scores of
    /// `score_found`: the default score plugins all run (NodeResourcesFit
    /// with cpu and memory weighted 1 each, LeastAllocated or
    /// MostAllocated; BalancedAllocation over cpu and memory) and every
    /// node's allocatable cpu and memory are plain (see `ROOMY`).
    fn straight(&self, cycle: &Cycle, snapshot: &Snapshot) -> Option<Straight> {
        let fit = self.fit?;
        let default_weights = fit.cpu_weight == 1 && fit.memory_weight == 1;
        let all_run = cycle.any_score && cycle.fit_weight != 0 && cycle.balanced_weight != 0;
        if !(default_weights && all_run && self.balanced.is_some()) {
            return None;
        }
        if !snapshot.all_allocatable_plain() {
            return None;
        }
        Some(if fit.most_allocated {
            Straight::Most
        } else {
            Straight::Least
        })
    }

    /// Brings the outputs of the previous pass over every node up to date
    /// for the nodes changed since. False when a changed node now needs the
    /// general filters beyond resources (a cordon or taint, whose outcome
    /// depends on the pod's tolerations) or moved between feasible and
    /// failed: the caller then makes a whole pass.
    #[allow(clippy::too_many_arguments)]
    fn patch(
        &self,
        cycle: &Cycle,
        snapshot: &Snapshot,
        changed: &[NodeId],
        quick: &QuickFilters,
        slot: &[u32],
        general_filter: &mut impl FnMut(NodeId) -> Option<(usize, Unfit)>,
        out: PassResults,
    ) -> bool {
        for &node_id in changed {
            let f = snapshot.fit(node_id);
            if f.flags & NEEDS_FILTERS != 0 {
                return false;
            }
            let outcome = Self::quick_outcome(cycle, f, quick, node_id)
                .unwrap_or_else(|| general_filter(node_id));
            let at = slot[node_id.0 as usize];
            match outcome {
                None if at & FAILED == 0 => {
                    debug_assert_eq!(out.feasible[at as usize], node_id);
                    out.totals[at as usize] = self.total(cycle, snapshot.entry(node_id));
                }
                Some((i, unfit)) if at & FAILED != 0 => {
                    let at = (at & !FAILED) as usize;
                    debug_assert_eq!(out.failures[at].0, node_id);
                    out.failures[at] = (node_id, i, unfit);
                }
                _ => return false,
            }
        }
        true
    }
}

/// The outputs of a pass, to patch.
struct PassResults<'a> {
    feasible: &'a [NodeId],
    totals: &'a mut [i64],
    failures: &'a mut [(NodeId, usize, Unfit)],
}

/// What lets a pass over every node be patched instead of redone: the key
/// (score epoch, start, number of nodes, nodes to find) of the last pass
/// over every node
/// whose outputs the caller still holds, and where each node landed in them.
/// A pass is kept only while no node needs the general filters beyond
/// resources: their outcome depends on more of the pod than the cycle's
/// inputs (its tolerations), while a node's resources fit and total depend
/// on nothing else.
#[derive(Debug, Default)]
pub struct LastPass {
    key: Option<(u32, usize, usize, usize)>,
    /// The quick filters' verdicts of that pass (`quick_signature`), and the
    /// current pass's.
    quick: Vec<u64>,
    quick_scratch: Vec<u64>,
    /// By node id: its index in `feasible`, or `FAILED |` its index in `failures`.
    slot: Vec<u32>,
    /// `score_visited`'s totals by position in the visiting order.
    column_totals: Vec<i64>,
    /// Passes patched rather than redone.
    pub patched: u64,
    /// Passes scored by the straight-line scores (`score_found`), and
    /// those over the columns (`score_visited`).
    pub straight: u64,
    pub visited_columns: u64,
    /// Passes (patched or not) with other plugins' quick filters, and those patched.
    pub quick_passes: u64,
    pub quick_patched: u64,
}

const FAILED: u32 = 1 << 31;

/// The quick filters of the filter plugins the pass does not compute
/// itself, with the profile index of the plugin that gave each.
#[derive(Debug, Default)]
pub struct QuickFilters<'a> {
    filters: Vec<QuickFilter<'a>>,
    owners: Vec<usize>,
}

/// Into `out`, what decides the quick filters' verdicts, and the plugins'
/// own Filter outcomes, on every node: equal signatures give equal outcomes
/// on a node whose resources did not change. A `Nodes` filter is its
/// version; a `Domains` filter its key's node domains and its verdicts per
/// domain (as bits), under the store's nodes generation, which `of_node`
/// follows. False when the verdicts are too many to compare cheaply (the
/// pass is then not patched).
fn quick_signature(quick: &[QuickFilter], state: &ClusterState, out: &mut Vec<u64>) -> bool {
    out.clear();
    if quick.is_empty() {
        return true;
    }
    out.push(state.nodes_generation());
    for q in quick {
        match *q {
            // The failures are statics of the plugins: their addresses name them.
            QuickFilter::Nodes { version, unfit, .. } => {
                out.extend([0, version, unfit as *const Unfit as u64])
            }
            QuickFilter::Domains {
                of_node,
                passes,
                no_domain,
                unfit,
                no_domain_unfit,
            } => {
                out.extend([
                    unfit as *const Unfit as u64,
                    no_domain_unfit as *const Unfit as u64,
                ]);
                if passes.len() > 1 << 16 {
                    return false;
                }
                // Which key's domains: a plugin keeps each key's `of_node`
                // in place until the nodes generation changes.
                let key = of_node.as_ptr() as u64;
                out.extend([1 + no_domain as u64, key, passes.len() as u64]);
                for chunk in passes.chunks(64) {
                    let bits =
                        (chunk.iter().enumerate()).fold(0u64, |w, (k, &b)| w | (b as u64) << k);
                    out.push(bits);
                }
            }
        }
    }
    true
}

impl LastPass {
    /// The caller's outputs are no longer the last pass's.
    pub fn forget(&mut self) {
        self.key = None;
    }
}

/// `a / b` rounded down, for `0 <= a` and `0 < b` whose quotient is at most
/// a few hundred (a score), given `inverse_b = 1 / b`. The product with the
/// reciprocal, less one half and rounded to an integer, is within one of the
/// quotient (and almost always equal to it) while `a < 2^52`; one integer
/// check each way makes it exact. A 64-bit division costs several times more
/// and the fused pass makes three per node.
#[inline(always)]
fn divide(a: i64, b: i64, inverse_b: f64) -> i64 {
    // One comparison for 0 <= a < 2^52 and 1 <= b <= 2^52.
    if (a as u64 | (b - 1) as u64) >= 1 << 52 {
        return a / b;
    }
    // Adding 1.5·2^52 rounds a double of magnitude below 2^51 to an integer
    // held in its low mantissa bits (a plain `as i64` also checks for saturation).
    const ROUND: f64 = (3u64 << 51) as f64;
    let estimate = a as f64 * inverse_b - 0.5 + ROUND;
    let q = estimate.to_bits() as i64 - ROUND.to_bits() as i64;
    // q·b <= a + b < 2^53: no overflow.
    let remainder = a - q * b;
    if remainder < 0 {
        q - 1
    } else if remainder >= b {
        q + 1
    } else {
        q
    }
}

/// `resource_allocation.go` with NodeResourcesFit's non-zero requests:
/// `leastRequestedScore` or `mostRequestedScore` per resource, weighted,
/// divided by the weight sum, with the plugin's integer arithmetic.
#[inline(always)]
fn fit_score(fit: &FitScore, cycle: &Cycle, e: &NodeEntry) -> i64 {
    let score = |requested: i64, capacity: i64, inverse_capacity: f64| {
        if fit.most_allocated {
            // most_requested_score
            divide(
                requested.min(capacity) * MAX_NODE_SCORE,
                capacity,
                inverse_capacity,
            )
        } else if requested > capacity {
            // least_requested_score
            0
        } else {
            divide(
                (capacity - requested) * MAX_NODE_SCORE,
                capacity,
                inverse_capacity,
            )
        }
    };
    let has_cpu = e.allocatable_cpu_millis != 0;
    let has_memory = e.allocatable_memory_bytes != 0;
    let mut node_score = 0i64;
    if has_cpu {
        let requested = e.non_zero_requested_cpu_millis + cycle.non_zero_cpu_millis;
        node_score += score(
            requested,
            e.allocatable_cpu_millis,
            e.inverse_allocatable_cpu,
        ) * fit.cpu_weight;
    }
    if has_memory {
        let requested = e.non_zero_requested_memory_bytes + cycle.non_zero_memory_bytes;
        node_score += score(
            requested,
            e.allocatable_memory_bytes,
            e.inverse_allocatable_memory,
        ) * fit.memory_weight;
    }
    let (weight_sum, inverse_weight_sum) = match (has_cpu, has_memory) {
        (true, true) => (fit.cpu_weight + fit.memory_weight, fit.inverse_weights[0]),
        (true, false) => (fit.cpu_weight, fit.inverse_weights[1]),
        (false, true) => (fit.memory_weight, fit.inverse_weights[2]),
        (false, false) => (0, 0.0),
    };
    if weight_sum == 2 && node_score >= 0 {
        // The default weights (cpu 1, memory 1).
        node_score >> 1
    } else if weight_sum == 0 {
        0
    } else {
        divide(node_score, weight_sum, inverse_weight_sum)
    }
}

/// One resource as BalancedAllocation sees it: requested with the pod,
/// allocatable and `1 / allocatable`.
#[derive(Clone, Copy)]
struct Fraction {
    requested: i64,
    allocatable: i64,
    inverse_allocatable: f64,
}

/// BalancedAllocation's view of cpu or memory with the pod.
#[inline(always)]
fn requested_with_pod(cycle: &Cycle, e: &NodeEntry, name: ResourceName) -> Fraction {
    match name {
        ResourceName::Cpu => Fraction {
            requested: e.requested_cpu_millis + cycle.requested_cpu_millis,
            allocatable: e.allocatable_cpu_millis,
            inverse_allocatable: e.inverse_allocatable_cpu,
        },
        _ => Fraction {
            requested: e.requested_memory_bytes + cycle.requested_memory_bytes,
            allocatable: e.allocatable_memory_bytes,
            inverse_allocatable: e.inverse_allocatable_memory,
        },
    }
}

/// `balanced_two_resource_score`, exactly, with each fraction's division
/// replaced by a product with the reciprocal. The product is within a few
/// units in the last place of the quotient (both ≤ 1 after the cap), so the
/// score before truncation is within 1e-12 of the plugin's; its integer part
/// can differ only when it lies next to an integer, and then the plugin's
/// own divisions decide. Two divisions were half of the fused pass's cost
/// for pods whose totals cannot be reused.
#[inline(always)]
fn balanced_score(a: Fraction, b: Fraction) -> i64 {
    if a.allocatable == 0 || b.allocatable == 0 {
        return MAX_NODE_SCORE;
    }
    let fraction_a = (a.requested as f64 * a.inverse_allocatable).min(1.0);
    let fraction_b = (b.requested as f64 * b.inverse_allocatable).min(1.0);
    let score = (1.0 - ((fraction_a - fraction_b) / 2.0).abs()) * MAX_NODE_SCORE as f64;
    // 50 <= score <= 100, so the truncation is in range.
    let truncated = score as i64;
    let rest = score - truncated as f64;
    if rest > 1e-9 && rest < 1.0 - 1e-9 {
        truncated
    } else {
        balanced_two_resource_score(a.requested, a.allocatable, b.requested, b.allocatable)
    }
}

mod straight;
#[cfg(test)]
mod tests;
