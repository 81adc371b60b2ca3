//! From run files to the sweep's tables: `runs.csv` (one row per run),
//! `aggregate.csv` (per grid point and figure: n, mean, standard deviation,
//! 95% confidence interval of the mean and how it was computed, min, max)
//! and `answer.csv` (each constraint at each point, and the chosen point).
//!
//! Everything here is a pure function of the sweep index and the run rows in
//! index order, so the bytes do not depend on thread count, sharding or
//! resumption. Sums run in index order.

use super::index::SweepIndex;
use super::interval::{range_of, seed_of, within_range, Method, Range};
use super::pareto::{frontier, Better};
use std::io;

/// Two-sided 95% critical values of Student's t for 1..=30 degrees of freedom.
const T95: [f64; 30] = [
    12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281, 2.2010,
    2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860, 2.0796, 2.0739, 2.0687,
    2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
];

/// The two-sided 95% critical value of Student's t with `df` degrees of
/// freedom: a table up to 30, then the Cornish–Fisher expansion around the
/// normal quantile (within 1e-4 of the exact value for df > 30).
pub fn t_critical_95(df: u64) -> f64 {
    match df {
        0 => f64::NAN,
        1..=30 => T95[df as usize - 1],
        _ => {
            let z: f64 = 1.959_963_984_540_054;
            let n = df as f64;
            z + (z.powi(3) + z) / (4.0 * n)
                + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * n * n)
        }
    }
}

/// Statistics of one figure over the replications of one grid point.
#[derive(Clone, Debug, PartialEq)]
pub struct Stats {
    pub n: usize,
    pub mean: f64,
    /// Sample standard deviation (n − 1); `None` with one value.
    pub sd: Option<f64>,
    /// 95% confidence interval of the mean (Student t, or the bootstrap
    /// where that crosses a bound of the figure: [`super::interval`]);
    /// `None` with one value.
    pub ci95: Option<(f64, f64)>,
    /// How `ci95` was computed (with it).
    pub ci95_method: Option<Method>,
    pub min: f64,
    pub max: f64,
}

/// Statistics of `values` (in index order) of a figure that takes values
/// in `range`; `seed` seeds its bootstrap, if it needs one. `None` when
/// there are no values.
pub fn stats(values: &[f64], range: Range, seed: u64) -> Option<Stats> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let (sd, ci95, ci95_method) = if n >= 2 {
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let sd = var.sqrt();
        let half = t_critical_95(n as u64 - 1) * sd / (n as f64).sqrt();
        let (ci, method) = within_range(values, (mean - half, mean + half), range, seed);
        (Some(sd), Some(ci), Some(method))
    } else {
        (None, None, None)
    };
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some(Stats {
        n,
        mean,
        sd,
        ci95,
        ci95_method,
        min,
        max,
    })
}

/// Summary rows of every run, in index order: the summary header and cells.
pub struct RunTable {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl RunTable {
    /// Columns whose every non-empty cell is a number (and at least one is
    /// non-empty); decided over all runs so every point has the same figures.
    pub fn numeric_columns(&self) -> Vec<usize> {
        (0..self.header.len())
            .filter(|&j| {
                let mut any = false;
                for row in &self.rows {
                    let cell = row.get(j).map_or("", String::as_str);
                    if cell.is_empty() {
                        continue;
                    }
                    if cell.parse::<f64>().is_err() {
                        return false;
                    }
                    any = true;
                }
                any
            })
            .collect()
    }
}

fn csv_err(e: csv::Error) -> io::Error {
    io::Error::other(e)
}

fn num(v: f64) -> String {
    crate::metrics::float::fixed(v, 6)
}

/// The `ci95_method` cell.
fn method(s: &Stats) -> String {
    s.ci95_method.map_or("", Method::as_str).to_string()
}

/// runs.csv: `run,point,<grid columns>,replication,seed,<summary columns>`.
pub fn runs_csv(index: &SweepIndex, table: &RunTable) -> io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = vec!["run".into(), "point".into()];
    header.extend(index.columns.iter().cloned());
    header.extend(["replication".to_string(), "seed".to_string()]);
    header.extend(table.header.iter().cloned());
    w.write_record(&header).map_err(csv_err)?;
    for (i, row) in table.rows.iter().enumerate() {
        let (point, replication) = index.locate(i);
        let mut rec: Vec<String> = vec![i.to_string(), point.to_string()];
        rec.extend(index.points[point].iter().cloned());
        rec.push(replication.to_string());
        rec.push(index.seed_of(replication).to_string());
        rec.extend(row.iter().cloned());
        w.write_record(&rec).map_err(csv_err)?;
    }
    w.into_inner().map_err(|e| io::Error::other(e.to_string()))
}

