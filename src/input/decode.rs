//! Decoding a YAML tree by hand: the context ([`Ctx`]) that knows the file and
//! the field path and collects problems, typed readers, [`MapReader`] for mappings,
//! and the "did you mean" hint.
//!
//! We deliberately do not deserialize straight into serde structs. Serde stops at the
//! first problem and its messages rarely say where the offending value sits. Users of a
//! simulator edit long scenario files, and a fix-one-rerun-fix-the-next loop is painful,
//! so here every problem becomes a [`Diagnostic`] naming `file:line:column`, the field
//! path (`nodePools[2].capacity.cpu`), what was found and what was expected, and
//! decoding carries on so that one run reports everything wrong with a file at once.
//! Unknown fields are errors (a misspelt optional field would otherwise silently fall
//! back to its default) and come with a "did you mean" hint.

use super::diagnostic::{Diagnostic, Pos};
use super::yaml::{field_path, index_path, quote, Node, Value};
use std::borrow::Cow;

/// Decoding context: the file name, the current field path and the shared sink that
/// collects every problem. Child contexts from [`Ctx::field`] and [`Ctx::index`] borrow
/// the parent's sink, so a decoder passes `&mut ctx.field("x")` down and keeps going.
pub struct Ctx<'a> {
    file: &'a str,
    path: String,
    sink: &'a mut Vec<Diagnostic>,
}

impl<'a> Ctx<'a> {
    pub fn new(file: &'a str, sink: &'a mut Vec<Diagnostic>) -> Self {
        Ctx {
            file,
            path: String::new(),
            sink,
        }
    }

