//! PriorityClass (`scheduling.k8s.io/v1`) and PodDisruptionBudget
//! (`policy/v1`): the objects that decide who may preempt whom, and how many
//! of a set of pods may be disrupted at once.
//!
//! A PDB's `disruptionsAllowed` is computed from the current cluster state
//! whenever it is needed, as the disruption controller would compute it
//! (`pkg/controller/disruption/disruption.go`, v1.32), without its delay.

use super::intstr::IntOrPercent;
use super::labels::LabelSelector;
use super::meta::ObjectMeta;
use super::pod::PodSpec;
use super::store::{ClusterState, PodEntry, WorkloadId};
use super::workloads::WorkloadSpec;

/// `spec.preemptionPolicy` of a PriorityClass (and of the pods it admits).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PreemptionPolicy {
    #[default]
    PreemptLowerPriority,
    Never,
}

impl PreemptionPolicy {
    pub fn parse(s: &str) -> Option<PreemptionPolicy> {
        match s {
            "PreemptLowerPriority" => Some(PreemptionPolicy::PreemptLowerPriority),
            "Never" => Some(PreemptionPolicy::Never),
            _ => None,
        }
    }
}

/// Largest value a user PriorityClass may have (`HighestUserDefinablePriority`);
/// larger values are reserved for the `system-` classes.
pub const HIGHEST_USER_DEFINABLE_PRIORITY: i64 = 1_000_000_000;

/// The two built-in classes (`pkg/apis/scheduling/types.go`): every cluster has them.
pub const SYSTEM_CLASSES: &[(&str, i32)] = &[
    ("system-cluster-critical", 2_000_000_000),
    ("system-node-critical", 2_000_001_000),
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriorityClass {
    pub name: String,
    pub value: i32,
    pub global_default: bool,
    pub preemption_policy: PreemptionPolicy,
}

/// The preemption policy of a pod: its class's (`PreemptLowerPriority` by default).
pub fn preemption_policy(spec: &PodSpec, classes: &[PriorityClass]) -> PreemptionPolicy {
    spec.priority_class_name
        .as_ref()
        .and_then(|n| classes.iter().find(|c| &c.name == n))
        .map_or(PreemptionPolicy::default(), |c| c.preemption_policy)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodDisruptionBudget {
    pub metadata: ObjectMeta,
    /// Exactly one of `min_available` and `max_unavailable` is set.
    pub min_available: Option<IntOrPercent>,
    pub max_unavailable: Option<IntOrPercent>,
    /// `None` (absent) selects no pods; an empty selector selects every pod of the namespace.
    pub selector: Option<LabelSelector>,
}

/// `intstr.GetScaledValueFromIntOrPercent` with `roundUp = true`.
fn scaled_up(v: IntOrPercent, total: i32) -> i32 {
    match v {
        IntOrPercent::Int(n) => n,
        IntOrPercent::Percent(p) => ((p as i64 * total as i64 + 99) / 100) as i32,
    }
}

impl PodDisruptionBudget {
    /// Whether the PDB covers this pod: same namespace, selector matches.
    pub fn selects(&self, entry: &PodEntry) -> bool {
        entry.pod.metadata.namespace == self.metadata.namespace
            && self
                .selector
                .as_ref()
                .is_some_and(|s| s.matches(&entry.pod.metadata.labels))
    }

    /// `status.disruptionsAllowed`: currentHealthy − desiredHealthy, at least 0.
    /// Healthy pods are Ready and not terminating (`countHealthyPods`). The
    /// expected count is the matched pods for an integer `minAvailable`, and
    /// otherwise the scale of the pods' controllers (`getExpectedScale`:
    /// a ReplicaSet's, or its Deployment's, replicas); when a pod has no
    /// scalable controller the controller fails safe with 0 allowed.
    pub fn disruptions_allowed(&self, state: &ClusterState) -> i32 {
        let pods = state
            .pods
            .iter()
            .filter(|e| e.deleted.is_none() && self.selects(e));
        let mut matched = 0;
        let mut healthy = 0;
        let mut controllers: Vec<WorkloadId> = Vec::new();
        let mut unscalable = false;
        for e in pods {
            matched += 1;
            if e.terminating.is_none() && e.status.conditions.ready.is_some() {
                healthy += 1;
            }
            match e.owner.and_then(|w| scalable_controller(state, w)) {
                Some(w) => {
                    if !controllers.contains(&w) {
                        controllers.push(w);
                    }
                }
                None => unscalable = true,
            }
        }
        let expected_scale = || -> Option<i32> {
            if unscalable {
                return None;
            }
            Some(controllers.iter().map(|&w| replicas(state, w)).sum())
        };
        let desired_healthy = match (self.max_unavailable, self.min_available) {
            (Some(max_unavailable), _) => {
                let Some(expected) = expected_scale() else {
                    return 0;
                };
                (expected - scaled_up(max_unavailable, expected)).max(0)
            }
            (None, Some(IntOrPercent::Int(n))) => n,
            (None, Some(p @ IntOrPercent::Percent(_))) => {
                let Some(expected) = expected_scale() else {
                    return 0;
                };
                scaled_up(p, expected)
            }
            (None, None) => matched,
        };
        (healthy - desired_healthy).max(0)
    }
}

/// The controller whose scale counts for a pod: a ReplicaSet, or the Deployment owning it.
fn scalable_controller(state: &ClusterState, id: WorkloadId) -> Option<WorkloadId> {
    let entry = state.workload(id);
    match &entry.workload.spec {
        WorkloadSpec::ReplicaSet(_) => Some(
            entry
                .owner
                .filter(|&d| matches!(state.workload(d).workload.spec, WorkloadSpec::Deployment(_)))
                .unwrap_or(id),
        ),
        WorkloadSpec::Deployment(_) => Some(id),
        _ => None,
    }
}

fn replicas(state: &ClusterState, id: WorkloadId) -> i32 {
    match &state.workload(id).workload.spec {
        WorkloadSpec::ReplicaSet(s) => s.replicas,
        WorkloadSpec::Deployment(s) => s.replicas,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_up_as_get_scaled_value() {
        // GetScaledValueFromIntOrPercent("50%", 5, true) = 3; ("10%", 10) = 1; ("1%", 150) = 2.
        assert_eq!(scaled_up(IntOrPercent::Percent(50), 5), 3);
        assert_eq!(scaled_up(IntOrPercent::Percent(10), 10), 1);
        assert_eq!(scaled_up(IntOrPercent::Percent(1), 150), 2);
        assert_eq!(scaled_up(IntOrPercent::Int(4), 150), 4);
    }
}
