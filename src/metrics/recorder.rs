//! The sink the simulation feeds: recorded events and periodic samples.
//!
//! A sample is a row of timeseries.csv and one row of workloads.csv per
//! workload object not deleted. A streamed run writes them as they are
//! taken; an in-memory run keeps them. Either way the summary figures that
//! come from them are gathered as they are taken ([`super::running`]), so
//! a streamed run's memory does not grow with simulated time.

use super::events::{EventCorrelator, EventRow, EventsMode};
use super::rows::{desired, Sample, WorkloadSample};
use crate::engine::SimTime;
use crate::model::store::WorkloadId;
use crate::model::{ClusterState, PodId, PodPhase};

pub use super::running::{SampleFigures, WorkloadFigures};

pub use crate::limits::MAX_SAMPLES;

#[derive(Default)]
pub struct Recorder {
    /// The rows of events.csv so far (none when they are streamed).
    pub events: Vec<EventRow>,
    /// How events become rows (`--events`).
    pub events_mode: EventsMode,
    /// The Events not yet final ([`EventsMode::Correlated`]).
    pub correlator: EventCorrelator,
    /// FailedScheduling events so far (summary.csv), streamed or not.
    pub failed_scheduling_events: i64,
    /// Streaming: events.csv and retired pods' rows go here.
    pub stream: Option<super::stream::Streams>,
    /// What the summary needs of the pods retired so far.
    pub retired: super::stream::RetiredFigures,
    /// Streaming: pods that finished since the last retirement pass, and
    /// finished pods that something still referred to at an earlier pass.
    pub retire_candidates: Vec<PodId>,
    pub retire_deferred: Vec<PodId>,
    /// timeseries.csv rows (none when they are streamed).
    pub samples: Vec<Sample>,
    /// workloads.csv rows (none when they are streamed).
    pub workload_samples: Vec<WorkloadSample>,
    /// When the last sample was taken.
    pub last_sample_time: Option<SimTime>,
    /// summary.csv's figures from the samples so far.
    pub sample_figures: SampleFigures,
    /// Per workload object (by id): its figures from its samples so far.
    pub workload_figures: Vec<WorkloadFigures>,
    /// The workload objects not deleted at the last sample, in creation
    /// order, and how many objects there were then: a sample looks at
    /// these and the new ones, not at every object the run ever had (a
    /// CronJob leaves a deleted Job behind every minute).
    live_workloads: Vec<WorkloadId>,
    workloads_seen: usize,
    /// Rows of nodes.csv.
    pub nodes: super::nodes::NodeTimeline,
    /// Faults and when the workloads they hit recovered (faults.csv).
    pub recovery: super::recovery::RecoveryTracker,
    /// The scenario's `warmup`: summary.csv leaves out the pods created
    /// and the samples taken before it.
    pub warmup: SimTime,
}

fn ratio(used: i64, total: i64) -> f64 {
    if total == 0 {
        0.0
    } else {
        used as f64 / total as f64
    }
}

impl Recorder {
    /// A recorder that streams its rows to `w` as the run goes.
    pub fn streaming(w: super::stream::StreamWriters) -> Self {
        use super::rows::{EVENTS_HEADER, TIMESERIES_HEADER, WORKLOADS_HEADER};
        use super::stream::{CsvSink, RetiredRows, Streams};
        let mut recorder = Recorder {
            stream: Some(Streams {
                events: CsvSink::new(w.events, EVENTS_HEADER),
                timeseries: CsvSink::new(w.timeseries, TIMESERIES_HEADER),
                workloads: CsvSink::new(w.workloads, WORKLOADS_HEADER),
                retired: RetiredRows::new(w.retired_pods),
            }),
            ..Recorder::default()
        };
        recorder.nodes.stream = Some(CsvSink::new(w.nodes, super::nodes::NODES_HEADER));
        recorder
    }

    /// summary.csv leaves out the pods created and samples taken before `warmup`.
    pub fn with_warmup(self, warmup: SimTime) -> Self {
        Recorder { warmup, ..self }
    }

    /// How events become rows of events.csv.
    pub fn with_events_mode(self, events_mode: EventsMode) -> Self {
        Recorder {
            events_mode,
            ..self
        }
    }

