//! One run: the event loop that wires the components together.
//!
//! `simulate` owns the event queue, the cluster state and the components.
//! Each popped event goes to exactly one component (one `match`); the
//! component changes the store, and every resulting watch notification is
//! then delivered, in order, to every component before the next event. The
//! core does no I/O: the result is a [`RunReport`] that writers turn into files.

use crate::controllers::{gc, ControllerEvent, ControllerManager};
use crate::engine::rng::{derive_seed, Stream};
use crate::engine::SimDuration;
use crate::engine::{EventQueue, Limits, RandomStreams, SimTime, StopReason};
use crate::faults::{FaultEvent, Faults};
use crate::kubelet::{KubeletEvent, Kubelets};
use crate::metrics::nodes::NODES_HEADER;
use crate::metrics::recorder::MAX_SAMPLES;
use crate::metrics::stream::{CsvSink, RetiredRows, StreamWriters, Streams};
use crate::metrics::summary::{summarize, Summary};
use crate::metrics::writers::{EVENTS_HEADER, TIMESERIES_HEADER, WORKLOADS_HEADER};
use crate::metrics::Recorder;
use crate::model::api_latency::{ApiLatency, Hop};
use crate::model::meta::ObjectMeta;
use crate::model::workloads::WorkloadSpec;
use crate::model::PodId;
use crate::model::WatchEvent;
use crate::model::{ClusterState, Pod};
use crate::scenario::{sizes, ActionKind, ArrivalProcess, Scenario};
use crate::scheduler::explain::SummaryRow;
use crate::scheduler::explain::DEFAULT_EXPLAIN_TOP;
use crate::scheduler::{
    DecisionRow, ExplainFilter, ExplainOptions, Explained, Scheduler, SchedulerEvent,
    SchedulerOptions,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// Create the pod `scenario.pods[i]`.
    CreatePod(usize),
    /// The arrival process `scenario.arrivals[i]` creates its next pod.
    Arrival(usize),
    /// Create the workload object `scenario.workloads[i]`.
    CreateWorkload(usize),
    /// Carry out `scenario.actions[i]`.
    Action(usize),
    Scheduler(SchedulerEvent),
    Kubelet(KubeletEvent),
    Controller(ControllerEvent),
    Fault(FaultEvent),
    /// A watch notification reaches the scheduler (or, `false`, a kubelet)
    /// after its declared latency.
    DelayedWatch(bool, crate::model::WatchEvent),
    /// A pod's creation is persisted after its `apiLatency.create`: the
    /// watchers hear of it now.
    Persisted(crate::model::WatchEvent),
    /// The scheduler's binding is persisted after its `apiLatency.bind`:
    /// the Scheduled event is recorded now.
    BindPersisted(PodId, crate::model::NodeId),
    /// A kubelet's status write is persisted after its
    /// `apiLatency.statusUpdate`: the controllers hear of it now.
    StatusPersisted(crate::model::WatchEvent),
    /// Record a row of timeseries.csv.
    Sample,
}

impl From<SchedulerEvent> for Event {
    fn from(e: SchedulerEvent) -> Self {
        Event::Scheduler(e)
    }
}
impl From<ControllerEvent> for Event {
    fn from(e: ControllerEvent) -> Self {
        Event::Controller(e)
    }
}
impl From<FaultEvent> for Event {
    fn from(e: FaultEvent) -> Self {
        Event::Fault(e)
    }
}
impl From<KubeletEvent> for Event {
    fn from(e: KubeletEvent) -> Self {
        Event::Kubelet(e)
    }
}

/// Told how far a run has come, every [`PROGRESS_EVERY`] events.
pub trait ProgressSink {
    fn update(&self, now: SimTime, events_processed: u64);
}

/// Events between two progress updates.
pub const PROGRESS_EVERY: u64 = 1 << 16;

