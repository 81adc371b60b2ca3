//! The API server's part in a run: every watch notification fanned out to
//! the components, with the declared latency of each hop of the creation
//! flow (`apiLatency`: create, schedulerWatch, bind, kubeletWatch,
//! statusUpdate), and the operator's actions carried out as `kubectl` would.

use super::{Cluster, Event};
use crate::controllers::{gc, ControllerManager};
use crate::engine::{EventQueue, SimDuration};
use crate::model::api_latency::Hop;
use crate::model::store::{NodeId, PodId, WorkloadId};
use crate::model::workloads::WorkloadSpec;
use crate::model::{ClusterState, WatchEvent};
use crate::scenario::spec::DeleteTarget;
use crate::scenario::ActionKind;

impl Cluster<'_> {
    /// Delivers every pending watch notification to every component, in order.
    pub(super) fn deliver_watch(&mut self) {
        while let Some(w) = self.state.next_watch_event() {
            let now = self.events.now();
            if self.recorder.stream.is_some() {
                if let WatchEvent::PodUpdated(p)
                | WatchEvent::PodTerminated(p)
                | WatchEvent::PodDeleted(p) = w
                {
                    self.recorder.retire_candidates.push(p);
                }
            }
            let (latency, seed) = (&self.scenario.api_latency, self.seed);
            let pod_delay = |hop, p| latency.delay(hop, p, seed);
            match w {
                // Not persisted yet: nobody hears of the pod, created when it is.
                WatchEvent::PodAdded(p) if pod_delay(Hop::Create, p) > SimDuration::ZERO => {
                    let at = now + pod_delay(Hop::Create, p);
                    self.state.set_pod_created(p, at);
                    self.events.schedule(at, Event::Persisted(w));
                    continue;
                }
                // The binding is persisted later; the scheduler has assumed the pod.
                WatchEvent::PodBound(p, n) if self.state.pod(p).pod.spec.node_name.is_none() => {
                    let bind = pod_delay(Hop::Bind, p);
                    if bind > SimDuration::ZERO {
                        self.state.set_pod_scheduled_time(p, now + bind);
                        self.events.schedule(now + bind, Event::BindPersisted(p, n));
                    } else if self.scheduler.defers_scheduled_event() {
                        let message = crate::scheduler::scheduled_message(&self.state, p, n);
                        self.state.record_pod_event(now, p, "Scheduled", message);
                    }
                }
                // Controllers hear of a kubelet's status write once it is persisted.
                WatchEvent::PodUpdated(p) | WatchEvent::PodTerminated(p)
                    if pod_delay(Hop::StatusUpdate, p) > SimDuration::ZERO =>
                {
                    let at = now + pod_delay(Hop::StatusUpdate, p);
                    let (state, events) = (&mut self.state, &mut self.events);
                    self.scheduler.on_watch(w, state, events);
                    self.kubelets.on_watch(w, state, events);
                    events.schedule(at, Event::StatusPersisted(w));
                    self.autoscaler.on_watch(w, state);
                    self.recorder.nodes.on_watch(w, state, now);
                    self.recorder.recovery.on_watch(w, state);
                    continue;
                }
                _ => {}
            }
            self.deliver_one(w);
        }
    }

    /// Delivers one watch notification to every component, the scheduler and
    /// the kubelets after their declared watch latency.
    pub(super) fn deliver_one(&mut self, w: WatchEvent) {
        let (latency, seed) = (&self.scenario.api_latency, self.seed);
        let (state, events) = (&mut self.state, &mut self.events);
        // Declared watch latency: the scheduler hears of new pods, and the
        // kubelets of bindings, later.
        let delayed = match w {
            WatchEvent::PodAdded(p) => Some((true, latency.delay(Hop::SchedulerWatch, p, seed))),
            WatchEvent::PodBound(p, _) => {
                // The kubelet's watch sees the binding once it is persisted.
                let bind = match state.pod(p).pod.spec.node_name {
                    None => latency.delay(Hop::Bind, p, seed),
                    Some(_) => SimDuration::ZERO,
                };
                Some((false, bind + latency.delay(Hop::KubeletWatch, p, seed)))
            }
            _ => None,
        };
        match delayed {
            Some((true, d)) if d > SimDuration::ZERO => {
                events.schedule(events.now() + d, Event::DelayedWatch(true, w));
                self.kubelets.on_watch(w, state, events);
            }
            Some((false, d)) if d > SimDuration::ZERO => {
                self.scheduler.on_watch(w, state, events);
                events.schedule(events.now() + d, Event::DelayedWatch(false, w));
            }
            _ => {
                self.scheduler.on_watch(w, state, events);
                self.kubelets.on_watch(w, state, events);
            }
        }
        self.controllers.on_watch(w, state, events);
        self.autoscaler.on_watch(w, state);
        if let WatchEvent::NodeAdded(n) = w {
            let pools = &self.scenario.node_pools;
            (self.ledger).joined(n, state.node(n).name(), pools, events.now());
        }
        self.recorder.nodes.on_watch(w, state, events.now());
        self.recorder.recovery.on_watch(w, state);
    }

    /// A watch notification held back by its latency reaches the scheduler
    /// (`to_scheduler`) or a kubelet, unless the pod went meanwhile.
    pub(super) fn delayed_watch(&mut self, to_scheduler: bool, w: WatchEvent) {
        let pod = match w {
            WatchEvent::PodAdded(p) | WatchEvent::PodBound(p, _) => p,
            _ => unreachable!("only pod notifications are delayed"),
        };
        // The pod may have gone (or be going, or be retired) meanwhile.
        let live = self
            .state
            .pods()
            .get(pod)
            .is_some_and(|e| e.deleted.is_none() && (to_scheduler || e.terminating.is_none()));
        if !live {
            return;
        }
        let (state, events) = (&mut self.state, &mut self.events);
        if !to_scheduler {
            self.kubelets.on_watch(w, state, events);
        } else if state.pod(pod).node.is_none() {
            self.scheduler.on_watch(w, state, events);
        }
    }

    /// A pod's creation is persisted: the watchers hear of it now.
    pub(super) fn persisted(&mut self, w: WatchEvent) {
        let WatchEvent::PodAdded(pod) = w else {
            unreachable!("only pod creations are persisted late")
        };
        if self
            .state
            .pods()
            .get(pod)
            .is_some_and(|e| e.deleted.is_none())
        {
            self.deliver_one(w);
        }
    }

    /// The scheduler's binding is persisted: the Scheduled event is recorded now.
    pub(super) fn bind_persisted(&mut self, pod: crate::model::PodId, node: crate::model::NodeId) {
        if self
            .state
            .pods()
            .get(pod)
            .is_some_and(|e| e.deleted.is_none())
        {
            let message = crate::scheduler::scheduled_message(&self.state, pod, node);
            let now = self.events.now();
            self.state.record_pod_event(now, pod, "Scheduled", message);
        }
    }

    /// A kubelet's status write is persisted: the controllers hear of it now.
    pub(super) fn status_persisted(&mut self, w: WatchEvent) {
        let (WatchEvent::PodUpdated(pod) | WatchEvent::PodTerminated(pod)) = w else {
            unreachable!("only status writes are persisted late")
        };
        if self
            .state
            .pods()
            .get(pod)
            .is_some_and(|e| e.deleted.is_none())
        {
            self.controllers.on_watch(w, &self.state, &mut self.events);
        }
    }

    /// Carries out `scenario.actions[i]`, again later if it asks to be.
    pub(super) fn action(&mut self, i: usize) {
        let kind = &self.scenario.actions[i].kind;
        let retry = apply_action(
            kind,
            &mut self.controllers,
            &mut self.state,
            &mut self.events,
        );
        if let Some(after) = retry {
            let at = self.events.now() + after;
            self.events.schedule(at, Event::Action(i));
        }
    }
}

