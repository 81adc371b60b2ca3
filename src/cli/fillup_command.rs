//! `kubesim run` and `kubesim validate` for the GPU trace scenarios: a
//! fill-up scenario (top-level `gpuFillUp`: every policy × replication, the
//! tables and charts, the comparison printed) and a time-driven replay
//! (top-level `gpuReplay`).

use super::{EXIT_INVALID, EXIT_OK};
use crate::gpu::{fillup, replay_report, report, scenario};
use crate::input::diagnostic::Diagnostics;
use crate::output::sha256_hex;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Whether `path` holds a fill-up or replay scenario (unreadable files are left to the normal path).
pub fn is_fillup(path: &Path) -> bool {
    crate::input::source::read_text(path, "the scenario file")
        .is_ok_and(|t| scenario::is_fillup(&t) || scenario::is_replay(&t))
}

fn is_replay(path: &Path) -> bool {
    crate::input::source::read_text(path, "the scenario file")
        .is_ok_and(|t| scenario::is_replay(&t))
}

fn load_replay(path: &Path) -> Option<(scenario::ReplayScenario, crate::trace::openb::OpenbTrace)> {
    let s = reported(scenario::load_replay(path), path)?;
    let trace = match &s.pods {
        scenario::PodTrace::Openb(p) => crate::trace::openb::load(&s.nodes, p),
        scenario::PodTrace::Generic(p) => crate::trace::generic::load(&s.nodes, p),
    };
    let trace = reported(trace, path)?;
    Some((s, trace))
}

fn run_replay(path: &Path, out: Option<PathBuf>, seed: Option<u64>, quiet: bool) -> i32 {
    let Some((mut s, trace)) = load_replay(path) else {
        return EXIT_INVALID;
    };
    if let Some(seed) = seed {
        s.seed = seed;
    }
    let out_dir = out.unwrap_or_else(|| crate::scenario::results_name::results_dir(&s.name));
    let typical = fillup::typical_pods(&trace, s.typical_coverage);
    if !quiet {
        println!(
            "kubesim {} — GPU trace replay {} ({})",
            env!("CARGO_PKG_VERSION"),
            s.name,
            path.display()
        );
        println!(
            "  trace           {} nodes, {} pods, policy {}, seed {}",
            trace.nodes.len(),
            trace.pods.len(),
            s.policy.name(),
            s.seed
        );
        println!("  output          {}", out_dir.display());
    }
    let started = Instant::now();
    let r = crate::gpu::replay::replay(&trace, &typical, s.policy, s.seed, s.sample_interval_s);
    let wall = started.elapsed();
    let text = crate::input::read_bytes(path).unwrap_or_default();
    let summary = replay_report::summary_csv(&trace, &r);
    let files = [
        (
            "manifest.json",
            replay_report::manifest_json(&s, &path.display().to_string(), &sha256_hex(&text)),
        ),
        ("pods.csv", replay_report::pods_csv(&trace, &r)),
        ("timeseries.csv", replay_report::timeseries_csv(&r)),
        ("summary.csv", summary.clone()),
    ];
    if let Err(e) = replay_report::write(&out_dir, &files) {
        eprintln!("error: cannot write results to {}: {e}", out_dir.display());
        return EXIT_INVALID;
    }
    if !quiet {
        println!("finished in {:.2}s wall clock", wall.as_secs_f64());
        print!("{summary}");
        println!(
            "results in {} (pods.csv, timeseries.csv, summary.csv)",
            out_dir.display()
        );
    }
    EXIT_OK
}

/// The value, or None once the problems are printed as the errors of `path`.
fn reported<T>(loaded: Result<T, Diagnostics>, path: &Path) -> Option<T> {
    loaded
        .map_err(|d| {
            for e in &d.0 {
                eprintln!("error: {e}");
            }
            eprintln!("{} error(s) in {}", d.0.len(), path.display());
        })
        .ok()
}

