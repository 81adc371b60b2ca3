//! The limits of src/limits.rs, through the binary: crossing one is a quick,
//! located error (exit 2), never a hang, an abort or a runaway allocation.

mod common;

use std::fs;
use std::process::Output;
use std::time::{Duration, Instant};

use common::kubesim_in;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const POOL: &str =
    "nodePools:\n  - name: n\n    count: 1\n    capacity: {cpu: \"4\", memory: 8Gi}\n";

#[test]
fn devices_directories_and_invalid_utf8_are_refused_quickly() {
    let dir = common::Scratch::new("limits-files");
    fs::write(dir.join("bad.yaml"), b"name: a\nseed: \xff\n").unwrap();
    for (cmd, path, expect) in [
        ("run", "/dev/zero", "not a regular file"),
        ("validate", "/dev/zero", "not a regular file"),
        ("sweep", "/dev/zero", "not a regular file"),
        ("run", ".", "not a regular file"),
        (
            "validate",
            "bad.yaml",
            "bad.yaml:2:7: the scenario file is not valid UTF-8",
        ),
        (
            "sweep",
            "bad.yaml",
            "bad.yaml:2:7: the sweep file is not valid UTF-8",
        ),
    ] {
        let started = Instant::now();
        let o = kubesim_in(&dir, &[cmd, path]);
        assert!(started.elapsed() < Duration::from_secs(10), "{cmd} {path}");
        assert_eq!(o.status.code(), Some(2), "{cmd} {path}: {}", stderr(&o));
        assert!(stderr(&o).contains(expect), "{cmd} {path}: {}", stderr(&o));
    }
    assert_eq!(fs::read_dir(&*dir).unwrap().count(), 1, "nothing written");
}

#[test]
fn node_counts_are_capped_for_the_whole_scenario() {
    let dir = common::Scratch::new("limits-nodes");
    // addNodes.count 2^31: refused at its field, before any node is made.
    let add = format!(
        "name: s\nduration: 1m\n{POOL}actions:\n  - at: 1s\n    addNodes: {{pool: n, count: 2147483648}}\n"
    );
    fs::write(dir.join("add.yaml"), add).unwrap();
    let o = kubesim_in(&dir, &["validate", "add.yaml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("add.yaml:9:32: actions[0].addNodes.count"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("at most 999999 nodes"),
        "{}",
        stderr(&o)
    );
    // Two pools of 600 000: the second crosses the limit of 1 000 000 in all
    // (the limit used to hold per pool only).
    let mut pools = String::from("name: s\nduration: 1m\nnodePools:\n");
    for i in 0..2 {
        pools += &format!(
            "  - name: p{i}\n    count: 600000\n    capacity: {{cpu: \"4\", memory: 8Gi}}\n"
        );
    }
    fs::write(dir.join("pools.yaml"), pools).unwrap();
    let o = kubesim_in(&dir, &["validate", "pools.yaml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("pools.yaml:8:12: nodePools[1].count: expected at most 400000 nodes"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn sweep_threads_are_capped_at_the_runs_and_the_cpus() {
    let dir = common::Scratch::new("limits-jobs");
    fs::write(dir.join("s.yaml"), format!("name: s\nduration: 1m\n{POOL}")).unwrap();
    fs::write(
        dir.join("sw.yaml"),
        "name: sw\nbase: s.yaml\naxes:\n  - path: nodePools[0].count\n    values: [1, 2]\n",
    )
    .unwrap();
    let o = kubesim_in(&dir, &["sweep", "sw.yaml", "--jobs", "10000"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let jobs: usize = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("jobs"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!((1..=2).contains(&jobs), "{stdout}");
}
