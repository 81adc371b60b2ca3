//! Decoding a scenario file into a validated [`Scenario`]: the top-level
//! sections (run settings, node pools, workloads, arrivals, behaviour,
//! scheduler configuration, expectations). Manifests are decoded by
//! `manifest.rs`. Every problem in the file and the files it names is
//! collected and reported at once, each with file:line:column and field.

use super::actions;
use super::behaviour::{self, BehaviourRule};
use super::manifest;
use super::policy;
use super::source::ReadError;
use super::spec::{Arrival, ArrivalProcess, Expectation, Scenario};
use super::yaml::{parse_documents, Ctx, Diagnostic, Diagnostics, MapReader, Node as Yaml, Pos};
use crate::controllers::ControllerConfig;
use crate::engine::time::parse_duration;
use crate::engine::{SimDuration, SimTime};
use crate::metrics::summary::SUMMARY_COLUMNS;
use crate::model::meta::ObjectMeta;
use crate::model::node::{Node, DEFAULT_MAX_PODS, LABEL_HOSTNAME, LABEL_TOPOLOGY_ZONE};
use crate::model::workloads::TimedWorkload;
use crate::model::{Pod, ResourceNames};
use crate::scheduler::config::{
    PluginRef, PluginSet, ProfileConfig, SchedulerConfig, KNOWN_PLUGINS, UNMODELLED_PLUGINS,
};
use crate::scheduler::plugins::node_resources_fit::{ScoringStrategy, UtilizationShapePoint};
use crate::scheduler::plugins::resource_allocation::ResourceSpec;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Most nodes one scenario may declare.
pub const MAX_NODES: u64 = 1_000_000;
/// Default interval of timeseries.csv.
pub const DEFAULT_SAMPLE_INTERVAL: SimDuration = SimDuration(10_000_000);
/// Default `maxEvents`.
pub const DEFAULT_MAX_EVENTS: u64 = 100_000_000;

/// A decoded scenario and the warnings (accepted but not modelled fields).
pub struct Loaded {
    pub scenario: Scenario,
    pub warnings: Vec<Diagnostic>,
}

const TOP_LEVEL: &[&str] = &[
    "actions",
    "controllerManager",
    "name",
    "seed",
    "duration",
    "sampleInterval",
    "maxEvents",
    "nodePools",
    "nodes",
    "workloads",
    "arrivals",
    "behaviour",
    "scheduler",
    "expectations",
    "faults",
    "images",
    "apiLatency",
];

