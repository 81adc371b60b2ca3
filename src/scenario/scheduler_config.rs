//! Decoding the scheduler section, in the shape of KubeSchedulerConfiguration
//! (`kubescheduler.config.k8s.io/v1`): top-level settings, profiles, plugin
//! sets and plugin arguments, into [`SchedulerConfig`].

use super::yaml::{Ctx, Diagnostic, Diagnostics, MapReader, Node as Yaml, Pos};
use crate::engine::SimDuration;
use crate::model::ResourceNames;
use crate::scheduler::config::{
    PluginRef, PluginSet, ProfileConfig, SchedulerConfig, KNOWN_PLUGINS, UNMODELLED_PLUGINS,
};
use crate::scheduler::plugins::node_resources_fit::{ScoringStrategy, UtilizationShapePoint};
use crate::scheduler::plugins::resource_allocation::ResourceSpec;
use std::collections::BTreeSet;
use std::path::Path;

const SCHEDULER_FIELDS: &[&str] = &[
    "apiVersion",
    "kind",
    "percentageOfNodesToScore",
    "podInitialBackoffSeconds",
    "podMaxBackoffSeconds",
    "profiles",
    "parallelism",
    "leaderElection",
    "clientConnection",
    "featureGates",
    "extenders",
    "delayCacheUntilActive",
];

/// Reads a KubeSchedulerConfiguration file (one document).
pub(super) fn decode_scheduler_file(
    ctx: &mut Ctx,
    pos: Pos,
    path: &Path,
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
) -> Option<SchedulerConfig> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            ctx.field("scheduler")
                .field("file")
                .error(pos, format!("cannot read {}: {e}", path.display()));
            return None;
        }
    };
    let file = path.display().to_string();
    match super::yaml::parse_single(&file, &text) {
        Ok(doc) => {
            let mut fctx = Ctx::new(&file, ctx.sink());
            decode_scheduler(&mut fctx, &doc, names, warnings)
        }
        Err(Diagnostics(errs)) => {
            ctx.sink().extend(errs);
            None
        }
    }
}

/// The scheduler section, in the shape of KubeSchedulerConfiguration (v1).
pub(super) fn decode_scheduler(
    ctx: &mut Ctx,
    node: &Yaml,
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
) -> Option<SchedulerConfig> {
    let mut m = MapReader::new(ctx, node)?;
    let mut config = SchedulerConfig::default();
    if let Some(n) = m.opt("apiVersion") {
        let mut c = ctx.field("apiVersion");
        if let Some(v) = c.str(n) {
            if v != "kubescheduler.config.k8s.io/v1" {
                c.error(
                    n.pos,
                    format!("expected kubescheduler.config.k8s.io/v1, found {v:?}"),
                );
            }
        }
    }
    if let Some(n) = m.opt("kind") {
        let mut c = ctx.field("kind");
        if let Some(v) = c.str(n) {
            if v != "KubeSchedulerConfiguration" {
                c.error(
                    n.pos,
                    format!("expected KubeSchedulerConfiguration, found {v:?}"),
                );
            }
        }
    }
    if let Some(n) = m.opt("percentageOfNodesToScore") {
        let mut c = ctx.field("percentageOfNodesToScore");
        if let Some(p) = c.u64(n) {
            if p > 100 {
                c.error(
                    n.pos,
                    format!("expected a percentage from 0 to 100, found {p}"),
                );
            } else {
                config.percentage_of_nodes_to_score = Some(p as u32);
            }
        }
    }
    if let Some(n) = m.opt("podInitialBackoffSeconds") {
        if let Some(s) = ctx.field("podInitialBackoffSeconds").u64(n) {
            config.pod_initial_backoff = SimDuration::from_secs(s);
        }
    }
    if let Some(n) = m.opt("podMaxBackoffSeconds") {
        if let Some(s) = ctx.field("podMaxBackoffSeconds").u64(n) {
            config.pod_max_backoff = SimDuration::from_secs(s);
        }
    }
    if config.pod_max_backoff < config.pod_initial_backoff {
        ctx.error(
            m.pos(),
            "podMaxBackoffSeconds must be at least podInitialBackoffSeconds",
        );
    }
    for key in [
        "parallelism",
        "leaderElection",
        "clientConnection",
        "featureGates",
        "extenders",
        "delayCacheUntilActive",
    ] {
        if let Some(n) = m.opt(key) {
            warnings.push(Diagnostic {
                file: ctx.file().to_string(),
                pos: n.pos,
                field: if ctx.path().is_empty() {
                    key.to_string()
                } else {
                    format!("{}.{key}", ctx.path())
                },
                message: "is not modelled and is ignored".into(),
            });
        }
    }
    if let Some(n) = m.opt("profiles") {
        let mut pctx = ctx.field("profiles");
        let items = pctx.seq(n).unwrap_or(&[]);
        let profiles: Vec<ProfileConfig> = items
            .iter()
            .enumerate()
            .filter_map(|(i, p)| decode_profile(&mut pctx.index(i), p, names, warnings))
            .collect();
        let mut seen = BTreeSet::new();
        for p in &profiles {
            if !seen.insert(p.scheduler_name.clone()) {
                pctx.error(
                    n.pos,
                    format!("two profiles have schedulerName {:?}", p.scheduler_name),
                );
            }
        }
        if items.is_empty() {
            pctx.error(n.pos, "expected at least one profile");
        }
        config.profiles = profiles;
    }
    m.finish(ctx, SCHEDULER_FIELDS);
    Some(config)
}

