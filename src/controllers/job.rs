//! The Job controller (`pkg/controller/job/job_controller.go`, v1.32): runs
//! pods until `completions` succeed (or, without completions, until one
//! succeeds), `parallelism` at a time; retries failures after 10 s doubling
//! up to 10 min; fails the Job past `backoffLimit` (for restartPolicy
//! OnFailure, counting container restarts) or `activeDeadlineSeconds`;
//! Indexed completion mode; `ttlSecondsAfterFinished`.

use super::gc;
use super::rollout::job_backoff_delay;
use super::{is_active, record, sync_at, ControllerEvent, ControllerManager};
use crate::engine::{EventQueue, SimDuration, SimTime};
use crate::model::pod::RestartPolicy;
use crate::model::store::{PodId, Propagation, WorkloadId};
use crate::model::workloads::{CompletionMode, JobSpec, WorkloadSpec};
use crate::model::{ClusterState, PodPhase};
use std::collections::BTreeSet;

/// The annotation and label carrying an Indexed Job pod's index.
pub const COMPLETION_INDEX: &str = "batch.kubernetes.io/job-completion-index";
pub const JOB_NAME_LABEL: &str = "batch.kubernetes.io/job-name";

/// `MaxPodCreateDeletePerSync` (`job_controller.go`): `manageJob` creates or
/// deletes at most this many pods per sync. The watch of the pods it created
/// or deleted queues the Job again, and the next sync does the rest; while
/// some pods it created are not yet persisted (declared `apiLatency.create`)
/// a sync does not manage pods, as upstream's does not while
/// `SatisfiedExpectations` is false. So a Job of ten million pods is created
/// 500 pods per event, and `maxEvents` can stop it.
///
/// Upstream issues a sync's creations in slow-start batches (1, 2, 4, …) and
/// skips the rest at the first failed batch; kubesim's pod creations never
/// fail, so the batches are not modelled: they would change nothing.
pub const MAX_POD_CREATE_DELETE_PER_SYNC: usize = 500;

/// What a sync reads of a Job's spec, copied out of the store: a Job syncs
/// at nearly every change of its pods, and its template, dear to clone, is
/// read only where pods are created.
#[derive(Clone, Copy)]
struct Params {
    parallelism: i32,
    completions: Option<i32>,
    backoff_limit: i32,
    active_deadline_seconds: Option<i64>,
    completion_mode: CompletionMode,
    ttl_seconds_after_finished: Option<i32>,
    suspend: bool,
    restart_policy: RestartPolicy,
}

fn job_spec(state: &ClusterState, id: WorkloadId) -> &JobSpec {
    match &state.workload(id).workload.spec {
        WorkloadSpec::Job(j) => j,
        _ => unreachable!("a Job"),
    }
}

fn params_of(state: &ClusterState, id: WorkloadId) -> Params {
    let j = job_spec(state, id);
    Params {
        parallelism: j.parallelism,
        completions: j.completions,
        backoff_limit: j.backoff_limit,
        active_deadline_seconds: j.active_deadline_seconds,
        completion_mode: j.completion_mode,
        ttl_seconds_after_finished: j.ttl_seconds_after_finished,
        suspend: j.suspend,
        restart_policy: j.template.spec.restart_policy,
    }
}

fn index_of(state: &ClusterState, pod: PodId) -> Option<i32> {
    state
        .pod(pod)
        .pod
        .metadata
        .annotations
        .get(COMPLETION_INDEX)
        .and_then(|i| i.parse().ok())
}

