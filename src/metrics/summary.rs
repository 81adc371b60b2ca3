//! The headline figures of a run (summary.csv), computed once at the end.
//!
//! Percentiles use the nearest-rank method: the p-th percentile of n sorted
//! values is the value at rank ⌈p·n/100⌉. Pending time counts every pod that
//! waited for the scheduler: pods still pending at the end count with the
//! time they had waited so far (a lower bound), so an overloaded cluster
//! cannot look fast by leaving pods out.
//!
//! The scenario's `warmup` leaves the start of the run out of the
//! steady-state figures: the pending and startup figures count only pods
//! created at or after it, and the sampled means and maxima only samples
//! taken at or after it (a queue that starts empty waits less at first, and
//! would bias them low). Counts of pods, attempts, events and restarts are
//! of the whole run.

use super::recorder::Recorder;
use super::recovery::RecoveryTracker;
use super::running::WorkloadFigures;
use super::stream::pod_times;
use crate::engine::{SimTime, StopReason};
use crate::model::workloads::WorkloadSpec;
use crate::model::{ClusterState, PodPhase};

#[derive(Clone, Debug, PartialEq)]
pub enum Figure {
    Int(i64),
    Float(f64),
    Text(String),
    /// No value (e.g. a percentile of no pods): an empty CSV cell.
    Missing,
}

impl Figure {
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Figure::Int(i) => Some(*i as f64),
            Figure::Float(f) => Some(*f),
            _ => None,
        }
    }
    /// Text for CSV: integers as is, floats with 6 decimals (stable across platforms).
    pub fn to_csv(&self) -> String {
        match self {
            Figure::Int(i) => i.to_string(),
            Figure::Float(f) => super::float::fixed(*f, 6),
            Figure::Text(t) => t.clone(),
            Figure::Missing => String::new(),
        }
    }
}

/// Named figures in column order.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub figures: Vec<(&'static str, Figure)>,
}

/// The column names of summary.csv, in order.
pub const SUMMARY_COLUMNS: &[&str] = &[
    "pods_created",
    "pods_pending",
    "pods_running",
    "pods_succeeded",
    "pods_failed",
    "pods_unschedulable",
    "pending_mean_s",
    "pending_p50_s",
    "pending_p90_s",
    "pending_p99_s",
    "pending_max_s",
    "pending_waited_ratio",
    "startup_p50_s",
    "startup_p90_s",
    "startup_p99_s",
    "scheduling_attempts",
    "failed_scheduling_events",
    "restarts",
    "cpu_allocated_mean_ratio",
    "memory_allocated_mean_ratio",
    "cpu_allocated_max_ratio",
    "memory_allocated_max_ratio",
    "nodes_with_pods_mean",
    "jobs_completed",
    "jobs_failed",
    "job_duration_mean_s",
    "deployment_availability_min_ratio",
    "rollout_duration_max_s",
    "faults",
    "faults_unrecovered",
    "fault_time_to_recover_max_s",
    "node_hours",
    "cost",
    "sim_end_s",
    "events_processed",
    "stop_reason",
];

impl Summary {
    pub fn get(&self, name: &str) -> Option<&Figure> {
        self.figures
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, f)| f)
    }
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// P(wait): the fraction of the pending times that are above zero, i.e. of
/// the pods counted in the pending figures, those with `scheduled_s −
/// created_s > 0` (or still pending after waiting some time). Times are
/// whole microseconds, so "above zero" is exact.
pub fn waited_ratio(pending: &[f64]) -> Option<f64> {
    let waited = pending.iter().filter(|&&p| p > 0.0).count();
    (!pending.is_empty()).then(|| waited as f64 / pending.len() as f64)
}

fn opt(v: Option<f64>) -> Figure {
    v.map_or(Figure::Missing, Figure::Float)
}

/// The plain mean, added up in order.
fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (mut sum, mut n) = (0.0, 0usize);
    for v in values {
        sum += v;
        n += 1;
    }
    (n > 0).then(|| sum / n as f64)
}

