//! One scheduling cycle (`pkg/scheduler/schedule_one.go`, v1.32): the pod's
//! profile, its nominated node first, PreFilter, Filter from where the last
//! cycle stopped until `numFeasibleNodesToFind` nodes fit, PreScore, Score,
//! NormalizeScore and weights, `selectHost`, then Bind or PostFilter. The
//! common pod takes the fused filter+score pass over the snapshot
//! ([`super::fused`]); pods to explain, nominated pods and plugins the pass
//! does not compute take the general path. Both end alike.

use super::config::Profile;
use super::explain::{self, DecisionRow, Explained};
use super::framework::{FilterReason, NodeView, PreResult, Unfit, MAX_NODE_SCORE};
use super::{fused, plugins, scheduled_message, Scheduler};
use crate::engine::SimTime;
use crate::model::store::{NodeId, PodId};
use crate::model::{ClusterState, Pod};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// `minFeasibleNodesToFind`: below this many nodes every node is checked.
pub const MIN_FEASIBLE_NODES_TO_FIND: usize = 100;
/// `minFeasibleNodesPercentageToFind`: the adaptive percentage never goes below this.
pub const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND: usize = 5;

/// `numFeasibleNodesToFind` with the adaptive default: 50% − n/125, at least
/// 5%, at least 100 nodes, all nodes below 100.
pub fn num_feasible_nodes_to_find(
    percentage_of_nodes_to_score: Option<u32>,
    num_all_nodes: usize,
) -> usize {
    let configured = percentage_of_nodes_to_score.unwrap_or(0) as usize;
    if num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND || configured >= 100 {
        return num_all_nodes;
    }
    let percentage = if configured == 0 {
        (50usize.saturating_sub(num_all_nodes / 125)).max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND)
    } else {
        configured
    };
    let num_nodes = num_all_nodes * percentage / 100;
    num_nodes.max(MIN_FEASIBLE_NODES_TO_FIND)
}

/// Per-cycle buffers, kept between cycles so the hot loop does not allocate.
#[derive(Default)]
pub(super) struct Scratch {
    pub(super) feasible: Vec<NodeId>,
    pub(super) failures: Vec<(NodeId, usize, Unfit)>,
    pub(super) totals: Vec<i64>,
    scores: Vec<i64>,
    filters: Vec<usize>,
}

impl Scheduler {
    /// One scheduling cycle for one pod.
    pub(super) fn schedule_one(
        &mut self,
        pod_id: PodId,
        state: &mut ClusterState,
        now: SimTime,
        rng: &mut ChaCha8Rng,
        explained: &mut Explained,
    ) {
        let profile_idx = self
            .profile_for(&state.pod(pod_id).pod)
            .expect("queued pods have a profile");
        state.count_scheduling_attempt(pod_id);
        if self.node_order_stale {
            self.node_order_stale = false;
            self.rebuild_node_order(state);
        }
        self.snapshot.update(state);
        match self.schedule_pod(profile_idx, pod_id, state, now, rng, explained) {
            Ok(node_id) => {
                // DefaultBinder binds; GpuShare's Reserve records the GPU devices.
                state.bind(pod_id, node_id, now);
                let pod = &state.pod(pod_id).pod;
                let view = NodeView::of(state, node_id);
                let profile = &self.profiles[profile_idx];
                let chosen = profile
                    .score
                    .iter()
                    .find_map(|&(i, _)| profile.plugins[i].reserve_devices(pod, view))
                    .or_else(|| plugins::gpu::share::reserve_devices(pod, &view.usage.gpus));
                if let Some((devices, milli)) = chosen {
                    state.reserve_gpus(pod_id, devices, milli);
                }
                if !self.defer_scheduled_event {
                    let message = scheduled_message(state, pod_id, node_id);
                    state.record_pod_event(now, pod_id, "Scheduled", message);
                }
            }
            Err((mut message, rejectors)) => {
                if self.profiles[profile_idx].preemption.is_some() {
                    if let Some(post_filter_message) =
                        self.post_filter(profile_idx, pod_id, state, now, explained)
                    {
                        message.push(' ');
                        message.push_str(&post_filter_message);
                    }
                }
                state.set_pod_reason(pod_id, "Unschedulable");
                state.record_pod_event(now, pod_id, "FailedScheduling", message);
                self.queue.add_unschedulable(pod_id, rejectors, now);
            }
        }
    }

