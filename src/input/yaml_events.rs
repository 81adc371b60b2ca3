//! The fast YAML reader: builds the [`Node`] tree straight from the parser's
//! events (granit-parser, the parser serde-saphyr itself sits on), with the
//! scalar rules of [`super::yaml`] applied as serde-saphyr applies them with the
//! options kubesim sets. A large scenario is mostly plain mappings, lists and
//! scalars; building them without serde's machinery is several times faster and
//! keeps only the tree in memory.
//!
//! What this reader does not handle itself it hands back (`None`) to
//! [`super::yaml_serde`], which then decides, with its own meaning and
//! messages: tags (`!!str`), anchors and aliases (`&a`, `*a`), merge keys
//! (`<<`), lists or mappings used as keys, every syntax error, and a file at or
//! near a limit (nodes, documents, depth, scalar bytes), where the
//! fallback reports the breach in its words.

use super::diagnostic::Pos;
use super::node::{Node, Value};
use granit_parser::{Event, Parser, ScalarStyle, Span};

/// A list or mapping being built; its children so far sit at the end of the
/// reader's shared item or entry stack, from `start` on, so that each finished
/// list or mapping gets a vector of exactly its size.
struct Open {
    map: bool,
    pos: Pos,
    start: usize,
    /// A mapping's key waiting for its value.
    key: Option<Node>,
}

/// Running counts checked against the limits (see [`crate::limits`]); at a
/// limit the fallback reader takes over and reports the breach.
struct Counts {
    max_nodes: usize,
    nodes: usize,
    events: usize,
    documents: usize,
    scalar_bytes: usize,
}

impl Counts {
    /// `false` once any count reaches its limit.
    fn within(&self) -> bool {
        let max_bytes = usize::try_from(crate::limits::MAX_INPUT_BYTES).unwrap_or(usize::MAX);
        self.nodes < self.max_nodes
            && self.events < self.max_nodes.saturating_mul(4)
            && self.documents < self.max_nodes
            && self.scalar_bytes < max_bytes
    }
}

/// Parses every document of `text` (null documents included: the caller drops
/// them), or `None` when the fallback reader must decide.
pub fn parse(text: &str, max_nodes: usize) -> Option<Vec<Node>> {
    // Comments are not kept, so the parser need not report them.
    let mut options = granit_parser::Options::default();
    options.emit_comments = false;
    let mut parser = Parser::new_from_str_with_options(text, options);
    let mut counts = Counts {
        max_nodes,
        nodes: 0,
        events: 0,
        documents: 0,
        scalar_bytes: 0,
    };
    let mut docs = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    let mut items: Vec<Node> = Vec::new();
    let mut entries: Vec<(Node, Node)> = Vec::new();
    let mut root: Option<Node> = None;
    loop {
        let (event, span) = parser.next_event()?.ok()?;
        counts.events += 1;
        let key_position = open.last().is_some_and(|o| o.map && o.key.is_none());
        let done = match event {
            Event::StreamStart => None,
            Event::StreamEnd => return open.is_empty().then_some(docs),
            Event::DocumentStart(..) => {
                counts.documents += 1;
                None
            }
            Event::DocumentEnd => {
                docs.extend(root.take());
                None
            }
            Event::Scalar(value, style, anchor, tag) => {
                if tag.is_some() || anchor != 0 {
                    return None;
                }
                counts.nodes += 1;
                counts.scalar_bytes += value.len();
                // A merge key: serde-saphyr's merging decides.
                if key_position && value == "<<" && style == ScalarStyle::Plain {
                    return None;
                }
                Some(Node::new(resolve(value.into_owned(), style), pos(&span)))
            }
            Event::SequenceStart(_, anchor, ref tag) | Event::MappingStart(_, anchor, ref tag) => {
                // A list or mapping as a key: the fallback handles the rare case.
                if tag.is_some() || anchor != 0 || key_position {
                    return None;
                }
                counts.nodes += 1;
                if open.len() + 1 >= crate::limits::MAX_YAML_DEPTH {
                    return None;
                }
                let map = matches!(event, Event::MappingStart(..));
                let start = if map { entries.len() } else { items.len() };
                open.push(Open {
                    map,
                    pos: pos(&span),
                    start,
                    key: None,
                });
                None
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let o = open.pop()?;
                if o.key.is_some() {
                    return None;
                }
                let value = if o.map {
                    Value::Map(entries.drain(o.start..).collect())
                } else {
                    Value::Seq(items.drain(o.start..).collect())
                };
                Some(Node::new(value, o.pos))
            }
            Event::Anchor(..) => None,
            // Aliases, and whatever a later parser version adds.
            _ => return None,
        };
        if !counts.within() {
            return None;
        }
        if let Some(node) = done {
            match open.last_mut() {
                None => root = Some(node),
                Some(o) if !o.map => items.push(node),
                Some(o) => match o.key.take() {
                    None => o.key = Some(node),
                    Some(k) => entries.push((k, node)),
                },
            }
        }
    }
}

