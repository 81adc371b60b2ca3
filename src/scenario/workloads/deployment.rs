//! apps/v1 ReplicaSet and Deployment specs: selector, template, replicas,
//! minReadySeconds and the Deployment's strategy (`pkg/apis/apps/validation`,
//! `pkg/apis/apps/v1/defaults.go`, v1.32).

use super::*;

pub(super) fn decode_replica_set_spec(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
) -> Option<ReplicaSetSpec> {
    let mut m = MapReader::new(ctx, node)?;
    let replicas = count_field(ctx, &mut m, "replicas");
    let (selector, template) = decode_selected_template(ctx, &mut m, "ReplicaSet", names, warnings);
    let min_ready_seconds = count_field(ctx, &mut m, "minReadySeconds");
    m.finish(ctx);
    Some(ReplicaSetSpec {
        // SetDefaults_ReplicaSet.
        replicas: replicas.unwrap_or(1),
        selector: selector?,
        template: template?,
        min_ready_seconds: min_ready_seconds.unwrap_or(0),
    })
}

pub(super) fn decode_deployment_spec(
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
    m.finish(ctx);
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

/// Deployment `strategy` (`SetDefaults_Deployment`, `ValidateDeploymentStrategy`,
/// `ValidateRollingUpdateDeployment`).
fn decode_deployment_strategy(ctx: &mut Ctx<'_>, node: &Yaml) -> Option<DeploymentStrategy> {
    let mut m = MapReader::new(ctx, node)?;
    let kind = opt_enum(ctx, &mut m, "type", &["RollingUpdate", "Recreate"]);
    let rolling = m.opt("rollingUpdate");
    m.finish(ctx);
    if kind == Some("Recreate") {
        if let Some(r) = rolling {
            ctx.field("rollingUpdate").error(
                r.pos,
                "may not be specified when strategy `type` is 'Recreate'",
            );
        }
        return Some(DeploymentStrategy::Recreate);
    }
    let values = decode_rolling_update(&mut ctx.field("rollingUpdate"), rolling);
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
