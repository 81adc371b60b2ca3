//! The command line: `kubesim run`, `validate`, `sweep` and `merge`. Each is a
//! straight pipeline: arguments → input → run → files → summary.
//!
//! Exit status: 0 success; 1 the run completed but an expectation declared in
//! the scenario failed; 2 invalid input, usage or I/O error.

use crate::engine::SimTime;
use crate::metrics::events::EventsMode;
use crate::metrics::summary::Figure;
use crate::output::{run_streaming, sha256_hex, RunManifest};
use crate::scenario::decode::{load, Loaded};
use crate::scenario::Scenario;
use crate::scheduler::ExplainFilter;
use crate::sim::{simulate_streaming, RunOptions, RunReport};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod fillup_command;

#[derive(Parser)]
#[command(
    name = "kubesim",
    version,
    about = "Deterministic discrete-event simulator of a Kubernetes cluster"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario and write its results.
    Run {
        /// The scenario file (YAML).
        scenario: PathBuf,
        /// Output directory: new, empty or kubesim's own results, which it
        /// replaces [default: results/<scenario name>].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Seed, overriding the scenario's.
        #[arg(long)]
        seed: Option<u64>,
        /// Write decisions_summary.csv for pods whose name starts with this
        /// prefix (or `all`): per scheduling attempt, the nodes each Filter
        /// plugin rejected (status code and reason), the score plugins that
        /// skipped in PreScore, the best --explain-top nodes with each score
        /// plugin's raw, normalized and weighted score (or that scoring was
        /// skipped: one feasible node), and preemption's candidates and pick.
        /// decisions.csv is written too, with the --explain-pod pods' rows.
        #[arg(long, value_name = "POD-NAME-PREFIX|all")]
        explain: Option<String>,
        /// With --explain: how many of the best nodes per attempt to show [default: 3].
        #[arg(long, value_name = "K")]
        explain_top: Option<usize>,
        /// Also write every node's and plugin's row, and every preemption
        /// candidate with its victims, to decisions.csv for pods whose name
        /// starts with this, besides their summary rows.
        #[arg(long, value_name = "POD-NAME-PREFIX")]
        explain_pod: Option<String>,
        /// events.csv: `api`, one row per Event object as the API server
        /// holds it (identical events counted, similar ones combined, as
        /// client-go's event correlator does), or `all`, one row per occurrence.
        #[arg(long, value_name = "api|all", default_value = "api", value_parser = parse_events)]
        events: EventsMode,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
        /// Most YAML nodes one input file may hold [default: 16777216]; a
        /// larger workload is better written as a pod trace (`podTraces`).
        #[arg(long, value_name = "N")]
        max_yaml_nodes: Option<usize>,
    },
    /// Check a scenario file and report every problem in it.
    Validate {
        /// The scenario file (YAML).
        scenario: PathBuf,
        /// Most YAML nodes one input file may hold [default: 16777216]; a
        /// larger workload is better written as a pod trace (`podTraces`).
        #[arg(long, value_name = "N")]
        max_yaml_nodes: Option<usize>,
    },
    /// Run a parameter sweep (resumes an interrupted one) and aggregate it.
    Sweep {
        /// The sweep file (YAML).
        sweep: PathBuf,
        /// Parallel runs [default: the number of CPUs].
        #[arg(long)]
        jobs: Option<usize>,
        /// Output directory: new, empty or this sweep's, which it resumes
        /// [default: results/<sweep name>, or results/<sweep name>-shard-I-of-N
        /// with --shard].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Run only the runs whose index is I modulo N (merge the shards with
        /// `kubesim merge`).
        #[arg(long, value_name = "I/N")]
        shard: Option<crate::sweep::shard::Shard>,
        /// Also draw the charts and write report.html when the sweep is complete.
        #[arg(long)]
        report: bool,
        /// Print nothing but errors and the answer.
        #[arg(long)]
        quiet: bool,
    },
    /// Draw the charts that fit a run's or a sweep's results (PNG and SVG in DIR/charts).
    Plot {
        /// A result directory of `kubesim run` or `kubesim sweep`.
        dir: PathBuf,
    },
    /// Write DIR/report.html: question, answer, tables, charts and how to reproduce.
    Report {
        /// A result directory of `kubesim run` or `kubesim sweep`.
        dir: PathBuf,
    },
    /// Join the output directories of a sharded sweep.
    Merge {
        /// Shard output directories.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output directory: new, empty or this sweep's.
        #[arg(long)]
        out: PathBuf,
        /// Print nothing but errors and the answer.
        #[arg(long)]
        quiet: bool,
    },
}

