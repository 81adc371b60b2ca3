//! NodeResourcesFit (`pkg/scheduler/framework/plugins/noderesources/fit.go`,
//! `least_allocated.go`, `most_allocated.go`, `requested_to_capacity_ratio.go`, v1.32).
//!
//! Filter: the node's allocatable minus what its pods request must cover the
//! pod's request for every resource, and the node must have a pod slot left.
//! Score: one of three strategies over the configured resources and weights.

use super::resource_allocation::{allocatable_and_requested, default_resources, ResourceSpec};
use crate::model::resources::ResourceName;
use crate::model::ClusterState;
use crate::model::Pod;
use crate::scheduler::framework::{
    ClusterEvent, Code, FilterReason, FilterResult, NodeView, Plugin, Unfit, MAX_NODE_SCORE,
};

pub const NAME: &str = "NodeResourcesFit";

/// `config.MaxCustomPriorityScore`: shape scores are given 0..=10 and scaled by 10.
pub const MAX_CUSTOM_PRIORITY_SCORE: i64 = 10;
/// `maxUtilization`: shape utilizations are percentages.
pub const MAX_UTILIZATION: i64 = 100;

/// A point of the RequestedToCapacityRatio shape: utilization 0..=100 → score 0..=10.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UtilizationShapePoint {
    pub utilization: i64,
    pub score: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScoringStrategy {
    /// Favors nodes with fewer requested resources (spreading). The default.
    LeastAllocated,
    /// Favors nodes with more requested resources (bin packing).
    MostAllocated,
    /// Scores utilization through a piecewise-linear shape.
    RequestedToCapacityRatio { shape: Vec<UtilizationShapePoint> },
}

