//! GPU sharing in the event-driven simulation: the GpuShare filter, the
//! devices recorded at bind and released when a pod ends (the invariant
//! checker recomputes every GPU's share after every event).

use super::{errors, events_of, run};

const NODE_POOL: &str = r#"
nodePools:
  - name: t4
    count: 1
    capacity: {cpu: "32", memory: 64Gi, nvidia.com/gpu: "2"}
    labels: {kubesim.io/gpu-model: T4}
"#;

fn pod(name: &str, annotations: &str, run_time: &str) -> String {
    format!(
        r#"  - apiVersion: v1
    kind: Pod
    metadata: {{name: {name}, annotations: {{kubesim.io/run-time: {run_time}, {annotations}}}}}
    spec:
      restartPolicy: Never
      containers: [{{name: c, image: cuda, resources: {{requests: {{cpu: "1", memory: 1Gi}}}}}}]
"#
    )
}

#[test]
fn sharing_pods_fill_gpus_and_a_whole_gpu_pod_waits_for_a_free_one() {
    // Two T4 GPUs. a (0.6) takes GPU 0; b (0.5) does not fit beside it and
    // takes GPU 1; c (0.4) fits beside a on GPU 0 (best fit: 400 free there).
    // w wants a whole GPU: none is free until b ends at 30 s; it then gets GPU 1.
    let yaml = format!(
        "duration: 100s\n{NODE_POOL}workloads:\n{}{}{}{}",
        pod("a", "kubesim.io/gpu-milli: \"600\"", "60s"),
        pod("b", "kubesim.io/gpu-milli: \"500\"", "30s"),
        pod(
            "c",
            "kubesim.io/gpu-milli: \"400\", kubesim.io/gpu-models: T4|A10",
            "60s"
        ),
        pod(
            "w",
            "kubesim.io/gpu-milli: \"1000\", kubesim.io/gpu-count: \"1\"",
            "10s"
        ),
    );
    let report = run(&yaml);
    let devices: Vec<(String, u8)> = report
        .state
        .pods()
        .iter()
        .map(|p| (p.pod.metadata.name.clone(), p.gpu_devices))
        .collect();
    assert_eq!(
        devices,
        [
            ("a".into(), 0b01),
            ("b".into(), 0b10),
            ("c".into(), 0b01),
            ("w".into(), 0b10)
        ]
    );
    let w = events_of(&report, "default/w");
    assert_eq!(w[0].1, "FailedScheduling");
    assert_eq!(
        w[0].2,
        "0/1 nodes are available: 1 node(s) had insufficient GPU share. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
    );
    let bound = w.iter().find(|e| e.1 == "Scheduled").unwrap();
    assert_eq!(bound.0, 30.0);
    // pods.csv's `gpus` column names the devices each pod held.
    let mut csv = Vec::new();
    crate::metrics::writers::write_pods(&mut csv, &report.state).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let column = csv
        .lines()
        .next()
        .unwrap()
        .split(',')
        .position(|h| h == "gpus");
    let gpus: Vec<String> = csv
        .lines()
        .map(|l| l.split(',').nth(column.unwrap()).unwrap().to_string())
        .collect();
    assert_eq!(gpus, ["gpus", "0", "1", "0", "1"]);
}

#[test]
fn a_gpu_model_constraint_is_unresolvable_elsewhere() {
    let yaml = format!(
        "duration: 10s\n{NODE_POOL}workloads:\n{}",
        pod(
            "v",
            "kubesim.io/gpu-milli: \"100\", kubesim.io/gpu-models: V100M16",
            "5s"
        ),
    );
    let report = run(&yaml);
    let v = events_of(&report, "default/v");
    assert_eq!(
        v[0].2,
        "0/1 nodes are available: 1 node(s) didn't match the Pod's GPU model. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."
    );
}

#[test]
fn bad_gpu_annotations_are_input_errors() {
    let e = errors(&format!(
        "{NODE_POOL}workloads:\n{}",
        pod("x", "kubesim.io/gpu-milli: \"1500\"", "5s")
    ));
    assert!(e.contains("metadata.annotations.kubesim.io/gpu-milli: found \"1500\"; expected an integer from 1 to 1000"), "{e}");
    let e = errors(&format!(
        "{NODE_POOL}workloads:\n{}",
        pod(
            "y",
            "kubesim.io/gpu-milli: \"500\", kubesim.io/gpu-count: \"2\"",
            "5s"
        )
    ));
    assert!(e.contains("only a one-GPU pod may share a GPU"), "{e}");
}

