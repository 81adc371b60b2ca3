//! DefaultPreemption, the PostFilter that runs when no node fits a pod
//! (`pkg/scheduler/framework/preemption/preemption.go` and
//! `pkg/scheduler/framework/plugins/defaultpreemption/default_preemption.go`, v1.32).
//!
//! Only strictly lower-priority pods can be victims. On each candidate node
//! every lower-priority pod is removed; if the preemptor then fits, the
//! removed pods are added back most important first (those whose eviction
//! would violate a PodDisruptionBudget before the others) and only those that
//! no longer fit stay victims. The nodes tried are limited as upstream
//! (`minCandidateNodesPercentage` 10, `minCandidateNodesAbsolute` 100, from a
//! random offset), nodes rejected for reasons preemption cannot fix
//! (UnschedulableAndUnresolvable) are skipped, and the node is chosen by
//! fewest PDB violations, lowest highest-victim priority, smallest sum of
//! priorities, fewest victims, then latest start time of the most important victims.
//!
//! Everything here is a pure function of the cluster state; the scheduler
//! deletes the victims (gracefully) and nominates the node.

use super::explain::{self, Explained, SummaryRow};
use super::framework::{Code, NodeView, PreResult};
use super::Scheduler;
use crate::engine::SimTime;
use crate::model::policy::{preemption_policy, PodDisruptionBudget, PreemptionPolicy};
use crate::model::store::{NodeId, NodeUsage, PodId};
use crate::model::ClusterState;
use rand::Rng;
use std::collections::BTreeMap;

/// `DefaultPreemptionArgs` (defaults from `pkg/scheduler/apis/config/v1/defaults.go`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PreemptionArgs {
    /// 0..=100.
    pub min_candidate_nodes_percentage: u32,
    pub min_candidate_nodes_absolute: u32,
}

impl Default for PreemptionArgs {
    fn default() -> Self {
        PreemptionArgs {
            min_candidate_nodes_percentage: 10,
            min_candidate_nodes_absolute: 100,
        }
    }
}

/// `calculateNumCandidates`: how many candidate nodes the dry run looks for
/// among `num_nodes` potential ones.
pub fn num_candidates(args: PreemptionArgs, num_nodes: usize) -> usize {
    let n = num_nodes * args.min_candidate_nodes_percentage as usize / 100;
    n.max(args.min_candidate_nodes_absolute as usize)
        .min(num_nodes)
}

/// The victims on one node and how many of them violate a PDB.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Victims {
    /// Most important first.
    pub pods: Vec<PodId>,
    pub num_pdb_violations: usize,
}

/// A node the preemptor would fit on once its victims are gone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub node: NodeId,
    pub victims: Victims,
}

/// When a bound pod started, for ordering by importance: upstream uses
/// `status.startTime`, which the kubelet sets on admission; kubesim's kubelet
/// admits at binding, so the binding time stands for it.
fn start_time(state: &ClusterState, id: PodId) -> SimTime {
    state
        .pod(id)
        .status
        .conditions
        .pod_scheduled
        .unwrap_or(SimTime::MAX)
}

fn priority(state: &ClusterState, id: PodId) -> i32 {
    state.pod(id).pod.spec.priority
}

/// `MoreImportantPod` as a sort key: higher priority first, then earlier start.
fn importance_order(state: &ClusterState, a: PodId, b: PodId) -> std::cmp::Ordering {
    priority(state, b)
        .cmp(&priority(state, a))
        .then(start_time(state, a).cmp(&start_time(state, b)))
        .then(a.cmp(&b))
}

/// Whether a PDB counts for a pod in preemption (`filterPodsWithPDBViolation`):
/// same namespace and a non-empty selector that matches (upstream: "A PDB with
/// a nil or empty selector matches nothing").
fn pdb_covers(pdb: &PodDisruptionBudget, state: &ClusterState, id: PodId) -> bool {
    let entry = state.pod(id);
    entry.pod.metadata.namespace == pdb.metadata.namespace
        && pdb
            .selector
            .as_ref()
            .is_some_and(|s| !s.is_empty() && s.matches(&entry.pod.metadata.labels))
}