/// Options of one run that are not part of the scenario.
#[derive(Default)]
pub struct RunOptions {
    /// Pods whose attempts get summary rows (filter counts, top-k scores).
    pub explain: ExplainFilter,
    /// Pods whose attempts get every node's and plugin's row.
    pub explain_pod: ExplainFilter,
    /// Top nodes per attempt in the summary; `None`: 3.
    pub explain_top: Option<usize>,
    /// Check every invariant of the whole state after every event (tests).
    pub check_invariants: bool,
    pub progress: Option<Box<dyn ProgressSink + Send>>,
}

pub struct RunReport {
    pub seed: u64,
    pub state: ClusterState,
    pub recorder: Recorder,
    pub decisions: Vec<DecisionRow>,
    pub explain_summary: Vec<SummaryRow>,
    pub summary: Summary,
    pub end: SimTime,
    pub events_processed: u64,
    pub stop_reason: StopReason,
    /// Every fault that happened, in start order (faults.csv).
    pub faults: Vec<crate::faults::FaultRecord>,
}

struct ArrivalState {
    rng: ChaCha8Rng,
    /// Pod sizes have their own stream, so that drawing them leaves the arrival times alone.
    sizes: ChaCha8Rng,
    created: u64,
}

/// Runs a scenario with a seed to completion or to a limit.
pub fn simulate(scenario: &Scenario, seed: u64, options: &RunOptions) -> RunReport {
    run(scenario, seed, options, None)
}

/// Like [`simulate`], but streams events.csv, nodes.csv, timeseries.csv,
/// workloads.csv and the pods.csv rows of finished pods to `writers` while it runs, and retires the
/// finished pods nothing refers to any more: their entries leave
/// `report.state.pods` (their ids stay taken) and their summary figures stay
/// in `report.recorder.retired`. The files `output` writes from either
/// report are byte for byte the same.
pub fn simulate_streaming(
    scenario: &Scenario,
    seed: u64,
    options: &RunOptions,
    writers: StreamWriters,
) -> RunReport {
    run(scenario, seed, options, Some(writers))
}

