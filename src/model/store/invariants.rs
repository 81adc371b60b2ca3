//! The whole-state check that tests run after every event: everything the
//! store derives (usage, phase counts, per-node pod lists) recomputed from
//! the pods themselves.

use super::{ClusterState, NodeUsage, PodId};
use crate::model::pod::PodPhase;
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
            if !usage.requested.fits_within(&node.allocatable)
                || usage.pod_count > node.allocatable_pods
            {
                return Err(format!("node {} over allocatable", node.metadata.name));
            }
        }
        Ok(())
    }
}
