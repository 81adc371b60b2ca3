//! `kubesim report DIR`: one self-contained HTML page (`DIR/report.html`)
//! that a platform engineer can hand on: the question, the answer, the
//! tables, the charts (PNG embedded as base64, so the page needs no other
//! file), the input files and how to reproduce everything.
//!
//! The page is built from result files only (and the input files they name),
//! and holds no wall-clock time: the same results give the same bytes.

use crate::metrics::float::fixed;
use crate::plot::chart::Chart;
use crate::plot::csv_table::Table;
use crate::plot::{self, Kind, CHARTS_DIR};
use crate::sweep::aggregate::{aggregate, answer, Aggregate, Answer};
use crate::sweep::index::SweepIndex;
use crate::sweep::interval::Method;
use crate::sweep::{read_index, read_runs};
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub const REPORT_FILE: &str = "report.html";

/// Figures shown in the sweep's table and charts besides the constrained ones.
const KEY_FIGURES: &[&str] = &[
    "pending_p99_s",
    "pending_mean_s",
    "startup_p99_s",
    "cpu_allocated_mean_ratio",
    "nodes_with_pods_mean",
    "failed_scheduling_events",
];

/// HTML-escapes text.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Standard base64 (RFC 4648) with padding, for data: URLs.
pub fn base64(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(data)
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'DejaVu Sans',sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\
h1{font-size:1.6em}h2{margin-top:1.8em;border-bottom:1px solid #ddd}\
table{border-collapse:collapse;font-size:.9em;margin:.5em 0}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right}\
th{background:#f3f3f3}td.l,th.l{text-align:left}tr.chosen td{background:#e6f4ea;font-weight:bold}\
.answer{background:#eef5fb;border-left:4px solid #0072b2;padding:.6em 1em}.fail{background:#fdecea;border-left-color:#c81e1e}\
pre{background:#f7f7f7;padding:.8em;overflow-x:auto;font-size:.85em}img{max-width:100%;border:1px solid #eee;margin:.4em 0}\
details{margin:.6em 0}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(title)
    )
}

fn img(dir: &Path, stem: &str, alt: &str) -> String {
    match fs::read(dir.join(CHARTS_DIR).join(format!("{stem}.png"))) {
        Ok(bytes) => format!(
            "<figure><img alt=\"{}\" src=\"data:image/png;base64,{}\"></figure>\n",
            escape(alt),
            base64(&bytes)
        ),
        Err(_) => String::new(),
    }
}

fn file_block(path: &str, what: &str) -> String {
    match fs::read_to_string(path) {
        Ok(text) => format!(
            "<details><summary>{what}: <code>{}</code></summary><pre>{}</pre></details>\n",
            escape(path),
            escape(&text)
        ),
        Err(_) => format!(
            "<p>{what}: <code>{}</code> (not found from here)</p>\n",
            escape(path)
        ),
    }
}

fn question_html(question: &str) -> String {
    if question.trim().is_empty() {
        return String::new();
    }
    format!(
        "<h2>The question</h2>\n<p>{}</p>\n",
        escape(question).replace('\n', "<br>\n")
    )
}

/// Writes `dir/report.html` (drawing the charts first) and returns its path.
pub fn report(dir: &Path) -> io::Result<PathBuf> {
    let kind = plot::kind(dir).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "{}: neither a run's results nor a finished sweep's",
                dir.display()
            ),
        )
    })?;
    plot::plot(dir)?;
    let html = match kind {
        Kind::Sweep => sweep_page(dir)?,
        Kind::Run => run_page(dir)?,
    };
    let path = dir.join(REPORT_FILE);
    crate::output::write_atomic(&path, html.as_bytes())?;
    Ok(path)
}

fn fmt(v: f64) -> String {
    if v.abs() >= 100.0 {
        fixed(v, 1)
    } else {
        fixed(v, 3)
    }
}

/// A mean with its interval: `mean ± half-width` for Student t's (it is
/// symmetric), `mean [low, high] (bootstrap)` for a bootstrap interval.
fn mean_ci(agg: &Aggregate, p: usize, figure: &str) -> String {
    match agg.get(p, figure) {
        None => String::new(),
        Some(s) => match (s.ci95, s.ci95_method) {
            (Some((lo, hi)), Some(Method::Bootstrap)) => {
                format!("{} [{}, {}] (bootstrap)", fmt(s.mean), fmt(lo), fmt(hi))
            }
            (Some((lo, hi)), _) => format!("{} ± {}", fmt(s.mean), fmt((hi - lo) / 2.0)),
            (None, _) => fmt(s.mean),
        },
    }
}

