//! ImageLocality (`pkg/scheduler/framework/plugins/imagelocality/image_locality.go`, v1.32).
//!
//! Score: the sum, over the pod's containers (init containers included), of
//! the size of each image already on the node scaled by the share of nodes
//! that have it (`size · numNodes / totalNodes`, so that an image everywhere
//! does not pull every pod to one node), clamped to
//! [23 MB, 1000 MB × containers] and mapped linearly onto 0..100.
//! No NormalizeScore. Images come from `Node::image_size`.

use crate::model::{ClusterState, Pod};
use crate::scheduler::framework::{NodeView, Plugin, PreResult, MAX_NODE_SCORE};

pub const NAME: &str = "ImageLocality";

const MB: i64 = 1024 * 1024;
/// `minThreshold`: below this the score is 0.
pub const MIN_THRESHOLD: i64 = 23 * MB;
/// `maxContainerThreshold`, per container.
pub const MAX_CONTAINER_THRESHOLD: i64 = 1000 * MB;

/// `normalizedImageName`: an image without a tag is `:latest`.
pub fn normalized_image_name(name: &str) -> String {
    let colon = name.rfind(':');
    let slash = name.rfind('/');
    if colon.is_none_or(|c| slash.is_some_and(|s| c < s)) {
        format!("{name}:latest")
    } else {
        name.to_string()
    }
}

/// `calculatePriority`.
pub fn calculate_priority(sum_scores: i64, num_containers: usize) -> i64 {
    let max_threshold = MAX_CONTAINER_THRESHOLD * num_containers as i64;
    let sum = sum_scores.clamp(MIN_THRESHOLD, max_threshold.max(MIN_THRESHOLD));
    if max_threshold <= MIN_THRESHOLD {
        return 0;
    }
    MAX_NODE_SCORE * (sum - MIN_THRESHOLD) / (max_threshold - MIN_THRESHOLD)
}

#[derive(Clone, Debug, Default)]
pub struct ImageLocality {
    /// The pod's images (normalized) with the number of nodes that have each.
    images: Vec<(String, i64)>,
    total_nodes: usize,
    num_containers: usize,
    /// Whether any node lists images, as of `checked_nodes` nodes (nodes only
    /// join, and their image lists do not change during a run).
    any_images: bool,
    checked_nodes: usize,
}

impl Plugin for ImageLocality {
    fn name(&self) -> &'static str {
        NAME
    }
    fn has_score(&self) -> bool {
        true
    }

    fn prepare(&mut self, pod: &Pod, state: &ClusterState) {
        self.images.clear();
        self.total_nodes = state.nodes().len();
        self.num_containers = pod.spec.init_containers.len() + pod.spec.containers.len();
        if self.checked_nodes != state.nodes().len() {
            self.any_images = state.nodes().iter().any(|n| !n.images.is_empty());
            self.checked_nodes = state.nodes().len();
        }
        if !self.any_images {
            return;
        }
        // The nodes in the API: a deleted node is no longer in the snapshot.
        let exists = |i: usize| state.node_exists(crate::model::NodeId(i as u32));
        self.total_nodes = (0..state.nodes().len()).filter(|&i| exists(i)).count();
        for c in pod.spec.init_containers.iter().chain(&pod.spec.containers) {
            let name = normalized_image_name(&c.image);
            let num_nodes = (state.nodes().iter().enumerate())
                .filter(|&(i, n)| exists(i) && n.image_size(&name).is_some())
                .count() as i64;
            self.images.push((name, num_nodes));
        }
    }

    /// Skip when no node has any of the pod's images.
    fn pre_score(&self, _pod: &Pod) -> PreResult {
        if self.images.iter().any(|(_, n)| *n > 0) {
            PreResult::Run
        } else {
            PreResult::Skip
        }
    }

    fn score(&self, _pod: &Pod, node: NodeView) -> i64 {
        let sum: i64 = self
            .images
            .iter()
            .filter_map(|(name, num_nodes)| {
                let size = node.node.image_size(name)?;
                // scaledImageScore.
                let spread = *num_nodes as f64 / self.total_nodes as f64;
                Some((size as f64 * spread) as i64)
            })
            .sum();
        calculate_priority(sum, self.num_containers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names_without_a_tag_are_latest() {
        assert_eq!(normalized_image_name("nginx"), "nginx:latest");
        assert_eq!(normalized_image_name("nginx:1.27"), "nginx:1.27");
        assert_eq!(
            normalized_image_name("registry:5000/app"),
            "registry:5000/app:latest"
        );
        assert_eq!(
            normalized_image_name("registry:5000/app:v2"),
            "registry:5000/app:v2"
        );
    }

    #[test]
    fn priority_clamps_to_thresholds_and_scales_linearly() {
        // image_locality_test.go style arithmetic, one container:
        // 250 MB on every one of 2 nodes (spread 1): 100·(250−23)/(1000−23) = 23.
        assert_eq!(calculate_priority(250 * MB, 1), 23);
        // Below 23 MB: 0; above 1000 MB: 100.
        assert_eq!(calculate_priority(10 * MB, 1), 0);
        assert_eq!(calculate_priority(3000 * MB, 1), 100);
        // Two containers: the ceiling is 2000 MB, 1000 MB → 100·977/1977 = 49.
        assert_eq!(calculate_priority(1000 * MB, 2), 49);
    }

    #[test]
    fn spread_scales_an_image_by_the_share_of_nodes_having_it() {
        use crate::model::node::ContainerImage;
        use crate::model::pod::fixtures::pod;
        use crate::model::resources::ResourceNames;
        use crate::model::store::NodeId;
        use crate::scheduler::plugins::test_nodes::node;
        let mut state = ClusterState::new(ResourceNames::default());
        for i in 0..4 {
            let mut n = node(&format!("n{i}"), "4", "8Gi").node;
            if i < 2 {
                n.images.push(ContainerImage {
                    names: vec!["app:1".into()],
                    size_bytes: 800 * MB,
                });
            }
            state.add_node(n);
        }
        let p = pod("p")
            .spec(|s| s.containers[0].image = "app:1".into())
            .build();
        let mut plugin = ImageLocality::default();
        plugin.prepare(&p, &state);
        assert_eq!(plugin.pre_score(&p), PreResult::Run);
        // 800 MB on 2 of 4 nodes → 400 MB: 100·(400−23)/977 = 38; nodes without it: 0.
        let scores: Vec<i64> = (0..4)
            .map(|i| plugin.score(&p, NodeView::of(&state, NodeId(i))))
            .collect();
        assert_eq!(scores, [38, 38, 0, 0]);
    }
}
