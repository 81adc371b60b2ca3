//! The sweep index, `sweep.json`: everything needed to aggregate, merge and
//! resume a sweep without reading the sweep file again — the grid (column
//! names and each point's values), replications, seeds, constraints and
//! objective — plus a SHA-256 of the sweep file, the base scenario and the
//! kubesim version. A directory whose index has another hash holds a different
//! sweep and is never resumed or merged into.
//!
//! It holds no wall-clock time and no option that does not change results
//! (thread count, shard), so an unsharded sweep and merged shards write the
//! same bytes.

use super::file::{Constraint, Goal};
use super::grid::replication_seed;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IndexObjective {
    pub goal: Goal,
    /// The grid column (axis name) to minimize or maximize, or with
    /// `metric` the summary figure whose mean is.
    pub column: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub metric: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SweepIndex {
    pub kubesim_version: String,
    pub name: String,
    /// The sweep file's opening comment.
    pub question: String,
    pub sweep_file: String,
    pub base_scenario: String,
    /// SHA-256 of the kubesim version, the sweep file and the base scenario.
    pub sha256: String,
    pub base_seed: u64,
    pub replications: u64,
    /// Grid columns: `variant` when there are variants, then one per axis.
    pub columns: Vec<String>,
    /// Whether each grid column holds numbers only.
    pub numeric: Vec<bool>,
    /// The axis paths, one per axis column (for the report).
    pub paths: Vec<String>,
    /// Each point's value per grid column.
    pub points: Vec<Vec<String>>,
    pub constraints: Vec<Constraint>,
    pub objective: Option<IndexObjective>,
    /// The command that reproduces the sweep.
    pub reproduce: String,
}

impl SweepIndex {
    /// Grid point `p` in words: `nodes = 8, strategy = MostAllocated`.
    pub fn describe_point(&self, p: usize) -> String {
        self.columns
            .iter()
            .zip(&self.points[p])
            .map(|(c, v)| format!("{c} = {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn n_runs(&self) -> usize {
        self.points.len() * self.replications as usize
    }

    /// The (point, replication) of run `i`.
    pub fn locate(&self, run: usize) -> (usize, u64) {
        let reps = self.replications.max(1) as usize;
        (run / reps, (run % reps) as u64)
    }

    pub fn seed_of(&self, replication: u64) -> u64 {
        replication_seed(self.base_seed, replication)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("sweep index serializes") + "\n"
    }

    pub fn from_json(text: &str) -> Result<SweepIndex, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }
}
