//! InterPodAffinity (`pkg/scheduler/framework/plugins/interpodaffinity`,
//! `filtering.go` and `scoring.go`, v1.32).
//!
//! Filter: the node's domain (value of each term's topologyKey) must hold a
//! pod matching every required affinity term (unless no such pod exists
//! anywhere and the pod matches its own terms: the first of a group), must
//! hold no pod matching a required anti-affinity term, and must hold no pod
//! whose own required anti-affinity term matches the incoming pod (the
//! symmetric check).
//!
//! Score: per topology domain, the weights of the incoming pod's preferred
//! terms that existing pods match (anti-affinity negative), plus the existing
//! pods' preferred terms that match the incoming pod, plus their required
//! affinity terms times `hardPodAffinityWeight`; normalized min–max to 0..100.
//!
//! Counting happens once per cycle in `prepare`; Filter and Score per node
//! are map lookups by the node's label values.

use crate::model::labels::Labels;
use crate::model::topology::ResolvedTerm;
use crate::model::{ClusterState, Pod};
use crate::scheduler::framework::{
    ClusterEvent, Code, FilterReason, FilterResult, NodeView, Plugin, PreResult, Unfit,
    MAX_NODE_SCORE,
};
use std::collections::BTreeMap;

pub const NAME: &str = "InterPodAffinity";

/// `InterPodAffinityArgs.hardPodAffinityWeight` default.
pub const DEFAULT_HARD_POD_AFFINITY_WEIGHT: i64 = 1;

/// Counts (or scores) per topology key, then per value.
type TopologyMap = BTreeMap<String, BTreeMap<String, i64>>;

fn add(map: &mut TopologyMap, key: &str, value: &str, n: i64) {
    let values = match map.get_mut(key) {
        Some(v) => v,
        None => map.entry(key.to_string()).or_default(),
    };
    match values.get_mut(value) {
        Some(c) => *c += n,
        None => {
            values.insert(value.to_string(), n);
        }
    }
}

fn get(map: &TopologyMap, key: &str, value: &str) -> i64 {
    map.get(key)
        .and_then(|v| v.get(value))
        .copied()
        .unwrap_or(0)
}

#[derive(Clone, Debug)]
pub struct InterPodAffinity {
    pub hard_pod_affinity_weight: i64,
    required_affinity: Vec<ResolvedTerm>,
    required_anti_affinity: Vec<ResolvedTerm>,
    affinity_counts: TopologyMap,
    anti_affinity_counts: TopologyMap,
    existing_anti_affinity_counts: TopologyMap,
    topology_score: TopologyMap,
    score_runs: bool,
}

impl Default for InterPodAffinity {
    fn default() -> Self {
        InterPodAffinity::new(DEFAULT_HARD_POD_AFFINITY_WEIGHT)
    }
}

impl InterPodAffinity {
    pub fn new(hard_pod_affinity_weight: i64) -> Self {
        InterPodAffinity {
            hard_pod_affinity_weight,
            required_affinity: Vec::new(),
            required_anti_affinity: Vec::new(),
            affinity_counts: TopologyMap::new(),
            anti_affinity_counts: TopologyMap::new(),
            existing_anti_affinity_counts: TopologyMap::new(),
            topology_score: TopologyMap::new(),
            score_runs: false,
        }
    }
}

fn resolve_all<'a>(
    pod: &Pod,
    terms: impl Iterator<Item = &'a crate::model::topology::PodAffinityTerm>,
) -> Vec<ResolvedTerm> {
    terms
        .map(|t| t.resolve(&pod.metadata.namespace, &pod.metadata.labels))
        .collect()
}

fn matches(term: &ResolvedTerm, pod: &Pod) -> bool {
    term.matches(&pod.metadata.namespace, &pod.metadata.labels)
}

/// `processTerm`: adds `weight` to the domain of the existing pod's node when `term` matches `pod`.
fn process_term(map: &mut TopologyMap, term: &ResolvedTerm, weight: i64, pod: &Pod, node: &Labels) {
    if let Some(value) = node.get(&term.topology_key) {
        if matches(term, pod) {
            add(map, &term.topology_key, value, weight);
        }
    }
}

