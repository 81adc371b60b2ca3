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
    let d =
        |file: &str, line, column, m: &str| Diagnostic::new(file, Pos::new(line, column), "", m);
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