/// Per grid point, per numeric figure (in summary column order), its statistics.
pub struct Aggregate {
    pub figures: Vec<String>,
    /// `[point][figure]`.
    pub stats: Vec<Vec<Option<Stats>>>,
}

impl Aggregate {
    pub fn get(&self, point: usize, figure: &str) -> Option<&Stats> {
        let j = self.figures.iter().position(|f| f == figure)?;
        self.stats[point][j].as_ref()
    }
}

pub fn aggregate(index: &SweepIndex, table: &RunTable) -> Aggregate {
    let columns = table.numeric_columns();
    let reps = index.replications as usize;
    let stats = (0..index.points.len())
        .map(|p| {
            columns
                .iter()
                .map(|&j| {
                    let values: Vec<f64> = table.rows[p * reps..(p + 1) * reps]
                        .iter()
                        .filter_map(|row| row.get(j).and_then(|c| c.parse::<f64>().ok()))
                        .collect();
                    let figure = &table.header[j];
                    stats(&values, range_of(figure), seed_of(p, figure))
                })
                .collect()
        })
        .collect();
    Aggregate {
        figures: columns.iter().map(|&j| table.header[j].clone()).collect(),
        stats,
    }
}

/// aggregate.csv: `point,<grid columns>,figure,n,mean,sd,ci95_low,ci95_high,ci95_method,min,max`
/// (`ci95_method`: `t` or `bootstrap`, empty without an interval).
pub fn aggregate_csv(index: &SweepIndex, agg: &Aggregate) -> io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = vec!["point".into()];
    header.extend(index.columns.iter().cloned());
    header.extend(
        [
            "figure",
            "n",
            "mean",
            "sd",
            "ci95_low",
            "ci95_high",
            "ci95_method",
            "min",
            "max",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    w.write_record(&header).map_err(csv_err)?;
    for (p, per_figure) in agg.stats.iter().enumerate() {
        for (figure, s) in agg.figures.iter().zip(per_figure) {
            let mut rec: Vec<String> = vec![p.to_string()];
            rec.extend(index.points[p].iter().cloned());
            rec.push(figure.clone());
            match s {
                None => rec.extend(
                    ["0", "", "", "", "", "", "", ""]
                        .iter()
                        .map(|s| s.to_string()),
                ),
                Some(s) => {
                    rec.push(s.n.to_string());
                    rec.push(num(s.mean));
                    rec.push(s.sd.map(num).unwrap_or_default());
                    rec.push(s.ci95.map(|c| num(c.0)).unwrap_or_default());
                    rec.push(s.ci95.map(|c| num(c.1)).unwrap_or_default());
                    rec.push(method(s));
                    rec.push(num(s.min));
                    rec.push(num(s.max));
                }
            }
            w.write_record(&rec).map_err(csv_err)?;
        }
    }
    w.into_inner().map_err(|e| io::Error::other(e.to_string()))
}

/// One constraint checked at one point.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    pub metric: String,
    pub bound: String,
    pub stats: Option<Stats>,
    pub met: bool,
    /// With an objective: whether the point is on the Pareto frontier of the
    /// objective against this figure ([`super::pareto`]).
    pub pareto: Option<bool>,
}

/// The SLO answer: each point's checks, and the chosen point if any meets all.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    pub checks: Vec<Vec<Check>>,
    pub chosen: Option<usize>,
    /// With an objective and other grid columns: the best feasible point for
    /// each combination of the other columns (e.g. per scoring strategy), in
    /// order of first appearance. Empty otherwise.
    pub per_group: Vec<(Vec<String>, Option<usize>)>,
}

