//! Kubernetes manifests inside scenarios: decoding Pod, Node and `kind: List`
//! documents (as written for `kubectl apply` or printed by `kubectl get -o yaml`)
//! from the spanned YAML tree into model objects, applying the API server's
//! validation and defaulting (Kubernetes v1.32: `pkg/apis/core/validation/validation.go`,
//! `pkg/apis/core/v1/defaults.go`).
//!
//! Real manifests must run unchanged, so every field of the real API that kubesim does
//! not model is accepted and ignored, or, where ignoring it changes where pods land,
//! accepted with a warning. Any other key is an error with a "did you mean" hint, because
//! a misspelt optional field would otherwise silently fall back to its default.
//!
//! Nothing here stops at the first problem: each decoder records everything it finds in
//! the context's sink and carries on, and an object is returned only if decoding it
//! recorded no error, so a half-valid object never reaches a run.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::yaml::{check_type, Ctx, Diagnostic, MapReader, Node as Yaml, Pos, Value};
use crate::model::affinity::{Affinity, NodeAffinity, NodeSelectorTerm, PreferredSchedulingTerm};
pub(crate) use crate::model::labels::{is_dns1123_label, is_dns1123_subdomain};
use crate::model::labels::{
    validate_label_key, validate_label_value, LabelSelector, Labels, Operator, Requirement,
};
use crate::model::meta::{ObjectMeta, OwnerReference};
use crate::model::node::{DEFAULT_MAX_PODS, LABEL_HOSTNAME};
use crate::model::pod::{
    Container, ImagePullPolicy, PodSpec, RestartPolicy, DEFAULT_SCHEDULER_NAME,
    DEFAULT_TERMINATION_GRACE_PERIOD_S,
};
use crate::model::quantity::{parse_milli, parse_units};
use crate::model::resources::{ResourceName, ResourceNames, Resources};
use crate::model::taints::{Taint, TaintEffect, Toleration, TolerationOperator};
use crate::model::Pod;

/// Where a name is written (file, position, field path): problems found
/// after decoding, such as a name used twice, are reported there.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NameSite {
    pub file: String,
    pub pos: Pos,
    pub field: String,
}

impl NameSite {
    /// The `key` field of the mapping `node`, or the mapping itself if it has none.
    pub fn of_field(ctx: &mut Ctx<'_>, node: &Yaml, key: &str) -> Self {
        let entry = match &node.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        };
        let c = ctx.field(key);
        NameSite {
            file: c.file().to_string(),
            pos: entry.map_or(node.pos, |v| v.pos),
            field: c.path(),
        }
    }

    /// An object's `metadata.name`.
    pub fn of_metadata_name(ctx: &mut Ctx<'_>, doc: &Yaml) -> Self {
        let metadata = match &doc.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.as_str() == Some("metadata"))
                .map(|(_, v)| v),
            _ => None,
        };
        NameSite::of_field(&mut ctx.field("metadata"), metadata.unwrap_or(doc), "name")
    }

    /// `file:line:column` for messages that point at another site.
    pub fn at(&self) -> String {
        format!("{}:{}:{}", self.file, self.pos.line, self.pos.column)
    }

    pub fn error(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.file.clone(), self.pos, self.field.clone(), message)
    }
}

const OBJECT_FIELDS: &[&str] = &["apiVersion", "kind", "metadata", "spec", "status"];

const META_FIELDS: &[&str] = &[
    "name",
    "generateName",
    "namespace",
    "labels",
    "annotations",
    "ownerReferences",
];
/// Set by the API server; present in `kubectl get -o yaml` output and meaningless here.
const META_SERVER_FIELDS: &[&str] = &[
    "uid",
    "resourceVersion",
    "creationTimestamp",
    "generation",
    "managedFields",
    "finalizers",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
];
const OWNER_FIELDS: &[&str] = &["kind", "name", "controller"];
const OWNER_IGNORED: &[&str] = &["apiVersion", "uid", "blockOwnerDeletion"];

const POD_SPEC_FIELDS: &[&str] = &[
    "containers",
    "initContainers",
    "nodeSelector",
    "nodeName",
    "affinity",
    "tolerations",
    "priority",
    "priorityClassName",
    "schedulerName",
    "restartPolicy",
    "terminationGracePeriodSeconds",
    "overhead",
    "topologySpreadConstraints",
];
/// Real PodSpec fields that do not affect what kubesim simulates.
const POD_SPEC_IGNORED: &[&str] = &[
    "volumes",
    "serviceAccountName",
    "serviceAccount",
    "automountServiceAccountToken",
    "securityContext",
    "dnsPolicy",
    "dnsConfig",
    "hostNetwork",
    "hostPID",
    "hostIPC",
    "imagePullSecrets",
    "enableServiceLinks",
    "hostname",
    "subdomain",
    "readinessGates",
    "runtimeClassName",
    "shareProcessNamespace",
    "setHostnameAsFQDN",
    "os",
    "hostAliases",
    "ephemeralContainers",
    "activeDeadlineSeconds",
    "preemptionPolicy",
    "resourceClaims",
    "schedulingGates",
];
const CONTAINER_FIELDS: &[&str] = &[
    "name",
    "image",
    "resources",
    "imagePullPolicy",
    "restartPolicy",
];
/// Real Container fields that do not affect what kubesim simulates.
const CONTAINER_IGNORED: &[&str] = &[
    "command",
    "args",
    "workingDir",
    "ports",
    "env",
    "envFrom",
    "volumeMounts",
    "volumeDevices",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "lifecycle",
    "terminationMessagePath",
    "terminationMessagePolicy",
    "securityContext",
    "stdin",
    "stdinOnce",
    "tty",
    "resizePolicy",
];
/// `claims` names DRA resource claims, which kubesim does not model.
const RESOURCES_FIELDS: &[&str] = &["requests", "limits", "claims"];
const AFFINITY_FIELDS: &[&str] = &["nodeAffinity", "podAffinity", "podAntiAffinity"];
const REQUIRED_TERMS: &str = "requiredDuringSchedulingIgnoredDuringExecution";
const PREFERRED_TERMS: &str = "preferredDuringSchedulingIgnoredDuringExecution";
const TOLERATION_FIELDS: &[&str] = &["key", "operator", "value", "effect", "tolerationSeconds"];
/// `timeAdded` is set by the node lifecycle controller on NoExecute taints.
const TAINT_FIELDS: &[&str] = &["key", "value", "effect", "timeAdded"];
const TAINT_EFFECTS: &[&str] = &["NoSchedule", "PreferNoSchedule", "NoExecute"];
const REQUIREMENT_FIELDS: &[&str] = &["key", "operator", "values"];

const NODE_SPEC_FIELDS: &[&str] = &["taints", "unschedulable"];
const NODE_SPEC_IGNORED: &[&str] = &[
    "podCIDR",
    "podCIDRs",
    "providerID",
    "configSource",
    "externalID",
];
const NODE_STATUS_FIELDS: &[&str] = &["capacity", "allocatable", "conditions", "images"];
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
const CONDITION_FIELDS: &[&str] = &["type", "status"];
const CONDITION_IGNORED: &[&str] = &[
    "lastHeartbeatTime",
    "lastTransitionTime",
    "reason",
    "message",
];

/// Upstream `TotalAnnotationSizeLimitB` (apimachinery `ValidateAnnotations`).
const ANNOTATIONS_MAX_BYTES: usize = 256 * 1024;

/// Decodes a Pod manifest. `name_required` is false for templates, whose pods get
/// generated names; then `metadata` and its `name` may be absent.
pub fn decode_pod(
    ctx: &mut Ctx<'_>,
    doc: &Yaml,
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
    name_required: bool,
) -> Option<Pod> {
    let errors_before = ctx.error_count();
    let mut m = MapReader::new(ctx, doc)?;
    check_type(ctx, &mut m, "Pod", "v1");
    let metadata = match m.opt("metadata") {
        Some(n) => decode_metadata(&mut ctx.field("metadata"), n, true, name_required),
        None => {
            if name_required {
                ctx.error(
                    m.pos(),
                    "missing required field `metadata` (with the pod's name)",
                );
            }
            ObjectMeta {
                namespace: "default".to_string(),
                ..Default::default()
            }
        }
    };
    let spec = m
        .req(ctx, "spec")
        .and_then(|n| decode_pod_spec(&mut ctx.field("spec"), n, names, warnings));
    // Status is what the kubelet and scheduler report; a simulated pod starts afresh.
    m.ignore(&["status"]);
    m.finish(ctx, OBJECT_FIELDS);
    if ctx.error_count() > errors_before {
        return None;
    }
    Some(Pod::new(metadata, Arc::new(spec?)))
}

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
    m.finish(ctx, OBJECT_FIELDS);
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

/// `metadata` of a Pod (`namespaced`) or a Node. Problems are recorded; the result holds
/// whatever decoded.
pub(crate) fn decode_metadata(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    namespaced: bool,
    name_required: bool,
) -> ObjectMeta {
    let mut meta = ObjectMeta {
        namespace: if namespaced { "default" } else { "" }.to_string(),
        ..Default::default()
    };
    let Some(mut m) = MapReader::new(ctx, node) else {
        return meta;
    };
    let has_name = m.has("name");
    if let Some(n) = m.opt("name") {
        let mut c = ctx.field("name");
        if let Some(s) = c.str(n) {
            // ValidatePodName / ValidateNodeName: NameIsDNSSubdomain.
            check_dns_subdomain(&mut c, n, &s, false);
            meta.name = s;
        }
    }
    let generate_name = m.opt("generateName").and_then(|n| {
        let mut c = ctx.field("generateName");
        let s = c.str(n)?;
        // As a prefix the name may end in '-' (upstream masks the trailing dash).
        check_dns_subdomain(&mut c, n, &s, true);
        Some(s)
    });
    if !has_name && name_required {
        let note = if generate_name.is_some() {
            " (generateName is not supported here: give the object a fixed name)"
        } else {
            ""
        };
        ctx.error(m.pos(), format!("missing required field `name`{note}"));
    }
    if let Some(n) = m.opt("namespace") {
        let mut c = ctx.field("namespace");
        if let Some(s) = c.str(n) {
            if namespaced {
                // Empty means the default namespace, as for `kubectl apply`.
                if !s.is_empty() {
                    // ValidateNamespaceName: a DNS-1123 label.
                    check_dns_label(&mut c, n, &s);
                    meta.namespace = s;
                }
            } else if !s.is_empty() {
                c.error(
                    n.pos,
                    format!(
                        "a Node is cluster-scoped and has no namespace, found {}",
                        n.describe()
                    ),
                );
            }
        }
    }
    if let Some(n) = m.opt("labels") {
        meta.labels = decode_labels(&mut ctx.field("labels"), n);
    }
    if let Some(n) = m.opt("annotations") {
        meta.annotations = decode_annotations(&mut ctx.field("annotations"), n);
    }
    if let Some(n) = m.opt("ownerReferences") {
        meta.owner_references = decode_owner_references(&mut ctx.field("ownerReferences"), n);
    }
    m.ignore(META_SERVER_FIELDS);
    m.finish(ctx, &[META_FIELDS, META_SERVER_FIELDS].concat());
    meta
}

