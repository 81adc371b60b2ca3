//! The fuzzing harness shared by `tests/fuzz.rs` (a bounded number of mutants
//! in every `cargo test`) and `examples/fuzz_campaign.rs` (long campaigns).
//!
//! A seeded mutator turns the bundled inputs (scenarios, manifests, sweeps and a
//! slice of the openb traces) into mutants, at the text level (lines deleted,
//! duplicated, swapped, re-indented; values and keys replaced by interesting
//! values; bytes inserted, including invalid UTF-8; truncation; lines spliced
//! from other files) and at the tree level (a YAML node replaced, an entry
//! removed, a list item duplicated). Mutant `i` of seed `s` depends on nothing
//! else, so one failure replays alone.
//!
//! Each mutant goes through what `kubesim validate` and `kubesim run` do,
//! in-process (the library's loaders, then `cli::main_with_args`) with
//! `maxEvents` forced small, and the outcome is checked: no panic; every error
//! located (file:line:column ≥ 1, or a path for an I/O error) and one short
//! line; exit status 0 or 1 when the input loads and 2 when it does not; a
//! failed run leaves no output directory; a finished run's CSV files hold no
//! NaN or infinite number; nothing is written outside the output directory.
#![allow(dead_code)]

pub use kubesim::input::diagnostic::{Diagnostic, Diagnostics};
use kubesim::input::yaml::{parse_documents, Node, Value};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The default seed of the test and the campaign.
pub const DEFAULT_SEED: u64 = 0x006b_7562_6573_696d;
/// `maxEvents` forced on every run, so a mutant runs in milliseconds.
pub const MAX_EVENTS: u64 = 2_000;
/// The longest one mutant may take; longer is reported as a hang.
pub const MUTANT_TIME_LIMIT: Duration = Duration::from_secs(60);
/// Longest error line accepted (a found value is quoted by a short prefix).
pub const MAX_ERROR_LINE_BYTES: usize = 2_500;

/// What a corpus file is, which decides how a mutant of it is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Scenario,
    /// A `gpuFillUp` or `gpuReplay` scenario.
    GpuScenario,
    /// A manifest file named by a scenario (`rel` is the scenario).
    Manifest {
        scenario: &'static str,
    },
    Sweep,
    /// A slice of an openb CSV (`nodes` or `pods`).
    Trace {
        nodes: bool,
    },
    /// A pod trace (`podTraces`) named by a scenario.
    PodTrace {
        scenario: &'static str,
    },
}

/// One input of the corpus: its path relative to the mirror root, and text.
#[derive(Clone, Debug)]
pub struct Seed {
    pub rel: String,
    pub kind: Kind,
    pub bytes: Vec<u8>,
}

/// A mutant: which corpus file, and either new bytes or a mutated tree.
pub struct Mutant {
    pub seed_idx: usize,
    pub bytes: Vec<u8>,
    /// Set for tree-level mutants of scenarios: decoded with `load_node`.
    pub tree: Option<Node>,
    /// Whether to run it (with `maxEvents` forced), not only validate it.
    pub run: bool,
    pub description: String,
}

