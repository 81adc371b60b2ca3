//! The kube-scheduler: its queue, its framework and plugins, and the
//! scheduling cycle (`pkg/scheduler/schedule_one.go`, Kubernetes v1.32).
//!
//! The scheduler watches the store: new pending pods enter its queue; pods
//! that finish and nodes that appear or change may requeue unschedulable
//! pods. One cycle pops one pod, filters nodes (stopping once
//! `numFeasibleNodesToFind` fit), scores the feasible ones, picks the best
//! (ties broken by the seeded tie-break stream, as upstream's reservoir
//! sampling in `selectHost`) and binds. Cycles take no simulated time.

pub mod config;
pub mod explain;
pub mod framework;
pub mod fused;
pub mod plugins;
pub mod preemption;
pub mod queue;
pub mod snapshot;

use crate::engine::{EventQueue, SimDuration, SimTime};
use crate::model::store::{NodeId, PodId, WatchEvent};
use crate::model::{ClusterState, Pod};
use config::{Profile, SchedulerConfig};
use framework::{ClusterEvent, FilterReason, NodeView, PreResult, Unfit, MAX_NODE_SCORE};
use queue::{SchedulingQueue, BACKOFF_FLUSH_PERIOD, UNSCHEDULABLE_FLUSH_PERIOD};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// `minFeasibleNodesToFind`: below this many nodes every node is checked.
pub const MIN_FEASIBLE_NODES_TO_FIND: usize = 100;
/// `minFeasibleNodesPercentageToFind`: the adaptive percentage never goes below this.
pub const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND: usize = 5;

/// The scheduler's own timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchedulerEvent {
    /// Run one scheduling cycle (`scheduleOne`).
    ScheduleOne,
    /// `flushBackoffQCompleted`, every second while backoffQ is not empty.
    FlushBackoff,
    /// `flushUnschedulablePodsLeftover`, every 30 s while pods are unschedulable.
    FlushUnschedulable,
}

/// One row of `decisions.csv`: what a plugin said about a node for a pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionRow {
    pub time: SimTime,
    pub pod: String,
    pub node: String,
    /// `filter` or `score`.
    pub stage: &'static str,
    pub plugin: &'static str,
    /// Filter: `Success`, `Skip` or the reason; score: `Success`.
    pub status: String,
    pub score: Option<i64>,
    pub normalized_score: Option<i64>,
    pub weighted_score: Option<i64>,
}

/// Which pods `--explain` records decisions for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ExplainFilter {
    #[default]
    None,
    All,
    /// Pods whose name starts with this prefix.
    Prefix(String),
}

impl ExplainFilter {
    fn wants(&self, pod: &Pod) -> bool {
        match self {
            ExplainFilter::None => false,
            ExplainFilter::All => true,
            ExplainFilter::Prefix(p) => pod.metadata.name.starts_with(p.as_str()),
        }
    }
}

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
struct Scratch {
    feasible: Vec<NodeId>,
    failures: Vec<(NodeId, usize, Unfit)>,
    totals: Vec<i64>,
    scores: Vec<i64>,
    filters: Vec<usize>,
}

