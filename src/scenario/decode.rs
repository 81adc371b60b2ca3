//! Decoding a scenario file into a validated [`Scenario`]: the top-level
//! sections (run settings, node pools, workloads, arrivals, behaviour,
//! scheduler configuration, expectations). Manifests are decoded by
//! `manifest/` and read from their files by `sources.rs`. Every problem in the
//! file and the files it names is collected and reported at once, each with
//! file:line:column and field.

use super::actions;
use super::behaviour::{self, BehaviourRule};
use super::manifest;
use super::policy;
use super::scheduler_config::{decode_scheduler, decode_scheduler_file};
use super::sources::{decode_file, decode_sources, file_reference, read_included};
use super::spec::{Arrival, ArrivalProcess, Expectation, Scenario};
use crate::controllers::ControllerConfig;
use crate::engine::{SimDuration, SimTime};
use crate::input::decode::{Ctx, MapReader};
use crate::input::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::input::yaml::{parse_documents, Node as Yaml};
use crate::limits::{MAX_NODES, MAX_SAMPLES};
use crate::metrics::summary::SUMMARY_COLUMNS;
use crate::model::node::Node;
use crate::model::workloads::TimedWorkload;
use crate::model::{Pod, ResourceNames};
use crate::scheduler::config::SchedulerConfig;
use std::collections::BTreeSet;
use std::path::Path;

/// Default interval of timeseries.csv.
pub const DEFAULT_SAMPLE_INTERVAL: SimDuration = SimDuration(10_000_000);
pub use crate::limits::DEFAULT_MAX_EVENTS;

/// A decoded scenario and the warnings (accepted but not modelled fields).
pub struct Loaded {
    pub scenario: Scenario,
    pub warnings: Vec<Diagnostic>,
}

/// Reads and decodes a scenario file.
pub fn load(path: &Path) -> Result<Loaded, Diagnostics> {
    let file = path.display().to_string();
    let text = crate::input::source::read_text(path, "the scenario file")
        .map_err(|d| Diagnostics(vec![d]))?;
    let default_name = path
        .file_stem()
        .map_or("scenario".to_string(), |s| s.to_string_lossy().into_owned());
    load_str(
        &file,
        &text,
        path.parent().unwrap_or(Path::new(".")),
        &default_name,
    )
}

/// Decodes a scenario from text; relative file references resolve against `base_dir`.
pub fn load_str(
    file: &str,
    text: &str,
    base_dir: &Path,
    default_name: &str,
) -> Result<Loaded, Diagnostics> {
    let docs = parse_documents(file, text)?;
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let scenario = match docs.as_slice() {
        [doc] => {
            let mut ctx = Ctx::new(file, &mut errors);
            decode_scenario(&mut ctx, doc, base_dir, default_name, &mut warnings)
        }
        [] => {
            // An empty or comment-only file: say what the least scenario holds,
            // at the top of the file (there is nothing else to point at).
            errors.push(Diagnostic::new(
                file,
                Pos::new(1, 1),
                "",
                "the file holds no scenario (it is empty or only comments); a scenario \
                 needs at least nodes, e.g. `nodePools: [{name: pool, count: 3, capacity: \
                 {cpu: \"4\", memory: 16Gi}}]` or `nodes:` with Node manifests",
            ));
            None
        }
        [_, second, ..] => {
            errors.push(Diagnostic {
                file: file.to_string(),
                pos: second.pos,
                field: String::new(),
                message: format!(
                    "expected exactly one YAML document (the scenario), found {}",
                    docs.len()
                ),
            });
            None
        }
    };
    match scenario {
        Some(scenario) if errors.is_empty() => Ok(Loaded { scenario, warnings }),
        _ => {
            errors.sort_by(|a, b| {
                (&a.file, a.pos.line, a.pos.column).cmp(&(&b.file, b.pos.line, b.pos.column))
            });
            Err(Diagnostics(errors))
        }
    }
}

/// Decodes a scenario from an already parsed (and possibly edited) YAML tree;
/// sweeps use it to apply their overrides to the tree before decoding, so any
/// field can be swept. Relative file references resolve against `base_dir`.
pub fn load_node(
    file: &str,
    doc: &Yaml,
    base_dir: &Path,
    default_name: &str,
) -> Result<Loaded, Diagnostics> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let scenario = {
        let mut ctx = Ctx::new(file, &mut errors);
        decode_scenario(&mut ctx, doc, base_dir, default_name, &mut warnings)
    };
    match scenario {
        Some(scenario) if errors.is_empty() => Ok(Loaded { scenario, warnings }),
        _ => Err(Diagnostics::new(errors)),
    }
}

