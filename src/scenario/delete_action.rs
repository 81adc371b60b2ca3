//! The `delete` action, as `kubectl delete` (v1.32,
//! `staging/src/k8s.io/kubectl/pkg/cmd/delete/delete.go`): one object by
//! `name`, or every object of the kind whose labels a `selector` matches
//! (`{matchLabels: …, matchExpressions: …}`, or a `-l` string such as
//! `app=web,tier!=cache`); `propagationPolicy`; and for pods
//! `gracePeriodSeconds` and `force`. `kind: Node` is `kubectl delete node`:
//! the Node object leaves the API (nodes have no namespace; the field is
//! accepted as for every action, and ignored).
//!
//! A name that nothing in the scenario can produce is an error here; one
//! that could exist but does not when the action runs gets a warning event
//! then (see `sim::apiserver`).

use super::spec::{ActionKind, DeleteTarget};
use crate::input::decode::{Ctx, MapReader};
use crate::input::diagnostic::{Diagnostic, Pos};
use crate::input::yaml::{Node as Yaml, Value};
use crate::model::labels::{
    validate_label_key, validate_label_value, LabelSelector, Operator, Requirement,
};
use crate::model::workloads::TimedWorkload;
use crate::model::Propagation;

const KINDS: &[&str] = &[
    "Pod",
    "Node",
    "Deployment",
    "ReplicaSet",
    "DaemonSet",
    "StatefulSet",
    "Job",
    "CronJob",
];

/// A pod named by a `delete`, checked once every source of pods is decoded.
#[derive(Clone, Debug)]
pub struct PodNameCheck {
    pub path: String,
    pub pos: Pos,
    pub namespace: String,
    pub name: String,
}

