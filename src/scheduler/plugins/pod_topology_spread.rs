//! PodTopologySpread (`pkg/scheduler/framework/plugins/podtopologyspread`,
//! `filtering.go` and `scoring.go`, v1.32).
//!
//! Filter (DoNotSchedule constraints): for each constraint, the pods matching
//! its selector are counted per topology domain over the nodes that carry
//! every constraint's key and pass the node inclusion policies; placing the
//! pod in the node's domain must keep `count + selfMatch − globalMin ≤ maxSkew`
//! (the minimum is 0 while fewer than `minDomains` domains exist).
//!
//! Score (ScheduleAnyway constraints, or the cluster defaults for a pod with
//! none that a Service or ReplicaSet selects): `Σ count·log(domains+2) + maxSkew−1`
//! per node, normalized so that the node with the fewest matching pods gets 100.
//!
//! The counting is done once per cycle in `prepare`/`prepare_score`; Filter
//! and Score per node are map lookups.

use super::counted_nodes::{shift, CountedNodes};
use super::node_domains::{node_domains, NodeDomains, NO_DOMAIN};
use super::{node_affinity, taint_toleration};
use crate::model::labels::LabelSelector;
use crate::model::node::{LABEL_HOSTNAME, LABEL_TOPOLOGY_ZONE};
use crate::model::store::{NodeId, PodId, WorkloadId};
use crate::model::topology::{InclusionPolicy, TopologySpreadConstraint, WhenUnsatisfiable};
use crate::model::workloads::{ReplicaSetSpec, StatefulSetSpec, WorkloadSpec};
use crate::model::{ClusterState, Node, Pod};
use crate::scheduler::framework::{
    ClusterEvent, Code, FilterReason, FilterResult, NodeView, Plugin, PreResult, QuickFilter,
    Unfit, MAX_NODE_SCORE,
};
use std::sync::LazyLock;

pub const NAME: &str = "PodTopologySpread";

/// Marks a node without every constraint's key in Score (upstream `invalidScore`).
const INVALID_SCORE: i64 = -1;

/// `defaultingType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultingType {
    /// The v1.32 system defaults (`systemDefaultConstraints`).
    System,
    /// `defaultConstraints` from the plugin args.
    List,
}

/// The system default constraints: zone maxSkew 5 and hostname maxSkew 3, ScheduleAnyway.
pub fn system_default_constraints() -> Vec<TopologySpreadConstraint> {
    [(LABEL_HOSTNAME, 3), (LABEL_TOPOLOGY_ZONE, 5)]
        .into_iter()
        .map(|(key, max_skew)| TopologySpreadConstraint {
            max_skew,
            topology_key: key.to_string(),
            when_unsatisfiable: WhenUnsatisfiable::ScheduleAnyway,
            label_selector: None,
            min_domains: None,
            node_affinity_policy: InclusionPolicy::Honor,
            node_taints_policy: InclusionPolicy::Ignore,
            match_label_keys: vec![],
        })
        .collect()
}

/// One constraint prepared for the pod of the current cycle.
#[derive(Clone, Debug)]
struct Prepared {
    constraint: TopologySpreadConstraint,
    selector: LabelSelector,
    self_match: bool,
    /// Matching pods per node, indexed by node id.
    per_node: Vec<i64>,
    /// The constraint key's node domains: an index into the plugin's cache.
    domains: Option<usize>,
    /// The key is the hostname: Score counts per node, not per domain.
    by_hostname: bool,
    /// Matching pods per domain, by domain index; `None` for a value that is
    /// not one of the constraint's domains.
    per_domain: Vec<Option<i64>>,
    /// How many domains there are (`Some` entries of `per_domain`).
    n_domains: usize,
    /// Filter: the smallest domain count (`TpKeyToCriticalPaths[key][0]`).
    min_match: i64,
    /// `log(domains + 2)` (Score).
    weight: f64,
    /// Filter's verdict per domain, by domain index, for the fused pass.
    passes: Vec<bool>,
}

/// `PodTopologySpreadArgs`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodTopologySpreadArgs {
    pub defaulting_type: DefaultingType,
    /// `defaultConstraints` when `defaulting_type` is List.
    pub default_constraints: Vec<TopologySpreadConstraint>,
}

