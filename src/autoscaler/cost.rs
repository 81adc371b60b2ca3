//! Node-hours and cost: each node counts from the moment it joins the
//! cluster until the moment its node object is deleted (or the run ends), at
//! the price per node-hour of its pool. Nodes of no pool, or of a pool
//! without a price, count in node-hours and cost nothing.

use super::group::{group_of, NodeGroup};
use crate::engine::SimTime;
use crate::model::store::NodeId;

/// One node's time in the cluster.
#[derive(Clone, Debug, PartialEq)]
struct Lifetime {
    joined: SimTime,
    removed: Option<SimTime>,
    price_per_hour: Option<f64>,
}

/// Every node's lifetime, indexed by its id.
#[derive(Clone, Debug, Default)]
pub struct NodeLedger {
    nodes: Vec<Lifetime>,
    /// Whether any pool has a price: without one, cost is not reported.
    priced: bool,
}

/// summary.csv's `node_hours` and `cost` (None: no pool has a price).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct NodeCost {
    pub node_hours: f64,
    pub cost: Option<f64>,
}

impl NodeLedger {
    pub fn new(groups: &[NodeGroup]) -> Self {
        NodeLedger {
            nodes: Vec::new(),
            priced: groups.iter().any(|g| g.price_per_hour.is_some()),
        }
    }

    /// A node joined (`NodeAdded`).
    pub fn joined(&mut self, id: NodeId, name: &str, groups: &[NodeGroup], now: SimTime) {
        let idx = id.0 as usize;
        debug_assert_eq!(idx, self.nodes.len(), "nodes join in id order");
        let price_per_hour = group_of(groups, name).and_then(|g| groups[g].price_per_hour);
        self.nodes.push(Lifetime {
            joined: now,
            removed: None,
            price_per_hour,
        });
    }

    /// The node object was deleted.
    pub fn removed(&mut self, id: NodeId, now: SimTime) {
        let n = &mut self.nodes[id.0 as usize];
        n.removed.get_or_insert(now);
    }

    /// Node-hours and cost up to `end`.
    pub fn cost(&self, end: SimTime) -> NodeCost {
        let mut node_hours = 0.0;
        let mut cost = 0.0;
        for n in &self.nodes {
            let until = n.removed.unwrap_or(end).min(end);
            let hours = until.since(n.joined.min(until)).as_secs_f64() / 3600.0;
            node_hours += hours;
            cost += hours * n.price_per_hour.unwrap_or(0.0);
        }
        NodeCost {
            node_hours,
            cost: self.priced.then_some(cost),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::autoscaler::group::CapacityType;

    #[test]
    fn nodes_cost_their_pools_price_for_the_time_they_were_in_the_cluster() {
        let group = |name: &str, price| NodeGroup {
            name: name.into(),
            count: 1,
            template: crate::scheduler::plugins::test_nodes::node("t", "1", "1Gi").node,
            zones: vec![],
            price_per_hour: price,
            capacity_type: CapacityType::OnDemand,
            autoscaling: None,
        };
        let groups = [group("a", Some(2.0)), group("b", None)];
        let mut l = NodeLedger::new(&groups);
        l.joined(NodeId(0), "a-0", &groups, SimTime::ZERO);
        l.joined(NodeId(1), "b-0", &groups, SimTime::ZERO);
        l.joined(NodeId(2), "a-1", &groups, SimTime::from_secs(1800));
        l.removed(NodeId(2), SimTime::from_secs(3600));
        let c = l.cost(SimTime::from_secs(7200));
        // a-0: 2 h, b-0: 2 h, a-1: 0.5 h; cost 2 × (2 + 0.5).
        assert_eq!(c.node_hours, 4.5);
        assert_eq!(c.cost, Some(5.0));
        assert_eq!(NodeLedger::new(&groups[1..]).cost(SimTime::ZERO).cost, None);
    }
}
