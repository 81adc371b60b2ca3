//! Workload manifests inside scenarios: decoding apps/v1 ReplicaSet, Deployment,
//! DaemonSet and StatefulSet and batch/v1 Job and CronJob documents into [`Workload`] values, with the
//! API server's validation and defaulting (Kubernetes v1.32:
//! `pkg/apis/apps/validation/validation.go`, `pkg/apis/batch/validation/validation.go`,
//! `pkg/apis/apps/v1/defaults.go`, `pkg/apis/batch/v1/defaults.go`).
//!
//! Pod templates go through the same metadata and Pod spec decoders as Pods
//! (`manifest/`), so a template accepts, ignores and warns about exactly what a Pod
//! does. Container behaviour is not resolved here: the caller resolves it on every
//! template that [`templates_mut`] returns, as it does for Pods.
//!
//! As in `manifest/`, every problem is recorded and decoding carries on; a workload is
//! returned only if decoding it recorded no error.

mod cronjob;
mod daemonset;
mod deployment;
mod job;
mod statefulset;
#[cfg(test)]
mod tests;

use cronjob::decode_cron_job_spec;
use daemonset::decode_daemon_set_spec;
use deployment::{decode_deployment_spec, decode_replica_set_spec};
use job::decode_job_spec;
use statefulset::decode_stateful_set_spec;
use std::sync::Arc;

use super::manifest::{
    decode_label_selector, decode_metadata, decode_pod_spec, is_dns1123_label, opt_enum,
    warn_unmodelled,
};
use crate::input::decode::{check_type, Ctx, MapReader};
use crate::input::diagnostic::{Diagnostic, Pos};
use crate::input::yaml::{Node as Yaml, Value};
use crate::model::intstr::IntOrPercent;
use crate::model::labels::LabelSelector;
use crate::model::meta::ObjectMeta;
use crate::model::pod::RestartPolicy;
use crate::model::resources::ResourceNames;
use crate::model::workloads::{
    CompletionMode, ConcurrencyPolicy, CronJobSpec, DaemonSetSpec, DaemonSetUpdateStrategy,
    DeploymentSpec, DeploymentStrategy, JobSpec, PodTemplate, ReplicaSetSpec, Workload,
    WorkloadSpec,
};

/// Real JobSpec fields whose effect kubesim does not simulate; each gets a warning
/// because ignoring it changes how the Job's pods are retried or counted.
const JOB_SPEC_UNMODELLED: &[&str] = &[
    "podFailurePolicy",
    "successPolicy",
    "backoffLimitPerIndex",
    "maxFailedIndexes",
    "podReplacementPolicy",
];

/// `spec.managedBy` of a Job the built-in job controller reconciles.
const JOB_CONTROLLER_NAME: &str = "kubernetes.io/job-controller";
/// The cronjob controller appends an 11-character suffix (`-<minutes>`) to the job names
/// it makes, which must stay within 63 (`ValidateCronJobCreate`).
const CRON_JOB_NAME_MAX: usize = 52;
/// `maxParallelismForIndexedJob` in the batch validation.
const MAX_PARALLELISM_INDEXED: i64 = 100_000;
/// The only time zones kubesim's clock has.
const TIME_ZONES: &[&str] = &["UTC", "Etc/UTC"];

const I32_MAX: i64 = i32::MAX as i64;

