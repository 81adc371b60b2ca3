//! Node mutations: adding a node, changing its spec or its health, and the
//! list of nodes changed since the scheduler last took it.

use super::{ClusterState, NodeId, NodeUsage, WatchEvent};
use crate::engine::SimTime;
use crate::model::gpu_share;
use crate::model::node::Node;
use crate::model::node_health::{ConditionStatus, NodeHealth};

impl ClusterState {
    pub fn add_node(&mut self, node: Node) -> NodeId {
        let id = NodeId(self.nodes.len() as u32);
        self.nodes_generation += 1;
        self.node_is_changed.push(false);
        self.mark_node_changed(id);
        self.allocatable_total += &node.allocatable;
        let gpus = self.node_gpus(&node);
        self.nodes.push(node);
        self.pods_by_node.push(Vec::new());
        self.bound_by_node.push(Vec::new());
        self.node_usage.push(NodeUsage {
            gpus,
            ..Default::default()
        });
        let ready = if self.nodes[id.0 as usize].ready {
            ConditionStatus::True
        } else {
            ConditionStatus::False
        };
        self.node_health.push(NodeHealth {
            ready,
            ..Default::default()
        });
        self.watch.push_back(WatchEvent::NodeAdded(id));
        id
    }

    /// A node's GPU devices (`nvidia.com/gpu` capacity, at most `gpu_share::MAX_GPUS` tracked), all free.
    pub(super) fn node_gpus(&self, node: &Node) -> gpu_share::NodeGpus {
        let count = self
            .resource_names
            .lookup(gpu_share::GPU_RESOURCE)
            .map_or(0, |r| r.get(&node.capacity));
        gpu_share::NodeGpus {
            count: count.clamp(0, gpu_share::MAX_GPUS as i64) as u8,
            ..Default::default()
        }
    }

    pub(super) fn mark_node_changed(&mut self, id: NodeId) {
        let flag = &mut self.node_is_changed[id.0 as usize];
        if !*flag {
            *flag = true;
            self.changed_nodes.push(id);
        }
    }

    /// Moves the nodes changed since the last call into `out`, oldest change first.
    pub fn take_changed_nodes(&mut self, out: &mut Vec<NodeId>) {
        for &id in &self.changed_nodes {
            self.node_is_changed[id.0 as usize] = false;
        }
        out.append(&mut self.changed_nodes);
    }

    /// Changes a node's labels, taints or `spec.unschedulable`. What the
    /// store derives from a node must not change here, and is asserted not
    /// to: its name, capacity and allocatable (the totals, the GPU devices,
    /// the usage checks) and `ready` (which follows `update_node_health`).
    pub fn update_node(&mut self, id: NodeId, f: impl FnOnce(&mut Node)) {
        let node = &mut self.nodes[id.0 as usize];
        let labels = node.metadata.labels.clone();
        let fixed = |n: &Node| {
            (
                n.metadata.name.clone(),
                n.capacity,
                n.allocatable,
                n.allocatable_pods,
                n.ready,
            )
        };
        let before = fixed(node);
        f(node);
        assert!(
            fixed(node) == before,
            "update_node changed what the store derives from node {}",
            node.metadata.name
        );
        if node.metadata.labels != labels {
            self.nodes_generation += 1;
        }
        self.mark_node_changed(id);
        self.watch.push_back(WatchEvent::NodeUpdated(id));
    }

    /// Deletes the node object (the Cluster Autoscaler removed its machine).
    /// Node ids are indices, so the node stays as a tombstone that nothing
    /// can use: cordoned, tainted `ToBeDeletedByClusterAutoscaler`, with no
    /// allocatable (no pod fits it, and it leaves the allocatable total).
    /// No pod may hold resources on it any more.
    pub fn delete_node(&mut self, id: NodeId, taint: crate::model::taints::Taint) {
        assert!(
            self.bound_by_node[id.0 as usize].is_empty(),
            "node {} deleted with pods on it",
            self.nodes[id.0 as usize].metadata.name
        );
        if !self.deleted_nodes.insert(id) {
            return;
        }
        let node = &mut self.nodes[id.0 as usize];
        self.allocatable_total -= &node.allocatable;
        node.allocatable = Default::default();
        node.allocatable_pods = 0;
        node.unschedulable = true;
        if !node.taints.iter().any(|t| t.key == taint.key) {
            node.taints.push(taint);
        }
        self.mark_node_changed(id);
        self.watch.push_back(WatchEvent::NodeUpdated(id));
    }

    /// The kubelet registers the node and starts renewing its Lease. The
    /// renewals are not watched (see `node_health`), so nothing is notified.
    pub fn start_node_lease(&mut self, id: NodeId, now: SimTime) {
        self.node_health[id.0 as usize].lease_since = now;
    }

    /// Changes a node's Lease or Ready condition, keeping `node.ready` in step.
    pub fn update_node_health(&mut self, id: NodeId, f: impl FnOnce(&mut NodeHealth)) {
        let health = &mut self.node_health[id.0 as usize];
        f(health);
        self.nodes[id.0 as usize].ready = health.ready == ConditionStatus::True;
        self.mark_node_changed(id);
        self.watch.push_back(WatchEvent::NodeUpdated(id));
    }
}