impl Default for PodTopologySpreadArgs {
    fn default() -> Self {
        PodTopologySpreadArgs {
            defaulting_type: DefaultingType::System,
            default_constraints: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct PodTopologySpread {
    pub args: PodTopologySpreadArgs,
    filter: Vec<Prepared>,
    score: Vec<Prepared>,
    /// The score constraints are system defaults (nodes missing a key are not ignored).
    system_defaulted: bool,
    /// Score: nodes missing a constraint's key, by node id.
    ignored: Vec<bool>,
    /// Matching pods per node for recently used selectors, kept up to date
    /// from watch events so that a cycle does not scan every bound pod.
    counts: MatchingPodCounts,
    selecting: SelectingWorkloads,
    /// Node domains per topology key.
    domains: Vec<NodeDomains>,
}

impl PodTopologySpread {
    pub fn new(args: PodTopologySpreadArgs) -> Self {
        PodTopologySpread {
            args,
            ..Default::default()
        }
    }
}

/// `matchNodeInclusionPolicies`.
fn node_included(c: &TopologySpreadConstraint, pod: &Pod, node: &Node) -> bool {
    let affinity_ok = c.node_affinity_policy != InclusionPolicy::Honor
        || node_affinity::required_matches(pod, node);
    affinity_ok
        && (c.node_taints_policy != InclusionPolicy::Honor
            || taint_toleration::first_untolerated(pod, node).is_none())
}

/// `helper.DefaultSelector`: the selectors of the Services, ReplicaSets and StatefulSets
/// that select the pod, ANDed. Empty when none does. `selecting` lists the
/// Services and ReplicaSets among the workloads (see [`SelectingWorkloads`]).
fn default_selector(pod: &Pod, state: &ClusterState, selecting: &[WorkloadId]) -> LabelSelector {
    let mut s = LabelSelector::default();
    let labels = &pod.metadata.labels;
    for &id in selecting {
        let w = state.workload(id);
        if w.deleted.is_some() || w.workload.metadata.namespace != pod.metadata.namespace {
            continue;
        }
        match &w.workload.spec {
            WorkloadSpec::Service(svc) => {
                if let Some(sel) = &svc.selector {
                    if !sel.is_empty() && sel.iter().all(|(k, v)| labels.get(k) == Some(v)) {
                        s.match_labels
                            .extend(sel.iter().map(|(k, v)| (k.clone(), v.clone())));
                    }
                }
            }
            // ReplicaSets and StatefulSets alike (`helper.DefaultSelector`,
            // `pkg/scheduler/framework/plugins/helper/spread.go`).
            WorkloadSpec::ReplicaSet(ReplicaSetSpec { selector, .. })
            | WorkloadSpec::StatefulSet(StatefulSetSpec { selector, .. })
                if !selector.is_empty() && selector.matches(labels) =>
            {
                s.match_labels.extend(
                    selector
                        .match_labels
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone())),
                );
                s.match_expressions
                    .extend(selector.match_expressions.iter().cloned());
            }
            _ => {}
        }
    }
    s
}

/// The Services, ReplicaSets and StatefulSets among the workloads, in creation order:
/// workloads are only ever appended, so each is looked at once, and a pod's
/// default selector does not walk the many Jobs of a long run.
#[derive(Clone, Debug, Default)]
struct SelectingWorkloads {
    ids: Vec<WorkloadId>,
    seen: usize,
}

impl SelectingWorkloads {
    fn update(&mut self, state: &ClusterState) -> &[WorkloadId] {
        for (i, w) in state.workloads().iter().enumerate().skip(self.seen) {
            if matches!(
                w.workload.spec,
                WorkloadSpec::Service(_)
                    | WorkloadSpec::ReplicaSet(_)
                    | WorkloadSpec::StatefulSet(_)
            ) {
                self.ids.push(WorkloadId(i as u32));
            }
        }
        self.seen = state.workloads().len();
        &self.ids
    }
}

/// Matching pods per domain of `p`'s key (`domains`) over the nodes that
/// have every key in `required` and pass `p`'s inclusion policies: `None`
/// for a domain no such node is in.
fn count_per_domain(
    p: &Prepared,
    domains: &NodeDomains,
    required: &[&NodeDomains],
    pod: &Pod,
    state: &ClusterState,
) -> Vec<Option<i64>> {
    let mut per_domain = vec![None; domains.names.len()];
    let c = &p.constraint;
    // The common case: no node selector or affinity to honor and taints
    // ignored (the defaults), so every node is included.
    let every_node_included = c.node_taints_policy == InclusionPolicy::Ignore
        && (c.node_affinity_policy == InclusionPolicy::Ignore
            || (pod.spec.node_selector.is_empty() && pod.spec.affinity.node_affinity.is_none()));
    if every_node_included && required.iter().all(|r| r.key == domains.key) {
        // Only this key's domains decide, and each has a node (`NodeDomains`
        // names only values of existing nodes): a plain sum per domain.
        let mut sums = vec![0i64; domains.names.len()];
        for (&d, &n) in domains.of_node.iter().zip(&p.per_node) {
            if let Some(sum) = sums.get_mut(d as usize) {
                *sum += n;
            }
        }
        per_domain
            .iter_mut()
            .zip(sums)
            .for_each(|(c, s)| *c = Some(s));
        return per_domain;
    }
    for (i, node) in state.nodes().iter().enumerate() {
        let d = domains.of_node[i];
        if d == NO_DOMAIN
            || required.iter().any(|r| r.of_node[i] == NO_DOMAIN)
            || !(every_node_included || node_included(c, pod, node))
        {
            continue;
        }
        *per_domain[d as usize].get_or_insert(0) += p.per_node[i];
    }
    per_domain
}

impl PodTopologySpread {
    /// `getConstraints`: the pod's own constraints, or the defaults with the
    /// pod's default selector. The bool is true for defaults.
    fn constraints(&mut self, pod: &Pod, state: &ClusterState) -> (Vec<Prepared>, bool) {
        let own = &pod.spec.topology_spread_constraints;
        let (list, defaulted): (Vec<(TopologySpreadConstraint, LabelSelector)>, bool) =
            if !own.is_empty() {
                let list = own
                    .iter()
                    .map(|c| {
                        // A constraint without a selector matches no pod and still counts domains.
                        let sel = c.effective_selector(&pod.metadata.labels);
                        (c.clone(), sel.unwrap_or_else(match_nothing))
                    })
                    .collect();
                (list, false)
            } else {
                if self.args.defaulting_type == DefaultingType::List
                    && self.args.default_constraints.is_empty()
                {
                    return (Vec::new(), false);
                }
                let selecting = self.selecting.update(state);
                let selector = default_selector(pod, state, selecting);
                if selector.is_empty() {
                    return (Vec::new(), false);
                }
                let defaults = match self.args.defaulting_type {
                    DefaultingType::System => system_default_constraints(),
                    DefaultingType::List => self.args.default_constraints.clone(),
                };
                let list = defaults
                    .into_iter()
                    .map(|c| (c, selector.clone()))
                    .collect();
                (list, true)
            };
        let prepared = list
            .into_iter()
            .map(|(constraint, selector)| Prepared {
                self_match: selector.matches(&pod.metadata.labels),
                by_hostname: constraint.topology_key == LABEL_HOSTNAME,
                constraint,
                selector,
                per_node: Vec::new(),
                domains: None,
                per_domain: Vec::new(),
                n_domains: 0,
                min_match: 0,
                weight: 0.0,
                passes: Vec::new(),
            })
            .collect();
        (prepared, defaulted)
    }
}

/// A selector no pod matches (`labels.Nothing()`), for a constraint without labelSelector.
fn match_nothing() -> LabelSelector {
    use crate::model::labels::{Operator, Requirement};
    LabelSelector {
        match_labels: Default::default(),
        match_expressions: vec![
            Requirement {
                key: "kubesim.io/nothing".into(),
                operator: Operator::Exists,
                values: vec![],
            },
            Requirement {
                key: "kubesim.io/nothing".into(),
                operator: Operator::DoesNotExist,
                values: vec![],
            },
        ],
    }
}

/// Whether an existing pod counts for `countPodsMatchSelector`: bound (it
/// holds its node) and not terminating. Namespace and selector aside.
fn counted_node(state: &ClusterState, id: PodId) -> Option<NodeId> {
    let e = state.pod(id);
    if e.terminating.is_some() || !state.bound_pods().contains(&id) {
        return None;
    }
    e.node
}

/// `countPodsMatchSelector` for every node at once by scanning every bound
/// pod: pods in the namespace, bound, not terminating, matching the selector.
fn scan_per_node(namespace: &str, selector: &LabelSelector, state: &ClusterState) -> Vec<i64> {
    let mut per_node = vec![0; state.nodes().len()];
    for &id in state.bound_pods() {
        let e = state.pod(id);
        let Some(node) = e.node else { continue };
        if e.terminating.is_some() || e.pod.metadata.namespace != namespace {
            continue;
        }
        if selector.matches(&e.pod.metadata.labels) {
            per_node[node.0 as usize] += 1;
        }
    }
    per_node
}

/// How many selectors' counts are kept (least recently used dropped first):
/// a pod's selectors are its own constraints' or its Service's and
/// ReplicaSet's, so a handful of workloads being scheduled at once share them.
const MAX_CACHED_SELECTORS: usize = 32;

/// The per-node counts of `scan_per_node` for recently used (namespace,
/// selector) pairs, updated pod by pod from watch events instead of being
/// recounted every cycle. `node_of` mirrors which pods count and where, so
/// that an event is applied as the difference it makes.
#[derive(Clone, Debug, Default)]
struct MatchingPodCounts {
    /// The node each counted pod (bound, not terminating) is on.
    node_of: CountedNodes,
    /// (namespace, selector, per-node counts, last use).
    entries: Vec<(String, LabelSelector, Vec<i64>, u64)>,
    uses: u64,
}

impl MatchingPodCounts {
    /// A pod was bound, started terminating, released its node or was
    /// deleted: count it again.
    fn pod_changed(&mut self, id: PodId, state: &ClusterState) {
        let Some(moved) = self.node_of.set(id, counted_node(state, id)) else {
            return;
        };
        let pod = &state.pod(id).pod;
        for (namespace, selector, per_node, _) in &mut self.entries {
            if *namespace == pod.metadata.namespace && selector.matches(&pod.metadata.labels) {
                shift(per_node, moved, state.nodes().len());
            }
        }
    }