/// Reads and decodes a scenario file.
pub fn load(path: &Path) -> Result<Loaded, Diagnostics> {
    let file = path.display().to_string();
    let text =
        super::source::read_text(path, "the scenario file").map_err(|d| Diagnostics(vec![d]))?;
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
    let name = m
        .opt("name")
        .and_then(|n| ctx.field("name").str(n))
        .unwrap_or_else(|| default_name.to_string());
    let seed = m
        .opt("seed")
        .and_then(|n| ctx.field("seed").u64(n))
        .unwrap_or(1);
    let duration = m
        .opt("duration")
        .and_then(|n| duration(&mut ctx.field("duration"), n));
    let sample_interval = m
        .opt("sampleInterval")
        .and_then(|n| positive_duration(&mut ctx.field("sampleInterval"), n))
        .unwrap_or(DEFAULT_SAMPLE_INTERVAL);
    let max_events = m
        .opt("maxEvents")
        .and_then(|n| ctx.field("maxEvents").u64(n))
        .unwrap_or(DEFAULT_MAX_EVENTS);

    let mut nodes = Vec::new();
    let mut pools = Vec::new();
    if let Some(list) = m.opt("nodePools") {
        let mut pctx = ctx.field("nodePools");
        for (i, pool) in pctx.seq(list).unwrap_or(&[]).iter().enumerate() {
            if let Some(pool) = decode_pool(&mut pctx.index(i), pool, &mut names) {
                nodes.extend((0..pool.count).map(|i| pool.node(i)));
                pools.push(pool);
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
    }
    check_unique_node_names(ctx, doc.pos, &nodes);

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
    let mut actions = match m.opt("actions") {
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
        None => Vec::new(),
    };
    let mut arrivals = Vec::new();
    if let Some(list) = m.opt("arrivals") {
        let mut actx = ctx.field("arrivals");
        for (i, a) in actx.seq(list).unwrap_or(&[]).iter().enumerate() {
            if let Some(arrival) = decode_arrival(
                &mut actx.index(i),
                a,
                base_dir,
                &mut names,
                &rules,
                warnings,
            ) {
                arrivals.push(arrival);
            }
        }
    }
    check_unique_pod_names(ctx, doc.pos, &pods, &arrivals);
    admit_priorities(
        &mut ctx.field("workloads"),
        workloads_pos,
        &priority_classes,
        &mut pods,
        &mut workloads,
        &mut arrivals,
        &mut actions,
    );

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
    let api_latency = match m.opt("apiLatency") {
        Some(n) => super::images::decode_api_latency(&mut ctx.field("apiLatency"), n),
        None => Default::default(),
    };
    let images = match m.opt("images") {
        Some(n) => super::images::decode_images(&mut ctx.field("images"), n),
        None => Default::default(),
    };
    m.finish(ctx, TOP_LEVEL);
    Some(Scenario {
        name,
        seed,
        duration,
        sample_interval,
        max_events,
        resource_names: names,
        nodes,
        pods,
        arrivals,
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

fn duration(ctx: &mut Ctx, n: &Yaml) -> Option<SimDuration> {
    let text = ctx.scalar_string(n)?;
    match parse_duration(&text) {
        Ok(d) => Some(d),
        Err(e) => {
            ctx.error(
                n.pos,
                format!("expected a duration such as 30s, 5m or 1h30m: {e}"),
            );
            None
        }
    }
}

fn positive_duration(ctx: &mut Ctx, n: &Yaml) -> Option<SimDuration> {
    let d = duration(ctx, n)?;
    if d == SimDuration::ZERO {
        ctx.error(n.pos, "expected a duration greater than zero, found 0");
        return None;
    }
    Some(d)
}

fn check_unique_node_names(ctx: &mut Ctx, pos: Pos, nodes: &[Node]) {
    let mut seen = BTreeSet::new();
    for n in nodes {
        if !seen.insert(n.metadata.name.as_str()) {
            ctx.error(
                pos,
                format!(
                    "two nodes are named {:?}; node names must be unique",
                    n.metadata.name
                ),
            );
        }
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

fn check_unique_pod_names(ctx: &mut Ctx, pos: Pos, pods: &[(SimTime, Pod)], arrivals: &[Arrival]) {
    let mut seen = BTreeSet::new();
    for (_, p) in pods {
        if !seen.insert((p.metadata.namespace.as_str(), p.metadata.name.as_str())) {
            ctx.error(
                pos,
                format!(
                    "two pods are named {}/{}; pod names must be unique",
                    p.metadata.namespace, p.metadata.name
                ),
            );
        }
    }
    let mut arrival_names = BTreeSet::new();
    for a in arrivals {
        if !arrival_names.insert(a.name.as_str()) {
            ctx.error(
                pos,
                format!(
                    "two arrivals are named {:?}; their pods' names would clash",
                    a.name
                ),
            );
        }
    }
}

/// `workloads` and `nodes`: a list whose items are inline manifests or `{file: path}`.
fn decode_sources(
    ctx: &mut Ctx,
    list: &Yaml,
    base_dir: &Path,
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
) -> manifest::Objects {
    let mut all = manifest::Objects::default();
    let Some(items) = ctx.seq(list) else {
        return all;
    };
    for (i, item) in items.iter().enumerate() {
        let mut ictx = ctx.index(i);
        let objects = match file_reference(&mut ictx, item) {
            Some(Some(path)) => {
                decode_file(&mut ictx, item.pos, &base_dir.join(&path), names, warnings)
            }
            Some(None) => continue,
            None => {
                manifest::decode_objects(&mut ictx, std::slice::from_ref(item), names, warnings)
            }
        };
        all.pods.extend(objects.pods);
        all.nodes.extend(objects.nodes);
        all.workloads.extend(objects.workloads);
        all.priority_classes.extend(objects.priority_classes);
        all.pdbs.extend(objects.pdbs);
    }
    all
}

/// `{file: path}` → Some(Some(path)); a malformed reference → Some(None) (reported); a manifest → None.
fn file_reference(ctx: &mut Ctx, item: &Yaml) -> Option<Option<PathBuf>> {
    let super::yaml::Value::Map(entries) = &item.value else {
        return None;
    };
    let has_file = entries
        .iter()
        .any(|(k, _)| k.scalar_text().as_deref() == Some("file"));
    if !has_file {
        return None;
    }
    let mut m = MapReader::new(ctx, item)?;
    let path = m.req(ctx, "file").and_then(|n| ctx.field("file").str(n));
    m.finish(ctx, &["file"]);
    Some(path.map(PathBuf::from))
}

/// Reads a manifest file (multi-document, `kind: List`); its errors name that file.
fn decode_file(
    ctx: &mut Ctx,
    pos: Pos,
    path: &Path,
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
) -> manifest::Objects {
    let text = match super::source::read_utf8(path, "the manifest file") {
        Ok(t) => t,
        Err(ReadError::Io(e)) => {
            ctx.field("file")
                .error(pos, format!("cannot read {}: {e}", path.display()));
            return manifest::Objects::default();
        }
        Err(ReadError::NotUtf8(d)) => {
            ctx.sink().push(d);
            return manifest::Objects::default();
        }
    };
    let file = path.display().to_string();
    match parse_documents(&file, &text) {
        Ok(docs) => {
            let mut fctx = Ctx::new(&file, ctx.sink());
            manifest::decode_objects(&mut fctx, &docs, names, warnings)
        }
        Err(Diagnostics(errs)) => {
            ctx.sink().extend(errs);
            manifest::Objects::default()
        }
    }
}

const POOL_FIELDS: &[&str] = &[
    "name",
    "count",
    "capacity",
    "allocatable",
    "labels",
    "taints",
    "zones",
    "unschedulable",
];

/// A node pool: `count` identical nodes named `<name>-<i>`, zones assigned round robin.
pub struct NodePool {
    pub name: String,
    pub count: u64,
    /// Every node of the pool but for its name, hostname and zone.
    pub template: Node,
    pub zones: Vec<String>,
}

impl NodePool {
    /// The pool's `i`-th node.
    pub fn node(&self, i: u64) -> Node {
        let mut node = self.template.clone();
        let name = format!("{}-{i}", self.name);
        let labels = &mut node.metadata.labels;
        labels
            .entry(LABEL_HOSTNAME.to_string())
            .or_insert_with(|| name.clone());
        node.metadata.name = name;
        if !self.zones.is_empty() {
            labels.insert(
                LABEL_TOPOLOGY_ZONE.to_string(),
                self.zones[i as usize % self.zones.len()].clone(),
            );
        }
        node
    }
}

fn decode_pool(ctx: &mut Ctx, pool: &Yaml, names: &mut ResourceNames) -> Option<NodePool> {
    let mut m = MapReader::new(ctx, pool)?;
    let name = m.req(ctx, "name").and_then(|n| ctx.field("name").str(n));
    let count = m.req(ctx, "count").and_then(|n| {
        let mut c = ctx.field("count");
        let v = c.u64(n)?;
        if v > MAX_NODES {
            c.error(
                n.pos,
                format!("expected at most {MAX_NODES} nodes, found {v}"),
            );
            return None;
        }
        Some(v)
    });
    let capacity = m
        .req(ctx, "capacity")
        .and_then(|n| manifest::decode_resource_list(&mut ctx.field("capacity"), n, names, true));
    let allocatable = m.opt("allocatable").and_then(|n| {
        manifest::decode_resource_list(&mut ctx.field("allocatable"), n, names, true)
    });
    let labels = m
        .opt("labels")
        .map(|n| manifest::decode_labels(&mut ctx.field("labels"), n))
        .unwrap_or_default();
    let taints = m
        .opt("taints")
        .map(|n| manifest::decode_taints(&mut ctx.field("taints"), n))
        .unwrap_or_default();
    let zones: Vec<String> = match m.opt("zones") {
        Some(n) => {
            let mut zctx = ctx.field("zones");
            let items = zctx.seq(n).unwrap_or(&[]);
            items
                .iter()
                .enumerate()
                .filter_map(|(i, z)| zctx.index(i).scalar_string(z))
                .collect()
        }
        None => Vec::new(),
    };
    let unschedulable = m
        .opt("unschedulable")
        .and_then(|n| ctx.field("unschedulable").bool(n))
        .unwrap_or(false);
    m.finish(ctx, POOL_FIELDS);
    let (Some(name), Some(count), Some((capacity, capacity_pods))) = (name, count, capacity) else {
        return None;
    };
    let (allocatable, allocatable_pods) = match allocatable {
        Some((a, pods)) => (a, pods.or(capacity_pods)),
        None => (capacity, capacity_pods),
    };
    if !allocatable.fits_within(&capacity) {
        ctx.field("allocatable")
            .error(pool.pos, "allocatable must not exceed capacity");
    }
    let template = Node {
        metadata: ObjectMeta {
            labels,
            ..Default::default()
        },
        capacity,
        allocatable,
        allocatable_pods: allocatable_pods.unwrap_or(DEFAULT_MAX_PODS),
        taints,
        unschedulable,
        ready: true,
        images: vec![],
    };
    Some(NodePool {
        name,
        count,
        template,
        zones,
    })
}

const ARRIVAL_FIELDS: &[&str] = &[
    "name",
    "template",
    "templateFile",
    "process",
    "rate",
    "interval",
    "times",
    "start",
    "count",
    "until",
    "requests",
];

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
            manifest::decode_pod(&mut ctx.field("template"), t, names, warnings, false)
        }
        (None, Some(f)) => {
            let mut fctx = ctx.field("templateFile");
            let path = fctx.str(f)?;
            let objects = decode_file(&mut fctx, f.pos, &base_dir.join(path), names, warnings);
            match <[Pod; 1]>::try_from(objects.pods) {
                Ok([pod]) if objects.nodes.is_empty() => Some(pod),
                _ => {
                    fctx.error(f.pos, "expected a file holding exactly one Pod manifest");
                    None
                }
            }
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
            .filter_map(|(i, t)| duration(&mut tctx.index(i), t))
            .collect();
        out.sort();
        out
    });
    let start = m
        .opt("start")
        .and_then(|n| duration(&mut ctx.field("start"), n))
        .unwrap_or_default();
    let count = m.opt("count").and_then(|n| ctx.field("count").u64(n));
    let until = m
        .opt("until")
        .and_then(|n| duration(&mut ctx.field("until"), n));
    let requests = match m.opt("requests") {
        Some(n) => super::sizes::decode(&mut ctx.field("requests"), n, names),
        None => Some(Vec::new()),
    };
    let pos = m.pos();
    m.finish(ctx, ARRIVAL_FIELDS);

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
                let hint = super::yaml::did_you_mean(other, &["poisson", "constant", "times"])
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
            let hint = super::yaml::did_you_mean(&s, SUMMARY_COLUMNS)
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
    m.finish(ctx, &["metric", "max", "min"]);
    Some(Expectation {
        metric: metric?,
        max,
        min,
    })
}

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
fn decode_scheduler_file(
    ctx: &mut Ctx,
    pos: Pos,
    path: &Path,
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
) -> Option<SchedulerConfig> {
    let text = match super::source::read_utf8(path, "the scheduler configuration") {
        Ok(t) => t,
        Err(ReadError::Io(e)) => {
            ctx.field("scheduler")
                .field("file")
                .error(pos, format!("cannot read {}: {e}", path.display()));
            return None;
        }
        Err(ReadError::NotUtf8(d)) => {
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

/// The scheduler section, in the shape of KubeSchedulerConfiguration (v1).
fn decode_scheduler(
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
