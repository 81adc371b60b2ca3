//! The API server's DefaultTolerationSeconds admission plugin
//! (`plugin/pkg/admission/defaulttolerationseconds/admission.go`, v1.32):
//! every pod that does not already tolerate the `node.kubernetes.io/
//! not-ready` and `node.kubernetes.io/unreachable` NoExecute taints gets a
//! toleration of each for 300 s (`--default-not-ready-toleration-seconds`,
//! `--default-unreachable-toleration-seconds`). DaemonSet pods carry the
//! daemon tolerations (no `tolerationSeconds`) before admission, so they are
//! left alone and never evicted by these taints.

use super::pod::{Pod, PodSpec};
use super::taints::{TaintEffect, Toleration, TolerationOperator};
use std::collections::BTreeMap;
use std::sync::Arc;

pub const TAINT_NODE_NOT_READY: &str = "node.kubernetes.io/not-ready";
pub const TAINT_NODE_UNREACHABLE: &str = "node.kubernetes.io/unreachable";
/// `v1.TaintNodeUnschedulable`.
pub const TAINT_NODE_UNSCHEDULABLE: &str = "node.kubernetes.io/unschedulable";
/// Default of both admission flags.
pub const DEFAULT_TOLERATION_SECONDS: i64 = 300;

/// Whether a toleration counts as tolerating the NoExecute taint `key`, as
/// the plugin checks it (key equal or empty, effect NoExecute or empty).
fn covers(t: &Toleration, key: &str) -> bool {
    (t.key == key || t.key.is_empty()) && matches!(t.effect, None | Some(TaintEffect::NoExecute))
}

/// Adds the missing default tolerations; returns whether anything was added.
pub fn default_toleration_seconds(spec: &mut PodSpec) -> bool {
    let mut added = false;
    for key in [TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE] {
        if !spec.tolerations.iter().any(|t| covers(t, key)) {
            spec.tolerations.push(Toleration {
                key: key.into(),
                operator: TolerationOperator::Exists,
                value: String::new(),
                effect: Some(TaintEffect::NoExecute),
                toleration_seconds: Some(DEFAULT_TOLERATION_SECONDS),
            });
            added = true;
        }
    }
    added
}

/// Whether the pod would get a default toleration.
pub fn needs_default_tolerations(spec: &PodSpec) -> bool {
    [TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE]
        .iter()
        .any(|key| !spec.tolerations.iter().any(|t| covers(t, key)))
}

/// Admits pods as they are created. Pods from one template share one spec;
/// the admitted spec is made once per original spec so that they go on
/// sharing one (the cache keeps the original alive, so its address cannot
/// be reused by another spec while it is a key).
#[derive(Default)]
pub struct Admission {
    admitted: BTreeMap<usize, (Arc<PodSpec>, Arc<PodSpec>)>,
}

impl Admission {
    pub fn admit(&mut self, pod: &mut Pod) {
        if !needs_default_tolerations(&pod.spec) {
            return;
        }
        // A spec no other pod shares (an arrival's pod with its own sampled
        // requests) is admitted in place: caching it would keep two copies
        // of every such pod's spec for the whole run.
        if let Some(spec) = Arc::get_mut(&mut pod.spec) {
            default_toleration_seconds(spec);
            return;
        }
        let key = Arc::as_ptr(&pod.spec) as usize;
        if let Some((original, admitted)) = self.admitted.get(&key) {
            if Arc::ptr_eq(original, &pod.spec) {
                pod.spec = Arc::clone(admitted);
                return;
            }
        }
        let mut spec = (*pod.spec).clone();
        default_toleration_seconds(&mut spec);
        let admitted = Arc::new(spec);
        self.admitted
            .insert(key, (Arc::clone(&pod.spec), Arc::clone(&admitted)));
        pod.spec = admitted;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::pod::fixtures::pod;

    fn tol(key: &str, effect: Option<TaintEffect>, seconds: Option<i64>) -> Toleration {
        Toleration {
            key: key.into(),
            operator: TolerationOperator::Exists,
            value: String::new(),
            effect,
            toleration_seconds: seconds,
        }
    }

    // Cases after admission_test.go TestForgivenessAdmission.
    #[test]
    fn adds_300_second_tolerations_only_where_missing() {
        let mut spec = (*pod("p").build().spec).clone();
        assert!(default_toleration_seconds(&mut spec));
        assert_eq!(
            spec.tolerations,
            vec![
                tol(
                    TAINT_NODE_NOT_READY,
                    Some(TaintEffect::NoExecute),
                    Some(300)
                ),
                tol(
                    TAINT_NODE_UNREACHABLE,
                    Some(TaintEffect::NoExecute),
                    Some(300)
                ),
            ]
        );
        assert!(!default_toleration_seconds(&mut spec), "idempotent");

        // A user toleration of one taint is kept and only the other is added.
        let mut spec = (*pod("p").build().spec).clone();
        spec.tolerations = vec![tol(TAINT_NODE_UNREACHABLE, None, Some(700))];
        default_toleration_seconds(&mut spec);
        assert_eq!(spec.tolerations.len(), 2);
        assert_eq!(spec.tolerations[1].key, TAINT_NODE_NOT_READY);

        // An empty key with Exists tolerates everything: nothing added.
        let mut spec = (*pod("p").build().spec).clone();
        spec.tolerations = vec![tol("", None, None)];
        assert!(!needs_default_tolerations(&spec));

        // A NoSchedule toleration does not count.
        let mut spec = (*pod("p").build().spec).clone();
        spec.tolerations = vec![tol(
            TAINT_NODE_NOT_READY,
            Some(TaintEffect::NoSchedule),
            None,
        )];
        default_toleration_seconds(&mut spec);
        assert_eq!(spec.tolerations.len(), 3);
    }
}
