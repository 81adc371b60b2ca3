//! Each plugin's `pluginConfig` arguments, as upstream's args types in
//! `pkg/scheduler/apis/config` (NodeResourcesFitArgs, InterPodAffinityArgs,
//! PodTopologySpreadArgs, DefaultPreemptionArgs, NodeResourcesBalancedAllocationArgs,
//! NodeAffinityArgs, VolumeBindingArgs) and the FGD plugin's typical pods, checked
//! as `validation_pluginargs.go` (v1.32) checks them after the v1 defaults.

use super::{in_range, not_modelled_warning, plugin_name, FeatureGates};
use crate::input::decode::{Ctx, MapReader};
use crate::input::diagnostic::{Diagnostic, Pos};
use crate::input::yaml::{Node as Yaml, Value};
use crate::model::labels::validate_label_key;
use crate::model::ResourceNames;
use crate::scheduler::config::{ProfileConfig, UNMODELLED_PLUGINS};
use crate::scheduler::plugins::node_resources_fit::{ScoringStrategy, UtilizationShapePoint};
use crate::scheduler::plugins::resource_allocation::ResourceSpec;
use std::collections::BTreeSet;

/// How a plugin's `resources` weights are checked.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ResourceWeights {
    /// NodeResourcesFit (validateResources): 1 to 100, so a node's weighted
    /// sum over resources stays within 100 × 100 × (number of resources).
    Fit,
    /// NodeResourcesBalancedAllocation: exactly 1, each resource once.
    Balanced,
}

/// A `resources` list; an empty list leaves the plugin's default (cpu and memory,
/// weight 1 each), and a weight of 0 means 1, as the v1 defaults say.
fn decode_resource_specs(
    ctx: &mut Ctx,
    node: &Yaml,
    names: &mut ResourceNames,
    rule: ResourceWeights,
) -> Vec<ResourceSpec> {
    let Some(items) = ctx.seq(node) else {
        return vec![];
    };
    let mut out: Vec<ResourceSpec> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let mut ictx = ctx.index(i);
        let Some(mut m) = MapReader::new(&mut ictx, item) else {
            continue;
        };
        let name = m.req(&mut ictx, "name").and_then(|n| {
            let mut c = ictx.field("name");
            let s = c.str(n)?;
            let r = names.intern(&s).map_err(|e| c.error(n.pos, e)).ok()?;
            if rule == ResourceWeights::Balanced && out.iter().any(|spec| spec.name == r) {
                c.error(n.pos, format!("Duplicate value: {s:?} is already listed"));
                return None;
            }
            Some(r)
        });
        let weight = match m.opt("weight") {
            None => Some(1),
            Some(n) => {
                let mut c = ictx.field("weight");
                c.i64(n).and_then(|w| {
                    let w = if w == 0 { 1 } else { w };
                    match rule {
                        ResourceWeights::Fit if !(1..=100).contains(&w) => {
                            c.error(
                                n.pos,
                                format!("expected a resource weight from 1 to 100 (0 means 1), found {w}"),
                            );
                            None
                        }
                        ResourceWeights::Balanced if w != 1 => {
                            c.error(n.pos, format!("must be 1, found {w}"));
                            None
                        }
                        _ => Some(w),
                    }
                })
            }
        };
        m.finish(&mut ictx);
        if let (Some(name), Some(weight)) = (name, weight) {
            out.push(ResourceSpec { name, weight });
        }
    }
    out
}

/// A list of resource names or resource groups that must be valid label names
/// (NodeResourcesFit's `ignoredResources` and `ignoredResourceGroups`).
fn check_label_names(ctx: &mut Ctx, node: &Yaml, groups: bool) {
    let Some(items) = ctx.seq(node) else { return };
    for (i, item) in items.iter().enumerate() {
        let mut c = ctx.index(i);
        let Some(s) = c.str(item) else { continue };
        if groups && s.contains('/') {
            c.error(
                item.pos,
                format!("resource group name can't contain '/', found {s:?}"),
            );
        } else if let Err(e) = validate_label_key(&s) {
            c.error(
                item.pos,
                format!("expected a resource name, found {s:?}: {e}"),
            );
        }
    }
}

