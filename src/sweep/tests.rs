//! Whole-sweep tests: loading with errors that point into the sweep file,
//! determinism across thread counts, shards and resumption.

use super::*;
use crate::tests::scratch::Scratch;

const BASE: &str = "\
# Base: two nodes and a stream of pods.
name: tiny
seed: 3
duration: 20m
nodePools:
  - name: node
    count: 2
    capacity: {cpu: \"4\", memory: 8Gi}
arrivals:
  - name: web
    process: poisson
    rate: 0.05
    until: 15m
    template:
      apiVersion: v1
      kind: Pod
      metadata: {labels: {app: web}}
      spec:
        restartPolicy: Never
        containers:
          - name: app
            image: app:1
            resources: {requests: {cpu: \"1\", memory: 1Gi}}
behaviour:
  - runTime: exponential(3m)
scheduler:
  profiles:
    - schedulerName: default-scheduler
      pluginConfig:
        - name: NodeResourcesFit
          args:
            scoringStrategy:
              type: LeastAllocated
";

const SWEEP: &str = "\
# How many nodes?
base: base.yaml
replications: 3
axes:
  - path: nodePools[0].count
    name: nodes
    values: [1, 2, 3]
  - path: scheduler.profiles[0].pluginConfig[0].args.scoringStrategy.type
    name: strategy
    values: [LeastAllocated, MostAllocated]
constraints:
  - {metric: pending_p99_s, max: 30}
objective: {minimize: nodes}
";

/// A fresh directory holding base.yaml and s.yaml (`sweep` as its text).
fn setup(name: &str, sweep: &str) -> Scratch {
    let dir = Scratch::new(&format!("sweep-{name}"));
    fs::write(dir.join("base.yaml"), BASE).unwrap();
    fs::write(dir.join("s.yaml"), sweep).unwrap();
    dir
}

struct Quiet;
impl RunProgress for Quiet {
    fn run_done(&self) {}
}
impl Progress for Quiet {
    fn start(&self, _: usize, _: usize) {}
}

fn sweep_into(dir: &Path, out: &str, options: Options) -> Outcome {
    let sweep = load(&dir.join("s.yaml")).unwrap();
    run(&sweep, &dir.join(out), &options, &Quiet).unwrap()
}

fn jobs(n: usize) -> Options {
    Options {
        jobs: n,
        ..Options::default()
    }
}

/// Every file of a result directory, by relative path.
fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.push((rel, fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn errors_of(dir: &Path) -> String {
    match load(&dir.join("s.yaml")) {
        Ok(_) => String::new(),
        Err(d) => d.to_string().replace(&dir.display().to_string(), "D"),
    }
}

#[test]
fn one_thread_and_two_threads_write_the_same_bytes() {
    let dir = setup("threads", SWEEP);
    let a = sweep_into(&dir, "one", jobs(1));
    let b = sweep_into(&dir, "two", jobs(2));
    assert_eq!((a.planned, a.executed, b.executed), (18, 18, 18));
    let (one, two) = (contents(&dir.join("one")), contents(&dir.join("two")));
    assert!(one.iter().any(|(p, _)| p == "aggregate.csv"));
    assert_eq!(one, two);
    let runs = String::from_utf8(fs::read(dir.join("one/runs.csv")).unwrap()).unwrap();
    assert!(runs.starts_with("run,point,nodes,strategy,replication,seed,pods_created,"));
    assert_eq!(runs.lines().count(), 19);
}

#[test]
fn merged_shards_equal_the_unsharded_sweep() {
    let dir = setup("shards", SWEEP);
    sweep_into(&dir, "whole", jobs(2));
    let mut shard_dirs = Vec::new();
    for i in 0..4 {
        let name = format!("shard-{i}");
        let o = sweep_into(
            &dir,
            &name,
            Options {
                jobs: 1,
                shard: Some(Shard { index: i, count: 4 }),
                max_new_runs: None,
            },
        );
        assert!(o.finished.is_none());
        assert_eq!(o.planned, if i < 2 { 5 } else { 4 });
        shard_dirs.push(dir.join(name));
    }
    // Merging with a shard missing names the missing runs.
    let e = shard::merge(&shard_dirs[..3], &dir.join("partial"))
        .err()
        .unwrap();
    assert!(e.to_string().contains("runs 3, 7, 11, 15"), "{e}");
    shard::merge(&shard_dirs, &dir.join("merged")).unwrap();
    assert_eq!(contents(&dir.join("merged")), contents(&dir.join("whole")));
}

#[test]
fn an_interrupted_sweep_resumes_without_rerunning_completed_runs() {
    let dir = setup("resume", SWEEP);
    sweep_into(&dir, "whole", jobs(2));
    // Interrupted after 7 runs: no tables yet.
    let first = sweep_into(
        &dir,
        "resumed",
        Options {
            jobs: 2,
            shard: None,
            max_new_runs: Some(7),
        },
    );
    assert_eq!((first.executed, first.finished.is_some()), (7, false));
    assert!(!dir.join("resumed/runs.csv").exists());
    // A half-written temporary file from a killed run is cleaned up.
    fs::write(dir.join("resumed/runs/.000009.csv.tmp-1"), "pods_cre").unwrap();
    // Mark a completed run: a resumed sweep must keep it, not redo it.
    let marked = run::run_file(&dir.join("resumed"), 0);
    let kept = fs::read(&marked).unwrap();
    let second = sweep_into(&dir, "resumed", jobs(1));
    assert_eq!((second.reused, second.executed), (7, 11));
    assert_eq!(fs::read(&marked).unwrap(), kept);
    assert_eq!(contents(&dir.join("resumed")), contents(&dir.join("whole")));
    // Deleting run files redoes exactly those.
    fs::remove_file(run::run_file(&dir.join("resumed"), 4)).unwrap();
    fs::remove_file(run::run_file(&dir.join("resumed"), 17)).unwrap();
    let third = sweep_into(&dir, "resumed", jobs(2));
    assert_eq!((third.reused, third.executed), (16, 2));
    assert_eq!(contents(&dir.join("resumed")), contents(&dir.join("whole")));
}

#[test]
fn a_changed_sweep_is_not_resumed_into_old_results() {
    let dir = setup("changed", SWEEP);
    sweep_into(&dir, "out", jobs(2));
    fs::write(
        dir.join("s.yaml"),
        SWEEP.replace("replications: 3", "replications: 4"),
    )
    .unwrap();
    let sweep = load(&dir.join("s.yaml")).unwrap();
    let e = run(&sweep, &dir.join("out"), &jobs(1), &Quiet)
        .err()
        .unwrap();
    assert!(
        e.to_string()
            .contains("holds the results of a different sweep"),
        "{e}"
    );
    // A shard directory is not resumed as the whole sweep either.
    let o = Options {
        jobs: 1,
        shard: Some(Shard { index: 0, count: 2 }),
        max_new_runs: None,
    };
    run(&sweep, &dir.join("s0"), &o, &Quiet).unwrap();
    let e = run(&sweep, &dir.join("s0"), &jobs(1), &Quiet)
        .err()
        .unwrap();
    assert!(
        e.to_string()
            .contains("holds shard 0/2, not the whole sweep"),
        "{e}"
    );
}

#[test]
fn replications_share_seeds_across_points() {
    let dir = setup("seeds", SWEEP);
    sweep_into(&dir, "out", jobs(2));
    let runs = String::from_utf8(fs::read(dir.join("out/runs.csv")).unwrap()).unwrap();
    let rows: Vec<Vec<&str>> = runs
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    for r in &rows {
        // Column 4 is the replication, 5 the seed.
        assert_eq!(r[5], rows[r[4].parse::<usize>().unwrap()][5]);
        assert_eq!(
            r[5],
            grid::replication_seed(3, r[4].parse().unwrap()).to_string()
        );
    }
    // Same seed and size, different policy: the same pods are created.
    assert_eq!(rows[0][6], rows[3][6]);
}

#[test]
fn an_unknown_field_path_points_at_the_sweep_file() {
    let dir = setup(
        "unknown",
        &SWEEP.replace("nodePools[0].count", "nodePools[0].cout"),
    );
    assert_eq!(
        errors_of(&dir),
        "D/s.yaml:5:11: nodePools[0]: unknown field `cout` (did you mean `count`?); expected one of: name, count, capacity, allocatable, labels, taints, zones, unschedulable, pricePerHour, capacityType, autoscaling"
    );
}

#[test]
fn an_index_past_the_end_points_at_the_sweep_file() {
    let dir = setup(
        "index",
        &SWEEP.replace("nodePools[0].count", "nodePools[2].count"),
    );
    assert_eq!(
        errors_of(&dir),
        "D/s.yaml:5:11: axes[0].path: `nodePools` has 1 item(s), so index [2] is out of range"
    );
}

#[test]
fn a_value_the_scenario_rejects_points_at_the_value() {
    let sweep = SWEEP
        .replace("values: [1, 2, 3]", "values: [1, two, 3]")
        .replace("objective: {minimize: nodes}\n", "");
    let dir = setup("value", &sweep);
    let e = errors_of(&dir);
    assert!(
        e.starts_with("D/s.yaml:7:17: nodePools[0].count: expected"),
        "{e}"
    );
    assert_eq!(e.lines().count(), 1, "{e}");
}

#[test]
fn the_bundled_example_sweep_is_valid() {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/sweeps/capacity.yaml"
    ));
    let sweep = load(path).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(sweep.index.n_runs(), 260);
    assert_eq!(sweep.index.columns, ["nodes", "strategy"]);
}

#[test]
fn the_failure_resilience_sweep_finds_the_largest_deployment_a_zone_outage_leaves_room_for() {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/sweeps/resilience.yaml"
    ));
    let sweep = load(path).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(sweep.index.columns, ["replicas", "outage"]);
    let out = Scratch::new("sweep-resilience");
    run(&sweep, &out, &Options::default(), &Quiet).unwrap();
    // 8 surviving nodes of 8 cpu hold 32 replicas of 2 cpu: up to 32 the
    // evicted replicas are replaced about 50 s + 300 s after the zone goes,
    // beyond that the rest wait for the zone to return.
    let answer = fs::read_to_string(out.join("answer.csv")).unwrap();
    let chosen: Vec<&str> = answer
        .lines()
        .filter(|l| l.contains(",true,true,true,"))
        .collect();
    assert_eq!(chosen.len(), 1, "{answer}");
    assert!(chosen[0].contains(",32,10m,"), "{answer}");
    let mean_recovery = |replicas: &str, outage: &str| -> f64 {
        let row = answer
            .lines()
            .find(|l| {
                l.contains(&format!(
                    ",{replicas},{outage},fault_time_to_recover_max_s,"
                ))
            })
            .unwrap_or_else(|| panic!("{answer}"));
        row.split(',').nth(5).unwrap().parse().unwrap()
    };
    assert!((350.0..450.0).contains(&mean_recovery("32", "30m")));
    // Zone back after 30 minutes: recovered then, not before.
    assert!((1800.0..1900.0).contains(&mean_recovery("36", "30m")));
    let _ = fs::remove_dir_all(&out);
}

/// The fixed-versus-autoscaled batch sweep: a fixed pool needs 3 nodes of
/// 8 cpu for 10 two-cpu pods at a time (2 leave pods waiting a whole run
/// time, over the 180 s SLO), the autoscaled pool meets it from none at a
/// third of the cost. Two replications here, ten in the committed results.
#[test]
fn a_fixed_batch_pool_needs_three_nodes_and_costs_more_than_the_autoscaled_one() {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/sweeps/batch-pools.yaml"
    ));
    let mut sweep = load(path).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(sweep.index.columns, ["variant", "nodes"]);
    assert_eq!(sweep.index.n_runs(), 120);
    sweep.index.replications = 2;
    let out = Scratch::new("sweep-batch-pools");
    run(&sweep, &out, &Options::default(), &Quiet).unwrap();
    let answer = fs::read_to_string(out.join("answer.csv")).unwrap();
    // The smallest start per variant that meets the SLO (`group_best`).
    let group_best: Vec<String> = answer
        .lines()
        .filter(|l| l.split(',').nth(12) == Some("true"))
        .map(|l| l.split(',').take(3).collect::<Vec<_>>().join(","))
        .collect();
    assert_eq!(group_best, ["3,fixed,3", "6,autoscaled,0"], "{answer}");
    let aggregate = fs::read_to_string(out.join("aggregate.csv")).unwrap();
    let cost = |point: &str| -> f64 {
        let row = aggregate
            .lines()
            .find(|l| l.starts_with(&format!("{point},")) && l.contains(",cost,"))
            .unwrap_or_else(|| panic!("{aggregate}"));
        row.split(',').nth(5).unwrap().parse().unwrap()
    };
    // 3 batch nodes and the system node for 11 hours at 0.38 and 0.19.
    assert!((cost("3") - 14.63).abs() < 1e-6, "{aggregate}");
    assert!(cost("6") < cost("3") / 2.0, "{aggregate}");
    let _ = fs::remove_dir_all(&out);
}