fn decode_scenario(
    ctx: &mut Ctx,
    doc: &Yaml,
    base_dir: &Path,
    default_name: &str,
    warnings: &mut Vec<Diagnostic>,
) -> Option<Scenario> {
    let mut m = MapReader::new(ctx, doc)?;
    let mut names = ResourceNames::default();
    let name = super::results_name::decode(ctx, m.opt("name"), default_name, doc.pos);
    let seed = m
        .opt("seed")
        .and_then(|n| ctx.field("seed").u64(n))
        .unwrap_or(1);
    let duration = m
        .opt("duration")
        .and_then(|n| ctx.field("duration").duration(n));
    let sample_interval_node = m.opt("sampleInterval");
    let sample_interval = sample_interval_node
        .and_then(|n| positive_duration(&mut ctx.field("sampleInterval"), n))
        .unwrap_or(DEFAULT_SAMPLE_INTERVAL);
    if let Some(d) = duration {
        // Where the problem is: the interval if given, else the duration.
        let (field, pos) = match (sample_interval_node, m.opt("duration")) {
            (Some(n), _) => ("sampleInterval", n.pos),
            (None, Some(n)) => ("duration", n.pos),
            (None, None) => ("sampleInterval", doc.pos),
        };
        let default = sample_interval_node.is_none();
        check_sample_count(&mut ctx.field(field), pos, d, sample_interval, default);
    }
    let max_events = m
        .opt("maxEvents")
        .and_then(|n| ctx.field("maxEvents").u64(n))
        .unwrap_or(DEFAULT_MAX_EVENTS);

    let mut nodes = Vec::new();
    // Where each node's name comes from: its pool's `name`, or its manifest's
    // `metadata.name` (an index into `name_sites`).
    let mut name_sites: Vec<manifest::NameSite> = Vec::new();
    let mut node_sites: Vec<usize> = Vec::new();
    let mut pools = Vec::new();
    if let Some(list) = m.opt("nodePools") {
        let mut pctx = ctx.field("nodePools");
        for (i, pool) in pctx.seq(list).unwrap_or(&[]).iter().enumerate() {
            let mut ictx = pctx.index(i);
            let room = MAX_NODES - nodes.len() as u64;
            if let Some(decoded) = super::pools::decode_pool(&mut ictx, pool, &mut names, room) {
                name_sites.push(manifest::NameSite::of_field(&mut ictx, pool, "name"));
                node_sites.extend((0..decoded.count).map(|_| name_sites.len() - 1));
                nodes.extend((0..decoded.count).map(|i| decoded.node(i)));
                pools.push(decoded);
            }
        }
    }
    if let Some(list) = m.opt("nodes") {
        let objects = decode_sources(
            &mut ctx.field("nodes"),
            list,
            base_dir,
            &mut names,
            warnings,
        );
        if !objects.pods.is_empty() {
            ctx.field("nodes").error(
                list.pos,
                "expected Node manifests, found Pods (put them under `workloads`)",
            );
        }
        nodes.extend(objects.nodes);
        for site in objects.node_sites {
            node_sites.push(name_sites.len());
            name_sites.push(site);
        }
    }
    check_unique_node_names(ctx, &nodes, &node_sites, &name_sites);

    let rules: Vec<BehaviourRule> = match m.opt("behaviour") {
        Some(list) => {
            let mut bctx = ctx.field("behaviour");
            let items = bctx.seq(list).unwrap_or(&[]);
            items
                .iter()
                .enumerate()
                .filter_map(|(i, r)| behaviour::decode_rule(&mut bctx.index(i), r))
                .collect()
        }
        None => Vec::new(),
    };

    let mut pods = Vec::new();
    let mut pod_sites = Vec::new();
    let mut workloads = Vec::new();
    let mut priority_classes = Vec::new();
    let mut pod_disruption_budgets = Vec::new();
    let mut workloads_pos = doc.pos;
    if let Some(list) = m.opt("workloads") {
        let mut wctx = ctx.field("workloads");
        let objects = decode_sources(&mut wctx, list, base_dir, &mut names, warnings);
        if !objects.nodes.is_empty() {
            wctx.error(
                list.pos,
                "expected workload manifests, found Nodes (put them under `nodes`)",
            );
        }
        workloads_pos = list.pos;
        policy::check_classes(&mut wctx, list.pos, &objects.priority_classes);
        priority_classes = objects.priority_classes;
        pod_disruption_budgets = objects.pdbs;
        pod_sites = objects.pod_sites;
        for mut pod in objects.pods {
            behaviour::apply(&mut pod, &rules, ctx.file(), list.pos, ctx.sink());
            pods.push((SimTime::ZERO, pod));
        }
        for mut w in objects.workloads {
            for template in super::workloads::templates_mut(&mut w) {
                behaviour::apply_template(template, &rules, ctx.file(), list.pos, ctx.sink());
            }
            workloads.push(TimedWorkload {
                at: SimTime::ZERO,
                workload: w,
            });
        }
    }
    check_unique_workload_names(ctx, doc.pos, &workloads);
    let controllers = match m.opt("controllerManager") {
        Some(n) => actions::decode_controller_config(&mut ctx.field("controllerManager"), n),
        None => ControllerConfig::default(),
    };
    let (mut actions, pod_checks) = match m.opt("actions") {
        Some(n) => {
            let node_names: Vec<&str> = nodes.iter().map(|n| n.name()).collect();
            actions::decode_actions(
                &mut ctx.field("actions"),
                n,
                &workloads,
                &pools,
                &rules,
                &node_names,
            )
        }
        None => (Vec::new(), Vec::new()),
    };
    let mut arrivals = Vec::new();
    let mut arrival_sites = Vec::new();
    if let Some(list) = m.opt("arrivals") {
        let mut actx = ctx.field("arrivals");
        for (i, a) in actx.seq(list).unwrap_or(&[]).iter().enumerate() {
            let mut ictx = actx.index(i);
            match file_reference(&mut ictx, a) {
                // `{file: arrivals.yaml}`: a list of arrivals in its own file,
                // whose relative paths resolve against that file's directory.
                Some(Some(path)) => {
                    let path = base_dir.join(path);
                    let Some((file, doc)) = read_included(&mut ictx, a.pos, &path) else {
                        continue;
                    };
                    let dir = path.parent().unwrap_or(Path::new("."));
                    let mut fctx = Ctx::new(&file, ictx.sink());
                    for (j, b) in fctx.seq(&doc).unwrap_or(&[]).iter().enumerate() {
                        let mut jctx = fctx.index(j);
                        if file_reference(&mut jctx, b).is_some() {
                            jctx.error(b.pos, "an included arrivals file cannot include another");
                            continue;
                        }
                        if let Some(arrival) =
                            decode_arrival(&mut jctx, b, dir, &mut names, &rules, warnings)
                        {
                            arrivals.push(arrival);
                            arrival_sites.push(manifest::NameSite::of_field(&mut jctx, b, "name"));
                        }
                    }
                }
                Some(None) => {}
                None => {
                    if let Some(arrival) =
                        decode_arrival(&mut ictx, a, base_dir, &mut names, &rules, warnings)
                    {
                        arrivals.push(arrival);
                        arrival_sites.push(manifest::NameSite::of_field(&mut ictx, a, "name"));
                    }
                }
            }
        }
    }
    check_unique_pod_names(ctx, &pods, &pod_sites, &arrivals, &arrival_sites);
    admit_priorities(
        &mut ctx.field("workloads"),
        workloads_pos,
        &priority_classes,
        &mut pods,
        &mut workloads,
        &mut arrivals,
        &mut actions,
    );
    let pod_traces = m.opt("podTraces").map_or_else(Vec::new, |n| {
        let classes = &priority_classes;
        let mut pctx = ctx.field("podTraces");
        super::pod_trace::decode(
            &mut pctx, n, base_dir, &mut names, &rules, classes, warnings,
        )
    });
    {
        let pod_names: Vec<(&str, &str)> = (pods.iter())
            .map(|(_, p)| (p.metadata.namespace.as_str(), p.metadata.name.as_str()))
            .collect();
        let arrival_names: Vec<(&str, &str)> = (arrivals.iter())
            .map(|a| (a.template.metadata.namespace.as_str(), a.name.as_str()))
            .collect();
        let file = ctx.file();
        super::delete_action::check_pod_names(
            file,
            ctx.sink(),
            &pod_checks,
            &pod_names,
            &workloads,
            &arrival_names,
            !pod_traces.is_empty(),
        );
    }

    let scheduler = match m.opt("scheduler") {
        Some(n) => match file_reference(&mut ctx.field("scheduler"), n) {
            // `scheduler: {file: path}`: a KubeSchedulerConfiguration file, as given to
            // kube-scheduler's --config; its errors name that file.
            Some(Some(path)) => {
                decode_scheduler_file(ctx, n.pos, &base_dir.join(path), &mut names, warnings)
            }
            Some(None) => None,
            None => decode_scheduler(&mut ctx.field("scheduler"), n, &mut names, warnings),
        },
        None => Some(SchedulerConfig::default()),
    };
    let expectations = match m.opt("expectations") {
        Some(list) => {
            let mut ectx = ctx.field("expectations");
            let items = ectx.seq(list).unwrap_or(&[]);
            items
                .iter()
                .enumerate()
                .filter_map(|(i, e)| decode_expectation(&mut ectx.index(i), e))
                .collect()
        }
        None => Vec::new(),
    };
    let faults = match m.opt("faults") {
        Some(n) => super::faults::decode_faults(
            &mut ctx.field("faults"),
            n,
            &nodes,
            &pools,
            duration.is_some(),
        ),
        None => Default::default(),
    };
    let images = match m.opt("images") {
        Some(n) => super::images::decode_images(&mut ctx.field("images"), n),
        None => Default::default(),
    };
    let api_latency = match m.opt("apiLatency") {
        Some(n) => super::images::decode_api_latency(&mut ctx.field("apiLatency"), n),
        None => Default::default(),
    };
    let autoscaler = m.opt("autoscaler").map_or_else(Default::default, |n| {
        super::autoscaler::decode(&mut ctx.field("autoscaler"), n)
    });
    m.finish(ctx);
    Some(Scenario {
        // An invalid name is an error already, so this scenario is discarded.
        name: name.unwrap_or_default(),
        seed,
        duration,
        sample_interval,
        max_events,
        resource_names: names,
        nodes,
        node_pools: pools,
        autoscaler,
        pods,
        arrivals,
        pod_traces,
        workloads,
        priority_classes,
        pod_disruption_budgets,
        actions,
        controllers,
        faults,
        images,
        api_latency,
        scheduler: scheduler?,
        expectations,
    })
}

