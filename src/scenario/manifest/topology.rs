//! Decoding `topologySpreadConstraints` and `podAffinity` / `podAntiAffinity`
//! with the API server's validation (`pkg/apis/core/validation/validation.go`,
//! `validateTopologySpreadConstraints`, `validatePodAffinityTerm`, v1.32).

use super::selector::decode_label_selector;
use crate::input::decode::{Ctx, MapReader};
use crate::input::yaml::Node as Yaml;
use crate::model::labels::validate_label_key;
use crate::model::topology::{
    InclusionPolicy, PodAffinity, PodAffinityTerm, TopologySpreadConstraint,
    WeightedPodAffinityTerm, WhenUnsatisfiable,
};

/// A required topology key: non-empty and a valid label key.
fn topology_key(ctx: &mut Ctx<'_>, m: &mut MapReader<'_>) -> Option<String> {
    let n = m.req(ctx, "topologyKey")?;
    let mut c = ctx.field("topologyKey");
    let key = c.str(n)?;
    if key.is_empty() {
        c.error(n.pos, "Required value: can not be empty");
        return None;
    }
    if let Err(e) = validate_label_key(&key) {
        c.error(n.pos, format!("expected a label key, found {key:?}: {e}"));
        return None;
    }
    Some(key)
}

fn key_list(ctx: &mut Ctx<'_>, m: &mut MapReader<'_>, field: &'static str) -> Vec<String> {
    let Some(n) = m.opt(field) else {
        return Vec::new();
    };
    let mut c = ctx.field(field);
    let mut out = Vec::new();
    for (i, item) in c.seq(n).unwrap_or(&[]).iter().enumerate() {
        let mut ic = c.index(i);
        if let Some(k) = ic.str(item) {
            if let Err(e) = validate_label_key(&k) {
                ic.error(item.pos, e);
            } else {
                out.push(k);
            }
        }
    }
    out
}

fn policy(
    ctx: &mut Ctx<'_>,
    m: &mut MapReader<'_>,
    field: &'static str,
    default: InclusionPolicy,
) -> InclusionPolicy {
    match m
        .opt(field)
        .and_then(|n| ctx.field(field).one_of(n, &["Honor", "Ignore"]))
    {
        Some("Honor") => InclusionPolicy::Honor,
        Some(_) => InclusionPolicy::Ignore,
        None => default,
    }
}

pub fn decode_topology_spread_constraints(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
) -> Vec<TopologySpreadConstraint> {
    let mut out: Vec<TopologySpreadConstraint> = Vec::new();
    for (i, item) in ctx.seq(node).unwrap_or(&[]).iter().enumerate() {
        let mut ic = ctx.index(i);
        let errors_before = ic.error_count();
        let Some(mut m) = MapReader::new(&mut ic, item) else {
            continue;
        };
        let max_skew = m.req(&mut ic, "maxSkew").and_then(|n| {
            let mut c = ic.field("maxSkew");
            let v = c.i64(n)?;
            if v <= 0 || v > i32::MAX as i64 {
                c.error(n.pos, format!("must be greater than zero, found {v}"));
                return None;
            }
            Some(v as i32)
        });
        let key = topology_key(&mut ic, &mut m);
        let when = m
            .req(&mut ic, "whenUnsatisfiable")
            .and_then(|n| {
                ic.field("whenUnsatisfiable")
                    .one_of(n, &["DoNotSchedule", "ScheduleAnyway"])
            })
            .map(|w| {
                if w == "DoNotSchedule" {
                    WhenUnsatisfiable::DoNotSchedule
                } else {
                    WhenUnsatisfiable::ScheduleAnyway
                }
            });
        let label_selector = m
            .opt("labelSelector")
            .and_then(|n| decode_label_selector(&mut ic.field("labelSelector"), n));
        let min_domains = m.opt("minDomains").and_then(|n| {
            let mut c = ic.field("minDomains");
            let v = c.i64(n)?;
            if v <= 0 || v > i32::MAX as i64 {
                c.error(n.pos, format!("must be greater than zero, found {v}"));
                return None;
            }
            if when == Some(WhenUnsatisfiable::ScheduleAnyway) {
                c.error(
                    n.pos,
                    "can only use minDomains if whenUnsatisfiable=DoNotSchedule",
                );
                return None;
            }
            Some(v as i32)
        });
        let node_affinity_policy = policy(
            &mut ic,
            &mut m,
            "nodeAffinityPolicy",
            InclusionPolicy::Honor,
        );
        let node_taints_policy =
            policy(&mut ic, &mut m, "nodeTaintsPolicy", InclusionPolicy::Ignore);
        let match_label_keys = key_list(&mut ic, &mut m, "matchLabelKeys");
        let pos = m.pos();
        m.finish(&mut ic);
        if let (Some(k), Some(w)) = (&key, when) {
            if out
                .iter()
                .any(|c| &c.topology_key == k && c.when_unsatisfiable == w)
            {
                ic.error(
                    pos,
                    format!("Duplicate value: {{{k:?}, {w:?}}}: a constraint with this topologyKey and whenUnsatisfiable already exists"),
                );
            }
        }
        if ic.error_count() > errors_before {
            continue;
        }
        if let (Some(max_skew), Some(topology_key), Some(when_unsatisfiable)) =
            (max_skew, key, when)
        {
            out.push(TopologySpreadConstraint {
                max_skew,
                topology_key,
                when_unsatisfiable,
                label_selector,
                min_domains,
                node_affinity_policy,
                node_taints_policy,
                match_label_keys,
            });
        }
    }
    out
}

