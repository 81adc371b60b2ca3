//! TaintToleration (`pkg/scheduler/framework/plugins/tainttoleration`, v1.32).
//!
//! Filter: a node with a NoSchedule or NoExecute taint the pod does not
//! tolerate is rejected, naming the first such taint. Score: the number of
//! PreferNoSchedule taints the pod does not tolerate, normalized in reverse so
//! that fewer intolerable taints score higher.

use crate::model::taints::{Taint, TaintEffect, Toleration};
use crate::model::{Node, Pod};
use crate::scheduler::framework::{
    default_normalize_score, Code, FilterReason, FilterResult, NodeView, Plugin, Unfit,
    MAX_NODE_SCORE,
};

pub const NAME: &str = "TaintToleration";

pub struct TaintToleration;

/// Tolerations that can tolerate PreferNoSchedule taints (effect empty or PreferNoSchedule).
fn prefer_no_schedule_tolerations(pod: &Pod) -> impl Iterator<Item = &Toleration> {
    pod.spec
        .tolerations
        .iter()
        .filter(|t| matches!(t.effect, None | Some(TaintEffect::PreferNoSchedule)))
}

fn tolerated_by(tolerations: &[Toleration], taint: &Taint) -> bool {
    tolerations.iter().any(|t| t.tolerates(taint))
}

/// The first NoSchedule or NoExecute taint of `node` that the pod does not
/// tolerate: upstream's `v1helper.FindMatchingUntoleratedTaint` with
/// `DoNotScheduleTaintsFilterFunc`, which the Filter and PodTopologySpread's
/// `nodeTaintsPolicy: Honor` both use.
pub fn first_untolerated(pod: &Pod, node: &Node) -> Option<usize> {
    node.taints.iter().position(|taint| {
        matches!(
            taint.effect,
            TaintEffect::NoSchedule | TaintEffect::NoExecute
        ) && !tolerated_by(&pod.spec.tolerations, taint)
    })
}

impl Plugin for TaintToleration {
    fn name(&self) -> &'static str {
        NAME
    }
    fn has_filter(&self) -> bool {
        true
    }
    fn has_score(&self) -> bool {
        true
    }

    fn filter(&self, pod: &Pod, node: NodeView) -> FilterResult {
        match first_untolerated(pod, node.node) {
            None => Ok(()),
            Some(i) => Err(Unfit::new(
                Code::UnschedulableAndUnresolvable,
                FilterReason::UntoleratedTaint(i),
            )),
        }
    }

    fn score(&self, pod: &Pod, node: NodeView) -> i64 {
        node.node
            .taints
            .iter()
            .filter(|taint| taint.effect == TaintEffect::PreferNoSchedule)
            .filter(|taint| !prefer_no_schedule_tolerations(pod).any(|t| t.tolerates(taint)))
            .count() as i64
    }

    fn normalize(&self, _pod: &Pod, scores: &mut [i64]) {
        default_normalize_score(MAX_NODE_SCORE, true, scores);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::pod::fixtures::pod;
    use crate::model::taints::TolerationOperator;
    use crate::scheduler::plugins::test_nodes::node;

    fn taint(key: &str, value: &str, effect: TaintEffect) -> Taint {
        Taint {
            key: key.into(),
            value: value.into(),
            effect,
        }
    }
    fn tolerate(key: &str, value: &str, effect: TaintEffect) -> Toleration {
        Toleration {
            key: key.into(),
            operator: TolerationOperator::Equal,
            value: value.into(),
            effect: Some(effect),
            toleration_seconds: None,
        }
    }

    #[test]
    fn filter_names_the_first_untolerated_taint() {
        let mut n = node("n1", "4", "8Gi");
        n.node.taints = vec![
            taint("soft", "x", TaintEffect::PreferNoSchedule),
            taint("dedicated", "gpu", TaintEffect::NoSchedule),
        ];
        let p = pod("p").build();
        let err = TaintToleration.filter(&p, n.view()).unwrap_err();
        assert_eq!(err.reasons, vec![FilterReason::UntoleratedTaint(1)]);
        let state = crate::model::ClusterState::default();
        assert_eq!(
            err.reasons[0].message(&state, &n.node),
            "node(s) had untolerated taint {dedicated: gpu}"
        );
        let tolerant = pod("t")
            .spec(|s| {
                s.tolerations
                    .push(tolerate("dedicated", "gpu", TaintEffect::NoSchedule))
            })
            .build();
        assert!(TaintToleration.filter(&tolerant, n.view()).is_ok());
    }

    // Upstream TestTaintTolerationScore "the more intolerable taints a node has,
    // the lower its score": node1 0 intolerable, node2 1, node3 2.
    // Normalized in reverse with max 2: 100 - 100*0/2 = 100, 100 - 50 = 50, 0.
    #[test]
    fn score_counts_intolerable_prefer_no_schedule_taints() {
        let p = pod("p")
            .spec(|s| {
                s.tolerations
                    .push(tolerate("foo", "bar", TaintEffect::PreferNoSchedule))
            })
            .build();
        let mut n1 = node("n1", "4", "8Gi");
        n1.node.taints = vec![taint("foo", "bar", TaintEffect::PreferNoSchedule)];
        let mut n2 = node("n2", "4", "8Gi");
        n2.node.taints = vec![taint("cpu-type", "arm64", TaintEffect::PreferNoSchedule)];
        let mut n3 = node("n3", "4", "8Gi");
        n3.node.taints = vec![
            taint("cpu-type", "arm64", TaintEffect::PreferNoSchedule),
            taint("disk-type", "ssd", TaintEffect::PreferNoSchedule),
        ];
        let mut scores: Vec<i64> = [&n1, &n2, &n3]
            .iter()
            .map(|n| TaintToleration.score(&p, n.view()))
            .collect();
        assert_eq!(scores, vec![0, 1, 2]);
        TaintToleration.normalize(&p, &mut scores);
        assert_eq!(scores, vec![100, 50, 0]);
    }
}