/// The extended resources NodeResourcesFit's Filter skips (`fit.go`
/// fitsRequest): those named in `ignoredResources`, or (`groups`) whose
/// name's part before the `/` is in `ignoredResourceGroups`. Only extended
/// resources are skipped (`IsExtendedResourceName`), never cpu, memory,
/// ephemeral-storage or hugepages. Groups match the names the scenario
/// uses, which are all interned by the time the scheduler section is
/// decoded (it comes after nodes, workloads, arrivals and pod traces).
fn ignored_extended_mask(listed: &[String], groups: bool, names: &ResourceNames) -> u8 {
    use crate::model::ResourceName;
    const _: () = assert!(crate::model::resources::MAX_EXTENDED_RESOURCES <= 8);
    let extended = |name: &str| name.contains('/') && !name.contains("kubernetes.io/");
    let mut mask = 0u8;
    if groups {
        for id in names.extended_ids() {
            let name = names.name(ResourceName::Extended(id));
            let group = name.split('/').next().unwrap_or_default();
            if extended(name) && listed.iter().any(|g| g == group) {
                mask |= 1 << id.0;
            }
        }
    } else {
        for name in listed.iter().filter(|n| extended(n)) {
            // A name no pod requests has nothing to skip.
            if let Some(ResourceName::Extended(id)) = names.lookup(name) {
                mask |= 1 << id.0;
            }
        }
    }
    mask
}

/// One FGD typical pod: `{cpu: "4", gpuMilli: 500, gpuCount: 1, weight: 30}`.
fn decode_typical_shape(
    ctx: &mut Ctx,
    node: &Yaml,
) -> Option<crate::scheduler::plugins::gpu::fgd::TypicalShape> {
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
    let mut int = |m: &mut MapReader, key: &'static str, lo: u64, hi: u64, default: Option<u64>| {
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
    m.finish(ctx);
    Some(crate::scheduler::plugins::gpu::fgd::TypicalShape {
        cpu_millis: cpu?,
        gpu_milli: milli? as i32,
        gpu_count: count? as u8,
        weight: weight? as u32,
    })
}

/// What decoding plugin arguments needs besides the YAML and the profile.
pub(super) struct ArgsEnv<'a> {
    pub(super) names: &'a mut ResourceNames,
    pub(super) warnings: &'a mut Vec<Diagnostic>,
    pub(super) gates: FeatureGates,
}

/// The scoring strategies of NodeResourcesFit (`supportedScoringStrategyTypes`).
const SCORING_STRATEGIES: &[&str] = &[
    "LeastAllocated",
    "MostAllocated",
    "RequestedToCapacityRatio",
];

