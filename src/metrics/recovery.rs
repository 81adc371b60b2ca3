//! Time to recover from each fault (faults.csv).
//!
//! When a fault starts, the controllers it hits are the Deployments and
//! standalone ReplicaSets owning pods on its nodes. The fault has recovered
//! at the first moment when each of them again has its desired number of
//! Ready pods, not counting pods on the fault's own nodes while they are
//! down (such a pod may still show Ready until the node lifecycle
//! controller marks it otherwise; it serves nobody). Pods on the nodes of
//! other, overlapping faults are those faults' loss, not this one's: they
//! count as serving until they are evicted. DaemonSets are left out: their
//! pods belong to nodes, so they recover only with the node. Readiness
//! stands in for availability (`minReadySeconds` is not waited for).
//!
//! Tracking is incremental: a check after an event recounts only the
//! controllers whose pods changed (all of them when a node or fault did),
//! and looks at the open faults by group — faults with the same nodes and
//! controllers recover at the same moment — so its cost follows the
//! controllers and the distinct groups, not the faults the run ever had
//! (random failures with a tiny `mtbf` pile up thousands that never recover).

use super::rows::desired;
use crate::engine::SimTime;
use crate::faults::FaultRecord;
use crate::model::store::{NodeId, PodId, WatchEvent, WorkloadId};
use crate::model::workloads::WorkloadSpec;
use crate::model::ClusterState;
use std::collections::BTreeMap;

pub const FAULTS_HEADER: &[&str] = &[
    "fault",
    "kind",
    "nodes",
    "start_s",
    "end_s",
    "workloads",
    "recovered_s",
    "time_to_recover_s",
];

/// faults.csv: one row per fault, in start order.
pub fn write_faults(
    w: impl std::io::Write,
    faults: &[FaultRecord],
    tracker: &RecoveryTracker,
    state: &ClusterState,
) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(FAULTS_HEADER)
        .map_err(std::io::Error::other)?;
    let time = |t: Option<SimTime>| t.map_or(String::new(), |t| t.to_string());
    for (i, (f, o)) in faults.iter().zip(&tracker.outcomes).enumerate() {
        let nodes: Vec<&str> = f.nodes.iter().map(|&n| state.node(n).name()).collect();
        let workloads: Vec<String> = o
            .workloads
            .iter()
            .map(|&w| {
                let w = &state.workload(w).workload;
                format!(
                    "{}/{}/{}",
                    w.spec.kind(),
                    w.metadata.namespace,
                    w.metadata.name
                )
            })
            .collect();
        out.write_record([
            i.to_string().as_str(),
            f.kind.as_str(),
            &nodes.join(";"),
            &f.start.to_string(),
            &time(f.end),
            &workloads.join(";"),
            &time(o.recovered),
            &o.recovered
                .map_or(String::new(), |r| SimTime(r.since(f.start).0).to_string()),
        ])
        .map_err(std::io::Error::other)?;
    }
    out.flush()
}

#[derive(Clone, Debug, PartialEq)]
pub struct FaultOutcome {
    /// The nodes it hit.
    pub nodes: Vec<NodeId>,
    /// The controllers the fault hit.
    pub workloads: Vec<WorkloadId>,
    pub recovered: Option<SimTime>,
}

#[derive(Default)]
pub struct RecoveryTracker {
    /// One entry per fault, in the order they started.
    pub outcomes: Vec<FaultOutcome>,
    /// When each fault started.
    pub starts: Vec<SimTime>,
    dirty: bool,
    /// The faults not recovered yet (by index), grouped by their nodes and
    /// controllers, which are all their recovery depends on.
    open_groups: BTreeMap<(Vec<NodeId>, Vec<WorkloadId>), Vec<usize>>,
    /// The controllers of the faults not recovered yet: only their changes
    /// (and node or fault changes) can make a fault recover.
    open: std::collections::BTreeSet<WorkloadId>,
    /// Per open controller: its Ready pods on healthy nodes, and its pods
    /// (not terminating) on each node with an active fault; recounted only
    /// when one of its pods changed (`stale`) or any node or fault did.
    counts: BTreeMap<WorkloadId, (i32, BTreeMap<NodeId, i32>)>,
    stale: std::collections::BTreeSet<WorkloadId>,
    all_stale: bool,
    /// The pods of each tracked controller (Deployment, standalone
    /// ReplicaSet), so a check only looks at the controllers a fault hit.
    pods_by_owner: BTreeMap<WorkloadId, OwnedPods>,
}

/// Below this many pods a controller's list is not pruned as it grows.
const PRUNE_MIN: usize = 64;

/// A tracked controller's pods (deleted ones pruned now and then), and how
/// many were left the last time they were pruned.
#[derive(Default)]
struct OwnedPods {
    list: Vec<PodId>,
    len_pruned: usize,
}

impl OwnedPods {
    fn len(&self) -> usize {
        self.list.len()
    }
}

/// The controller at the top of a pod's ownership chain.
fn top_owner(state: &ClusterState, pod: PodId) -> Option<WorkloadId> {
    let mut w = state.pod(pod).owner?;
    while let Some(up) = state.workload(w).owner {
        w = up;
    }
    Some(w)
}

fn tracked(state: &ClusterState, w: WorkloadId) -> bool {
    matches!(
        state.workload(w).workload.spec,
        WorkloadSpec::Deployment(_) | WorkloadSpec::ReplicaSet(_)
    )
}

