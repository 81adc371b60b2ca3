//! The fallback YAML reader: serde-saphyr's deserializer building the tree
//! through serde. [`super::yaml_events`] builds the same tree from the
//! parser's events much faster but hands over to this reader whatever it does
//! not handle itself (tags, aliases, merge keys, every error), so that those
//! keep serde-saphyr's exact meaning and messages.

use super::diagnostic::{Diagnostic, Pos};
use super::node::{Node, Value};
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::{
    Budget, DuplicateKeyPolicy, MessageFormatter, NonFiniteFloatPolicy, Options, Spanned,
    UserMessageFormatter,
};

/// Parses every document of `text` (null documents may be dropped) under the node
/// limit `max_nodes`; a failure is one diagnostic at the parser's position.
pub fn parse(file: &str, text: &str, max_nodes: usize) -> Result<Vec<Node>, Diagnostic> {
    serde_saphyr::from_str_multiple_with_options::<Node, Vec<Node>>(text, parse_options(max_nodes))
        .map_err(|e| syntax_diagnostic(file, &e, max_nodes))
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s: Spanned<Value> = Spanned::deserialize(d)?;
        let line = u32::try_from(s.referenced.line()).unwrap_or(u32::MAX);
        let column = u32::try_from(s.referenced.column()).unwrap_or(u32::MAX);
        Ok(Node {
            value: s.value,
            pos: Pos { line, column },
        })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

/// Integers beyond `i64` become floats (see the module docs for why not an error here:
/// a parse error would hide every other problem in the file).
fn wide_int(v: i128) -> Value {
    match i64::try_from(v) {
        Ok(i) => Value::Int(i),
        Err(_) => Value::Float(v as f64),
    }
}

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(wide_int(i128::from(v)))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(wide_int(v))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(match i128::try_from(v) {
            Ok(i) => wide_int(i),
            Err(_) => Value::Float(v as f64),
        })
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_char<E>(self, v: char) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    // `!!binary` scalars arrive as bytes; nothing we model is binary, so keep them
    // as text and let the field's reader judge them.
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(n) = seq.next_element::<Node>()? {
            items.push(n);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry::<Node, Node>()? {
            entries.push(entry);
        }
        Ok(Value::Map(entries))
    }
}

/// The parser's budget, every part derived from the node limit (see
/// [`crate::limits::MAX_YAML_NODES`] for why each).
fn budget(nodes: usize) -> Budget {
    let mut b = Budget::default();
    b.max_nodes = nodes;
    // Every node is one event, a list or mapping two (start and end); each
    // document adds two more and the stream two.
    b.max_events = nodes.saturating_mul(4).saturating_add(2);
    b.max_documents = nodes;
    b.max_total_scalar_bytes =
        usize::try_from(crate::limits::MAX_INPUT_BYTES).unwrap_or(usize::MAX);
    b.max_reader_input_bytes = b.max_total_scalar_bytes.into();
    b.max_depth = crate::limits::MAX_YAML_DEPTH;
    b.max_anchors = crate::limits::MAX_YAML_ANCHORS;
    b.max_aliases = crate::limits::MAX_YAML_ANCHORS;
    // Comments are not kept, and the event reader does not ask for them: a long
    // run of comment lines (before a nested list, say) is valid YAML, not a limit.
    b.max_buffered_comment_events = usize::MAX;
    b.max_total_comment_bytes = b.max_total_scalar_bytes;
    b
}

/// Parser settings; see the module docs for the reasoning behind each.
fn parse_options(max_nodes: usize) -> Options {
    let mut o = Options::default();
    o.budget = Some(budget(max_nodes));
    o.strict_booleans = true;
    // Duplicates reach our visitor and are reported by `report_duplicates`, which
    // finds all of them; the parser's own check would abort at the first.
    o.duplicate_keys = DuplicateKeyPolicy::PassThrough;
    o.leading_zero_numbers_as_strings = true;
    o.underscored_numbers_as_strings = true;
    o.non_finite_float_policy = NonFiniteFloatPolicy::AsString;
    o.legacy_octal_numbers = false;
    // We render our own one-line message from the error and its location.
    o.with_snippet = false;
    o
}

fn syntax_diagnostic(file: &str, e: &serde_saphyr::Error, max_nodes: usize) -> Diagnostic {
    let pos = e
        .location()
        .filter(|l| l.line() > 0)
        .map(|l| {
            Pos::new(
                u32::try_from(l.line()).unwrap_or(u32::MAX),
                u32::try_from(l.column()).unwrap_or(u32::MAX).max(1),
            )
        })
        .unwrap_or(Pos::new(1, 1));
    if let Some(message) = size_breach_message(e, max_nodes) {
        return Diagnostic::new(file, pos, "", message);
    }
    let raw = UserMessageFormatter.format_message(e.without_snippet());
    // The formatter may embed line breaks or other control characters; a diagnostic
    // is one line.
    let mut message: String = raw
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    message = message.split_whitespace().collect::<Vec<_>>().join(" ");
    if message.is_empty() {
        message = "invalid YAML".to_string();
    }
    Diagnostic::new(file, pos, "", format!("invalid YAML: {message}"))
}

/// The message for a file too large for the node limit, which says the two
/// ways out; `None` for every other error (anchors, depth: the parser's own
/// words, since no option changes them).
fn size_breach_message(e: &serde_saphyr::Error, limit: usize) -> Option<String> {
    let serde_saphyr::Error::Budget { breach, .. } = e.without_snippet() else {
        return None;
    };
    let what = match breach {
        // The events budget (four a node) is only crossed after the nodes one.
        BudgetBreach::Nodes { .. } | BudgetBreach::Events { .. } => "YAML nodes",
        BudgetBreach::Documents { .. } => "YAML documents",
        _ => return None,
    };
    Some(format!(
        "the file holds more than {limit} {what} (the YAML node limit); a large \
         workload belongs in a pod trace (`podTraces`, docs/scenario-format.md#pod-traces), \
         which streams, or raise the limit with `--max-yaml-nodes N`"
    ))
}
