//! NodeAffinity (`pkg/scheduler/framework/plugins/nodeaffinity`, v1.32).
//!
//! Filter: the node must match `spec.nodeSelector` (every key equal) and the
//! required node affinity terms. Score: the sum of the weights of the
//! preferred terms the node matches, normalized so the best node gets 100.
//!
//! The profile's `addedAffinity` (NodeAffinityArgs) applies to every pod of
//! the profile: its required terms filter before the pod's own (with their
//! own reason), its preferred terms add to every node's score
//! (`node_affinity.go`: `addedNodeSelector`, `addedPrefSchedTerms`).

use crate::model::affinity::{NodeAffinity as NodeAffinityTerms, NodeSelectorTerm};
use crate::model::{ClusterState, Node, Pod};
use crate::scheduler::framework::{
    default_normalize_score, Code, FilterReason, FilterResult, NodeView, Plugin, PreResult,
    QuickFilter, Unfit, MAX_NODE_SCORE,
};
use std::collections::BTreeMap;
use std::sync::LazyLock;

pub const NAME: &str = "NodeAffinity";

/// The plugin with its profile's `addedAffinity`, if any.
#[derive(Default)]
pub struct NodeAffinity {
    added: Option<NodeAffinityTerms>,
    verdicts: Verdicts,
}

/// Filter's verdict on every node for the node selectors and required terms
/// of recent pods, for the fused pass (`quick_filters`): computed when a
/// pod's requirement is seen the second time (a requirement seen once costs
/// nothing more than Filter), and reused while the nodes' labels are
/// unchanged (the store's nodes generation). Filter reads nothing else of
/// the pod or the node (`addedAffinity` is the profile's).
#[derive(Default)]
struct Verdicts {
    entries: Vec<Verdict>,
    /// The prepared pod's entry, when it has verdicts.
    current: Option<usize>,
    uses: u64,
    versions: u64,
}

struct Verdict {
    node_selector: BTreeMap<String, String>,
    required: Option<Vec<NodeSelectorTerm>>,
    /// By node id, `addedAffinity`'s and the pod's own; `None` until the
    /// requirement is seen again.
    passes: Option<(Vec<bool>, Vec<bool>)>,
    generation: u64,
    version: u64,
    last_use: u64,
}

/// Filter's failures, for the quick filters.
static ADDED_AFFINITY_UNFIT: LazyLock<Unfit> = LazyLock::new(|| {
    Unfit::new(
        Code::UnschedulableAndUnresolvable,
        FilterReason::AddedAffinityMismatch,
    )
});
static NODE_AFFINITY_UNFIT: LazyLock<Unfit> = LazyLock::new(|| {
    Unfit::new(
        Code::UnschedulableAndUnresolvable,
        FilterReason::NodeAffinityMismatch,
    )
});

/// How many requirements' verdicts are kept (least recently used dropped first).
const MAX_CACHED_REQUIREMENTS: usize = 16;

impl NodeAffinity {
    pub fn new(added: Option<NodeAffinityTerms>) -> NodeAffinity {
        NodeAffinity {
            added,
            verdicts: Verdicts::default(),
        }
    }

    fn added_required(&self) -> bool {
        self.added.as_ref().is_some_and(|a| a.required.is_some())
    }

    /// Upstream keeps added preferred terms only when there are some.
    fn added_preferred(&self) -> &[crate::model::affinity::PreferredSchedulingTerm] {
        self.added.as_ref().map_or(&[], |a| &a.preferred[..])
    }
}

/// Whether `node` matches the pod's `spec.nodeSelector` (every key equal)
/// and its required node affinity terms: upstream's
/// `GetRequiredNodeAffinity(pod).Match(node)`
/// (`component-helpers/scheduling/corev1/nodeaffinity`), which the Filter
/// and PodTopologySpread's `nodeAffinityPolicy: Honor` both use.
pub fn required_matches(pod: &Pod, node: &Node) -> bool {
    let labels = &node.metadata.labels;
    let selector_ok = pod
        .spec
        .node_selector
        .iter()
        .all(|(k, v)| labels.get(k) == Some(v));
    selector_ok
        && pod
            .spec
            .affinity
            .node_affinity
            .as_ref()
            .is_none_or(|a| a.required_matches(node.name(), labels))
}

