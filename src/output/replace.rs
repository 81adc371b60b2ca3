//! The one rule every command follows before it writes into a directory the
//! user named, and the atomic replacement of a run's results.
//!
//! kubesim deletes only what it wrote. A directory may be written into (a
//! sweep resumed, charts redrawn) or replaced (a run's results) only when it
//! is absent, empty, or recognisably kubesim's own: it holds kubesim's marker
//! file (`manifest.json` naming a kubesim version for a run, `sweep.json` for
//! a sweep) and nothing that kubesim does not write. Anything else is refused
//! before any work starts, with the entry that made it foreign.
//!
//! Replacing is three renames, so that at every instant either the old or the
//! new results are complete under the directory's name (or both exist side by
//! side): fill `.NAME.tmp-PID`, rename the old directory to `.NAME.old-PID`,
//! rename the new one into place, then delete the old one. A run killed in
//! between leaves a leftover that the next run of the same directory repairs:
//! an old directory whose new one never arrived is renamed back, anything else
//! left by a dead process is removed.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

/// Which command's results a directory holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultsKind {
    /// `kubesim run` (also a GPU fill-up or replay): `manifest.json`.
    Run,
    /// `kubesim sweep` or `merge`: `sweep.json`.
    Sweep,
}

/// The files a run writes into its directory, besides `charts/`.
pub(super) const RUN_FILES: &[&str] = &[
    "manifest.json",
    "pods.csv",
    "events.csv",
    "nodes.csv",
    "timeseries.csv",
    "summary.csv",
    "workloads.csv",
    "workload_summary.csv",
    "faults.csv",
    "autoscalers.csv",
    "autoscaler.csv",
    "service_load.csv",
    "service_load_summary.csv",
    "decisions.csv",
    "decisions_summary.csv",
    // A GPU fill-up's tables.
    "runs.csv",
    "comparison.csv",
    "failed_pods.csv",
    "curves.csv",
    "curves_mean.csv",
    // `kubesim report`.
    "report.html",
];

/// The files a sweep writes into its directory, besides `runs/` and `charts/`.
const SWEEP_FILES: &[&str] = &[
    "sweep.json",
    "shard.json",
    "runs.csv",
    "aggregate.csv",
    "answer.csv",
    "report.html",
];

/// Where charts go inside a results directory (`kubesim plot`).
pub const CHARTS_DIR: &str = "charts";

/// Where a sweep keeps one file per run.
pub const RUNS_DIR: &str = "runs";

/// What a directory the user named holds, when kubesim may write into it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    Absent,
    Empty,
    /// kubesim's own results of this kind.
    Ours,
}

/// Why kubesim will not write into a directory.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("{0}")]
    Foreign(String),
    #[error("{}: {err}", path.display())]
    Io { path: PathBuf, err: io::Error },
}

impl From<Refusal> for io::Error {
    fn from(r: Refusal) -> io::Error {
        match r {
            Refusal::Foreign(m) => io::Error::new(io::ErrorKind::AlreadyExists, m),
            Refusal::Io { path, err } => {
                io::Error::new(err.kind(), format!("{}: {err}", path.display()))
            }
        }
    }
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> Refusal + '_ {
    move |err| Refusal::Io {
        path: path.to_path_buf(),
        err,
    }
}

/// Decides whether kubesim may write `kind` results into `dir`: absent, empty
/// or already kubesim's results of that kind with nothing foreign in them.
pub fn claim(dir: &Path, kind: ResultsKind) -> Result<Claim, Refusal> {
    let meta = match fs::metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Claim::Absent),
        Err(e) => return Err(io_at(dir)(e)),
    };
    let refuse = |why: String| {
        Refusal::Foreign(format!(
            "{} {why}; kubesim writes only into a new or empty directory or one holding its own \
             results, so that it never deletes a file it did not write: choose another directory",
            dir.display()
        ))
    };
    if !meta.is_dir() {
        return Err(refuse("exists and is not a directory".into()));
    }
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).map_err(io_at(dir))? {
        let entry = entry.map_err(io_at(dir))?;
        let file_type = entry.file_type().map_err(io_at(dir))?;
        names.push((entry.file_name(), file_type));
    }
    if names.is_empty() {
        return Ok(Claim::Empty);
    }
    let (marker, files) = match kind {
        ResultsKind::Run => ("manifest.json", RUN_FILES),
        ResultsKind::Sweep => ("sweep.json", SWEEP_FILES),
    };
    if !is_marker(&dir.join(marker), kind) {
        return Err(refuse(format!(
            "is not empty and is not kubesim's {} results (it has no {marker} written by kubesim)",
            match kind {
                ResultsKind::Run => "run",
                ResultsKind::Sweep => "sweep",
            }
        )));
    }
    for (name, file_type) in names {
        let text = name.to_string_lossy();
        let ours = if file_type.is_dir() {
            match text.as_ref() {
                CHARTS_DIR => only_files(&dir.join(CHARTS_DIR), |n| {
                    n.ends_with(".png") || n.ends_with(".svg")
                })?,
                RUNS_DIR if kind == ResultsKind::Sweep => only_files(&dir.join(RUNS_DIR), |n| {
                    n.strip_suffix(".csv")
                        .is_some_and(|i| !i.is_empty() && i.bytes().all(|b| b.is_ascii_digit()))
                })?,
                _ => false,
            }
        } else {
            file_type.is_file() && (files.contains(&text.as_ref()) || is_temporary(&text))
        };
        if !ours {
            return Err(refuse(format!(
                "holds {text:?}, which kubesim did not write"
            )));
        }
    }
    Ok(Claim::Ours)
}

