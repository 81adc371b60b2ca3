//! The nominator (`pkg/scheduler/backend/queue/nominator.go`, v1.32): which
//! node each preemptor is nominated to (`status.nominatedNodeName`), indexed
//! by node, so that a cycle counts the nominated pods of at least its pod's
//! priority as if they were already on the node (`addNominatedPods`).

use crate::model::store::{NodeId, NodeUsage, PodId};
use crate::model::ClusterState;
use std::collections::BTreeMap;

#[derive(Default)]
pub struct Nominator {
    /// Ordered by pod so that iteration is deterministic.
    nominated: BTreeMap<PodId, NodeId>,
    on_node: Vec<Vec<PodId>>,
}

impl Nominator {
    /// Nominations are rare: without any, no node needs the per-node lookup.
    pub fn is_empty(&self) -> bool {
        self.nominated.is_empty()
    }

    /// The node a pod is nominated to.
    pub fn node_of(&self, pod_id: PodId) -> Option<NodeId> {
        self.nominated.get(&pod_id).copied()
    }

    /// The pods nominated to a node.
    pub fn pods_on(&self, node_id: NodeId) -> &[PodId] {
        self.on_node
            .get(node_id.0 as usize)
            .map_or(&[], Vec::as_slice)
    }

    /// Sets or clears a pod's nomination.
    pub fn set(&mut self, pod_id: PodId, node: Option<NodeId>) {
        if let Some(old) = self.nominated.remove(&pod_id) {
            if let Some(list) = self.on_node.get_mut(old.0 as usize) {
                list.retain(|&p| p != pod_id);
            }
        }
        if let Some(node) = node {
            self.nominated.insert(pod_id, node);
            let idx = node.0 as usize;
            if self.on_node.len() <= idx {
                self.on_node.resize(idx + 1, Vec::new());
            }
            self.on_node[idx].push(pod_id);
        }
    }

    /// The node's usage with the requests of the pods nominated to it that
    /// have at least `pod_id`'s priority, or `None` when there are none (the
    /// common case, which costs one length check).
    pub fn usage_with_nominated(
        &self,
        state: &ClusterState,
        node_id: NodeId,
        pod_id: PodId,
    ) -> Option<NodeUsage> {
        let nominated = self.pods_on(node_id);
        if nominated.is_empty() {
            return None;
        }
        let priority = state.pod(pod_id).pod.spec.priority;
        let mut usage = *state.node_usage(node_id);
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
}