fn decode_profile(
    ctx: &mut Ctx,
    node: &Yaml,
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
) -> Option<ProfileConfig> {
    let mut m = MapReader::new(ctx, node)?;
    let mut profile = ProfileConfig::default();
    if let Some(n) = m.opt("schedulerName") {
        if let Some(s) = ctx.field("schedulerName").str(n) {
            profile.scheduler_name = s;
        }
    }
    if let Some(n) = m.opt("percentageOfNodesToScore") {
        ctx.field("percentageOfNodesToScore").error(n.pos, "per-profile percentageOfNodesToScore is not supported yet; set it at the top level of `scheduler`");
    }
    if let Some(plugins) = m.opt("plugins") {
        let mut pctx = ctx.field("plugins");
        if let Some(mut pm) = MapReader::new(&mut pctx, plugins) {
            for (key, set) in [
                ("multiPoint", &mut profile.multi_point),
                ("filter", &mut profile.filter),
                ("score", &mut profile.score),
                ("postFilter", &mut profile.post_filter),
            ] {
                if let Some(n) = pm.opt(key) {
                    *set = decode_plugin_set(&mut pctx.field(key), n, warnings);
                }
            }
            const POINTS: &[&str] = &[
                "preEnqueue",
                "queueSort",
                "preFilter",
                "preScore",
                "reserve",
                "permit",
                "preBind",
                "bind",
                "postBind",
            ];
            for key in POINTS {
                if let Some(n) = pm.opt(key) {
                    warnings.push(Diagnostic {
                        file: pctx.file().to_string(),
                        pos: n.pos,
                        field: format!("{}.{key}", pctx.path()),
                        message: "only multiPoint, filter, score and postFilter can be configured; this extension point keeps its defaults".into(),
                    });
                }
            }
            let mut known = vec!["multiPoint", "filter", "score", "postFilter"];
            known.extend_from_slice(POINTS);
            pm.finish(&mut pctx, &known);
        }
    }
    if let Some(list) = m.opt("pluginConfig") {
        let mut cctx = ctx.field("pluginConfig");
        let items = cctx.seq(list).unwrap_or(&[]);
        for (i, item) in items.iter().enumerate() {
            decode_plugin_config(&mut cctx.index(i), item, &mut profile, names, warnings);
        }
    }
    m.finish(
        ctx,
        &[
            "schedulerName",
            "plugins",
            "pluginConfig",
            "percentageOfNodesToScore",
        ],
    );
    Some(profile)
}

fn plugin_name(
    ctx: &mut Ctx,
    n: &Yaml,
    allow_star: bool,
    warnings: &mut Vec<Diagnostic>,
) -> Option<String> {
    let name = ctx.str(n)?;
    if allow_star && name == "*" {
        return Some(name);
    }
    if KNOWN_PLUGINS
        .iter()
        .chain(crate::scheduler::config::OPTIONAL_PLUGINS)
        .any(|(k, _)| *k == name)
    {
        return Some(name);
    }
    if UNMODELLED_PLUGINS.contains(&name.as_str()) {
        warnings.push(Diagnostic {
            file: ctx.file().to_string(),
            pos: n.pos,
            field: ctx.path(),
            message: format!("plugin {name} is not modelled yet and is ignored"),
        });
        return None;
    }
    let all: Vec<&str> = KNOWN_PLUGINS
        .iter()
        .chain(crate::scheduler::config::OPTIONAL_PLUGINS)
        .map(|(k, _)| *k)
        .chain(UNMODELLED_PLUGINS.iter().copied())
        .collect();
    let hint = super::yaml::did_you_mean(&name, &all)
        .map_or(String::new(), |h| format!(" (did you mean `{h}`?)"));
    ctx.error(n.pos, format!("unknown plugin {name:?}{hint}"));
    None
}

