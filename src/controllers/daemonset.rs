//! The DaemonSet controller (`pkg/controller/daemon/`, v1.32): one pod on
//! every node that should run it (the template's nodeSelector and node
//! affinity match, and the node's NoSchedule and NoExecute taints are
//! tolerated), placed by the scheduler through node affinity to that node;
//! a pod already on a node keeps running there while its NoExecute taints
//! are tolerated (a NotReady or unreachable node, a new NoSchedule taint),
//! and is removed only from nodes it no longer matches or whose NoExecute
//! taint it does not tolerate; RollingUpdate (maxUnavailable, or maxSurge) or OnDelete.

use super::deployment::current_template_hash;
use super::{is_active, is_available, is_ready, ControllerEvent, ControllerManager};
use crate::engine::EventQueue;
use crate::model::affinity::{NodeAffinity, NodeSelectorTerm};
use crate::model::labels::{Operator, Requirement};
use crate::model::store::{NodeId, PodId, WorkloadId};
use crate::model::taints::{tolerations_tolerate, TaintEffect, Toleration, TolerationOperator};
use crate::model::workloads::{DaemonSetSpec, DaemonSetUpdateStrategy, PodTemplate, WorkloadSpec};
use crate::model::ClusterState;
use std::sync::Arc;

/// `BurstReplicas` (`daemon_controller.go`): `syncNodes` creates at most this
/// many pods and deletes at most this many per call, once for the pods each
/// node needs (`manage`) and once for the rolling update. The watch of the
/// pods created or deleted queues the DaemonSet again and the next sync does
/// the rest. Upstream creates in slow-start batches (1, 2, 4, …) that stop
/// at a failure; kubesim's pod creations never fail, so they are not modelled.
pub const BURST_REPLICAS: usize = 250;

/// What is left of one `syncNodes` call's creations and deletions.
struct Burst {
    creations: usize,
    deletions: usize,
}

impl Burst {
    fn new() -> Self {
        Burst {
            creations: BURST_REPLICAS,
            deletions: BURST_REPLICAS,
        }
    }

    /// Takes one creation from the budget, if any is left.
    fn create(&mut self) -> bool {
        let left = self.creations > 0;
        self.creations = self.creations.saturating_sub(1);
        left
    }

    /// Takes one deletion from the budget, if any is left.
    fn delete(&mut self) -> bool {
        let left = self.deletions > 0;
        self.deletions = self.deletions.saturating_sub(1);
        left
    }
}

/// The label that ties a DaemonSet pod to a template revision.
pub const CONTROLLER_REVISION_HASH: &str = "controller-revision-hash";

/// Tolerations every DaemonSet pod gets (`AddOrUpdateDaemonPodTolerations`,
/// `pkg/controller/daemon/util/daemonset_util.go`): the not-ready and
/// unreachable NoExecute ones without a time limit, so that node problems
/// never evict a daemon pod, and the node-condition NoSchedule ones. The
/// network-unavailable one upstream adds for `hostNetwork` pods is left
/// out: kubesim has neither that taint nor host networking.
pub fn daemon_tolerations() -> Vec<Toleration> {
    let t = |key: &str, effect| Toleration {
        key: key.into(),
        operator: TolerationOperator::Exists,
        value: String::new(),
        effect: Some(effect),
        toleration_seconds: None,
    };
    vec![
        t("node.kubernetes.io/not-ready", TaintEffect::NoExecute),
        t("node.kubernetes.io/unreachable", TaintEffect::NoExecute),
        t("node.kubernetes.io/disk-pressure", TaintEffect::NoSchedule),
        t(
            "node.kubernetes.io/memory-pressure",
            TaintEffect::NoSchedule,
        ),
        t("node.kubernetes.io/pid-pressure", TaintEffect::NoSchedule),
        t("node.kubernetes.io/unschedulable", TaintEffect::NoSchedule),
    ]
}

fn spec_of(state: &ClusterState, id: WorkloadId) -> DaemonSetSpec {
    match &state.workload(id).workload.spec {
        WorkloadSpec::DaemonSet(d) => d.clone(),
        _ => unreachable!("a DaemonSet"),
    }
}

/// What `NodeShouldRunDaemonPod` (`pkg/controller/daemon/daemon_controller.go`)
/// says of one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct NodeVerdict {
    /// `shouldRun`: a pod may be created there (selector, required node
    /// affinity, and every NoSchedule and NoExecute taint tolerated).
    should_run: bool,
    /// `shouldContinueRunning`: a pod already there stays (selector and node
    /// affinity match, and every NoExecute taint is tolerated). A NoSchedule
    /// taint only stops new pods: upstream never evicts for one.
    should_continue_running: bool,
}