/// Annotations: any text values; keys are qualified names, checked lowercased as
/// upstream `ValidateAnnotations` does, and the total size is bounded.
fn decode_annotations(ctx: &mut Ctx<'_>, node: &Yaml) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(entries) = ctx.string_map(node) else {
        return out;
    };
    let key_positions = key_positions(node);
    let mut total = 0usize;
    for (key, value, value_pos) in entries {
        if let Err(e) = validate_label_key(&key.to_lowercase()) {
            let pos = key_positions.get(&key).copied().unwrap_or(value_pos);
            ctx.field(&key).error(pos, e);
            continue;
        }
        total += key.len() + value.len();
        out.insert(key, value);
    }
    if total > ANNOTATIONS_MAX_BYTES {
        ctx.error(
            node.pos,
            format!("annotations may hold at most {ANNOTATIONS_MAX_BYTES} bytes in total, found {total}"),
        );
    }
    out
}

/// Where each scalar key of a mapping sits (for errors about keys rather than values).
fn key_positions(node: &Yaml) -> BTreeMap<String, Pos> {
    match &node.value {
        Value::Map(entries) => entries
            .iter()
            .filter_map(|(k, _)| Some((k.scalar_text()?, k.pos)))
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// `ownerReferences`: kind and name are required; at most one may be the controller
/// (upstream `ValidateOwnerReferences`). apiVersion and uid, required upstream, are
/// optional here because nothing in a simulation resolves them.
fn decode_owner_references(ctx: &mut Ctx<'_>, node: &Yaml) -> Vec<OwnerReference> {
    let mut out = Vec::new();
    let Some(items) = ctx.seq(node) else {
        return out;
    };
    let mut controllers = 0;
    for (i, item) in items.iter().enumerate() {
        let mut c = ctx.index(i);
        let Some(mut m) = MapReader::new(&mut c, item) else {
            continue;
        };
        let kind = m.req(&mut c, "kind").and_then(|n| c.field("kind").str(n));
        let name = m.req(&mut c, "name").and_then(|n| c.field("name").str(n));
        let controller_node = m.opt("controller");
        let controller = controller_node.and_then(|n| c.field("controller").bool(n));
        m.ignore(OWNER_IGNORED);
        m.finish(&mut c, &[OWNER_FIELDS, OWNER_IGNORED].concat());
        if controller == Some(true) {
            controllers += 1;
            if controllers > 1 {
                c.field("controller").error(
                    controller_node.map_or(item.pos, |n| n.pos),
                    "only one owner reference may have controller: true",
                );
            }
        }
        if let (Some(kind), Some(name)) = (kind, name) {
            out.push(OwnerReference {
                kind,
                name,
                controller: controller.unwrap_or(false),
            });
        }
    }
    out
}

/// Labels (also node selectors): keys are qualified names (`app`, `example.com/tier`),
/// values at most 63 characters of alphanumerics, '-', '_' and '.' (upstream
/// `ValidateLabels`). Bad entries are reported and left out.
pub fn decode_labels(ctx: &mut Ctx<'_>, node: &Yaml) -> Labels {
    let mut labels = Labels::new();
    let entries = match &node.value {
        Value::Map(entries) => entries,
        Value::Null => return labels,
        _ => {
            ctx.expected(node, "a mapping of label keys to values");
            return labels;
        }
    };
    for (k, v) in entries {
        let Some(key) = k.scalar_text() else {
            ctx.expected(k, "a label key (a string)");
            continue;
        };
        let mut c = ctx.field(&key);
        let Some(value) = label_text(&mut c, v) else {
            continue;
        };
        let mut ok = true;
        if let Err(e) = validate_label_key(&key) {
            c.error(k.pos, e);
            ok = false;
        }
        if let Err(e) = validate_label_value(&value) {
            c.error(v.pos, e);
            ok = false;
        }
        if ok {
            labels.insert(key, value);
        }
    }
    labels
}

/// A label-like value (label, selector, taint and toleration values): a string, or an
/// integer or boolean taken as its text; null is the empty string, as in Kubernetes.
/// Non-integer numbers are refused because YAML has already lost how they were written
/// (`1.10` reads as 1.1), which would silently change the value.
fn label_text(ctx: &mut Ctx<'_>, node: &Yaml) -> Option<String> {
    match &node.value {
        Value::Str(s) => Some(s.clone()),
        Value::Null => Some(String::new()),
        Value::Int(_) | Value::Bool(_) => node.scalar_text(),
        Value::Float(_) => {
            ctx.error(
                node.pos,
                format!(
                    "expected a string, found {} (put it in quotes: YAML reads 1.10 as the number 1.1)",
                    node.describe()
                ),
            );
            None
        }
        Value::Seq(_) | Value::Map(_) => {
            ctx.expected(node, "a string");
            None
        }
    }
}

/// The pod's spec, with upstream defaults (`SetDefaults_PodSpec`, `SetDefaults_Pod`).
pub(crate) fn decode_pod_spec(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
) -> Option<PodSpec> {
    let mut m = MapReader::new(ctx, node)?;
    // Container names are unique across containers and init containers; as upstream,
    // regular containers are checked first so a clash is reported on the init container.
    let mut seen = Vec::new();
    let containers = match m.req(ctx, "containers") {
        Some(n) => {
            let mut c = ctx.field("containers");
            if matches!(&n.value, Value::Seq(items) if items.is_empty()) {
                c.error(
                    n.pos,
                    "expected at least one container, found an empty list",
                );
            }
            decode_containers(&mut c, n, names, false, &mut seen)
        }
        None => Vec::new(),
    };
    let init_containers = m
        .opt("initContainers")
        .map(|n| decode_containers(&mut ctx.field("initContainers"), n, names, true, &mut seen))
        .unwrap_or_default();
    // ValidatePodSpec: nodeSelector is validated as labels.
    let node_selector: BTreeMap<String, String> = m
        .opt("nodeSelector")
        .map(|n| {
            decode_labels(&mut ctx.field("nodeSelector"), n)
                .into_iter()
                .collect()
        })
        .unwrap_or_default();
    let node_name = opt_subdomain(ctx, &mut m, "nodeName");
    let affinity = m
        .opt("affinity")
        .map(|n| decode_affinity(&mut ctx.field("affinity"), n, warnings))
        .unwrap_or_default();
    let tolerations = m
        .opt("tolerations")
        .map(|n| decode_tolerations(&mut ctx.field("tolerations"), n))
        .unwrap_or_default();
    let priority = m.opt("priority").and_then(|n| {
        let mut c = ctx.field("priority");
        let v = c.i64(n)?;
        match i32::try_from(v) {
            Ok(p) => Some(p),
            Err(_) => {
                c.error(
                    n.pos,
                    format!(
                        "expected an integer from {} to {}, found {v}",
                        i32::MIN,
                        i32::MAX
                    ),
                );
                None
            }
        }
    });
    let priority_class_name = opt_subdomain(ctx, &mut m, "priorityClassName");
    let scheduler_name = opt_subdomain(ctx, &mut m, "schedulerName");
    let restart_policy = opt_enum(
        ctx,
        &mut m,
        "restartPolicy",
        &["Always", "OnFailure", "Never"],
    )
    .and_then(RestartPolicy::parse);
    let termination_grace_period_s = m.opt("terminationGracePeriodSeconds").and_then(|n| {
        let mut c = ctx.field("terminationGracePeriodSeconds");
        let v = c.i64(n)?;
        if v < 0 {
            c.error(
                n.pos,
                format!("expected a number of seconds of at least 0, found {v}"),
            );
            return None;
        }
        Some(v)
    });
    let overhead = m
        .opt("overhead")
        .and_then(|n| decode_resource_list(&mut ctx.field("overhead"), n, names, false))
        .map(|(r, _)| r)
        .unwrap_or_default();
    let topology_spread_constraints = m
        .opt("topologySpreadConstraints")
        .map(|n| {
            super::topology::decode_topology_spread_constraints(
                &mut ctx.field("topologySpreadConstraints"),
                n,
            )
        })
        .unwrap_or_default();
    m.ignore(POD_SPEC_IGNORED);
    m.finish(ctx, &[POD_SPEC_FIELDS, POD_SPEC_IGNORED].concat());
    Some(PodSpec {
        containers,
        init_containers,
        node_selector,
        node_name,
        affinity,
        tolerations,
        priority: priority.unwrap_or(0),
        priority_class_name,
        scheduler_name: scheduler_name.unwrap_or_else(|| DEFAULT_SCHEDULER_NAME.to_string()),
        restart_policy: restart_policy.unwrap_or(RestartPolicy::Always),
        termination_grace_period_s: termination_grace_period_s
            .unwrap_or(DEFAULT_TERMINATION_GRACE_PERIOD_S),
        overhead,
        topology_spread_constraints,
    })
}

/// An optional name of another object (nodeName, schedulerName, priorityClassName): a
/// DNS-1123 subdomain. The empty string means unset, as upstream defaulting
/// (`SetDefaults_PodSpec`) and validation treat it.
fn opt_subdomain(ctx: &mut Ctx<'_>, m: &mut MapReader<'_>, key: &str) -> Option<String> {
    let n = m.opt(key)?;
    let mut c = ctx.field(key);
    let s = c.str(n)?;
    if s.is_empty() {
        return None;
    }
    check_dns_subdomain(&mut c, n, &s, false);
    Some(s)
}

/// An optional enumeration (`restartPolicy`, `imagePullPolicy`); the empty string means
/// unset, so that the upstream default applies.
pub(crate) fn opt_enum<'k>(
    ctx: &mut Ctx<'_>,
    m: &mut MapReader<'_>,
    key: &str,
    allowed: &[&'k str],
) -> Option<&'k str> {
    let n = m.opt(key)?;
    if n.as_str() == Some("") {
        return None;
    }
    ctx.field(key).one_of(n, allowed)
}

/// Records a warning that a field present with content is accepted but has no effect.
pub(crate) fn warn_unmodelled(
    ctx: &mut Ctx<'_>,
    warnings: &mut Vec<Diagnostic>,
    key: &str,
    node: &Yaml,
) {
    // An empty list or mapping asks for nothing, so ignoring it changes nothing.
    let empty = match &node.value {
        Value::Seq(items) => items.is_empty(),
        Value::Map(entries) => entries.is_empty(),
        _ => false,
    };
    if empty {
        return;
    }
    let c = ctx.field(key);
    warnings.push(Diagnostic::new(
        c.file(),
        node.pos,
        c.path(),
        format!("{key} is not modelled yet and is ignored"),
    ));
}

/// `containers` or `initContainers`. `seen` holds the names taken so far with the path
/// that took them.
fn decode_containers(
    ctx: &mut Ctx<'_>,
    list: &Yaml,
    names: &mut ResourceNames,
    init: bool,
    seen: &mut Vec<(String, String)>,
) -> Vec<Container> {
    let Some(items) = ctx.seq(list) else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| decode_container(&mut ctx.index(i), item, names, init, seen))
        .collect()
}

