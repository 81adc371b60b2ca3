//! Running a fill-up scenario's policies × replications, and the files it
//! writes: `runs.csv` (one row per run), `comparison.csv` (per policy, mean
//! and standard deviation over the replications), `failed_pods.csv` (per
//! policy and pod class), `curves.csv` (every run's allocation curve),
//! `curves_mean.csv`, `manifest.json`, and the charts
//! `charts/allocation.{png,svg}` and `charts/fragmentation.{png,svg}`.
//! Numbers are printed with fixed decimals: same scenario, same bytes.

use super::fillup::{self, FillUpRun, CLASSES};
use super::scenario::FillUpScenario;
use crate::engine::rng::derive_seed;
use crate::metrics::float::fixed;
use crate::plot::chart::{self, Chart, LineChart, Series};
use crate::scheduler::plugins::gpu::frag::TypicalPods;
use crate::scheduler::plugins::gpu::policy::Policy;
use crate::trace::openb::OpenbTrace;
use rayon::prelude::*;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

/// The seed of replication `r`: the same derivation sweeps use.
pub fn replication_seed(base: u64, r: u64) -> u64 {
    derive_seed(base, r)
}

/// Every (policy, replication) run, in scenario order; runs in parallel,
/// results in input order whatever the thread count.
pub fn run_all(s: &FillUpScenario, trace: &OpenbTrace) -> Vec<(u64, FillUpRun)> {
    let typical = fillup::typical_pods(trace, s.typical_coverage);
    let jobs: Vec<(Policy, u64)> = s
        .policies
        .iter()
        .flat_map(|&p| (0..s.replications).map(move |r| (p, r)))
        .collect();
    jobs.par_iter()
        .map(|&(p, r)| {
            let seed = replication_seed(s.seed, r);
            let run =
                fillup::run_ordered(trace, &typical, p, seed, s.inflation_pct, s.inflation_order);
            (r, run)
        })
        .collect()
}

fn pct(milli: f64, capacity: i64) -> f64 {
    100.0 * milli / capacity as f64
}

/// The headline figures of one run.
#[derive(Clone, Debug, PartialEq)]
pub struct RunFigures {
    pub pods_arrived: u64,
    pub pods_scheduled: u64,
    pub pods_failed: u64,
    pub arrived_gpu_pct: f64,
    /// GPU allocation ratio at the end (% of capacity).
    pub gpu_allocated_pct: f64,
    /// Fragmented GPUs at the end (the paper's measure), in GPUs.
    pub frag_gpus: f64,
    /// Fragmented share of the idle GPUs at the end (%).
    pub frag_ratio_pct: f64,
    pub gpu_allocated_pct_at_100: f64,
    /// Capacity not allocated when the arrived request reached 100%, in GPUs.
    pub unallocated_gpus_at_100: f64,
    pub frag_gpus_at_100: f64,
    pub failed_gpus: f64,
}

pub fn figures(r: &FillUpRun) -> RunFigures {
    let last = r.curve.last().expect("the curve has bin 0");
    let at100 = r.at(100).unwrap_or(last);
    let ratio = |frag: f64, idle: i64| {
        if idle > 0 {
            100.0 * frag / idle as f64
        } else {
            0.0
        }
    };
    RunFigures {
        pods_arrived: r.pods_arrived(),
        pods_scheduled: r.pods_arrived() - r.pods_failed(),
        pods_failed: r.pods_failed(),
        arrived_gpu_pct: pct(r.arrived_milli as f64, r.capacity_milli),
        gpu_allocated_pct: pct(r.allocated_milli as f64, r.capacity_milli),
        frag_gpus: last.frag_milli / 1000.0,
        frag_ratio_pct: ratio(last.frag_milli, last.idle_milli),
        gpu_allocated_pct_at_100: pct(at100.allocated_milli as f64, r.capacity_milli),
        unallocated_gpus_at_100: (r.capacity_milli - at100.allocated_milli) as f64 / 1000.0,
        frag_gpus_at_100: at100.frag_milli / 1000.0,
        failed_gpus: r.failed.iter().map(|c| c.gpu_milli).sum::<i64>() as f64 / 1000.0,
    }
}

