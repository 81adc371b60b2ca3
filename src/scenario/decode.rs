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
use super::sources::{decode_sources, file_reference, read_included};
use super::spec::{Arrival, Expectation, Scenario};
use super::unique_names::{
    arrival_pod_limit, check_unique_node_names, check_unique_pod_names, check_unique_workload_names,
};
use crate::controllers::ControllerConfig;
use crate::engine::SimTime;
use crate::input::decode::{Ctx, MapReader};
use crate::input::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::input::yaml::{parse_documents, Node as Yaml};
use crate::limits::MAX_NODES;
use crate::metrics::summary::SUMMARY_COLUMNS;
use crate::model::workloads::TimedWorkload;
use crate::model::{Pod, ResourceNames};
use crate::scheduler::config::SchedulerConfig;
use std::path::Path;

pub use super::clock::DEFAULT_SAMPLE_INTERVAL;
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
            decode_recording(&mut ctx, doc, base_dir, default_name, &mut warnings)
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
        decode_recording(&mut ctx, doc, base_dir, default_name, &mut warnings)
    };
    match scenario {
        Some(scenario) if errors.is_empty() => Ok(Loaded { scenario, warnings }),
        _ => Err(Diagnostics::new(errors)),
    }
}

/// [`decode_scenario`], keeping the files it read (every one but the
/// scenario's own) in [`Scenario::input_files`].
fn decode_recording(
    ctx: &mut Ctx,
    doc: &Yaml,
    base_dir: &Path,
    default_name: &str,
    warnings: &mut Vec<Diagnostic>,
) -> Option<Scenario> {
    let (scenario, reads) = crate::input::source::recording_reads(|| {
        decode_scenario(ctx, doc, base_dir, default_name, warnings)
    });
    scenario.map(|s| Scenario {
        input_files: reads,
        ..s
    })
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
    let super::clock::Clock {
        duration,
        sample_interval,
        warmup,
        max_events,
    } = super::clock::decode_clock(ctx, &mut m, doc);

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
    let mut snapshot_times = Vec::new();
    let mut workloads = Vec::new();
    let mut priority_classes = Vec::new();
    let mut pod_disruption_budgets = Vec::new();
    let mut autoscalers = Vec::new();
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
        autoscalers = objects.autoscalers;
        pod_sites = objects.pod_sites;
        snapshot_times = objects.snapshot_times;
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
    let service_loads = super::autoscaling_checks::decode_service_loads(
        ctx,
        m.opt("serviceLoads"),
        base_dir,
        &workloads,
        duration.is_some(),
    );
    super::autoscaling_checks::check_targets(
        ctx,
        workloads_pos,
        &autoscalers,
        &workloads,
        duration.is_some(),
    );
    let mut controllers = match m.opt("controllerManager") {
        Some(n) => actions::decode_controller_config(&mut ctx.field("controllerManager"), n),
        None => ControllerConfig::default(),
    };
    // A startTime that does not read is an error already. Without one, the
    // time a snapshot places at t = 0 is t = 0's civil time for CronJobs too.
    if let Ok(start_time) = super::snapshot::given_start_time(m.opt("controllerManager")) {
        let t0 = super::snapshot::resolve(ctx.sink(), &mut pods, &snapshot_times, start_time);
        if let (None, Some(t0)) = (start_time, t0) {
            controllers.epoch_unix_s = t0;
        }
    }
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
                        if let Some(arrival) = super::arrivals::decode_arrival(
                            &mut jctx, b, dir, &mut names, &rules, warnings,
                        ) {
                            arrivals.push(arrival);
                            arrival_sites.push(manifest::NameSite::of_field(&mut jctx, b, "name"));
                        }
                    }
                }
                Some(None) => {}
                None => {
                    if let Some(arrival) = super::arrivals::decode_arrival(
                        &mut ictx, a, base_dir, &mut names, &rules, warnings,
                    ) {
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
        let mut taken = super::pod_trace::TakenNames::default();
        for ((_, p), site) in pods.iter().zip(&pod_sites) {
            taken.add_manifest_pod(&p.metadata.namespace, &p.metadata.name, site.at());
        }
        for (a, site) in arrivals.iter().zip(&arrival_sites) {
            let namespace = &a.template.metadata.namespace;
            taken.add_arrival(namespace, &a.name, arrival_pod_limit(a), site.at());
        }
        let mut pctx = ctx.field("podTraces");
        super::pod_trace::decode(
            &mut pctx, n, base_dir, &mut names, &rules, classes, &mut taken, warnings,
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
        input_files: Vec::new(),
        // An invalid name is an error already, so this scenario is discarded.
        name: name.unwrap_or_default(),
        seed,
        duration,
        sample_interval,
        warmup,
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
        autoscalers,
        service_loads,
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
