//! `podTraces`: pods from CSV files, one row per pod, created by the full
//! simulation as their time comes (the reader is `trace::pods`). This module
//! decodes the scenario's entries and turns a row into the Pod it creates:
//!
//! 1. the row's `template` (a Pod manifest of the entry), or a bare pod with
//!    one container `main` and `restartPolicy: Never`;
//! 2. the row's name, namespace, labels (merged over the template's), the
//!    first container's requests and limits, GPU share annotations;
//! 3. its run time and exit code as the `kubesim.io/run-time.<container>`
//!    and `kubesim.io/exit-code.<container>` annotations of every main
//!    container, so the row wins over the template's annotations and the
//!    behaviour rules, which resolve everything else as for any pod;
//! 4. its `priority_class` resolved by the Priority admission plugin.
//!
//! A pod built here is what a Pod manifest with the same spec would be, so
//! nothing downstream knows where it came from. Each row is read twice:
//! when the scenario is loaded it is checked (`check`: every problem `build`
//! would report, with its file, line and column, without building the pod)
//! and its name taken (`names`: unique per namespace); during the run it is
//! built.

use super::behaviour::{self, BehaviourRule};
use super::manifest;
use super::policy;
use crate::engine::{SimDuration, SimTime};
use crate::input::decode::{Ctx, MapReader};
use crate::input::diagnostic::{Diagnostic, Pos};
use crate::input::yaml::Node as Yaml;
use crate::limits::MAX_POD_TRACE_ERRORS;
use crate::model::gpu_share;
use crate::model::policy::PriorityClass;
use crate::model::{Pod, ResourceNames};
use crate::trace::pods::{self, Field, PodRow, PodTraceReader, TraceFormat};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One `podTraces` entry, validated: every row of its file builds a pod.
#[derive(Clone, Debug, PartialEq)]
pub struct PodTrace {
    /// The file, resolved against the scenario's directory.
    pub path: PathBuf,
    /// `path` as problems name it (formatted once, not per row).
    file: String,
    pub format: TraceFormat,
    /// Added to every row's creation time.
    pub start: SimDuration,
    /// Rows of the file (counted when it was validated).
    pub rows: u64,
    /// The file's SHA-256 as validated (lowercase hex), for the manifest.
    pub sha256: String,
    templates: Vec<Pod>,
    /// The pod a row without a template starts from.
    bare: Pod,
    rules: Vec<BehaviourRule>,
    classes: Vec<PriorityClass>,
    /// Pods without a `name` are named `<prefix>-<row number from 0>`.
    name_prefix: String,
}

/// The pod a row starts from when it names no template: one container
/// that runs the row's run time and exits (`restartPolicy: Never`), with an
/// image that is pulled once per node (`IfNotPresent`) if images are modelled.
const BARE_POD: &str = "apiVersion: v1
kind: Pod
metadata: {name: trace}
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: kubesim.io/pod-trace:1
    imagePullPolicy: IfNotPresent
";

/// Decodes the `podTraces` list and validates each file, row by row.
/// Extended resources the rows name are interned into `names`.
#[allow(clippy::too_many_arguments)]
pub fn decode(
    ctx: &mut Ctx,
    list: &Yaml,
    base_dir: &Path,
    names: &mut ResourceNames,
    rules: &[BehaviourRule],
    classes: &[PriorityClass],
    taken: &mut TakenNames,
    warnings: &mut Vec<Diagnostic>,
) -> Vec<PodTrace> {
    let mut out = Vec::new();
    for (i, item) in ctx.seq(list).unwrap_or(&[]).iter().enumerate() {
        let mut ictx = ctx.index(i);
        let context = Context {
            base_dir,
            rules,
            classes,
        };
        if let Some(t) = decode_one(&mut ictx, item, &context, names, taken, warnings) {
            out.push(t);
        }
    }
    out
}

/// What every entry is decoded against.
struct Context<'a> {
    base_dir: &'a Path,
    rules: &'a [BehaviourRule],
    classes: &'a [PriorityClass],
}

