//! A Pod manifest and its spec, with upstream defaulting (`SetDefaults_PodSpec`,
//! `SetDefaults_Pod`) and validation (`ValidatePodSpec`).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::affinity::decode_affinity;
use super::container::{decode_containers, decode_resource_list};
use super::meta::{check_dns_subdomain, decode_labels, decode_metadata, opt_enum};
use super::taints::decode_tolerations;
use super::topology::decode_topology_spread_constraints;
use crate::input::decode::{check_type, Ctx, MapReader};
use crate::input::diagnostic::Diagnostic;
use crate::input::yaml::{Node as Yaml, Value};
use crate::model::meta::ObjectMeta;
use crate::model::pod::{
    PodSpec, RestartPolicy, DEFAULT_SCHEDULER_NAME, DEFAULT_TERMINATION_GRACE_PERIOD_S,
};
use crate::model::resources::ResourceNames;
use crate::model::Pod;

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
    // Status is what the kubelet and scheduler report; a simulated pod starts
    // afresh, except that a pod a snapshot shows Running on its node is not
    // refused by that node's kubelet (its admission happened before the run).
    let running = m.opt("status").is_some_and(|status| match &status.value {
        Value::Map(entries) => entries
            .iter()
            .any(|(k, v)| k.as_str() == Some("phase") && v.as_str() == Some("Running")),
        _ => false,
    });
    m.finish(ctx);
    if ctx.error_count() > errors_before {
        return None;
    }
    let spec = spec?;
    let running_in_snapshot = running && spec.node_name.is_some();
    let mut pod = Pod::new(metadata, Arc::new(spec));
    pod.running_in_snapshot = running_in_snapshot;
    Some(pod)
}

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
    "preemptionPolicy",
    "resourceClaims",
    "schedulingGates",
];

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
    // Sleep hooks are bounded by the grace period, which comes later in the spec.
    let grace_period_s = peek_int(node, "terminationGracePeriodSeconds")
        .unwrap_or(DEFAULT_TERMINATION_GRACE_PERIOD_S);
    let containers = match m.req(ctx, "containers") {
        Some(n) => {
            let mut c = ctx.field("containers");
            if matches!(&n.value, Value::Seq(items) if items.is_empty()) {
                c.error(
                    n.pos,
                    "expected at least one container, found an empty list",
                );
            }
            decode_containers(&mut c, n, names, false, &mut seen, grace_period_s)
        }
        None => Vec::new(),
    };
    let init_containers = m
        .opt("initContainers")
        .map(|n| {
            let mut c = ctx.field("initContainers");
            decode_containers(&mut c, n, names, true, &mut seen, grace_period_s)
        })
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
    // ValidatePodSpec: 1 to 2^32 - 1 seconds.
    let active_deadline_s = m.opt("activeDeadlineSeconds").and_then(|n| {
        let mut c = ctx.field("activeDeadlineSeconds");
        let v = c.i64(n)?;
        if !(1..=u32::MAX as i64).contains(&v) {
            c.error(
                n.pos,
                format!(
                    "expected a number of seconds from 1 to {}, found {v}",
                    u32::MAX
                ),
            );
            return None;
        }
        Some(v as u64)
    });
    let overhead = m
        .opt("overhead")
        .and_then(|n| decode_resource_list(&mut ctx.field("overhead"), n, names, false))
        .map(|(r, _)| r)
        .unwrap_or_default();
    let topology_spread_constraints = m
        .opt("topologySpreadConstraints")
        .map(|n| decode_topology_spread_constraints(&mut ctx.field("topologySpreadConstraints"), n))
        .unwrap_or_default();
    m.ignore(POD_SPEC_IGNORED);
    m.finish(ctx);
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
        active_deadline_s,
    })
}

/// An integer field of a mapping, read ahead of its turn; `None` when absent
/// or not an integer (its own decoding reports that).
fn peek_int(node: &Yaml, key: &str) -> Option<i64> {
    let Value::Map(entries) = &node.value else {
        return None;
    };
    entries
        .iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .and_then(|(_, v)| match v.value {
            Value::Int(i) => Some(i),
            _ => None,
        })
}

/// An optional name of another object (nodeName, schedulerName, priorityClassName): a
/// DNS-1123 subdomain. The empty string means unset, as upstream defaulting
/// (`SetDefaults_PodSpec`) and validation treat it.
fn opt_subdomain(ctx: &mut Ctx<'_>, m: &mut MapReader<'_>, key: &'static str) -> Option<String> {
    let n = m.opt(key)?;
    let mut c = ctx.field(key);
    let s = c.str(n)?;
    if s.is_empty() {
        return None;
    }
    check_dns_subdomain(&mut c, n, &s, false);
    Some(s)
}