/// The Priority admission plugin over every pod and pod template of the scenario.
/// kubesim keeps no positions on decoded pods, so a problem is reported at the
/// `workloads` list, naming the object.
fn admit_priorities(
    ctx: &mut Ctx,
    pos: Pos,
    classes: &[crate::model::policy::PriorityClass],
    pods: &mut [(SimTime, Pod)],
    workloads: &mut [TimedWorkload],
    arrivals: &mut [Arrival],
    actions: &mut [super::spec::Action],
) {
    let mut admit = |what: String, spec: &mut std::sync::Arc<crate::model::PodSpec>| {
        let mut admitted = (**spec).clone();
        match policy::admit(&mut admitted, classes) {
            Ok(()) if admitted != **spec => *spec = std::sync::Arc::new(admitted),
            Ok(()) => {}
            Err(e) => ctx.error(pos, format!("{what}: spec.priorityClassName: {e}")),
        }
    };
    for (_, pod) in pods.iter_mut() {
        let what = format!("Pod {}/{}", pod.metadata.namespace, pod.metadata.name);
        admit(what, &mut pod.spec);
    }
    for w in workloads.iter_mut() {
        let what = format!(
            "{} {}/{}",
            w.workload.spec.kind(),
            w.workload.metadata.namespace,
            w.workload.metadata.name
        );
        if let Some(t) = w.workload.spec.template_mut() {
            admit(format!("{what} template"), &mut t.spec);
        }
    }
    for a in arrivals.iter_mut() {
        admit(format!("arrival {}", a.name), &mut a.template.spec);
    }
    for a in actions.iter_mut() {
        if let super::spec::ActionKind::SetTemplate { name, template, .. } = &mut a.kind {
            admit(format!("action setTemplate {name}"), &mut template.spec);
        }
    }
}

