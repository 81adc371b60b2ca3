//! Decoding the scheduler section, in the shape of KubeSchedulerConfiguration
//! (`kubescheduler.config.k8s.io/v1`): top-level settings, profiles, plugin
//! sets and plugin arguments, into [`SchedulerConfig`].
//!
//! Validation follows kube-scheduler v1.32: `ValidateKubeSchedulerConfiguration`
//! (`pkg/scheduler/apis/config/validation/validation.go`), the plugin-argument
//! validators (`validation_pluginargs.go`), the v1 defaults they run after
//! (`pkg/scheduler/apis/config/v1/defaults.go`) and the checks the framework
//! makes when it builds a profile (`pkg/scheduler/framework/runtime/framework.go`).
//! Whatever kube-scheduler refuses to start with is an error here, located at
//! the offending value; each message says what is allowed.

use super::yaml::{Ctx, Diagnostic, Diagnostics, MapReader, Node as Yaml, Pos, Value};
use crate::engine::SimDuration;
use crate::model::labels::validate_label_key;
use crate::model::ResourceNames;
use crate::scheduler::config::{
    extends, ExtensionPoint, PluginRef, PluginSet, ProfileConfig, SchedulerConfig, KNOWN_PLUGINS,
    MAX_PLUGIN_WEIGHT, OPTIONAL_PLUGINS, REMOVED_PLUGINS, UNMODELLED_PLUGINS,
};
use crate::scheduler::plugins::node_resources_fit::{ScoringStrategy, UtilizationShapePoint};
use crate::scheduler::plugins::resource_allocation::ResourceSpec;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Reads a KubeSchedulerConfiguration file (one document).
pub(super) fn decode_scheduler_file(
    ctx: &mut Ctx,
    pos: Pos,
    path: &Path,
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
) -> Option<SchedulerConfig> {
    let text = match crate::input::source::read_utf8(path, "the scheduler configuration") {
        Ok(t) => t,
        Err(crate::input::source::ReadError::Io(e)) => {
            ctx.field("scheduler")
                .field("file")
                .error(pos, format!("cannot read {}: {e}", path.display()));
            return None;
        }
        Err(crate::input::source::ReadError::NotUtf8(d)) => {
            ctx.sink().push(d);
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

/// The only API version kubesim reads, as upstream's messages name it.
const API_VERSION: &str = "kubescheduler.config.k8s.io/v1";

/// The feature gates that change what validation allows (`featureGates`;
/// otherwise not modelled).
#[derive(Clone, Copy, Debug, Default)]
struct FeatureGates {
    /// `VolumeCapacityPriority` (alpha in v1.32, off by default): allows
    /// VolumeBinding's `shape`.
    volume_capacity_priority: bool,
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
            if v != API_VERSION {
                c.error(n.pos, format!("expected {API_VERSION}, found {v:?}"));
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
        if let Some(p) = c.i64(n) {
            // validatePercentageOfNodesToScore: [0, 100]; 0 is the adaptive default.
            if (0..=100).contains(&p) {
                config.percentage_of_nodes_to_score = Some(p as u32);
            } else {
                c.error(
                    n.pos,
                    format!("expected a percentage from 0 to 100, found {p}"),
                );
            }
        }
    }
    decode_backoff(ctx, &mut m, &mut config, warnings);
    let profiles_node = m.opt("profiles");
    if let Some(n) = m.opt("parallelism") {
        // Not modelled, but kube-scheduler refuses to start without a positive value.
        let mut c = ctx.field("parallelism");
        if let Some(v) = c.i64(n) {
            if !(1..=i32::MAX as i64).contains(&v) {
                c.error(
                    n.pos,
                    format!("should be an integer value greater than zero, found {v}"),
                );
            }
        }
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
    let gates = FeatureGates {
        volume_capacity_priority: m
            .opt("featureGates")
            .is_some_and(|n| gate_enabled(n, "VolumeCapacityPriority")),
    };
    if let Some(n) = profiles_node {
        let mut pctx = ctx.field("profiles");
        let items = pctx.seq(n).unwrap_or(&[]);
        let single = items.len() == 1;
        let profiles: Vec<(usize, DecodedProfile)> = items
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                decode_profile(&mut pctx.index(i), p, single, names, warnings, gates)
                    .map(|d| (i, d))
            })
            .collect();
        // ValidateKubeSchedulerConfiguration: schedulerNames are unique.
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, p) in &profiles {
            let Some(pos) = p.name_pos else { continue };
            match seen.get(p.config.scheduler_name.as_str()) {
                Some(first) => pctx.index(*i).field("schedulerName").error(
                    pos,
                    format!(
                        "Duplicate value: {:?}: profiles[{first}] already has this schedulerName",
                        p.config.scheduler_name
                    ),
                ),
                None => {
                    seen.insert(&p.config.scheduler_name, *i);
                }
            }
        }
        // validateCommonQueueSort: one scheduling queue serves every profile.
        if let Some((_, first)) = profiles.first() {
            for (i, p) in profiles.iter().skip(1) {
                if p.queue_sort != first.queue_sort {
                    pctx.index(*i).field("plugins").field("queueSort").error(
                        p.queue_sort_pos.unwrap_or(p.pos),
                        "must be the same for all profiles",
                    );
                }
            }
        }
        // v1 defaulting turns an empty list into one default profile.
        if !profiles.is_empty() {
            config.profiles = profiles.into_iter().map(|(_, p)| p.config).collect();
        }
    }
    m.finish(ctx);
    Some(config)
}

/// `podInitialBackoffSeconds` (> 0) and `podMaxBackoffSeconds` (>= the initial
/// backoff), each defaulted on its own (1 s and 10 s) before the check, as in
/// ValidateKubeSchedulerConfiguration.
///
/// One deliberate exception: an initial backoff of exactly 0, which
/// kube-scheduler refuses, is accepted with a warning as "no backoff at all".
/// It models an idealised, work-conserving queue (scenarios/mmc.yaml checks the
/// scheduler against Erlang C with it); every other value follows upstream.
fn decode_backoff(
    ctx: &mut Ctx,
    m: &mut MapReader,
    config: &mut SchedulerConfig,
    warnings: &mut Vec<Diagnostic>,
) {
    let initial = m.opt("podInitialBackoffSeconds");
    let max = m.opt("podMaxBackoffSeconds");
    if let Some(n) = initial {
        let mut c = ctx.field("podInitialBackoffSeconds");
        match c.i64(n) {
            Some(s) if s > 0 => config.pod_initial_backoff = SimDuration::from_secs(s as u64),
            Some(0) => {
                config.pod_initial_backoff = SimDuration::ZERO;
                warnings.push(Diagnostic {
                    file: c.file().to_string(),
                    pos: n.pos,
                    field: c.path(),
                    message: "kube-scheduler requires more than 0; kubesim takes 0 as no backoff at all (an idealised queue)".into(),
                });
            }
            Some(s) => {
                c.error(n.pos, format!("must be greater than 0, found {s}"));
                // The maximum cannot be judged against a refused initial backoff.
                return;
            }
            None => return,
        }
    }
    let max_s = match max {
        Some(n) => match ctx.field("podMaxBackoffSeconds").i64(n) {
            Some(s) => s,
            None => return,
        },
        None => whole_seconds(config.pod_max_backoff),
    };
    let initial_s = whole_seconds(config.pod_initial_backoff);
    if max_s < initial_s {
        let default = if max.is_none() { " (the default)" } else { "" };
        ctx.field("podMaxBackoffSeconds").error(
            max.map_or(m.pos(), |n| n.pos),
            format!(
                "must be greater than or equal to podInitialBackoffSeconds ({initial_s}), found {max_s}{default}"
            ),
        );
    } else {
        config.pod_max_backoff = SimDuration::from_secs(max_s as u64);
    }
}

fn whole_seconds(d: SimDuration) -> i64 {
    (d.as_secs_f64() as i64).max(0)
}

/// Whether `featureGates` (a mapping of gate names to booleans) turns `gate` on.
fn gate_enabled(gates: &Yaml, gate: &str) -> bool {
    match &gates.value {
        Value::Map(entries) => entries
            .iter()
            .any(|(k, v)| k.as_str() == Some(gate) && matches!(v.value, Value::Bool(true))),
        _ => false,
    }
}

/// A decoded profile with what the configuration-wide checks need.
struct DecodedProfile {
    config: ProfileConfig,
    pos: Pos,
    /// Where `schedulerName` was given (absent: defaulted).
    name_pos: Option<Pos>,
    /// `plugins.queueSort`, which must be the same in every profile.
    queue_sort: PluginSet,
    queue_sort_pos: Option<Pos>,
}

/// The extension points kubesim accepts in configuration without modelling them.
const UNMODELLED_POINTS: &[&str] = &[
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

fn decode_profile(
    ctx: &mut Ctx,
    node: &Yaml,
    single: bool,
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
    gates: FeatureGates,
) -> Option<DecodedProfile> {
    let mut m = MapReader::new(ctx, node)?;
    let pos = m.pos();
    let mut profile = ProfileConfig::default();
    // v1 defaults schedulerName only when there is a single profile; validation
    // then requires a non-empty name in every profile (validateKubeSchedulerProfile).
    let mut name_pos = None;
    match m.opt("schedulerName") {
        Some(n) => {
            let mut c = ctx.field("schedulerName");
            if let Some(s) = c.str(n) {
                if s.is_empty() {
                    c.error(
                        n.pos,
                        "Required value: expected a scheduler name, found \"\"",
                    );
                } else {
                    profile.scheduler_name = s;
                    name_pos = Some(n.pos);
                }
            }
        }
        None if !single => ctx.field("schedulerName").error(
            pos,
            "Required value: with more than one profile, each needs its schedulerName",
        ),
        None => {}
    }
    let mut queue_sort = PluginSet::default();
    let mut queue_sort_pos = None;
    if let Some(plugins) = m.opt("plugins") {
        let mut pctx = ctx.field("plugins");
        if let Some(mut pm) = MapReader::new(&mut pctx, plugins) {
            for (key, point, set) in [
                ("multiPoint", None, &mut profile.multi_point),
                ("filter", Some(ExtensionPoint::Filter), &mut profile.filter),
                ("score", Some(ExtensionPoint::Score), &mut profile.score),
                (
                    "postFilter",
                    Some(ExtensionPoint::PostFilter),
                    &mut profile.post_filter,
                ),
            ] {
                if let Some(n) = pm.opt(key) {
                    *set = decode_plugin_set(&mut pctx.field(key), n, point, warnings);
                }
            }
            for key in UNMODELLED_POINTS {
                let Some(n) = pm.opt(key) else { continue };
                // Names and duplicates are checked as upstream does, though the
                // set itself keeps kubesim's defaults.
                let point = (*key == "queueSort").then_some(ExtensionPoint::QueueSort);
                let set = decode_plugin_set(&mut pctx.field(key), n, point, warnings);
                if *key == "queueSort" {
                    queue_sort = set;
                    queue_sort_pos = Some(n.pos);
                }
                warnings.push(Diagnostic {
                    file: pctx.file().to_string(),
                    pos: n.pos,
                    field: format!("{}.{key}", pctx.path()),
                    message: "only multiPoint, filter, score and postFilter can be configured; this extension point keeps its defaults".into(),
                });
            }
            pm.finish(&mut pctx);
        }
    }
    if let Some(list) = m.opt("pluginConfig") {
        let mut cctx = ctx.field("pluginConfig");
        let items = cctx.seq(list).unwrap_or(&[]);
        let mut seen = BTreeSet::new();
        for (i, item) in items.iter().enumerate() {
            let mut ictx = cctx.index(i);
            let env = ArgsEnv {
                names: &mut *names,
                warnings: &mut *warnings,
                gates,
            };
            decode_plugin_config(&mut ictx, item, &mut profile, &mut seen, env);
        }
    }
    if let Some(n) = m.opt("percentageOfNodesToScore") {
        ctx.field("percentageOfNodesToScore").error(n.pos, "per-profile percentageOfNodesToScore is not supported yet; set it at the top level of `scheduler`");
    }
    m.finish(ctx);
    Some(DecodedProfile {
        config: profile,
        pos,
        name_pos,
        queue_sort,
        queue_sort_pos,
    })
}

fn not_modelled_warning(ctx: &Ctx, pos: Pos, name: &str, warnings: &mut Vec<Diagnostic>) {
    warnings.push(Diagnostic {
        file: ctx.file().to_string(),
        pos,
        field: ctx.path(),
        message: format!("plugin {name} is not modelled yet and is ignored"),
    });
}

/// A plugin name in an enabled or disabled list (`disabled`) or in pluginConfig.
/// `None` for names that are reported or that kubesim does not model.
fn plugin_name(
    ctx: &mut Ctx,
    n: &Yaml,
    disabled: bool,
    warnings: &mut Vec<Diagnostic>,
) -> Option<String> {
    let name = ctx.str(n)?;
    if disabled && name == "*" {
        return Some(name);
    }
    if KNOWN_PLUGINS
        .iter()
        .chain(OPTIONAL_PLUGINS)
        .any(|(k, _)| *k == name)
    {
        return Some(name);
    }
    if REMOVED_PLUGINS.contains(&name.as_str()) {
        if disabled {
            warnings.push(Diagnostic {
                file: ctx.file().to_string(),
                pos: n.pos,
                field: ctx.path(),
                message: format!(
                    "plugin {name} was removed in kube-scheduler v1.32; disabling it has no effect"
                ),
            });
        } else {
            // isPluginInvalid / validatePluginSetForInvalidPlugins.
            ctx.error(
                n.pos,
                format!(
                    "{name:?} was invalid in version {API_VERSION:?} (KubeSchedulerConfiguration is version {API_VERSION:?}): kube-scheduler v1.32 removed it; NodeVolumeLimits covers its volumes"
                ),
            );
        }
        return None;
    }
    if UNMODELLED_PLUGINS.contains(&name.as_str()) {
        not_modelled_warning(ctx, n.pos, &name, warnings);
        return None;
    }
    let all: Vec<&str> = KNOWN_PLUGINS
        .iter()
        .chain(OPTIONAL_PLUGINS)
        .map(|(k, _)| *k)
        .chain(UNMODELLED_PLUGINS.iter().copied())
        .collect();
    let hint = super::yaml::did_you_mean(&name, &all)
        .map_or(String::new(), |h| format!(" (did you mean `{h}`?)"));
    ctx.error(n.pos, format!("unknown plugin {name:?}{hint}"));
    None
}

fn point_name(point: ExtensionPoint) -> &'static str {
    match point {
        ExtensionPoint::QueueSort => "queueSort",
        ExtensionPoint::Filter => "filter",
        ExtensionPoint::PostFilter => "postFilter",
        ExtensionPoint::Score => "score",
    }
}

/// One extension point's `enabled` and `disabled` lists. `point` is the
/// extension point every enabled plugin must implement (`None` for multiPoint,
/// where each plugin runs at the points it has, and for unmodelled points).
fn decode_plugin_set(
    ctx: &mut Ctx,
    node: &Yaml,
    point: Option<ExtensionPoint>,
    warnings: &mut Vec<Diagnostic>,
) -> PluginSet {
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
            let name = pm.req(&mut ictx, "name").and_then(|n| {
                plugin_name(&mut ictx.field("name"), n, key == "disabled", warnings)
                    .map(|s| (s, n.pos))
            });
            let weight = pm.opt("weight").and_then(|n| {
                let mut w = ictx.field("weight");
                let v = w.i64(n)?;
                // Zero means the plugin's default weight, as upstream's defaulting does.
                if !(0..=MAX_PLUGIN_WEIGHT).contains(&v) {
                    w.error(
                        n.pos,
                        format!("expected a weight from 1 to {MAX_PLUGIN_WEIGHT}, found {v} (0 or no weight: the plugin's default)"),
                    );
                    return None;
                }
                Some(v)
            });
            pm.finish(&mut ictx);
            let Some((name, name_pos)) = name else {
                continue;
            };
            if key == "disabled" {
                set.disabled.push(name);
                continue;
            }
            // updatePluginList / expandMultiPointPlugins: "plugin %q already registered".
            if set.enabled.iter().any(|p| p.name == name) {
                ictx.field("name").error(
                    name_pos,
                    format!("Duplicate value: plugin {name:?} is already enabled at this extension point"),
                );
                continue;
            }
            if let Some(point) = point {
                if !extends(&name, point) {
                    let able: Vec<&str> = KNOWN_PLUGINS
                        .iter()
                        .chain(OPTIONAL_PLUGINS)
                        .map(|(k, _)| *k)
                        .filter(|k| extends(k, point))
                        .collect();
                    ictx.field("name").error(
                        name_pos,
                        format!(
                            "plugin {name:?} does not extend {}; expected one of: {}",
                            point_name(point),
                            able.join(", ")
                        ),
                    );
                    continue;
                }
            }
            set.enabled.push(PluginRef {
                name,
                weight: weight.unwrap_or(0),
            });
        }
    }
    m.finish(ctx);
    set
}

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
    m.finish(ctx);
    Some(crate::scheduler::plugins::gpu::fgd::TypicalShape {
        cpu_millis: cpu?,
        gpu_milli: milli? as i32,
        gpu_count: count? as u8,
        weight: weight? as u32,
    })
}

