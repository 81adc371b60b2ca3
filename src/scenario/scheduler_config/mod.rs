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

mod plugin_args;
#[cfg(test)]
mod tests;

use crate::engine::SimDuration;
use crate::input::decode::{Ctx, MapReader};
use crate::input::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::input::yaml::{Node as Yaml, Value};
use crate::model::ResourceNames;
use crate::scheduler::config::{
    extends, ExtensionPoint, PluginRef, PluginSet, ProfileConfig, SchedulerConfig, KNOWN_PLUGINS,
    MAX_PLUGIN_WEIGHT, OPTIONAL_PLUGINS, REMOVED_PLUGINS, UNMODELLED_PLUGINS,
};
use plugin_args::{decode_plugin_config, ArgsEnv};
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
    match crate::input::yaml::parse_single(&file, &text) {
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
        // validatePercentageOfNodesToScore: [0, 100]; 0 is the adaptive default.
        if let Some(p) = c
            .i64(n)
            .and_then(|p| in_range(&mut c, n.pos, "percentage", p, 0, 100))
        {
            config.percentage_of_nodes_to_score = Some(p as u32);
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

/// `v` when it lies in `lo..=hi`; otherwise records "expected a {what} from {lo} to
/// {hi}, found {v}" at `pos`, the message every bounded setting here gives.
fn in_range(ctx: &mut Ctx, pos: Pos, what: &str, v: i64, lo: i64, hi: i64) -> Option<i64> {
    if (lo..=hi).contains(&v) {
        return Some(v);
    }
    ctx.error(
        pos,
        format!("expected a {what} from {lo} to {hi}, found {v}"),
    );
    None
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
    let hint = crate::input::decode::did_you_mean(&name, &all)
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