/// `NodeShouldRunDaemonPod` with its `predicates`: the pod built from the
/// template with the daemon tolerations, checked against one node.
fn node_verdict(
    spec: &DaemonSetSpec,
    tolerations: &[Toleration],
    state: &ClusterState,
    node: NodeId,
) -> NodeVerdict {
    let n = state.node(node);
    let pod = &spec.template.spec;
    let labels = &n.metadata.labels;
    // A deleted node is no longer listed.
    let matches = state.node_exists(node)
        && pod
            .node_selector
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
        && pod
            .affinity
            .node_affinity
            .as_ref()
            .is_none_or(|a| a.required_matches(n.name(), labels));
    if !matches {
        return NodeVerdict {
            should_run: false,
            should_continue_running: false,
        };
    }
    let tolerated = |effect: TaintEffect| {
        n.taints
            .iter()
            .filter(|t| t.effect == effect)
            .all(|t| tolerations_tolerate(tolerations, t))
    };
    let no_execute = tolerated(TaintEffect::NoExecute);
    NodeVerdict {
        should_run: no_execute && tolerated(TaintEffect::NoSchedule),
        should_continue_running: no_execute,
    }
}

/// The template of the pod for one node: node affinity to that node and the daemon tolerations.
fn template_for(
    spec: &DaemonSetSpec,
    hash: &str,
    tolerations: &[Toleration],
    state: &ClusterState,
    node: NodeId,
) -> PodTemplate {
    let mut pod_spec = (*spec.template.spec).clone();
    let term = NodeSelectorTerm {
        match_expressions: vec![],
        match_fields: vec![Requirement {
            key: "metadata.name".into(),
            operator: Operator::In,
            values: vec![state.node(node).name().to_string()],
        }],
    };
    let preferred = pod_spec
        .affinity
        .node_affinity
        .take()
        .map(|a| a.preferred)
        .unwrap_or_default();
    pod_spec.affinity.node_affinity = Some(NodeAffinity {
        required: Some(vec![term]),
        preferred,
    });
    pod_spec.tolerations = tolerations.to_vec();
    let mut metadata = spec.template.metadata.clone();
    metadata
        .labels
        .insert(CONTROLLER_REVISION_HASH.into(), hash.into());
    PodTemplate {
        metadata,
        spec: Arc::new(pod_spec),
    }
}