fn decode_plugin_set(ctx: &mut Ctx, node: &Yaml, warnings: &mut Vec<Diagnostic>) -> PluginSet {
    let mut set = PluginSet::default();
    let Some(mut m) = MapReader::new(ctx, node) else {
        return set;
    };
    for key in ["enabled", "disabled"] {
        let Some(list) = m.opt(key) else { continue };
        let mut lctx = ctx.field(key);
        let items = lctx.seq(list).unwrap_or(&[]);
        for (i, item) in items.iter().enumerate() {
            let mut ictx = lctx.index(i);
            let Some(mut pm) = MapReader::new(&mut ictx, item) else {
                continue;
            };
            let name = pm
                .req(&mut ictx, "name")
                .and_then(|n| plugin_name(&mut ictx.field("name"), n, key == "disabled", warnings));
            let weight = pm.opt("weight").and_then(|n| {
                let mut w = ictx.field("weight");
                let v = w.i64(n)?;
                // Upstream validation: weights are positive (zero means the default).
                if !(0..=100).contains(&v) {
                    w.error(n.pos, format!("expected a weight from 1 to 100, found {v}"));
                    return None;
                }
                Some(v)
            });
            pm.finish(&mut ictx, &["name", "weight"]);
            if let Some(name) = name {
                if key == "enabled" {
                    set.enabled.push(PluginRef {
                        name,
                        weight: weight.unwrap_or(0),
                    });
                } else {
                    set.disabled.push(name);
                }
            }
        }
    }
    m.finish(ctx, &["enabled", "disabled"]);
    set
}

fn decode_resource_specs(
    ctx: &mut Ctx,
    node: &Yaml,
    names: &mut ResourceNames,
) -> Vec<ResourceSpec> {
    let Some(items) = ctx.seq(node) else {
        return vec![];
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let mut ictx = ctx.index(i);
        let Some(mut m) = MapReader::new(&mut ictx, item) else {
            continue;
        };
        let name = m.req(&mut ictx, "name").and_then(|n| {
            let mut c = ictx.field("name");
            let s = c.str(n)?;
            names.intern(&s).map_err(|e| c.error(n.pos, e)).ok()
        });
        let weight = m
            .opt("weight")
            .and_then(|n| ictx.field("weight").i64(n))
            .unwrap_or(1);
        m.finish(&mut ictx, &["name", "weight"]);
        if let Some(name) = name {
            out.push(ResourceSpec {
                name,
                weight: weight.max(1),
            });
        }
    }
    out
}

/// One FGD typical pod: `{cpu: "4", gpuMilli: 500, gpuCount: 1, weight: 30}`.
fn decode_typical_shape(
    ctx: &mut Ctx,
    node: &Yaml,
) -> Option<crate::scheduler::plugins::fgd::TypicalShape> {
    let mut m = MapReader::new(ctx, node)?;
    let cpu = m.req(ctx, "cpu").and_then(|n| {
        let mut c = ctx.field("cpu");
        let text = c.scalar_string(n)?;
        match crate::model::quantity::parse_milli(&text) {
            Ok(v) if v >= 0 => Some(v),
            _ => {
                c.error(
                    n.pos,
                    format!("found {text:?}; expected a cpu quantity such as 500m or 4"),
                );
                None
            }
        }
    });
    let mut int = |m: &mut MapReader, key: &str, lo: u64, hi: u64, default: Option<u64>| {
        let Some(n) = m.opt(key) else {
            if default.is_none() {
                ctx.error(m.pos(), format!("missing required field `{key}`"));
            }
            return default;
        };
        let mut c = ctx.field(key);
        let v = c.u64(n)?;
        if !(lo..=hi).contains(&v) {
            c.error(n.pos, format!("found {v}; expected {lo} to {hi}"));
            return None;
        }
        Some(v)
    };
    let milli = int(&mut m, "gpuMilli", 1, 1000, None);
    let count = int(&mut m, "gpuCount", 1, 8, Some(1));
    let weight = int(&mut m, "weight", 1, u32::MAX as u64, None);
    m.finish(ctx, &["cpu", "gpuMilli", "gpuCount", "weight"]);
    Some(crate::scheduler::plugins::fgd::TypicalShape {
        cpu_millis: cpu?,
        gpu_milli: milli? as i32,
        gpu_count: count? as u8,
        weight: weight? as u32,
    })
}