    /// `schedulePod`: the chosen node, or the FailedScheduling message and the
    /// bit set of plugins (by profile index) that rejected the pod. Not
    /// inlined into `schedule_one`, with the fused pass inlined into it: so
    /// measured (scheduling-cycle bench, score-all at 5 000 nodes), the
    /// cycle is as fast as before it had its own file.
    #[inline(never)]
    fn schedule_pod(
        &mut self,
        profile_idx: usize,
        pod_id: PodId,
        state: &ClusterState,
        now: SimTime,
        rng: &mut ChaCha8Rng,
        explained: &mut Explained,
    ) -> Result<NodeId, (String, u64)> {
        let pod = &state.pod(pod_id).pod;
        let n_nodes = self.node_order.len();
        if n_nodes == 0 {
            self.last_pass.forget();
            self.scratch.failures.clear();
            return Err(("no nodes available to schedule pods".into(), 0));
        }
        for plugin in self.profiles[profile_idx].plugins.iter_mut() {
            plugin.prepare(pod, state);
        }
        let profile = &self.profiles[profile_idx];
        let explain = self.explain.every_node.wants(pod);
        let summarize = explain || self.explain.pods.wants(pod);
        // `evaluateNominatedNode`: a preemptor tries the node it was nominated to first.
        // A deleted node is no longer in the snapshot: all nodes are tried.
        let nominated = self.nominator.node_of(pod_id);
        if let Some(node_id) = nominated.filter(|&n| state.node_exists(n)) {
            let usage = self.nominator.usage_with_nominated(state, node_id, pod_id);
            let view = NodeView {
                usage: usage.as_ref().unwrap_or(state.node_usage(node_id)),
                ..NodeView::of(state, node_id)
            };
            let fits = profile.filter.iter().all(|&i| {
                profile.plugins[i].pre_filter(pod) == PreResult::Skip
                    || profile.plugins[i].filter(pod, view).is_ok()
            });
            if fits {
                if summarize {
                    let attempt = state.pod(pod_id).scheduling_attempts;
                    let row = explain::SummaryRow {
                        nodes: Some(1),
                        ..explain::SummaryRow::note(
                            now,
                            &pod.metadata.name,
                            attempt,
                            "filter",
                            "",
                            explain::SUCCESS,
                            "nominated node fits".to_string(),
                            state.node(node_id).name(),
                        )
                    };
                    if explain {
                        explained.decisions.push(row.as_decision());
                    }
                    explained.summary.push(row);
                }
                return Ok(node_id);
            }
        }
        let scratch = &mut self.scratch;

        // PreFilter: plugins with nothing to check for this pod are skipped.
        scratch.filters.clear();
        for &i in &profile.filter {
            if profile.plugins[i].pre_filter(pod) == PreResult::Run {
                scratch.filters.push(i);
            }
        }

        // Filter, from where the previous cycle stopped, until enough nodes fit.
        // Without score plugins the first feasible node is as good as any (upstream `hasScoring`).
        let to_find = if profile.score.is_empty() {
            1
        } else {
            num_feasible_nodes_to_find(self.config.percentage_of_nodes_to_score, n_nodes)
        };
        let any_nominated = !self.nominator.is_empty();

        // The common pod: one fused filter+score pass over the snapshot, which
        // leaves the feasible nodes' totals in `scratch.totals`.
        let fused =
            self.fused_enabled && !summarize && !any_nominated && self.snapshot.covers(state);
        let fused_processed = if fused {
            self.fused_pass(profile_idx, pod, state, to_find)
        } else {
            None
        };
        let scored = fused_processed.is_some();
        let processed = if let Some(processed) = fused_processed {
            processed
        } else {
            let (profile, scratch) = (&self.profiles[profile_idx], &mut self.scratch);
            self.last_pass.forget();
            scratch.feasible.clear();
            scratch.failures.clear();
            let mut processed = 0;
            for k in 0..n_nodes {
                if scratch.feasible.len() >= to_find {
                    break;
                }
                let node_id = self.node_order[(self.next_start_node_index + k) % n_nodes];
                // `addNominatedPods`: pods nominated to this node with at least this
                // pod's priority count as if they were already there.
                let nominated_usage = if any_nominated {
                    self.nominator.usage_with_nominated(state, node_id, pod_id)
                } else {
                    None
                };
                let view = NodeView {
                    usage: nominated_usage
                        .as_ref()
                        .unwrap_or(state.node_usage(node_id)),
                    ..NodeView::of(state, node_id)
                };
                processed += 1;
                let failed = if explain {
                    filter_node_explained(
                        profile,
                        &scratch.filters,
                        pod,
                        view,
                        state,
                        now,
                        &mut explained.decisions,
                    )
                } else {
                    scratch
                        .filters
                        .iter()
                        .find_map(|&i| profile.plugins[i].filter(pod, view).err().map(|u| (i, u)))
                };
                match failed {
                    None => scratch.feasible.push(node_id),
                    Some((i, unfit)) => scratch.failures.push((node_id, i, unfit)),
                }
            }
            if summarize {
                let attempt = state.pod(pod_id).scheduling_attempts;
                let failures = scratch.failures.iter().flat_map(|(node_id, i, unfit)| {
                    let node = state.node(*node_id);
                    let plugin = profile.plugins[*i].name();
                    let code = unfit.code.as_str();
                    unfit
                        .reasons
                        .iter()
                        .map(move |r| (plugin, code, r.message(state, node)))
                });
                explained.summary.extend(explain::filter_rows(
                    now,
                    &pod.metadata.name,
                    attempt,
                    scratch.feasible.len(),
                    failures,
                ));
            }
            processed
        };
        self.next_start_node_index = (self.next_start_node_index + processed) % n_nodes;

        let scratch = &mut self.scratch;
        if scratch.feasible.is_empty() {
            return Err(fit_error(state, n_nodes, &scratch.failures));
        }
        if scratch.feasible.len() == 1 {
            // Upstream skips scoring when only one node fits.
            if summarize {
                let row = explain::SummaryRow {
                    rank: Some(1),
                    ..explain::SummaryRow::note(
                        now,
                        &pod.metadata.name,
                        state.pod(pod_id).scheduling_attempts,
                        "score",
                        "",
                        explain::SKIP,
                        "only one node is feasible".to_string(),
                        state.node(scratch.feasible[0]).name(),
                    )
                };
                if explain {
                    explained.decisions.push(row.as_decision());
                }
                explained.summary.push(row);
            }
            return Ok(scratch.feasible[0]);
        }
        // PreScore, then (unless the fused pass did) Score, NormalizeScore, weights.
        let profile = &mut self.profiles[profile_idx];
        for k in 0..profile.score.len() {
            let i = profile.score[k].0;
            profile.plugins[i].prepare_score(pod, state, &scratch.feasible);
        }
        if !scored {
            let explaining = Explaining {
                every_node: explain,
                summarize,
                top: self.explain.top,
                attempt: state.pod(pod_id).scheduling_attempts,
            };
            score(profile, pod, state, now, scratch, explaining, explained);
        }
        Ok(select_host(&scratch.feasible, &scratch.totals, rng))
    }
}

