//! The scenario's `actions` (what an operator does at a given time: scale, roll
//! out a new image, pause, delete, add nodes) and `controllerManager`
//! settings. Every action names an object the scenario declares, so a typo is
//! an error at decode time rather than a silent no-op.

use super::behaviour::{self, BehaviourRule};
use super::civil_time::parse_utc_timestamp;
use super::delete_action::PodNameCheck;
use super::pools::NodePool;
use super::spec::{Action, ActionKind};
use crate::controllers::ControllerConfig;
use crate::engine::time::parse_duration;
use crate::engine::SimTime;
use crate::input::decode::{Ctx, MapReader};
use crate::input::yaml::Node as Yaml;
use crate::limits::MAX_NODES;
use crate::model::workloads::{PodTemplate, TimedWorkload};
use std::collections::BTreeMap;
use std::sync::Arc;

const ACTION_VERBS: &[&str] = &[
    "scale", "setImage", "pause", "resume", "delete", "addNodes", "cordon", "uncordon", "drain",
    "taint", "untaint",
];

fn duration_field(
    ctx: &mut Ctx,
    m: &mut MapReader,
    key: &'static str,
    required: bool,
) -> Option<crate::engine::SimDuration> {
    let n = if required {
        m.req(ctx, key)?
    } else {
        m.opt(key)?
    };
    let mut c = ctx.field(key);
    let text = c.scalar_string(n)?;
    parse_duration(&text)
        .map_err(|e| {
            c.error(
                n.pos,
                format!("expected a duration such as 30s, 5m or 1h30m: {e}"),
            )
        })
        .ok()
}

/// `controllerManager: {reconcileLatency: 100ms, startTime: "2024-01-01T00:00:00Z"}`.
pub fn decode_controller_config(ctx: &mut Ctx, node: &Yaml) -> ControllerConfig {
    let mut config = ControllerConfig::default();
    let Some(mut m) = MapReader::new(ctx, node) else {
        return config;
    };
    if let Some(d) = duration_field(ctx, &mut m, "reconcileLatency", false) {
        config.reconcile_latency = d;
    }
    if let Some(n) = m.opt("startTime") {
        let mut c = ctx.field("startTime");
        if let Some(text) = c.str(n) {
            match parse_utc_timestamp(&text) {
                Ok(unix) => config.epoch_unix_s = unix,
                Err(e) => c.error(n.pos, e),
            }
        }
    }
    decode_node_lifecycle(ctx, &mut m, &mut config.node_lifecycle);
    m.finish(ctx);
    config
}

/// The node lifecycle controller's flags, by their kube-controller-manager names.
fn decode_node_lifecycle(
    ctx: &mut Ctx,
    m: &mut MapReader,
    config: &mut crate::controllers::node_lifecycle::NodeLifecycleConfig,
) {
    if let Some(n) = m.opt("nodeMonitorPeriod") {
        let pos = n.pos;
        if let Some(d) = duration_field(ctx, m, "nodeMonitorPeriod", false) {
            if d == crate::engine::SimDuration::ZERO {
                ctx.field("nodeMonitorPeriod")
                    .error(pos, "expected a duration greater than zero, found 0");
            } else {
                config.monitor_period = d;
            }
        }
    }
    if let Some(d) = duration_field(ctx, m, "nodeMonitorGracePeriod", false) {
        config.grace_period = d;
    }
    for (key, slot, max) in [
        ("nodeEvictionRate", &mut config.eviction_rate, f64::INFINITY),
        (
            "secondaryNodeEvictionRate",
            &mut config.secondary_eviction_rate,
            f64::INFINITY,
        ),
        (
            "unhealthyZoneThreshold",
            &mut config.unhealthy_zone_threshold,
            1.0,
        ),
    ] {
        if let Some(n) = m.opt(key) {
            let mut c = ctx.field(key);
            if let Some(v) = c.f64(n) {
                if v.is_finite() && v >= 0.0 && v <= max {
                    *slot = v;
                } else if max.is_finite() {
                    c.error(
                        n.pos,
                        format!("expected a number from 0 to {max}, found {v}"),
                    );
                } else {
                    c.error(n.pos, format!("expected a number of at least 0, found {v}"));
                }
            }
        }
    }
    if let Some(n) = m.opt("largeClusterSizeThreshold") {
        if let Some(v) = ctx.field("largeClusterSizeThreshold").u64(n) {
            config.large_cluster_size_threshold = v.min(u32::MAX as u64) as u32;
        }
    }
}

