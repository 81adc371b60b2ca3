//! batch/v1 Job specs, also as a CronJob's job template (`pkg/apis/batch/validation`,
//! `pkg/apis/batch/v1/defaults.go`, v1.32).

use super::*;

/// A Job's spec, or a CronJob's `jobTemplate.spec` (`in_cron_job`), with
/// `SetDefaults_Job` applied (to a template that happens when its jobs are created).
pub(super) fn decode_job_spec(
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
    let selector_node = m.opt("selector");
    let manual_node = m.opt("manualSelector");
    let manual_selector = bool_field(ctx, &mut m, "manualSelector");
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
    m.finish(ctx);

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

/// A CronJob's `jobTemplate` (`JobTemplateSpec`): the labels and annotations its jobs
/// get, and their spec.
pub(super) fn decode_job_template(
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
    m.finish(ctx);
    let metadata = ObjectMeta {
        labels: metadata.labels,
        annotations: metadata.annotations,
        ..Default::default()
    };
    Some((metadata, spec?))
}
