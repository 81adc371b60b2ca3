//! NodeUnschedulable (`pkg/scheduler/framework/plugins/nodeunschedulable`):
//! a cordoned node (`spec.unschedulable`) takes only pods that tolerate the
//! `node.kubernetes.io/unschedulable:NoSchedule` taint.

use crate::model::taints::{tolerations_tolerate, Taint, TaintEffect};
use crate::model::Pod;
use crate::scheduler::framework::{Code, FilterReason, FilterResult, NodeView, Plugin, Unfit};

pub const NAME: &str = "NodeUnschedulable";
pub use crate::model::admission::TAINT_NODE_UNSCHEDULABLE;

pub struct NodeUnschedulable;

impl Plugin for NodeUnschedulable {
    fn name(&self) -> &'static str {
        NAME
    }
    fn has_filter(&self) -> bool {
        true
    }
    fn filter(&self, pod: &Pod, node: NodeView) -> FilterResult {
        if !node.node.unschedulable {
            return Ok(());
        }
        let taint = Taint {
            key: TAINT_NODE_UNSCHEDULABLE.into(),
            value: String::new(),
            effect: TaintEffect::NoSchedule,
        };
        if tolerations_tolerate(&pod.spec.tolerations, &taint) {
            Ok(())
        } else {
            Err(Unfit::new(
                Code::UnschedulableAndUnresolvable,
                FilterReason::NodeUnschedulable,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::pod::fixtures::pod;
    use crate::model::taints::{Toleration, TolerationOperator};
    use crate::scheduler::plugins::test_nodes::node;

    #[test]
    fn cordoned_node_rejects_pods_without_the_toleration() {
        let mut n = node("n1", "4", "8Gi");
        assert!(NodeUnschedulable
            .filter(&pod("p").build(), n.view())
            .is_ok());
        n.node.unschedulable = true;
        let err = NodeUnschedulable
            .filter(&pod("p").build(), n.view())
            .unwrap_err();
        assert_eq!(err.reasons, vec![FilterReason::NodeUnschedulable]);
        let tolerant = pod("t")
            .spec(|s| {
                s.tolerations.push(Toleration {
                    key: TAINT_NODE_UNSCHEDULABLE.into(),
                    operator: TolerationOperator::Exists,
                    value: String::new(),
                    effect: Some(TaintEffect::NoSchedule),
                    toleration_seconds: None,
                })
            })
            .build();
        assert!(NodeUnschedulable.filter(&tolerant, n.view()).is_ok());
    }
}
