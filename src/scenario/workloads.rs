//! Workload manifests inside scenarios: decoding apps/v1 ReplicaSet, Deployment and
//! DaemonSet and batch/v1 Job and CronJob documents into [`Workload`] values, with the
//! API server's validation and defaulting (Kubernetes v1.32:
//! `pkg/apis/apps/validation/validation.go`, `pkg/apis/batch/validation/validation.go`,
//! `pkg/apis/apps/v1/defaults.go`, `pkg/apis/batch/v1/defaults.go`).
//!
//! Pod templates go through the same metadata and Pod spec decoders as Pods
//! (`manifest.rs`), so a template accepts, ignores and warns about exactly what a Pod
//! does. Container behaviour is not resolved here: the caller resolves it on every
//! template that [`templates_mut`] returns, as it does for Pods.
//!
//! As in `manifest.rs`, every problem is recorded and decoding carries on; a workload is
//! returned only if decoding it recorded no error.

use std::sync::Arc;

use super::manifest::{
    decode_label_selector, decode_metadata, decode_pod_spec, is_dns1123_label, opt_enum,
    warn_unmodelled,
};
use super::yaml::{check_type, Ctx, Diagnostic, MapReader, Node as Yaml, Pos, Value};
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

const OBJECT_FIELDS: &[&str] = &["apiVersion", "kind", "metadata", "spec", "status"];
const TEMPLATE_FIELDS: &[&str] = &["metadata", "spec"];

