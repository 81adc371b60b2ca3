//! Node pools: `count` identical nodes from one declaration, named
//! `<name>-<i>`, zones assigned round robin. The scenario's `nodePools` and
//! the `addNodes` action read them.

use super::manifest;
use crate::autoscaler::{CapacityType, GroupAutoscaling};
use crate::engine::distribution::Distribution;
use crate::engine::SimDuration;
use crate::input::decode::{Ctx, MapReader};
use crate::input::yaml::Node as Yaml;
use crate::limits::MAX_NODES;
use crate::model::meta::ObjectMeta;
use crate::model::node::{Node, DEFAULT_MAX_PODS};
use crate::model::ResourceNames;

/// A node pool: `count` identical nodes named `<name>-<i>`, zones assigned
/// round robin, with its price and autoscaling if it has them.
pub use crate::autoscaler::NodeGroup as NodePool;

/// `room`: how many more nodes the scenario may hold ([`MAX_NODES`] in all).
pub(super) fn decode_pool(
    ctx: &mut Ctx,
    pool: &Yaml,
    names: &mut ResourceNames,
    room: u64,
) -> Option<NodePool> {
    let mut m = MapReader::new(ctx, pool)?;
    let name_node = m.req(ctx, "name");
    let name = name_node.and_then(|n| ctx.field("name").str(n));
    let count = m.req(ctx, "count").and_then(|n| {
        let mut c = ctx.field("count");
        let v = c.u64(n)?;
        if v > room {
            c.error(
                n.pos,
                format!(
                    "expected at most {room} nodes (a scenario holds at most {MAX_NODES} nodes in \
                     all), found {v}"
                ),
            );
            return None;
        }
        Some(v)
    });
    let capacity = m
        .req(ctx, "capacity")
        .and_then(|n| manifest::decode_resource_list(&mut ctx.field("capacity"), n, names, true));
    let allocatable = m.opt("allocatable").and_then(|n| {
        manifest::decode_resource_list(&mut ctx.field("allocatable"), n, names, true)
    });
    let labels = m
        .opt("labels")
        .map(|n| manifest::decode_labels(&mut ctx.field("labels"), n))
        .unwrap_or_default();
    let taints = m
        .opt("taints")
        .map(|n| manifest::decode_taints(&mut ctx.field("taints"), n))
        .unwrap_or_default();
    let zones: Vec<String> = match m.opt("zones") {
        Some(n) => {
            let mut zctx = ctx.field("zones");
            let items = zctx.seq(n).unwrap_or(&[]);
            items
                .iter()
                .enumerate()
                .filter_map(|(i, z)| zctx.index(i).scalar_string(z))
                .collect()
        }
        None => Vec::new(),
    };
    let unschedulable = m
        .opt("unschedulable")
        .and_then(|n| ctx.field("unschedulable").bool(n))
        .unwrap_or(false);
    let price_per_hour = m.opt("pricePerHour").and_then(|n| {
        let mut c = ctx.field("pricePerHour");
        let v = c.f64(n)?;
        if !(v.is_finite() && v >= 0.0) {
            c.error(n.pos, format!("expected a price of 0 or more, found {v}"));
            return None;
        }
        Some(v)
    });
    let capacity_type = m
        .opt("capacityType")
        .and_then(|n| {
            let mut c = ctx.field("capacityType");
            let s = c.str(n)?;
            CapacityType::parse(&s).or_else(|| {
                c.error(
                    n.pos,
                    format!("expected \"on-demand\" or \"spot\", found {s:?}"),
                );
                None
            })
        })
        .unwrap_or_default();
    let autoscaling = m
        .opt("autoscaling")
        .and_then(|n| decode_autoscaling(&mut ctx.field("autoscaling"), n, count));
    m.finish(ctx);
    // The nodes are named `<name>-<i>`: each must be a valid node name
    // (upstream `ValidateNodeName`, a DNS-1123 subdomain), the last the longest.
    let name = name.filter(|name| {
        let last = format!("{name}-{}", count.unwrap_or(1).saturating_sub(1));
        let valid = manifest::is_dns1123_subdomain(&last);
        if !valid {
            let n = name_node.expect("the name was read");
            ctx.field("name").error(
                n.pos,
                format!(
                    "expected a name that makes valid node names `<name>-<index>` (lowercase \
                     RFC 1123 subdomains: at most 253 lowercase letters, digits, '-' and '.', \
                     e.g. \"general\"), found {}",
                    n.describe()
                ),
            );
        }
        valid
    });
    let (Some(name), Some(count), Some((capacity, capacity_pods))) = (name, count, capacity) else {
        return None;
    };
    let (allocatable, allocatable_pods) = match allocatable {
        Some((a, pods)) => (a, pods.or(capacity_pods)),
        None => (capacity, capacity_pods),
    };
    if !allocatable.fits_within(&capacity) {
        ctx.field("allocatable")
            .error(pool.pos, "allocatable must not exceed capacity");
    }
    let template = Node {
        metadata: ObjectMeta {
            labels,
            ..Default::default()
        },
        capacity,
        allocatable,
        allocatable_pods: allocatable_pods.unwrap_or(DEFAULT_MAX_PODS),
        taints,
        unschedulable,
        ready: true,
        images: vec![],
    };
    Some(NodePool {
        name,
        count,
        template,
        zones,
        price_per_hour,
        capacity_type,
        autoscaling,
    })
}

/// `autoscaling: {minSize, maxSize, provisioningTime, priority}`; the pool's
/// `count` is its size at the start and must lie within the limits.
fn decode_autoscaling(ctx: &mut Ctx, n: &Yaml, count: Option<u64>) -> Option<GroupAutoscaling> {
    let mut m = MapReader::new(ctx, n)?;
    let min = m
        .opt("minSize")
        .and_then(|v| ctx.field("minSize").u64(v))
        .unwrap_or(0);
    let max_node = m.req(ctx, "maxSize");
    let max = max_node.and_then(|v| {
        let mut c = ctx.field("maxSize");
        let x = c.u64(v)?;
        if x > MAX_NODES {
            c.error(
                v.pos,
                format!("expected at most {MAX_NODES} nodes (the most a run holds), found {x}"),
            );
            return None;
        }
        Some(x)
    });
    let provisioning_time = match m.opt("provisioningTime") {
        Some(v) => super::images::distribution(&mut ctx.field("provisioningTime"), v)?,
        None => Distribution::Constant(DEFAULT_PROVISIONING_TIME),
    };
    let priority = m
        .opt("priority")
        .and_then(|v| ctx.field("priority").i64(v))
        .unwrap_or(0);
    m.finish(ctx);
    let max = max?;
    if let (Some(count), Some(v)) = (count, max_node) {
        if !(min <= count && count <= max) {
            ctx.error(
                v.pos,
                format!(
                    "expected minSize <= count <= maxSize, found minSize {min}, count {count}, \
                     maxSize {max}"
                ),
            );
            return None;
        }
    }
    Some(GroupAutoscaling {
        min,
        max,
        provisioning_time,
        priority,
    })
}

/// A node's time from the scale-up request to Ready when the pool does not
/// say: about what cloud providers take to boot and register a VM.
pub const DEFAULT_PROVISIONING_TIME: SimDuration = SimDuration(60_000_000);
