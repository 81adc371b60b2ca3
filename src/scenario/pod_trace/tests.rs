use crate::metrics::writers::{write_events, write_pods};
use crate::scenario::decode::load_str;
use crate::scenario::Scenario;
use crate::sim::{simulate, RunOptions, RunReport};
use crate::tests::scratch::Scratch;
use std::path::Path;

const NODES: &str = "nodePools: [{name: n, count: 2, capacity: {cpu: \"4\", memory: 8Gi}}]\n";

/// A scenario file and its trace in a fresh directory, loaded.
fn load(dir: &Path, yaml: &str, csv: &str) -> Result<Scenario, String> {
    std::fs::write(dir.join("pods.csv"), csv).unwrap();
    load_str("s.yaml", yaml, dir, "s")
        .map(|l| l.scenario)
        .map_err(|d| d.to_string())
}

fn run(s: &Scenario) -> RunReport {
    let options = RunOptions {
        check_invariants: true,
        ..Default::default()
    };
    simulate(s, s.seed, &options)
}

fn pods_csv(r: &RunReport) -> String {
    let mut out = Vec::new();
    write_pods(&mut out, &r.state).unwrap();
    String::from_utf8(out).unwrap()
}

fn events_csv(r: &RunReport) -> String {
    let mut out = Vec::new();
    write_events(&mut out, &r.recorder.events).unwrap();
    String::from_utf8(out).unwrap()
}

const TEMPLATE: &str = "    templates:
      - apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: apps, labels: {app: web, tier: fe}, annotations: {kubesim.io/run-time: 1h}}
        spec:
          priorityClassName: low
          tolerations: [{key: dedicated, operator: Exists}]
          containers:
            - {name: app, image: nginx:1.27, resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 1Gi}}}
            - {name: side, image: envoy:1.30}
";

const CLASSES: &str = "workloads:
  - {apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {name: low}, value: 10}
  - {apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {name: high}, value: 1000}
";

#[test]
fn a_row_overrides_its_template_and_keeps_the_rest() {
    let dir = Scratch::new("pod-trace-template");
    // The template restarts its containers (restartPolicy Always): the run is cut short.
    let yaml = format!("{NODES}{CLASSES}duration: 200s\npodTraces:\n  - file: pods.csv\n    start: 100s\n{TEMPLATE}");
    let csv = "creation_time_s,name,namespace,labels,cpu,memory_limit,priority_class,run_time_s,exit_code,template\n\
               0.5,w-0,,tier=be;zone=a,250m,,,,,web\n\
               2.25,w-1,team,,,512Mi,high,7.5,3,web\n\
               3,bare,,,1,,,,,\n";
    let s = load(&dir, &yaml, csv).unwrap();
    assert_eq!(s.pod_traces[0].rows, 3);
    let r = run(&s);
    let pod = |name: &str| {
        let e = r
            .state
            .pods()
            .iter()
            .find(|e| e.pod.metadata.name == name)
            .unwrap();
        (e, &e.pod)
    };
    let (e0, w0) = pod("w-0");
    // The template's namespace, its labels merged under the row's, its tolerations.
    assert_eq!(w0.metadata.namespace, "apps");
    let labels: Vec<_> = w0
        .metadata
        .labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    assert_eq!(labels, ["app=web", "tier=be", "zone=a"]);
    assert!(w0.spec.tolerations.iter().any(|t| t.key == "dedicated"));
    // The row's cpu request; the template's memory request and limit.
    let c = &w0.spec.containers[0];
    assert_eq!(
        (c.requests.cpu_millis, c.requests.memory_bytes),
        (250, 64 << 20)
    );
    assert_eq!(c.limits.memory_bytes, 1 << 30);
    // The template's class and run time (its annotation, for both containers).
    assert_eq!(w0.spec.priority, 10);
    let one_hour = crate::engine::distribution::Distribution::Constant(
        crate::engine::SimDuration::from_secs(3600),
    );
    assert_eq!(w0.spec.containers[1].behaviour.run_time, Some(one_hour));
    assert_eq!(e0.created, crate::engine::SimTime(100_500_000));

    let (e1, w1) = pod("w-1");
    assert_eq!(w1.metadata.namespace, "team");
    assert_eq!(w1.spec.priority, 1000);
    assert_eq!(w1.spec.priority_class_name.as_deref(), Some("high"));
    // A limit lowered by the row still holds the template's request.
    assert_eq!(w1.spec.containers[0].limits.memory_bytes, 512 << 20);
    for c in &w1.spec.containers {
        let b = &c.behaviour;
        let t = crate::engine::SimDuration(7_500_000);
        assert_eq!(
            (b.run_time.clone(), b.exit_code),
            (
                Some(crate::engine::distribution::Distribution::Constant(t)),
                3
            )
        );
    }
    assert_eq!(e1.created, crate::engine::SimTime(102_250_000));

    // Without a template: one container, restartPolicy Never, runs to the end.
    let (_, bare) = pod("bare");
    assert_eq!(bare.metadata.namespace, "default");
    assert_eq!(bare.spec.containers.len(), 1);
    assert_eq!(bare.spec.containers[0].requests.cpu_millis, 1000);
    assert_eq!(
        bare.spec.restart_policy,
        crate::model::pod::RestartPolicy::Never
    );
    assert_eq!(bare.spec.containers[0].behaviour.run_time, None);
}

