//! Running a sweep's runs in parallel and keeping each one's result on disk.
//!
//! Each run owns its engine, state and random streams, so runs are independent
//! and rayon may run them in any order: every run writes its own file,
//! `runs/<index>.csv` (its summary.csv), atomically (temporary name, then
//! rename). A run whose file exists is done; an interrupted sweep loses at
//! most the runs that were in flight, and the tables are always rebuilt from
//! the files in index order, so they do not depend on thread count or on how
//! often the sweep was resumed.

use super::grid::RunSpec;
use crate::metrics::stream::StreamWriters;
use crate::metrics::writers::write_summary;
use crate::scenario::Scenario;
use crate::sim::{simulate_streaming, RunOptions};
use rayon::prelude::*;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::output::{write_atomic, RUNS_DIR};

/// `runs/000042.csv`: zero-padded to the digits of the run limit so that a
/// directory listing is in run order.
pub fn run_file(dir: &Path, index: usize) -> PathBuf {
    dir.join(RUNS_DIR).join(format!("{index:06}.csv"))
}

/// A run file's header and cells, or `None` if it is missing or not a
/// complete summary (then the run is done again).
pub fn read_run_file(path: &Path) -> Option<(Vec<String>, Vec<String>)> {
    let bytes = fs::read(path).ok()?;
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes.as_slice());
    let mut records = r.records();
    let header = records.next()?.ok()?;
    let row = records.next()?.ok()?;
    if records.next().is_some() || header.len() != row.len() || header.is_empty() {
        return None;
    }
    Some((
        header.iter().map(str::to_string).collect(),
        row.iter().map(str::to_string).collect(),
    ))
}

/// Told about each finished run (from worker threads).
pub trait RunProgress: Sync {
    fn run_done(&self);
}

/// Runs `todo` on `jobs` threads, writing each run's file into `dir/runs/` as
/// soon as it finishes. Returns the first I/O error, after the other runs.
pub fn execute(
    scenarios: &[Scenario],
    todo: &[RunSpec],
    dir: &Path,
    jobs: usize,
    progress: &dyn RunProgress,
) -> io::Result<()> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build()
        .map_err(io::Error::other)?;
    let results: Vec<io::Result<()>> = pool.install(|| {
        todo.par_iter()
            .map(|spec| {
                // Only the summary is kept: finished pods are retired as
                // they go and the streamed files dropped.
                let report = simulate_streaming(
                    &scenarios[spec.point],
                    spec.seed,
                    &RunOptions::default(),
                    StreamWriters::discard(),
                );
                if !report.input_errors.is_empty() {
                    // A pod trace changed during the run: no summary for it.
                    let errors = crate::input::diagnostic::Diagnostics::new(report.input_errors);
                    return Err(io::Error::new(io::ErrorKind::InvalidData, errors));
                }
                let mut bytes = Vec::new();
                write_summary(&mut bytes, &report.summary)?;
                write_atomic(&run_file(dir, spec.index), &bytes)?;
                progress.run_done();
                Ok(())
            })
            .collect()
    });
    results.into_iter().collect()
}
