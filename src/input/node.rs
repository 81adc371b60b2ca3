//! The YAML tree: [`Node`], a value with the position where it appears, and
//! [`Value`], its payload. Building the tree from a file is [`super::yaml`]'s
//! work; reading it field by field is [`super::decode`]'s.

use super::diagnostic::Pos;

/// The payload of a [`Node`].
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in source order; keys are unique after [`parse_documents`].
    Map(Vec<(Node, Node)>),
}

/// A YAML value with the position where it appears (for aliases: where the alias is used).
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub pos: Pos,
}

impl Node {
    pub fn new(value: Value, pos: Pos) -> Self {
        Node { value, pos }
    }

    /// The kind of value, phrased to follow "found" in a message.
    pub fn kind_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// Scalar text as the user wrote it where possible: strings as they are, numbers and
    /// booleans formatted (floats with Rust's shortest round-trip form, so `0.5` gives
    /// `"0.5"` and `1e3` gives `"1000"`); `None` for null, lists and mappings.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null | Value::Seq(_) | Value::Map(_) => None,
        }
    }

    /// The string payload, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// "a string \"three\"", "an integer 3", "a list", "null": what follows "found".
    pub fn describe(&self) -> String {
        match &self.value {
            Value::Str(s) => format!("a string {}", quote(s)),
            Value::Null | Value::Seq(_) | Value::Map(_) => self.kind_name().to_string(),
            _ => match self.scalar_text() {
                Some(t) => format!("{} {}", self.kind_name(), t),
                None => self.kind_name().to_string(),
            },
        }
    }
}

/// Quotes and escapes text for a one-line message, cutting it if very long, so a
/// diagnostic stays one readable line even when someone pastes a certificate into
/// the wrong field.
pub fn quote(s: &str) -> String {
    crate::input::quote::quote_prefix(s, crate::input::quote::MAX_QUOTED_CHARS)
}