/// `filterPodsWithPDBViolation`: splits `pods` (in order) into those whose
/// eviction would take some PDB below zero allowed disruptions and the others.
pub fn split_by_pdb_violation(
    pods: &[PodId],
    pdbs: &[PodDisruptionBudget],
    disruptions_allowed: &[i32],
    state: &ClusterState,
) -> (Vec<PodId>, Vec<PodId>) {
    let mut allowed = disruptions_allowed.to_vec();
    let (mut violating, mut non_violating) = (Vec::new(), Vec::new());
    for &p in pods {
        let mut violated = false;
        for (i, pdb) in pdbs.iter().enumerate() {
            if pdb_covers(pdb, state, p) {
                allowed[i] -= 1;
                if allowed[i] < 0 {
                    violated = true;
                }
            }
        }
        if violated {
            violating.push(p)
        } else {
            non_violating.push(p)
        }
    }
    (violating, non_violating)
}

/// `selectVictimsOnNode`. `pods_on_node` are the pods holding resources on
/// the node; `base` is the node's usage as the filters should see it (with
/// nominated pods of at least the preemptor's priority added); `fits` runs the
/// profile's filters for the preemptor against a usage. `None`: the preemptor
/// does not fit even with every lower-priority pod gone.
pub fn select_victims_on_node(
    preemptor: PodId,
    pods_on_node: &[PodId],
    base: &NodeUsage,
    state: &ClusterState,
    pdbs: &[PodDisruptionBudget],
    disruptions_allowed: &[i32],
    fits: &mut dyn FnMut(&NodeUsage) -> bool,
) -> Option<Victims> {
    let preemptor_priority = priority(state, preemptor);
    let mut potential: Vec<PodId> = pods_on_node
        .iter()
        .copied()
        .filter(|&p| priority(state, p) < preemptor_priority)
        .collect();
    if potential.is_empty() {
        return None;
    }
    let mut usage = *base;
    for &p in &potential {
        remove(&mut usage, state, p);
    }
    if !fits(&usage) {
        return None;
    }
    potential.sort_by(|&a, &b| importance_order(state, a, b));
    let (violating, non_violating) =
        split_by_pdb_violation(&potential, pdbs, disruptions_allowed, state);
    let mut victims = Victims {
        pods: Vec::new(),
        num_pdb_violations: 0,
    };
    for (group, is_violating) in [(violating, true), (non_violating, false)] {
        for p in group {
            add(&mut usage, state, p);
            if !fits(&usage) {
                remove(&mut usage, state, p);
                victims.pods.push(p);
                if is_violating {
                    victims.num_pdb_violations += 1;
                }
            }
        }
    }
    // Upstream sorts the final victims by importance again.
    victims.pods.sort_by(|&a, &b| importance_order(state, a, b));
    Some(victims)
}

fn add(usage: &mut NodeUsage, state: &ClusterState, p: PodId) {
    let pod = &state.pod(p).pod;
    usage.requested += &pod.requests;
    usage.non_zero_requested += &pod.non_zero_requests;
    usage.pod_count += 1;
}

fn remove(usage: &mut NodeUsage, state: &ClusterState, p: PodId) {
    let pod = &state.pod(p).pod;
    usage.requested -= &pod.requests;
    usage.non_zero_requested -= &pod.non_zero_requests;
    usage.pod_count -= 1;
}

/// `pickOneNodeForPreemption`: the index of the chosen candidate.
pub fn pick_one_node(candidates: &[Candidate], state: &ClusterState) -> Option<usize> {
    pick_one_node_why(candidates, state).map(|(i, _)| i)
}