fn run(
    scenario: &Scenario,
    seed: u64,
    options: &RunOptions,
    writers: Option<StreamWriters>,
) -> RunReport {
    // Without a duration, the run ends after at most MAX_SAMPLES sample
    // intervals (a duration holding more is rejected when it is loaded).
    let max_time = scenario.duration.unwrap_or_else(|| {
        crate::engine::SimDuration(scenario.sample_interval.0.saturating_mul(MAX_SAMPLES))
    });
    let limits = Limits {
        max_events: scenario.max_events,
        max_time: SimTime(max_time.0),
    };
    let mut events: EventQueue<Event> = EventQueue::new();
    let mut state = ClusterState::new(scenario.resource_names.clone());
    state.priority_classes = scenario.priority_classes.clone();
    state.pod_disruption_budgets = scenario.pod_disruption_budgets.clone();
    let mut streams = RandomStreams::new(seed);
    let mut scheduler = Scheduler::new(
        scenario.scheduler.clone(),
        SchedulerOptions {
            explain: ExplainOptions {
                pods: options.explain.clone(),
                every_node: options.explain_pod.clone(),
                top: options.explain_top.unwrap_or(DEFAULT_EXPLAIN_TOP),
            },
            defer_scheduled_event: scenario.api_latency.bind.is_some(),
            preemption_seed: derive_seed(seed, Stream::Preemption as u64),
            fused: true,
        },
    );
    let mut explained = Explained::default();
    let mut kubelets = Kubelets::new(seed);
    kubelets.api_latency = (scenario.api_latency.clone(), seed);
    kubelets.images = scenario.images.clone();
    let mut controllers = ControllerManager::new(scenario.controllers, seed);
    let mut recorder = Recorder::default();
    if let Some(w) = writers {
        recorder.stream = Some(Streams {
            events: CsvSink::new(w.events, EVENTS_HEADER),
            timeseries: CsvSink::new(w.timeseries, TIMESERIES_HEADER),
            workloads: CsvSink::new(w.workloads, WORKLOADS_HEADER),
            retired: RetiredRows::new(w.retired_pods),
        });
        recorder.nodes.stream = Some(CsvSink::new(w.nodes, NODES_HEADER));
    }
    let mut faults = Faults::new(&scenario.faults, seed);
    let arrivals_seed = derive_seed(seed, Stream::Arrivals as u64);
    let mut arrival_states: Vec<ArrivalState> = (0..scenario.arrivals.len())
        .map(|i| {
            let seed = derive_seed(arrivals_seed, i as u64);
            ArrivalState {
                rng: ChaCha8Rng::seed_from_u64(seed),
                sizes: ChaCha8Rng::seed_from_u64(derive_seed(seed, 1)),
                created: 0,
            }
        })
        .collect();

    for node in &scenario.nodes {
        state.add_node(node.clone());
    }
    for (i, (at, _)) in scenario.pods.iter().enumerate() {
        events.schedule(*at, Event::CreatePod(i));
    }
    for (i, w) in scenario.workloads.iter().enumerate() {
        events.schedule(w.at, Event::CreateWorkload(i));
    }
    for (i, a) in scenario.actions.iter().enumerate() {
        events.schedule(a.at, Event::Action(i));
    }
    for (i, arrival) in scenario.arrivals.iter().enumerate() {
        if let Some(first) = next_arrival(arrival, &mut arrival_states[i], SimTime::ZERO) {
            events.schedule(first, Event::Arrival(i));
        }
    }
    events.schedule(SimTime::ZERO, Event::Sample);
    faults.start(&mut events);
    deliver_watch(
        &mut state,
        &mut scheduler,
        &mut kubelets,
        &mut controllers,
        &mut events,
        &mut recorder,
        (&scenario.api_latency, seed),
    );

    // Pods an action deletes by name: a finished one stays in the API (and
    // unretired) until then, when its deletion sets its `deleted_s`.
    let deleted_by_name: BTreeSet<(&str, &str)> = scenario
        .actions
        .iter()
        .filter_map(|a| match &a.kind {
            ActionKind::Delete {
                kind,
                namespace,
                name,
                ..
            } if kind == "Pod" => Some((namespace.as_str(), name.as_str())),
            _ => None,
        })
        .collect();
    let mut processed = 0u64;
    let stop_reason = loop {
        let Some(next) = events.peek_time() else {
            break StopReason::Drained;
        };
        // Without a duration, stop once only periodic timers are left (the
        // sample and the scheduler's leftover flush): nothing can change any more.
        if scenario.duration.is_none()
            && scheduler
                .idle_timers()
                .is_some_and(|idle| events.pending() <= idle + 1)
        {
            break StopReason::Drained;
        }
        if next > limits.max_time {
            break StopReason::MaxTime;
        }
        if processed >= limits.max_events {
            break StopReason::MaxEvents;
        }
        let (now, event) = events.pop().expect("peeked");
        processed += 1;
        if processed.is_multiple_of(PROGRESS_EVERY) {
            if let Some(p) = &options.progress {
                p.update(now, processed);
            }
        }
        match event {
            Event::CreatePod(i) => {
                state.add_pod(scenario.pods[i].1.clone(), now);
            }
            Event::Arrival(i) => {
                let arrival = &scenario.arrivals[i];
                let st = &mut arrival_states[i];
                let name = format!("{}-{}", arrival.name, st.created);
                st.created += 1;
                let mut pod = instantiate(&arrival.template, name);
                if !arrival.requests.is_empty() {
                    let mut spec = (*pod.spec).clone();
                    if let Some(c) = spec.containers.first_mut() {
                        sizes::sample_into(&arrival.requests, &mut st.sizes, &mut c.requests);
                    }
                    pod = Pod::new(pod.metadata, Arc::new(spec));
                }
                state.add_pod(pod, now);
                if let Some(t) = next_arrival(arrival, st, now) {
                    events.schedule(t, Event::Arrival(i));
                }
            }
            Event::Scheduler(e) => scheduler.handle(
                e,
                &mut state,
                &mut events,
                &mut streams.tie_breaks,
                &mut explained,
            ),
            Event::Kubelet(e) => kubelets.handle(e, &mut state, &mut events),
            Event::Controller(e) => controllers.handle(e, &mut state, &mut events),
            Event::DelayedWatch(to_scheduler, w) => {
                let pod = match w {
                    crate::model::WatchEvent::PodAdded(p)
                    | crate::model::WatchEvent::PodBound(p, _) => p,
                    _ => unreachable!("only pod notifications are delayed"),
                };
                // The pod may have gone (or be going, or be retired) meanwhile.
                let live = state.pods.get(pod).is_some_and(|e| {
                    e.deleted.is_none() && (to_scheduler || e.terminating.is_none())
                });
                if live {
                    let e = state.pod(pod);
                    if to_scheduler {
                        if e.node.is_none() {
                            scheduler.on_watch(w, &state, &mut events);
                        }
                    } else {
                        kubelets.on_watch(w, &mut state, &mut events);
                    }
                }
            }
            Event::Persisted(w) => {
                let WatchEvent::PodAdded(pod) = w else {
                    unreachable!("only pod creations are persisted late")
                };
                if state.pods.get(pod).is_some_and(|e| e.deleted.is_none()) {
                    deliver_one(
                        w,
                        &mut state,
                        &mut scheduler,
                        &mut kubelets,
                        &mut controllers,
                        &mut events,
                        &mut recorder,
                        (&scenario.api_latency, seed),
                    );
                }
            }
            Event::BindPersisted(pod, node) => {
                if state.pods.get(pod).is_some_and(|e| e.deleted.is_none()) {
                    let message = crate::scheduler::scheduled_message(&state, pod, node);
                    state.record_pod_event(now, pod, "Scheduled", message);
                }
            }
            Event::StatusPersisted(w) => {
                let (WatchEvent::PodUpdated(pod) | WatchEvent::PodTerminated(pod)) = w else {
                    unreachable!("only status writes are persisted late")
                };
                if state.pods.get(pod).is_some_and(|e| e.deleted.is_none()) {
                    controllers.on_watch(w, &state, &mut events);
                }
            }
            Event::Fault(e) => {
                let before = faults.records.len();
                faults.handle(e, &mut kubelets, &mut state, &mut events);
                recorder.recovery.fault_changed();
                for r in &faults.records[before..] {
                    recorder.recovery.fault_started(&r.nodes, &state, now);
                }
            }
            Event::CreateWorkload(i) => {
                state.add_workload(scenario.workloads[i].workload.clone(), None, now);
            }
            Event::Action(i) => {
                let retry = apply_action(
                    &scenario.actions[i].kind,
                    &mut controllers,
                    &mut state,
                    &mut events,
                );
                if let Some(after) = retry {
                    events.schedule(now + after, Event::Action(i));
                }
            }
            Event::Sample => {
                recorder.sample(now, &state, scheduler.queue.pending_len(), |w| {
                    controllers.rollout_started(w)
                });
                events.schedule(now + scenario.sample_interval, Event::Sample);
                // Finished pods something still referred to get another look.
                let deferred = std::mem::take(&mut recorder.retire_deferred);
                recorder.retire_candidates.extend(deferred);
            }
        }
        deliver_watch(
            &mut state,
            &mut scheduler,
            &mut kubelets,
            &mut controllers,
            &mut events,
            &mut recorder,
            (&scenario.api_latency, seed),
        );
        recorder.record_events(&mut state);
        if recorder.stream.is_some() {
            retire_finished(
                &mut state,
                &mut recorder,
                &scheduler,
                &kubelets,
                &controllers,
                &deleted_by_name,
            );
        }
        recorder.recovery.check(&state, now, |n| {
            kubelets.fault(n) == crate::kubelet::node::NodeFault::Healthy
        });
        if options.check_invariants {
            if let Err(violation) = state.check_invariants() {
                panic!(
                    "invariant violated at t={now}s after {event:?}: {violation}\n\
                     replay: kubesim run <scenario> --seed {seed}"
                );
            }
        }
    };
    let end = match stop_reason {
        StopReason::MaxTime => limits.max_time,
        _ => events.now(),
    };
    if recorder.last_sample_time.is_none_or(|t| t < end) {
        recorder.sample(end, &state, scheduler.queue.pending_len(), |w| {
            controllers.rollout_started(w)
        });
    }
    recorder.finish_samples(&state);
    let summary = summarize(&state, &recorder, end, processed, stop_reason);
    RunReport {
        seed,
        state,
        recorder,
        decisions: explained.decisions,
        explain_summary: explained.summary,
        summary,
        end,
        events_processed: processed,
        stop_reason,
        faults: faults.records,
    }
}

