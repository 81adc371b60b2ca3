//! The node lifecycle controller (`pkg/controller/nodelifecycle/
//! node_lifecycle_controller.go`, Kubernetes v1.32), as far as node health
//! and taint-based eviction go.
//!
//! Every `nodeMonitorPeriod` (5 s) `monitorNodeHealth` reads each node's
//! Lease. The probe timestamp is when the controller last saw the Lease
//! renewed; once more than `nodeMonitorGracePeriod` (50 s) has passed since,
//! the Ready condition becomes Unknown ("Kubelet stopped posting node
//! status."). A node whose Ready condition stops being True gets a
//! NodeNotReady event and its pods are marked not ready (`MarkPodsNotReady`);
//! it is queued for the `node.kubernetes.io/unreachable` (Unknown) or
//! `node.kubernetes.io/not-ready` (False) NoExecute taint, which a per-zone
//! rate limiter lets through (`--node-eviction-rate` 0.1 nodes/s, burst 1;
//! `--secondary-node-eviction-rate` 0.01, or none at all in clusters of at
//! most `--large-cluster-size-threshold` 50 nodes, when more than
//! `--unhealthy-zone-threshold` 55 % of a zone is unhealthy; no eviction at
//! all while every zone is fully disrupted). The matching NoSchedule taints
//! follow the condition at once (`doNoScheduleTaintingPass`). When the node
//! is Ready again both taints are removed.
//!
//! The monitor only ticks while some node is in trouble (the result is the
//! same as ticking forever, since a healthy cluster gives it nothing to do):
//! a node change arms it, and it stops once no node can change any more
//! without a new notification.

use super::{ControllerEvent, ControllerManager};
use crate::engine::{EventQueue, SimDuration, SimTime};
use crate::model::admission::TAINT_NODE_UNSCHEDULABLE;
use crate::model::node_health::ConditionStatus;
use crate::model::store::{NodeId, PodId};
use crate::model::taints::{Taint, TaintEffect};
use crate::model::ClusterState;
use std::collections::{BTreeMap, VecDeque};

pub use crate::model::admission::{TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE};
/// `scheduler.NodeEvictionPeriod`: how often the tainting pass runs.
pub const NODE_EVICTION_PERIOD: SimDuration = SimDuration(100_000);
const LABEL_REGION: &str = "topology.kubernetes.io/region";

/// Settings of the node lifecycle controller (kube-controller-manager flags).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NodeLifecycleConfig {
    /// `--node-monitor-period`.
    pub monitor_period: SimDuration,
    /// `--node-monitor-grace-period` (50 s since v1.32).
    pub grace_period: SimDuration,
    /// `--node-eviction-rate`, nodes per second per zone.
    pub eviction_rate: f64,
    /// `--secondary-node-eviction-rate`.
    pub secondary_eviction_rate: f64,
    /// `--unhealthy-zone-threshold`.
    pub unhealthy_zone_threshold: f64,
    /// `--large-cluster-size-threshold`.
    pub large_cluster_size_threshold: u32,
}

impl Default for NodeLifecycleConfig {
    fn default() -> Self {
        NodeLifecycleConfig {
            monitor_period: SimDuration::from_secs(5),
            grace_period: SimDuration::from_secs(50),
            eviction_rate: 0.1,
            secondary_eviction_rate: 0.01,
            unhealthy_zone_threshold: 0.55,
            large_cluster_size_threshold: 50,
        }
    }
}

/// `ZoneState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ZoneState {
    Initial,
    Normal,
    PartialDisruption,
    FullDisruption,
}

/// A zone's `RateLimitedTimedQueue` of nodes waiting for their NoExecute taint.
struct ZoneTainter {
    state: ZoneState,
    /// Tokens per second; 0 lets nothing through.
    qps: f64,
    /// When the token bucket (burst 1) next holds a token.
    next_token: SimTime,
    queue: VecDeque<NodeId>,
    pass_pending: bool,
}

