//! Node taints and pod tolerations, validated as upstream `validateNodeTaints` and
//! `ValidateTolerations`.

use super::meta::label_text;
use crate::input::decode::{Ctx, MapReader};
use crate::input::yaml::Node as Yaml;
use crate::model::labels::{validate_label_key, validate_label_value};
use crate::model::taints::{Taint, TaintEffect, Toleration, TolerationOperator};

const TAINT_EFFECTS: &[&str] = &["NoSchedule", "PreferNoSchedule", "NoExecute"];

/// Node taints (upstream `validateNodeTaints`): key a qualified name, value a label
/// value, effect required, and no two taints with the same key and effect.
pub fn decode_taints(ctx: &mut Ctx<'_>, node: &Yaml) -> Vec<Taint> {
    let mut out: Vec<Taint> = Vec::new();
    let Some(items) = ctx.seq(node) else {
        return out;
    };
    for (i, item) in items.iter().enumerate() {
        let mut c = ctx.index(i);
        let errors_before = c.error_count();
        let Some(mut m) = MapReader::new(&mut c, item) else {
            continue;
        };
        let key = m.req(&mut c, "key").and_then(|n| {
            let mut kc = c.field("key");
            let s = kc.str(n)?;
            if let Err(e) = validate_label_key(&s) {
                kc.error(n.pos, e);
            }
            Some(s)
        });
        let value = m
            .opt("value")
            .and_then(|n| {
                let mut vc = c.field("value");
                let s = label_text(&mut vc, n)?;
                if let Err(e) = validate_label_value(&s) {
                    vc.error(n.pos, e);
                }
                Some(s)
            })
            .unwrap_or_default();
        let effect = m
            .req(&mut c, "effect")
            .and_then(|n| c.field("effect").one_of(n, TAINT_EFFECTS))
            .and_then(TaintEffect::parse);
        m.ignore(&["timeAdded"]);
        m.finish(&mut c);
        let (Some(key), Some(effect)) = (key, effect) else {
            continue;
        };
        if c.error_count() > errors_before {
            continue;
        }
        if out.iter().any(|t| t.key == key && t.effect == effect) {
            c.error(
                item.pos,
                format!(
                    "duplicate taint {key}:{}; taints must be unique by key and effect",
                    effect.as_str()
                ),
            );
            continue;
        }
        out.push(Taint { key, value, effect });
    }
    out
}

/// Pod tolerations, validated as upstream `ValidateTolerations`: operator Equal (the
/// default) or Exists; Exists takes no value; an empty key (all taints) requires Exists;
/// `tolerationSeconds` only with effect NoExecute. Invalid tolerations are left out.
pub fn decode_tolerations(ctx: &mut Ctx<'_>, node: &Yaml) -> Vec<Toleration> {
    let mut out = Vec::new();
    let Some(items) = ctx.seq(node) else {
        return out;
    };
    for (i, item) in items.iter().enumerate() {
        let mut c = ctx.index(i);
        let errors_before = c.error_count();
        let Some(mut m) = MapReader::new(&mut c, item) else {
            continue;
        };
        let key_node = m.opt("key");
        let key = key_node
            .and_then(|n| {
                let mut kc = c.field("key");
                let s = kc.str(n)?;
                if !s.is_empty() {
                    if let Err(e) = validate_label_key(&s) {
                        kc.error(n.pos, e);
                    }
                }
                Some(s)
            })
            .unwrap_or_default();
        let operator_node = m.opt("operator");
        // An empty operator means Equal.
        let operator = match operator_node {
            Some(n) if n.as_str() == Some("") => Some(TolerationOperator::Equal),
            Some(n) => c
                .field("operator")
                .one_of(n, &["Equal", "Exists"])
                .map(|op| match op {
                    "Exists" => TolerationOperator::Exists,
                    _ => TolerationOperator::Equal,
                }),
            None => Some(TolerationOperator::Equal),
        };
        let value_node = m.opt("value");
        let value = value_node
            .and_then(|n| label_text(&mut c.field("value"), n))
            .unwrap_or_default();
        // An empty effect matches every effect.
        let effect_node = m.opt("effect");
        let effect = match effect_node {
            Some(n) if n.as_str() == Some("") => None,
            Some(n) => c
                .field("effect")
                .one_of(n, TAINT_EFFECTS)
                .and_then(TaintEffect::parse),
            None => None,
        };
        let seconds_node = m.opt("tolerationSeconds");
        let toleration_seconds = seconds_node.and_then(|n| c.field("tolerationSeconds").i64(n));
        m.finish(&mut c);

        let here = item.pos;
        // A key that failed to decode is reported already; only a truly empty one counts.
        let key_empty = key_node.is_none_or(|n| n.as_str() == Some(""));
        if key_empty && operator == Some(TolerationOperator::Equal) {
            c.field("operator").error(
                operator_node.map_or(here, |n| n.pos),
                "operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
            );
        }
        if let Some(n) = seconds_node {
            if effect_node.and_then(Yaml::as_str) != Some("NoExecute") {
                c.field("effect").error(
                    effect_node.map_or(n.pos, |e| e.pos),
                    "effect must be 'NoExecute' when `tolerationSeconds` is set",
                );
            }
        }
        match operator {
            Some(TolerationOperator::Exists) if !value.is_empty() => {
                c.field("value").error(
                    value_node.map_or(here, |n| n.pos),
                    "value must be empty when `operator` is 'Exists'",
                );
            }
            Some(TolerationOperator::Equal) => {
                if let Err(e) = validate_label_value(&value) {
                    c.field("value")
                        .error(value_node.map_or(here, |n| n.pos), e);
                }
            }
            _ => {}
        }
        if c.error_count() > errors_before {
            continue;
        }
        if let Some(operator) = operator {
            out.push(Toleration {
                key,
                operator,
                value,
                effect,
                toleration_seconds,
            });
        }
    }
    out
}
