use super::*;

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn req(key: &str, operator: Operator, values: &[&str]) -> Requirement {
    Requirement {
        key: key.to_string(),
        operator,
        values: values.iter().map(|v| v.to_string()).collect(),
    }
}

fn selector(reqs: Vec<Requirement>) -> LabelSelector {
    LabelSelector {
        match_labels: Labels::new(),
        match_expressions: reqs,
    }
}

#[test]
fn operator_round_trips_and_is_case_sensitive() {
    use Operator::*;
    for op in [In, NotIn, Exists, DoesNotExist, Gt, Lt] {
        assert_eq!(Operator::parse(op.as_str()), Some(op));
        assert_eq!(op.to_string(), op.as_str());
    }
    assert_eq!(Operator::parse("in"), None);
    assert_eq!(Operator::parse("Equals"), None);
    assert_eq!(Operator::parse(""), None);
}

/// TestRequirementSelectorMatching in upstream selector_test.go.
#[test]
fn upstream_requirement_selector_matching() {
    use Operator::*;
    let cases: Vec<(Labels, Vec<Requirement>, bool)> = vec![
        (
            labels(&[("x", "foo"), ("y", "baz")]),
            vec![req("x", In, &["foo"]), req("y", NotIn, &["alpha"])],
            true,
        ),
        (
            labels(&[("x", "foo"), ("y", "baz")]),
            vec![req("x", In, &["foo"]), req("y", In, &["alpha"])],
            false,
        ),
        (
            labels(&[("y", "")]),
            vec![req("x", NotIn, &[""]), req("y", Exists, &[])],
            true,
        ),
        (
            labels(&[("y", "")]),
            vec![req("x", DoesNotExist, &[]), req("y", Exists, &[])],
            true,
        ),
        (
            labels(&[("y", "")]),
            vec![req("x", NotIn, &[""]), req("y", DoesNotExist, &[])],
            false,
        ),
        (labels(&[("y", "baz")]), vec![req("x", In, &[""])], false),
        (labels(&[("z", "2")]), vec![req("z", Gt, &["1"])], true),
        (labels(&[("z", "v2")]), vec![req("z", Gt, &["1"])], false),
    ];
    for (set, reqs, want) in cases {
        let sel = selector(reqs);
        assert_eq!(sel.matches(&set), want, "{sel:?} on {set:?}");
    }
}

/// TestSelectorMatches in upstream selector_test.go, with `x=y` written
/// as `x In (y)` and `x!=y` as `x NotIn (y)`.
#[test]
fn upstream_selector_matches() {
    use Operator::*;
    let yes = |r: Vec<Requirement>, l: &[(&str, &str)]| {
        assert!(selector(r.clone()).matches(&labels(l)), "{r:?} {l:?}")
    };
    let no = |r: Vec<Requirement>, l: &[(&str, &str)]| {
        assert!(!selector(r.clone()).matches(&labels(l)), "{r:?} {l:?}")
    };
    yes(vec![], &[("x", "y")]);
    yes(vec![req("x", In, &["y"])], &[("x", "y")]);
    yes(
        vec![req("x", In, &["y"]), req("z", In, &["w"])],
        &[("x", "y"), ("z", "w")],
    );
    yes(
        vec![req("x", NotIn, &["y"]), req("z", NotIn, &["w"])],
        &[("x", "z"), ("z", "a")],
    );
    yes(vec![req("notin", In, &["in"])], &[("notin", "in")]);
    yes(vec![req("x", Exists, &[])], &[("x", "z")]);
    yes(vec![req("x", DoesNotExist, &[])], &[("y", "z")]);
    yes(vec![req("x", Gt, &["1"])], &[("x", "2")]);
    yes(vec![req("x", Lt, &["1"])], &[("x", "0")]);
    no(vec![req("x", In, &["z"])], &[]);
    no(vec![req("x", In, &["y"])], &[("x", "z")]);
    no(
        vec![req("x", In, &["y"]), req("z", In, &["w"])],
        &[("x", "w"), ("z", "w")],
    );
    no(
        vec![req("x", NotIn, &["y"]), req("z", NotIn, &["w"])],
        &[("x", "z"), ("z", "w")],
    );
    no(vec![req("x", Exists, &[])], &[("y", "z")]);
    no(vec![req("x", DoesNotExist, &[])], &[("x", "z")]);
    no(vec![req("x", Gt, &["1"])], &[("x", "0")]);
    no(vec![req("x", Lt, &["1"])], &[("x", "2")]);
}

