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

use super::node_domains::{node_domains, NodeDomains, NO_DOMAIN};
use super::term_counts::TermCounts;
use crate::model::store::{NodeId, PodId};
use crate::model::topology::{PodAffinityTerm, ResolvedTerm};
use crate::model::{ClusterState, Pod};
use crate::scheduler::framework::{
    ClusterEvent, Code, FilterReason, FilterResult, NodeView, Plugin, PreResult, QuickFilter,
    Unfit, MAX_NODE_SCORE,
};
use std::sync::LazyLock;

pub const NAME: &str = "InterPodAffinity";

/// `InterPodAffinityArgs.hardPodAffinityWeight` default.
pub const DEFAULT_HARD_POD_AFFINITY_WEIGHT: i64 = 1;

/// Counts (or scores) per topology domain: for each topology key a term
/// names (an index into the plugin's node-domain cache), one count per
/// domain. Upstream's `topologyToMatchedTermCount` maps (key, value) pairs;
/// domain indexes make each addition and lookup an array access.
#[derive(Clone, Debug, Default)]
struct TopologyCounts {
    keys: Vec<(usize, Vec<i64>)>,
}

impl TopologyCounts {
    fn clear(&mut self) {
        self.keys.clear();
    }

    /// Nothing was added (upstream's map is empty).
    fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Adds `n` to the domain of `node` for `key`; nothing when the node
    /// lacks the key's label.
    fn add(&mut self, domains: &[NodeDomains], key: usize, node: NodeId, n: i64) {
        let d = domains[key].of_node[node.0 as usize];
        if d == NO_DOMAIN {
            return;
        }
        let i = match self.keys.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                self.keys.push((key, vec![0; domains[key].names.len()]));
                self.keys.len() - 1
            }
        };
        self.keys[i].1[d as usize] += n;
    }

    /// `add` of `per_node[i] * weight` for every node `i` with a non-zero
    /// count, in one pass.
    fn add_per_node(&mut self, domains: &[NodeDomains], key: usize, per_node: &[i64], weight: i64) {
        let of_node = &domains[key].of_node;
        let mut slot = None;
        for (&d, &n) in of_node.iter().zip(per_node) {
            if n == 0 || d == NO_DOMAIN {
                continue;
            }
            let i =
                *slot.get_or_insert_with(|| match self.keys.iter().position(|(k, _)| *k == key) {
                    Some(i) => i,
                    None => {
                        self.keys.push((key, vec![0; domains[key].names.len()]));
                        self.keys.len() - 1
                    }
                });
            self.keys[i].1[d as usize] += n * weight;
        }
    }

    fn get(&self, domains: &[NodeDomains], key: usize, node: NodeId) -> i64 {
        let d = domains[key].of_node[node.0 as usize];
        match self.keys.iter().find(|(k, _)| *k == key) {
            Some((_, counts)) if d != NO_DOMAIN => counts[d as usize],
            _ => 0,
        }
    }

    /// The counts of `node`'s domains, one per key it has a label for.
    fn of_node<'a>(
        &'a self,
        domains: &'a [NodeDomains],
        node: NodeId,
    ) -> impl Iterator<Item = i64> + 'a {
        self.keys.iter().filter_map(move |(key, counts)| {
            let d = domains[*key].of_node[node.0 as usize];
            (d != NO_DOMAIN).then(|| counts[d as usize])
        })
    }
}

/// Filter's failures, for the quick filters.
static AFFINITY_UNFIT: LazyLock<Unfit> = LazyLock::new(|| {
    Unfit::new(
        Code::UnschedulableAndUnresolvable,
        FilterReason::AffinityRulesNotMatch,
    )
});
static ANTI_AFFINITY_UNFIT: LazyLock<Unfit> =
    LazyLock::new(|| Unfit::new(Code::Unschedulable, FilterReason::AntiAffinityRulesNotMatch));
static EXISTING_ANTI_AFFINITY_UNFIT: LazyLock<Unfit> = LazyLock::new(|| {
    Unfit::new(
        Code::Unschedulable,
        FilterReason::ExistingAntiAffinityRulesNotMatch,
    )
});

