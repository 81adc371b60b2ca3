//! apps/v1 DaemonSet specs and their update strategy (`pkg/apis/apps/validation`,
//! `pkg/apis/apps/v1/defaults.go`, v1.32).

use super::*;

pub(super) fn decode_daemon_set_spec(
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
    m.finish(ctx);
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
    m.finish(ctx);
    if kind == Some("OnDelete") {
        // Upstream neither defaults nor validates rollingUpdate for OnDelete.
        return Some(DaemonSetUpdateStrategy::OnDelete);
    }
    let values = decode_rolling_update(&mut ctx.field("rollingUpdate"), rolling);
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
