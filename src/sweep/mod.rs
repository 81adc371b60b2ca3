//! Parameter sweeps: many runs of one base scenario over a grid of field
//! values × replications, run in parallel, resumable, shardable across
//! machines, and aggregated into tables and an SLO answer.
//!
//! - `file` decodes the sweep file; `path` edits the scenario's YAML tree;
//! - `grid` expands points and runs and builds each point's scenario;
//! - `run` executes runs on a thread pool, one atomically written file each;
//! - `index` is `sweep.json`, which lets a directory be resumed and merged;
//! - `aggregate` turns run files into runs.csv, aggregate.csv, answer.csv;
//! - `interval` keeps a figure's confidence interval within its range;
//! - `shard` parses `--shard I/N` and merges shard directories.
//!
//! The output directory holds `sweep.json`, `runs/<index>.csv` and, once
//! every run is done, `runs.csv`, `aggregate.csv` and (with constraints)
//! `answer.csv`. Nothing here prints or reads the clock.

pub mod aggregate;
pub mod file;
pub mod grid;
pub mod index;
pub mod interval;
pub mod pareto;
pub mod path;
pub mod run;
pub mod shard;

use crate::input::diagnostic::{Diagnostic, Diagnostics};
use crate::input::source::ReadError;
use crate::input::yaml::parse_single;
use crate::output::{at, write_atomic, RUNS_DIR};
use crate::output::{claim, sha256_hex, Claim, Refusal, ResultsKind};
use crate::scenario::Scenario;
use aggregate::{
    aggregate, aggregate_csv, answer, answer_csv, runs_csv, Aggregate, Answer, RunTable,
};
use file::{ObjectiveTarget, SweepFile};
use grid::RunSpec;
use index::{IndexObjective, SweepIndex};
use run::{read_run_file, run_file, RunProgress};
use shard::Shard;
use std::fs;
use std::io;
use std::path::Path;

pub const INDEX_FILE: &str = "sweep.json";
pub const SHARD_FILE: &str = "shard.json";

/// A loaded sweep: the decoded file, its index and one scenario per point.
pub struct Sweep {
    pub file: SweepFile,
    pub index: SweepIndex,
    pub scenarios: Vec<Scenario>,
}

#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// Bad input files, with positions.
    #[error("{0}")]
    Invalid(Diagnostics),
    #[error("{0}")]
    Io(#[from] io::Error),
    /// The output directory holds something else (another sweep, another shard).
    #[error("{0}")]
    Refused(String),
}

impl From<Refusal> for SweepError {
    fn from(r: Refusal) -> SweepError {
        match r {
            Refusal::Foreign(m) => SweepError::Refused(m),
            r @ Refusal::Io { .. } => SweepError::Io(r.into()),
        }
    }
}

/// Most grid points whose scenario errors are reported (the rest repeat them).
const MAX_FAILING_POINTS_REPORTED: usize = 3;

