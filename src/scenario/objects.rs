//! The objects of a manifest file or an inline list, dispatched on their
//! `kind` to the decoder of that kind: Pod and Node (`manifest`), the
//! workloads, Service, PriorityClass and PodDisruptionBudget, and `kind:
//! List` (as `kubectl get … -o yaml` writes) whose items are Pods or Nodes.

use super::manifest::{decode_node, decode_pod, NameSite};
use crate::input::decode::{check_type, did_you_mean, Ctx, MapReader};
use crate::input::diagnostic::Diagnostic;
use crate::input::yaml::{Node as Yaml, Value};
use crate::model::{Pod, ResourceNames};

/// Objects decoded from manifests.
#[derive(Clone, Debug, Default)]
pub struct Objects {
    pub pods: Vec<Pod>,
    /// Where each of `pods` is named, for the checks made once every
    /// object is decoded (a name used twice).
    pub pod_sites: Vec<NameSite>,
    /// The start times a snapshot shows for each of `pods` running in it.
    pub snapshot_times: Vec<Option<super::snapshot::SnapshotTimes>>,
    pub nodes: Vec<crate::model::Node>,
    /// Where each of `nodes` is named.
    pub node_sites: Vec<NameSite>,
    pub workloads: Vec<crate::model::workloads::Workload>,
    pub priority_classes: Vec<crate::model::policy::PriorityClass>,
    pub pdbs: Vec<crate::model::policy::PodDisruptionBudget>,
    pub autoscalers: Vec<crate::model::autoscaling::HorizontalPodAutoscaler>,
}

/// The kinds a manifest may have, for messages.
const SUPPORTED_KINDS: &str = "Pod, Node, List, Deployment, ReplicaSet, DaemonSet, StatefulSet, \
     Job, CronJob, \
     Service, PriorityClass, PodDisruptionBudget, HorizontalPodAutoscaler";
const KINDS: &[&str] = &[
    "Service",
    "Pod",
    "Node",
    "List",
    "Deployment",
    "ReplicaSet",
    "DaemonSet",
    "StatefulSet",
    "Job",
    "CronJob",
    "PriorityClass",
    "PodDisruptionBudget",
    "HorizontalPodAutoscaler",
];
/// Real kinds a scenario is likely to contain that kubesim means to support; they get
/// "not supported yet" rather than a plain refusal.
const PLANNED_KINDS: &[&str] = &[];
/// List kinds read like `kind: List` (kubectl flattens any `*List` with `items`).
const LIST_KINDS: &[&str] = &["List", "PodList", "NodeList"];

/// Decodes a list of YAML documents (one file's documents, or inline manifests): each is
/// a Pod, a Node, or a `kind: List` (apiVersion v1) whose `items` are. Every problem is
/// recorded in `ctx`; objects with problems are left out of the result.
pub fn decode_objects(
    ctx: &mut Ctx<'_>,
    docs: &[Yaml],
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
) -> Objects {
    let mut out = Objects::default();
    for doc in docs {
        decode_object(ctx, doc, names, warnings, true, &mut out);
    }
    out
}

/// One object, dispatched on its kind; a List's items may not be Lists themselves.
fn decode_object(
    ctx: &mut Ctx<'_>,
    doc: &Yaml,
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
    list_allowed: bool,
    out: &mut Objects,
) {
    let Value::Map(entries) = &doc.value else {
        ctx.error(
            doc.pos,
            format!(
                "expected a Kubernetes object (a mapping with apiVersion and kind), found {}",
                doc.describe()
            ),
        );
        return;
    };
    let kind_node = entries
        .iter()
        .find(|(k, _)| k.as_str() == Some("kind"))
        .map(|(_, v)| v)
        .filter(|v| !v.is_null());
    let Some(kind_node) = kind_node else {
        ctx.error(
            doc.pos,
            format!("missing required field `kind`; supported kinds: {SUPPORTED_KINDS}"),
        );
        return;
    };
    let mut kctx = ctx.field("kind");
    let Some(kind) = kctx.str(kind_node) else {
        return;
    };
    match kind.as_str() {
        "Pod" => {
            if let Some(pod) = decode_pod(ctx, doc, names, warnings, true) {
                out.snapshot_times
                    .push(super::snapshot::decode_times(ctx, doc, &pod));
                out.pods.push(pod);
                out.pod_sites.push(NameSite::of_metadata_name(ctx, doc));
            }
        }
        "Node" => {
            if let Some(node) = decode_node(ctx, doc, names, warnings) {
                out.nodes.push(node);
                out.node_sites.push(NameSite::of_metadata_name(ctx, doc));
            }
        }
        "Service" => out
            .workloads
            .extend(super::service::decode_service(ctx, doc)),
        k @ ("Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet" | "Job" | "CronJob") => {
            out.workloads.extend(super::workloads::decode_workload(
                ctx, doc, k, names, warnings,
            ))
        }
        "PriorityClass" => out
            .priority_classes
            .extend(super::policy::decode_priority_class(ctx, doc)),
        "PodDisruptionBudget" => out
            .pdbs
            .extend(super::policy::decode_pod_disruption_budget(ctx, doc)),
        "HorizontalPodAutoscaler" => out
            .autoscalers
            .extend(super::autoscaling::decode_hpa(ctx, doc)),
        k if LIST_KINDS.contains(&k) => {
            if list_allowed {
                decode_list(ctx, doc, k, names, warnings, out);
            } else {
                kctx.error(
                    kind_node.pos,
                    "a List cannot be an item of a List; expected Pod or Node",
                );
            }
        }
        other => {
            let message = if PLANNED_KINDS.contains(&other) {
                format!("kind {other} is not supported yet; supported kinds: {SUPPORTED_KINDS}")
            } else {
                let hint = did_you_mean(other, KINDS)
                    .map(|k| format!(" (did you mean `{k}`?)"))
                    .unwrap_or_default();
                format!(
                    "kind {} is not supported{hint}; supported kinds: {SUPPORTED_KINDS}",
                    shown_name(other)
                )
            };
            kctx.error(kind_node.pos, message);
        }
    }
}

/// A name as it appears in a message: bare if it is a plain identifier, quoted otherwise
/// (so an empty or odd name is still visible).
fn shown_name(s: &str) -> String {
    use crate::input::quote::{quote_prefix, MAX_QUOTED_CHARS};
    if !s.is_empty() && s.len() <= MAX_QUOTED_CHARS && s.chars().all(|c| c.is_ascii_alphanumeric())
    {
        s.to_string()
    } else {
        quote_prefix(s, MAX_QUOTED_CHARS)
    }
}

/// `kind: List` (what `kubectl get -o yaml` prints for several objects).
fn decode_list(
    ctx: &mut Ctx<'_>,
    doc: &Yaml,
    kind: &str,
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
    out: &mut Objects,
) {
    let Some(mut m) = MapReader::new(ctx, doc) else {
        return;
    };
    check_type(ctx, &mut m, kind, "v1");
    // A List's metadata holds only server-side bookkeeping (resourceVersion).
    m.ignore(&["metadata"]);
    let items = m.opt("items");
    m.finish(ctx);
    if let Some(items) = items {
        let mut ictx = ctx.field("items");
        for (i, item) in ictx.seq(items).unwrap_or(&[]).iter().enumerate() {
            decode_object(&mut ictx.index(i), item, names, warnings, false, out);
        }
    }
}