impl Plugin for InterPodAffinity {
    fn name(&self) -> &'static str {
        NAME
    }
    fn has_filter(&self) -> bool {
        true
    }
    fn has_score(&self) -> bool {
        true
    }

    fn prepare(&mut self, pod: &Pod, state: &ClusterState) {
        let affinity = &pod.spec.affinity;
        self.required_affinity = resolve_all(pod, affinity.pod_affinity.required.iter());
        self.required_anti_affinity = resolve_all(pod, affinity.pod_anti_affinity.required.iter());
        let preferred: Vec<(ResolvedTerm, i64)> = affinity
            .pod_affinity
            .preferred
            .iter()
            .map(|w| {
                (
                    w.term
                        .resolve(&pod.metadata.namespace, &pod.metadata.labels),
                    w.weight,
                )
            })
            .chain(affinity.pod_anti_affinity.preferred.iter().map(|w| {
                (
                    w.term
                        .resolve(&pod.metadata.namespace, &pod.metadata.labels),
                    -w.weight,
                )
            }))
            .collect();
        self.affinity_counts.clear();
        self.anti_affinity_counts.clear();
        self.existing_anti_affinity_counts.clear();
        self.topology_score.clear();
        let mut any_existing_affinity = false;
        // Without terms of its own, only existing pods with terms matter.
        let own_terms = !self.required_affinity.is_empty()
            || !self.required_anti_affinity.is_empty()
            || !preferred.is_empty();
        let existing_pods = if own_terms {
            &state.bound_pods
        } else {
            &state.bound_pods_with_affinity
        };
        for &id in existing_pods {
            let e = state.pod(id);
            let Some(node_id) = e.node else { continue };
            let existing = &e.pod;
            let node_labels = &state.node(node_id).metadata.labels;
            // Incoming pod's required terms against the existing pod.
            if !self.required_affinity.is_empty()
                && self.required_affinity.iter().all(|t| matches(t, existing))
            {
                for t in &self.required_affinity {
                    if let Some(v) = node_labels.get(&t.topology_key) {
                        add(&mut self.affinity_counts, &t.topology_key, v, 1);
                    }
                }
            }
            for t in &self.required_anti_affinity {
                if let Some(v) = node_labels.get(&t.topology_key) {
                    if matches(t, existing) {
                        add(&mut self.anti_affinity_counts, &t.topology_key, v, 1);
                    }
                }
            }
            // Incoming pod's preferred terms against the existing pod.
            for (t, w) in &preferred {
                process_term(&mut self.topology_score, t, *w, existing, node_labels);
            }
            let ea = &existing.spec.affinity;
            if ea.pod_affinity.is_empty() && ea.pod_anti_affinity.is_empty() {
                continue;
            }
            any_existing_affinity = true;
            let (ns, labels) = (&existing.metadata.namespace, &existing.metadata.labels);
            // The symmetric check: existing pods' required anti-affinity against the incoming pod.
            for t in &ea.pod_anti_affinity.required {
                let t = t.resolve(ns, labels);
                if let Some(v) = node_labels.get(&t.topology_key) {
                    if matches(&t, pod) {
                        add(
                            &mut self.existing_anti_affinity_counts,
                            &t.topology_key,
                            v,
                            1,
                        );
                    }
                }
            }
            // Existing pods' terms in scoring.
            if self.hard_pod_affinity_weight > 0 {
                for t in &ea.pod_affinity.required {
                    let t = t.resolve(ns, labels);
                    process_term(
                        &mut self.topology_score,
                        &t,
                        self.hard_pod_affinity_weight,
                        pod,
                        node_labels,
                    );
                }
            }
            for w in &ea.pod_affinity.preferred {
                let t = w.term.resolve(ns, labels);
                process_term(&mut self.topology_score, &t, w.weight, pod, node_labels);
            }
            for w in &ea.pod_anti_affinity.preferred {
                let t = w.term.resolve(ns, labels);
                process_term(&mut self.topology_score, &t, -w.weight, pod, node_labels);
            }
        }
        self.score_runs = !preferred.is_empty() || any_existing_affinity;
    }

    /// Skip when the pod has no required terms and no existing pod's
    /// required anti-affinity matches it.
    fn pre_filter(&self, _pod: &Pod) -> PreResult {
        if self.required_affinity.is_empty()
            && self.required_anti_affinity.is_empty()
            && self.existing_anti_affinity_counts.is_empty()
        {
            PreResult::Skip
        } else {
            PreResult::Run
        }
    }

    fn filter(&self, pod: &Pod, node: NodeView) -> FilterResult {
        let labels = &node.node.metadata.labels;
        // satisfyPodAffinity.
        let mut pods_exist = true;
        for t in &self.required_affinity {
            let Some(v) = labels.get(&t.topology_key) else {
                return Err(Unfit::new(
                    Code::UnschedulableAndUnresolvable,
                    FilterReason::AffinityRulesNotMatch,
                ));
            };
            if get(&self.affinity_counts, &t.topology_key, v) <= 0 {
                pods_exist = false;
            }
        }
        if !pods_exist {
            // The first pod of a group with affinity to itself may go anywhere.
            let first_of_group = self.affinity_counts.is_empty()
                && self.required_affinity.iter().all(|t| matches(t, pod));
            if !first_of_group {
                return Err(Unfit::new(
                    Code::UnschedulableAndUnresolvable,
                    FilterReason::AffinityRulesNotMatch,
                ));
            }
        }
        // satisfyPodAntiAffinity.
        for t in &self.required_anti_affinity {
            if let Some(v) = labels.get(&t.topology_key) {
                if get(&self.anti_affinity_counts, &t.topology_key, v) > 0 {
                    return Err(Unfit::new(
                        Code::Unschedulable,
                        FilterReason::AntiAffinityRulesNotMatch,
                    ));
                }
            }
        }
        // satisfyExistingPodsAntiAffinity.
        for (key, values) in &self.existing_anti_affinity_counts {
            if let Some(v) = labels.get(key) {
                if values.get(v.as_str()).copied().unwrap_or(0) > 0 {
                    return Err(Unfit::new(
                        Code::Unschedulable,
                        FilterReason::ExistingAntiAffinityRulesNotMatch,
                    ));
                }
            }
        }
        Ok(())
    }

    fn pre_score(&self, _pod: &Pod) -> PreResult {
        if self.score_runs {
            PreResult::Run
        } else {
            PreResult::Skip
        }
    }

    fn score(&self, _pod: &Pod, node: NodeView) -> i64 {
        let labels = &node.node.metadata.labels;
        self.topology_score
            .iter()
            .filter_map(|(key, values)| labels.get(key).and_then(|v| values.get(v.as_str())))
            .sum()
    }

    /// Min–max scaling: `100 · (s − min) / (max − min)`, 0 when all are equal.
    fn normalize(&self, _pod: &Pod, scores: &mut [i64]) {
        let min = scores.iter().copied().min().unwrap_or(0);
        let max = scores.iter().copied().max().unwrap_or(0);
        let diff = max - min;
        for s in scores.iter_mut() {
            *s = if diff > 0 {
                (MAX_NODE_SCORE as f64 * ((*s - min) as f64 / diff as f64)) as i64
            } else {
                0
            };
        }
    }

    /// Pods leaving may lift anti-affinity; a new node may be a new domain.
    fn is_schedulable_after(
        &self,
        _pod: &Pod,
        _event: ClusterEvent,
        _state: &ClusterState,
    ) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimTime;
    use crate::model::labels::LabelSelector;
    use crate::model::node::{LABEL_HOSTNAME, LABEL_TOPOLOGY_ZONE};
    use crate::model::pod::fixtures::pod;
    use crate::model::resources::ResourceNames;
    use crate::model::store::NodeId;
    use crate::model::topology::{PodAffinity, PodAffinityTerm, WeightedPodAffinityTerm};
    use crate::scheduler::plugins::test_nodes::node;

    const NODES: &[(&str, &str)] = &[("a", "z1"), ("b", "z1"), ("x", "z2"), ("y", "z2")];

    fn term(app: &str, key: &str) -> PodAffinityTerm {
        let mut sel = LabelSelector::default();
        sel.match_labels.insert("app".into(), app.into());
        PodAffinityTerm {
            label_selector: Some(sel),
            topology_key: key.into(),
            ..Default::default()
        }
    }

    fn labelled(name: &str, app: &str, f: impl FnOnce(&mut crate::model::PodSpec)) -> Pod {
        let mut p = pod(name).spec(f).build();
        p.metadata.labels.insert("app".into(), app.into());
        p
    }

    /// Nodes a, b (zone z1), x, y (z2) and the given pods bound to node indexes.
    fn cluster(pods: Vec<(Pod, u32)>) -> ClusterState {
        let mut state = ClusterState::new(ResourceNames::default());
        for (name, zone) in NODES {
            let mut n = node(name, "64", "64Gi").node;
            n.metadata
                .labels
                .insert(LABEL_HOSTNAME.into(), name.to_string());
            n.metadata
                .labels
                .insert(LABEL_TOPOLOGY_ZONE.into(), zone.to_string());
            state.add_node(n);
        }
        for (p, on) in pods {
            let id = state.add_pod(p, SimTime::ZERO);
            state.bind(id, NodeId(on), SimTime::ZERO);
        }
        state
    }

    fn verdicts(state: &ClusterState, pod: &Pod) -> Vec<&'static str> {
        let mut plugin = InterPodAffinity::default();
        plugin.prepare(pod, state);
        (0..state.nodes.len() as u32)
            .map(
                |i| match plugin.filter(pod, NodeView::of(state, NodeId(i))) {
                    Ok(()) => "ok",
                    Err(u) => match u.reasons[0] {
                        FilterReason::AffinityRulesNotMatch => "affinity",
                        FilterReason::AntiAffinityRulesNotMatch => "anti",
                        _ => "existing-anti",
                    },
                },
            )
            .collect()
    }

    #[test]
    fn required_anti_affinity_keeps_replicas_one_per_node() {
        // filtering.go satisfyPodAntiAffinity: a web pod runs on a; the incoming web pod
        // is anti-affine to app=web by hostname, so only a is rejected.
        let state = cluster(vec![(labelled("web-0", "web", |_| {}), 0)]);
        let incoming = labelled("web-1", "web", |s| {
            s.affinity.pod_anti_affinity.required = vec![term("web", LABEL_HOSTNAME)];
        });
        assert_eq!(verdicts(&state, &incoming), ["anti", "ok", "ok", "ok"]);
        // By zone, the whole of z1 is excluded.
        let incoming = labelled("web-1", "web", |s| {
            s.affinity.pod_anti_affinity.required = vec![term("web", LABEL_TOPOLOGY_ZONE)];
        });
        assert_eq!(verdicts(&state, &incoming), ["anti", "anti", "ok", "ok"]);
    }

    #[test]
    fn existing_pods_anti_affinity_is_checked_symmetrically() {
        // The existing pod on x refuses app=db in its zone; the incoming db pod has no
        // terms of its own and is still kept out of z2.
        let state = cluster(vec![(
            labelled("web-0", "web", |s| {
                s.affinity.pod_anti_affinity.required = vec![term("db", LABEL_TOPOLOGY_ZONE)];
            }),
            2,
        )]);
        let incoming = labelled("db-0", "db", |_| {});
        assert_eq!(
            verdicts(&state, &incoming),
            ["ok", "ok", "existing-anti", "existing-anti"]
        );
    }

    #[test]
    fn required_affinity_needs_a_matching_pod_in_the_domain_unless_first_of_group() {
        let cache_in_z2 = cluster(vec![(labelled("cache-0", "cache", |_| {}), 3)]);
        let with_affinity = |app: &str| {
            labelled("p", app, |s| {
                s.affinity.pod_affinity.required = vec![term("cache", LABEL_TOPOLOGY_ZONE)];
            })
        };
        assert_eq!(
            verdicts(&cache_in_z2, &with_affinity("web")),
            ["affinity", "affinity", "ok", "ok"]
        );
        // No cache pod anywhere: a web pod fits nowhere, but a cache pod with affinity
        // to app=cache is the first of its group and fits everywhere.
        let empty = cluster(vec![]);
        assert_eq!(
            verdicts(&empty, &with_affinity("web")),
            ["affinity", "affinity", "affinity", "affinity"]
        );
        assert_eq!(
            verdicts(&empty, &with_affinity("cache")),
            ["ok", "ok", "ok", "ok"]
        );
    }

    #[test]
    fn namespaces_limit_which_pods_a_term_sees() {
        // The term lists namespace `other`: the web pod in `default` does not count.
        let state = cluster(vec![(labelled("web-0", "web", |_| {}), 0)]);
        let mut t = term("web", LABEL_HOSTNAME);
        t.namespaces = vec!["other".into()];
        let incoming = labelled("p", "x", |s| {
            s.affinity.pod_anti_affinity.required = vec![t.clone()];
        });
        assert_eq!(verdicts(&state, &incoming), ["ok", "ok", "ok", "ok"]);
        // An empty namespaceSelector selects every namespace.
        t.namespace_selector = Some(LabelSelector::default());
        let incoming = labelled("p", "x", |s| {
            s.affinity.pod_anti_affinity.required = vec![t];
        });
        assert_eq!(verdicts(&state, &incoming), ["anti", "ok", "ok", "ok"]);
    }

    fn scores(state: &ClusterState, pod: &Pod, hard: i64) -> Vec<i64> {
        let mut plugin = InterPodAffinity::new(hard);
        plugin.prepare(pod, state);
        if plugin.pre_score(pod) == PreResult::Skip {
            return vec![];
        }
        let mut s: Vec<i64> = (0..state.nodes.len() as u32)
            .map(|i| plugin.score(pod, NodeView::of(state, NodeId(i))))
            .collect();
        plugin.normalize(pod, &mut s);
        s
    }

    #[test]
    fn preferred_terms_and_hard_affinity_weight_score_domains() {
        // scoring.go: web in z1 (node a); preferred affinity weight 5 to app=web by zone
        // gives z1 nodes 5 and z2 nodes 0; min–max → 100, 100, 0, 0.
        let state = cluster(vec![(labelled("web-0", "web", |_| {}), 0)]);
        let incoming = labelled("p", "x", |s| {
            s.affinity.pod_affinity = PodAffinity {
                required: vec![],
                preferred: vec![WeightedPodAffinityTerm {
                    weight: 5,
                    term: term("web", LABEL_TOPOLOGY_ZONE),
                }],
            };
        });
        assert_eq!(scores(&state, &incoming, 1), [100, 100, 0, 0]);
        // Preferred anti-affinity: the opposite.
        let incoming = labelled("p", "x", |s| {
            s.affinity.pod_anti_affinity.preferred = vec![WeightedPodAffinityTerm {
                weight: 5,
                term: term("web", LABEL_TOPOLOGY_ZONE),
            }];
        });
        assert_eq!(scores(&state, &incoming, 1), [0, 0, 100, 100]);
        // An existing pod on y requires affinity to app=x by hostname: y gets
        // hardPodAffinityWeight (1) → 0, 0, 0, 100; with weight 0 all score 0.
        let state = cluster(vec![(
            labelled("sidecar", "s", |s| {
                s.affinity.pod_affinity.required = vec![term("x", LABEL_HOSTNAME)];
            }),
            3,
        )]);
        let incoming = labelled("p", "x", |_| {});
        assert_eq!(scores(&state, &incoming, 1), [0, 0, 0, 100]);
        assert_eq!(scores(&state, &incoming, 0), [0, 0, 0, 0]);
        // No preferred terms and no existing pod with affinity: PreScore skips.
        assert_eq!(scores(&cluster(vec![]), &incoming, 1), Vec::<i64>::new());
    }
}