pub const EXIT_OK: i32 = 0;
pub const EXIT_EXPECTATION_FAILED: i32 = 1;
pub const EXIT_INVALID: i32 = 2;

pub fn main() -> i32 {
    main_with_args(std::env::args_os())
}

/// `main` on the given arguments (the program name first), for benchmarks
/// that time a command exactly as the binary runs it.
pub fn main_with_args<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                EXIT_INVALID
            } else {
                EXIT_OK
            };
        }
    };
    if let Command::Run {
        max_yaml_nodes: Some(n),
        ..
    }
    | Command::Validate {
        max_yaml_nodes: Some(n),
        ..
    } = cli.command
    {
        crate::input::yaml::set_max_nodes(n);
    }
    match cli.command {
        Command::Validate { scenario, .. } if fillup_command::is_fillup(&scenario) => {
            fillup_command::validate(&scenario)
        }
        Command::Validate { scenario, .. } => match load_reporting(&scenario, false) {
            Some(loaded) => {
                let s = &loaded.scenario;
                println!(
                    "{}: valid ({} nodes, {} pods, {} arrival processes)",
                    scenario.display(),
                    s.nodes.len(),
                    s.pods.len(),
                    s.arrivals.len()
                );
                EXIT_OK
            }
            None => EXIT_INVALID,
        },
        Command::Run {
            scenario,
            out,
            seed,
            explain,
            explain_top,
            explain_pod,
            events,
            quiet,
            ..
        } => run(
            &scenario,
            out,
            seed,
            Explain {
                summary: explain,
                top: explain_top,
                pod: explain_pod,
            },
            events,
            quiet,
        ),
        Command::Sweep {
            sweep,
            jobs,
            out,
            shard,
            report,
            quiet,
        } => sweep_command(&sweep, jobs, out, shard, report, quiet),
        Command::Merge { dirs, out, quiet } => merge_command(&dirs, &out, quiet),
        Command::Report { dir } => match crate::report::report(&dir) {
            Ok(path) => {
                println!("report in {}", path.display());
                EXIT_OK
            }
            Err(e) => {
                eprintln!("error: {e}");
                EXIT_INVALID
            }
        },
        Command::Plot { dir } => match crate::plot::plot(&dir) {
            Ok(files) => {
                println!(
                    "{} chart file(s) in {}",
                    files.len(),
                    dir.join(crate::plot::CHARTS_DIR).display()
                );
                EXIT_OK
            }
            Err(e) => {
                eprintln!("error: {e}");
                EXIT_INVALID
            }
        },
    }
}

