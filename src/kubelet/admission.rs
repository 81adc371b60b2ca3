//! The kubelet's pod admission: every pod bound to its node, by the
//! scheduler or by `spec.nodeName`, passes the kubelet's GeneralPredicates
//! before it starts (`pkg/kubelet/lifecycle/predicate.go`, v1.32). The
//! scheduler's filters usually make this a formality, but a profile without
//! NodeResourcesFit's filter, or a pod naming its node, can bind a pod that
//! does not fit; the kubelet then fails it with the first reason upstream
//! reports: `OutOfpods`, `OutOf<resource>`, `NodeAffinity`, or
//! `TaintToleration` for an untolerated NoExecute taint.
//!
//! The node's "used" is what the kubelet itself has admitted and still
//! runs (`attrs.OtherPods`, the active pods), not the scheduler's total,
//! which already counts the pod being admitted and other pods bound in the
//! same instant that the kubelet has not admitted yet.

use crate::model::store::{NodeId, PodId};
use crate::model::taints::{tolerations_tolerate, TaintEffect};
use crate::model::{ClusterState, ResourceName, Resources};
use std::borrow::Cow;

/// Why the kubelet refuses a pod: the pod's status reason and the message
/// of its event.
pub(super) type Rejection = (Cow<'static, str>, String);

/// GeneralPredicates for pod `id` on `node_id`, given the pods the kubelet
/// already runs there (`admitted`, which never holds `id`). `None` admits.
pub(super) fn check(
    state: &ClusterState,
    id: PodId,
    node_id: NodeId,
    admitted: impl Iterator<Item = PodId>,
) -> Option<Rejection> {
    let node = state.node(node_id);
    let pod = &state.pod(id).pod;
    let mut used = Resources::default();
    let mut used_pods = 0;
    for other in admitted {
        used += &state.pod(other).pod.requests;
        used_pods += 1;
    }
    // noderesources.Fits: the pod count first, then cpu, memory,
    // ephemeral-storage and the extended resources; a zero request always fits.
    if used_pods + 1 > node.allocatable_pods {
        let msg = format!(
            "Node didn't have enough resource: pods, requested: 1, used: {used_pods}, capacity: {}",
            node.allocatable_pods
        );
        return Some(("OutOfpods".into(), msg));
    }
    let mut resources = vec![
        ResourceName::Cpu,
        ResourceName::Memory,
        ResourceName::EphemeralStorage,
    ];
    resources.extend(
        state
            .resource_names()
            .extended_ids()
            .map(ResourceName::Extended),
    );
    let req = &pod.requests;
    let short = resources.into_iter().find_map(|r| {
        let (want, used, cap) = (r.get(req), r.get(&used), r.get(&node.allocatable));
        // removeMissingExtendedResources: an extended resource the node does
        // not advertise (kubesim: allocatable 0) is a cluster-level one the
        // kubelet leaves alone.
        let missing = matches!(r, ResourceName::Extended(_)) && cap == 0;
        if want == 0 || missing || want <= cap - used {
            return None;
        }
        let name = state.resource_names().name(r);
        // Reasons are "OutOf" + the resource name: OutOfcpu, OutOfnvidia.com/gpu …
        let reason = Cow::Owned(format!("OutOf{name}"));
        Some((reason, format!("Node didn't have enough resource: {name}, requested: {want}, used: {used}, capacity: {cap}")))
    });
    if short.is_some() {
        return short;
    }
    // GetRequiredNodeAffinity(pod).Match(node): nodeSelector and the required
    // terms (a profile's addedAffinity is the scheduler's alone).
    let labels = &node.metadata.labels;
    let selector_ok = pod
        .spec
        .node_selector
        .iter()
        .all(|(k, v)| labels.get(k) == Some(v));
    let affinity_ok = pod
        .spec
        .affinity
        .node_affinity
        .as_ref()
        .is_none_or(|a| a.required_matches(node.name(), labels));
    if !(selector_ok && affinity_ok) {
        return Some(predicate_failure(
            "NodeAffinity",
            "node(s) didn't match Pod's node affinity/selector",
        ));
    }
    // The kubelet cares only about NoExecute taints.
    let untolerated = node.taints.iter().any(|t| {
        t.effect == TaintEffect::NoExecute && !tolerations_tolerate(&pod.spec.tolerations, t)
    });
    if untolerated {
        return Some(predicate_failure(
            "TaintToleration",
            "node(s) had taints that the pod didn't tolerate",
        ));
    }
    None
}

/// `PredicateFailureError`: the reason is the predicate's name, the message
/// `Predicate <name> failed: <description>`.
fn predicate_failure(name: &'static str, description: &str) -> Rejection {
    (
        Cow::Borrowed(name),
        format!("Predicate {name} failed: {description}"),
    )
}