/// Rows of the openb traces kept in the slice (every n-th row).
const NODE_ROW_STEP: usize = 30;
const POD_ROW_STEP: usize = 40;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The bundled inputs, with the traces cut to a slice (every 30th node,
/// every 40th pod) so runs over them are quick.
pub fn corpus() -> Vec<Seed> {
    let mut out = Vec::new();
    let mut add_dir = |dir: &str, kind: &dyn Fn(&str) -> Kind| {
        let mut names: Vec<PathBuf> = std::fs::read_dir(repo().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        names.sort();
        for p in names {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let bytes = std::fs::read(&p).unwrap();
            let rel = format!("{dir}/{name}");
            let mut k = kind(&name);
            if k == Kind::Scenario {
                let text = String::from_utf8_lossy(&bytes);
                if text.contains("\ngpuFillUp:") || text.contains("\ngpuReplay:") {
                    k = Kind::GpuScenario;
                }
            }
            out.push(Seed {
                rel,
                kind: k,
                bytes,
            });
        }
    };
    add_dir("scenarios", &|_| Kind::Scenario);
    add_dir("scenarios/sweeps", &|_| Kind::Sweep);
    add_dir("scenarios/manifests", &|name| Kind::Manifest {
        scenario: if name.starts_with("scheduler") {
            "scenarios/scheduler-config.yaml"
        } else {
            "scenarios/kubernetes-io-examples.yaml"
        },
    });
    for (file, nodes, step) in [
        ("openb_node_list_gpu_node.csv", true, NODE_ROW_STEP),
        ("openb_pod_list_default.csv", false, POD_ROW_STEP),
    ] {
        let text = std::fs::read_to_string(repo().join("traces/openb").join(file)).unwrap();
        let slice: String = text
            .lines()
            .enumerate()
            .filter(|(i, _)| *i == 0 || i % step == 0)
            .map(|(_, l)| format!("{l}\n"))
            .collect();
        out.push(Seed {
            rel: format!("traces/openb/{file}"),
            kind: Kind::Trace { nodes },
            bytes: slice.into_bytes(),
        });
    }
    out.push(Seed {
        rel: "scenarios/pod-trace.csv".into(),
        kind: Kind::PodTrace {
            scenario: "scenarios/pod-trace.yaml",
        },
        bytes: std::fs::read(repo().join("scenarios/pod-trace.csv")).unwrap(),
    });
    out
}

/// One cell of a CSV line replaced by an interesting value (a CSV has no
/// `key: value` for the text mutations to find).
fn mutate_cell(rng: &mut ChaCha8Rng, bytes: &[u8]) -> (Vec<u8>, String) {
    let mut lines = split_lines(bytes);
    let i = rng.gen_range(0..lines.len());
    let cells: Vec<Vec<u8>> = lines[i].split(|b| *b == b',').map(<[u8]>::to_vec).collect();
    let k = rng.gen_range(0..cells.len());
    let mut cells = cells;
    let v = interesting(rng);
    let shown = String::from_utf8_lossy(&v[..v.len().min(20)]).into_owned();
    cells[k] = v;
    lines[i] = cells.join(&b',');
    (
        join_lines(&lines),
        format!("line {} cell {}: := {shown:?}", i + 1, k + 1),
    )
}

/// Values a field is tried with: limits of the integer and float types,
/// special floats, empty and long strings, paths, unicode, durations at both
/// ends, quantities, other YAML shapes.
pub const INTERESTING: &[&str] = &[
    "-1",
    "0",
    "1",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551616",
    "4294967296",
    "500",
    "1e308",
    "-1e308",
    "1e-300",
    "0.5",
    ".nan",
    "NaN",
    ".inf",
    "-.inf",
    "\"\"",
    "''",
    "~",
    "null",
    "true",
    "no",
    "..",
    "/nonexistent/abs.yaml",
    "/",
    ".",
    "ñ日本😀",
    "\"\\u0000\"",
    "1us",
    "1ms",
    "0s",
    "-5m",
    "100000d",
    "1h30m",
    "500m",
    "1.5Gi",
    "99999999999999999999Gi",
    "1Ei",
    "-1Mi",
    "[]",
    "{}",
    "[1, 2]",
    "{a: 1}",
    "*nope",
    "&a x",
    "!!binary aGVsbG8=",
    "|\n  block",
    "0x7fffffffffffffff",
    "0755",
    "1_000",
];

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

/// An interesting value, or one of a few generated ones (a long string, raw
/// invalid UTF-8 bytes).
fn interesting(rng: &mut ChaCha8Rng) -> Vec<u8> {
    match rng.gen_range(0..20) {
        0 => "x".repeat(rng.gen_range(100..70_000)).into_bytes(),
        1 => vec![0xff, 0xfe, b'a', 0xc3],
        _ => pick(rng, INTERESTING).as_bytes().to_vec(),
    }
}

fn split_lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect()
}

fn join_lines(lines: &[Vec<u8>]) -> Vec<u8> {
    lines.join(&b'\n')
}

/// Where a line's value starts: after the first `: ` or `- `, else None.
fn value_start(line: &[u8]) -> Option<usize> {
    let colon = line.windows(2).position(|w| w == b": ").map(|i| i + 2);
    let dash = line
        .iter()
        .position(|b| *b != b' ')
        .filter(|i| line[*i..].starts_with(b"- "))
        .map(|i| i + 2);
    match (colon, dash) {
        (Some(c), _) => Some(c),
        (None, d) => d,
    }
}

/// One text-level mutation of `bytes`; `others` supplies lines to splice.
fn mutate_text(rng: &mut ChaCha8Rng, bytes: &[u8], others: &[Seed]) -> (Vec<u8>, String) {
    let mut lines = split_lines(bytes);
    let n = lines.len().max(1);
    let i = rng.gen_range(0..n).min(lines.len().saturating_sub(1));
    let what = match rng.gen_range(0..12) {
        0 if !lines.is_empty() => {
            lines.remove(i);
            format!("delete line {}", i + 1)
        }
        1 if !lines.is_empty() => {
            let l = lines[i].clone();
            lines.insert(i, l);
            format!("duplicate line {}", i + 1)
        }
        2 if lines.len() > 1 => {
            let j = rng.gen_range(0..lines.len());
            lines.swap(i, j);
            format!("swap lines {} and {}", i + 1, j + 1)
        }
        3..=5 => {
            // Replace a value: choose among the lines that have one.
            let with_value: Vec<usize> = (0..lines.len())
                .filter(|k| value_start(&lines[*k]).is_some())
                .collect();
            if let Some(&k) = with_value.get(rng.gen_range(0..with_value.len().max(1))) {
                let start = value_start(&lines[k]).unwrap();
                let v = interesting(rng);
                let shown = String::from_utf8_lossy(&v[..v.len().min(20)]).into_owned();
                lines[k].truncate(start);
                lines[k].extend_from_slice(&v);
                format!("line {}: value := {shown:?}", k + 1)
            } else {
                "no value to replace".into()
            }
        }
        6 if !lines.is_empty() => {
            let by = rng.gen_range(1..5);
            if rng.gen_bool(0.5) {
                let mut l = vec![b' '; by];
                l.extend_from_slice(&lines[i]);
                lines[i] = l;
                format!("indent line {} by {by}", i + 1)
            } else {
                let cut = lines[i].iter().take(by).take_while(|b| **b == b' ').count();
                lines[i].drain(..cut);
                format!("dedent line {} by {cut}", i + 1)
            }
        }
        7 => {
            let at = rng.gen_range(0..=bytes.len());
            return (bytes[..at].to_vec(), format!("truncate at byte {at}"));
        }
        8 => {
            let at = rng.gen_range(0..=bytes.len());
            let inserted: Vec<u8> = match rng.gen_range(0..4) {
                0 => vec![0xff],
                1 => vec![0xc3],
                2 => vec![rng.gen_range(0..0x20)],
                _ => pick(
                    rng,
                    &[b"{", b"[", b"'", b"\"", b":", b"-", b"#", b"&", b"*", b"\t"],
                )
                .to_vec(),
            };
            let mut out = bytes[..at].to_vec();
            out.extend_from_slice(&inserted);
            out.extend_from_slice(&bytes[at..]);
            return (out, format!("insert {inserted:?} at byte {at}"));
        }
        9 if !lines.is_empty() => {
            // Rename a key: a typo (two characters swapped) or an interesting value.
            let line = &mut lines[i];
            if let Some(colon) = line.iter().position(|b| *b == b':') {
                let key_start = line
                    .iter()
                    .position(|b| *b != b' ' && *b != b'-')
                    .unwrap_or(0);
                if colon > key_start + 1 && rng.gen_bool(0.5) {
                    let a = rng.gen_range(key_start..colon - 1);
                    line.swap(a, a + 1);
                    format!("line {}: swap key characters at {a}", i + 1)
                } else {
                    let v = interesting(rng);
                    let rest = line[colon..].to_vec();
                    line.truncate(key_start.min(colon));
                    line.extend_from_slice(&v);
                    line.extend_from_slice(&rest);
                    format!("line {}: key replaced", i + 1)
                }
            } else {
                "no key to rename".into()
            }
        }
        10 => {
            let other = pick(rng, others);
            let other_lines = split_lines(&other.bytes);
            let l = pick(rng, &other_lines).clone();
            let at = rng.gen_range(0..=lines.len());
            lines.insert(at, l);
            format!("splice a line of {} before line {}", other.rel, at + 1)
        }
        _ => {
            let extra = *pick(
                rng,
                &[
                    b"maxEvents: 0".as_slice(),
                    b"nodes:",
                    b"---",
                    b"<<: *x",
                    b"workloads: []",
                    b"arrivals:\n  - {name: a, process: poisson, rate: 1e308, count: 3, template: {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c, image: i}]}}}",
                    b"sampleInterval: 1us",
                    b"duration: 100000d",
                ],
            );
            let at = rng.gen_range(0..=lines.len());
            lines.insert(at, extra.to_vec());
            format!("insert a line before line {}", at + 1)
        }
    };
    (join_lines(&lines), what)
}

/// Every node of a tree in pre-order, counted (for picking one at random).
fn count_nodes(n: &Node) -> usize {
    1 + match &n.value {
        Value::Seq(items) => items.iter().map(count_nodes).sum(),
        Value::Map(entries) => entries.iter().map(|(_, v)| count_nodes(v)).sum(),
        _ => 0,
    }
}

/// The `k`-th node in pre-order (values only, not keys).
fn nth_node(n: &mut Node, k: &mut usize) -> Option<*mut Node> {
    if *k == 0 {
        return Some(n as *mut Node);
    }
    *k -= 1;
    match &mut n.value {
        Value::Seq(items) => items.iter_mut().find_map(|c| nth_node(c, k)),
        Value::Map(entries) => entries.iter_mut().find_map(|(_, v)| nth_node(v, k)),
        _ => None,
    }
}

fn interesting_value(rng: &mut ChaCha8Rng) -> Value {
    match rng.gen_range(0..16) {
        0 => Value::Int(-1),
        1 => Value::Int(0),
        2 => Value::Int(i64::MAX),
        3 => Value::Int(i64::MIN),
        4 => Value::Float(1e308),
        5 => Value::Float(-0.0),
        6 => Value::Str(String::new()),
        7 => Value::Str("y".repeat(rng.gen_range(100..5_000))),
        8 => Value::Str("..".into()),
        9 => Value::Str("/nonexistent/abs".into()),
        10 => Value::Str("ñ日本😀".into()),
        11 => Value::Str(pick(rng, &["1us", "100000d", "0s", "500m", "1e308"]).to_string()),
        12 => Value::Null,
        13 => Value::Bool(true),
        14 => Value::Seq(Vec::new()),
        _ => Value::Map(Vec::new()),
    }
}

/// One tree-level mutation: a node replaced, a mapping entry removed or a
/// list item duplicated.
fn mutate_tree(rng: &mut ChaCha8Rng, doc: &mut Node) -> String {
    let total = count_nodes(doc);
    let mut k = rng.gen_range(0..total);
    let chosen = k;
    let Some(ptr) = nth_node(doc, &mut k) else {
        return "no node".into();
    };
    // SAFETY: the pointer comes from `doc`, borrowed mutably for this call
    // only, and nothing else refers into the tree meanwhile.
    let node = unsafe { &mut *ptr };
    match (&mut node.value, rng.gen_range(0..3)) {
        (Value::Map(entries), 0) if !entries.is_empty() => {
            let i = rng.gen_range(0..entries.len());
            entries.remove(i);
            format!("node {chosen}: remove entry {i}")
        }
        (Value::Seq(items), 0) if !items.is_empty() => {
            let i = rng.gen_range(0..items.len());
            let copy = items[i].clone();
            items.insert(i, copy);
            format!("node {chosen}: duplicate item {i}")
        }
        _ => {
            node.value = interesting_value(rng);
            format!("node {chosen}: replaced by {:.40?}", node.value)
        }
    }
}

/// Mutant `index` of `seed`: a corpus file and one to three mutations.
pub fn mutant(corpus: &[Seed], seed: u64, index: u64) -> Mutant {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let seed_idx = rng.gen_range(0..corpus.len());
    let source = &corpus[seed_idx];
    let run = rng.gen_bool(0.5);
    let tree_level = source.kind == Kind::Scenario && rng.gen_bool(0.25);
    if tree_level {
        let text = String::from_utf8_lossy(&source.bytes);
        let mut docs = parse_documents(&source.rel, &text).expect("bundled scenarios parse");
        let mut doc = docs.remove(0);
        let mut steps = Vec::new();
        for _ in 0..rng.gen_range(1..=3) {
            steps.push(mutate_tree(&mut rng, &mut doc));
        }
        return Mutant {
            seed_idx,
            bytes: source.bytes.clone(),
            tree: Some(doc),
            run,
            description: format!("{} (tree): {}", source.rel, steps.join("; ")),
        };
    }
    let mut bytes = source.bytes.clone();
    let mut steps = Vec::new();
    // Mostly one mutation, so that a fair share of mutants still load and run.
    let n_mutations = *pick(&mut rng, &[1, 1, 1, 1, 2, 2, 3]);
    let csv = matches!(source.kind, Kind::PodTrace { .. });
    for _ in 0..n_mutations {
        let (b, what) = if csv && rng.gen_bool(0.5) {
            mutate_cell(&mut rng, &bytes)
        } else {
            mutate_text(&mut rng, &bytes, corpus)
        };
        bytes = b;
        steps.push(what);
    }
    Mutant {
        seed_idx,
        bytes,
        tree: None,
        run,
        description: format!("{}: {}", source.rel, steps.join("; ")),
    }
}

/// Removes the top-level `maxEvents:` lines and appends `maxEvents: N`, so a
/// run of the mutant stops quickly. (Checked after loading: a mutant whose
/// text swallows the line is only validated, never run.)
pub fn force_limits(bytes: &[u8]) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = split_lines(bytes)
        .into_iter()
        .filter(|l| !l.starts_with(b"maxEvents:"))
        .collect();
    while lines.last().is_some_and(Vec::is_empty) {
        lines.pop();
    }
    lines.push(format!("maxEvents: {MAX_EVENTS}").into_bytes());
    lines.push(Vec::new());
    join_lines(&lines)
}

