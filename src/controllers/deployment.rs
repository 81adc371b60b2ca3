//! The Deployment controller (`pkg/controller/deployment/`, v1.32): one
//! ReplicaSet per pod-template revision, named `<deployment>-<pod-template-hash>`;
//! RollingUpdate bounded by maxSurge / maxUnavailable, or Recreate; the
//! Progressing and Available conditions with progressDeadlineSeconds;
//! revisionHistoryLimit; paused.

use super::rollout::{
    max_surge, max_unavailable, new_rs_new_replicas, old_replicas_scale_down_budget,
    pod_template_hash,
};
use super::{record, sync_at, ControllerEvent, ControllerManager};
use crate::engine::{EventQueue, SimDuration, SimTime};
use crate::model::labels::LabelSelector;
use crate::model::meta::{ObjectMeta, OwnerReference};
use crate::model::store::WorkloadId;
use crate::model::workloads::{
    DeploymentSpec, DeploymentStrategy, PodTemplate, ReplicaSetSpec, Workload, WorkloadSpec,
};
use crate::model::ClusterState;

/// The label that ties a ReplicaSet and its pods to one template revision.
pub const POD_TEMPLATE_HASH_LABEL: &str = "pod-template-hash";

struct Rs {
    replicas: i32,
    available: i32,
    active_pods: i32,
}

fn rs_view(state: &ClusterState, id: WorkloadId) -> Rs {
    let entry = state.workload(id);
    let WorkloadSpec::ReplicaSet(spec) = &entry.workload.spec else {
        unreachable!("a Deployment owns ReplicaSets")
    };
    Rs {
        replicas: spec.replicas,
        available: entry.status.available,
        active_pods: entry.status.replicas,
    }
}

/// The `pod-template-hash` label of a ReplicaSet: which template it runs.
fn template_hash_label(state: &ClusterState, rs: WorkloadId) -> Option<&str> {
    state
        .workload(rs)
        .workload
        .metadata
        .labels
        .get(POD_TEMPLATE_HASH_LABEL)
        .map(String::as_str)
}

fn spec_of(state: &ClusterState, id: WorkloadId) -> DeploymentSpec {
    match &state.workload(id).workload.spec {
        WorkloadSpec::Deployment(d) => d.clone(),
        _ => unreachable!("a Deployment"),
    }
}

/// The pod-template-hash of a Deployment's, DaemonSet's or StatefulSet's current
/// template. Formatting a whole template is dear and a Deployment syncs at
/// every change of its ReplicaSets, so the hash is kept until the spec's
/// generation changes.
pub fn current_template_hash(
    cm: &mut ControllerManager,
    id: WorkloadId,
    state: &ClusterState,
) -> String {
    let entry = state.workload(id);
    let template = match &entry.workload.spec {
        WorkloadSpec::Deployment(d) => &d.template,
        WorkloadSpec::DaemonSet(d) => &d.template,
        WorkloadSpec::StatefulSet(s) => &s.template,
        _ => unreachable!("a Deployment, DaemonSet or StatefulSet"),
    };
    let cached = &mut cm.memory(id).template_hash;
    match cached {
        Some((generation, hash)) if *generation == entry.generation => {
            debug_assert_eq!(*hash, template_hash_of(template), "stale template hash");
            hash.clone()
        }
        _ => {
            let hash = template_hash_of(template);
            *cached = Some((entry.generation, hash.clone()));
            hash
        }
    }
}

/// Spec fields added after pod-template-hashes were first published, as
/// they print at their defaults: left out of the hashed text, so that a
/// template that does not use them keeps its hash (and its ReplicaSet and
/// pod names) from one kubesim version to the next.
const FIELDS_HASHED_ONLY_WHEN_SET: &[&str] = &[
    ", pre_stop_fail_probability: 0.0",
    ", lifecycle: Lifecycle { post_start: None, pre_stop: None }",
    ", active_deadline_s: None",
];

/// A stable hash of a pod template's full content.
pub fn template_hash_of(template: &PodTemplate) -> String {
    let mut text = format!("{template:?}");
    for default in FIELDS_HASHED_ONLY_WHEN_SET {
        text = text.replace(default, "");
    }
    pod_template_hash(&text, 0)
}

