//! Charts of one run, from its timeseries.csv and pods.csv: pods pending and
//! running over time, allocated CPU and memory over time, the pod startup
//! latency CDF and a histogram of scheduling attempts per pod; with the
//! Cluster Autoscaler (an autoscaler.csv), the nodes over time; with
//! HorizontalPodAutoscalers (autoscalers.csv), their replicas; with a priced
//! node pool, the cumulative cost.

use super::chart::{BarChart, Chart, LineChart, Series};
use super::csv_table::Table;
use std::io;
use std::path::Path;

/// Minutes when a run is long enough for seconds to be unreadable.
fn time_unit(end_s: f64) -> (f64, &'static str) {
    if end_s > 7200.0 * 4.0 {
        (3600.0, "h")
    } else if end_s > 600.0 {
        (60.0, "min")
    } else {
        (1.0, "s")
    }
}

/// The charts of the run in `dir`, with their file stems.
pub fn charts(dir: &Path, name: &str) -> io::Result<Vec<(String, Chart)>> {
    let mut out = Vec::new();
    let ts = Table::read(&dir.join("timeseries.csv"))?;
    let time = ts.column_f64("time_s")?;
    let end = time.iter().copied().fold(0.0, f64::max);
    let (div, unit) = time_unit(end);
    let series = |col: &str, label: &str, scale: f64| -> io::Result<Series> {
        let ys = ts.column_f64(col)?;
        Ok(Series {
            name: label.to_string(),
            points: time
                .iter()
                .zip(ys)
                .map(|(t, y)| (t / div, y * scale))
                .collect(),
            band: Vec::new(),
        })
    };
    out.push((
        "pods".to_string(),
        Chart::Line(LineChart {
            title: format!("{name}: pods pending and running"),
            x_label: format!("simulated time ({unit})"),
            y_label: "pods".into(),
            series: vec![
                series("pods_pending", "pending", 1.0)?,
                series("pods_running", "running", 1.0)?,
            ],
            y_from_zero: true,
            ..LineChart::default()
        }),
    ));
    out.push((
        "allocation".to_string(),
        Chart::Line(LineChart {
            title: format!("{name}: resources allocated to pods"),
            x_label: format!("simulated time ({unit})"),
            y_label: "requests (% of allocatable)".into(),
            series: vec![
                series("cpu_allocated_ratio", "cpu", 100.0)?,
                series("memory_allocated_ratio", "memory", 100.0)?,
            ],
            y_from_zero: true,
            ..LineChart::default()
        }),
    ));
    if dir.join("autoscaler.csv").exists() {
        out.push((
            "nodes".to_string(),
            Chart::Line(LineChart {
                title: format!("{name}: nodes"),
                x_label: format!("simulated time ({unit})"),
                y_label: "nodes".into(),
                series: vec![
                    series("nodes_ready", "ready", 1.0)?,
                    series("nodes_with_pods", "with pods", 1.0)?,
                ],
                y_from_zero: true,
                ..LineChart::default()
            }),
        ));
    }
    if dir.join("autoscalers.csv").exists() {
        out.push((
            "replicas".to_string(),
            replicas_chart(dir, name, div, unit)?,
        ));
    }
    // With a priced pool: what the nodes cost from the start to each sample.
    let priced = ts.index("cost").is_ok() && ts.column_opt_f64("cost")?.iter().any(Option::is_some);
    if priced {
        out.push((
            "cost".to_string(),
            Chart::Line(LineChart {
                title: format!("{name}: cumulative cost of the nodes"),
                x_label: format!("simulated time ({unit})"),
                y_label: "cost so far (pools' price per node-hour × hours)".into(),
                series: vec![series("cost", "cost", 1.0)?],
                y_from_zero: true,
                ..LineChart::default()
            }),
        ));
    }

    let pods = Table::read(&dir.join("pods.csv"))?;
    let created = pods.column_opt_f64("created_s")?;
    let started = pods.column_opt_f64("started_s")?;
    let mut startup: Vec<f64> = created
        .iter()
        .zip(&started)
        .filter_map(|(c, s)| Some((*s)? - (*c)?))
        .collect();
    startup.sort_by(f64::total_cmp);
    let n = startup.len() as f64;
    // Empirical CDF as a step: at each latency the fraction rises by 1/n.
    let mut cdf = Vec::with_capacity(startup.len() * 2 + 1);
    for (i, v) in startup.iter().enumerate() {
        cdf.push((*v, 100.0 * i as f64 / n));
        cdf.push((*v, 100.0 * (i + 1) as f64 / n));
    }
    out.push((
        "startup_cdf".to_string(),
        Chart::Line(LineChart {
            title: format!("{name}: pod startup latency (creation to running), CDF"),
            x_label: "startup latency (s)".into(),
            y_label: "pods started within (%)".into(),
            series: vec![Series {
                name: format!("{} pods started", startup.len()),
                points: cdf,
                band: Vec::new(),
            }],
            y_from_zero: true,
            ..LineChart::default()
        }),
    ));

    let attempts: Vec<i64> = pods
        .column_opt_f64("scheduling_attempts")?
        .into_iter()
        .flatten()
        .map(|a| a as i64)
        .collect();
    out.push((
        "scheduling_attempts".to_string(),
        Chart::Bar(BarChart {
            title: format!("{name}: scheduling attempts per pod"),
            x_label: "scheduling attempts".into(),
            y_label: "pods".into(),
            bars: attempt_buckets(&attempts),
        }),
    ));
    Ok(out)
}

