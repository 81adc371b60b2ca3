//! Workload API objects (apps/v1 ReplicaSet, Deployment, DaemonSet, StatefulSet; batch/v1
//! Job, CronJob) as validated, defaulted values (`pkg/apis/apps/v1/defaults.go`,
//! `pkg/apis/batch/v1/defaults.go`, Kubernetes v1.32), and their status.

use super::intstr::IntOrPercent;
use super::labels::{LabelSelector, Labels};
use super::meta::ObjectMeta;
use super::pod::PodSpec;
use crate::engine::SimTime;
use std::sync::Arc;

/// A pod template: the labels and annotations its pods get, and their spec
/// (with container behaviour already resolved).
#[derive(Clone, Debug, PartialEq)]
pub struct PodTemplate {
    pub metadata: ObjectMeta,
    pub spec: Arc<PodSpec>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ReplicaSetSpec {
    pub replicas: i32,
    pub selector: LabelSelector,
    pub template: PodTemplate,
    pub min_ready_seconds: i32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeploymentStrategy {
    Recreate,
    /// Defaults 25% / 25%.
    RollingUpdate {
        max_surge: IntOrPercent,
        max_unavailable: IntOrPercent,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct DeploymentSpec {
    pub replicas: i32,
    pub selector: LabelSelector,
    pub template: PodTemplate,
    pub strategy: DeploymentStrategy,
    pub min_ready_seconds: i32,
    /// Default 10.
    pub revision_history_limit: i32,
    /// Default 600.
    pub progress_deadline_seconds: i32,
    pub paused: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionMode {
    NonIndexed,
    Indexed,
}

#[derive(Clone, Debug, PartialEq)]
pub struct JobSpec {
    /// Default 1.
    pub parallelism: i32,
    /// `None`: the job is complete when any pod succeeds and none is active (work queue).
    pub completions: Option<i32>,
    /// Default 6.
    pub backoff_limit: i32,
    pub active_deadline_seconds: Option<i64>,
    pub completion_mode: CompletionMode,
    pub ttl_seconds_after_finished: Option<i32>,
    pub suspend: bool,
    pub selector: Option<LabelSelector>,
    pub template: PodTemplate,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConcurrencyPolicy {
    Allow,
    Forbid,
    Replace,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CronJobSpec {
    /// A standard 5-field cron schedule, validated when decoded.
    pub schedule: String,
    pub concurrency_policy: ConcurrencyPolicy,
    pub starting_deadline_seconds: Option<i64>,
    pub suspend: bool,
    /// Default 3.
    pub successful_jobs_history_limit: i32,
    /// Default 1.
    pub failed_jobs_history_limit: i32,
    pub job_template: JobSpec,
    /// Labels and annotations of the jobs it creates.
    pub job_metadata: ObjectMeta,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DaemonSetUpdateStrategy {
    OnDelete,
    /// Defaults maxUnavailable 1, maxSurge 0.
    RollingUpdate {
        max_unavailable: IntOrPercent,
        max_surge: IntOrPercent,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct DaemonSetSpec {
    pub selector: LabelSelector,
    pub template: PodTemplate,
    pub update_strategy: DaemonSetUpdateStrategy,
    pub min_ready_seconds: i32,
}

/// `podManagementPolicy` (`apps/v1`, default OrderedReady).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PodManagementPolicy {
    /// One pod at a time: each waits for its predecessors to be Running and
    /// Ready (and available); scale-down goes in reverse ordinal order.
    OrderedReady,
    /// Pods are created and deleted all at once.
    Parallel,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatefulSetUpdateStrategy {
    /// Pods take the new template only when something else deletes them.
    OnDelete,
    /// Pods with an ordinal of at least `partition` are replaced, highest
    /// ordinal first, one at a time (the MaxUnavailableStatefulSet gate is
    /// off by default in v1.32, so `maxUnavailable` is not honoured).
    RollingUpdate { partition: i32 },
}

#[derive(Clone, Debug, PartialEq)]
pub struct StatefulSetSpec {
    /// Default 1.
    pub replicas: i32,
    pub selector: LabelSelector,
    pub template: PodTemplate,
    pub pod_management_policy: PodManagementPolicy,
    pub update_strategy: StatefulSetUpdateStrategy,
    pub min_ready_seconds: i32,
    /// `ordinals.start` (default 0): the first pod is `<name>-<start>`.
    pub ordinals_start: i32,
}

/// The spec of a workload object, by kind.
#[derive(Clone, Debug, PartialEq)]
pub enum WorkloadSpec {
    ReplicaSet(ReplicaSetSpec),
    Deployment(DeploymentSpec),
    Job(JobSpec),
    CronJob(CronJobSpec),
    DaemonSet(DaemonSetSpec),
    StatefulSet(StatefulSetSpec),
    /// A Service: kubesim tracks its ready endpoints (the endpoints controller).
    Service(ServiceSpec),
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceSpec {
    /// `spec.selector`; a Service without one has no managed endpoints.
    pub selector: Option<Labels>,
}

impl WorkloadSpec {
    pub fn kind(&self) -> &'static str {
        match self {
            WorkloadSpec::ReplicaSet(_) => "ReplicaSet",
            WorkloadSpec::Deployment(_) => "Deployment",
            WorkloadSpec::Job(_) => "Job",
            WorkloadSpec::CronJob(_) => "CronJob",
            WorkloadSpec::DaemonSet(_) => "DaemonSet",
            WorkloadSpec::StatefulSet(_) => "StatefulSet",
            WorkloadSpec::Service(_) => "Service",
        }
    }

    /// The pod template (a CronJob's: its Jobs' template); Services have none.
    pub fn template(&self) -> Option<&PodTemplate> {
        match self {
            WorkloadSpec::ReplicaSet(s) => Some(&s.template),
            WorkloadSpec::Deployment(s) => Some(&s.template),
            WorkloadSpec::DaemonSet(s) => Some(&s.template),
            WorkloadSpec::StatefulSet(s) => Some(&s.template),
            WorkloadSpec::Job(s) => Some(&s.template),
            WorkloadSpec::CronJob(s) => Some(&s.job_template.template),
            WorkloadSpec::Service(_) => None,
        }
    }

    pub fn template_mut(&mut self) -> Option<&mut PodTemplate> {
        match self {
            WorkloadSpec::ReplicaSet(s) => Some(&mut s.template),
            WorkloadSpec::Deployment(s) => Some(&mut s.template),
            WorkloadSpec::DaemonSet(s) => Some(&mut s.template),
            WorkloadSpec::StatefulSet(s) => Some(&mut s.template),
            WorkloadSpec::Job(s) => Some(&mut s.template),
            WorkloadSpec::CronJob(s) => Some(&mut s.job_template.template),
            WorkloadSpec::Service(_) => None,
        }
    }
}

/// A workload object as declared in a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Workload {
    pub metadata: ObjectMeta,
    pub spec: WorkloadSpec,
}

/// When a workload object is created (manifests: 0).
#[derive(Clone, Debug, PartialEq)]
pub struct TimedWorkload {
    pub at: SimTime,
    pub workload: Workload,
}

/// A condition of a workload's status (`Progressing`, `Available`, `Complete`, `Failed`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadCondition {
    pub kind: &'static str,
    pub status: bool,
    pub reason: &'static str,
    pub since: SimTime,
}

/// What controllers report in a workload's status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkloadStatus {
    /// DaemonSets: nodes that should run the pod (others take it from their spec).
    pub desired: i32,
    /// Pods (or, for a Deployment, the sum over its ReplicaSets) that exist and are not terminating.
    pub replicas: i32,
    pub ready: i32,
    /// Ready for at least minReadySeconds.
    pub available: i32,
    /// Pods of the current template (Deployment: the new ReplicaSet's).
    pub updated: i32,
    /// Jobs: pods running; CronJobs: jobs running.
    pub active: i32,
    pub succeeded: i32,
    pub failed: i32,
    pub start_time: Option<SimTime>,
    pub completion_time: Option<SimTime>,
    pub conditions: Vec<WorkloadCondition>,
    /// Deployments: completed rollouts as (start, end).
    pub rollouts: Vec<(SimTime, SimTime)>,
}

impl WorkloadStatus {
    pub fn condition(&self, kind: &str) -> Option<&WorkloadCondition> {
        self.conditions.iter().find(|c| c.kind == kind)
    }

    /// Sets a condition, keeping `since` when its status and reason do not change.
    pub fn set_condition(
        &mut self,
        kind: &'static str,
        status: bool,
        reason: &'static str,
        now: SimTime,
    ) {
        match self.conditions.iter_mut().find(|c| c.kind == kind) {
            Some(c) if c.status == status && c.reason == reason => {}
            Some(c) => {
                *c = WorkloadCondition {
                    kind,
                    status,
                    reason,
                    since: now,
                }
            }
            None => self.conditions.push(WorkloadCondition {
                kind,
                status,
                reason,
                since: now,
            }),
        }
    }

    /// Finished Jobs: Complete or Failed.
    pub fn finished(&self) -> Option<&WorkloadCondition> {
        self.conditions
            .iter()
            .find(|c| (c.kind == "Complete" || c.kind == "Failed") && c.status)
    }
}