/// Decodes one workload manifest of the given kind (apiVersion checked: apps/v1 for
/// ReplicaSet/Deployment/DaemonSet, batch/v1 for Job/CronJob). Every problem is recorded
/// in `ctx`; `None` if there was any.
pub fn decode_workload(
    ctx: &mut Ctx<'_>,
    doc: &Yaml,
    kind: &str,
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
) -> Option<Workload> {
    let api_version = match kind {
        "ReplicaSet" | "Deployment" | "DaemonSet" | "StatefulSet" => "apps/v1",
        "Job" | "CronJob" => "batch/v1",
        other => {
            ctx.field("kind").error(
                doc.pos,
                format!(
                    "kind {other:?} is not a workload kind; expected one of: ReplicaSet, \
                     Deployment, DaemonSet, StatefulSet, Job, CronJob"
                ),
            );
            return None;
        }
    };
    let errors_before = ctx.error_count();
    let mut m = MapReader::new(ctx, doc)?;
    check_type(ctx, &mut m, kind, api_version);
    let metadata = m
        .req(ctx, "metadata")
        .map(|n| decode_metadata(&mut ctx.field("metadata"), n, true, true));
    let spec =
        m.req(ctx, "spec").and_then(|n| {
            let mut c = ctx.field("spec");
            match kind {
                "ReplicaSet" => decode_replica_set_spec(&mut c, n, names, warnings)
                    .map(WorkloadSpec::ReplicaSet),
                "Deployment" => {
                    decode_deployment_spec(&mut c, n, names, warnings).map(WorkloadSpec::Deployment)
                }
                "DaemonSet" => {
                    decode_daemon_set_spec(&mut c, n, names, warnings).map(WorkloadSpec::DaemonSet)
                }
                "StatefulSet" => decode_stateful_set_spec(&mut c, n, names, warnings)
                    .map(WorkloadSpec::StatefulSet),
                "Job" => decode_job_spec(&mut c, n, names, warnings, false).map(WorkloadSpec::Job),
                _ => decode_cron_job_spec(&mut c, n, names, warnings).map(WorkloadSpec::CronJob),
            }
        });
    // Status is what the controllers report; a simulated workload starts afresh.
    m.ignore(&["status"]);
    m.finish(ctx);
    let mut metadata = metadata?;
    let name_pos = child(doc, "metadata")
        .and_then(|n| child(n, "name"))
        .map_or(doc.pos, |n| n.pos);
    match &spec {
        Some(WorkloadSpec::CronJob(_)) if metadata.name.len() > CRON_JOB_NAME_MAX => {
            ctx.field("metadata").field("name").error(
                name_pos,
                format!(
                    "must be no more than {CRON_JOB_NAME_MAX} characters (the jobs it creates add an \
                     11-character suffix), found {}",
                    metadata.name.len()
                ),
            );
        }
        Some(WorkloadSpec::Job(job)) => {
            // Indexed pods get the hostname `<job name>-<index>` (`ValidateJob`).
            if let (CompletionMode::Indexed, Some(c)) = (job.completion_mode, job.completions) {
                if c > 0 && !metadata.name.is_empty() {
                    let hostname = format!("{}-{}", metadata.name, c - 1);
                    if !is_dns1123_label(&hostname) {
                        ctx.field("metadata").field("name").error(
                            name_pos,
                            format!(
                                "will not be able to create pods with the invalid DNS label \
                                 {hostname:?} as hostname (an Indexed Job's pods are named \
                                 <job name>-<index>, at most 63 characters)"
                            ),
                        );
                    }
                }
            }
        }
        _ => {}
    }
    if ctx.error_count() > errors_before {
        return None;
    }
    let spec = spec?;
    // SetDefaults_Job: a Job without labels takes its template's.
    if let WorkloadSpec::Job(job) = &spec {
        if metadata.labels.is_empty() {
            metadata.labels = job.template.metadata.labels.clone();
        }
    }
    Some(Workload { metadata, spec })
}

/// Every pod template inside a workload (CronJob: its jobTemplate's template), so the
/// caller can resolve container behaviour on it.
pub fn templates_mut(w: &mut Workload) -> Vec<&mut PodTemplate> {
    w.spec.template_mut().into_iter().collect()
}

/// Parses `intstr.IntOrString` as the API validates counts (`ValidatePositiveIntOrPercent`):
/// an integer of at least 0 (`3`), or a percentage (`"25%"`). A quoted number without
/// '%' is a string to the API server, which refuses it, so it is an error here too.
pub fn decode_int_or_percent(ctx: &mut Ctx<'_>, node: &Yaml) -> Option<IntOrPercent> {
    match &node.value {
        Value::Int(v) => {
            if *v < 0 {
                ctx.error(
                    node.pos,
                    format!("expected an integer of at least 0 or a percentage, found {v}"),
                );
                return None;
            }
            match i32::try_from(*v) {
                Ok(v) => Some(IntOrPercent::Int(v)),
                Err(_) => {
                    ctx.error(
                        node.pos,
                        format!("expected an integer of at most {}, found {v}", i32::MAX),
                    );
                    None
                }
            }
        }
        Value::Str(s) => {
            let digits = s.strip_suffix('%').unwrap_or("");
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                let hint = if s.parse::<i64>().is_ok() {
                    " (write a number without quotes)"
                } else {
                    ""
                };
                ctx.error(
                    node.pos,
                    format!(
                        "expected a percentage (digits followed by '%', e.g. \"25%\") or an integer{hint}, \
                         found {}",
                        node.describe()
                    ),
                );
                return None;
            }
            match digits.parse::<i32>() {
                Ok(p) => Some(IntOrPercent::Percent(p)),
                Err(_) => {
                    ctx.error(
                        node.pos,
                        format!(
                            "expected a percentage of at most {}%, found {s:?}",
                            i32::MAX
                        ),
                    );
                    None
                }
            }
        }
        _ => {
            ctx.expected(node, "an integer or a percentage (such as 1 or \"25%\")");
            None
        }
    }
}

