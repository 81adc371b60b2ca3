//! apps/v1 StatefulSet specs (`pkg/apis/apps/validation/validation.go`
//! `ValidateStatefulSetSpec`, `pkg/apis/apps/v1/defaults.go`
//! `SetDefaults_StatefulSet`, v1.32).
//!
//! Storage is out of scope: `volumeClaimTemplates` and
//! `persistentVolumeClaimRetentionPolicy` are accepted with a warning, and
//! `serviceName` (the governing Service, which gives pods their DNS names) is
//! accepted without one because it changes nothing kubesim models.

use super::*;
use crate::model::workloads::{PodManagementPolicy, StatefulSetSpec, StatefulSetUpdateStrategy};

/// Fields whose effect kubesim does not simulate; each gets a warning.
const STATEFUL_SET_UNMODELLED: &[&str] = &[
    "volumeClaimTemplates",
    "persistentVolumeClaimRetentionPolicy",
];

pub(super) fn decode_stateful_set_spec(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
) -> Option<StatefulSetSpec> {
    let mut m = MapReader::new(ctx, node)?;
    let replicas = count_field(ctx, &mut m, "replicas");
    let (selector, template) =
        decode_selected_template(ctx, &mut m, "StatefulSet", names, warnings);
    let policy = opt_enum(
        ctx,
        &mut m,
        "podManagementPolicy",
        &["OrderedReady", "Parallel"],
    );
    let update_strategy = match m.opt("updateStrategy") {
        Some(n) => decode_update_strategy(&mut ctx.field("updateStrategy"), n, warnings),
        None => Some(StatefulSetUpdateStrategy::RollingUpdate { partition: 0 }),
    };
    let min_ready_seconds = count_field(ctx, &mut m, "minReadySeconds");
    // Validated as upstream, but kubesim keeps no revision history.
    let _ = count_field(ctx, &mut m, "revisionHistoryLimit");
    if let Some(n) = m.opt("serviceName") {
        ctx.field("serviceName").str(n);
    }
    let ordinals_start = m.opt("ordinals").and_then(|n| {
        let mut c = ctx.field("ordinals");
        let mut om = MapReader::new(&mut c, n)?;
        let start = count_field(&mut c, &mut om, "start");
        om.finish(&mut c);
        start
    });
    for key in STATEFUL_SET_UNMODELLED {
        if let Some(n) = m.opt(key) {
            warn_unmodelled(ctx, warnings, key, n);
        }
    }
    m.finish(ctx);
    Some(StatefulSetSpec {
        replicas: replicas.unwrap_or(1),
        selector: selector?,
        template: template?,
        pod_management_policy: match policy {
            Some("Parallel") => PodManagementPolicy::Parallel,
            _ => PodManagementPolicy::OrderedReady,
        },
        update_strategy: update_strategy?,
        min_ready_seconds: min_ready_seconds.unwrap_or(0),
        ordinals_start: ordinals_start.unwrap_or(0),
    })
}

/// `updateStrategy` (`ValidateStatefulSetUpdateStrategy`): `rollingUpdate`
/// only with type RollingUpdate; `partition` at least 0 (default 0).
fn decode_update_strategy(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    warnings: &mut Vec<Diagnostic>,
) -> Option<StatefulSetUpdateStrategy> {
    let mut m = MapReader::new(ctx, node)?;
    let kind = opt_enum(ctx, &mut m, "type", &["RollingUpdate", "OnDelete"]);
    let rolling = m.opt("rollingUpdate");
    m.finish(ctx);
    if kind == Some("OnDelete") {
        if let Some(r) = rolling {
            ctx.field("rollingUpdate")
                .error(r.pos, "only allowed for updateStrategy 'RollingUpdate'");
            return None;
        }
        return Some(StatefulSetUpdateStrategy::OnDelete);
    }
    let mut partition = 0;
    if let Some(r) = rolling {
        let mut rctx = ctx.field("rollingUpdate");
        let mut rm = MapReader::new(&mut rctx, r)?;
        partition = count_field(&mut rctx, &mut rm, "partition").unwrap_or(0);
        if let Some(n) = rm.opt("maxUnavailable") {
            // The MaxUnavailableStatefulSet gate is alpha and off by default in
            // v1.32 (beta only from v1.35): the API server drops the field
            // (`dropStatefulSetDisabledFields`), so pods roll one at a time.
            let c = rctx.field("maxUnavailable");
            warnings.push(Diagnostic::new(
                c.file(),
                n.pos,
                c.path(),
                "maxUnavailable needs the MaxUnavailableStatefulSet feature gate, which is off \
                 by default in Kubernetes v1.32; it is ignored and pods are updated one at a time"
                    .to_string(),
            ));
        }
        rm.finish(&mut rctx);
    }
    Some(StatefulSetUpdateStrategy::RollingUpdate { partition })
}
