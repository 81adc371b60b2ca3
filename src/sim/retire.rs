//! Retiring finished pods in a streamed run: a pod that nothing can look at
//! any more leaves the store, its pods.csv row written and its figures kept.

use crate::controllers::ControllerManager;
use crate::kubelet::Kubelets;
use crate::metrics::Recorder;
use crate::model::{ClusterState, PodId};
use crate::scheduler::Scheduler;
use std::collections::BTreeSet;

/// Whether a finished pod can be retired.
enum Retirement {
    Now,
    /// Something still refers to it; look again at the next sample.
    Later,
    /// Not finished (its finishing will make it a candidate again), or kept
    /// for the whole run.
    Never,
}

/// Pods a `delete` action names, by name or by selector, and the pods bound
/// to a node one deletes (the pod GC deletes those, finished or not): a
/// finished one stays in the API (and unretired) until its deletion sets
/// its `deleted_s`.
#[derive(Default)]
pub struct DeletedByAction<'s> {
    names: BTreeSet<(&'s str, &'s str)>,
    selectors: Vec<(&'s str, &'s crate::model::labels::LabelSelector)>,
    nodes: Vec<&'s crate::scenario::spec::DeleteTarget>,
}

impl<'s> DeletedByAction<'s> {
    pub fn new(actions: &'s [crate::scenario::Action]) -> Self {
        use crate::scenario::spec::DeleteTarget;
        let mut out = DeletedByAction::default();
        for a in actions {
            if let crate::scenario::ActionKind::Delete {
                kind,
                namespace,
                target,
                ..
            } = &a.kind
            {
                if kind == "Node" {
                    out.nodes.push(target);
                    continue;
                }
                if kind != "Pod" {
                    continue;
                }
                match target {
                    DeleteTarget::Name(n) => {
                        out.names.insert((namespace.as_str(), n.as_str()));
                    }
                    DeleteTarget::Selector(s) => out.selectors.push((namespace.as_str(), s)),
                }
            }
        }
        out
    }

    fn names(&self, e: &crate::model::PodEntry, state: &ClusterState) -> bool {
        use crate::scenario::spec::DeleteTarget;
        let meta = &e.pod.metadata;
        let on_deleted_node = |node: crate::model::NodeId| {
            let n = &state.node(node).metadata;
            self.nodes.iter().any(|t| match t {
                DeleteTarget::Name(name) => n.name == *name,
                DeleteTarget::Selector(s) => s.matches(&n.labels),
            })
        };
        self.names
            .contains(&(meta.namespace.as_str(), meta.name.as_str()))
            || self
                .selectors
                .iter()
                .any(|(ns, s)| *ns == meta.namespace && s.matches(&meta.labels))
            || e.node.is_some_and(on_deleted_node)
    }
}

/// Whether the pod's entry can go: it has finished (terminal or deleted),
/// holds nothing, and no component can look at it again.
///
/// A pod a controller owns goes only once it is deleted (gone from the API):
/// until then its owner may still read it (a Job counts its finished pods
/// and keeps them until the Job goes; the garbage collector deletes them
/// with their owner, which sets their `deleted_s`). Once it is deleted no
/// controller reads it again: the owners' pod lists (`pods_of`), a Job's
/// counted pods, a DaemonSet's pods by node and the recovery tracker's
/// pods drop deleted pods, and a Service's endpoints hold active pods only.
fn retirement(
    state: &ClusterState,
    id: PodId,
    scheduler: &Scheduler,
    kubelets: &Kubelets,
    controllers: &ControllerManager,
    deleted_by_action: &DeletedByAction<'_>,
) -> Retirement {
    let Some(e) = state.pods().get(id) else {
        return Retirement::Never; // retired already
    };
    if e.deleted.is_none() && !e.status.phase.is_terminal() {
        return Retirement::Never;
    }
    let owned = e.owner.is_some() || !e.pod.metadata.owner_references.is_empty();
    let named = deleted_by_action.names(e, state);
    if (owned || named) && e.deleted.is_none() {
        // Its deletion makes it a candidate again.
        return Retirement::Never;
    }
    let terminating = e.terminating.is_some() && e.deleted.is_none();
    // Still pending at the end, its pending time would run to the end.
    let waiting = e.pod.spec.node_name.is_none()
        && e.status.conditions.pod_scheduled.is_none()
        && e.deleted.is_none();
    if e.holds_resources()
        || terminating
        || waiting
        || kubelets.references(id, e.node)
        || scheduler.queue.info(id).is_some()
        || controllers.references(id)
    {
        return Retirement::Later;
    }
    Retirement::Now
}

/// Streaming: retires the candidates that can go, and defers the others
/// that might later.
pub fn retire_finished(
    state: &mut ClusterState,
    recorder: &mut Recorder,
    scheduler: &Scheduler,
    kubelets: &Kubelets,
    controllers: &ControllerManager,
    deleted_by_action: &DeletedByAction<'_>,
) {
    let mut candidates = std::mem::take(&mut recorder.retire_candidates);
    candidates.sort_unstable();
    candidates.dedup();
    for id in candidates.drain(..) {
        match retirement(
            state,
            id,
            scheduler,
            kubelets,
            controllers,
            deleted_by_action,
        ) {
            Retirement::Now => recorder.retire(id, state),
            Retirement::Later => recorder.retire_deferred.push(id),
            Retirement::Never => {}
        }
    }
    // Keep the buffer (and its capacity) for the next event.
    recorder.retire_candidates = candidates;
}