/// What the controller remembers about a node (`nodeHealthData`).
#[derive(Clone, Copy, Debug, Default)]
struct Observed {
    probe_timestamp: SimTime,
    renew_time: Option<SimTime>,
    ready: ConditionStatus,
}

pub struct NodeLifecycle {
    pub config: NodeLifecycleConfig,
    nodes: Vec<Observed>,
    /// Zone keys seen, interned: key text → key index (sorted by text, the
    /// order `handleDisruption` walks zones in).
    zone_keys: BTreeMap<String, usize>,
    /// By key index: the key's tainter in `zones`, once it has one. Tainters
    /// are numbered in the order first needed, so event ids stay stable.
    key_tainters: Vec<Option<usize>>,
    zones: Vec<ZoneTainter>,
    /// Each node's zone key index, so that a monitor pass over every node
    /// reads no labels and formats no keys; valid while the store's
    /// `nodes_generation` (node additions and label changes) is unchanged.
    node_keys: Vec<usize>,
    node_keys_generation: Option<u64>,
    monitor_pending: bool,
    all_fully_disrupted: bool,
}

fn taint(key: &str, effect: TaintEffect) -> Taint {
    Taint {
        key: key.into(),
        value: String::new(),
        effect,
    }
}

fn has_taint(state: &ClusterState, node: NodeId, key: &str, effect: TaintEffect) -> bool {
    state
        .node(node)
        .taints
        .iter()
        .any(|t| t.key == key && t.effect == effect)
}

/// `utilnode.GetZoneKey`: region and zone labels.
fn zone_key(state: &ClusterState, node: NodeId) -> String {
    let labels = &state.node(node).metadata.labels;
    let get = |k: &str| labels.get(k).map_or("", |v| v.as_str());
    format!(
        "{}:\u{0}:{}",
        get(LABEL_REGION),
        get(crate::model::node::LABEL_TOPOLOGY_ZONE)
    )
}

/// The NoSchedule taint the Ready condition calls for (`nodeConditionToTaintKeyStatusMap`).
fn no_schedule_key(ready: ConditionStatus) -> Option<&'static str> {
    match ready {
        ConditionStatus::True => None,
        ConditionStatus::False => Some(TAINT_NODE_NOT_READY),
        ConditionStatus::Unknown => Some(TAINT_NODE_UNREACHABLE),
    }
}

/// The first multiple of `period` at or after `t`.
fn next_tick(t: SimTime, period: SimDuration) -> SimTime {
    let p = period.0.max(1);
    SimTime(t.0.div_ceil(p) * p)
}

impl NodeLifecycle {
    pub fn new(config: NodeLifecycleConfig) -> Self {
        NodeLifecycle {
            config,
            nodes: Vec::new(),
            zone_keys: BTreeMap::new(),
            key_tainters: Vec::new(),
            zones: Vec::new(),
            node_keys: Vec::new(),
            node_keys_generation: None,
            monitor_pending: false,
            all_fully_disrupted: false,
        }
    }

    /// Whether a node notification concerns this controller (read-only
    /// check made when the notification arrives).
    pub fn interested(&self, node: NodeId, state: &ClusterState) -> bool {
        state.node_exists(node)
            && (self.no_schedule_stale(node, state) || self.node_needs_monitor(node, state))
    }

    /// A deleted node leaves the controller's view (`monitorNodeHealth`'s
    /// deleted nodes): it is no longer monitored, counted in its zone or
    /// queued for taint-based eviction.
    pub fn forget(&mut self, node: NodeId, state: &ClusterState) {
        let key = self.node_key(state, node);
        if let Some(i) = self.key_tainters[key] {
            self.zones[i].queue.retain(|&n| n != node);
        }
    }

    fn no_schedule_stale(&self, node: NodeId, state: &ClusterState) -> bool {
        let want = no_schedule_key(state.node_health(node).ready);
        let stale = [TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE]
            .into_iter()
            .any(|k| Some(k) != want && has_taint(state, node, k, TaintEffect::NoSchedule));
        stale
            || want.is_some_and(|k| !has_taint(state, node, k, TaintEffect::NoSchedule))
            || state.node(node).unschedulable
                != has_taint(
                    state,
                    node,
                    TAINT_NODE_UNSCHEDULABLE,
                    TaintEffect::NoSchedule,
                )
    }

