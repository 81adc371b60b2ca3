//! `--explain` that scales: per scheduling attempt of an explained pod, the
//! filter failures counted by plugin and reason, and the top-k nodes by total
//! score with every score plugin's normalized and weighted score — a few rows
//! per attempt whatever the cluster size. The full per-node rows of
//! decisions.csv are kept for the pods named with `--explain-pod`.
//!
//! Besides Filter and Score, both files say what else decided the attempt,
//! so that every decision can be audited: a score plugin that skipped
//! itself in PreScore (stage `prescore`, code `Skip`; upstream leaves it out
//! of Score for the cycle), scoring skipped because one node was feasible
//! (`schedule_one.go`: `if len(feasibleNodes) == 1` returns before
//! scoring), the nominated node taken without a Filter pass over the others
//! (`evaluateNominatedNode`), and PostFilter: DefaultPreemption's candidate
//! nodes with their victims and the one picked, with the criterion of
//! `pickOneNodeForPreemption` that decided it.

use crate::engine::SimTime;
use crate::model::Pod;

/// `framework.Success`.
pub const SUCCESS: &str = "Success";
/// `framework.Skip`: the plugin has nothing to do for the pod this cycle.
pub const SKIP: &str = "Skip";
use std::collections::BTreeMap;

/// Nodes shown per attempt unless `--explain-top` says otherwise.
pub const DEFAULT_EXPLAIN_TOP: usize = 3;

/// One row of `decisions.csv`: what a plugin said about a node for a pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionRow {
    pub time: SimTime,
    pub pod: String,
    pub node: String,
    /// `filter` or `score`.
    pub stage: &'static str,
    pub plugin: &'static str,
    /// The framework's status code (`framework.Code`): `Success`,
    /// `Unschedulable`, `UnschedulableAndUnresolvable` or `Skip`.
    pub code: &'static str,
    /// Filter: `Success`, `Skip` or the reason; score: `Success`; the
    /// other stages: what happened.
    pub status: String,
    pub score: Option<i64>,
    pub normalized_score: Option<i64>,
    pub weighted_score: Option<i64>,
}

/// Which pods `--explain` records decisions for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ExplainFilter {
    #[default]
    None,
    All,
    /// Pods whose name starts with this prefix.
    Prefix(String),
}

impl ExplainFilter {
    pub fn wants(&self, pod: &Pod) -> bool {
        match self {
            ExplainFilter::None => false,
            ExplainFilter::All => true,
            ExplainFilter::Prefix(p) => pod.metadata.name.starts_with(p.as_str()),
        }
    }
}

/// Which pods a run explains.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExplainOptions {
    /// Summary rows per attempt (`--explain`).
    pub pods: ExplainFilter,
    /// Every node's and plugin's row besides the summary (`--explain-pod`).
    pub every_node: ExplainFilter,
    /// Nodes per attempt in the summary (`--explain-top`).
    pub top: usize,
}

impl Default for ExplainOptions {
    fn default() -> Self {
        ExplainOptions {
            pods: ExplainFilter::None,
            every_node: ExplainFilter::None,
            top: DEFAULT_EXPLAIN_TOP,
        }
    }
}

/// Where the scheduler writes the rows of the pods it explains:
/// decisions.csv and decisions_summary.csv.
#[derive(Debug, Default)]
pub struct Explained {
    pub decisions: Vec<DecisionRow>,
    pub summary: Vec<SummaryRow>,
}

/// One row of `decisions_summary.csv`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryRow {
    pub time: SimTime,
    pub pod: String,
    /// Which attempt of the pod (1 = first).
    pub attempt: u32,
    /// `filter`: a count of nodes; `score`: one plugin's score of a top node.
    pub stage: &'static str,
    /// Filter: the plugin that rejected the nodes, or empty for the feasible ones;
    /// score: the plugin, or `total`.
    pub plugin: &'static str,
    /// The framework's status code, as in [`DecisionRow::code`].
    pub code: &'static str,
    /// Filter: the reason as in FailedScheduling, or `feasible`.
    pub reason: String,
    /// Filter: how many nodes.
    pub nodes: Option<usize>,
    /// Score: 1 for the best node.
    pub rank: Option<usize>,
    pub node: String,
    /// Score: the plugin's raw Score of the node.
    pub score: Option<i64>,
    pub normalized_score: Option<i64>,
    pub weighted_score: Option<i64>,
}