/// Whether a directory holds only regular files whose names pass `named`
/// (or are kubesim's temporary files).
fn only_files(dir: &Path, named: impl Fn(&str) -> bool) -> Result<bool, Refusal> {
    for entry in fs::read_dir(dir).map_err(io_at(dir))? {
        let entry = entry.map_err(io_at(dir))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let is_file = entry.file_type().map_err(io_at(dir))?.is_file();
        if !is_file || !(named(&name) || is_temporary(&name)) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// kubesim's temporary files: `.NAME.tmp-PID…`, written then renamed.
pub fn is_temporary(name: &str) -> bool {
    name.starts_with('.') && name.contains(".tmp-")
}

/// A marker kubesim wrote: a run's manifest names the kubesim version; a
/// sweep index is JSON with the sweep's hash.
fn is_marker(path: &Path, kind: ResultsKind) -> bool {
    let Ok(text) = fs::read_to_string(path) else {
        return false;
    };
    let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else {
        return false;
    };
    match kind {
        ResultsKind::Run => value.get("kubesim_version").is_some_and(|v| v.is_string()),
        ResultsKind::Sweep => value.get("sha256").is_some_and(|v| v.is_string()),
    }
}

/// The name kubesim gives what it is still writing (`what` = `tmp`) or about
/// to delete (`old`): hidden, beside the target `name`, tagged with this
/// process so that a later run can tell a dead run's leftovers.
pub fn scratch_name(name: &str, what: &str) -> String {
    format!(".{name}.{what}-{}", std::process::id())
}

/// Names `path` in an I/O error, so that a message never reads only
/// "Permission denied": `map_err(at(&path))`.
pub fn at(path: &Path) -> impl FnOnce(io::Error) -> io::Error + '_ {
    move |e| io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// Writes `bytes` to `path` through a temporary file in the same directory
/// and a rename, so a reader never sees a half-written file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path
        .file_name()
        .map_or("file".into(), |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(scratch_name(&name, "tmp"));
    let result = fs::write(&tmp, bytes).and_then(|()| fs::rename(&tmp, path));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(at(path))
}

/// The kind of kubesim results `dir` holds, if it holds any.
pub fn results_kind(dir: &Path) -> Option<ResultsKind> {
    [ResultsKind::Sweep, ResultsKind::Run]
        .into_iter()
        .find(|&k| matches!(claim(dir, k), Ok(Claim::Ours)))
}

/// The last component of a directory to be replaced: a plain name (not `.`,
/// `..` or `/`), since the directory is renamed as a whole.
fn final_name(out_dir: &Path) -> Result<String, Refusal> {
    match out_dir.components().next_back() {
        Some(Component::Normal(name)) => Ok(name.to_string_lossy().into_owned()),
        _ => Err(Refusal::Foreign(format!(
            "{} does not end in a directory name that kubesim can create and replace (such as \
             results/my-run)",
            out_dir.display()
        ))),
    }
}

/// Fills a fresh temporary directory beside `out_dir` with `fill`, then swaps
/// it in for `out_dir` by renames, so an interrupted or failed write never
/// leaves half-written results and never loses the old ones. `out_dir` must be
/// absent, empty or kubesim's own run results (checked before `fill` runs and
/// again before the swap). On failure the temporary directory is removed and
/// `out_dir` is left as it was.
pub fn replace_dir(out_dir: &Path, fill: impl FnOnce(&Path) -> io::Result<()>) -> io::Result<()> {
    let name = final_name(out_dir)?;
    let parent = out_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    repair_leftovers(parent, &name);
    claim(out_dir, ResultsKind::Run)?;
    fs::create_dir_all(parent).map_err(io_at(parent))?;
    let tmp = parent.join(scratch_name(&name, "tmp"));
    if tmp.exists() {
        // Left by an earlier process that had this process id.
        fs::remove_dir_all(&tmp).map_err(io_at(&tmp))?;
    }
    fs::create_dir(&tmp).map_err(io_at(&tmp))?;
    // Removes the temporary directory unless it was renamed into place,
    // also when `fill` panics (a streamed run fills it while it runs).
    struct Cleanup<'a>(&'a Path, bool);
    impl Drop for Cleanup<'_> {
        fn drop(&mut self) {
            if !self.1 {
                let _ = fs::remove_dir_all(self.0);
            }
        }
    }
    let mut cleanup = Cleanup(&tmp, false);
    fill(&tmp)?;
    // The directory may have changed while the run went on.
    let old = match claim(out_dir, ResultsKind::Run)? {
        Claim::Absent => None,
        Claim::Empty | Claim::Ours => {
            let old = parent.join(scratch_name(&name, "old"));
            fs::rename(out_dir, &old).map_err(io_at(out_dir))?;
            Some(old)
        }
    };
    if let Err(e) = fs::rename(&tmp, out_dir) {
        if let Some(old) = &old {
            let _ = fs::rename(old, out_dir);
        }
        return Err(io_at(out_dir)(e).into());
    }
    cleanup.1 = true;
    if let Some(old) = old {
        fs::remove_dir_all(&old).map_err(io_at(&old))?;
    }
    Ok(())
}

