//! The `kubesim sweep` and `kubesim merge` commands: exit codes, output
//! files, resumption and shards through the binary.

mod common;

use std::path::{Path, PathBuf};

use common::kubesim;

fn scratch(name: &str) -> common::Scratch {
    common::Scratch::new(&format!("sweep-cli-{name}"))
}

/// A small sweep over the example's base scenario (12 runs), for tests that
/// run several sweeps in a debug build.
fn small(dir: &Path) -> String {
    let base = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/capacity-base.yaml");
    let path = dir.join("small.yaml");
    std::fs::write(
        &path,
        format!(
            "# Small.\nbase: {base}\nreplications: 3\naxes:\n  - path: nodePools[0].count\n    name: nodes\n    values: [9, 12]\n  - path: scheduler.profiles[0].pluginConfig[0].args.scoringStrategy.type\n    name: strategy\n    values: [LeastAllocated, MostAllocated]\nconstraints:\n  - {{metric: pending_p99_s, max: 30}}\nobjective: {{minimize: nodes}}\n"
        ),
    )
    .unwrap();
    s(&path).to_string()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_sweep_answers_and_its_shards_merge_to_the_same_bytes() {
    let dir = scratch("example");
    let whole = dir.join("whole");
    let sweep = small(&dir);
    let o = kubesim(&[
        "sweep",
        &sweep,
        "--out",
        s(&whole),
        "--jobs",
        "2",
        "--quiet",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.starts_with("answer: the grid point with the smallest nodes"),
        "{stdout}"
    );
    let shards: Vec<PathBuf> = (0..3).map(|i| dir.join(format!("s{i}"))).collect();
    for (i, d) in shards.iter().enumerate() {
        let shard = format!("{i}/3");
        let o = kubesim(&["sweep", &sweep, "--out", s(d), "--shard", &shard, "--quiet"]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let merged = dir.join("merged");
    let mut args = vec!["merge"];
    args.extend(shards.iter().map(|d| s(d)));
    args.extend(["--out", s(&merged), "--quiet"]);
    let o = kubesim(&args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for f in ["sweep.json", "runs.csv", "aggregate.csv", "answer.csv"] {
        assert_eq!(read(&whole.join(f)), read(&merged.join(f)), "{f}");
    }
}

#[test]
fn a_sweep_resumes_after_run_files_are_lost() {
    let dir = scratch("resume");
    let out = dir.join("out");
    let sweep = small(&dir);
    let args = ["sweep", &sweep, "--out", s(&out), "--jobs", "1"];
    assert_eq!(kubesim(&args).status.code(), Some(0));
    let before = read(&out.join("aggregate.csv"));
    std::fs::remove_file(out.join("runs/000003.csv")).unwrap();
    std::fs::remove_file(out.join("aggregate.csv")).unwrap();
    let o = kubesim(&args);
    assert_eq!(o.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("finished: 1 run(s)"), "{stdout}");
    assert!(stdout.contains("(11 already done)"), "{stdout}");
    assert_eq!(read(&out.join("aggregate.csv")), before);
}

#[test]
fn bad_sweep_files_exit_2_with_positions_and_write_nothing() {
    let dir = scratch("bad");
    let base = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/capacity-base.yaml");
    std::fs::copy(base, dir.join("capacity-base.yaml")).unwrap();
    let sweep = dir.join("bad.yaml");
    std::fs::write(
        &sweep,
        "base: capacity-base.yaml\naxes:\n  - path: nodePools[0].count\n    range: {from: 1, to: 3, step: 0}\n  - path: arrivals[0].rate\n    values: []\n",
    )
    .unwrap();
    let out = dir.join("out");
    let o = kubesim(&["sweep", s(&sweep), "--out", s(&out)]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    let file = s(&sweep);
    assert!(
        stderr.contains(&format!(
            "error: {file}:4:35: axes[0].range.step: the step is 0"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "error: {file}:6:13: axes[1].values: the axis has no values"
        )),
        "{stderr}"
    );
    assert!(!out.exists());
}

#[test]
fn no_feasible_point_exits_1() {
    let dir = scratch("infeasible");
    let base = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/capacity-base.yaml");
    std::fs::copy(base, dir.join("capacity-base.yaml")).unwrap();
    let sweep = dir.join("tight.yaml");
    std::fs::write(
        &sweep,
        "base: capacity-base.yaml\nreplications: 2\naxes:\n  - path: nodePools[0].count\n    values: [2, 3]\nconstraints:\n  - {metric: pending_p99_s, max: 1}\n",
    )
    .unwrap();
    let o = kubesim(&["sweep", s(&sweep), "--out", s(&dir.join("out")), "--quiet"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("no grid point meets every constraint"));
    assert!(dir.join("out/answer.csv").exists());
}

#[test]
fn plot_draws_run_and_sweep_charts_identically_twice() {
    let dir = scratch("plot");
    let run = dir.join("run");
    let base = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/capacity-base.yaml");
    assert_eq!(
        kubesim(&["run", base, "--out", s(&run), "--quiet"])
            .status
            .code(),
        Some(0)
    );
    let sweep = dir.join("sweep");
    let o = kubesim(&["sweep", &small(&dir), "--out", s(&sweep), "--quiet"]);
    assert_eq!(o.status.code(), Some(0));
    for (d, expected) in [
        (
            &run,
            &["pods", "allocation", "startup_cdf", "scheduling_attempts"][..],
        ),
        (
            &sweep,
            &["sweep_pending_p99_s", "sweep_cpu_allocated_mean_ratio"][..],
        ),
    ] {
        let o = kubesim(&["plot", s(d)]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let first: Vec<Vec<u8>> = expected
            .iter()
            .flat_map(|stem| ["png", "svg"].map(|ext| d.join(format!("charts/{stem}.{ext}"))))
            .map(|p| std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
            .collect();
        assert!(first[0].starts_with(b"\x89PNG"));
        assert_eq!(kubesim(&["plot", s(d)]).status.code(), Some(0));
        let second: Vec<Vec<u8>> = expected
            .iter()
            .flat_map(|stem| ["png", "svg"].map(|ext| d.join(format!("charts/{stem}.{ext}"))))
            .map(|p| std::fs::read(p).unwrap())
            .collect();
        assert!(
            first == second,
            "charts of {} differ between two plots",
            d.display()
        );
    }
    let o = kubesim(&["plot", s(&dir)]);
    assert_eq!(o.status.code(), Some(2));

    // The report is self-contained: charts inline, the answer stated.
    for d in [&run, &sweep] {
        let o = kubesim(&["report", s(d)]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let html = read(&d.join("report.html"));
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(
            html.contains("<img alt=") && html.contains("src=\"data:image/png;base64,iVBORw0KGgo")
        );
        assert!(!html.contains("src=\"charts/"), "no external images");
        assert_eq!(kubesim(&["report", s(d)]).status.code(), Some(0));
        assert_eq!(
            read(&d.join("report.html")),
            html,
            "same results, same report"
        );
    }
    let html = read(&sweep.join("report.html"));
    assert!(html.contains("<h2>The answer</h2>"));
    // Each interval says how it was computed.
    assert!(html.contains("<code>ci95_method</code>"));
    let aggregate = read(&sweep.join("aggregate.csv"));
    assert!(aggregate
        .lines()
        .next()
        .unwrap()
        .contains(",ci95_low,ci95_high,ci95_method,min,max"));
    assert!(aggregate.contains(",t,") || aggregate.contains(",bootstrap,"));
    assert!(html.contains(
        "The grid point with the smallest nodes that meets every constraint: nodes = 12, strategy = MostAllocated."
    ));
}
