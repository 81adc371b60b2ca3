//! What the metrics API reports of a Deployment's pods: their resource
//! usage under the scenario's service load (metrics-server's view), and
//! what the overload figures count.
//!
//! A pod has a usage sample while it is Running. A ready pod that is not
//! being deleted serves an equal share of the Deployment's requests
//! (the Service's endpoints are its ready pods); any other running pod uses
//! its base only. A Deployment without a service load uses nothing.

use crate::controllers::ControllerManager;
use crate::model::autoscaling::ServiceLoad;
use crate::model::{ClusterState, PodId, PodPhase, WorkloadId};

/// A Deployment's pods at one moment: all of them (its ReplicaSets' live
/// pods, oldest ReplicaSet first) and how many serve.
pub struct DeploymentPods {
    pub pods: Vec<PodId>,
    pub serving: usize,
}

/// Serves requests: ready and not being deleted.
pub fn serves(state: &ClusterState, pod: PodId) -> bool {
    let e = state.pod(pod);
    e.status.phase == PodPhase::Running
        && e.status.conditions.ready.is_some()
        && e.terminating.is_none()
}

/// The pods of a Deployment through its ReplicaSets (the ones its selector
/// picks, as kubesim's controllers own exactly those).
pub fn deployment_pods(
    cm: &mut ControllerManager,
    deployment: WorkloadId,
    state: &ClusterState,
) -> DeploymentPods {
    let mut pods = Vec::new();
    for rs in cm.children_of(deployment, state) {
        pods.extend(state.owned_pods(rs).iter().map(|o| o.id));
    }
    let serving = pods.iter().filter(|&&p| serves(state, p)).count();
    DeploymentPods { pods, serving }
}

/// A running pod's usage at `t` seconds (millicores, bytes), or `None`
/// when it has no sample (not Running).
pub fn pod_usage(
    state: &ClusterState,
    pod: PodId,
    load: Option<&ServiceLoad>,
    serving: usize,
    t: f64,
) -> Option<(f64, f64)> {
    if state.pod(pod).status.phase != PodPhase::Running {
        return None;
    }
    Some(match load {
        None => (0.0, 0.0),
        Some(l) if serves(state, pod) => l.serving_usage(t, serving),
        Some(l) => (l.base_cpu_milli, l.base_memory),
    })
}