/// One of the incoming pod's terms, with its topology key's index in the
/// node-domain cache.
#[derive(Clone, Debug)]
struct Term {
    term: ResolvedTerm,
    key: usize,
}

#[derive(Clone, Debug)]
pub struct InterPodAffinity {
    pub hard_pod_affinity_weight: i64,
    /// InterPodAffinityArgs `ignorePreferredTermsOfExistingPods`: a pod
    /// without preferred terms of its own scores 0 on every node, existing
    /// pods' terms unread (scoring.go PreScore, v1.32).
    pub ignore_preferred_terms_of_existing_pods: bool,
    required_affinity: Vec<Term>,
    required_anti_affinity: Vec<Term>,
    affinity_counts: TopologyCounts,
    anti_affinity_counts: TopologyCounts,
    existing_anti_affinity_counts: TopologyCounts,
    topology_score: TopologyCounts,
    /// Node domains per topology key.
    domains: Vec<NodeDomains>,
    score_runs: bool,
    /// Bound pods per node matched by recent pods' terms.
    term_counts: TermCounts,
    /// Filter's verdicts per domain for the fused pass (`quick_filters`):
    /// (topology key's index in `domains`, verdict by domain, the failure).
    quick: Vec<(usize, Vec<bool>, &'static Unfit)>,
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
            ignore_preferred_terms_of_existing_pods: false,
            required_affinity: Vec::new(),
            required_anti_affinity: Vec::new(),
            affinity_counts: TopologyCounts::default(),
            anti_affinity_counts: TopologyCounts::default(),
            existing_anti_affinity_counts: TopologyCounts::default(),
            topology_score: TopologyCounts::default(),
            domains: Vec::new(),
            score_runs: false,
            term_counts: TermCounts::default(),
            quick: Vec::new(),
        }
    }
}

impl InterPodAffinity {
    /// `filter`'s three checks as verdicts per domain, one entry per term
    /// (per key for the existing pods' anti-affinity), so that a node
    /// passes every entry exactly when `filter` passes it.
    fn quick_verdicts(&mut self, pod: &Pod) {
        self.quick.clear();
        if self.pre_filter(pod) == PreResult::Skip {
            return;
        }
        let domains = &self.domains;
        let per_domain = |counts: &TopologyCounts, key: usize, pass: fn(i64) -> bool| {
            let n = domains[key].names.len();
            match counts.keys.iter().find(|(k, _)| *k == key) {
                Some((_, c)) => c.iter().map(|&c| pass(c)).collect(),
                None => vec![pass(0); n],
            }
        };
        // satisfyPodAffinity: every term's key on the node, and a matching
        // pod in every term's domain unless the pod is the first of its group.
        let first_of_group = self.affinity_counts.is_empty()
            && self.required_affinity.iter().all(|t| matches(&t.term, pod));
        for t in &self.required_affinity {
            let passes = if first_of_group {
                vec![true; domains[t.key].names.len()]
            } else {
                per_domain(&self.affinity_counts, t.key, |c| c > 0)
            };
            self.quick.push((t.key, passes, &AFFINITY_UNFIT));
        }
        // satisfyPodAntiAffinity: no matching pod in the term's domain.
        for t in &self.required_anti_affinity {
            let passes = per_domain(&self.anti_affinity_counts, t.key, |c| c <= 0);
            self.quick.push((t.key, passes, &ANTI_AFFINITY_UNFIT));
        }
        // satisfyExistingPodsAntiAffinity: per key the node has a label for.
        for (key, counts) in &self.existing_anti_affinity_counts.keys {
            let passes = counts.iter().map(|&c| c <= 0).collect();
            self.quick
                .push((*key, passes, &EXISTING_ANTI_AFFINITY_UNFIT));
        }
    }
}

/// `term`, of `owner`'s spec, resolved in `owner`'s namespace and labels,
/// with its topology key's index in `domains`.
fn resolve(
    term: &PodAffinityTerm,
    owner: &Pod,
    domains: &mut Vec<NodeDomains>,
    state: &ClusterState,
) -> Term {
    let term = term.resolve(&owner.metadata.namespace, &owner.metadata.labels);
    let key = node_domains(domains, &term.topology_key, state);
    Term { term, key }
}

