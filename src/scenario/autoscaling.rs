//! Decoding `autoscaling/v2` HorizontalPodAutoscaler manifests, unchanged,
//! with upstream's defaults (`pkg/apis/autoscaling/v2/defaults.go`) and
//! validation (`pkg/apis/autoscaling/validation/validation.go`, v1.32), and
//! the scenario's `serviceLoads`.

use super::manifest::decode_metadata;
use crate::input::decode::{check_type, Ctx, MapReader};
use crate::input::yaml::Node as Yaml;
use crate::model::autoscaling::{
    HorizontalPodAutoscaler, MetricResource, MetricTarget, PolicyType, ResourceMetric,
    ScalingPolicy, ScalingRules, SelectPolicy, ServiceLoad,
};
use crate::model::quantity::parse_milli;
use std::path::Path;

/// Upstream's bounds: `MaxPeriodSeconds` and `MaxStabilizationWindowSeconds`.
const MAX_PERIOD_SECONDS: i64 = 1800;
const MAX_STABILIZATION_WINDOW_SECONDS: i64 = 3600;

pub fn decode_hpa(ctx: &mut Ctx<'_>, doc: &Yaml) -> Option<HorizontalPodAutoscaler> {
    let errors_before = ctx.error_count();
    let mut m = MapReader::new(ctx, doc)?;
    check_type(ctx, &mut m, "HorizontalPodAutoscaler", "autoscaling/v2");
    let metadata = m
        .req(ctx, "metadata")
        .map(|n| decode_metadata(&mut ctx.field("metadata"), n, true, true));
    let spec_node = m.req(ctx, "spec");
    m.ignore(&["status"]);
    m.finish(ctx);
    let spec_node = spec_node?;
    let mut sctx = ctx.field("spec");
    let mut s = MapReader::new(&mut sctx, spec_node)?;
    let target = s.req(&mut sctx, "scaleTargetRef").and_then(|n| {
        let mut c = sctx.field("scaleTargetRef");
        let mut r = MapReader::new(&mut c, n)?;
        let kind = r.req(&mut c, "kind").and_then(|k| {
            let mut kc = c.field("kind");
            kc.one_of(k, &["Deployment"])
        });
        let name = r.req(&mut c, "name").and_then(|v| c.field("name").str(v));
        r.ignore(&["apiVersion"]);
        r.finish(&mut c);
        Some((kind?.to_string(), name?))
    });
    let min = match s.opt("minReplicas") {
        Some(n) => {
            let mut c = sctx.field("minReplicas");
            let v = c.i64(n)?;
            // 0 needs the HPAScaleToZero gate, alpha and off in v1.32.
            if !(1..=i64::from(i32::MAX)).contains(&v) {
                c.error(
                    n.pos,
                    format!("must be greater than or equal to 1, found {v}"),
                );
                None
            } else {
                Some(v as i32)
            }
        }
        None => Some(1),
    };
    let max = s.req(&mut sctx, "maxReplicas").and_then(|n| {
        let mut c = sctx.field("maxReplicas");
        let v = c.i64(n)?;
        if v < 1 || v > i64::from(i32::MAX) || min.is_some_and(|m| v < i64::from(m)) {
            c.error(
                n.pos,
                format!("must be greater than or equal to 1 and to `minReplicas`, found {v}"),
            );
            return None;
        }
        Some(v as i32)
    });
    let metrics = match s.opt("metrics") {
        Some(n) => {
            let mut c = sctx.field("metrics");
            let items = c.seq(n).unwrap_or(&[]);
            (items.iter().enumerate())
                .filter_map(|(i, item)| decode_metric(&mut c.index(i), item))
                .collect()
        }
        // `SetDefaults_HorizontalPodAutoscaler`: 80 % of the cpu request.
        None => vec![ResourceMetric {
            resource: MetricResource::Cpu,
            target: MetricTarget::Utilization(80),
        }],
    };
    let (up, down) = match s.opt("behavior") {
        Some(n) => {
            let mut c = sctx.field("behavior");
            let mut b = MapReader::new(&mut c, n)?;
            let up = b
                .opt("scaleUp")
                .map_or(Some(ScalingRules::default_scale_up()), |n| {
                    decode_rules(&mut c.field("scaleUp"), n, ScalingRules::default_scale_up())
                });
            let down = b
                .opt("scaleDown")
                .map_or(Some(ScalingRules::default_scale_down()), |n| {
                    decode_rules(
                        &mut c.field("scaleDown"),
                        n,
                        ScalingRules::default_scale_down(),
                    )
                });
            b.finish(&mut c);
            (up, down)
        }
        None => (
            Some(ScalingRules::default_scale_up()),
            Some(ScalingRules::default_scale_down()),
        ),
    };
    s.finish(&mut sctx);
    if ctx.error_count() > errors_before {
        return None;
    }
    let metadata = metadata?;
    let (target_kind, target_name) = target?;
    Some(HorizontalPodAutoscaler {
        namespace: metadata.namespace,
        name: metadata.name,
        target_kind,
        target_name,
        min_replicas: min?,
        max_replicas: max?,
        metrics,
        scale_up: up?,
        scale_down: down?,
    })
}