/// One `pluginConfig` entry; `seen` holds the plugin names configured before it.
pub(super) fn decode_plugin_config(
    ctx: &mut Ctx,
    node: &Yaml,
    profile: &mut ProfileConfig,
    seen: &mut BTreeSet<String>,
    env: ArgsEnv,
) {
    let ArgsEnv {
        names,
        warnings,
        gates,
    } = env;
    let Some(mut m) = MapReader::new(ctx, node) else {
        return;
    };
    let name_node = m.req(ctx, "name");
    let args = m.opt("args");
    m.finish(ctx);
    let Some(name_node) = name_node else { return };
    let Some(raw) = ctx.field("name").str(name_node) else {
        return;
    };
    // validatePluginConfig: one entry per plugin.
    if !seen.insert(raw.clone()) {
        ctx.field("name").error(
            name_node.pos,
            format!(
                "Duplicate value: {raw:?}: an earlier pluginConfig entry configures this plugin"
            ),
        );
        return;
    }
    if UNMODELLED_PLUGINS.contains(&raw.as_str()) {
        not_modelled_warning(&ctx.field("name"), name_node.pos, &raw, warnings);
        if let Some(args) = args {
            let mut actx = ctx.field("args");
            if raw == "VolumeBinding" {
                decode_volume_binding_args(&mut actx, args, gates);
            } else {
                accept_any_fields(&mut actx, args);
            }
        }
        return;
    }
    let Some(name) = plugin_name(&mut ctx.field("name"), name_node, false, warnings) else {
        return;
    };
    let Some(args) = args else { return };
    let mut actx = ctx.field("args");
    let Some(mut am) = MapReader::new(&mut actx, args) else {
        return;
    };
    match name.as_str() {
        // ValidateNodeResourcesFitArgs, after SetDefaults_NodeResourcesFitArgs.
        "NodeResourcesFit" => {
            let strategy = am.opt("scoringStrategy");
            let mut ignored = 0u8;
            for (key, groups) in [("ignoredResources", false), ("ignoredResourceGroups", true)] {
                let Some(n) = am.opt(key) else { continue };
                let mut c = actx.field(key);
                check_label_names(&mut c, n, groups);
                let listed: Vec<String> = c
                    .seq(n)
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|item| item.scalar_text())
                    .collect();
                ignored |= ignored_extended_mask(&listed, groups, names);
            }
            if let Some(s) = strategy {
                decode_scoring_strategy(&mut actx.field("scoringStrategy"), s, profile, names);
            }
            profile.fit_args.ignored_extended = ignored;
            am.finish(&mut actx);
        }
        "InterPodAffinity" => {
            if let Some(n) = am.opt("hardPodAffinityWeight") {
                let mut c = actx.field("hardPodAffinityWeight");
                // ValidateInterPodAffinityArgs.
                if let Some(v) = c
                    .i64(n)
                    .and_then(|v| in_range(&mut c, n.pos, "weight", v, 0, 100))
                {
                    profile.hard_pod_affinity_weight = v;
                }
            }
            if let Some(n) = am.opt("ignorePreferredTermsOfExistingPods") {
                let mut c = actx.field("ignorePreferredTermsOfExistingPods");
                if let Some(v) = c.bool(n) {
                    profile.ignore_preferred_terms_of_existing_pods = v;
                }
            }
            am.finish(&mut actx);
        }
        "PodTopologySpread" => {
            use crate::scheduler::plugins::pod_topology_spread::DefaultingType;
            let constraints_node = am.opt("defaultConstraints");
            // SetDefaults_PodTopologySpreadArgs: an empty defaultingType is System.
            let defaulting = am.opt("defaultingType").and_then(|n| {
                if n.as_str() == Some("") {
                    return Some(("System", n.pos));
                }
                actx.field("defaultingType")
                    .one_of(n, &["System", "List"])
                    .map(|t| (t, n.pos))
            });
            let constraints = constraints_node.map(|n| {
                let mut cctx = actx.field("defaultConstraints");
                // ValidatePodTopologySpreadArgs: a default constraint carries no
                // selector; the pod's own labels choose its peers.
                if let Value::Seq(items) = &n.value {
                    for (i, item) in items.iter().enumerate() {
                        if let Value::Map(entries) = &item.value {
                            if let Some((_, v)) = entries
                                .iter()
                                .find(|(k, v)| k.as_str() == Some("labelSelector") && !v.is_null())
                            {
                                cctx.index(i).field("labelSelector").error(
                                    v.pos,
                                    "Forbidden: constraint must not define a selector, as they deduced for each pod",
                                );
                            }
                        }
                    }
                }
                let list = crate::scenario::manifest::decode_topology_spread_constraints(&mut cctx, n);
                (list, n.pos)
            });
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
            am.finish(&mut actx);
        }
        "DefaultPreemption" => {
            // ValidateDefaultPreemptionArgs.
            let mut bound =
                |key: &'static str, max: i64, am: &mut MapReader| -> Option<(u32, Pos)> {
                    let n = am.opt(key)?;
                    let mut c = actx.field(key);
                    let v = c.i64(n)?;
                    let v = in_range(&mut c, n.pos, "value", v, 0, max)?;
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
            am.finish(&mut actx);
        }
        "NodeResourcesBalancedAllocation" => {
            // ValidateNodeResourcesBalancedAllocationArgs.
            if let Some(r) = am.opt("resources") {
                let list = decode_resource_specs(
                    &mut actx.field("resources"),
                    r,
                    names,
                    ResourceWeights::Balanced,
                );
                if !list.is_empty() {
                    profile.balanced_resources = list;
                }
            }
            am.finish(&mut actx);
        }
        "NodeAffinity" => {
            // ValidateNodeAffinityArgs: addedAffinity is a valid node affinity.
            if let Some(n) = am.opt("addedAffinity") {
                let mut c = actx.field("addedAffinity");
                profile.added_affinity =
                    crate::scenario::manifest::decode_node_affinity(&mut c, n, warnings);
            }
            am.finish(&mut actx);
        }
        crate::scheduler::plugins::gpu::fgd::NAME => {
            if let Some(list) = am.opt("typicalPods") {
                let mut lctx = actx.field("typicalPods");
                let items = lctx.seq(list).unwrap_or(&[]);
                for (i, item) in items.iter().enumerate() {
                    if let Some(shape) = decode_typical_shape(&mut lctx.index(i), item) {
                        profile.fgd_typical_pods.push(shape);
                    }
                }
            }
            am.finish(&mut actx);
        }
        other => {
            // Upstream has no args type for this plugin and ignores what is given.
            warnings.push(Diagnostic {
                file: actx.file().to_string(),
                pos: args.pos,
                field: actx.path(),
                message: format!("args for {other} are not modelled and are ignored"),
            });
            accept_any_fields(&mut actx, args);
        }
    }
}

