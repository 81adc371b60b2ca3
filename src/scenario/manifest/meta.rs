//! Object metadata (name, namespace, labels, annotations, owner references) and the
//! name checks other parts share: DNS-1123 names and label-like values
//! (upstream `ValidateObjectMeta`, `ValidateLabels`, `ValidateAnnotations`), and the
//! small field readers every kind uses (optional enumerations, unmodelled fields).

use std::collections::BTreeMap;

use crate::input::decode::{Ctx, MapReader};
use crate::input::diagnostic::{Diagnostic, Pos};
use crate::input::yaml::{Node as Yaml, Value};
use crate::model::labels::{
    is_dns1123_label, is_dns1123_subdomain, validate_label_key, validate_label_value, Labels,
};
use crate::model::meta::{ObjectMeta, OwnerReference};

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
const OWNER_IGNORED: &[&str] = &["apiVersion", "uid", "blockOwnerDeletion"];

/// Upstream `TotalAnnotationSizeLimitB` (apimachinery `ValidateAnnotations`).
const ANNOTATIONS_MAX_BYTES: usize = 256 * 1024;

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
    m.finish(ctx);
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
        m.finish(&mut c);
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
pub(super) fn label_text(ctx: &mut Ctx<'_>, node: &Yaml) -> Option<String> {
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

/// An optional enumeration (`restartPolicy`, `imagePullPolicy`); the empty string means
/// unset, so that the upstream default applies.
pub(crate) fn opt_enum<'k>(
    ctx: &mut Ctx<'_>,
    m: &mut MapReader<'_>,
    key: &'static str,
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

pub(super) fn check_dns_label(ctx: &mut Ctx<'_>, node: &Yaml, s: &str) {
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
pub(super) fn check_dns_subdomain(ctx: &mut Ctx<'_>, node: &Yaml, s: &str, prefix: bool) {
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