/// What a method is called in a sentence.
fn method_words(m: Option<Method>) -> &'static str {
    match m {
        Some(Method::Bootstrap) => {
            "bootstrap percentile interval: Student t's would cross a bound of the figure"
        }
        _ => "Student t",
    }
}

const INTERVALS_NOTE: &str = "<p>Intervals are Student t's over the replications, except where that would cross a bound of the figure (below 0 for a time, a count or a ratio; above 1 for a fraction): there the interval is the bootstrap percentile interval of the mean (10 000 seeded resamples), marked <i>bootstrap</i>. <code>aggregate.csv</code> and <code>answer.csv</code> say which in <code>ci95_method</code>.</p>\n";

fn answer_html(index: &SweepIndex, a: &Answer) -> String {
    let mut h = String::new();
    match a.chosen {
        Some(p) => {
            let goal = index.objective.as_ref().map_or(String::new(), |o| {
                format!(
                    " with the {} {}{}",
                    match o.goal {
                        crate::sweep::file::Goal::Minimize => "smallest",
                        crate::sweep::file::Goal::Maximize => "largest",
                    },
                    if o.metric { "mean " } else { "" },
                    escape(&o.column)
                )
            });
            let _ = write!(
                h,
                "<div class=\"answer\"><p><b>The grid point{goal} that meets every constraint: {}.</b></p><ul>",
                escape(&index.describe_point(p))
            );
            for c in &a.checks[p] {
                if let Some(s) = &c.stats {
                    let ci = s.ci95.map_or("one replication, no interval".into(), |(lo, hi)| {
                        format!(
                            "95% confidence interval [{}, {}] ({})",
                            fmt(lo),
                            fmt(hi),
                            method_words(s.ci95_method)
                        )
                    });
                    let _ = write!(
                        h,
                        "<li><code>{}</code> {}: mean {} over {} runs, {ci}</li>",
                        escape(&c.metric),
                        escape(&c.bound),
                        fmt(s.mean),
                        s.n
                    );
                }
            }
            h.push_str("</ul>");
            if a.per_group.len() > 1 {
                h.push_str("<p>Per group of the other grid columns:</p><ul>");
                for (g, best) in &a.per_group {
                    let shown = best.map_or("no grid point meets every constraint".into(), |b| {
                        index.describe_point(b)
                    });
                    let _ = write!(h, "<li>{}: {}</li>", escape(&g.join(", ")), escape(&shown));
                }
                h.push_str("</ul>");
            }
            h.push_str(
                "<p>A constraint <code>metric ≤ max</code> counts as met when the upper end of the 95% confidence interval of the mean over the replications is at most <code>max</code> (≥ min: the lower end), so a point is chosen only when the runs show it meets the SLO with about 97.5% one-sided confidence.</p></div>\n",
            );
        }
        None => h.push_str(
            "<div class=\"answer fail\"><p><b>No grid point meets every constraint.</b> Widen the grid (more nodes, other policies) and run the sweep again.</p></div>\n",
        ),
    }
    h
}

/// The grid points on the Pareto frontier of the objective against each
/// constrained figure (answer.csv's `pareto`), when there is an objective.
fn frontier_html(index: &SweepIndex, a: &Answer) -> String {
    let Some(o) = &index.objective else {
        return String::new();
    };
    let mut h = String::new();
    for (k, c) in index.constraints.iter().enumerate() {
        let on: Vec<String> = (0..index.points.len())
            .filter(|&p| a.checks[p][k].pareto == Some(true))
            .map(|p| escape(&index.describe_point(p)))
            .collect();
        let _ = writeln!(
            h,
            "<p>The Pareto frontier of <code>{}</code> against <code>{}</code> (no other grid point is better on both, by their means): {}.</p>",
            escape(&o.column),
            escape(&c.metric),
            on.join("; ")
        );
    }
    h
}