fn matches(term: &ResolvedTerm, pod: &Pod) -> bool {
    term.matches(&pod.metadata.namespace, &pod.metadata.labels)
}

/// `processTerm`: adds `weight` to the domain of the existing pod's node
/// (`node`) when `term` matches `pod`.
fn process_term(
    counts: &mut TopologyCounts,
    domains: &[NodeDomains],
    term: &Term,
    weight: i64,
    pod: &Pod,
    node: NodeId,
) {
    if domains[term.key].of_node[node.0 as usize] != NO_DOMAIN && matches(&term.term, pod) {
        counts.add(domains, term.key, node, weight);
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

    fn pod_changed(&mut self, pod: PodId, state: &ClusterState) {
        self.term_counts.pod_changed(pod, state);
    }

    fn prepare(&mut self, pod: &Pod, state: &ClusterState) {
        let affinity = &pod.spec.affinity;
        let domains = &mut self.domains;
        let mut resolve_own = |terms: &[PodAffinityTerm]| -> Vec<Term> {
            (terms.iter())
                .map(|t| resolve(t, pod, domains, state))
                .collect()
        };
        self.required_affinity = resolve_own(&affinity.pod_affinity.required);
        self.required_anti_affinity = resolve_own(&affinity.pod_anti_affinity.required);
        let preferred_affinity = (affinity.pod_affinity.preferred.iter()).map(|w| (w, w.weight));
        let preferred_anti_affinity =
            (affinity.pod_anti_affinity.preferred.iter()).map(|w| (w, -w.weight));
        let preferred: Vec<(Term, i64)> = preferred_affinity
            .chain(preferred_anti_affinity)
            .map(|(w, weight)| (resolve(&w.term, pod, domains, state), weight))
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
        // The incoming pod's terms read the index of bound pods by label
        // when it can count them all (listed namespaces and a selector; one
        // required affinity term, since several must match the same pod).
        let indexable = |t: &Term| t.term.namespace_selector.is_none() && t.term.selector.is_some();
        let indexed = own_terms
            && self.required_affinity.len() <= 1
            && self.required_affinity.iter().all(indexable)
            && self.required_anti_affinity.iter().all(indexable)
            && preferred.iter().all(|(t, _)| indexable(t));
        if indexed {
            let own = (self.required_affinity.iter().map(|t| (t, 1, 0)))
                .chain(self.required_anti_affinity.iter().map(|t| (t, 1, 1)))
                .chain(preferred.iter().map(|(t, w)| (t, *w, 2)));
            for (t, weight, which) in own {
                let counts = match which {
                    0 => &mut self.affinity_counts,
                    1 => &mut self.anti_affinity_counts,
                    _ => &mut self.topology_score,
                };
                let per_node = (self.term_counts.per_node(&t.term, state)).expect("indexable");
                counts.add_per_node(&self.domains, t.key, per_node, weight);
            }
        }
        let existing_pods = if own_terms && !indexed {
            state.bound_pods()
        } else {
            state.bound_pods_with_affinity()
        };
        let existing_terms_ignored =
            self.ignore_preferred_terms_of_existing_pods && preferred.is_empty();
        let domains = &mut self.domains;
        for &id in existing_pods {
            let e = state.pod(id);
            let Some(node_id) = e.node else { continue };
            let existing = &e.pod;
            // Incoming pod's required terms against the existing pod.
            if indexed {
                // Counted from the index above.
            } else if !self.required_affinity.is_empty()
                && self
                    .required_affinity
                    .iter()
                    .all(|t| matches(&t.term, existing))
            {
                for t in &self.required_affinity {
                    self.affinity_counts.add(domains, t.key, node_id, 1);
                }
            }
            for t in self.required_anti_affinity.iter().filter(|_| !indexed) {
                process_term(
                    &mut self.anti_affinity_counts,
                    domains,
                    t,
                    1,
                    existing,
                    node_id,
                );
            }
            // Incoming pod's preferred terms against the existing pod.
            for (t, w) in preferred.iter().filter(|_| !indexed) {
                process_term(&mut self.topology_score, domains, t, *w, existing, node_id);
            }
            let ea = &existing.spec.affinity;
            if ea.pod_affinity.is_empty() && ea.pod_anti_affinity.is_empty() {
                continue;
            }
            any_existing_affinity = true;
            // An existing pod's term, resolved in its namespace, against the incoming pod.
            let mut process = |counts: &mut TopologyCounts, t: &PodAffinityTerm, weight: i64| {
                let t = resolve(t, existing, domains, state);
                process_term(counts, domains, &t, weight, pod, node_id);
            };
            // The symmetric check: existing pods' required anti-affinity against the incoming pod.
            for t in &ea.pod_anti_affinity.required {
                process(&mut self.existing_anti_affinity_counts, t, 1);
            }
            // Existing pods' terms in scoring.
            if existing_terms_ignored {
                continue;
            }
            if self.hard_pod_affinity_weight > 0 {
                for t in &ea.pod_affinity.required {
                    process(&mut self.topology_score, t, self.hard_pod_affinity_weight);
                }
            }
            for w in &ea.pod_affinity.preferred {
                process(&mut self.topology_score, &w.term, w.weight);
            }
            for w in &ea.pod_anti_affinity.preferred {
                process(&mut self.topology_score, &w.term, -w.weight);
            }
        }
        self.score_runs =
            !preferred.is_empty() || (any_existing_affinity && !existing_terms_ignored);
        self.quick_verdicts(pod);
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
        let domains = &self.domains;
        // satisfyPodAffinity.
        let mut pods_exist = true;
        for t in &self.required_affinity {
            if domains[t.key].of_node[node.id.0 as usize] == NO_DOMAIN {
                return Err(Unfit::new(
                    Code::UnschedulableAndUnresolvable,
                    FilterReason::AffinityRulesNotMatch,
                ));
            }
            if self.affinity_counts.get(domains, t.key, node.id) <= 0 {
                pods_exist = false;
            }
        }
        if !pods_exist {
            // The first pod of a group with affinity to itself may go anywhere.
            let first_of_group = self.affinity_counts.is_empty()
                && self.required_affinity.iter().all(|t| matches(&t.term, pod));
            if !first_of_group {
                return Err(Unfit::new(
                    Code::UnschedulableAndUnresolvable,
                    FilterReason::AffinityRulesNotMatch,
                ));
            }
        }
        // satisfyPodAntiAffinity.
        for t in &self.required_anti_affinity {
            if self.anti_affinity_counts.get(domains, t.key, node.id) > 0 {
                return Err(Unfit::new(
                    Code::Unschedulable,
                    FilterReason::AntiAffinityRulesNotMatch,
                ));
            }
        }
        // satisfyExistingPodsAntiAffinity.
        let existing = &self.existing_anti_affinity_counts;
        if existing.of_node(domains, node.id).any(|count| count > 0) {
            return Err(Unfit::new(
                Code::Unschedulable,
                FilterReason::ExistingAntiAffinityRulesNotMatch,
            ));
        }
        Ok(())
    }

    fn quick_filters<'a>(&'a self, _pod: &Pod, out: &mut Vec<QuickFilter<'a>>) -> bool {
        out.extend(
            (self.quick.iter()).map(|(key, passes, unfit)| QuickFilter::Domains {
                of_node: &self.domains[*key].of_node,
                passes,
                // Only the pod's own affinity needs the key on the node.
                no_domain: !std::ptr::eq(*unfit, &*AFFINITY_UNFIT),
                unfit,
                no_domain_unfit: unfit,
            }),
        );
        true
    }

    fn pre_score(&self, _pod: &Pod) -> PreResult {
        if self.score_runs {
            PreResult::Run
        } else {
            PreResult::Skip
        }
    }

    fn score(&self, _pod: &Pod, node: NodeView) -> i64 {
        self.topology_score.of_node(&self.domains, node.id).sum()
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
        (0..state.nodes().len() as u32)
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
    fn one_plugin_follows_relabelled_and_added_nodes() {
        // The plugin keeps each node's domain between cycles: a node moved to
        // another zone, and a node added, must count where they are now.
        let mut state = cluster(vec![(labelled("web-0", "web", |_| {}), 0)]);
        let incoming = labelled("web-1", "web", |s| {
            s.affinity.pod_anti_affinity.required = vec![term("web", LABEL_TOPOLOGY_ZONE)];
            s.affinity.pod_affinity.preferred = vec![WeightedPodAffinityTerm {
                weight: 10,
                term: term("web", LABEL_TOPOLOGY_ZONE),
            }];
        });
        let mut plugin = InterPodAffinity::default();
        let mut cycle = |state: &ClusterState| {
            plugin.prepare(&incoming, state);
            (0..state.nodes().len() as u32)
                .map(|i| {
                    let view = NodeView::of(state, NodeId(i));
                    (
                        plugin.filter(&incoming, view).is_ok(),
                        plugin.score(&incoming, view),
                    )
                })
                .collect::<Vec<_>>()
        };
        let (no, yes) = ((false, 10), (true, 0));
        assert_eq!(cycle(&state), [no, no, yes, yes]);
        // Node a (with the web pod) moves to z2.
        state.update_node(NodeId(0), |n| {
            n.metadata
                .labels
                .insert(LABEL_TOPOLOGY_ZONE.into(), "z2".into());
        });
        assert_eq!(cycle(&state), [no, yes, no, no]);
        // A node joins z2, and one without a zone: only the first is excluded.
        for (name, zone) in [("c", Some("z2")), ("d", None)] {
            let mut n = node(name, "64", "64Gi").node;
            n.metadata.labels.insert(LABEL_HOSTNAME.into(), name.into());
            if let Some(zone) = zone {
                n.metadata
                    .labels
                    .insert(LABEL_TOPOLOGY_ZONE.into(), zone.into());
            }
            state.add_node(n);
        }
        assert_eq!(cycle(&state), [no, yes, no, no, no, yes]);
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
        let mut s: Vec<i64> = (0..state.nodes().len() as u32)
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

    // Upstream TestPreferredAffinityWithHardPodAffinitySymmetricWeight /
    // TestPreScoreStateEmptyNodes with IgnorePreferredTermsOfExistingPods:
    // an incoming pod without preferred terms ignores existing pods' terms
    // (all nodes score 0); one with preferred terms still reads them.
    #[test]
    fn ignore_preferred_terms_of_existing_pods() {
        let state = cluster(vec![(
            labelled("web-0", "web", |s| {
                s.affinity.pod_affinity.preferred = vec![WeightedPodAffinityTerm {
                    weight: 5,
                    term: term("x", LABEL_HOSTNAME),
                }];
            }),
            0,
        )]);
        let scores_ignoring = |pod: &Pod| {
            let mut plugin = InterPodAffinity::new(1);
            plugin.ignore_preferred_terms_of_existing_pods = true;
            plugin.prepare(pod, &state);
            if plugin.pre_score(pod) == PreResult::Skip {
                return vec![];
            }
            let mut s: Vec<i64> = (0..state.nodes().len() as u32)
                .map(|i| plugin.score(pod, NodeView::of(&state, NodeId(i))))
                .collect();
            plugin.normalize(pod, &mut s);
            s
        };
        let plain = labelled("p", "x", |_| {});
        assert_eq!(scores(&state, &plain, 1), [100, 0, 0, 0]);
        assert_eq!(scores_ignoring(&plain), Vec::<i64>::new());
        // With a preferred term of its own (anti-affinity to app=none, which
        // matches nothing), the existing pod's term counts again.
        let own = labelled("p", "x", |s| {
            s.affinity.pod_anti_affinity.preferred = vec![WeightedPodAffinityTerm {
                weight: 1,
                term: term("none", LABEL_HOSTNAME),
            }];
        });
        assert_eq!(scores_ignoring(&own), [100, 0, 0, 0]);
    }
}