#[test]
fn gpu_packing_in_a_profile_fills_a_shared_gpu_first() {
    // Two T4 nodes (2 GPUs each). Without GPU scoring, LeastAllocated and
    // BalancedAllocation spread the two 0.3 pods over both nodes; with
    // GpuPacking (weight 10) the second pod joins the first on its GPU
    // (score 100 − 70/10 = 93 against 33 − 2 = 31 on the idle node).
    let profile = r#"
scheduler:
  profiles:
    - schedulerName: default-scheduler
      plugins:
        score:
          enabled: [{name: GpuPacking, weight: 10}]
"#;
    let pool = NODE_POOL.replace("count: 1", "count: 2");
    let pods = format!(
        "{}{}",
        pod("p0", "kubesim.io/gpu-milli: \"300\"", "60s"),
        pod("p1", "kubesim.io/gpu-milli: \"300\"", "60s")
    );
    // GpuBestFit (less cpu and GPU left after placement) packs the same way.
    // (GpuDotProduct scores both nodes 99 here: upstream truncates to integers.)
    for plugin in ["GpuPacking", "GpuBestFit"] {
        let profile = profile.replace("GpuPacking", plugin);
        let with = run(&format!("duration: 10s\n{pool}{profile}workloads:\n{pods}"));
        let nodes: Vec<(Option<u32>, u8)> = with
            .state
            .pods()
            .iter()
            .map(|p| (p.node.map(|n| n.0), p.gpu_devices))
            .collect();
        assert_eq!(nodes[0].0, nodes[1].0, "{plugin}: packed on one node");
        assert_eq!(
            (nodes[0].1, nodes[1].1),
            (0b01, 0b01),
            "{plugin}: on one GPU"
        );
    }
    let without = run(&format!("duration: 10s\n{pool}workloads:\n{pods}"));
    let spread: Vec<Option<u32>> = without
        .state
        .pods()
        .iter()
        .map(|p| p.node.map(|n| n.0))
        .collect();
    assert_ne!(spread[0], spread[1], "LeastAllocated spreads");
    // An unknown GPU plugin name is an input error with a hint.
    let e = errors(&format!(
        "{pool}scheduler:\n  profiles:\n    - plugins:\n        score:\n          enabled: [{{name: GpuPaking}}]\n"
    ));
    assert!(e.contains("did you mean `GpuPacking`?"), "{e}");
}

#[test]
fn gpu_clustering_puts_pods_beside_pods_of_their_shape() {
    // Two T4 nodes. s0 (share) lands somewhere; w0 (one whole GPU) avoids
    // s0's node (band 0) for the idle one (band 1); s1 (share) joins s0
    // (band 3, only share-gpu pods there). The tag counts are checked after
    // every event by the invariant checker.
    let profile = "scheduler:\n  profiles:\n    - plugins:\n        score:\n          enabled: [{name: GpuClustering, weight: 10}]\n";
    let pool = NODE_POOL.replace("count: 1", "count: 2");
    let pods = [
        pod("s0", "kubesim.io/gpu-milli: \"300\"", "60s"),
        pod("w0", "kubesim.io/gpu-milli: \"1000\"", "60s"),
        pod("s1", "kubesim.io/gpu-milli: \"300\"", "60s"),
    ]
    .concat();
    let report = run(&format!("duration: 10s\n{pool}{profile}workloads:\n{pods}"));
    let node = |i: usize| report.state.pods()[i].node.map(|n| n.0);
    assert_ne!(node(0), node(1));
    assert_eq!(node(0), node(2));
    let n = node(0).unwrap() as usize;
    assert_eq!(report.state.node_usages()[n].gpus.pods_by_tag[0], 2);
}

#[test]
fn fgd_in_a_profile_keeps_the_share_that_typical_pods_can_use() {
    // One T4 node with 2 GPUs; typical pods are all 0.5 GPU. a (0.5) and b
    // (0.3) arrive: best fit would put b beside a on GPU 0 (200 left, too
    // small for a typical pod); FGD puts b on GPU 1, where 700 stays usable
    // (placing it on GPU 0 leaves a 200 fragment: score 45 against 50).
    let profile = r#"scheduler:
  profiles:
    - plugins:
        score:
          enabled: [{name: FGD, weight: 10}]
      pluginConfig:
        - name: FGD
          args:
            typicalPods: [{cpu: "1", gpuMilli: 500, weight: 1}]
"#;
    let pods = [
        pod("a", "kubesim.io/gpu-milli: \"500\"", "60s"),
        pod("b", "kubesim.io/gpu-milli: \"300\"", "60s"),
    ]
    .concat();
    let with = run(&format!(
        "duration: 10s\n{NODE_POOL}{profile}workloads:\n{pods}"
    ));
    let devices: Vec<u8> = with.state.pods().iter().map(|p| p.gpu_devices).collect();
    assert_eq!(devices, [0b01, 0b10]);
    let without = run(&format!("duration: 10s\n{NODE_POOL}workloads:\n{pods}"));
    let devices: Vec<u8> = without.state.pods().iter().map(|p| p.gpu_devices).collect();
    assert_eq!(devices, [0b01, 0b01], "GpuShare alone packs by best fit");
    let e = errors(&format!(
        "{NODE_POOL}{}",
        profile.replace("gpuMilli: 500", "gpuMilli: 5000")
    ));
    assert!(
        e.contains("pluginConfig[0].args.typicalPods[0].gpuMilli: found 5000; expected 1 to 1000"),
        "{e}"
    );
}
