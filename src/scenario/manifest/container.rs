//! Containers and ResourceLists: names, images, pull and restart policies, and
//! requests and limits with upstream's defaulting and validation
//! (`ValidateResourceRequirements`, `ValidateResourceQuantityValue`).

use super::meta::{check_dns_label, opt_enum};
use crate::engine::SimDuration;
use crate::input::decode::{Ctx, MapReader};
use crate::input::diagnostic::Pos;
use crate::input::yaml::{Node as Yaml, Value};
use crate::model::pod::{Container, HookHandler, ImagePullPolicy, Lifecycle, RequestsSet};
use crate::model::quantity::{parse_milli, parse_units};
use crate::model::resources::{ResourceName, ResourceNames, Resources};
use crate::scenario::probes::decode_probes;

/// Real Container fields that do not affect what kubesim simulates, in the order of
/// the API's Container type; the probes, which are modelled, come between them.
const CONTAINER_IGNORED_BEFORE_PROBES: &[&str] = &[
    "command",
    "args",
    "workingDir",
    "ports",
    "env",
    "envFrom",
    "volumeMounts",
    "volumeDevices",
];
const CONTAINER_IGNORED_AFTER_LIFECYCLE: &[&str] = &[
    "terminationMessagePath",
    "terminationMessagePolicy",
    "securityContext",
    "stdin",
    "stdinOnce",
    "tty",
    "resizePolicy",
];

/// `containers` or `initContainers`. `seen` holds the names taken so far with the path
/// that took them.
pub(super) fn decode_containers(
    ctx: &mut Ctx<'_>,
    list: &Yaml,
    names: &mut ResourceNames,
    init: bool,
    seen: &mut Vec<(String, String)>,
    grace_period_s: i64,
) -> Vec<Container> {
    let Some(items) = ctx.seq(list) else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            decode_container(&mut ctx.index(i), item, names, init, seen, grace_period_s)
        })
        .collect()
}

fn decode_container(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    names: &mut ResourceNames,
    init: bool,
    seen: &mut Vec<(String, String)>,
    grace_period_s: i64,
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
    let (requests, requests_set, limits) = m
        .opt("resources")
        .map(|n| decode_container_resources(&mut ctx.field("resources"), n, names))
        .unwrap_or_default();
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
    m.ignore(CONTAINER_IGNORED_BEFORE_PROBES);
    let probes = decode_probes(ctx, &mut m, init, restart_policy_always);
    let lifecycle = m
        .opt("lifecycle")
        .map(|n| decode_lifecycle(&mut ctx.field("lifecycle"), n, grace_period_s))
        .unwrap_or_default();
    m.ignore(CONTAINER_IGNORED_AFTER_LIFECYCLE);
    m.finish(ctx);
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
        requests_set,
        limits,
        restart_policy_always,
        behaviour: Default::default(),
        lifecycle,
    })
}

/// The handler types of a lifecycle hook (`LifecycleHandler`).
const HOOK_HANDLERS: &[&str] = &["exec", "httpGet", "tcpSocket", "sleep"];

/// `lifecycle`: its `postStart` and `preStop` hooks.
fn decode_lifecycle(ctx: &mut Ctx<'_>, node: &Yaml, grace_period_s: i64) -> Lifecycle {
    let Some(mut m) = MapReader::new(ctx, node) else {
        return Lifecycle::default();
    };
    let hook = |ctx: &mut Ctx<'_>, m: &mut MapReader<'_>, key: &'static str| {
        m.opt(key)
            .and_then(|n| decode_hook(&mut ctx.field(key), n, grace_period_s))
    };
    let post_start = hook(ctx, &mut m, "postStart");
    let pre_stop = hook(ctx, &mut m, "preStop");
    // `stopSignal` (v1.33) is after kubesim's version; refuse it as unknown.
    m.finish(ctx);
    Lifecycle {
        post_start,
        pre_stop,
    }
}

/// One hook, validated as `validateHandler` and `validateSleepAction` in
/// `pkg/apis/core/validation/validation.go` (v1.32) do: exactly one handler
/// type; a sleep of 1 s up to the pod's `terminationGracePeriodSeconds` (zero
/// needs the alpha gate PodLifecycleSleepActionAllowZero, off in v1.32). What
/// the exec, httpGet and tcpSocket handlers say is not simulated.
fn decode_hook(ctx: &mut Ctx<'_>, node: &Yaml, grace_period_s: i64) -> Option<HookHandler> {
    let mut m = MapReader::new(ctx, node)?;
    let handlers: Vec<&str> = HOOK_HANDLERS.iter().copied().filter(|h| m.has(h)).collect();
    if handlers.len() != 1 {
        ctx.error(
            node.pos,
            format!(
                "must specify exactly one handler type of: {} (found {})",
                HOOK_HANDLERS.join(", "),
                handlers.len()
            ),
        );
    }
    let sleep = m.opt("sleep").and_then(|n| {
        let mut c = ctx.field("sleep");
        let mut sm = MapReader::new(&mut c, n)?;
        let seconds = sm.req(&mut c, "seconds").and_then(|s| {
            let mut sc = c.field("seconds");
            let v = sc.i64(s)?;
            if v <= 0 || v > grace_period_s {
                sc.error(
                    s.pos,
                    format!(
                        "must be greater than 0 and less than terminationGracePeriodSeconds \
                         ({grace_period_s}), found {v}"
                    ),
                );
                return None;
            }
            Some(v)
        });
        sm.finish(&mut c);
        seconds
    });
    m.ignore(&["exec", "httpGet", "tcpSocket"]);
    m.finish(ctx);
    match handlers.as_slice() {
        ["sleep"] => sleep.map(|s| HookHandler::Sleep(SimDuration::from_secs(s as u64))),
        [_] => Some(HookHandler::Declared),
        _ => None,
    }
}

/// One entry of a ResourceList as written.
pub(super) struct Quantity {
    pub(super) key: String,
    pub(super) name: ResourceName,
    pub(super) text: String,
    pub(super) value: i64,
    pub(super) pos: Pos,
}

/// A decoded ResourceList with its entries, for checks that need to know which
/// resources were written (not just their values).
pub(super) struct ResourceList {
    pub(super) resources: Resources,
    pub(super) pods: Option<i64>,
    pub(super) entries: Vec<Quantity>,
}

/// A container's `resources`: requests and limits, with upstream's defaulting (a limit
/// without a request sets the request, `SetDefaults_Pod` in `pkg/apis/core/v1/defaults.go`)
/// and validation (`ValidateResourceRequirements` in `validation.go`). Also says
/// which of cpu and memory the defaulted requests name, even as `0`.
fn decode_container_resources(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    names: &mut ResourceNames,
) -> (Resources, RequestsSet, Resources) {
    let Some(mut m) = MapReader::new(ctx, node) else {
        return Default::default();
    };
    let requests = m
        .opt("requests")
        .and_then(|n| resource_list(&mut ctx.field("requests"), n, names, false));
    let limits = m
        .opt("limits")
        .and_then(|n| resource_list(&mut ctx.field("limits"), n, names, false));
    // `claims` names DRA resource claims, which kubesim does not model.
    m.ignore(&["claims"]);
    m.finish(ctx);
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
    // After defaulting a limit's key is a request's key too.
    let named = |name: ResourceName| all().any(|q| q.name == name);
    let set = RequestsSet {
        cpu: named(ResourceName::Cpu),
        memory: named(ResourceName::Memory),
    };
    (
        request,
        set,
        limits.map(|l| l.resources).unwrap_or_default(),
    )
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

pub(super) fn resource_list(
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