    /// A node was added or changed: keep its NoSchedule taint in step with
    /// its Ready condition and let the monitor look at it.
    pub fn on_node_event<E: From<ControllerEvent>>(
        &mut self,
        node: NodeId,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        if self.nodes.len() < state.nodes().len() {
            self.nodes
                .resize_with(state.nodes().len(), Observed::default);
        }
        if self.no_schedule_stale(node, state) {
            let want = no_schedule_key(state.node_health(node).ready);
            state.update_node(node, |n| {
                n.taints.retain(|t| {
                    t.effect != TaintEffect::NoSchedule
                        || !(t.key == TAINT_NODE_NOT_READY || t.key == TAINT_NODE_UNREACHABLE)
                        || Some(t.key.as_str()) == want
                });
                if let Some(k) = want {
                    if !n
                        .taints
                        .iter()
                        .any(|t| t.key == k && t.effect == TaintEffect::NoSchedule)
                    {
                        n.taints.push(taint(k, TaintEffect::NoSchedule));
                    }
                }
                // doNoScheduleTaintingPass also maps spec.unschedulable (a
                // cordon) to the node.kubernetes.io/unschedulable taint.
                let tainted = n.taints.iter().any(|t| {
                    t.key == TAINT_NODE_UNSCHEDULABLE && t.effect == TaintEffect::NoSchedule
                });
                if n.unschedulable && !tainted {
                    n.taints
                        .push(taint(TAINT_NODE_UNSCHEDULABLE, TaintEffect::NoSchedule));
                } else if !n.unschedulable && tainted {
                    n.taints.retain(|t| {
                        !(t.key == TAINT_NODE_UNSCHEDULABLE && t.effect == TaintEffect::NoSchedule)
                    });
                }
            });
        }
        if !self.monitor_pending && self.node_needs_monitor(node, state) {
            self.monitor_pending = true;
            let at = next_tick(events.now(), self.config.monitor_period);
            events.schedule(at, ControllerEvent::NodeMonitor.into());
        }
    }

    /// Whether a monitor pass could change anything for this node. Nodes
    /// already Unknown (or NotReady) and queued or tainted wait for a
    /// notification (a renewed Lease, a zone change) before anything changes.
    fn node_needs_monitor(&self, node: NodeId, state: &ClusterState) -> bool {
        if !state.node_exists(node) {
            return false;
        }
        let h = &state.node_health(node);
        let observed = self
            .nodes
            .get(node.0 as usize)
            .map_or(ConditionStatus::True, |o| o.ready);
        let tainted = has_taint(state, node, TAINT_NODE_NOT_READY, TaintEffect::NoExecute)
            || has_taint(state, node, TAINT_NODE_UNREACHABLE, TaintEffect::NoExecute);
        (!h.renewing() && h.ready != ConditionStatus::Unknown)
            || h.ready != observed
            || (h.ready == ConditionStatus::True && tainted)
    }

    fn needs_monitor(&self, state: &ClusterState) -> bool {
        (0..state.nodes().len()).any(|i| self.node_needs_monitor(NodeId(i as u32), state))
    }