pub struct Scheduler {
    pub config: SchedulerConfig,
    profiles: Vec<Profile>,
    pub queue: SchedulingQueue,
    /// Nodes in upstream's node-tree order: round robin over zones.
    node_order: Vec<NodeId>,
    /// Nodes were added since `node_order` was built. It is rebuilt at the
    /// next cycle rather than per added node, which would cost O(nodes²) when
    /// a scenario starts with thousands of nodes.
    node_order_stale: bool,
    next_start_node_index: usize,
    cycle_pending: bool,
    backoff_tick_pending: bool,
    leftover_tick_pending: bool,
    explain: ExplainFilter,
    pub decisions: Vec<DecisionRow>,
    /// Pods whose every node and plugin is recorded in `decisions` (`--explain-pod`).
    pub explain_pod: ExplainFilter,
    /// Nodes per attempt in `explain_summary` (`--explain-top`).
    pub explain_top: usize,
    /// Aggregated rows for the pods `explain` selects (decisions_summary.csv).
    pub explain_summary: Vec<explain::SummaryRow>,
    scratch: Scratch,
    /// `status.nominatedNodeName` of preemptors, and the same indexed by node.
    nominated: BTreeMap<PodId, NodeId>,
    nominated_on_node: Vec<Vec<PodId>>,
    /// Draws the offset at which preemption starts trying nodes.
    pub preemption_rng: ChaCha8Rng,
    /// With a declared bind latency the Scheduled event waits for the
    /// binding to be persisted; whoever persists it records the event
    /// ([`scheduled_message`]).
    pub defer_scheduled_event: bool,
    /// Per node what the fused filter+score pass reads, and per profile
    /// which plugins that pass computes.
    snapshot: snapshot::Snapshot,
    fused: Vec<fused::Plan>,
    /// Use the fused pass where it applies (off only to compare it with the general path).
    pub fused_enabled: bool,
    /// Cycles that took the fused pass.
    pub fused_cycles: u64,
    /// The profile and inputs of the last fused cycle, whose totals the snapshot caches.
    fused_last: Option<(usize, fused::Cycle)>,
    /// Lets the next fused pass over every node patch the last one, whose
    /// outputs `scratch` holds until the general path runs.
    last_pass: fused::LastPass,
}

/// The Scheduled event's message, recorded once the binding has succeeded
/// (`pkg/scheduler/schedule_one.go` bindingCycle).
pub fn scheduled_message(state: &ClusterState, pod_id: PodId, node_id: NodeId) -> String {
    let entry = state.pod(pod_id);
    format!(
        "Successfully assigned {}/{} to {}",
        entry.pod.metadata.namespace,
        entry.pod.metadata.name,
        state.node(node_id).name()
    )
}

impl Scheduler {
    pub fn new(config: SchedulerConfig, explain: ExplainFilter) -> Self {
        let profiles: Vec<Profile> = config.profiles.iter().map(Profile::build).collect();
        let fused = config
            .profiles
            .iter()
            .zip(&profiles)
            .map(|(c, p)| fused::Plan::new(c, p))
            .collect();
        let queue = SchedulingQueue::new(config.pod_initial_backoff, config.pod_max_backoff);
        Scheduler {
            config,
            profiles,
            queue,
            node_order: Vec::new(),
            node_order_stale: false,
            next_start_node_index: 0,
            cycle_pending: false,
            backoff_tick_pending: false,
            leftover_tick_pending: false,
            explain,
            decisions: Vec::new(),
            explain_pod: ExplainFilter::None,
            explain_top: explain::DEFAULT_EXPLAIN_TOP,
            explain_summary: Vec::new(),
            scratch: Scratch::default(),
            nominated: BTreeMap::new(),
            nominated_on_node: Vec::new(),
            preemption_rng: rand::SeedableRng::seed_from_u64(0),
            defer_scheduled_event: false,
            snapshot: snapshot::Snapshot::default(),
            fused,
            fused_enabled: true,
            fused_cycles: 0,
            fused_last: None,
            last_pass: fused::LastPass::default(),
        }
    }

    /// Timers that keep firing while nothing else happens: the leftover flush
    /// retries unschedulable pods every 30 s, but without a cluster change
    /// those retries cannot succeed. Returns how many such timers are pending,
    /// or `None` when the scheduler still has real work (pods in activeQ or backoffQ).
    pub fn idle_timers(&self) -> Option<usize> {
        let busy = self.cycle_pending
            || self.backoff_tick_pending
            || self.queue.has_active()
            || self.queue.backoff_len() > 0;
        (!busy).then_some(self.leftover_tick_pending as usize)
    }

    fn profile_for(&self, pod: &Pod) -> Option<usize> {
        self.profiles
            .iter()
            .position(|p| p.scheduler_name == pod.spec.scheduler_name)
    }

