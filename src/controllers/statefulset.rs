//! The StatefulSet controller (`pkg/controller/statefulset/stateful_set_control.go`
//! `updateStatefulSet`, v1.32): pods with stable ordinal names
//! `<set>-<ordinal>`, from `ordinals.start` up.
//!
//! - OrderedReady (`monotonic`): a sync creates at most one missing pod, and
//!   only once every lower ordinal is Running, Ready and available
//!   (minReadySeconds); scale-down deletes the highest ordinal first, one at
//!   a time, each waiting for the previous deletion to finish. Parallel
//!   creates and deletes every pod at once.
//! - A Failed or Succeeded pod is deleted; the next sync after it is gone
//!   recreates it under the same name.
//! - RollingUpdate replaces pods whose revision (the `controller-revision-hash`
//!   label) is not the update revision, highest ordinal first, down to
//!   `partition`, one at a time: the next waits until the replacement is
//!   Running and available. New pods below `partition` get the current
//!   revision's template. OnDelete replaces nothing; pods recreated for any
//!   reason take the update revision.
//!
//! Revisions: kubesim keeps no ControllerRevision objects. The current
//! revision (hash and template) is remembered in the controller's memory and
//! becomes the update revision once every pod runs it and is ready
//! (`completeRollingUpdate`).

use super::daemonset::CONTROLLER_REVISION_HASH;
use super::deployment::current_template_hash;
use super::{available_at, is_available, is_ready, sync_at, ControllerEvent, ControllerManager};
use crate::engine::{EventQueue, SimTime};
use crate::model::store::{PodId, WorkloadId};
use crate::model::workloads::{
    PodManagementPolicy, PodTemplate, StatefulSetSpec, StatefulSetUpdateStrategy, WorkloadSpec,
};
use crate::model::{ClusterState, PodPhase};

/// `apps.StatefulSetPodNameLabel`: every pod carries its own name.
pub const POD_NAME_LABEL: &str = "statefulset.kubernetes.io/pod-name";
/// `apps.PodIndexLabel` (PodIndexLabel, on by default): the pod's ordinal.
pub const POD_INDEX_LABEL: &str = "apps.kubernetes.io/pod-index";

fn spec_of(state: &ClusterState, id: WorkloadId) -> StatefulSetSpec {
    match &state.workload(id).workload.spec {
        WorkloadSpec::StatefulSet(s) => s.clone(),
        _ => unreachable!("a StatefulSet"),
    }
}

/// `getOrdinal`: the number after the set's name and a dash, if the pod's
/// name has that form.
pub fn ordinal(set: &str, pod: &str) -> Option<i64> {
    let digits = pod.strip_prefix(set)?.strip_prefix('-')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// `isRunningAndReady`.
fn running_and_ready(state: &ClusterState, pod: PodId) -> bool {
    state.pod(pod).status.phase == PodPhase::Running && is_ready(state, pod)
}

/// `isRunningAndAvailable`.
fn running_and_available(state: &ClusterState, pod: PodId, min_ready: i32, now: SimTime) -> bool {
    state.pod(pod).status.phase == PodPhase::Running && is_available(state, pod, min_ready, now)
}

/// `isHealthy`'s complement as the update loop uses it (`isUnavailable`).
fn unavailable(state: &ClusterState, pod: PodId, min_ready: i32, now: SimTime) -> bool {
    terminating(state, pod) || !running_and_available(state, pod, min_ready, now)
}

fn terminating(state: &ClusterState, pod: PodId) -> bool {
    state.pod(pod).terminating.is_some()
}

fn revision(state: &ClusterState, pod: PodId) -> Option<&str> {
    state
        .pod(pod)
        .pod
        .metadata
        .labels
        .get(CONTROLLER_REVISION_HASH)
        .map(String::as_str)
}

pub fn sync<E: From<ControllerEvent>>(
    cm: &mut ControllerManager,
    id: WorkloadId,
    state: &mut ClusterState,
    events: &mut EventQueue<E>,
) {
    let now = events.now();
    let spec = spec_of(state, id);
    let set_name = state.workload(id).workload.metadata.name.clone();
    let update_hash = current_template_hash(cm, id, state);
    let (current_hash, current_template) = cm
        .memory(id)
        .current_revision
        .get_or_insert_with(|| (update_hash.clone(), spec.template.clone()))
        .clone();
    let min_ready = spec.min_ready_seconds;
    let monotonic = spec.pod_management_policy == PodManagementPolicy::OrderedReady;
    let start = spec.ordinals_start as i64;
    let n = spec.replicas.max(0) as usize;

    // Pods in the ordinal range by index, the others (condemned) highest first.
    let mut replicas: Vec<Option<PodId>> = vec![None; n];
    let mut condemned: Vec<(i64, PodId)> = Vec::new();
    for pod in cm.pods_of(id, state) {
        let Some(ord) = ordinal(&set_name, &state.pod(pod).pod.metadata.name) else {
            continue;
        };
        match usize::try_from(ord - start).ok().filter(|&i| i < n) {
            Some(i) => replicas[i] = Some(pod),
            None => condemned.push((ord, pod)),
        }
    }
    condemned.sort_by(|a, b| b.cmp(a));
    // Arm a sync for when ready pods become available.
    for &pod in replicas
        .iter()
        .flatten()
        .chain(condemned.iter().map(|(_, p)| p))
    {
        if let Some(at) = available_at(state, pod, min_ready).filter(|&at| at > now) {
            sync_at(cm, id, at, events);
        }
    }
    // The first unavailable pod: a missing or unavailable replica comes
    // before any condemned pod; among those, the lowest ordinal.
    let replicas_healthy = replicas
        .iter()
        .all(|p| p.is_some_and(|p| !unavailable(state, p, min_ready, now)));
    let first_unavailable_condemned = if replicas_healthy {
        condemned
            .iter()
            .rev()
            .map(|&(_, p)| p)
            .find(|&p| unavailable(state, p, min_ready, now))
    } else {
        None
    };

    let blocked = 'work: {
        // processReplica, in ordinal order.
        for (i, slot) in replicas.iter_mut().enumerate() {
            let ord = start + i as i64;
            match *slot {
                Some(p) if state.pod(p).status.phase.is_terminal() => {
                    if !terminating(state, p) {
                        delete(cm, id, &set_name, p, state, now);
                    }
                    if monotonic {
                        break 'work true;
                    }
                }
                None => {
                    let below_partition = matches!(
                        spec.update_strategy,
                        StatefulSetUpdateStrategy::RollingUpdate { partition } if ord < partition as i64
                    );
                    let (hash, template) = if below_partition {
                        (&current_hash, &current_template)
                    } else {
                        (&update_hash, &spec.template)
                    };
                    *slot = Some(create(cm, id, &set_name, ord, hash, template, state, now));
                    if monotonic {
                        break 'work true;
                    }
                }
                Some(p) if monotonic => {
                    if terminating(state, p)
                        || !running_and_ready(state, p)
                        || !running_and_available(state, p, min_ready, now)
                    {
                        break 'work true;
                    }
                }
                Some(_) => {}
            }
        }
        // processCondemned: highest ordinal first.
        for &(_, p) in &condemned {
            if terminating(state, p) {
                if monotonic {
                    break 'work true;
                }
                continue;
            }
            let healthy =
                running_and_ready(state, p) && running_and_available(state, p, min_ready, now);
            if monotonic && !healthy && Some(p) != first_unavailable_condemned {
                break 'work true;
            }
            delete(cm, id, &set_name, p, state, now);
            if monotonic {
                break 'work true;
            }
        }
        false
    };

    if !blocked {
        if let StatefulSetUpdateStrategy::RollingUpdate { partition } = spec.update_strategy {
            // The highest ordinal not at the update revision goes first; an
            // unavailable pod on the way stops the update until it recovers.
            let low = (partition.max(0) as usize).min(n);
            for &p in replicas[low..].iter().rev().flatten() {
                if revision(state, p) != Some(update_hash.as_str()) && !terminating(state, p) {
                    delete(cm, id, &set_name, p, state, now);
                    break;
                }
                if unavailable(state, p, min_ready, now) {
                    break;
                }
            }
        }
    }
    update_status(cm, id, &spec, &update_hash, state, now);
}