pub fn summarize(
    state: &ClusterState,
    recorder: &Recorder,
    end: SimTime,
    events_processed: u64,
    stop_reason: StopReason,
    cost: crate::autoscaler::cost::NodeCost,
) -> Summary {
    // Pods retired during the run left their figures behind; sorting makes
    // the order in which they were gathered irrelevant.
    let retired = &recorder.retired;
    let mut pending = retired.pending_s.clone();
    let mut startup = retired.startup_s.clone();
    let mut attempts = retired.scheduling_attempts;
    let mut unschedulable = 0i64;
    let mut restarts = retired.restarts;
    for entry in state.pods() {
        attempts += entry.scheduling_attempts as i64;
        restarts += entry.status.restarts() as i64;
        if entry.created >= recorder.warmup {
            let (p, s) = pod_times(entry, end);
            pending.extend(p);
            startup.extend(s);
        }
        if entry.pod.spec.node_name.is_none()
            && entry.status.conditions.pod_scheduled.is_none()
            && entry.deleted.is_none()
            && entry.status.reason.as_deref() == Some("Unschedulable")
        {
            unschedulable += 1;
        }
    }
    pending.sort_by(f64::total_cmp);
    startup.sort_by(f64::total_cmp);
    let failed_scheduling = recorder.failed_scheduling_events;
    let count = |p: PodPhase| Figure::Int(state.pods_in_phase(p));
    // Time-weighted means of the sampled ratios: the samples are evenly
    // spaced, so the plain means.
    let sampled = &recorder.sample_figures;
    let mut figures = vec![
        ("pods_created", Figure::Int(state.pods().len() as i64)),
        ("pods_pending", count(PodPhase::Pending)),
        ("pods_running", count(PodPhase::Running)),
        ("pods_succeeded", count(PodPhase::Succeeded)),
        ("pods_failed", count(PodPhase::Failed)),
        ("pods_unschedulable", Figure::Int(unschedulable)),
        ("pending_mean_s", opt(mean(pending.iter().copied()))),
        ("pending_p50_s", opt(percentile(&pending, 50.0))),
        ("pending_p90_s", opt(percentile(&pending, 90.0))),
        ("pending_p99_s", opt(percentile(&pending, 99.0))),
        ("pending_max_s", opt(pending.last().copied())),
        ("pending_waited_ratio", opt(waited_ratio(&pending))),
        ("startup_p50_s", opt(percentile(&startup, 50.0))),
        ("startup_p90_s", opt(percentile(&startup, 90.0))),
        ("startup_p99_s", opt(percentile(&startup, 99.0))),
        ("scheduling_attempts", Figure::Int(attempts)),
        ("failed_scheduling_events", Figure::Int(failed_scheduling)),
        ("restarts", Figure::Int(restarts)),
        (
            "cpu_allocated_mean_ratio",
            opt(sampled.cpu_allocated.mean()),
        ),
        (
            "memory_allocated_mean_ratio",
            opt(sampled.memory_allocated.mean()),
        ),
        ("cpu_allocated_max_ratio", opt(sampled.cpu_allocated_max)),
        (
            "memory_allocated_max_ratio",
            opt(sampled.memory_allocated_max),
        ),
        ("nodes_with_pods_mean", opt(sampled.nodes_with_pods.mean())),
    ];
    figures.extend(workload_totals(state, &recorder.workload_figures));
    figures.extend(fault_figures(&recorder.recovery));
    figures.extend([
        ("node_hours", Figure::Float(cost.node_hours)),
        ("cost", opt(cost.cost)),
        ("sim_end_s", Figure::Float(end.as_secs_f64())),
        ("events_processed", Figure::Int(events_processed as i64)),
        (
            "stop_reason",
            Figure::Text(stop_reason.as_str().to_string()),
        ),
    ]);
    debug_assert!(figures
        .iter()
        .map(|(n, _)| *n)
        .eq(SUMMARY_COLUMNS.iter().copied()));
    Summary { figures }
}

/// summary.csv: how many faults, how many never recovered, the longest recovery.
fn fault_figures(t: &RecoveryTracker) -> Vec<(&'static str, Figure)> {
    let unrecovered = t.outcomes.iter().filter(|o| o.recovered.is_none()).count();
    let longest = t
        .outcomes
        .iter()
        .zip(&t.starts)
        .filter_map(|(o, &start)| o.recovered.map(|r| r.since(start).as_secs_f64()))
        .reduce(f64::max);
    vec![
        ("faults", Figure::Int(t.outcomes.len() as i64)),
        ("faults_unrecovered", Figure::Int(unrecovered as i64)),
        (
            "fault_time_to_recover_max_s",
            longest.map_or(Figure::Missing, Figure::Float),
        ),
    ]
}

/// Columns of workload_summary.csv.
pub const WORKLOAD_SUMMARY_COLUMNS: &[&str] = &[
    "kind",
    "namespace",
    "name",
    "created_s",
    "deleted_s",
    "finished_s",
    "outcome",
    "succeeded",
    "failed",
    "rollouts",
    "rollout_duration_max_s",
    "rollout_min_available",
    "availability_ratio",
];

