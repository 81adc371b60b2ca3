//! `kubesim plot DIR`: the charts that fit the results in a directory, as PNG
//! and SVG in `DIR/charts/`. A run directory (timeseries.csv, pods.csv) gets
//! its time series, startup CDF and scheduling attempts; a sweep directory
//! (sweep.json, aggregate.csv) gets each figure against a numeric axis with
//! confidence bands. Charts read only result files, so they can be redrawn
//! without running anything.

pub mod chart;
pub mod csv_table;
pub mod run_charts;
pub mod sweep_charts;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub use crate::output::CHARTS_DIR;

/// What a result directory holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Run,
    Sweep,
}

/// Recognises a run or a complete sweep directory: kubesim's own results
/// (nothing foreign in them, as every command that writes requires) with the
/// files the charts read.
pub fn kind(dir: &Path) -> Option<Kind> {
    use crate::output::ResultsKind;
    match crate::output::results_kind(dir)? {
        ResultsKind::Sweep if dir.join("aggregate.csv").exists() => Some(Kind::Sweep),
        ResultsKind::Run
            if dir.join("timeseries.csv").exists() && dir.join("pods.csv").exists() =>
        {
            Some(Kind::Run)
        }
        _ => None,
    }
}

/// The scenario name of a run directory (from manifest.json), else the
/// directory's name.
pub fn run_name(dir: &Path) -> String {
    fs::read_to_string(dir.join("manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v["scenario"]["name"].as_str().map(str::to_string))
        .unwrap_or_else(|| {
            dir.file_name()
                .map_or("run".into(), |n| n.to_string_lossy().into_owned())
        })
}

/// Draws every chart that fits `dir` and returns the files written.
pub fn plot(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let charts = match kind(dir) {
        Some(Kind::Sweep) => {
            let index = crate::sweep::read_index(dir).map_err(io::Error::other)?;
            sweep_charts::charts(dir, &index)?
        }
        Some(Kind::Run) => run_charts::charts(dir, &run_name(dir))?,
        None => {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!(
                    "{}: neither a run's results (manifest.json, timeseries.csv, pods.csv) nor a finished sweep's (sweep.json, aggregate.csv), with nothing else in them",
                    dir.display()
                ),
            ))
        }
    };
    let out = dir.join(CHARTS_DIR);
    fs::create_dir_all(&out)?;
    let mut written = Vec::new();
    for (stem, chart) in &charts {
        written.extend(chart::save(chart, &out, stem)?);
    }
    Ok(written)
}