/// Pods per number of scheduling attempts: one bar per value up to 5, then
/// roughly logarithmic buckets, so a long tail of retries stays readable.
pub fn attempt_buckets(attempts: &[i64]) -> Vec<(String, u64)> {
    const EDGES: [(i64, i64); 10] = [
        (0, 0),
        (1, 1),
        (2, 2),
        (3, 3),
        (4, 4),
        (5, 5),
        (6, 10),
        (11, 20),
        (21, 50),
        (51, 100),
    ];
    let max = attempts.iter().copied().max().unwrap_or(0);
    let mut out: Vec<(String, u64)> = Vec::new();
    for (lo, hi) in EDGES {
        if lo > max || (lo == 0 && !attempts.contains(&0)) {
            continue;
        }
        let n = attempts.iter().filter(|a| (lo..=hi).contains(*a)).count() as u64;
        let label = if lo == hi {
            lo.to_string()
        } else {
            format!("{lo}–{hi}")
        };
        out.push((label, n));
    }
    if max > 100 {
        let n = attempts.iter().filter(|a| **a > 100).count() as u64;
        out.push(("> 100".to_string(), n));
    }
    out
}

/// Each HorizontalPodAutoscaler's current and desired replicas at every
/// sync (autoscalers.csv), one pair of lines per HPA.
fn replicas_chart(dir: &Path, name: &str, div: f64, unit: &str) -> io::Result<Chart> {
    let t = Table::read(&dir.join("autoscalers.csv"))?;
    let time = t.column_f64("time_s")?;
    let (ns, hpa) = (t.column("namespace")?, t.column("name")?);
    let current = t.column_f64("current_replicas")?;
    let desired = t.column_f64("desired_replicas")?;
    let mut series: Vec<Series> = Vec::new();
    for i in 0..time.len() {
        let key = format!("{}/{}", ns[i], hpa[i]);
        let k = match series
            .iter()
            .position(|s| s.name == format!("{key} current"))
        {
            Some(k) => k,
            None => {
                for what in ["current", "desired"] {
                    series.push(Series {
                        name: format!("{key} {what}"),
                        ..Series::default()
                    });
                }
                series.len() - 2
            }
        };
        series[k].points.push((time[i] / div, current[i]));
        series[k + 1].points.push((time[i] / div, desired[i]));
    }
    Ok(Chart::Line(LineChart {
        title: format!("{name}: HorizontalPodAutoscaler replicas"),
        x_label: format!("simulated time ({unit})"),
        y_label: "replicas".into(),
        series,
        y_from_zero: true,
        ..LineChart::default()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run with the Cluster Autoscaler gets a chart of its nodes; one
    /// without does not.
    #[test]
    fn an_autoscaled_run_charts_its_nodes() {
        let dir = std::env::temp_dir().join(format!("kubesim-nodes-chart-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("timeseries.csv"),
            "time_s,nodes_ready,nodes_with_pods,pods_pending,pods_running,cpu_allocated_ratio,memory_allocated_ratio\n\
             0,1,0,0,0,0,0\n60,3,2,1,4,0.5,0.25\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("pods.csv"),
            "created_s,started_s,scheduling_attempts\n0,2,1\n",
        )
        .unwrap();
        let stems = |dir: &Path| -> Vec<String> {
            charts(dir, "t")
                .unwrap()
                .into_iter()
                .map(|(s, _)| s)
                .collect()
        };
        assert!(!stems(&dir).contains(&"nodes".to_string()));
        std::fs::write(dir.join("autoscaler.csv"), "time_s,pool,delta\n").unwrap();
        let with = charts(&dir, "t").unwrap();
        let Some((_, Chart::Line(nodes))) = with.iter().find(|(s, _)| s == "nodes") else {
            panic!("no nodes chart");
        };
        assert_eq!(nodes.series[0].points, [(0.0, 1.0), (60.0, 3.0)]);
        assert!(!stems(&dir).contains(&"cost".to_string()));
        // A priced pool: the cost chart follows timeseries.csv's cost column.
        std::fs::write(
            dir.join("timeseries.csv"),
            "time_s,nodes_ready,nodes_with_pods,pods_pending,pods_running,cpu_allocated_ratio,memory_allocated_ratio,node_hours,cost\n\
             0,1,0,0,0,0,0,0.000000,0.000000\n60,3,2,1,4,0.5,0.25,0.050000,0.150000\n",
        )
        .unwrap();
        let with = charts(&dir, "t").unwrap();
        let Some((_, Chart::Line(cost))) = with.iter().find(|(s, _)| s == "cost") else {
            panic!("no cost chart");
        };
        assert_eq!(cost.series[0].points, [(0.0, 0.0), (60.0, 0.15)]);
        // An HPA: its current and desired replicas at each sync.
        std::fs::write(
            dir.join("autoscalers.csv"),
            "time_s,namespace,name,current_replicas,desired_replicas\n\
             0,default,web,2,2\n15,default,web,2,5\n30,default,web,5,5\n",
        )
        .unwrap();
        let with = charts(&dir, "t").unwrap();
        let Some((_, Chart::Line(r))) = with.iter().find(|(s, _)| s == "replicas") else {
            panic!("no replicas chart");
        };
        let names: Vec<&str> = r.series.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["default/web current", "default/web desired"]);
        assert_eq!(r.series[1].points, [(0.0, 2.0), (15.0, 5.0), (30.0, 5.0)]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn attempts_are_bucketed_with_a_readable_tail() {
        let b = attempt_buckets(&[1, 1, 2, 7, 9, 130]);
        let shown: Vec<String> = b.iter().map(|(l, n)| format!("{l}:{n}")).collect();
        assert_eq!(
            shown,
            [
                "1:2",
                "2:1",
                "3:0",
                "4:0",
                "5:0",
                "6–10:2",
                "11–20:0",
                "21–50:0",
                "51–100:0",
                "> 100:1"
            ]
        );
        assert_eq!(attempt_buckets(&[1, 2]).len(), 2);
    }
}