/// Accepts any fields of a mapping (args kubesim does not read).
fn accept_any_fields(ctx: &mut Ctx, args: &Yaml) {
    let Some(mut am) = MapReader::new(ctx, args) else {
        return;
    };
    am.ignore_all();
    am.finish(ctx);
}

/// VolumeBinding's args (not modelled), checked as ValidateVolumeBindingArgs
/// does in v1.32: `bindTimeoutSeconds` not negative, and `shape` only with the
/// VolumeCapacityPriority feature gate.
fn decode_volume_binding_args(ctx: &mut Ctx, args: &Yaml, gates: FeatureGates) {
    let Some(mut m) = MapReader::new(ctx, args) else {
        return;
    };
    if let Some(n) = m.opt("bindTimeoutSeconds") {
        let mut c = ctx.field("bindTimeoutSeconds");
        if let Some(v) = c.i64(n) {
            if v < 0 {
                c.error(
                    n.pos,
                    format!("expected a non-negative number of seconds, found {v}"),
                );
            }
        }
    }
    if let Some(n) = m.opt("shape") {
        if gates.volume_capacity_priority {
            decode_shape_points(&mut ctx.field("shape"), n);
        } else {
            ctx.field("shape").error(
                n.pos,
                "unexpected field `shape`, remove it or turn on the feature gate VolumeCapacityPriority",
            );
        }
    }
    m.finish(ctx);
}