/// Carries out a scenario action through the API, as `kubectl` would;
/// returns when to carry it out again (a drain whose evictions a
/// PodDisruptionBudget refused).
pub(super) fn apply_action(
    action: &ActionKind,
    cm: &mut ControllerManager,
    state: &mut ClusterState,
    events: &mut EventQueue<Event>,
) -> Option<SimDuration> {
    let now = events.now();
    match action {
        ActionKind::Scale {
            kind,
            namespace,
            name,
            replicas,
        } => {
            if let Some(id) = state.find_workload(kind, namespace, name) {
                state.update_workload(id, |w| match &mut w.spec {
                    WorkloadSpec::Deployment(d) => d.replicas = *replicas,
                    WorkloadSpec::ReplicaSet(r) => r.replicas = *replicas,
                    WorkloadSpec::StatefulSet(s) => s.replicas = *replicas,
                    WorkloadSpec::Job(j) => j.parallelism = *replicas,
                    WorkloadSpec::CronJob(_)
                    | WorkloadSpec::DaemonSet(_)
                    | WorkloadSpec::Service(_) => {}
                });
            }
        }
        ActionKind::SetTemplate {
            kind,
            namespace,
            name,
            template,
        } => {
            if let Some(id) = state.find_workload(kind, namespace, name) {
                state.update_workload(id, |w| {
                    if let Some(t) = w.spec.template_mut() {
                        *t = template.clone();
                    }
                });
            }
        }
        ActionKind::SetPaused {
            namespace,
            name,
            paused,
        } => {
            if let Some(id) = state.find_workload("Deployment", namespace, name) {
                state.update_workload(id, |w| {
                    if let WorkloadSpec::Deployment(d) = &mut w.spec {
                        d.paused = *paused;
                    }
                });
            }
        }
        ActionKind::Delete {
            kind,
            namespace,
            target,
            propagation,
            grace_period_s,
        } => {
            let matches = |meta: &crate::model::meta::ObjectMeta| {
                meta.namespace == *namespace
                    && match target {
                        DeleteTarget::Name(n) => meta.name == *n,
                        DeleteTarget::Selector(s) => s.matches(&meta.labels),
                    }
            };
            let found = if kind == "Node" {
                // Nodes have no namespace.
                let ids: Vec<NodeId> = (0..state.nodes().len() as u32)
                    .map(NodeId)
                    .filter(|&n| {
                        let meta = &state.node(n).metadata;
                        state.node_exists(n)
                            && match target {
                                DeleteTarget::Name(name) => meta.name == *name,
                                DeleteTarget::Selector(s) => s.matches(&meta.labels),
                            }
                    })
                    .collect();
                for &n in &ids {
                    state.delete_node(n, now);
                }
                !ids.is_empty()
            } else if kind == "Pod" {
                let pods: Vec<PodId> = (state.pods().iter_ids())
                    .filter(|(_, p)| p.deleted.is_none() && matches(&p.pod.metadata))
                    .map(|(id, _)| id)
                    .collect();
                for &id in &pods {
                    state.request_pod_deletion_with_grace(id, now, *grace_period_s);
                }
                !pods.is_empty()
            } else {
                let ids: Vec<WorkloadId> = (state.workloads().iter().enumerate())
                    .filter(|(_, w)| {
                        w.deleted.is_none()
                            && w.workload.spec.kind() == kind
                            && matches(&w.workload.metadata)
                    })
                    .map(|(i, _)| WorkloadId(i as u32))
                    .collect();
                for &id in &ids {
                    gc::delete_workload(cm, id, *propagation, state, events);
                }
                !ids.is_empty()
            };
            if !found {
                not_found(state, kind, namespace, target, now);
            }
        }
        ActionKind::AddNodes(nodes) => {
            for node in nodes {
                state.add_node(node.clone());
            }
        }
        ActionKind::Cordon {
            node,
            unschedulable,
        } => crate::faults::drain::cordon(state, node, *unschedulable, now),
        ActionKind::Taint {
            node,
            taints,
            remove,
        } => crate::faults::drain::taint(state, node, taints, *remove),
        ActionKind::Drain { node } => {
            let id = state.find_node(node)?;
            if crate::model::eviction::drain_pass(state, id, now) > 0 {
                return Some(crate::model::eviction::DRAIN_RETRY);
            }
        }
    }
    None
}

