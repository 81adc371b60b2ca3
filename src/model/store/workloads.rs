//! Workload mutations: creation, spec changes (which bump the generation),
//! deletion, and lookups by name.

use super::{ClusterState, WatchEvent, WorkloadEntry, WorkloadId};
use crate::engine::SimTime;
use crate::model::workloads::{Workload, WorkloadStatus};

impl ClusterState {
    pub fn add_workload(
        &mut self,
        workload: Workload,
        owner: Option<WorkloadId>,
        now: SimTime,
    ) -> WorkloadId {
        let id = WorkloadId(self.workloads.len() as u32);
        self.workloads.push(WorkloadEntry {
            workload,
            owner,
            created: now,
            deleting: None,
            deleted: None,
            status: WorkloadStatus::default(),
            generation: 1,
        });
        self.watch.push_back(WatchEvent::WorkloadAdded(id));
        id
    }

    /// Changes a workload's spec (a scale or a new template).
    pub fn update_workload(&mut self, id: WorkloadId, f: impl FnOnce(&mut Workload)) {
        let entry = &mut self.workloads[id.0 as usize];
        f(&mut entry.workload);
        entry.generation += 1;
        self.watch.push_back(WatchEvent::WorkloadUpdated(id));
    }

    /// The workload's status subresource, which its controller writes (the
    /// `UpdateStatus` call). Only the status: the spec, the generation, the
    /// owner and the deletion state change through the methods above, which
    /// push the watch events they imply. Writing the status pushes none, as
    /// no component reacts to another's workload status.
    pub fn workload_status_mut(&mut self, id: WorkloadId) -> &mut WorkloadStatus {
        &mut self.workloads[id.0 as usize].status
    }

    /// Orphan deletion of the owner: the workload stays, without its owner.
    pub fn orphan_workload(&mut self, id: WorkloadId) {
        let entry = &mut self.workloads[id.0 as usize];
        entry.owner = None;
        entry.workload.metadata.owner_references.clear();
    }

    /// Marks a workload as being deleted in the foreground.
    pub fn mark_workload_deleting(&mut self, id: WorkloadId, now: SimTime) {
        let entry = &mut self.workloads[id.0 as usize];
        if entry.deleting.is_none() && entry.deleted.is_none() {
            entry.deleting = Some(now);
            self.watch.push_back(WatchEvent::WorkloadUpdated(id));
        }
    }

    /// Removes a workload from the API.
    pub fn remove_workload(&mut self, id: WorkloadId, now: SimTime) {
        let entry = &mut self.workloads[id.0 as usize];
        if entry.deleted.is_none() {
            entry.deleted = Some(now);
            self.watch.push_back(WatchEvent::WorkloadDeleted(id));
        }
    }

    /// Live workloads, by kind and name, for lookups by name.
    pub fn find_workload(&self, kind: &str, namespace: &str, name: &str) -> Option<WorkloadId> {
        self.workloads
            .iter()
            .position(|w| {
                w.deleted.is_none()
                    && w.workload.spec.kind() == kind
                    && w.workload.metadata.namespace == namespace
                    && w.workload.metadata.name == name
            })
            .map(|i| WorkloadId(i as u32))
    }
}
