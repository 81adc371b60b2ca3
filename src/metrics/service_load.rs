//! Service load figures: per sample, each loaded Deployment's request rate,
//! serving pods and their cpu usage (service_load.csv); per Deployment, the
//! time its pods spent above their cpu request and above their limit, as an
//! SLO figure (service_load_summary.csv); and the HPAs' syncs
//! (autoscalers.csv).
//!
//! Times are measured on the samples: a sample's state counts for the
//! `sampleInterval` that follows it (the last sample, at the end, for none).

use super::float::fixed;
use crate::controllers::podautoscaler::{AutoscalerRow, PodAutoscalers};
use crate::engine::SimTime;
use crate::model::autoscaling::{MetricResource, MetricTarget};
use std::io::{self, Write};

/// One loaded Deployment at one sample.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadSample {
    pub time: SimTime,
    /// Index into the scenario's service loads.
    pub load: usize,
    pub rate: f64,
    pub serving: usize,
    /// A serving pod's usage (millicores), empty without serving pods.
    pub cpu_per_pod_milli: Option<f64>,
    /// A pod's cpu request and limit (millicores, summed over containers;
    /// 0 where none is set).
    pub cpu_request_milli: i64,
    pub cpu_limit_milli: i64,
}

/// What the summary keeps of one load's samples.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoadFigures {
    pub above_request_s: f64,
    pub above_limit_s: f64,
    pub without_serving_pods_s: f64,
    /// Pod-seconds: serving pods × the time they were above their request.
    pub pod_seconds_above_request: f64,
    pub peak_rate: f64,
    pub peak_serving: usize,
    pub peak_cpu_utilization: f64,
}

/// The samples and figures of a run's service loads.
#[derive(Clone, Debug, Default)]
pub struct ServiceLoadRecord {
    pub samples: Vec<LoadSample>,
    pub figures: Vec<LoadFigures>,
}

impl ServiceLoadRecord {
    /// Adds a sample, which holds for `interval_s` seconds.
    pub fn add(&mut self, s: LoadSample, interval_s: f64) {
        if self.figures.len() <= s.load {
            self.figures.resize_with(s.load + 1, LoadFigures::default);
        }
        let f = &mut self.figures[s.load];
        f.peak_rate = f.peak_rate.max(s.rate);
        f.peak_serving = f.peak_serving.max(s.serving);
        match s.cpu_per_pod_milli {
            Some(cpu) => {
                if s.cpu_request_milli > 0 {
                    f.peak_cpu_utilization =
                        f.peak_cpu_utilization.max(cpu / s.cpu_request_milli as f64);
                    if cpu > s.cpu_request_milli as f64 {
                        f.above_request_s += interval_s;
                        f.pod_seconds_above_request += interval_s * s.serving as f64;
                    }
                }
                if s.cpu_limit_milli > 0 && cpu > s.cpu_limit_milli as f64 {
                    f.above_limit_s += interval_s;
                }
            }
            None if s.rate > 0.0 => f.without_serving_pods_s += interval_s,
            None => {}
        }
        self.samples.push(s);
    }
}

pub const SERVICE_LOAD_HEADER: &[&str] = &[
    "time_s",
    "namespace",
    "deployment",
    "rate",
    "serving_pods",
    "cpu_per_pod_millis",
    "cpu_request_millis",
    "cpu_limit_millis",
];

/// service_load.csv: every sample, per loaded Deployment.
pub fn write_service_load(
    w: impl Write,
    autoscalers: &PodAutoscalers,
    record: &ServiceLoadRecord,
) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(SERVICE_LOAD_HEADER)
        .map_err(io::Error::other)?;
    for s in &record.samples {
        let l = &autoscalers.loads[s.load];
        out.write_record([
            s.time.to_string(),
            l.namespace.clone(),
            l.deployment.clone(),
            fixed(s.rate, 6),
            s.serving.to_string(),
            s.cpu_per_pod_milli.map_or(String::new(), |c| fixed(c, 3)),
            s.cpu_request_milli.to_string(),
            s.cpu_limit_milli.to_string(),
        ])
        .map_err(io::Error::other)?;
    }
    out.flush()
}

pub const SERVICE_LOAD_SUMMARY_HEADER: &[&str] = &[
    "namespace",
    "deployment",
    "peak_rate",
    "peak_serving_pods",
    "peak_cpu_utilization",
    "above_request_s",
    "above_limit_s",
    "pod_seconds_above_request",
    "without_serving_pods_s",
];

/// service_load_summary.csv: one row per loaded Deployment.
pub fn write_service_load_summary(
    w: impl Write,
    autoscalers: &PodAutoscalers,
    record: &ServiceLoadRecord,
) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    (out.write_record(SERVICE_LOAD_SUMMARY_HEADER)).map_err(io::Error::other)?;
    let none = LoadFigures::default();
    for (i, l) in autoscalers.loads.iter().enumerate() {
        let f = record.figures.get(i).unwrap_or(&none);
        out.write_record([
            l.namespace.clone(),
            l.deployment.clone(),
            fixed(f.peak_rate, 6),
            f.peak_serving.to_string(),
            fixed(f.peak_cpu_utilization, 6),
            fixed(f.above_request_s, 3),
            fixed(f.above_limit_s, 3),
            fixed(f.pod_seconds_above_request, 3),
            fixed(f.without_serving_pods_s, 3),
        ])
        .map_err(io::Error::other)?;
    }
    out.flush()
}

pub const AUTOSCALERS_HEADER: &[&str] = &[
    "time_s",
    "namespace",
    "name",
    "current_replicas",
    "desired_replicas",
    "metrics",
    "able_to_scale",
    "scaling_active",
    "scaling_limited",
];

/// A metric's value as `kubectl get hpa` shows it under TARGETS:
/// `cpu: 55%`, `cpu: 400m`, `memory: 134217728`; `<unknown>` when none.
fn metric_text(resource: MetricResource, target: MetricTarget, value: Option<i64>) -> String {
    let shown = match (target, value) {
        (_, None) => "<unknown>".to_string(),
        (MetricTarget::Utilization(_), Some(v)) => format!("{v}%"),
        (MetricTarget::AverageValue(_), Some(v)) => match resource {
            MetricResource::Cpu => format!("{v}m"),
            MetricResource::Memory => (v / 1000).to_string(),
        },
    };
    format!("{}: {shown}", resource.name())
}

/// autoscalers.csv: one row per HPA sync.
pub fn write_autoscalers(w: impl Write, autoscalers: &PodAutoscalers) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(AUTOSCALERS_HEADER)
        .map_err(io::Error::other)?;
    for r in &autoscalers.rows {
        out.write_record(autoscaler_record(r, autoscalers))
            .map_err(io::Error::other)?;
    }
    out.flush()
}

fn autoscaler_record(r: &AutoscalerRow, autoscalers: &PodAutoscalers) -> [String; 9] {
    let spec = &autoscalers.hpas[r.hpa].spec;
    let metrics: Vec<String> = (spec.metrics.iter().zip(&r.metrics))
        .map(|(m, v)| metric_text(m.resource, m.target, *v))
        .collect();
    [
        r.time.to_string(),
        spec.namespace.clone(),
        spec.name.clone(),
        r.current.to_string(),
        r.desired.to_string(),
        metrics.join("; "),
        r.able_to_scale.clone(),
        r.scaling_active.clone(),
        r.scaling_limited.clone(),
    ]
}