    /// The matching pods per node, indexed by node id.
    fn per_node(
        &mut self,
        namespace: &str,
        selector: &LabelSelector,
        state: &ClusterState,
    ) -> &[i64] {
        self.uses += 1;
        let found = self
            .entries
            .iter()
            .position(|(ns, sel, _, _)| ns == namespace && sel == selector);
        let i = match found {
            Some(i) => i,
            None => {
                // A new selector: count by a scan, and refresh the mirror of
                // counted pods with it (it covers pods bound before any event).
                self.node_of.refresh(state, counted_node);
                if self.entries.len() == MAX_CACHED_SELECTORS {
                    let oldest = (0..self.entries.len())
                        .min_by_key(|&i| self.entries[i].3)
                        .expect("entries");
                    self.entries.swap_remove(oldest);
                }
                let counts = scan_per_node(namespace, selector, state);
                self.entries
                    .push((namespace.to_string(), selector.clone(), counts, 0));
                self.entries.len() - 1
            }
        };
        let entry = &mut self.entries[i];
        entry.3 = self.uses;
        entry.2.resize(state.nodes().len(), 0);
        debug_assert_eq!(
            entry.2,
            scan_per_node(namespace, selector, state),
            "kept counts of {selector:?} differ from a scan"
        );
        &entry.2
    }
}

/// `countPodsMatchSelector` for every node at once: pods in the namespace,
/// bound, not terminating, matching the selector.
fn count_per_node(
    counts: &mut MatchingPodCounts,
    prepared: &mut [Prepared],
    pod: &Pod,
    state: &ClusterState,
) {
    for p in prepared.iter_mut() {
        p.per_node.clear();
        p.per_node
            .extend_from_slice(counts.per_node(&pod.metadata.namespace, &p.selector, state));
    }
}

/// Filter's failures, for the quick filters.
static SKEW_UNFIT: LazyLock<Unfit> =
    LazyLock::new(|| Unfit::new(Code::Unschedulable, FilterReason::SpreadConstraintsNotMatch));
static MISSING_LABEL_UNFIT: LazyLock<Unfit> = LazyLock::new(|| {
    Unfit::new(
        Code::UnschedulableAndUnresolvable,
        FilterReason::SpreadMissingLabel,
    )
});

/// Filter's skew check for a node in domain `d` of `p`'s key.
fn skew_fits(p: &Prepared, d: u32) -> bool {
    let c = &p.constraint;
    let mut min_match = p.min_match;
    if c.min_domains
        .is_some_and(|m| (p.n_domains as i64) < m as i64)
    {
        min_match = 0;
    }
    let match_num = p.per_domain[d as usize].unwrap_or(0);
    let skew = match_num + p.self_match as i64 - min_match;
    skew <= c.max_skew as i64
}

impl Plugin for PodTopologySpread {
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
        self.counts.pod_changed(pod, state);
    }