fn sweep_page(dir: &Path) -> io::Result<String> {
    let index = read_index(dir).map_err(io::Error::other)?;
    let table = read_runs(dir, &index).map_err(io::Error::other)?;
    let agg = aggregate(&index, &table);
    let mut b = String::new();
    let _ = writeln!(b, "<h1>kubesim sweep: {}</h1>", escape(&index.name));
    b.push_str(&question_html(&index.question));
    let _ = writeln!(
        b,
        "<p>{} grid points × {} replications = {} runs of the base scenario <code>{}</code>. Replication <i>r</i> uses the same seed at every grid point (common random numbers), so points that differ only in size or policy see the same pod arrivals and run times.</p>",
        index.points.len(),
        index.replications,
        index.n_runs(),
        escape(&index.base_scenario)
    );
    let constrained: Vec<String> = index.constraints.iter().map(|c| c.metric.clone()).collect();
    if !index.constraints.is_empty() {
        b.push_str("<h2>The answer</h2>\n");
        let a = answer(&index, &agg);
        b.push_str(&answer_html(&index, &a));
        b.push_str("<h2>Constraints at every grid point</h2>\n<table><tr>");
        for c in &index.columns {
            let _ = write!(b, "<th class=\"l\">{}</th>", escape(c));
        }
        for c in &a.checks[0] {
            let _ = write!(
                b,
                "<th>{} {}<br>mean [95% CI]</th>",
                escape(&c.metric),
                escape(&c.bound)
            );
        }
        b.push_str("<th>meets all</th></tr>\n");
        for (p, checks) in a.checks.iter().enumerate() {
            let chosen = if a.chosen == Some(p) {
                " class=\"chosen\""
            } else {
                ""
            };
            let _ = write!(b, "<tr{chosen}>");
            for v in &index.points[p] {
                let _ = write!(b, "<td class=\"l\">{}</td>", escape(v));
            }
            for c in checks {
                let cell = c.stats.as_ref().map_or(String::new(), |s| match s.ci95 {
                    Some((lo, hi)) => {
                        let boot = if s.ci95_method == Some(Method::Bootstrap) {
                            " (bootstrap)"
                        } else {
                            ""
                        };
                        format!("{} [{}, {}]{boot}", fmt(s.mean), fmt(lo), fmt(hi))
                    }
                    None => fmt(s.mean),
                });
                let mark = if c.met { "✓" } else { "✗" };
                let _ = write!(b, "<td>{cell} {mark}</td>");
            }
            let all = if checks.iter().all(|c| c.met) {
                "yes"
            } else {
                "no"
            };
            let _ = writeln!(b, "<td>{all}</td></tr>");
        }
        b.push_str("</table>\n");
        b.push_str(INTERVALS_NOTE);
        b.push_str(&frontier_html(&index, &a));
    }
    let mut figures: Vec<String> = constrained.clone();
    for f in KEY_FIGURES {
        if !figures.iter().any(|x| x == f) && agg.figures.iter().any(|x| x == f) {
            figures.push(f.to_string());
        }
    }
    b.push_str(
        "<h2>Key figures (mean ± half-width of the 95% confidence interval; mean [low, high] for a bootstrap interval)</h2>\n<table><tr>",
    );
    for c in &index.columns {
        let _ = write!(b, "<th class=\"l\">{}</th>", escape(c));
    }
    for f in &figures {
        let _ = write!(b, "<th>{}</th>", escape(f));
    }
    b.push_str("</tr>\n");
    for p in 0..index.points.len() {
        b.push_str("<tr>");
        for v in &index.points[p] {
            let _ = write!(b, "<td class=\"l\">{}</td>", escape(v));
        }
        for f in &figures {
            let _ = write!(b, "<td>{}</td>", escape(&mean_ci(&agg, p, f)));
        }
        b.push_str("</tr>\n");
    }
    b.push_str("</table>\n<p>Every figure of every run is in <code>runs.csv</code>; per grid point statistics of every figure in <code>aggregate.csv</code>.</p>\n");
    if index.constraints.is_empty() {
        b.push_str(INTERVALS_NOTE);
    }
    b.push_str("<h2>Charts</h2>\n");
    let charts = crate::plot::sweep_charts::charts(dir, &index)?;
    for f in &constrained {
        let stem = format!("sweep_pareto_{f}");
        if let Some((_, Chart::Scatter(c))) = charts.iter().find(|(s, _)| *s == stem) {
            b.push_str(&img(dir, &stem, &c.title));
        }
    }
    for f in &figures {
        let stem = format!("sweep_{f}");
        if let Some((_, Chart::Line(c))) = charts.iter().find(|(s, _)| *s == stem) {
            b.push_str(&img(dir, &stem, &c.title));
        }
    }
    b.push_str("<h2>Inputs</h2>\n");
    b.push_str(&file_block(&index.sweep_file, "Sweep file"));
    b.push_str(&file_block(&index.base_scenario, "Base scenario"));
    b.push_str("<h2>How to reproduce</h2>\n<pre>");
    let out = dir.display().to_string();
    let _ = writeln!(
        b,
        "{} --out {out}\nkubesim plot {out}\nkubesim report {out}",
        escape(&index.reproduce)
    );
    let _ = writeln!(
        b,
        "</pre>\n<p>kubesim {}. The same sweep file, base scenario and kubesim version give byte-identical runs.csv and aggregate.csv, whatever the number of threads or shards.</p>",
        escape(&index.kubesim_version)
    );
    Ok(page(&format!("kubesim sweep: {}", index.name), &b))
}