fn sweep_command(
    path: &Path,
    jobs: Option<usize>,
    out: Option<PathBuf>,
    shard: Option<crate::sweep::shard::Shard>,
    report: bool,
    quiet: bool,
) -> i32 {
    let sweep = match crate::sweep::load(path) {
        Ok(s) => s,
        Err(diagnostics) => {
            for d in &diagnostics.0 {
                eprintln!("error: {d}");
            }
            eprintln!("{} error(s) in {}", diagnostics.0.len(), path.display());
            return EXIT_INVALID;
        }
    };
    let runs = shard.map_or(sweep.index.n_runs(), |s| {
        (0..sweep.index.n_runs()).filter(|&r| s.owns(r)).count()
    });
    let jobs = crate::limits::max_jobs(jobs.unwrap_or(usize::MAX), runs);
    let out = out.unwrap_or_else(|| {
        let name = match shard {
            None => sweep.index.name.clone(),
            Some(s) => format!("{}-shard-{}-of-{}", sweep.index.name, s.index, s.count),
        };
        crate::scenario::results_name::results_dir(&name)
    });
    let index = &sweep.index;
    if !quiet {
        println!(
            "kubesim {} — sweep {} ({})",
            env!("CARGO_PKG_VERSION"),
            index.name,
            path.display()
        );
        println!("  base scenario   {}", index.base_scenario);
        println!(
            "  grid            {} point(s) × {} replication(s) = {} runs{}",
            index.points.len(),
            index.replications,
            index.n_runs(),
            shard.map_or(String::new(), |s| format!(", shard {s}"))
        );
        println!(
            "  seeds           replication r uses derive_seed({}, r) at every point",
            index.base_seed
        );
        println!("  jobs            {jobs}");
        println!("  output          {}", out.display());
    }
    let progress = SweepBar::new(quiet);
    let started = Instant::now();
    let options = crate::sweep::Options {
        jobs,
        shard,
        max_new_runs: None,
    };
    let outcome = crate::sweep::run(&sweep, &out, &options, &progress);
    progress.finish();
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INVALID;
        }
    };
    if !quiet {
        println!(
            "finished: {} run(s) in {:.2}s wall clock ({} already done)",
            outcome.executed,
            started.elapsed().as_secs_f64(),
            outcome.reused
        );
    }
    match outcome.finished {
        Some(finished) => {
            if report {
                match crate::report::report(&out) {
                    Ok(path) if !quiet => println!("report in {}", path.display()),
                    Ok(_) => {}
                    Err(e) => {
                        eprintln!("error: cannot write the report: {e}");
                        return EXIT_INVALID;
                    }
                }
            }
            report_finished(index, &finished, &out, quiet)
        }
        None => {
            if !quiet {
                println!(
                    "shard results in {}; join the shards with `kubesim merge DIR... --out DIR`",
                    out.display()
                );
            }
            EXIT_OK
        }
    }
}

fn merge_command(dirs: &[PathBuf], out: &Path, quiet: bool) -> i32 {
    match crate::sweep::shard::merge(dirs, out) {
        Ok(finished) => match crate::sweep::read_index(out) {
            Ok(index) => report_finished(&index, &finished, out, quiet),
            Err(e) => {
                eprintln!("error: {e}");
                EXIT_INVALID
            }
        },
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_INVALID
        }
    }
}

/// Prints where the tables are and the SLO answer; exit 1 when no grid point
/// meets every constraint.
fn report_finished(
    index: &crate::sweep::index::SweepIndex,
    finished: &crate::sweep::Finished,
    out: &Path,
    quiet: bool,
) -> i32 {
    if !quiet {
        println!(
            "results in {} (runs.csv, aggregate.csv{})",
            out.display(),
            if finished.answer.is_some() {
                ", answer.csv"
            } else {
                ""
            }
        );
    }
    let Some(answer) = &finished.answer else {
        return EXIT_OK;
    };
    match answer.chosen {
        Some(p) => {
            let goal = index.objective.as_ref().map_or(String::new(), |o| {
                let word = match o.goal {
                    crate::sweep::file::Goal::Minimize => "smallest",
                    crate::sweep::file::Goal::Maximize => "largest",
                };
                let mean = if o.metric { "mean " } else { "" };
                format!(" with the {word} {mean}{}", o.column)
            });
            println!(
                "answer: the grid point{goal} that meets every constraint is {}",
                index.describe_point(p)
            );
            for c in &answer.checks[p] {
                if let Some(s) = &c.stats {
                    let ci =
                        s.ci95
                            .map_or("no interval (one replication)".to_string(), |(lo, hi)| {
                                let method = s.ci95_method.map_or("", |m| m.as_str());
                                format!("95% CI [{lo:.3}, {hi:.3}] ({method})")
                            });
                    println!(
                        "  {} {}: mean {:.3} over {} run(s), {ci}",
                        c.metric, c.bound, s.mean, s.n
                    );
                }
            }
            if answer.per_group.len() > 1 {
                let column = index.objective.as_ref().map_or("", |o| o.column.as_str());
                let others: Vec<&str> = index
                    .columns
                    .iter()
                    .filter(|c| *c != column)
                    .map(String::as_str)
                    .collect();
                println!("  per {}:", others.join(", "));
                for (group, best) in &answer.per_group {
                    let shown = best.map_or("none meets every constraint".to_string(), |b| {
                        index.describe_point(b)
                    });
                    println!("    {:<24} {shown}", group.join(", "));
                }
            }
            EXIT_OK
        }
        None => {
            println!("answer: no grid point meets every constraint (see answer.csv)");
            EXIT_EXPECTATION_FAILED
        }
    }
}

