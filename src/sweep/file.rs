//! Decoding a sweep file: the base scenario, the axes, replications, variants,
//! constraints and objective. Every problem is collected and reported at once
//! with file:line:column and field path, as for scenarios (same `input::decode`
//! helpers, same "did you mean" hints for unknown fields).
//!
//! ```yaml
//! # What is the smallest cluster that keeps p99 pending time under 30 s?
//! name: capacity
//! base: capacity-base.yaml          # relative to this file
//! seed: 7                           # default: the base scenario's seed
//! replications: 10
//! axes:
//!   - path: nodePools[0].count
//!     range: {from: 4, to: 12, step: 2}
//!   - path: scheduler.profiles[0].pluginConfig[0].args.scoringStrategy.type
//!     name: strategy                # column name; default: the path
//!     values: [LeastAllocated, MostAllocated]
//! variants:                         # optional: named sets of overrides
//!   - name: busy
//!     set:
//!       arrivals[0].rate: 0.5       # flow style needs quotes around paths
//! constraints:
//!   - {metric: pending_p99_s, max: 30}
//! objective:
//!   minimize: nodePools[0].count    # an axis path or name
//! ```

use super::path::{parse_path, FieldPath};
use crate::input::decode::{did_you_mean, Ctx, MapReader};
use crate::input::diagnostic::{Diagnostics, Pos};
use crate::input::yaml::{parse_single, Node, Value};
use crate::metrics::summary::SUMMARY_COLUMNS;

pub use crate::limits::MAX_RUNS;

/// One dimension of the grid.
#[derive(Clone, Debug)]
pub struct Axis {
    /// Column name in the CSV files.
    pub name: String,
    pub path: FieldPath,
    pub path_pos: Pos,
    pub values: Vec<Node>,
}

impl Axis {
    /// Whether every value is a number (charts put numeric axes on the x axis).
    pub fn is_numeric(&self) -> bool {
        self.values
            .iter()
            .all(|v| matches!(v.value, Value::Int(_) | Value::Float(_)))
    }
}

/// One field set to one value.
#[derive(Clone, Debug)]
pub struct Override {
    pub path: FieldPath,
    pub key_pos: Pos,
    pub value: Node,
}

/// A named set of overrides, crossed with the axes like one more axis.
#[derive(Clone, Debug)]
pub struct Variant {
    pub name: String,
    pub overrides: Vec<Override>,
}

/// A service level the answer must meet, on the mean of a summary figure.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Constraint {
    pub metric: String,
    pub max: Option<f64>,
    pub min: Option<f64>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Goal {
    #[default]
    Minimize,
    Maximize,
}

