//! Pod topology spread constraints and inter-pod affinity terms (`core/v1`
//! TopologySpreadConstraint, PodAffinityTerm), with the label selector each
//! effectively uses once `matchLabelKeys` / `mismatchLabelKeys` are merged
//! in from the pod's own labels, as the API server does on creation (v1.32).

use super::labels::{LabelSelector, Labels, Operator, Requirement};

/// The label every Namespace carries with its own name (since v1.21); kubesim
/// has no Namespace objects, so a namespaceSelector is matched against this label alone.
pub const LABEL_NAMESPACE_NAME: &str = "kubernetes.io/metadata.name";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhenUnsatisfiable {
    DoNotSchedule,
    ScheduleAnyway,
}

/// `nodeAffinityPolicy` / `nodeTaintsPolicy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InclusionPolicy {
    Honor,
    Ignore,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopologySpreadConstraint {
    /// At least 1.
    pub max_skew: i32,
    pub topology_key: String,
    pub when_unsatisfiable: WhenUnsatisfiable,
    /// `None` (absent) matches no pod.
    pub label_selector: Option<LabelSelector>,
    /// Only with DoNotSchedule.
    pub min_domains: Option<i32>,
    /// Default Honor: only nodes matching the pod's node affinity/selector count.
    pub node_affinity_policy: InclusionPolicy,
    /// Default Ignore: tainted nodes count too.
    pub node_taints_policy: InclusionPolicy,
    pub match_label_keys: Vec<String>,
}

impl TopologySpreadConstraint {
    /// The selector with `matchLabelKeys` merged in from the pod's labels.
    pub fn effective_selector(&self, pod_labels: &Labels) -> Option<LabelSelector> {
        let mut s = self.label_selector.clone()?;
        merge_keys(&mut s, &self.match_label_keys, Operator::In, pod_labels);
        Some(s)
    }
}

/// Adds `key In (pod's value)` (or NotIn) for each key the pod has, as the API
/// server does for matchLabelKeys / mismatchLabelKeys.
fn merge_keys(s: &mut LabelSelector, keys: &[String], op: Operator, pod_labels: &Labels) {
    for k in keys {
        if let Some(v) = pod_labels.get(k) {
            s.match_expressions.push(Requirement {
                key: k.clone(),
                operator: op,
                values: vec![v.clone()],
            });
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PodAffinityTerm {
    /// `None` matches no pod.
    pub label_selector: Option<LabelSelector>,
    /// Empty with no namespaceSelector: the pod's own namespace.
    pub namespaces: Vec<String>,
    /// `Some(empty)` matches every namespace.
    pub namespace_selector: Option<LabelSelector>,
    pub topology_key: String,
    pub match_label_keys: Vec<String>,
    pub mismatch_label_keys: Vec<String>,
}

impl PodAffinityTerm {
    /// The term as the scheduler uses it for a pod (`framework.AffinityTerm`):
    /// the selector with matchLabelKeys/mismatchLabelKeys merged in.
    pub fn resolve(&self, owner_namespace: &str, owner_labels: &Labels) -> ResolvedTerm {
        let selector = self.label_selector.clone().map(|mut s| {
            merge_keys(&mut s, &self.match_label_keys, Operator::In, owner_labels);
            merge_keys(
                &mut s,
                &self.mismatch_label_keys,
                Operator::NotIn,
                owner_labels,
            );
            s
        });
        let mut namespaces = self.namespaces.clone();
        if namespaces.is_empty() && self.namespace_selector.is_none() {
            namespaces.push(owner_namespace.to_string());
        }
        ResolvedTerm {
            selector,
            namespaces,
            namespace_selector: self.namespace_selector.clone(),
            topology_key: self.topology_key.clone(),
        }
    }
}

/// A pod affinity term bound to the pod that declares it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedTerm {
    pub selector: Option<LabelSelector>,
    pub namespaces: Vec<String>,
    pub namespace_selector: Option<LabelSelector>,
    pub topology_key: String,
}

impl ResolvedTerm {
    /// `AffinityTerm.Matches`: the pod's namespace is listed or selected, and its labels match.
    pub fn matches(&self, namespace: &str, labels: &Labels) -> bool {
        let ns_ok = self.namespaces.iter().any(|n| n == namespace)
            || self.namespace_selector.as_ref().is_some_and(|s| {
                let ns_labels: Labels =
                    [(LABEL_NAMESPACE_NAME.to_string(), namespace.to_string())].into();
                s.matches(&ns_labels)
            });
        ns_ok && self.selector.as_ref().is_some_and(|s| s.matches(labels))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeightedPodAffinityTerm {
    /// 1–100.
    pub weight: i64,
    pub term: PodAffinityTerm,
}

/// `podAffinity` or `podAntiAffinity`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PodAffinity {
    pub required: Vec<PodAffinityTerm>,
    pub preferred: Vec<WeightedPodAffinityTerm>,
}

impl PodAffinity {
    pub fn is_empty(&self) -> bool {
        self.required.is_empty() && self.preferred.is_empty()
    }
}