impl ScoringStrategy {
    pub fn name(&self) -> &'static str {
        match self {
            ScoringStrategy::LeastAllocated => "LeastAllocated",
            ScoringStrategy::MostAllocated => "MostAllocated",
            ScoringStrategy::RequestedToCapacityRatio { .. } => "RequestedToCapacityRatio",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeResourcesFit {
    pub strategy: ScoringStrategy,
    pub resources: Vec<ResourceSpec>,
    /// Extended resources the Filter does not check, one bit per
    /// [`ExtendedResourceId`](crate::model::resources::ExtendedResourceId):
    /// the args' `ignoredResources` and the names in `ignoredResourceGroups`
    /// (`fit.go` fitsRequest skips them; scoring still counts them).
    pub ignored_extended: u8,
}

impl Default for NodeResourcesFit {
    fn default() -> Self {
        NodeResourcesFit {
            strategy: ScoringStrategy::LeastAllocated,
            resources: default_resources(),
            ignored_extended: 0,
        }
    }
}

/// `fitsRequest`: every insufficient resource is reported, in upstream's order
/// (pods, cpu, memory, ephemeral-storage, extended resources).
pub fn fits_request(pod: &Pod, node: NodeView) -> FilterResult {
    fits_request_ignoring(pod, node, 0)
}

/// `fits_request` skipping the extended resources whose bit is set in `ignored`.
pub fn fits_request_ignoring(pod: &Pod, node: NodeView, ignored: u8) -> FilterResult {
    let mut reasons = Vec::new();
    if node.usage.pod_count + 1 > node.node.allocatable_pods {
        reasons.push(FilterReason::TooManyPods);
    }
    let req = &pod.requests;
    let free = |r: ResourceName| r.get(&node.node.allocatable) - r.get(&node.usage.requested);
    if req.cpu_millis > 0 && req.cpu_millis > free(ResourceName::Cpu) {
        reasons.push(FilterReason::Insufficient(ResourceName::Cpu));
    }
    if req.memory_bytes > 0 && req.memory_bytes > free(ResourceName::Memory) {
        reasons.push(FilterReason::Insufficient(ResourceName::Memory));
    }
    if req.ephemeral_storage_bytes > 0
        && req.ephemeral_storage_bytes > free(ResourceName::EphemeralStorage)
    {
        reasons.push(FilterReason::Insufficient(ResourceName::EphemeralStorage));
    }
    // Most pods request no extended resource: one comparison instead of a loop per node.
    if req.extended.iter().any(|&a| a != 0) {
        for (i, &amount) in req.extended.iter().enumerate() {
            let r = ResourceName::Extended(crate::model::resources::ExtendedResourceId(i as u8));
            if amount > 0 && ignored & (1 << i) == 0 && amount > free(r) {
                reasons.push(FilterReason::Insufficient(r));
            }
        }
    }
    if reasons.is_empty() {
        Ok(())
    } else {
        Err(Unfit {
            code: Code::Unschedulable,
            reasons,
        })
    }
}

/// `leastRequestedScore`: the free fraction of capacity, 0..=100.
pub fn least_requested_score(requested: i64, capacity: i64) -> i64 {
    if capacity == 0 || requested > capacity {
        return 0;
    }
    (capacity - requested) * MAX_NODE_SCORE / capacity
}

/// `mostRequestedScore`: the used fraction of capacity, 0..=100 (requests above capacity count as full).
pub fn most_requested_score(requested: i64, capacity: i64) -> i64 {
    if capacity == 0 {
        return 0;
    }
    requested.min(capacity) * MAX_NODE_SCORE / capacity
}

/// `helper.BuildBrokenLinearFunction` over a shape whose scores are already scaled to 0..=100.
pub fn broken_linear(shape: &[UtilizationShapePoint], p: i64) -> i64 {
    for (i, point) in shape.iter().enumerate() {
        if p <= point.utilization {
            if i == 0 {
                return shape[0].score;
            }
            let prev = shape[i - 1];
            return prev.score
                + (point.score - prev.score) * (p - prev.utilization)
                    / (point.utilization - prev.utilization);
        }
    }
    shape.last().map_or(0, |p| p.score)
}

impl NodeResourcesFit {
    /// `resource_allocation.go` score: each resource's score by the strategy, weighted.
    fn weighted_score(&self, pod: &Pod, node: NodeView) -> i64 {
        let (mut node_score, mut weight_sum) = (0i64, 0i64);
        match &self.strategy {
            ScoringStrategy::LeastAllocated | ScoringStrategy::MostAllocated => {
                let most = self.strategy == ScoringStrategy::MostAllocated;
                for spec in &self.resources {
                    let (allocatable, requested) =
                        allocatable_and_requested(pod, node, spec.name, false);
                    if allocatable == 0 {
                        continue;
                    }
                    let s = if most {
                        most_requested_score(requested, allocatable)
                    } else {
                        least_requested_score(requested, allocatable)
                    };
                    node_score += s * spec.weight;
                    weight_sum += spec.weight;
                }
                if weight_sum == 0 {
                    0
                } else {
                    node_score / weight_sum
                }
            }
            ScoringStrategy::RequestedToCapacityRatio { shape } => {
                // Upstream scales the 0..=10 shape scores to 0..=100 first.
                let scaled: Vec<UtilizationShapePoint> = shape
                    .iter()
                    .map(|p| UtilizationShapePoint {
                        utilization: p.utilization,
                        score: p.score * (MAX_NODE_SCORE / MAX_CUSTOM_PRIORITY_SCORE),
                    })
                    .collect();
                for spec in &self.resources {
                    let (allocatable, requested) =
                        allocatable_and_requested(pod, node, spec.name, false);
                    if allocatable == 0 {
                        continue;
                    }
                    let s = if requested > allocatable {
                        broken_linear(&scaled, MAX_UTILIZATION)
                    } else {
                        broken_linear(&scaled, requested * MAX_UTILIZATION / allocatable)
                    };
                    // Only positive resource scores count (upstream `if resourceScore > 0`).
                    if s > 0 {
                        node_score += s * spec.weight;
                        weight_sum += spec.weight;
                    }
                }
                if weight_sum == 0 {
                    0
                } else {
                    (node_score as f64 / weight_sum as f64).round() as i64
                }
            }
        }
    }
}

impl Plugin for NodeResourcesFit {
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
        fits_request_ignoring(pod, node, self.ignored_extended)
    }

    fn score(&self, pod: &Pod, node: NodeView) -> i64 {
        self.weighted_score(pod, node)
    }

    /// Freed resources (a pod deleted or finished) or a new or changed node
    /// that fits can help (fit.go EventsToRegister and its queueing hints).
    fn is_schedulable_after(&self, pod: &Pod, event: ClusterEvent, state: &ClusterState) -> bool {
        match event {
            ClusterEvent::AssignedPodDelete => true,
            ClusterEvent::NodeAdd(id) | ClusterEvent::NodeUpdate(id) => {
                fits_request_ignoring(pod, NodeView::of(state, id), self.ignored_extended).is_ok()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::pod::fixtures::pod;
    use crate::scheduler::plugins::test_nodes::node;

    #[test]
    fn filter_reports_every_insufficient_resource() {
        let mut n = node("n1", "2", "4Gi");
        n.usage.requested.cpu_millis = 1500;
        let p = pod("p").cpu("1").memory("5Gi").build();
        let err = NodeResourcesFit::default()
            .filter(&p, n.view())
            .unwrap_err();
        assert_eq!(err.code, Code::Unschedulable);
        assert_eq!(
            err.reasons,
            vec![
                FilterReason::Insufficient(ResourceName::Cpu),
                FilterReason::Insufficient(ResourceName::Memory)
            ]
        );
        assert!(NodeResourcesFit::default()
            .filter(&pod("q").cpu("500m").memory("4Gi").build(), n.view())
            .is_ok());
    }

    #[test]
    fn filter_counts_pod_slots() {
        let mut n = node("n1", "2", "4Gi");
        n.node.allocatable_pods = 1;
        n.usage.pod_count = 1;
        let err = NodeResourcesFit::default()
            .filter(&pod("p").build(), n.view())
            .unwrap_err();
        assert_eq!(err.reasons, vec![FilterReason::TooManyPods]);
    }

    // Upstream TestLeastAllocatedScoringStrategy "nothing scheduled, resources
    // requested, differently sized nodes": pod cpu 3000m + 0m = 3000, memory
    // 5000; node1 4000/10000, node2 6000/10000.
    // node1: cpu (4000-3000)*100/4000 = 25, memory (10000-5000)*100/10000 = 50 → (25+50)/2 = 37.
    // node2: cpu (6000-3000)*100/6000 = 50, memory 50 → 50.
    #[test]
    fn least_allocated_matches_upstream_table() {
        let fit = NodeResourcesFit::default();
        let p = pod("p")
            .spec(|s| {
                s.containers[0].requests.cpu_millis = 1000;
                s.containers[0].requests.memory_bytes = 2000;
                let mut c = crate::model::pod::fixtures::container("c2");
                c.requests.cpu_millis = 2000;
                c.requests.memory_bytes = 3000;
                s.containers.push(c);
            })
            .build();
        let mut n1 = node("n1", "4", "0");
        n1.node.allocatable.memory_bytes = 10000;
        let mut n2 = node("n2", "6", "0");
        n2.node.allocatable.memory_bytes = 10000;
        assert_eq!(fit.score(&p, n1.view()), 37);
        assert_eq!(fit.score(&p, n2.view()), 50);
    }

    // MostAllocated: same pod and nodes. node1: cpu 3000*100/4000 = 75, memory
    // 5000*100/10000 = 50 → 62. node2: cpu 50, memory 50 → 50.
    #[test]
    fn most_allocated_prefers_fuller_nodes() {
        let fit = NodeResourcesFit {
            strategy: ScoringStrategy::MostAllocated,
            resources: default_resources(),
            ..Default::default()
        };
        let p = pod("p")
            .spec(|s| {
                s.containers[0].requests.cpu_millis = 3000;
                s.containers[0].requests.memory_bytes = 5000;
            })
            .build();
        let mut n1 = node("n1", "4", "0");
        n1.node.allocatable.memory_bytes = 10000;
        let mut n2 = node("n2", "6", "0");
        n2.node.allocatable.memory_bytes = 10000;
        assert_eq!(fit.score(&p, n1.view()), 62);
        assert_eq!(fit.score(&p, n2.view()), 50);
    }

    #[test]
    fn empty_pods_are_scored_with_non_zero_defaults() {
        // 100m of 1000m → least requested (1000-100)*100/1000 = 90; 200Mi of 1000Mi → 80. (90+80)/2 = 85.
        let fit = NodeResourcesFit::default();
        let n = node("n1", "1", "1000Mi");
        assert_eq!(fit.score(&pod("p").build(), n.view()), 85);
    }

    // Upstream TestRequestedToCapacityRatioScoringStrategy shape
    // {0:10, 100:0} (bin packing reversed) → scaled {0:100, 100:0}; broken
    // linear at 50% = 50, at 25% = 75.
    #[test]
    fn requested_to_capacity_ratio_follows_the_shape() {
        let shape = vec![
            UtilizationShapePoint {
                utilization: 0,
                score: 10,
            },
            UtilizationShapePoint {
                utilization: 100,
                score: 0,
            },
        ];
        let scaled: Vec<_> = shape
            .iter()
            .map(|p| UtilizationShapePoint {
                utilization: p.utilization,
                score: p.score * 10,
            })
            .collect();
        assert_eq!(broken_linear(&scaled, 50), 50);
        assert_eq!(broken_linear(&scaled, 25), 75);
        assert_eq!(broken_linear(&scaled, 0), 100);
        assert_eq!(broken_linear(&scaled, 100), 0);
        let fit = NodeResourcesFit {
            strategy: ScoringStrategy::RequestedToCapacityRatio { shape },
            resources: default_resources(),
            ..Default::default()
        };
        // cpu 2000 of 4000 = 50% → 50; memory 1000 of 4000 = 25% → 75 → round((50+75)/2) = round(62.5) = 63.
        let p = pod("p")
            .spec(|s| {
                s.containers[0].requests.cpu_millis = 2000;
                s.containers[0].requests.memory_bytes = 1000;
            })
            .build();
        let mut n = node("n1", "4", "0");
        n.node.allocatable.memory_bytes = 4000;
        assert_eq!(fit.score(&p, n.view()), 63);
    }
}