    fn prepare(&mut self, pod: &Pod, state: &ClusterState) {
        let (all, defaulted) = self.constraints(pod, state);
        if all.is_empty() {
            // The common case, a pod with no constraints and no defaults: nothing to count.
            self.filter.clear();
            self.score.clear();
            self.system_defaulted = false;
            return;
        }
        self.system_defaulted = defaulted;
        let (mut filter, mut score): (Vec<Prepared>, Vec<Prepared>) = all
            .into_iter()
            .partition(|p| p.constraint.when_unsatisfiable == WhenUnsatisfiable::DoNotSchedule);
        count_per_node(&mut self.counts, &mut filter, pod, state);
        count_per_node(&mut self.counts, &mut score, pod, state);
        // PreFilter: domains over nodes with every key that pass the inclusion policies.
        for p in filter.iter_mut() {
            p.domains = Some(node_domains(
                &mut self.domains,
                &p.constraint.topology_key,
                state,
            ));
        }
        let required: Vec<&NodeDomains> = filter
            .iter()
            .filter_map(|p| p.domains.map(|k| &self.domains[k]))
            .collect();
        for (p, domains) in filter.iter_mut().zip(&required) {
            p.per_domain = count_per_domain(p, domains, &required, pod, state);
            p.n_domains = p.per_domain.iter().flatten().count();
            p.min_match = p.per_domain.iter().flatten().copied().min().unwrap_or(0);
            p.passes = (0..p.per_domain.len())
                .map(|d| skew_fits(p, d as u32))
                .collect();
        }
        self.filter = filter;
        self.score = score;
    }