/// A `metrics` item: `type: Resource` with cpu or memory.
fn decode_metric(ctx: &mut Ctx<'_>, node: &Yaml) -> Option<ResourceMetric> {
    let mut m = MapReader::new(ctx, node)?;
    let kind = m.req(ctx, "type").and_then(|n| {
        let mut c = ctx.field("type");
        let k = c.str(n)?;
        if k != "Resource" {
            c.error(
                n.pos,
                format!("metric type {k:?} is not supported; kubesim reads Resource metrics (cpu, memory)"),
            );
            return None;
        }
        Some(k)
    });
    let resource = m.opt("resource");
    m.finish(ctx);
    kind?;
    let Some(resource) = resource else {
        ctx.error(node.pos, "a Resource metric needs `resource`");
        return None;
    };
    let mut rctx = ctx.field("resource");
    let mut r = MapReader::new(&mut rctx, resource)?;
    let name = r.req(&mut rctx, "name").and_then(|n| {
        match rctx.field("name").one_of(n, &["cpu", "memory"])? {
            "cpu" => Some(MetricResource::Cpu),
            _ => Some(MetricResource::Memory),
        }
    });
    let target = r.req(&mut rctx, "target").and_then(|n| {
        let mut c = rctx.field("target");
        let mut t = MapReader::new(&mut c, n)?;
        let kind = t
            .req(&mut c, "type")
            .and_then(|k| c.field("type").one_of(k, &["Utilization", "AverageValue"]));
        let utilization = t.opt("averageUtilization");
        let average = t.opt("averageValue");
        let pos = t.pos();
        t.finish(&mut c);
        match (kind?, utilization, average) {
            ("Utilization", Some(u), None) => {
                let mut uc = c.field("averageUtilization");
                let v = uc.i64(u)?;
                if !(1..=i64::from(i32::MAX)).contains(&v) {
                    uc.error(u.pos, format!("must be greater than 0, found {v}"));
                    return None;
                }
                Some(MetricTarget::Utilization(v as i32))
            }
            ("AverageValue", None, Some(a)) => {
                let mut ac = c.field("averageValue");
                let text = ac.scalar_string(a)?;
                match parse_milli(&text) {
                    Ok(v) if v > 0 => Some(MetricTarget::AverageValue(v)),
                    Ok(_) => {
                        ac.error(a.pos, format!("must be positive, found {text:?}"));
                        None
                    }
                    Err(e) => {
                        ac.error(a.pos, format!("expected a quantity, found {text:?}: {e}"));
                        None
                    }
                }
            }
            (k, ..) => {
                let field = if k == "Utilization" { "averageUtilization" } else { "averageValue" };
                c.error(pos, format!("a {k} target takes `{field}` and nothing else of averageUtilization, averageValue, value"));
                None
            }
        }
    });
    r.finish(&mut rctx);
    Some(ResourceMetric {
        resource: name?,
        target: target?,
    })
}

