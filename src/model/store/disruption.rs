//! A PodDisruptionBudget's selection and `disruptionsAllowed`, computed from
//! the current cluster state whenever it is needed, as the disruption
//! controller would compute it (`pkg/controller/disruption/disruption.go`,
//! v1.32), without its delay. Here rather than beside the PDB type in
//! `model::policy` because it reads the store, which holds the PDBs.

use super::{ClusterState, PodEntry, WorkloadId};
use crate::model::intstr::IntOrPercent;
use crate::model::policy::PodDisruptionBudget;
use crate::model::workloads::WorkloadSpec;

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