/// The sweep's progress bar: completed/total runs and an ETA.
struct SweepBar {
    bar: Option<indicatif::ProgressBar>,
}

impl SweepBar {
    fn new(quiet: bool) -> Self {
        let bar = (!quiet).then(|| {
            let b = indicatif::ProgressBar::new(0);
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} runs  {elapsed} elapsed  eta {eta}",
                )
                .expect("template"),
            );
            b
        });
        SweepBar { bar }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

impl crate::sweep::run::RunProgress for SweepBar {
    fn run_done(&self) {
        if let Some(b) = &self.bar {
            b.inc(1);
        }
    }
}

impl crate::sweep::Progress for SweepBar {
    fn start(&self, planned: usize, already_done: usize) {
        if let Some(b) = &self.bar {
            b.set_length(planned as u64);
            b.set_position(already_done as u64);
            // The ETA should reflect this invocation's pace, not resumed runs.
            b.reset_eta();
        }
    }
}

/// Loads a scenario, printing warnings; on errors prints them all and returns None.
fn load_reporting(path: &Path, quiet: bool) -> Option<Loaded> {
    match load(path) {
        Ok(loaded) => {
            if !quiet {
                for w in &loaded.warnings {
                    eprintln!("warning: {w}");
                }
            }
            Some(loaded)
        }
        Err(diagnostics) => {
            for d in &diagnostics.0 {
                eprintln!("error: {d}");
            }
            eprintln!("{} error(s) in {}", diagnostics.0.len(), path.display());
            None
        }
    }
}

/// `--events`.
fn parse_events(value: &str) -> Result<EventsMode, String> {
    match value {
        "api" => Ok(EventsMode::Correlated),
        "all" => Ok(EventsMode::All),
        _ => Err("expected `api` or `all`".into()),
    }
}

