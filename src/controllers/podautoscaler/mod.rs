//! The HorizontalPodAutoscaler controller (`pkg/controller/podautoscaler/horizontal.go`,
//! Kubernetes v1.32): every sync period it reads its target's scale and its
//! pods' metrics, computes a desired count per metric (`replica_calculator`),
//! keeps the largest, stabilizes and rate-limits it (`behavior`), and
//! writes the target's `spec.replicas` as `kubectl scale` would, with the
//! SuccessfulRescale event and the AbleToScale, ScalingActive and
//! ScalingLimited conditions.
//!
//! The HPAs live in the controller (kubesim's store keeps workloads, not
//! autoscalers): their status and conditions are its rows in
//! autoscalers.csv.

pub mod behavior;
pub mod load;
pub mod replica_calculator;

use crate::controllers::ControllerManager;
use crate::engine::{EventQueue, SimDuration, SimTime};
use crate::model::autoscaling::{
    HorizontalPodAutoscaler, MetricResource, MetricTarget, ServiceLoad,
};
use crate::model::workloads::WorkloadSpec;
use crate::model::{ClusterState, PodId, PodPhase};
use behavior::{BehaviorMemory, Condition};
use replica_calculator::{MetricTime, PodView};

/// `--horizontal-pod-autoscaler-sync-period`.
pub const SYNC_PERIOD: SimDuration = SimDuration(15_000_000);
/// The window a metrics-server sample covers (its default `--metric-resolution`).
pub const METRIC_WINDOW: SimDuration = SimDuration(15_000_000);

/// One HPA and what the controller remembers of it.
#[derive(Clone, Debug)]
pub struct Autoscaler {
    pub spec: HorizontalPodAutoscaler,
    behavior: BehaviorMemory,
    pub able_to_scale: Option<Condition>,
    pub scaling_active: Option<(bool, &'static str, String)>,
    pub scaling_limited: Option<Condition>,
}

/// One sync of one HPA: a row of autoscalers.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct AutoscalerRow {
    pub time: SimTime,
    pub hpa: usize,
    pub current: i32,
    pub desired: i32,
    /// Each metric's current value (utilization percent, or average in
    /// milli-units), `None` where it could not be computed.
    pub metrics: Vec<Option<i64>>,
    pub able_to_scale: String,
    pub scaling_active: String,
    pub scaling_limited: String,
}

/// The HPAs and the service loads that give their pods usage.
#[derive(Clone, Debug, Default)]
pub struct PodAutoscalers {
    pub hpas: Vec<Autoscaler>,
    pub loads: Vec<ServiceLoad>,
    pub rows: Vec<AutoscalerRow>,
}

impl PodAutoscalers {
    pub fn new(hpas: Vec<HorizontalPodAutoscaler>, loads: Vec<ServiceLoad>) -> Self {
        PodAutoscalers {
            hpas: hpas
                .into_iter()
                .map(|spec| Autoscaler {
                    spec,
                    behavior: BehaviorMemory::default(),
                    able_to_scale: None,
                    scaling_active: None,
                    scaling_limited: None,
                })
                .collect(),
            loads,
            rows: Vec::new(),
        }
    }

    /// The service load of a Deployment, if the scenario gives it one.
    pub fn load_of(&self, namespace: &str, deployment: &str) -> Option<&ServiceLoad> {
        (self.loads.iter()).find(|l| l.namespace == namespace && l.deployment == deployment)
    }
}

fn condition_text(c: &Option<Condition>) -> String {
    c.map_or(String::new(), |(status, reason, _)| {
        format!("{}/{reason}", if status { "True" } else { "False" })
    })
}

/// Syncs HPA `i` and arms its next sync one period later.
pub fn sync<E: From<super::ControllerEvent>>(
    cm: &mut ControllerManager,
    i: usize,
    state: &mut ClusterState,
    events: &mut EventQueue<E>,
) {
    let now = events.now();
    events.schedule(now + SYNC_PERIOD, super::ControllerEvent::HpaSync(i).into());
    let mut hpa = cm.autoscalers.hpas[i].clone();
    let row = reconcile(cm, &mut hpa, i, state, now);
    cm.autoscalers.hpas[i] = hpa;
    cm.autoscalers.rows.push(row);
}