/// One row per workload object, in creation order, from the figures
/// gathered from its samples (`figures[i]` for workload `i`). Availability
/// of a serving workload over its samples is the mean of
/// min(available, desired) / desired over the samples where desired > 0.
pub fn workload_figures(state: &ClusterState, figures: &[WorkloadFigures]) -> Vec<Vec<Figure>> {
    // A workload created and deleted between two samples has none.
    let unsampled = WorkloadFigures::default();
    let secs = |t: Option<SimTime>| t.map_or(Figure::Missing, |t| Figure::Float(t.as_secs_f64()));
    state
        .workloads()
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let own = figures.get(i).unwrap_or(&unsampled);
            let finished = w.status.finished();
            let outcome = match (&w.workload.spec, finished) {
                (_, Some(c)) => c.kind.to_string(),
                (WorkloadSpec::Job(_), None) => "Running".into(),
                (_, None) => w
                    .status
                    .condition("Progressing")
                    .map_or(String::new(), |c| c.reason.to_string()),
            };
            let serving = matches!(
                w.workload.spec,
                WorkloadSpec::Deployment(_)
                    | WorkloadSpec::ReplicaSet(_)
                    | WorkloadSpec::DaemonSet(_)
                    | WorkloadSpec::StatefulSet(_)
                    | WorkloadSpec::Service(_)
            );
            let rollouts = &w.status.rollouts;
            let longest = rollouts
                .iter()
                .map(|(a, b)| b.since(*a).as_secs_f64())
                .reduce(f64::max);
            let min_during = own.rollout_min_available;
            vec![
                Figure::Text(w.workload.spec.kind().into()),
                Figure::Text(w.workload.metadata.namespace.clone()),
                Figure::Text(w.workload.metadata.name.clone()),
                Figure::Float(w.created.as_secs_f64()),
                secs(w.deleted),
                secs(finished.map(|c| c.since)),
                Figure::Text(outcome),
                Figure::Int(w.status.succeeded as i64),
                Figure::Int(w.status.failed as i64),
                Figure::Int(rollouts.len() as i64),
                opt(longest),
                min_during.map_or(Figure::Missing, |m| Figure::Int(m as i64)),
                if serving {
                    if matches!(w.workload.spec, WorkloadSpec::Service(_)) {
                        // What clients see: at least one ready endpoint.
                        opt(own.ready_any.mean())
                    } else {
                        opt(own.availability.mean())
                    }
                } else {
                    Figure::Missing
                },
            ]
        })
        .collect()
}

/// Run-level workload figures for summary.csv.
fn workload_totals(
    state: &ClusterState,
    figures: &[WorkloadFigures],
) -> Vec<(&'static str, Figure)> {
    let jobs = state
        .workloads()
        .iter()
        .filter(|w| matches!(w.workload.spec, WorkloadSpec::Job(_)));
    let (mut completed, mut failed, mut durations) = (0, 0, Vec::new());
    for w in jobs {
        match w.status.finished() {
            Some(c) if c.kind == "Complete" => {
                completed += 1;
                if let Some(start) = w.status.start_time {
                    durations.push(c.since.since(start).as_secs_f64());
                }
            }
            Some(_) => failed += 1,
            None => {}
        }
    }
    let deployments: Vec<usize> = state
        .workloads()
        .iter()
        .enumerate()
        .filter(|(_, w)| matches!(w.workload.spec, WorkloadSpec::Deployment(_)))
        .map(|(i, _)| i)
        .collect();
    let min_availability = deployments
        .iter()
        .filter_map(|&i| figures.get(i).and_then(|f| f.availability.mean()))
        .reduce(f64::min);
    let longest_rollout = deployments
        .iter()
        .flat_map(|&i| {
            state.workloads()[i]
                .status
                .rollouts
                .iter()
                .map(|(a, b)| b.since(*a).as_secs_f64())
        })
        .reduce(f64::max);
    vec![
        ("jobs_completed", Figure::Int(completed)),
        ("jobs_failed", Figure::Int(failed)),
        ("job_duration_mean_s", opt(mean(durations.into_iter()))),
        ("deployment_availability_min_ratio", opt(min_availability)),
        ("rollout_duration_max_s", opt(longest_rollout)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), Some(5.0));
        assert_eq!(percentile(&v, 90.0), Some(9.0));
        assert_eq!(percentile(&v, 99.0), Some(10.0));
        assert_eq!(percentile(&v, 0.0), Some(1.0));
        assert_eq!(percentile(&[], 50.0), None);
    }

    #[test]
    fn waited_ratio_counts_pods_with_any_wait() {
        assert_eq!(waited_ratio(&[0.0, 0.0, 0.000001, 3.0]), Some(0.5));
        assert_eq!(waited_ratio(&[0.0]), Some(0.0));
        assert_eq!(waited_ratio(&[]), None);
    }
}