fn decode_plugin_config(
    ctx: &mut Ctx,
    node: &Yaml,
    profile: &mut ProfileConfig,
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
) {
    let Some(mut m) = MapReader::new(ctx, node) else {
        return;
    };
    let name = m
        .req(ctx, "name")
        .and_then(|n| plugin_name(&mut ctx.field("name"), n, false, warnings));
    let args = m.opt("args");
    m.finish(ctx, &["name", "args"]);
    let (Some(name), Some(args)) = (name, args) else {
        return;
    };
    let mut actx = ctx.field("args");
    let Some(mut am) = MapReader::new(&mut actx, args) else {
        return;
    };
    match name.as_str() {
        "NodeResourcesFit" => {
            if let Some(s) = am.opt("scoringStrategy") {
                let mut sctx = actx.field("scoringStrategy");
                if let Some(mut sm) = MapReader::new(&mut sctx, s) {
                    let resources = sm
                        .opt("resources")
                        .map(|n| decode_resource_specs(&mut sctx.field("resources"), n, names));
                    let shape = sm
                        .opt("requestedToCapacityRatio")
                        .and_then(|n| decode_shape(&mut sctx.field("requestedToCapacityRatio"), n));
                    let kind = sm
                        .opt("type")
                        .and_then(|n| sctx.field("type").str(n).map(|t| (t, n.pos)));
                    sm.finish(
                        &mut sctx,
                        &["type", "resources", "requestedToCapacityRatio"],
                    );
                    if let Some(r) = resources {
                        profile.fit_args.resources = r;
                    }
                    match kind.as_ref().map(|(t, p)| (t.as_str(), *p)) {
                        None | Some(("LeastAllocated", _)) => profile.fit_args.strategy = ScoringStrategy::LeastAllocated,
                        Some(("MostAllocated", _)) => profile.fit_args.strategy = ScoringStrategy::MostAllocated,
                        Some(("RequestedToCapacityRatio", p)) => match shape {
                            Some(shape) => profile.fit_args.strategy = ScoringStrategy::RequestedToCapacityRatio { shape },
                            None => sctx.error(p, "RequestedToCapacityRatio needs `requestedToCapacityRatio.shape`"),
                        },
                        Some((other, p)) => sctx.field("type").error(
                            p,
                            format!("unknown scoring strategy {other:?}; expected LeastAllocated, MostAllocated or RequestedToCapacityRatio"),
                        ),
                    }
                }
            }
            am.ignore(&["ignoredResources", "ignoredResourceGroups"]);
            am.finish(
                &mut actx,
                &[
                    "scoringStrategy",
                    "ignoredResources",
                    "ignoredResourceGroups",
                ],
            );
        }
        "InterPodAffinity" => {
            if let Some(n) = am.opt("hardPodAffinityWeight") {
                let mut c = actx.field("hardPodAffinityWeight");
                if let Some(v) = c.i64(n) {
                    // ValidateInterPodAffinityArgs.
                    if (0..=100).contains(&v) {
                        profile.hard_pod_affinity_weight = v;
                    } else {
                        c.error(n.pos, format!("expected a weight from 0 to 100, found {v}"));
                    }
                }
            }
            am.finish(&mut actx, &["hardPodAffinityWeight"]);
        }
        "PodTopologySpread" => {
            use crate::scheduler::plugins::pod_topology_spread::DefaultingType;
            let defaulting = am.opt("defaultingType").and_then(|n| {
                actx.field("defaultingType")
                    .one_of(n, &["System", "List"])
                    .map(|t| (t, n.pos))
            });
            let constraints = am.opt("defaultConstraints").map(|n| {
                let list = super::topology::decode_topology_spread_constraints(
                    &mut actx.field("defaultConstraints"),
                    n,
                );
                (list, n.pos)
            });
            // ValidatePodTopologySpreadArgs: default constraints carry no selector,
            // and List is the only type that takes them.
            if let Some((list, pos)) = &constraints {
                if list.iter().any(|c| c.label_selector.is_some()) {
                    actx.field("defaultConstraints").error(
                        *pos,
                        "constraint must not define a selector, as they deduced for each pod",
                    );
                }
            }
            match (defaulting, constraints) {
                (Some(("System", _)), Some((list, pos))) if !list.is_empty() => actx
                    .field("defaultConstraints")
                    .error(pos, "when .defaultingType is \"System\", .defaultConstraints must be empty"),
                (Some(("System", _)), _) => {
                    profile.spread_args.defaulting_type = DefaultingType::System;
                }
                // defaultingType defaults to System in v1; with List, the given constraints.
                (Some(_), c) => {
                    profile.spread_args.defaulting_type = DefaultingType::List;
                    profile.spread_args.default_constraints = c.map(|(l, _)| l).unwrap_or_default();
                }
                (None, Some((list, pos))) if !list.is_empty() => actx.field("defaultConstraints").error(
                    pos,
                    "when .defaultingType is \"System\" (the default), .defaultConstraints must be empty; set defaultingType: List",
                ),
                (None, _) => {}
            }
            am.finish(&mut actx, &["defaultConstraints", "defaultingType"]);
        }
        "DefaultPreemption" => {
            // ValidateDefaultPreemptionArgs.
            let mut bound = |key: &str, max: i64, am: &mut MapReader| -> Option<(u32, Pos)> {
                let n = am.opt(key)?;
                let mut c = actx.field(key);
                let v = c.i64(n)?;
                if !(0..=max).contains(&v) {
                    c.error(
                        n.pos,
                        format!("expected a value from 0 to {max}, found {v}"),
                    );
                    return None;
                }
                Some((v as u32, n.pos))
            };
            let pct = bound("minCandidateNodesPercentage", 100, &mut am);
            let abs = bound("minCandidateNodesAbsolute", i32::MAX as i64, &mut am);
            if let Some((p, _)) = pct {
                profile.preemption_args.min_candidate_nodes_percentage = p;
            }
            if let Some((a, _)) = abs {
                profile.preemption_args.min_candidate_nodes_absolute = a;
            }
            if profile.preemption_args.min_candidate_nodes_percentage == 0
                && profile.preemption_args.min_candidate_nodes_absolute == 0
            {
                actx.error(
                    args.pos,
                    "minCandidateNodesPercentage and minCandidateNodesAbsolute cannot both be zero",
                );
            }
            am.finish(
                &mut actx,
                &["minCandidateNodesPercentage", "minCandidateNodesAbsolute"],
            );
        }
        "NodeResourcesBalancedAllocation" => {
            if let Some(r) = am.opt("resources") {
                profile.balanced_resources =
                    decode_resource_specs(&mut actx.field("resources"), r, names);
            }
            am.finish(&mut actx, &["resources"]);
        }
        crate::scheduler::plugins::fgd::NAME => {
            if let Some(list) = am.opt("typicalPods") {
                let mut lctx = actx.field("typicalPods");
                let items = lctx.seq(list).unwrap_or(&[]);
                for (i, item) in items.iter().enumerate() {
                    if let Some(shape) = decode_typical_shape(&mut lctx.index(i), item) {
                        profile.fgd_typical_pods.push(shape);
                    }
                }
            }
            am.finish(&mut actx, &["typicalPods"]);
        }
        other => {
            am.ignore(&[]);
            warnings.push(Diagnostic {
                file: actx.file().to_string(),
                pos: args.pos,
                field: actx.path(),
                message: format!("args for {other} are not modelled and are ignored"),
            });
            // Accept any keys for plugins without modelled args.
            let super::yaml::Value::Map(entries) = &args.value else {
                return;
            };
            let keys: Vec<String> = entries
                .iter()
                .filter_map(|(k, _)| k.scalar_text())
                .collect();
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            am.ignore(&keys);
            am.finish(&mut actx, &keys);
        }
    }
}

