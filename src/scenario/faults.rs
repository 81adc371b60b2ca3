//! The scenario's `faults`: node crashes, zone outages, network partitions,
//! kubelets reporting NotReady (each at a time, for a while or for good),
//! and random node failures per pool.
//!
//! ```yaml
//! faults:
//!   - {at: 5m, nodeDown: {node: web-3}, for: 10m}
//!   - {at: 5m, zoneDown: {zone: zone-a}, for: 15m}
//!   - {at: 1m, networkPartition: {nodes: [web-1, web-2]}, for: 3m}
//!   - {at: 1m, kubeletNotReady: {node: web-4}, for: 2m}
//!   - randomNodeFailures: {pool: web, mtbf: exponential(24h), mttr: "lognormal(10m, 0.5)"}
//! ```

use super::pools::NodePool;
use crate::engine::distribution::Distribution;
use crate::engine::SimTime;
use crate::faults::{FaultKind, FaultSpec, RandomFaults, ScheduledFault, Target};
use crate::input::decode::{Ctx, MapReader};
use crate::input::yaml::Node as Yaml;
use crate::model::node::LABEL_TOPOLOGY_ZONE;
use crate::model::Node;

const VERBS: &[&str] = &[
    "nodeDown",
    "zoneDown",
    "networkPartition",
    "kubeletNotReady",
    "randomNodeFailures",
];

fn kind_of(verb: &str) -> FaultKind {
    match verb {
        "nodeDown" | "zoneDown" => FaultKind::NodeDown,
        "networkPartition" => FaultKind::Partition,
        _ => FaultKind::NotReady,
    }
}

/// Decodes the `faults` list. Node names must be declared (initially or by
/// a pool), zones must label some node, and random failures need a run `duration`.
pub fn decode_faults(
    ctx: &mut Ctx,
    node: &Yaml,
    nodes: &[Node],
    pools: &[NodePool],
    has_duration: bool,
) -> FaultSpec {
    let mut spec = FaultSpec::default();
    let Some(items) = ctx.seq(node) else {
        return spec;
    };
    for (i, item) in items.iter().enumerate() {
        let mut ictx = ctx.index(i);
        let Some(mut m) = MapReader::new(&mut ictx, item) else {
            continue;
        };
        let verbs: Vec<&str> = VERBS.iter().copied().filter(|v| m.has(v)).collect();
        let [verb] = verbs[..] else {
            ictx.error(
                item.pos,
                format!(
                    "a fault needs exactly one of: {} (found {})",
                    VERBS.join(", "),
                    verbs.len()
                ),
            );
            m.opt("at");
            m.opt("for");
            take_verb(&mut m, "");
            m.finish(&mut ictx);
            continue;
        };
        if verb == "randomNodeFailures" {
            for k in ["at", "for"] {
                if let Some(n) = m.opt(k) {
                    ictx.field(k).error(
                        n.pos,
                        "random failures have no fixed time; remove it (times come from mtbf and mttr)",
                    );
                }
            }
            let body = take_verb(&mut m, verb).expect("present");
            m.finish(&mut ictx);
            if !has_duration {
                ictx.field(verb).error(
                    body.pos,
                    "random node failures need the scenario's `duration` (they would never end)",
                );
            }
            if let Some(r) = decode_random(&mut ictx.field(verb), body, pools) {
                spec.random.push(r);
            }
            continue;
        }
        let at = m
            .req(&mut ictx, "at")
            .and_then(|n| ictx.field("at").duration(n));
        let length = m.opt("for").and_then(|n| ictx.field("for").duration(n));
        let body = take_verb(&mut m, verb).expect("present");
        m.finish(&mut ictx);
        let target = decode_target(&mut ictx.field(verb), body, verb, nodes);
        if let (Some(at), Some(target)) = (at, target) {
            spec.scheduled.push(ScheduledFault {
                at: SimTime::ZERO + at,
                kind: kind_of(verb),
                target,
                duration: length,
            });
        }
    }
    spec
}

/// Takes every verb, so that all of them are the accepted fields, and returns `verb`'s body.
fn take_verb<'n>(m: &mut MapReader<'n>, verb: &str) -> Option<&'n Yaml> {
    let mut body = None;
    for v in VERBS {
        if let Some(n) = m.opt(v) {
            if *v == verb {
                body = Some(n);
            }
        }
    }
    body
}

