//! Fuzzing in every `cargo test`: a few hundred seeded mutants of the bundled
//! scenarios, manifests, sweeps and trace slices go through what `kubesim
//! validate` and `kubesim run` do, and each outcome is checked (see
//! `common/fuzz_harness.rs`). `KUBESIM_FUZZ_MUTANTS=N` runs more,
//! `KUBESIM_FUZZ_SEED=S` another series, `KUBESIM_FUZZ_ONLY=I` replays one
//! mutant; `examples/fuzz_campaign.rs` runs long campaigns in release mode.

#[path = "common/fuzz_harness.rs"]
mod harness;

use harness::{check, corpus, mutant, report_failure, with_time_limit, Mirror, DEFAULT_SEED};
use std::sync::Arc;

/// Mutants per `cargo test`: a debug build checks them in well under 30 s on
/// two cores.
const DEFAULT_MUTANTS: u64 = 300;

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|v| {
        v.parse()
            .unwrap_or_else(|_| panic!("{name}={v:?}: expected a non-negative integer"))
    })
}

#[test]
fn mutants_of_the_bundled_inputs_fail_cleanly_or_run_cleanly() {
    let seed = env_u64("KUBESIM_FUZZ_SEED").unwrap_or(DEFAULT_SEED);
    let indices: Vec<u64> = match env_u64("KUBESIM_FUZZ_ONLY") {
        Some(i) => vec![i],
        None => (0..env_u64("KUBESIM_FUZZ_MUTANTS").unwrap_or(DEFAULT_MUTANTS)).collect(),
    };
    let corpus = Arc::new(corpus());
    let root = std::env::temp_dir().join(format!("kubesim-fuzz-{}", std::process::id()));
    let mirror = Arc::new(Mirror::new(&root, &corpus));
    let (mut valid, mut ran) = (0, 0);
    for &i in &indices {
        let m = Arc::new(mutant(&corpus, seed, i));
        let (mirror2, m2) = (Arc::clone(&mirror), Arc::clone(&m));
        let result = with_time_limit(harness::MUTANT_TIME_LIMIT, move || check(&mirror2, &m2))
            .and_then(|r| r);
        match result {
            Ok(o) => {
                valid += usize::from(o.valid);
                ran += usize::from(o.ran);
            }
            Err(f) => {
                let replay = format!(
                    "KUBESIM_FUZZ_SEED={seed} KUBESIM_FUZZ_ONLY={i} cargo test --test fuzz"
                );
                panic!("{}", report_failure(&corpus, seed, i, &m, &f, &replay));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&root);
    eprintln!(
        "{} mutants of seed {seed}: {valid} loaded, {ran} ran, the rest were rejected with located errors",
        indices.len()
    );
    // The mutator should keep a fair share of mutants valid, or the runs
    // would go untested.
    if indices.len() >= 100 {
        assert!(
            valid * 10 >= indices.len(),
            "only {valid} of {} mutants loaded",
            indices.len()
        );
        assert!(
            ran * 20 >= indices.len(),
            "only {ran} of {} mutants ran",
            indices.len()
        );
    }
}
