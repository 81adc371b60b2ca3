//! The layering of docs/architecture.md holds: a top-level module imports
//! only modules on lower lines of its "layers" block, and inside a top-level
//! module no two sibling modules import each other, directly or around a
//! circle. Reads every source file under src/ (test items and comments
//! aside) for `crate::` and `super::` paths. No source file grows past
//! `MAX_FILE_LINES`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Module → its line in the layers block, counted from the bottom (0).
fn layers() -> BTreeMap<String, usize> {
    let doc =
        fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/architecture.md")).unwrap();
    let start = doc.find("```layers\n").expect("a layers block") + "```layers\n".len();
    let block = &doc[start..start + doc[start..].find("```").unwrap()];
    let lines: Vec<&str> = block.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut out = BTreeMap::new();
    for (i, line) in lines.iter().rev().enumerate() {
        for module in line.split_whitespace() {
            out.insert(module.to_string(), i);
        }
    }
    out
}

/// The source without comments, with string and character literals
/// emptied (so that a `//`, a brace or a path inside one means nothing) and
/// without the items marked `#[cfg(test)]` (test modules, test fixtures).
fn code(text: &str) -> String {
    drop_test_items(&strip_comments_and_literals(text))
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn strip_comments_and_literals(text: &str) -> String {
    let s: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let at = |i: usize| s.get(i).copied().unwrap_or('\0');
    while i < s.len() {
        let c = s[i];
        if c == '/' && at(i + 1) == '/' {
            while i < s.len() && s[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            // Block comments nest in Rust.
            let mut depth = 0;
            while i < s.len() {
                if s[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if s[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == 'r'
            && (i == 0
                || !is_ident(s[i - 1])
                || (s[i - 1] == 'b' && (i < 2 || !is_ident(s[i - 2]))))
            && (at(i + 1) == '"' || at(i + 1) == '#')
        {
            // A raw string r"…" or r#"…"# (or a raw identifier r#name).
            let mut j = i + 1;
            while at(j) == '#' {
                j += 1;
            }
            if at(j) != '"' {
                out.push(c);
                i += 1;
                continue;
            }
            let hashes = j - i - 1;
            j += 1;
            while j < s.len() && !(s[j] == '"' && (1..=hashes).all(|k| at(j + k) == '#')) {
                j += 1;
            }
            out.push_str("\"\"");
            i = j + 1 + hashes;
        } else if c == '"' {
            i += 1;
            while i < s.len() && s[i] != '"' {
                i += if s[i] == '\\' { 2 } else { 1 };
            }
            out.push_str("\"\"");
            i += 1;
        } else if c == '\'' && (at(i + 1) == '\\' || at(i + 2) == '\'') {
            // A character literal; a lifetime ('a) has no closing quote.
            i += 2;
            while i < s.len() && s[i] != '\'' {
                i += 1;
            }
            out.push_str("' '");
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Cuts each item that follows `#[cfg(test)]`: up to its `;`, or through
/// its braces.
fn drop_test_items(text: &str) -> String {
    const MARK: &str = "#[cfg(test)]";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        out.push_str(&rest[..at]);
        let item = &rest[at + MARK.len()..];
        let mut depth = 0usize;
        let mut end = item.len();
        for (k, c) in item.char_indices() {
            match c {
                ';' if depth == 0 => {
                    end = k + 1;
                    break;
                }
                '{' => depth += 1,
                '}' if depth == 0 => {
                    // The block around the item closes: it ended here.
                    end = k;
                    break;
                }
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = k + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn src() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))
}

/// Every source file under src/ that the checks read, relative to src/ and
/// with its code: the crate root, the binary and tests (src/tests/, a
/// module's tests.rs) are left out, as they may use anything.
fn sources() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    rust_files(src(), &mut files);
    files.sort();
    files
        .into_iter()
        .filter_map(|file| {
            let rel = file.strip_prefix(src()).unwrap().to_path_buf();
            let top = module_path(&rel).remove(0);
            if ["lib", "main", "tests"].contains(&top.as_str()) || file.ends_with("tests.rs") {
                return None;
            }
            Some((rel, code(&fs::read_to_string(&file).unwrap())))
        })
        .collect()
}

/// The module a file holds: `scheduler/plugins/mod.rs` → scheduler::plugins.
fn module_path(rel: &Path) -> Vec<String> {
    let mut path: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let last = path.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" {
        path.push(stem.to_string());
    }
    path
}

#[test]
fn no_module_imports_a_module_above_it() {
    let layers = layers();
    let mut problems = Vec::new();
    for (rel, text) in sources() {
        let top = module_path(&rel).remove(0);
        let own = *layers
            .get(&top)
            .unwrap_or_else(|| panic!("module {top} is missing from the layers block"));
        for (at, _) in text.match_indices("crate::") {
            let rest = &text[at + "crate::".len()..];
            let used: String = rest.chars().take_while(|&c| is_ident(c)).collect();
            if used == top || used.is_empty() {
                continue;
            }
            match layers.get(&used) {
                Some(&layer) if layer < own => {}
                _ => problems.push(format!("{}: {top} imports {used}", rel.display())),
            }
        }
    }
    problems.dedup();
    assert!(
        problems.is_empty(),
        "upward imports:\n{}",
        problems.join("\n")
    );
}

/// The paths named by a path or `use` tree that starts at `text`, each as
/// its segments: `a::{b, c::{d, e}}::f` stops at what is not a path, so
/// `stream::write_event(…)` → [stream, write_event] and `{a, b::c}` →
/// [a], [b, c]. `self` in a group names the prefix itself.
fn use_paths(text: &str) -> Vec<Vec<String>> {
    fn tree(s: &[char], i: &mut usize) -> Vec<Vec<String>> {
        while *i < s.len() && s[*i].is_whitespace() {
            *i += 1;
        }
        if s.get(*i) == Some(&'{') {
            *i += 1;
            let mut out = Vec::new();
            loop {
                while *i < s.len() && (s[*i].is_whitespace() || s[*i] == ',') {
                    *i += 1;
                }
                match s.get(*i) {
                    None => return out,
                    Some('}') => {
                        *i += 1;
                        return out;
                    }
                    Some(_) => {
                        let before = *i;
                        out.extend(tree(s, i));
                        if *i == before {
                            // `*` or something else that is no path: skip it.
                            *i += 1;
                        }
                    }
                }
            }
        }
        let start = *i;
        while *i < s.len() && is_ident(s[*i]) {
            *i += 1;
        }
        let segment: String = s[start..*i].iter().collect();
        if segment.is_empty() {
            return vec![Vec::new()];
        }
        let rest = if s.get(*i) == Some(&':') && s.get(*i + 1) == Some(&':') {
            *i += 2;
            tree(s, i)
        } else {
            vec![Vec::new()]
        };
        rest.into_iter()
            .map(|mut tail| {
                if segment != "self" {
                    tail.insert(0, segment.clone());
                }
                tail
            })
            .collect()
    }
    let chars: Vec<char> = text.chars().collect();
    tree(&chars, &mut 0)
}

/// What a file's code names, as absolute module paths from the crate root:
/// each `crate::…` and `super::…` path, resolved against the file's module.
fn named_paths(module: &[String], text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let starts = (rest.starts_with("crate::") || rest.starts_with("super::"))
            && !text[..i].ends_with(|c: char| is_ident(c) || c == ':' || c == '$');
        if !starts {
            i += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        }
        let mut base: Vec<String> = Vec::new();
        let mut after = rest;
        if let Some(r) = after.strip_prefix("crate::") {
            after = r;
        } else {
            let mut ups = 0;
            while let Some(r) = after.strip_prefix("super::") {
                ups += 1;
                after = r;
            }
            if ups <= module.len() {
                base = module[..module.len() - ups].to_vec();
            }
        }
        for tail in use_paths(after) {
            let mut full = base.clone();
            full.extend(tail);
            out.push(full);
        }
        i += rest.len() - after.len();
    }
    out
}

/// Top-level module → importing sibling → imported sibling → the first file
/// of the importer that names it.
type Edges = BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>>;

/// The imports between the sibling modules directly inside each top-level
/// module; `is_module(top, name)` says whether `top::name` is a module.
/// A file deeper down (scheduler/plugins/gpu/fgd.rs) counts for the sibling
/// it is inside (plugins). Paths to the top-level module's own items
/// (`super::Scheduler`) are no sibling's.
fn sibling_imports(files: &[(PathBuf, String)], is_module: impl Fn(&str, &str) -> bool) -> Edges {
    let mut edges = Edges::new();
    for (rel, text) in files {
        let module = module_path(rel);
        if module.len() < 2 {
            continue; // the top-level module's own file sits above its children
        }
        let (top, own) = (&module[0], &module[1]);
        for path in named_paths(&module, text) {
            if path.len() < 2 || &path[0] != top || &path[1] == own || !is_module(top, &path[1]) {
                continue;
            }
            edges
                .entry(top.clone())
                .or_default()
                .entry(own.clone())
                .or_default()
                .entry(path[1].clone())
                .or_insert_with(|| rel.display().to_string());
        }
    }
    edges
}

/// The circles of a graph: its strongly connected components of two or
/// more nodes (Tarjan's algorithm), each with its nodes in name order.
fn circles(graph: &BTreeMap<String, BTreeMap<String, String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        graph: &'a BTreeMap<String, BTreeMap<String, String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, v: &'a str) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            self.on_stack.insert(v);
            let graph = self.graph;
            for w in graph.get(v).into_iter().flat_map(|m| m.keys()) {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                loop {
                    let w = self.stack.pop().unwrap();
                    self.on_stack.remove(w);
                    component.push(w.to_string());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.out.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !walk.index.contains_key(v.as_str()) {
            walk.visit(v);
        }
    }
    walk.out.sort();
    walk.out
}

/// One shortest way around a circle, from its first module back to it.
fn way_around(
    graph: &BTreeMap<String, BTreeMap<String, String>>,
    circle: &[String],
) -> Vec<String> {
    let start = &circle[0];
    let mut came_from: BTreeMap<&String, &String> = BTreeMap::new();
    let mut frontier = vec![start];
    while !frontier.is_empty() && !came_from.contains_key(start) {
        let mut next = Vec::new();
        for v in frontier {
            for w in graph[v].keys().filter(|w| circle.contains(w)) {
                if !came_from.contains_key(w) {
                    came_from.insert(w, v);
                    next.push(w);
                }
            }
        }
        frontier = next;
    }
    let mut way = vec![start.clone()];
    let mut at = came_from[start];
    while at != start {
        way.push(at.clone());
        at = came_from[at];
    }
    way.push(start.clone());
    way.reverse();
    way
}

/// The circles among siblings, described for a failure message.
fn circle_problems(edges: &Edges) -> Vec<String> {
    let mut problems = Vec::new();
    for (top, graph) in edges {
        for circle in circles(graph) {
            let way = way_around(graph, &circle);
            let steps: Vec<String> = way
                .windows(2)
                .map(|w| format!("    {} (uses {}::{})", graph[&w[0]][&w[1]], top, w[1]))
                .collect();
            problems.push(format!(
                "{top}: {{{}}} import each other: {}\n{}",
                circle.join(", "),
                way.iter()
                    .map(|m| format!("{top}::{m}"))
                    .collect::<Vec<_>>()
                    .join(" → "),
                steps.join("\n")
            ));
        }
    }
    problems
}

#[test]
fn no_sibling_modules_import_each_other_in_a_circle() {
    let files = sources();
    let edges = sibling_imports(&files, |top, name| {
        src().join(top).join(format!("{name}.rs")).is_file() || src().join(top).join(name).is_dir()
    });
    let problems = circle_problems(&edges);
    assert!(
        problems.is_empty(),
        "modules that import each other in a circle (move what both need to the module \
         that owns it, or to a leaf both import):\n{}",
        problems.join("\n")
    );
}

/// The checker itself on a small made-up tree: a circle through a `use`
/// group, a `crate::` path and `super::super::` from a nested file is found
/// and named; comments, strings and test items are not read.
#[test]
fn the_circle_check_finds_a_circle_through_groups_and_nested_files() {
    let file = |path: &str, text: &str| (PathBuf::from(path), code(text));
    let files = vec![
        file(
            "metrics/recorder.rs",
            "use super::{float, summary::{self, Figure}};\nuse super::Recorder;",
        ),
        file(
            "metrics/summary.rs",
            "fn f() { crate::metrics::stream::write(); }",
        ),
        file(
            "metrics/stream/csv.rs",
            "use super::super::{float::fixed, recorder as r};",
        ),
        file(
            "metrics/float.rs",
            "// super::recorder\nconst S: &str = \"crate::metrics::recorder\";\n\
             #[cfg(test)]\nmod tests { use super::super::recorder; }\n\
             #[cfg(test)]\nuse super::summary;\nfn g() {}",
        ),
    ];
    let modules = ["recorder", "summary", "stream", "float"];
    let edges = sibling_imports(&files, |top, name| {
        top == "metrics" && modules.contains(&name)
    });
    let graph = &edges["metrics"];
    let names = |m: &str| graph.get(m).map(|m| m.keys().cloned().collect::<Vec<_>>());
    assert_eq!(names("recorder").unwrap(), ["float", "summary"]);
    assert_eq!(names("summary").unwrap(), ["stream"]);
    assert_eq!(names("stream").unwrap(), ["float", "recorder"]);
    assert_eq!(names("float"), None);
    let problems = circle_problems(&edges);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with(
            "metrics: {recorder, stream, summary} import each other: \
             metrics::recorder → metrics::summary → metrics::stream → metrics::recorder"
        ),
        "{}",
        problems[0]
    );
    assert!(problems[0].contains("metrics/stream/csv.rs (uses metrics::recorder)"));
}

/// The longest a source file under src/ may be, its tests included: past
/// this a file holds more than one thing, or its tests belong in a sibling
/// tests.rs.
const MAX_FILE_LINES: usize = 800;

#[test]
fn no_source_file_is_over_the_line_limit() {
    let mut files = Vec::new();
    rust_files(src(), &mut files);
    files.sort();
    let mut long = Vec::new();
    for file in files {
        let rel = file.strip_prefix(src()).unwrap();
        let lines = fs::read_to_string(&file).unwrap().lines().count();
        if lines > MAX_FILE_LINES {
            long.push(format!("{}: {lines} lines", rel.display()));
        }
    }
    assert!(
        long.is_empty(),
        "files over {MAX_FILE_LINES} lines (move the tests to a sibling tests.rs, or split \
         off a part that stands on its own):\n{}",
        long.join("\n")
    );
}