/// `{node: a}`, `{nodes: [a, b]}` or `{zone: z}` (`zoneDown` takes only a zone).
fn decode_target(ctx: &mut Ctx, body: &Yaml, verb: &str, nodes: &[Node]) -> Option<Target> {
    let mut b = MapReader::new(ctx, body)?;
    let allowed: &[&str] = if verb == "zoneDown" {
        &["zone"]
    } else {
        &["node", "nodes", "zone"]
    };
    let node = b.opt("node");
    let list = b.opt("nodes");
    let zone = b.opt("zone");
    b.finish(ctx);
    let given = [node.is_some(), list.is_some(), zone.is_some()]
        .iter()
        .filter(|x| **x)
        .count();
    if given != 1 {
        ctx.error(
            body.pos,
            format!("expected exactly one of: {}", allowed.join(", ")),
        );
        return None;
    }
    if let Some(z) = zone {
        let mut zctx = ctx.field("zone");
        let name = zctx.scalar_string(z)?;
        let zones: Vec<&str> = nodes
            .iter()
            .filter_map(|n| {
                n.metadata
                    .labels
                    .get(LABEL_TOPOLOGY_ZONE)
                    .map(|s| s.as_str())
            })
            .collect();
        if !zones.contains(&name.as_str()) {
            let mut distinct = zones.clone();
            distinct.sort_unstable();
            distinct.dedup();
            let hint = crate::input::decode::did_you_mean(&name, &distinct)
                .map_or(String::new(), |h| format!(" (did you mean `{h}`?)"));
            zctx.error(
                z.pos,
                format!(
                    "no node is in zone {name:?}{hint}; zones: {}",
                    if distinct.is_empty() {
                        "none (set `zones` on a node pool)".to_string()
                    } else {
                        distinct.join(", ")
                    }
                ),
            );
            return None;
        }
        return Some(Target::Zone(name));
    }
    let names: Vec<(String, crate::input::diagnostic::Pos)> = match (node, list) {
        (Some(n), _) => vec![(ctx.field("node").str(n)?, n.pos)],
        (_, Some(l)) => {
            let mut lctx = ctx.field("nodes");
            let items = lctx.seq(l)?;
            items
                .iter()
                .enumerate()
                .filter_map(|(i, n)| lctx.index(i).str(n).map(|s| (s, n.pos)))
                .collect()
        }
        _ => unreachable!("one target given"),
    };
    let known: Vec<&str> = nodes.iter().map(|n| n.metadata.name.as_str()).collect();
    let mut ok = true;
    for (i, (name, pos)) in names.iter().enumerate() {
        if !known.contains(&name.as_str()) {
            let hint = crate::input::decode::did_you_mean(name, &known)
                .map_or(String::new(), |h| format!(" (did you mean `{h}`?)"));
            let message = format!("no node named {name:?} in this scenario{hint}");
            match node {
                Some(_) => ctx.field("node").error(*pos, message),
                None => ctx.field("nodes").index(i).error(*pos, message),
            }
            ok = false;
        }
    }
    ok.then(|| Target::Nodes(names.into_iter().map(|(n, _)| n).collect()))
}

/// `{pool: p, mtbf: exponential(24h), mttr: 10m, kind: nodeDown}`.
fn decode_random(ctx: &mut Ctx, body: &Yaml, pools: &[NodePool]) -> Option<RandomFaults> {
    let mut b = MapReader::new(ctx, body)?;
    let pool = b.req(ctx, "pool").and_then(|n| {
        let mut p = ctx.field("pool");
        let name = p.str(n)?;
        match pools.iter().find(|x| x.name == name) {
            Some(pool) => Some(pool),
            None => {
                let known: Vec<&str> = pools.iter().map(|p| p.name.as_str()).collect();
                p.error(
                    n.pos,
                    format!("no node pool named {name:?}; pools: {}", known.join(", ")),
                );
                None
            }
        }
    });
    let mut dist = |ctx: &mut Ctx, key: &'static str| {
        let n = b.req(ctx, key)?;
        let mut c = ctx.field(key);
        let text = c.scalar_string(n)?;
        Distribution::parse(&text)
            .map_err(|e| c.error(n.pos, e))
            .ok()
    };
    let mtbf = dist(ctx, "mtbf");
    let mttr = dist(ctx, "mttr");
    let kind = match b.opt("kind") {
        Some(n) => ctx
            .field("kind")
            .one_of(n, &["nodeDown", "networkPartition", "kubeletNotReady"])
            .map(kind_of),
        None => Some(FaultKind::NodeDown),
    };
    b.finish(ctx);
    let pool = pool?;
    Some(RandomFaults {
        kind: kind?,
        nodes: (0..pool.count)
            .map(|i| pool.node(i).metadata.name)
            .collect(),
        time_between_failures: mtbf?,
        time_to_repair: mttr?,
    })
}
