//! The ReplicaSet controller (`pkg/controller/replicaset/replica_set.go`,
//! v1.32): keeps `replicas` active pods, creating missing ones and deleting
//! extra ones in upstream's scale-down order (unscheduled before scheduled,
//! pending before running, not ready before ready, …).
//!
//! Like upstream's `manageReplicas`, one sync creates or deletes at most
//! [`BURST_REPLICAS`] pods. The rest waits for the next sync, which the
//! watch of the pods just created or deleted queues (upstream's
//! expectations: `addPod` and `deletePod` observe them and queue the set).
//! A sync while some pods it created are not yet persisted (declared
//! `apiLatency.create`) only updates the status, as upstream's does while
//! `SatisfiedExpectations` is false; the last of them to be persisted
//! queues the sync that goes on.

use super::rollout::{scale_down_key, PodRank, ScaleDownKey};
use super::{sync_at, ControllerEvent, ControllerManager};
use crate::engine::{EventQueue, SimDuration, SimTime};
use crate::model::store::{NodeId, OwnedPod, PodId, WorkloadId};
use crate::model::workloads::WorkloadSpec;
use crate::model::{ClusterState, PodPhase};

/// `burstReplicas` (`BurstReplicas` in `replica_set.go`): at most this many
/// creations or deletions per sync.
///
/// Upstream issues a sync's creations in slow-start batches (1, 2, 4, …) and
/// skips the rest at the first failed batch; kubesim's pod creations never
/// fail, so the batches are not modelled: they would change nothing.
pub const BURST_REPLICAS: usize = 500;

pub fn sync<E: From<ControllerEvent>>(
    cm: &mut ControllerManager,
    id: WorkloadId,
    state: &mut ClusterState,
    events: &mut EventQueue<E>,
) {
    let now = events.now();
    let WorkloadSpec::ReplicaSet(spec) = &state.workload(id).workload.spec else {
        return;
    };
    let (replicas, min_ready_seconds) = (spec.replicas, spec.min_ready_seconds);
    let mut pods = ActivePods::count(state.owned_pods(id), min_ready_seconds, now);
    // Expectations not yet satisfied: pods created earlier are in flight.
    let diff = if pods.unobserved > 0 {
        0
    } else {
        pods.active as i64 - replicas as i64
    };
    if diff < 0 {
        let template = spec.template.clone();
        let name = state.workload(id).workload.metadata.name.clone();
        for _ in 0..(-diff as usize).min(BURST_REPLICAS) {
            let pod_name = format!("{name}-{}", cm.suffix());
            cm.create_pod(id, &template, pod_name, |_| {}, state, now);
        }
    } else if diff > 0 {
        let active: Vec<PodId> = (state.owned_pods(id).iter())
            .filter_map(|p| p.active.then_some(p.id))
            .collect();
        let n = (diff as usize).min(BURST_REPLICAS);
        for pod in pods_to_delete(state, &active, n, now) {
            cm.delete_pod(id, pod, state, now);
        }
    }
    if diff != 0 {
        // The pods just created or deleted change what the status counts.
        pods = ActivePods::count(state.owned_pods(id), min_ready_seconds, now);
    }
    update_status(cm, id, state, &pods, events);
}

/// What one pass over a ReplicaSet's pods counts: a sync reads each pod
/// once, however many figures it needs (a ReplicaSet may own thousands).
struct ActivePods {
    active: i32,
    ready: i32,
    /// Ready for minReadySeconds.
    available: i32,
    /// When ready pods not yet available become so, in pod order.
    available_later: Vec<SimTime>,
    /// Created but not yet persisted, so not yet observed through the watch.
    unobserved: i32,
}

impl ActivePods {
    /// Reads the store's list of the set's pods (`ClusterState::owned_pods`,
    /// the same pods as the controller's own list, in the same order), not
    /// each pod's entry: the figures of `is_active`, `is_ready`,
    /// `is_available` and `available_at` from the fields they read.
    fn count(pods: &[OwnedPod], min_ready_seconds: i32, now: SimTime) -> Self {
        let mut counts = ActivePods {
            active: 0,
            ready: 0,
            available: 0,
            available_later: Vec::new(),
            unobserved: 0,
        };
        let min_ready = SimDuration::from_secs(min_ready_seconds.max(0) as u64);
        for p in pods.iter().filter(|p| p.active) {
            counts.active += 1;
            counts.unobserved += (p.created > now) as i32;
            counts.ready += p.ready.is_some() as i32;
            if let Some(since) = p.ready {
                counts.available += (now.since(since) >= min_ready) as i32;
                let at = since + min_ready;
                if at > now {
                    counts.available_later.push(at);
                }
            }
        }
        counts
    }
}