const RUN_COLUMNS: &str = "policy,replication,seed,pods_arrived,pods_scheduled,pods_failed,arrived_gpu_pct,gpu_allocated_pct,frag_gpus,frag_ratio_pct,gpu_allocated_pct_at_100,unallocated_gpus_at_100,frag_gpus_at_100,failed_gpus";

pub fn runs_csv(runs: &[(u64, FillUpRun)]) -> String {
    let mut out = String::from(RUN_COLUMNS);
    for c in CLASSES {
        let _ = write!(out, ",failed_{}", c.replace('-', "_"));
    }
    out.push('\n');
    for (rep, r) in runs {
        let f = figures(r);
        let _ = write!(
            out,
            "{},{rep},{},{},{},{},{},{},{},{},{},{},{},{}",
            r.policy.name(),
            r.seed,
            f.pods_arrived,
            f.pods_scheduled,
            f.pods_failed,
            fixed(f.arrived_gpu_pct, 3),
            fixed(f.gpu_allocated_pct, 3),
            fixed(f.frag_gpus, 3),
            fixed(f.frag_ratio_pct, 3),
            fixed(f.gpu_allocated_pct_at_100, 3),
            fixed(f.unallocated_gpus_at_100, 3),
            fixed(f.frag_gpus_at_100, 3),
            fixed(f.failed_gpus, 3)
        );
        for c in &r.failed {
            let _ = write!(out, ",{}", c.pods);
        }
        out.push('\n');
    }
    out
}

/// Mean and sample standard deviation (0 for one value).
pub fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let mean = values.iter().sum::<f64>() / n;
    if values.len() < 2 {
        return (mean, 0.0);
    }
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

fn by_policy(runs: &[(u64, FillUpRun)]) -> Vec<(Policy, Vec<&FillUpRun>)> {
    let mut out: Vec<(Policy, Vec<&FillUpRun>)> = Vec::new();
    for (_, r) in runs {
        match out.iter_mut().find(|(p, _)| *p == r.policy) {
            Some((_, list)) => list.push(r),
            None => out.push((r.policy, vec![r])),
        }
    }
    out
}

pub fn comparison_csv(runs: &[(u64, FillUpRun)]) -> String {
    type Getter = fn(&RunFigures) -> f64;
    let metrics: [(&str, Getter); 8] = [
        ("gpu_allocated_pct", |f| f.gpu_allocated_pct),
        ("unallocated_gpus_at_100", |f| f.unallocated_gpus_at_100),
        ("gpu_allocated_pct_at_100", |f| f.gpu_allocated_pct_at_100),
        ("frag_gpus", |f| f.frag_gpus),
        ("frag_ratio_pct", |f| f.frag_ratio_pct),
        ("frag_gpus_at_100", |f| f.frag_gpus_at_100),
        ("pods_failed", |f| f.pods_failed as f64),
        ("failed_gpus", |f| f.failed_gpus),
    ];
    let mut out = String::from("policy,runs");
    for (name, _) in &metrics {
        let _ = write!(out, ",{name}_mean,{name}_sd");
    }
    out.push('\n');
    for (policy, list) in by_policy(runs) {
        let figs: Vec<RunFigures> = list.iter().map(|r| figures(r)).collect();
        let _ = write!(out, "{},{}", policy.name(), list.len());
        for (_, get) in &metrics {
            let values: Vec<f64> = figs.iter().map(get).collect();
            let (m, sd) = mean_sd(&values);
            let _ = write!(out, ",{},{}", fixed(m, 3), fixed(sd, 3));
        }
        out.push('\n');
    }
    out
}

