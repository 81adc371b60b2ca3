//! YAML input: parsing a file's text into a tree of position-carrying nodes
//! ([`Node`]), and the field paths that name a place in that tree. Decoding the
//! tree by hand, with every problem located, is [`super::decode`]'s work.
//!
//! Two readers build the same tree: [`super::yaml_events`] from the parser's events,
//! fast, for the plain mappings, lists and scalars that make up nearly every file;
//! [`super::yaml_serde`] (serde-saphyr) for whatever the first hands over: tags,
//! anchors and aliases, merge keys, lists or mappings as keys, files at a limit, and
//! every syntax error, so those keep one meaning and one wording.
//!
//! Parsing rules, chosen so that a value never means something the user did not write:
//! - YAML 1.2 booleans only: `yes`, `no`, `on`, `off`, `y`, `n` stay strings.
//! - Duplicate mapping keys are errors; all of them are reported, each with the
//!   position of the first definition (merge keys `<<` may still be overridden).
//! - Plain numbers with redundant leading zeros (`0755`) or underscores (`1_000`) stay
//!   strings, because YAML 1.1 tools read them differently (octal, digit grouping) and
//!   guessing wrong is worse than asking for quotes; an integer field then reports them.
//! - `.inf` and `.nan` stay strings, so every [`Value::Float`] is finite and no
//!   non-finite number reaches the model; a number field then reports them. A float
//!   literal too large for `f64` (`1e999`) reads as the string `".inf"` (the parser
//!   does not keep the original spelling).
//! - Integers above `i64::MAX` become [`Value::Float`] (rounded); the integer readers
//!   reject them as out of range instead of silently using the rounded value.
//! - `1e3` is a float (1000.0); its [`Node::scalar_text`] is `"1000"` and the integer
//!   readers accept it because it has no fractional part.

use super::diagnostic::{Diagnostic, Diagnostics, Pos};
use super::{yaml_events, yaml_serde};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

pub use super::node::{quote, Node, Value};

/// The YAML node limit in force ([`crate::limits::MAX_YAML_NODES`] unless the
/// command line set another). Process-wide, like the file-size limit: it is
/// set once from `--max-yaml-nodes` before any input is read, and every file
/// read after (scenario, included manifests, scheduler configuration) obeys
/// it, however deep in the decoding it is parsed.
static MAX_NODES: AtomicUsize = AtomicUsize::new(crate::limits::MAX_YAML_NODES);

/// Sets the YAML node limit for every file read from now on (`--max-yaml-nodes`).
pub fn set_max_nodes(n: usize) {
    MAX_NODES.store(n.max(1), Ordering::Relaxed);
}

/// The YAML node limit in force.
pub fn max_nodes() -> usize {
    MAX_NODES.load(Ordering::Relaxed)
}

/// Parses a file's text into documents (multi-document streams separated by `---`;
/// empty and null documents are skipped). A syntax error becomes one diagnostic at the
/// parser's position (the parser cannot recover, so later problems are unknown);
/// duplicate keys are all reported at once.
pub fn parse_documents(file: &str, text: &str) -> Result<Vec<Node>, Diagnostics> {
    let limit = max_nodes();
    // The event reader handles every well-formed file without tags, aliases or
    // merge keys; anything else (and every error) goes through serde-saphyr.
    let docs = match yaml_events::parse(text, limit) {
        Some(docs) => docs,
        None => yaml_serde::parse(file, text, limit).map_err(|d| Diagnostics(vec![d]))?,
    };
    let docs: Vec<Node> = docs.into_iter().filter(|d| !d.is_null()).collect();
    let mut sink = Vec::new();
    let mut steps = Vec::new();
    for doc in &docs {
        report_duplicates(file, &mut steps, doc, &mut sink);
    }
    Diagnostics::check(sink, docs)
}

/// Parses text that must hold exactly one document (an empty text is an error).
pub fn parse_single(file: &str, text: &str) -> Result<Node, Diagnostics> {
    let mut docs = parse_documents(file, text)?;
    match docs.len() {
        1 => Ok(docs.remove(0)),
        0 => Err(Diagnostics(vec![Diagnostic::new(
            file,
            Pos::new(1, 1),
            "",
            "expected a YAML document, found an empty file",
        )])),
        n => Err(Diagnostics(vec![Diagnostic::new(
            file,
            docs[1].pos,
            "",
            format!("expected a single YAML document, found {n} (separated by `---`)"),
        )])),
    }
}

/// A hashable identity for scalar keys; lists and mappings as keys are not checked
/// (nothing we read uses them, and they end up reported as unknown fields anyway).
#[derive(PartialEq, Eq, Hash)]
enum KeyId<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(u64),
    Str(&'a str),
}

fn key_id(n: &Node) -> Option<KeyId<'_>> {
    Some(match &n.value {
        Value::Null => KeyId::Null,
        Value::Bool(b) => KeyId::Bool(*b),
        Value::Int(i) => KeyId::Int(*i),
        Value::Float(f) => KeyId::Float(f.to_bits()),
        Value::Str(s) => KeyId::Str(s),
        Value::Seq(_) | Value::Map(_) => return None,
    })
}