/// A scratch copy of the repository's inputs (`scenarios/`, the trace slices)
/// where mutants are written next to the files they refer to.
pub struct Mirror {
    pub root: PathBuf,
    corpus: Vec<Seed>,
}

impl Mirror {
    pub fn new(root: &Path, corpus: &[Seed]) -> Mirror {
        let _ = std::fs::remove_dir_all(root);
        for s in corpus {
            let p = root.join(&s.rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, &s.bytes).unwrap();
        }
        Mirror {
            root: root.to_path_buf(),
            corpus: corpus.to_vec(),
        }
    }

    /// Every file under the mirror (to check that nothing appeared).
    fn listing(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            if let Ok(entries) = std::fs::read_dir(dir) {
                for e in entries.flatten() {
                    let p = e.path();
                    if p.is_dir() {
                        walk(&p, out);
                    } else {
                        out.push(p);
                    }
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.root, &mut out);
        out.sort();
        out
    }
}

/// A failed check: what, and the mutant.
#[derive(Debug)]
pub struct Failure {
    pub what: String,
}

fn fail<T>(what: impl Into<String>) -> Result<T, Failure> {
    Err(Failure { what: what.into() })
}

/// Checks every diagnostic: located at line ≥ 1 and column ≥ 1 in a named
/// file, or about a whole file (line 0) that could not be read; one line, short.
pub fn check_located(d: &Diagnostics) -> Result<(), Failure> {
    if d.is_empty() {
        return fail("an error list with no error");
    }
    for e in d.iter() {
        check_one(e)?;
    }
    Ok(())
}

fn check_one(e: &Diagnostic) -> Result<(), Failure> {
    let shown = e.to_string();
    if e.file.is_empty() {
        return fail(format!("an error names no file: {shown}"));
    }
    // Line 0 is for a file that cannot be read at all: then it must really
    // be unreadable (an invalid UTF-8 byte, say, has a line and column).
    let io =
        e.pos.line == 0 && e.message.starts_with("cannot read") && std::fs::read(&e.file).is_err();
    if !io && (e.pos.line < 1 || e.pos.column < 1) {
        return fail(format!("an error without a line and column: {shown}"));
    }
    if shown.contains('\n') {
        return fail(format!("an error spans lines: {shown}"));
    }
    if shown.len() > MAX_ERROR_LINE_BYTES {
        return fail(format!(
            "a {}-byte error line: {}",
            shown.len(),
            &shown[..shown
                .char_indices()
                .nth(300)
                .map_or(shown.len(), |(i, _)| i)]
        ));
    }
    Ok(())
}

/// Whether a CSV cell is a non-finite number.
fn non_finite(cell: &str) -> bool {
    let c = cell
        .trim()
        .trim_start_matches(['-', '+'])
        .to_ascii_lowercase();
    c == "nan" || c == "inf" || c == "infinity"
}

/// Checks that no CSV under `dir` holds a NaN or infinite number.
fn check_csvs(dir: &Path) -> Result<usize, Failure> {
    let mut n = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "csv") {
                n += 1;
                let text = std::fs::read_to_string(&p).map_err(|err| Failure {
                    what: format!("{}: {err}", p.display()),
                })?;
                for (i, line) in text.lines().enumerate() {
                    if line.split(',').any(non_finite) {
                        return fail(format!(
                            "{}:{}: a non-finite number: {line}",
                            p.display(),
                            i + 1
                        ));
                    }
                }
            }
        }
    }
    Ok(n)
}

