//! Writes a synthetic pod trace in kubesim's format (see
//! `docs/scenario-format.md#pod-traces`), from a fixed seed, so the same
//! command always writes the same bytes:
//!
//! ```text
//! cargo run --release --example gen_pod_trace -- scenarios/pod-trace.csv
//! cargo run --release --example gen_pod_trace -- --big DIR
//! ```
//!
//! The first writes the bundled example's 200 pods over 2 000 s (what
//! `scenarios/pod-trace.yaml` replays). `--big DIR` writes the large shape,
//! `DIR/pod-trace.csv` with 100 000 pods over 10 000 s and
//! `DIR/pod-trace.yaml` with 1 000 nodes of 64 CPU and 256 GiB, for
//! measuring a whole run:
//! `/usr/bin/time -v kubesim run DIR/pod-trace.yaml --out DIR/results --quiet`.
//!
//! Every pod: arrival uniform over the span (rows sorted by it), cpu request
//! uniform 100m–4, memory uniform 256Mi–8Gi, run time uniform 10–1 000 s
//! (fractional), one of three teams as a label, and one pod in ten of the
//! PriorityClass `high`; all from the scenario's template `batch`.
//! `--pods N`, `--span-s S` and `--seed X` change the shape.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

struct Args {
    pods: u64,
    span_s: f64,
    seed: u64,
    csv: Option<PathBuf>,
    big: Option<PathBuf>,
}

fn usage(problem: &str) -> ! {
    eprintln!(
        "error: {problem}\nusage: gen_pod_trace [--pods N] [--span-s S] [--seed X] FILE.csv\n       gen_pod_trace --big DIR"
    );
    std::process::exit(2);
}

fn args() -> Args {
    let mut a = Args {
        pods: 200,
        span_s: 2000.0,
        seed: 7,
        csv: None,
        big: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .unwrap_or_else(|| usage(&format!("{name} needs a value")))
        };
        match flag.as_str() {
            "--pods" => {
                a.pods = value("--pods")
                    .parse()
                    .unwrap_or_else(|_| usage("--pods: expected a count"))
            }
            "--span-s" => {
                a.span_s = value("--span-s")
                    .parse()
                    .ok()
                    .filter(|s: &f64| *s > 0.0 && s.is_finite())
                    .unwrap_or_else(|| usage("--span-s: expected seconds > 0"))
            }
            "--seed" => {
                a.seed = value("--seed")
                    .parse()
                    .unwrap_or_else(|_| usage("--seed: expected an integer"))
            }
            "--big" => a.big = Some(PathBuf::from(value("--big"))),
            other if !other.starts_with('-') && a.csv.is_none() => {
                a.csv = Some(PathBuf::from(other))
            }
            other => usage(&format!("unexpected argument {other:?}")),
        }
    }
    if a.big.is_some() {
        a.pods = 100_000;
        a.span_s = 10_000.0;
    }
    if a.csv.is_none() == a.big.is_none() {
        usage("give either FILE.csv or --big DIR");
    }
    a
}

/// The rows: arrival times are drawn first, then sorted, then each pod's
/// sizes, so the file is in creation order as kubesim requires.
pub fn write_trace(path: &Path, pods: u64, span_s: f64, seed: u64) -> std::io::Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Milliseconds: exact decimals in the file.
    let span_ms = (span_s * 1000.0) as u64;
    let mut times: Vec<u64> = (0..pods).map(|_| rng.gen_range(0..=span_ms)).collect();
    times.sort_unstable();
    let mut w = BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        w,
        "creation_time_s,name,labels,cpu,memory,run_time_s,priority_class,template"
    )?;
    let secs = |ms: u64| format!("{}.{:03}", ms / 1000, ms % 1000);
    for (i, t) in times.into_iter().enumerate() {
        let cpu_millis = rng.gen_range(100..=4000);
        let memory_mib = rng.gen_range(256..=8192);
        let run_ms = rng.gen_range(10_000..=1_000_000);
        let team = ["a", "b", "c"][rng.gen_range(0..3)];
        let class = if rng.gen_range(0..10) == 0 {
            "high"
        } else {
            ""
        };
        writeln!(
            w,
            "{},job-{i},team={team},{cpu_millis}m,{memory_mib}Mi,{},{class},batch",
            secs(t),
            secs(run_ms)
        )?;
    }
    w.flush()
}

/// The large shape's scenario, beside its trace.
pub fn write_big_scenario(dir: &Path) -> std::io::Result<()> {
    std::fs::write(
        dir.join("pod-trace.yaml"),
        "# The large pod-trace shape: 100 000 pods over 10 000 s on 1 000 nodes.\n\
         # Written by: cargo run --release --example gen_pod_trace -- --big DIR\n\
         name: pod-trace-big\n\
         seed: 42\n\
         sampleInterval: 60s\n\
         nodePools:\n\
         \x20 - {name: node, count: 1000, capacity: {cpu: \"64\", memory: 256Gi, pods: \"110\"}}\n\
         workloads:\n\
         \x20 - {apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {name: high}, value: 1000}\n\
         podTraces:\n\
         \x20 - file: pod-trace.csv\n\
         \x20   templates:\n\
         \x20     - apiVersion: v1\n\
         \x20       kind: Pod\n\
         \x20       metadata: {name: batch, labels: {app: batch}}\n\
         \x20       spec:\n\
         \x20         restartPolicy: Never\n\
         \x20         containers: [{name: worker, image: python:3.12}]\n",
    )
}

fn main() {
    let a = args();
    let result = match (&a.csv, &a.big) {
        (Some(csv), None) => write_trace(csv, a.pods, a.span_s, a.seed),
        (None, Some(dir)) => std::fs::create_dir_all(dir)
            .and_then(|()| write_trace(&dir.join("pod-trace.csv"), a.pods, a.span_s, a.seed))
            .and_then(|()| write_big_scenario(dir)),
        _ => unreachable!("checked"),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(2);
    }
}