impl Scheduler {
    /// The fused filter+score pass over the snapshot from where the last
    /// cycle stopped, leaving the feasible nodes and their totals in
    /// `scratch`; returns how many nodes it visited, or `None` when some
    /// plugin that runs for the pod is beyond the pass (nothing done).
    #[inline(always)]
    fn fused_pass(
        &mut self,
        profile_idx: usize,
        pod: &Pod,
        state: &ClusterState,
        to_find: usize,
    ) -> Option<usize> {
        let (profile, scratch) = (&self.profiles[profile_idx], &mut self.scratch);
        let mut quick = fused::QuickFilters::default();
        let cycle = self.fused[profile_idx].cycle(
            profile,
            pod,
            &scratch.filters,
            &self.snapshot,
            &mut quick,
        )?;
        self.fused_cycles += 1;
        if self.fused_last != Some((profile_idx, cycle)) {
            self.fused_last = Some((profile_idx, cycle));
            self.snapshot.forget_totals();
        }
        let processed = self.fused[profile_idx].filter_and_score(
            &cycle,
            &mut self.snapshot,
            state,
            &self.node_order,
            self.next_start_node_index,
            to_find,
            &quick,
            |node_id| {
                let view = NodeView::of(state, node_id);
                (scratch.filters.iter())
                    .find_map(|&i| profile.plugins[i].filter(pod, view).err().map(|u| (i, u)))
            },
            &mut self.last_pass,
            &mut scratch.feasible,
            &mut scratch.totals,
            &mut scratch.failures,
        );
        Some(processed)
    }
}