/// What happened to one mutant (for the campaign's tally).
#[derive(Debug, Default, Clone, Copy)]
pub struct Outcome {
    pub valid: bool,
    pub ran: bool,
}

/// Runs `f`, turning a panic into a failure.
fn no_panic<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, Failure> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| {
        let message = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        Failure {
            what: format!("{what} panicked: {message}"),
        }
    })
}

/// `kubesim ARGS` in-process: the exit status.
fn cli(args: &[&str]) -> Result<i32, Failure> {
    let mut all = vec!["kubesim"];
    all.extend_from_slice(args);
    no_panic(&format!("kubesim {}", args.join(" ")), || {
        kubesim::cli::main_with_args(all)
    })
}

/// Loads a scenario of either kind as `kubesim validate` would, returning its
/// diagnostics on failure and, for an event-driven scenario, `maxEvents`.
fn load_any(path: &Path) -> Result<Result<Option<u64>, Diagnostics>, Failure> {
    no_panic("loading", || {
        // The choice the CLI makes: a readable file with a top-level
        // `gpuFillUp` or `gpuReplay` is a GPU scenario.
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let gpu_fillup = kubesim::gpu::scenario::is_fillup(&text);
        let gpu_replay = kubesim::gpu::scenario::is_replay(&text);
        if gpu_replay {
            let s = kubesim::gpu::scenario::load_replay(path)?;
            let trace = match &s.pods {
                kubesim::gpu::scenario::PodTrace::Openb(p) => {
                    kubesim::trace::openb::load(&s.nodes, p)
                }
                kubesim::gpu::scenario::PodTrace::Generic(p) => {
                    kubesim::trace::generic::load(&s.nodes, p)
                }
            };
            trace.map(|_| None)
        } else if gpu_fillup {
            let s = kubesim::gpu::scenario::load(path)?;
            kubesim::trace::openb::load(&s.nodes, &s.pods).map(|_| None)
        } else {
            kubesim::scenario::decode::load(path).map(|l| Some(l.scenario.max_events))
        }
    })
}