fn run(
    path: &Path,
    out: Option<PathBuf>,
    seed: Option<u64>,
    explain: Explain,
    events: EventsMode,
    quiet: bool,
) -> i32 {
    let Explain {
        summary: explain,
        top: explain_top,
        pod: explain_pod,
    } = explain;
    if fillup_command::is_fillup(path) {
        return fillup_command::run(path, out, seed, quiet);
    }
    let Some(loaded) = load_reporting(path, quiet) else {
        return EXIT_INVALID;
    };
    let scenario = loaded.scenario;
    let seed = seed.unwrap_or(scenario.seed);
    let out_dir = out.unwrap_or_else(|| crate::scenario::results_name::results_dir(&scenario.name));
    let explain_filter = match explain.as_deref() {
        None => ExplainFilter::None,
        Some("all") => ExplainFilter::All,
        Some(prefix) => ExplainFilter::Prefix(prefix.to_string()),
    };
    if !quiet {
        print_header(path, &scenario, seed, &out_dir, explain.as_deref());
    }
    let progress = (!quiet).then(|| progress_reporter(&scenario));
    let options = RunOptions {
        explain: explain_filter,
        explain_pod: explain_pod
            .clone()
            .map_or(ExplainFilter::None, ExplainFilter::Prefix),
        explain_top,
        events,
        check_invariants: false,
        progress: progress
            .clone()
            .map(|p| Box::new(p) as Box<dyn crate::sim::ProgressSink + Send>),
    };
    let text = crate::input::read_bytes(path).unwrap_or_default();
    let path_text = path.display().to_string();
    let manifest = RunManifest {
        scenario_path: &path_text,
        scenario_sha256: sha256_hex(&text),
        scenario_name: &scenario.name,
        inputs: &scenario.input_files,
        seed,
        explain: explain.as_deref(),
        explain_pod: explain_pod.as_deref(),
        explain_top,
    };
    let explaining = explain.is_some() || explain_pod.is_some();
    // Finished pods and events are streamed into the results as the run
    // goes, so that a long run's memory follows the pods alive.
    let started = Instant::now();
    let mut wall = Duration::ZERO;
    let written = run_streaming(&out_dir, &manifest, explaining, |writers| {
        let report = simulate_streaming(&scenario, seed, &options, writers);
        wall = started.elapsed();
        if let Some(p) = progress {
            p.finish();
        }
        report
    });
    let report = match written {
        Ok(report) => report,
        Err(e) => {
            let input = e
                .get_ref()
                .and_then(|i| i.downcast_ref::<crate::input::diagnostic::Diagnostics>());
            match input {
                // A pod trace that changed during the run: its rows, located.
                Some(d) => d.0.iter().for_each(|d| eprintln!("error: {d}")),
                None => eprintln!("error: cannot write results to {}: {e}", out_dir.display()),
            }
            return EXIT_INVALID;
        }
    };
    if !quiet {
        print_summary(&report, wall, &out_dir);
    }
    check_expectations(&scenario, &report, quiet)
}

/// The `--explain*` options of `run`.
struct Explain {
    summary: Option<String>,
    top: Option<usize>,
    pod: Option<String>,
}

fn print_header(path: &Path, s: &Scenario, seed: u64, out_dir: &Path, explain: Option<&str>) {
    println!(
        "kubesim {} — scenario {} ({})",
        env!("CARGO_PKG_VERSION"),
        s.name,
        path.display()
    );
    println!(
        "  seed            {seed}   (replay: kubesim run {} --seed {seed})",
        path.display()
    );
    println!(
        "  duration        {}",
        s.duration
            .map_or("until nothing is left to happen".to_string(), |d| d
                .to_string())
    );
    println!("  nodes           {}", s.nodes.len());
    println!(
        "  pods            {} from manifests, {} arrival processes",
        s.pods.len(),
        s.arrivals.len()
    );
    if !s.pod_traces.is_empty() {
        let rows: u64 = s.pod_traces.iter().map(|t| t.rows).sum();
        println!("  pod traces      {} ({rows} pods)", s.pod_traces.len());
    }
    let profiles: Vec<String> = s
        .scheduler
        .profiles
        .iter()
        .map(|p| format!("{} ({})", p.scheduler_name, p.fit_args.strategy.name()))
        .collect();
    println!("  scheduler       {}", profiles.join(", "));
    println!(
        "  percentageOfNodesToScore {}   backoff {}–{}",
        s.scheduler
            .percentage_of_nodes_to_score
            .map_or("adaptive".into(), |p| p.to_string()),
        s.scheduler.pod_initial_backoff,
        s.scheduler.pod_max_backoff
    );
    println!(
        "  sample interval {}   max events {}",
        s.sample_interval, s.max_events
    );
    if let Some(e) = explain {
        println!("  explain         {e}");
    }
    println!("  output          {}", out_dir.display());
}