/// Delivers every pending watch notification to every component, in order.
fn deliver_watch(
    state: &mut ClusterState,
    scheduler: &mut Scheduler,
    kubelets: &mut Kubelets,
    controllers: &mut ControllerManager,
    events: &mut EventQueue<Event>,
    recorder: &mut Recorder,
    (latency, seed): (&ApiLatency, u64),
) {
    while let Some(w) = state.next_watch_event() {
        let now = events.now();
        if recorder.stream.is_some() {
            if let WatchEvent::PodUpdated(p)
            | WatchEvent::PodTerminated(p)
            | WatchEvent::PodDeleted(p) = w
            {
                recorder.retire_candidates.push(p);
            }
        }
        let pod_delay = |hop, p| latency.delay(hop, p, seed);
        match w {
            // Not persisted yet: nobody hears of the pod, created when it is.
            WatchEvent::PodAdded(p) if pod_delay(Hop::Create, p) > SimDuration::ZERO => {
                let at = now + pod_delay(Hop::Create, p);
                state.pod_mut(p).created = at;
                events.schedule(at, Event::Persisted(w));
                continue;
            }
            // The binding is persisted later; the scheduler has assumed the pod.
            WatchEvent::PodBound(p, n) if state.pod(p).pod.spec.node_name.is_none() => {
                let bind = pod_delay(Hop::Bind, p);
                if bind > SimDuration::ZERO {
                    state.pod_mut(p).status.conditions.pod_scheduled = Some(now + bind);
                    events.schedule(now + bind, Event::BindPersisted(p, n));
                } else if scheduler.defers_scheduled_event() {
                    let message = crate::scheduler::scheduled_message(state, p, n);
                    state.record_pod_event(now, p, "Scheduled", message);
                }
            }
            // Controllers hear of a kubelet's status write once it is persisted.
            WatchEvent::PodUpdated(p) | WatchEvent::PodTerminated(p)
                if pod_delay(Hop::StatusUpdate, p) > SimDuration::ZERO =>
            {
                scheduler.on_watch(w, state, events);
                kubelets.on_watch(w, state, events);
                let at = now + pod_delay(Hop::StatusUpdate, p);
                events.schedule(at, Event::StatusPersisted(w));
                recorder.nodes.on_watch(w, state, now);
                recorder.recovery.on_watch(w, state);
                continue;
            }
            _ => {}
        }
        deliver_one(
            w,
            state,
            scheduler,
            kubelets,
            controllers,
            events,
            recorder,
            (latency, seed),
        );
    }
}