    /// The file name; borrowed for `'a`, not from `self`, so it can be passed alongside
    /// [`Ctx::sink`] in one call.
    pub fn file(&self) -> &'a str {
        self.file
    }

    /// The shared sink, for starting a [`Ctx`] on another file (an included manifest)
    /// that reports into the same list, or for adding diagnostics made elsewhere.
    pub fn sink(&mut self) -> &mut Vec<Diagnostic> {
        self.sink
    }

    /// The context for field `name` of the current mapping.
    pub fn field(&mut self, name: &str) -> Ctx<'_> {
        let path = field_path(&self.path, name);
        Ctx {
            file: self.file,
            path,
            sink: &mut *self.sink,
        }
    }

    /// The context for item `i` of the current list.
    pub fn index(&mut self, i: usize) -> Ctx<'_> {
        Ctx {
            file: self.file,
            path: index_path(&self.path, i),
            sink: &mut *self.sink,
        }
    }

    /// The current field path, e.g. `spec.containers[0].resources`; empty at the root.
    pub fn path(&self) -> String {
        self.path.clone()
    }

    /// How many problems the shared sink holds so far (for "did this part decode?").
    pub fn error_count(&self) -> usize {
        self.sink.len()
    }

    /// Records an error at `pos` for the current path.
    pub fn error(&mut self, pos: Pos, message: impl Into<String>) {
        self.sink.push(Diagnostic {
            file: self.file.to_string(),
            pos,
            field: self.path.clone(),
            message: message.into(),
        });
    }

    /// Records "expected {what}, found {description of node}".
    pub fn expected(&mut self, node: &Node, what: &str) {
        self.error(
            node.pos,
            format!("expected {what}, found {}", node.describe()),
        );
    }

    /// A string. Numbers and booleans are refused: `name: 1.10` is almost always a
    /// version that lost its trailing zero, so quotes are required.
    pub fn str(&mut self, node: &Node) -> Option<String> {
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            _ => {
                self.expected(node, "a string");
                None
            }
        }
    }

    /// A duration such as `30s`, `5m` or `1h30m`.
    pub fn duration(&mut self, node: &Node) -> Option<crate::engine::SimDuration> {
        let text = self.scalar_string(node)?;
        crate::engine::time::parse_duration(&text)
            .map_err(|e| {
                self.error(
                    node.pos,
                    format!("expected a duration such as 30s, 5m or 1h30m: {e}"),
                )
            })
            .ok()
    }

    /// Any scalar as text (quantities such as `cpu: 0.5`, label values given as numbers).
    pub fn scalar_string(&mut self, node: &Node) -> Option<String> {
        let text = node.scalar_text();
        if text.is_none() {
            self.expected(node, "a single value (a string or a number)");
        }
        text
    }

    pub fn bool(&mut self, node: &Node) -> Option<bool> {
        match node.value {
            Value::Bool(b) => Some(b),
            _ => {
                self.expected(node, "a boolean (true or false)");
                None
            }
        }
    }

    /// An integer; a float without fractional part (`1e3`) is accepted.
    pub fn i64(&mut self, node: &Node) -> Option<i64> {
        self.integer(node, "an integer")
    }

    /// A non-negative integer (at most `i64::MAX`).
    pub fn u64(&mut self, node: &Node) -> Option<u64> {
        const WHAT: &str = "a non-negative integer";
        let v = self.integer(node, WHAT)?;
        match u64::try_from(v) {
            Ok(u) => Some(u),
            Err(_) => {
                self.error(node.pos, format!("expected {WHAT}, found {v}"));
                None
            }
        }
    }

    fn integer(&mut self, node: &Node, what: &str) -> Option<i64> {
        match node.value {
            Value::Int(i) => Some(i),
            Value::Float(f) if f.fract() == 0.0 => {
                // 2^63 is exactly representable; every float strictly inside
                // (-2^63 - 1, 2^63) with no fraction converts without loss.
                const LIMIT: f64 = 9_223_372_036_854_775_808.0;
                if (-LIMIT..LIMIT).contains(&f) {
                    Some(f as i64)
                } else {
                    self.error(
                        node.pos,
                        format!(
                            "expected {what}, found {f} (out of range, at most {})",
                            i64::MAX
                        ),
                    );
                    None
                }
            }
            _ => {
                self.expected(node, what);
                None
            }
        }
    }

    /// A number: an integer or a float.
    pub fn f64(&mut self, node: &Node) -> Option<f64> {
        match node.value {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => {
                self.expected(node, "a number");
                None
            }
        }
    }

    /// A list; null (`containers:` with nothing after it) reads as an empty list.
    pub fn seq<'n>(&mut self, node: &'n Node) -> Option<&'n [Node]> {
        match &node.value {
            Value::Seq(items) => Some(items),
            Value::Null => Some(&[]),
            _ => {
                self.expected(node, "a list");
                None
            }
        }
    }

    /// A mapping of scalar keys to scalar values as text (labels, annotations,
    /// nodeSelector), in source order with each value's position. Null reads as empty;
    /// a null value reads as "" (as Kubernetes does). Bad entries are reported and
    /// skipped, the rest returned.
    pub fn string_map(&mut self, node: &Node) -> Option<Vec<(String, String, Pos)>> {
        let entries = match &node.value {
            Value::Map(entries) => entries,
            Value::Null => return Some(Vec::new()),
            _ => {
                self.expected(node, "a mapping of names to values");
                return None;
            }
        };
        let mut out = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            let Some(key) = k.scalar_text() else {
                self.expected(k, "a name (a string)");
                continue;
            };
            let mut child = self.field(&key);
            let value = match &v.value {
                Value::Null => Some(String::new()),
                _ => child.scalar_string(v),
            };
            if let Some(value) = value {
                out.push((key, value, v.pos));
            }
        }
        Some(out)
    }

    /// A string that must be one of `allowed` (an enumeration such as `restartPolicy`);
    /// a near miss gets a suggestion.
    pub fn one_of<'k>(&mut self, node: &Node, allowed: &[&'k str]) -> Option<&'k str> {
        let s = self.str(node)?;
        if let Some(hit) = allowed.iter().find(|a| **a == s) {
            return Some(hit);
        }
        let hint = match did_you_mean(&s, allowed) {
            Some(m) => format!(" (did you mean `{m}`?)"),
            None => String::new(),
        };
        self.error(
            node.pos,
            format!(
                "unknown value {}{hint}; expected one of: {}",
                quote(&s),
                allowed.join(", ")
            ),
        );
        None
    }
}