/// Checks every constraint at every point and picks the answer.
///
/// A constraint `max: M` holds when the upper end of the mean's 95%
/// confidence interval is at most M (`min: m`: the lower end at least m), so
/// a point is accepted only when the data show it meets the SLO with about
/// 97.5% one-sided confidence, not when the mean happens to fall under the
/// line. With one replication there is no interval and the mean itself is
/// compared. The answer is the feasible point with the smallest (or largest)
/// value of the objective's axis, or mean of its summary figure, the earliest
/// in grid order on ties; without an objective, the first feasible point in
/// grid order.
pub fn answer(index: &SweepIndex, agg: &Aggregate) -> Answer {
    let checks: Vec<Vec<Check>> = (0..index.points.len())
        .map(|p| {
            index
                .constraints
                .iter()
                .map(|c| {
                    let stats = agg.get(p, &c.metric).cloned();
                    let (low, high) = match &stats {
                        Some(s) => s.ci95.unwrap_or((s.mean, s.mean)),
                        None => (f64::NAN, f64::NAN),
                    };
                    let met = stats.is_some()
                        && c.max.is_none_or(|m| high <= m)
                        && c.min.is_none_or(|m| low >= m);
                    let bound = match (c.min, c.max) {
                        (Some(lo), Some(hi)) => format!("within [{lo}, {hi}]"),
                        (Some(lo), None) => format!(">= {lo}"),
                        (None, Some(hi)) => format!("<= {hi}"),
                        (None, None) => String::new(),
                    };
                    Check {
                        metric: c.metric.clone(),
                        bound,
                        stats,
                        met,
                        pareto: None,
                    }
                })
                .collect()
        })
        .collect();
    let feasible = |p: &usize| checks[*p].iter().all(|c| c.met);
    let column = index
        .objective
        .as_ref()
        .filter(|o| !o.metric)
        .and_then(|o| index.columns.iter().position(|c| *c == o.column));
    // The objective's value at a point: its axis value, or its figure's mean.
    let key = |p: usize| -> f64 {
        match &index.objective {
            Some(o) if o.metric => agg.get(p, &o.column).map_or(f64::NAN, |s| s.mean),
            _ => column
                .and_then(|j| index.points[p][j].parse::<f64>().ok())
                .unwrap_or(f64::NAN),
        }
    };
    let best_of = |candidates: &[usize]| -> Option<usize> {
        match &index.objective {
            None => candidates.iter().copied().find(feasible),
            Some(o) => {
                let mut best: Option<usize> = None;
                for p in candidates.iter().copied().filter(feasible) {
                    let better = match best {
                        None => true,
                        Some(b) => match o.goal {
                            super::file::Goal::Minimize => key(p) < key(b),
                            super::file::Goal::Maximize => key(p) > key(b),
                        },
                    };
                    if better {
                        best = Some(p);
                    }
                }
                best
            }
        }
    };
    let all: Vec<usize> = (0..index.points.len()).collect();
    let chosen = best_of(&all);
    let mut per_group: Vec<(Vec<String>, Option<usize>)> = Vec::new();
    if let Some(j) = column.filter(|_| index.columns.len() > 1) {
        let group_of = |p: usize| -> Vec<String> {
            let mut g = index.points[p].clone();
            g.remove(j);
            g
        };
        let mut groups: Vec<(Vec<String>, Vec<usize>)> = Vec::new();
        for p in 0..index.points.len() {
            let g = group_of(p);
            match groups.iter_mut().find(|(k, _)| *k == g) {
                Some((_, members)) => members.push(p),
                None => groups.push((g, vec![p])),
            }
        }
        per_group = groups
            .into_iter()
            .map(|(g, members)| (g, best_of(&members)))
            .collect();
    }
    let mut checks = checks;
    if let Some(o) = &index.objective {
        let x = match o.goal {
            super::file::Goal::Minimize => Better::Lower,
            super::file::Goal::Maximize => Better::Higher,
        };
        for (k, c) in index.constraints.iter().enumerate() {
            // A ceiling is a figure to keep low; a floor alone, one to keep high.
            let y = if c.max.is_some() {
                Better::Lower
            } else {
                Better::Higher
            };
            let pts: Vec<(f64, f64)> = (0..index.points.len())
                .map(|p| {
                    (
                        key(p),
                        checks[p][k].stats.as_ref().map_or(f64::NAN, |s| s.mean),
                    )
                })
                .collect();
            for (p, on) in frontier(&pts, x, y).into_iter().enumerate() {
                checks[p][k].pareto = Some(on);
            }
        }
    }
    Answer {
        checks,
        chosen,
        per_group,
    }
}