/// A field of a mapping node, if present and not null (for positions of fields that
/// were decoded elsewhere).
fn child<'n>(node: &'n Yaml, key: &str) -> Option<&'n Yaml> {
    match &node.value {
        Value::Map(entries) => entries
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
            .filter(|v| !v.is_null()),
        _ => None,
    }
}

/// An optional integer field that must lie in `min..=max` (`ValidateNonnegativeField`
/// and the field's Go type). Returns the value if valid, and the node if present.
fn int_field<'n>(
    ctx: &mut Ctx<'_>,
    m: &mut MapReader<'n>,
    key: &'static str,
    min: i64,
    max: i64,
) -> (Option<i64>, Option<&'n Yaml>) {
    let node = m.opt(key);
    let value = node.and_then(|n| {
        let mut c = ctx.field(key);
        let v = c.i64(n)?;
        if v < min {
            c.error(
                n.pos,
                format!("expected an integer of at least {min}, found {v}"),
            );
            return None;
        }
        if v > max {
            c.error(
                n.pos,
                format!("expected an integer of at most {max}, found {v}"),
            );
            return None;
        }
        Some(v)
    });
    (value, node)
}

/// An optional non-negative int32 field.
fn count_field(ctx: &mut Ctx<'_>, m: &mut MapReader<'_>, key: &'static str) -> Option<i32> {
    int_field(ctx, m, key, 0, I32_MAX)
        .0
        .and_then(|v| i32::try_from(v).ok())
}

fn bool_field(ctx: &mut Ctx<'_>, m: &mut MapReader<'_>, key: &'static str) -> Option<bool> {
    m.opt(key).and_then(|n| ctx.field(key).bool(n))
}

/// A pod template (`PodTemplateSpec`): metadata, of which only labels and annotations
/// reach the pods, and a Pod spec decoded exactly as a Pod's.
fn decode_template(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
) -> Option<PodTemplate> {
    let mut m = MapReader::new(ctx, node)?;
    // Pods get generated names and their controller's namespace, so neither is required.
    let metadata = m
        .opt("metadata")
        .map(|n| decode_metadata(&mut ctx.field("metadata"), n, true, false))
        .unwrap_or_default();
    let spec = m
        .req(ctx, "spec")
        .and_then(|n| decode_pod_spec(&mut ctx.field("spec"), n, names, warnings));
    m.finish(ctx);
    Some(PodTemplate {
        metadata: ObjectMeta {
            labels: metadata.labels,
            annotations: metadata.annotations,
            ..Default::default()
        },
        spec: Arc::new(spec?),
    })
}

/// A selector for messages: `app=web, tier In [a, b]`.
fn show_selector(s: &LabelSelector) -> String {
    let mut parts: Vec<String> = s
        .match_labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    parts.extend(s.match_expressions.iter().map(|r| r.to_string()));
    parts.join(", ")
}