#[test]
fn a_trace_pod_is_indistinguishable_from_an_arrivals_pod() {
    let dir = Scratch::new("pod-trace-arrival");
    let template = "{apiVersion: v1, kind: Pod, metadata: {labels: {app: b}, annotations: {kubesim.io/run-time: 30s}}, \
                    spec: {restartPolicy: Never, containers: [{name: main, image: busybox:1.36, resources: {requests: {cpu: 1500m, memory: 1Gi}}}]}}";
    let arrival = format!(
        "{NODES}arrivals:\n  - {{name: batch, process: times, times: [0s, 10s, 10s, 25s, 26s, 27s, 28s], start: 5s, template: {template}}}\n"
    );
    let named = template.replace("metadata: {", "metadata: {name: batch, ");
    let traced =
        format!("{NODES}podTraces:\n  - {{file: pods.csv, start: 5s, templates: [{named}]}}\n");
    let csv = "creation_time_s,name,template\n0,batch-0,batch\n10,batch-1,batch\n10,batch-2,batch\n25,batch-3,batch\n\
               26,batch-4,batch\n27,batch-5,batch\n28,batch-6,batch\n";
    let a = run(&load(&dir, &arrival, csv).unwrap());
    let t = run(&load(&dir, &traced, csv).unwrap());
    assert_eq!(pods_csv(&a).lines().count(), 8);
    assert_eq!(pods_csv(&a), pods_csv(&t));
    assert_eq!(events_csv(&a), events_csv(&t));
    assert_eq!(a.summary, t.summary);
}

#[test]
fn rows_that_cannot_become_pods_are_reported_at_their_cells() {
    let dir = Scratch::new("pod-trace-errors");
    let yaml = format!("{NODES}{CLASSES}podTraces:\n  - file: pods.csv\n{TEMPLATE}");
    let csv = "creation_time_s,name,cpu,cpu_limit,memory,priority_class,gpu_count,template\n\
               0,a,,,,,,nope\n\
               1,b,,,,middle,,\n\
               2,c,2,1,,,,\n\
               3,d,,,2Gi,,,web\n\
               4,e,,,,,2,\n";
    let e = load(&dir, &yaml, csv).unwrap_err();
    let file = dir.join("pods.csv").display().to_string();
    let expect = [
        format!("{file}:2:10: template: found \"nope\"; expected one of the templates: web"),
        format!("{file}:3:8: priority_class: no PriorityClass with name \"middle\" was found; defined: low, high, system-cluster-critical, system-node-critical"),
        format!("{file}:4:5: cpu: a cpu request of 2 must be less than or equal to the cpu limit of 1"),
        format!("{file}:5:7: memory: a memory request of 2147483648 must be less than or equal to the memory limit of 1073741824"),
        format!("{file}:6:9: gpu_count: kubesim.io/gpu-count and kubesim.io/gpu-models need kubesim.io/gpu-milli"),
    ];
    assert_eq!(e, expect.join("\n"));
}

