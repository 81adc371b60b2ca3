//! The service loads' samples: each loaded Deployment's rate, serving pods
//! and a serving pod's cpu usage against its request and limit, as the
//! metrics API would report them (`controllers::podautoscaler::load`).

use crate::controllers::podautoscaler::load::deployment_pods;
use crate::controllers::ControllerManager;
use crate::engine::SimTime;
use crate::metrics::service_load::LoadSample;
use crate::model::workloads::WorkloadSpec;
use crate::model::ClusterState;

/// One sample per service load whose Deployment exists at `at`.
pub fn take(cm: &mut ControllerManager, state: &ClusterState, at: SimTime) -> Vec<LoadSample> {
    let t = at.as_secs_f64();
    let mut out = Vec::new();
    for i in 0..cm.autoscalers.loads.len() {
        let load = cm.autoscalers.loads[i].clone();
        let Some(id) = state
            .find_workload("Deployment", &load.namespace, &load.deployment)
            .filter(|&id| state.workload(id).deleted.is_none())
        else {
            continue;
        };
        let WorkloadSpec::Deployment(d) = &state.workload(id).workload.spec else {
            continue;
        };
        let containers = &d.template.spec.containers;
        let cpu_request_milli = containers.iter().map(|c| c.requests.cpu_millis).sum();
        let cpu_limit_milli = containers.iter().map(|c| c.limits.cpu_millis).sum();
        let pods = deployment_pods(cm, id, state);
        let cpu_per_pod_milli = (pods.serving > 0).then(|| load.serving_usage(t, pods.serving).0);
        out.push(LoadSample {
            time: at,
            load: i,
            rate: load.rate.rate_at(t),
            serving: pods.serving,
            cpu_per_pod_milli,
            cpu_request_milli,
            cpu_limit_milli,
        });
    }
    out
}
