//! The kube-scheduler: its queue, its framework and plugins, and the
//! scheduling cycle (`pkg/scheduler/schedule_one.go`, Kubernetes v1.32).
//!
//! The scheduler watches the store: new pending pods enter its queue; pods
//! that finish and nodes that appear or change may requeue unschedulable
//! pods. One cycle pops one pod, filters nodes (stopping once
//! `numFeasibleNodesToFind` fit), scores the feasible ones, picks the best
//! (ties broken by the seeded tie-break stream, as upstream's reservoir
//! sampling in `selectHost`) and binds. Cycles take no simulated time.

pub mod columns;
pub mod config;
pub mod cycle;
pub mod explain;
pub mod framework;
pub mod fused;
pub mod nominator;
pub mod plugins;
pub mod preemption;
pub mod queue;
pub mod snapshot;

use crate::engine::{EventQueue, SimDuration, SimTime};
use crate::model::store::{NodeId, PodId, WatchEvent};
use crate::model::{ClusterState, Pod};
use config::{Profile, SchedulerConfig};
pub use cycle::{num_feasible_nodes_to_find, select_host};
pub use explain::{DecisionRow, ExplainFilter, ExplainOptions, Explained};
use framework::ClusterEvent;
use nominator::Nominator;
use queue::{SchedulingQueue, BACKOFF_FLUSH_PERIOD, UNSCHEDULABLE_FLUSH_PERIOD};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// What a run asks of its scheduler besides its configuration.
#[derive(Clone, Debug)]
pub struct SchedulerOptions {
    /// Which pods `--explain` and `--explain-pod` record, and how many nodes.
    pub explain: ExplainOptions,
    /// With a declared bind latency the Scheduled event waits for the
    /// binding to be persisted; whoever persists it records the event
    /// ([`scheduled_message`]).
    pub defer_scheduled_event: bool,
    /// Seeds the stream that draws where preemption starts trying nodes.
    pub preemption_seed: u64,
    /// Use the fused pass where it applies (off only to compare it with the
    /// general path).
    pub fused: bool,
}

impl Default for SchedulerOptions {
    fn default() -> Self {
        SchedulerOptions {
            explain: ExplainOptions::default(),
            defer_scheduled_event: false,
            preemption_seed: 0,
            fused: true,
        }
    }
}

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
    explain: ExplainOptions,
    scratch: cycle::Scratch,
    nominator: Nominator,
    /// Draws the offset at which preemption starts trying nodes.
    preemption_rng: ChaCha8Rng,
    defer_scheduled_event: bool,
    /// Per node what the fused filter+score pass reads, and per profile
    /// which plugins that pass computes.
    snapshot: snapshot::Snapshot,
    fused: Vec<fused::Plan>,
    fused_enabled: bool,
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
    pub fn new(config: SchedulerConfig, options: SchedulerOptions) -> Self {
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
            explain: options.explain,
            scratch: cycle::Scratch::default(),
            nominator: Nominator::default(),
            preemption_rng: ChaCha8Rng::seed_from_u64(options.preemption_seed),
            defer_scheduled_event: options.defer_scheduled_event,
            snapshot: snapshot::Snapshot::default(),
            fused,
            fused_enabled: options.fused,
            fused_cycles: 0,
            fused_last: None,
            last_pass: fused::LastPass::default(),
        }
    }

    /// Whether the Scheduled event waits for the binding to be persisted.
    pub fn defers_scheduled_event(&self) -> bool {
        self.defer_scheduled_event
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
                self.nominator.set(id, None);
            }
            WatchEvent::PodDeleted(id) => {
                self.queue.forget(id);
                self.nominator.set(id, None);
                if state.pod(id).node.is_some() {
                    self.on_cluster_event(ClusterEvent::AssignedPodDelete, state, now);
                }
            }
            WatchEvent::PodTerminated(_) => {
                self.on_cluster_event(ClusterEvent::AssignedPodDelete, state, now)
            }
            WatchEvent::NodeAdded(id) => {
                self.node_order_stale = true;
                self.on_cluster_event(ClusterEvent::NodeAdd(id), state, now);
            }
            WatchEvent::NodeUpdated(id) => {
                self.on_cluster_event(ClusterEvent::NodeUpdate(id), state, now)
            }
            // The cache drops the node: it is no longer filtered or scored
            // (its pods are gone from the cluster once they are deleted).
            WatchEvent::NodeDeleted(_) => self.node_order_stale = true,
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
        for (i, node) in state.nodes().iter().enumerate() {
            if !state.node_exists(NodeId(i as u32)) {
                continue;
            }
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
        self.snapshot.arrange(&self.node_order);
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

    /// Handles one of the scheduler's timers; the rows of the pods being
    /// explained go to `explained`.
    pub fn handle<E: From<SchedulerEvent>>(
        &mut self,
        event: SchedulerEvent,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
        tie_breaks: &mut ChaCha8Rng,
        explained: &mut Explained,
    ) {
        let now = events.now();
        match event {
            SchedulerEvent::ScheduleOne => {
                self.cycle_pending = false;
                if let Some(pod) = self.queue.pop() {
                    self.schedule_one(pod, state, now, tie_breaks, explained);
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
}

/// The first time strictly after `now` that is a whole multiple of `period`,
/// so that periodic flushes tick on the same grid as upstream's tickers.
fn next_tick(now: SimTime, period: SimDuration) -> SimTime {
    SimTime((now.0 / period.0 + 1) * period.0)
}

#[cfg(test)]
mod tests {
    use super::*;

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