#[test]
fn the_file_is_named_where_the_scenario_names_it_and_problems_are_capped() {
    let dir = Scratch::new("pod-trace-file");
    let yaml = format!("{NODES}podTraces:\n  - {{file: missing.csv, format: kubesim}}\n  - {{file: pods.csv, format: csv}}\n");
    let e = load(&dir, &yaml, "creation_time_s\n0\n").unwrap_err();
    let missing = dir.join("missing.csv").display().to_string();
    assert_eq!(
        e,
        format!(
            "s.yaml:3:12: podTraces[0].file: cannot read {missing}: No such file or directory (os error 2)\n\
             s.yaml:4:30: podTraces[1].format: unknown value \"csv\"; expected one of: kubesim, openb"
        )
    );
    // 150 bad rows: the first 100 problems, then how many more.
    let mut csv = String::from("creation_time_s\n");
    for _ in 0..150 {
        csv.push_str("x\n");
    }
    let yaml = format!("{NODES}podTraces: [{{file: pods.csv}}]\n");
    let e = load(&dir, &yaml, &csv).unwrap_err();
    let lines: Vec<&str> = e.lines().collect();
    assert_eq!(lines.len(), 101);
    assert!(
        lines[99].contains(":101:1: creation_time_s: found \"x\""),
        "{}",
        lines[99]
    );
    assert!(
        lines[100]
            .ends_with(":102:1: 50 more problem(s) from here on are not shown (the first 100 are)"),
        "{}",
        lines[100]
    );
}

#[test]
fn the_run_holds_one_pending_pod_per_trace() {
    let dir = Scratch::new("pod-trace-stream");
    // Pods of 1 s every 2 s, and a duration that stops the run half-way:
    // the rows after it are never read, and at most one pod is ever pending
    // creation (the store never holds a pod before its time).
    let mut csv = String::from("creation_time_s,cpu,run_time_s\n");
    for i in 0..100 {
        csv.push_str(&format!("{},100m,1\n", i * 2));
    }
    let yaml = format!("{NODES}duration: 99s\npodTraces: [{{file: pods.csv}}]\n");
    let s = load(&dir, &yaml, &csv).unwrap();
    let r = run(&s);
    assert_eq!(r.state.pods().iter().count(), 50);
    for e in r.state.pods().iter() {
        let i: u64 = e
            .pod
            .metadata
            .name
            .trim_start_matches("pods-")
            .parse()
            .unwrap();
        assert_eq!(e.created, crate::engine::SimTime::from_secs(i * 2));
        assert_eq!(
            e.finished,
            Some(crate::engine::SimTime::from_secs(i * 2 + 1))
        );
    }
    assert!(r.input_errors.is_empty());
}

#[test]
fn a_trace_changed_after_loading_fails_the_run_at_the_row() {
    let dir = Scratch::new("pod-trace-changed");
    let yaml = format!("{NODES}podTraces: [{{file: pods.csv}}]\n");
    let s = load(&dir, &yaml, "creation_time_s,cpu\n0,1\n1,1\n").unwrap();
    std::fs::write(dir.join("pods.csv"), "creation_time_s,cpu\n0,1\n1,1x\n").unwrap();
    let r = run(&s);
    let shown: Vec<String> = r.input_errors.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 1);
    assert!(
        shown[0].ends_with(":3:3: cpu: \"1x\" is not a quantity: unknown suffix \"x\" (expected a number with an optional suffix such as 100m, 0.5, 1Gi, 1G, 1e3) (the pod trace changed after the scenario was loaded)"),
        "{shown:?}"
    );
}

#[test]
fn the_openb_pod_list_runs_on_the_scenarios_gpu_nodes() {
    let dir = Scratch::new("pod-trace-openb");
    let yaml = "nodePools: [{name: g, count: 1, capacity: {cpu: \"32\", memory: 64Gi, nvidia.com/gpu: \"2\"}, \
                labels: {kubesim.io/gpu-model: T4}}]\n\
                podTraces: [{file: pods.csv, format: openb, start: 1s}]\n";
    let csv = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n\
               share-a,4000,8192,1,600,T4,LS,Running,0,100,0\n\
               share-b,4000,8192,1,600,,BE,Running,10,,10\n\
               cpu-only,1000,1024,0,0,,BE,Succeeded,20,50,20\n";
    let s = load(&dir, yaml, csv).unwrap();
    let r = run(&s);
    let out = pods_csv(&r);
    let rows: Vec<Vec<&str>> = out
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    // pod, created_s, finished_s, phase, gpus: the two shares of 600 cannot
    // share one GPU, so they hold one each; share-b runs to the end.
    let pick = |r: &Vec<&str>| format!("{} {} {} {} {}", r[0], r[6], r[10], r[12], r[18]);
    assert_eq!(
        rows.iter().map(pick).collect::<Vec<_>>(),
        [
            "share-a 1 101 Succeeded 0",
            "share-b 11  Running 1",
            "cpu-only 21 51 Succeeded "
        ]
    );
    let a = &r.state.pods().iter().next().unwrap().pod;
    assert_eq!(a.metadata.annotations["kubesim.io/gpu-models"], "T4");
    assert_eq!(a.spec.containers[0].requests.memory_bytes, 8 << 30);
}

