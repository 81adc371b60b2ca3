//! One run: the event loop that wires the components together.
//!
//! A [`Cluster`] owns the event queue, the cluster state and the components,
//! each built complete. Each popped event goes to exactly one component
//! ([`Cluster::step`], one `match`); the component changes the store, and
//! every resulting watch notification is then delivered, in order, to every
//! component before the next event ([`apiserver`]). The core does no I/O:
//! the result is a [`RunReport`] that writers turn into files.
//!
//! - [`apiserver`]: watch fan-out with the declared API latencies, actions;
//! - [`arrivals`]: the arrival processes' pods and times;
//! - [`pod_traces`]: the pods of the pod traces, read as their time comes;
//! - [`retire`]: finished pods leaving the store of a streamed run;
//! - [`load_samples`]: the service loads' samples.

mod apiserver;
mod arrivals;
mod load_samples;
mod pod_traces;
mod retire;

use crate::autoscaler::cost::NodeLedger;
use crate::autoscaler::{AutoscalerEvent, ClusterAutoscaler};
use crate::controllers::{ControllerEvent, ControllerManager};
use crate::engine::rng::{derive_seed, Stream};
use crate::engine::{EventQueue, Limits, RandomStreams, SimDuration, SimTime, StopReason};
use crate::faults::{FaultEvent, Faults};
use crate::kubelet::{KubeletEvent, Kubelets};
use crate::limits::MAX_SAMPLES;
use crate::metrics::stream::StreamWriters;
use crate::metrics::summary::{summarize, Summary};
use crate::metrics::Recorder;
use crate::model::{ClusterState, PodId};
use crate::scenario::Scenario;
use crate::scheduler::explain::{SummaryRow, DEFAULT_EXPLAIN_TOP};
use crate::scheduler::{
    DecisionRow, ExplainFilter, ExplainOptions, Explained, Scheduler, SchedulerEvent,
    SchedulerOptions,
};
use arrivals::{next_arrival, ArrivalState};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// Create the pod `scenario.pods[i]`.
    CreatePod(usize),
    /// The arrival process `scenario.arrivals[i]` creates its next pod.
    Arrival(usize),
    /// The pod trace `scenario.pod_traces[i]` creates its next pod.
    TracePod(usize),
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
    Autoscaler(AutoscalerEvent),
}