fn load(path: &Path) -> Option<(scenario::FillUpScenario, crate::trace::openb::OpenbTrace)> {
    let s = reported(scenario::load(path), path)?;
    let trace =
        crate::trace::openb::load(&s.nodes, &s.pods).and_then(|t| s.check_trace(&t).map(|()| t));
    let trace = reported(trace, path)?;
    Some((s, trace))
}

pub fn validate(path: &Path) -> i32 {
    if is_replay(path) {
        return match load_replay(path) {
            Some((s, t)) => {
                println!(
                    "{}: valid replay scenario ({} nodes, {} trace pods, policy {})",
                    path.display(),
                    t.nodes.len(),
                    t.pods.len(),
                    s.policy.name()
                );
                EXIT_OK
            }
            None => EXIT_INVALID,
        };
    }
    match load(path) {
        Some((s, t)) => {
            println!(
                "{}: valid fill-up scenario ({} nodes, {} trace pods, {} policies × {} replications)",
                path.display(),
                t.nodes.len(),
                t.pods.len(),
                s.policies.len(),
                s.replications
            );
            EXIT_OK
        }
        None => EXIT_INVALID,
    }
}

pub fn run(path: &Path, out: Option<PathBuf>, seed: Option<u64>, quiet: bool) -> i32 {
    if is_replay(path) {
        return run_replay(path, out, seed, quiet);
    }
    let Some((mut s, trace)) = load(path) else {
        return EXIT_INVALID;
    };
    if let Some(seed) = seed {
        s.seed = seed;
    }
    let out_dir = out.unwrap_or_else(|| crate::scenario::results_name::results_dir(&s.name));
    let typical = fillup::typical_pods(&trace, s.typical_coverage);
    if !quiet {
        println!(
            "kubesim {} — GPU fill-up {} ({})",
            env!("CARGO_PKG_VERSION"),
            s.name,
            path.display()
        );
        println!(
            "  trace           {} nodes, {} GPUs, {} pods ({} typical pod shapes cover {:.0}%)",
            trace.nodes.len(),
            trace.gpu_capacity_milli() / 1000,
            trace.pods.len(),
            typical.0.len(),
            s.typical_coverage * 100.0
        );
        println!(
            "  protocol        inflate to {}% of GPU capacity (copies: {}), random arrival order, one attempt per pod",
            s.inflation_pct,
            s.inflation_order.name()
        );
        println!(
            "  runs            {} policies × {} replications (replication r uses derive_seed({}, r))",
            s.policies.len(),
            s.replications,
            s.seed
        );
        println!("  output          {}", out_dir.display());
    }
    let started = Instant::now();
    let runs = report::run_all(&s, &trace);
    let wall = started.elapsed();
    let text = crate::input::read_bytes(path).unwrap_or_default();
    let manifest = report::manifest_json(
        &s,
        &path.display().to_string(),
        &sha256_hex(&text),
        &typical,
    );
    if let Err(e) = report::write(&out_dir, &s, &runs, &manifest) {
        eprintln!("error: cannot write results to {}: {e}", out_dir.display());
        return EXIT_INVALID;
    }
    if !quiet {
        println!(
            "finished: {} run(s) in {:.2}s wall clock ({:.2}s per run on average)",
            runs.len(),
            wall.as_secs_f64(),
            wall.as_secs_f64() / runs.len().max(1) as f64
        );
        println!(
            "{:<20} {:>14} {:>20} {:>12} {:>12}",
            "policy", "GPU alloc %", "unalloc GPUs @100%", "frag GPUs", "failed pods"
        );
        for line in report::comparison_csv(&runs).lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            println!(
                "{:<20} {:>14} {:>20} {:>12} {:>12}",
                f[0], f[2], f[4], f[8], f[14]
            );
        }
        println!(
            "results in {} (comparison.csv, runs.csv, curves.csv, charts/)",
            out_dir.display()
        );
    }
    EXIT_OK
}