impl Plugin for NodeAffinity {
    fn name(&self) -> &'static str {
        NAME
    }
    fn has_filter(&self) -> bool {
        true
    }
    fn has_score(&self) -> bool {
        true
    }

    /// Finds (or makes) the verdicts for the pod's requirement.
    fn prepare(&mut self, pod: &Pod, state: &ClusterState) {
        self.verdicts.current = None;
        if self.pre_filter(pod) == PreResult::Skip {
            return;
        }
        let required = (pod.spec.affinity.node_affinity.as_ref()).and_then(|a| a.required.as_ref());
        let v = &mut self.verdicts;
        v.uses += 1;
        let found = v.entries.iter().position(|e| {
            e.node_selector == pod.spec.node_selector && e.required.as_ref() == required
        });
        let Some(i) = found else {
            if v.entries.len() == MAX_CACHED_REQUIREMENTS {
                let oldest = (0..v.entries.len())
                    .min_by_key(|&i| v.entries[i].last_use)
                    .expect("entries");
                v.entries.swap_remove(oldest);
            }
            v.entries.push(Verdict {
                node_selector: pod.spec.node_selector.clone(),
                required: required.cloned(),
                passes: None,
                generation: 0,
                version: 0,
                last_use: v.uses,
            });
            return;
        };
        v.entries[i].last_use = v.uses;
        let e = &v.entries[i];
        let n_nodes = state.nodes().len();
        let stale = e.generation != state.nodes_generation()
            || e.passes.as_ref().is_none_or(|p| p.1.len() != n_nodes);
        if stale {
            let node = |k: usize| &state.nodes()[k];
            let added = (0..n_nodes)
                .map(|k| {
                    (self.added.as_ref()).is_none_or(|a| {
                        a.required_matches(node(k).name(), &node(k).metadata.labels)
                    })
                })
                .collect();
            let own = (0..n_nodes)
                .map(|k| required_matches(pod, node(k)))
                .collect();
            let passes = (added, own);
            let v = &mut self.verdicts;
            v.versions += 1;
            let e = &mut v.entries[i];
            e.passes = Some(passes);
            e.generation = state.nodes_generation();
            e.version = v.versions;
        }
        self.verdicts.current = Some(i);
    }

    fn quick_filters<'a>(&'a self, _pod: &Pod, out: &mut Vec<QuickFilter<'a>>) -> bool {
        let Some(e) = self.verdicts.current.map(|i| &self.verdicts.entries[i]) else {
            return false;
        };
        let Some((added, own)) = &e.passes else {
            return false;
        };
        // As `filter`: the profile's addedAffinity first.
        if self.added.is_some() {
            out.push(QuickFilter::Nodes {
                passes: added,
                version: e.version,
                unfit: &ADDED_AFFINITY_UNFIT,
            });
        }
        out.push(QuickFilter::Nodes {
            passes: own,
            version: e.version,
            unfit: &NODE_AFFINITY_UNFIT,
        });
        true
    }

    /// Skip when the pod has neither a nodeSelector nor required node affinity.
    fn pre_filter(&self, pod: &Pod) -> PreResult {
        let required = pod
            .spec
            .affinity
            .node_affinity
            .as_ref()
            .is_some_and(|a| a.required.is_some());
        if required || self.added_required() || !pod.spec.node_selector.is_empty() {
            PreResult::Run
        } else {
            PreResult::Skip
        }
    }

    fn filter(&self, pod: &Pod, node: NodeView) -> FilterResult {
        let labels = &node.node.metadata.labels;
        if let Some(added) = &self.added {
            if !added.required_matches(node.node.name(), labels) {
                return Err(Unfit::new(
                    Code::UnschedulableAndUnresolvable,
                    FilterReason::AddedAffinityMismatch,
                ));
            }
        }
        if required_matches(pod, node.node) {
            Ok(())
        } else {
            Err(Unfit::new(
                Code::UnschedulableAndUnresolvable,
                FilterReason::NodeAffinityMismatch,
            ))
        }
    }

    /// Skip when the pod has no preferred terms.
    fn pre_score(&self, pod: &Pod) -> PreResult {
        match &pod.spec.affinity.node_affinity {
            Some(a) if !a.preferred.is_empty() => PreResult::Run,
            _ if !self.added_preferred().is_empty() => PreResult::Run,
            _ => PreResult::Skip,
        }
    }

    fn score(&self, pod: &Pod, node: NodeView) -> i64 {
        let own = pod
            .spec
            .affinity
            .node_affinity
            .as_ref()
            .map_or(&[][..], |a| &a.preferred[..]);
        self.added_preferred()
            .iter()
            .chain(own)
            .filter(|t| {
                t.preference
                    .matches(node.node.name(), &node.node.metadata.labels)
            })
            .map(|t| t.weight)
            .sum()
    }

    fn normalize(&self, _pod: &Pod, scores: &mut [i64]) {
        default_normalize_score(MAX_NODE_SCORE, false, scores);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::affinity::{
        NodeAffinity as Affinity, NodeSelectorTerm, PreferredSchedulingTerm,
    };
    use crate::model::labels::{Operator, Requirement};
    use crate::model::pod::fixtures::pod;
    use crate::scheduler::plugins::test_nodes::{node, TestNode};

    fn labelled(name: &str, labels: &[(&str, &str)]) -> TestNode {
        let mut n = node(name, "4", "8Gi");
        for (k, v) in labels {
            n.node.metadata.labels.insert(k.to_string(), v.to_string());
        }
        n
    }
    fn term(key: &str, values: &[&str]) -> NodeSelectorTerm {
        NodeSelectorTerm {
            match_expressions: vec![Requirement {
                key: key.into(),
                operator: Operator::In,
                values: values.iter().map(|v| v.to_string()).collect(),
            }],
            match_fields: vec![],
        }
    }

    #[test]
    fn filter_checks_node_selector_and_required_terms() {
        let n = labelled("n1", &[("zone", "a"), ("disk", "ssd")]);
        let sel = pod("p")
            .spec(|s| {
                s.node_selector.insert("disk".into(), "ssd".into());
            })
            .build();
        assert!(NodeAffinity::default().filter(&sel, n.view()).is_ok());
        let wrong = pod("p")
            .spec(|s| {
                s.node_selector.insert("disk".into(), "hdd".into());
            })
            .build();
        assert_eq!(
            NodeAffinity::default()
                .filter(&wrong, n.view())
                .unwrap_err()
                .reasons,
            vec![FilterReason::NodeAffinityMismatch]
        );
        let req = pod("p")
            .spec(|s| {
                s.affinity.node_affinity = Some(Affinity {
                    required: Some(vec![term("zone", &["b"])]),
                    preferred: vec![],
                })
            })
            .build();
        assert!(NodeAffinity::default().filter(&req, n.view()).is_err());
        assert_eq!(
            NodeAffinity::default().pre_filter(&pod("q").build()),
            PreResult::Skip
        );
    }

    // Upstream TestNodeAffinityPriority "all nodes matches the preferred
    // affinity terms": weights 2 (foo=bar), 4 (key=value), 5 (az=az1). Node1
    // matches foo only (2), node2 foo+key (6), node3 all three (11).
    // Normalized: 100*2/11 = 18, 100*6/11 = 54, 100.
    #[test]
    fn score_sums_matching_weights_and_normalizes() {
        let pref = |w, t| PreferredSchedulingTerm {
            weight: w,
            preference: t,
        };
        let p = pod("p")
            .spec(|s| {
                s.affinity.node_affinity = Some(Affinity {
                    required: None,
                    preferred: vec![
                        pref(2, term("foo", &["bar"])),
                        pref(4, term("key", &["value"])),
                        pref(5, term("az", &["az1"])),
                    ],
                })
            })
            .build();
        let n1 = labelled("n1", &[("foo", "bar")]);
        let n2 = labelled("n2", &[("foo", "bar"), ("key", "value")]);
        let n3 = labelled("n3", &[("foo", "bar"), ("key", "value"), ("az", "az1")]);
        let mut scores: Vec<i64> = [&n1, &n2, &n3]
            .iter()
            .map(|n| NodeAffinity::default().score(&p, n.view()))
            .collect();
        assert_eq!(scores, vec![2, 6, 11]);
        NodeAffinity::default().normalize(&p, &mut scores);
        assert_eq!(scores, vec![18, 54, 100]);
    }

    // Upstream TestNodeAffinity "Pod with Affinity and added affinity
    // mismatching": the added required terms filter every pod of the
    // profile with their own reason, before the pod's own selector.
    // TestNodeAffinityPriority "added affinity": added preferred terms
    // (weight 3 on zone=b) add to the pod's own (weight 1 on disk=ssd).
    #[test]
    fn added_affinity_filters_and_scores_every_pod() {
        let plugin = NodeAffinity::new(Some(Affinity {
            required: Some(vec![term("pool", &["batch"])]),
            preferred: vec![PreferredSchedulingTerm {
                weight: 3,
                preference: term("zone", &["b"]),
            }],
        }));
        let plain = pod("p").build();
        assert_eq!(plugin.pre_filter(&plain), PreResult::Run);
        assert_eq!(plugin.pre_score(&plain), PreResult::Run);
        let other_pool = labelled("n0", &[("pool", "web"), ("zone", "b")]);
        let unfit = plugin.filter(&plain, other_pool.view()).unwrap_err();
        assert_eq!(unfit.reasons, vec![FilterReason::AddedAffinityMismatch]);
        let batch_a = labelled("n1", &[("pool", "batch"), ("zone", "a"), ("disk", "ssd")]);
        let batch_b = labelled("n2", &[("pool", "batch"), ("zone", "b")]);
        assert!(plugin.filter(&plain, batch_a.view()).is_ok());
        let ssd = pod("q")
            .spec(|s| {
                s.affinity.node_affinity = Some(Affinity {
                    required: None,
                    preferred: vec![PreferredSchedulingTerm {
                        weight: 1,
                        preference: term("disk", &["ssd"]),
                    }],
                })
            })
            .build();
        let scores: Vec<i64> = [&batch_a, &batch_b]
            .iter()
            .map(|n| plugin.score(&ssd, n.view()))
            .collect();
        assert_eq!(scores, vec![1, 3]);
    }
}