/// What decided the pick, as decisions_summary.csv names it: one of
/// [`PICK_CRITERIA`], or `only candidate`, `no victims`, `first of the tied`.
pub const PICK_CRITERIA: [&str; 5] = [
    "fewest PDB violations",
    "lowest highest-victim priority",
    "smallest sum of victim priorities",
    "fewest victims",
    "latest start of the highest-priority victims",
];

/// [`pick_one_node`] and the criterion that decided it. Each criterion, in
/// upstream's order, keeps only the best candidates by it; the one that
/// leaves a single candidate decided; if ties remain, the first left wins
/// (upstream: "the first such node is picked (sort of randomly)").
pub fn pick_one_node_why(
    candidates: &[Candidate],
    state: &ClusterState,
) -> Option<(usize, &'static str)> {
    if candidates.is_empty() {
        return None;
    }
    // A node that needs no victims wins at once.
    if let Some(i) = candidates.iter().position(|c| c.victims.pods.is_empty()) {
        return Some((i, "no victims"));
    }
    if candidates.len() == 1 {
        return Some((0, "only candidate"));
    }
    let highest = |c: &Candidate| priority(state, c.victims.pods[0]) as i64;
    // Upstream shifts each priority by MaxInt32 + 1 so sums are non-negative; the order is the same.
    let sum = |c: &Candidate| {
        c.victims
            .pods
            .iter()
            .map(|&p| priority(state, p) as i64 + i32::MAX as i64 + 1)
            .sum::<i64>()
    };
    // `GetEarliestPodStartTime`: the earliest start among the highest-priority victims.
    let earliest_start = |c: &Candidate| {
        let top = priority(state, c.victims.pods[0]);
        c.victims
            .pods
            .iter()
            .filter(|&&p| priority(state, p) == top)
            .map(|&p| start_time(state, p))
            .min()
            .unwrap_or(SimTime::MAX)
    };
    // Scores where higher is better, in upstream's order.
    let criteria: [&dyn Fn(&Candidate) -> i64; 5] = [
        &|c| -(c.victims.num_pdb_violations as i64),
        &|c| -highest(c),
        &|c| -sum(c),
        &|c| -(c.victims.pods.len() as i64),
        &|c| earliest_start(c).0 as i64,
    ];
    let mut left: Vec<usize> = (0..candidates.len()).collect();
    for (criterion, name) in criteria.into_iter().zip(PICK_CRITERIA) {
        let best = left.iter().map(|&i| criterion(&candidates[i])).max()?;
        left.retain(|&i| criterion(&candidates[i]) == best);
        if left.len() == 1 {
            return Some((left[0], name));
        }
    }
    left.first().map(|&i| (i, "first of the tied"))
}

/// A row of the explained pod's PostFilter, before it is put in
/// decisions_summary.csv (`in_summary`) and decisions.csv.
pub(super) struct PostFilterRow {
    node: String,
    code: &'static str,
    reason: String,
    nodes: Option<usize>,
    rank: Option<usize>,
    in_summary: bool,
}

/// A candidate's victims and what `pickOneNodeForPreemption` compares:
/// `victims default/a default/b; pdb violations 0`.
fn describe_victims(state: &ClusterState, victims: &Victims) -> String {
    let names: Vec<String> = (victims.pods.iter())
        .map(|&p| {
            let meta = &state.pod(p).pod.metadata;
            format!(
                "{}/{} (priority {})",
                meta.namespace,
                meta.name,
                priority(state, p)
            )
        })
        .collect();
    format!(
        "victims {}; pdb violations {}",
        names.join(" "),
        victims.num_pdb_violations
    )
}

