//! Writes a large YAML scenario, from a fixed seed, so the same command always
//! writes the same bytes: 1 000 nodes of 64 CPU and 256 GiB, and N distinct
//! Pod manifests in `workloads` (one per pod, requests varied), the shape that
//! measures loading a big scenario written as plain manifests:
//!
//! ```text
//! cargo run --release --example gen_big_scenario -- --pods 100000 DIR/big.yaml
//! /usr/bin/time -v kubesim validate DIR/big.yaml
//! ```
//!
//! Every pod: cpu request 100m–4, memory 256Mi–8Gi, a run time of 10–1 000 s
//! (annotation `kubesim.io/run-time`), one of three teams as a label,
//! `restartPolicy: Never`. `--pods N` (default 100 000) and `--seed X`
//! (default 7) change the shape. A workload this large is better written as a
//! pod trace (`examples/gen_pod_trace.rs`); this file is what a user who does
//! not know that writes.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

fn usage(problem: &str) -> ! {
    eprintln!("error: {problem}\nusage: gen_big_scenario [--pods N] [--seed X] FILE.yaml");
    std::process::exit(2);
}

pub fn write_scenario(path: &Path, pods: u64, seed: u64) -> std::io::Result<()> {
    let mut w = BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        w,
        "# Written by examples/gen_big_scenario.rs --pods {pods} --seed {seed}."
    )?;
    writeln!(w, "name: big-scenario\nseed: {seed}\nsampleInterval: 60s\n")?;
    writeln!(w, "nodePools:\n  - name: node\n    count: 1000")?;
    writeln!(
        w,
        "    capacity: {{cpu: \"64\", memory: 256Gi, pods: \"110\"}}\n"
    )?;
    writeln!(w, "workloads:")?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let teams = ["alpha", "beta", "gamma"];
    for i in 0..pods {
        let cpu_m: u64 = rng.gen_range(100..=4000);
        let mem_mi: u64 = rng.gen_range(256..=8192);
        let run_s: u64 = rng.gen_range(10..=1000);
        let team = teams[rng.gen_range(0..teams.len())];
        writeln!(w, "  - apiVersion: v1\n    kind: Pod")?;
        writeln!(
            w,
            "    metadata:\n      name: pod-{i}\n      labels: {{team: {team}}}"
        )?;
        writeln!(w, "      annotations: {{kubesim.io/run-time: {run_s}s}}")?;
        writeln!(
            w,
            "    spec:\n      restartPolicy: Never\n      containers:"
        )?;
        writeln!(w, "        - name: main\n          image: worker:1")?;
        writeln!(
            w,
            "          resources: {{requests: {{cpu: {cpu_m}m, memory: {mem_mi}Mi}}}}"
        )?;
    }
    w.flush()
}

fn main() {
    let mut pods = 100_000u64;
    let mut seed = 7u64;
    let mut out: Option<PathBuf> = None;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .unwrap_or_else(|| usage(&format!("{name} needs a value")))
        };
        match flag.as_str() {
            "--pods" => {
                pods = value("--pods")
                    .parse()
                    .unwrap_or_else(|_| usage("--pods: expected a count"))
            }
            "--seed" => {
                seed = value("--seed")
                    .parse()
                    .unwrap_or_else(|_| usage("--seed: expected an integer"))
            }
            other if !other.starts_with('-') && out.is_none() => out = Some(PathBuf::from(other)),
            other => usage(&format!("unexpected argument {other:?}")),
        }
    }
    let out = out.unwrap_or_else(|| usage("give FILE.yaml"));
    if let Err(e) = write_scenario(&out, pods, seed) {
        eprintln!("error: cannot write {}: {e}", out.display());
        std::process::exit(2);
    }
}