/// `reconcileAutoscaler`.
fn reconcile(
    cm: &mut ControllerManager,
    hpa: &mut Autoscaler,
    index: usize,
    state: &mut ClusterState,
    now: SimTime,
) -> AutoscalerRow {
    let spec = hpa.spec.clone();
    let object = format!("{}/{}", spec.namespace, spec.name);
    let mut row = AutoscalerRow {
        time: now,
        hpa: index,
        current: 0,
        desired: 0,
        metrics: vec![None; spec.metrics.len()],
        able_to_scale: String::new(),
        scaling_active: String::new(),
        scaling_limited: String::new(),
    };
    let target = state
        .find_workload(&spec.target_kind, &spec.namespace, &spec.target_name)
        .filter(|&id| state.workload(id).deleted.is_none());
    let Some(target) = target else {
        let message = format!("deployments/scale.apps \"{}\" not found", spec.target_name);
        hpa.able_to_scale = Some((
            false,
            "FailedGetScale",
            "the HPA controller was unable to get the target's current scale",
        ));
        warn(state, &object, now, "FailedGetScale", message);
        row.able_to_scale = condition_text(&hpa.able_to_scale);
        return row;
    };
    let current = match &state.workload(target).workload.spec {
        WorkloadSpec::Deployment(d) => d.replicas,
        _ => 0,
    };
    row.current = current;
    hpa.able_to_scale = Some((
        true,
        "SucceededGetScale",
        "the HPA controller was able to get the target's current scale",
    ));
    let min = spec.min_replicas;
    let mut desired = 0;
    let mut rescale = true;
    let mut reason = String::new();
    if current == 0 && min != 0 {
        desired = 0;
        rescale = false;
        hpa.scaling_active = Some((
            false,
            "ScalingDisabled",
            "scaling is disabled since the replica count of the target is zero".into(),
        ));
    } else if current > spec.max_replicas {
        reason = "Current number of replicas above Spec.MaxReplicas".into();
        desired = spec.max_replicas;
    } else if current < min {
        reason = "Current number of replicas below Spec.MinReplicas".into();
        desired = min;
    } else {
        let computed = compute_replicas(cm, hpa, target, current, state, now, &mut row);
        let Some((metric_desired, metric_name)) = computed else {
            row.able_to_scale = condition_text(&hpa.able_to_scale);
            row.scaling_active = active_text(hpa);
            row.scaling_limited = condition_text(&hpa.scaling_limited);
            row.desired = current;
            return row;
        };
        let mut rescale_metric = String::new();
        if metric_desired > desired {
            desired = metric_desired;
            rescale_metric = metric_name;
        }
        if desired > current {
            reason = format!("{rescale_metric} above target");
        }
        if desired < current {
            reason = "All metrics below target".into();
        }
        let normalized = hpa.behavior.normalize(
            &spec.scale_up,
            &spec.scale_down,
            min,
            spec.max_replicas,
            current,
            desired,
            now,
        );
        desired = normalized.replicas;
        hpa.able_to_scale = Some(normalized.able_to_scale);
        hpa.scaling_limited = Some(normalized.scaling_limited);
        rescale = desired != current;
    }
    if rescale {
        // Through the scale subresource, as `kubectl scale` does.
        state.update_workload(target, |w| {
            if let WorkloadSpec::Deployment(d) = &mut w.spec {
                d.replicas = desired;
            }
        });
        hpa.able_to_scale = Some((
            true,
            "SucceededRescale",
            "the HPA controller was able to update the target scale",
        ));
        state.record_event(
            now,
            "HorizontalPodAutoscaler",
            object,
            "SuccessfulRescale",
            format!("New size: {desired}; reason: {reason}"),
        );
        hpa.behavior
            .store_scale_event(&spec.scale_up, &spec.scale_down, current, desired, now);
    } else {
        desired = current;
    }
    row.desired = desired;
    row.able_to_scale = condition_text(&hpa.able_to_scale);
    row.scaling_active = active_text(hpa);
    row.scaling_limited = condition_text(&hpa.scaling_limited);
    row
}

fn active_text(hpa: &Autoscaler) -> String {
    (hpa.scaling_active.as_ref()).map_or(String::new(), |(status, reason, _)| {
        format!("{}/{reason}", if *status { "True" } else { "False" })
    })
}

/// A Warning event, at every sync that fails, as upstream records it (the
/// event correlator counts the repeats on one Event).
fn warn(
    state: &mut ClusterState,
    object: &str,
    now: SimTime,
    reason: &'static str,
    message: String,
) {
    state.record_event(
        now,
        "HorizontalPodAutoscaler",
        object.to_string(),
        reason,
        message,
    );
}

