//! The scheduling framework's vocabulary (`pkg/scheduler/framework`, v1.32):
//! plugins, extension points, statuses and node scores.
//!
//! Plugins are pure: a plugin sees the pod and a read-only view of one node
//! (or of the cluster), never mutates cluster state, reads no clock and draws
//! no random numbers. The scheduler core runs them in the upstream order:
//! PreFilter → Filter → PostFilter → PreScore → Score → NormalizeScore → Reserve → Bind.

use crate::model::resources::ResourceName;
use crate::model::store::{NodeId, NodeUsage, PodId};
use crate::model::{ClusterState, Node, Pod};

/// Highest score a Score plugin may return after normalization (`framework.MaxNodeScore`).
pub const MAX_NODE_SCORE: i64 = 100;

/// What one node looks like to a plugin: the Node object and the scheduler
/// cache's totals for it (NodeInfo).
#[derive(Clone, Copy)]
pub struct NodeView<'a> {
    pub id: NodeId,
    pub node: &'a Node,
    pub usage: &'a NodeUsage,
}

impl<'a> NodeView<'a> {
    pub fn of(state: &'a ClusterState, id: NodeId) -> Self {
        NodeView {
            id,
            node: &state.nodes()[id.0 as usize],
            usage: state.node_usage(id),
        }
    }
}

/// Why a node was filtered out. Rendered into upstream's wording only when a
/// message is needed, so the filter loop does not allocate strings.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FilterReason {
    TooManyPods,
    Insufficient(ResourceName),
    /// Index into the node's taints.
    UntoleratedTaint(usize),
    NodeUnschedulable,
    NodeAffinityMismatch,
    /// NodeAffinity: the node fails the profile's `addedAffinity`.
    AddedAffinityMismatch,
    NodeNameMismatch,
    /// PodTopologySpread: a constraint's topology key is missing on the node.
    SpreadMissingLabel,
    /// PodTopologySpread: placing the pod here would exceed maxSkew.
    SpreadConstraintsNotMatch,
    /// InterPodAffinity reasons (`ErrReasonAffinityRulesNotMatch` …).
    AffinityRulesNotMatch,
    AntiAffinityRulesNotMatch,
    ExistingAntiAffinityRulesNotMatch,
    /// GpuShare: no GPU (or not enough fully free GPUs) with the pod's share free.
    InsufficientGpuShare,
    /// GpuShare: the node's GPU model is not among the pod's allowed models.
    GpuModelMismatch,
}

impl FilterReason {
    /// The reason string exactly as upstream plugins write it.
    pub fn message(&self, state: &ClusterState, node: &Node) -> String {
        match self {
            FilterReason::TooManyPods => "Too many pods".into(),
            FilterReason::Insufficient(r) => {
                format!("Insufficient {}", state.resource_names().name(*r))
            }
            FilterReason::UntoleratedTaint(i) => {
                let t = &node.taints[*i];
                format!("node(s) had untolerated taint {{{}: {}}}", t.key, t.value)
            }
            FilterReason::NodeUnschedulable => "node(s) were unschedulable".into(),
            FilterReason::NodeAffinityMismatch => {
                "node(s) didn't match Pod's node affinity/selector".into()
            }
            FilterReason::AddedAffinityMismatch => {
                "node(s) didn't match scheduler-enforced node affinity".into()
            }
            FilterReason::NodeNameMismatch => "node(s) didn't match the requested node name".into(),
            FilterReason::SpreadMissingLabel => {
                "node(s) didn't match pod topology spread constraints (missing required label)"
                    .into()
            }
            FilterReason::SpreadConstraintsNotMatch => {
                "node(s) didn't match pod topology spread constraints".into()
            }
            FilterReason::AffinityRulesNotMatch => "node(s) didn't match pod affinity rules".into(),
            FilterReason::AntiAffinityRulesNotMatch => {
                "node(s) didn't match pod anti-affinity rules".into()
            }
            FilterReason::ExistingAntiAffinityRulesNotMatch => {
                "node(s) didn't satisfy existing pods anti-affinity rules".into()
            }
            FilterReason::InsufficientGpuShare => "node(s) had insufficient GPU share".into(),
            FilterReason::GpuModelMismatch => "node(s) didn't match the Pod's GPU model".into(),
        }
    }
}