impl SummaryRow {
    /// A row that says what happened, without counts or scores.
    #[allow(clippy::too_many_arguments)]
    pub fn note(
        time: SimTime,
        pod: &str,
        attempt: u32,
        stage: &'static str,
        plugin: &'static str,
        code: &'static str,
        reason: String,
        node: &str,
    ) -> Self {
        SummaryRow {
            time,
            pod: pod.to_string(),
            attempt,
            stage,
            plugin,
            code,
            reason,
            nodes: None,
            rank: None,
            node: node.to_string(),
            score: None,
            normalized_score: None,
            weighted_score: None,
        }
    }

    /// The same as a row of decisions.csv.
    pub fn as_decision(&self) -> DecisionRow {
        DecisionRow {
            time: self.time,
            pod: self.pod.clone(),
            node: self.node.clone(),
            stage: self.stage,
            plugin: self.plugin,
            code: self.code,
            status: self.reason.clone(),
            score: None,
            normalized_score: None,
            weighted_score: None,
        }
    }
}

/// Filter rows: the feasible count, then one row per (plugin, code,
/// reason), sorted.
pub fn filter_rows(
    time: SimTime,
    pod: &str,
    attempt: u32,
    feasible: usize,
    failures: impl Iterator<Item = (&'static str, &'static str, String)>,
) -> Vec<SummaryRow> {
    let mut histogram: BTreeMap<(&'static str, &'static str, String), usize> = BTreeMap::new();
    for key in failures {
        *histogram.entry(key).or_default() += 1;
    }
    let row = |plugin, code, reason: String, nodes| SummaryRow {
        nodes: Some(nodes),
        ..SummaryRow::note(time, pod, attempt, "filter", plugin, code, reason, "")
    };
    let mut rows = vec![row("", SUCCESS, "feasible".to_string(), feasible)];
    rows.extend(
        histogram
            .into_iter()
            .map(|((plugin, code, reason), n)| row(plugin, code, reason, n)),
    );
    rows
}

/// The indexes of the `k` best totals, best first; equal totals keep node order.
pub fn top_k(totals: &[i64], k: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..totals.len()).collect();
    idx.sort_by(|&a, &b| totals[b].cmp(&totals[a]).then(a.cmp(&b)));
    idx.truncate(k);
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_orders_by_total_then_node_order() {
        assert_eq!(top_k(&[5, 9, 9, 1], 3), vec![1, 2, 0]);
        assert_eq!(top_k(&[5], 3), vec![0]);
    }

    #[test]
    fn filter_rows_count_nodes_per_plugin_and_reason() {
        let (u, uu) = ("Unschedulable", "UnschedulableAndUnresolvable");
        let failures = [
            ("NodeResourcesFit", u, "Insufficient cpu".to_string()),
            (
                "TaintToleration",
                uu,
                "node(s) had untolerated taint {a: b}".to_string(),
            ),
            ("NodeResourcesFit", u, "Insufficient cpu".to_string()),
        ];
        let rows = filter_rows(SimTime::ZERO, "p", 1, 7, failures.into_iter());
        let got: Vec<(&str, &str, &str, Option<usize>)> = rows
            .iter()
            .map(|r| (r.plugin, r.code, r.reason.as_str(), r.nodes))
            .collect();
        assert_eq!(
            got,
            [
                ("", "Success", "feasible", Some(7)),
                ("NodeResourcesFit", u, "Insufficient cpu", Some(2)),
                (
                    "TaintToleration",
                    uu,
                    "node(s) had untolerated taint {a: b}",
                    Some(1)
                ),
            ]
        );
    }
}