/// Finds a declared workload by kind and name; reports a precise error otherwise.
fn find<'w>(
    ctx: &mut Ctx,
    pos: crate::input::diagnostic::Pos,
    workloads: &'w [TimedWorkload],
    kind: &str,
    namespace: &str,
    name: &str,
) -> Option<&'w TimedWorkload> {
    let found = workloads.iter().find(|w| {
        w.workload.spec.kind() == kind
            && w.workload.metadata.namespace == namespace
            && w.workload.metadata.name == name
    });
    if found.is_none() {
        let known: Vec<&str> = workloads
            .iter()
            .filter(|w| w.workload.spec.kind() == kind)
            .map(|w| w.workload.metadata.name.as_str())
            .collect();
        let hint = crate::input::decode::did_you_mean(name, &known)
            .map_or(String::new(), |h| format!(" (did you mean `{h}`?)"));
        ctx.error(
            pos,
            format!("no {kind} named {namespace}/{name} in this scenario{hint}"),
        );
    }
    found
}

/// A node of the scenario, or one an earlier addNodes added (<pool>-<i>;
/// actions are decoded in time order).
fn node_known(node_names: &[&str], pool_next: &BTreeMap<String, u64>, node: &str) -> bool {
    node_names.contains(&node)
        || pool_next.iter().any(|(pool, &next)| {
            node.strip_prefix(&format!("{pool}-"))
                .and_then(|i| i.parse::<u64>().ok())
                .is_some_and(|i| i < next)
        })
}

/// An action's optional `namespace` (default `default`).
fn namespace(ctx: &mut Ctx, b: &mut MapReader) -> String {
    b.opt("namespace")
        .and_then(|n| ctx.field("namespace").str(n))
        .unwrap_or_else(|| "default".into())
}

