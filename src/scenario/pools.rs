//! Node pools: `count` identical nodes from one declaration, named
//! `<name>-<i>`, zones assigned round robin. The scenario's `nodePools` and
//! the `addNodes` action read them.

use super::manifest;
use crate::input::decode::{Ctx, MapReader};
use crate::input::yaml::Node as Yaml;
use crate::limits::MAX_NODES;
use crate::model::meta::ObjectMeta;
use crate::model::node::{Node, DEFAULT_MAX_PODS, LABEL_HOSTNAME, LABEL_TOPOLOGY_ZONE};
use crate::model::ResourceNames;

/// A node pool: `count` identical nodes named `<name>-<i>`, zones assigned round robin.
pub struct NodePool {
    pub name: String,
    pub count: u64,
    /// Every node of the pool but for its name, hostname and zone.
    pub template: Node,
    pub zones: Vec<String>,
}

impl NodePool {
    /// The pool's `i`-th node.
    pub fn node(&self, i: u64) -> Node {
        let mut node = self.template.clone();
        let name = format!("{}-{i}", self.name);
        let labels = &mut node.metadata.labels;
        labels
            .entry(LABEL_HOSTNAME.to_string())
            .or_insert_with(|| name.clone());
        node.metadata.name = name;
        if !self.zones.is_empty() {
            labels.insert(
                LABEL_TOPOLOGY_ZONE.to_string(),
                self.zones[i as usize % self.zones.len()].clone(),
            );
        }
        node
    }
}

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
    })
}