    pub fn record_events(&mut self, state: &mut ClusterState) {
        for e in state.drain_events() {
            if e.reason == "FailedScheduling" {
                self.failed_scheduling_events += 1;
            }
            let row = match self.events_mode {
                EventsMode::All => Some(EventRow::single(e)),
                EventsMode::Correlated => self.correlator.observe(e),
            };
            if let Some(row) = row {
                self.write_event_row(row);
            }
        }
    }

    fn write_event_row(&mut self, row: EventRow) {
        match &mut self.stream {
            Some(s) => super::stream::write_event(&mut s.events, &row),
            None => self.events.push(row),
        }
    }

    /// At the end of the run: the Events still open are final.
    pub fn finish_events(&mut self) {
        for row in self.correlator.finish() {
            self.write_event_row(row);
        }
    }

    /// Retires a finished pod that nothing refers to any more (streaming):
    /// its pods.csv row is written and its summary figures kept, and its
    /// entry dropped.
    pub fn retire(&mut self, id: PodId, state: &mut ClusterState) {
        let Some(stream) = &mut self.stream else {
            return;
        };
        let entry = state.retire_pod(id);
        stream.retired.write(id, &entry, state);
        self.retired.add(&entry, self.warmup);
    }

    /// Takes a sample at `time`. `rollout_started(w)`: when the rollout in
    /// progress of the Deployment `w` started, if one is.
    pub fn sample(
        &mut self,
        time: SimTime,
        state: &ClusterState,
        pods_unschedulable: usize,
        cost: crate::autoscaler::cost::NodeCost,
        rollout_started: impl Fn(WorkloadId) -> Option<SimTime>,
    ) {
        let count = |p: PodPhase| state.pods_in_phase(p);
        let sample = Sample {
            time,
            nodes_ready: (state.nodes().iter().enumerate())
                .filter(|&(i, n)| n.ready && state.node_exists(crate::model::NodeId(i as u32)))
                .count(),
            nodes_with_pods: state
                .node_usages()
                .iter()
                .filter(|u| u.pod_count > 0)
                .count(),
            pods_pending: count(PodPhase::Pending),
            pods_running: count(PodPhase::Running),
            pods_succeeded: count(PodPhase::Succeeded),
            pods_failed: count(PodPhase::Failed),
            pods_unschedulable,
            cpu_allocated_ratio: ratio(
                state.requested_total().cpu_millis,
                state.allocatable_total().cpu_millis,
            ),
            memory_allocated_ratio: ratio(
                state.requested_total().memory_bytes,
                state.allocatable_total().memory_bytes,
            ),
            cost,
        };
        self.last_sample_time = Some(time);
        if time >= self.warmup {
            self.sample_figures.add(&sample);
        }
        match &mut self.stream {
            Some(s) => s.timeseries.write(super::rows::timeseries_record(&sample)),
            None => self.samples.push(sample),
        }
        let all = state.workloads().len();
        self.live_workloads
            .extend((self.workloads_seen..all).map(|i| WorkloadId(i as u32)));
        self.workloads_seen = all;
        self.live_workloads
            .retain(|&id| state.workload(id).deleted.is_none());
        if self.workload_figures.len() < all {
            self.workload_figures.resize_with(all, Default::default);
        }
        for &id in &self.live_workloads {
            let w = state.workload(id);
            let sample = WorkloadSample {
                time,
                workload: id,
                desired: desired(w),
                current: w.status.replicas,
                ready: w.status.ready,
                available: w.status.available,
                updated: w.status.updated,
                succeeded: w.status.succeeded,
                failed: w.status.failed,
            };
            self.workload_figures[id.0 as usize].add(
                &sample,
                &w.status.rollouts,
                rollout_started(id),
            );
            match &mut self.stream {
                Some(s) => s
                    .workloads
                    .write(super::rows::workload_record(&sample, state)),
                None => self.workload_samples.push(sample),
            }
        }
    }

    /// At the end of the run: folds in the rollouts completed after the
    /// last sample (at its very moment).
    pub fn finish_samples(&mut self, state: &ClusterState) {
        for (f, w) in self.workload_figures.iter_mut().zip(state.workloads()) {
            f.catch_up(&w.status.rollouts, None);
        }
    }
}