/// The load-time check reports what building the pod would, row by row:
/// every kind of problem `build` finds, alone and together, on the bare pod
/// and on a template with requests, limits and a priority class.
#[test]
fn check_and_build_agree() {
    let dir = Scratch::new("pod-trace-check");
    let yaml = format!("{NODES}{CLASSES}podTraces:\n  - file: pods.csv\n{TEMPLATE}");
    let s = load(&dir, &yaml, "creation_time_s\n0\n").unwrap();
    let trace = &s.pod_traces[0];
    let csv = "creation_time_s,name,namespace,labels,cpu,memory,cpu_limit,memory_limit,extended,gpu_milli,gpu_count,gpu_models,priority_class,run_time_s,exit_code,template\n\
               0,a,,,,,,,,,,,,,,nope\n\
               0,b,,,,,,,,,,,middle,,,\n\
               0,c,,,2,,1,,,,,,,,,\n\
               0,,,,,2Gi,,,,,,,,,,web\n\
               0,e,,,,,,,,,2,,,,,\n\
               0,f,,,3,4Gi,2,1Gi,example.com/foo=2,,,,nope-class,5,1,\n\
               0,g,,,,,,,,500,1,,,,,web\n\
               0,h,,,,,500m,,,,,,low,,,web\n\
               0,i,,,100m,,,,,,,,high,1.5,0,web\n\
               0,j,,,,,,2Gi,,,,,,,,web\n\
               0,k,,,,,,,kubernetes.io/x=1,,,,,,,\n\
               0,l,,,,,,,,,,V100,,,,\n";
    let mut reader = crate::trace::pods::PodTraceReader::new(
        "pods.csv".into(),
        std::io::Cursor::new(csv),
        crate::trace::pods::TraceFormat::Kubesim,
    )
    .unwrap();
    let (mut checked_names, mut built_names) = (s.resource_names.clone(), s.resource_names.clone());
    let mut rows = 0;
    let mut failing = 0;
    while let Some(row) = reader.next_row() {
        let Ok(row) = row else { continue };
        rows += 1;
        let (mut checked, mut built) = (Vec::new(), Vec::new());
        trace.check(&row, &mut checked_names, &mut checked);
        let pod = trace.build(&row, &mut built_names, &mut built);
        assert_eq!(checked, built, "line {}", row.line);
        assert_eq!(pod.is_none(), !built.is_empty(), "line {}", row.line);
        failing += usize::from(!built.is_empty());
    }
    assert_eq!((rows, failing), (11, 7));
    assert_eq!(checked_names, built_names);
}