fn positive_duration(ctx: &mut Ctx, n: &Yaml) -> Option<SimDuration> {
    let d = ctx.duration(n)?;
    if d == SimDuration::ZERO {
        ctx.error(n.pos, "expected a duration greater than zero, found 0");
        return None;
    }
    Some(d)
}

/// A run samples every `interval` for its `duration`: at most
/// [`MAX_SAMPLES`] intervals, so that timeseries.csv and workloads.csv stay
/// within a stated size.
fn check_sample_count(
    ctx: &mut Ctx,
    pos: Pos,
    duration: SimDuration,
    interval: SimDuration,
    default: bool,
) {
    let samples = duration.0 / interval.0;
    let which = if default { "the default" } else { "a" };
    if samples > MAX_SAMPLES {
        let least = SimDuration(duration.0.div_ceil(MAX_SAMPLES));
        ctx.error(
            pos,
            format!(
                "{which} sampleInterval of {interval} over a duration of {duration} takes {samples} \
                 samples; at most {MAX_SAMPLES} are allowed (duration ÷ sampleInterval): \
                 use a sampleInterval of at least {least}, or a shorter duration"
            ),
        );
    }
}

/// Every node name once. A duplicate is reported once per place that
/// introduces it (a pool naming several taken names is one problem), at
/// that place: the later pool's `name` or the later Node's `metadata.name`.
fn check_unique_node_names(
    ctx: &mut Ctx,
    nodes: &[Node],
    node_sites: &[usize],
    sites: &[manifest::NameSite],
) {
    debug_assert_eq!(nodes.len(), node_sites.len());
    let mut first_site: std::collections::BTreeMap<&str, usize> = Default::default();
    // Per introducing site: (its taken names, the first of them, where that one was named).
    let mut clashes: std::collections::BTreeMap<usize, (usize, &str, usize)> = Default::default();
    for (node, &site) in nodes.iter().zip(node_sites) {
        let name = node.metadata.name.as_str();
        match first_site.get(name) {
            None => {
                first_site.insert(name, site);
            }
            Some(&other) => clashes.entry(site).or_insert((0, name, other)).0 += 1,
        }
    }
    for (site, (n, name, other)) in clashes {
        let also = match n {
            1 => String::new(),
            n => format!(" and {} more of its nodes' names", n - 1),
        };
        ctx.sink().push(sites[site].error(format!(
            "node name {name:?}{also} already taken (named at {}); node names must be unique",
            sites[other].at()
        )));
    }
}