/// NodeResourcesFit's `scoringStrategy` (ValidateNodeResourcesFitArgs): a
/// supported `type`, resource weights 1–100, and `requestedToCapacityRatio`
/// exactly when the type is RequestedToCapacityRatio.
fn decode_scoring_strategy(
    ctx: &mut Ctx,
    node: &Yaml,
    profile: &mut ProfileConfig,
    names: &mut ResourceNames,
) {
    let Some(mut m) = MapReader::new(ctx, node) else {
        return;
    };
    let type_node = m.opt("type");
    let resources = m.opt("resources").map(|n| {
        decode_resource_specs(&mut ctx.field("resources"), n, names, ResourceWeights::Fit)
    });
    let ratio = m.opt("requestedToCapacityRatio");
    // No defaulting fills an empty type once scoringStrategy is given.
    let kind = match type_node {
        Some(n) => ctx
            .field("type")
            .one_of(n, SCORING_STRATEGIES)
            .map(|t| (t, n.pos)),
        None => {
            ctx.error(
                m.pos(),
                format!(
                    "missing required field `type`; expected one of: {}",
                    SCORING_STRATEGIES.join(", ")
                ),
            );
            None
        }
    };
    m.finish(ctx);
    if let Some(r) = resources.filter(|r| !r.is_empty()) {
        profile.fit_args.resources = r;
    }
    match kind {
        Some(("RequestedToCapacityRatio", pos)) => match ratio {
            Some(n) => {
                if let Some(shape) = decode_shape(&mut ctx.field("requestedToCapacityRatio"), n) {
                    profile.fit_args.strategy = ScoringStrategy::RequestedToCapacityRatio { shape };
                }
            }
            None => ctx.field("requestedToCapacityRatio").error(
                pos,
                "Required value: must be specified when type is RequestedToCapacityRatio",
            ),
        },
        Some((other, _)) => {
            if let Some(n) = ratio {
                ctx.field("requestedToCapacityRatio").error(
                    n.pos,
                    "Forbidden: must be nil when type is not RequestedToCapacityRatio",
                );
            }
            profile.fit_args.strategy = if other == "MostAllocated" {
                ScoringStrategy::MostAllocated
            } else {
                ScoringStrategy::LeastAllocated
            };
        }
        None => {}
    }
}

/// `requestedToCapacityRatio`: `{shape: [...]}`.
fn decode_shape(ctx: &mut Ctx, node: &Yaml) -> Option<Vec<UtilizationShapePoint>> {
    let mut m = MapReader::new(ctx, node)?;
    let shape_node = m.req(ctx, "shape");
    m.finish(ctx);
    decode_shape_points(&mut ctx.field("shape"), shape_node?)
}

/// A utilization shape (validateFunctionShape): at least one point,
/// utilization 0–100 strictly increasing, score 0–10.
fn decode_shape_points(ctx: &mut Ctx, node: &Yaml) -> Option<Vec<UtilizationShapePoint>> {
    use crate::scheduler::plugins::node_resources_fit::MAX_CUSTOM_PRIORITY_SCORE;
    let items = ctx.seq(node)?;
    if items.is_empty() {
        ctx.error(
            node.pos,
            "Required value: at least one point must be specified",
        );
        return None;
    }
    let errors_before = ctx.error_count();
    let mut out = Vec::new();
    let mut previous: Option<i64> = None;
    let mut unsorted_reported = false;
    for (i, item) in items.iter().enumerate() {
        let mut ictx = ctx.index(i);
        let Some(mut pm) = MapReader::new(&mut ictx, item) else {
            continue;
        };
        let u = pm
            .req(&mut ictx, "utilization")
            .and_then(|n| ictx.field("utilization").i64(n).map(|v| (v, n.pos)));
        let s = pm
            .req(&mut ictx, "score")
            .and_then(|n| ictx.field("score").i64(n).map(|v| (v, n.pos)));
        pm.finish(&mut ictx);
        if let Some((u, pos)) = u {
            if previous.is_some_and(|p| p >= u) && !unsorted_reported {
                // Upstream reports the first out-of-order point only.
                unsorted_reported = true;
                ictx.field("utilization").error(
                    pos,
                    format!(
                        "values must be sorted in increasing order, found {u} after {}",
                        previous.unwrap_or_default()
                    ),
                );
            }
            in_range(
                &mut ictx.field("utilization"),
                pos,
                "utilization",
                u,
                0,
                100,
            );
            previous = Some(u);
        }
        if let Some((s, pos)) = s {
            in_range(
                &mut ictx.field("score"),
                pos,
                "score",
                s,
                0,
                MAX_CUSTOM_PRIORITY_SCORE,
            );
        }
        if let (Some((utilization, _)), Some((score, _))) = (u, s) {
            out.push(UtilizationShapePoint { utilization, score });
        }
    }
    (ctx.error_count() == errors_before).then_some(out)
}