fn decode_term(ctx: &mut Ctx<'_>, node: &Yaml) -> Option<PodAffinityTerm> {
    let errors_before = ctx.error_count();
    let mut m = MapReader::new(ctx, node)?;
    let label_selector = m
        .opt("labelSelector")
        .and_then(|n| decode_label_selector(&mut ctx.field("labelSelector"), n));
    let namespaces = m
        .opt("namespaces")
        .map(|n| {
            let mut c = ctx.field("namespaces");
            let items = c.seq(n).unwrap_or(&[]);
            items
                .iter()
                .enumerate()
                .filter_map(|(i, s)| c.index(i).str(s))
                .collect()
        })
        .unwrap_or_default();
    let namespace_selector = m
        .opt("namespaceSelector")
        .and_then(|n| decode_label_selector(&mut ctx.field("namespaceSelector"), n));
    let topology_key = topology_key(ctx, &mut m);
    let match_label_keys = key_list(ctx, &mut m, "matchLabelKeys");
    let mismatch_label_keys = key_list(ctx, &mut m, "mismatchLabelKeys");
    m.finish(ctx);
    if ctx.error_count() > errors_before {
        return None;
    }
    Some(PodAffinityTerm {
        label_selector,
        namespaces,
        namespace_selector,
        topology_key: topology_key?,
        match_label_keys,
        mismatch_label_keys,
    })
}

/// `podAffinity` / `podAntiAffinity`.
pub fn decode_pod_affinity(ctx: &mut Ctx<'_>, node: &Yaml) -> PodAffinity {
    let mut out = PodAffinity::default();
    let Some(mut m) = MapReader::new(ctx, node) else {
        return out;
    };
    const REQUIRED: &str = "requiredDuringSchedulingIgnoredDuringExecution";
    const PREFERRED: &str = "preferredDuringSchedulingIgnoredDuringExecution";
    if let Some(n) = m.opt(REQUIRED) {
        let mut c = ctx.field(REQUIRED);
        for (i, item) in c.seq(n).unwrap_or(&[]).iter().enumerate() {
            out.required.extend(decode_term(&mut c.index(i), item));
        }
    }
    if let Some(n) = m.opt(PREFERRED) {
        let mut c = ctx.field(PREFERRED);
        for (i, item) in c.seq(n).unwrap_or(&[]).iter().enumerate() {
            let mut ic = c.index(i);
            let Some(mut wm) = MapReader::new(&mut ic, item) else {
                continue;
            };
            let weight = wm.req(&mut ic, "weight").and_then(|n| {
                let mut w = ic.field("weight");
                let v = w.i64(n)?;
                if !(1..=100).contains(&v) {
                    w.error(n.pos, format!("must be in the range 1-100, found {v}"));
                    return None;
                }
                Some(v)
            });
            let term = wm
                .req(&mut ic, "podAffinityTerm")
                .and_then(|n| decode_term(&mut ic.field("podAffinityTerm"), n));
            wm.finish(&mut ic);
            if let (Some(weight), Some(term)) = (weight, term) {
                out.preferred.push(WeightedPodAffinityTerm { weight, term });
            }
        }
    }
    m.finish(ctx);
    out
}
