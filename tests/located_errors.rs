//! Every error names where it is: file:line:column and field for a problem in
//! an input, the path for an I/O error; and a long value is quoted by a short
//! prefix. Each test is named after what used to be reported without a place.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::kubesim;

fn scratch(name: &str) -> common::Scratch {
    common::Scratch::new(&format!("located-{name}"))
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs `kubesim ARGS`, expects exit status 2 and returns stderr.
fn invalid(args: &[&str]) -> String {
    let o = kubesim(args);
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
    stderr
}

const POOL: &str =
    "nodePools:\n  - name: a\n    count: 1\n    capacity: {cpu: \"4\", memory: 8Gi}\n";

#[test]
fn invalid_utf8_in_a_scenario_names_line_and_column() {
    let dir = scratch("utf8-scenario");
    let path = dir.join("bad.yaml");
    // Line 5: `# é` then the bad byte, the 4th character of the line.
    let mut text = POOL.as_bytes().to_vec();
    text.extend_from_slice(b"# \xc3\xa9\xff\n");
    std::fs::write(&path, text).unwrap();
    let stderr = invalid(&["validate", s(&path)]);
    assert!(
        stderr.contains(&format!(
            "{}:5:4: the scenario file is not valid UTF-8: byte 0xff",
            path.display()
        )),
        "{stderr}"
    );
}

#[test]
fn invalid_utf8_in_a_manifest_file_and_a_sweep_file_names_line_and_column() {
    let dir = scratch("utf8-manifest");
    let manifest = dir.join("pods.yaml");
    std::fs::write(
        &manifest,
        b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: w\xe9b\n",
    )
    .unwrap();
    let scenario = dir.join("s.yaml");
    std::fs::write(
        &scenario,
        format!("{POOL}workloads:\n  - file: pods.yaml\n"),
    )
    .unwrap();
    let stderr = invalid(&["validate", s(&scenario)]);
    assert!(
        stderr.contains(&format!(
            "{}:4:10: the manifest file is not valid UTF-8",
            manifest.display()
        )),
        "{stderr}"
    );

    let sweep = dir.join("sweep.yaml");
    std::fs::write(&sweep, b"base: s.yaml\nreplications: 2\n# \xfe\n").unwrap();
    let stderr = invalid(&["sweep", s(&sweep), "--out", s(&dir.join("out")), "--quiet"]);
    assert!(
        stderr.contains(&format!(
            "{}:3:3: the sweep file is not valid UTF-8",
            sweep.display()
        )),
        "{stderr}"
    );
    assert!(!dir.join("out").exists());
}

#[test]
fn invalid_utf8_in_a_trace_names_line_and_column() {
    let dir = scratch("utf8-trace");
    let traces = concat!(env!("CARGO_MANIFEST_DIR"), "/traces/openb");
    let mut pods = std::fs::read(format!("{traces}/openb_pod_list_default.csv")).unwrap();
    pods.truncate(pods.iter().position(|b| *b == b'\n').unwrap() + 1);
    pods.extend_from_slice(b"openb-pod-\x80,1,1,0,0,,Running,LS,0,,\n");
    std::fs::write(dir.join("pods.csv"), pods).unwrap();
    let scenario = dir.join("replay.yaml");
    std::fs::write(
        &scenario,
        format!("gpuReplay:\n  nodes: {traces}/openb_node_list_gpu_node.csv\n  pods: pods.csv\n  policy: FGD\n"),
    )
    .unwrap();
    let stderr = invalid(&["validate", s(&scenario)]);
    assert!(
        stderr.contains(&format!(
            "{}:2:11: the trace file is not valid UTF-8",
            dir.join("pods.csv").display()
        )),
        "{stderr}"
    );
}

#[test]
fn an_empty_or_comment_only_scenario_is_a_located_error() {
    let dir = scratch("empty");
    for (name, text) in [
        ("empty.yaml", ""),
        ("comments.yaml", "# nothing here\n\n# yet\n"),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let stderr = invalid(&["validate", s(&path)]);
        assert!(
            stderr.contains(&format!(
                "{}:1:1: the file holds no scenario (it is empty or only comments); a scenario needs at least nodes",
                path.display()
            )),
            "{stderr}"
        );
    }
}

#[test]
fn a_missing_trace_is_reported_at_the_scenario_line_that_names_it() {
    let dir = scratch("missing-trace");
    let traces = concat!(env!("CARGO_MANIFEST_DIR"), "/traces/openb");
    let replay = dir.join("replay.yaml");
    std::fs::write(
        &replay,
        format!("name: r\ngpuReplay:\n  nodes: {traces}/openb_node_list_gpu_node.csv\n  pods: nope.csv\n  policy: FGD\n"),
    )
    .unwrap();
    let stderr = invalid(&["validate", s(&replay)]);
    assert!(
        stderr.contains(&format!(
            "{}:4:9: gpuReplay.pods: cannot read the trace file {}: ",
            replay.display(),
            dir.join("nope.csv").display()
        )),
        "{stderr}"
    );
    let fillup = dir.join("fillup.yaml");
    std::fs::write(
        &fillup,
        "gpuFillUp:\n  nodes: missing-nodes.csv\n  pods: missing-pods.csv\n",
    )
    .unwrap();
    let stderr = invalid(&["validate", s(&fillup)]);
    assert!(
        stderr.contains(&format!(
            "{}:2:10: gpuFillUp.nodes: cannot read the trace file",
            fillup.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{}:3:9: gpuFillUp.pods: cannot read the trace file",
            fillup.display()
        )),
        "{stderr}"
    );
}

#[test]
fn a_sweep_io_error_names_its_path() {
    let dir = scratch("sweep-io");
    let base = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/capacity-base.yaml");
    let sweep = dir.join("sweep.yaml");
    std::fs::write(
        &sweep,
        format!(
            "base: {base}\nreplications: 1\naxes:\n  - path: nodePools[0].count\n    values: [9]\n"
        ),
    )
    .unwrap();
    // The output directory lies under a file: looking at it fails with
    // "Not a directory", which used to be printed without a path.
    let taken = dir.join("taken");
    std::fs::write(&taken, "not a directory").unwrap();
    let out = taken.join("out");
    let stderr = invalid(&["sweep", s(&sweep), "--out", s(&out), "--quiet"]);
    assert!(
        stderr.contains(&format!("error: {}: ", out.display())),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&taken).unwrap(), "not a directory");
}