/// The scheduler's side of preemption: run after a failed Filter pass, with
/// the failures still in the scratch buffers.
impl Scheduler {
    /// DefaultPreemption's PostFilter. Deletes the chosen victims gracefully
    /// and nominates the node; returns the text upstream appends to the
    /// FailedScheduling message ("preemption: …"), if any.
    pub(super) fn post_filter(
        &mut self,
        profile_idx: usize,
        pod_id: PodId,
        state: &mut ClusterState,
        now: SimTime,
        explained: &mut Explained,
    ) -> Option<String> {
        let pod = &state.pod(pod_id).pod;
        let every_node = self.explain.every_node.wants(pod);
        let mut audit = (every_node || self.explain.pods.wants(pod)).then(Vec::new);
        let (name, attempt) = (
            pod.metadata.name.clone(),
            state.pod(pod_id).scheduling_attempts,
        );
        let message = self.preempt(profile_idx, pod_id, state, now, audit.as_mut());
        let Some(mut rows) = audit else {
            return message;
        };
        if let Some(message) = &message {
            rows.push(PostFilterRow {
                node: String::new(),
                code: Code::Unschedulable.as_str(),
                reason: message.clone(),
                nodes: None,
                rank: None,
                in_summary: true,
            });
        }
        for row in rows {
            let summary = SummaryRow {
                nodes: row.nodes,
                rank: row.rank,
                ..SummaryRow::note(
                    now,
                    &name,
                    attempt,
                    "postfilter",
                    "DefaultPreemption",
                    row.code,
                    row.reason,
                    &row.node,
                )
            };
            if every_node {
                explained.decisions.push(summary.as_decision());
            }
            if row.in_summary {
                explained.summary.push(summary);
            }
        }
        message
    }