pub fn failed_pods_csv(runs: &[(u64, FillUpRun)]) -> String {
    let mut out = String::from(
        "policy,class,arrived_pods_mean,failed_pods_mean,failed_pods_sd,failed_gpus_mean\n",
    );
    for (policy, list) in by_policy(runs) {
        for (c, class) in CLASSES.iter().enumerate() {
            let arrived: Vec<f64> = list.iter().map(|r| r.arrived[c].pods as f64).collect();
            let failed: Vec<f64> = list.iter().map(|r| r.failed[c].pods as f64).collect();
            let gpus: Vec<f64> = list
                .iter()
                .map(|r| r.failed[c].gpu_milli as f64 / 1000.0)
                .collect();
            let (f, fsd) = mean_sd(&failed);
            let _ = writeln!(
                out,
                "{},{class},{},{},{},{}",
                policy.name(),
                fixed(mean_sd(&arrived).0, 1),
                fixed(f, 1),
                fixed(fsd, 1),
                fixed(mean_sd(&gpus).0, 3)
            );
        }
    }
    out
}

pub fn curves_csv(runs: &[(u64, FillUpRun)]) -> String {
    let mut out = String::from(
        "policy,replication,arrived_gpu_pct,gpu_allocated_pct,frag_gpu_pct,frag_ratio_pct\n",
    );
    for (rep, r) in runs {
        for p in &r.curve {
            let ratio = if p.idle_milli > 0 {
                100.0 * p.frag_milli / p.idle_milli as f64
            } else {
                0.0
            };
            let _ = writeln!(
                out,
                "{},{rep},{},{},{},{}",
                r.policy.name(),
                p.arrived_pct,
                fixed(pct(p.allocated_milli as f64, r.capacity_milli), 3),
                fixed(pct(p.frag_milli, r.capacity_milli), 3),
                fixed(ratio, 3)
            );
        }
    }
    out
}

/// Per policy and bin: mean, min and max allocation and mean fragmentation over the replications.
pub fn mean_curves(runs: &[(u64, FillUpRun)]) -> Vec<(Policy, Vec<[f64; 5]>)> {
    by_policy(runs)
        .into_iter()
        .map(|(policy, list)| {
            let bins = list.iter().map(|r| r.curve.len()).min().unwrap_or(0);
            let rows = (0..bins)
                .map(|b| {
                    let alloc: Vec<f64> = list
                        .iter()
                        .map(|r| pct(r.curve[b].allocated_milli as f64, r.capacity_milli))
                        .collect();
                    let frag: Vec<f64> = list
                        .iter()
                        .map(|r| pct(r.curve[b].frag_milli, r.capacity_milli))
                        .collect();
                    let min = alloc.iter().copied().fold(f64::INFINITY, f64::min);
                    let max = alloc.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    [
                        list[0].curve[b].arrived_pct as f64,
                        mean_sd(&alloc).0,
                        min,
                        max,
                        mean_sd(&frag).0,
                    ]
                })
                .collect();
            (policy, rows)
        })
        .collect()
}

pub fn curves_mean_csv(runs: &[(u64, FillUpRun)]) -> String {
    let mut out = String::from("policy,arrived_gpu_pct,gpu_allocated_pct_mean,gpu_allocated_pct_min,gpu_allocated_pct_max,frag_gpu_pct_mean\n");
    for (policy, rows) in mean_curves(runs) {
        for [x, m, lo, hi, frag] in rows {
            let _ = writeln!(
                out,
                "{},{x},{},{},{},{}",
                policy.name(),
                fixed(m, 3),
                fixed(lo, 3),
                fixed(hi, 3),
                fixed(frag, 3)
            );
        }
    }
    out
}

/// Where the zoomed allocation chart starts: below it every policy allocates all it is asked.
const ZOOM_FROM_PCT: u32 = 75;

