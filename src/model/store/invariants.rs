//! The whole-state check that tests run after every event: everything the
//! store derives (usage, phase counts, per-node pod lists) recomputed from
//! the pods themselves.

use super::{ClusterState, NodeUsage, PodEntry, PodId, WorkloadEntry};
use crate::model::meta::ObjectMeta;
use crate::model::node_health::ConditionStatus;
use crate::model::pod::PodPhase;
use crate::model::resources::Resources;
use crate::model::status::ContainerState;
use std::collections::BTreeSet;

impl ClusterState {
    /// Checks every invariant of the whole state; tests run it after every
    /// event. Returns the first violation found.
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut recomputed: Vec<NodeUsage> = self
            .nodes
            .iter()
            .map(|n| NodeUsage {
                gpus: self.node_gpus(n),
                ..Default::default()
            })
            .collect();
        let mut phase_counts = self.pods.retired_in_api();
        for entry in &self.pods {
            self.check_pod_status(entry)?;
            if entry.deleted.is_none() {
                phase_counts[entry.status.phase as usize] += 1;
            }
            if let Some(node) = entry.node {
                if entry.status.conditions.pod_scheduled.is_none() {
                    return Err(format!(
                        "pod {} bound without PodScheduled",
                        entry.pod.metadata.name
                    ));
                }
                if entry.holds_resources() {
                    let u = &mut recomputed[node.0 as usize];
                    u.requested += &entry.pod.requests;
                    u.non_zero_requested += &entry.pod.non_zero_requests;
                    u.pod_count += 1;
                    u.gpus.charge(entry.gpu_devices, entry.gpu_milli, 1);
                }
            } else if entry.status.phase == PodPhase::Running {
                return Err(format!(
                    "pod {} Running without a node",
                    entry.pod.metadata.name
                ));
            }
        }
        let holding: BTreeSet<PodId> = self
            .pods
            .iter_ids()
            .filter(|(_, e)| e.holds_resources())
            .map(|(id, _)| id)
            .collect();
        if holding != self.bound_pods {
            return Err("bound_pods differs from the pods holding resources".into());
        }
        let mut by_node = vec![Vec::new(); self.nodes.len()];
        for (id, e) in self.pods.iter_ids() {
            if let Some(node) = e.node {
                by_node[node.0 as usize].push(id);
            }
        }
        if by_node != self.pods_by_node {
            return Err("pods_by_node differs from the pods bound to each node".into());
        }
        let mut bound_by_node = vec![Vec::new(); self.nodes.len()];
        for &id in &self.bound_pods {
            if let Some(node) = self.pods[id.0 as usize].node {
                bound_by_node[node.0 as usize].push(id);
            }
        }
        if bound_by_node != self.bound_by_node {
            return Err("bound_by_node differs from the bound pods on each node".into());
        }
        if !self.bound_pods_with_affinity.is_subset(&self.bound_pods) {
            return Err("bound_pods_with_affinity holds a pod not bound".into());
        }
        if phase_counts != self.phase_counts {
            return Err(format!(
                "phase counts {:?} != recomputed {phase_counts:?}",
                self.phase_counts
            ));
        }
        for (i, (node, usage)) in self.nodes.iter().zip(&self.node_usage).enumerate() {
            if *usage != recomputed[i] {
                return Err(format!(
                    "node {} usage {usage:?} != recomputed {:?}",
                    node.metadata.name, recomputed[i]
                ));
            }
        }
        let mut requested_total = Resources::default();
        let mut allocatable_total = Resources::default();
        for (i, node) in self.nodes.iter().enumerate() {
            requested_total += &recomputed[i].requested;
            if self.node_deleted[i].is_none() {
                allocatable_total += &node.allocatable;
            }
            if node.ready != (self.node_health[i].ready == ConditionStatus::True) {
                return Err(format!(
                    "node {} ready {} but its Ready condition is {:?}",
                    node.metadata.name, node.ready, self.node_health[i].ready
                ));
            }
        }
        if requested_total != self.requested_total {
            return Err(format!(
                "requested total {:?} != recomputed {requested_total:?}",
                self.requested_total
            ));
        }
        if allocatable_total != self.allocatable_total {
            return Err(format!(
                "allocatable total {:?} != recomputed {allocatable_total:?}",
                self.allocatable_total
            ));
        }
        for entry in &self.workloads {
            self.check_workload(entry)?;
        }
        self.check_owned_pods()
    }

    /// What the pod status methods (`pod_status.rs`) keep consistent within
    /// one pod.
    fn check_pod_status(&self, entry: &PodEntry) -> Result<(), String> {
        let name = &entry.pod.metadata.name;
        let conditions = &entry.status.conditions;
        if conditions.pod_scheduled.is_some() && entry.node.is_none() {
            return Err(format!("pod {name} has PodScheduled without a node"));
        }
        if conditions.ready.is_some() {
            if entry.node.is_none() {
                return Err(format!("pod {name} Ready without a node"));
            }
            if entry.ready.is_none() {
                return Err(format!("pod {name} Ready without its first-Ready time"));
            }
            if conditions.containers_ready.is_none() {
                return Err(format!("pod {name} Ready without ContainersReady"));
            }
            if conditions.initialized.is_none() {
                return Err(format!("pod {name} Ready without Initialized"));
            }
            if !entry.status.container_statuses.iter().all(|c| c.ready) {
                return Err(format!("pod {name} Ready with a container not ready"));
            }
        }
        let running = entry
            .status
            .init_container_statuses
            .iter()
            .chain(&entry.status.container_statuses)
            .any(|c| matches!(c.state, ContainerState::Running { .. }));
        if running && entry.node.is_none() {
            return Err(format!("pod {name} runs a container without a node"));
        }
        if let Some(owner) = entry.owner {
            let owner = &self.workload(owner).workload;
            if !names_owner(&entry.pod.metadata, &owner.metadata, owner.spec.kind()) {
                return Err(format!(
                    "pod {name} owned by {} without its owner reference",
                    owner.metadata.name
                ));
            }
        }
        Ok(())
    }

    /// A workload's owner is named in its ownerReferences; its status counts
    /// are never negative.
    fn check_workload(&self, entry: &WorkloadEntry) -> Result<(), String> {
        let meta = &entry.workload.metadata;
        if let Some(owner) = entry.owner {
            let owner = &self.workload(owner).workload;
            if !names_owner(meta, &owner.metadata, owner.spec.kind()) {
                return Err(format!(
                    "{} owned by {} without its owner reference",
                    meta.name, owner.metadata.name
                ));
            }
        }
        let s = &entry.status;
        let counts = [
            s.desired,
            s.replicas,
            s.ready,
            s.available,
            s.updated,
            s.active,
            s.succeeded,
            s.failed,
        ];
        if counts.iter().any(|&n| n < 0) {
            return Err(format!("{} has a negative status count: {s:?}", meta.name));
        }
        Ok(())
    }
}

/// Whether `meta` has a controller owner reference to the object `owner` of `kind`.
fn names_owner(meta: &ObjectMeta, owner: &ObjectMeta, kind: &str) -> bool {
    meta.owner_references
        .iter()
        .any(|r| r.controller && r.kind == kind && r.name == owner.name)
}
