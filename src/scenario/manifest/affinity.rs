//! Node affinity: required node selector terms and weighted preferred terms
//! (upstream `ValidateNodeSelector`, `ValidatePreferredSchedulingTerms`); the
//! `affinity` field that holds it and pod (anti-)affinity.

use super::selector::{decode_requirements, RequirementKind};
use super::topology::decode_pod_affinity;
use crate::input::decode::{Ctx, MapReader};
use crate::input::diagnostic::Diagnostic;
use crate::input::yaml::{Node as Yaml, Value};
use crate::model::affinity::{Affinity, NodeAffinity, NodeSelectorTerm, PreferredSchedulingTerm};

const REQUIRED_TERMS: &str = "requiredDuringSchedulingIgnoredDuringExecution";
const PREFERRED_TERMS: &str = "preferredDuringSchedulingIgnoredDuringExecution";

/// `affinity`: node affinity is modelled; pod (anti-)affinity is accepted with a warning.
pub(super) fn decode_affinity(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    warnings: &mut Vec<Diagnostic>,
) -> Affinity {
    let Some(mut m) = MapReader::new(ctx, node) else {
        return Affinity::default();
    };
    let node_affinity = m
        .opt("nodeAffinity")
        .and_then(|n| decode_node_affinity(&mut ctx.field("nodeAffinity"), n, warnings));
    let pod_affinity = m
        .opt("podAffinity")
        .map(|n| decode_pod_affinity(&mut ctx.field("podAffinity"), n))
        .unwrap_or_default();
    let pod_anti_affinity = m
        .opt("podAntiAffinity")
        .map(|n| decode_pod_affinity(&mut ctx.field("podAntiAffinity"), n))
        .unwrap_or_default();
    m.finish(ctx);
    Affinity {
        node_affinity,
        pod_affinity,
        pod_anti_affinity,
    }
}

pub(crate) fn decode_node_affinity(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    warnings: &mut Vec<Diagnostic>,
) -> Option<NodeAffinity> {
    let mut m = MapReader::new(ctx, node)?;
    let required = m
        .opt(REQUIRED_TERMS)
        .and_then(|n| decode_node_selector(&mut ctx.field(REQUIRED_TERMS), n, warnings));
    let preferred = m
        .opt(PREFERRED_TERMS)
        .map(|n| decode_preferred_terms(&mut ctx.field(PREFERRED_TERMS), n, warnings))
        .unwrap_or_default();
    m.finish(ctx);
    Some(NodeAffinity {
        required,
        preferred,
    })
}

/// A NodeSelector: `nodeSelectorTerms`, at least one (upstream `ValidateNodeSelector`).
fn decode_node_selector(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    warnings: &mut Vec<Diagnostic>,
) -> Option<Vec<NodeSelectorTerm>> {
    let mut m = MapReader::new(ctx, node)?;
    let terms = m.req(ctx, "nodeSelectorTerms").map(|n| {
        let mut c = ctx.field("nodeSelectorTerms");
        let items = c.seq(n).unwrap_or(&[]);
        if matches!(&n.value, Value::Seq(items) if items.is_empty()) {
            c.error(
                n.pos,
                "must have at least one node selector term, found an empty list",
            );
        }
        items
            .iter()
            .enumerate()
            .map(|(i, t)| decode_term(&mut c.index(i), t, warnings))
            .collect()
    });
    m.finish(ctx);
    terms
}

fn decode_term(ctx: &mut Ctx<'_>, node: &Yaml, warnings: &mut Vec<Diagnostic>) -> NodeSelectorTerm {
    let Some(mut m) = MapReader::new(ctx, node) else {
        return NodeSelectorTerm::default();
    };
    let match_expressions = m
        .opt("matchExpressions")
        .map(|n| {
            let mut c = ctx.field("matchExpressions");
            decode_requirements(&mut c, n, RequirementKind::NodeLabel, warnings)
        })
        .unwrap_or_default();
    let match_fields = m
        .opt("matchFields")
        .map(|n| {
            let mut c = ctx.field("matchFields");
            decode_requirements(&mut c, n, RequirementKind::NodeField, warnings)
        })
        .unwrap_or_default();
    m.finish(ctx);
    NodeSelectorTerm {
        match_expressions,
        match_fields,
    }
}

/// Preferred terms: weight 1–100 (upstream `ValidatePreferredSchedulingTerms`) and a term.
fn decode_preferred_terms(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    warnings: &mut Vec<Diagnostic>,
) -> Vec<PreferredSchedulingTerm> {
    let Some(items) = ctx.seq(node) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let mut c = ctx.index(i);
        let Some(mut m) = MapReader::new(&mut c, item) else {
            continue;
        };
        let weight = m.req(&mut c, "weight").and_then(|n| {
            let mut wc = c.field("weight");
            let w = wc.i64(n)?;
            if !(1..=100).contains(&w) {
                wc.error(n.pos, format!("expected a weight from 1 to 100, found {w}"));
                return None;
            }
            Some(w)
        });
        let preference = m
            .req(&mut c, "preference")
            .map(|n| decode_term(&mut c.field("preference"), n, warnings));
        m.finish(&mut c);
        if let (Some(weight), Some(preference)) = (weight, preference) {
            out.push(PreferredSchedulingTerm { weight, preference });
        }
    }
    out
}