/// Reads a sweep file and its base scenario and builds every point's
/// scenario; all problems are reported at once.
pub fn load(path: &Path) -> Result<Sweep, Diagnostics> {
    let sweep_file = path.display().to_string();
    let text = crate::input::source::read_text(path, "the sweep file")
        .map_err(|d| Diagnostics(vec![d]))?;
    let default_name = path
        .file_stem()
        .map_or("sweep".to_string(), |s| s.to_string_lossy().into_owned());
    let file = file::decode(&sweep_file, &text, &default_name)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let base_path = normalize(&dir.join(&file.base));
    let base_file = base_path.display().to_string();
    let base_text =
        crate::input::source::read_utf8(&base_path, "the base scenario").map_err(|e| match e {
            ReadError::Io(e) => Diagnostics(vec![Diagnostic::new(
                &sweep_file,
                file.base_pos,
                "base",
                format!("cannot read the base scenario {base_file}: {e}"),
            )]),
            ReadError::NotUtf8(d) => Diagnostics(vec![d]),
        })?;
    let tree = parse_single(&base_file, &base_text)?;
    let scenario_default_name = base_path
        .file_stem()
        .map_or("scenario".to_string(), |s| s.to_string_lossy().into_owned());
    let base = grid::Base {
        sweep_file: &sweep_file,
        scenario_file: &base_file,
        tree: &tree,
        dir: base_path.parent().unwrap_or(Path::new(".")),
        default_name: &scenario_default_name,
    };
    let points = grid::points(&file);
    let mut scenarios = Vec::with_capacity(points.len());
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut failing = 0;
    for p in &points {
        match grid::scenario_for(&file, p, &base) {
            Ok(s) => scenarios.push(s),
            Err(list) => {
                failing += 1;
                if failing <= MAX_FAILING_POINTS_REPORTED {
                    for d in list {
                        if !errors.contains(&d) {
                            errors.push(d);
                        }
                    }
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(Diagnostics::new(errors));
    }
    let base_seed = file
        .seed
        .unwrap_or_else(|| scenarios.first().map_or(1, |s| s.seed));
    let mut columns = Vec::new();
    let mut numeric = Vec::new();
    if !file.variants.is_empty() {
        columns.push("variant".to_string());
        numeric.push(false);
    }
    for a in &file.axes {
        columns.push(a.name.clone());
        numeric.push(a.is_numeric());
    }
    let question = if file.question.is_empty() {
        file::opening_comment(&base_text)
    } else {
        file.question.clone()
    };
    let mut hashed = format!("kubesim {}\0", env!("CARGO_PKG_VERSION")).into_bytes();
    hashed.extend_from_slice(text.as_bytes());
    hashed.push(0);
    hashed.extend_from_slice(base_text.as_bytes());
    let index = SweepIndex {
        kubesim_version: env!("CARGO_PKG_VERSION").to_string(),
        name: file.name.clone(),
        question,
        sweep_file: sweep_file.clone(),
        base_scenario: base_file.clone(),
        sha256: sha256_hex(&hashed),
        base_seed,
        replications: file.replications,
        columns,
        numeric,
        paths: file.axes.iter().map(|a| a.path.to_string()).collect(),
        points: points
            .iter()
            .map(|p| grid::point_labels(&file, p))
            .collect(),
        constraints: file.constraints.clone(),
        objective: file.objective.as_ref().map(|o| match &o.target {
            ObjectiveTarget::Axis(axis) => IndexObjective {
                goal: o.goal,
                column: file.axes[*axis].name.clone(),
                metric: false,
            },
            ObjectiveTarget::Metric(name) => IndexObjective {
                goal: o.goal,
                column: name.clone(),
                metric: true,
            },
        }),
        reproduce: format!("kubesim sweep {sweep_file}"),
    };
    Ok(Sweep {
        file,
        index,
        scenarios,
    })
}

/// Removes `.` and `name/..` from a path without touching the file system,
/// so messages and sweep.json show `scenarios/base.yaml`, not
/// `scenarios/sweeps/../base.yaml`.
fn normalize(path: &Path) -> std::path::PathBuf {
    use std::path::Component;
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out.iter().collect()
}

/// How to run a sweep (none of it changes the results).
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub jobs: usize,
    pub shard: Option<Shard>,
    /// Stop after this many new runs (the directory stays resumable).
    pub max_new_runs: Option<usize>,
}

/// The tables of a complete sweep.
pub struct Finished {
    pub aggregate: Aggregate,
    pub answer: Option<Answer>,
}

pub struct Outcome {
    /// Runs this invocation is responsible for (all, or the shard's).
    pub planned: usize,
    /// Of those, done before this invocation started.
    pub reused: usize,
    /// Run by this invocation.
    pub executed: usize,
    /// The tables, when every run is done and the sweep is not sharded.
    pub finished: Option<Finished>,
}

/// Told how many runs there are, then about each finished run.
pub trait Progress: RunProgress {
    fn start(&self, planned: usize, already_done: usize);
}

/// Checks that `out` is empty, absent or holds this very sweep (and shard),
/// then writes the index. Leftover temporary files of killed runs are removed.
fn prepare(out: &Path, index: &SweepIndex, shard: Option<Shard>) -> Result<(), SweepError> {
    if claim(out, ResultsKind::Sweep)? == Claim::Ours {
        let text = fs::read_to_string(out.join(INDEX_FILE)).map_err(at(&out.join(INDEX_FILE)))?;
        let existing = SweepIndex::from_json(&text).map_err(|e| {
            SweepError::Refused(format!(
                "{}: unreadable sweep index: {e}",
                out.join(INDEX_FILE).display()
            ))
        })?;
        if existing.sha256 != index.sha256 {
            return Err(SweepError::Refused(format!(
                "{} holds the results of a different sweep (the sweep file, the base scenario or kubesim changed since), so it cannot be resumed; delete it or choose another --out",
                out.display()
            )));
        }
        let shard_path = out.join(SHARD_FILE);
        let existing_shard = match fs::read_to_string(&shard_path) {
            Ok(text) => Some(Shard::from_json(&text).map_err(SweepError::Refused)?),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(at(&shard_path)(e).into()),
        };
        if existing_shard.is_some() && existing_shard != shard
            || existing_shard.is_none() && shard.is_some() && out.join(RUNS_DIR).exists()
        {
            let describe = |s: Option<Shard>| {
                s.map_or("the whole sweep".to_string(), |s| format!("shard {s}"))
            };
            return Err(SweepError::Refused(format!(
                "{} holds {}, not {}; choose another --out",
                out.display(),
                describe(existing_shard),
                describe(shard)
            )));
        }
    }
    let runs_dir = out.join(RUNS_DIR);
    fs::create_dir_all(&runs_dir).map_err(at(&runs_dir))?;
    for entry in fs::read_dir(&runs_dir).map_err(at(&runs_dir))? {
        let entry = entry.map_err(at(&runs_dir))?;
        if crate::output::is_temporary(&entry.file_name().to_string_lossy()) {
            let leftover = entry.path();
            fs::remove_file(&leftover).map_err(at(&leftover))?;
        }
    }
    write_atomic(&out.join(INDEX_FILE), index.to_json().as_bytes())?;
    if let Some(s) = shard {
        write_atomic(&out.join(SHARD_FILE), s.to_json().as_bytes())?;
    }
    Ok(())
}

/// Runs what is not done yet of `sweep` (or of its shard) into `out`, then,
/// when every run is done and the sweep is not sharded, writes the tables.
pub fn run(
    sweep: &Sweep,
    out: &Path,
    options: &Options,
    progress: &dyn Progress,
) -> Result<Outcome, SweepError> {
    prepare(out, &sweep.index, options.shard)?;
    let all = grid::runs(
        sweep.scenarios.len(),
        sweep.index.replications,
        sweep.index.base_seed,
    );
    let mine: Vec<RunSpec> = all
        .into_iter()
        .filter(|r| options.shard.is_none_or(|s| s.owns(r.index)))
        .collect();
    let todo: Vec<RunSpec> = mine
        .iter()
        .filter(|r| read_run_file(&run_file(out, r.index)).is_none())
        .copied()
        .collect();
    let reused = mine.len() - todo.len();
    let todo = &todo[..options
        .max_new_runs
        .map_or(todo.len(), |m| m.min(todo.len()))];
    progress.start(mine.len(), reused);
    run::execute(&sweep.scenarios, todo, out, options.jobs, progress)?;
    let complete = reused + todo.len() == mine.len();
    let finished = if complete && options.shard.is_none() {
        Some(finalize(out, &sweep.index)?)
    } else {
        None
    };
    Ok(Outcome {
        planned: mine.len(),
        reused,
        executed: todo.len(),
        finished,
    })
}

/// Reads every run file of `dir` in index order.
pub fn read_runs(dir: &Path, index: &SweepIndex) -> Result<RunTable, SweepError> {
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::with_capacity(index.n_runs());
    for i in 0..index.n_runs() {
        let path = run_file(dir, i);
        let Some((h, row)) = read_run_file(&path) else {
            return Err(SweepError::Refused(format!(
                "{}: missing or incomplete; run the sweep again to complete it",
                path.display()
            )));
        };
        match &header {
            None => header = Some(h),
            Some(first) if *first != h => {
                return Err(SweepError::Refused(format!(
                    "{}: its columns differ from run 0's; the runs come from different kubesim versions",
                    path.display()
                )))
            }
            Some(_) => {}
        }
        rows.push(row);
    }
    Ok(RunTable {
        header: header.unwrap_or_default(),
        rows,
    })
}

/// Writes runs.csv, aggregate.csv and (with constraints) answer.csv from the
/// run files of `dir`.
pub fn finalize(dir: &Path, index: &SweepIndex) -> Result<Finished, SweepError> {
    let table = read_runs(dir, index)?;
    write_atomic(&dir.join("runs.csv"), &runs_csv(index, &table)?)?;
    let agg = aggregate(index, &table);
    write_atomic(&dir.join("aggregate.csv"), &aggregate_csv(index, &agg)?)?;
    let answer = if index.constraints.is_empty() {
        None
    } else {
        let a = answer(index, &agg);
        write_atomic(&dir.join("answer.csv"), &answer_csv(index, &a)?)?;
        Some(a)
    };
    Ok(Finished {
        aggregate: agg,
        answer,
    })
}

/// Reads `dir/sweep.json`.
pub fn read_index(dir: &Path) -> Result<SweepIndex, SweepError> {
    let path = dir.join(INDEX_FILE);
    let text = fs::read_to_string(&path).map_err(|e| {
        SweepError::Refused(format!(
            "{}: {e} (is this a sweep's output directory?)",
            path.display()
        ))
    })?;
    SweepIndex::from_json(&text)
        .map_err(|e| SweepError::Refused(format!("{}: not a sweep index: {e}", path.display())))
}

#[cfg(test)]
mod tests;