/// Decodes a `delete` body. `find` reports a workload name no manifest
/// declares. A pod name is returned for [`check_pod_names`].
pub fn decode_delete(
    vctx: &mut Ctx<'_>,
    body: &Yaml,
    mut find: impl FnMut(&mut Ctx<'_>, &str, &str, &str) -> bool,
) -> Option<(ActionKind, Option<PodNameCheck>)> {
    let mut b = MapReader::new(vctx, body)?;
    let kind = b
        .req(vctx, "kind")
        .and_then(|n| vctx.field("kind").one_of(n, KINDS));
    let name_node = b.opt("name");
    let selector_node = b.opt("selector");
    let name = name_node.and_then(|n| vctx.field("name").str(n).map(|s| (s, n.pos)));
    let selector = selector_node.and_then(|n| decode_selector(&mut vctx.field("selector"), n));
    let namespace = b
        .opt("namespace")
        .and_then(|n| vctx.field("namespace").str(n))
        .unwrap_or_else(|| "default".into());
    let propagation = match b.opt("propagationPolicy") {
        Some(n) => match vctx
            .field("propagationPolicy")
            .one_of(n, &["Background", "Foreground", "Orphan"])
        {
            Some("Foreground") => Propagation::Foreground,
            Some("Orphan") => Propagation::Orphan,
            Some(_) => Propagation::Background,
            None => return None,
        },
        None => Propagation::Background,
    };
    let grace_node = b.opt("gracePeriodSeconds");
    let grace = grace_node.and_then(|n| {
        let mut c = vctx.field("gracePeriodSeconds");
        let v = c.i64(n)?;
        if v < 0 {
            c.error(
                n.pos,
                format!(
                    "expected an integer of at least 0 (leave it out for the pod's own), found {v}"
                ),
            );
            return None;
        }
        Some(v)
    });
    let force_node = b.opt("force");
    let force = force_node.and_then(|n| vctx.field("force").bool(n));
    b.finish(vctx);
    let kind = kind?;
    if kind != "Pod" {
        for (key, node) in [("gracePeriodSeconds", grace_node), ("force", force_node)] {
            if let Some(n) = node {
                vctx.field(key).error(
                    n.pos,
                    format!(
                        "only a Pod delete takes {key}; the garbage collector deletes a {kind}'s \
                         pods with their own grace period"
                    ),
                );
            }
        }
    }
    let target = match (name_node, selector_node) {
        (Some(_), Some(s)) => {
            vctx.field("selector")
                .error(s.pos, "give either `name` or `selector`, not both");
            return None;
        }
        (None, None) => {
            vctx.error(body.pos, "missing required field `name` (or `selector`)");
            return None;
        }
        (Some(_), None) => DeleteTarget::Name(name.as_ref()?.0.clone()),
        (None, Some(_)) => DeleteTarget::Selector(selector?),
    };
    if grace_node.is_some() && grace.is_none() || force_node.is_some() && force.is_none() {
        return None;
    }
    // kubectl: --grace-period=0 without --force becomes 1; --force alone
    // means 0; --force with a grace period above 0 is ignored.
    let grace_period_s = match (grace, force.unwrap_or(false)) {
        (Some(0), false) => Some(1),
        (None, true) => Some(0),
        (g, _) => g,
    };
    let mut check = None;
    if let DeleteTarget::Name(n) = &target {
        if kind == "Pod" {
            check = Some(PodNameCheck {
                path: vctx.field("name").path(),
                pos: name.as_ref()?.1,
                namespace: namespace.clone(),
                name: n.clone(),
            });
        } else if !find(vctx, kind, &namespace, n) {
            return None;
        }
    }
    Some((
        ActionKind::Delete {
            kind: kind.into(),
            namespace,
            target,
            propagation,
            grace_period_s,
        },
        check,
    ))
}

/// A selector as a mapping (`matchLabels`, `matchExpressions`) or a `-l`
/// string.
fn decode_selector(ctx: &mut Ctx<'_>, node: &Yaml) -> Option<LabelSelector> {
    match &node.value {
        Value::Str(s) => match parse_selector(s) {
            Ok(sel) => Some(sel),
            Err(e) => {
                ctx.error(node.pos, e);
                None
            }
        },
        _ => super::manifest::decode_label_selector(ctx, node),
    }
}

/// Parses a label selector string as `kubectl -l` takes it
/// (`k8s.io/apimachinery/pkg/labels/selector.go` `Parse`): comma-separated
/// `key=value`, `key==value`, `key!=value`, `key`, `!key`,
/// `key in (a,b)`, `key notin (a,b)`.
pub fn parse_selector(text: &str) -> Result<LabelSelector, String> {
    let mut selector = LabelSelector::default();
    let bad = |what: &str| format!("invalid label selector {text:?}: {what}");
    for term in split_terms(text) {
        let term = term.trim();
        if term.is_empty() {
            return Err(bad("found an empty requirement"));
        }
        let (key, operator, values) = if let Some(key) = term.strip_prefix('!') {
            (key.trim(), Operator::DoesNotExist, vec![])
        } else if let Some((k, v)) = term.split_once("!=") {
            (k.trim(), Operator::NotIn, vec![v.trim().to_string()])
        } else if let Some((k, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
            (k.trim(), Operator::In, vec![v.trim().to_string()])
        } else if let Some((k, rest)) = set_term(term) {
            let (op, list) = rest;
            (k, op, list)
        } else {
            (term, Operator::Exists, vec![])
        };
        validate_label_key(key).map_err(|e| bad(&format!("key {key:?}: {e}")))?;
        for v in &values {
            validate_label_value(v).map_err(|e| bad(&format!("value {v:?}: {e}")))?;
        }
        if operator == Operator::In && values.len() == 1 {
            selector
                .match_labels
                .insert(key.to_string(), values[0].clone());
        } else {
            selector.match_expressions.push(Requirement {
                key: key.to_string(),
                operator,
                values,
            });
        }
    }
    Ok(selector)
}

/// `key in (a,b)` / `key notin (a,b)`.
fn set_term(term: &str) -> Option<(&str, (Operator, Vec<String>))> {
    let open = term.find('(')?;
    let list = term[open + 1..].strip_suffix(')')?;
    let head = term[..open].trim_end();
    let (key, op) = if let Some(k) = head.strip_suffix(" notin") {
        (k, Operator::NotIn)
    } else {
        (head.strip_suffix(" in")?, Operator::In)
    };
    let values = list.split(',').map(|v| v.trim().to_string()).collect();
    Some((key.trim(), (op, values)))
}

/// Splits at the commas outside parentheses.
fn split_terms(text: &str) -> Vec<&str> {
    let mut terms = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                terms.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    terms.push(&text[start..]);
    terms
}

/// Reports the pod names of `delete` actions that nothing in the scenario
/// can produce: not a Pod manifest's name, and not `<prefix>-…` for a
/// workload or an arrival of the namespace (controllers and arrivals name
/// their pods so). Pod traces name pods from their rows, so with one any
/// name may come.
pub fn check_pod_names(
    file: &str,
    sink: &mut Vec<Diagnostic>,
    checks: &[PodNameCheck],
    pods: &[(&str, &str)],
    workloads: &[TimedWorkload],
    arrivals: &[(&str, &str)],
    has_pod_traces: bool,
) {
    if has_pod_traces {
        return;
    }
    for c in checks {
        let declared = pods
            .iter()
            .any(|&(ns, name)| ns == c.namespace && name == c.name);
        let prefixed = |prefix: &str| {
            c.name
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.len() > 1 && rest.starts_with('-'))
        };
        let generated = workloads.iter().any(|w| {
            let m = &w.workload.metadata;
            w.workload.spec.template().is_some() && m.namespace == c.namespace && prefixed(&m.name)
        }) || arrivals
            .iter()
            .any(|&(ns, name)| ns == c.namespace && prefixed(name));
        if !declared && !generated {
            sink.push(Diagnostic::new(
                file,
                c.pos,
                c.path.clone(),
                format!(
                    "no pod named {}/{} can exist in this scenario: no Pod manifest has that name \
                     and no workload or arrival of the namespace makes pods named <its name>-…",
                    c.namespace, c.name
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selector_strings_parse_as_kubectl_l() {
        let s = parse_selector("app=web, tier!=cache,env in (a, b),!legacy,canary").unwrap();
        assert_eq!(s.match_labels.get("app").map(String::as_str), Some("web"));
        let shown: Vec<String> = s.match_expressions.iter().map(|r| r.to_string()).collect();
        assert_eq!(shown.len(), 4, "{shown:?}");
        let labels = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert!(s.matches(&labels(&[("app", "web"), ("env", "a"), ("canary", "")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("env", "c"), ("canary", "")])));
        assert!(!s.matches(&labels(&[
            ("app", "web"),
            ("env", "a"),
            ("canary", ""),
            ("tier", "cache")
        ])));
        assert!(!s.matches(&labels(&[
            ("app", "web"),
            ("env", "a"),
            ("canary", ""),
            ("legacy", "1")
        ])));
        assert!(parse_selector("app=web,").is_err());
        assert!(parse_selector("a b=c").is_err());
    }
}