/// Creates the pod of one ordinal at a revision (`newVersionedStatefulSetPod`).
#[allow(clippy::too_many_arguments)]
fn create(
    cm: &mut ControllerManager,
    id: WorkloadId,
    set_name: &str,
    ord: i64,
    hash: &str,
    template: &PodTemplate,
    state: &mut ClusterState,
    now: SimTime,
) -> PodId {
    let name = format!("{set_name}-{ord}");
    // `recordPodEvent` in `stateful_pod_control.go`.
    let message = format!("create Pod {name} in StatefulSet {set_name} successful");
    let pod_name = name.clone();
    cm.create_pod_with_message(
        id,
        template,
        name,
        |meta| {
            let labels = &mut meta.labels;
            labels.insert(CONTROLLER_REVISION_HASH.into(), hash.into());
            labels.insert(POD_NAME_LABEL.into(), pod_name);
            labels.insert(POD_INDEX_LABEL.into(), ord.to_string());
        },
        message,
        state,
        now,
    )
}

fn delete(
    cm: &mut ControllerManager,
    id: WorkloadId,
    set_name: &str,
    pod: PodId,
    state: &mut ClusterState,
    now: SimTime,
) {
    let message = format!(
        "delete Pod {} in StatefulSet {set_name} successful",
        state.pod(pod).pod.metadata.name
    );
    cm.delete_pod_with_message(id, pod, message, state, now);
}

/// `updateStatus` and `completeRollingUpdate`: the counts over the pods, and
/// the current revision moves to the update revision once every pod runs it
/// and is ready.
fn update_status(
    cm: &mut ControllerManager,
    id: WorkloadId,
    spec: &StatefulSetSpec,
    update_hash: &str,
    state: &mut ClusterState,
    now: SimTime,
) {
    let pods = cm.pods_of(id, state);
    let (mut replicas, mut ready, mut available, mut updated) = (0, 0, 0, 0);
    for &p in &pods {
        if running_and_ready(state, p) {
            ready += 1;
            available += running_and_available(state, p, spec.min_ready_seconds, now) as i32;
        }
        if !terminating(state, p) {
            replicas += 1;
            updated += (revision(state, p) == Some(update_hash)) as i32;
        }
    }
    if matches!(
        spec.update_strategy,
        StatefulSetUpdateStrategy::RollingUpdate { .. }
    ) && updated == replicas
        && ready == replicas
    {
        cm.memory(id).current_revision = Some((update_hash.to_string(), spec.template.clone()));
    }
    let status = state.workload_status_mut(id);
    status.replicas = replicas;
    status.ready = ready;
    status.available = available;
    status.updated = updated;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_come_from_the_name_after_the_set_and_a_dash() {
        assert_eq!(ordinal("web", "web-0"), Some(0));
        assert_eq!(ordinal("web", "web-12"), Some(12));
        assert_eq!(ordinal("web", "web-"), None);
        assert_eq!(ordinal("web", "web-a1"), None);
        assert_eq!(ordinal("web", "webx-1"), None);
        assert_eq!(ordinal("web", "web-1-2"), None);
    }
}
