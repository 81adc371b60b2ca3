//! Label selectors and node selector requirements (apimachinery
//! `ValidateLabelSelector`, core `ValidateNodeSelectorRequirement`).

use super::meta::{check_dns_subdomain, decode_labels, label_text};
use crate::input::decode::{Ctx, MapReader};
use crate::input::diagnostic::Diagnostic;
use crate::input::yaml::Node as Yaml;
use crate::model::labels::{
    validate_label_key, validate_label_value, LabelSelector, Operator, Requirement,
};

/// A label selector (`matchLabels` and `matchExpressions` with In, NotIn, Exists and
/// DoesNotExist), validated as apimachinery's `ValidateLabelSelector`. `None` when it
/// had problems (all reported). An empty selector matches everything.
pub fn decode_label_selector(ctx: &mut Ctx<'_>, node: &Yaml) -> Option<LabelSelector> {
    let errors_before = ctx.error_count();
    let mut m = MapReader::new(ctx, node)?;
    let match_labels = m
        .opt("matchLabels")
        .map(|n| decode_labels(&mut ctx.field("matchLabels"), n))
        .unwrap_or_default();
    let match_expressions = m
        .opt("matchExpressions")
        .map(|n| {
            // Label selector requirements never warn.
            let mut none = Vec::new();
            decode_requirements(
                &mut ctx.field("matchExpressions"),
                n,
                RequirementKind::Label,
                &mut none,
            )
        })
        .unwrap_or_default();
    m.finish(ctx);
    if ctx.error_count() > errors_before {
        return None;
    }
    Some(LabelSelector {
        match_labels,
        match_expressions,
    })
}

/// Where a requirement appears; each place allows different operators and keys.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum RequirementKind {
    /// A label selector's `matchExpressions`.
    Label,
    /// A node selector term's `matchExpressions` (also Gt and Lt).
    NodeLabel,
    /// A node selector term's `matchFields` (only `metadata.name`, In or NotIn).
    NodeField,
}

pub(super) fn decode_requirements(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    kind: RequirementKind,
    warnings: &mut Vec<Diagnostic>,
) -> Vec<Requirement> {
    let Some(items) = ctx.seq(node) else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| decode_requirement(&mut ctx.index(i), item, kind, warnings))
        .collect()
}

/// One requirement, validated as `ValidateLabelSelectorRequirement` (labels),
/// `ValidateNodeSelectorRequirement` and `ValidateNodeFieldSelectorRequirement`.
///
/// Node selector values the API server accepts but the scheduler's
/// `labels.NewRequirement` rejects (an invalid label value, a non-integer for Gt or Lt)
/// get a warning: such a term matches no node, in a cluster as here.
fn decode_requirement(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    kind: RequirementKind,
    warnings: &mut Vec<Diagnostic>,
) -> Option<Requirement> {
    let errors_before = ctx.error_count();
    let mut m = MapReader::new(ctx, node)?;
    let key = m.req(ctx, "key").and_then(|n| {
        let mut c = ctx.field("key");
        let s = c.str(n)?;
        if kind == RequirementKind::NodeField {
            if s != "metadata.name" {
                c.error(
                    n.pos,
                    format!(
                        "expected metadata.name (the only field a node field selector supports), found {}",
                        n.describe()
                    ),
                );
            }
        } else if let Err(e) = validate_label_key(&s) {
            c.error(n.pos, e);
        }
        Some(s)
    });
    let operators: &[&str] = match kind {
        RequirementKind::Label => &["In", "NotIn", "Exists", "DoesNotExist"],
        RequirementKind::NodeLabel => &["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"],
        RequirementKind::NodeField => &["In", "NotIn"],
    };
    let operator = m
        .req(ctx, "operator")
        .and_then(|n| ctx.field("operator").one_of(n, operators));
    let values_node = m.opt("values");
    let mut values = Vec::new();
    if let Some(list) = values_node {
        let mut vc = ctx.field("values");
        for (i, v) in vc.seq(list).unwrap_or(&[]).iter().enumerate() {
            let mut ic = vc.index(i);
            let Some(s) = label_text(&mut ic, v) else {
                continue;
            };
            match kind {
                RequirementKind::Label => {
                    if let Err(e) = validate_label_value(&s) {
                        ic.error(v.pos, e);
                    }
                }
                RequirementKind::NodeField => check_dns_subdomain(&mut ic, v, &s, false),
                RequirementKind::NodeLabel => {
                    let problem = match validate_label_value(&s) {
                        Err(e) => Some(e),
                        Ok(())
                            if matches!(operator, Some("Gt" | "Lt"))
                                && s.parse::<i64>().is_err() =>
                        {
                            Some(
                                "for 'Gt', 'Lt' operators, the value must be an integer"
                                    .to_string(),
                            )
                        }
                        Ok(()) => None,
                    };
                    if let Some(p) = problem {
                        warnings.push(Diagnostic::new(
                            ic.file(),
                            v.pos,
                            ic.path(),
                            format!("{p}; the scheduler rejects this requirement, so its term matches no node"),
                        ));
                    }
                }
            }
            values.push(s);
        }
    }
    m.finish(ctx);
    let operator = operator?;
    let values_pos = values_node.map_or(node.pos, |n| n.pos);
    let mut vc = ctx.field("values");
    match (kind, operator) {
        (RequirementKind::NodeField, _) if values.len() != 1 => vc.error(
            values_pos,
            format!(
                "must be only one value when `operator` is 'In' or 'NotIn' for node field selector, found {}",
                values.len()
            ),
        ),
        (_, "In" | "NotIn") if values.is_empty() => vc.error(
            values_pos,
            "must be specified when `operator` is 'In' or 'NotIn'",
        ),
        (_, "Exists" | "DoesNotExist") if !values.is_empty() => vc.error(
            values_pos,
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        ),
        (_, "Gt" | "Lt") if values.len() != 1 => vc.error(
            values_pos,
            format!(
                "must be specified single value when `operator` is 'Lt' or 'Gt', found {}",
                values.len()
            ),
        ),
        _ => {}
    }
    if ctx.error_count() > errors_before {
        return None;
    }
    let operator = match operator {
        "In" => Operator::In,
        "NotIn" => Operator::NotIn,
        "Exists" => Operator::Exists,
        "DoesNotExist" => Operator::DoesNotExist,
        "Gt" => Operator::Gt,
        _ => Operator::Lt,
    };
    Some(Requirement {
        key: key?,
        operator,
        values,
    })
}
