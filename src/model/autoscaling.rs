//! autoscaling/v2 HorizontalPodAutoscaler as a validated, defaulted value
//! (`pkg/apis/autoscaling/v2/defaults.go`, Kubernetes v1.32), and the
//! service load that gives a Deployment's pods their resource usage.

use crate::engine::profile::RateProfile;
use std::sync::Arc;

/// What a resource metric aims at (`MetricTarget`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricTarget {
    /// `averageUtilization`: percent of the pods' requests.
    Utilization(i32),
    /// `averageValue`, in milli-units (millicores, milli-bytes), as upstream
    /// compares `MilliValue()`s.
    AverageValue(i64),
}

/// A `type: Resource` metric (cpu or memory).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResourceMetric {
    pub resource: MetricResource,
    pub target: MetricTarget,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricResource {
    Cpu,
    Memory,
}

impl MetricResource {
    pub fn name(self) -> &'static str {
        match self {
            MetricResource::Cpu => "cpu",
            MetricResource::Memory => "memory",
        }
    }
}

/// `HPAScalingPolicyType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyType {
    Pods,
    Percent,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScalingPolicy {
    pub kind: PolicyType,
    pub value: i32,
    pub period_seconds: i32,
}

/// `ScalingPolicySelect`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SelectPolicy {
    Max,
    Min,
    Disabled,
}

/// `HPAScalingRules` after defaulting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScalingRules {
    pub stabilization_window_seconds: i32,
    pub select_policy: SelectPolicy,
    pub policies: Vec<ScalingPolicy>,
}

impl ScalingRules {
    /// Scale-up defaults: no stabilization; the larger of +100 % and +4
    /// pods per 15 s (`GenerateHPAScaleUpRules`).
    pub fn default_scale_up() -> Self {
        ScalingRules {
            stabilization_window_seconds: 0,
            select_policy: SelectPolicy::Max,
            policies: vec![
                ScalingPolicy {
                    kind: PolicyType::Pods,
                    value: 4,
                    period_seconds: 15,
                },
                ScalingPolicy {
                    kind: PolicyType::Percent,
                    value: 100,
                    period_seconds: 15,
                },
            ],
        }
    }

    /// Scale-down defaults: the highest recommendation of the last 300 s
    /// (the controller's `--horizontal-pod-autoscaler-downscale-stabilization`);
    /// −100 % per 15 s (`GenerateHPAScaleDownRules`).
    pub fn default_scale_down() -> Self {
        ScalingRules {
            stabilization_window_seconds: 300,
            select_policy: SelectPolicy::Max,
            policies: vec![ScalingPolicy {
                kind: PolicyType::Percent,
                value: 100,
                period_seconds: 15,
            }],
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HorizontalPodAutoscaler {
    pub namespace: String,
    pub name: String,
    /// `scaleTargetRef`: kubesim scales Deployments.
    pub target_kind: String,
    pub target_name: String,
    /// Default 1.
    pub min_replicas: i32,
    pub max_replicas: i32,
    pub metrics: Vec<ResourceMetric>,
    pub scale_up: ScalingRules,
    pub scale_down: ScalingRules,
}

/// The requests a Deployment serves and what each costs: each ready pod's
/// usage is `rate × cost ÷ ready pods + base`, a running pod that is not
/// ready uses its base only.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceLoad {
    pub namespace: String,
    pub deployment: String,
    /// Requests per second.
    pub rate: Arc<RateProfile>,
    /// CPU time each request takes, in millicore-seconds.
    pub cpu_per_request_milli: f64,
    /// Memory held per request per second of rate, in bytes.
    pub memory_per_request: f64,
    /// What each running pod uses with no requests (millicores, bytes).
    pub base_cpu_milli: f64,
    pub base_memory: f64,
}

impl ServiceLoad {
    /// A serving (ready) pod's usage at `t` seconds when `ready` pods share
    /// the load: (millicores, bytes).
    pub fn serving_usage(&self, t: f64, ready: usize) -> (f64, f64) {
        let share = self.rate.rate_at(t) / ready.max(1) as f64;
        (
            share * self.cpu_per_request_milli + self.base_cpu_milli,
            share * self.memory_per_request + self.base_memory,
        )
    }
}