    /// `monitorNodeHealth`.
    pub fn monitor<E: From<ControllerEvent>>(
        cm: &mut ControllerManager,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        let now = events.now();
        let nl = &mut cm.node_lifecycle;
        nl.monitor_pending = false;
        let config = nl.config;
        if nl.nodes.len() < state.nodes().len() {
            nl.nodes.resize_with(state.nodes().len(), Observed::default);
        }
        for i in 0..state.nodes().len() {
            let node = NodeId(i as u32);
            if !state.node_exists(node) {
                continue;
            }
            let health = *state.node_health(node);
            let obs = &mut nl.nodes[i];
            // tryUpdateNodeHealth: a renewed Lease refreshes the probe timestamp.
            let renew = health.lease_renew_time(now);
            if obs.renew_time != Some(renew) {
                obs.renew_time = Some(renew);
                obs.probe_timestamp = next_tick(renew, config.monitor_period).min(now);
            }
            if health.ready != ConditionStatus::Unknown
                && now > obs.probe_timestamp + config.grace_period
            {
                state.update_node_health(node, |h| h.ready = ConditionStatus::Unknown);
            }
            let current = state.node_health(node).ready;
            let observed = nl.nodes[i].ready;
            if current != ConditionStatus::True && observed == ConditionStatus::True {
                let name = state.node(node).name().to_string();
                state.record_node_event(
                    now,
                    node,
                    "NodeNotReady",
                    format!("Node {name} status is now: NodeNotReady"),
                );
                mark_pods_not_ready(state, node, now);
            }
            nl.nodes[i].ready = current;
            nl.process_taint_based_eviction(node, current, state);
        }
        nl.handle_disruption(state, now);
        for z in 0..nl.zones.len() {
            nl.arm_tainter(z, events);
        }
        if nl.needs_monitor(state) {
            nl.monitor_pending = true;
            events.schedule(
                now + config.monitor_period,
                ControllerEvent::NodeMonitor.into(),
            );
        }
    }

    /// The node's zone key index (`utilnode.GetZoneKey`, interned).
    fn node_key(&mut self, state: &ClusterState, node: NodeId) -> usize {
        if self.node_keys_generation != Some(state.nodes_generation()) {
            self.node_keys.clear();
            for i in 0..state.nodes().len() {
                let key = zone_key(state, NodeId(i as u32));
                let next = self.zone_keys.len();
                let k = *self.zone_keys.entry(key).or_insert(next);
                if k == next {
                    self.key_tainters.push(None);
                }
                self.node_keys.push(k);
            }
            self.node_keys_generation = Some(state.nodes_generation());
        }
        let k = self.node_keys[node.0 as usize];
        debug_assert_eq!(
            self.zone_keys.get(&zone_key(state, node)),
            Some(&k),
            "stale zone key of node {node:?}"
        );
        k
    }

    /// The tainter of a zone key, created the first time it is needed.
    fn zone(&mut self, key: usize) -> &mut ZoneTainter {
        let i = *self.key_tainters[key].get_or_insert_with(|| {
            self.zones.push(ZoneTainter {
                state: ZoneState::Initial,
                qps: self.config.eviction_rate,
                next_token: SimTime::ZERO,
                queue: VecDeque::new(),
                pass_pending: false,
            });
            self.zones.len() - 1
        });
        &mut self.zones[i]
    }

    /// `processTaintBaseEviction`.
    fn process_taint_based_eviction(
        &mut self,
        node: NodeId,
        ready: ConditionStatus,
        state: &mut ClusterState,
    ) {
        let key = self.node_key(state, node);
        let (add, opposite) = match ready {
            ConditionStatus::True => {
                // markNodeAsReachable.
                self.zone(key).queue.retain(|&n| n != node);
                remove_no_execute(state, node);
                return;
            }
            ConditionStatus::False => (TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE),
            ConditionStatus::Unknown => (TAINT_NODE_UNREACHABLE, TAINT_NODE_NOT_READY),
        };
        if has_taint(state, node, add, TaintEffect::NoExecute) {
            return;
        }
        if has_taint(state, node, opposite, TaintEffect::NoExecute) {
            // SwapNodeControllerTaint: straight away, not rate limited.
            state.update_node(node, |n| {
                n.taints
                    .retain(|t| !(t.key == opposite && t.effect == TaintEffect::NoExecute));
                n.taints.push(taint(add, TaintEffect::NoExecute));
            });
            return;
        }
        let zone = self.zone(key);
        if !zone.queue.contains(&node) {
            zone.queue.push_back(node);
        }
    }

