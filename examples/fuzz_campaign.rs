//! A long fuzzing campaign over the bundled inputs, on stable Rust:
//!
//! ```text
//! cargo run --release --example fuzz_campaign -- [--mutants N] [--seed S] [--from I] [--decoder-only]
//! ```
//!
//! The mutants are those of `tests/fuzz.rs` (the same mutator and checks, in
//! `tests/common/fuzz_harness.rs`), so a failure found here replays there.
//! `--decoder-only` puts scenario, sweep and pod trace mutants through the decoders alone,
//! in memory, which is many times faster (for campaigns of millions). Progress
//! is printed every 10 000 mutants; the first failure stops the campaign,
//! saves the mutant under target/fuzz-failures/ and prints the replay command.
//! The commands' own messages go to stderr: `2>/dev/null` keeps the output short.

#[path = "../tests/common/fuzz_harness.rs"]
mod harness;

use harness::{check, corpus, mutant, report_failure, with_time_limit, Kind, Mirror, DEFAULT_SEED};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

struct Args {
    mutants: u64,
    seed: u64,
    from: u64,
    decoder_only: bool,
}

fn args() -> Args {
    let mut a = Args {
        mutants: 100_000,
        seed: DEFAULT_SEED,
        from: 0,
        decoder_only: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut number = |name: &str| -> u64 {
            let v = it
                .next()
                .unwrap_or_else(|| usage(&format!("{name} needs a value")));
            v.parse().unwrap_or_else(|_| {
                usage(&format!("{name} {v:?}: expected a non-negative integer"))
            })
        };
        match flag.as_str() {
            "--mutants" => a.mutants = number("--mutants"),
            "--seed" => a.seed = number("--seed"),
            "--from" => a.from = number("--from"),
            "--decoder-only" => a.decoder_only = true,
            other => usage(&format!("unknown argument {other:?}")),
        }
    }
    a
}

fn usage(problem: &str) -> ! {
    eprintln!("error: {problem}\nusage: fuzz_campaign [--mutants N] [--seed S] [--from I] [--decoder-only]");
    std::process::exit(2);
}

/// The decoders alone, in memory: a scenario from its text (`load_str`) or
/// tree (`load_node`), a sweep file from its text.
fn decode_only(
    corpus: &[harness::Seed],
    root: &Path,
    m: &harness::Mutant,
) -> Result<bool, harness::Failure> {
    let source = &corpus[m.seed_idx];
    let path = root.join(&source.rel);
    let file = path.display().to_string();
    let dir = path.parent().unwrap();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        match (&m.tree, source.kind) {
            (Some(tree), _) => {
                Some(kubesim::scenario::decode::load_node(&file, tree, dir, "m").map(|_| ()))
            }
            (None, Kind::Scenario) => {
                let text = String::from_utf8_lossy(&m.bytes);
                Some(kubesim::scenario::decode::load_str(&file, &text, dir, "m").map(|_| ()))
            }
            (None, Kind::Sweep) => {
                let text = String::from_utf8_lossy(&m.bytes);
                Some(kubesim::sweep::file::decode(&file, &text, "m").map(|_| ()))
            }
            (None, Kind::PodTrace { .. }) => Some(read_pod_trace(&file, &m.bytes)),
            _ => None,
        }
    }));
    match result {
        Err(_) => Err(harness::Failure {
            what: "the decoder panicked".into(),
        }),
        Ok(Some(Err(d))) => harness::check_located(&d).map(|()| false),
        Ok(Some(Ok(()))) => Ok(true),
        Ok(None) => Ok(false),
    }
}

/// A pod trace through the streaming reader alone, every row.
fn read_pod_trace(file: &str, bytes: &[u8]) -> Result<(), harness::Diagnostics> {
    use kubesim::trace::pods::{PodTraceReader, TraceFormat};
    let mut reader = PodTraceReader::new(file.to_string(), bytes, TraceFormat::Kubesim)
        .map_err(harness::Diagnostics::new)?;
    let mut errors = Vec::new();
    while let Some(row) = reader.next_row() {
        if let Err(e) = row {
            errors.extend(e);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(harness::Diagnostics::new(errors))
    }
}

fn main() {
    let a = args();
    let corpus = Arc::new(corpus());
    let root = std::env::temp_dir().join(format!("kubesim-fuzz-campaign-{}", std::process::id()));
    let mirror = Arc::new(Mirror::new(&root, &corpus));
    let started = Instant::now();
    let (mut valid, mut ran) = (0u64, 0u64);
    let end = a.from + a.mutants;
    for i in a.from..end {
        let m = Arc::new(mutant(&corpus, a.seed, i));
        let result = if a.decoder_only {
            decode_only(&corpus, &root, &m).map(|ok| valid += u64::from(ok))
        } else {
            let (mirror2, m2) = (Arc::clone(&mirror), Arc::clone(&m));
            with_time_limit(harness::MUTANT_TIME_LIMIT, move || check(&mirror2, &m2)).and_then(
                |r| {
                    r.map(|o| {
                        valid += u64::from(o.valid);
                        ran += u64::from(o.ran);
                    })
                },
            )
        };
        if let Err(f) = result {
            let replay =
                format!(
                "cargo run --release --example fuzz_campaign -- --seed {} --from {i} --mutants 1{}",
                a.seed,
                if a.decoder_only { " --decoder-only" } else { "" }
            );
            println!("{}", report_failure(&corpus, a.seed, i, &m, &f, &replay));
            std::process::exit(1);
        }
        let done = i - a.from + 1;
        if done.is_multiple_of(10_000) || i + 1 == end {
            let s = started.elapsed().as_secs_f64();
            println!(
                "{done} mutants in {s:.0}s ({:.0}/s), {valid} loaded, {ran} ran, no failure",
                done as f64 / s
            );
        }
    }
    let _ = std::fs::remove_dir_all(&root);
}
