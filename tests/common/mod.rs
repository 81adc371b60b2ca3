//! What the integration tests share: a scratch directory per test
//! (`scratch.rs`, also used by the library's own tests) and running the
//! `kubesim` binary.

mod scratch;

pub use scratch::Scratch;
use std::path::Path;
use std::process::{Command, Output};

/// Runs the `kubesim` binary with `args`.
#[allow(dead_code)] // not every test file runs the binary
pub fn kubesim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kubesim"))
        .args(args)
        .output()
        .expect("kubesim runs")
}

/// Runs the `kubesim` binary with `args` in the directory `cwd`.
#[allow(dead_code)]
pub fn kubesim_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kubesim"))
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("kubesim runs")
}