    /// The preemption itself; `audit`, when the pod is explained, gets the
    /// candidates and the pick.
    fn preempt(
        &mut self,
        profile_idx: usize,
        pod_id: PodId,
        state: &mut ClusterState,
        now: SimTime,
        mut audit: Option<&mut Vec<PostFilterRow>>,
    ) -> Option<String> {
        let args = self.profiles[profile_idx].preemption?;
        let n_nodes = self.node_order.len();
        if n_nodes == 0 {
            return None;
        }
        let entry = state.pod(pod_id);
        let pod = &entry.pod;
        let preemptor_priority = pod.spec.priority;
        // `PodEligibleToPreemptOthers`.
        if preemption_policy(&pod.spec, state.priority_classes()) == PreemptionPolicy::Never {
            return Some("preemption: not eligible due to preemptionPolicy=Never.".into());
        }
        if let Some(nominated) = self.nominator.node_of(pod_id) {
            let unresolvable =
                self.scratch.failures.iter().any(|(n, _, u)| {
                    *n == nominated && u.code == Code::UnschedulableAndUnresolvable
                });
            let on_nominated = state.bound_pods_on_node(nominated).iter();
            let terminating_lower = on_nominated
                .map(|&id| state.pod(id))
                .any(|e| e.terminating.is_some() && e.pod.spec.priority < preemptor_priority);
            if !unresolvable && terminating_lower {
                return Some(
                    "preemption: not eligible due to a terminating pod on the nominated node."
                        .into(),
                );
            }
        }

        // Nodes where removing pods might help: not UnschedulableAndUnresolvable.
        let potential: Vec<NodeId> = self
            .scratch
            .failures
            .iter()
            .filter(|(_, _, u)| u.code == Code::Unschedulable)
            .map(|(n, _, _)| *n)
            .collect();
        let mut candidates = Vec::new();
        let mut diagnosis: BTreeMap<String, usize> = BTreeMap::new();
        if !potential.is_empty() {
            let pdbs = state.pod_disruption_budgets();
            let allowed: Vec<i32> = pdbs.iter().map(|p| p.disruptions_allowed(state)).collect();
            // `GetOffsetAndNumCandidates`: a random start so that preemption spreads.
            let offset = self.preemption_rng.gen_range(0..potential.len());
            let want = num_candidates(args, potential.len());
            let profile = &self.profiles[profile_idx];
            let run: Vec<usize> = profile
                .filter
                .iter()
                .copied()
                .filter(|&i| profile.plugins[i].pre_filter(pod) == PreResult::Run)
                .collect();
            let mut non_violating = 0;
            for k in 0..potential.len() {
                let node_id = potential[(offset + k) % potential.len()];
                let base = (self.nominator)
                    .usage_with_nominated(state, node_id, pod_id)
                    .unwrap_or(*state.node_usage(node_id));
                // Why the pod does not fit with every lower-priority pod gone (the
                // first check): the node's entry in the preemption diagnosis.
                let mut first_failure: Option<Option<String>> = None;
                let mut fits = |usage: &NodeUsage| {
                    let view = NodeView {
                        usage,
                        ..NodeView::of(state, node_id)
                    };
                    let failed = run
                        .iter()
                        .find_map(|&i| profile.plugins[i].filter(pod, view).err());
                    if first_failure.is_none() {
                        first_failure = Some(failed.as_ref().map(|u| u.message(state, view.node)));
                    }
                    failed.is_none()
                };
                let victims = select_victims_on_node(
                    pod_id,
                    state.bound_pods_on_node(node_id),
                    &base,
                    state,
                    pdbs,
                    &allowed,
                    &mut fits,
                );
                let Some(victims) = victims else {
                    // `selectVictimsOnNode`'s status for this node.
                    let reason = first_failure.flatten().unwrap_or_else(|| {
                        "No preemption victims found for incoming pod".to_string()
                    });
                    *diagnosis.entry(reason).or_default() += 1;
                    continue;
                };
                {
                    non_violating += (victims.num_pdb_violations == 0) as usize;
                    candidates.push(Candidate {
                        node: node_id,
                        victims,
                    });
                    if non_violating > 0 && candidates.len() >= want {
                        break;
                    }
                }
            }
        }
        if let Some(rows) = audit.as_deref_mut() {
            rows.push(PostFilterRow {
                node: String::new(),
                code: explain::SUCCESS,
                reason: "candidates".to_string(),
                nodes: Some(candidates.len()),
                rank: None,
                in_summary: true,
            });
            for c in &candidates {
                rows.push(PostFilterRow {
                    node: state.node(c.node).name().to_string(),
                    code: explain::SUCCESS,
                    reason: format!("candidate: {}", describe_victims(state, &c.victims)),
                    nodes: None,
                    rank: None,
                    in_summary: false,
                });
            }
        }
        let picked = pick_one_node_why(&candidates, state);
        if let (Some(rows), Some((best, criterion))) = (audit, picked) {
            let c = &candidates[best];
            rows.push(PostFilterRow {
                node: state.node(c.node).name().to_string(),
                code: explain::SUCCESS,
                reason: format!(
                    "picked by {criterion}: {}",
                    describe_victims(state, &c.victims)
                ),
                nodes: None,
                rank: Some(1),
                in_summary: true,
            });
        }
        let Some(best) = picked.map(|(i, _)| i) else {
            self.nominator.set(pod_id, None);
            state.set_nominated_node(pod_id, None);
            let unresolvable = self.scratch.failures.len() - potential.len();
            if unresolvable > 0 {
                diagnosis.insert(
                    "Preemption is not helpful for scheduling".to_string(),
                    unresolvable,
                );
            }
            // As FitError.Error(): "count reason" entries sorted as strings.
            let mut parts: Vec<String> = diagnosis
                .iter()
                .map(|(reason, n)| format!("{n} {reason}"))
                .collect();
            parts.sort();
            return Some(format!(
                "preemption: 0/{n_nodes} nodes are available: {}.",
                parts.join(", ")
            ));
        };
        let chosen = candidates.swap_remove(best);
        // `prepareCandidate`: delete the victims gracefully, clear the
        // nominations of lower-priority pods on the node, nominate the node.
        let node_name = state.node(chosen.node).name().to_string();
        let preemptor = format!("{}/{}", pod.metadata.namespace, pod.metadata.name);
        for victim in chosen.victims.pods {
            state.request_pod_deletion(victim, now);
            // Upstream names the preemptor by UID; kubesim's pods have none, so namespace/name.
            state.record_pod_event(
                now,
                victim,
                "Preempted",
                format!("Preempted by pod {preemptor} on node {node_name}"),
            );
        }
        let lower: Vec<PodId> = (self.nominator.pods_on(chosen.node).iter().copied())
            .filter(|&p| state.pod(p).pod.spec.priority < preemptor_priority)
            .collect();
        for p in lower {
            self.nominator.set(p, None);
            state.set_nominated_node(p, None);
        }
        self.nominator.set(pod_id, Some(chosen.node));
        state.set_nominated_node(pod_id, Some(chosen.node));
        None
    }

