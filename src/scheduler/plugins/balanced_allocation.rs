//! NodeResourcesBalancedAllocation
//! (`pkg/scheduler/framework/plugins/noderesources/balanced_allocation.go`, v1.32):
//! favors nodes whose resource utilization fractions would be close to each
//! other after placing the pod: score = (1 − std of the fractions) × 100.

use super::resource_allocation::{
    allocatable_and_requested, default_resources, ResourceSpec, MAX_SCORED_RESOURCES,
};
use crate::model::Pod;
use crate::scheduler::framework::{NodeView, Plugin, MAX_NODE_SCORE};

pub const NAME: &str = "NodeResourcesBalancedAllocation";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BalancedAllocation {
    pub resources: Vec<ResourceSpec>,
}

impl Default for BalancedAllocation {
    fn default() -> Self {
        BalancedAllocation {
            resources: default_resources(),
        }
    }
}

/// `balancedResourceScorer`.
pub fn balanced_resource_score(requested: &[i64], allocatable: &[i64]) -> i64 {
    let mut fractions = [0f64; MAX_SCORED_RESOURCES];
    let mut n = 0;
    let mut total = 0.0;
    for (&req, &alloc) in requested.iter().zip(allocatable) {
        if alloc == 0 {
            continue;
        }
        let fraction = (req as f64 / alloc as f64).min(1.0);
        total += fraction;
        fractions[n] = fraction;
        n += 1;
    }
    // Two resources: std = |f1 − f2| / 2; more: the population standard deviation.
    let std = match n {
        2 => ((fractions[0] - fractions[1]) / 2.0).abs(),
        n if n > 2 => {
            let mean = total / n as f64;
            let sum: f64 = fractions[..n].iter().map(|f| (f - mean) * (f - mean)).sum();
            (sum / n as f64).sqrt()
        }
        _ => 0.0,
    };
    ((1.0 - std) * MAX_NODE_SCORE as f64) as i64
}

/// `balanced_resource_score` for two resources, without the arrays: the
/// same floating-point operations in the same order, so the same score
/// (the fused pass's per-node score; a test compares the two).
#[inline]
pub fn balanced_two_resource_score(
    requested_a: i64,
    allocatable_a: i64,
    requested_b: i64,
    allocatable_b: i64,
) -> i64 {
    // A resource without allocatable is left out; fewer than two leave std 0.
    if allocatable_a == 0 || allocatable_b == 0 {
        return MAX_NODE_SCORE;
    }
    let fraction_a = (requested_a as f64 / allocatable_a as f64).min(1.0);
    let fraction_b = (requested_b as f64 / allocatable_b as f64).min(1.0);
    let std = ((fraction_a - fraction_b) / 2.0).abs();
    ((1.0 - std) * MAX_NODE_SCORE as f64) as i64
}

impl Plugin for BalancedAllocation {
    fn name(&self) -> &'static str {
        NAME
    }
    fn has_score(&self) -> bool {
        true
    }
    fn score(&self, pod: &Pod, node: NodeView) -> i64 {
        // The default two resources (cpu, memory) without the arrays of the general case.
        if let [a, b] = &self.resources[..] {
            let (alloc_a, req_a) = allocatable_and_requested(pod, node, a.name, true);
            let (alloc_b, req_b) = allocatable_and_requested(pod, node, b.name, true);
            return balanced_resource_score(&[req_a, req_b], &[alloc_a, alloc_b]);
        }
        let mut requested = [0; MAX_SCORED_RESOURCES];
        let mut allocatable = [0; MAX_SCORED_RESOURCES];
        for (i, spec) in self.resources.iter().enumerate() {
            (allocatable[i], requested[i]) = allocatable_and_requested(pod, node, spec.name, true);
        }
        let n = self.resources.len();
        balanced_resource_score(&requested[..n], &allocatable[..n])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::pod::fixtures::pod;
    use crate::scheduler::plugins::test_nodes::node;

    // Upstream TestNodeResourcesBalancedAllocation "resources requested,
    // pods scheduled with resources": node1 cpu 4000 / memory 10000 with
    // existing pods requesting 3000m and 5000; the new pod 0 requests →
    // fractions 0.75 and 0.5, std 0.125, score (1 − 0.125)·100 = 87.
    #[test]
    fn score_is_one_minus_std_of_fractions() {
        let mut n = node("n1", "4", "0");
        n.node.allocatable.memory_bytes = 10000;
        n.usage.requested.cpu_millis = 3000;
        n.usage.requested.memory_bytes = 5000;
        assert_eq!(
            BalancedAllocation::default().score(&pod("p").build(), n.view()),
            87
        );
        // Perfectly balanced: 50% and 50% → 100.
        assert_eq!(balanced_resource_score(&[2, 5], &[4, 10]), 100);
        // Fractions above 1 are capped: 1.0 and 0.0 → std 0.5 → 50.
        assert_eq!(balanced_resource_score(&[8, 0], &[4, 10]), 50);
        // Three resources: fractions 0, 0.5, 1 → mean 0.5, std sqrt(1/6) = 0.408 → 59.
        assert_eq!(balanced_resource_score(&[0, 5, 4], &[4, 10, 4]), 59);
    }

    #[test]
    fn two_resource_score_equals_the_general_one() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let value = |rng: &mut rand_chacha::ChaCha8Rng| match rng.gen_range(0..4) {
            0 => 0,
            1 => rng.gen_range(1..10),
            2 => rng.gen_range(1..100_000),
            _ => rng.gen_range(1..1i64 << 40),
        };
        for _ in 0..100_000 {
            let (ra, aa, rb, ab) = (
                value(&mut rng),
                value(&mut rng),
                value(&mut rng),
                value(&mut rng),
            );
            assert_eq!(
                balanced_two_resource_score(ra, aa, rb, ab),
                balanced_resource_score(&[ra, rb], &[aa, ab]),
                "{ra}/{aa} {rb}/{ab}"
            );
        }
    }
}