/// Checks one mutant; the mirror is left as it was found.
pub fn check(mirror: &Mirror, m: &Mutant) -> Result<Outcome, Failure> {
    let source = &mirror.corpus[m.seed_idx];
    if let Some(tree) = &m.tree {
        return check_tree(mirror, source, tree, m.run);
    }
    let before = mirror.listing();
    let out = mirror.root.join("out");
    let outcome = match source.kind {
        Kind::Scenario | Kind::GpuScenario => {
            // Written beside the original, so relative references resolve.
            let path = mirror.root.join(&source.rel).with_extension("mutant.yaml");
            let bytes = if m.run && source.kind == Kind::Scenario {
                force_limits(&m.bytes)
            } else {
                m.bytes.clone()
            };
            std::fs::write(&path, &bytes).unwrap();
            let r = check_scenario(&path, &out, m.run);
            let _ = std::fs::remove_file(&path);
            r
        }
        Kind::Manifest { scenario } => {
            let path = mirror.root.join(&source.rel);
            std::fs::write(&path, &m.bytes).unwrap();
            let scenario_path = mirror.root.join(scenario);
            let r = check_scenario(&scenario_path, &out, false);
            std::fs::write(&path, &source.bytes).unwrap();
            r
        }
        Kind::Trace { .. } => {
            let path = mirror.root.join(&source.rel);
            std::fs::write(&path, &m.bytes).unwrap();
            let scenario_path = mirror.root.join("scenarios/openb-replay.yaml");
            let r = check_scenario(&scenario_path, &out, m.run);
            std::fs::write(&path, &source.bytes).unwrap();
            r
        }
        Kind::PodTrace { scenario } => {
            let path = mirror.root.join(&source.rel);
            std::fs::write(&path, &m.bytes).unwrap();
            // The scenario with the forced limits, beside the original.
            let original = mirror.root.join(scenario);
            let scenario_path = original.with_extension("mutant.yaml");
            let text = std::fs::read(&original).unwrap();
            std::fs::write(&scenario_path, force_limits(&text)).unwrap();
            let r = check_scenario(&scenario_path, &out, m.run);
            let _ = std::fs::remove_file(&scenario_path);
            std::fs::write(&path, &source.bytes).unwrap();
            r
        }
        Kind::Sweep => {
            let path = mirror.root.join(&source.rel).with_extension("mutant.yaml");
            std::fs::write(&path, &m.bytes).unwrap();
            let r = check_sweep(&path, &out, m.run);
            let _ = std::fs::remove_file(&path);
            r
        }
    };
    let _ = std::fs::remove_dir_all(&out);
    let after = mirror.listing();
    if outcome.is_ok() && before != after {
        return fail(format!(
            "files appeared or vanished outside the output directory: {:?}",
            after
                .iter()
                .filter(|p| !before.contains(p))
                .chain(before.iter().filter(|p| !after.contains(p)))
                .collect::<Vec<_>>()
        ));
    }
    outcome
}

