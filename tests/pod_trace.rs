//! `kubesim run` with a pod trace: the pods are created at the rows' times
//! and run for the rows' run times; a malformed trace exits 2 with the
//! row's file, line, column and column name, and writes nothing; the
//! bundled example regenerates its committed results byte for byte.

mod common;

use common::{kubesim, Scratch};
use std::path::Path;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const SCENARIO: &str = "name: traced\nseed: 3\n\
    nodePools: [{name: n, count: 1, capacity: {cpu: \"2\", memory: 4Gi}}]\n\
    podTraces:\n  - file: pods.csv\n    start: 10s\n";

/// pods.csv's (pod, node, created_s, started_s, finished_s, phase) rows.
fn outcomes(out: &Path) -> Vec<String> {
    let text = read(&out.join("pods.csv"));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let wanted = [
        "pod",
        "node",
        "created_s",
        "started_s",
        "finished_s",
        "phase",
    ]
    .map(col);
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            wanted.map(|i| cells[i]).join(" ")
        })
        .collect()
}

#[test]
fn trace_pods_are_created_at_their_times_and_run_for_their_run_times() {
    let dir = Scratch::new("pod-trace-run");
    std::fs::write(dir.join("s.yaml"), SCENARIO).unwrap();
    // The node has 2 CPUs: c waits for a to finish at 10 + 0.25 + 5.5.
    std::fs::write(
        dir.join("pods.csv"),
        "creation_time_s,name,cpu,run_time_s,exit_code\n\
         0.25,a,1500m,5.5,\n\
         1.125,b,500m,2,1\n\
         1.125,c,1,0.000001,\n",
    )
    .unwrap();
    let out = dir.join("out");
    let o = kubesim(&[
        "run",
        dir.join("s.yaml").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        outcomes(&out),
        [
            "a n-0 10.25 10.25 15.75 Succeeded",
            "b n-0 11.125 11.125 13.125 Failed",
            "c n-0 11.125 15.75 15.750001 Succeeded",
        ]
    );
}

#[test]
fn a_malformed_trace_exits_2_with_the_located_problem() {
    let dir = Scratch::new("pod-trace-bad");
    std::fs::write(dir.join("s.yaml"), SCENARIO).unwrap();
    std::fs::write(
        dir.join("pods.csv"),
        "creation_time_s,name,cpu\n0,a,1\n2,b,1\n1,c,2x\n",
    )
    .unwrap();
    let out = dir.join("out");
    let scenario = dir.join("s.yaml");
    let trace = dir.join("pods.csv").display().to_string();
    for args in [
        vec![
            "run",
            scenario.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        vec!["validate", scenario.to_str().unwrap()],
    ] {
        let o = kubesim(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(
            stderr.contains(&format!(
                "error: {trace}:4:1: creation_time_s: found 1, earlier than 2 on line 3; expected rows in \
                 non-decreasing creation time (sort the file by this column)\n\
                 error: {trace}:4:5: cpu: \"2x\" is not a quantity: unknown suffix \"x\""
            )),
            "{stderr}"
        );
        assert!(!out.exists(), "a failed run wrote {}", out.display());
    }
}

#[test]
fn the_bundled_example_regenerates_its_committed_results() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = Scratch::new("pod-trace-bundled");
    let out = dir.join("out");
    let scenario = root.join("scenarios/pod-trace.yaml");
    let o = kubesim(&[
        "run",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for file in [
        "pods.csv",
        "events.csv",
        "timeseries.csv",
        "summary.csv",
        "nodes.csv",
    ] {
        let committed = read(&root.join("results/pod-trace").join(file));
        assert!(
            committed == read(&out.join(file)),
            "{file} differs from results/pod-trace/{file}"
        );
    }
}