impl From<SchedulerEvent> for Event {
    fn from(e: SchedulerEvent) -> Self {
        Event::Scheduler(e)
    }
}
impl From<AutoscalerEvent> for Event {
    fn from(e: AutoscalerEvent) -> Self {
        Event::Autoscaler(e)
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
    /// One row per Event object (the default) or per occurrence.
    pub events: crate::metrics::events::EventsMode,
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
    /// Problems with the input found during the run (a pod trace changed
    /// after it was validated): the results are not to be written.
    pub input_errors: Vec<crate::input::diagnostic::Diagnostic>,
    /// The HPAs (their syncs: autoscalers.csv) and the service loads.
    pub autoscalers: crate::controllers::podautoscaler::PodAutoscalers,
    /// The service loads' samples and figures (service_load*.csv).
    pub service_load: crate::metrics::service_load::ServiceLoadRecord,
    /// The Cluster Autoscaler's decisions (autoscaler.csv), if any pool is autoscaled.
    pub autoscaler: Option<Vec<crate::autoscaler::rows::AutoscalerRow>>,
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
    let max_time = scenario
        .duration
        .unwrap_or_else(|| SimDuration(scenario.sample_interval.0.saturating_mul(MAX_SAMPLES)));
    let limits = Limits {
        max_events: scenario.max_events,
        max_time: SimTime(max_time.0),
    };
    let mut cluster = Cluster::new(scenario, seed, options, writers);
    let mut processed = 0u64;
    let stop_reason = loop {
        let Some(next) = cluster.events.peek_time() else {
            break StopReason::Drained;
        };
        // Without a duration, stop once only periodic timers are left (the
        // sample and the scheduler's leftover flush): nothing can change any more.
        if scenario.duration.is_none()
            && (cluster.scheduler.idle_timers())
                .zip(cluster.autoscaler.idle_timers())
                .is_some_and(|(idle, scans)| cluster.events.pending() <= idle + scans + 1)
        {
            break StopReason::Drained;
        }
        if next > limits.max_time {
            break StopReason::MaxTime;
        }
        if processed >= limits.max_events {
            break StopReason::MaxEvents;
        }
        let (now, event) = cluster.events.pop().expect("peeked");
        processed += 1;
        if processed.is_multiple_of(PROGRESS_EVERY) {
            if let Some(p) = &options.progress {
                p.update(now, processed);
            }
        }
        cluster.step(event);
        cluster.settle();
        if options.check_invariants {
            if let Err(violation) = cluster.state.check_invariants() {
                panic!(
                    "invariant violated at t={now}s after {event:?}: {violation}\n\
                     replay: kubesim run <scenario> --seed {seed}"
                );
            }
        }
    };
    let end = match stop_reason {
        StopReason::MaxTime => limits.max_time,
        _ => cluster.events.now(),
    };
    cluster.finish(end, processed, stop_reason)
}

/// One run's cluster: the event queue, the store and every component.
struct Cluster<'s> {
    scenario: &'s Scenario,
    seed: u64,
    events: EventQueue<Event>,
    state: ClusterState,
    streams: RandomStreams,
    scheduler: Scheduler,
    explained: Explained,
    kubelets: Kubelets,
    controllers: ControllerManager,
    faults: Faults,
    recorder: Recorder,
    arrivals: Vec<ArrivalState>,
    traces: Vec<pod_traces::TraceSource>,
    input_errors: Vec<crate::input::diagnostic::Diagnostic>,
    /// Pods a `delete` action names (see [`retire::DeletedByAction`]).
    deleted_by_action: retire::DeletedByAction<'s>,
    service_load: crate::metrics::service_load::ServiceLoadRecord,
    /// Each node's time in the cluster, for node-hours and cost.
    ledger: NodeLedger,
    autoscaler: ClusterAutoscaler,
}