/// What decoding plugin arguments needs besides the YAML and the profile.
struct ArgsEnv<'a> {
    names: &'a mut ResourceNames,
    warnings: &'a mut Vec<Diagnostic>,
    gates: FeatureGates,
}

/// The scoring strategies of NodeResourcesFit (`supportedScoringStrategyTypes`).
const SCORING_STRATEGIES: &[&str] = &[
    "LeastAllocated",
    "MostAllocated",
    "RequestedToCapacityRatio",
];

/// One `pluginConfig` entry; `seen` holds the plugin names configured before it.
fn decode_plugin_config(
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
            for (key, groups) in [("ignoredResources", false), ("ignoredResourceGroups", true)] {
                let Some(n) = am.opt(key) else { continue };
                let mut c = actx.field(key);
                check_label_names(&mut c, n, groups);
                if c.seq(n).is_some_and(|items| !items.is_empty()) {
                    warnings.push(Diagnostic {
                        file: c.file().to_string(),
                        pos: n.pos,
                        field: c.path(),
                        message: "is not modelled and is ignored".into(),
                    });
                }
            }
            if let Some(s) = strategy {
                decode_scoring_strategy(&mut actx.field("scoringStrategy"), s, profile, names);
            }
            am.finish(&mut actx);
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
            if let Some(n) = am.opt("ignorePreferredTermsOfExistingPods") {
                let mut c = actx.field("ignorePreferredTermsOfExistingPods");
                if c.bool(n) == Some(true) {
                    warnings.push(Diagnostic {
                        file: c.file().to_string(),
                        pos: n.pos,
                        field: c.path(),
                        message: "is not modelled and is ignored (existing pods' preferred terms still score)".into(),
                    });
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
                let list = super::manifest::decode_topology_spread_constraints(&mut cctx, n);
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
                super::manifest::decode_node_affinity(&mut c, n, warnings);
                warnings.push(Diagnostic {
                    file: c.file().to_string(),
                    pos: n.pos,
                    field: c.path(),
                    message: "is not modelled and is ignored".into(),
                });
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
    let Value::Map(entries) = &args.value else {
        return;
    };
    let keys: Vec<String> = entries
        .iter()
        .filter_map(|(k, _)| k.scalar_text())
        .collect();
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    am.ignore(&keys);
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
            if !(0..=100).contains(&u) {
                ictx.field("utilization").error(
                    pos,
                    format!("expected a utilization from 0 to 100, found {u}"),
                );
            }
            previous = Some(u);
        }
        if let Some((s, pos)) = s {
            if !(0..=MAX_CUSTOM_PRIORITY_SCORE).contains(&s) {
                ictx.field("score").error(
                    pos,
                    format!("expected a score from 0 to {MAX_CUSTOM_PRIORITY_SCORE}, found {s}"),
                );
            }
        }
        if let (Some((utilization, _)), Some((score, _))) = (u, s) {
            out.push(UtilizationShapePoint { utilization, score });
        }
    }
    (ctx.error_count() == errors_before).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::decode::{load_str, Loaded};
    use crate::scheduler::plugins::pod_topology_spread::DefaultingType;
    use crate::scheduler::preemption::PreemptionArgs;

    /// A one-node scenario whose `scheduler:` section is `config`.
    fn decode(config: &str) -> Result<Loaded, Diagnostics> {
        let mut text = String::from(
            "name: t\nnodePools: [{name: n, count: 1, capacity: {cpu: \"1\", memory: 1Gi}}]\nscheduler:\n",
        );
        for line in config.lines() {
            text.push_str("  ");
            text.push_str(line);
            text.push('\n');
        }
        load_str("test.yaml", &text, Path::new("."), "t")
    }

    /// `None` when `config` is refused with a located error on `scheduler.{field}`
    /// whose message contains `message`; otherwise what went wrong.
    fn check(config: &str, field: &str, message: &str) -> Option<String> {
        let field = format!("scheduler.{field}");
        match decode(config) {
            Ok(_) => Some(format!("accepted:\n{config}")),
            Err(d)
                if d.iter()
                    .any(|e| e.field == field && e.message.contains(message) && e.pos.line > 0) =>
            {
                None
            }
            Err(d) => Some(format!(
                "no error on {field} containing {message:?} for\n{config}\ngot:\n{d}"
            )),
        }
    }

    fn accepted(config: &str) -> Loaded {
        match decode(config) {
            Ok(l) => l,
            Err(d) => panic!("refused:\n{config}\n{d}"),
        }
    }

    /// One row per rule of kube-scheduler v1.32's validation: a configuration it
    /// refuses to start with, the field kubesim must name and part of the message.
    const REJECTED: &[(&str, &str, &str)] = &[
        // validation.go: ValidateKubeSchedulerConfiguration.
        ("apiVersion: kubescheduler.config.k8s.io/v1beta3", "apiVersion", "expected kubescheduler.config.k8s.io/v1"),
        ("percentageOfNodesToScore: 101", "percentageOfNodesToScore", "expected a percentage from 0 to 100, found 101"),
        ("percentageOfNodesToScore: -1", "percentageOfNodesToScore", "expected a percentage from 0 to 100, found -1"),
        ("podInitialBackoffSeconds: 3\npodMaxBackoffSeconds: 0", "podMaxBackoffSeconds", "(3), found 0"),
        ("podInitialBackoffSeconds: -5", "podInitialBackoffSeconds", "must be greater than 0, found -5"),
        ("podInitialBackoffSeconds: 5\npodMaxBackoffSeconds: 4", "podMaxBackoffSeconds", "must be greater than or equal to podInitialBackoffSeconds (5), found 4"),
        ("podInitialBackoffSeconds: 30", "podMaxBackoffSeconds", "found 10 (the default)"),
        ("parallelism: 0", "parallelism", "greater than zero, found 0"),
        ("profiles: [{schedulerName: \"\"}]", "profiles[0].schedulerName", "Required value"),
        ("profiles: [{schedulerName: a}, {}]", "profiles[1].schedulerName", "Required value"),
        ("profiles: [{schedulerName: a}, {schedulerName: a}]", "profiles[1].schedulerName", "Duplicate value: \"a\": profiles[0]"),
        // validateCommonQueueSort.
        ("profiles:\n- {schedulerName: a, plugins: {queueSort: {disabled: [{name: \"*\"}], enabled: [{name: PrioritySort}]}}}\n- {schedulerName: b}", "profiles[1].plugins.queueSort", "must be the same for all profiles"),
        // framework.go: plugin names, duplicates, extension points.
        ("profiles: [{plugins: {filter: {enabled: [{name: NodeNam}]}}}]", "profiles[0].plugins.filter.enabled[0].name", "unknown plugin \"NodeNam\""),
        ("profiles: [{plugins: {preScore: {enabled: [{name: Bogus}]}}}]", "profiles[0].plugins.preScore.enabled[0].name", "unknown plugin \"Bogus\""),
        ("profiles: [{plugins: {score: {enabled: [{name: ImageLocality}, {name: ImageLocality}]}}}]", "profiles[0].plugins.score.enabled[1].name", "Duplicate value: plugin \"ImageLocality\""),
        ("profiles: [{plugins: {multiPoint: {enabled: [{name: NodeName}, {name: NodeName}]}}}]", "profiles[0].plugins.multiPoint.enabled[1].name", "Duplicate value"),
        ("profiles: [{plugins: {score: {enabled: [{name: NodeName}]}}}]", "profiles[0].plugins.score.enabled[0].name", "plugin \"NodeName\" does not extend score"),
        ("profiles: [{plugins: {filter: {enabled: [{name: ImageLocality}]}}}]", "profiles[0].plugins.filter.enabled[0].name", "does not extend filter"),
        ("profiles: [{plugins: {postFilter: {enabled: [{name: NodeName}]}}}]", "profiles[0].plugins.postFilter.enabled[0].name", "does not extend postFilter; expected one of: DefaultPreemption"),
        ("profiles: [{plugins: {queueSort: {enabled: [{name: NodeName}]}}}]", "profiles[0].plugins.queueSort.enabled[0].name", "does not extend queueSort"),
        // Score weights: bounded so that no weighted total can overflow.
        ("profiles: [{plugins: {score: {enabled: [{name: ImageLocality, weight: 101}]}}}]", "profiles[0].plugins.score.enabled[0].weight", "expected a weight from 1 to 100, found 101"),
        ("profiles: [{plugins: {multiPoint: {enabled: [{name: ImageLocality, weight: -1}]}}}]", "profiles[0].plugins.multiPoint.enabled[0].weight", "found -1"),
        // invalidPluginsByVersion: removed in v1.32.
        ("profiles: [{plugins: {multiPoint: {enabled: [{name: EBSLimits}]}}}]", "profiles[0].plugins.multiPoint.enabled[0].name", "\"EBSLimits\" was invalid in version \"kubescheduler.config.k8s.io/v1\""),
        ("profiles: [{pluginConfig: [{name: GCEPDLimits, args: {}}]}]", "profiles[0].pluginConfig[0].name", "was invalid in version"),
        // validatePluginConfig: one entry per plugin.
        ("profiles: [{pluginConfig: [{name: InterPodAffinity, args: {}}, {name: InterPodAffinity, args: {}}]}]", "profiles[0].pluginConfig[1].name", "Duplicate value: \"InterPodAffinity\""),
        // ValidateNodeResourcesFitArgs.
        ("profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: LeastAllocated, resources: [{name: cpu, weight: 101}]}}}]}]", "profiles[0].pluginConfig[0].args.scoringStrategy.resources[0].weight", "expected a resource weight from 1 to 100 (0 means 1), found 101"),
        ("profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: MostAllocated, resources: [{name: cpu, weight: 9223372036854775807}]}}}]}]", "profiles[0].pluginConfig[0].args.scoringStrategy.resources[0].weight", "found 9223372036854775807"),
        ("profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: MostAllocated, resources: [{name: memory, weight: -3}]}}}]}]", "profiles[0].pluginConfig[0].args.scoringStrategy.resources[0].weight", "found -3"),
        ("profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {resources: [{name: cpu, weight: 1}]}}}]}]", "profiles[0].pluginConfig[0].args.scoringStrategy", "missing required field `type`; expected one of: LeastAllocated, MostAllocated, RequestedToCapacityRatio"),
        ("profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: Balanced}}}]}]", "profiles[0].pluginConfig[0].args.scoringStrategy.type", "unknown value"),
        ("profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: RequestedToCapacityRatio}}}]}]", "profiles[0].pluginConfig[0].args.scoringStrategy.requestedToCapacityRatio", "Required value"),
        ("profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: MostAllocated, requestedToCapacityRatio: {shape: [{utilization: 0, score: 0}]}}}}]}]", "profiles[0].pluginConfig[0].args.scoringStrategy.requestedToCapacityRatio", "Forbidden"),
        ("profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: {shape: []}}}}]}]", "profiles[0].pluginConfig[0].args.scoringStrategy.requestedToCapacityRatio.shape", "at least one point"),
        ("profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: {shape: [{utilization: 101, score: 1}]}}}}]}]", "profiles[0].pluginConfig[0].args.scoringStrategy.requestedToCapacityRatio.shape[0].utilization", "expected a utilization from 0 to 100, found 101"),
        ("profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: {shape: [{utilization: 0, score: 11}]}}}}]}]", "profiles[0].pluginConfig[0].args.scoringStrategy.requestedToCapacityRatio.shape[0].score", "expected a score from 0 to 10, found 11"),
        ("profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: {shape: [{utilization: 50, score: 1}, {utilization: 50, score: 2}]}}}}]}]", "profiles[0].pluginConfig[0].args.scoringStrategy.requestedToCapacityRatio.shape[1].utilization", "values must be sorted in increasing order"),
        ("profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {ignoredResources: [\"not a name\"]}}]}]", "profiles[0].pluginConfig[0].args.ignoredResources[0]", "expected a resource name"),
        ("profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {ignoredResourceGroups: [example.com/gpu]}}]}]", "profiles[0].pluginConfig[0].args.ignoredResourceGroups[0]", "can't contain '/'"),
        ("profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: LeastAllocated}, weights: 1}}]}]", "profiles[0].pluginConfig[0].args", "unknown field `weights`"),
        // ValidateInterPodAffinityArgs.
        ("profiles: [{pluginConfig: [{name: InterPodAffinity, args: {hardPodAffinityWeight: 101}}]}]", "profiles[0].pluginConfig[0].args.hardPodAffinityWeight", "expected a weight from 0 to 100, found 101"),
        ("profiles: [{pluginConfig: [{name: InterPodAffinity, args: {hardPodAffinityWeight: -1}}]}]", "profiles[0].pluginConfig[0].args.hardPodAffinityWeight", "found -1"),
        // ValidatePodTopologySpreadArgs.
        ("profiles: [{pluginConfig: [{name: PodTopologySpread, args: {defaultingType: List, defaultConstraints: [{maxSkew: 0, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]}}]}]", "profiles[0].pluginConfig[0].args.defaultConstraints[0].maxSkew", "must be greater than zero, found 0"),
        ("profiles: [{pluginConfig: [{name: PodTopologySpread, args: {defaultingType: List, defaultConstraints: [{maxSkew: 1, topologyKey: \"\", whenUnsatisfiable: DoNotSchedule}]}}]}]", "profiles[0].pluginConfig[0].args.defaultConstraints[0].topologyKey", "can not be empty"),
        ("profiles: [{pluginConfig: [{name: PodTopologySpread, args: {defaultingType: List, defaultConstraints: [{maxSkew: 1, topologyKey: zone}]}}]}]", "profiles[0].pluginConfig[0].args.defaultConstraints[0]", "missing required field `whenUnsatisfiable`"),
        ("profiles: [{pluginConfig: [{name: PodTopologySpread, args: {defaultingType: List, defaultConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: Sometimes}]}}]}]", "profiles[0].pluginConfig[0].args.defaultConstraints[0].whenUnsatisfiable", "unknown value"),
        ("profiles: [{pluginConfig: [{name: PodTopologySpread, args: {defaultingType: List, defaultConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: a}}}]}}]}]", "profiles[0].pluginConfig[0].args.defaultConstraints[0].labelSelector", "must not define a selector"),
        ("profiles: [{pluginConfig: [{name: PodTopologySpread, args: {defaultingType: List, defaultConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}, {maxSkew: 2, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]}}]}]", "profiles[0].pluginConfig[0].args.defaultConstraints[1]", "Duplicate value"),
        ("profiles: [{pluginConfig: [{name: PodTopologySpread, args: {defaultingType: Cluster}}]}]", "profiles[0].pluginConfig[0].args.defaultingType", "unknown value"),
        ("profiles: [{pluginConfig: [{name: PodTopologySpread, args: {defaultingType: System, defaultConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]}}]}]", "profiles[0].pluginConfig[0].args.defaultConstraints", "must be empty"),
        // ValidateDefaultPreemptionArgs.
        ("profiles: [{pluginConfig: [{name: DefaultPreemption, args: {minCandidateNodesPercentage: 101}}]}]", "profiles[0].pluginConfig[0].args.minCandidateNodesPercentage", "expected a value from 0 to 100, found 101"),
        ("profiles: [{pluginConfig: [{name: DefaultPreemption, args: {minCandidateNodesAbsolute: -1}}]}]", "profiles[0].pluginConfig[0].args.minCandidateNodesAbsolute", "found -1"),
        ("profiles: [{pluginConfig: [{name: DefaultPreemption, args: {minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 0}}]}]", "profiles[0].pluginConfig[0].args", "cannot both be zero"),
        // ValidateNodeResourcesBalancedAllocationArgs.
        ("profiles: [{pluginConfig: [{name: NodeResourcesBalancedAllocation, args: {resources: [{name: cpu, weight: 2}]}}]}]", "profiles[0].pluginConfig[0].args.resources[0].weight", "must be 1, found 2"),
        ("profiles: [{pluginConfig: [{name: NodeResourcesBalancedAllocation, args: {resources: [{name: cpu}, {name: cpu}]}}]}]", "profiles[0].pluginConfig[0].args.resources[1].name", "Duplicate value: \"cpu\""),
        // ValidateNodeAffinityArgs.
        ("profiles: [{pluginConfig: [{name: NodeAffinity, args: {addedAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: Near, values: [a]}]}]}}}}]}]", "profiles[0].pluginConfig[0].args.addedAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator", "Near"),
        ("profiles: [{pluginConfig: [{name: NodeAffinity, args: {addedAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 1, preference: {matchExpressions: [{key: \"bad key!\", operator: Exists}]}}]}}}]}]", "profiles[0].pluginConfig[0].args.addedAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0].key", "name part must consist of alphanumeric characters"),
        ("profiles: [{pluginConfig: [{name: NodeAffinity, args: {addedAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 101, preference: {matchExpressions: [{key: zone, operator: Exists}]}}]}}}]}]", "profiles[0].pluginConfig[0].args.addedAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight", "from 1 to 100, found 101"),
        // ValidateVolumeBindingArgs (v1.32: shape needs VolumeCapacityPriority).
        ("profiles: [{pluginConfig: [{name: VolumeBinding, args: {bindTimeoutSeconds: -1}}]}]", "profiles[0].pluginConfig[0].args.bindTimeoutSeconds", "expected a non-negative number of seconds, found -1"),
        ("profiles: [{pluginConfig: [{name: VolumeBinding, args: {shape: [{utilization: 0, score: 0}]}}]}]", "profiles[0].pluginConfig[0].args.shape", "turn on the feature gate VolumeCapacityPriority"),
        ("featureGates: {VolumeCapacityPriority: true}\nprofiles: [{pluginConfig: [{name: VolumeBinding, args: {shape: [{utilization: 0, score: 12}]}}]}]", "profiles[0].pluginConfig[0].args.shape[0].score", "expected a score from 0 to 10, found 12"),
        ("profiles: [{pluginConfig: [{name: VolumeBinding, args: {bindTimeout: 5}}]}]", "profiles[0].pluginConfig[0].args", "unknown field `bindTimeout`"),
    ];

    #[test]
    fn rejects_what_kube_scheduler_rejects() {
        let failures: Vec<String> = REJECTED
            .iter()
            .filter_map(|(config, field, message)| check(config, field, message))
            .collect();
        assert!(
            failures.is_empty(),
            "{} of {} rows failed:\n\n{}",
            failures.len(),
            REJECTED.len(),
            failures.join("\n\n")
        );
    }

    #[test]
    fn accepts_the_edge_values_kube_scheduler_accepts() {
        let l = accepted(
            "percentageOfNodesToScore: 0\npodInitialBackoffSeconds: 1\npodMaxBackoffSeconds: 1",
        );
        let s = &l.scenario.scheduler;
        assert_eq!(s.percentage_of_nodes_to_score, Some(0));
        assert_eq!(s.pod_initial_backoff, s.pod_max_backoff);
        // Zero backoff: refused upstream, kept by kubesim for idealised queues, with a warning.
        let l = accepted("podInitialBackoffSeconds: 0\npodMaxBackoffSeconds: 0");
        assert_eq!(l.scenario.scheduler.pod_max_backoff, SimDuration::ZERO);
        assert!(l
            .warnings
            .iter()
            .any(|w| w.field == "scheduler.podInitialBackoffSeconds"));
        let l = accepted("percentageOfNodesToScore: 100\nparallelism: 1");
        assert_eq!(l.scenario.scheduler.percentage_of_nodes_to_score, Some(100));

        // Score weights 1 and 100; 0 stands for the plugin's default.
        let l = accepted(
            "profiles: [{plugins: {score: {enabled: [{name: ImageLocality, weight: 1}, {name: NodeResourcesFit, weight: 100}, {name: TaintToleration, weight: 0}]}}}]",
        );
        let weights: Vec<i64> = l.scenario.scheduler.profiles[0]
            .score
            .enabled
            .iter()
            .map(|p| p.weight)
            .collect();
        assert_eq!(weights, vec![1, 100, 0]);

        // Resource weights 1 and 100, and 0 defaulted to 1.
        let l = accepted(
            "profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: MostAllocated, resources: [{name: cpu, weight: 1}, {name: memory, weight: 100}, {name: ephemeral-storage, weight: 0}]}}}]}]",
        );
        let fit = &l.scenario.scheduler.profiles[0].fit_args;
        let weights: Vec<i64> = fit.resources.iter().map(|r| r.weight).collect();
        assert_eq!(weights, vec![1, 100, 1]);
        assert_eq!(fit.strategy, ScoringStrategy::MostAllocated);

        // An empty resources list keeps the default cpu and memory.
        let l = accepted(
            "profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: LeastAllocated, resources: []}}}, {name: NodeResourcesBalancedAllocation, args: {resources: [{name: cpu, weight: 0}]}}]}]",
        );
        let p = &l.scenario.scheduler.profiles[0];
        assert_eq!(
            p.fit_args.resources,
            ProfileConfig::default().fit_args.resources
        );
        assert_eq!(p.balanced_resources.len(), 1);
        assert_eq!(p.balanced_resources[0].weight, 1);

        // Shape end points.
        let l = accepted(
            "profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: {shape: [{utilization: 0, score: 0}, {utilization: 100, score: 10}]}}}}]}]",
        );
        assert!(matches!(
            &l.scenario.scheduler.profiles[0].fit_args.strategy,
            ScoringStrategy::RequestedToCapacityRatio { shape } if shape.len() == 2
        ));

        for w in [0, 100] {
            let l = accepted(&format!(
                "profiles: [{{pluginConfig: [{{name: InterPodAffinity, args: {{hardPodAffinityWeight: {w}, ignorePreferredTermsOfExistingPods: false}}}}]}}]"
            ));
            assert_eq!(l.scenario.scheduler.profiles[0].hard_pod_affinity_weight, w);
        }
        let l = accepted(
            "profiles: [{pluginConfig: [{name: DefaultPreemption, args: {minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 1}}]}]",
        );
        assert_eq!(
            l.scenario.scheduler.profiles[0].preemption_args,
            PreemptionArgs {
                min_candidate_nodes_percentage: 0,
                min_candidate_nodes_absolute: 1
            }
        );
        accepted("profiles: [{pluginConfig: [{name: DefaultPreemption, args: {minCandidateNodesPercentage: 100, minCandidateNodesAbsolute: 0}}]}]");

        // v1 defaulting: an empty profile list is one default profile; an empty
        // defaultingType is System.
        let l = accepted("profiles: []");
        assert_eq!(
            l.scenario.scheduler.profiles,
            vec![ProfileConfig::default()]
        );
        let l = accepted(
            "profiles: [{pluginConfig: [{name: PodTopologySpread, args: {defaultingType: \"\"}}]}]",
        );
        assert_eq!(
            l.scenario.scheduler.profiles[0].spread_args.defaulting_type,
            DefaultingType::System
        );

        // The same queueSort in every profile is fine, as are two named profiles.
        accepted("profiles:\n- {schedulerName: a, plugins: {queueSort: {enabled: [{name: PrioritySort}]}}}\n- {schedulerName: b, plugins: {queueSort: {enabled: [{name: PrioritySort}]}}}");

        // A removed plugin may still be disabled (upstream ignores disabled names).
        let l = accepted("profiles: [{plugins: {multiPoint: {disabled: [{name: EBSLimits}]}}}]");
        assert!(l
            .warnings
            .iter()
            .any(|w| w.message.contains("removed in kube-scheduler v1.32")));

        // VolumeBinding's shape with its feature gate, and a zero bind timeout.
        accepted("featureGates: {VolumeCapacityPriority: true}\nprofiles: [{pluginConfig: [{name: VolumeBinding, args: {bindTimeoutSeconds: 0, shape: [{utilization: 0, score: 0}, {utilization: 100, score: 10}]}}]}]");

        // A valid addedAffinity is accepted, with a warning that it is not modelled.
        let l = accepted("profiles: [{pluginConfig: [{name: NodeAffinity, args: {addedAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In, values: [a]}]}]}}}}]}]");
        assert!(l
            .warnings
            .iter()
            .any(|w| w.field.ends_with("args.addedAffinity")));
    }
}