fn scale_rs(
    state: &mut ClusterState,
    deployment: WorkloadId,
    rs: WorkloadId,
    to: i32,
    now: SimTime,
) {
    let from = match &state.workload(rs).workload.spec {
        WorkloadSpec::ReplicaSet(s) => s.replicas,
        _ => return,
    };
    if from == to {
        return;
    }
    state.update_workload(rs, |w| {
        if let WorkloadSpec::ReplicaSet(s) = &mut w.spec {
            s.replicas = to;
        }
    });
    let name = state.workload(rs).workload.metadata.name.clone();
    let direction = if to > from { "up" } else { "down" };
    record(
        state,
        deployment,
        now,
        "ScalingReplicaSet",
        format!("Scaled {direction} replica set {name} from {from} to {to}"),
    );
}

fn create_new_rs(
    cm: &mut ControllerManager,
    id: WorkloadId,
    spec: &DeploymentSpec,
    hash: &str,
    replicas: i32,
    state: &mut ClusterState,
    now: SimTime,
) -> WorkloadId {
    let d_meta = state.workload(id).workload.metadata.clone();
    let mut template = spec.template.clone();
    template
        .metadata
        .labels
        .insert(POD_TEMPLATE_HASH_LABEL.into(), hash.into());
    let mut selector: LabelSelector = spec.selector.clone();
    selector
        .match_labels
        .insert(POD_TEMPLATE_HASH_LABEL.into(), hash.into());
    let name = format!("{}-{hash}", d_meta.name);
    let metadata = ObjectMeta {
        name: name.clone(),
        namespace: d_meta.namespace.clone(),
        labels: template.metadata.labels.clone(),
        annotations: Default::default(),
        owner_references: vec![OwnerReference {
            kind: "Deployment".into(),
            name: d_meta.name.clone(),
            controller: true,
        }],
    };
    let rs = Workload {
        metadata,
        spec: WorkloadSpec::ReplicaSet(ReplicaSetSpec {
            replicas,
            selector,
            template,
            min_ready_seconds: spec.min_ready_seconds,
        }),
    };
    let rs_id = cm.create_child(id, rs, state, now);
    record(
        state,
        id,
        now,
        "ScalingReplicaSet",
        format!("Scaled up replica set {name} from 0 to {replicas}"),
    );
    rs_id
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
    let children = cm.children_of(id, state);
    let new_rs = children
        .iter()
        .copied()
        .find(|&rs| template_hash_label(state, rs) == Some(hash.as_str()));
    let olds: Vec<WorkloadId> = children
        .iter()
        .copied()
        .filter(|&rs| Some(rs) != new_rs)
        .collect();

    if !spec.paused {
        let memory = cm.memory(id);
        if new_rs.is_none() {
            memory.last_progress = Some(now);
            // A rollout replaces a revision; the Deployment's first ReplicaSet only creates.
            if !olds.is_empty() && memory.rollout_started.is_none() {
                memory.rollout_started = Some(now);
            }
        }
        match spec.strategy {
            DeploymentStrategy::Recreate => {
                rollout_recreate(cm, id, &spec, &hash, new_rs, &olds, state, now)
            }
            DeploymentStrategy::RollingUpdate {
                max_surge: s,
                max_unavailable: u,
            } => {
                let surge = max_surge(s, u, spec.replicas);
                let unavailable = max_unavailable(s, u, spec.replicas);
                rollout_rolling(
                    cm,
                    id,
                    &spec,
                    &hash,
                    new_rs,
                    &olds,
                    surge,
                    unavailable,
                    state,
                    now,
                );
            }
        }
    }
    update_status(cm, id, &spec, &hash, state, now, events);
}