/// Decodes the action list, in time order (stable for equal times), and
/// the pod names its deletes need checked once every pod source is known
/// ([`super::delete_action::check_pod_names`]).
pub fn decode_actions(
    ctx: &mut Ctx,
    node: &Yaml,
    workloads: &[TimedWorkload],
    pools: &[NodePool],
    rules: &[BehaviourRule],
    node_names: &[&str],
) -> (Vec<Action>, Vec<PodNameCheck>) {
    let mut pod_checks = Vec::new();
    let Some(items) = ctx.seq(node) else {
        return (vec![], pod_checks);
    };
    // Decoded in time order so successive image updates build on each other.
    let mut order: Vec<(crate::engine::SimDuration, usize)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let mut ictx = ctx.index(i);
        let Some(mut m) = MapReader::new(&mut ictx, item) else {
            continue;
        };
        if let Some(at) = duration_field(&mut ictx, &mut m, "at", true) {
            order.push((at, i));
        }
    }
    order.sort();
    let mut templates: BTreeMap<(String, String, String), PodTemplate> = BTreeMap::new();
    let mut nodes_added = 0u64;
    let mut pool_next: BTreeMap<String, u64> =
        pools.iter().map(|p| (p.name.clone(), p.count)).collect();
    let mut actions = Vec::new();
    for (at, i) in order {
        let item = &items[i];
        let mut ictx = ctx.index(i);
        let Some(mut m) = MapReader::new(&mut ictx, item) else {
            continue;
        };
        m.opt("at");
        // Every verb is asked for, so all of them are the accepted fields.
        let verbs: Vec<(&str, &Yaml)> = ACTION_VERBS
            .iter()
            .filter_map(|v| m.opt(v).map(|n| (*v, n)))
            .collect();
        let [(verb, body)] = verbs[..] else {
            ictx.error(
                item.pos,
                format!(
                    "an action needs exactly one of: {} (found {})",
                    ACTION_VERBS.join(", "),
                    verbs.len()
                ),
            );
            m.finish(&mut ictx);
            continue;
        };
        m.finish(&mut ictx);
        let mut vctx = ictx.field(verb);
        let Some(mut b) = MapReader::new(&mut vctx, body) else {
            continue;
        };
        let kind = match verb {
            "scale" => {
                let kind = b.req(&mut vctx, "kind").and_then(|n| {
                    vctx.field("kind")
                        .one_of(n, &["Deployment", "ReplicaSet", "StatefulSet", "Job"])
                });
                let name = b
                    .req(&mut vctx, "name")
                    .and_then(|n| vctx.field("name").str(n));
                let namespace = namespace(&mut vctx, &mut b);
                let replicas = b
                    .req(&mut vctx, "replicas")
                    .and_then(|n| vctx.field("replicas").u64(n));
                b.finish(&mut vctx);
                let (Some(kind), Some(name), Some(replicas)) = (kind, name, replicas) else {
                    continue;
                };
                if find(&mut vctx, body.pos, workloads, kind, &namespace, &name).is_none() {
                    continue;
                }
                ActionKind::Scale {
                    kind: kind.into(),
                    namespace,
                    name,
                    replicas: replicas.min(i32::MAX as u64) as i32,
                }
            }
            "setImage" => {
                let kind = b.req(&mut vctx, "kind").and_then(|n| {
                    vctx.field("kind").one_of(
                        n,
                        &[
                            "Deployment",
                            "ReplicaSet",
                            "DaemonSet",
                            "StatefulSet",
                            "Job",
                            "CronJob",
                        ],
                    )
                });
                let name = b
                    .req(&mut vctx, "name")
                    .and_then(|n| vctx.field("name").str(n));
                let namespace = namespace(&mut vctx, &mut b);
                let container = b
                    .req(&mut vctx, "container")
                    .and_then(|n| vctx.field("container").str(n).map(|c| (c, n.pos)));
                let image = b
                    .req(&mut vctx, "image")
                    .and_then(|n| vctx.field("image").str(n));
                let annotations = b
                    .opt("annotations")
                    .and_then(|n| vctx.field("annotations").string_map(n));
                b.finish(&mut vctx);
                let (Some(kind), Some(name), Some((container, cpos)), Some(image)) =
                    (kind, name, container, image)
                else {
                    continue;
                };
                let Some(w) = find(&mut vctx, body.pos, workloads, kind, &namespace, &name) else {
                    continue;
                };
                let key = (kind.to_string(), namespace.clone(), name.clone());
                let mut template = templates.get(&key).cloned().unwrap_or_else(|| {
                    w.workload
                        .spec
                        .template()
                        .expect("setImage kinds have a template")
                        .clone()
                });
                let mut spec = (*template.spec).clone();
                let Some(c) = spec
                    .containers
                    .iter_mut()
                    .chain(spec.init_containers.iter_mut())
                    .find(|c| c.name == container)
                else {
                    vctx.field("container").error(
                        cpos,
                        format!("{kind} {name} has no container named {container:?}"),
                    );
                    continue;
                };
                c.image = image;
                template.spec = Arc::new(spec);
                for (k, v, _) in annotations.unwrap_or_default() {
                    template.metadata.annotations.insert(k, v);
                }
                behaviour::apply_template(&mut template, rules, vctx.file(), body.pos, vctx.sink());
                templates.insert(key, template.clone());
                ActionKind::SetTemplate {
                    kind: kind.into(),
                    namespace,
                    name,
                    template,
                }
            }
            "pause" | "resume" => {
                let name = b
                    .req(&mut vctx, "name")
                    .and_then(|n| vctx.field("name").str(n));
                let namespace = namespace(&mut vctx, &mut b);
                b.finish(&mut vctx);
                let Some(name) = name else { continue };
                if find(
                    &mut vctx,
                    body.pos,
                    workloads,
                    "Deployment",
                    &namespace,
                    &name,
                )
                .is_none()
                {
                    continue;
                }
                ActionKind::SetPaused {
                    namespace,
                    name,
                    paused: verb == "pause",
                }
            }
            "delete" => {
                let found = super::delete_action::decode_delete(
                    &mut vctx,
                    body,
                    |c, kind, namespace, name| {
                        if kind != "Node" {
                            return find(c, body.pos, workloads, kind, namespace, name).is_some();
                        }
                        let known = node_known(node_names, &pool_next, name);
                        if !known {
                            c.error(body.pos, format!("no node named {name:?} in this scenario"));
                        }
                        known
                    },
                );
                let Some((kind, check)) = found else { continue };
                pod_checks.extend(check);
                kind
            }
            "addNodes" => {
                let pool = b
                    .req(&mut vctx, "pool")
                    .and_then(|n| vctx.field("pool").str(n).map(|p| (p, n.pos)));
                let count = b.req(&mut vctx, "count").and_then(|n| {
                    let mut c = vctx.field("count");
                    let count = c.u64(n)?;
                    // The nodes are made here, so the limit is checked first.
                    let room = MAX_NODES.saturating_sub(node_names.len() as u64 + nodes_added);
                    if count > room {
                        c.error(
                            n.pos,
                            format!(
                                "expected at most {room} nodes (a scenario holds at most {MAX_NODES} \
                                 nodes in all, pools and addNodes together), found {count}"
                            ),
                        );
                        return None;
                    }
                    nodes_added += count;
                    Some(count)
                });
                // Nodes have no namespace; the field is accepted as for every action.
                namespace(&mut vctx, &mut b);
                b.finish(&mut vctx);
                let (Some((pool, ppos)), Some(count)) = (pool, count) else {
                    continue;
                };
                let Some(p) = pools.iter().find(|p| p.name == pool) else {
                    let known: Vec<&str> = pools.iter().map(|p| p.name.as_str()).collect();
                    vctx.field("pool").error(
                        ppos,
                        format!("no node pool named {pool:?}; pools: {}", known.join(", ")),
                    );
                    continue;
                };
                let next = pool_next.get_mut(&pool).expect("every pool has a counter");
                let nodes = (*next..*next + count).map(|i| p.node(i)).collect();
                *next += count;
                ActionKind::AddNodes(nodes)
            }
            "cordon" | "uncordon" | "drain" | "taint" | "untaint" => {
                let node = b
                    .req(&mut vctx, "node")
                    .and_then(|n| vctx.field("node").str(n).map(|s| (s, n.pos)));
                let tainting = verb == "taint" || verb == "untaint";
                let taints = if tainting {
                    b.req(&mut vctx, "taints")
                        .map(|n| super::manifest::decode_taints(&mut vctx.field("taints"), n))
                } else {
                    None
                };
                // Nodes have no namespace; the field is accepted as for every action.
                namespace(&mut vctx, &mut b);
                b.finish(&mut vctx);
                let Some((node, npos)) = node else { continue };
                // A node of the scenario, or one an earlier addNodes added
                // (<pool>-<i>; actions are decoded in time order).
                if !node_known(node_names, &pool_next, &node) {
                    vctx.field("node")
                        .error(npos, format!("no node named {node:?} in this scenario"));
                    continue;
                }
                match verb {
                    "drain" => ActionKind::Drain { node },
                    "taint" | "untaint" => {
                        let Some(taints) = taints else { continue };
                        ActionKind::Taint {
                            node,
                            taints,
                            remove: verb == "untaint",
                        }
                    }
                    _ => ActionKind::Cordon {
                        node,
                        unschedulable: verb == "cordon",
                    },
                }
            }
            _ => unreachable!("verbs are checked above"),
        };
        actions.push(Action {
            at: SimTime::ZERO + at,
            kind,
        });
    }
    (actions, pod_checks)
}
