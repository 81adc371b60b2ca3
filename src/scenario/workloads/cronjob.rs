//! batch/v1 CronJob specs: schedule, time zone, concurrency and history
//! (`pkg/apis/batch/validation`, v1.32).

use super::job::decode_job_template;
use super::*;

pub(super) fn decode_cron_job_spec(
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
    m.finish(ctx);
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
