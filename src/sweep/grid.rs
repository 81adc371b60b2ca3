//! Expanding a sweep into grid points and runs, and building each grid
//! point's scenario by editing the base scenario's YAML tree.
//!
//! Order is part of the output contract: variants first, then the axes in
//! file order with the last axis varying fastest; run `i` is replication
//! `i % replications` of point `i / replications`. Replication `r` uses the
//! seed `derive_seed(base_seed, r)` at every grid point (common random
//! numbers): runs that differ only in policy or size see the same arrivals
//! and run times, because the engine gives each concern its own stream.

use super::file::{Override, SweepFile};
use super::path;
use crate::engine::rng::derive_seed;
use crate::input::diagnostic::{Diagnostic, Pos};
use crate::input::yaml::{Node, Value};
use crate::scenario::decode::load_node;
use crate::scenario::Scenario;
use std::collections::BTreeSet;
use std::path::Path;

/// One combination of a variant and one value per axis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Point {
    pub variant: Option<usize>,
    /// Index into each axis's values.
    pub values: Vec<usize>,
}

/// One simulation of the sweep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunSpec {
    pub index: usize,
    pub point: usize,
    pub replication: u64,
    pub seed: u64,
}

/// The seed of replication `r`, the same at every grid point.
pub fn replication_seed(base_seed: u64, replication: u64) -> u64 {
    derive_seed(base_seed, replication)
}

/// Every grid point, in contract order.
pub fn points(sweep: &SweepFile) -> Vec<Point> {
    let variants: Vec<Option<usize>> = if sweep.variants.is_empty() {
        vec![None]
    } else {
        (0..sweep.variants.len()).map(Some).collect()
    };
    let mut out = Vec::new();
    for v in variants {
        let mut combo = vec![0usize; sweep.axes.len()];
        loop {
            out.push(Point {
                variant: v,
                values: combo.clone(),
            });
            // Odometer increment, last axis fastest.
            let mut k = sweep.axes.len();
            loop {
                if k == 0 {
                    break;
                }
                k -= 1;
                combo[k] += 1;
                if combo[k] < sweep.axes[k].values.len() {
                    break;
                }
                combo[k] = 0;
                if k == 0 {
                    k = usize::MAX;
                    break;
                }
            }
            if k == usize::MAX || sweep.axes.is_empty() {
                break;
            }
        }
    }
    out
}

/// Every run of `n_points` points × `replications`, in index order.
pub fn runs(n_points: usize, replications: u64, base_seed: u64) -> Vec<RunSpec> {
    let reps = replications as usize;
    (0..n_points * reps)
        .map(|index| {
            let replication = (index % reps) as u64;
            RunSpec {
                index,
                point: index / reps,
                replication,
                seed: replication_seed(base_seed, replication),
            }
        })
        .collect()
}

/// A value as a CSV cell: scalars as written, lists and mappings in YAML flow style.
pub fn label(node: &Node) -> String {
    match &node.value {
        Value::Null => "null".to_string(),
        Value::Seq(items) => format!(
            "[{}]",
            items.iter().map(label).collect::<Vec<_>>().join(", ")
        ),
        Value::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{}: {}", label(k), label(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => node.scalar_text().unwrap_or_default(),
    }
}

/// The grid columns of a point: the variant name (if there are variants) then
/// one label per axis.
pub fn point_labels(sweep: &SweepFile, point: &Point) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(v) = point.variant {
        out.push(sweep.variants[v].name.clone());
    }
    for (axis, &i) in sweep.axes.iter().zip(&point.values) {
        out.push(label(&axis.values[i]));
    }
    out
}

/// The overrides of a point, variant first so that an axis wins over a
/// variant that sets the same field.
fn overrides(sweep: &SweepFile, point: &Point) -> Vec<(Override, String)> {
    let mut out = Vec::new();
    if let Some(v) = point.variant {
        for o in &sweep.variants[v].overrides {
            out.push((o.clone(), format!("variants[{v}].set")));
        }
    }
    for (a, (axis, &i)) in sweep.axes.iter().zip(&point.values).enumerate() {
        out.push((
            Override {
                path: axis.path.clone(),
                key_pos: axis.path_pos,
                value: axis.values[i].clone(),
            },
            format!("axes[{a}].path"),
        ));
    }
    out
}