fn charts(s: &FillUpScenario, runs: &[(u64, FillUpRun)]) -> Vec<(String, Chart)> {
    let curves = mean_curves(runs);
    let series = |col: usize| -> Vec<Series> {
        s.chart_policies
            .iter()
            .filter_map(|p| curves.iter().find(|(q, _)| q == p))
            .map(|(p, rows)| Series {
                name: p.name().to_string(),
                points: rows.iter().map(|r| (r[0], r[col])).collect(),
                band: vec![],
            })
            .collect()
    };
    let n = s.replications;
    vec![
        (
            "allocation".to_string(),
            Chart::Line(LineChart {
                title: format!(
                    "{}: GPU allocated vs GPU requested (mean of {n} seeds)",
                    s.name
                ),
                x_label: "arrived GPU request (% of cluster GPUs)".into(),
                y_label: "GPU allocated (% of cluster GPUs)".into(),
                series: series(1),
                thresholds: vec![],
                markers: false,
                y_from_zero: true,
            }),
        ),
        (
            "allocation-zoom".to_string(),
            Chart::Line(LineChart {
                title: format!(
                    "{}: GPU allocated, arrived request from {ZOOM_FROM_PCT}% (mean of {n} seeds)",
                    s.name
                ),
                x_label: "arrived GPU request (% of cluster GPUs)".into(),
                y_label: "GPU allocated (% of cluster GPUs)".into(),
                series: series(1)
                    .into_iter()
                    .map(|mut x| {
                        x.points.retain(|p| p.0 >= ZOOM_FROM_PCT as f64);
                        x
                    })
                    .collect(),
                thresholds: vec![],
                markers: false,
                y_from_zero: false,
            }),
        ),
        (
            "fragmentation".to_string(),
            Chart::Line(LineChart {
                title: format!("{}: fragmented GPUs (mean of {n} seeds)", s.name),
                x_label: "arrived GPU request (% of cluster GPUs)".into(),
                y_label: "fragmented GPU (% of cluster GPUs)".into(),
                series: series(4),
                thresholds: vec![],
                markers: false,
                y_from_zero: true,
            }),
        ),
    ]
}

/// What produced the results, for manifest.json (no wall-clock time).
pub fn manifest_json(
    s: &FillUpScenario,
    scenario_path: &str,
    scenario_sha256: &str,
    typical: &TypicalPods,
) -> String {
    let value = serde_json::json!({
        "kubesim_version": env!("CARGO_PKG_VERSION"),
        "scenario": { "name": s.name, "path": scenario_path, "sha256": scenario_sha256 },
        "mode": "gpuFillUp",
        "seed": s.seed,
        "replication_seeds": "replication r uses derive_seed(seed, r)",
        "options": {
            "nodes": s.nodes.display().to_string(),
            "pods": s.pods.display().to_string(),
            "replications": s.replications,
            "inflation_percent": s.inflation_pct,
            "inflation_order": s.inflation_order.name(),
            "typical_pods_coverage": s.typical_coverage,
            "typical_pod_shapes": typical.0.len(),
            "policies": s.policies.iter().map(|p| p.name()).collect::<Vec<_>>(),
        },
        "reproduce": format!("kubesim run {scenario_path}"),
        "inputs": crate::input::source::hash_files(&[&s.nodes, &s.pods]),
    });
    serde_json::to_string_pretty(&value).expect("manifest serializes") + "\n"
}

/// Writes every file into `out_dir`, replacing it in one rename.
pub fn write(
    out_dir: &Path,
    s: &FillUpScenario,
    runs: &[(u64, FillUpRun)],
    manifest: &str,
) -> io::Result<()> {
    crate::output::replace_dir(out_dir, |tmp| {
        fs::create_dir_all(tmp.join(crate::plot::CHARTS_DIR))?;
        fs::write(tmp.join("manifest.json"), manifest)?;
        fs::write(tmp.join("runs.csv"), runs_csv(runs))?;
        fs::write(tmp.join("comparison.csv"), comparison_csv(runs))?;
        fs::write(tmp.join("failed_pods.csv"), failed_pods_csv(runs))?;
        fs::write(tmp.join("curves.csv"), curves_csv(runs))?;
        fs::write(tmp.join("curves_mean.csv"), curves_mean_csv(runs))?;
        for (stem, c) in charts(s, runs) {
            chart::save(&c, &tmp.join(crate::plot::CHARTS_DIR), &stem)?;
        }
        Ok(())
    })
}