fn check_unique_workload_names(ctx: &mut Ctx, pos: Pos, workloads: &[TimedWorkload]) {
    let mut seen = BTreeSet::new();
    for w in workloads {
        let m = &w.workload.metadata;
        if !seen.insert((
            w.workload.spec.kind(),
            m.namespace.as_str(),
            m.name.as_str(),
        )) {
            ctx.error(
                pos,
                format!(
                    "two {}s are named {}/{}; names must be unique per kind",
                    w.workload.spec.kind(),
                    m.namespace,
                    m.name
                ),
            );
        }
    }
}

/// Pod names are unique per namespace: a manifest Pod's, and those an
/// arrival gives its pods (`<name>-<n>`, n from 0). Each clash is reported
/// at the later Pod's `metadata.name` or at the arrival's `name`.
///
/// The pods controllers create are named by generateName with a random
/// suffix (`web-7d9f8c6b5-x2k4q`), so whether one would match a manifest
/// Pod is not known at load time; they are not checked here.
fn check_unique_pod_names(
    ctx: &mut Ctx,
    pods: &[(SimTime, Pod)],
    pod_sites: &[manifest::NameSite],
    arrivals: &[Arrival],
    arrival_sites: &[manifest::NameSite],
) {
    debug_assert_eq!(pods.len(), pod_sites.len());
    debug_assert_eq!(arrivals.len(), arrival_sites.len());
    let mut seen: std::collections::BTreeMap<(&str, &str), &manifest::NameSite> =
        Default::default();
    for ((_, p), site) in pods.iter().zip(pod_sites) {
        let key = (p.metadata.namespace.as_str(), p.metadata.name.as_str());
        if let Some(other) = seen.get(&key) {
            ctx.sink().push(site.error(format!(
                "pod name {}/{} already taken (named at {}); pod names must be unique",
                key.0,
                key.1,
                other.at()
            )));
        } else {
            seen.insert(key, site);
        }
    }
    let mut arrival_names: std::collections::BTreeMap<&str, &manifest::NameSite> =
        Default::default();
    for (a, site) in arrivals.iter().zip(arrival_sites) {
        if let Some(other) = arrival_names.get(a.name.as_str()) {
            ctx.sink().push(site.error(format!(
                "arrival name {:?} already taken (named at {}); the pods of both would be named {0}-0, {0}-1, …",
                a.name,
                other.at()
            )));
            continue;
        }
        arrival_names.insert(&a.name, site);
        let namespace = a.template.metadata.namespace.as_str();
        let limit = arrival_pod_limit(a);
        // The manifest Pods this arrival's pods would be named after.
        for (&(ns, name), pod_site) in &seen {
            let Some(n) = name
                .strip_prefix(a.name.as_str())
                .and_then(|rest| rest.strip_prefix('-'))
                .filter(|n| n == &"0" || !n.starts_with('0'))
                .and_then(|n| n.parse::<u64>().ok())
            else {
                continue;
            };
            if ns == namespace && limit.is_none_or(|limit| n < limit) {
                ctx.sink().push(site.error(format!(
                    "arrival {:?} would create pod {ns}/{name}, already the name of the Pod at {}; \
                     pod names must be unique: rename the arrival or the Pod",
                    a.name,
                    pod_site.at()
                )));
            }
        }
    }
}

