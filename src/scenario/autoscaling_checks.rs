//! What the scenario's HorizontalPodAutoscalers and service loads must agree
//! on with the rest of it: their Deployments exist, one HPA and one load a
//! Deployment at most, and a `duration` (an HPA syncs for ever).

use crate::input::decode::Ctx;
use crate::input::diagnostic::Pos;
use crate::input::yaml::Node as Yaml;
use crate::model::autoscaling::{HorizontalPodAutoscaler, ServiceLoad};
use crate::model::workloads::{TimedWorkload, WorkloadSpec};
use std::path::Path;

fn has_deployment(workloads: &[TimedWorkload], namespace: &str, name: &str) -> bool {
    workloads.iter().any(|w| {
        matches!(w.workload.spec, WorkloadSpec::Deployment(_))
            && w.workload.metadata.namespace == namespace
            && w.workload.metadata.name == name
    })
}

/// `serviceLoads`: a list of loads, each on a Deployment of `workloads`.
pub fn decode_service_loads(
    ctx: &mut Ctx<'_>,
    list: Option<&Yaml>,
    base_dir: &Path,
    workloads: &[TimedWorkload],
    has_duration: bool,
) -> Vec<ServiceLoad> {
    let Some(list) = list else {
        return Vec::new();
    };
    let mut lctx = ctx.field("serviceLoads");
    if !has_duration {
        lctx.error(list.pos, "a service load needs the scenario's `duration`");
    }
    let mut out: Vec<ServiceLoad> = Vec::new();
    for (i, item) in lctx.seq(list).unwrap_or(&[]).iter().enumerate() {
        let mut ictx = lctx.index(i);
        let Some(load) = super::autoscaling::decode_service_load(&mut ictx, item, base_dir) else {
            continue;
        };
        if !has_deployment(workloads, &load.namespace, &load.deployment) {
            ictx.field("deployment").error(
                item.pos,
                format!(
                    "no Deployment {}/{} among the workloads",
                    load.namespace, load.deployment
                ),
            );
        }
        if (out.iter()).any(|o| o.namespace == load.namespace && o.deployment == load.deployment) {
            ictx.field("deployment").error(
                item.pos,
                format!(
                    "Deployment {}/{} already has a service load",
                    load.namespace, load.deployment
                ),
            );
        }
        out.push(load);
    }
    out
}

/// Each HPA's target exists, is scaled by one HPA only, and the run has a duration.
pub fn check_targets(
    ctx: &mut Ctx<'_>,
    pos: Pos,
    autoscalers: &[HorizontalPodAutoscaler],
    workloads: &[TimedWorkload],
    has_duration: bool,
) {
    let mut wctx = ctx.field("workloads");
    if !autoscalers.is_empty() && !has_duration {
        wctx.error(
            pos,
            "a HorizontalPodAutoscaler syncs every 15 s for as long as the run goes: give the scenario a `duration`",
        );
    }
    for (i, h) in autoscalers.iter().enumerate() {
        let name = format!("HorizontalPodAutoscaler {}/{}", h.namespace, h.name);
        if !has_deployment(workloads, &h.namespace, &h.target_name) {
            wctx.error(
                pos,
                format!(
                    "{name}: its scaleTargetRef names Deployment {}/{}, not among the workloads",
                    h.namespace, h.target_name
                ),
            );
        }
        for o in &autoscalers[..i] {
            if o.namespace == h.namespace && o.name == h.name {
                wctx.error(pos, format!("{name} is declared twice"));
            } else if o.namespace == h.namespace && o.target_name == h.target_name {
                wctx.error(
                    pos,
                    format!(
                        "{name} and {}/{} both scale Deployment {}/{}; one HPA per target",
                        o.namespace, o.name, h.namespace, h.target_name
                    ),
                );
            }
        }
    }
}