const REPLICA_SET_SPEC_FIELDS: &[&str] = &["replicas", "selector", "template", "minReadySeconds"];
const DEPLOYMENT_SPEC_FIELDS: &[&str] = &[
    "replicas",
    "selector",
    "template",
    "strategy",
    "minReadySeconds",
    "revisionHistoryLimit",
    "progressDeadlineSeconds",
    "paused",
];
const DAEMON_SET_SPEC_FIELDS: &[&str] = &[
    "selector",
    "template",
    "updateStrategy",
    "minReadySeconds",
    "revisionHistoryLimit",
];
const JOB_SPEC_FIELDS: &[&str] = &[
    "parallelism",
    "completions",
    "backoffLimit",
    "activeDeadlineSeconds",
    "completionMode",
    "ttlSecondsAfterFinished",
    "suspend",
    "selector",
    "manualSelector",
    "template",
];
/// Real JobSpec fields whose effect kubesim does not simulate; each gets a warning
/// because ignoring it changes how the Job's pods are retried or counted.
const JOB_SPEC_UNMODELLED: &[&str] = &[
    "podFailurePolicy",
    "successPolicy",
    "backoffLimitPerIndex",
    "maxFailedIndexes",
    "podReplacementPolicy",
];
const CRON_JOB_SPEC_FIELDS: &[&str] = &[
    "schedule",
    "timeZone",
    "concurrencyPolicy",
    "startingDeadlineSeconds",
    "suspend",
    "successfulJobsHistoryLimit",
    "failedJobsHistoryLimit",
    "jobTemplate",
];
const STRATEGY_FIELDS: &[&str] = &["type", "rollingUpdate"];
const ROLLING_UPDATE_FIELDS: &[&str] = &["maxUnavailable", "maxSurge"];

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
        "ReplicaSet" | "Deployment" | "DaemonSet" => "apps/v1",
        "Job" | "CronJob" => "batch/v1",
        other => {
            ctx.field("kind").error(
                doc.pos,
                format!(
                    "kind {other:?} is not a workload kind; expected one of: ReplicaSet, \
                     Deployment, DaemonSet, Job, CronJob"
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
    let spec = m.req(ctx, "spec").and_then(|n| {
        let mut c = ctx.field("spec");
        match kind {
            "ReplicaSet" => {
                decode_replica_set_spec(&mut c, n, names, warnings).map(WorkloadSpec::ReplicaSet)
            }
            "Deployment" => {
                decode_deployment_spec(&mut c, n, names, warnings).map(WorkloadSpec::Deployment)
            }
            "DaemonSet" => {
                decode_daemon_set_spec(&mut c, n, names, warnings).map(WorkloadSpec::DaemonSet)
            }
            "Job" => decode_job_spec(&mut c, n, names, warnings, false).map(WorkloadSpec::Job),
            _ => decode_cron_job_spec(&mut c, n, names, warnings).map(WorkloadSpec::CronJob),
        }
    });
    // Status is what the controllers report; a simulated workload starts afresh.
    m.ignore(&["status"]);
    m.finish(ctx, OBJECT_FIELDS);
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
    key: &str,
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
fn count_field(ctx: &mut Ctx<'_>, m: &mut MapReader<'_>, key: &str) -> Option<i32> {
    int_field(ctx, m, key, 0, I32_MAX)
        .0
        .and_then(|v| i32::try_from(v).ok())
}

fn bool_field(ctx: &mut Ctx<'_>, m: &mut MapReader<'_>, key: &str) -> Option<bool> {
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
    m.finish(ctx, TEMPLATE_FIELDS);
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

fn decode_replica_set_spec(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
) -> Option<ReplicaSetSpec> {
    let mut m = MapReader::new(ctx, node)?;
    let replicas = count_field(ctx, &mut m, "replicas");
    let (selector, template) = decode_selected_template(ctx, &mut m, "ReplicaSet", names, warnings);
    let min_ready_seconds = count_field(ctx, &mut m, "minReadySeconds");
    m.finish(ctx, REPLICA_SET_SPEC_FIELDS);
    Some(ReplicaSetSpec {
        // SetDefaults_ReplicaSet.
        replicas: replicas.unwrap_or(1),
        selector: selector?,
        template: template?,
        min_ready_seconds: min_ready_seconds.unwrap_or(0),
    })
}

fn decode_deployment_spec(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
) -> Option<DeploymentSpec> {
    let mut m = MapReader::new(ctx, node)?;
    let replicas = count_field(ctx, &mut m, "replicas");
    let (selector, template) = decode_selected_template(ctx, &mut m, "Deployment", names, warnings);
    let strategy = match m.opt("strategy") {
        Some(n) => decode_deployment_strategy(&mut ctx.field("strategy"), n),
        None => Some(DeploymentStrategy::RollingUpdate {
            max_surge: IntOrPercent::Percent(25),
            max_unavailable: IntOrPercent::Percent(25),
        }),
    };
    let (min_ready, min_ready_node) = int_field(ctx, &mut m, "minReadySeconds", 0, I32_MAX);
    let revision_history_limit = count_field(ctx, &mut m, "revisionHistoryLimit");
    let (deadline, deadline_node) = int_field(ctx, &mut m, "progressDeadlineSeconds", 0, I32_MAX);
    let paused = bool_field(ctx, &mut m, "paused");
    m.finish(ctx, DEPLOYMENT_SPEC_FIELDS);
    // The check runs after defaulting, so a minReadySeconds of 600 or more needs an
    // explicit, larger progressDeadlineSeconds. Skipped if either value was invalid.
    let min_ready_ok = min_ready.is_some() || min_ready_node.is_none();
    let deadline_ok = deadline.is_some() || deadline_node.is_none();
    let min_ready = min_ready.unwrap_or(0);
    let deadline = deadline.unwrap_or(600);
    if min_ready_ok && deadline_ok && deadline <= min_ready {
        match (deadline_node, min_ready_node) {
            (Some(n), _) => ctx.field("progressDeadlineSeconds").error(
                n.pos,
                format!("must be greater than minReadySeconds ({min_ready}), found {deadline}"),
            ),
            (None, Some(n)) => ctx.field("minReadySeconds").error(
                n.pos,
                format!(
                    "must be less than progressDeadlineSeconds (600 when not set), found {min_ready}"
                ),
            ),
            (None, None) => {}
        }
    }
    Some(DeploymentSpec {
        replicas: replicas.unwrap_or(1),
        selector: selector?,
        template: template?,
        strategy: strategy?,
        min_ready_seconds: i32::try_from(min_ready).ok()?,
        revision_history_limit: revision_history_limit.unwrap_or(10),
        progress_deadline_seconds: i32::try_from(deadline).ok()?,
        paused: paused.unwrap_or(false),
    })
}

/// `rollingUpdate`'s two values, each with where it was written; absent or invalid
/// values are `None` (invalid ones are reported).
struct RollingValues {
    max_unavailable: Option<(IntOrPercent, Pos)>,
    max_surge: Option<(IntOrPercent, Pos)>,
}

fn decode_rolling_update(ctx: &mut Ctx<'_>, node: &Yaml) -> RollingValues {
    let mut out = RollingValues {
        max_unavailable: None,
        max_surge: None,
    };
    let Some(mut m) = MapReader::new(ctx, node) else {
        return out;
    };
    out.max_unavailable = m.opt("maxUnavailable").and_then(|n| {
        decode_int_or_percent(&mut ctx.field("maxUnavailable"), n).map(|v| (v, n.pos))
    });
    out.max_surge = m
        .opt("maxSurge")
        .and_then(|n| decode_int_or_percent(&mut ctx.field("maxSurge"), n).map(|v| (v, n.pos)));
    m.finish(ctx, ROLLING_UPDATE_FIELDS);
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

/// Deployment `strategy` (`SetDefaults_Deployment`, `ValidateDeploymentStrategy`,
/// `ValidateRollingUpdateDeployment`).
fn decode_deployment_strategy(ctx: &mut Ctx<'_>, node: &Yaml) -> Option<DeploymentStrategy> {
    let mut m = MapReader::new(ctx, node)?;
    let kind = opt_enum(ctx, &mut m, "type", &["RollingUpdate", "Recreate"]);
    let rolling = m.opt("rollingUpdate");
    m.finish(ctx, STRATEGY_FIELDS);
    if kind == Some("Recreate") {
        if let Some(r) = rolling {
            ctx.field("rollingUpdate").error(
                r.pos,
                "may not be specified when strategy `type` is 'Recreate'",
            );
        }
        return Some(DeploymentStrategy::Recreate);
    }
    let values = match rolling {
        Some(r) => decode_rolling_update(&mut ctx.field("rollingUpdate"), r),
        None => RollingValues {
            max_unavailable: None,
            max_surge: None,
        },
    };
    let mut rctx = ctx.field("rollingUpdate");
    let max_unavailable = values
        .max_unavailable
        .map_or(IntOrPercent::Percent(25), |v| v.0);
    let max_surge = values.max_surge.map_or(IntOrPercent::Percent(25), |v| v.0);
    if amount(max_unavailable) == 0 && amount(max_surge) == 0 {
        // Neither may pods go down nor extra ones come up: the rollout could never move.
        let pos = values
            .max_unavailable
            .or(values.max_surge)
            .map(|v| v.1)
            .or(rolling.map(|r| r.pos))
            .unwrap_or(node.pos);
        rctx.field("maxUnavailable")
            .error(pos, "may not be 0 when `maxSurge` is 0");
    }
    check_at_most_100_percent(&mut rctx.field("maxUnavailable"), values.max_unavailable);
    Some(DeploymentStrategy::RollingUpdate {
        max_surge,
        max_unavailable,
    })
}

fn decode_daemon_set_spec(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
) -> Option<DaemonSetSpec> {
    let mut m = MapReader::new(ctx, node)?;
    let (selector, template) = decode_selected_template(ctx, &mut m, "DaemonSet", names, warnings);
    let update_strategy = match m.opt("updateStrategy") {
        Some(n) => decode_daemon_set_strategy(&mut ctx.field("updateStrategy"), n),
        None => Some(DaemonSetUpdateStrategy::RollingUpdate {
            max_unavailable: IntOrPercent::Int(1),
            max_surge: IntOrPercent::Int(0),
        }),
    };
    let min_ready_seconds = count_field(ctx, &mut m, "minReadySeconds");
    // Validated as upstream, but kubesim keeps no revision history.
    let _ = count_field(ctx, &mut m, "revisionHistoryLimit");
    m.finish(ctx, DAEMON_SET_SPEC_FIELDS);
    Some(DaemonSetSpec {
        selector: selector?,
        template: template?,
        update_strategy: update_strategy?,
        min_ready_seconds: min_ready_seconds.unwrap_or(0),
    })
}

/// DaemonSet `updateStrategy` (`SetDefaults_DaemonSet`, `ValidateDaemonSetUpdateStrategy`,
/// `ValidateRollingUpdateDaemonSet`): exactly one of maxUnavailable and maxSurge is
/// non-zero.
fn decode_daemon_set_strategy(ctx: &mut Ctx<'_>, node: &Yaml) -> Option<DaemonSetUpdateStrategy> {
    let mut m = MapReader::new(ctx, node)?;
    let kind = opt_enum(ctx, &mut m, "type", &["RollingUpdate", "OnDelete"]);
    let rolling = m.opt("rollingUpdate");
    m.finish(ctx, STRATEGY_FIELDS);
    if kind == Some("OnDelete") {
        // Upstream neither defaults nor validates rollingUpdate for OnDelete.
        return Some(DaemonSetUpdateStrategy::OnDelete);
    }
    let values = match rolling {
        Some(r) => decode_rolling_update(&mut ctx.field("rollingUpdate"), r),
        None => RollingValues {
            max_unavailable: None,
            max_surge: None,
        },
    };
    let mut rctx = ctx.field("rollingUpdate");
    let max_unavailable = values.max_unavailable.map_or(IntOrPercent::Int(1), |v| v.0);
    let max_surge = values.max_surge.map_or(IntOrPercent::Int(0), |v| v.0);
    check_at_most_100_percent(&mut rctx.field("maxUnavailable"), values.max_unavailable);
    check_at_most_100_percent(&mut rctx.field("maxSurge"), values.max_surge);
    let fallback = rolling.map_or(node.pos, |r| r.pos);
    match (amount(max_unavailable) != 0, amount(max_surge) != 0) {
        (true, true) => rctx.field("maxSurge").error(
            values.max_surge.map_or(fallback, |v| v.1),
            "may not be set when maxUnavailable is non-zero",
        ),
        (false, false) => rctx.field("maxUnavailable").error(
            values
                .max_unavailable
                .or(values.max_surge)
                .map_or(fallback, |v| v.1),
            "cannot be 0 when maxSurge is 0",
        ),
        _ => {}
    }
    Some(DaemonSetUpdateStrategy::RollingUpdate {
        max_unavailable,
        max_surge,
    })
}

/// A Job's spec, or a CronJob's `jobTemplate.spec` (`in_cron_job`), with
/// `SetDefaults_Job` applied (to a template that happens when its jobs are created).
fn decode_job_spec(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
    in_cron_job: bool,
) -> Option<JobSpec> {
    let mut m = MapReader::new(ctx, node)?;
    let (parallelism, parallelism_node) = int_field(ctx, &mut m, "parallelism", 0, I32_MAX);
    let (completions, completions_node) = int_field(ctx, &mut m, "completions", 0, I32_MAX);
    let backoff_limit = count_field(ctx, &mut m, "backoffLimit");
    let (active_deadline_seconds, _) = int_field(ctx, &mut m, "activeDeadlineSeconds", 0, i64::MAX);
    let mode_node = m.opt("completionMode");
    let completion_mode = opt_enum(ctx, &mut m, "completionMode", &["NonIndexed", "Indexed"]);
    let ttl = count_field(ctx, &mut m, "ttlSecondsAfterFinished");
    let suspend = bool_field(ctx, &mut m, "suspend");
    let manual_node = m.opt("manualSelector");
    let manual_selector = bool_field(ctx, &mut m, "manualSelector");
    let selector_node = m.opt("selector");
    let selector = selector_node.and_then(|n| decode_label_selector(&mut ctx.field("selector"), n));
    let template_node = m.req(ctx, "template");
    let template =
        template_node.and_then(|n| decode_template(&mut ctx.field("template"), n, names, warnings));
    for key in JOB_SPEC_UNMODELLED {
        if let Some(n) = m.opt(key) {
            warn_unmodelled(ctx, warnings, key, n);
        }
    }
    let per_index = m.has("backoffLimitPerIndex");
    if let Some(n) = m.opt("managedBy") {
        let mut c = ctx.field("managedBy");
        if let Some(s) = c.str(n) {
            // Another controller's Job is left alone by the job controller.
            if s != JOB_CONTROLLER_NAME {
                warnings.push(Diagnostic::new(
                    c.file(),
                    n.pos,
                    c.path(),
                    format!(
                        "managedBy {s:?} is not modelled yet and is ignored; kubesim's job \
                         controller ({JOB_CONTROLLER_NAME}) runs this Job"
                    ),
                ));
            }
        }
    }
    m.finish(
        ctx,
        &[JOB_SPEC_FIELDS, JOB_SPEC_UNMODELLED, &["managedBy"]].concat(),
    );

    if in_cron_job {
        // ValidateJobTemplateSpec: a template's jobs always get a generated selector.
        if let Some(n) = selector_node {
            ctx.field("selector")
                .error(n.pos, "`selector` will be auto-generated; remove it");
        }
        if let (Some(true), Some(n)) = (manual_selector, manual_node) {
            ctx.field("manualSelector").error(
                n.pos,
                "unsupported value true: supported values: false (a job template's selector is \
                 always generated)",
            );
        }
    } else if manual_selector == Some(true) && selector_node.is_none() {
        ctx.error(
            node.pos,
            "missing required field `selector` (manualSelector is true, so it is not generated)",
        );
    }
    // Whether manual or generated, a Job's selector must select its pods
    // (`ValidateJobSpec`); a template's is refused above.
    if let (false, Some(s), Some(t), Some(n)) = (in_cron_job, &selector, &template, template_node) {
        check_selector_matches(ctx, s, t, n);
    }
    if let (Some(t), Some(n)) = (&template, template_node) {
        check_restart_policy(
            ctx,
            t,
            n,
            &[RestartPolicy::OnFailure, RestartPolicy::Never],
            "a Job's pods must run to completion",
        );
    }

    let indexed = completion_mode == Some("Indexed");
    // SetDefaults_Job: with neither completions nor parallelism set, completions is 1.
    let default_completions = completions_node.is_none() && parallelism_node.is_none();
    if indexed {
        // A Job is defaulted before it is validated; a job template is validated as written.
        if completions_node.is_none() && (in_cron_job || !default_completions) {
            ctx.field("completions").error(
                mode_node.map_or(node.pos, |n| n.pos),
                "required when completionMode is Indexed",
            );
        }
        if let (Some(p), Some(n)) = (parallelism, parallelism_node) {
            if p > MAX_PARALLELISM_INDEXED {
                ctx.field("parallelism").error(
                    n.pos,
                    format!(
                        "must be less than or equal to {MAX_PARALLELISM_INDEXED} when completionMode \
                         is Indexed, found {p}"
                    ),
                );
            }
        }
    }
    // A job template gets the Job defaults its jobs will get when created.
    let completions = if default_completions {
        Some(1)
    } else {
        completions
    };
    Some(JobSpec {
        parallelism: parallelism.and_then(|p| i32::try_from(p).ok()).unwrap_or(1),
        completions: completions.and_then(|c| i32::try_from(c).ok()),
        // With per-index limits the global limit is off (MaxInt32) unless set.
        backoff_limit: backoff_limit.unwrap_or(if per_index { i32::MAX } else { 6 }),
        active_deadline_seconds,
        completion_mode: if indexed {
            CompletionMode::Indexed
        } else {
            CompletionMode::NonIndexed
        },
        ttl_seconds_after_finished: ttl,
        suspend: suspend.unwrap_or(false),
        selector,
        template: template?,
    })
}

fn decode_cron_job_spec(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
) -> Option<CronJobSpec> {
    let mut m = MapReader::new(ctx, node)?;
    let schedule = m.req(ctx, "schedule").and_then(|n| {
        let mut c = ctx.field("schedule");
        let text = c.str(n)?;
        if text.is_empty() {
            c.error(n.pos, "required field `schedule` is empty");
            return None;
        }
        if text.contains("TZ") {
            // Upstream refuses TZ= and CRON_TZ= prefixes on new CronJobs.
            c.error(
                n.pos,
                "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
            );
            return None;
        }
        if let Err(e) = crate::controllers::cron::Schedule::parse(&text) {
            c.error(n.pos, e.to_string());
            return None;
        }
        Some(text)
    });
    if let Some(n) = m.opt("timeZone") {
        let mut c = ctx.field("timeZone");
        if let Some(tz) = c.str(n) {
            if tz.is_empty() {
                c.error(n.pos, "timeZone must be nil or non-empty string");
            } else if !TIME_ZONES.contains(&tz.as_str()) {
                c.error(
                    n.pos,
                    format!(
                        "time zone {tz:?} is not supported: kubesim's clock runs in UTC; expected one \
                         of: {}",
                        TIME_ZONES.join(", ")
                    ),
                );
            }
        }
    }
    let concurrency_policy = match opt_enum(
        ctx,
        &mut m,
        "concurrencyPolicy",
        &["Allow", "Forbid", "Replace"],
    ) {
        Some("Forbid") => ConcurrencyPolicy::Forbid,
        Some("Replace") => ConcurrencyPolicy::Replace,
        _ => ConcurrencyPolicy::Allow,
    };
    let (starting_deadline_seconds, _) =
        int_field(ctx, &mut m, "startingDeadlineSeconds", 0, i64::MAX);
    let suspend = bool_field(ctx, &mut m, "suspend");
    let successful = count_field(ctx, &mut m, "successfulJobsHistoryLimit");
    let failed = count_field(ctx, &mut m, "failedJobsHistoryLimit");
    let job = m
        .req(ctx, "jobTemplate")
        .and_then(|n| decode_job_template(&mut ctx.field("jobTemplate"), n, names, warnings));
    m.finish(ctx, CRON_JOB_SPEC_FIELDS);
    let (job_metadata, job_template) = job?;
    Some(CronJobSpec {
        schedule: schedule?,
        concurrency_policy,
        starting_deadline_seconds,
        suspend: suspend.unwrap_or(false),
        // SetDefaults_CronJob.
        successful_jobs_history_limit: successful.unwrap_or(3),
        failed_jobs_history_limit: failed.unwrap_or(1),
        job_template,
        job_metadata,
    })
}

/// A CronJob's `jobTemplate` (`JobTemplateSpec`): the labels and annotations its jobs
/// get, and their spec.
fn decode_job_template(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
) -> Option<(ObjectMeta, JobSpec)> {
    let mut m = MapReader::new(ctx, node)?;
    let metadata = m
        .opt("metadata")
        .map(|n| decode_metadata(&mut ctx.field("metadata"), n, true, false))
        .unwrap_or_default();
    let spec = m
        .req(ctx, "spec")
        .and_then(|n| decode_job_spec(&mut ctx.field("spec"), n, names, warnings, true));
    m.finish(ctx, TEMPLATE_FIELDS);
    let metadata = ObjectMeta {
        labels: metadata.labels,
        annotations: metadata.annotations,
        ..Default::default()
    };
    Some((metadata, spec?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::manifest::{decode_objects, Objects};
    use crate::scenario::yaml::{parse_documents, Diagnostics};

    struct Decoded {
        objects: Objects,
        errors: Vec<String>,
        warnings: Vec<String>,
    }

    fn decode(text: &str) -> Decoded {
        let docs =
            parse_documents("test.yaml", text).unwrap_or_else(|e| panic!("parse failed: {e}"));
        let mut sink = Vec::new();
        let mut warnings = Vec::new();
        let mut names = ResourceNames::default();
        let objects = decode_objects(
            &mut Ctx::new("test.yaml", &mut sink),
            &docs,
            &mut names,
            &mut warnings,
        );
        let lines =
            |d: Vec<Diagnostic>| Diagnostics::new(d).iter().map(|d| d.to_string()).collect();
        Decoded {
            objects,
            errors: lines(sink),
            warnings: lines(warnings),
        }
    }

    /// Decodes text that must be free of errors and warnings.
    fn workloads_ok(text: &str) -> Vec<Workload> {
        let d = decode(text);
        assert!(d.errors.is_empty(), "unexpected errors: {:#?}", d.errors);
        assert!(
            d.warnings.is_empty(),
            "unexpected warnings: {:#?}",
            d.warnings
        );
        assert!(d.objects.pods.is_empty() && d.objects.nodes.is_empty());
        d.objects.workloads
    }

    fn one(text: &str) -> Workload {
        let mut w = workloads_ok(text);
        assert_eq!(w.len(), 1);
        w.remove(0)
    }

    fn errors(text: &str) -> Vec<String> {
        let d = decode(text);
        assert!(d.objects.workloads.is_empty(), "decoded despite errors");
        d.errors
    }

    // The examples of kubernetes.io (Concepts > Workloads), verbatim.
    const NGINX_DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  labels:
    app: nginx
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports:
        - containerPort: 80
";

    const PI_JOB: &str = "apiVersion: batch/v1
kind: Job
metadata:
  name: pi
spec:
  template:
    spec:
      containers:
      - name: pi
        image: perl:5.34.0
        command: [\"perl\",  \"-Mbignum=bpi\", \"-wle\", \"print bpi(2000)\"]
      restartPolicy: Never
  backoffLimit: 4
";

    const HELLO_CRON_JOB: &str = "apiVersion: batch/v1
kind: CronJob
metadata:
  name: hello
spec:
  schedule: \"* * * * *\"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: hello
            image: busybox:1.28
            imagePullPolicy: IfNotPresent
            command:
            - /bin/sh
            - -c
            - date; echo Hello from the Kubernetes cluster
          restartPolicy: OnFailure
";

    const FLUENTD_DAEMON_SET: &str = "apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: fluentd-elasticsearch
  namespace: kube-system
  labels:
    k8s-app: fluentd-logging
spec:
  selector:
    matchLabels:
      name: fluentd-elasticsearch
  template:
    metadata:
      labels:
        name: fluentd-elasticsearch
    spec:
      tolerations:
      # these tolerations are to have the daemonset runnable on control plane nodes
      # remove them if your control plane nodes should not run pods
      - key: node-role.kubernetes.io/control-plane
        operator: Exists
        effect: NoSchedule
      - key: node-role.kubernetes.io/master
        operator: Exists
        effect: NoSchedule
      containers:
      - name: fluentd-elasticsearch
        image: quay.io/fluentd_elasticsearch/fluentd:v2.5.2
        resources:
          limits:
            memory: 200Mi
          requests:
            cpu: 100m
            memory: 200Mi
        volumeMounts:
        - name: varlog
          mountPath: /var/log
      # it may be desirable to set a high priority class to ensure that a DaemonSet Pod
      # preempts running Pods
      # priorityClassName: important
      terminationGracePeriodSeconds: 30
      volumes:
      - name: varlog
        hostPath:
          path: /var/log
";

    const FRONTEND_REPLICA_SET: &str = "apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: frontend
  labels:
    app: guestbook
    tier: frontend
spec:
  # modify replicas according to your case
  replicas: 3
  selector:
    matchLabels:
      tier: frontend
  template:
    metadata:
      labels:
        tier: frontend
    spec:
      containers:
      - name: php-redis
        image: us-docker.pkg.dev/google-samples/containers/gke/gb-frontend:v5
";

    #[test]
    fn kubernetes_io_examples_decode_unchanged_with_defaults() {
        let text = [
            NGINX_DEPLOYMENT,
            PI_JOB,
            HELLO_CRON_JOB,
            FLUENTD_DAEMON_SET,
            FRONTEND_REPLICA_SET,
        ]
        .join("---\n");
        let w = workloads_ok(&text);
        let kinds: Vec<&str> = w.iter().map(|w| w.spec.kind()).collect();
        assert_eq!(
            kinds,
            ["Deployment", "Job", "CronJob", "DaemonSet", "ReplicaSet"]
        );

        let WorkloadSpec::Deployment(d) = &w[0].spec else {
            panic!("not a Deployment")
        };
        assert_eq!(
            (
                w[0].metadata.name.as_str(),
                w[0].metadata.namespace.as_str()
            ),
            ("nginx-deployment", "default")
        );
        assert_eq!(d.replicas, 3);
        assert_eq!(d.selector.match_labels["app"], "nginx");
        assert_eq!(d.template.metadata.labels["app"], "nginx");
        assert_eq!(d.template.spec.containers[0].image, "nginx:1.14.2");
        assert_eq!(d.template.spec.restart_policy, RestartPolicy::Always);
        assert_eq!(
            d.strategy,
            DeploymentStrategy::RollingUpdate {
                max_surge: IntOrPercent::Percent(25),
                max_unavailable: IntOrPercent::Percent(25),
            }
        );
        assert_eq!(
            (
                d.min_ready_seconds,
                d.revision_history_limit,
                d.progress_deadline_seconds,
                d.paused
            ),
            (0, 10, 600, false)
        );

        let WorkloadSpec::Job(j) = &w[1].spec else {
            panic!("not a Job")
        };
        assert_eq!(w[1].metadata.name, "pi");
        assert_eq!(
            (j.parallelism, j.completions, j.backoff_limit),
            (1, Some(1), 4)
        );
        assert_eq!(j.completion_mode, CompletionMode::NonIndexed);
        assert_eq!(j.template.spec.restart_policy, RestartPolicy::Never);
        assert_eq!(j.template.spec.containers[0].image, "perl:5.34.0");
        assert_eq!(
            (
                j.active_deadline_seconds,
                j.ttl_seconds_after_finished,
                j.suspend
            ),
            (None, None, false)
        );
        assert!(j.selector.is_none());

        let WorkloadSpec::CronJob(c) = &w[2].spec else {
            panic!("not a CronJob")
        };
        assert_eq!(c.schedule, "* * * * *");
        assert_eq!(c.concurrency_policy, ConcurrencyPolicy::Allow);
        assert_eq!(
            (
                c.successful_jobs_history_limit,
                c.failed_jobs_history_limit,
                c.suspend,
                c.starting_deadline_seconds
            ),
            (3, 1, false, None)
        );
        let jt = &c.job_template;
        assert_eq!(jt.template.spec.restart_policy, RestartPolicy::OnFailure);
        assert_eq!(jt.template.spec.containers[0].image, "busybox:1.28");
        assert_eq!(
            (jt.parallelism, jt.completions, jt.backoff_limit),
            (1, Some(1), 6)
        );

        let WorkloadSpec::DaemonSet(ds) = &w[3].spec else {
            panic!("not a DaemonSet")
        };
        assert_eq!(w[3].metadata.namespace, "kube-system");
        assert_eq!(w[3].metadata.labels["k8s-app"], "fluentd-logging");
        assert_eq!(
            ds.update_strategy,
            DaemonSetUpdateStrategy::RollingUpdate {
                max_unavailable: IntOrPercent::Int(1),
                max_surge: IntOrPercent::Int(0),
            }
        );
        let spec = &ds.template.spec;
        assert_eq!(spec.tolerations.len(), 2);
        assert_eq!(spec.termination_grace_period_s, 30);
        let c0 = &spec.containers[0];
        assert_eq!(c0.requests.cpu_millis, 100);
        assert_eq!(c0.requests.memory_bytes, 200 * 1024 * 1024);
        assert_eq!(c0.limits.memory_bytes, 200 * 1024 * 1024);

        let WorkloadSpec::ReplicaSet(rs) = &w[4].spec else {
            panic!("not a ReplicaSet")
        };
        assert_eq!(w[4].metadata.labels.len(), 2);
        assert_eq!((rs.replicas, rs.min_ready_seconds), (3, 0));
        assert_eq!(rs.selector.match_labels["tier"], "frontend");
    }

    #[test]
    fn defaults_apply_when_fields_are_absent() {
        let rs = one(
            "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: r}\nspec:\n  \
             selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    \
             spec: {containers: [{name: c, image: i}]}\n",
        );
        let WorkloadSpec::ReplicaSet(s) = &rs.spec else {
            panic!("not a ReplicaSet")
        };
        assert_eq!(s.replicas, 1);
        // A Job takes its template's labels, and with only parallelism set has no
        // completions (a work queue).
        let job = one(
            "apiVersion: batch/v1\nkind: Job\nmetadata: {name: q}\nspec:\n  parallelism: 4\n  \
             template:\n    metadata: {labels: {app: q}}\n    spec:\n      restartPolicy: OnFailure\n      \
             containers: [{name: c, image: i}]\n",
        );
        assert_eq!(job.metadata.labels["app"], "q");
        let WorkloadSpec::Job(j) = &job.spec else {
            panic!("not a Job")
        };
        assert_eq!((j.parallelism, j.completions), (4, None));
    }

    #[test]
    fn server_fields_and_status_are_accepted() {
        let d = one("apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  uid: 0b9c6a36-7e0f-4f4e-a7f4-1e1e1e1e1e1e
  resourceVersion: \"42\"
  generation: 3
  creationTimestamp: \"2024-01-01T00:00:00Z\"
  annotations:
    deployment.kubernetes.io/revision: \"2\"
spec:
  progressDeadlineSeconds: 900
  replicas: 2
  revisionHistoryLimit: 5
  selector:
    matchExpressions:
    - {key: app, operator: In, values: [web]}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 1, maxUnavailable: \"0%\"}
  template:
    metadata:
      creationTimestamp: null
      labels: {app: web}
      annotations: {kubesim.io/run-time: 5m}
    spec:
      containers:
      - {name: web, image: nginx, terminationMessagePath: /dev/termination-log}
      dnsPolicy: ClusterFirst
      restartPolicy: Always
      schedulerName: default-scheduler
      securityContext: {}
status:
  availableReplicas: 2
  observedGeneration: 3
");
        assert_eq!(d.metadata.namespace, "shop");
        let WorkloadSpec::Deployment(s) = &d.spec else {
            panic!("not a Deployment")
        };
        assert_eq!(
            s.strategy,
            DeploymentStrategy::RollingUpdate {
                max_surge: IntOrPercent::Int(1),
                max_unavailable: IntOrPercent::Percent(0),
            }
        );
        assert_eq!(
            (s.progress_deadline_seconds, s.revision_history_limit),
            (900, 5)
        );
        assert_eq!(s.template.metadata.annotations["kubesim.io/run-time"], "5m");
    }

    #[test]
    fn selector_must_match_template_labels() {
        assert_eq!(
            errors(&NGINX_DEPLOYMENT.replace("        app: nginx\n    spec", "        app: web\n    spec")),
            ["test.yaml:15:9: spec.template.metadata.labels: `selector` does not match template \
              `labels` (selector: app=nginx; labels: app=web); the pods it creates must be selected by it"]
        );
        // An empty selector would select every pod; upstream says "for deployment".
        assert_eq!(
            errors(&NGINX_DEPLOYMENT.replace("    matchLabels:\n      app: nginx\n", "    {}\n")),
            ["test.yaml:10:5: spec.selector: empty selector is invalid for deployment; it would \
              select every pod in the namespace"]
        );
    }

    #[test]
    fn job_counts_must_not_be_negative() {
        assert_eq!(
            errors(&PI_JOB.replace(
                "  backoffLimit: 4\n",
                "  backoffLimit: 4\n  completions: -1\n"
            )),
            ["test.yaml:14:16: spec.completions: expected an integer of at least 0, found -1"]
        );
    }

    #[test]
    fn cron_schedules_are_validated_where_written() {
        let errs = errors(&HELLO_CRON_JOB.replace("\"* * * * *\"", "\"61 * * * *\""));
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0].starts_with("test.yaml:6:13: spec.schedule: "),
            "{errs:?}"
        );
        assert_eq!(
            errors(
                &HELLO_CRON_JOB
                    .replace("  schedule:", "  timeZone: Europe/Paris\n  concurrencyPolicy: Forbidden\n  schedule:")
            ),
            [
                "test.yaml:6:13: spec.timeZone: time zone \"Europe/Paris\" is not supported: \
                 kubesim's clock runs in UTC; expected one of: UTC, Etc/UTC",
                "test.yaml:7:22: spec.concurrencyPolicy: unknown value \"Forbidden\" (did you mean \
                 `Forbid`?); expected one of: Allow, Forbid, Replace",
            ]
        );
        assert_eq!(
            errors(&HELLO_CRON_JOB.replace("\"* * * * *\"", "\"CRON_TZ=UTC * * * * *\"")),
            ["test.yaml:6:13: spec.schedule: cannot use TZ or CRON_TZ in schedule, use timeZone \
              field instead"]
        );
    }

    #[test]
    fn job_pods_must_not_restart_always() {
        assert_eq!(
            errors(&PI_JOB.replace("restartPolicy: Never", "restartPolicy: Always")),
            [
                "test.yaml:12:22: spec.template.spec.restartPolicy: unsupported value \"Always\": \
              supported values: \"OnFailure\", \"Never\"; a Job's pods must run to completion"
            ]
        );
        // Upstream requires it to be set: the Pod default is Always.
        assert_eq!(
            errors(&PI_JOB.replace("      restartPolicy: Never\n", "")),
            ["test.yaml:8:7: spec.template.spec.restartPolicy: unsupported value \"Always\" (the \
              default when restartPolicy is not set): supported values: \"OnFailure\", \"Never\"; \
              a Job's pods must run to completion"]
        );
        // And the other way round for controllers that keep pods running.
        assert_eq!(
            errors(
                &FRONTEND_REPLICA_SET
                    .replace("    spec:\n", "    spec:\n      restartPolicy: Never\n")
            ),
            [
                "test.yaml:19:22: spec.template.spec.restartPolicy: unsupported value \"Never\": \
              supported values: \"Always\"; a ReplicaSet keeps its pods running"
            ]
        );
    }

    #[test]
    fn rolling_updates_must_be_able_to_progress() {
        let zero = NGINX_DEPLOYMENT.replace(
            "  replicas: 3\n",
            "  replicas: 3\n  strategy:\n    rollingUpdate:\n      maxSurge: 0\n      maxUnavailable: 0%\n",
        );
        assert_eq!(
            errors(&zero),
            [
                "test.yaml:12:23: spec.strategy.rollingUpdate.maxUnavailable: may not be 0 when \
              `maxSurge` is 0"
            ]
        );
        let recreate = NGINX_DEPLOYMENT.replace(
            "  replicas: 3\n",
            "  replicas: 3\n  strategy:\n    type: Recreate\n    rollingUpdate: {maxSurge: 1}\n  \
             minReadySeconds: 700\n",
        );
        assert_eq!(
            errors(&recreate),
            [
                "test.yaml:11:20: spec.strategy.rollingUpdate: may not be specified when strategy \
                 `type` is 'Recreate'",
                "test.yaml:12:20: spec.minReadySeconds: must be less than progressDeadlineSeconds \
                 (600 when not set), found 700",
            ]
        );
        let ds = FLUENTD_DAEMON_SET.replace(
            "spec:\n  selector:",
            "spec:\n  updateStrategy:\n    rollingUpdate: {maxSurge: 1, maxUnavailable: 150%}\n  selector:",
        );
        assert_eq!(
            errors(&ds),
            [
                "test.yaml:10:31: spec.updateStrategy.rollingUpdate.maxSurge: may not be set when \
                 maxUnavailable is non-zero",
                "test.yaml:10:50: spec.updateStrategy.rollingUpdate.maxUnavailable: must not be \
                 greater than 100%, found \"150%\"",
            ]
        );
        let ds = FLUENTD_DAEMON_SET.replace(
            "spec:\n  selector:",
            "spec:\n  updateStrategy: {rollingUpdate: {maxUnavailable: 0}}\n  selector:",
        );
        assert_eq!(
            errors(&ds),
            ["test.yaml:9:52: spec.updateStrategy.rollingUpdate.maxUnavailable: cannot be 0 when \
              maxSurge is 0"]
        );
    }

    #[test]
    fn int_or_percent() {
        let docs = parse_documents(
            "t.yaml",
            "[3, \"25%\", 0%, -1, \"3\", 1.5, \"x%\", 99999999999]",
        )
        .unwrap();
        let Value::Seq(items) = &docs[0].value else {
            panic!("not a list")
        };
        let mut sink = Vec::new();
        let mut ctx = Ctx::new("t.yaml", &mut sink);
        let got: Vec<Option<IntOrPercent>> = items
            .iter()
            .map(|n| decode_int_or_percent(&mut ctx, n))
            .collect();
        assert_eq!(
            got,
            [
                Some(IntOrPercent::Int(3)),
                Some(IntOrPercent::Percent(25)),
                Some(IntOrPercent::Percent(0)),
                None,
                None,
                None,
                None,
                None
            ]
        );
        assert_eq!(
            sink.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
            [
                "t.yaml:1:16: expected an integer of at least 0 or a percentage, found -1",
                "t.yaml:1:20: expected a percentage (digits followed by '%', e.g. \"25%\") or an \
                 integer (write a number without quotes), found a string \"3\"",
                "t.yaml:1:25: expected an integer or a percentage (such as 1 or \"25%\"), found a \
                 number 1.5",
                "t.yaml:1:30: expected a percentage (digits followed by '%', e.g. \"25%\") or an \
                 integer, found a string \"x%\"",
                "t.yaml:1:36: expected an integer of at most 2147483647, found 99999999999",
            ]
        );
    }

    #[test]
    fn unknown_fields_are_errors_with_suggestions() {
        assert_eq!(
            errors(&NGINX_DEPLOYMENT.replace("  replicas: 3", "  replica: 3")),
            ["test.yaml:8:3: spec: unknown field `replica` (did you mean `replicas`?); expected \
              one of: replicas, selector, template, strategy, minReadySeconds, revisionHistoryLimit, \
              progressDeadlineSeconds, paused"]
        );
        assert_eq!(
            errors(&PI_JOB.replace("  backoffLimit: 4", "  backofLimit: 4")),
            ["test.yaml:13:3: spec: unknown field `backofLimit` (did you mean `backoffLimit`?); \
              expected one of: parallelism, completions, backoffLimit, activeDeadlineSeconds, \
              completionMode, ttlSecondsAfterFinished, suspend, selector, manualSelector, template, \
              podFailurePolicy, successPolicy, backoffLimitPerIndex, maxFailedIndexes, \
              podReplacementPolicy, managedBy"]
        );
    }

    #[test]
    fn job_rules() {
        // Unmodelled retry policies are accepted with a warning.
        let d = decode(&PI_JOB.replace(
            "  backoffLimit: 4\n",
            "  backoffLimit: 4\n  podFailurePolicy:\n    rules:\n    - action: Ignore\n      \
             onPodConditions: [{type: DisruptionTarget}]\n",
        ));
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(
            d.warnings,
            ["test.yaml:15:5: spec.podFailurePolicy: podFailurePolicy is not modelled yet and is \
              ignored"]
        );
        assert_eq!(d.objects.workloads.len(), 1);
        // Indexed needs completions unless defaulting supplies them; the selector must match.
        assert_eq!(
            errors(&PI_JOB.replace(
                "  backoffLimit: 4\n",
                "  backoffLimit: 4\n  parallelism: 2\n  completionMode: Indexed\n  \
                 activeDeadlineSeconds: -5\n  selector: {matchLabels: {a: b}}\n  manualSelector: true\n",
            )),
            [
                "test.yaml:7:5: spec.template.metadata.labels: `selector` does not match template \
                 `labels` (selector: a=b; labels: none); the pods it creates must be selected by it",
                "test.yaml:15:19: spec.completions: required when completionMode is Indexed",
                "test.yaml:16:26: spec.activeDeadlineSeconds: expected an integer of at least 0, \
                 found -5",
            ]
        );
        // A CronJob's jobs always get a generated selector.
        assert_eq!(
            errors(&HELLO_CRON_JOB.replace(
                "    spec:\n      template:",
                "    spec:\n      selector: {matchLabels: {a: b}}\n      template:",
            )),
            ["test.yaml:9:17: spec.jobTemplate.spec.selector: `selector` will be auto-generated; \
              remove it"]
        );
    }

    #[test]
    fn api_version_and_templates() {
        assert_eq!(
            errors(&NGINX_DEPLOYMENT.replace("apps/v1", "extensions/v1beta1")),
            ["test.yaml:1:13: apiVersion: expected apps/v1 (the apiVersion of kind Deployment), \
              found a string \"extensions/v1beta1\""]
        );
        let mut w = one(HELLO_CRON_JOB);
        let templates = templates_mut(&mut w);
        assert_eq!(templates.len(), 1);
        assert_eq!(templates[0].spec.containers[0].name, "hello");
    }

    #[test]
    fn names_must_leave_room_for_generated_ones() {
        let long = "a".repeat(53);
        assert_eq!(
            errors(&HELLO_CRON_JOB.replace("name: hello", &format!("name: {long}"))),
            [
                "test.yaml:4:9: metadata.name: must be no more than 52 characters (the jobs it \
              creates add an 11-character suffix), found 53"
            ]
        );
        let name = "b".repeat(62);
        assert_eq!(
            errors(&PI_JOB.replace("name: pi", &format!("name: {name}")).replace(
                "  backoffLimit: 4\n",
                "  backoffLimit: 4\n  completionMode: Indexed\n  completions: 10\n",
            )),
            [format!(
                "test.yaml:4:9: metadata.name: will not be able to create pods with the invalid \
                 DNS label \"{name}-9\" as hostname (an Indexed Job's pods are named <job name>-<index>, \
                 at most 63 characters)"
            )]
        );
    }

    #[test]
    fn templates_are_validated_like_pods() {
        let d = decode(&NGINX_DEPLOYMENT.replace(
            "      containers:",
            "      topologySpreadConstraints: [{maxSkew: 1}]\n      containers:",
        ));
        assert_eq!(
            d.errors,
            [
                "test.yaml:17:35: spec.template.spec.topologySpreadConstraints[0]: missing required field `topologyKey`",
                "test.yaml:17:35: spec.template.spec.topologySpreadConstraints[0]: missing required field `whenUnsatisfiable`",
            ]
        );
    }
}