impl RecoveryTracker {
    /// A fault hit `nodes` now.
    pub fn fault_started(&mut self, nodes: &[NodeId], state: &ClusterState, now: SimTime) {
        let mut workloads: Vec<WorkloadId> = nodes
            .iter()
            .flat_map(|&n| state.pods_on_node(n))
            .filter(|&p| {
                let e = state.pod(p);
                e.deleted.is_none() && e.terminating.is_none() && !e.status.phase.is_terminal()
            })
            .filter_map(|p| top_owner(state, p))
            .filter(|&w| tracked(state, w))
            .collect();
        workloads.sort_unstable();
        workloads.dedup();
        let recovered = workloads.is_empty().then_some(now);
        if recovered.is_none() {
            let key = (nodes.to_vec(), workloads.clone());
            let group = self.open_groups.entry(key).or_default();
            let new_group = group.is_empty();
            group.push(self.outcomes.len());
            if new_group {
                self.update_open();
            }
        }
        self.outcomes.push(FaultOutcome {
            nodes: nodes.to_vec(),
            workloads,
            recovered,
        });
        self.starts.push(now);
        self.fault_changed();
    }

    /// A fault began or ended: nodes' health changed.
    pub fn fault_changed(&mut self) {
        self.dirty = true;
        self.all_stale = true;
    }

    fn update_open(&mut self) {
        self.open = self
            .open_groups
            .keys()
            .flat_map(|(_, workloads)| workloads.iter().copied())
            .collect();
        let open = &self.open;
        self.counts.retain(|w, _| open.contains(w));
    }

    /// Notes the change; only a change to a node or to an open fault's
    /// controllers or their pods calls for a check (a check after every
    /// event rescans those controllers' pods, which dominated long runs).
    pub fn on_watch(&mut self, event: WatchEvent, state: &ClusterState) {
        if let WatchEvent::PodAdded(p) = event {
            if let Some(w) = top_owner(state, p).filter(|&w| tracked(state, w)) {
                let pods = self.pods_by_owner.entry(w).or_default();
                // Deleted pods are dropped here too (not only when a fault
                // looks) once the list has doubled since it was last
                // pruned, so that it follows the controller's live pods,
                // not every pod it ever had.
                if pods.len() >= PRUNE_MIN && pods.len() >= 2 * pods.len_pruned {
                    pods.list
                        .retain(|&p| state.pods().get(p).is_some_and(|e| e.deleted.is_none()));
                    pods.len_pruned = pods.len();
                }
                pods.list.push(p);
            }
        }
        if self.open.is_empty() {
            return;
        }
        match event {
            WatchEvent::NodeAdded(_) | WatchEvent::NodeUpdated(_) => self.fault_changed(),
            WatchEvent::WorkloadAdded(_) => {}
            // Desired replicas and deletion are read afresh by every check.
            WatchEvent::WorkloadUpdated(w) | WatchEvent::WorkloadDeleted(w) => {
                self.dirty |= self.open.contains(&w)
            }
            _ => {
                let owner = event
                    .pod()
                    .filter(|&p| state.pods().get(p).is_some())
                    .and_then(|p| top_owner(state, p))
                    .filter(|w| self.open.contains(w));
                if let Some(w) = owner {
                    self.dirty = true;
                    self.stale.insert(w);
                }
            }
        }
    }

    /// After an event: marks the faults whose controllers are whole again.
    /// `healthy(node)` says whether a node has no active fault.
    pub fn check(&mut self, state: &ClusterState, now: SimTime, healthy: impl Fn(NodeId) -> bool) {
        if !self.dirty || self.open_groups.is_empty() {
            return;
        }
        self.dirty = false;
        for &w in &self.open {
            if !(self.all_stale || self.stale.contains(&w) || !self.counts.contains_key(&w)) {
                continue;
            }
            let pods = &mut self.pods_by_owner.entry(w).or_default().list;
            pods.retain(|&p| state.pods().get(p).is_some_and(|e| e.deleted.is_none()));
            let (ready_healthy, on_faulty) = self.counts.entry(w).or_default();
            *ready_healthy = 0;
            on_faulty.clear();
            for &p in pods.iter() {
                let e = state.pod(p);
                let Some(n) = e.node else { continue };
                if e.terminating.is_some() || e.status.phase.is_terminal() {
                    continue;
                }
                if !healthy(n) {
                    *on_faulty.entry(n).or_default() += 1;
                } else if e.status.conditions.ready.is_some() {
                    *ready_healthy += 1;
                }
            }
        }
        self.stale.clear();
        self.all_stale = false;
        let counts = &self.counts;
        let outcomes = &mut self.outcomes;
        let before = self.open_groups.len();
        self.open_groups.retain(|(nodes, workloads), faults| {
            // These faults' own nodes serve nobody while they are down (their
            // pods may still show Ready); pods held up by other, overlapping
            // faults are not these faults' loss and count as serving.
            let whole = workloads.iter().all(|&w| {
                let entry = state.workload(w);
                let (ready_healthy, on_faulty) = &counts[&w];
                let others: i32 = on_faulty
                    .iter()
                    .filter(|(n, _)| !nodes.contains(n))
                    .map(|(_, c)| c)
                    .sum();
                entry.deleted.is_some() || ready_healthy + others >= desired(entry)
            });
            if whole {
                for &i in faults.iter() {
                    outcomes[i].recovered = Some(now);
                }
            }
            !whole
        });
        if self.open_groups.len() != before {
            self.update_open();
        }
    }
}