    /// `handleDisruption`: zone states and their eviction rates.
    fn handle_disruption(&mut self, state: &mut ClusterState, now: SimTime) {
        // (ready, not ready) nodes by zone key index.
        let mut counts: Vec<(u32, u32)> = Vec::new();
        let mut n_nodes = 0u32;
        for i in 0..state.nodes().len() {
            if !state.node_exists(NodeId(i as u32)) {
                continue;
            }
            n_nodes += 1;
            let key = self.node_key(state, NodeId(i as u32));
            if counts.len() <= key {
                counts.resize(key + 1, (0, 0));
            }
            let c = &mut counts[key];
            if state.node_health(NodeId(i as u32)).ready == ConditionStatus::True {
                c.0 += 1;
            } else {
                c.1 += 1;
            }
        }
        let threshold = self.config.unhealthy_zone_threshold;
        // The zones that have nodes, in key order.
        let zone_states: Vec<(usize, ZoneState)> = self
            .zone_keys
            .values()
            .filter_map(|&k| {
                let (ready, not_ready) = counts.get(k).copied().unwrap_or((0, 0));
                if ready + not_ready == 0 {
                    return None;
                }
                // ComputeZoneState.
                let s = if ready == 0 && not_ready > 0 {
                    ZoneState::FullDisruption
                } else if not_ready > 2
                    && f64::from(not_ready) / f64::from(ready + not_ready) >= threshold
                {
                    ZoneState::PartialDisruption
                } else {
                    ZoneState::Normal
                };
                Some((k, s))
            })
            .collect();
        let all_full = !zone_states.is_empty()
            && zone_states
                .iter()
                .all(|(_, s)| *s == ZoneState::FullDisruption);
        let was_all_full = self.all_fully_disrupted;
        self.all_fully_disrupted = all_full;
        if all_full {
            // Every zone is down: assume the control plane lost the network,
            // stop evicting and take the NoExecute taints off.
            for i in 0..state.nodes().len() {
                remove_no_execute(state, NodeId(i as u32));
            }
            for &(k, s) in &zone_states {
                let z = self.zone(k);
                z.state = s;
                z.qps = 0.0;
                z.queue.clear();
            }
            return;
        }
        for (k, s) in zone_states {
            let large = n_nodes > self.config.large_cluster_size_threshold;
            let (healthy, secondary) = (
                self.config.eviction_rate,
                self.config.secondary_eviction_rate,
            );
            let z = self.zone(k);
            if z.state == s && !was_all_full {
                continue;
            }
            z.state = s;
            let qps = match s {
                ZoneState::PartialDisruption if large => secondary,
                ZoneState::PartialDisruption => 0.0,
                _ => healthy,
            };
            // SwapLimiter: a new bucket (full) only when the rate changes.
            if z.qps != qps {
                z.qps = qps;
                z.next_token = now;
            }
        }
    }

    fn arm_tainter<E: From<ControllerEvent>>(&mut self, zone: usize, events: &mut EventQueue<E>) {
        let now = events.now();
        let z = &mut self.zones[zone];
        if z.pass_pending || z.queue.is_empty() || z.qps <= 0.0 {
            return;
        }
        z.pass_pending = true;
        let at = next_tick(z.next_token.max(now), NODE_EVICTION_PERIOD);
        events.schedule(at, ControllerEvent::NodeTaintPass(zone).into());
    }

    /// `doNoExecuteTaintingPass` for one zone.
    pub fn tainting_pass<E: From<ControllerEvent>>(
        cm: &mut ControllerManager,
        zone: usize,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        let now = events.now();
        let nl = &mut cm.node_lifecycle;
        let z = &mut nl.zones[zone];
        z.pass_pending = false;
        while let Some(&node) = z.queue.front() {
            if z.qps <= 0.0 || z.next_token > now {
                break;
            }
            z.queue.pop_front();
            z.next_token = now + SimDuration::from_secs_f64(1.0 / z.qps);
            let (add, opposite) = match state.node_health(node).ready {
                // Ready again: nothing to taint.
                ConditionStatus::True => continue,
                ConditionStatus::False => (TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE),
                ConditionStatus::Unknown => (TAINT_NODE_UNREACHABLE, TAINT_NODE_NOT_READY),
            };
            state.update_node(node, |n| {
                n.taints.retain(|t| {
                    !(t.effect == TaintEffect::NoExecute && (t.key == opposite || t.key == add))
                });
                n.taints.push(taint(add, TaintEffect::NoExecute));
            });
        }
        nl.arm_tainter(zone, events);
    }
}