#[test]
fn gt_lt_need_integers_on_both_sides() {
    use Operator::*;
    let node = labels(&[("cpus", "8"), ("gen", "v3"), ("neg", "-4"), ("plus", "+7")]);
    assert!(req("cpus", Gt, &["4"]).matches(&node));
    assert!(!req("cpus", Gt, &["8"]).matches(&node)); // strictly greater
    assert!(!req("cpus", Lt, &["8"]).matches(&node));
    assert!(req("cpus", Lt, &["10"]).matches(&node));
    assert!(req("neg", Lt, &["0"]).matches(&node));
    assert!(req("plus", Gt, &["6"]).matches(&node)); // ParseInt accepts '+'
    assert!(req("cpus", Gt, &["007"]).matches(&node)); // and leading zeros
    assert!(!req("gen", Gt, &["1"]).matches(&node)); // label not an integer
    assert!(!req("cpus", Gt, &["four"]).matches(&node)); // value not an integer
    assert!(!req("cpus", Gt, &[" 4"]).matches(&node));
    assert!(!req("cpus", Gt, &["1", "2"]).matches(&node)); // exactly one value
    assert!(!req("cpus", Gt, &[]).matches(&node));
    assert!(!req("missing", Lt, &["100"]).matches(&node)); // absent key
    assert!(!req("cpus", Gt, &["99999999999999999999"]).matches(&node)); // out of range
}

#[test]
fn label_selector_empty_matches_everything() {
    let empty = LabelSelector::default();
    assert!(empty.is_empty());
    assert!(empty.matches(&Labels::new()));
    assert!(empty.matches(&labels(&[("a", "b")])));
}

#[test]
fn label_selector_ands_match_labels_and_expressions() {
    let sel = LabelSelector {
        match_labels: labels(&[("app", "web")]),
        match_expressions: vec![req("tier", Operator::NotIn, &["db"])],
    };
    assert!(!sel.is_empty());
    assert!(sel.matches(&labels(&[("app", "web")])));
    assert!(sel.matches(&labels(&[("app", "web"), ("tier", "front")])));
    assert!(!sel.matches(&labels(&[("app", "web"), ("tier", "db")])));
    assert!(!sel.matches(&labels(&[("app", "api")])));
    assert!(!sel.matches(&labels(&[("tier", "front")])));
    // matchLabels with an empty value needs the key present.
    let empty_value = LabelSelector {
        match_labels: labels(&[("canary", "")]),
        ..Default::default()
    };
    assert!(empty_value.matches(&labels(&[("canary", "")])));
    assert!(!empty_value.matches(&Labels::new()));
}

/// TestRequirementConstructor in upstream selector_test.go (what
/// `labels.NewRequirement` accepts), plus the operator/value rules of
/// `ValidateLabelSelectorRequirement` and `ValidateNodeSelectorRequirement`.
#[test]
fn upstream_requirement_validation() {
    use Operator::*;
    let long_key = "a".repeat(254);
    let cases: Vec<(Requirement, bool)> = vec![
        (req("x", In, &[]), false),
        (req("x", NotIn, &[]), false),
        (req("x", In, &["foo"]), true),
        (req("x", NotIn, &["foo"]), true),
        (req("x", Exists, &[]), true),
        (req("x", DoesNotExist, &[]), true),
        (req("x", Exists, &["foo"]), false),
        (req("x", DoesNotExist, &["foo"]), false),
        (req("1foo", In, &["bar"]), true),
        (req("1234", In, &["bar"]), true),
        (req("y", Gt, &["1"]), true),
        (req("z", Lt, &["6"]), true),
        (req("foo", Gt, &["bar"]), false),
        (req("barz", Lt, &["blah"]), false),
        (req("z", Lt, &["1", "2"]), false),
        (req("z", Gt, &[]), false),
        (req(&long_key, Exists, &[]), false),
        (req("x", In, &["-bad-value"]), false),
        (req("x", In, &[""]), true),
        (req("example.com/x", In, &["a", "b"]), true),
        (req("Example.com/x", In, &["a"]), false),
    ];
    for (r, ok) in cases {
        assert_eq!(
            r.validate(true).is_ok(),
            ok,
            "{r:?}: {:?}",
            r.validate(true)
        );
    }
    // A label selector never allows Gt / Lt.
    assert!(req("y", Gt, &["1"]).validate(false).is_err());
    assert!(req("y", Lt, &["1"]).validate(false).is_err());
    assert!(req("y", In, &["1"]).validate(false).is_ok());
}

#[test]
fn negative_gt_threshold_is_rejected_like_new_requirement() {
    // "-1" parses as an integer but is not a valid label value, and
    // NewRequirement checks both, so upstream cannot use it either.
    let err = req("x", Operator::Gt, &["-1"]).validate(true).unwrap_err();
    assert!(
        err.starts_with("values[0]: Invalid value: \"-1\": a valid label"),
        "{err}"
    );
}