fn check_scenario(path: &Path, out: &Path, run: bool) -> Result<Outcome, Failure> {
    let p = path.to_str().unwrap();
    let o = out.to_str().unwrap();
    match load_any(path)? {
        Err(d) => {
            check_located(&d)?;
            let status = cli(&["validate", p])?;
            if status != 2 {
                return fail(format!(
                    "validate: exit {status} for an invalid scenario ({d})"
                ));
            }
            if run {
                let status = cli(&["run", p, "--out", o, "--quiet"])?;
                if status != 2 {
                    return fail(format!("run: exit {status} for an invalid scenario"));
                }
                if out.exists() {
                    return fail("a failed run left its output directory");
                }
            }
            Ok(Outcome {
                valid: false,
                ran: false,
            })
        }
        Ok(max_events) => {
            let status = cli(&["validate", p])?;
            if status != 0 {
                return fail(format!("validate: exit {status} for a scenario that loads"));
            }
            // Only runs bounded by the forced limit (a mutant whose text
            // swallowed the appended line keeps its own maxEvents).
            let bounded = max_events.is_none_or(|m| m <= MAX_EVENTS);
            if !(run && bounded) {
                return Ok(Outcome {
                    valid: true,
                    ran: false,
                });
            }
            let status = cli(&["run", p, "--out", o, "--quiet"])?;
            if status == 2 {
                return fail("run: exit 2 for a scenario that loads");
            }
            if !(status == 0 || status == 1) {
                return fail(format!("run: exit {status}"));
            }
            if check_csvs(out)? == 0 {
                return fail("a finished run wrote no CSV file");
            }
            Ok(Outcome {
                valid: true,
                ran: true,
            })
        }
    }
}

