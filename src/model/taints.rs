//! Taints and tolerations (`core/v1` types and `ToleratesTaint` from
//! `k8s.io/api/core/v1/toleration.go`, Kubernetes v1.32).

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TaintEffect {
    NoSchedule,
    PreferNoSchedule,
    NoExecute,
}

impl TaintEffect {
    pub fn parse(s: &str) -> Option<TaintEffect> {
        match s {
            "NoSchedule" => Some(TaintEffect::NoSchedule),
            "PreferNoSchedule" => Some(TaintEffect::PreferNoSchedule),
            "NoExecute" => Some(TaintEffect::NoExecute),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            TaintEffect::NoSchedule => "NoSchedule",
            TaintEffect::PreferNoSchedule => "PreferNoSchedule",
            TaintEffect::NoExecute => "NoExecute",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Taint {
    pub key: String,
    pub value: String,
    pub effect: TaintEffect,
}

impl fmt::Display for Taint {
    /// `key=value:Effect`, as `kubectl describe node` prints taints.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.value.is_empty() {
            write!(f, "{}:{}", self.key, self.effect.as_str())
        } else {
            write!(f, "{}={}:{}", self.key, self.value, self.effect.as_str())
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TolerationOperator {
    Equal,
    Exists,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toleration {
    /// Empty matches every key (only with `Exists`).
    pub key: String,
    pub operator: TolerationOperator,
    pub value: String,
    /// `None` matches every effect.
    pub effect: Option<TaintEffect>,
    pub toleration_seconds: Option<i64>,
}

impl Toleration {
    /// Upstream `Toleration.ToleratesTaint`.
    pub fn tolerates(&self, taint: &Taint) -> bool {
        if let Some(effect) = self.effect {
            if effect != taint.effect {
                return false;
            }
        }
        if !self.key.is_empty() && self.key != taint.key {
            return false;
        }
        match self.operator {
            TolerationOperator::Equal => self.value == taint.value,
            TolerationOperator::Exists => true,
        }
    }
}

/// True when some toleration tolerates the taint (`v1helper.TolerationsTolerateTaint`).
pub fn tolerations_tolerate(tolerations: &[Toleration], taint: &Taint) -> bool {
    tolerations.iter().any(|t| t.tolerates(taint))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taint(key: &str, value: &str, effect: TaintEffect) -> Taint {
        Taint {
            key: key.into(),
            value: value.into(),
            effect,
        }
    }
    fn toleration(
        key: &str,
        op: TolerationOperator,
        value: &str,
        effect: Option<TaintEffect>,
    ) -> Toleration {
        Toleration {
            key: key.into(),
            operator: op,
            value: value.into(),
            effect,
            toleration_seconds: None,
        }
    }

    // Cases from k8s.io/api/core/v1/toleration_test.go (TestTolerationToleratesTaint).
    #[test]
    fn tolerates_taint_like_upstream() {
        use TaintEffect::*;
        use TolerationOperator::*;
        let t = taint("foo", "bar", NoSchedule);
        assert!(
            toleration("", Exists, "", None).tolerates(&t),
            "empty key with Exists tolerates all"
        );
        assert!(toleration("foo", Exists, "", Some(NoSchedule)).tolerates(&t));
        assert!(toleration("foo", Equal, "bar", Some(NoSchedule)).tolerates(&t));
        assert!(
            !toleration("foo", Equal, "baz", Some(NoSchedule)).tolerates(&t),
            "value differs"
        );
        assert!(
            !toleration("foo", Equal, "bar", Some(NoExecute)).tolerates(&t),
            "effect differs"
        );
        assert!(
            toleration("foo", Equal, "bar", None).tolerates(&t),
            "empty effect matches all effects"
        );
        assert!(
            !toleration("other", Exists, "", None).tolerates(&t),
            "key differs"
        );
    }

    #[test]
    fn displays_like_kubectl() {
        assert_eq!(
            taint("dedicated", "gpu", TaintEffect::NoSchedule).to_string(),
            "dedicated=gpu:NoSchedule"
        );
        assert_eq!(
            taint(
                "node.kubernetes.io/unschedulable",
                "",
                TaintEffect::NoSchedule
            )
            .to_string(),
            "node.kubernetes.io/unschedulable:NoSchedule"
        );
    }
}
