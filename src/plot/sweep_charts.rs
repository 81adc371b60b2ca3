//! Charts of a sweep, from its aggregate.csv and sweep.json: each figure's
//! mean against a numeric axis with its 95% confidence band, one line per
//! combination of the other grid columns (e.g. per scoring strategy), and the
//! SLO as a dashed line where a constraint names the figure.

use super::chart::{Chart, LineChart, Series};
use super::csv_table::Table;
use crate::sweep::index::SweepIndex;
use std::io;
use std::path::Path;

/// `pending_p99_s` → "pending p99 (s)", `cpu_allocated_mean_ratio` →
/// "cpu allocated mean (fraction of allocatable)".
pub fn describe_figure(figure: &str) -> String {
    if let Some(base) = figure.strip_suffix("_ratio") {
        format!("{} (fraction of allocatable)", base.replace('_', " "))
    } else if let Some(base) = figure.strip_suffix("_s") {
        format!("{} (s)", base.replace('_', " "))
    } else {
        figure.replace('_', " ")
    }
}

/// The grid column drawn on the x axis: the objective's axis if numeric, else
/// the first numeric one.
pub fn x_column(index: &SweepIndex) -> Option<usize> {
    let numeric = |j: &usize| index.numeric.get(*j).copied().unwrap_or(false);
    index
        .objective
        .as_ref()
        .filter(|o| !o.metric)
        .and_then(|o| index.columns.iter().position(|c| *c == o.column))
        .filter(numeric)
        .or_else(|| (0..index.columns.len()).find(numeric))
}

/// One chart per figure whose mean varies across the grid, with file stems
/// `sweep_<figure>`.
pub fn charts(dir: &Path, index: &SweepIndex) -> io::Result<Vec<(String, Chart)>> {
    let agg = Table::read(&dir.join("aggregate.csv"))?;
    let points = agg.column("point")?;
    let figures = agg.column("figure")?;
    let mean = agg.column_f64("mean")?;
    let low = agg.column_opt_f64("ci95_low")?;
    let high = agg.column_opt_f64("ci95_high")?;
    let x_col = x_column(index);
    let x_name = x_col.map_or("grid point".to_string(), |j| index.columns[j].clone());
    // Axis columns follow the variant column, if any.
    let offset = index.columns.len() - index.paths.len();
    let x_path = x_col
        .and_then(|j| j.checked_sub(offset))
        .and_then(|a| index.paths.get(a))
        .filter(|p| **p != x_name);
    let x_label = match x_path {
        Some(p) => format!("{x_name} ({p})"),
        None => x_name.clone(),
    };
    let group_of = |p: usize| -> String {
        index.points[p]
            .iter()
            .enumerate()
            .filter(|(j, _)| Some(*j) != x_col)
            .map(|(j, v)| format!("{}={v}", index.columns[j]))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let x_of = |p: usize| -> f64 {
        x_col.map_or(p as f64, |j| index.points[p][j].parse().unwrap_or(f64::NAN))
    };
    let mut names: Vec<String> = Vec::new();
    for f in &figures {
        if !names.iter().any(|n| n == f) {
            names.push(f.to_string());
        }
    }
    let mut out = Vec::new();
    for figure in names {
        let rows: Vec<usize> = (0..figures.len())
            .filter(|&i| figures[i] == figure)
            .collect();
        let first = rows.first().map_or(f64::NAN, |&i| mean[i]);
        if rows.iter().all(|&i| mean[i] == first || mean[i].is_nan()) {
            continue; // a constant figure says nothing about the grid
        }
        let mut series: Vec<Series> = Vec::new();
        for &i in &rows {
            let Ok(p) = points[i].parse::<usize>() else {
                continue;
            };
            if p >= index.points.len() || mean[i].is_nan() {
                continue;
            }
            let g = group_of(p);
            let pos = match series.iter().position(|s| s.name == g) {
                Some(k) => k,
                None => {
                    series.push(Series {
                        name: g,
                        ..Series::default()
                    });
                    series.len() - 1
                }
            };
            let x = x_of(p);
            series[pos].points.push((x, mean[i]));
            if let (Some(lo), Some(hi)) = (low[i], high[i]) {
                series[pos].band.push((x, lo, hi));
            }
        }
        for s in &mut series {
            s.points.sort_by(|a, b| a.0.total_cmp(&b.0));
            s.band.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
        let thresholds = index
            .constraints
            .iter()
            .filter(|c| c.metric == figure)
            .flat_map(|c| {
                c.max
                    .map(|m| (format!("SLO: ≤ {m}"), m))
                    .into_iter()
                    .chain(c.min.map(|m| (format!("SLO: ≥ {m}"), m)))
            })
            .collect();
        out.push((
            format!("sweep_{figure}"),
            Chart::Line(LineChart {
                title: format!("{}: {} by {x_name}", index.name, describe_figure(&figure)),
                x_label: x_label.clone(),
                y_label: format!(
                    "{}, mean and 95% CI of {} runs",
                    describe_figure(&figure),
                    index.replications
                ),
                series,
                thresholds,
                markers: true,
                // Every summary figure is a count, a duration or a ratio.
                y_from_zero: true,
            }),
        ));
    }
    Ok(out)
}