/// The `n` active pods to delete first (`getPodsToDelete`). `active` is
/// in creation order, which breaks the ties of equal ranks and names.
pub fn pods_to_delete(
    state: &ClusterState,
    active: &[PodId],
    n: usize,
    now: SimTime,
) -> Vec<PodId> {
    debug_assert!(active.is_sorted(), "active pods in creation order");
    // Active pods per node, counted once: the assigned pods sorted by node,
    // each run of one node gives its pods their count.
    let mut by_node: Vec<(NodeId, u32)> = Vec::with_capacity(active.len());
    by_node.extend(
        active
            .iter()
            .enumerate()
            .filter_map(|(i, &p)| Some((state.pod(p).node?, i as u32))),
    );
    by_node.sort_unstable();
    let mut co_located = vec![0i32; active.len()];
    for run in by_node.chunk_by(|a, b| a.0 == b.0) {
        for &(_, i) in run {
            co_located[i as usize] = run.len() as i32;
        }
    }
    let mut ranked: Vec<(ScaleDownKey, &str, PodId)> = active
        .iter()
        .zip(&co_located)
        .map(|(&p, &co_located_rank)| {
            let e = state.pod(p);
            let rank = PodRank {
                assigned: e.node.is_some(),
                phase_rank: match e.status.phase {
                    PodPhase::Pending => 0,
                    PodPhase::Unknown => 1,
                    _ => 2,
                },
                ready: e.status.conditions.ready.is_some(),
                co_located_rank,
                ready_since: e.status.conditions.ready,
                restarts: e.status.restarts(),
                created: e.created,
            };
            (scale_down_key(&rank, now), e.pod.metadata.name.as_str(), p)
        })
        .collect();
    // Only the first n matter: select them, then order them. The pod id
    // last makes the order total, as the stable sort of the list in
    // creation order it replaces was.
    let order = |a: &(ScaleDownKey, &str, PodId), b: &(ScaleDownKey, &str, PodId)| {
        a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)).then(a.2.cmp(&b.2))
    };
    if n < ranked.len() {
        ranked.select_nth_unstable_by(n, order);
        ranked.truncate(n);
    }
    ranked.sort_unstable_by(order);
    ranked.into_iter().map(|(_, _, p)| p).collect()
}

/// Status: replicas, ready and available counts; arms a sync for when
/// ready pods will have been ready for minReadySeconds.
fn update_status<E: From<ControllerEvent>>(
    cm: &mut ControllerManager,
    id: WorkloadId,
    state: &mut ClusterState,
    pods: &ActivePods,
    events: &mut EventQueue<E>,
) {
    for &at in &pods.available_later {
        sync_at(cm, id, at, events);
    }
    let status = state.workload_status_mut(id);
    status.replicas = pods.active;
    status.updated = pods.active;
    status.ready = pods.ready;
    status.available = pods.available;
    // The owning Deployment watches its ReplicaSets, including their
    // terminating pods (Recreate and rollout completion wait for them).
    if let Some(owner) = state.workload(id).owner {
        cm.enqueue(owner, events);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::pod::fixtures::pod;
    use crate::model::resources::ResourceNames;
    use crate::scheduler::plugins::test_nodes::node;

    #[test]
    fn scale_down_deletes_pods_sharing_a_node_first() {
        // getPodsToDelete ranks pods on nodes with more active pods of the
        // set first: z0, z1 share n0, b0 is alone on n1 and c0 is on n2 with
        // a pod of another set (not counted). Otherwise equal (bound at 0,
        // pending), so deleting two picks z0 and z1, though by name alone
        // b0 and c0 come first.
        let mut state = ClusterState::new(ResourceNames::default());
        let n: Vec<NodeId> = ["n0", "n1", "n2"]
            .iter()
            .map(|name| state.add_node(node(name, "8", "8Gi").node))
            .collect();
        let mut bound = |name: &str, on: NodeId| {
            let id = state.add_pod(pod(name).build(), SimTime::ZERO);
            state.bind(id, on, SimTime::ZERO);
            id
        };
        let b0 = bound("b0", n[1]);
        let z1 = bound("z1", n[0]);
        let c0 = bound("c0", n[2]);
        let z0 = bound("z0", n[0]);
        bound("other", n[2]);
        let active = [b0, z1, c0, z0];
        assert_eq!(
            pods_to_delete(&state, &active, 2, SimTime::ZERO),
            vec![z0, z1]
        );
        assert_eq!(pods_to_delete(&state, &active, 3, SimTime::ZERO)[2], b0);
    }
}