    fn prepare_score(&mut self, pod: &Pod, state: &ClusterState, feasible: &[NodeId]) {
        if self.score.is_empty() {
            return;
        }
        let require_all = !self.system_defaulted;
        let (score, cache) = (&mut self.score, &mut self.domains);
        for p in score.iter_mut() {
            p.domains = Some(node_domains(cache, &p.constraint.topology_key, state));
        }
        let required: Vec<&NodeDomains> = if require_all {
            score
                .iter()
                .filter_map(|p| p.domains.map(|k| &cache[k]))
                .collect()
        } else {
            Vec::new()
        };
        // Domains with a feasible node, per constraint counted by domain.
        let by_domain = |p: &Prepared| p.domains.filter(|_| !p.by_hostname).map(|k| &cache[k]);
        let mut present: Vec<Vec<bool>> = score
            .iter()
            .map(|p| by_domain(p).map_or(Vec::new(), |d| vec![false; d.names.len()]))
            .collect();
        self.ignored.clear();
        self.ignored.resize(state.nodes().len(), false);
        let mut n_ignored = 0;
        for &id in feasible {
            let i = id.0 as usize;
            if required.iter().any(|r| r.of_node[i] == NO_DOMAIN) {
                self.ignored[i] = true;
                n_ignored += 1;
                continue;
            }
            for (p, present) in score.iter().zip(present.iter_mut()) {
                if let Some(d) = by_domain(p).map(|d| d.of_node[i]) {
                    if d != NO_DOMAIN {
                        present[d as usize] = true;
                    }
                }
            }
        }
        for (p, present) in score.iter_mut().zip(&present) {
            let size = if p.by_hostname {
                feasible.len() - n_ignored
            } else {
                present.iter().filter(|&&b| b).count()
            };
            p.weight = ((size + 2) as f64).ln();
        }
        // Count over all nodes, only into domains that a feasible node is in.
        for (p, present) in score.iter_mut().zip(&present) {
            let Some(d) = by_domain(p) else { continue };
            let counts = count_per_domain(p, d, &required, pod, state);
            p.per_domain = counts
                .into_iter()
                .zip(present)
                .map(|(count, &present)| present.then(|| count.unwrap_or(0)))
                .collect();
        }
    }