    /// Reacts to a change in the store.
    pub fn on_watch<E: From<SchedulerEvent>>(
        &mut self,
        event: WatchEvent,
        state: &ClusterState,
        events: &mut EventQueue<E>,
    ) {
        let now = events.now();
        if let WatchEvent::PodBound(id, _)
        | WatchEvent::PodTerminating(id)
        | WatchEvent::PodTerminated(id)
        | WatchEvent::PodDeleted(id) = event
        {
            for profile in &mut self.profiles {
                for plugin in profile.plugins.iter_mut() {
                    plugin.pod_changed(id, state);
                }
            }
        }
        match event {
            WatchEvent::PodAdded(id) => {
                let entry = state.pod(id);
                // Pods naming a node are the kubelet's; pods for another scheduler are not ours.
                if entry.node.is_none()
                    && entry.pod.spec.node_name.is_none()
                    && self.profile_for(&entry.pod).is_some()
                {
                    self.queue.add(id, entry.pod.spec.priority, now);
                }
            }
            WatchEvent::PodBound(id, _) => {
                self.queue.forget(id);
                self.set_nomination(id, None);
            }
            WatchEvent::PodDeleted(id) => {
                self.queue.forget(id);
                self.set_nomination(id, None);
                if state.pod(id).node.is_some() {
                    self.on_cluster_event(ClusterEvent::AssignedPodDelete, state, now);
                }
            }
            WatchEvent::PodTerminated(_) => {
                self.on_cluster_event(ClusterEvent::AssignedPodDelete, state, now)
            }
            WatchEvent::NodeAdded(id) => {
                self.node_order_stale = true;
                self.nominated_on_node.resize(state.nodes.len(), Vec::new());
                self.on_cluster_event(ClusterEvent::NodeAdd(id), state, now);
            }
            WatchEvent::NodeUpdated(id) => {
                self.on_cluster_event(ClusterEvent::NodeUpdate(id), state, now)
            }
            // A terminating pod still holds its node until the kubelet removes it.
            WatchEvent::PodUpdated(_)
            | WatchEvent::PodTerminating(_)
            | WatchEvent::WorkloadAdded(_)
            | WatchEvent::WorkloadUpdated(_)
            | WatchEvent::WorkloadDeleted(_) => {}
        }
        self.arm_timers(events);
    }

    /// `MoveAllToActiveOrBackoffQueue`: requeue the pods that a plugin which
    /// rejected them says the event may help.
    fn on_cluster_event(&mut self, event: ClusterEvent, state: &ClusterState, now: SimTime) {
        if self.queue.unschedulable_len() == 0 {
            return;
        }
        let profiles = &self.profiles;
        self.queue.move_unschedulable(now, |pod_id, rejectors| {
            let pod = &state.pod(pod_id).pod;
            let Some(profile) = profiles
                .iter()
                .find(|p| p.scheduler_name == pod.spec.scheduler_name)
            else {
                return false;
            };
            profile.plugins.iter().enumerate().any(|(i, p)| {
                rejectors & (1 << i) != 0 && p.is_schedulable_after(pod, event, state)
            })
        });
    }

    /// Upstream's node tree lists nodes zone by zone in round robin, so that
    /// a partial search spreads over zones.
    fn rebuild_node_order(&mut self, state: &ClusterState) {
        self.last_pass.forget();
        let mut zones: Vec<(&str, Vec<NodeId>)> = Vec::new();
        for (i, node) in state.nodes.iter().enumerate() {
            let zone = node
                .metadata
                .labels
                .get(crate::model::node::LABEL_TOPOLOGY_ZONE)
                .map_or("", |z| z.as_str());
            match zones.iter_mut().find(|(z, _)| *z == zone) {
                Some((_, ids)) => ids.push(NodeId(i as u32)),
                None => zones.push((zone, vec![NodeId(i as u32)])),
            }
        }
        self.node_order.clear();
        let longest = zones.iter().map(|(_, ids)| ids.len()).max().unwrap_or(0);
        for k in 0..longest {
            for (_, ids) in &zones {
                if let Some(&id) = ids.get(k) {
                    self.node_order.push(id);
                }
            }
        }
    }