/// The most runs a sweep mutant may have to be run (besides being loaded).
const MAX_SWEEP_RUNS: usize = 4;

struct Quiet;
impl kubesim::sweep::run::RunProgress for Quiet {
    fn run_done(&self) {}
}
impl kubesim::sweep::Progress for Quiet {
    fn start(&self, _: usize, _: usize) {}
}

fn check_sweep(path: &Path, out: &Path, run: bool) -> Result<Outcome, Failure> {
    let loaded = no_panic("loading the sweep", || kubesim::sweep::load(path))?;
    let mut sweep = match loaded {
        Err(d) => {
            check_located(&d)?;
            let status = cli(&[
                "sweep",
                path.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--quiet",
            ])?;
            if status != 2 {
                return fail(format!("sweep: exit {status} for an invalid sweep ({d})"));
            }
            if out.exists() {
                return fail("a failed sweep left its output directory");
            }
            return Ok(Outcome::default());
        }
        Ok(s) => s,
    };
    if !run || sweep.index.n_runs() > MAX_SWEEP_RUNS {
        return Ok(Outcome {
            valid: true,
            ran: false,
        });
    }
    for s in &mut sweep.scenarios {
        s.max_events = s.max_events.min(MAX_EVENTS);
    }
    let options = kubesim::sweep::Options {
        jobs: 1,
        shard: None,
        max_new_runs: None,
    };
    match no_panic("running the sweep", || {
        kubesim::sweep::run(&sweep, out, &options, &Quiet)
    })? {
        Ok(_) => {
            check_csvs(out)?;
            Ok(Outcome {
                valid: true,
                ran: true,
            })
        }
        Err(e) => fail(format!("a sweep that loads failed to run: {e}")),
    }
}

