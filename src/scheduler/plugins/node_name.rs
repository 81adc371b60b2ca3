//! NodeName (`pkg/scheduler/framework/plugins/nodename`): a pod that names a
//! node in `spec.nodeName` fits only that node.

use crate::model::Pod;
use crate::scheduler::framework::{
    Code, FilterReason, FilterResult, NodeView, Plugin, PreResult, Unfit,
};

pub const NAME: &str = "NodeName";

pub struct NodeName;

impl Plugin for NodeName {
    fn name(&self) -> &'static str {
        NAME
    }
    fn has_filter(&self) -> bool {
        true
    }
    fn pre_filter(&self, pod: &Pod) -> PreResult {
        if pod.spec.node_name.is_some() {
            PreResult::Run
        } else {
            PreResult::Skip
        }
    }
    fn filter(&self, pod: &Pod, node: NodeView) -> FilterResult {
        match &pod.spec.node_name {
            Some(name) if name != node.node.name() => Err(Unfit::new(
                Code::UnschedulableAndUnresolvable,
                FilterReason::NodeNameMismatch,
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::pod::fixtures::pod;
    use crate::scheduler::plugins::test_nodes::node;

    #[test]
    fn only_the_named_node_fits() {
        let n1 = node("n1", "4", "8Gi");
        let p = pod("p").spec(|s| s.node_name = Some("n1".into())).build();
        assert!(NodeName.filter(&p, n1.view()).is_ok());
        let n2 = node("n2", "4", "8Gi");
        let err = NodeName.filter(&p, n2.view()).unwrap_err();
        assert_eq!(err.code, Code::UnschedulableAndUnresolvable);
        assert_eq!(NodeName.pre_filter(&pod("q").build()), PreResult::Skip);
    }
}