/// Removes both NoExecute taints the controller manages, if present.
fn remove_no_execute(state: &mut ClusterState, node: NodeId) {
    let managed = |t: &Taint| {
        t.effect == TaintEffect::NoExecute
            && (t.key == TAINT_NODE_NOT_READY || t.key == TAINT_NODE_UNREACHABLE)
    };
    if state.node(node).taints.iter().any(managed) {
        state.update_node(node, |n| n.taints.retain(|t| !managed(t)));
    }
}

/// `MarkPodsNotReady` (`pkg/controller/util/node/controller_utils.go`):
/// every pod on the node gets Ready=False and a NodeNotReady event.
fn mark_pods_not_ready(state: &mut ClusterState, node: NodeId, now: SimTime) {
    let pods: Vec<PodId> = state.pods_on_node(node).collect();
    for pod in pods {
        let e = state.pod(pod);
        if e.deleted.is_some() || e.status.phase.is_terminal() {
            continue;
        }
        state.mark_pod_not_ready(pod);
        state.record_pod_event(now, pod, "NodeNotReady", "Node is not ready".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_fall_on_the_monitor_period() {
        let p = SimDuration::from_secs(5);
        assert_eq!(
            next_tick(SimTime::from_secs(100), p),
            SimTime::from_secs(100)
        );
        assert_eq!(next_tick(SimTime(100_000_001), p), SimTime::from_secs(105));
    }

    #[test]
    fn zone_keys_follow_added_and_relabelled_nodes() {
        use crate::model::node::LABEL_TOPOLOGY_ZONE;
        use crate::model::resources::ResourceNames;
        use crate::scheduler::plugins::test_nodes::node;
        let mut state = ClusterState::new(ResourceNames::default());
        let add = |state: &mut ClusterState, name: &str, zone: &str| {
            let mut n = node(name, "4", "8Gi").node;
            n.metadata
                .labels
                .insert(LABEL_TOPOLOGY_ZONE.into(), zone.into());
            state.add_node(n)
        };
        let a0 = add(&mut state, "a0", "a");
        let b0 = add(&mut state, "b0", "b");
        let mut nl = NodeLifecycle::new(NodeLifecycleConfig::default());
        // The cached key index of a node names the key zone_key formats.
        let check = |nl: &mut NodeLifecycle, state: &ClusterState, n: NodeId| {
            let k = nl.node_key(state, n);
            assert_eq!(nl.zone_keys.get(&zone_key(state, n)), Some(&k));
            k
        };
        let (ka, kb) = (check(&mut nl, &state, a0), check(&mut nl, &state, b0));
        assert_ne!(ka, kb);
        // A node added later in a known zone shares its key.
        let a1 = add(&mut state, "a1", "a");
        assert_eq!(check(&mut nl, &state, a1), ka);
        // Relabelled into a new zone, and back.
        state.update_node(a0, |n| {
            n.metadata
                .labels
                .insert(LABEL_TOPOLOGY_ZONE.into(), "c".into());
        });
        let kc = check(&mut nl, &state, a0);
        assert!(kc != ka && kc != kb);
        assert_eq!(check(&mut nl, &state, a1), ka);
        state.update_node(a0, |n| {
            n.metadata
                .labels
                .insert(LABEL_TOPOLOGY_ZONE.into(), "b".into());
        });
        assert_eq!(check(&mut nl, &state, a0), kb);
        // handleDisruption counts the zones that have nodes (a and b; c is empty).
        nl.handle_disruption(&mut state, SimTime::ZERO);
        assert_eq!(nl.zones.len(), 2);
    }
}