fn decode_container(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    names: &mut ResourceNames,
    init: bool,
    seen: &mut Vec<(String, String)>,
) -> Option<Container> {
    let errors_before = ctx.error_count();
    let mut m = MapReader::new(ctx, node)?;
    let here = ctx.path();
    let name = m.req(ctx, "name").and_then(|n| {
        let mut c = ctx.field("name");
        let s = c.str(n)?;
        // validateContainers: a DNS-1123 label, unique within the pod.
        check_dns_label(&mut c, n, &s);
        match seen.iter().find(|(other, _)| *other == s) {
            Some((_, path)) => c.error(
                n.pos,
                format!("duplicate container name {s:?} (also used by {path})"),
            ),
            None => seen.push((s.clone(), here)),
        }
        Some(s)
    });
    // Upstream requires an image; kubesim never pulls it.
    let image = m.req(ctx, "image").and_then(|n| {
        let mut c = ctx.field("image");
        let s = c.str(n)?;
        if s.is_empty() {
            c.error(n.pos, "expected an image name, found an empty string");
        }
        Some(s)
    });
    let image_pull_policy = opt_enum(
        ctx,
        &mut m,
        "imagePullPolicy",
        &["Always", "IfNotPresent", "Never"],
    );
    let mut restart_policy_always = false;
    if let Some(n) = m.opt("restartPolicy") {
        let mut c = ctx.field("restartPolicy");
        if init {
            // Sidecar containers (KEP-753): the only value is Always.
            restart_policy_always = c.one_of(n, &["Always"]).is_some();
        } else {
            c.error(
                n.pos,
                "may only be set on init containers (restartPolicy: Always makes a sidecar)",
            );
        }
    }
    let (requests, limits) = m
        .opt("resources")
        .map(|n| decode_container_resources(&mut ctx.field("resources"), n, names))
        .unwrap_or_default();
    let probes = super::probes::decode_probes(ctx, &mut m, init, restart_policy_always);
    m.ignore(CONTAINER_IGNORED);
    m.finish(ctx, &[CONTAINER_FIELDS, CONTAINER_IGNORED].concat());
    if ctx.error_count() > errors_before {
        return None;
    }
    let image = image?;
    let image_pull_policy = match image_pull_policy {
        Some("Always") => ImagePullPolicy::Always,
        Some("Never") => ImagePullPolicy::Never,
        Some(_) => ImagePullPolicy::IfNotPresent,
        None => ImagePullPolicy::default_for(&image),
    };
    Some(Container {
        probes,
        image_pull_policy,
        name: name?,
        image,
        requests,
        limits,
        restart_policy_always,
        behaviour: Default::default(),
    })
}

/// One entry of a ResourceList as written.
struct Quantity {
    key: String,
    name: ResourceName,
    text: String,
    value: i64,
    pos: Pos,
}

/// A decoded ResourceList with its entries, for checks that need to know which
/// resources were written (not just their values).
struct ResourceList {
    resources: Resources,
    pods: Option<i64>,
    entries: Vec<Quantity>,
}

/// A container's `resources`: requests and limits, with upstream's defaulting (a limit
/// without a request sets the request, `SetDefaults_Pod` in `pkg/apis/core/v1/defaults.go`)
/// and validation (`ValidateResourceRequirements` in `validation.go`).
fn decode_container_resources(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    names: &mut ResourceNames,
) -> (Resources, Resources) {
    let Some(mut m) = MapReader::new(ctx, node) else {
        return Default::default();
    };
    let requests = m
        .opt("requests")
        .and_then(|n| resource_list(&mut ctx.field("requests"), n, names, false));
    let limits = m
        .opt("limits")
        .and_then(|n| resource_list(&mut ctx.field("limits"), n, names, false));
    m.ignore(&["claims"]);
    m.finish(ctx, RESOURCES_FIELDS);
    let req_entries = requests.as_ref().map_or(&[][..], |l| &l.entries[..]);
    let lim_entries = limits.as_ref().map_or(&[][..], |l| &l.entries[..]);

    for r in req_entries {
        let limit = lim_entries.iter().find(|l| l.name == r.name);
        let mut c = ctx.field("requests");
        let mut c = c.field(&r.key);
        match limit {
            // Extended resources and hugepages cannot be overcommitted: not only must the
            // request not exceed the limit, it must equal it.
            Some(l) if !overcommit_allowed(&r.key) && r.value != l.value => c.error(
                r.pos,
                format!("must be equal to {} limit of {}", r.key, l.text),
            ),
            Some(l) if r.value > l.value => c.error(
                r.pos,
                format!(
                    "must be less than or equal to {} limit of {}",
                    r.key, l.text
                ),
            ),
            Some(_) => {}
            None if !overcommit_allowed(&r.key) => c.error(
                r.pos,
                format!(
                    "a limit must be set for {} too: it cannot be overcommitted, so its request \
                     must equal its limit (setting only the limit is enough)",
                    r.key
                ),
            ),
            None => {}
        }
    }
    let all = || req_entries.iter().chain(lim_entries);
    let is_cpu_or_memory =
        |q: &&Quantity| matches!(q.name, ResourceName::Cpu | ResourceName::Memory);
    if all().any(|q| q.key.starts_with("hugepages-")) && !all().any(|q| is_cpu_or_memory(&q)) {
        ctx.error(
            node.pos,
            "hugepages require a cpu or memory request or limit",
        );
    }

    let mut request = requests.as_ref().map(|l| l.resources).unwrap_or_default();
    for l in lim_entries {
        if !req_entries.iter().any(|r| r.name == l.name) {
            l.name.set(&mut request, l.value);
        }
    }
    (request, limits.map(|l| l.resources).unwrap_or_default())
}

/// Upstream `helper.IsNativeResource`: no domain, or a `kubernetes.io/` one.
fn is_native_resource(name: &str) -> bool {
    !name.contains('/') || name.contains("kubernetes.io/")
}

/// Upstream `helper.IsExtendedResourceName`: counted in whole devices.
fn is_extended_resource(name: &str) -> bool {
    !is_native_resource(name) && !name.starts_with("requests.")
}

/// Upstream `helper.IsOvercommitAllowed`: native resources other than hugepages.
fn overcommit_allowed(name: &str) -> bool {
    is_native_resource(name) && !name.starts_with("hugepages-")
}

/// A ResourceList mapping (`{cpu: 500m, memory: 1Gi, nvidia.com/gpu: 1}`): cpu as milli,
/// others as whole units; `pods` allowed only when `allow_pods` (node capacity) and
/// returned separately. Negative quantities are errors, and so are unknown names without
/// a domain prefix. `None` when anything in the list was wrong (all of it reported).
pub fn decode_resource_list(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    names: &mut ResourceNames,
    allow_pods: bool,
) -> Option<(Resources, Option<i64>)> {
    resource_list(ctx, node, names, allow_pods).map(|l| (l.resources, l.pods))
}

fn resource_list(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    names: &mut ResourceNames,
    allow_pods: bool,
) -> Option<ResourceList> {
    let errors_before = ctx.error_count();
    let entries = match &node.value {
        Value::Map(entries) => &entries[..],
        Value::Null => &[][..],
        _ => {
            ctx.expected(node, "a mapping of resource names to quantities");
            return None;
        }
    };
    let mut out = ResourceList {
        resources: Resources::default(),
        pods: None,
        entries: Vec::new(),
    };
    for (k, v) in entries {
        let Some(key) = k.scalar_text() else {
            ctx.expected(k, "a resource name (a string)");
            continue;
        };
        let mut c = ctx.field(&key);
        let name = if key == "pods" {
            if !allow_pods {
                c.error(
                    k.pos,
                    "pods is a node's capacity, not something a pod or container requests; \
                     expected cpu, memory, ephemeral-storage or an extended resource",
                );
                continue;
            }
            None
        } else {
            match names.intern(&key) {
                Ok(n) => Some(n),
                Err(e) => {
                    c.error(k.pos, e);
                    continue;
                }
            }
        };
        let text = match &v.value {
            Value::Str(_) | Value::Int(_) | Value::Float(_) => v.scalar_text().unwrap_or_default(),
            _ => {
                c.expected(v, "a quantity (such as 500m, 2 or 1Gi)");
                continue;
            }
        };
        let Some(value) = quantity_value(&mut c, v, &key, &text) else {
            continue;
        };
        match name {
            None => out.pods = Some(value),
            Some(name) => {
                name.set(&mut out.resources, value);
                out.entries.push(Quantity {
                    key,
                    name,
                    text,
                    value,
                    pos: v.pos,
                });
            }
        }
    }
    (ctx.error_count() == errors_before).then_some(out)
}

/// Parses one quantity: cpu in milli-units, everything else in whole units; negative
/// values are refused (`ValidateNonnegativeQuantity`), and resources counted in whole
/// items (pods, extended resources) must be integers (`ValidateResourceQuantityValue`).
pub(crate) fn quantity_value(ctx: &mut Ctx<'_>, node: &Yaml, key: &str, text: &str) -> Option<i64> {
    let parsed = if key == "cpu" {
        parse_milli(text)
    } else {
        parse_units(text)
    };
    let value = match parsed {
        Ok(v) => v,
        Err(e) => {
            ctx.error(node.pos, e.to_string());
            return None;
        }
    };
    if value < 0 {
        ctx.error(
            node.pos,
            format!("expected a quantity of at least 0, found {text:?}"),
        );
        return None;
    }
    if key == "pods" || is_extended_resource(key) {
        // Whole units round fractions up; compare with the exact milli-units to see one.
        if let Ok(milli) = parse_milli(text) {
            if milli % 1000 != 0 {
                ctx.error(
                    node.pos,
                    format!("expected a whole number of {key}, found {text:?}"),
                );
                return None;
            }
        }
    }
    Some(value)
}

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
    m.finish(ctx, &[NODE_SPEC_FIELDS, NODE_SPEC_IGNORED].concat());
    (taints, unschedulable)
}

