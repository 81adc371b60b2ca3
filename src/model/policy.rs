//! PriorityClass (`scheduling.k8s.io/v1`) and PodDisruptionBudget
//! (`policy/v1`): the objects that decide who may preempt whom, and how many
//! of a set of pods may be disrupted at once.
//!
//! These are the objects only: which pods a PDB selects and how many
//! disruptions it allows are computed from the store's state, in
//! `store/disruption.rs`, so that the store (which holds these objects)
//! does not depend on a module that reads the store.

use super::intstr::IntOrPercent;
use super::labels::LabelSelector;
use super::meta::ObjectMeta;
use super::pod::PodSpec;

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
