//! Node affinity (`core/v1` NodeAffinity, NodeSelectorTerm) and its matching
//! rules from `k8s.io/component-helpers/scheduling/corev1/nodeaffinity`
//! (Kubernetes v1.32): terms are ORed, requirements inside a term are ANDed,
//! and an empty term matches no node.

use super::labels::{Labels, Requirement};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeSelectorTerm {
    pub match_expressions: Vec<Requirement>,
    /// Only `metadata.name` is a valid field key upstream.
    pub match_fields: Vec<Requirement>,
}

impl NodeSelectorTerm {
    pub fn matches(&self, node_name: &str, node_labels: &Labels) -> bool {
        if self.match_expressions.is_empty() && self.match_fields.is_empty() {
            return false;
        }
        self.match_expressions
            .iter()
            .all(|r| r.matches(node_labels))
            && self.match_fields.iter().all(|r| {
                let mut fields = Labels::new();
                fields.insert("metadata.name".to_string(), node_name.to_string());
                r.matches(&fields)
            })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreferredSchedulingTerm {
    /// 1–100.
    pub weight: i64,
    pub preference: NodeSelectorTerm,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeAffinity {
    /// requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms; `None` when absent.
    pub required: Option<Vec<NodeSelectorTerm>>,
    /// preferredDuringSchedulingIgnoredDuringExecution.
    pub preferred: Vec<PreferredSchedulingTerm>,
}

impl NodeAffinity {
    /// The required terms match (`nodeaffinity.NodeSelector.Match`); absent means any node.
    pub fn required_matches(&self, node_name: &str, node_labels: &Labels) -> bool {
        match &self.required {
            None => true,
            Some(terms) => terms.iter().any(|t| t.matches(node_name, node_labels)),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Affinity {
    pub node_affinity: Option<NodeAffinity>,
    pub pod_affinity: super::topology::PodAffinity,
    pub pod_anti_affinity: super::topology::PodAffinity,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::labels::Operator;

    fn req(key: &str, op: Operator, values: &[&str]) -> Requirement {
        Requirement {
            key: key.into(),
            operator: op,
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }

    #[test]
    fn terms_are_ored_and_requirements_anded() {
        let labels: Labels = [
            ("zone".to_string(), "a".to_string()),
            ("disk".to_string(), "ssd".to_string()),
        ]
        .into();
        let ssd_in_b = NodeSelectorTerm {
            match_expressions: vec![
                req("zone", Operator::In, &["b"]),
                req("disk", Operator::In, &["ssd"]),
            ],
            match_fields: vec![],
        };
        let zone_a = NodeSelectorTerm {
            match_expressions: vec![req("zone", Operator::In, &["a"])],
            match_fields: vec![],
        };
        assert!(!ssd_in_b.matches("n1", &labels));
        let affinity = NodeAffinity {
            required: Some(vec![ssd_in_b, zone_a]),
            preferred: vec![],
        };
        assert!(affinity.required_matches("n1", &labels));
    }

    #[test]
    fn empty_term_matches_nothing_and_fields_match_name() {
        assert!(!NodeSelectorTerm::default().matches("n1", &Labels::new()));
        let by_name = NodeSelectorTerm {
            match_expressions: vec![],
            match_fields: vec![req("metadata.name", Operator::In, &["n1"])],
        };
        assert!(by_name.matches("n1", &Labels::new()));
        assert!(!by_name.matches("n2", &Labels::new()));
    }
}