#[allow(clippy::too_many_arguments)]
fn rollout_rolling(
    cm: &mut ControllerManager,
    id: WorkloadId,
    spec: &DeploymentSpec,
    hash: &str,
    new_rs: Option<WorkloadId>,
    olds: &[WorkloadId],
    surge: i32,
    unavailable: i32,
    state: &mut ClusterState,
    now: SimTime,
) {
    let all_replicas: i32 = olds
        .iter()
        .chain(new_rs.iter())
        .map(|&rs| rs_view(state, rs).replicas)
        .sum();
    // reconcileNewReplicaSet.
    let new_rs = match new_rs {
        None => {
            let replicas = new_rs_new_replicas(spec.replicas, surge, all_replicas, 0);
            create_new_rs(cm, id, spec, hash, replicas, state, now)
        }
        Some(rs) => {
            let current = rs_view(state, rs).replicas;
            let target = if current > spec.replicas {
                spec.replicas
            } else {
                new_rs_new_replicas(spec.replicas, surge, all_replicas, current)
            };
            if target != current {
                scale_rs(state, id, rs, target, now);
                cm.memory(id).last_progress = Some(now);
            }
            rs
        }
    };
    // reconcileOldReplicaSets: scale old ReplicaSets down within the unavailability budget.
    let new_view = rs_view(state, new_rs);
    let all_pods: i32 = olds
        .iter()
        .map(|&rs| rs_view(state, rs).replicas)
        .sum::<i32>()
        + new_view.replicas;
    let old_total: i32 = olds.iter().map(|&rs| rs_view(state, rs).replicas).sum();
    if old_total == 0 {
        return;
    }
    let mut budget = old_replicas_scale_down_budget(
        spec.replicas,
        unavailable,
        all_pods,
        new_view.replicas,
        new_view.available,
    );
    if budget <= 0 {
        return;
    }
    // cleanupUnhealthyReplicas first: unavailable old pods go first, oldest ReplicaSet first.
    for &rs in olds {
        if budget <= 0 {
            break;
        }
        let v = rs_view(state, rs);
        let unhealthy = (v.replicas - v.available).max(0);
        let down = unhealthy.min(budget).min(v.replicas);
        if down > 0 {
            scale_rs(state, id, rs, v.replicas - down, now);
            budget -= down;
        }
    }
    // scaleDownOldReplicaSetsForRollingUpdate: then available ones, keeping minAvailable.
    let min_available = spec.replicas - unavailable;
    let available: i32 = olds
        .iter()
        .chain(std::iter::once(&new_rs))
        .map(|&rs| rs_view(state, rs).available)
        .sum();
    let mut total_down = (available - min_available).max(0);
    for &rs in olds {
        if total_down <= 0 {
            break;
        }
        let v = rs_view(state, rs);
        let down = v.replicas.min(total_down);
        if down > 0 {
            scale_rs(state, id, rs, v.replicas - down, now);
            total_down -= down;
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn rollout_recreate(
    cm: &mut ControllerManager,
    id: WorkloadId,
    spec: &DeploymentSpec,
    hash: &str,
    new_rs: Option<WorkloadId>,
    olds: &[WorkloadId],
    state: &mut ClusterState,
    now: SimTime,
) {
    // Scale every old ReplicaSet to zero, then wait until their pods are gone.
    let mut scaled = false;
    for &rs in olds {
        if rs_view(state, rs).replicas > 0 {
            scale_rs(state, id, rs, 0, now);
            scaled = true;
        }
    }
    let old_pods_running = olds.iter().any(|&rs| !state.owned_pods(rs).is_empty());
    if scaled || old_pods_running {
        return;
    }
    match new_rs {
        None => {
            create_new_rs(cm, id, spec, hash, spec.replicas, state, now);
        }
        Some(rs) => scale_rs(state, id, rs, spec.replicas, now),
    }
    cm.memory(id).last_progress = Some(now);
}

fn update_status<E: From<ControllerEvent>>(
    cm: &mut ControllerManager,
    id: WorkloadId,
    spec: &DeploymentSpec,
    hash: &str,
    state: &mut ClusterState,
    now: SimTime,
    events: &mut EventQueue<E>,
) {
    let children = cm.children_of(id, state);
    let (mut replicas, mut ready, mut available, mut updated) = (0, 0, 0, 0);
    let mut old_pods = 0;
    for &rs in &children {
        let entry = state.workload(rs);
        replicas += entry.status.replicas;
        ready += entry.status.ready;
        available += entry.status.available;
        if template_hash_label(state, rs) == Some(hash) {
            updated += entry.status.replicas;
        } else {
            old_pods += state.owned_pods(rs).len();
        }
    }
    let min_available = match spec.strategy {
        DeploymentStrategy::RollingUpdate {
            max_surge: s,
            max_unavailable: u,
        } => spec.replicas - max_unavailable(s, u, spec.replicas),
        DeploymentStrategy::Recreate => spec.replicas,
    };
    let previous_available = state.workload(id).status.available;
    let memory = cm.memory(id);
    if available > previous_available {
        memory.last_progress = Some(now);
    }
    let complete = updated == spec.replicas
        && replicas == spec.replicas
        && available == spec.replicas
        && old_pods == 0;
    let rollout = memory.rollout_started;
    let deadline = memory
        .last_progress
        .map(|t| t + SimDuration::from_secs(spec.progress_deadline_seconds.max(0) as u64));
    let status = state.workload_status_mut(id);
    status.replicas = replicas;
    status.ready = ready;
    status.available = available;
    status.updated = updated;
    status.set_condition(
        "Available",
        available >= min_available,
        if available >= min_available {
            "MinimumReplicasAvailable"
        } else {
            "MinimumReplicasUnavailable"
        },
        now,
    );
    if spec.paused {
        status.set_condition("Progressing", false, "DeploymentPaused", now);
        return;
    }
    if complete {
        status.set_condition("Progressing", true, "NewReplicaSetAvailable", now);
        if let Some(start) = rollout {
            status.rollouts.push((start, now));
            cm.memory(id).rollout_started = None;
        }
        cleanup_history(cm, id, spec, hash, state, now);
    } else if let Some(deadline) = deadline {
        let status = state.workload_status_mut(id);
        if now >= deadline {
            if status
                .condition("Progressing")
                .is_none_or(|c| c.reason != "ProgressDeadlineExceeded")
            {
                status.set_condition("Progressing", false, "ProgressDeadlineExceeded", now);
                let rs_name = format!("{}-{hash}", state.workload(id).workload.metadata.name);
                record(
                    state,
                    id,
                    now,
                    "ProgressDeadlineExceeded",
                    format!("ReplicaSet \"{rs_name}\" has timed out progressing."),
                );
            }
        } else {
            status.set_condition("Progressing", true, "ReplicaSetUpdated", now);
            sync_at(cm, id, deadline, events);
        }
    }
}

/// `cleanupDeployment`: keep at most revisionHistoryLimit old ReplicaSets with no replicas.
fn cleanup_history(
    cm: &mut ControllerManager,
    id: WorkloadId,
    spec: &DeploymentSpec,
    hash: &str,
    state: &mut ClusterState,
    now: SimTime,
) {
    let children = cm.children_of(id, state);
    let idle: Vec<WorkloadId> = children
        .into_iter()
        .filter(|&rs| template_hash_label(state, rs) != Some(hash))
        .filter(|&rs| rs_view(state, rs).replicas == 0 && rs_view(state, rs).active_pods == 0)
        .collect();
    let excess = idle
        .len()
        .saturating_sub(spec.revision_history_limit.max(0) as usize);
    for &rs in idle.iter().take(excess) {
        state.remove_workload(rs, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::resources::ResourceNames;

    #[test]
    fn template_hash_follows_every_spec_change() {
        let scenario = crate::tests::scenario(
            r#"
duration: 1m
workloads:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      replicas: 2
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers: [{name: c, image: 'web:1'}]
"#,
        );
        let mut state = ClusterState::new(ResourceNames::default());
        let id = state.add_workload(scenario.workloads[0].workload.clone(), None, SimTime::ZERO);
        let mut cm = ControllerManager::new(Default::default(), 1);
        let template = |state: &ClusterState| match &state.workload(id).workload.spec {
            WorkloadSpec::Deployment(d) => d.template.clone(),
            _ => unreachable!(),
        };
        let first = current_template_hash(&mut cm, id, &state);
        assert_eq!(first, template_hash_of(&template(&state)));
        assert_eq!(current_template_hash(&mut cm, id, &state), first);
        // A scale keeps the template, hence the hash.
        state.update_workload(id, |w| {
            if let WorkloadSpec::Deployment(d) = &mut w.spec {
                d.replicas = 3;
            }
        });
        assert_eq!(current_template_hash(&mut cm, id, &state), first);
        // A new label, then the old template again.
        state.update_workload(id, |w| {
            let t = w.spec.template_mut().unwrap();
            t.metadata.labels.insert("tier".into(), "web".into());
        });
        let second = current_template_hash(&mut cm, id, &state);
        assert_ne!(second, first);
        assert_eq!(second, template_hash_of(&template(&state)));
        state.update_workload(id, |w| {
            w.spec
                .template_mut()
                .unwrap()
                .metadata
                .labels
                .remove("tier");
        });
        assert_eq!(current_template_hash(&mut cm, id, &state), first);
    }

    #[test]
    fn fields_added_later_count_in_the_hash_only_when_set() {
        let pod = crate::model::pod::fixtures::pod("p").build();
        let template = PodTemplate {
            metadata: pod.metadata,
            spec: pod.spec,
        };
        // Each default prints as listed (else the list would leave it in).
        let text = format!("{template:?}");
        for default in FIELDS_HASHED_ONLY_WHEN_SET {
            assert!(text.contains(default), "{default} not in {text}");
        }
        let mut with_deadline = template.clone();
        std::sync::Arc::make_mut(&mut with_deadline.spec).active_deadline_s = Some(60);
        assert_ne!(
            template_hash_of(&with_deadline),
            template_hash_of(&template)
        );
    }
}