/// answer.csv: `point,<grid columns>,metric,bound,mean,ci95_low,ci95_high,ci95_method,met,feasible,chosen,group_best,pareto`
/// (`group_best`: the best feasible point of its group, see [`Answer::per_group`];
/// `pareto`: on the frontier of the objective against this metric, empty
/// without an objective).
pub fn answer_csv(index: &SweepIndex, answer: &Answer) -> io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = vec!["point".into()];
    header.extend(index.columns.iter().cloned());
    header.extend(
        [
            "metric",
            "bound",
            "mean",
            "ci95_low",
            "ci95_high",
            "ci95_method",
            "met",
            "feasible",
            "chosen",
            "group_best",
            "pareto",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    w.write_record(&header).map_err(csv_err)?;
    for (p, checks) in answer.checks.iter().enumerate() {
        let feasible = checks.iter().all(|c| c.met);
        for c in checks {
            let mut rec: Vec<String> = vec![p.to_string()];
            rec.extend(index.points[p].iter().cloned());
            rec.push(c.metric.clone());
            rec.push(c.bound.clone());
            let s = c.stats.as_ref();
            rec.push(s.map(|s| num(s.mean)).unwrap_or_default());
            rec.push(s.and_then(|s| s.ci95).map(|c| num(c.0)).unwrap_or_default());
            rec.push(s.and_then(|s| s.ci95).map(|c| num(c.1)).unwrap_or_default());
            rec.push(s.map(method).unwrap_or_default());
            rec.push(c.met.to_string());
            rec.push(feasible.to_string());
            rec.push((answer.chosen == Some(p)).to_string());
            let group_best = answer.per_group.iter().any(|(_, b)| *b == Some(p));
            rec.push(group_best.to_string());
            rec.push(c.pareto.map(|b| b.to_string()).unwrap_or_default());
            w.write_record(&rec).map_err(csv_err)?;
        }
    }
    w.into_inner().map_err(|e| io::Error::other(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::file::{Constraint, Goal};
    use crate::sweep::index::{IndexObjective, SweepIndex};

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn stats_match_hand_computed_numbers() {
        // Values 2, 4, 4, 4, 5, 5, 7, 9: mean 40/8 = 5; squared deviations
        // 9+1+1+1+0+0+4+16 = 32; sample variance 32/7; sd = 2.138090.
        // t(0.975, 7) = 2.3646; half width = 2.3646 · 2.138090 / √8 = 1.787470.
        let s = stats(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0], range_of("x"), 1).unwrap();
        assert_eq!(s.n, 8);
        assert!(close(s.mean, 5.0));
        assert!(close(s.sd.unwrap(), (32.0f64 / 7.0).sqrt()));
        let half = 2.3646 * (32.0f64 / 7.0).sqrt() / 8f64.sqrt();
        assert!((half - 1.787470).abs() < 1e-6);
        let (lo, hi) = s.ci95.unwrap();
        assert!(close(lo, 5.0 - half) && close(hi, 5.0 + half));
        assert_eq!(s.ci95_method, Some(Method::StudentT));
        assert_eq!((s.min, s.max), (2.0, 9.0));
    }

    #[test]
    fn one_value_has_no_spread() {
        let s = stats(&[3.5], range_of("x"), 1).unwrap();
        assert_eq!(
            (s.mean, s.sd, s.ci95, s.ci95_method),
            (3.5, None, None, None)
        );
        assert_eq!(stats(&[], range_of("x"), 1), None);
    }

    #[test]
    fn a_t_interval_below_zero_becomes_the_bootstrap_interval() {
        // A p99 pending time that is 0 in most replications and large in a
        // few: mean 1.75, sd 3.5, t(0.975, 3) = 3.1824, half width
        // 3.1824 · 3.5 / 2 = 5.569: [−3.819, 7.319], below zero.
        let v = [0.0, 0.0, 0.0, 7.0];
        let s = stats(&v, range_of("pending_p99_s"), seed_of(0, "pending_p99_s")).unwrap();
        assert!(close(s.sd.unwrap(), 3.5));
        assert_eq!(s.ci95_method, Some(Method::Bootstrap));
        // Resample means are multiples of 7/4: 0 with probability
        // 0.75^4 = 0.316, at most 3.5 (two 7s) with 0.949, at most 5.25
        // with 0.996: the interval is [0, 5.25].
        assert_eq!(s.ci95, Some((0.0, 5.25)));
        // The same values as a figure with no lower bound keep the t interval.
        let free = Range {
            low: None,
            high: None,
        };
        let t = stats(&v, free, 1).unwrap();
        assert_eq!(t.ci95_method, Some(Method::StudentT));
        let half = 3.1824 * 3.5 / 2.0;
        assert!(close(t.ci95.unwrap().0, 1.75 - half));
    }

    #[test]
    fn t_values_continue_smoothly_past_the_table() {
        // Exact: t(0.975, 40) = 2.0211, t(0.975, 120) = 1.9799.
        assert!((t_critical_95(40) - 2.0211).abs() < 2e-4);
        assert!((t_critical_95(120) - 1.9799).abs() < 2e-4);
        assert!(t_critical_95(31) < t_critical_95(30));
    }

    fn index(
        points: &[&[&str]],
        constraints: Vec<Constraint>,
        objective: Option<IndexObjective>,
    ) -> SweepIndex {
        SweepIndex {
            columns: vec!["nodes".into(), "policy".into()],
            points: points
                .iter()
                .map(|p| p.iter().map(|s| s.to_string()).collect())
                .collect(),
            replications: 2,
            constraints,
            objective,
            ..SweepIndex::default()
        }
    }

    fn table(values: &[(&str, &str)]) -> RunTable {
        RunTable {
            header: vec!["pending_p99_s".into(), "stop_reason".into()],
            rows: values
                .iter()
                .map(|(a, b)| vec![a.to_string(), b.to_string()])
                .collect(),
        }
    }

    #[test]
    fn the_answer_is_the_smallest_point_whose_upper_bound_meets_the_slo() {
        let idx = index(
            &[&["8", "A"], &["4", "A"], &["6", "A"], &["2", "A"]],
            vec![Constraint {
                metric: "pending_p99_s".into(),
                max: Some(30.0),
                min: None,
            }],
            Some(IndexObjective {
                goal: Goal::Minimize,
                column: "nodes".into(),
                metric: false,
            }),
        );
        // Point 0 (8 nodes): 1, 3 → meets. Point 1 (4 nodes): 20, 22 → mean 21,
        // sd √2, half width 12.7062·√2/√2 = 12.7062 → upper 33.7 > 30: fails,
        // although the mean is under 30. Point 2 (6 nodes): 10, 10 → meets.
        // Point 3 (2 nodes): 90, 95 → fails. Smallest feasible: 6 nodes.
        let t = table(&[
            ("1", "drained"),
            ("3", "drained"),
            ("20", "drained"),
            ("22", "drained"),
            ("10", "drained"),
            ("10", "drained"),
            ("90", "drained"),
            ("95", "drained"),
        ]);
        let agg = aggregate(&idx, &t);
        assert_eq!(agg.figures, ["pending_p99_s"]);
        let a = answer(&idx, &agg);
        let met: Vec<bool> = a.checks.iter().map(|c| c[0].met).collect();
        assert_eq!(met, [true, false, true, false]);
        assert_eq!(a.chosen, Some(2));
        assert_eq!(a.per_group, vec![(vec!["A".to_string()], Some(2))]);
        let csv = String::from_utf8(answer_csv(&idx, &a).unwrap()).unwrap();
        assert_eq!(
            csv.lines().nth(3).unwrap(),
            "2,6,A,pending_p99_s,<= 30,10.000000,10.000000,10.000000,t,true,true,true,true,true"
        );
        // Point 0's t interval (1, 3: 2 ± 12.7) crosses zero: the bootstrap's
        // resample means are 1, 2 or 3, so it is [1, 3], which meets the SLO.
        assert_eq!(
            csv.lines().nth(1).unwrap(),
            "0,8,A,pending_p99_s,<= 30,2.000000,1.000000,3.000000,bootstrap,true,true,false,false,true"
        );
    }

    /// Every point trades nodes for p99 except 8 nodes, which waits as long
    /// as 6 (the same runs): dearer for no gain, so off the frontier, while
    /// the 2-node point that misses the SLO is on it (the frontier is the
    /// trade-off, not the answer). Without an objective there is none.
    #[test]
    fn a_point_dearer_for_no_gain_is_off_the_pareto_frontier() {
        let objective = Some(IndexObjective {
            goal: Goal::Minimize,
            column: "nodes".into(),
            metric: false,
        });
        let slo = vec![Constraint {
            metric: "pending_p99_s".into(),
            max: Some(30.0),
            min: None,
        }];
        let idx = index(&[&["8", "A"], &["6", "A"], &["2", "A"]], slo, objective);
        let t = table(&[
            ("10", "x"),
            ("10", "x"),
            ("10", "x"),
            ("10", "x"),
            ("90", "x"),
            ("95", "x"),
        ]);
        let a = answer(&idx, &aggregate(&idx, &t));
        let on: Vec<Option<bool>> = a.checks.iter().map(|c| c[0].pareto).collect();
        assert_eq!(on, [Some(false), Some(true), Some(true)]);
        let idx = SweepIndex {
            objective: None,
            ..idx
        };
        let a = answer(&idx, &aggregate(&idx, &t));
        assert!(a.checks.iter().all(|c| c[0].pareto.is_none()));
        let csv = String::from_utf8(answer_csv(&idx, &a).unwrap()).unwrap();
        assert!(csv.lines().skip(1).all(|l| l.ends_with(",false,")));
    }

    /// `minimize: cost`: the feasible point with the smallest mean of the
    /// figure, whatever its axes; points that miss the SLO are not chosen
    /// however cheap.
    #[test]
    fn a_metric_objective_picks_the_cheapest_feasible_point() {
        let idx = index(
            &[&["8", "A"], &["4", "A"], &["6", "B"]],
            vec![Constraint {
                metric: "pending_p99_s".into(),
                max: Some(30.0),
                min: None,
            }],
            Some(IndexObjective {
                goal: Goal::Minimize,
                column: "cost".into(),
                metric: true,
            }),
        );
        // (pending_p99_s, cost) per replication: point 0 meets the SLO at a
        // cost of 9; point 1 is the cheapest (3) but misses it; point 2 meets
        // it at 6: the answer.
        let rows = [
            ("1", "9"),
            ("2", "9"),
            ("90", "3"),
            ("95", "3"),
            ("5", "6"),
            ("5", "6"),
        ];
        let t = RunTable {
            header: vec!["pending_p99_s".into(), "cost".into()],
            rows: rows
                .iter()
                .map(|(a, b)| vec![a.to_string(), b.to_string()])
                .collect(),
        };
        let agg = aggregate(&idx, &t);
        let a = answer(&idx, &agg);
        assert_eq!(a.chosen, Some(2));
        assert!(a.per_group.is_empty());
        let dearest = IndexObjective {
            goal: Goal::Maximize,
            column: "cost".into(),
            metric: true,
        };
        let idx = SweepIndex {
            objective: Some(dearest),
            ..idx
        };
        assert_eq!(answer(&idx, &aggregate(&idx, &t)).chosen, Some(0));
    }

    #[test]
    fn no_feasible_point_means_no_answer() {
        let idx = index(
            &[&["1", "A"]],
            vec![Constraint {
                metric: "pending_p99_s".into(),
                max: None,
                min: Some(5.0),
            }],
            None,
        );
        let a = answer(&idx, &aggregate(&idx, &table(&[("1", "x"), ("2", "x")])));
        assert_eq!(a.chosen, None);
    }

    #[test]
    fn aggregate_rows_are_long_format_with_empty_cells_for_missing_values() {
        let idx = index(&[&["1", "A"]], vec![], None);
        let t = RunTable {
            header: vec!["a".into(), "b".into()],
            rows: vec![vec!["1".into(), "".into()], vec!["3".into(), "".into()]],
        };
        // Column b has no value at all, so it is not a numeric figure.
        let csv = String::from_utf8(aggregate_csv(&idx, &aggregate(&idx, &t)).unwrap()).unwrap();
        assert_eq!(
            csv,
            "point,nodes,policy,figure,n,mean,sd,ci95_low,ci95_high,ci95_method,min,max\n\
             0,1,A,a,2,2.000000,1.414214,1.000000,3.000000,bootstrap,1.000000,3.000000\n"
        );
    }
}