fn decode_one(
    ctx: &mut Ctx,
    node: &Yaml,
    context: &Context,
    names: &mut ResourceNames,
    taken: &mut TakenNames,
    warnings: &mut Vec<Diagnostic>,
) -> Option<PodTrace> {
    let Context {
        base_dir,
        rules,
        classes,
    } = *context;
    let errors_before = ctx.error_count();
    let mut m = MapReader::new(ctx, node)?;
    let file = m.req(ctx, "file").and_then(|n| {
        let s = ctx.field("file").str(n)?;
        Some((s, n.pos))
    });
    let format = match m.opt("format") {
        Some(n) => ctx
            .field("format")
            .one_of(n, &["kubesim", "openb"])
            .and_then(TraceFormat::parse),
        None => Some(TraceFormat::Kubesim),
    };
    let start = m
        .opt("start")
        .and_then(|n| ctx.field("start").duration(n))
        .unwrap_or_default();
    let templates = match m.opt("templates") {
        Some(n) => decode_templates(
            &mut ctx.field("templates"),
            n,
            base_dir,
            names,
            rules,
            warnings,
        ),
        None => Vec::new(),
    };
    m.finish(ctx);
    let (file, file_pos) = file?;
    let format = format?;
    if ctx.error_count() > errors_before {
        return None;
    }
    let path = base_dir.join(&file);
    let mut bare_errors = Vec::new();
    let bare = {
        let doc =
            crate::input::yaml::parse_single("pod-trace", BARE_POD).expect("the bare pod parses");
        let mut bctx = Ctx::new("pod-trace", &mut bare_errors);
        manifest::decode_pod(&mut bctx, &doc, names, warnings, true).expect("the bare pod decodes")
    };
    debug_assert!(bare_errors.is_empty());
    let name_prefix = Path::new(&file)
        .file_stem()
        .map_or("pod".into(), |s| s.to_string_lossy().into_owned());
    let mut trace = PodTrace {
        file: path.display().to_string(),
        path,
        format,
        start,
        rows: 0,
        sha256: String::new(),
        templates,
        bare,
        rules: rules.to_vec(),
        classes: classes.to_vec(),
        name_prefix,
    };
    let reader = match pods::open_hashing(&trace.path, format) {
        Ok(r) => r,
        Err(errors) => {
            for e in errors {
                if e.pos.line == 0 {
                    // The file itself cannot be read: say so where it is named.
                    let message = e.message.trim_start_matches("cannot read the pod trace: ");
                    ctx.field("file").error(
                        file_pos,
                        format!("cannot read {}: {message}", trace.path.display()),
                    );
                } else {
                    ctx.sink().push(e);
                }
            }
            return None;
        }
    };
    let (rows, sha256, errors) = trace.validate(reader, names, taken);
    trace.sha256 = sha256.unwrap_or_default();
    crate::input::source::note_read(crate::input::source::InputFile {
        path: trace.path.display().to_string(),
        sha256: trace.sha256.clone(),
    });
    ctx.sink().extend(errors);
    trace.rows = rows;
    (ctx.error_count() == errors_before).then_some(trace)
}

/// `templates`: Pod manifests inline or `{file: path}`, each named by its
/// `metadata.name`, once.
fn decode_templates(
    ctx: &mut Ctx,
    list: &Yaml,
    base_dir: &Path,
    names: &mut ResourceNames,
    rules: &[BehaviourRule],
    warnings: &mut Vec<Diagnostic>,
) -> Vec<Pod> {
    let objects = super::sources::decode_sources(ctx, list, base_dir, names, warnings);
    if !objects.nodes.is_empty() || !objects.workloads.is_empty() || !objects.pdbs.is_empty() {
        ctx.error(
            list.pos,
            "expected Pod manifests as templates, found other kinds",
        );
    }
    let mut out: Vec<Pod> = Vec::new();
    for (pod, site) in objects.pods.into_iter().zip(&objects.pod_sites) {
        if let Some(other) = out.iter().find(|p| p.metadata.name == pod.metadata.name) {
            ctx.sink().push(site.error(format!(
                "template name {:?} already taken; templates are named by metadata.name, once",
                other.metadata.name
            )));
            continue;
        }
        // The template's own annotations are checked here, where they are written.
        let mut checked = pod.clone();
        behaviour::apply(&mut checked, rules, ctx.file(), list.pos, ctx.sink());
        out.push(pod);
    }
    out
}

