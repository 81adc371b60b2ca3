//! Node groups: a node pool of the scenario with what the Cluster Autoscaler
//! and the cost figures need to know of it (cluster-autoscaler 1.32
//! `cloudprovider.NodeGroup`: `MinSize`, `MaxSize`, `TargetSize`,
//! `TemplateNodeInfo`; the price per node-hour of `expander/price`).

use crate::engine::distribution::Distribution;
use crate::model::node::{Node, LABEL_HOSTNAME, LABEL_TOPOLOGY_ZONE};

/// How the provider sells the pool's machines; reported, and read by no
/// decision (upstream's expanders do not look at it either).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CapacityType {
    #[default]
    OnDemand,
    Spot,
}

impl CapacityType {
    pub fn parse(s: &str) -> Option<CapacityType> {
        match s {
            "on-demand" => Some(CapacityType::OnDemand),
            "spot" => Some(CapacityType::Spot),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            CapacityType::OnDemand => "on-demand",
            CapacityType::Spot => "spot",
        }
    }
}

/// What makes a pool autoscaled: its size limits and how long a machine
/// takes from the scale-up request to a registered, Ready node.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupAutoscaling {
    /// The autoscaler never removes a node that would take the pool below this.
    pub min: u64,
    /// Nor adds one above this.
    pub max: u64,
    /// From the cloud provider's `IncreaseSize` to the node joining Ready.
    /// A draw longer than `max-node-provision-time` is a machine that never
    /// arrives (upstream's scale-up timeout).
    pub provisioning_time: Distribution,
    /// The `priority` expander's priority of the pool (higher wins).
    pub priority: i64,
}

/// A node pool: `count` identical nodes named `<name>-<i>`, zones assigned
/// round robin, and optionally a price and autoscaling.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeGroup {
    pub name: String,
    pub count: u64,
    /// Every node of the pool but for its name, hostname and zone.
    pub template: Node,
    pub zones: Vec<String>,
    /// Price per node-hour, in whatever currency the user counts in.
    pub price_per_hour: Option<f64>,
    pub capacity_type: CapacityType,
    pub autoscaling: Option<GroupAutoscaling>,
}

impl NodeGroup {
    /// The pool's `i`-th node.
    pub fn node(&self, i: u64) -> Node {
        let mut node = self.template.clone();
        let name = format!("{}-{i}", self.name);
        let labels = &mut node.metadata.labels;
        labels
            .entry(LABEL_HOSTNAME.to_string())
            .or_insert_with(|| name.clone());
        node.metadata.name = name;
        if !self.zones.is_empty() {
            labels.insert(
                LABEL_TOPOLOGY_ZONE.to_string(),
                self.zones[i as usize % self.zones.len()].clone(),
            );
        }
        node
    }
}

/// The pool a node belongs to: the one whose name followed by `-<digits>` is
/// the node's name (the longest such pool name if several are), as nodes of
/// pools, `addNodes` and the autoscaler are named.
pub fn group_of(groups: &[NodeGroup], node_name: &str) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, g) in groups.iter().enumerate() {
        let Some(rest) = node_name
            .strip_prefix(g.name.as_str())
            .and_then(|r| r.strip_prefix('-'))
        else {
            continue;
        };
        if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if best.is_none_or(|b| groups[b].name.len() < g.name.len()) {
            best = Some(i);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(name: &str) -> NodeGroup {
        NodeGroup {
            name: name.into(),
            count: 1,
            template: crate::scheduler::plugins::test_nodes::node("t", "1", "1Gi").node,
            zones: vec![],
            price_per_hour: None,
            capacity_type: CapacityType::OnDemand,
            autoscaling: None,
        }
    }

    #[test]
    fn a_node_belongs_to_the_longest_pool_its_name_starts_with() {
        let groups = [group("gpu"), group("gpu-big")];
        assert_eq!(group_of(&groups, "gpu-3"), Some(0));
        assert_eq!(group_of(&groups, "gpu-big-12"), Some(1));
        assert_eq!(group_of(&groups, "gpu-big"), None);
        assert_eq!(group_of(&groups, "gpu-"), None);
        assert_eq!(group_of(&groups, "cpu-1"), None);
    }
}
