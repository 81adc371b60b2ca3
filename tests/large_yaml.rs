//! Large YAML scenarios: the node limit scales with the file-size limit, and
//! crossing it (here lowered with `--max-yaml-nodes`) is a located error that
//! names the option and pod traces; arrivals may come from included files.

mod common;

use std::fmt::Write as _;
use std::fs;
use std::process::Output;

use common::{kubesim_in, Scratch};
use kubesim::scenario::decode::load;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A scenario of `pods` Pod manifests, about 40 YAML nodes each.
fn many_pods(pods: usize) -> String {
    let mut s = String::from(
        "name: big\nnodePools:\n  - name: n\n    count: 10\n    capacity: {cpu: \"64\", memory: 256Gi}\nworkloads:\n",
    );
    for i in 0..pods {
        write!(
            s,
            "  - apiVersion: v1\n    kind: Pod\n    metadata:\n      name: pod-{i}\n      labels: {{team: a, tier: b}}\n      annotations: {{kubesim.io/run-time: {}s}}\n    spec:\n      restartPolicy: Never\n      containers:\n        - name: main\n          image: worker:1\n          ports: [{{containerPort: 80}}]\n          resources: {{requests: {{cpu: {}m, memory: {}Mi}}, limits: {{memory: 1Gi}}}}\n",
            10 + i % 100,
            100 + i % 900,
            256 + i % 512
        )
        .unwrap();
    }
    s
}

#[test]
fn a_scenario_of_more_than_250_000_yaml_nodes_loads() {
    let dir = Scratch::new("large-yaml-loads");
    // 7 000 pods of more than 36 nodes each: past the parser's old budget of 250 000.
    fs::write(dir.join("big.yaml"), many_pods(7000)).unwrap();
    let o = kubesim_in(&dir, &["validate", "big.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("7000 pods"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn crossing_the_yaml_node_limit_is_located_and_names_the_way_out() {
    let dir = Scratch::new("large-yaml-limit");
    fs::write(dir.join("big.yaml"), many_pods(100)).unwrap();
    for cmd in ["validate", "run"] {
        let o = kubesim_in(&dir, &[cmd, "big.yaml", "--max-yaml-nodes", "1000"]);
        assert_eq!(o.status.code(), Some(2), "{cmd}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(e.contains("big.yaml:"), "{e}");
        let located = e
            .lines()
            .find(|l| l.contains("more than 1000 YAML nodes"))
            .unwrap_or_else(|| panic!("{cmd}: {e}"));
        let rest = located.split("big.yaml:").nth(1).unwrap();
        let mut parts = rest.splitn(3, ':');
        let line: u32 = parts.next().unwrap().parse().unwrap();
        let column: u32 = parts.next().unwrap().parse().unwrap();
        assert!(line > 1 && column >= 1, "{located}");
        assert!(located.contains("`--max-yaml-nodes N`"), "{located}");
        assert!(located.contains("`podTraces`"), "{located}");
        assert!(!dir.join("results").exists(), "{cmd} wrote results");
    }
    // Raised back, the same file is valid.
    let o = kubesim_in(
        &dir,
        &["validate", "big.yaml", "--max-yaml-nodes", "100000"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

const POOL: &str =
    "nodePools:\n  - name: n\n    count: 1\n    capacity: {cpu: \"4\", memory: 8Gi}\n";

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {labels: {from: file}}\nspec:\n  containers: [{name: c, image: i, resources: {requests: {cpu: 300m}}}]\n";

#[test]
fn an_arrival_template_may_be_a_file() {
    let dir = Scratch::new("arrival-template-file");
    fs::create_dir_all(dir.join("pods")).unwrap();
    fs::write(dir.join("pods/pod.yaml"), POD).unwrap();
    fs::write(
        dir.join("s.yaml"),
        format!("name: s\n{POOL}arrivals:\n  - name: a\n    process: poisson\n    rate: 1\n    count: 3\n    template: {{file: pods/pod.yaml}}\n"),
    )
    .unwrap();
    let loaded = load(&dir.join("s.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let a = &loaded.scenario.arrivals[0];
    assert_eq!(
        a.template.metadata.labels.get("from").map(String::as_str),
        Some("file")
    );
}

#[test]
fn an_arrivals_item_may_be_a_file_of_arrivals() {
    let dir = Scratch::new("arrivals-file");
    fs::create_dir_all(dir.join("more")).unwrap();
    fs::write(dir.join("more/pod.yaml"), POD).unwrap();
    // The included file's own `file:` paths resolve against its directory.
    fs::write(
        dir.join("more/arrivals.yaml"),
        "- name: x\n  process: constant\n  rate: 1\n  count: 2\n  template: {file: pod.yaml}\n- name: y\n  process: poisson\n  rate: 1\n  count: 2\n  template: {file: pod.yaml}\n",
    )
    .unwrap();
    fs::write(
        dir.join("s.yaml"),
        format!("name: s\n{POOL}arrivals:\n  - {{file: more/arrivals.yaml}}\n"),
    )
    .unwrap();
    let loaded = load(&dir.join("s.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = loaded
        .scenario
        .arrivals
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(names, ["x", "y"]);
}

#[test]
fn a_missing_template_file_is_an_error_at_the_reference() {
    let dir = Scratch::new("arrival-template-missing");
    fs::write(
        dir.join("s.yaml"),
        format!("name: s\n{POOL}arrivals:\n  - name: a\n    process: poisson\n    rate: 1\n    count: 1\n    template: {{file: nope.yaml}}\n"),
    )
    .unwrap();
    let o = kubesim_in(&dir, &["validate", "s.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("s.yaml:11:15: arrivals[0].template.file: cannot read ")
            && e.contains("nope.yaml"),
        "{e}"
    );
}

#[test]
fn an_error_inside_an_included_file_is_located_in_that_file() {
    let dir = Scratch::new("arrival-template-bad");
    fs::write(
        dir.join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nspec:\n  containers: [{name: c, image: i, resources: {requests: {cpu: lots}}}]\n",
    )
    .unwrap();
    fs::write(
        dir.join("arrivals.yaml"),
        "- name: x\n  process: poisson\n  rate: fast\n  count: 1\n  template: {file: pod.yaml}\n",
    )
    .unwrap();
    fs::write(
        dir.join("s.yaml"),
        format!("name: s\n{POOL}arrivals:\n  - name: a\n    process: poisson\n    rate: 1\n    count: 1\n    template: {{file: pod.yaml}}\n  - {{file: arrivals.yaml}}\n"),
    )
    .unwrap();
    let o = kubesim_in(&dir, &["validate", "s.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("pod.yaml:4:"),
        "the bad quantity in pod.yaml: {e}"
    );
    assert!(e.contains("lots"), "{e}");
    assert!(
        e.contains("arrivals.yaml:3:9: [0].rate"),
        "the bad rate in arrivals.yaml: {e}"
    );
    assert!(
        !e.contains("error: s.yaml:"),
        "nothing is wrong in s.yaml itself: {e}"
    );
}
