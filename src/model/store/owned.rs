//! Each controller's live pods with what its sync counts of them: whether
//! each is active, when it was created and since when it is Ready. A
//! ReplicaSet of thousands of pods counts them at every sync, and reading
//! these from one short array, in pod order, rather than from every pod's
//! entry, is what keeps such syncs cheap. Kept in step by the methods that
//! change those fields (phase, deletion, readiness, creation time) and by
//! ownership (a pod joins its owner's list when created, leaves it when
//! deleted or orphaned); `check_invariants` rebuilds the lists to compare.

use super::{ClusterState, PodEntry, PodId, WorkloadId};
use crate::engine::SimTime;

/// One pod of a controller, as its sync counts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OwnedPod {
    pub id: PodId,
    /// Not finished and not being deleted (`controller.IsPodActive`).
    pub active: bool,
    /// Succeeded or Failed.
    pub terminal: bool,
    pub created: SimTime,
    /// Since when the Ready condition is True.
    pub ready: Option<SimTime>,
}

impl OwnedPod {
    pub(super) fn of(id: PodId, e: &PodEntry) -> Self {
        OwnedPod {
            id,
            active: !e.status.phase.is_terminal() && e.terminating.is_none() && e.deleted.is_none(),
            terminal: e.status.phase.is_terminal(),
            created: e.created,
            ready: e.status.conditions.ready,
        }
    }
}

impl ClusterState {
    /// The live pods `owner` created, in creation order.
    pub fn owned_pods(&self, owner: WorkloadId) -> &[OwnedPod] {
        self.owned.get(owner.0 as usize).map_or(&[], Vec::as_slice)
    }

    /// A pod was created with an owner: it goes last (ids grow).
    pub(super) fn owned_pod_added(&mut self, id: PodId, owner: WorkloadId) {
        let i = owner.0 as usize;
        if self.owned.len() <= i {
            self.owned.resize_with(i + 1, Vec::new);
        }
        let pod = OwnedPod::of(id, &self.pods[id.0 as usize]);
        debug_assert!(self.owned[i].last().is_none_or(|o| o.id < id));
        self.owned[i].push(pod);
    }

    /// A field the list copies changed: copied again.
    pub(super) fn owned_pod_changed(&mut self, id: PodId) {
        let e = &self.pods[id.0 as usize];
        let Some(owner) = e.owner else { return };
        let list = &mut self.owned[owner.0 as usize];
        if let Ok(i) = list.binary_search_by_key(&id, |o| o.id) {
            list[i] = OwnedPod::of(id, e);
        }
    }

    /// The pod was deleted or orphaned: it leaves its owner's list.
    pub(super) fn owned_pod_removed(&mut self, id: PodId) {
        let Some(owner) = self.pods[id.0 as usize].owner else {
            return;
        };
        let list = &mut self.owned[owner.0 as usize];
        if let Ok(i) = list.binary_search_by_key(&id, |o| o.id) {
            list.remove(i);
        }
        // A finished Job's pods all go with it: its list's memory too.
        if list.is_empty() {
            *list = Vec::new();
        }
    }

    /// The lists as they should be, rebuilt from every pod held.
    pub(super) fn check_owned_pods(&self) -> Result<(), String> {
        let mut expected: Vec<Vec<OwnedPod>> = vec![Vec::new(); self.owned.len()];
        for (id, e) in self.pods.iter_ids() {
            if let (Some(owner), None) = (e.owner, e.deleted) {
                let list = expected.get_mut(owner.0 as usize).ok_or_else(|| {
                    format!("pod {} missing from its owner's list", e.pod.metadata.name)
                })?;
                list.push(OwnedPod::of(id, e));
            }
        }
        match (0..self.owned.len()).find(|&w| expected[w] != self.owned[w]) {
            None => Ok(()),
            Some(w) => Err(format!(
                "pods of workload {w}: kept {:?}, recomputed {:?}",
                self.owned[w], expected[w]
            )),
        }
    }
}