/// The position serde-saphyr gives an event: its first character, 1-based.
fn pos(span: &Span) -> Pos {
    Pos {
        line: u32::try_from(span.start.line()).unwrap_or(u32::MAX),
        column: u32::try_from(span.start.col() + 1).unwrap_or(u32::MAX),
    }
}

/// The value of an untagged scalar, typed as serde-saphyr types it for a value
/// of any type with kubesim's options: only plain scalars are typed (quoted and
/// block scalars are strings); null, then YAML 1.2 booleans, then the spellings
/// kept as strings (leading zeros, underscores), then integers, then floats
/// (non-finite ones as their canonical string), else a string.
fn resolve(text: String, style: ScalarStyle) -> Value {
    if style != ScalarStyle::Plain {
        return Value::Str(text);
    }
    let t = text.trim_matches([' ', '\t', '\r', '\n']);
    match t {
        _ if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL") => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    // Only a scalar starting like a number can be one; most text is decided here.
    let first = t.as_bytes().first().copied().unwrap_or(b' ');
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return Value::Str(text);
    }
    if leading_zero_decimal(t) || t.contains('_') {
        return Value::Str(text);
    }
    if let Some(v) = parse_int(t) {
        return v;
    }
    match parse_float(t) {
        Some(f) if f.is_finite() => Value::Float(f),
        Some(f) if f.is_nan() => Value::Str(".nan".into()),
        Some(f) if f.is_sign_negative() => Value::Str("-.inf".into()),
        Some(_) => Value::Str(".inf".into()),
        None => Value::Str(text),
    }
}

/// A decimal integer with a redundant leading zero (`0755`, `-012`).
fn leading_zero_decimal(t: &str) -> bool {
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit())
}

/// YAML 1.2 integers: decimal, `0x`, `0o`, `0b`, with a sign; negative ones
/// must fit `i64`, others `u64` (beyond `i64` they become floats, see the
/// module docs of [`super::yaml`]). `None` when not an integer that fits.
fn parse_int(t: &str) -> Option<Value> {
    let (neg, rest) = match t.strip_prefix('+') {
        Some(r) => (false, r),
        None => match t.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, t),
        },
    };
    let (radix, digits) = if let Some(r) = rest.strip_prefix("0x").or(rest.strip_prefix("0X")) {
        (16, r)
    } else if let Some(r) = rest.strip_prefix("0o").or(rest.strip_prefix("0O")) {
        (8, r)
    } else if let Some(r) = rest.strip_prefix("0b").or(rest.strip_prefix("0B")) {
        (2, r)
    } else {
        if digits_start_with_zero(rest) {
            return None;
        }
        (10, rest)
    };
    // Underscores were sent to strings before; a sign inside is not a digit.
    if digits.is_empty() || !digits.bytes().all(|b| (b as char).is_digit(radix)) {
        return None;
    }
    let mag = u128::from_str_radix(digits, radix).ok()?;
    if neg {
        let v = i128::try_from(mag).ok()?.checked_neg()?;
        i64::try_from(v).ok().map(Value::Int)
    } else {
        let v = u64::try_from(mag).ok()?;
        Some(match i64::try_from(v) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Float(v as f64),
        })
    }
}

fn digits_start_with_zero(d: &str) -> bool {
    d.starts_with('0') && d != "0"
}

