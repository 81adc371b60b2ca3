//! Charts of a sweep, from its aggregate.csv and sweep.json: each figure's
//! mean against a numeric axis with its 95% confidence band, one line per
//! combination of the other grid columns (e.g. per scoring strategy), and the
//! SLO as a dashed line where a constraint names the figure. With a figure as
//! the objective (`minimize: cost`), the trade-off too: the objective against
//! each constrained figure, with the Pareto frontier drawn.

use super::chart::{Chart, LineChart, ScatterChart, ScatterPoint, Series};
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
        let thresholds = slo_lines(index, &figure);
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
    out.extend(pareto_charts(dir, index, &agg)?);
    Ok(out)
}

/// The SLO lines of the constraints on `figure`.
fn slo_lines(index: &SweepIndex, figure: &str) -> Vec<(String, f64)> {
    index
        .constraints
        .iter()
        .filter(|c| c.metric == figure)
        .flat_map(|c| {
            c.max
                .map(|m| (format!("SLO: ≤ {m}"), m))
                .into_iter()
                .chain(c.min.map(|m| (format!("SLO: ≥ {m}"), m)))
        })
        .collect()
}

/// With a figure as the objective: for each constrained figure, the
/// objective's mean (x) against the figure's mean (y) at every grid point
/// with their 95% intervals, coloured by the first grid column, the Pareto
/// frontier from answer.csv's `pareto` column and the chosen point ringed.
/// File stems `sweep_pareto_<figure>`.
pub fn pareto_charts(
    dir: &Path,
    index: &SweepIndex,
    agg: &Table,
) -> io::Result<Vec<(String, Chart)>> {
    let Some(objective) = index.objective.as_ref().filter(|o| o.metric) else {
        return Ok(Vec::new());
    };
    let answer = Table::read(&dir.join("answer.csv"))?;
    let (a_point, a_metric) = (answer.column("point")?, answer.column("metric")?);
    let a_chosen = answer.column("chosen")?;
    // An answer.csv written before kubesim marked the frontier has none.
    let a_pareto = answer.column("pareto").unwrap_or_default();
    // (mean, interval) of a figure at a point, from aggregate.csv.
    let (points, figures) = (agg.column("point")?, agg.column("figure")?);
    let mean = agg.column_f64("mean")?;
    let (low, high) = (
        agg.column_opt_f64("ci95_low")?,
        agg.column_opt_f64("ci95_high")?,
    );
    let stat = |p: &str, figure: &str| {
        (0..points.len())
            .find(|&i| points[i] == p && figures[i] == figure)
            .map(|i| (mean[i], low[i].zip(high[i])))
    };
    let group_names: Vec<String> = {
        let mut v: Vec<String> = Vec::new();
        for pt in &index.points {
            if !v.contains(&pt[0]) {
                v.push(pt[0].clone());
            }
        }
        v
    };
    let grouped = index.columns.len() > 1 && group_names.len() <= super::chart::PALETTE.len();
    let mut out = Vec::new();
    for c in &index.constraints {
        let figure = &c.metric;
        if out
            .iter()
            .any(|(stem, _)| *stem == format!("sweep_pareto_{figure}"))
        {
            continue;
        }
        let mut groups: Vec<(String, Vec<ScatterPoint>)> = if grouped {
            group_names
                .iter()
                .map(|g| (format!("{}={g}", index.columns[0]), Vec::new()))
                .collect()
        } else {
            vec![("grid points".to_string(), Vec::new())]
        };
        let mut frontier = Vec::new();
        let mut highlight = None;
        for row in (0..a_point.len()).filter(|&i| a_metric[i] == figure) {
            let p = a_point[row];
            let (Some((x, x_ci)), Some((y, y_ci))) = (stat(p, &objective.column), stat(p, figure))
            else {
                continue;
            };
            if x.is_nan() || y.is_nan() {
                continue;
            }
            let Some(values) = p.parse::<usize>().ok().and_then(|k| index.points.get(k)) else {
                continue;
            };
            let g = if grouped {
                group_names
                    .iter()
                    .position(|n| *n == values[0])
                    .unwrap_or(0)
            } else {
                0
            };
            groups[g].1.push(ScatterPoint { x, y, x_ci, y_ci });
            if a_pareto.get(row) == Some(&"true") {
                frontier.push((x, y));
            }
            if a_chosen[row] == "true" {
                let words = index.describe_point(p.parse().unwrap_or(0));
                highlight = Some((format!("chosen: {words}"), (x, y)));
            }
        }
        frontier.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let (xd, yd) = (describe_figure(&objective.column), describe_figure(figure));
        out.push((
            format!("sweep_pareto_{figure}"),
            Chart::Scatter(ScatterChart {
                title: format!("{}: {xd} against {yd}", index.name),
                x_label: format!("{xd}, mean and 95% CI of {} runs", index.replications),
                y_label: format!("{yd}, mean and 95% CI"),
                groups,
                frontier: ("Pareto frontier".into(), frontier),
                thresholds: slo_lines(index, figure),
                highlight,
            }),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::file::{Constraint, Goal};
    use crate::sweep::index::IndexObjective;

    /// `minimize: cost` under a p99 SLO: one scatter of cost against p99,
    /// points grouped by the first grid column, the frontier through the
    /// points answer.csv marks, in cost order, and the chosen point ringed.
    #[test]
    fn a_cost_objective_draws_the_pareto_frontier() {
        let dir = std::env::temp_dir().join(format!("kubesim-pareto-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let index = SweepIndex {
            name: "s".into(),
            replications: 2,
            columns: vec!["expander".into(), "unneeded".into()],
            numeric: vec![false, false],
            paths: vec![
                "autoscaler.expander".into(),
                "autoscaler.scaleDownUnneededTime".into(),
            ],
            points: [["random", "2m"], ["random", "2h"], ["price", "2m"]]
                .iter()
                .map(|p| p.iter().map(|v| v.to_string()).collect())
                .collect(),
            constraints: vec![Constraint {
                metric: "pending_p99_s".into(),
                max: Some(180.0),
                min: None,
            }],
            objective: Some(IndexObjective {
                goal: Goal::Minimize,
                column: "cost".into(),
                metric: true,
            }),
            ..SweepIndex::default()
        };
        let row = |p: usize, f: &str, mean: f64| {
            format!(
                "{p},x,y,{f},2,{mean},0,{},{},t,0,0\n",
                mean - 1.0,
                mean + 1.0
            )
        };
        let mut agg =
            "point,expander,unneeded,figure,n,mean,sd,ci95_low,ci95_high,ci95_method,min,max\n"
                .to_string();
        for (p, cost, p99) in [(0, 5.0, 120.0), (1, 14.0, 95.0), (2, 4.5, 123.0)] {
            agg += &row(p, "cost", cost);
            agg += &row(p, "pending_p99_s", p99);
        }
        std::fs::write(dir.join("aggregate.csv"), agg).unwrap();
        std::fs::write(
            dir.join("answer.csv"),
            "point,expander,unneeded,metric,bound,mean,ci95_low,ci95_high,ci95_method,met,feasible,chosen,group_best,pareto\n\
             0,random,2m,pending_p99_s,<= 180,120,119,121,t,true,true,false,false,true\n\
             1,random,2h,pending_p99_s,<= 180,95,94,96,t,true,true,false,false,true\n\
             2,price,2m,pending_p99_s,<= 180,123,122,124,t,true,true,true,false,true\n",
        )
        .unwrap();
        let charts = pareto_charts(
            &dir,
            &index,
            &Table::read(&dir.join("aggregate.csv")).unwrap(),
        )
        .unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let [(stem, Chart::Scatter(c))] = &charts[..] else {
            panic!("one scatter expected");
        };
        assert_eq!(stem, "sweep_pareto_pending_p99_s");
        let names: Vec<&str> = c.groups.iter().map(|g| g.0.as_str()).collect();
        assert_eq!(names, ["expander=random", "expander=price"]);
        assert_eq!(c.groups[0].1[1].y_ci, Some((94.0, 96.0)));
        assert_eq!(c.frontier.1, [(4.5, 123.0), (5.0, 120.0), (14.0, 95.0)]);
        let (label, at) = c.highlight.as_ref().unwrap();
        assert_eq!(
            (label.as_str(), *at),
            ("chosen: expander = price, unneeded = 2m", (4.5, 123.0))
        );
        assert_eq!(c.thresholds, [("SLO: ≤ 180".to_string(), 180.0)]);
    }
}