/// A mapping being decoded: fields are taken by name, and [`MapReader::finish`] reports
/// every key nobody took as unknown, with a suggestion.
pub struct MapReader<'n> {
    node: &'n Node,
    entries: &'n [(Node, Node)],
    used: Vec<bool>,
    /// Names asked for via opt/req/ignore, in the order asked (repeats included):
    /// the accepted fields.
    asked: Vec<Cow<'static, str>>,
}

impl<'n> MapReader<'n> {
    /// Starts reading `node`; records "expected a mapping, found ..." if it is not one.
    pub fn new(ctx: &mut Ctx<'_>, node: &'n Node) -> Option<MapReader<'n>> {
        match &node.value {
            Value::Map(entries) => Some(MapReader {
                node,
                entries,
                used: vec![false; entries.len()],
                asked: Vec::new(),
            }),
            _ => {
                ctx.expected(node, "a mapping");
                None
            }
        }
    }

    fn take(&mut self, key: &'static str) -> Option<&'n Node> {
        // Repeats are dropped when the names are shown (`finish`), not here:
        // a mapping read without problems never needs them.
        self.asked.push(Cow::Borrowed(key));
        let entries = self.entries;
        let i = entries.iter().position(|(k, _)| k.as_str() == Some(key))?;
        if let Some(u) = self.used.get_mut(i) {
            *u = true;
        }
        entries.get(i).map(|(_, v)| v)
    }

    /// Takes an optional field; a key whose value is null counts as absent.
    pub fn opt(&mut self, key: &'static str) -> Option<&'n Node> {
        self.take(key).filter(|v| !v.is_null())
    }

    /// Takes a required field; records "missing required field `key`" at the mapping's
    /// position if absent, or at the value if it is null.
    pub fn req(&mut self, ctx: &mut Ctx<'_>, key: &'static str) -> Option<&'n Node> {
        match self.take(key) {
            None => {
                ctx.error(self.pos(), format!("missing required field `{key}`"));
                None
            }
            Some(v) if v.is_null() => {
                ctx.error(v.pos, format!("required field `{key}` has no value"));
                None
            }
            Some(v) => Some(v),
        }
    }

    /// Accepts fields that are valid but not modelled (such as a container's `ports`
    /// or `env`) and ignores their values.
    pub fn ignore(&mut self, keys: &[&'static str]) {
        for k in keys {
            let _ = self.take(k);
        }
    }

    /// Whether `key` is present with a non-null value (does not take it).
    /// Accepts every field with a name, as if each had been asked for (a
    /// mapping whose contents kubesim does not read).
    pub fn ignore_all(&mut self) {
        for (i, (k, _)) in self.entries.iter().enumerate() {
            if let Some(name) = k.scalar_text() {
                self.asked.push(Cow::Owned(name));
                self.used[i] = true;
            }
        }
    }

    pub fn has(&self, key: &str) -> bool {
        self.entries
            .iter()
            .any(|(k, v)| k.as_str() == Some(key) && !v.is_null())
    }

    /// The mapping's position.
    pub fn pos(&self) -> Pos {
        self.node.pos
    }

    /// Reports every key not taken. The names asked for through opt/req/ignore, in the
    /// order asked, are the accepted ones the message lists and the hint draws on, so
    /// each field name is written once, where it is read; a decoder therefore asks for
    /// every field it accepts even when it will not use the value.
    pub fn finish(self, ctx: &mut Ctx<'_>) {
        if self.used.iter().all(|u| *u) {
            return;
        }
        let mut names: Vec<&str> = Vec::with_capacity(self.asked.len());
        for a in &self.asked {
            if !names.contains(&a.as_ref()) {
                names.push(a);
            }
        }
        let expected = if names.is_empty() {
            "this mapping takes no fields".to_string()
        } else {
            format!("expected one of: {}", names.join(", "))
        };
        for ((k, _), used) in self.entries.iter().zip(&self.used) {
            if *used {
                continue;
            }
            let message = match k.scalar_text() {
                Some(text) => {
                    let hint = match did_you_mean(&text, &names) {
                        Some(m) => format!(" (did you mean `{m}`?)"),
                        None => String::new(),
                    };
                    format!("unknown field `{text}`{hint}; {expected}")
                }
                None => format!("unexpected {} as a field name; {expected}", k.kind_name()),
            };
            ctx.error(k.pos, message);
        }
    }
}

/// The closest of `known` to `found`, if close enough to be a plausible typo: equal
/// ignoring case, within (case-insensitive) Damerau-Levenshtein distance 2 and at most
/// half the longer name (so `x` does not suggest `id`), or one a prefix of the other
/// with at least 3 characters (`mem` suggests `memory`). Closer wins; ties go to the
/// earlier name in `known`. `found` itself is never suggested.
pub fn did_you_mean<'a>(found: &str, known: &[&'a str]) -> Option<&'a str> {
    // Only the first characters of `found` can matter: a name more than 2 longer
    // than every candidate is too far for an edit and can only match as a prefix.
    // Cutting it keeps a pasted 2 MB value from costing seconds and gigabytes of
    // distance table per candidate.
    let longest_known = known.iter().map(|k| k.chars().count()).max().unwrap_or(0);
    let f: String = found
        .chars()
        .take(longest_known + 3)
        .flat_map(char::to_lowercase)
        .collect();
    let f_len = f.chars().count();
    let truncated = found.chars().nth(longest_known + 3).is_some();
    let mut best: Option<(usize, &'a str)> = None;
    for &cand in known {
        // An exact match is no typo (a decoder that forgot to take the field).
        if cand == found {
            continue;
        }
        let c = cand.to_lowercase();
        let c_len = c.chars().count();
        // The distance is at least the difference in length. Optimal string
        // alignment counts swapping two adjacent characters as one edit (the
        // most common typo, `nmae`).
        let d = if truncated || f_len.abs_diff(c_len) > 2 {
            usize::MAX
        } else {
            strsim::osa_distance(&f, &c)
        };
        let longer = f_len.max(c_len);
        let shorter = f_len.min(c_len);
        let score = if d <= 2 && d * 2 <= longer {
            d
        } else if shorter >= 3 && (c.starts_with(&f) || f.starts_with(&c)) {
            3
        } else {
            continue;
        };
        if best.is_none_or(|(s, _)| score < s) {
            best = Some((score, cand));
        }
    }
    best.map(|(_, c)| c)
}

/// Takes a manifest's required `apiVersion` (which must be `api_version`:
/// `v1` for the core group) and `kind` (which must be `kind`).
pub fn check_type(ctx: &mut Ctx<'_>, m: &mut MapReader<'_>, kind: &str, api_version: &str) {
    if let Some(v) = m.req(ctx, "apiVersion") {
        let mut c = ctx.field("apiVersion");
        if let Some(s) = c.str(v) {
            if s != api_version {
                c.error(
                    v.pos,
                    format!(
                        "expected {api_version} (the apiVersion of kind {kind}), found {}",
                        v.describe()
                    ),
                );
            }
        }
    }
    if let Some(k) = m.req(ctx, "kind") {
        let mut c = ctx.field("kind");
        if let Some(s) = c.str(k) {
            if s != kind {
                c.error(
                    k.pos,
                    format!("expected kind {kind}, found {}", k.describe()),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests;