impl PodTrace {
    /// Opens the file for the run.
    pub fn open(
        &self,
    ) -> Result<PodTraceReader<std::io::BufReader<std::fs::File>>, Vec<Diagnostic>> {
        pods::open(&self.path, self.format)
    }

    /// Reads every row once and checks it as [`PodTrace::build`] would, and
    /// that its pod's name is not `taken`: the number of rows and every
    /// problem (at most [`MAX_POD_TRACE_ERRORS`] shown, then how many more
    /// there were), and the file's SHA-256 if the reader hashes. Holds one
    /// row at a time (and `taken`, a digest per row).
    pub fn validate<R: BufRead>(
        &self,
        mut reader: PodTraceReader<R>,
        names: &mut ResourceNames,
        taken: &mut TakenNames,
    ) -> (u64, Option<String>, Vec<Diagnostic>) {
        let source = taken.add_trace(reader.file());
        let mut errors: Vec<Diagnostic> = Vec::new();
        let mut hidden = 0usize;
        let mut first_hidden = None;
        let mut add = |list: Vec<Diagnostic>, errors: &mut Vec<Diagnostic>| {
            for e in list {
                if errors.len() < MAX_POD_TRACE_ERRORS {
                    errors.push(e);
                } else {
                    first_hidden.get_or_insert(e.pos);
                    hidden += 1;
                }
            }
        };
        while let Some(row) = reader.next_row() {
            match row {
                Ok(row) => {
                    let mut problems = Vec::new();
                    self.check(&row, names, &mut problems);
                    if let Ok(template) = self.template_of(&row) {
                        let (namespace, name) = self.identity(&row, template);
                        if let Some(p) = taken.add_row(source, row.line, namespace, name) {
                            let (pos, column) = row.at(Field::Name);
                            problems.push(Diagnostic::new(reader.file(), pos, column, p));
                        }
                    }
                    add(problems, &mut errors);
                }
                Err(problems) => add(problems, &mut errors),
            }
        }
        if let Some(pos) = first_hidden {
            errors.push(Diagnostic::new(
                reader.file(),
                pos,
                "",
                format!(
                    "{hidden} more problem(s) from here on are not shown (the first \
                     {MAX_POD_TRACE_ERRORS} are)"
                ),
            ));
        }
        (reader.rows(), reader.sha256(), errors)
    }