/// `scaleUp` or `scaleDown`, each field defaulting as upstream does.
fn decode_rules(ctx: &mut Ctx<'_>, node: &Yaml, defaults: ScalingRules) -> Option<ScalingRules> {
    let mut m = MapReader::new(ctx, node)?;
    let window = match m.opt("stabilizationWindowSeconds") {
        Some(n) => {
            let mut c = ctx.field("stabilizationWindowSeconds");
            let v = c.i64(n)?;
            if !(0..=MAX_STABILIZATION_WINDOW_SECONDS).contains(&v) {
                c.error(
                    n.pos,
                    format!("must be from 0 to {MAX_STABILIZATION_WINDOW_SECONDS}, found {v}"),
                );
                return None;
            }
            v as i32
        }
        None => defaults.stabilization_window_seconds,
    };
    let select = match m.opt("selectPolicy") {
        Some(n) => match ctx
            .field("selectPolicy")
            .one_of(n, &["Max", "Min", "Disabled"])?
        {
            "Max" => SelectPolicy::Max,
            "Min" => SelectPolicy::Min,
            _ => SelectPolicy::Disabled,
        },
        None => SelectPolicy::Max,
    };
    let policies = match m.opt("policies") {
        Some(n) => {
            let mut c = ctx.field("policies");
            let items = c.seq(n)?;
            if items.is_empty() && select != SelectPolicy::Disabled {
                c.error(n.pos, "must specify at least one Policy");
                return None;
            }
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                out.push(decode_policy(&mut c.index(i), item)?);
            }
            out
        }
        None => defaults.policies,
    };
    m.finish(ctx);
    Some(ScalingRules {
        stabilization_window_seconds: window,
        select_policy: select,
        policies,
    })
}

fn decode_policy(ctx: &mut Ctx<'_>, node: &Yaml) -> Option<ScalingPolicy> {
    let mut m = MapReader::new(ctx, node)?;
    let kind = m.req(ctx, "type").and_then(|n| {
        Some(match ctx.field("type").one_of(n, &["Pods", "Percent"])? {
            "Pods" => PolicyType::Pods,
            _ => PolicyType::Percent,
        })
    });
    let value = m.req(ctx, "value").and_then(|n| {
        let mut c = ctx.field("value");
        let v = c.i64(n)?;
        if !(1..=i64::from(i32::MAX)).contains(&v) {
            c.error(n.pos, format!("must be greater than zero, found {v}"));
            return None;
        }
        Some(v as i32)
    });
    let period = m.req(ctx, "periodSeconds").and_then(|n| {
        let mut c = ctx.field("periodSeconds");
        let v = c.i64(n)?;
        if !(1..=MAX_PERIOD_SECONDS).contains(&v) {
            c.error(
                n.pos,
                format!("must be from 1 to {MAX_PERIOD_SECONDS}, found {v}"),
            );
            return None;
        }
        Some(v as i32)
    });
    m.finish(ctx);
    Some(ScalingPolicy {
        kind: kind?,
        value: value?,
        period_seconds: period?,
    })
}

/// A `serviceLoads` item.
pub fn decode_service_load(ctx: &mut Ctx<'_>, node: &Yaml, base_dir: &Path) -> Option<ServiceLoad> {
    let mut m = MapReader::new(ctx, node)?;
    let deployment = m
        .req(ctx, "deployment")
        .and_then(|n| ctx.field("deployment").str(n));
    let namespace = match m.opt("namespace") {
        Some(n) => ctx.field("namespace").str(n),
        None => Some("default".to_string()),
    };
    let rate = m
        .req(ctx, "rate")
        .and_then(|n| super::profile::decode(&mut ctx.field("rate"), n, base_dir));
    let mut quantity = |ctx: &mut Ctx<'_>, key: &'static str, cpu: bool| -> Option<f64> {
        let Some(n) = m.opt(key) else {
            return Some(0.0);
        };
        let mut c = ctx.field(key);
        let text = c.scalar_string(n)?;
        // Millicores for cpu; bytes for memory (its milli-value ÷ 1000).
        match parse_milli(&text) {
            Ok(v) if v >= 0 => Some(if cpu { v as f64 } else { v as f64 / 1000.0 }),
            _ => {
                c.error(
                    n.pos,
                    format!("expected a quantity of at least 0, found {text:?}"),
                );
                None
            }
        }
    };
    let cpu_per_request = quantity(ctx, "cpuPerRequest", true);
    let memory_per_request = quantity(ctx, "memoryPerRequest", false);
    let base_cpu = quantity(ctx, "baseCpu", true);
    let base_memory = quantity(ctx, "baseMemory", false);
    m.finish(ctx);
    Some(ServiceLoad {
        namespace: namespace?,
        deployment: deployment?,
        rate: std::sync::Arc::new(rate?),
        cpu_per_request_milli: cpu_per_request?,
        memory_per_request: memory_per_request?,
        base_cpu_milli: base_cpu?,
        base_memory: base_memory?,
    })
}