    /// The node a pod is nominated to (`status.nominatedNodeName`).
    pub fn nominated_node(&self, pod_id: PodId) -> Option<NodeId> {
        self.nominator.node_of(pod_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::labels::LabelSelector;
    use crate::model::meta::ObjectMeta;
    use crate::model::pod::fixtures::pod;
    use crate::model::resources::ResourceNames;
    use crate::scheduler::plugins::test_nodes::node;

    /// A 4-cpu node with pods of (priority, cpu, bind time s), and a preemptor.
    fn cluster(
        pods: &[(i32, &str, u64)],
        preemptor: (i32, &str),
    ) -> (ClusterState, Vec<PodId>, PodId) {
        let mut state = ClusterState::new(ResourceNames::default());
        let n = state.add_node(node("n", "4", "8Gi").node);
        let mut ids = Vec::new();
        for (i, &(prio, cpu, t)) in pods.iter().enumerate() {
            let p = pod(&format!("p{i}"))
                .cpu(cpu)
                .spec(|s| s.priority = prio)
                .build();
            let mut p = p;
            p.metadata.labels.insert("app".into(), format!("p{i}"));
            let id = state.add_pod(p, SimTime::from_secs(t));
            state.bind(id, n, SimTime::from_secs(t));
            ids.push(id);
        }
        let pre = pod("preemptor")
            .cpu(preemptor.1)
            .spec(|s| s.priority = preemptor.0)
            .build();
        let pre = state.add_pod(pre, SimTime::from_secs(10));
        (state, ids, pre)
    }

    fn cpu_fits(state: &ClusterState, pre: PodId) -> impl FnMut(&NodeUsage) -> bool + '_ {
        move |u: &NodeUsage| u.requested.cpu_millis + state.pod(pre).pod.requests.cpu_millis <= 4000
    }

    fn pdb(app: &str, allowed_min: i32) -> PodDisruptionBudget {
        let mut selector = LabelSelector::default();
        selector.match_labels.insert("app".into(), app.into());
        PodDisruptionBudget {
            metadata: ObjectMeta {
                name: format!("pdb-{app}"),
                namespace: "default".into(),
                ..Default::default()
            },
            min_available: Some(crate::model::intstr::IntOrPercent::Int(allowed_min)),
            max_unavailable: None,
            selector: Some(selector),
        }
    }

    #[test]
    fn victims_are_reprieved_most_important_first() {
        // default_preemption_test.go "a pod that would fit on the machines, but other pods
        // running are higher priority, no preemption would happen" and the reprieve order:
        // p0 (10, 1 cpu), p1 (20, 1 cpu), p2 (5, 2 cpu) fill 4 cpu; the preemptor (100)
        // needs 2. All three removed, then p1 is re-added (1+2 ≤ 4), p0 too (2+2 ≤ 4),
        // p2 no longer fits (4+2 > 4): p2 is the only victim.
        let (state, ids, pre) = cluster(&[(10, "1", 1), (20, "1", 2), (5, "2", 3)], (100, "2"));
        let base = *state.node_usage(NodeId(0));
        let mut fits = cpu_fits(&state, pre);
        let v = select_victims_on_node(pre, &ids, &base, &state, &[], &[], &mut fits).unwrap();
        assert_eq!(v.pods, vec![ids[2]]);
        assert_eq!(v.num_pdb_violations, 0);
    }

    #[test]
    fn higher_or_equal_priority_pods_are_never_victims() {
        // p0 has the preemptor's priority: removing only p1 leaves 2 + 3 > 4.
        let (state, ids, pre) = cluster(&[(100, "2", 1), (5, "2", 2)], (100, "3"));
        let base = *state.node_usage(NodeId(0));
        let mut fits = cpu_fits(&state, pre);
        assert_eq!(
            select_victims_on_node(pre, &ids, &base, &state, &[], &[], &mut fits),
            None
        );
    }

    #[test]
    fn pdb_protected_pods_are_reprieved_first_and_counted_when_evicted() {
        // p0 (10) and p1 (10, bound later) 2 cpu each; a PDB with no disruption
        // allowed covers p1. Preemptor needs 2: p1 (violating) is re-added first and
        // fits, so p0 is the victim and nothing is violated.
        let (state, ids, pre) = cluster(&[(10, "2", 1), (10, "2", 2)], (100, "2"));
        let pdbs = [pdb("p1", 1)];
        let allowed = [0];
        let base = *state.node_usage(NodeId(0));
        let mut fits = cpu_fits(&state, pre);
        let v =
            select_victims_on_node(pre, &ids, &base, &state, &pdbs, &allowed, &mut fits).unwrap();
        assert_eq!((v.pods.clone(), v.num_pdb_violations), (vec![ids[0]], 0));
        // Needing all 4 cpu, both go and the PDB is violated once.
        let (state, ids, pre) = cluster(&[(10, "2", 1), (10, "2", 2)], (100, "4"));
        let mut fits = cpu_fits(&state, pre);
        let base = *state.node_usage(NodeId(0));
        let v =
            select_victims_on_node(pre, &ids, &base, &state, &pdbs, &allowed, &mut fits).unwrap();
        assert_eq!((v.pods.len(), v.num_pdb_violations), (2, 1));
    }

    #[test]
    fn disruptions_allowed_counts_ready_pods_against_min_available() {
        use crate::model::status::{ContainerRef, ContainerState};
        // Two matched pods, neither Ready: 0 healthy − 1 desired → 0 allowed (clamped).
        let (mut state, ids, _) = cluster(&[(10, "1", 1), (10, "1", 2)], (100, "1"));
        let mut both = pdb("p0", 1);
        both.selector = Some(LabelSelector::default());
        assert_eq!(both.disruptions_allowed(&state), 0);
        let t = SimTime::from_secs(3);
        for &id in &ids {
            for c in 0..state.pod(id).pod.spec.containers.len() {
                let running = ContainerState::Running { started_at: t };
                state.set_container_state(id, ContainerRef::App(c as u16), running, true);
            }
            state.update_pod_readiness(id, t, t);
        }
        // The empty selector matches every pod of the namespace (3 with the preemptor,
        // which is not Ready): 2 healthy − minAvailable 1 = 1.
        assert_eq!(both.disruptions_allowed(&state), 1);
    }

    fn candidate(node: u32, victims: Vec<PodId>, violations: usize) -> Candidate {
        Candidate {
            node: NodeId(node),
            victims: Victims {
                pods: victims,
                num_pdb_violations: violations,
            },
        }
    }

    #[test]
    fn pick_one_node_applies_upstream_criteria_in_order() {
        // Pods: p0 prio 30 t1, p1 prio 10 t2, p2 prio 10 t3, p3 prio 10 t4, p4 prio 5 t5.
        let (state, p, _) = cluster(
            &[
                (30, "0", 1),
                (10, "0", 2),
                (10, "0", 3),
                (10, "0", 4),
                (5, "0", 5),
            ],
            (100, "1"),
        );
        // 1. Fewest PDB violations beats a lower priority.
        let c = [candidate(0, vec![p[1]], 1), candidate(1, vec![p[0]], 0)];
        assert_eq!(pick_one_node(&c, &state), Some(1));
        // 2. Lowest highest-victim priority.
        let c = [
            candidate(0, vec![p[0]], 0),
            candidate(1, vec![p[1], p[2]], 0),
        ];
        assert_eq!(pick_one_node(&c, &state), Some(1));
        // 3. Smallest sum of (shifted) priorities: {10, 5} < {10, 10}.
        let c = [
            candidate(0, vec![p[1], p[2]], 0),
            candidate(1, vec![p[3], p[4]], 0),
        ];
        assert_eq!(pick_one_node(&c, &state), Some(1));
        // Fewer victims: {10} over {10, 5}; with upstream's shift by MaxInt32 + 1 the
        // sum criterion already prefers it (each victim adds about 2^31).
        let c = [
            candidate(0, vec![p[1], p[4]], 0),
            candidate(1, vec![p[2]], 0),
        ];
        assert_eq!(pick_one_node(&c, &state), Some(1));
        // 5. Latest start of the highest-priority victims: p3 (t4) over p1 (t2).
        let c = [candidate(0, vec![p[1]], 0), candidate(1, vec![p[3]], 0)];
        assert_eq!(pick_one_node(&c, &state), Some(1));
        // A node needing no victims wins outright.
        let c = [candidate(0, vec![p[4]], 0), candidate(1, vec![], 0)];
        assert_eq!(pick_one_node(&c, &state), Some(1));
    }

    #[test]
    fn pick_one_node_names_the_criterion_that_decided() {
        let (state, p, _) = cluster(&[(30, "0", 1), (10, "0", 2), (10, "0", 3)], (100, "1"));
        let why = |c: &[Candidate]| pick_one_node_why(c, &state);
        let c = [candidate(0, vec![p[1]], 1), candidate(1, vec![p[0]], 0)];
        assert_eq!(why(&c), Some((1, "fewest PDB violations")));
        let c = [candidate(0, vec![p[0]], 0), candidate(1, vec![p[1]], 0)];
        assert_eq!(why(&c), Some((1, "lowest highest-victim priority")));
        let c = [candidate(0, vec![p[1]], 0), candidate(1, vec![p[2]], 0)];
        assert_eq!(
            why(&c),
            Some((1, "latest start of the highest-priority victims"))
        );
        // Equal in everything: the first (upstream: "sort of randomly").
        let c = [candidate(0, vec![p[1]], 0), candidate(1, vec![p[1]], 0)];
        assert_eq!(why(&c), Some((0, "first of the tied")));
        assert_eq!(why(&c[..1]), Some((0, "only candidate")));
        let c = [candidate(0, vec![p[1]], 0), candidate(1, vec![], 0)];
        assert_eq!(why(&c), Some((1, "no victims")));
        assert_eq!(why(&[]), None);
    }

    #[test]
    fn num_candidates_follows_upstream_table() {
        // default_preemption_test.go TestGetOffsetAndNumCandidates / calculateNumCandidates:
        // 10 nodes → all 10; 1000 nodes → max(100, 100) = 100; 5000 nodes → 10% = 500.
        let d = PreemptionArgs::default();
        assert_eq!(num_candidates(d, 10), 10);
        assert_eq!(num_candidates(d, 1000), 100);
        assert_eq!(num_candidates(d, 5000), 500);
        let args = PreemptionArgs {
            min_candidate_nodes_percentage: 40,
            min_candidate_nodes_absolute: 10,
        };
        // 100 nodes at 40% = 40 ≥ 10.
        assert_eq!(num_candidates(args, 100), 40);
        // 20 nodes at 40% = 8 < 10 → 10.
        assert_eq!(num_candidates(args, 20), 10);
    }
}
