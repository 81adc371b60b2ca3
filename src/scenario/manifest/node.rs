//! A Node manifest: spec (taints, unschedulable) and status (capacity, allocatable,
//! conditions, images), as `kubectl get node -o yaml` prints them.

use super::container::resource_list;
use super::meta::decode_metadata;
use super::taints::decode_taints;
use crate::input::decode::{check_type, Ctx, MapReader};
use crate::input::diagnostic::Diagnostic;
use crate::input::yaml::{Node as Yaml, Value};
use crate::model::node::{ContainerImage, DEFAULT_MAX_PODS, LABEL_HOSTNAME};
use crate::model::resources::{ResourceNames, Resources};
use crate::model::taints::Taint;

/// Decodes a Node manifest: `metadata.name` is required, resources come from
/// `status.capacity` and `status.allocatable`.
pub fn decode_node(
    ctx: &mut Ctx<'_>,
    doc: &Yaml,
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
) -> Option<crate::model::Node> {
    let errors_before = ctx.error_count();
    let mut m = MapReader::new(ctx, doc)?;
    check_type(ctx, &mut m, "Node", "v1");
    let metadata = m
        .req(ctx, "metadata")
        .map(|n| decode_metadata(&mut ctx.field("metadata"), n, false, true));
    let (taints, unschedulable) = match m.opt("spec") {
        Some(n) => decode_node_spec(&mut ctx.field("spec"), n),
        None => (Vec::new(), false),
    };
    let status = match m.opt("status") {
        Some(n) => decode_node_status(&mut ctx.field("status"), n, names),
        None => NodeStatus::default(),
    };
    m.finish(ctx);
    if ctx.error_count() > errors_before {
        return None;
    }
    let mut metadata = metadata?;
    if !status.has_capacity {
        let c = ctx.field("status");
        warnings.push(Diagnostic::new(
            c.file(),
            doc.pos,
            c.path(),
            "no status.capacity: the node offers no cpu, memory or other resources",
        ));
    }
    // The kubelet labels every node with its hostname; selectors and topology keys rely on it.
    if !metadata.labels.contains_key(LABEL_HOSTNAME) {
        metadata
            .labels
            .insert(LABEL_HOSTNAME.to_string(), metadata.name.clone());
    }
    Some(crate::model::Node {
        metadata,
        capacity: status.capacity,
        allocatable: status.allocatable,
        allocatable_pods: status.allocatable_pods,
        taints,
        unschedulable,
        ready: status.ready,
        images: status.images,
    })
}

const NODE_SPEC_IGNORED: &[&str] = &[
    "podCIDR",
    "podCIDRs",
    "providerID",
    "configSource",
    "externalID",
];
/// Reported by the kubelet; nothing kubesim simulates depends on them.
const NODE_STATUS_IGNORED: &[&str] = &[
    "addresses",
    "daemonEndpoints",
    "nodeInfo",
    "volumesInUse",
    "volumesAttached",
    "phase",
    "config",
    "runtimeHandlers",
    "features",
];
const CONDITION_IGNORED: &[&str] = &[
    "lastHeartbeatTime",
    "lastTransitionTime",
    "reason",
    "message",
];

/// Node `spec`: taints and `unschedulable`.
fn decode_node_spec(ctx: &mut Ctx<'_>, node: &Yaml) -> (Vec<Taint>, bool) {
    let Some(mut m) = MapReader::new(ctx, node) else {
        return (Vec::new(), false);
    };
    let taints = m
        .opt("taints")
        .map(|n| decode_taints(&mut ctx.field("taints"), n))
        .unwrap_or_default();
    let unschedulable = m
        .opt("unschedulable")
        .and_then(|n| ctx.field("unschedulable").bool(n))
        .unwrap_or(false);
    m.ignore(NODE_SPEC_IGNORED);
    m.finish(ctx);
    (taints, unschedulable)
}

/// What a Node's `status` says.
struct NodeStatus {
    capacity: Resources,
    allocatable: Resources,
    allocatable_pods: i64,
    ready: bool,
    has_capacity: bool,
    images: Vec<ContainerImage>,
}

