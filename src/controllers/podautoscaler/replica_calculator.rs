//! The desired replica count from one resource metric
//! (`pkg/controller/podautoscaler/replica_calculator.go`, v1.32:
//! `GetResourceReplicas`, `calcPlainMetricReplicas`, `groupPods`,
//! `calculatePodRequests`; `metrics/utilization.go`). Pure functions of
//! what the controller saw, so tests can pin them on hand-checked cases.

use crate::engine::{SimDuration, SimTime};

/// `--horizontal-pod-autoscaler-tolerance`.
pub const TOLERANCE: f64 = 0.1;
/// `--horizontal-pod-autoscaler-cpu-initialization-period`.
pub const CPU_INITIALIZATION_PERIOD: SimDuration = SimDuration(300_000_000);
/// `--horizontal-pod-autoscaler-initial-readiness-delay`.
pub const INITIAL_READINESS_DELAY: SimDuration = SimDuration(30_000_000);

/// What the controller knows of one pod its target selects.
#[derive(Clone, Debug, PartialEq)]
pub struct PodView {
    /// Being deleted, or Failed: left out.
    pub ignored: bool,
    pub pending: bool,
    /// Its usage from the metrics API (milli-units), if it has a sample.
    pub metric: Option<i64>,
    /// Its containers' summed request (milli-units); `None` when a
    /// container has none (named in the error).
    pub request: Result<i64, String>,
    /// `status.startTime`.
    pub start_time: Option<SimTime>,
    /// The Ready condition: (status True, lastTransitionTime).
    pub ready: Option<(bool, SimTime)>,
}

/// When the metrics were taken and the window they cover (metrics-server's
/// resolution).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MetricTime {
    pub timestamp: SimTime,
    pub window: SimDuration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Group {
    Ready,
    Unready,
    Missing,
    Ignored,
}

/// `groupPods`: deleted or failed pods are ignored; pending ones unready;
/// one without a sample missing; for cpu, a pod counts as unready while it
/// may still be initialising (its Ready condition False, or its sample
/// taken less than a window after the condition last changed, during the
/// cpu initialization period) or, after that period, when it is not ready
/// and never was (its condition last changed within the initial readiness
/// delay of its start).
fn group(pod: &PodView, cpu: bool, now: SimTime, metric: MetricTime) -> Group {
    if pod.ignored {
        return Group::Ignored;
    }
    if pod.pending {
        return Group::Unready;
    }
    if pod.metric.is_none() {
        return Group::Missing;
    }
    if cpu {
        let unready = match (pod.ready, pod.start_time) {
            (Some((ready, transition)), Some(start)) => {
                if start + CPU_INITIALIZATION_PERIOD > now {
                    !ready || metric.timestamp < transition + metric.window
                } else {
                    !ready && start + INITIAL_READINESS_DELAY > transition
                }
            }
            _ => true,
        };
        if unready {
            return Group::Unready;
        }
    }
    Group::Ready
}

/// A replica count and the metric's current value (utilization percent or
/// average in milli-units), or why there is none.
pub type Recommendation = Result<(i32, i64), String>;

/// `GetResourceReplicas` (`target` is a utilization percent) or
/// `GetRawResourceReplicas` (`target` an average value in milli-units).
pub fn resource_replicas(
    current: i32,
    target: i64,
    utilization: bool,
    cpu: bool,
    pods: &[PodView],
    now: SimTime,
    metric: MetricTime,
) -> Recommendation {
    // The metrics client fails first when the metrics API has no sample
    // of any selected pod (`metrics/client.go`).
    if pods.iter().all(|p| p.metric.is_none()) {
        let resource = if cpu { "cpu" } else { "memory" };
        return Err(format!(
            "unable to get metrics for resource {resource}: no metrics returned from resource metrics API"
        ));
    }
    if pods.is_empty() {
        return Err("no pods returned by selector while calculating replica count".into());
    }
    let groups: Vec<Group> = pods.iter().map(|p| group(p, cpu, now, metric)).collect();
    let ready_count = groups.iter().filter(|g| **g == Group::Ready).count();
    let requests: Vec<i64> = if utilization {
        pods.iter()
            .map(|p| p.request.clone())
            .collect::<Result<_, _>>()?
    } else {
        Vec::new()
    };
    // The samples kept: ready pods', by pod index.
    let mut samples: Vec<(usize, i64)> = (pods.iter().enumerate())
        .filter(|(i, _)| groups[*i] == Group::Ready)
        .map(|(i, p)| (i, p.metric.unwrap_or(0)))
        .collect();
    if samples.is_empty() {
        return Err("did not receive metrics for targeted pods (pods might be unready)".into());
    }
    let ratio = |samples: &[(usize, i64)]| -> Result<(f64, i64), String> {
        if utilization {
            // `GetResourceUtilizationRatio`: integer percent of the summed requests.
            let used: i64 = samples.iter().map(|s| s.1).sum();
            let requested: i64 = samples.iter().map(|s| requests[s.0]).sum();
            if requested == 0 {
                return Err("no metrics returned matched known pods".into());
            }
            let percent = used * 100 / requested;
            Ok((percent as f64 / target as f64, percent))
        } else {
            // `GetMetricUsageRatio`: integer average.
            let average = samples.iter().map(|s| s.1).sum::<i64>() / samples.len() as i64;
            Ok((average as f64 / target as f64, average))
        }
    };
    let (usage_ratio, value) = ratio(&samples)?;
    let unready: Vec<usize> = (0..pods.len())
        .filter(|&i| groups[i] == Group::Unready)
        .collect();
    let missing: Vec<usize> = (0..pods.len())
        .filter(|&i| groups[i] == Group::Missing)
        .collect();
    let scale_up_with_unready = !unready.is_empty() && usage_ratio > 1.0;
    if !scale_up_with_unready && missing.is_empty() {
        if (1.0 - usage_ratio).abs() <= TOLERANCE {
            return Ok((current, value));
        }
        return Ok(((usage_ratio * ready_count as f64).ceil() as i32, value));
    }
    if usage_ratio < 1.0 {
        // A scale-down counts missing pods at 100 % of their request (or at
        // the target, when it is above 100 %); an average-value target at the target.
        for &i in &missing {
            let v = if utilization {
                requests[i] * target.max(100) / 100
            } else {
                target
            };
            samples.push((i, v));
        }
    } else if usage_ratio > 1.0 {
        samples.extend(missing.iter().map(|&i| (i, 0)));
    }
    if scale_up_with_unready {
        samples.extend(unready.iter().map(|&i| (i, 0)));
    }
    let (new_ratio, _) = ratio(&samples)?;
    if (1.0 - new_ratio).abs() <= TOLERANCE
        || (usage_ratio < 1.0 && new_ratio > 1.0)
        || (usage_ratio > 1.0 && new_ratio < 1.0)
    {
        return Ok((current, value));
    }
    let replicas = (new_ratio * samples.len() as f64).ceil() as i32;
    if (new_ratio < 1.0 && replicas > current) || (new_ratio > 1.0 && replicas < current) {
        return Ok((current, value));
    }
    Ok((replicas, value))
}