/// Which feasible grid point is the answer: the one with the smallest (or
/// largest) value of an axis, or of a summary figure's mean over the
/// replications (`minimize: cost`: the cheapest point that meets the SLOs).
#[derive(Clone, Debug, PartialEq)]
pub struct Objective {
    pub goal: Goal,
    pub target: ObjectiveTarget,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ObjectiveTarget {
    /// Index into the axes.
    Axis(usize),
    /// A numeric summary.csv column.
    Metric(String),
}

/// A decoded sweep file (the base scenario is not read yet).
#[derive(Clone, Debug)]
pub struct SweepFile {
    pub name: String,
    /// The file's opening comment: the question the sweep answers.
    pub question: String,
    pub base: String,
    pub base_pos: Pos,
    pub seed: Option<u64>,
    pub replications: u64,
    pub axes: Vec<Axis>,
    pub variants: Vec<Variant>,
    pub constraints: Vec<Constraint>,
    pub objective: Option<Objective>,
}

impl SweepFile {
    /// Grid points: variants (or one unnamed) × the product of the axes.
    pub fn n_points(&self) -> u64 {
        let variants = self.variants.len().max(1) as u64;
        self.axes
            .iter()
            .fold(variants, |acc, a| acc.saturating_mul(a.values.len() as u64))
    }
}

/// The leading `#` lines of a file, without the markers.
pub fn opening_comment(text: &str) -> String {
    text.lines()
        .take_while(|l| l.trim_start().starts_with('#'))
        .map(|l| {
            let l = l.trim_start().trim_start_matches('#');
            l.strip_prefix(' ').unwrap_or(l)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Decodes a sweep file's text.
pub fn decode(file: &str, text: &str, default_name: &str) -> Result<SweepFile, Diagnostics> {
    let doc = parse_single(file, text)?;
    let mut sink = Vec::new();
    let mut ctx = Ctx::new(file, &mut sink);
    let decoded = decode_doc(&mut ctx, &doc, default_name, opening_comment(text));
    match decoded {
        Some(s) if sink.is_empty() => Ok(s),
        _ => Err(Diagnostics::new(sink)),
    }
}

fn decode_doc(
    ctx: &mut Ctx,
    doc: &Node,
    default_name: &str,
    question: String,
) -> Option<SweepFile> {
    let mut m = MapReader::new(ctx, doc)?;
    let name = crate::scenario::results_name::decode(ctx, m.opt("name"), default_name, doc.pos);
    let base_node = m.req(ctx, "base");
    let base = base_node.and_then(|n| ctx.field("base").str(n));
    let seed = m.opt("seed").and_then(|n| ctx.field("seed").u64(n));
    let replications_node = m.opt("replications");
    let replications = match replications_node {
        None => 1,
        Some(n) => {
            let mut c = ctx.field("replications");
            match c.u64(n) {
                Some(0) => {
                    c.error(n.pos, "expected at least 1 replication, found 0");
                    1
                }
                Some(r) => r,
                None => 1,
            }
        }
    };
    let axes = match m.opt("axes") {
        Some(n) => decode_axes(&mut ctx.field("axes"), n),
        None => Vec::new(),
    };
    let variants = match m.opt("variants") {
        Some(n) => decode_variants(&mut ctx.field("variants"), n),
        None => Vec::new(),
    };
    let constraints = match m.opt("constraints") {
        Some(n) => decode_constraints(&mut ctx.field("constraints"), n),
        None => Vec::new(),
    };
    let objective = m
        .opt("objective")
        .and_then(|n| decode_objective(&mut ctx.field("objective"), n, &axes));
    m.finish(ctx);
    let sweep = SweepFile {
        // An invalid name is an error already, so this file is rejected.
        name: name.unwrap_or_default(),
        question,
        base: base.unwrap_or_default(),
        base_pos: base_node.map_or(doc.pos, |n| n.pos),
        seed,
        replications,
        axes,
        variants,
        constraints,
        objective,
    };
    let runs = sweep.n_points().saturating_mul(sweep.replications);
    if runs > MAX_RUNS {
        ctx.error(
            replications_node.map_or(doc.pos, |n| n.pos),
            format!(
                "the sweep has {} grid point(s) × {} replication(s) = {runs} runs, more than the limit of {MAX_RUNS}; use fewer values or replications, or split it into several sweeps",
                sweep.n_points(),
                sweep.replications
            ),
        );
    }
    Some(sweep)
}

fn decode_path(ctx: &mut Ctx, node: &Node) -> Option<FieldPath> {
    let text = ctx.str(node)?;
    match parse_path(&text) {
        Ok(p) => Some(p),
        Err(e) => {
            ctx.error(node.pos, e);
            None
        }
    }
}

fn decode_axes(ctx: &mut Ctx, node: &Node) -> Vec<Axis> {
    let mut axes: Vec<Axis> = Vec::new();
    for (i, item) in ctx.seq(node).unwrap_or(&[]).iter().enumerate() {
        let mut c = ctx.index(i);
        let Some(mut m) = MapReader::new(&mut c, item) else {
            continue;
        };
        let path_node = m.req(&mut c, "path");
        let path = path_node.and_then(|n| decode_path(&mut c.field("path"), n));
        let name = m.opt("name").and_then(|n| c.field("name").str(n));
        let values_node = m.opt("values");
        let range_node = m.opt("range");
        let values = match (values_node, range_node) {
            (Some(v), None) => {
                let mut vc = c.field("values");
                let items = vc.seq(v).map(<[Node]>::to_vec);
                if items.as_ref().is_some_and(Vec::is_empty) {
                    vc.error(
                        v.pos,
                        "the axis has no values; expected a list of at least one value",
                    );
                }
                items
            }
            (None, Some(r)) => decode_range(&mut c.field("range"), r),
            (Some(_), Some(r)) => {
                c.error(r.pos, "give either `values` or `range`, not both");
                None
            }
            (None, None) => {
                c.error(
                    m.pos(),
                    "missing `values` (a list) or `range` ({from, to, step})",
                );
                None
            }
        };
        m.finish(&mut c);
        let (Some(path), Some(values)) = (path, values) else {
            continue;
        };
        let name = name.unwrap_or_else(|| path.to_string());
        if let Some(prev) = axes.iter().find(|a| a.name == name) {
            let pos = path_node.map_or(item.pos, |n| n.pos);
            c.error(
                pos,
                format!(
                    "a second axis named `{name}` (the first is at line {}); each axis needs its own path or name",
                    prev.path_pos.line
                ),
            );
            continue;
        }
        if values.is_empty() {
            continue;
        }
        axes.push(Axis {
            name,
            path,
            path_pos: path_node.map_or(item.pos, |n| n.pos),
            values,
        });
    }
    axes
}

/// Decimal places written in a number's text (`0.25` → 2), to round range
/// values so that `from: 0.1, step: 0.1` gives 0.3 and not 0.30000000000000004.
fn decimals(n: &Node) -> usize {
    n.scalar_text()
        .and_then(|t| t.split_once('.').map(|(_, f)| f.len()))
        .unwrap_or(0)
}

fn decode_range(ctx: &mut Ctx, node: &Node) -> Option<Vec<Node>> {
    let mut m = MapReader::new(ctx, node)?;
    let from = m.req(ctx, "from");
    let to = m.req(ctx, "to");
    let step = m.req(ctx, "step");
    m.finish(ctx);
    let (from, to, step) = (from?, to?, step?);
    let f = ctx.field("from").f64(from);
    let t = ctx.field("to").f64(to);
    let s = ctx.field("step").f64(step);
    let (f, t, s) = (f?, t?, s?);
    if s == 0.0 {
        ctx.field("step").error(
            step.pos,
            "the step is 0, so the range never ends; expected a non-zero step",
        );
        return None;
    }
    if (t - f) * s < 0.0 {
        ctx.field("step").error(
            step.pos,
            format!("a step of {s} never goes from {f} to {t}; expected a step with the sign of to − from"),
        );
        return None;
    }
    let count = ((t - f) / s + 1e-9).floor() + 1.0;
    if count > MAX_RUNS as f64 {
        ctx.error(
            node.pos,
            format!("the range has {count} values, more than the limit of {MAX_RUNS} runs"),
        );
        return None;
    }
    let all_int = [from, to, step]
        .iter()
        .all(|n| matches!(n.value, Value::Int(_)));
    let places = decimals(from).max(decimals(step)) as i32;
    let scale = 10f64.powi(places);
    Some(
        (0..count as u64)
            .map(|k| {
                let value = if all_int {
                    Value::Int((f + k as f64 * s) as i64)
                } else {
                    Value::Float(((f + k as f64 * s) * scale).round() / scale)
                };
                Node::new(value, node.pos)
            })
            .collect(),
    )
}

fn decode_variants(ctx: &mut Ctx, node: &Node) -> Vec<Variant> {
    let mut variants: Vec<Variant> = Vec::new();
    for (i, item) in ctx.seq(node).unwrap_or(&[]).iter().enumerate() {
        let mut c = ctx.index(i);
        let Some(mut m) = MapReader::new(&mut c, item) else {
            continue;
        };
        let name_node = m.req(&mut c, "name");
        let name = name_node.and_then(|n| c.field("name").str(n));
        let mut overrides = Vec::new();
        if let Some(set) = m.req(&mut c, "set") {
            let mut sc = c.field("set");
            match &set.value {
                Value::Map(entries) => {
                    for (k, v) in entries {
                        if let Some(path) = decode_path(&mut sc, k) {
                            overrides.push(Override {
                                path,
                                key_pos: k.pos,
                                value: v.clone(),
                            });
                        }
                    }
                }
                _ => sc.expected(set, "a mapping of field paths to values"),
            }
        }
        m.finish(&mut c);
        let Some(name) = name else { continue };
        if variants.iter().any(|v| v.name == name) {
            let pos = name_node.map_or(item.pos, |n| n.pos);
            c.field("name").error(
                pos,
                format!("a second variant named `{name}`; names must be unique"),
            );
            continue;
        }
        variants.push(Variant { name, overrides });
    }
    variants
}

/// Summary columns a constraint may name (the numeric ones).
fn numeric_columns() -> Vec<&'static str> {
    SUMMARY_COLUMNS
        .iter()
        .copied()
        .filter(|c| *c != "stop_reason")
        .collect()
}

fn decode_constraints(ctx: &mut Ctx, node: &Node) -> Vec<Constraint> {
    let columns = numeric_columns();
    let mut out = Vec::new();
    for (i, item) in ctx.seq(node).unwrap_or(&[]).iter().enumerate() {
        let mut c = ctx.index(i);
        let Some(mut m) = MapReader::new(&mut c, item) else {
            continue;
        };
        let metric = m
            .req(&mut c, "metric")
            .and_then(|n| c.field("metric").one_of(n, &columns));
        let max = m.opt("max").and_then(|n| c.field("max").f64(n));
        let min = m.opt("min").and_then(|n| c.field("min").f64(n));
        if !m.has("max") && !m.has("min") {
            c.error(m.pos(), "a constraint needs `max`, `min` or both");
        }
        m.finish(&mut c);
        if let Some(metric) = metric {
            out.push(Constraint {
                metric: metric.to_string(),
                max,
                min,
            });
        }
    }
    out
}

fn decode_objective(ctx: &mut Ctx, node: &Node, axes: &[Axis]) -> Option<Objective> {
    let mut m = MapReader::new(ctx, node)?;
    let minimize = m.opt("minimize");
    let maximize = m.opt("maximize");
    m.finish(ctx);
    let (goal, target, key) = match (minimize, maximize) {
        (Some(n), None) => (Goal::Minimize, n, "minimize"),
        (None, Some(n)) => (Goal::Maximize, n, "maximize"),
        _ => {
            ctx.error(
                node.pos,
                "expected exactly one of `minimize` or `maximize` (an axis path or name, or a summary figure)",
            );
            return None;
        }
    };
    let mut c = ctx.field(key);
    let wanted = c.str(target)?;
    let found = axes
        .iter()
        .position(|a| a.name == wanted || a.path.to_string() == wanted);
    let objective = |target| Some(Objective { goal, target });
    match found {
        Some(axis) if axes[axis].is_numeric() => objective(ObjectiveTarget::Axis(axis)),
        None if numeric_columns().contains(&wanted.as_str()) => {
            objective(ObjectiveTarget::Metric(wanted))
        }
        Some(_) => {
            c.error(target.pos, format!("the axis `{wanted}` is not numeric, so it has no smallest value; expected a numeric axis"));
            None
        }
        None => {
            let names: Vec<String> = axes.iter().map(|a| a.name.clone()).collect();
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            let hint = did_you_mean(&wanted, &refs)
                .map(|m| format!(" (did you mean `{m}`?)"))
                .unwrap_or_default();
            let expected = if refs.is_empty() {
                "expected a summary.csv column such as cost (the sweep has no valid axis)"
                    .to_string()
            } else {
                format!(
                    "expected an axis ({}) or a summary.csv column such as cost",
                    refs.join(", ")
                )
            };
            c.error(
                target.pos,
                format!("`{wanted}` is not an axis or a summary figure{hint}; {expected}"),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes `text` as s.yaml and returns its diagnostics, one per line.
    fn errors(text: &str) -> String {
        match decode("s.yaml", text, "s") {
            Ok(_) => String::new(),
            Err(d) => d.to_string(),
        }
    }

    fn check(text: &str, expected: &str) {
        assert_eq!(errors(text), expected);
    }

    #[test]
    fn a_valid_file_decodes_with_its_question() {
        let s = decode(
            "s.yaml",
            "# How many nodes?\n# Second line.\nbase: b.yaml\nreplications: 3\naxes:\n  - path: nodePools[0].count\n    range: {from: 2, to: 6, step: 2}\n  - path: x.y\n    name: strategy\n    values: [A, B]\nconstraints:\n  - {metric: pending_p99_s, max: 30}\nobjective:\n  minimize: nodePools[0].count\n",
            "s",
        )
        .unwrap();
        assert_eq!(s.question, "How many nodes?\nSecond line.");
        assert_eq!(s.name, "s");
        assert_eq!(s.n_points(), 6);
        assert_eq!(s.axes[1].name, "strategy");
        let values: Vec<String> = s.axes[0]
            .values
            .iter()
            .filter_map(Node::scalar_text)
            .collect();
        assert_eq!(values, ["2", "4", "6"]);
        assert_eq!(
            s.objective,
            Some(Objective {
                goal: Goal::Minimize,
                target: ObjectiveTarget::Axis(0)
            })
        );
        // A summary figure that is not an axis: its mean is the objective.
        let cost = decode(
            "s.yaml",
            "base: b.yaml\naxes:\n  - path: nodePools[0].count\n    values: [2, 4]\nobjective: {minimize: cost}\n",
            "s",
        )
        .unwrap();
        assert_eq!(
            cost.objective.unwrap().target,
            ObjectiveTarget::Metric("cost".into())
        );
    }

    #[test]
    fn float_ranges_are_rounded_to_the_written_decimals() {
        let s = decode(
            "s.yaml",
            "base: b.yaml\naxes:\n  - path: arrivals[0].rate\n    range: {from: 0.1, to: 0.5, step: 0.1}\n",
            "s",
        )
        .unwrap();
        let values: Vec<String> = s.axes[0]
            .values
            .iter()
            .filter_map(Node::scalar_text)
            .collect();
        assert_eq!(values, ["0.1", "0.2", "0.3", "0.4", "0.5"]);
    }

    #[test]
    fn an_empty_axis_is_an_error_at_its_values() {
        check(
            "base: b.yaml\naxes:\n  - path: nodePools[0].count\n    values: []\n",
            "s.yaml:4:13: axes[0].values: the axis has no values; expected a list of at least one value",
        );
    }

    #[test]
    fn a_zero_step_is_an_error_at_the_step() {
        check(
            "base: b.yaml\naxes:\n  - path: nodePools[0].count\n    range: {from: 1, to: 4, step: 0}\n",
            "s.yaml:4:35: axes[0].range.step: the step is 0, so the range never ends; expected a non-zero step",
        );
    }

    #[test]
    fn a_backward_step_is_an_error() {
        check(
            "base: b.yaml\naxes:\n  - path: a\n    range: {from: 4, to: 1, step: 1}\n",
            "s.yaml:4:35: axes[0].range.step: a step of 1 never goes from 4 to 1; expected a step with the sign of to − from",
        );
    }

    #[test]
    fn unknown_fields_get_a_hint() {
        check(
            "base: b.yaml\nreplication: 3\n",
            "s.yaml:2:1: unknown field `replication` (did you mean `replications`?); expected one of: name, base, seed, replications, axes, variants, constraints, objective",
        );
        check(
            "base: b.yaml\naxes:\n  - path: a\n    valeus: [1]\n",
            "s.yaml:3:5: axes[0]: missing `values` (a list) or `range` ({from, to, step})\ns.yaml:4:5: axes[0]: unknown field `valeus` (did you mean `values`?); expected one of: path, name, values, range",
        );
    }

    #[test]
    fn bad_paths_metrics_and_objectives_are_reported_at_their_values() {
        // Every numeric summary column is a valid metric.
        let metrics: Vec<&str> = crate::metrics::summary::SUMMARY_COLUMNS
            .iter()
            .copied()
            .filter(|c| *c != "stop_reason")
            .collect();
        check(
            "base: b.yaml\naxes:\n  - path: a..b\n    values: [1]\nconstraints:\n  - {metric: pending_p99, max: 3}\nobjective: {minimize: nodes}\n",
            &format!(
                "s.yaml:3:11: axes[0].path: invalid field path \"a..b\" at character 3: a field name is missing; expected a path such as nodePools[0].count\n\
                 s.yaml:6:14: constraints[0].metric: unknown value \"pending_p99\" (did you mean `pending_p99_s`?); expected one of: {}\n\
                 s.yaml:7:23: objective.minimize: `nodes` is not an axis or a summary figure; expected a summary.csv column such as cost (the sweep has no valid axis)",
                metrics.join(", ")
            ),
        );
    }

    #[test]
    fn a_sweep_over_the_run_limit_is_an_error() {
        check(
            "base: b.yaml\nreplications: 1000\naxes:\n  - path: a\n    range: {from: 1, to: 101, step: 1}\n",
            "s.yaml:2:15: the sweep has 101 grid point(s) × 1000 replication(s) = 101000 runs, more than the limit of 100000; use fewer values or replications, or split it into several sweeps",
        );
    }

    #[test]
    fn base_is_required() {
        check(
            "replications: 2\n",
            "s.yaml:1:1: missing required field `base`",
        );
    }
}