#[test]
fn a_long_value_is_quoted_by_a_short_prefix_and_rejected_quickly() {
    let dir = scratch("long");
    let long = "a".repeat(2_000_000);
    for (name, text) in [
        // An unknown kind (its "did you mean" used to compare all 2 MB with each kind).
        ("kind.yaml", format!("{POOL}workloads:\n  - apiVersion: v1\n    kind: {long}\n")),
        ("duration.yaml", format!("{POOL}duration: {long}\n")),
        ("field.yaml", format!("{POOL}{long}: 1\n")),
        ("label.yaml", format!("{POOL}workloads:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {{name: p, labels: {{\"{long}\": x}}}}\n    spec: {{containers: [{{name: c, image: i}}]}}\n")),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let started = Instant::now();
        let stderr = invalid(&["validate", s(&path)]);
        let took = started.elapsed();
        assert!(took < Duration::from_secs(10), "{name}: {took:?}");
        for line in stderr.lines() {
            assert!(line.len() < 600, "{name}: a {}-byte line: {}", line.len(), &line[..600]);
        }
        assert!(stderr.contains(&format!("{}:", path.display())), "{stderr}");
    }
}

#[test]
fn add_nodes_with_a_huge_count_is_an_error_not_a_panic() {
    // Found by the fuzzer: `addNodes.count` was unbounded and the nodes were
    // made while decoding, so 2^63-1 aborted with "capacity overflow".
    let dir = scratch("add-nodes");
    let path = dir.join("s.yaml");
    std::fs::write(
        &path,
        format!(
            "{POOL}actions:\n  - at: 1m\n    addNodes: {{pool: a, count: 9223372036854775807}}\n"
        ),
    )
    .unwrap();
    let stderr = invalid(&["validate", s(&path)]);
    assert!(
        stderr.contains(&format!(
            "{}:7:32: actions[0].addNodes.count: expected at most 999999 nodes (a scenario holds at most 1000000 nodes in all, pools and addNodes together), found 9223372036854775807",
            path.display()
        )),
        "{stderr}"
    );
}
