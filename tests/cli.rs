//! The `kubesim` binary: exit codes, output files, atomic writes, determinism.

mod common;

use std::path::Path;

use common::kubesim;

fn scratch(name: &str) -> common::Scratch {
    common::Scratch::new(&format!("cli-{name}"))
}

fn quickstart() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/quickstart.yaml").to_string()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn run_writes_every_file_of_the_contract() {
    let dir = scratch("contract");
    let out = dir.join("q");
    let o = kubesim(&[
        "run",
        &quickstart(),
        "--out",
        out.to_str().unwrap(),
        "--explain",
        "train-0",
        "--quiet",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let header = |f: &str| read(&out.join(f)).lines().next().unwrap().to_string();
    assert_eq!(
        header("pods.csv"),
        "pod,namespace,owner_kind,owner,node,priority,created_s,scheduled_s,started_s,ready_s,finished_s,deleted_s,phase,reason,restarts,scheduling_attempts,backoff_s,container_reason,gpus,ready_to_start_containers_s,initialized_s,containers_ready_s,nominated_node"
    );
    assert_eq!(
        header("nodes.csv"),
        "time_s,node,condition,unschedulable,taints,pods,cpu_requested_millis,memory_requested_bytes,cpu_allocated_ratio,memory_allocated_ratio"
    );
    assert_eq!(
        header("events.csv"),
        "time_s,kind,object,reason,message,count,first_s"
    );
    assert!(header("timeseries.csv").starts_with("time_s,nodes_ready,"));
    assert!(header("timeseries.csv").contains("pods_pending,pods_running,"));
    assert!(header("timeseries.csv")
        .ends_with("cpu_allocated_ratio,memory_allocated_ratio,node_hours,cost"));
    assert!(header("summary.csv").starts_with("pods_created,"));
    assert_eq!(
        header("decisions.csv"),
        "time_s,pod,node,stage,plugin,code,status,score,normalized_score,weighted_score"
    );
    assert!(read(&out.join("decisions.csv"))
        .lines()
        .skip(1)
        .all(|l| l.split(',').nth(1) == Some("train-0")));
    assert_eq!(
        header("decisions_summary.csv"),
        "time_s,pod,attempt,stage,plugin,code,reason,nodes,rank,node,score,normalized_score,weighted_score"
    );
    let summary = read(&out.join("decisions_summary.csv"));
    assert!(summary.lines().count() > 1);
    assert!(summary
        .lines()
        .skip(1)
        .all(|l| l.split(',').nth(1) == Some("train-0")));
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&out.join("manifest.json"))).unwrap();
    assert_eq!(manifest["seed"], 42);
    assert_eq!(manifest["scenario"]["sha256"].as_str().unwrap().len(), 64);
    // Without --explain there is no decisions.csv.
    let o = kubesim(&[
        "run",
        &quickstart(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(!out.join("decisions.csv").exists());
}

#[test]
fn two_processes_write_byte_identical_results() {
    let dir = scratch("determinism");
    for name in ["a", "b"] {
        let o = kubesim(&[
            "run",
            &quickstart(),
            "--out",
            dir.join(name).to_str().unwrap(),
            "--quiet",
            "--explain",
            "all",
        ]);
        assert_eq!(o.status.code(), Some(0));
    }
    for f in [
        "manifest.json",
        "pods.csv",
        "events.csv",
        "timeseries.csv",
        "summary.csv",
        "decisions.csv",
    ] {
        assert!(
            read(&dir.join("a").join(f)) == read(&dir.join("b").join(f)),
            "{f} differs"
        );
    }
}

#[test]
fn invalid_input_exits_2_with_positions_and_writes_nothing() {
    let dir = scratch("invalid");
    let scenario = dir.join("bad.yaml");
    std::fs::write(
        &scenario,
        "name: bad\nnodePools:\n  - name: n\n    count: 1\n    capacity: {cpu: lots}\n",
    )
    .unwrap();
    let out = dir.join("out");
    let o = kubesim(&[
        "run",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("bad.yaml:5:21: nodePools[0].capacity.cpu: "),
        "{stderr}"
    );
    assert!(!out.exists());
    let o = kubesim(&["validate", dir.join("missing.yaml").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot read the scenario file"));
    let o = kubesim(&["run"]);
    assert_eq!(o.status.code(), Some(2), "usage errors exit 2");
}

#[test]
fn failed_expectation_exits_1_after_writing_results() {
    let dir = scratch("expectation");
    let scenario = dir.join("slo.yaml");
    std::fs::write(
        &scenario,
        "nodePools: [{name: n, count: 1, capacity: {cpu: '1', memory: 1Gi}}]\n\
         workloads:\n\
         \x20 - {apiVersion: v1, kind: Pod, metadata: {name: a, annotations: {kubesim.io/run-time: 60s}}, spec: {restartPolicy: Never, containers: [{name: c, image: x, resources: {requests: {cpu: '1'}}}]}}\n\
         \x20 - {apiVersion: v1, kind: Pod, metadata: {name: b, annotations: {kubesim.io/run-time: 60s}}, spec: {restartPolicy: Never, containers: [{name: c, image: x, resources: {requests: {cpu: '1'}}}]}}\n\
         expectations: [{metric: pending_max_s, max: 30}]\n",
    )
    .unwrap();
    let out = dir.join("out");
    let o = kubesim(&[
        "run",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("expectation failed: pending_max_s = 60"));
    assert!(out.join("summary.csv").exists());
}

#[test]
fn unwritable_output_exits_2_and_leaves_no_temporary_files() {
    let dir = scratch("unwritable");
    let blocker = dir.join("file");
    std::fs::write(&blocker, "not a directory").unwrap();
    let out = blocker.join("results");
    let o = kubesim(&[
        "run",
        &quickstart(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot write results"));
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("file")]);
}

#[test]
fn invalid_scheduler_configuration_file_exits_2_naming_file_line_and_field() {
    let dir = scratch("schedconfig");
    std::fs::write(
        dir.join("config.yaml"),
        "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n\
         profiles:\n  - schedulerName: default-scheduler\n    plugins:\n      score:\n        \
         enabled:\n          - {name: NodeResourcesFitt}\n          - {name: ImageLocality, weight: 101}\n    \
         pluginConfig:\n      - name: InterPodAffinity\n        args: {hardPodAffinityWeight: 101}\n",
    )
    .unwrap();
    let scenario = dir.join("s.yaml");
    std::fs::write(
        &scenario,
        "name: s\nnodePools: [{name: n, count: 1, capacity: {cpu: \"1\"}}]\nscheduler: {file: config.yaml}\n\
         workloads:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p}\n    spec:\n      \
         topologySpreadConstraints: [{maxSkew: 0, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]\n      \
         containers: [{name: c, image: busybox}]\n",
    )
    .unwrap();
    let o = kubesim(&["validate", scenario.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    for expected in [
        "config.yaml:8:20: profiles[0].plugins.score.enabled[0].name: unknown plugin \"NodeResourcesFitt\" (did you mean `NodeResourcesFit`?)",
        "config.yaml:9:43: profiles[0].plugins.score.enabled[1].weight: expected a weight from 1 to 100, found 101",
        "config.yaml:12:39: profiles[0].pluginConfig[0].args.hardPodAffinityWeight: expected a weight from 0 to 100, found 101",
        "s.yaml:9:45: workloads[0].spec.topologySpreadConstraints[0].maxSkew: must be greater than zero, found 0",
    ] {
        assert!(stderr.contains(expected), "missing {expected:?} in:\n{stderr}");
    }
}

#[test]
fn invalid_lifecycle_specs_exit_2_with_positions() {
    let dir = scratch("lifecycle");
    let scenario = dir.join("probes.yaml");
    std::fs::write(
        &scenario,
        "nodePools: [{name: n, count: 1, capacity: {cpu: '1', memory: 1Gi}}]\n\
         workloads:\n\
         \x20 - apiVersion: v1\n\
         \x20   kind: Pod\n\
         \x20   metadata: {name: p}\n\
         \x20   spec:\n\
         \x20     initContainers: [{name: i, image: x, livenessProbe: {exec: {command: [x]}}}]\n\
         \x20     containers: [{name: c, image: x, imagePullPolicy: Sometimes, readinessProbe: {tcpSocket: {port: 1}, failureThreshold: -3}}]\n",
    )
    .unwrap();
    let o = kubesim(&["validate", scenario.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    for expected in [
        "probes.yaml:7:59: workloads[0].spec.initContainers[0].livenessProbe: may not be set for init containers without restartPolicy=Always",
        "probes.yaml:8:57: workloads[0].spec.containers[0].imagePullPolicy: unknown value \"Sometimes\"; expected one of: Always, IfNotPresent, Never",
        "probes.yaml:8:125: workloads[0].spec.containers[0].readinessProbe.failureThreshold: must be greater than or equal to 0, found -3",
    ] {
        assert!(stderr.contains(expected), "missing {expected:?} in:\n{stderr}");
    }
}

/// The annotated scenario of docs/scenario-format.md says it is a complete,
/// valid file: it is, given the files it names (a Node list, a Pod file, an
/// arrival's template, a pod trace).
#[test]
fn the_documented_scenario_example_is_valid() {
    let doc = read(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/scenario-format.md"
    )));
    let section = &doc[doc.find("# Scenario format").expect("the section")..];
    let start = section.find("```yaml\n").expect("a yaml block") + "```yaml\n".len();
    let example = &section[start..start + section[start..].find("```").unwrap()];
    let dir = scratch("readme-example");
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: extra}\nspec: {containers: [{name: c, image: c}]}\n";
    std::fs::write(dir.join("example.yaml"), example).unwrap();
    std::fs::write(dir.join("pods.yaml"), pod).unwrap();
    std::fs::write(dir.join("burst.yaml"), pod).unwrap();
    std::fs::write(
        dir.join("pods.csv"),
        "creation_time_s,name,cpu,template\n0,trace-0,250m,web\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("nodes.yaml"),
        "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Node\n    metadata: {name: big-0}\n    status: {capacity: {cpu: \"16\", memory: 64Gi}}\n",
    )
    .unwrap();
    let o = kubesim(&["validate", dir.join("example.yaml").to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn invalid_api_latency_exits_2_naming_the_hop() {
    let dir = scratch("api-latency");
    let scenario = dir.join("latency.yaml");
    std::fs::write(
        &scenario,
        "name: latency\napiLatency:\n  bind: -5ms\n  statusUpdate: later\n",
    )
    .unwrap();
    let o = kubesim(&["validate", scenario.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    for expected in [
        "latency.yaml:3:9: apiLatency.bind: \"-5ms\" is not a distribution",
        "latency.yaml:4:17: apiLatency.statusUpdate: \"later\" is not a distribution",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }
}

#[test]
fn main_with_args_runs_in_process_as_the_binary_does() {
    // benches/day.rs times `kubesim run` through this entry point.
    let dir = scratch("in-process");
    let (a, b) = (dir.join("a"), dir.join("b"));
    let args = [
        "kubesim",
        "run",
        &quickstart(),
        "--out",
        a.to_str().unwrap(),
        "--quiet",
    ];
    assert_eq!(kubesim::cli::main_with_args(args), kubesim::cli::EXIT_OK);
    let o = kubesim(&[
        "run",
        &quickstart(),
        "--out",
        b.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(0));
    for f in ["pods.csv", "events.csv", "summary.csv", "timeseries.csv"] {
        assert_eq!(read(&a.join(f)), read(&b.join(f)), "{f}");
    }
    let missing = dir.join("missing.yaml");
    let args = ["kubesim", "run", missing.to_str().unwrap(), "--quiet"];
    assert_eq!(
        kubesim::cli::main_with_args(args),
        kubesim::cli::EXIT_INVALID
    );
}

#[test]
fn the_one_day_benchmark_scenarios_are_valid() {
    for (file, nodes) in [("day.yaml", 10_000), ("day-workloads.yaml", 10_000)] {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/").to_string() + file;
        let o = kubesim(&["validate", &path]);
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{file}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            stdout.contains(&format!("valid ({nodes} nodes")),
            "{file}: {stdout}"
        );
    }
}

/// `--events all` writes a row per occurrence; the default, `api`, one row
/// per Event object whose counts add up to the same occurrences.
#[test]
fn events_all_writes_every_occurrence_and_api_counts_them() {
    let dir = scratch("events");
    let q = quickstart();
    let (api, all) = (dir.join("api"), dir.join("all"));
    for (out, mode) in [(&api, "api"), (&all, "all")] {
        let o = kubesim(&[
            "run",
            &q,
            "--out",
            out.to_str().unwrap(),
            "--events",
            mode,
            "--quiet",
        ]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let manifest: serde_json::Value =
            serde_json::from_str(&read(&out.join("manifest.json"))).unwrap();
        assert_eq!(manifest["options"]["events"], mode);
    }
    let rows = |dir: &Path| -> Vec<csv::StringRecord> {
        let mut r = csv::Reader::from_path(dir.join("events.csv")).unwrap();
        r.records().map(|r| r.unwrap()).collect()
    };
    let (api, all) = (rows(&api), rows(&all));
    assert!(all.iter().all(|r| &r[5] == "1" && r[6] == r[0]));
    let occurrences: u64 = api.iter().map(|r| r[5].parse::<u64>().unwrap()).sum();
    assert_eq!(occurrences, all.len() as u64);
    assert!(api.len() < all.len());
    // The pod that never fits: 309 attempts, one Event.
    let too_big: Vec<_> = api.iter().filter(|r| &r[2] == "default/too-big").collect();
    assert_eq!(too_big.len(), 1);
    assert_eq!((&too_big[0][5], &too_big[0][6]), ("309", "0"));
}
