//! Each node's topology domain for a topology key, as a small integer, for
//! the plugins that count pods per domain (PodTopologySpread,
//! InterPodAffinity): counting and looking up by domain index needs no
//! string comparisons or allocations per node.

use crate::model::ClusterState;
use std::collections::BTreeMap;

/// Each node's domain for one topology key, as an index into `names`
/// (`NO_DOMAIN` without the label), so that counting per domain over every
/// node needs no string lookups. Rebuilt when nodes are added or updated.
#[derive(Clone, Debug, Default)]
pub struct NodeDomains {
    pub key: String,
    generation: u64,
    /// By node id.
    pub of_node: Vec<u32>,
    /// By domain: the label value.
    pub names: Vec<String>,
}

pub use crate::scheduler::framework::NO_DOMAIN;

impl NodeDomains {
    fn build(key: &str, state: &ClusterState) -> Self {
        let mut index: BTreeMap<&str, u32> = BTreeMap::new();
        let mut names = Vec::new();
        // A deleted node is in no domain: upstream's snapshot no longer
        // lists it, nor counts the pods still bound to it.
        let of_node = (state.nodes().iter().enumerate())
            .map(|(i, n)| match n.metadata.labels.get(key) {
                _ if !state.node_exists(crate::model::NodeId(i as u32)) => NO_DOMAIN,
                None => NO_DOMAIN,
                Some(v) => *index.entry(v.as_str()).or_insert_with(|| {
                    names.push(v.clone());
                    (names.len() - 1) as u32
                }),
            })
            .collect();
        NodeDomains {
            key: key.to_string(),
            generation: state.nodes_generation(),
            of_node,
            names,
        }
    }
}

/// The index in `cache` of `key`'s node domains, made current for `state`.
pub fn node_domains(cache: &mut Vec<NodeDomains>, key: &str, state: &ClusterState) -> usize {
    match cache.iter().position(|d| d.key == key) {
        Some(i) => {
            if cache[i].generation != state.nodes_generation()
                || cache[i].of_node.len() != state.nodes().len()
            {
                cache[i] = NodeDomains::build(key, state);
            }
            i
        }
        None => {
            cache.push(NodeDomains::build(key, state));
            cache.len() - 1
        }
    }
}
