//! The `autoscaler:` section: cluster-autoscaler 1.32's flags under their
//! names in camelCase (`--scale-down-unneeded-time` is
//! `scaleDownUnneededTime`), each defaulting as upstream does.

use crate::autoscaler::{AutoscalerOptions, Expander};
use crate::engine::SimDuration;
use crate::input::decode::{Ctx, MapReader};
use crate::input::yaml::Node as Yaml;

pub(super) fn decode(ctx: &mut Ctx, n: &Yaml) -> AutoscalerOptions {
    let mut o = AutoscalerOptions::default();
    let Some(mut m) = MapReader::new(ctx, n) else {
        return o;
    };
    let duration = |m: &mut MapReader, ctx: &mut Ctx, name: &'static str, positive: bool| {
        let v = m.opt(name)?;
        let mut c = ctx.field(name);
        let d = c.duration(v)?;
        if positive && d == SimDuration::ZERO {
            c.error(v.pos, "expected a duration above 0, found 0s");
            return None;
        }
        Some(d)
    };
    // `release`: whose defaults the flags not given take. Only the expander's
    // differs between 1.32 (random) and 1.33 (least-waste,
    // `config/flags/flags.go`); the other defaults are the same.
    if let Some(v) = m.opt("release") {
        let mut c = ctx.field("release");
        match c.scalar_string(v).as_deref() {
            Some("1.32") => {}
            Some("1.33") => o.expanders = vec![Expander::LeastWaste],
            Some(other) => c.error(
                v.pos,
                format!(
                    "expected a cluster-autoscaler release, \"1.32\" or \"1.33\", found {other:?}"
                ),
            ),
            None => {}
        }
    }
    if let Some(d) = duration(&mut m, ctx, "scanInterval", true) {
        o.scan_interval = d;
    }
    if let Some(v) = m.opt("expander") {
        let mut c = ctx.field("expander");
        if let Some(text) = c.str(v) {
            // As the flag: names separated by commas, applied in turn.
            let mut chain = Vec::new();
            for name in text.split(',').map(str::trim) {
                match Expander::parse(name) {
                    Some(e) => chain.push(e),
                    None => c.error(
                        v.pos,
                        format!(
                            "expected expander names separated by commas, each one of {}, \
                             found {name:?}",
                            Expander::NAMES.join(", ")
                        ),
                    ),
                }
            }
            if !chain.is_empty() {
                o.expanders = chain;
            }
        }
    }
    if let Some(v) = m.opt("maxNodesTotal") {
        o.max_nodes_total = ctx.field("maxNodesTotal").u64(v).unwrap_or(0);
    }
    if let Some(d) = duration(&mut m, ctx, "maxNodeProvisionTime", true) {
        o.max_node_provision_time = d;
    }
    if let Some(v) = m.opt("scaleDownEnabled") {
        o.scale_down_enabled = ctx.field("scaleDownEnabled").bool(v).unwrap_or(true);
    }
    if let Some(v) = m.opt("scaleDownUtilizationThreshold") {
        let mut c = ctx.field("scaleDownUtilizationThreshold");
        match c.f64(v) {
            Some(x) if (0.0..=1.0).contains(&x) => o.scale_down_utilization_threshold = x,
            Some(x) => c.error(v.pos, format!("expected a ratio from 0 to 1, found {x}")),
            None => {}
        }
    }
    if let Some(d) = duration(&mut m, ctx, "scaleDownUnneededTime", false) {
        o.scale_down_unneeded_time = d;
    }
    if let Some(d) = duration(&mut m, ctx, "scaleDownDelayAfterAdd", false) {
        o.scale_down_delay_after_add = d;
    }
    if let Some(d) = duration(&mut m, ctx, "scaleDownDelayAfterDelete", false) {
        o.scale_down_delay_after_delete = d;
    }
    if let Some(d) = duration(&mut m, ctx, "scaleDownDelayAfterFailure", false) {
        o.scale_down_delay_after_failure = d;
    }
    if let Some(v) = m.opt("maxGracefulTerminationSec") {
        let mut c = ctx.field("maxGracefulTerminationSec");
        if let Some(x) = c.u64(v) {
            o.max_graceful_termination_sec = x.min(i64::MAX as u64) as i64;
        }
    }
    if let Some(d) = duration(&mut m, ctx, "maxPodEvictionTime", false) {
        o.max_pod_eviction_time = d;
    }
    if let Some(d) = duration(&mut m, ctx, "unremovableNodeRecheckTimeout", false) {
        o.unremovable_node_recheck_timeout = d;
    }
    if let Some(v) = m.opt("skipNodesWithSystemPods") {
        o.skip_nodes_with_system_pods =
            ctx.field("skipNodesWithSystemPods").bool(v).unwrap_or(true);
    }
    m.finish(ctx);
    o
}