    /// Keeps exactly one pending timer of each kind while it has work.
    fn arm_timers<E: From<SchedulerEvent>>(&mut self, events: &mut EventQueue<E>) {
        let now = events.now();
        if !self.cycle_pending && self.queue.has_active() {
            self.cycle_pending = true;
            events.schedule(now, SchedulerEvent::ScheduleOne.into());
        }
        if !self.backoff_tick_pending && self.queue.backoff_len() > 0 {
            self.backoff_tick_pending = true;
            events.schedule(
                next_tick(now, BACKOFF_FLUSH_PERIOD),
                SchedulerEvent::FlushBackoff.into(),
            );
        }
        if !self.leftover_tick_pending && self.queue.unschedulable_len() > 0 {
            self.leftover_tick_pending = true;
            events.schedule(
                next_tick(now, UNSCHEDULABLE_FLUSH_PERIOD),
                SchedulerEvent::FlushUnschedulable.into(),
            );
        }
    }

    pub fn handle<E: From<SchedulerEvent>>(
        &mut self,
        event: SchedulerEvent,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
        tie_breaks: &mut ChaCha8Rng,
    ) {
        let now = events.now();
        match event {
            SchedulerEvent::ScheduleOne => {
                self.cycle_pending = false;
                if let Some(pod) = self.queue.pop() {
                    self.schedule_one(pod, state, now, tie_breaks);
                }
            }
            SchedulerEvent::FlushBackoff => {
                self.backoff_tick_pending = false;
                self.queue.flush_backoff_completed(now);
            }
            SchedulerEvent::FlushUnschedulable => {
                self.leftover_tick_pending = false;
                self.queue.flush_unschedulable_leftover(now);
            }
        }
        self.arm_timers(events);
    }