/// Field names that can be shown bare in a path; others (label keys such as
/// `app.kubernetes.io/name`) are shown as `["..."]` so the path stays unambiguous.
fn is_plain_field(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
}

/// The path of field `name` of the mapping at `parent` (`spec.containers`, or
/// `metadata.labels["app.kubernetes.io/name"]` for a name that is not plain).
pub fn field_path(parent: &str, name: &str) -> String {
    let mut path = String::with_capacity(parent.len() + name.len() + 1);
    path.push_str(parent);
    if is_plain_field(name) {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(name);
    } else {
        path.push('[');
        path.push_str(&quote(name));
        path.push(']');
    }
    path
}

/// The path of item `i` of the list at `parent` (`spec.containers[0]`).
pub fn index_path(parent: &str, i: usize) -> String {
    format!("{parent}[{i}]")
}

/// One step of the path to a node, kept as references while walking the tree
/// so that the path text is only built for a node that has a problem.
#[derive(Clone, Copy)]
enum Step<'a> {
    Field(&'a Node),
    Index(usize),
}

/// The text of a path of steps (`spec.containers[0]`), as [`field_path`] and
/// [`index_path`] spell it.
fn path_text(steps: &[Step<'_>]) -> String {
    let mut path = String::new();
    for step in steps {
        path = match step {
            Step::Field(k) => field_path(&path, &k.scalar_text().unwrap_or_else(|| "?".into())),
            Step::Index(i) => index_path(&path, *i),
        };
    }
    path
}

/// Records every repeated key in the tree, each at its field path. Recursion depth
/// is bounded by the parser's nesting budget.
fn report_duplicates<'a>(
    file: &str,
    steps: &mut Vec<Step<'a>>,
    node: &'a Node,
    sink: &mut Vec<Diagnostic>,
) {
    match &node.value {
        Value::Map(entries) => {
            // Most mappings are small: a linear scan beats hashing there.
            let mut seen: HashMap<KeyId<'_>, Pos> = HashMap::new();
            for (i, (k, v)) in entries.iter().enumerate() {
                if let Some(id) = key_id(k) {
                    let first = if entries.len() <= 16 {
                        entries[..i]
                            .iter()
                            .find(|(prev, _)| key_id(prev).as_ref() == Some(&id))
                            .map(|(prev, _)| prev.pos)
                    } else {
                        let first = seen.get(&id).copied();
                        if first.is_none() {
                            seen.insert(id, k.pos);
                        }
                        first
                    };
                    if let Some(first) = first {
                        let shown = k.scalar_text().unwrap_or_else(|| "null".into());
                        sink.push(Diagnostic::new(
                            file,
                            k.pos,
                            path_text(steps),
                            format!(
                                "duplicate key `{shown}` (first defined at line {}, column {})",
                                first.line, first.column
                            ),
                        ));
                    }
                }
                if matches!(v.value, Value::Map(_) | Value::Seq(_)) {
                    steps.push(Step::Field(k));
                    report_duplicates(file, steps, v, sink);
                    steps.pop();
                }
            }
        }
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                if matches!(item.value, Value::Map(_) | Value::Seq(_)) {
                    steps.push(Step::Index(i));
                    report_duplicates(file, steps, item, sink);
                    steps.pop();
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<Node> {
        parse_documents("t.yaml", text).unwrap_or_else(|e| panic!("parse failed: {e}"))
    }

    fn one(text: &str) -> Node {
        parse_single("t.yaml", text).unwrap_or_else(|e| panic!("parse failed: {e}"))
    }

    /// Looks a key up in a mapping node (test shorthand).
    fn get<'n>(n: &'n Node, key: &str) -> &'n Node {
        match &n.value {
            Value::Map(e) => e
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v)
                .unwrap_or_else(|| panic!("no key {key}")),
            _ => panic!("not a mapping"),
        }
    }

    #[test]
    fn positions_of_nested_values_are_one_based() {
        let doc = one("a: 1\nb:\n  c: [10, 20]\n  d:\n    - x\n    - y: true\n");
        assert_eq!(doc.pos, Pos::new(1, 1));
        assert_eq!(get(&doc, "a").pos, Pos::new(1, 4));
        let b = get(&doc, "b");
        // A block mapping sits at its first key.
        assert_eq!(b.pos, Pos::new(3, 3));
        let Value::Seq(c) = &get(b, "c").value else {
            panic!("c is not a list")
        };
        assert_eq!(c[1].value, Value::Int(20));
        assert_eq!(c[1].pos, Pos::new(3, 11));
        let Value::Seq(d) = &get(b, "d").value else {
            panic!("d is not a list")
        };
        assert_eq!(d[0].pos, Pos::new(5, 7));
        assert_eq!(get(&d[1], "y").value, Value::Bool(true));
        assert_eq!(get(&d[1], "y").pos, Pos::new(6, 10));
        // Keys carry positions too.
        let Value::Map(entries) = &doc.value else {
            panic!("not a mapping")
        };
        assert_eq!(entries[1].0.pos, Pos::new(2, 1));
    }

    #[test]
    fn multi_document_skips_empty_documents() {
        let docs = parse("---\na: 1\n---\n---\n# only a comment\n---\nb: 2\n---\n~\n");
        assert_eq!(docs.len(), 2);
        assert_eq!(get(&docs[0], "a").value, Value::Int(1));
        assert_eq!(get(&docs[1], "b").pos, Pos::new(7, 4));
        assert!(parse("").is_empty());
        assert!(parse("# nothing\n").is_empty());
    }

    #[test]
    fn parse_single_wants_exactly_one_document() {
        let e = parse_single("t.yaml", "").unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.yaml:1:1: expected a YAML document, found an empty file"
        );
        let e = parse_single("t.yaml", "a: 1\n---\nb: 2\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.yaml:3:1: expected a single YAML document, found 2 (separated by `---`)"
        );
    }

    #[test]
    fn syntax_error_has_position_and_one_line_message() {
        let e = parse_documents("bad.yaml", "a:\n  b: 1\n c: 2\n").unwrap_err();
        assert_eq!(e.len(), 1);
        let d = &e.0[0];
        assert_eq!(d.file, "bad.yaml");
        assert_eq!(d.pos, Pos::new(3, 2));
        assert_eq!(d.field, "");
        assert!(d.message.starts_with("invalid YAML: "), "{}", d.message);
        assert!(!d.to_string().contains('\n'));

        let e = parse_documents("bad.yaml", "x: 1\ny: [1, 2\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "bad.yaml:2:4: invalid YAML: unclosed bracket '['"
        );
        let e = parse_documents("bad.yaml", "a: *nope\n").unwrap_err();
        assert_eq!(e.0[0].pos, Pos::new(1, 4));
    }

    #[test]
    fn yes_is_a_string_and_true_is_a_boolean() {
        let doc = one("a: yes\nb: on\nc: y\nd: True\ne: false\n");
        assert_eq!(get(&doc, "a").value, Value::Str("yes".into()));
        assert_eq!(get(&doc, "b").value, Value::Str("on".into()));
        assert_eq!(get(&doc, "c").value, Value::Str("y".into()));
        assert_eq!(get(&doc, "d").value, Value::Bool(true));
        assert_eq!(get(&doc, "e").value, Value::Bool(false));
    }

    #[test]
    fn numbers_and_their_text() {
        let doc = one(
            "half: 0.5\nexp: 1e3\nhex: 0x1F\noct: 0755\nus: 1_000\ninf: .inf\nnan: .nan\nhuge: 1e999\nbig: 18446744073709551615\n",
        );
        let half = get(&doc, "half");
        assert_eq!(half.value, Value::Float(0.5));
        assert_eq!(half.scalar_text().as_deref(), Some("0.5"));
        // `1e3` is a YAML 1.2 float; its text is the shortest round-trip form.
        let exp = get(&doc, "exp");
        assert_eq!(exp.value, Value::Float(1000.0));
        assert_eq!(exp.scalar_text().as_deref(), Some("1000"));
        assert_eq!(get(&doc, "hex").value, Value::Int(31));
        assert_eq!(get(&doc, "oct").value, Value::Str("0755".into()));
        assert_eq!(get(&doc, "us").value, Value::Str("1_000".into()));
        assert_eq!(get(&doc, "inf").value, Value::Str(".inf".into()));
        assert_eq!(get(&doc, "nan").value, Value::Str(".nan".into()));
        assert_eq!(get(&doc, "huge").value, Value::Str(".inf".into()));
        assert_eq!(
            get(&doc, "big").value,
            Value::Float(18_446_744_073_709_551_615_u64 as f64)
        );
        assert_eq!(Node::new(Value::Null, Pos::default()).scalar_text(), None);
    }

    #[test]
    fn duplicate_keys_are_all_reported() {
        let e = parse_documents(
            "d.yaml",
            "a: 1\nb:\n  c: 1\n  c: 2\na: 3\nl:\n  - {x: 1, x: 2}\n",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "d.yaml:4:3: b: duplicate key `c` (first defined at line 3, column 3)\n\
             d.yaml:5:1: duplicate key `a` (first defined at line 1, column 1)\n\
             d.yaml:7:12: l[0]: duplicate key `x` (first defined at line 7, column 6)"
        );
        // Overriding a merged key is not a duplicate.
        let doc = one("base: &b\n  x: 1\n  y: 2\nd:\n  <<: *b\n  x: 3\n");
        assert_eq!(get(get(&doc, "d"), "x").value, Value::Int(3));
        assert_eq!(get(get(&doc, "d"), "y").value, Value::Int(2));
    }
}