impl Default for NodeStatus {
    fn default() -> Self {
        NodeStatus {
            capacity: Resources::default(),
            allocatable: Resources::default(),
            allocatable_pods: DEFAULT_MAX_PODS,
            ready: true,
            has_capacity: false,
            images: Vec::new(),
        }
    }
}

/// Node `status`: capacity, allocatable (each resource it omits defaults to the
/// capacity; pods to the capacity's, else the kubelet's default of 110) and the Ready
/// condition (ready when absent, as a node that reports nothing is assumed healthy).
fn decode_node_status(ctx: &mut Ctx<'_>, node: &Yaml, names: &mut ResourceNames) -> NodeStatus {
    let mut status = NodeStatus::default();
    let Some(mut m) = MapReader::new(ctx, node) else {
        return status;
    };
    let capacity = m
        .opt("capacity")
        .and_then(|n| resource_list(&mut ctx.field("capacity"), n, names, true));
    let allocatable = m
        .opt("allocatable")
        .and_then(|n| resource_list(&mut ctx.field("allocatable"), n, names, true));
    if let Some(n) = m.opt("conditions") {
        status.ready = decode_conditions(&mut ctx.field("conditions"), n);
    }
    if let Some(n) = m.opt("images") {
        status.images = decode_images(&mut ctx.field("images"), n);
    }
    m.ignore(NODE_STATUS_IGNORED);
    m.finish(ctx);
    status.has_capacity = capacity.is_some();
    let capacity_pods = capacity.as_ref().and_then(|c| c.pods);
    status.capacity = capacity.map(|c| c.resources).unwrap_or_default();
    status.allocatable = status.capacity;
    status.allocatable_pods = capacity_pods.unwrap_or(DEFAULT_MAX_PODS);
    if let Some(a) = allocatable {
        for q in &a.entries {
            q.name.set(&mut status.allocatable, q.value);
        }
        if let Some(p) = a.pods {
            status.allocatable_pods = p;
        }
    }
    status
}

/// `status.images`: `[{names: [...], sizeBytes: n}]`, as `kubectl get node -o yaml` prints them.
fn decode_images(ctx: &mut Ctx<'_>, node: &Yaml) -> Vec<ContainerImage> {
    let mut out = Vec::new();
    for (i, item) in ctx.seq(node).unwrap_or(&[]).iter().enumerate() {
        let mut ic = ctx.index(i);
        let Some(mut m) = MapReader::new(&mut ic, item) else {
            continue;
        };
        let names: Vec<String> = m
            .req(&mut ic, "names")
            .map(|n| {
                let mut c = ic.field("names");
                let items = c.seq(n).unwrap_or(&[]);
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(k, s)| c.index(k).str(s))
                    .collect()
            })
            .unwrap_or_default();
        let size = m.opt("sizeBytes").and_then(|n| {
            let mut c = ic.field("sizeBytes");
            let v = c.i64(n)?;
            if v < 0 {
                c.error(n.pos, format!("expected a size of at least 0, found {v}"));
                return None;
            }
            Some(v)
        });
        m.finish(&mut ic);
        out.push(ContainerImage {
            names,
            size_bytes: size.unwrap_or(0),
        });
    }
    out
}

/// Node conditions; returns whether the node is Ready (true when no Ready condition).
fn decode_conditions(ctx: &mut Ctx<'_>, node: &Yaml) -> bool {
    let mut ready = true;
    let Some(items) = ctx.seq(node) else {
        return ready;
    };
    for (i, item) in items.iter().enumerate() {
        let mut c = ctx.index(i);
        let Some(mut m) = MapReader::new(&mut c, item) else {
            continue;
        };
        let kind = m.req(&mut c, "type").and_then(|n| c.field("type").str(n));
        let status = m.req(&mut c, "status");
        m.ignore(CONDITION_IGNORED);
        m.finish(&mut c);
        if kind.as_deref() != Some("Ready") {
            continue;
        }
        if let Some(n) = status {
            // `status: True` unquoted is a YAML boolean; read it as the string it means.
            let value = match &n.value {
                Value::Bool(true) => Some("True"),
                Value::Bool(false) => Some("False"),
                _ => c.field("status").one_of(n, &["True", "False", "Unknown"]),
            };
            if let Some(v) = value {
                ready = v == "True";
            }
        }
    }
    ready
}