/// Status codes of a failed Filter, named and documented by their consequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    /// The pod does not fit now; preemption might make room.
    Unschedulable,
    /// The pod does not fit and preemption cannot change that (affinity, taints …).
    UnschedulableAndUnresolvable,
}

impl Code {
    /// The code's name in `framework.Code`, as decisions.csv writes it.
    /// (`Error` never occurs: kubesim's plugins cannot fail internally.)
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Unschedulable => "Unschedulable",
            Code::UnschedulableAndUnresolvable => "UnschedulableAndUnresolvable",
        }
    }
}

/// A failed Filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unfit {
    pub code: Code,
    pub reasons: Vec<FilterReason>,
}

impl Unfit {
    pub fn new(code: Code, reason: FilterReason) -> Self {
        Unfit {
            code,
            reasons: vec![reason],
        }
    }

    /// The reasons as a status message for `node`, joined by ", " (the
    /// decision rows' status and preemption's first failure).
    pub fn message(&self, state: &ClusterState, node: &Node) -> String {
        self.reasons
            .iter()
            .map(|r| r.message(state, node))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

pub type FilterResult = Result<(), Unfit>;

/// What PreFilter and PreScore tell the framework.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PreResult {
    /// Run this plugin's Filter (or Score) for the pod.
    Run,
    /// The plugin has nothing to do for this pod (`framework.Skip`): its Filter
    /// or Score is not called in this cycle.
    Skip,
}

/// A node without a topology key's label, in a node-to-domain index.
pub const NO_DOMAIN: u32 = u32::MAX;

/// A Filter plugin's verdict for the prepared pod as the fused pass reads it
/// (`super::fused`): a lookup per node that passes a node exactly where the
/// plugin's Filter passes it, and rejects it with the `Unfit` Filter gives.
/// A plugin that gives several is rejected by the first that rejects, in the
/// order given, as its Filter would.
#[derive(Clone, Copy, Debug)]
pub enum QuickFilter<'a> {
    /// The nodes whose entry (by node id) is true pass, the others fail
    /// with `unfit`; `version` differs whenever the entries may have changed.
    Nodes {
        passes: &'a [bool],
        version: u64,
        unfit: &'a Unfit,
    },
    /// The nodes in a domain (`of_node`, by node id) whose entry in `passes`
    /// is true pass, the others fail with `unfit`; a node without the key's
    /// label (`NO_DOMAIN`) passes when `no_domain` is, and otherwise fails
    /// with `no_domain_unfit`. `of_node` changes only with the store's nodes
    /// generation.
    Domains {
        of_node: &'a [u32],
        passes: &'a [bool],
        no_domain: bool,
        unfit: &'a Unfit,
        no_domain_unfit: &'a Unfit,
    },
}

impl<'a> QuickFilter<'a> {
    /// Filter's outcome on `node`; `None` for a node the lookup does not
    /// cover (not expected: the caller then runs Filter itself).
    #[inline(always)]
    pub fn verdict(&self, node: NodeId) -> Option<Result<(), &'a Unfit>> {
        let i = node.0 as usize;
        match *self {
            QuickFilter::Nodes { passes, unfit, .. } => {
                let pass = *passes.get(i)?;
                Some(if pass { Ok(()) } else { Err(unfit) })
            }
            QuickFilter::Domains {
                of_node,
                passes,
                no_domain,
                unfit,
                no_domain_unfit,
            } => {
                let d = *of_node.get(i)?;
                Some(if d == NO_DOMAIN {
                    if no_domain {
                        Ok(())
                    } else {
                        Err(no_domain_unfit)
                    }
                } else if *passes.get(d as usize)? {
                    Ok(())
                } else {
                    Err(unfit)
                })
            }
        }
    }
}

/// A cluster change that may make a pending pod schedulable
/// (`framework.ClusterEvent`), used by the queue's requeueing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClusterEvent {
    /// A pod bound to a node terminated or was deleted: its resources are free.
    AssignedPodDelete,
    NodeAdd(NodeId),
    NodeUpdate(NodeId),
}

/// A plugin of the framework. Each plugin lives in its own file under
/// `plugins/` with its upstream `NAME`. Default methods mean "not at this
/// extension point".
pub trait Plugin: Send + Sync {
    fn name(&self) -> &'static str;