/// A tree-level mutant goes through the decoder sweeps use (`load_node`), and
/// when it decodes, through a run with `maxEvents` forced.
fn check_tree(mirror: &Mirror, source: &Seed, tree: &Node, run: bool) -> Result<Outcome, Failure> {
    let path = mirror.root.join(&source.rel);
    let file = path.display().to_string();
    let dir = path.parent().unwrap().to_path_buf();
    let loaded = no_panic("decoding the tree", || {
        kubesim::scenario::decode::load_node(&file, tree, &dir, "mutant")
    })?;
    let mut scenario = match loaded {
        Err(d) => {
            check_located(&d)?;
            return Ok(Outcome::default());
        }
        Ok(l) => l.scenario,
    };
    if !run {
        return Ok(Outcome {
            valid: true,
            ran: false,
        });
    }
    scenario.max_events = scenario.max_events.min(MAX_EVENTS);
    let report = no_panic("simulating", || {
        kubesim::sim::simulate(
            &scenario,
            scenario.seed,
            &kubesim::sim::RunOptions {
                check_invariants: true,
                ..Default::default()
            },
        )
    })?;
    for (name, figure) in &report.summary.figures {
        if let kubesim::metrics::summary::Figure::Float(f) = figure {
            if !f.is_finite() {
                return fail(format!("summary figure {name} is {f}"));
            }
        }
    }
    Ok(Outcome {
        valid: true,
        ran: true,
    })
}

/// Runs `f` on a thread of its own, failing if it takes longer than `limit`
/// (the thread is left behind: the process ends at the failure).
pub fn with_time_limit<T: Send + 'static>(
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Failure> {
    let (tx, rx) = std::sync::mpsc::channel();
    let started = Instant::now();
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            let _ = tx.send(f());
        })
        .unwrap();
    rx.recv_timeout(limit).map_err(|_| Failure {
        what: format!(
            "no result after {:?} (a hang past maxEvents?)",
            started.elapsed()
        ),
    })
}

/// Writes a failing mutant where it can be replayed, and returns the message.
pub fn report_failure(
    corpus: &[Seed],
    seed: u64,
    index: u64,
    m: &Mutant,
    f: &Failure,
    replay: &str,
) -> String {
    let dir = repo().join("target/fuzz-failures");
    let _ = std::fs::create_dir_all(&dir);
    let source = &corpus[m.seed_idx];
    let ext = Path::new(&source.rel)
        .extension()
        .map_or("txt".into(), |e| e.to_string_lossy().into_owned());
    let saved = dir.join(format!("{seed}-{index}.{ext}"));
    let bytes = match &m.tree {
        Some(tree) => format!("{tree:#?}").into_bytes(),
        None => m.bytes.clone(),
    };
    let _ = std::fs::write(&saved, bytes);
    format!(
        "mutant {index} of seed {seed} failed: {}\n  mutation: {}\n  saved in {} (a mutant of {})\n  replay: {replay}",
        f.what,
        m.description,
        saved.display(),
        source.rel
    )
}