#[test]
fn a_pod_name_is_taken_once_per_namespace_across_traces_and_manifests() {
    let dir = Scratch::new("pod-trace-names");
    std::fs::write(dir.join("more.csv"), "creation_time_s,name\n0,m\n5,x\n").unwrap();
    let yaml = format!(
        "{NODES}workloads:\n  - {{apiVersion: v1, kind: Pod, metadata: {{name: m}}, spec: {{containers: [{{name: c, image: i}}]}}}}\n\
         podTraces:\n  - file: pods.csv\n  - file: more.csv\n"
    );
    // `x` twice in one namespace, even though the first is long gone when
    // the second comes (as for Pod manifests); `x` in another namespace is
    // another pod; `pods-3` is what the row without a name is called.
    let csv = "creation_time_s,name,namespace,run_time_s\n\
               0,x,,1\n\
               10,x,,1\n\
               11,x,other,1\n\
               12,,,1\n\
               13,pods-3,,1\n";
    let e = load(&dir, &yaml, csv).unwrap_err();
    let file = dir.join("pods.csv").display().to_string();
    let more = dir.join("more.csv").display().to_string();
    let tail = "pod names must be unique in their namespace across the scenario, as for Pod \
                manifests (the API server refuses to create a pod whose name exists: AlreadyExists)";
    // (Problems are listed by file.)
    let expect = [
        format!("{more}:2:3: name: pod name default/m already taken (the name of the Pod at s.yaml:3:50); {tail}"),
        format!("{more}:3:3: name: pod name default/x already taken (named on line 2 of {file}); {tail}"),
        format!("{file}:3:4: name: pod name default/x already taken (named on line 2); {tail}"),
        format!("{file}:6:4: name: pod name default/pods-3 already taken (named on line 5); {tail}"),
    ];
    assert_eq!(e, expect.join("\n"));
    // Unique names load.
    std::fs::write(dir.join("more.csv"), "creation_time_s,name\n0,z\n").unwrap();
    let yaml = format!("{NODES}podTraces:\n  - file: pods.csv\n  - file: more.csv\n");
    let csv = "creation_time_s,name,namespace\n0,x,\n0,x,other\n0,y,\n";
    assert!(load(&dir, &yaml, csv).is_ok());
}

/// The files a scenario reads besides itself are kept with their SHA-256
/// for the manifest: an included template and the trace, in the order read.
#[test]
fn the_scenario_keeps_the_digest_of_every_file_it_read() {
    use crate::input::source::{sha256_hex, InputFile};
    let dir = Scratch::new("pod-trace-inputs");
    let template = "apiVersion: v1\nkind: Pod\nmetadata: {name: t}\nspec: {containers: [{name: c, image: i}]}\n";
    std::fs::write(dir.join("t.yaml"), template).unwrap();
    let csv = "creation_time_s,template\n0,t\n\n1,t\n";
    let yaml =
        format!("{NODES}podTraces:\n  - file: pods.csv\n    templates: [{{file: t.yaml}}]\n");
    let s = load(&dir, &yaml, csv).unwrap();
    let at = |f: &str| dir.join(f).display().to_string();
    assert_eq!(
        s.input_files,
        [
            InputFile {
                path: at("t.yaml"),
                sha256: sha256_hex(template.as_bytes())
            },
            InputFile {
                path: at("pods.csv"),
                sha256: sha256_hex(csv.as_bytes())
            },
        ]
    );
    assert_eq!(s.pod_traces[0].sha256, sha256_hex(csv.as_bytes()));
    // A scenario that reads no other file has none.
    let s = load_str("s.yaml", NODES, &dir, "s").unwrap().scenario;
    assert!(s.input_files.is_empty());
}

/// An arrival names its pods `<arrival>-<n>`: a trace row with one of those
/// names in the arrival's namespace is an error at the row, naming the
/// arrival; names past the arrival's `count`, with a leading zero or in
/// another namespace are other pods.
#[test]
fn a_trace_name_an_arrival_would_give_is_an_error() {
    let dir = Scratch::new("pod-trace-arrival-names");
    let yaml = format!(
        "{NODES}arrivals:\n  - name: web\n    process: poisson\n    rate: 1\n    count: 3\n    \
         template: {{apiVersion: v1, kind: Pod, spec: {{containers: [{{name: c, image: i}}]}}}}\n\
         podTraces:\n  - file: pods.csv\n"
    );
    let csv = "creation_time_s,name,namespace\n0,web-2,\n0,web-3,\n0,web-02,\n0,web-1,other\n";
    let e = load(&dir, &yaml, csv).unwrap_err();
    let file = dir.join("pods.csv").display().to_string();
    assert_eq!(
        e,
        format!(
            "{file}:2:3: name: pod name default/web-2 is the name arrival \"web\" (at s.yaml:3:11) \
             gives its pod number 2; pod names must be unique in their namespace: rename the row \
             or the arrival"
        )
    );
    let csv = "creation_time_s,name,namespace\n0,web-3,\n0,web-02,\n0,web-1,other\n";
    assert!(load(&dir, &yaml, csv).is_ok());
}