/// `computeReplicasForMetrics`: the largest count any metric asks for and
/// that metric's name, or `None` (and ScalingActive False) when a metric
/// fails and the others would not scale up.
#[allow(clippy::too_many_arguments)]
fn compute_replicas(
    cm: &mut ControllerManager,
    hpa: &mut Autoscaler,
    target: crate::model::WorkloadId,
    current: i32,
    state: &mut ClusterState,
    now: SimTime,
    row: &mut AutoscalerRow,
) -> Option<(i32, String)> {
    let spec = hpa.spec.clone();
    let object = format!("{}/{}", spec.namespace, spec.name);
    let pods = load::deployment_pods(cm, target, state);
    let load = cm
        .autoscalers
        .load_of(&spec.namespace, &spec.target_name)
        .cloned();
    let metric_time = MetricTime {
        timestamp: now,
        window: METRIC_WINDOW,
    };
    let mut best: Option<(i32, String)> = None;
    let mut first_error: Option<String> = None;
    let mut invalid = 0;
    for (k, metric) in spec.metrics.iter().enumerate() {
        let cpu = metric.resource == MetricResource::Cpu;
        let views: Vec<PodView> = (pods.pods.iter())
            .map(|&p| pod_view(state, p, cpu, load.as_ref(), pods.serving, now))
            .collect();
        let (target_value, utilization, name) = match metric.target {
            MetricTarget::Utilization(u) => (
                i64::from(u),
                true,
                format!(
                    "{} resource utilization (percentage of request)",
                    metric.resource.name()
                ),
            ),
            MetricTarget::AverageValue(v) => {
                (v, false, format!("{} resource", metric.resource.name()))
            }
        };
        let result = replica_calculator::resource_replicas(
            current,
            target_value,
            utilization,
            cpu,
            &views,
            now,
            metric_time,
        );
        match result {
            Ok((replicas, value)) => {
                row.metrics[k] = Some(value);
                if best.as_ref().is_none_or(|b| replicas > b.0) {
                    best = Some((replicas, name));
                }
            }
            Err(e) => {
                invalid += 1;
                let what = if utilization { "utilization" } else { "usage" };
                let message = format!("failed to get {} {what}: {e}", metric.resource.name());
                warn(
                    state,
                    &object,
                    now,
                    "FailedGetResourceMetric",
                    message.clone(),
                );
                first_error.get_or_insert(message);
            }
        }
    }
    let replicas = best.as_ref().map_or(0, |b| b.0);
    if invalid >= spec.metrics.len() || (invalid > 0 && replicas < current) {
        let e = first_error.unwrap_or_default();
        hpa.scaling_active = Some((
            false,
            "FailedGetResourceMetric",
            format!("the HPA was unable to compute the replica count: {e}"),
        ));
        let message = format!(
            "invalid metrics ({invalid} invalid out of {}), first error is: failed to get {} resource metric value: {e}",
            spec.metrics.len(),
            spec.metrics[0].resource.name()
        );
        warn(state, &object, now, "FailedComputeMetricsReplicas", message);
        return None;
    }
    let (replicas, name) = best?;
    hpa.scaling_active = Some((
        true,
        "ValidMetricFound",
        format!("the HPA was able to successfully calculate a replica count from {name}"),
    ));
    Some((replicas, name))
}

/// What the replica calculator sees of one pod.
fn pod_view(
    state: &ClusterState,
    pod: PodId,
    cpu: bool,
    load: Option<&ServiceLoad>,
    serving: usize,
    now: SimTime,
) -> PodView {
    let e = state.pod(pod);
    let usage = load::pod_usage(state, pod, load, serving, now.as_secs_f64());
    // Milli-units, as upstream compares `MilliValue()`s: millicores, milli-bytes.
    let metric = usage.map(|(c, m)| {
        if cpu {
            c.round() as i64
        } else {
            (m * 1000.0).round() as i64
        }
    });
    let request = (e.pod.spec.containers.iter())
        .map(|c| {
            let set = if cpu {
                c.requests_set.cpu
            } else {
                c.requests_set.memory
            };
            if set {
                Ok(if cpu {
                    c.requests.cpu_millis
                } else {
                    c.requests.memory_bytes * 1000
                })
            } else {
                Err(format!(
                    "missing request for {} in container {} of Pod {}",
                    if cpu { "cpu" } else { "memory" },
                    c.name,
                    e.pod.metadata.name
                ))
            }
        })
        .sum::<Result<i64, String>>();
    // `status.startTime`: the kubelet took the pod.
    let start_time = e.first_true.ready_to_start_containers.or(e.started);
    let ready = match (e.status.conditions.ready, start_time) {
        (Some(since), _) => Some((true, since)),
        // Never ready: the condition has been False since the pod started.
        (None, Some(start)) if e.ready.is_none() => Some((false, start)),
        // Ready once, not now: it turned False after its start and the
        // initial readiness delay (kubesim keeps no False transition time).
        (None, Some(_)) => Some((false, now)),
        (None, None) => None,
    };
    PodView {
        ignored: e.terminating.is_some() || e.status.phase == PodPhase::Failed,
        pending: e.status.phase == PodPhase::Pending,
        metric,
        request,
        start_time,
        ready,
    }
}

#[cfg(test)]
mod tests;