fn run_page(dir: &Path) -> io::Result<String> {
    let name = plot::run_name(dir);
    let manifest: serde_json::Value = fs::read_to_string(dir.join("manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(serde_json::Value::Null);
    let scenario_path = manifest["scenario"]["path"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let mut b = String::new();
    let _ = writeln!(b, "<h1>kubesim run: {}</h1>", escape(&name));
    if let Ok(text) = fs::read_to_string(&scenario_path) {
        b.push_str(&question_html(&crate::sweep::file::opening_comment(&text)));
    }
    b.push_str("<h2>Summary</h2>\n<table>\n");
    let summary = Table::read(&dir.join("summary.csv"))?;
    if let Some(row) = summary.rows.first() {
        for (h, v) in summary.header.iter().zip(row) {
            let _ = writeln!(
                b,
                "<tr><th class=\"l\">{}</th><td>{}</td></tr>",
                escape(h),
                escape(v)
            );
        }
    }
    b.push_str("</table>\n<h2>Charts</h2>\n");
    for (stem, alt) in [
        ("pods", "pods pending and running"),
        ("allocation", "resources allocated"),
        ("nodes", "nodes over time"),
        ("replicas", "HorizontalPodAutoscaler replicas"),
        ("cost", "cumulative cost of the nodes"),
        ("startup_cdf", "pod startup latency CDF"),
        ("scheduling_attempts", "scheduling attempts per pod"),
    ] {
        b.push_str(&img(dir, stem, alt));
    }
    b.push_str("<h2>Inputs</h2>\n");
    if !scenario_path.is_empty() {
        b.push_str(&file_block(&scenario_path, "Scenario"));
    }
    b.push_str("<h2>How to reproduce</h2>\n<pre>");
    let out = dir.display().to_string();
    let _ = writeln!(
        b,
        "{} --out {out}\nkubesim report {out}</pre>",
        escape(
            manifest["reproduce"]
                .as_str()
                .unwrap_or("kubesim run SCENARIO")
        )
    );
    Ok(page(&format!("kubesim run: {name}"), &b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }

    #[test]
    fn a_bootstrap_interval_is_shown_as_such() {
        use crate::sweep::aggregate::Stats;
        let stats = |ci95, ci95_method| Stats {
            n: 4,
            mean: 1.75,
            sd: Some(3.5),
            ci95,
            ci95_method,
            min: 0.0,
            max: 7.0,
        };
        let agg = Aggregate {
            figures: vec!["pending_p99_s".into()],
            stats: vec![
                vec![Some(stats(Some((0.0, 5.25)), Some(Method::Bootstrap)))],
                vec![Some(stats(Some((1.0, 2.5)), Some(Method::StudentT)))],
                vec![Some(stats(None, None))],
            ],
        };
        assert_eq!(
            mean_ci(&agg, 0, "pending_p99_s"),
            "1.750 [0.000, 5.250] (bootstrap)"
        );
        assert_eq!(mean_ci(&agg, 1, "pending_p99_s"), "1.750 ± 0.750");
        assert_eq!(mean_ci(&agg, 2, "pending_p99_s"), "1.750");
    }

    #[test]
    fn escape_neutralises_markup() {
        assert_eq!(
            escape("<a href=\"x\">&</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
        );
    }
}