pub fn sync<E: From<ControllerEvent>>(
    cm: &mut ControllerManager,
    id: WorkloadId,
    state: &mut ClusterState,
    events: &mut EventQueue<E>,
) {
    let now = events.now();
    let spec = params_of(state, id);
    if let Some(finished) = state.workload(id).status.finished().map(|c| c.since) {
        if let Some(ttl) = spec.ttl_seconds_after_finished {
            let expiry = finished + SimDuration::from_secs(ttl.max(0) as u64);
            if now >= expiry {
                gc::delete_workload(cm, id, Propagation::Background, state, events);
            } else {
                sync_at(cm, id, expiry, events);
            }
        }
        return;
    }
    if spec.suspend {
        for p in cm.pods_of(id, state) {
            if is_active(state, p) {
                cm.delete_pod(id, p, state, now);
            }
        }
        state
            .workload_status_mut(id)
            .set_condition("Suspended", true, "JobSuspended", now);
        return;
    }
    let start = *state.workload_status_mut(id).start_time.get_or_insert(now);

    // One pass over the pods: count those that finished since the last
    // sync, and list the active ones.
    // The store's list of the Job's live pods with each pod's figures
    // (`ClusterState::owned_pods`), so that only pods that finished are
    // looked up.
    let pods = state.owned_pods(id);
    let memory = cm.memory(id);
    let (mut new_succeeded, mut new_failed, mut counted_before) = (0, 0, 0);
    let mut active: Vec<PodId> = Vec::with_capacity(pods.len());
    let mut ready = 0;
    let mut unobserved = 0;
    for o in pods {
        let p = o.id;
        if !o.terminal {
            unobserved += (o.created > now) as i32;
            if o.active {
                active.push(p);
                ready += o.ready.is_some() as i32;
            }
        } else if !memory.counted.insert(p) {
            counted_before += 1;
        } else if state.pod(p).status.phase == PodPhase::Succeeded {
            new_succeeded += 1;
            if let Some(i) = index_of(state, p) {
                memory.completed_indexes.insert(i);
            }
            memory.failures_after_success = 0;
        } else {
            new_failed += 1;
            let at = state.pod(p).finished.unwrap_or(now);
            memory.last_failure = Some(memory.last_failure.map_or(at, |t| t.max(at)));
            memory.failures_after_success += 1;
        }
    }
    // A deleted pod leaves the list for good, so it need not stay counted
    // (the list is in creation order, so sorted by id). Only pods of the
    // list were just looked up, so others counted mean some left.
    if memory.counted.len() > (counted_before + new_succeeded + new_failed) as usize {
        let listed = |p: &PodId| pods.binary_search_by_key(p, |o| o.id).is_ok();
        memory.counted.retain(listed);
    }
    debug_assert!((memory.counted.iter()).all(|p| pods.binary_search_by_key(p, |o| o.id).is_ok()));
    let (succeeded, failed) = {
        let status = state.workload_status_mut(id);
        status.succeeded += new_succeeded;
        status.failed += new_failed;
        (status.succeeded, status.failed)
    };
    let past_backoff_on_failure = spec.restart_policy == RestartPolicy::OnFailure && {
        let restarts: u32 = active.iter().map(|&p| state.pod(p).status.restarts()).sum();
        if spec.backoff_limit == 0 {
            restarts > 0
        } else {
            restarts as i32 >= spec.backoff_limit
        }
    };
    let deadline = spec
        .active_deadline_seconds
        .map(|s| start + SimDuration::from_secs(s.max(0) as u64));

    let failure = if failed > spec.backoff_limit || past_backoff_on_failure {
        Some((
            "BackoffLimitExceeded",
            "Job has reached the specified backoff limit",
        ))
    } else if deadline.is_some_and(|d| now >= d) {
        Some((
            "DeadlineExceeded",
            "Job was active longer than specified deadline",
        ))
    } else {
        None
    };
    let completions_done = match (spec.completion_mode, spec.completions) {
        (CompletionMode::Indexed, Some(c)) => cm.memory(id).completed_indexes.len() as i32 >= c,
        (_, Some(c)) => succeeded >= c,
        (_, None) => succeeded > 0 && active.is_empty(),
    };

    if let Some((reason, message)) = failure {
        for &p in &active {
            cm.delete_pod(id, p, state, now);
        }
        state
            .workload_status_mut(id)
            .set_condition("Failed", true, reason, now);
        record(state, id, now, reason, message.to_string());
        finish(cm, id, state, events);
        return;
    }
    if completions_done {
        for &p in &active {
            cm.delete_pod(id, p, state, now);
        }
        let status = state.workload_status_mut(id);
        status.completion_time = Some(now);
        status.set_condition("Complete", true, "", now);
        record(state, id, now, "Completed", "Job completed".into());
        finish(cm, id, state, events);
        return;
    }
    if let Some(d) = deadline {
        sync_at(cm, id, d, events);
    }

    // How many pods should run now.
    let want = match spec.completions {
        Some(c) => {
            let done = match spec.completion_mode {
                CompletionMode::Indexed => cm.memory(id).completed_indexes.len() as i32,
                CompletionMode::NonIndexed => succeeded,
            };
            spec.parallelism.min(c - done).max(0)
        }
        None if succeeded > 0 => active.len() as i32,
        None => spec.parallelism,
    };
    let n_active = active.len() as i32;
    // Expectations not yet satisfied: pods created earlier are in flight.
    let want = if unobserved > 0 { n_active } else { want };
    // Pods created or deleted below change what the status counts.
    let changes_pods = n_active != want;
    if n_active < want {
        // backoff_utils.go: the delay doubles with the failures since the last success.
        let m = cm.memory(id);
        let failures = m.failures_after_success;
        let retry_at = m.last_failure.map(|t| t + job_backoff_delay(failures));
        match retry_at {
            Some(at) if at > now && failures > 0 => sync_at(cm, id, at, events),
            _ => create_pods(
                cm,
                id,
                &spec,
                &active,
                ((want - n_active) as usize).min(MAX_POD_CREATE_DELETE_PER_SYNC),
                state,
                now,
            ),
        }
    } else if n_active > want {
        let excess = ((n_active - want) as usize).min(MAX_POD_CREATE_DELETE_PER_SYNC);
        for &p in active.iter().rev().take(excess) {
            cm.delete_pod(id, p, state, now);
        }
    }
    if changes_pods {
        let pods = state.owned_pods(id).iter().filter(|o| o.active);
        ready = pods.clone().filter(|o| o.ready.is_some()).count() as i32;
        active = pods.map(|o| o.id).collect();
    }
    let status = state.workload_status_mut(id);
    status.active = active.len() as i32;
    status.ready = ready;
    status.replicas = status.active;
}