    /// True when the plugin has a Filter.
    fn has_filter(&self) -> bool {
        false
    }
    /// True when the plugin has a Score.
    fn has_score(&self) -> bool {
        false
    }

    /// A pod was bound, began terminating, released its node or was deleted
    /// (the scheduler's informer): plugins that keep counts of existing pods
    /// between cycles update them here.
    fn pod_changed(&mut self, _pod: PodId, _state: &ClusterState) {}

    /// The cluster-wide part of PreFilter (upstream's CycleState): plugins that
    /// look at other pods (topology spread, inter-pod affinity) count them
    /// here once per cycle, so that Filter and Score per node are lookups.
    /// Called before `pre_filter` in every cycle.
    fn prepare(&mut self, _pod: &Pod, _state: &ClusterState) {}

    /// The part of PreScore that needs the nodes that passed Filter.
    fn prepare_score(&mut self, _pod: &Pod, _state: &ClusterState, _feasible: &[NodeId]) {}

    fn pre_filter(&self, _pod: &Pod) -> PreResult {
        PreResult::Run
    }
    fn filter(&self, _pod: &Pod, _node: NodeView) -> FilterResult {
        Ok(())
    }

    fn pre_score(&self, _pod: &Pod) -> PreResult {
        PreResult::Run
    }
    /// Raw score of one feasible node.
    fn score(&self, _pod: &Pod, _node: NodeView) -> i64 {
        0
    }
    /// Maps raw scores onto 0..=MAX_NODE_SCORE; the default leaves them as is.
    fn normalize(&self, _pod: &Pod, _scores: &mut [i64]) {}

    /// The prepared pod's Filter as quick filters for the fused pass,
    /// appended to `out`; false when the plugin cannot say (the cycle then
    /// takes the general path). Called only when `pre_filter` ran.
    fn quick_filters<'a>(&'a self, _pod: &Pod, _out: &mut Vec<QuickFilter<'a>>) -> bool {
        false
    }

    /// Reserve for GPU sharing: the GPU devices (bit mask) and share a plugin
    /// picks for the pod on its chosen node; None leaves the choice to GpuShare.
    fn reserve_devices(&self, _pod: &Pod, _node: NodeView) -> Option<(u8, i32)> {
        None
    }

    /// Whether `event` could make a pod this plugin rejected schedulable
    /// (upstream EventsToRegister with its QueueingHint). For node events the
    /// default asks the plugin's own Filter about the changed node.
    fn is_schedulable_after(&self, pod: &Pod, event: ClusterEvent, state: &ClusterState) -> bool {
        match event {
            ClusterEvent::AssignedPodDelete => false,
            ClusterEvent::NodeAdd(id) | ClusterEvent::NodeUpdate(id) => {
                self.filter(pod, NodeView::of(state, id)).is_ok()
            }
        }
    }
}

/// `pkg/scheduler/framework/plugins/helper/normalize_score.go`
/// DefaultNormalizeScore: scale to 0..=max by the largest score, optionally reversed.
pub fn default_normalize_score(max_priority: i64, reverse: bool, scores: &mut [i64]) {
    let max_count = scores.iter().copied().max().unwrap_or(0).max(0);
    if max_count == 0 {
        if reverse {
            scores.iter_mut().for_each(|s| *s = max_priority);
        }
        return;
    }
    for s in scores.iter_mut() {
        let mut score = max_priority * *s / max_count;
        if reverse {
            score = max_priority - score;
        }
        *s = score;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Cases from upstream normalize_score_test.go.
    #[test]
    fn default_normalize_score_matches_upstream() {
        let mut s = vec![10, 20, 30];
        default_normalize_score(100, false, &mut s);
        assert_eq!(s, vec![33, 66, 100]);
        let mut s = vec![10, 20, 30];
        default_normalize_score(100, true, &mut s);
        assert_eq!(s, vec![67, 34, 0]);
        let mut s = vec![0, 0];
        default_normalize_score(100, true, &mut s);
        assert_eq!(s, vec![100, 100]);
        let mut s = vec![0, 0];
        default_normalize_score(100, false, &mut s);
        assert_eq!(s, vec![0, 0]);
    }
}