pub fn sync<E: From<ControllerEvent>>(
    cm: &mut ControllerManager,
    id: WorkloadId,
    state: &mut ClusterState,
    events: &mut EventQueue<E>,
) {
    let now = events.now();
    let spec = spec_of(state, id);
    let hash = current_template_hash(cm, id, state);
    let mut tolerations = spec.template.spec.tolerations.clone();
    tolerations.extend(daemon_tolerations());
    let name = state.workload(id).workload.metadata.name.clone();
    let pods: Vec<PodId> = cm
        .pods_of(id, state)
        .into_iter()
        .filter(|&p| is_active(state, p))
        .collect();
    // `pods` is in creation order, so sorted by id.
    cm.memory(id)
        .pod_nodes
        .retain(|p, _| pods.binary_search(p).is_ok());
    // Each node's pods, in creation order, read once rather than once per node.
    let mut by_node: std::collections::BTreeMap<NodeId, Vec<PodId>> = Default::default();
    for &p in &pods {
        if let Some(&node) = cm.memory(id).pod_nodes.get(&p) {
            by_node.entry(node).or_default().push(p);
        }
    }
    let mut burst = Burst::new();

    let is_current = |state: &ClusterState, p: PodId| {
        state
            .pod(p)
            .pod
            .metadata
            .labels
            .get(CONTROLLER_REVISION_HASH)
            == Some(&hash)
    };
    let available =
        |state: &ClusterState, p: PodId| is_available(state, p, spec.min_ready_seconds, now);
    let mut desired = 0;
    let mut unavailable = 0;
    // Nodes whose pod is of an old revision: (node, old pod, new pod if
    // surging, whether a new pod may be created there).
    let mut outdated: Vec<(NodeId, PodId, Option<PodId>, bool)> = Vec::new();
    // By node id: whether the node should run a pod (the status counts only those).
    let mut should_run_on: Vec<bool> = Vec::with_capacity(state.nodes().len());
    for i in 0..state.nodes().len() {
        let node = NodeId(i as u32);
        let on_node = by_node.remove(&node).unwrap_or_default();
        if !state.node_exists(node) {
            // Upstream lists only the nodes in the API. Pods bound to a
            // deleted node are the pod GC's orphans; those still waiting to
            // be scheduled there are deleted here
            // (`getUnscheduledPodsWithoutNode`, daemon_controller.go).
            for &p in &on_node {
                if state.pod(p).node.is_none() && burst.delete() {
                    cm.delete_pod(id, p, state, now);
                }
            }
            should_run_on.push(false);
            continue;
        }
        // `podsShouldBeOnNode`: create where the pod should run, keep what
        // runs where it should continue running, delete the rest.
        let verdict = node_verdict(&spec, &tolerations, state, node);
        should_run_on.push(verdict.should_run);
        if !verdict.should_continue_running {
            for &p in &on_node {
                if burst.delete() {
                    cm.delete_pod(id, p, state, now);
                }
            }
            continue;
        }
        if verdict.should_run {
            // `desiredNumberScheduled` counts only these nodes.
            desired += 1;
        } else if on_node.is_empty() {
            continue;
        }
        let (current, old): (Vec<PodId>, Vec<PodId>) =
            on_node.iter().partition(|&&p| is_current(state, p));
        if on_node.is_empty() {
            unavailable += 1;
            if !burst.create() {
                continue;
            }
            let template = template_for(&spec, &hash, &tolerations, state, node);
            let pod_name = format!("{name}-{}", cm.suffix());
            let pod = cm.create_pod(id, &template, pod_name, |_| {}, state, now);
            cm.memory(id).pod_nodes.insert(pod, node);
            continue;
        }
        // At most one pod per revision and node.
        for &extra in current.iter().skip(1).chain(old.iter().skip(1)) {
            if burst.delete() {
                cm.delete_pod(id, extra, state, now);
            }
        }
        let serving = current
            .first()
            .or(old.first())
            .copied()
            .expect("a pod on the node");
        if !available(state, serving) {
            unavailable += 1;
        }
        if let Some(&old_pod) = old.first() {
            outdated.push((node, old_pod, current.first().copied(), verdict.should_run));
        }
    }

    if let DaemonSetUpdateStrategy::RollingUpdate {
        max_unavailable,
        max_surge,
    } = spec.update_strategy
    {
        let mut burst = Burst::new();
        let surge = super::rollout::scaled_value(max_surge, desired, true);
        if surge > 0 {
            // maxSurge: start the new pod beside the old one, delete the old
            // one once the new one is available, at most `surge` nodes at a time.
            let mut surging = outdated
                .iter()
                .filter(|(_, _, new, _)| new.is_some())
                .count() as i32;
            for (node, old_pod, new_pod, should_run) in outdated {
                match new_pod {
                    Some(new_pod) if available(state, new_pod) && burst.delete() => {
                        cm.delete_pod(id, old_pod, state, now)
                    }
                    Some(_) => {}
                    // `rollingUpdate` (update.go): an unavailable old pod on a
                    // node where no new pod may be created is deleted outright.
                    // An available one stays: upstream would surge a new pod
                    // there that the untolerated NoSchedule taint keeps Pending.
                    None if !should_run && !available(state, old_pod) && burst.delete() => {
                        cm.delete_pod(id, old_pod, state, now)
                    }
                    None if !should_run => {}
                    None if surging < surge && burst.create() => {
                        let template = template_for(&spec, &hash, &tolerations, state, node);
                        let pod_name = format!("{name}-{}", cm.suffix());
                        let pod = cm.create_pod(id, &template, pod_name, |_| {}, state, now);
                        cm.memory(id).pod_nodes.insert(pod, node);
                        surging += 1;
                    }
                    None => {}
                }
            }
        } else {
            // maxUnavailable: delete old pods, unavailable ones first, within the budget;
            // their nodes get a new pod at the next sync.
            // Upstream turns maxUnavailable 0 with maxSurge 0 into 1.
            let budget = super::rollout::scaled_value(max_unavailable, desired, true).max(1);
            let mut allowed = budget - unavailable;
            outdated.sort_by_key(|&(_, p, _, _)| available(state, p));
            for (_, old_pod, _, _) in outdated {
                if !available(state, old_pod) {
                    if burst.delete() {
                        cm.delete_pod(id, old_pod, state, now);
                    }
                } else if allowed > 0 && burst.delete() {
                    cm.delete_pod(id, old_pod, state, now);
                    allowed -= 1;
                }
            }
        }
    }

    // `updateDaemonSetStatus`: each node that should run a pod counts once,
    // by its oldest pod (CURRENT, READY, AVAILABLE, UP-TO-DATE); a pod kept
    // on a node that should not run one is only `numberMisscheduled`.
    let mut oldest_on_node: std::collections::BTreeMap<NodeId, PodId> = Default::default();
    for p in cm
        .pods_of(id, state)
        .into_iter()
        .filter(|&p| is_active(state, p))
    {
        if let Some(&node) = cm.memory(id).pod_nodes.get(&p) {
            oldest_on_node.entry(node).or_insert(p);
        }
    }
    let pods: Vec<PodId> = oldest_on_node
        .into_iter()
        .filter(|(node, _)| should_run_on[node.0 as usize])
        .map(|(_, p)| p)
        .collect();
    let status = state.workload_status_mut(id);
    status.desired = desired;
    status.replicas = pods.len() as i32;
    let ready = pods.iter().filter(|&&p| is_ready(state, p)).count() as i32;
    let available = pods
        .iter()
        .filter(|&&p| is_available(state, p, spec.min_ready_seconds, now))
        .count() as i32;
    let updated = pods
        .iter()
        .filter(|&&p| {
            state
                .pod(p)
                .pod
                .metadata
                .labels
                .get(CONTROLLER_REVISION_HASH)
                == Some(&hash)
        })
        .count() as i32;
    let status = state.workload_status_mut(id);
    status.ready = ready;
    status.available = available;
    status.updated = updated;
}
