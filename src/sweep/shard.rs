//! Splitting a sweep across machines and joining the pieces.
//!
//! Shard `I/N` owns the runs whose index is `I` modulo `N`: a deterministic
//! slice that needs no coordination (a Kubernetes Indexed Job or a Slurm array
//! passes `I`), and that interleaves grid points so every shard gets a similar
//! mix of cheap and expensive runs. `merge` copies the run files of every
//! shard into one directory and builds the tables exactly as an unsharded
//! sweep does, from the same files in the same order, so the bytes match.

use super::run::{read_run_file, run_file};
use super::{finalize, read_index, Finished, SweepError, INDEX_FILE};
use crate::output::{at, claim, write_atomic, Claim, ResultsKind, RUNS_DIR};
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::str::FromStr;

pub use crate::limits::MAX_SHARDS;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    pub fn owns(&self, run: usize) -> bool {
        run as u64 % self.count == self.index
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("shard serializes") + "\n"
    }

    pub fn from_json(text: &str) -> Result<Shard, String> {
        serde_json::from_str(text).map_err(|e| format!("unreadable shard.json: {e}"))
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    /// `I/N` with 0 ≤ I < N.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            format!("invalid shard {s:?}: expected I/N with 0 <= I < N <= {MAX_SHARDS}, e.g. 0/4")
        };
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = i.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count || count > MAX_SHARDS {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

/// Joins shard directories into `out`: checks they hold the same sweep and
/// together every run, copies the run files and writes the tables.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<Finished, SweepError> {
    let Some(first) = dirs.first() else {
        return Err(SweepError::Refused(
            "merge needs at least one directory".into(),
        ));
    };
    let index = read_index(first)?;
    let index_text = index.to_json();
    for d in &dirs[1..] {
        let other = read_index(d)?;
        if other.sha256 != index.sha256 {
            return Err(SweepError::Refused(format!(
                "{} and {} hold different sweeps (their {INDEX_FILE} hashes differ)",
                first.display(),
                d.display()
            )));
        }
    }
    if claim(out, ResultsKind::Sweep)? == Claim::Ours && read_index(out)?.sha256 != index.sha256 {
        return Err(SweepError::Refused(format!(
            "{} holds a different sweep; choose another --out",
            out.display()
        )));
    }
    // Find every run's file before writing anything.
    let mut sources = Vec::with_capacity(index.n_runs());
    let mut missing = Vec::new();
    for i in 0..index.n_runs() {
        let found = dirs
            .iter()
            .map(|d| run_file(d, i))
            .find(|p| read_run_file(p).is_some());
        match found {
            Some(p) => sources.push(p),
            None => missing.push(i),
        }
    }
    if !missing.is_empty() {
        let shown: Vec<String> = missing.iter().take(10).map(|i| i.to_string()).collect();
        return Err(SweepError::Refused(format!(
            "{} of {} runs are in none of the directories (runs {}{}); is a shard missing or unfinished?",
            missing.len(),
            index.n_runs(),
            shown.join(", "),
            if missing.len() > 10 { ", …" } else { "" }
        )));
    }
    let runs_dir = out.join(RUNS_DIR);
    fs::create_dir_all(&runs_dir).map_err(at(&runs_dir))?;
    write_atomic(&out.join(INDEX_FILE), index_text.as_bytes())?;
    for (i, src) in sources.iter().enumerate() {
        let dst = run_file(out, i);
        if *src != dst {
            write_atomic(&dst, &fs::read(src).map_err(at(src))?)?;
        }
    }
    finalize(out, &index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_partition_the_runs() {
        let s: Shard = "1/3".parse().unwrap();
        assert_eq!(s, Shard { index: 1, count: 3 });
        let owned: Vec<usize> = (0..8).filter(|&r| s.owns(r)).collect();
        assert_eq!(owned, [1, 4, 7]);
        for bad in ["3/3", "1", "a/2", "0/0", "-1/2"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}