/// YAML 1.2 floats as serde-saphyr reads them: `.inf`/`.nan` spellings, then
/// Rust's float syntax for finite values, then numerals that overflow `f64`
/// (as infinities). `None` when not a float.
fn parse_float(t: &str) -> Option<f64> {
    let (negative, unsigned) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    match unsigned {
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        ".inf" | ".Inf" | ".INF" if negative => return Some(f64::NEG_INFINITY),
        ".inf" | ".Inf" | ".INF" => return Some(f64::INFINITY),
        _ => {}
    }
    let v = t.parse::<f64>().ok()?;
    if v.is_finite() {
        return Some(v);
    }
    // Rust also reads `inf` and `nan`; only a numeral that overflows counts.
    let numeral = unsigned.as_bytes().first().is_some_and(u8::is_ascii_digit);
    (numeral && v.is_infinite()).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::super::yaml_serde;
    use super::*;

    const MAX: usize = crate::limits::MAX_YAML_NODES;

    /// The event reader either hands over or builds exactly the fallback's tree
    /// (null documents aside: the fallback drops them, `parse_documents` too).
    fn same_as_fallback(text: &str) -> bool {
        match parse(text, MAX) {
            Some(mut fast) => {
                fast.retain(|d| !d.is_null());
                let slow = yaml_serde::parse("t.yaml", text, MAX)
                    .unwrap_or_else(|e| panic!("fallback failed on {text:?}: {e}"));
                assert_eq!(fast, slow, "trees differ for {text:?}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn scalars_are_typed_as_the_fallback_types_them() {
        let scalars = [
            "",
            "~",
            "null",
            "Null",
            "NULL",
            "nULL",
            "true",
            "True",
            "TRUE",
            "tRUE",
            "false",
            "FALSE",
            "yes",
            "no",
            "on",
            "off",
            "y",
            "n",
            "0",
            "-0",
            "+0",
            "00",
            "0755",
            "-012",
            "+012",
            "1_000",
            "1__0",
            "_1",
            "12",
            "+12",
            "-12",
            "0x1F",
            "0X1f",
            "-0x10",
            "0x",
            "0o17",
            "0o8",
            "0b101",
            "0b2",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "18446744073709551615",
            "18446744073709551616",
            "340282366920938463463374607431768211456",
            "0.5",
            "-0.5",
            "+.5",
            ".5",
            "5.",
            "1e3",
            "1E3",
            "-1e-3",
            "1e999",
            "-1e999",
            "01.5",
            "0.0",
            ".inf",
            "-.inf",
            "+.inf",
            ".Inf",
            ".INF",
            ".nan",
            ".NaN",
            ".NAN",
            "inf",
            "nan",
            "+nan",
            "-inf",
            "infinity",
            "NaN",
            "1.5.2",
            "1e",
            "e3",
            "100m",
            "1Gi",
            "500Mi",
            "0.25",
            "1.0",
            "2h",
            "10s",
            "nginx:1.25",
            "a b",
            "-",
            "+",
            ".",
            "1-2",
            "0x1_0",
            "1,000",
            "1 000",
            "12:30",
            "2024-01-01",
            "0e0",
            "-0.0",
        ];
        for s in scalars {
            for text in [format!("k: {s}\n"), format!("- {s}\n"), format!("{s}: 1\n")] {
                same_as_fallback(&text);
            }
            for quoted in [format!("k: '{s}'\n"), format!("k: \"{s}\"\n")] {
                assert!(same_as_fallback(&quoted), "{quoted:?} was handed over");
            }
        }
    }

    #[test]
    fn structures_and_positions_match_the_fallback() {
        let texts = [
            "a: 1\nb:\n  c: [10, 20]\n  d:\n    - x\n    - y: true\n",
            "---\na: 1\n---\n---\n# only a comment\n---\nb: 2\n---\n~\n",
            "",
            "# nothing\n",
            "a:\nb: ~\nc: {}\nd: []\ne: {x: [1, {y: z}]}\n",
            "- - - 1\n  - 2\n- {a: b}\n-\n",
            "s: |\n  line 1\n  line 2\nf: >\n  folded\n  text\nq: 'it''s'\nd: \"a\\tb\"\n",
            "a: 1\na: 2\n",
            "k: multi\n  line plain\n",
            "? a\n: 1\n",
            "{a: 1, b: [x, y], c: null}",
            "plain scalar document",
            "%YAML 1.2\n---\na: 1\n...\n",
            "a: 1 # comment\n# another\nb: 2\n",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {app.kubernetes.io/name: x}\nspec:\n  containers:\n  - name: c\n    resources: {requests: {cpu: 100m, memory: 1Gi}}\n",
        ];
        for text in texts {
            assert!(same_as_fallback(text), "{text:?} was handed over");
        }
        // Long runs of comments, where the parser looks ahead, are no limit.
        let comments: String = (0..300).map(|i| format!("# comment {i}\n")).collect();
        let text = format!("a:\n{comments}  - x\n{comments}  - y\n{comments}");
        assert!(same_as_fallback(&text));
        assert!(yaml_serde::parse("t.yaml", &format!("{text}b: !!str 1\n"), MAX).is_ok());
    }

    #[test]
    fn what_the_fallback_decides_is_handed_over() {
        for text in [
            "a: !!str 1\n",
            "a: &x 1\nb: *x\n",
            "base: &b {x: 1}\nd:\n  <<: *b\n",
            "d: {<<: {x: 1}, y: 2}\n",
            "? [a, b]\n: 1\n",
            "x: 1\ny: [1, 2\n",
            "a:\n  b: 1\n c: 2\n",
            "a: *nope\n",
        ] {
            assert!(parse(text, MAX).is_none(), "{text:?} was not handed over");
        }
        // At the node limit, the fallback reports the breach.
        assert!(parse("[1, 2, 3]", 3).is_none());
        assert!(parse("[1, 2]", 4).is_some());
    }

    #[test]
    fn bundled_scenarios_read_the_same_both_ways() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut fast = 0;
        for dir in ["scenarios", "benches"] {
            let mut stack = vec![root.join(dir)];
            while let Some(d) = stack.pop() {
                for entry in std::fs::read_dir(&d).unwrap() {
                    let path = entry.unwrap().path();
                    if path.is_dir() {
                        stack.push(path);
                    } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                        let text = std::fs::read_to_string(&path).unwrap();
                        fast += usize::from(same_as_fallback(&text));
                    }
                }
            }
        }
        assert!(fast >= 25, "only {fast} files read by events");
    }
}
