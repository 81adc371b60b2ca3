//! What kubesim promises about the user's files, through the binary: it never
//! deletes what it did not write, no input directs its writes outside where
//! it was told, and replacing results keeps either the old or the new ones.

mod common;

use std::fs;
use std::path::Path;
use std::process::Output;

use common::kubesim_in;

/// A scenario that runs in milliseconds, named `name` (None: no name field).
fn tiny_scenario(name: Option<&str>) -> String {
    let name = name.map_or(String::new(), |n| format!("name: {n:?}\n"));
    format!(
        "{name}duration: 1m\nnodePools:\n  - name: n\n    count: 1\n    capacity: {{cpu: \"4\", memory: 8Gi}}\n\
         arrivals:\n  - name: a\n    process: constant\n    interval: 10s\n    count: 3\n    template:\n      \
         apiVersion: v1\n      kind: Pod\n      spec:\n        containers: [{{name: c, image: app:1}}]\n"
    )
}

/// Every file and directory under `dir`, relative, with file contents.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let rel = p.strip_prefix(dir).unwrap().display().to_string();
            if p.is_dir() {
                stack.push(p);
                out.push((rel + "/", Vec::new()));
            } else {
                out.push((rel, fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn out_with_a_foreign_file_is_refused_and_the_file_kept() {
    let dir = common::Scratch::new("files-foreign");
    fs::write(dir.join("s.yaml"), tiny_scenario(Some("s"))).unwrap();
    fs::create_dir_all(dir.join("d")).unwrap();
    fs::write(dir.join("d/notes.txt"), "mine").unwrap();
    let before = tree(&dir);
    let o = kubesim_in(&dir, &["run", "s.yaml", "--out", "d", "--quiet"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("choose another directory"),
        "{}",
        stderr(&o)
    );
    assert_eq!(tree(&dir), before, "nothing changed");
    // `--out .` and `--out ..`: refused, the working directory untouched.
    for out in [".", "..", "d/.."] {
        let o = kubesim_in(&dir, &["run", "s.yaml", "--out", out, "--quiet"]);
        assert_eq!(o.status.code(), Some(2), "--out {out}: {}", stderr(&o));
        assert_eq!(tree(&dir), before, "--out {out}");
    }
    // Its own results are replaced; once a foreign file is added they are not.
    let o = kubesim_in(&dir, &["run", "s.yaml", "--out", "mine", "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = kubesim_in(&dir, &["run", "s.yaml", "--out", "mine", "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    fs::write(dir.join("mine/keep.txt"), "mine").unwrap();
    let o = kubesim_in(&dir, &["run", "s.yaml", "--out", "mine", "--quiet"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("\"keep.txt\""), "{}", stderr(&o));
    assert_eq!(fs::read(dir.join("mine/keep.txt")).unwrap(), b"mine");
    assert!(dir.join("mine/pods.csv").exists());
}

#[test]
fn sweep_merge_plot_and_report_follow_the_same_rule() {
    let dir = common::Scratch::new("files-rule");
    fs::write(dir.join("s.yaml"), tiny_scenario(Some("s"))).unwrap();
    fs::write(
        dir.join("sw.yaml"),
        "name: sw\nbase: s.yaml\naxes:\n  - path: nodePools[0].count\n    values: [1, 2]\n",
    )
    .unwrap();
    fs::create_dir_all(dir.join("d")).unwrap();
    fs::write(dir.join("d/notes.txt"), "mine").unwrap();
    let before = tree(&dir);
    for args in [
        &["sweep", "sw.yaml", "--out", "d", "--quiet"][..],
        &["merge", "d", "--out", "d", "--quiet"],
        &["plot", "d"],
        &["report", "d"],
    ] {
        let o = kubesim_in(&dir, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert_eq!(tree(&dir), before, "{args:?}");
    }
    // A finished sweep with a foreign file among its runs is not resumed.
    let o = kubesim_in(&dir, &["sweep", "sw.yaml", "--out", "sw-out", "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    fs::write(dir.join("sw-out/runs/notes.txt"), "mine").unwrap();
    let o = kubesim_in(&dir, &["sweep", "sw.yaml", "--out", "sw-out", "--quiet"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(dir.join("sw-out/runs/notes.txt").exists());
}

#[test]
fn a_scenario_name_never_becomes_a_path_outside_results() {
    let dir = common::Scratch::new("files-name");
    fs::create_dir_all(dir.join("work")).unwrap();
    fs::write(dir.join("work/keep.txt"), "mine").unwrap();
    let abs = dir.join("abs");
    fs::create_dir_all(&abs).unwrap();
    fs::write(abs.join("keep.txt"), "mine").unwrap();
    let abs_name = abs.display().to_string();
    for name in ["..", ".", "../x", abs_name.as_str(), "a/b", "Web", ""] {
        fs::write(dir.join("work/s.yaml"), tiny_scenario(Some(name))).unwrap();
        let before = tree(&dir);
        for cmd in ["validate", "run"] {
            let o = kubesim_in(&dir.join("work"), &[cmd, "s.yaml"]);
            assert_eq!(
                o.status.code(),
                Some(2),
                "{cmd} name {name:?}: {}",
                stderr(&o)
            );
            // Located at the field: file:line:column and the field path.
            assert!(
                stderr(&o).contains("s.yaml:1:7: name:"),
                "{name:?}: {}",
                stderr(&o)
            );
            assert!(stderr(&o).contains("RFC 1123 subdomain"), "{}", stderr(&o));
            assert_eq!(tree(&dir), before, "{cmd} name {name:?}");
        }
    }
    // Without a name, the file's stem stands for it only if it is valid.
    fs::write(dir.join("work/..yaml"), tiny_scenario(None)).unwrap();
    let o = kubesim_in(&dir.join("work"), &["run", "..yaml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("add a `name:` field"), "{}", stderr(&o));
    fs::write(dir.join("work/ok-name.yaml"), tiny_scenario(None)).unwrap();
    let o = kubesim_in(&dir.join("work"), &["run", "ok-name.yaml", "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(dir.join("work/results/ok-name/pods.csv").exists());
    assert_eq!(fs::read(dir.join("work/keep.txt")).unwrap(), b"mine");
    assert_eq!(fs::read(abs.join("keep.txt")).unwrap(), b"mine");
}
