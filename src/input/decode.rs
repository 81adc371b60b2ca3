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
    /// Names asked for via opt/req/ignore, in the order asked: the accepted fields.
    asked: Vec<String>,
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

    fn take(&mut self, key: &str) -> Option<&'n Node> {
        if !self.asked.iter().any(|a| a == key) {
            self.asked.push(key.to_string());
        }
        let entries = self.entries;
        let i = entries.iter().position(|(k, _)| k.as_str() == Some(key))?;
        if let Some(u) = self.used.get_mut(i) {
            *u = true;
        }
        entries.get(i).map(|(_, v)| v)
    }

    /// Takes an optional field; a key whose value is null counts as absent.
    pub fn opt(&mut self, key: &str) -> Option<&'n Node> {
        self.take(key).filter(|v| !v.is_null())
    }

    /// Takes a required field; records "missing required field `key`" at the mapping's
    /// position if absent, or at the value if it is null.
    pub fn req(&mut self, ctx: &mut Ctx<'_>, key: &str) -> Option<&'n Node> {
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
    pub fn ignore(&mut self, keys: &[&str]) {
        for k in keys {
            let _ = self.take(k);
        }
    }

    /// Whether `key` is present with a non-null value (does not take it).
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
        let names: Vec<&str> = self.asked.iter().map(String::as_str).collect();
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
mod tests {
    use super::*;
    use crate::input::diagnostic::Diagnostics;
    use crate::input::yaml::{parse_documents, parse_single};

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

    fn messages(sink: &[Diagnostic]) -> Vec<String> {
        sink.iter().map(|d| d.to_string()).collect()
    }

    #[test]
    fn wrong_type_message_and_display_format() {
        let doc = one("spec:\n  replicas:\n      three\n");
        let mut sink = Vec::new();
        let mut ctx = Ctx::new("file.yaml", &mut sink);
        let spec = get(&doc, "spec");
        let mut spec_ctx = ctx.field("spec");
        assert_eq!(spec_ctx.field("replicas").i64(get(spec, "replicas")), None);
        assert_eq!(
            messages(&sink),
            ["file.yaml:3:7: spec.replicas: expected an integer, found a string \"three\""]
        );
        // The field is omitted when empty.
        let d = Diagnostic::new("f.yaml", Pos::new(1, 2), "", "oops");
        assert_eq!(d.to_string(), "f.yaml:1:2: oops");
    }

    #[test]
    fn typed_readers() {
        let doc = one(
            "s: hi\nn: 7\nneg: -3\nf: 0.5\ne: 1e3\nb: true\nyes_: yes\nbig: 18446744073709551615\n\
             l: [a]\nnul:\nm: {k: v}\nlong: 2.5\n",
        );
        let mut sink = Vec::new();
        let mut ctx = Ctx::new("t.yaml", &mut sink);
        assert_eq!(ctx.str(get(&doc, "s")), Some("hi".into()));
        assert_eq!(ctx.i64(get(&doc, "n")), Some(7));
        assert_eq!(ctx.u64(get(&doc, "n")), Some(7));
        assert_eq!(ctx.i64(get(&doc, "neg")), Some(-3));
        assert_eq!(ctx.f64(get(&doc, "n")), Some(7.0));
        assert_eq!(ctx.f64(get(&doc, "f")), Some(0.5));
        assert_eq!(ctx.i64(get(&doc, "e")), Some(1000));
        assert_eq!(ctx.bool(get(&doc, "b")), Some(true));
        assert_eq!(ctx.scalar_string(get(&doc, "f")), Some("0.5".into()));
        assert_eq!(ctx.scalar_string(get(&doc, "b")), Some("true".into()));
        assert_eq!(ctx.seq(get(&doc, "l")).map(<[Node]>::len), Some(1));
        assert_eq!(ctx.seq(get(&doc, "nul")).map(<[Node]>::len), Some(0));
        assert!(sink.is_empty(), "{sink:?}");

        let mut ctx = Ctx::new("t.yaml", &mut sink);
        assert_eq!(ctx.u64(get(&doc, "neg")), None);
        assert_eq!(ctx.str(get(&doc, "n")), None);
        assert_eq!(ctx.bool(get(&doc, "yes_")), None);
        assert_eq!(ctx.i64(get(&doc, "big")), None);
        assert_eq!(ctx.i64(get(&doc, "long")), None);
        assert_eq!(ctx.f64(get(&doc, "s")), None);
        assert_eq!(ctx.scalar_string(get(&doc, "l")), None);
        assert_eq!(ctx.seq(get(&doc, "m")), None);
        assert_eq!(ctx.str(get(&doc, "nul")), None);
        let got: Vec<&str> = sink.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            got,
            [
                "expected a non-negative integer, found -3",
                "expected a string, found an integer 7",
                "expected a boolean (true or false), found a string \"yes\"",
                "expected an integer, found 18446744073709552000 (out of range, at most 9223372036854775807)",
                "expected an integer, found a number 2.5",
                "expected a number, found a string \"hi\"",
                "expected a single value (a string or a number), found a list",
                "expected a list, found a mapping",
                "expected a string, found null",
            ]
        );
    }

    #[test]
    fn unknown_field_with_suggestion_and_expected_list() {
        let doc = one("apiVersion: v1\nkind: Deployment\nmetdata: {}\nspec:\n  replicass: 3\n");
        let mut sink = Vec::new();
        let mut ctx = Ctx::new("u.yaml", &mut sink);
        let mut top = MapReader::new(&mut ctx, &doc).unwrap();
        top.ignore(&["apiVersion", "kind", "metadata"]);
        let spec = top.opt("spec").unwrap();
        top.finish(&mut ctx);
        let mut sctx = ctx.field("spec");
        let mut m = MapReader::new(&mut sctx, spec).unwrap();
        assert!(m.opt("replicas").is_none());
        let _ = (m.opt("selector"), m.opt("template"));
        m.finish(&mut sctx);
        let sorted = Diagnostics::new(sink);
        assert_eq!(
            messages(&sorted.0),
            [
                "u.yaml:3:1: unknown field `metdata` (did you mean `metadata`?); \
                 expected one of: apiVersion, kind, metadata, spec",
                "u.yaml:5:3: spec: unknown field `replicass` (did you mean `replicas`?); \
                 expected one of: replicas, selector, template"
            ]
        );
    }

    #[test]
    fn names_asked_for_join_the_expected_list() {
        let doc = one("nmae: x\n");
        let mut sink = Vec::new();
        let mut ctx = Ctx::new("t.yaml", &mut sink);
        let mut m = MapReader::new(&mut ctx, &doc).unwrap();
        let _ = m.opt("name");
        m.finish(&mut ctx);
        assert_eq!(
            sink[0].message,
            "unknown field `nmae` (did you mean `name`?); expected one of: name"
        );
    }

    #[test]
    fn the_expected_list_is_the_names_asked_in_the_order_asked() {
        let doc = one("zone: a\nsize: 3\nlabels: {}\nnmae: x\n");
        let mut sink = Vec::new();
        let mut ctx = Ctx::new("t.yaml", &mut sink);
        let mut m = MapReader::new(&mut ctx, &doc).unwrap();
        let _ = m.req(&mut ctx, "name");
        let _ = m.opt("size");
        m.ignore(&["labels", "zone"]);
        let _ = m.opt("size");
        m.finish(&mut ctx);
        assert_eq!(
            messages(&Diagnostics::new(sink).0),
            [
                "t.yaml:1:1: missing required field `name`",
                "t.yaml:4:1: unknown field `nmae` (did you mean `name`?); \
                 expected one of: name, size, labels, zone"
            ]
        );
    }

    #[test]
    fn a_mapping_that_asks_for_nothing_takes_no_fields() {
        let doc = one("a: 1\n");
        let mut sink = Vec::new();
        let mut ctx = Ctx::new("t.yaml", &mut sink);
        MapReader::new(&mut ctx, &doc).unwrap().finish(&mut ctx);
        assert_eq!(
            sink[0].message,
            "unknown field `a`; this mapping takes no fields"
        );
    }

    #[test]
    fn missing_required_field_and_null_values() {
        let doc = one("pool:\n  size: 3\n  name:\n  zone: ~\n");
        let mut sink = Vec::new();
        let mut ctx = Ctx::new("r.yaml", &mut sink);
        let mut pctx = ctx.field("pool");
        let mut m = MapReader::new(&mut pctx, get(&doc, "pool")).unwrap();
        assert!(m.req(&mut pctx, "size").is_some());
        assert!(m.req(&mut pctx, "cpu").is_none());
        assert!(m.req(&mut pctx, "name").is_none());
        // Null counts as absent for an optional field, and is not unknown.
        assert!(m.opt("zone").is_none());
        assert_eq!(m.pos(), Pos::new(2, 3));
        m.finish(&mut pctx);
        assert_eq!(sink.len(), 2, "{sink:?}");
        assert_eq!(
            sink[0].to_string(),
            "r.yaml:2:3: pool: missing required field `cpu`"
        );
        assert_eq!(sink[1].field, "pool");
        assert_eq!(sink[1].message, "required field `name` has no value");
        assert_eq!(sink[1].pos.line, 3);
    }

    #[test]
    fn non_mapping_is_reported() {
        let doc = one("- a\n- b\n");
        let mut sink = Vec::new();
        let mut ctx = Ctx::new("t.yaml", &mut sink);
        assert!(MapReader::new(&mut ctx.field("spec"), &doc).is_none());
        assert_eq!(
            sink[0].to_string(),
            "t.yaml:1:1: spec: expected a mapping, found a list"
        );
    }

    #[test]
    fn path_formatting() {
        let mut sink = Vec::new();
        let mut ctx = Ctx::new("p.yaml", &mut sink);
        assert_eq!(ctx.path(), "");
        assert_eq!(ctx.index(0).path(), "[0]");
        assert_eq!(
            ctx.field("a").field("b").index(2).field("c").path(),
            "a.b[2].c"
        );
        assert_eq!(
            ctx.field("metadata")
                .field("labels")
                .field("app.kubernetes.io/name")
                .path(),
            "metadata.labels[\"app.kubernetes.io/name\"]"
        );
        ctx.field("a").index(2).error(Pos::new(1, 1), "x");
        assert_eq!(ctx.file(), "p.yaml");
        assert_eq!(ctx.error_count(), 1);
        // Another file reporting into the same sink.
        let mut other = Ctx::new("q.yaml", ctx.sink());
        other.field("z").error(Pos::new(2, 2), "y");
        let file = ctx.file();
        ctx.sink()
            .push(Diagnostic::new(file, Pos::new(3, 3), "", "z"));
        assert_eq!(ctx.error_count(), 3);
        assert_eq!(sink[0].field, "a[2]");
        assert_eq!(sink[1].to_string(), "q.yaml:2:2: z: y");
    }

    #[test]
    fn diagnostics_are_sorted_stably() {
        let d = |file: &str, line, column, m: &str| {
            Diagnostic::new(file, Pos::new(line, column), "", m)
        };
        let all = Diagnostics::new(vec![
            d("b.yaml", 1, 1, "b"),
            d("a.yaml", 9, 1, "late"),
            d("a.yaml", 2, 5, "second"),
            d("a.yaml", 2, 3, "first"),
            d("a.yaml", 2, 5, "second again"),
        ]);
        let order: Vec<&str> = all.iter().map(|x| x.message.as_str()).collect();
        assert_eq!(order, ["first", "second", "second again", "late", "b"]);
        assert_eq!(all.to_string().lines().count(), 5);
        assert_eq!(Diagnostics::check(Vec::new(), 5), Ok(5));
        assert!(Diagnostics::check(vec![d("a", 1, 1, "x")], 5).is_err());
    }

    #[test]
    fn string_maps_take_scalars_as_text() {
        let doc = one("labels:\n  app: web\n  tier: 3\n  ratio: 0.5\n  empty:\n  bad: [1]\n");
        let mut sink = Vec::new();
        let mut ctx = Ctx::new("t.yaml", &mut sink);
        let got = ctx.field("labels").string_map(get(&doc, "labels")).unwrap();
        let pairs: Vec<(&str, &str)> = got
            .iter()
            .map(|(k, v, _)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("app", "web"),
                ("tier", "3"),
                ("ratio", "0.5"),
                ("empty", "")
            ]
        );
        assert_eq!(got[0].2, Pos::new(2, 8));
        let null = Node::new(Value::Null, Pos::default());
        assert_eq!(ctx.string_map(&null), Some(Vec::new()));
        assert_eq!(
            messages(&sink),
            ["t.yaml:6:8: labels.bad: expected a single value (a string or a number), found a list"]
        );
    }

    #[test]
    fn one_of_suggests() {
        let doc = one("policy: Allways\n");
        let mut sink = Vec::new();
        let mut ctx = Ctx::new("t.yaml", &mut sink);
        let allowed = ["Always", "OnFailure", "Never"];
        assert_eq!(
            ctx.field("policy").one_of(get(&doc, "policy"), &allowed),
            None
        );
        assert_eq!(
            sink[0].message,
            "unknown value \"Allways\" (did you mean `Always`?); expected one of: Always, OnFailure, Never"
        );
    }

    #[test]
    fn did_you_mean_rules() {
        let known = ["apiVersion", "kind", "metadata", "spec", "id", "memory"];
        assert_eq!(did_you_mean("apiversion", &known), Some("apiVersion"));
        assert_eq!(did_you_mean("knid", &known), Some("kind"));
        assert_eq!(did_you_mean("metdata", &known), Some("metadata"));
        assert_eq!(did_you_mean("mem", &known), Some("memory"));
        assert_eq!(did_you_mean("x", &known), None);
        assert_eq!(did_you_mean("completely", &known), None);
        assert_eq!(did_you_mean("", &known), None);
        assert_eq!(did_you_mean("spec", &[]), None);
    }

    #[test]
    fn hostile_input_does_not_panic() {
        let deep = "[".repeat(10_000);
        let deep_map = format!("a:\n  {}", "{a: ".repeat(5_000));
        for text in [
            deep.as_str(),
            deep_map.as_str(),
            "\u{0}",
            "\t",
            "? [1, 2]\n: x\n",
            "a: &x [*x]\n",
            "%YAML 9.9\n---\na: 1\n",
            "a: !!binary aGVsbG8=\n",
            "a: !custom {b: 1}\n",
            "a: 1e999\n",
            "- - - - -\n",
            "'unterminated\n",
        ] {
            let _ = parse_documents("h.yaml", text).map(|docs| {
                let mut sink = Vec::new();
                let mut ctx = Ctx::new("h.yaml", &mut sink);
                for d in &docs {
                    if let Some(m) = MapReader::new(&mut ctx, d) {
                        m.finish(&mut ctx);
                    }
                }
            });
        }
    }

    /// The usage pattern the decoders follow.
    #[test]
    fn usage_example() {
        fn decode(ctx: &mut Ctx<'_>, node: &Node) -> Option<(String, u64)> {
            let mut m = MapReader::new(ctx, node)?;
            let replicas = m.opt("replicas").and_then(|n| ctx.field("replicas").u64(n));
            let name = m.req(ctx, "name").and_then(|n| ctx.field("name").str(n));
            m.finish(ctx);
            Some((name?, replicas.unwrap_or(1)))
        }
        let docs = parse_documents("app.yaml", "name: web\nreplicas: 3\n").unwrap();
        let mut sink = Vec::new();
        let got = decode(&mut Ctx::new("app.yaml", &mut sink), &docs[0]);
        assert_eq!(
            Diagnostics::check(sink, got),
            Ok(Some(("web".to_string(), 3)))
        );
    }
}