/// What the general path records for a pod being explained.
#[derive(Clone, Copy)]
struct Explaining {
    /// Every node's and plugin's row (`--explain-pod`).
    every_node: bool,
    /// The summary rows (`--explain`, and `--explain-pod`).
    summarize: bool,
    /// Nodes shown per attempt in the summary.
    top: usize,
    /// The pod's attempt (1 = first).
    attempt: u32,
}

/// Score, NormalizeScore and weights over the feasible nodes into
/// `scratch.totals`, recording the rows of the pod being explained.
fn score(
    profile: &Profile,
    pod: &Pod,
    state: &ClusterState,
    now: SimTime,
    scratch: &mut Scratch,
    explaining: Explaining,
    explained: &mut Explained,
) {
    let Explaining {
        every_node: explain,
        summarize,
        top,
        attempt,
    } = explaining;
    let n = scratch.feasible.len();
    scratch.totals.clear();
    scratch.totals.resize(n, 0);
    let mut any_score = false;
    // Per plugin that ran: (name, raw scores, normalized scores, weight), kept only to explain.
    #[allow(clippy::type_complexity)]
    let mut plugin_scores: Vec<(&'static str, Vec<i64>, Vec<i64>, i64)> = Vec::new();
    for &(i, weight) in &profile.score {
        let plugin = &profile.plugins[i];
        if plugin.pre_score(pod) == PreResult::Skip {
            if summarize {
                let row = explain::SummaryRow::note(
                    now,
                    &pod.metadata.name,
                    attempt,
                    "prescore",
                    plugin.name(),
                    explain::SKIP,
                    "nothing to score for the pod".to_string(),
                    "",
                );
                if explain {
                    explained.decisions.push(row.as_decision());
                }
                explained.summary.push(row);
            }
            continue;
        }
        any_score = true;
        scratch.scores.clear();
        scratch.scores.extend(
            scratch
                .feasible
                .iter()
                .map(|&id| plugin.score(pod, NodeView::of(state, id))),
        );
        let raw = if summarize {
            scratch.scores.clone()
        } else {
            Vec::new()
        };
        plugin.normalize(pod, &mut scratch.scores);
        if summarize {
            plugin_scores.push((plugin.name(), raw.clone(), scratch.scores.clone(), weight));
        }
        for (k, s) in scratch.scores.iter().enumerate() {
            debug_assert!(
                (0..=MAX_NODE_SCORE).contains(s),
                "{} scored {s} out of range",
                plugin.name()
            );
            scratch.totals[k] += s * weight;
            if explain {
                explained.decisions.push(DecisionRow {
                    time: now,
                    pod: pod.metadata.name.clone(),
                    node: state.node(scratch.feasible[k]).name().to_string(),
                    stage: "score",
                    plugin: plugin.name(),
                    code: explain::SUCCESS,
                    status: "Success".into(),
                    score: Some(raw[k]),
                    normalized_score: Some(*s),
                    weighted_score: Some(s * weight),
                });
            }
        }
    }
    if !any_score {
        // No score plugin ran: every node scores 1 and ties are broken at random.
        scratch.totals.iter_mut().for_each(|t| *t = 1);
    }
    if summarize {
        for (rank, k) in explain::top_k(&scratch.totals, top).into_iter().enumerate() {
            let node = state.node(scratch.feasible[k]).name();
            let row = |plugin, raw, normalized, weighted| explain::SummaryRow {
                rank: Some(rank + 1),
                score: raw,
                normalized_score: normalized,
                weighted_score: Some(weighted),
                ..explain::SummaryRow::note(
                    now,
                    &pod.metadata.name,
                    attempt,
                    "score",
                    plugin,
                    explain::SUCCESS,
                    String::new(),
                    node,
                )
            };
            for (name, raw, scores, weight) in &plugin_scores {
                explained.summary.push(row(
                    name,
                    Some(raw[k]),
                    Some(scores[k]),
                    scores[k] * weight,
                ));
            }
            explained
                .summary
                .push(row("total", None, None, scratch.totals[k]));
        }
    }
}

/// `selectHost`: the highest total score; ties are broken uniformly at random
/// by reservoir sampling over the tied nodes in order.
pub fn select_host(nodes: &[NodeId], totals: &[i64], rng: &mut ChaCha8Rng) -> NodeId {
    let mut best = 0;
    let mut max = totals[0];
    let mut count_of_max = 1u32;
    debug_assert_eq!(nodes.len(), totals.len());
    for (k, &total) in totals[1..].iter().enumerate() {
        let k = k + 1;
        if total > max {
            best = k;
            max = total;
            count_of_max = 1;
        } else if total == max {
            count_of_max += 1;
            if rng.gen_range(0..count_of_max) == 0 {
                best = k;
            }
        }
    }
    nodes[best]
}

/// `FitError.Error()`: "0/N nodes are available: " then the reason histogram,
/// each entry "count reason", sorted as strings, joined by ", ", ending in ".".
/// Also returns the rejecting plugins as a bit set.
fn fit_error(
    state: &ClusterState,
    n_nodes: usize,
    failures: &[(NodeId, usize, Unfit)],
) -> (String, u64) {
    let mut histogram: BTreeMap<String, usize> = BTreeMap::new();
    // Reasons whose message does not name the node, counted before they are
    // rendered: thousands of failed nodes share a handful of reasons.
    let mut by_reason: BTreeMap<&FilterReason, usize> = BTreeMap::new();
    let mut rejectors = 0u64;
    for (node_id, plugin_idx, unfit) in failures {
        rejectors |= 1 << plugin_idx;
        for reason in &unfit.reasons {
            if let FilterReason::UntoleratedTaint(_) = reason {
                let message = reason.message(state, state.node(*node_id));
                *histogram.entry(message).or_default() += 1;
            } else {
                *by_reason.entry(reason).or_default() += 1;
            }
        }
    }
    if let Some((node_id, _, _)) = failures.first() {
        for (reason, n) in by_reason {
            *histogram
                .entry(reason.message(state, state.node(*node_id)))
                .or_default() += n;
        }
    }
    let mut parts: Vec<String> = histogram
        .iter()
        .map(|(reason, n)| format!("{n} {reason}"))
        .collect();
    parts.sort();
    let mut message = format!("0/{n_nodes} nodes are available:");
    if !parts.is_empty() {
        message.push(' ');
        message.push_str(&parts.join(", "));
        message.push('.');
    }
    (message, rejectors)
}

/// Runs the filters on one node like the fast path, recording a decision row
/// per plugin: `Skip` (PreFilter skipped it), `Success`, or the failure reasons.
/// Plugins after the first failure are not run, as upstream.
fn filter_node_explained(
    profile: &Profile,
    run: &[usize],
    pod: &Pod,
    view: NodeView,
    state: &ClusterState,
    now: SimTime,
    rows: &mut Vec<DecisionRow>,
) -> Option<(usize, Unfit)> {
    for &i in &profile.filter {
        let plugin = &profile.plugins[i];
        let (code, status, failed) = if !run.contains(&i) {
            (explain::SKIP, "Skip".to_string(), None)
        } else {
            match plugin.filter(pod, view) {
                Ok(()) => (explain::SUCCESS, "Success".to_string(), None),
                Err(unfit) => (
                    unfit.code.as_str(),
                    unfit.message(state, view.node),
                    Some((i, unfit)),
                ),
            }
        };
        rows.push(DecisionRow {
            time: now,
            pod: pod.metadata.name.clone(),
            node: view.node.name().to_string(),
            stage: "filter",
            plugin: plugin.name(),
            code,
            status,
            score: None,
            normalized_score: None,
            weighted_score: None,
        });
        if failed.is_some() {
            return failed;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn adaptive_percentage_of_nodes_to_score() {
        // Fewer than 100 nodes: all of them.
        assert_eq!(num_feasible_nodes_to_find(None, 50), 50);
        // 500 nodes: 50 − 500/125 = 46% → 230.
        assert_eq!(num_feasible_nodes_to_find(None, 500), 230);
        // 5000 nodes: 50 − 40 = 10% → 500.
        assert_eq!(num_feasible_nodes_to_find(None, 5000), 500);
        // 6000 nodes: 50 − 48 = 2% → floor 5% → 300.
        assert_eq!(num_feasible_nodes_to_find(None, 6000), 300);
        // Configured 100: all; configured 1% of 1000 = 10 → at least 100.
        assert_eq!(num_feasible_nodes_to_find(Some(100), 5000), 5000);
        assert_eq!(num_feasible_nodes_to_find(Some(1), 1000), 100);
    }

    #[test]
    fn select_host_picks_the_max_and_breaks_ties_uniformly() {
        let nodes = [NodeId(0), NodeId(1), NodeId(2)];
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        assert_eq!(select_host(&nodes, &[5, 9, 3], &mut rng), NodeId(1));
        let mut counts = [0; 3];
        for _ in 0..3000 {
            counts[select_host(&nodes, &[7, 7, 7], &mut rng).0 as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (850..1150).contains(&c)),
            "{counts:?}"
        );
    }

    /// `selectHost` as upstream writes it, one index at a time.
    fn select_host_reference(nodes: &[NodeId], totals: &[i64], rng: &mut ChaCha8Rng) -> NodeId {
        let mut best = 0;
        let mut count_of_max = 0u32;
        for k in 0..nodes.len() {
            if k == 0 || totals[k] > totals[best] {
                best = k;
                count_of_max = 1;
            } else if totals[k] == totals[best] {
                count_of_max += 1;
                if rng.gen_range(0..count_of_max) == 0 {
                    best = k;
                }
            }
        }
        nodes[best]
    }

    #[test]
    fn select_host_draws_exactly_as_the_reference() {
        let mut input = ChaCha8Rng::seed_from_u64(5);
        let (mut a, mut b) = (ChaCha8Rng::seed_from_u64(9), ChaCha8Rng::seed_from_u64(9));
        for _ in 0..2000 {
            let n = input.gen_range(1..60);
            let nodes: Vec<NodeId> = (0..n).map(NodeId).collect();
            let distinct = input.gen_range(1..5);
            let totals: Vec<i64> = (0..n).map(|_| input.gen_range(0..distinct)).collect();
            assert_eq!(
                select_host(&nodes, &totals, &mut a),
                select_host_reference(&nodes, &totals, &mut b)
            );
        }
        // Same number of draws: the streams are still in step.
        assert_eq!(a.gen::<u64>(), b.gen::<u64>());
    }
}