/// Repairs what runs of the same results directory left when they were
/// killed: an old directory moved aside whose replacement never arrived is
/// moved back; other old directories and temporary directories of dead
/// processes are removed. Where processes cannot be looked up (no `/proc`),
/// nothing is touched.
fn repair_leftovers(parent: &Path, name: &str) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let out_dir = parent.join(name);
    let (tmp_prefix, old_prefix) = (format!(".{name}.tmp-"), format!(".{name}.old-"));
    let dead = |pid: &str| pid.parse::<u32>().is_ok() && !proc.join(pid).exists();
    let mut leftovers: Vec<_> = entries.flatten().map(|e| e.file_name()).collect();
    leftovers.sort();
    for file_name in leftovers {
        let Some(file_name) = file_name.to_str() else {
            continue;
        };
        let path = parent.join(file_name);
        if let Some(pid) = file_name.strip_prefix(&old_prefix) {
            if dead(pid) {
                if out_dir.exists() {
                    let _ = fs::remove_dir_all(&path);
                } else {
                    let _ = fs::rename(&path, &out_dir);
                }
            }
        } else if let Some(pid) = file_name.strip_prefix(&tmp_prefix) {
            if dead(pid) {
                let _ = fs::remove_dir_all(&path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh scratch directory for one test, removed when it passes.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(test: &str) -> Scratch {
            let dir = std::env::temp_dir().join(format!("kubesim-{test}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            if !std::thread::panicking() {
                let _ = fs::remove_dir_all(&self.0);
            }
        }
    }

    fn manifest() -> &'static str {
        "{\"kubesim_version\": \"0.1.0\"}\n"
    }

    fn run_results(dir: &Path, files: &[&str]) {
        fs::create_dir_all(dir).unwrap();
        fs::write(dir.join("manifest.json"), manifest()).unwrap();
        for f in files {
            fs::write(dir.join(f), "old").unwrap();
        }
    }

    #[test]
    fn a_directory_with_a_foreign_file_is_refused_and_left_alone() {
        let s = Scratch::new("foreign");
        let out = s.0.join("d");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("notes.txt"), "x").unwrap();
        let ran = std::cell::Cell::new(false);
        let err = replace_dir(&out, |_| {
            ran.set(true);
            Ok(())
        })
        .unwrap_err();
        assert!(!ran.get(), "refused before any work");
        assert!(
            err.to_string()
                .contains("no manifest.json written by kubesim"),
            "{err}"
        );
        assert_eq!(fs::read(out.join("notes.txt")).unwrap(), b"x");
        // kubesim's results with one foreign file among them: refused too.
        run_results(&out, &["pods.csv"]);
        let err = replace_dir(&out, |_| Ok(())).unwrap_err();
        assert!(err.to_string().contains("\"notes.txt\""), "{err}");
        assert_eq!(fs::read(out.join("notes.txt")).unwrap(), b"x");
        // A foreign file among the charts.
        fs::remove_file(out.join("notes.txt")).unwrap();
        fs::create_dir_all(out.join("charts")).unwrap();
        fs::write(out.join("charts/holiday.jpg"), "x").unwrap();
        assert!(replace_dir(&out, |_| Ok(())).is_err());
        assert!(out.join("charts/holiday.jpg").exists());
        // A manifest.json that kubesim did not write.
        let other = s.0.join("other");
        fs::create_dir_all(&other).unwrap();
        fs::write(other.join("manifest.json"), "{\"name\": \"app\"}").unwrap();
        assert!(replace_dir(&other, |_| Ok(())).is_err());
        assert!(other.join("manifest.json").exists());
    }

    #[test]
    fn own_results_empty_and_absent_directories_are_replaced() {
        let s = Scratch::new("own");
        let out = s.0.join("r");
        run_results(&out, &["pods.csv", "events.csv", "report.html"]);
        fs::create_dir_all(out.join("charts")).unwrap();
        fs::write(out.join("charts/pending.png"), "png").unwrap();
        replace_dir(&out, |tmp| fs::write(tmp.join("manifest.json"), manifest())).unwrap();
        let left: Vec<_> = fs::read_dir(&out).unwrap().flatten().collect();
        assert_eq!(left.len(), 1, "the old results are gone, the new in place");
        let empty = s.0.join("empty");
        fs::create_dir_all(&empty).unwrap();
        replace_dir(&empty, |tmp| fs::write(tmp.join("a"), "x")).unwrap();
        replace_dir(&s.0.join("absent/deeper"), |tmp| {
            fs::write(tmp.join("a"), "x")
        })
        .unwrap();
        assert!(s.0.join("absent/deeper/a").exists());
        // Nothing else is left beside them.
        let mut names: Vec<_> = fs::read_dir(&s.0)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["absent", "empty", "r"]);
    }

    #[test]
    fn the_current_directory_and_a_file_are_never_replaced() {
        let s = Scratch::new("dot");
        fs::write(s.0.join("scenario.yaml"), "x").unwrap();
        // (`DIR/.` is DIR itself, so it follows DIR's own rule.)
        for out in [
            PathBuf::from("."),
            PathBuf::from("/"),
            s.0.join(".."),
            s.0.join("sub/.."),
        ] {
            let err = replace_dir(&out, |_| Ok(())).unwrap_err();
            assert!(
                err.to_string().contains("does not end in a directory name"),
                "{err}"
            );
        }
        assert_eq!(fs::read(s.0.join("scenario.yaml")).unwrap(), b"x");
        let err = replace_dir(&s.0.join("scenario.yaml"), |_| Ok(())).unwrap_err();
        assert!(err.to_string().contains("is not a directory"), "{err}");
        assert_eq!(fs::read(s.0.join("scenario.yaml")).unwrap(), b"x");
    }

    #[test]
    fn a_run_killed_between_the_renames_is_repaired_by_the_next() {
        let s = Scratch::new("killed");
        let out = s.0.join("r");
        // Killed after moving the old results aside, before the new arrived:
        // the next run finds them complete under the directory's name again,
        // then replaces them.
        let dead_old = s.0.join(".r.old-4294967295");
        run_results(&dead_old, &["pods.csv", "nodes.csv"]);
        let dead_tmp = s.0.join(".r.tmp-4294967294");
        fs::create_dir_all(&dead_tmp).unwrap();
        fs::write(dead_tmp.join("events.csv"), "half").unwrap();
        repair_leftovers(&s.0, "r");
        assert!(out.join("nodes.csv").exists(), "the old results are back");
        assert!(!dead_old.exists() && !dead_tmp.exists());
        // Killed after the new results arrived, before the old were deleted.
        run_results(&dead_old, &["pods.csv"]);
        replace_dir(&out, |tmp| fs::write(tmp.join("manifest.json"), manifest())).unwrap();
        assert!(!dead_old.exists());
        assert!(!out.join("nodes.csv").exists() && out.join("manifest.json").exists());
    }

    #[test]
    fn a_failed_fill_leaves_the_old_results_untouched() {
        let s = Scratch::new("failed");
        let out = s.0.join("r");
        run_results(&out, &["pods.csv"]);
        let err = replace_dir(&out, |tmp| {
            fs::write(tmp.join("pods.csv"), "new")?;
            Err(io::Error::other("disk full"))
        });
        assert!(err.is_err());
        assert_eq!(fs::read(out.join("pods.csv")).unwrap(), b"old");
        assert_eq!(fs::read_dir(&s.0).unwrap().count(), 1, "no temporary left");
    }

    #[test]
    fn a_sweep_directory_is_recognised_by_its_index() {
        let s = Scratch::new("sweepdir");
        let d = s.0.join("sw");
        fs::create_dir_all(d.join("runs")).unwrap();
        fs::write(d.join("sweep.json"), "{\"sha256\": \"ab\"}").unwrap();
        fs::write(d.join("runs/0.csv"), "x").unwrap();
        fs::write(d.join("runs/.1.csv.tmp-5"), "x").unwrap();
        assert_eq!(claim(&d, ResultsKind::Sweep).unwrap(), Claim::Ours);
        assert_eq!(results_kind(&d), Some(ResultsKind::Sweep));
        assert!(claim(&d, ResultsKind::Run).is_err());
        fs::write(d.join("runs/keep.txt"), "x").unwrap();
        assert!(claim(&d, ResultsKind::Sweep).is_err());
        assert_eq!(results_kind(&d), None);
    }
}