fn positions(node: &Node, into: &mut BTreeSet<Pos>) {
    into.insert(node.pos);
    match &node.value {
        Value::Seq(items) => items.iter().for_each(|n| positions(n, into)),
        Value::Map(entries) => entries.iter().for_each(|(k, v)| {
            positions(k, into);
            positions(v, into);
        }),
        _ => {}
    }
}

/// Where a point's scenario comes from.
pub struct Base<'a> {
    pub sweep_file: &'a str,
    pub scenario_file: &'a str,
    pub tree: &'a Node,
    pub dir: &'a Path,
    pub default_name: &'a str,
}

/// The scenario of one grid point. Problems caused by an override (a field
/// the scenario does not accept, a value it rejects) point at the sweep file;
/// others name the grid point they occur at.
pub fn scenario_for(
    sweep: &SweepFile,
    point: &Point,
    base: &Base,
) -> Result<Scenario, Vec<Diagnostic>> {
    let mut tree = base.tree.clone();
    let overrides = overrides(sweep, point);
    let mut errors = Vec::new();
    for (o, field) in &overrides {
        if let Err(message) = path::set(&mut tree, &o.path, &o.value, o.key_pos) {
            errors.push(Diagnostic::new(
                base.sweep_file,
                o.key_pos,
                field.clone(),
                message,
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    match load_node(base.scenario_file, &tree, base.dir, base.default_name) {
        Ok(loaded) => Ok(loaded.scenario),
        Err(diagnostics) => {
            let described = describe(sweep, point);
            Err(diagnostics
                .0
                .into_iter()
                .map(|mut d| {
                    let from_override = overrides.iter().any(|(o, _)| {
                        let mut set = BTreeSet::from([o.key_pos]);
                        positions(&o.value, &mut set);
                        let path = o.path.to_string();
                        // The decoder reports an unknown key at its parent's path.
                        set.contains(&d.pos)
                            && (d.field.starts_with(&path) || path.starts_with(&d.field))
                    });
                    if from_override {
                        d.file = base.sweep_file.to_string();
                    } else if !described.is_empty() {
                        d.message = format!("{} (at grid point {described})", d.message);
                    }
                    d
                })
                .collect())
        }
    }
}

/// `variant=a, nodePools[0].count=4`, for messages.
pub fn describe(sweep: &SweepFile, point: &Point) -> String {
    let mut parts = Vec::new();
    if let Some(v) = point.variant {
        parts.push(format!("variant={}", sweep.variants[v].name));
    }
    for (axis, &i) in sweep.axes.iter().zip(&point.values) {
        parts.push(format!("{}={}", axis.name, label(&axis.values[i])));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::file::decode;

    #[test]
    fn points_vary_the_last_axis_fastest_within_each_variant() {
        let s = decode(
            "s.yaml",
            "base: b.yaml\naxes:\n  - {path: a, values: [1, 2]}\n  - {path: b, values: [x, y, z]}\nvariants:\n  - {name: p, set: {c: 1}}\n  - {name: q, set: {c: 2}}\n",
            "s",
        )
        .unwrap();
        let pts = points(&s);
        assert_eq!(pts.len(), 12);
        let labels: Vec<String> = pts.iter().map(|p| point_labels(&s, p).join("/")).collect();
        assert_eq!(
            labels,
            [
                "p/1/x", "p/1/y", "p/1/z", "p/2/x", "p/2/y", "p/2/z", "q/1/x", "q/1/y", "q/1/z",
                "q/2/x", "q/2/y", "q/2/z"
            ]
        );
    }

    #[test]
    fn a_sweep_without_axes_has_one_point() {
        let s = decode("s.yaml", "base: b.yaml\n", "s").unwrap();
        assert_eq!(
            points(&s),
            vec![Point {
                variant: None,
                values: vec![]
            }]
        );
    }

    #[test]
    fn every_point_uses_the_same_seed_for_a_replication() {
        let r = runs(3, 2, 42);
        assert_eq!(r.len(), 6);
        assert_eq!(
            r[3],
            RunSpec {
                index: 3,
                point: 1,
                replication: 1,
                seed: derive_seed(42, 1)
            }
        );
        for spec in &r {
            assert_eq!(spec.seed, r[spec.replication as usize].seed);
        }
        assert_ne!(r[0].seed, r[1].seed);
    }

    #[test]
    fn labels_render_structures_in_flow_style() {
        let n = crate::input::yaml::parse_single("v", "{a: [1, x], b: null}").unwrap();
        assert_eq!(label(&n), "{a: [1, x], b: null}");
    }
}
