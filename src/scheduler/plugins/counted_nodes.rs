//! The mirror behind the per-node counts that PodTopologySpread and
//! InterPodAffinity keep from watch events: which node each counted pod is
//! on, by pod id, so that an event is applied as the difference it makes.

use crate::model::store::{NodeId, PodId};
use crate::model::ClusterState;

/// A pod's move between nodes as the counts see it: (before, now).
pub type Moved = (Option<NodeId>, Option<NodeId>);

#[derive(Clone, Debug, Default)]
pub struct CountedNodes(Vec<Option<NodeId>>);

impl CountedNodes {
    /// Records that pod `id` counts on `node` (`None`: nowhere); the move,
    /// if it is one.
    pub fn set(&mut self, id: PodId, node: Option<NodeId>) -> Option<Moved> {
        let idx = id.0 as usize;
        if self.0.len() <= idx {
            self.0.resize(idx + 1, None);
        }
        let before = std::mem::replace(&mut self.0[idx], node);
        (before != node).then_some((before, node))
    }

    /// Starts again from the bound pods, each counted where `counted` says.
    pub fn refresh(
        &mut self,
        state: &ClusterState,
        counted: impl Fn(&ClusterState, PodId) -> Option<NodeId>,
    ) {
        self.0.clear();
        for &id in state.bound_pods() {
            self.set(id, counted(state, id));
        }
    }
}

/// Moves one pod's count in `per_node` (by node id), growing it to the
/// cluster's `nodes` when the pod lands on a node added since.
pub fn shift(per_node: &mut Vec<i64>, (before, now): Moved, nodes: usize) {
    if let Some(n) = before {
        per_node[n.0 as usize] -= 1;
    }
    if let Some(n) = now {
        if per_node.len() <= n.0 as usize {
            per_node.resize(nodes, 0);
        }
        per_node[n.0 as usize] += 1;
    }
}