/// A `delete` that found nothing: kubectl's error, as a warning event, so
/// that a delete that did nothing is never silent.
fn not_found(
    state: &mut ClusterState,
    kind: &str,
    namespace: &str,
    target: &DeleteTarget,
    now: crate::engine::SimTime,
) {
    let (kind, resource): (&'static str, &str) = match kind {
        "Node" => ("Node", "nodes"),
        "Pod" => ("Pod", "pods"),
        "Deployment" => ("Deployment", "deployments.apps"),
        "ReplicaSet" => ("ReplicaSet", "replicasets.apps"),
        "DaemonSet" => ("DaemonSet", "daemonsets.apps"),
        "StatefulSet" => ("StatefulSet", "statefulsets.apps"),
        "Job" => ("Job", "jobs.batch"),
        _ => ("CronJob", "cronjobs.batch"),
    };
    let (object, message) = match target {
        DeleteTarget::Name(n) if kind == "Node" => (
            n.clone(),
            format!("Error from server (NotFound): {resource} \"{n}\" not found"),
        ),
        DeleteTarget::Selector(_) if kind == "Node" => {
            (String::new(), "No resources found".to_string())
        }
        DeleteTarget::Name(n) => (
            format!("{namespace}/{n}"),
            format!("Error from server (NotFound): {resource} \"{n}\" not found"),
        ),
        DeleteTarget::Selector(_) => (
            namespace.to_string(),
            format!("No resources found in {namespace} namespace."),
        ),
    };
    state.record_event(now, kind, object, "NotFound", message);
}
