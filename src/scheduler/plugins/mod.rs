//! The in-tree plugins kubesim implements, one file each, named as upstream
//! names them (`pkg/scheduler/framework/plugins/names/names.go`).
pub mod balanced_allocation;
pub mod counted_nodes;
pub mod gpu;
pub mod image_locality;
pub mod inter_pod_affinity;
pub mod node_affinity;
pub mod node_domains;
pub mod node_name;
pub mod node_resources_fit;
pub mod node_unschedulable;
pub mod pod_topology_spread;
pub mod resource_allocation;
pub mod taint_toleration;
pub mod term_counts;

#[cfg(test)]
pub(crate) mod test_nodes {
    //! A node with its usage, for plugin tests: `node("n1", "4", "8Gi")`.
    use crate::model::meta::ObjectMeta;
    use crate::model::node::{Node, DEFAULT_MAX_PODS};
    use crate::model::quantity::{parse_milli, parse_units};
    use crate::model::resources::Resources;
    use crate::model::store::{NodeId, NodeUsage};
    use crate::scheduler::framework::NodeView;

    pub struct TestNode {
        pub node: Node,
        pub usage: NodeUsage,
    }

    impl TestNode {
        pub fn view(&self) -> NodeView<'_> {
            NodeView {
                id: NodeId(0),
                node: &self.node,
                usage: &self.usage,
            }
        }
    }

    pub fn node(name: &str, cpu: &str, memory: &str) -> TestNode {
        let allocatable = Resources {
            cpu_millis: parse_milli(cpu).unwrap(),
            memory_bytes: parse_units(memory).unwrap(),
            ..Default::default()
        };
        TestNode {
            node: Node {
                metadata: ObjectMeta {
                    name: name.into(),
                    ..Default::default()
                },
                capacity: allocatable,
                allocatable,
                allocatable_pods: DEFAULT_MAX_PODS,
                taints: vec![],
                unschedulable: false,
                ready: true,
                images: vec![],
            },
            usage: NodeUsage::default(),
        }
    }
}