/// Delivers one watch notification to every component, the scheduler and
/// the kubelets after their declared watch latency.
#[allow(clippy::too_many_arguments)]
fn deliver_one(
    w: WatchEvent,
    state: &mut ClusterState,
    scheduler: &mut Scheduler,
    kubelets: &mut Kubelets,
    controllers: &mut ControllerManager,
    events: &mut EventQueue<Event>,
    recorder: &mut Recorder,
    (latency, seed): (&ApiLatency, u64),
) {
    {
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
                kubelets.on_watch(w, state, events);
            }
            Some((false, d)) if d > SimDuration::ZERO => {
                scheduler.on_watch(w, state, events);
                events.schedule(events.now() + d, Event::DelayedWatch(false, w));
            }
            _ => {
                scheduler.on_watch(w, state, events);
                kubelets.on_watch(w, state, events);
            }
        }
        controllers.on_watch(w, state, events);
        recorder.nodes.on_watch(w, state, events.now());
        recorder.recovery.on_watch(w, state);
    }
}

/// Whether a finished pod can be retired.
enum Retirement {
    Now,
    /// Something still refers to it; look again at the next sample.
    Later,
    /// Not finished (its finishing will make it a candidate again), or kept
    /// for the whole run.
    Never,
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
    deleted_by_name: &BTreeSet<(&str, &str)>,
) -> Retirement {
    let Some(e) = state.pods.get(id) else {
        return Retirement::Never; // retired already
    };
    if e.deleted.is_none() && !e.status.phase.is_terminal() {
        return Retirement::Never;
    }
    let owned = e.owner.is_some() || !e.pod.metadata.owner_references.is_empty();
    let meta = &e.pod.metadata;
    let named = deleted_by_name.contains(&(meta.namespace.as_str(), meta.name.as_str()));
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
fn retire_finished(
    state: &mut ClusterState,
    recorder: &mut Recorder,
    scheduler: &Scheduler,
    kubelets: &Kubelets,
    controllers: &ControllerManager,
    deleted_by_name: &BTreeSet<(&str, &str)>,
) {
    let mut candidates = std::mem::take(&mut recorder.retire_candidates);
    candidates.sort_unstable();
    candidates.dedup();
    for id in candidates.drain(..) {
        match retirement(state, id, scheduler, kubelets, controllers, deleted_by_name) {
            Retirement::Now => recorder.retire(id, state),
            Retirement::Later => recorder.retire_deferred.push(id),
            Retirement::Never => {}
        }
    }
    // Keep the buffer (and its capacity) for the next event.
    recorder.retire_candidates = candidates;
}

/// Carries out a scenario action through the API, as `kubectl` would.
/// Carries out an action; returns when to carry it out again (a drain whose
/// evictions a PodDisruptionBudget refused).
fn apply_action(
    action: &ActionKind,
    cm: &mut ControllerManager,
    state: &mut ClusterState,
    events: &mut EventQueue<Event>,
) -> Option<crate::engine::SimDuration> {
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
            name,
            propagation,
        } => {
            if kind == "Pod" {
                let pod = state.pods.iter_ids().find(|(_, p)| {
                    p.deleted.is_none()
                        && p.pod.metadata.namespace == *namespace
                        && p.pod.metadata.name == *name
                });
                if let Some((id, _)) = pod {
                    state.request_pod_deletion(id, now);
                }
            } else if let Some(id) = state.find_workload(kind, namespace, name) {
                gc::delete_workload(cm, id, *propagation, state, events);
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
            let id = state.nodes.iter().position(|n| n.name() == node.as_str())?;
            let id = crate::model::NodeId(id as u32);
            if crate::model::eviction::drain_pass(state, id, now) > 0 {
                return Some(crate::model::eviction::DRAIN_RETRY);
            }
        }
    }
    None
}