/// Upstream: "`selector` does not match template `labels`", reported under
/// `template.metadata.labels` (where the labels are, or would go). `ctx` is the spec's.
fn check_selector_matches(
    ctx: &mut Ctx<'_>,
    selector: &LabelSelector,
    template: &PodTemplate,
    template_node: &Yaml,
) {
    if selector.matches(&template.metadata.labels) {
        return;
    }
    let meta_node = child(template_node, "metadata");
    let pos = meta_node
        .and_then(|n| child(n, "labels"))
        .or(meta_node)
        .map_or(template_node.pos, |n| n.pos);
    let labels = &template.metadata.labels;
    let shown = if labels.is_empty() {
        "none".to_string()
    } else {
        labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    ctx.field("template")
        .field("metadata")
        .field("labels")
        .error(
            pos,
            format!(
                "`selector` does not match template `labels` (selector: {}; labels: {shown}); \
             the pods it creates must be selected by it",
                show_selector(selector)
            ),
        );
}

/// The template's restart policy must be one of `allowed`, as the controller needs
/// (upstream `field.NotSupported` on `template.spec.restartPolicy`). `ctx` is the spec's.
fn check_restart_policy(
    ctx: &mut Ctx<'_>,
    template: &PodTemplate,
    template_node: &Yaml,
    allowed: &[RestartPolicy],
    why: &str,
) {
    let policy = template.spec.restart_policy;
    if allowed.contains(&policy) {
        return;
    }
    let spec_node = child(template_node, "spec");
    let explicit = spec_node
        .and_then(|n| child(n, "restartPolicy"))
        .filter(|n| n.as_str() != Some(""));
    let pos = explicit.or(spec_node).map_or(template_node.pos, |n| n.pos);
    let default_note = if explicit.is_none() {
        " (the default when restartPolicy is not set)"
    } else {
        ""
    };
    let supported = allowed
        .iter()
        .map(|p| format!("{:?}", p.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    ctx.field("template")
        .field("spec")
        .field("restartPolicy")
        .error(
            pos,
            format!(
                "unsupported value {:?}{default_note}: supported values: {supported}; {why}",
                policy.as_str()
            ),
        );
}

/// `selector` and `template` of a ReplicaSet, Deployment or DaemonSet
/// (`ValidateReplicaSetSpec`, `ValidateDeploymentSpec`, `ValidateDaemonSetSpec`): the
/// selector is required and may not be empty, it must select the template's labels, and
/// the pods must restart Always and may not have activeDeadlineSeconds.
fn decode_selected_template(
    ctx: &mut Ctx<'_>,
    m: &mut MapReader<'_>,
    kind: &str,
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
) -> (Option<LabelSelector>, Option<PodTemplate>) {
    let selector = m.req(ctx, "selector").and_then(|n| {
        let mut c = ctx.field("selector");
        let s = decode_label_selector(&mut c, n)?;
        if s.is_empty() {
            // An empty selector would select every pod in the namespace.
            c.error(
                n.pos,
                format!(
                    "empty selector is invalid for {}; it would select every pod in the namespace",
                    kind.to_lowercase()
                ),
            );
            return None;
        }
        Some(s)
    });
    let template_node = m.req(ctx, "template");
    let template =
        template_node.and_then(|n| decode_template(&mut ctx.field("template"), n, names, warnings));
    if let (Some(t), Some(n)) = (&template, template_node) {
        if let Some(s) = &selector {
            check_selector_matches(ctx, s, t, n);
        }
        check_restart_policy(
            ctx,
            t,
            n,
            &[RestartPolicy::Always],
            &format!("a {kind} keeps its pods running"),
        );
        // The Pod decoder ignores activeDeadlineSeconds; a controller that keeps pods
        // running cannot have them time out.
        if let Some(d) = child(n, "spec").and_then(|s| child(s, "activeDeadlineSeconds")) {
            ctx.field("template")
                .field("spec")
                .field("activeDeadlineSeconds")
                .error(
                    d.pos,
                    format!("activeDeadlineSeconds in {kind} is not supported"),
                );
        }
    }
    (selector, template)
}

/// `rollingUpdate`'s two values, each with where it was written; absent or invalid
/// values are `None` (invalid ones are reported).
struct RollingValues {
    max_unavailable: Option<(IntOrPercent, Pos)>,
    max_surge: Option<(IntOrPercent, Pos)>,
}

/// A strategy's `rollingUpdate`, if it has one (none: both values unset).
fn decode_rolling_update(ctx: &mut Ctx<'_>, node: Option<&Yaml>) -> RollingValues {
    let mut out = RollingValues {
        max_unavailable: None,
        max_surge: None,
    };
    let Some(mut m) = node.and_then(|n| MapReader::new(ctx, n)) else {
        return out;
    };
    out.max_unavailable = m.opt("maxUnavailable").and_then(|n| {
        decode_int_or_percent(&mut ctx.field("maxUnavailable"), n).map(|v| (v, n.pos))
    });
    out.max_surge = m
        .opt("maxSurge")
        .and_then(|n| decode_int_or_percent(&mut ctx.field("maxSurge"), n).map(|v| (v, n.pos)));
    m.finish(ctx);
    out
}

/// `getIntOrPercentValue`: the number, whether a count or a percentage.
fn amount(v: IntOrPercent) -> i32 {
    match v {
        IntOrPercent::Int(n) | IntOrPercent::Percent(n) => n,
    }
}

/// `IsNotMoreThan100Percent`.
fn check_at_most_100_percent(ctx: &mut Ctx<'_>, value: Option<(IntOrPercent, Pos)>) {
    if let Some((IntOrPercent::Percent(p), pos)) = value {
        if p > 100 {
            ctx.error(
                pos,
                format!("must not be greater than 100%, found \"{p}%\""),
            );
        }
    }
}
