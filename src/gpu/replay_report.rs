//! The files a replay writes: `pods.csv` (one row per trace pod, with the
//! GPUs it got), `timeseries.csv`, `summary.csv` and `manifest.json`.

use super::replay::ReplayRun;
use super::scenario::{PodTrace, ReplayScenario};
use crate::metrics::float::fixed;
use crate::trace::openb::OpenbTrace;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

fn opt(v: Option<i64>) -> String {
    v.map_or(String::new(), |v| v.to_string())
}

/// `pod,owner,priority,num_gpu,gpu_milli,created_s,scheduled_s,deleted_s,node,gpus`:
/// `gpus` lists the device indices (`0-1-3`), empty for CPU-only or unscheduled pods.
pub fn pods_csv(trace: &OpenbTrace, r: &ReplayRun) -> String {
    let mut out = String::from(
        "pod,owner,priority,num_gpu,gpu_milli,created_s,scheduled_s,deleted_s,node,gpus\n",
    );
    for (p, o) in trace.pods.iter().zip(&r.outcomes) {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{}",
            p.name,
            p.owner,
            p.priority,
            p.gpu.count,
            p.gpu.milli,
            p.creation_s,
            opt(o.scheduled_s),
            opt(o.ended_s),
            o.node
                .map_or(String::new(), |n| trace.nodes[n as usize].name.clone()),
            o.gpus.render()
        );
    }
    out
}

pub fn timeseries_csv(r: &ReplayRun) -> String {
    let mut out = String::from("time_s,pods_running,pods_pending,gpu_allocated_pct,frag_gpu_pct\n");
    let cap = r.capacity_milli.max(1) as f64;
    for s in &r.samples {
        let _ = writeln!(
            out,
            "{},{},{},{},{}",
            s.time_s,
            s.pods_running,
            s.pods_pending,
            fixed(100.0 * s.gpu_allocated_milli as f64 / cap, 3),
            fixed(100.0 * s.frag_milli / cap, 3)
        );
    }
    out
}

/// Nearest-rank percentile of ascending values.
pub fn percentile(sorted: &[i64], q: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

pub fn summary_csv(trace: &OpenbTrace, r: &ReplayRun) -> String {
    let waits = r.waits_s(trace);
    let cap = r.capacity_milli.max(1) as f64;
    let alloc: Vec<f64> = r
        .samples
        .iter()
        .map(|s| 100.0 * s.gpu_allocated_milli as f64 / cap)
        .collect();
    let mean = if alloc.is_empty() {
        0.0
    } else {
        alloc.iter().sum::<f64>() / alloc.len() as f64
    };
    let max = alloc.iter().copied().fold(0.0, f64::max);
    let p = |q| percentile(&waits, q).map_or(String::new(), |v| v.to_string());
    format!(
        "policy,pods,pods_scheduled,pods_never_scheduled,wait_p50_s,wait_p90_s,wait_p99_s,wait_max_s,gpu_allocated_pct_mean,gpu_allocated_pct_max\n{},{},{},{},{},{},{},{},{},{}\n",
        r.policy.name(),
        trace.pods.len(),
        waits.len(),
        trace.pods.len() - waits.len(),
        p(0.5),
        p(0.9),
        p(0.99),
        p(1.0),
        fixed(mean, 3),
        fixed(max, 3)
    )
}

pub fn manifest_json(s: &ReplayScenario, scenario_path: &str, sha256: &str) -> String {
    let (format, pods) = match &s.pods {
        PodTrace::Openb(p) => ("openb", p),
        PodTrace::Generic(p) => ("generic", p),
    };
    let value = serde_json::json!({
        "kubesim_version": env!("CARGO_PKG_VERSION"),
        "scenario": { "name": s.name, "path": scenario_path, "sha256": sha256 },
        "mode": "gpuReplay",
        "seed": s.seed,
        "options": {
            "nodes": s.nodes.display().to_string(),
            "pods": pods.display().to_string(),
            "pods_format": format,
            "policy": s.policy.name(),
            "typical_pods_coverage": s.typical_coverage,
            "sample_interval_s": s.sample_interval_s,
        },
        "reproduce": format!("kubesim run {scenario_path} --seed {}", s.seed),
        "inputs": crate::input::source::hash_files(&[&s.nodes, pods]),
    });
    serde_json::to_string_pretty(&value).expect("manifest serializes") + "\n"
}

/// Writes the files into `out_dir`, replacing it in one rename.
pub fn write(out_dir: &Path, files: &[(&str, String)]) -> io::Result<()> {
    crate::output::replace_dir(out_dir, |tmp| {
        for (file, text) in files {
            fs::write(tmp.join(file), text)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        assert_eq!(percentile(&v, 0.5), Some(5));
        assert_eq!(percentile(&v, 0.9), Some(9));
        assert_eq!(percentile(&v, 0.99), Some(10));
        assert_eq!(percentile(&v, 1.0), Some(10));
        assert_eq!(percentile(&[], 0.5), None);
    }
}
