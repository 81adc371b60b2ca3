//! `kubesim run` and `validate` on GPU fill-up scenarios: exit codes, the
//! files written, and malformed trace rows reported at file:line:column.

mod common;

use std::path::Path;

use common::kubesim;

fn scratch(name: &str) -> common::Scratch {
    common::Scratch::new(&format!("gpu-cli-{name}"))
}

const NODES: &str =
    "sn,cpu_milli,memory_mib,gpu,model\nn0,64000,262144,4,T4\nn1,96000,786432,8,G2\n";
const POD_HEADER: &str = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n";

fn scenario(dir: &Path, pods: &str, extra: &str) -> String {
    std::fs::write(dir.join("nodes.csv"), NODES).unwrap();
    std::fs::write(dir.join("pods.csv"), format!("{POD_HEADER}{pods}")).unwrap();
    let path = dir.join("fill.yaml");
    std::fs::write(
        &path,
        format!("name: fill\nseed: 5\ngpuFillUp:\n  nodes: nodes.csv\n  pods: pods.csv\n  replications: 2\n{extra}"),
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

const PODS: &str = "p0,4000,8192,1,500,,LS,Running,0,100,0\np1,8000,16384,2,1000,T4,BE,Failed,5,50,6\np2,2000,4096,0,0,,BE,Pending,7,,\n";

#[test]
fn fillup_run_writes_tables_and_charts_and_is_deterministic() {
    let dir = scratch("run");
    let s = scenario(&dir, PODS, "  policies: [FGD, BestFit]\n");
    let a = dir.join("a");
    let b = dir.join("b");
    for out in [&a, &b] {
        let o = kubesim(&["run", &s, "--out", out.to_str().unwrap(), "--quiet"]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    for f in [
        "runs.csv",
        "comparison.csv",
        "failed_pods.csv",
        "curves.csv",
        "curves_mean.csv",
        "manifest.json",
        "charts/allocation.png",
        "charts/allocation.svg",
    ] {
        let x = std::fs::read(a.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(
            x,
            std::fs::read(b.join(f)).unwrap(),
            "{f} differs between two runs"
        );
    }
    // The manifest names both trace files with the SHA-256 of their bytes.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(a.join("manifest.json")).unwrap()).unwrap();
    let inputs = manifest["inputs"].as_array().expect("inputs");
    let pods = format!("{POD_HEADER}{PODS}");
    for (input, (file, text)) in inputs
        .iter()
        .zip([("nodes.csv", NODES), ("pods.csv", &pods)])
    {
        assert!(input["path"].as_str().unwrap().ends_with(file), "{input}");
        let sha = kubesim::input::source::sha256_hex(text.as_bytes());
        assert_eq!(input["sha256"], sha.as_str());
    }
    assert_eq!(inputs.len(), 2);
    let runs = std::fs::read_to_string(a.join("runs.csv")).unwrap();
    // 2 policies × 2 replications, in scenario order.
    let policies: Vec<&str> = runs
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(policies, ["FGD", "FGD", "BestFit", "BestFit"]);
    let o = kubesim(&["validate", &s]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout)
        .contains("valid fill-up scenario (2 nodes, 3 trace pods"));
}

#[test]
fn malformed_trace_rows_exit_2_with_their_position() {
    for (name, pods, expect) in [
        (
            "missing",
            "p0,4000,8192,1,500,,LS,Running,0,100\n",
            "pods.csv:2:37: scheduled_time: missing column",
        ),
        (
            "negative",
            "p0,4000,-8192,1,500,,LS,Running,0,100,0\n",
            "pods.csv:2:9: memory_mib: negative value -8192",
        ),
        (
            "model",
            "p0,4000,8192,1,500,A100,LS,Running,0,100,0\n",
            "pods.csv:2:20: gpu_spec: unknown GPU model \"A100\"",
        ),
    ] {
        let dir = scratch(name);
        let s = scenario(&dir, pods, "");
        let o = kubesim(&["run", &s, "--out", dir.join("out").to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(expect), "{name}: {err}");
        assert!(
            !dir.join("out").exists(),
            "{name}: no results on invalid input"
        );
    }
}

#[test]
fn bad_scenario_field_exits_2() {
    let dir = scratch("field");
    let s = scenario(&dir, PODS, "  policies: [FDG]\n");
    let o = kubesim(&["validate", &s]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "fill.yaml:7:14: gpuFillUp.policies[0]: unknown value \"FDG\" (did you mean `FGD`?)"
        ),
        "{err}"
    );
}

#[test]
fn replay_of_a_generic_trace_writes_pods_with_their_gpus() {
    let dir = scratch("replay");
    std::fs::write(dir.join("nodes.csv"), NODES).unwrap();
    // a and b share GPU 0 of the T4 node (best fit); c needs the whole G2
    // node's 8 GPUs and waits until 100, when d (4 GPUs) leaves.
    std::fs::write(
        dir.join("trace.csv"),
        "submit_time,run_time,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,priority,owner,name\n\
         0,500,1000,1024,1,500,T4,0,web,a\n\
         5,500,1000,1024,1,300,T4,0,web,b\n\
         0,100,1000,1024,4,,G2,0,train,d\n\
         10,500,1000,1024,8,1000,G2,1,train,c\n",
    )
    .unwrap();
    let path = dir.join("replay.yaml");
    std::fs::write(&path, "name: r\ngpuReplay:\n  nodes: nodes.csv\n  genericPods: trace.csv\n  policy: BestFit\n  sampleIntervalSeconds: 10\n").unwrap();
    let out = dir.join("out");
    let o = kubesim(&[
        "run",
        path.to_str().unwrap(),
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
    let pods = std::fs::read_to_string(out.join("pods.csv")).unwrap();
    let rows: Vec<&str> = pods.lines().collect();
    assert_eq!(
        rows[0],
        "pod,owner,priority,num_gpu,gpu_milli,created_s,scheduled_s,deleted_s,node,gpus"
    );
    assert_eq!(rows[1], "a,web,0,1,500,0,0,500,n0,0");
    assert_eq!(rows[2], "b,web,0,1,300,5,5,505,n0,0");
    assert_eq!(rows[3], "d,train,0,4,1000,0,0,100,n1,0-1-2-3");
    assert_eq!(rows[4], "c,train,1,8,1000,10,100,510,n1,0-1-2-3-4-5-6-7");
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(
        summary
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("BestFit,4,4,0,0,90,90,90,"),
        "{summary}"
    );
}

#[test]
fn fillup_without_gpus_exits_2_at_the_node_list_field_and_writes_nothing() {
    // Every figure of a fill-up is a share of the GPU capacity: with none,
    // runs.csv, comparison.csv and curves*.csv used to get inf and NaN.
    let dir = scratch("no-gpus");
    let s = scenario(&dir, PODS, "");
    std::fs::write(
        dir.join("nodes.csv"),
        "sn,cpu_milli,memory_mib,gpu,model\nn0,64000,262144,0,\nn1,96000,786432,0,\n",
    )
    .unwrap();
    let out = dir.join("out");
    let run = ["run", &s, "--out", out.to_str().unwrap(), "--quiet"];
    for args in [&["validate", &s][..], &run[..]] {
        let command = args[0];
        let o = kubesim(args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{command}: {err}");
        assert!(
            err.contains("fill.yaml:4:10: gpuFillUp.nodes: the node list ")
                && err.contains("has no GPU (2 node(s), `gpu` 0 on every one); a fill-up needs at least one GPU node"),
            "{command}: {err}"
        );
        assert!(!out.exists(), "{command}: no results on invalid input");
    }
}