/// `requestedToCapacityRatio.shape`: points with utilization 0–100 ascending and score 0–10.
fn decode_shape(ctx: &mut Ctx, node: &Yaml) -> Option<Vec<UtilizationShapePoint>> {
    let mut m = MapReader::new(ctx, node)?;
    let shape_node = m.req(ctx, "shape");
    m.finish(ctx, &["shape"]);
    let shape_node = shape_node?;
    let mut sctx = ctx.field("shape");
    let items = sctx.seq(shape_node)?;
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let mut ictx = sctx.index(i);
        let Some(mut pm) = MapReader::new(&mut ictx, item) else {
            continue;
        };
        let u = pm
            .req(&mut ictx, "utilization")
            .and_then(|n| ictx.field("utilization").i64(n));
        let s = pm
            .req(&mut ictx, "score")
            .and_then(|n| ictx.field("score").i64(n));
        pm.finish(&mut ictx, &["utilization", "score"]);
        if let (Some(u), Some(s)) = (u, s) {
            if !(0..=100).contains(&u) || !(0..=10).contains(&s) {
                ictx.error(
                    item.pos,
                    format!("expected utilization 0–100 and score 0–10, found {u} and {s}"),
                );
            } else if out
                .last()
                .is_some_and(|p: &UtilizationShapePoint| p.utilization >= u)
            {
                ictx.error(item.pos, "utilization values must be strictly increasing");
            } else {
                out.push(UtilizationShapePoint {
                    utilization: u,
                    score: s,
                });
            }
        }
    }
    if out.is_empty() {
        sctx.error(shape_node.pos, "expected at least one shape point");
        return None;
    }
    Some(out)
}