/// How many pods an arrival creates at most, if it is bounded by its
/// declaration alone (`count`, or its list of `times`).
fn arrival_pod_limit(a: &Arrival) -> Option<u64> {
    let times = match &a.process {
        ArrivalProcess::Times(t) => Some(t.len() as u64),
        _ => None,
    };
    match (a.count, times) {
        (Some(c), Some(t)) => Some(c.min(t)),
        (c, t) => c.or(t),
    }
}

/// The Pod manifest of an arrival's `templateFile`: the file must hold
/// exactly one Pod; its problems name that file.
fn template_from_file(
    fctx: &mut Ctx,
    pos: Pos,
    path: &Path,
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
) -> Option<Pod> {
    let objects = decode_file(fctx, pos, path, names, warnings);
    match <[Pod; 1]>::try_from(objects.pods) {
        Ok([pod]) if objects.nodes.is_empty() => Some(pod),
        _ => {
            fctx.error(pos, "expected a file holding exactly one Pod manifest");
            None
        }
    }
}

fn decode_arrival(
    ctx: &mut Ctx,
    node: &Yaml,
    base_dir: &Path,
    names: &mut ResourceNames,
    rules: &[BehaviourRule],
    warnings: &mut Vec<Diagnostic>,
) -> Option<Arrival> {
    let mut m = MapReader::new(ctx, node)?;
    let name = m.req(ctx, "name").and_then(|n| ctx.field("name").str(n));
    let template = match (m.opt("template"), m.opt("templateFile")) {
        (Some(t), None) => {
            let mut tctx = ctx.field("template");
            match file_reference(&mut tctx, t) {
                Some(Some(path)) => {
                    // Like an inline template: one Pod manifest, its name optional.
                    let (file, doc) = read_included(&mut tctx, t.pos, &base_dir.join(path))?;
                    manifest::decode_pod(
                        &mut Ctx::new(&file, tctx.sink()),
                        &doc,
                        names,
                        warnings,
                        false,
                    )
                }
                Some(None) => None,
                None => manifest::decode_pod(&mut tctx, t, names, warnings, false),
            }
        }
        (None, Some(f)) => {
            let mut fctx = ctx.field("templateFile");
            let path = fctx.str(f)?;
            template_from_file(&mut fctx, f.pos, &base_dir.join(path), names, warnings)
        }
        (Some(_), Some(_)) => {
            ctx.error(
                m.pos(),
                "give either `template` or `templateFile`, not both",
            );
            None
        }
        (None, None) => {
            ctx.error(
                m.pos(),
                "missing required field `template` (a Pod manifest) or `templateFile`",
            );
            None
        }
    };
    let process_name = m
        .req(ctx, "process")
        .and_then(|n| ctx.field("process").str(n).map(|s| (s, n.pos)));
    let rate = m.opt("rate").and_then(|n| {
        let mut c = ctx.field("rate");
        let r = c.f64(n)?;
        if r <= 0.0 || !r.is_finite() {
            c.error(
                n.pos,
                format!("expected a rate in pods per second greater than zero, found {r}"),
            );
            return None;
        }
        Some(r)
    });
    let interval = m
        .opt("interval")
        .and_then(|n| positive_duration(&mut ctx.field("interval"), n));
    let times = m.opt("times").map(|n| {
        let mut tctx = ctx.field("times");
        let items = tctx.seq(n).unwrap_or(&[]);
        let mut out: Vec<SimDuration> = items
            .iter()
            .enumerate()
            .filter_map(|(i, t)| tctx.index(i).duration(t))
            .collect();
        out.sort();
        out
    });
    let start = m
        .opt("start")
        .and_then(|n| ctx.field("start").duration(n))
        .unwrap_or_default();
    let count = m.opt("count").and_then(|n| ctx.field("count").u64(n));
    let until = m.opt("until").and_then(|n| ctx.field("until").duration(n));
    let requests = match m.opt("requests") {
        Some(n) => super::sizes::decode(&mut ctx.field("requests"), n, names),
        None => Some(Vec::new()),
    };
    let pos = m.pos();
    m.finish(ctx);

    let process = match process_name {
        Some((p, ppos)) => match (p.as_str(), rate, interval, &times) {
            ("poisson", Some(r), None, None) => Some(ArrivalProcess::Poisson {
                mean_interval: SimDuration::from_secs_f64(1.0 / r),
            }),
            ("constant", Some(r), None, None) => Some(ArrivalProcess::Constant {
                interval: SimDuration::from_secs_f64(1.0 / r),
            }),
            ("constant", None, Some(i), None) => Some(ArrivalProcess::Constant { interval: i }),
            ("times", None, None, Some(t)) => Some(ArrivalProcess::Times(t.clone())),
            ("poisson", ..) => {
                ctx.error(pos, "a poisson process takes `rate` (pods per second) and nothing else of rate, interval, times");
                None
            }
            ("constant", ..) => {
                ctx.error(
                    pos,
                    "a constant process takes either `rate` (pods per second) or `interval`",
                );
                None
            }
            ("times", ..) => {
                ctx.error(pos, "a times process takes `times` (a list of offsets from `start`) and no rate or interval");
                None
            }
            (other, ..) => {
                let hint =
                    crate::input::decode::did_you_mean(other, &["poisson", "constant", "times"])
                        .map_or(String::new(), |s| format!(" (did you mean `{s}`?)"));
                ctx.field("process").error(ppos, format!("unknown arrival process {other:?}{hint}; expected poisson, constant or times"));
                None
            }
        },
        None => None,
    };
    if count.is_none() && until.is_none() && !matches!(process, Some(ArrivalProcess::Times(_))) {
        ctx.error(pos, "an endless arrival process needs `count` or `until`");
    }
    let mut template = template?;
    let name = name?;
    behaviour::apply(&mut template, rules, ctx.file(), node.pos, ctx.sink());
    Some(Arrival {
        name,
        template,
        process: process?,
        start: SimTime::ZERO + start,
        count,
        until: until.map(|u| SimTime::ZERO + u),
        requests: requests?,
    })
}

fn decode_expectation(ctx: &mut Ctx, node: &Yaml) -> Option<Expectation> {
    let mut m = MapReader::new(ctx, node)?;
    let metric = m.req(ctx, "metric").and_then(|n| {
        let mut c = ctx.field("metric");
        let s = c.str(n)?;
        if !SUMMARY_COLUMNS.contains(&s.as_str()) || s == "stop_reason" {
            let hint = crate::input::decode::did_you_mean(&s, SUMMARY_COLUMNS)
                .map_or(String::new(), |h| format!(" (did you mean `{h}`?)"));
            c.error(
                n.pos,
                format!("unknown metric {s:?}{hint}; expected a numeric column of summary.csv"),
            );
            return None;
        }
        Some(s)
    });
    let max = m.opt("max").and_then(|n| ctx.field("max").f64(n));
    let min = m.opt("min").and_then(|n| ctx.field("min").f64(n));
    if max.is_none() && min.is_none() {
        ctx.error(m.pos(), "an expectation needs `max`, `min` or both");
    }
    m.finish(ctx);
    Some(Expectation {
        metric: metric?,
        max,
        min,
    })
}
