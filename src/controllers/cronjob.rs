//! The CronJob controller (`pkg/controller/cronjob/cronjob_controllerv2.go`,
//! v1.32): creates a Job at each time of its schedule, named
//! `<cronjob>-<scheduled time in minutes>`, honouring concurrencyPolicy
//! (Allow, Forbid, Replace), startingDeadlineSeconds and suspend, and keeps
//! successfulJobsHistoryLimit / failedJobsHistoryLimit finished Jobs.

use super::cron::Schedule;
use super::gc;
use super::{record, ControllerEvent, ControllerManager};
use crate::engine::{EventQueue, SimDuration, SimTime};
use crate::model::meta::{ObjectMeta, OwnerReference};
use crate::model::store::{Propagation, WorkloadId};
use crate::model::workloads::{ConcurrencyPolicy, CronJobSpec, Workload, WorkloadSpec};
use crate::model::ClusterState;

fn spec_of(state: &ClusterState, id: WorkloadId) -> CronJobSpec {
    match &state.workload(id).workload.spec {
        WorkloadSpec::CronJob(c) => c.clone(),
        _ => unreachable!("a CronJob"),
    }
}

/// Arms the timer for the next time of the schedule after now.
pub fn arm_next_tick<E: From<ControllerEvent>>(
    cm: &mut ControllerManager,
    id: WorkloadId,
    state: &ClusterState,
    events: &mut EventQueue<E>,
) {
    let spec = spec_of(state, id);
    let schedule = Schedule::parse(&spec.schedule).expect("schedules are validated when decoded");
    if let Some(next) = schedule.next_after(events.now(), cm.config.epoch_unix_s) {
        events.schedule(next, ControllerEvent::CronTick(id, next).into());
    }
}

/// A scheduled time has come: start a Job unless the policy says otherwise.
pub fn fire<E: From<ControllerEvent>>(
    cm: &mut ControllerManager,
    id: WorkloadId,
    at: SimTime,
    state: &mut ClusterState,
    events: &mut EventQueue<E>,
) {
    let now = events.now();
    let entry = state.workload(id);
    if entry.deleted.is_some() || entry.deleting.is_some() {
        return;
    }
    arm_next_tick(cm, id, state, events);
    let spec = spec_of(state, id);
    if spec.suspend {
        return;
    }
    if let Some(deadline) = spec.starting_deadline_seconds {
        if now.since(at) > SimDuration::from_secs(deadline.max(0) as u64) {
            record(
                state,
                id,
                now,
                "MissedSchedule",
                format!("Missed scheduled time to start a job: {at}s"),
            );
            return;
        }
    }
    let active: Vec<WorkloadId> = cm
        .children_of(id, state)
        .into_iter()
        .filter(|&j| state.workload(j).status.finished().is_none())
        .collect();
    match spec.concurrency_policy {
        ConcurrencyPolicy::Forbid if !active.is_empty() => {
            record(
                state,
                id,
                now,
                "JobAlreadyActive",
                "Not starting job because prior execution is running and concurrency policy is Forbid".into(),
            );
            return;
        }
        ConcurrencyPolicy::Replace => {
            for j in active {
                delete_job(cm, id, j, state, events);
            }
        }
        _ => {}
    }
    let cron = state.workload(id).workload.metadata.clone();
    // getJobName: the scheduled time in minutes since the Unix epoch.
    let minutes = (cm.config.epoch_unix_s + (at.0 / 1_000_000) as i64) / 60;
    let name = format!("{}-{minutes}", cron.name);
    let metadata = ObjectMeta {
        name: name.clone(),
        namespace: cron.namespace.clone(),
        labels: spec.job_metadata.labels.clone(),
        annotations: spec.job_metadata.annotations.clone(),
        owner_references: vec![OwnerReference {
            kind: "CronJob".into(),
            name: cron.name.clone(),
            controller: true,
        }],
    };
    let job = Workload {
        metadata,
        spec: WorkloadSpec::Job(spec.job_template.clone()),
    };
    cm.create_child(id, job, state, now);
    record(
        state,
        id,
        now,
        "SuccessfulCreate",
        format!("Created job {name}"),
    );
}

/// Deletes the CronJob `id`'s Job `job` with its pods in the background,
/// and says so on the CronJob (upstream's `deleteJob`).
fn delete_job<E: From<ControllerEvent>>(
    cm: &mut ControllerManager,
    id: WorkloadId,
    job: WorkloadId,
    state: &mut ClusterState,
    events: &mut EventQueue<E>,
) {
    let now = events.now();
    let name = state.workload(job).workload.metadata.name.clone();
    gc::delete_workload(cm, job, Propagation::Background, state, events);
    record(
        state,
        id,
        now,
        "SuccessfulDelete",
        format!("Deleted job {name}"),
    );
}

/// Reacts to its Jobs finishing: SawCompletedJob, then the history limits.
pub fn sync<E: From<ControllerEvent>>(
    cm: &mut ControllerManager,
    id: WorkloadId,
    state: &mut ClusterState,
    events: &mut EventQueue<E>,
) {
    let now = events.now();
    let spec = spec_of(state, id);
    let jobs = cm.children_of(id, state);
    // A deleted Job leaves the children for good: forget it (the list is in
    // creation order, so sorted by id).
    cm.memory(id)
        .seen_jobs
        .retain(|j| jobs.binary_search(j).is_ok());
    let mut succeeded = Vec::new();
    let mut failed = Vec::new();
    let mut active = 0;
    for &j in &jobs {
        match state.workload(j).status.finished().map(|c| c.kind) {
            None => active += 1,
            Some(kind) => {
                if cm.memory(id).seen_jobs.insert(j) {
                    let name = state.workload(j).workload.metadata.name.clone();
                    record(
                        state,
                        id,
                        now,
                        "SawCompletedJob",
                        format!("Saw completed job: {name}, condition: {kind}"),
                    );
                }
                if kind == "Complete" {
                    succeeded.push(j);
                } else {
                    failed.push(j);
                }
            }
        }
    }
    state.workload_status_mut(id).active = active;
    for (list, limit) in [
        (succeeded, spec.successful_jobs_history_limit),
        (failed, spec.failed_jobs_history_limit),
    ] {
        let excess = list.len().saturating_sub(limit.max(0) as usize);
        for &j in list.iter().take(excess) {
            delete_job(cm, id, j, state, events);
        }
    }
}