    /// One scheduling cycle for one pod.
    fn schedule_one(
        &mut self,
        pod_id: PodId,
        state: &mut ClusterState,
        now: SimTime,
        rng: &mut ChaCha8Rng,
    ) {
        let profile_idx = self
            .profile_for(&state.pod(pod_id).pod)
            .expect("queued pods have a profile");
        state.pod_mut(pod_id).scheduling_attempts += 1;
        if self.node_order_stale {
            self.node_order_stale = false;
            self.rebuild_node_order(state);
        }
        self.snapshot.update(state);
        match self.schedule_pod(profile_idx, pod_id, state, now, rng) {
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
                    .or_else(|| plugins::gpu_share::reserve_devices(pod, &view.usage.gpus));
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
                        self.post_filter(profile_idx, pod_id, state, now)
                    {
                        message.push(' ');
                        message.push_str(&post_filter_message);
                    }
                }
                state.pod_mut(pod_id).status.reason = Some("Unschedulable".into());
                state.record_pod_event(now, pod_id, "FailedScheduling", message);
                self.queue.add_unschedulable(pod_id, rejectors, now);
            }
        }
    }

    /// `schedulePod`: the chosen node, or the FailedScheduling message and the
    /// bit set of plugins (by profile index) that rejected the pod.
    fn schedule_pod(
        &mut self,
        profile_idx: usize,
        pod_id: PodId,
        state: &ClusterState,
        now: SimTime,
        rng: &mut ChaCha8Rng,
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
        let explain = self.explain_pod.wants(pod);
        let summarize = explain || self.explain.wants(pod);
        // `evaluateNominatedNode`: a preemptor tries the node it was nominated to first.
        if let Some(&node_id) = self.nominated.get(&pod_id) {
            let usage = with_nominated(&self.nominated_on_node, state, node_id, pod_id);
            let view = NodeView {
                usage: usage
                    .as_ref()
                    .unwrap_or(&state.node_usage[node_id.0 as usize]),
                ..NodeView::of(state, node_id)
            };
            let fits = profile.filter.iter().all(|&i| {
                profile.plugins[i].pre_filter(pod) == PreResult::Skip
                    || profile.plugins[i].filter(pod, view).is_ok()
            });
            if fits {
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
        // Nominations are rare: without any, no node needs the per-node lookup.
        let any_nominated = !self.nominated.is_empty();

        // The common pod: one fused filter+score pass over the snapshot.
        let fused_cycle =
            if self.fused_enabled && !summarize && !any_nominated && self.snapshot.covers(state) {
                self.fused[profile_idx].cycle(profile, pod, &scratch.filters, &self.snapshot)
            } else {
                None
            };
        if let Some(cycle) = fused_cycle {
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
                |node_id| {
                    let view = NodeView::of(state, node_id);
                    scratch
                        .filters
                        .iter()
                        .find_map(|&i| profile.plugins[i].filter(pod, view).err().map(|u| (i, u)))
                },
                &mut self.last_pass,
                &mut scratch.feasible,
                &mut scratch.totals,
                &mut scratch.failures,
            );
            self.next_start_node_index = (self.next_start_node_index + processed) % n_nodes;
            if scratch.feasible.is_empty() {
                return Err(fit_error(state, n_nodes, &scratch.failures));
            }
            if scratch.feasible.len() == 1 {
                return Ok(scratch.feasible[0]);
            }
            prepare_score(
                &mut self.profiles[profile_idx],
                pod,
                state,
                &scratch.feasible,
            );
            return Ok(select_host(&scratch.feasible, &scratch.totals, rng));
        }
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
                with_nominated(&self.nominated_on_node, state, node_id, pod_id)
            } else {
                None
            };
            let view = NodeView {
                usage: nominated_usage
                    .as_ref()
                    .unwrap_or(&state.node_usage[node_id.0 as usize]),
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
                    &mut self.decisions,
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
        self.next_start_node_index = (self.next_start_node_index + processed) % n_nodes;
        if summarize {
            let attempt = state.pod(pod_id).scheduling_attempts;
            let failures = scratch.failures.iter().flat_map(|(node_id, i, unfit)| {
                let node = state.node(*node_id);
                let plugin = profile.plugins[*i].name();
                unfit
                    .reasons
                    .iter()
                    .map(move |r| (plugin, r.message(state, node)))
            });
            self.explain_summary.extend(explain::filter_rows(
                now,
                &pod.metadata.name,
                attempt,
                scratch.feasible.len(),
                failures,
            ));
        }

        if scratch.feasible.is_empty() {
            return Err(fit_error(state, n_nodes, &scratch.failures));
        }
        if scratch.feasible.len() == 1 {
            // Upstream skips scoring when only one node fits.
            return Ok(scratch.feasible[0]);
        }

        // PreScore, Score, NormalizeScore, weights.
        prepare_score(
            &mut self.profiles[profile_idx],
            pod,
            state,
            &scratch.feasible,
        );
        let profile = &self.profiles[profile_idx];
        let n = scratch.feasible.len();
        scratch.totals.clear();
        scratch.totals.resize(n, 0);
        let mut any_score = false;
        // Per plugin that ran: (name, normalized scores, weight), kept only to explain.
        let mut explained: Vec<(&'static str, Vec<i64>, i64)> = Vec::new();
        for &(i, weight) in &profile.score {
            let plugin = &profile.plugins[i];
            if plugin.pre_score(pod) == PreResult::Skip {
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
            let raw = if explain {
                scratch.scores.clone()
            } else {
                Vec::new()
            };
            plugin.normalize(pod, &mut scratch.scores);
            if summarize {
                explained.push((plugin.name(), scratch.scores.clone(), weight));
            }
            for (k, s) in scratch.scores.iter().enumerate() {
                debug_assert!(
                    (0..=MAX_NODE_SCORE).contains(s),
                    "{} scored {s} out of range",
                    plugin.name()
                );
                scratch.totals[k] += s * weight;
                if explain {
                    self.decisions.push(DecisionRow {
                        time: now,
                        pod: pod.metadata.name.clone(),
                        node: state.node(scratch.feasible[k]).name().to_string(),
                        stage: "score",
                        plugin: plugin.name(),
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
            let attempt = state.pod(pod_id).scheduling_attempts;
            for (rank, k) in explain::top_k(&scratch.totals, self.explain_top)
                .into_iter()
                .enumerate()
            {
                let node = state.node(scratch.feasible[k]).name();
                let row = |plugin, normalized, weighted| explain::SummaryRow {
                    time: now,
                    pod: pod.metadata.name.clone(),
                    attempt,
                    stage: "score",
                    plugin,
                    reason: String::new(),
                    nodes: None,
                    rank: Some(rank + 1),
                    node: node.to_string(),
                    normalized_score: normalized,
                    weighted_score: Some(weighted),
                };
                for (name, scores, weight) in &explained {
                    self.explain_summary
                        .push(row(name, Some(scores[k]), scores[k] * weight));
                }
                self.explain_summary
                    .push(row("total", None, scratch.totals[k]));
            }
        }
        Ok(select_host(&scratch.feasible, &scratch.totals, rng))
    }
}

/// PreScore: each score plugin prepares for the feasible nodes.
fn prepare_score(profile: &mut Profile, pod: &Pod, state: &ClusterState, feasible: &[NodeId]) {
    for k in 0..profile.score.len() {
        let i = profile.score[k].0;
        profile.plugins[i].prepare_score(pod, state, feasible);
    }
}

/// The node's usage with the requests of the pods nominated to it that have at
/// least `pod_id`'s priority, or `None` when there are none (the common case,
/// which costs one length check).
fn with_nominated(
    nominated_on_node: &[Vec<PodId>],
    state: &ClusterState,
    node_id: NodeId,
    pod_id: PodId,
) -> Option<crate::model::store::NodeUsage> {
    let nominated = nominated_on_node.get(node_id.0 as usize)?;
    if nominated.is_empty() {
        return None;
    }
    let priority = state.pod(pod_id).pod.spec.priority;
    let mut usage = state.node_usage[node_id.0 as usize];
    let mut any = false;
    for &p in nominated {
        let other = &state.pod(p).pod;
        if p != pod_id && other.spec.priority >= priority {
            usage.requested += &other.requests;
            usage.non_zero_requested += &other.non_zero_requests;
            usage.pod_count += 1;
            any = true;
        }
    }
    any.then_some(usage)
}

/// The first time strictly after `now` that is a whole multiple of `period`,
/// so that periodic flushes tick on the same grid as upstream's tickers.
fn next_tick(now: SimTime, period: SimDuration) -> SimTime {
    SimTime((now.0 / period.0 + 1) * period.0)
}

fn reasons_text(unfit: &Unfit, state: &ClusterState, view: NodeView) -> String {
    unfit
        .reasons
        .iter()
        .map(|r| r.message(state, view.node))
        .collect::<Vec<_>>()
        .join(", ")
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
        let (status, failed) = if !run.contains(&i) {
            ("Skip".to_string(), None)
        } else {
            match plugin.filter(pod, view) {
                Ok(()) => ("Success".to_string(), None),
                Err(unfit) => (reasons_text(&unfit, state, view), Some((i, unfit))),
            }
        };
        rows.push(DecisionRow {
            time: now,
            pod: pod.metadata.name.clone(),
            node: view.node.name().to_string(),
            stage: "filter",
            plugin: plugin.name(),
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

    #[test]
    fn next_tick_is_on_the_period_grid() {
        assert_eq!(
            next_tick(SimTime(0), BACKOFF_FLUSH_PERIOD),
            SimTime(1_000_000)
        );
        assert_eq!(
            next_tick(SimTime(1_500_000), BACKOFF_FLUSH_PERIOD),
            SimTime(2_000_000)
        );
        assert_eq!(
            next_tick(SimTime(2_000_000), BACKOFF_FLUSH_PERIOD),
            SimTime(3_000_000)
        );
    }
}