/// What a Node's `status` says.
struct NodeStatus {
    capacity: Resources,
    allocatable: Resources,
    allocatable_pods: i64,
    ready: bool,
    has_capacity: bool,
    images: Vec<crate::model::node::ContainerImage>,
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
    m.finish(ctx, &[NODE_STATUS_FIELDS, NODE_STATUS_IGNORED].concat());
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
fn decode_images(ctx: &mut Ctx<'_>, node: &Yaml) -> Vec<crate::model::node::ContainerImage> {
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
        m.finish(&mut ic, &["names", "sizeBytes"]);
        out.push(crate::model::node::ContainerImage {
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
        m.finish(&mut c, &[CONDITION_FIELDS, CONDITION_IGNORED].concat());
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

/// Node taints (upstream `validateNodeTaints`): key a qualified name, value a label
/// value, effect required, and no two taints with the same key and effect.
pub fn decode_taints(ctx: &mut Ctx<'_>, node: &Yaml) -> Vec<Taint> {
    let mut out: Vec<Taint> = Vec::new();
    let Some(items) = ctx.seq(node) else {
        return out;
    };
    for (i, item) in items.iter().enumerate() {
        let mut c = ctx.index(i);
        let errors_before = c.error_count();
        let Some(mut m) = MapReader::new(&mut c, item) else {
            continue;
        };
        let key = m.req(&mut c, "key").and_then(|n| {
            let mut kc = c.field("key");
            let s = kc.str(n)?;
            if let Err(e) = validate_label_key(&s) {
                kc.error(n.pos, e);
            }
            Some(s)
        });
        let value = m
            .opt("value")
            .and_then(|n| {
                let mut vc = c.field("value");
                let s = label_text(&mut vc, n)?;
                if let Err(e) = validate_label_value(&s) {
                    vc.error(n.pos, e);
                }
                Some(s)
            })
            .unwrap_or_default();
        let effect = m
            .req(&mut c, "effect")
            .and_then(|n| c.field("effect").one_of(n, TAINT_EFFECTS))
            .and_then(TaintEffect::parse);
        m.ignore(&["timeAdded"]);
        m.finish(&mut c, TAINT_FIELDS);
        let (Some(key), Some(effect)) = (key, effect) else {
            continue;
        };
        if c.error_count() > errors_before {
            continue;
        }
        if out.iter().any(|t| t.key == key && t.effect == effect) {
            c.error(
                item.pos,
                format!(
                    "duplicate taint {key}:{}; taints must be unique by key and effect",
                    effect.as_str()
                ),
            );
            continue;
        }
        out.push(Taint { key, value, effect });
    }
    out
}

/// Pod tolerations, validated as upstream `ValidateTolerations`: operator Equal (the
/// default) or Exists; Exists takes no value; an empty key (all taints) requires Exists;
/// `tolerationSeconds` only with effect NoExecute. Invalid tolerations are left out.
pub fn decode_tolerations(ctx: &mut Ctx<'_>, node: &Yaml) -> Vec<Toleration> {
    let mut out = Vec::new();
    let Some(items) = ctx.seq(node) else {
        return out;
    };
    for (i, item) in items.iter().enumerate() {
        let mut c = ctx.index(i);
        let errors_before = c.error_count();
        let Some(mut m) = MapReader::new(&mut c, item) else {
            continue;
        };
        let key_node = m.opt("key");
        let key = key_node
            .and_then(|n| {
                let mut kc = c.field("key");
                let s = kc.str(n)?;
                if !s.is_empty() {
                    if let Err(e) = validate_label_key(&s) {
                        kc.error(n.pos, e);
                    }
                }
                Some(s)
            })
            .unwrap_or_default();
        let operator_node = m.opt("operator");
        // An empty operator means Equal.
        let operator = match operator_node {
            Some(n) if n.as_str() == Some("") => Some(TolerationOperator::Equal),
            Some(n) => c
                .field("operator")
                .one_of(n, &["Equal", "Exists"])
                .map(|op| match op {
                    "Exists" => TolerationOperator::Exists,
                    _ => TolerationOperator::Equal,
                }),
            None => Some(TolerationOperator::Equal),
        };
        let value_node = m.opt("value");
        let value = value_node
            .and_then(|n| label_text(&mut c.field("value"), n))
            .unwrap_or_default();
        // An empty effect matches every effect.
        let effect_node = m.opt("effect");
        let effect = match effect_node {
            Some(n) if n.as_str() == Some("") => None,
            Some(n) => c
                .field("effect")
                .one_of(n, TAINT_EFFECTS)
                .and_then(TaintEffect::parse),
            None => None,
        };
        let seconds_node = m.opt("tolerationSeconds");
        let toleration_seconds = seconds_node.and_then(|n| c.field("tolerationSeconds").i64(n));
        m.finish(&mut c, TOLERATION_FIELDS);

        let here = item.pos;
        // A key that failed to decode is reported already; only a truly empty one counts.
        let key_empty = key_node.is_none_or(|n| n.as_str() == Some(""));
        if key_empty && operator == Some(TolerationOperator::Equal) {
            c.field("operator").error(
                operator_node.map_or(here, |n| n.pos),
                "operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
            );
        }
        if let Some(n) = seconds_node {
            if effect_node.and_then(Yaml::as_str) != Some("NoExecute") {
                c.field("effect").error(
                    effect_node.map_or(n.pos, |e| e.pos),
                    "effect must be 'NoExecute' when `tolerationSeconds` is set",
                );
            }
        }
        match operator {
            Some(TolerationOperator::Exists) if !value.is_empty() => {
                c.field("value").error(
                    value_node.map_or(here, |n| n.pos),
                    "value must be empty when `operator` is 'Exists'",
                );
            }
            Some(TolerationOperator::Equal) => {
                if let Err(e) = validate_label_value(&value) {
                    c.field("value")
                        .error(value_node.map_or(here, |n| n.pos), e);
                }
            }
            _ => {}
        }
        if c.error_count() > errors_before {
            continue;
        }
        if let Some(operator) = operator {
            out.push(Toleration {
                key,
                operator,
                value,
                effect,
                toleration_seconds,
            });
        }
    }
    out
}

/// A label selector (`matchLabels` and `matchExpressions` with In, NotIn, Exists and
/// DoesNotExist), validated as apimachinery's `ValidateLabelSelector`. `None` when it
/// had problems (all reported). An empty selector matches everything.
pub fn decode_label_selector(ctx: &mut Ctx<'_>, node: &Yaml) -> Option<LabelSelector> {
    let errors_before = ctx.error_count();
    let mut m = MapReader::new(ctx, node)?;
    let match_labels = m
        .opt("matchLabels")
        .map(|n| decode_labels(&mut ctx.field("matchLabels"), n))
        .unwrap_or_default();
    let match_expressions = m
        .opt("matchExpressions")
        .map(|n| {
            // Label selector requirements never warn.
            let mut none = Vec::new();
            decode_requirements(
                &mut ctx.field("matchExpressions"),
                n,
                RequirementKind::Label,
                &mut none,
            )
        })
        .unwrap_or_default();
    m.finish(ctx, &["matchLabels", "matchExpressions"]);
    if ctx.error_count() > errors_before {
        return None;
    }
    Some(LabelSelector {
        match_labels,
        match_expressions,
    })
}

/// Where a requirement appears; each place allows different operators and keys.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RequirementKind {
    /// A label selector's `matchExpressions`.
    Label,
    /// A node selector term's `matchExpressions` (also Gt and Lt).
    NodeLabel,
    /// A node selector term's `matchFields` (only `metadata.name`, In or NotIn).
    NodeField,
}

fn decode_requirements(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    kind: RequirementKind,
    warnings: &mut Vec<Diagnostic>,
) -> Vec<Requirement> {
    let Some(items) = ctx.seq(node) else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| decode_requirement(&mut ctx.index(i), item, kind, warnings))
        .collect()
}

/// One requirement, validated as `ValidateLabelSelectorRequirement` (labels),
/// `ValidateNodeSelectorRequirement` and `ValidateNodeFieldSelectorRequirement`.
///
/// Node selector values the API server accepts but the scheduler's
/// `labels.NewRequirement` rejects (an invalid label value, a non-integer for Gt or Lt)
/// get a warning: such a term matches no node, in a cluster as here.
fn decode_requirement(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    kind: RequirementKind,
    warnings: &mut Vec<Diagnostic>,
) -> Option<Requirement> {
    let errors_before = ctx.error_count();
    let mut m = MapReader::new(ctx, node)?;
    let key = m.req(ctx, "key").and_then(|n| {
        let mut c = ctx.field("key");
        let s = c.str(n)?;
        if kind == RequirementKind::NodeField {
            if s != "metadata.name" {
                c.error(
                    n.pos,
                    format!(
                        "expected metadata.name (the only field a node field selector supports), found {}",
                        n.describe()
                    ),
                );
            }
        } else if let Err(e) = validate_label_key(&s) {
            c.error(n.pos, e);
        }
        Some(s)
    });
    let operators: &[&str] = match kind {
        RequirementKind::Label => &["In", "NotIn", "Exists", "DoesNotExist"],
        RequirementKind::NodeLabel => &["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"],
        RequirementKind::NodeField => &["In", "NotIn"],
    };
    let operator = m
        .req(ctx, "operator")
        .and_then(|n| ctx.field("operator").one_of(n, operators));
    let values_node = m.opt("values");
    let mut values = Vec::new();
    if let Some(list) = values_node {
        let mut vc = ctx.field("values");
        for (i, v) in vc.seq(list).unwrap_or(&[]).iter().enumerate() {
            let mut ic = vc.index(i);
            let Some(s) = label_text(&mut ic, v) else {
                continue;
            };
            match kind {
                RequirementKind::Label => {
                    if let Err(e) = validate_label_value(&s) {
                        ic.error(v.pos, e);
                    }
                }
                RequirementKind::NodeField => check_dns_subdomain(&mut ic, v, &s, false),
                RequirementKind::NodeLabel => {
                    let problem = match validate_label_value(&s) {
                        Err(e) => Some(e),
                        Ok(())
                            if matches!(operator, Some("Gt" | "Lt"))
                                && s.parse::<i64>().is_err() =>
                        {
                            Some(
                                "for 'Gt', 'Lt' operators, the value must be an integer"
                                    .to_string(),
                            )
                        }
                        Ok(()) => None,
                    };
                    if let Some(p) = problem {
                        warnings.push(Diagnostic::new(
                            ic.file(),
                            v.pos,
                            ic.path(),
                            format!("{p}; the scheduler rejects this requirement, so its term matches no node"),
                        ));
                    }
                }
            }
            values.push(s);
        }
    }
    m.finish(ctx, REQUIREMENT_FIELDS);
    let operator = operator?;
    let values_pos = values_node.map_or(node.pos, |n| n.pos);
    let mut vc = ctx.field("values");
    match (kind, operator) {
        (RequirementKind::NodeField, _) if values.len() != 1 => vc.error(
            values_pos,
            format!(
                "must be only one value when `operator` is 'In' or 'NotIn' for node field selector, found {}",
                values.len()
            ),
        ),
        (_, "In" | "NotIn") if values.is_empty() => vc.error(
            values_pos,
            "must be specified when `operator` is 'In' or 'NotIn'",
        ),
        (_, "Exists" | "DoesNotExist") if !values.is_empty() => vc.error(
            values_pos,
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        ),
        (_, "Gt" | "Lt") if values.len() != 1 => vc.error(
            values_pos,
            format!(
                "must be specified single value when `operator` is 'Lt' or 'Gt', found {}",
                values.len()
            ),
        ),
        _ => {}
    }
    if ctx.error_count() > errors_before {
        return None;
    }
    let operator = match operator {
        "In" => Operator::In,
        "NotIn" => Operator::NotIn,
        "Exists" => Operator::Exists,
        "DoesNotExist" => Operator::DoesNotExist,
        "Gt" => Operator::Gt,
        _ => Operator::Lt,
    };
    Some(Requirement {
        key: key?,
        operator,
        values,
    })
}

/// `affinity`: node affinity is modelled; pod (anti-)affinity is accepted with a warning.
fn decode_affinity(ctx: &mut Ctx<'_>, node: &Yaml, warnings: &mut Vec<Diagnostic>) -> Affinity {
    let Some(mut m) = MapReader::new(ctx, node) else {
        return Affinity::default();
    };
    let node_affinity = m
        .opt("nodeAffinity")
        .and_then(|n| decode_node_affinity(&mut ctx.field("nodeAffinity"), n, warnings));
    let pod_affinity = m
        .opt("podAffinity")
        .map(|n| super::topology::decode_pod_affinity(&mut ctx.field("podAffinity"), n))
        .unwrap_or_default();
    let pod_anti_affinity = m
        .opt("podAntiAffinity")
        .map(|n| super::topology::decode_pod_affinity(&mut ctx.field("podAntiAffinity"), n))
        .unwrap_or_default();
    m.finish(ctx, AFFINITY_FIELDS);
    Affinity {
        node_affinity,
        pod_affinity,
        pod_anti_affinity,
    }
}

pub(super) fn decode_node_affinity(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    warnings: &mut Vec<Diagnostic>,
) -> Option<NodeAffinity> {
    let mut m = MapReader::new(ctx, node)?;
    let required = m
        .opt(REQUIRED_TERMS)
        .and_then(|n| decode_node_selector(&mut ctx.field(REQUIRED_TERMS), n, warnings));
    let preferred = m
        .opt(PREFERRED_TERMS)
        .map(|n| decode_preferred_terms(&mut ctx.field(PREFERRED_TERMS), n, warnings))
        .unwrap_or_default();
    m.finish(ctx, &[REQUIRED_TERMS, PREFERRED_TERMS]);
    Some(NodeAffinity {
        required,
        preferred,
    })
}

/// A NodeSelector: `nodeSelectorTerms`, at least one (upstream `ValidateNodeSelector`).
fn decode_node_selector(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    warnings: &mut Vec<Diagnostic>,
) -> Option<Vec<NodeSelectorTerm>> {
    let mut m = MapReader::new(ctx, node)?;
    let terms = m.req(ctx, "nodeSelectorTerms").map(|n| {
        let mut c = ctx.field("nodeSelectorTerms");
        let items = c.seq(n).unwrap_or(&[]);
        if matches!(&n.value, Value::Seq(items) if items.is_empty()) {
            c.error(
                n.pos,
                "must have at least one node selector term, found an empty list",
            );
        }
        items
            .iter()
            .enumerate()
            .map(|(i, t)| decode_term(&mut c.index(i), t, warnings))
            .collect()
    });
    m.finish(ctx, &["nodeSelectorTerms"]);
    terms
}

fn decode_term(ctx: &mut Ctx<'_>, node: &Yaml, warnings: &mut Vec<Diagnostic>) -> NodeSelectorTerm {
    let Some(mut m) = MapReader::new(ctx, node) else {
        return NodeSelectorTerm::default();
    };
    let match_expressions = m
        .opt("matchExpressions")
        .map(|n| {
            let mut c = ctx.field("matchExpressions");
            decode_requirements(&mut c, n, RequirementKind::NodeLabel, warnings)
        })
        .unwrap_or_default();
    let match_fields = m
        .opt("matchFields")
        .map(|n| {
            let mut c = ctx.field("matchFields");
            decode_requirements(&mut c, n, RequirementKind::NodeField, warnings)
        })
        .unwrap_or_default();
    m.finish(ctx, &["matchExpressions", "matchFields"]);
    NodeSelectorTerm {
        match_expressions,
        match_fields,
    }
}

/// Preferred terms: weight 1–100 (upstream `ValidatePreferredSchedulingTerms`) and a term.
fn decode_preferred_terms(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    warnings: &mut Vec<Diagnostic>,
) -> Vec<PreferredSchedulingTerm> {
    let Some(items) = ctx.seq(node) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let mut c = ctx.index(i);
        let Some(mut m) = MapReader::new(&mut c, item) else {
            continue;
        };
        let weight = m.req(&mut c, "weight").and_then(|n| {
            let mut wc = c.field("weight");
            let w = wc.i64(n)?;
            if !(1..=100).contains(&w) {
                wc.error(n.pos, format!("expected a weight from 1 to 100, found {w}"));
                return None;
            }
            Some(w)
        });
        let preference = m
            .req(&mut c, "preference")
            .map(|n| decode_term(&mut c.field("preference"), n, warnings));
        m.finish(&mut c, &["weight", "preference"]);
        if let (Some(weight), Some(preference)) = (weight, preference) {
            out.push(PreferredSchedulingTerm { weight, preference });
        }
    }
    out
}

fn check_dns_label(ctx: &mut Ctx<'_>, node: &Yaml, s: &str) {
    if !is_dns1123_label(s) {
        ctx.error(
            node.pos,
            format!(
                "expected a lowercase RFC 1123 label (at most 63 lowercase letters, digits and '-', \
                 starting and ending with a letter or digit, e.g. \"my-name\"), found {}",
                node.describe()
            ),
        );
    }
}

/// `prefix`: a generateName, which may end in '-' (upstream `maskTrailingDash`).
fn check_dns_subdomain(ctx: &mut Ctx<'_>, node: &Yaml, s: &str, prefix: bool) {
    let checked = match s.strip_suffix('-') {
        Some(stem) if prefix && !stem.is_empty() => format!("{stem}a"),
        _ => s.to_string(),
    };
    if !is_dns1123_subdomain(&checked) {
        ctx.error(
            node.pos,
            format!(
                "expected a lowercase RFC 1123 subdomain (at most 253 lowercase letters, digits, '-' \
                 and '.', each dot-separated part starting and ending with a letter or digit, \
                 e.g. \"example.com\"), found {}",
                node.describe()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::labels::Operator;
    use crate::scenario::objects::{decode_objects, Objects};
    use crate::scenario::yaml::{parse_documents, Diagnostics};

    /// What decoding a file gave: the objects, the errors and the warnings, each
    /// diagnostic as its one-line display text in file order.
    struct Decoded {
        objects: Objects,
        errors: Vec<String>,
        warnings: Vec<String>,
        names: ResourceNames,
    }

    fn decode(text: &str) -> Decoded {
        let docs =
            parse_documents("test.yaml", text).unwrap_or_else(|e| panic!("parse failed: {e}"));
        let mut sink = Vec::new();
        let mut warnings = Vec::new();
        let mut names = ResourceNames::default();
        let objects = decode_objects(
            &mut Ctx::new("test.yaml", &mut sink),
            &docs,
            &mut names,
            &mut warnings,
        );
        let lines =
            |d: Vec<Diagnostic>| Diagnostics::new(d).iter().map(|d| d.to_string()).collect();
        Decoded {
            objects,
            errors: lines(sink),
            warnings: lines(warnings),
            names,
        }
    }

    /// Decodes text that must be free of errors and warnings.
    fn decode_ok(text: &str) -> Objects {
        let d = decode(text);
        assert!(d.errors.is_empty(), "unexpected errors: {:#?}", d.errors);
        assert!(
            d.warnings.is_empty(),
            "unexpected warnings: {:#?}",
            d.warnings
        );
        d.objects
    }

    fn one_pod(text: &str) -> Pod {
        let mut o = decode_ok(text);
        assert_eq!((o.pods.len(), o.nodes.len()), (1, 0));
        o.pods.remove(0)
    }

    fn errors(text: &str) -> Vec<String> {
        decode(text).errors
    }

    /// A pod with one container and `extra` appended to its spec (indented by 2).
    fn pod_with(extra: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: busybox\n{extra}"
        )
    }

    /// The nginx example from https://kubernetes.io/docs/concepts/workloads/pods/.
    const NGINX: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: nginx
spec:
  containers:
  - name: nginx
    image: nginx:1.14.2
    ports:
    - containerPort: 80
";

    #[test]
    fn nginx_example_from_the_kubernetes_docs_decodes_with_defaults() {
        let pod = one_pod(NGINX);
        assert_eq!(pod.metadata.name, "nginx");
        assert_eq!(pod.metadata.namespace, "default");
        let spec = &pod.spec;
        assert_eq!(spec.containers.len(), 1);
        let c = &spec.containers[0];
        assert_eq!(
            (c.name.as_str(), c.image.as_str()),
            ("nginx", "nginx:1.14.2")
        );
        assert!(c.requests.is_zero() && c.limits.is_zero());
        assert_eq!(
            *c.behaviour,
            crate::model::pod::ContainerBehaviour::default()
        );
        assert!(spec.init_containers.is_empty());
        assert_eq!(spec.scheduler_name, DEFAULT_SCHEDULER_NAME);
        assert_eq!(spec.restart_policy, RestartPolicy::Always);
        assert_eq!(
            spec.termination_grace_period_s,
            DEFAULT_TERMINATION_GRACE_PERIOD_S
        );
        assert_eq!(spec.priority, 0);
        assert_eq!(spec.node_name, None);
        assert_eq!(spec.affinity, Affinity::default());
    }

    #[test]
    fn limits_only_default_the_requests_and_request_above_limit_is_an_error() {
        // After the "frontend" example in
        // https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/,
        // with a second container that sets only limits.
        let pod = one_pod(
            "apiVersion: v1
kind: Pod
metadata:
  name: frontend
spec:
  containers:
  - name: app
    image: images.my-company.example/app:v4
    resources:
      requests:
        memory: \"64Mi\"
        cpu: \"250m\"
      limits:
        memory: \"128Mi\"
        cpu: \"500m\"
  - name: log-aggregator
    image: images.my-company.example/log-aggregator:v6
    resources:
      limits:
        memory: 128Mi
        cpu: 0.5
        nvidia.com/gpu: 1
      requests:
        memory: 0
",
        );
        let app = &pod.spec.containers[0];
        assert_eq!(
            (app.requests.cpu_millis, app.requests.memory_bytes),
            (250, 64 << 20)
        );
        assert_eq!(
            (app.limits.cpu_millis, app.limits.memory_bytes),
            (500, 128 << 20)
        );
        let log = &pod.spec.containers[1];
        // cpu and the GPU default to their limits; memory was set (to 0) and stays.
        assert_eq!(
            (log.requests.cpu_millis, log.requests.memory_bytes),
            (500, 0)
        );
        assert_eq!(log.requests.extended[0], 1);
        assert_eq!(pod.requests.cpu_millis, 750);
        assert_eq!(pod.requests.memory_bytes, 64 << 20);

        assert_eq!(
            errors(&pod_with(
                "    resources:\n      requests: {cpu: 2, nvidia.com/gpu: 1, example.com/foo: 1}\n      \
                 limits: {cpu: 1500m, example.com/foo: 2}\n"
            )),
            [
                "test.yaml:10:23: spec.containers[0].resources.requests.cpu: must be less than or \
                 equal to cpu limit of 1500m",
                "test.yaml:10:42: spec.containers[0].resources.requests[\"nvidia.com/gpu\"]: a limit \
                 must be set for nvidia.com/gpu too: it cannot be overcommitted, so its request must \
                 equal its limit (setting only the limit is enough)",
                "test.yaml:10:62: spec.containers[0].resources.requests[\"example.com/foo\"]: must be \
                 equal to example.com/foo limit of 2",
            ]
        );
    }

    #[test]
    fn list_of_nodes_with_extended_resources() {
        let d = decode(
            "apiVersion: v1
kind: List
metadata:
  resourceVersion: \"\"
items:
- apiVersion: v1
  kind: Node
  metadata:
    name: gpu-0
    labels:
      accelerator: nvidia-h100
  spec:
    taints:
    - key: nvidia.com/gpu
      value: present
      effect: NoSchedule
  status:
    capacity:
      cpu: \"32\"
      memory: 256Gi
      nvidia.com/gpu: \"8\"
      pods: \"110\"
    allocatable:
      cpu: 31850m
      memory: 250Gi
      nvidia.com/gpu: \"7\"
      pods: \"100\"
    conditions:
    - type: Ready
      status: \"True\"
      reason: KubeletReady
- apiVersion: v1
  kind: Node
  metadata:
    name: gpu-1
    labels:
      kubernetes.io/hostname: custom
  spec:
    unschedulable: true
  status:
    capacity: {cpu: 16, memory: 64Gi, nvidia.com/gpu: 4, example.com/fpga: 2}
",
        );
        assert!(
            d.errors.is_empty() && d.warnings.is_empty(),
            "{:#?} {:#?}",
            d.errors,
            d.warnings
        );
        let nodes = &d.objects.nodes;
        assert_eq!(nodes.len(), 2);
        let gpu = d.names.lookup("nvidia.com/gpu").unwrap();
        let fpga = d.names.lookup("example.com/fpga").unwrap();
        let n0 = &nodes[0];
        assert_eq!(n0.name(), "gpu-0");
        assert_eq!(n0.metadata.namespace, "");
        assert_eq!(n0.capacity.cpu_millis, 32_000);
        assert_eq!(n0.capacity.memory_bytes, 256 << 30);
        assert_eq!(gpu.get(&n0.capacity), 8);
        assert_eq!(n0.allocatable.cpu_millis, 31_850);
        assert_eq!(gpu.get(&n0.allocatable), 7);
        assert_eq!(n0.allocatable_pods, 100);
        assert_eq!(n0.metadata.labels[LABEL_HOSTNAME], "gpu-0");
        assert_eq!(n0.metadata.labels["accelerator"], "nvidia-h100");
        assert_eq!(n0.taints.len(), 1);
        assert_eq!(
            n0.taints[0].to_string(),
            "nvidia.com/gpu=present:NoSchedule"
        );
        assert!(n0.ready && !n0.unschedulable);
        let n1 = &nodes[1];
        assert_eq!(gpu.get(&n1.capacity), 4);
        assert_eq!(fpga.get(&n1.capacity), 2);
        assert!(n1.unschedulable);
        // A hostname label that is present is kept.
        assert_eq!(n1.metadata.labels[LABEL_HOSTNAME], "custom");
    }

    #[test]
    fn node_without_allocatable_gets_its_capacity() {
        let o = decode_ok(
            "apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\nstatus:\n  capacity: {cpu: 4, memory: 8Gi, pods: 20}\n  \
             conditions:\n  - {type: MemoryPressure, status: \"False\"}\n  - {type: Ready, status: Unknown}\n",
        );
        let n = &o.nodes[0];
        assert_eq!(n.allocatable, n.capacity);
        assert_eq!(n.allocatable.cpu_millis, 4000);
        assert_eq!(n.allocatable_pods, 20);
        assert!(!n.ready);
        // Without pods anywhere, the kubelet's default applies; a resource missing from
        // allocatable takes the capacity's value.
        let o = decode_ok(
            "apiVersion: v1\nkind: Node\nmetadata: {name: n2}\nstatus:\n  capacity: {cpu: 4, memory: 8Gi}\n  \
             allocatable: {cpu: 3500m}\n  conditions: [{type: Ready, status: True}]\n",
        );
        let n = &o.nodes[0];
        assert_eq!(
            (n.allocatable.cpu_millis, n.allocatable.memory_bytes),
            (3500, 8 << 30)
        );
        assert_eq!(n.allocatable_pods, DEFAULT_MAX_PODS);
        assert!(n.ready);
    }

    #[test]
    fn node_without_capacity_is_a_warning() {
        let d = decode("apiVersion: v1\nkind: Node\nmetadata:\n  name: bare\n");
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(d.objects.nodes.len(), 1);
        assert_eq!(
            d.warnings,
            ["test.yaml:1:1: status: no status.capacity: the node offers no cpu, memory or other resources"]
        );
    }

    #[test]
    fn misspelt_field_suggests_the_right_one() {
        let text = NGINX.replace("  containers:", "  contianers:");
        let errs = errors(&text);
        assert_eq!(errs.len(), 2, "{errs:#?}");
        assert_eq!(
            errs[0],
            "test.yaml:6:3: spec: missing required field `containers`"
        );
        assert!(
            errs[1].starts_with(
                "test.yaml:6:3: spec: unknown field `contianers` (did you mean `containers`?); \
                 expected one of: containers, initContainers, nodeSelector,"
            ),
            "{}",
            errs[1]
        );
        // Ignored fields take part in suggestions too.
        let errs = errors(&pod_with("    volumeMount: []\n"));
        assert!(
            errs[0].starts_with(
                "test.yaml:9:5: spec.containers[0]: unknown field `volumeMount` (did you mean `volumeMounts`?)"
            ),
            "{errs:?}"
        );
    }

    #[test]
    fn bad_quantity_names_line_column_and_field_path() {
        let text = "apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: c
    image: busybox
    resources:
      requests:
        cpu: 12x
";
        assert_eq!(
            errors(text),
            ["test.yaml:11:14: spec.containers[0].resources.requests.cpu: \"12x\" is not a quantity: \
              unknown suffix \"x\" (expected a number with an optional suffix such as 100m, 0.5, 1Gi, 1G, 1e3)"]
        );
    }

    #[test]
    fn resource_list_rules() {
        assert_eq!(
            errors(&pod_with(
                "    resources:\n      requests: {gpu: 1, pods: 1, memory: -1Gi, example.com/dev: 500m, cpu: [1]}\n"
            )),
            [
                "test.yaml:10:18: spec.containers[0].resources.requests.gpu: unknown resource \"gpu\" \
                 (expected cpu, memory, ephemeral-storage, pods, or an extended resource with a domain \
                 prefix such as nvidia.com/gpu)",
                "test.yaml:10:26: spec.containers[0].resources.requests.pods: pods is a node's capacity, \
                 not something a pod or container requests; expected cpu, memory, ephemeral-storage or \
                 an extended resource",
                "test.yaml:10:43: spec.containers[0].resources.requests.memory: expected a quantity of \
                 at least 0, found \"-1Gi\"",
                "test.yaml:10:66: spec.containers[0].resources.requests[\"example.com/dev\"]: expected a \
                 whole number of example.com/dev, found \"500m\"",
                "test.yaml:10:77: spec.containers[0].resources.requests.cpu: expected a quantity (such \
                 as 500m, 2 or 1Gi), found a list",
            ]
        );
        // Directly: pods only for nodes, returned apart from the resources.
        let docs = parse_documents("t.yaml", "{cpu: 1.5, memory: 1e3, pods: 30}").unwrap();
        let mut sink = Vec::new();
        let mut names = ResourceNames::default();
        let mut ctx = Ctx::new("t.yaml", &mut sink);
        let (r, pods) = decode_resource_list(&mut ctx, &docs[0], &mut names, true).unwrap();
        assert_eq!((r.cpu_millis, r.memory_bytes, pods), (1500, 1000, Some(30)));
        assert!(decode_resource_list(&mut ctx, &docs[0], &mut names, false).is_none());
        assert_eq!(sink.len(), 1);
    }

    #[test]
    fn unsupported_kinds_say_what_is_supported() {
        let errs = errors(
            "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: web}\n---\n\
             apiVersion: v1\nkind: Secret\n---\napiVersion: v1\nkind: pod\n---\n- a list\n---\nmetadata: {}\n",
        );
        assert_eq!(
            errs,
            [
                "test.yaml:2:7: kind: kind StatefulSet is not supported yet; supported kinds: \
                 Pod, Node, List, Deployment, ReplicaSet, DaemonSet, Job, CronJob, Service, PriorityClass, PodDisruptionBudget",
                "test.yaml:6:7: kind: kind Secret is not supported; supported kinds: Pod, Node, List, \
                 Deployment, ReplicaSet, DaemonSet, Job, CronJob, Service, PriorityClass, PodDisruptionBudget",
                "test.yaml:9:7: kind: kind pod is not supported (did you mean `Pod`?); supported kinds: \
                 Pod, Node, List, Deployment, ReplicaSet, DaemonSet, Job, CronJob, Service, PriorityClass, PodDisruptionBudget",
                "test.yaml:11:1: expected a Kubernetes object (a mapping with apiVersion and kind), found a list",
                "test.yaml:13:1: missing required field `kind`; supported kinds: Pod, Node, List, \
                 Deployment, ReplicaSet, DaemonSet, Job, CronJob, Service, PriorityClass, PodDisruptionBudget",
            ]
        );
    }

    #[test]
    fn api_version_must_be_v1_and_lists_do_not_nest() {
        let errs = errors(
            "apiVersion: apps/v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i}]}\n---\n\
             apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: List, items: []}\n",
        );
        assert_eq!(
            errs,
            [
                "test.yaml:1:13: apiVersion: expected v1 (the apiVersion of kind Pod), found a string \"apps/v1\"",
                "test.yaml:9:26: items[0].kind: a List cannot be an item of a List; expected Pod or Node",
            ]
        );
    }

    #[test]
    fn toleration_validation_follows_upstream() {
        let text = pod_with(
            "  tolerations:
  - operator: Exists
  - key: dedicated
    operator: Equal
    value: gpu
    effect: NoSchedule
  - key: node.kubernetes.io/not-ready
    operator: Exists
    effect: NoExecute
    tolerationSeconds: 300
  - {key: \"\", operator: Equal}
  - {key: a, operator: Exists, value: b}
  - {key: a, value: b, effect: NoSchedule, tolerationSeconds: 5}
  - {key: a, operator: equal}
  - {key: a, effect: NoExcute}
  - {key: \"bad key!\", value: \"not valid!\"}
",
        );
        assert_eq!(
            errors(&text),
            [
                "test.yaml:19:25: spec.tolerations[3].operator: operator must be Exists when `key` is \
                 empty, which means \"match all values and all keys\"",
                "test.yaml:20:39: spec.tolerations[4].value: value must be empty when `operator` is 'Exists'",
                "test.yaml:21:32: spec.tolerations[5].effect: effect must be 'NoExecute' when \
                 `tolerationSeconds` is set",
                "test.yaml:22:24: spec.tolerations[6].operator: unknown value \"equal\" (did you mean \
                 `Equal`?); expected one of: Equal, Exists",
                "test.yaml:23:22: spec.tolerations[7].effect: unknown value \"NoExcute\" (did you mean \
                 `NoExecute`?); expected one of: NoSchedule, PreferNoSchedule, NoExecute",
                "test.yaml:24:11: spec.tolerations[8].key: name part must consist of alphanumeric \
                 characters, '-', '_' or '.', and must start and end with an alphanumeric character \
                 (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is \
                 '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
                "test.yaml:24:30: spec.tolerations[8].value: a valid label must be an empty string or \
                 consist of alphanumeric characters, '-', '_' or '.', and must start and end with an \
                 alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for \
                 validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            ]
        );
        // The valid ones decode.
        let text = pod_with(
            "  tolerations:\n  - operator: Exists\n  - {key: dedicated, value: gpu, effect: NoSchedule}\n  \
             - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 300}\n",
        );
        let pod = one_pod(&text);
        let t = &pod.spec.tolerations;
        assert_eq!(t.len(), 3);
        assert_eq!(
            (t[0].key.as_str(), t[0].operator, t[0].effect),
            ("", TolerationOperator::Exists, None)
        );
        assert_eq!(
            (t[1].operator, t[1].value.as_str()),
            (TolerationOperator::Equal, "gpu")
        );
        assert_eq!(t[1].effect, Some(TaintEffect::NoSchedule));
        assert_eq!(t[2].toleration_seconds, Some(300));
    }

    #[test]
    fn pod_affinity_and_spread_constraints_decode_with_defaults() {
        let text = pod_with(
            "  affinity:
    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - labelSelector: {matchLabels: {app: web}}
        topologyKey: kubernetes.io/hostname
  topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: topology.kubernetes.io/zone
    whenUnsatisfiable: DoNotSchedule
",
        );
        let d = decode(&text);
        assert!(d.errors.is_empty(), "{:#?}", d.errors);
        assert!(d.warnings.is_empty(), "{:#?}", d.warnings);
        let spec = &d.objects.pods[0].spec;
        let anti = &spec.affinity.pod_anti_affinity.required;
        assert_eq!(anti.len(), 1);
        assert_eq!(anti[0].topology_key, "kubernetes.io/hostname");
        let c = &spec.topology_spread_constraints[0];
        use crate::model::topology::{InclusionPolicy, WhenUnsatisfiable};
        assert_eq!(
            (
                c.max_skew,
                c.when_unsatisfiable,
                c.node_affinity_policy,
                c.node_taints_policy
            ),
            (
                1,
                WhenUnsatisfiable::DoNotSchedule,
                InclusionPolicy::Honor,
                InclusionPolicy::Ignore
            )
        );
    }

    #[test]
    fn spread_and_affinity_validation_follows_upstream() {
        let errs = errors(&pod_with(
            "  affinity:
    podAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - labelSelector: {matchLabels: {app: web}}
        topologyKey: \"\"
  topologySpreadConstraints:
  - maxSkew: 0
    topologyKey: -bad-
    whenUnsatisfiable: ScheduleAnyway
    minDomains: 2
",
        ));
        assert_eq!(errs.len(), 4, "{errs:#?}");
        assert!(errs[0].starts_with("test.yaml:13:22: spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: can not be empty"), "{errs:#?}");
        assert!(errs[1].starts_with("test.yaml:15:14: spec.topologySpreadConstraints[0].maxSkew: must be greater than zero, found 0"), "{errs:#?}");
        assert!(errs[2].starts_with("test.yaml:16:18: spec.topologySpreadConstraints[0].topologyKey: expected a label key"), "{errs:#?}");
        assert!(
            errs[3]
                .contains("minDomains: can only use minDomains if whenUnsatisfiable=DoNotSchedule"),
            "{errs:#?}"
        );
    }

    #[test]
    fn all_errors_in_a_file_are_reported_at_once() {
        let errs = errors(
            "apiVersion: v1
kind: Pod
metadata:
  name: Web_1
  labels: {app: \"a b\"}
spec:
  restartPolicy: Sometimes
  priority: 1e10
  containers:
  - name: web
    image: nginx
    imagePullPolicy: Allways
  - name: web
---
apiVersion: v1
kind: Node
metadata: {}
status:
  capacity: {cpu: -1}
",
        );
        assert_eq!(
            errs,
            [
                "test.yaml:4:9: metadata.name: expected a lowercase RFC 1123 subdomain (at most 253 \
                 lowercase letters, digits, '-' and '.', each dot-separated part starting and ending \
                 with a letter or digit, e.g. \"example.com\"), found a string \"Web_1\"",
                "test.yaml:5:17: metadata.labels.app: a valid label must be an empty string or consist \
                 of alphanumeric characters, '-', '_' or '.', and must start and end with an \
                 alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for \
                 validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
                "test.yaml:7:18: spec.restartPolicy: unknown value \"Sometimes\"; expected one of: \
                 Always, OnFailure, Never",
                "test.yaml:8:13: spec.priority: expected an integer from -2147483648 to 2147483647, \
                 found 10000000000",
                "test.yaml:12:22: spec.containers[0].imagePullPolicy: unknown value \"Allways\" (did \
                 you mean `Always`?); expected one of: Always, IfNotPresent, Never",
                "test.yaml:13:5: spec.containers[1]: missing required field `image`",
                "test.yaml:13:11: spec.containers[1].name: duplicate container name \"web\" (also used \
                 by spec.containers[0])",
                "test.yaml:17:11: metadata: missing required field `name`",
                "test.yaml:19:19: status.capacity.cpu: expected a quantity of at least 0, found \"-1\"",
            ]
        );
    }

    #[test]
    fn kubectl_get_output_with_server_fields_decodes() {
        let pod = one_pod(
            "apiVersion: v1
kind: Pod
metadata:
  creationTimestamp: \"2024-01-01T00:00:00Z\"
  generateName: web-7d4b9c-
  labels:
    app: web
    pod-template-hash: 7d4b9c
  annotations:
    kubesim.io/run-time: 5m
    Example.com/Note: free text, any characters!
  name: web-7d4b9c-x2x9q
  namespace: shop
  ownerReferences:
  - apiVersion: apps/v1
    blockOwnerDeletion: true
    controller: true
    kind: ReplicaSet
    name: web-7d4b9c
    uid: 0b9c6a36-7e0f-4f4e-a7f4-1e1e1e1e1e1e
  resourceVersion: \"4242\"
  uid: 9a9a9a9a-0000-4000-8000-000000000000
spec:
  containers:
  - image: nginx:1.27
    imagePullPolicy: IfNotPresent
    name: nginx
    resources: {}
    terminationMessagePath: /dev/termination-log
    terminationMessagePolicy: File
    volumeMounts:
    - mountPath: /var/run/secrets/kubernetes.io/serviceaccount
      name: kube-api-access
      readOnly: true
  dnsPolicy: ClusterFirst
  enableServiceLinks: true
  nodeName: node-1
  preemptionPolicy: PreemptLowerPriority
  priority: 1000
  priorityClassName: high
  restartPolicy: Always
  schedulerName: default-scheduler
  securityContext: {}
  serviceAccount: default
  serviceAccountName: default
  terminationGracePeriodSeconds: 10
  tolerations:
  - effect: NoExecute
    key: node.kubernetes.io/not-ready
    operator: Exists
    tolerationSeconds: 300
  volumes:
  - name: kube-api-access
    projected: {sources: []}
status:
  phase: Running
  podIP: 10.0.0.7
",
        );
        let meta = &pod.metadata;
        assert_eq!(
            (meta.name.as_str(), meta.namespace.as_str()),
            ("web-7d4b9c-x2x9q", "shop")
        );
        assert_eq!(meta.labels.len(), 2);
        assert_eq!(meta.annotations["kubesim.io/run-time"], "5m");
        let owner = meta.controller().unwrap();
        assert_eq!(
            (owner.kind.as_str(), owner.name.as_str()),
            ("ReplicaSet", "web-7d4b9c")
        );
        let spec = &pod.spec;
        assert_eq!(spec.node_name.as_deref(), Some("node-1"));
        assert_eq!(
            (spec.priority, spec.priority_class_name.as_deref()),
            (1000, Some("high"))
        );
        assert_eq!(spec.termination_grace_period_s, 10);
        assert_eq!(spec.tolerations.len(), 1);
    }

    #[test]
    fn empty_strings_mean_unset_as_upstream_defaulting_treats_them() {
        let pod = one_pod(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: \"\"}\nspec:\n  \
             schedulerName: \"\"\n  nodeName: \"\"\n  priorityClassName: \"\"\n  restartPolicy: \"\"\n  \
             containers: [{name: c, image: i, imagePullPolicy: \"\"}]\n",
        );
        assert_eq!(pod.metadata.namespace, "default");
        assert_eq!(pod.spec.scheduler_name, DEFAULT_SCHEDULER_NAME);
        assert_eq!(pod.spec.node_name, None);
        assert_eq!(pod.spec.priority_class_name, None);
        assert_eq!(pod.spec.restart_policy, RestartPolicy::Always);
    }

    #[test]
    fn templates_need_no_name_and_init_containers_may_be_sidecars() {
        let docs = parse_documents(
            "t.yaml",
            "apiVersion: v1
kind: Pod
metadata:
  labels: {app: batch}
spec:
  restartPolicy: OnFailure
  initContainers:
  - name: setup
    image: busybox
  - name: proxy
    image: envoy
    restartPolicy: Always
  containers:
  - name: main
    image: busybox
    restartPolicy: Always
",
        )
        .unwrap();
        let mut sink = Vec::new();
        let mut warnings = Vec::new();
        let mut names = ResourceNames::default();
        let mut ctx = Ctx::new("t.yaml", &mut sink);
        assert!(decode_pod(&mut ctx, &docs[0], &mut names, &mut warnings, false).is_none());
        assert_eq!(
            sink.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
            ["t.yaml:16:20: spec.containers[0].restartPolicy: may only be set on init containers \
              (restartPolicy: Always makes a sidecar)"]
        );
        let text = "apiVersion: v1\nkind: Pod\nspec:\n  restartPolicy: OnFailure\n  initContainers:\n  \
                    - {name: setup, image: busybox}\n  - {name: proxy, image: envoy, restartPolicy: Always}\n  \
                    containers: [{name: main, image: busybox}]\n";
        let docs = parse_documents("t.yaml", text).unwrap();
        let mut sink = Vec::new();
        let mut ctx = Ctx::new("t.yaml", &mut sink);
        let pod = decode_pod(&mut ctx, &docs[0], &mut names, &mut warnings, false).unwrap();
        assert!(sink.is_empty(), "{sink:?}");
        assert_eq!(pod.metadata.name, "");
        assert_eq!(pod.spec.restart_policy, RestartPolicy::OnFailure);
        let init: Vec<bool> = pod
            .spec
            .init_containers
            .iter()
            .map(|c| c.restart_policy_always)
            .collect();
        assert_eq!(init, [false, true]);
        // In a file of objects, a pod needs a name.
        assert_eq!(
            errors(text),
            ["test.yaml:1:1: missing required field `metadata` (with the pod's name)"]
        );
    }

    #[test]
    fn node_affinity_decodes_and_validates() {
        let pod = one_pod(&pod_with(
            "  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - {key: topology.kubernetes.io/zone, operator: In, values: [a, b]}
          - {key: cores, operator: Gt, values: [\"8\"]}
        - matchFields:
          - {key: metadata.name, operator: In, values: [node-3]}
      preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 20
        preference:
          matchExpressions:
          - {key: disk, operator: Exists}
",
        ));
        let na = pod.spec.affinity.node_affinity.as_ref().unwrap();
        let terms = na.required.as_ref().unwrap();
        assert_eq!(terms.len(), 2);
        assert_eq!(terms[0].match_expressions[1].operator, Operator::Gt);
        assert_eq!(terms[1].match_fields[0].values, ["node-3"]);
        assert_eq!(na.preferred[0].weight, 20);
        assert_eq!(
            na.preferred[0].preference.match_expressions[0].operator,
            Operator::Exists
        );

        let d = decode(&pod_with(
            "  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - {key: zone, operator: In}
          - {key: zone, operator: Exists, values: [a]}
          - {key: cores, operator: Lt, values: [\"1\", \"2\"]}
          - {key: cores, operator: Gt, values: [many]}
          matchFields:
          - {key: metadata.labels, operator: In, values: [x]}
      preferredDuringSchedulingIgnoredDuringExecution:
      - {weight: 0, preference: {}}
",
        ));
        assert_eq!(
            d.errors,
            [
                "test.yaml:14:13: spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.\
                 nodeSelectorTerms[0].matchExpressions[0].values: must be specified when `operator` is 'In' or 'NotIn'",
                "test.yaml:15:51: spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.\
                 nodeSelectorTerms[0].matchExpressions[1].values: may not be specified when `operator` is \
                 'Exists' or 'DoesNotExist'",
                "test.yaml:16:48: spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.\
                 nodeSelectorTerms[0].matchExpressions[2].values: must be specified single value when \
                 `operator` is 'Lt' or 'Gt', found 2",
                "test.yaml:19:19: spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.\
                 nodeSelectorTerms[0].matchFields[0].key: expected metadata.name (the only field a node \
                 field selector supports), found a string \"metadata.labels\"",
                "test.yaml:21:18: spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].\
                 weight: expected a weight from 1 to 100, found 0",
            ]
        );
        assert_eq!(
            d.warnings,
            ["test.yaml:17:49: spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.\
              nodeSelectorTerms[0].matchExpressions[3].values[0]: for 'Gt', 'Lt' operators, the value \
              must be an integer; the scheduler rejects this requirement, so its term matches no node"]
        );
    }

    #[test]
    fn label_selectors() {
        let docs = parse_documents(
            "t.yaml",
            "good:\n  matchLabels: {app: web}\n  matchExpressions:\n  - {key: tier, operator: NotIn, values: [db, 3]}\n\
             bad:\n  matchExpressions:\n  - {key: tier, operator: Gt, values: [\"1\"]}\n  - {key: tier, operator: In, values: []}\n\
             empty: {}\n",
        )
        .unwrap();
        let Value::Map(entries) = &docs[0].value else {
            panic!("not a mapping")
        };
        let mut sink = Vec::new();
        let mut ctx = Ctx::new("t.yaml", &mut sink);
        let good = decode_label_selector(&mut ctx.field("good"), &entries[0].1).unwrap();
        assert_eq!(good.match_labels["app"], "web");
        assert_eq!(good.match_expressions[0].operator, Operator::NotIn);
        assert_eq!(good.match_expressions[0].values, ["db", "3"]);
        assert!(decode_label_selector(&mut ctx.field("bad"), &entries[1].1).is_none());
        let empty = decode_label_selector(&mut ctx.field("empty"), &entries[2].1).unwrap();
        assert!(empty.is_empty());
        assert_eq!(
            sink.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
            [
                "t.yaml:7:27: bad.matchExpressions[0].operator: unknown value \"Gt\"; expected one of: \
                 In, NotIn, Exists, DoesNotExist",
                "t.yaml:8:39: bad.matchExpressions[1].values: must be specified when `operator` is 'In' or 'NotIn'",
            ]
        );
    }

    #[test]
    fn taints_are_validated_and_unique_by_key_and_effect() {
        let docs = parse_documents(
            "t.yaml",
            "- {key: a, value: x, effect: NoSchedule}\n- {key: a, effect: NoExecute, timeAdded: \"2024-01-01T00:00:00Z\"}\n\
             - {key: a, value: y, effect: NoSchedule}\n- {key: b}\n- {key: c, value: 1.10, effect: NoSchedule}\n",
        )
        .unwrap();
        let mut sink = Vec::new();
        let taints = decode_taints(&mut Ctx::new("t.yaml", &mut sink), &docs[0]);
        assert_eq!(taints.len(), 2);
        assert_eq!(taints[1].to_string(), "a:NoExecute");
        assert_eq!(
            sink.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
            [
                "t.yaml:3:3: [2]: duplicate taint a:NoSchedule; taints must be unique by key and effect",
                "t.yaml:4:3: [3]: missing required field `effect`",
                "t.yaml:5:19: [4].value: expected a string, found a number 1.1 (put it in quotes: YAML \
                 reads 1.10 as the number 1.1)",
            ]
        );
    }

    #[test]
    fn multi_document_files_mix_pods_and_nodes() {
        let text = format!(
            "{NGINX}---\napiVersion: v1\nkind: Node\nmetadata: {{name: n1}}\nstatus: {{capacity: {{cpu: 2}}}}\n---\n{}",
            NGINX.replace("name: nginx\nspec", "name: nginx-2\nspec")
        );
        let o = decode_ok(&text);
        assert_eq!(o.pods.len(), 2);
        assert_eq!(o.nodes.len(), 1);
        assert_eq!(o.pods[1].metadata.name, "nginx-2");
    }

    #[test]
    fn odd_input_never_panics() {
        for text in [
            "kind: Pod\n",
            "kind: Node\n",
            "kind: List\nitems: 3\n",
            "kind: List\napiVersion: v1\nitems: [1, null, [], {kind: Pod}, {kind: 7}]\n",
            "apiVersion: v1\nkind: Pod\nmetadata: []\nspec: {containers: {}}\n",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: \"\"}\nspec: {containers: [{}], initContainers: 4}\n",
            "apiVersion: v1\nkind: Pod\nspec: {affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: []}}}}\n",
            "apiVersion: v1\nkind: Node\nmetadata: {name: a, namespace: x}\nspec: [1]\nstatus: {conditions: [{}, 1, {type: Ready, status: maybe}]}\n",
            "apiVersion: v1\nkind: Node\nmetadata: {name: a, generateName: b-}\nstatus: {capacity: {cpu: 99999999999999999999}}\n",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: a, ownerReferences: [{kind: A, name: b, controller: true}, {kind: A, name: c, controller: true}]}\nspec: {containers: [{name: c, image: i, resources: {limits: {hugepages-2Mi: 1Mi}}}]}\n",
            "? [a]\n: b\n",
            "kind: \"\"\n",
        ] {
            let d = decode(text);
            assert!(!d.errors.is_empty(), "no error for {text:?}");
        }
    }
}