    /// Skip when the pod has no DoNotSchedule constraint.
    fn pre_filter(&self, _pod: &Pod) -> PreResult {
        if self.filter.is_empty() {
            PreResult::Skip
        } else {
            PreResult::Run
        }
    }

    fn filter(&self, _pod: &Pod, node: NodeView) -> FilterResult {
        for p in &self.filter {
            let domains = &self.domains[p.domains.expect("filter constraints are indexed")];
            let d = domains.of_node[node.id.0 as usize];
            if d == NO_DOMAIN {
                return Err(Unfit::new(
                    Code::UnschedulableAndUnresolvable,
                    FilterReason::SpreadMissingLabel,
                ));
            }
            if !skew_fits(p, d) {
                return Err(Unfit::new(
                    Code::Unschedulable,
                    FilterReason::SpreadConstraintsNotMatch,
                ));
            }
        }
        Ok(())
    }

    /// A node passes where its domain passes every constraint: the verdicts
    /// per domain are `filter`'s own (`skew_fits`), with its failures; a
    /// node without a constraint's key fails, one constraint after another
    /// as `filter` checks them.
    fn quick_filters<'a>(&'a self, _pod: &Pod, out: &mut Vec<QuickFilter<'a>>) -> bool {
        for p in &self.filter {
            let domains = &self.domains[p.domains.expect("filter constraints are indexed")];
            out.push(QuickFilter::Domains {
                of_node: &domains.of_node,
                passes: &p.passes,
                no_domain: false,
                unfit: &SKEW_UNFIT,
                no_domain_unfit: &MISSING_LABEL_UNFIT,
            });
        }
        true
    }

    fn pre_score(&self, _pod: &Pod) -> PreResult {
        if self.score.is_empty() {
            PreResult::Skip
        } else {
            PreResult::Run
        }
    }

    fn score(&self, _pod: &Pod, node: NodeView) -> i64 {
        if self
            .ignored
            .get(node.id.0 as usize)
            .copied()
            .unwrap_or(false)
        {
            return INVALID_SCORE;
        }
        let i = node.id.0 as usize;
        let mut score = 0.0;
        for p in &self.score {
            let c = &p.constraint;
            let domains = &self.domains[p.domains.expect("score constraints are indexed")];
            let d = domains.of_node[i];
            if d == NO_DOMAIN {
                // A node without the constraint's key adds nothing.
                continue;
            }
            let count = if p.by_hostname {
                p.per_node[i]
            } else {
                p.per_domain[d as usize].unwrap_or(0)
            };
            // scoreForCount.
            score += count as f64 * p.weight + (c.max_skew - 1) as f64;
        }
        score.round() as i64
    }

    /// Fewer matching pods score higher: `100 · (max + min − s) / max`.
    fn normalize(&self, _pod: &Pod, scores: &mut [i64]) {
        let valid = scores.iter().copied().filter(|&s| s != INVALID_SCORE);
        let min = valid.clone().min().unwrap_or(0);
        let max = valid.max().unwrap_or(0);
        for s in scores.iter_mut() {
            *s = if *s == INVALID_SCORE {
                0
            } else if max == 0 {
                MAX_NODE_SCORE
            } else {
                MAX_NODE_SCORE * (max + min - *s) / max
            };
        }
    }

    /// Pods coming and going change the counts; a node change may add a domain.
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
mod tests;