fn print_summary(report: &RunReport, wall: Duration, out_dir: &Path) {
    println!();
    println!(
        "finished: {} at t={}s after {} events in {:.2}s wall clock",
        report.stop_reason.as_str(),
        report.end,
        report.events_processed,
        wall.as_secs_f64()
    );
    let rows: &[(&str, &str)] = &[
        ("pods created", "pods_created"),
        ("  pending", "pods_pending"),
        ("  running", "pods_running"),
        ("  succeeded", "pods_succeeded"),
        ("  failed", "pods_failed"),
        ("  unschedulable", "pods_unschedulable"),
        ("pending p50 / p99 (s)", "pending_p50_s"),
        ("startup p50 / p99 (s)", "startup_p50_s"),
        ("cpu allocated mean", "cpu_allocated_mean_ratio"),
        ("memory allocated mean", "memory_allocated_mean_ratio"),
        ("scheduling attempts", "scheduling_attempts"),
    ];
    let fmt = |name: &str| match report.summary.get(name) {
        Some(Figure::Float(f)) => format!("{f:.3}"),
        Some(f) => f.to_csv(),
        None => String::new(),
    };
    for (label, key) in rows {
        let value = match *key {
            "pending_p50_s" => format!("{} / {}", fmt("pending_p50_s"), fmt("pending_p99_s")),
            "startup_p50_s" => format!("{} / {}", fmt("startup_p50_s"), fmt("startup_p99_s")),
            k => fmt(k),
        };
        println!("  {label:<24} {value}");
    }
    println!("results in {}", out_dir.display());
}

/// Exit status 1 when any expectation fails; each failure is printed.
fn check_expectations(scenario: &Scenario, report: &RunReport, quiet: bool) -> i32 {
    let mut failed = 0;
    for e in &scenario.expectations {
        let value = report.summary.get(&e.metric).and_then(Figure::as_f64);
        let ok = match value {
            Some(v) => e.max.is_none_or(|m| v <= m) && e.min.is_none_or(|m| v >= m),
            None => false,
        };
        let bound = match (e.min, e.max) {
            (Some(lo), Some(hi)) => format!("within [{lo}, {hi}]"),
            (Some(lo), None) => format!(">= {lo}"),
            (None, Some(hi)) => format!("<= {hi}"),
            (None, None) => String::new(),
        };
        let shown = value.map_or("no value".to_string(), |v| format!("{v}"));
        if !ok {
            failed += 1;
            eprintln!(
                "expectation failed: {} = {shown}, expected {bound}",
                e.metric
            );
        } else if !quiet {
            println!("expectation met: {} = {shown} ({bound})", e.metric);
        }
    }
    if failed > 0 {
        EXIT_EXPECTATION_FAILED
    } else {
        EXIT_OK
    }
}

/// A progress bar that appears only when a run takes more than half a second.
#[derive(Clone)]
pub struct Progress {
    inner: Arc<Mutex<ProgressState>>,
}

struct ProgressState {
    started: Instant,
    bar: Option<indicatif::ProgressBar>,
    end_s: Option<u64>,
}

fn progress_reporter(scenario: &Scenario) -> Progress {
    Progress {
        inner: Arc::new(Mutex::new(ProgressState {
            started: Instant::now(),
            bar: None,
            end_s: scenario.duration.map(|d| d.0 / 1_000_000),
        })),
    }
}

impl crate::sim::ProgressSink for Progress {
    fn update(&self, now: SimTime, events: u64) {
        let mut st = self.inner.lock().expect("progress lock");
        if st.bar.is_none() {
            if st.started.elapsed() < Duration::from_millis(500) {
                return;
            }
            let bar = match st.end_s {
                Some(end) => {
                    let b = indicatif::ProgressBar::new(end.max(1));
                    b.set_style(
                        indicatif::ProgressStyle::with_template(
                            "{bar:40} {pos}/{len} simulated s  {msg}  eta {eta}",
                        )
                        .expect("template"),
                    );
                    b
                }
                None => indicatif::ProgressBar::new_spinner(),
            };
            st.bar = Some(bar);
        }
        let bar = st.bar.as_ref().expect("bar");
        bar.set_position(now.0 / 1_000_000);
        bar.set_message(format!("{events} events"));
    }
}

impl Progress {
    fn finish(&self) {
        if let Some(bar) = self.inner.lock().expect("progress lock").bar.take() {
            bar.finish_and_clear();
        }
    }
}