impl<'s> Cluster<'s> {
    /// Builds every component from the scenario, adds the nodes, schedules
    /// the scenario's first events and delivers the nodes' notifications.
    fn new(
        scenario: &'s Scenario,
        seed: u64,
        options: &RunOptions,
        writers: Option<StreamWriters>,
    ) -> Self {
        let mut state = ClusterState::new(scenario.resource_names.clone());
        state.set_policy_objects(
            scenario.priority_classes.clone(),
            scenario.pod_disruption_budgets.clone(),
        );
        let scheduler = Scheduler::new(
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
        let arrivals_seed = derive_seed(seed, Stream::Arrivals as u64);
        let deleted_by_action = retire::DeletedByAction::new(&scenario.actions);
        let mut controllers = ControllerManager::new(scenario.controllers, seed);
        controllers.autoscalers = crate::controllers::podautoscaler::PodAutoscalers::new(
            scenario.autoscalers.clone(),
            scenario.service_loads.clone(),
        );
        let mut cluster = Cluster {
            scenario,
            seed,
            events: EventQueue::new(),
            state,
            streams: RandomStreams::new(seed),
            scheduler,
            explained: Explained::default(),
            kubelets: Kubelets::new(seed, scenario.api_latency.clone(), scenario.images.clone()),
            controllers,
            faults: Faults::new(&scenario.faults, seed),
            recorder: writers
                .map_or_else(Recorder::default, Recorder::streaming)
                .with_events_mode(options.events)
                .with_warmup(SimTime(scenario.warmup.0)),
            arrivals: (0..scenario.arrivals.len())
                .map(|i| ArrivalState::new(arrivals_seed, i))
                .collect(),
            traces: Vec::new(),
            input_errors: Vec::new(),
            deleted_by_action,
            service_load: Default::default(),
            ledger: NodeLedger::new(&scenario.node_pools),
            autoscaler: ClusterAutoscaler::new(
                &scenario.node_pools,
                &scenario.autoscaler,
                &scenario.scheduler,
                seed,
            ),
        };
        cluster.start();
        cluster
    }

    /// The nodes, the first event of everything the scenario declares, the
    /// first sample and the faults' timers.
    fn start(&mut self) {
        let scenario = self.scenario;
        for node in &scenario.nodes {
            self.state.add_node(node.clone());
        }
        for (i, (at, _)) in scenario.pods.iter().enumerate() {
            self.events.schedule(*at, Event::CreatePod(i));
        }
        for (i, w) in scenario.workloads.iter().enumerate() {
            self.events.schedule(w.at, Event::CreateWorkload(i));
        }
        for (i, a) in scenario.actions.iter().enumerate() {
            self.events.schedule(a.at, Event::Action(i));
        }
        for (i, arrival) in scenario.arrivals.iter().enumerate() {
            if let Some(first) = next_arrival(arrival, &mut self.arrivals[i], SimTime::ZERO) {
                self.events.schedule(first, Event::Arrival(i));
            }
        }
        for (i, trace) in scenario.pod_traces.iter().enumerate() {
            let names = &scenario.resource_names;
            let mut source = pod_traces::TraceSource::open(trace, names, &mut self.input_errors);
            if let Some(first) = source.advance(trace, &mut self.input_errors) {
                self.events.schedule(first, Event::TracePod(i));
            }
            self.traces.push(source);
        }
        self.events.schedule(SimTime::ZERO, Event::Sample);
        for i in 0..scenario.autoscalers.len() {
            // Like an HPA just added: synced at once, then every period.
            self.events.schedule(
                SimTime::ZERO,
                Event::Controller(ControllerEvent::HpaSync(i)),
            );
        }
        self.faults.start(&mut self.events);
        self.autoscaler.start(&mut self.events);
        self.deliver_watch();
    }

    /// Hands one event to the one component it belongs to.
    fn step(&mut self, event: Event) {
        let (state, events) = (&mut self.state, &mut self.events);
        let now = events.now();
        match event {
            Event::CreatePod(i) => {
                state.add_pod(self.scenario.pods[i].1.clone(), now);
            }
            Event::Arrival(i) => self.arrival(i),
            Event::TracePod(i) => self.trace_pod(i),
            Event::Scheduler(e) => {
                let tie_breaks = &mut self.streams.tie_breaks;
                self.scheduler
                    .handle(e, state, events, tie_breaks, &mut self.explained)
            }
            Event::Kubelet(e) => self.kubelets.handle(e, state, events),
            Event::Controller(e) => self.controllers.handle(e, state, events),
            Event::DelayedWatch(to_scheduler, w) => self.delayed_watch(to_scheduler, w),
            Event::Persisted(w) => self.persisted(w),
            Event::BindPersisted(pod, node) => self.bind_persisted(pod, node),
            Event::StatusPersisted(w) => self.status_persisted(w),
            Event::Fault(e) => self.fault(e),
            Event::CreateWorkload(i) => {
                let workload = self.scenario.workloads[i].workload.clone();
                state.add_workload(workload, None, now);
            }
            Event::Action(i) => self.action(i),
            Event::Sample => self.sample(),
            Event::Autoscaler(e) => self.autoscaler.handle(e, state, events),
        }
    }

    /// After each event: every watch notification delivered, the events
    /// recorded, finished pods retired, fault recovery checked.
    fn settle(&mut self) {
        self.deliver_watch();
        self.recorder.record_events(&mut self.state);
        if self.recorder.stream.is_some() {
            retire::retire_finished(
                &mut self.state,
                &mut self.recorder,
                &self.scheduler,
                &self.kubelets,
                &self.controllers,
                &self.deleted_by_action,
            );
        }
        let kubelets = &self.kubelets;
        let now = self.events.now();
        self.recorder.recovery.check(&self.state, now, |n| {
            kubelets.fault(n) == crate::kubelet::node::NodeFault::Healthy
        });
    }

    /// The arrival process `i` creates its next pod and schedules the one after.
    fn arrival(&mut self, i: usize) {
        let arrival = &self.scenario.arrivals[i];
        let now = self.events.now();
        let pod = self.arrivals[i].next_pod(arrival);
        self.state.add_pod(pod, now);
        if let Some(t) = next_arrival(arrival, &mut self.arrivals[i], now) {
            self.events.schedule(t, Event::Arrival(i));
        }
    }

    /// The pod trace `i` creates its pod and reads the one after.
    fn trace_pod(&mut self, i: usize) {
        let trace = &self.scenario.pod_traces[i];
        let now = self.events.now();
        if let Some(pod) = self.traces[i].take() {
            self.state.add_pod(pod, now);
        }
        if let Some(t) = self.traces[i].advance(trace, &mut self.input_errors) {
            self.events.schedule(t.max(now), Event::TracePod(i));
        }
    }

    fn fault(&mut self, e: FaultEvent) {
        let before = self.faults.records.len();
        (self.faults).handle(e, &mut self.kubelets, &mut self.state, &mut self.events);
        self.recorder.recovery.fault_changed();
        let now = self.events.now();
        for r in &self.faults.records[before..] {
            self.recorder
                .recovery
                .fault_started(&r.nodes, &self.state, now);
        }
    }

    /// A row of timeseries.csv (and workloads.csv), and the next sample.
    fn sample(&mut self) {
        let now = self.events.now();
        self.take_sample(now);
        let next = now + self.scenario.sample_interval;
        self.events.schedule(next, Event::Sample);
        // Finished pods something still referred to get another look.
        let deferred = std::mem::take(&mut self.recorder.retire_deferred);
        self.recorder.retire_candidates.extend(deferred);
    }

    fn take_sample(&mut self, at: SimTime) {
        let cost = self.node_cost(at);
        let controllers = &self.controllers;
        let pending = self.scheduler.queue.pending_len();
        (self.recorder).sample(at, &self.state, pending, cost, |w| {
            controllers.rollout_started(w)
        });
        if !self.scenario.service_loads.is_empty() {
            // This sample's state holds until the next one, or the run's end.
            let next = at + self.scenario.sample_interval;
            let until = (self.scenario.duration).map_or(next, |d| next.min(SimTime(d.0)));
            let interval = until.0.saturating_sub(at.0) as f64 / 1e6;
            for s in load_samples::take(&mut self.controllers, &self.state, at) {
                self.service_load.add(s, interval);
            }
        }
    }

    /// Node-hours and cost up to `at`.
    fn node_cost(&mut self, at: SimTime) -> crate::autoscaler::cost::NodeCost {
        // Nodes the autoscaler removed and nodes a `delete` action removed.
        for i in 0..self.state.nodes().len() {
            let n = crate::model::NodeId(i as u32);
            if let Some(when) = self.state.node_deleted(n) {
                self.ledger.removed(n, when);
            }
        }
        self.ledger.cost(at)
    }

    /// The last sample, the summary and the report.
    fn finish(mut self, end: SimTime, processed: u64, stop_reason: StopReason) -> RunReport {
        if self.recorder.last_sample_time.is_none_or(|t| t < end) {
            self.take_sample(end);
        }
        self.recorder.finish_samples(&self.state);
        self.recorder.finish_events();
        let cost = self.node_cost(end);
        let summary = summarize(
            &self.state,
            &self.recorder,
            end,
            processed,
            stop_reason,
            cost,
        );
        RunReport {
            seed: self.seed,
            state: self.state,
            recorder: self.recorder,
            decisions: self.explained.decisions,
            explain_summary: self.explained.summary,
            summary,
            end,
            events_processed: processed,
            stop_reason,
            faults: self.faults.records,
            input_errors: self.input_errors,
            autoscalers: std::mem::take(&mut self.controllers.autoscalers),
            service_load: self.service_load,
            autoscaler: self.autoscaler.active().then_some(self.autoscaler.rows),
        }
    }
}