    /// The pod a row creates and when (the trace's `start` plus the row's
    /// creation time); `None` with the problems added to `errors`.
    pub fn build(
        &self,
        row: &PodRow,
        names: &mut ResourceNames,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<(SimTime, Pod)> {
        let before = errors.len();
        let file = &self.file;
        let mut fail = |field: Field, message: String| {
            let (pos, column) = row.at(field);
            errors.push(Diagnostic::new(file, pos, column, message));
        };
        let template = match self.template_of(row) {
            Ok(t) => t,
            Err(message) => {
                fail(Field::Template, message);
                return None;
            }
        };
        let mut metadata = template.metadata.clone();
        metadata.name = match &row.name {
            Some(n) => n.clone(),
            None => {
                let n = format!("{}-{}", self.name_prefix, row.index);
                if let Some(p) = Self::generated_name_problem(&n) {
                    fail(Field::Name, p);
                }
                n
            }
        };
        if let Some(ns) = &row.namespace {
            metadata.namespace = ns.clone();
        }
        for (k, v) in &row.labels {
            metadata.labels.insert(k.clone(), v.clone());
        }
        let mut spec = (*template.spec).clone();
        // Keys and values put together without `format!`, which cost more
        // than the rest of the annotations' work for every pod.
        let key = |field: &str, c: &str| [behaviour::ANNOTATION_PREFIX, field, c].concat();
        for c in &spec.containers {
            if let Some(t) = row.run_time {
                // Integer microseconds: the exact time, whatever its digits.
                let mut micros = t.0.to_string();
                micros.push_str("us");
                metadata
                    .annotations
                    .insert(key("run-time.", &c.name), micros);
            }
            if let Some(code) = row.exit_code {
                metadata
                    .annotations
                    .insert(key("exit-code.", &c.name), code.to_string());
            }
        }
        let gpu = [
            (
                gpu_share::MILLI_ANNOTATION,
                row.gpu_milli.map(|m| m.to_string()),
            ),
            (
                gpu_share::COUNT_ANNOTATION,
                row.gpu_count.map(|c| c.to_string()),
            ),
            (gpu_share::MODELS_ANNOTATION, row.gpu_models.clone()),
        ];
        for (key, value) in gpu {
            if let Some(v) = value {
                metadata.annotations.insert(key.to_string(), v);
            }
        }
        let sets_resources = row.cpu_millis.is_some()
            || row.memory_bytes.is_some()
            || row.cpu_limit_millis.is_some()
            || row.memory_limit_bytes.is_some()
            || !row.extended.is_empty();
        match spec.containers.first_mut() {
            None if sets_resources => fail(
                Field::Template,
                "the template has no containers to give the row's requests to".into(),
            ),
            None => {}
            Some(c) => {
                if let Some(v) = row.cpu_millis {
                    c.requests.cpu_millis = v;
                    c.requests_set.cpu = true;
                }
                if let Some(v) = row.memory_bytes {
                    c.requests.memory_bytes = v;
                    c.requests_set.memory = true;
                }
                if let Some(v) = row.cpu_limit_millis {
                    c.limits.cpu_millis = v;
                }
                if let Some(v) = row.memory_limit_bytes {
                    c.limits.memory_bytes = v;
                }
                // A limit without a request sets the request (`SetDefaults_Pod`,
                // pkg/apis/core/v1/defaults.go); a request above its limit is
                // invalid (`ValidateResourceRequirements`, validation.go).
                for (request, limit, field, what) in [
                    (
                        &mut c.requests.cpu_millis,
                        c.limits.cpu_millis,
                        Field::Cpu,
                        "cpu",
                    ),
                    (
                        &mut c.requests.memory_bytes,
                        c.limits.memory_bytes,
                        Field::Memory,
                        "memory",
                    ),
                ] {
                    if limit > 0 && *request == 0 {
                        *request = limit;
                    } else if limit > 0 && *request > limit {
                        fail(field, check::request_over_limit(what, *request, limit));
                    }
                }
                for (name, value) in &row.extended {
                    match names.intern(name) {
                        Ok(r) => {
                            r.set(&mut c.requests, *value);
                            r.set(&mut c.limits, *value);
                        }
                        Err(e) => fail(Field::Extended, e),
                    }
                }
            }
        }
        if let Some(class) = &row.priority_class {
            spec.priority_class_name = Some(class.clone());
            spec.priority = 0;
        }
        if let Err(e) = policy::admit(&mut spec, &self.classes) {
            fail(Field::PriorityClass, e);
        }
        let mut pod = Pod::new(metadata, Arc::new(spec));
        let row_gpu =
            row.gpu_milli.is_some() || row.gpu_count.is_some() || row.gpu_models.is_some();
        // Reported at the first of the row's GPU columns.
        let gpu_field = [Field::GpuMilli, Field::GpuCount, Field::GpuModels]
            .into_iter()
            .find(|f| !row.at(*f).1.is_empty())
            .unwrap_or(Field::GpuMilli);
        let gpu_failed = row_gpu
            && gpu_share::validate_pod(&pod)
                .map_err(|e| fail(gpu_field, e))
                .is_err();
        let mut behaviour_errors = Vec::new();
        let pos = Pos::new(row.line, 1);
        behaviour::apply(&mut pod, &self.rules, file, pos, &mut behaviour_errors);
        if gpu_failed {
            // Already reported at the row's GPU cells.
            behaviour_errors.retain(|e| !e.field.contains("kubesim.io/gpu-"));
        }
        errors.extend(behaviour_errors);
        if errors.len() > before {
            return None;
        }
        Some((SimTime::ZERO + self.start + row.creation, pod))
    }
}

mod check;
mod names;
pub use names::TakenNames;

#[cfg(test)]
mod tests;