/// A pod from an arrival's template with its own name.
fn instantiate(template: &Pod, name: String) -> Pod {
    let metadata = ObjectMeta {
        name,
        ..template.metadata.clone()
    };
    Pod {
        metadata,
        ..template.clone()
    }
}

/// The time of the arrival process's next pod after `now`, if any.
fn next_arrival(
    arrival: &crate::scenario::Arrival,
    st: &mut ArrivalState,
    now: SimTime,
) -> Option<SimTime> {
    if arrival.count.is_some_and(|c| st.created >= c) {
        return None;
    }
    let t = match &arrival.process {
        ArrivalProcess::Constant { interval } => {
            if st.created == 0 {
                arrival.start
            } else {
                now + *interval
            }
        }
        ArrivalProcess::Poisson { mean_interval } => {
            // Inverse transform of the exponential; the first pod also waits
            // one inter-arrival time after the start, as in a Poisson process.
            let u: f64 = st.rng.gen();
            let gap = crate::engine::SimDuration::from_secs_f64(
                -mean_interval.as_secs_f64() * (1.0 - u).ln(),
            );
            if st.created == 0 {
                arrival.start + gap
            } else {
                now + gap
            }
        }
        ArrivalProcess::Times(times) => arrival.start + *times.get(st.created as usize)?,
    };
    if arrival.until.is_some_and(|u| t > u) {
        return None;
    }
    Some(t)
}