#[test]
fn validation_messages_use_upstream_wording() {
    use Operator::*;
    assert_eq!(
        req("x", In, &[]).validate(false).unwrap_err(),
        "values: Required value: must be specified when `operator` is 'In' or 'NotIn'"
    );
    assert_eq!(
        req("x", Exists, &["a"]).validate(false).unwrap_err(),
        "values: Forbidden: may not be specified when `operator` is 'Exists' or \
         'DoesNotExist'"
    );
    assert_eq!(
        req("x", Gt, &["1", "2"]).validate(true).unwrap_err(),
        "values: Required value: must be specified single value when `operator` is 'Lt' \
         or 'Gt'"
    );
    assert_eq!(
        req("x", Lt, &["abc"]).validate(true).unwrap_err(),
        "values[0]: Invalid value: \"abc\": for 'Gt', 'Lt' operators, the value must be \
         an integer"
    );
    assert!(req("x", Gt, &["1"])
        .validate(false)
        .unwrap_err()
        .starts_with("operator: Invalid value: \"Gt\": not a valid selector operator"));
    assert_eq!(
        req("bad key", Exists, &[]).validate(false).unwrap_err(),
        "key: Invalid value: \"bad key\": name part must consist of alphanumeric \
         characters, '-', '_' or '.', and must start and end with an alphanumeric \
         character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for \
         validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
    );
}

#[test]
fn label_selector_validation() {
    let good = LabelSelector {
        match_labels: labels(&[("app", "web"), ("example.com/tier", "")]),
        match_expressions: vec![req("zone", Operator::In, &["a"])],
    };
    assert_eq!(good.validate(), Ok(()));
    let bad = LabelSelector {
        match_labels: labels(&[("app", "web!")]),
        match_expressions: vec![req("zone", Operator::Gt, &["1"])],
    };
    let err = bad.validate().unwrap_err();
    assert!(
        err.contains("matchLabels: Invalid value: \"web!\""),
        "{err}"
    );
    assert!(
        err.contains("matchExpressions[0].operator: Invalid value"),
        "{err}"
    );
}

/// TestIsQualifiedName in upstream util/validation/validation_test.go.
#[test]
fn upstream_label_keys() {
    let long_prefix = format!("{}/{}", "a".repeat(253), "b".repeat(63));
    let ok = [
        "simple",
        "now-with-dashes",
        "1-starts-with-num",
        "1234",
        "simple/simple",
        "now-with-dashes/simple",
        "now-with-dashes/now-with-dashes",
        "now.with.dots/simple",
        "now-with.dashes-and.dots/simple",
        "1-num.2-num/3-num",
        "1234/5678",
        "1.2.3.4/5678",
        "Uppercase_Is_OK_123",
        "example.com/Uppercase_Is_OK_123",
        "requests.storage-foo",
        &"a".repeat(63),
        &long_prefix,
    ];
    for key in ok {
        assert_eq!(validate_label_key(key), Ok(()), "{key}");
    }
    let too_long_prefix = format!("{}/abc", "a".repeat(254));
    let bad = [
        "nospecialchars%^=@",
        "cantendwithadash-",
        "-cantstartwithadash-",
        "only/one/slash",
        "Example.com/abc",
        "example_com/abc",
        "example.com/",
        "/simple",
        &"a".repeat(64),
        &too_long_prefix,
        "",
        "a..b.c/x",
        "trailing.dot./x",
        "ünïcode",
        "new\nline",
    ];
    for key in bad {
        assert!(validate_label_key(key).is_err(), "{key:?}");
    }
}

#[test]
fn label_key_messages() {
    assert_eq!(
        validate_label_key("example.com/").unwrap_err(),
        "name part must be non-empty; name part must consist of alphanumeric characters, \
         '-', '_' or '.', and must start and end with an alphanumeric character (e.g. \
         'MyName',  or 'my.name',  or '123-abc', regex used for validation is \
         '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
    );
    assert_eq!(
        validate_label_key("Example.com/abc").unwrap_err(),
        "prefix part a lowercase RFC 1123 subdomain must consist of lower case \
         alphanumeric characters, '-' or '.', and must start and end with an alphanumeric \
         character (e.g. 'example.com', regex used for validation is \
         '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    );
    assert!(validate_label_key("a/b/c")
        .unwrap_err()
        .starts_with("a qualified name must consist of"));
    assert_eq!(
        validate_label_key(&"a".repeat(64)).unwrap_err(),
        "name part must be no more than 63 characters"
    );
}

/// TestIsValidLabelValue in upstream util/validation/validation_test.go.
#[test]
fn upstream_label_values() {
    let ok = [
        "simple",
        "now-with-dashes",
        "1-starts-with-num",
        "end-with-num-1",
        "1234",
        &"a".repeat(63),
        "",
    ];
    for v in ok {
        assert_eq!(validate_label_value(v), Ok(()), "{v}");
    }
    let bad = [
        "nospecialchars%^=@",
        "Tama-nui-te-rā.is.Māori.sun",
        "\\backslashes\\are\\bad",
        "-starts-with-dash",
        "ends-with-dash-",
        ".starts.with.dot",
        "ends.with.dot.",
        &"a".repeat(64),
    ];
    for v in bad {
        assert!(validate_label_value(v).is_err(), "{v:?}");
    }
    assert_eq!(
        validate_label_value("-x").unwrap_err(),
        "a valid label must be an empty string or consist of alphanumeric characters, \
         '-', '_' or '.', and must start and end with an alphanumeric character (e.g. \
         'MyValue',  or 'my_value',  or '12345', regex used for validation is \
         '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
    );
}