fn create_pods(
    cm: &mut ControllerManager,
    id: WorkloadId,
    spec: &Params,
    active: &[PodId],
    n: usize,
    state: &mut ClusterState,
    now: SimTime,
) {
    let name = state.workload(id).workload.metadata.name.clone();
    let template = job_spec(state, id).template.clone();
    let indexes: Vec<Option<i32>> = match (spec.completion_mode, spec.completions) {
        (CompletionMode::Indexed, Some(c)) => {
            let running: BTreeSet<i32> =
                active.iter().filter_map(|&p| index_of(state, p)).collect();
            let done = &cm.memory(id).completed_indexes;
            (0..c)
                .filter(|i| !done.contains(i) && !running.contains(i))
                .take(n)
                .map(Some)
                .collect()
        }
        _ => vec![None; n],
    };
    for index in indexes {
        let pod_name = match index {
            Some(i) => format!("{name}-{i}-{}", cm.suffix()),
            None => format!("{name}-{}", cm.suffix()),
        };
        let job_name = name.clone();
        cm.create_pod(
            id,
            &template,
            pod_name,
            |meta| {
                meta.labels.insert(JOB_NAME_LABEL.into(), job_name.clone());
                meta.labels.insert("job-name".into(), job_name);
                if let Some(i) = index {
                    meta.annotations
                        .insert(COMPLETION_INDEX.into(), i.to_string());
                    meta.labels.insert(COMPLETION_INDEX.into(), i.to_string());
                }
            },
            state,
            now,
        );
    }
}

/// A finished Job: tell its CronJob, arm its TTL.
fn finish<E: From<ControllerEvent>>(
    cm: &mut ControllerManager,
    id: WorkloadId,
    state: &mut ClusterState,
    events: &mut EventQueue<E>,
) {
    let status = state.workload_status_mut(id);
    status.active = 0;
    status.ready = 0;
    status.replicas = 0;
    if let Some(owner) = state.workload(id).owner {
        cm.enqueue(owner, events);
    }
    cm.enqueue(id, events);
}
