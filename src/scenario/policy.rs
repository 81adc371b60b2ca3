//! Decoding PriorityClass (`scheduling.k8s.io/v1`) and PodDisruptionBudget
//! (`policy/v1`) manifests, and the Priority admission plugin
//! (`plugin/pkg/admission/priority/admission.go`, v1.32): every pod's
//! `priorityClassName` is resolved to its class's value when the scenario is
//! loaded, pods without one get the `globalDefault` class (or 0), and a name
//! that no class has is an error.

use super::manifest::{decode_label_selector, decode_metadata};
use super::workloads::decode_int_or_percent;
use crate::input::decode::check_type;
use crate::input::decode::{Ctx, MapReader};
use crate::input::diagnostic::Pos;
use crate::input::yaml::Node as Yaml;
use crate::model::intstr::IntOrPercent;
use crate::model::policy::{
    PodDisruptionBudget, PreemptionPolicy, PriorityClass, HIGHEST_USER_DEFINABLE_PRIORITY,
    SYSTEM_CLASSES,
};
use crate::model::PodSpec;

pub fn decode_priority_class(ctx: &mut Ctx<'_>, doc: &Yaml) -> Option<PriorityClass> {
    let errors_before = ctx.error_count();
    let mut m = MapReader::new(ctx, doc)?;
    check_type(ctx, &mut m, "PriorityClass", "scheduling.k8s.io/v1");
    let metadata = m.req(ctx, "metadata").map(|n| {
        (
            decode_metadata(&mut ctx.field("metadata"), n, false, true),
            n.pos,
        )
    });
    let value = m.req(ctx, "value").and_then(|n| {
        let mut c = ctx.field("value");
        let v = c.i64(n)?;
        // ValidatePriorityClass: user classes may not exceed HighestUserDefinablePriority.
        if v > HIGHEST_USER_DEFINABLE_PRIORITY {
            c.error(
                n.pos,
                format!(
                    "expected a value of at most {HIGHEST_USER_DEFINABLE_PRIORITY} \
                     (larger values are reserved for system classes), found {v}"
                ),
            );
            return None;
        }
        if v < i32::MIN as i64 {
            c.error(n.pos, format!("expected a 32-bit integer, found {v}"));
            return None;
        }
        Some(v as i32)
    });
    let global_default = m
        .opt("globalDefault")
        .and_then(|n| ctx.field("globalDefault").bool(n))
        .unwrap_or(false);
    let preemption_policy = m
        .opt("preemptionPolicy")
        .and_then(|n| {
            ctx.field("preemptionPolicy")
                .one_of(n, &["PreemptLowerPriority", "Never"])
        })
        .and_then(PreemptionPolicy::parse)
        .unwrap_or_default();
    m.ignore(&["description"]);
    m.finish(ctx);
    let (metadata, meta_pos) = metadata?;
    if metadata.name.starts_with("system-") {
        ctx.field("metadata").field("name").error(
            meta_pos,
            format!(
                "priority class names with the prefix \"system-\" are reserved, found {:?}",
                metadata.name
            ),
        );
    }
    if ctx.error_count() > errors_before {
        return None;
    }
    Some(PriorityClass {
        name: metadata.name,
        value: value?,
        global_default,
        preemption_policy,
    })
}

pub fn decode_pod_disruption_budget(ctx: &mut Ctx<'_>, doc: &Yaml) -> Option<PodDisruptionBudget> {
    let errors_before = ctx.error_count();
    let mut m = MapReader::new(ctx, doc)?;
    check_type(ctx, &mut m, "PodDisruptionBudget", "policy/v1");
    let metadata = m
        .req(ctx, "metadata")
        .map(|n| decode_metadata(&mut ctx.field("metadata"), n, true, true));
    let mut min_available = None;
    let mut max_unavailable = None;
    let mut selector = None;
    if let Some(spec) = m.req(ctx, "spec") {
        let mut sctx = ctx.field("spec");
        if let Some(mut sm) = MapReader::new(&mut sctx, spec) {
            min_available = sm.opt("minAvailable").and_then(|n| {
                decode_int_or_percent(&mut sctx.field("minAvailable"), n).map(|v| (v, n.pos))
            });
            max_unavailable = sm.opt("maxUnavailable").and_then(|n| {
                decode_int_or_percent(&mut sctx.field("maxUnavailable"), n).map(|v| (v, n.pos))
            });
            selector = sm
                .opt("selector")
                .and_then(|n| decode_label_selector(&mut sctx.field("selector"), n));
            sm.ignore(&["unhealthyPodEvictionPolicy"]);
            sm.finish(&mut sctx);
            // ValidatePodDisruptionBudgetSpec.
            for (key, v) in [
                ("minAvailable", min_available),
                ("maxUnavailable", max_unavailable),
            ] {
                if let Some((IntOrPercent::Percent(p), pos)) = v {
                    if p > 100 {
                        sctx.field(key).error(
                            pos,
                            format!("must not be greater than 100%, found \"{p}%\""),
                        );
                    }
                }
            }
            match (min_available, max_unavailable) {
                (Some(_), Some((_, pos))) => sctx
                    .field("maxUnavailable")
                    .error(pos, "minAvailable and maxUnavailable cannot be both set"),
                (None, None) => {
                    sctx.error(spec.pos, "expected one of minAvailable or maxUnavailable")
                }
                _ => {}
            }
        }
    }
    m.ignore(&["status"]);
    m.finish(ctx);
    if ctx.error_count() > errors_before {
        return None;
    }
    Some(PodDisruptionBudget {
        metadata: metadata?,
        min_available: min_available.map(|(v, _)| v),
        max_unavailable: max_unavailable.map(|(v, _)| v),
        selector,
    })
}

/// Checks the classes of one scenario together: at most one `globalDefault`.
pub fn check_classes(ctx: &mut Ctx<'_>, pos: Pos, classes: &[PriorityClass]) {
    let defaults: Vec<&str> = classes
        .iter()
        .filter(|c| c.global_default)
        .map(|c| c.name.as_str())
        .collect();
    if defaults.len() > 1 {
        ctx.error(
            pos,
            format!(
                "PriorityClasses {} are all marked globalDefault; only one default can exist",
                defaults.join(", ")
            ),
        );
    }
    for (i, c) in classes.iter().enumerate() {
        if classes[..i].iter().any(|o| o.name == c.name) {
            ctx.error(pos, format!("two PriorityClasses are named {:?}", c.name));
        }
    }
}

/// The Priority admission plugin on one pod spec: the class's value (or the
/// global default's, or 0). A pod that sets `priority` itself must agree with
/// its class, as upstream admission requires. Returns the problem as text.
pub fn admit(spec: &mut PodSpec, classes: &[PriorityClass]) -> Result<(), String> {
    match admission(spec.priority_class_name.as_deref(), spec.priority, classes)? {
        Admission::Unchanged => {}
        Admission::Value(v) => spec.priority = v,
        Admission::GlobalDefault(c) => {
            spec.priority_class_name = Some(c.name.clone());
            spec.priority = c.value;
        }
    }
    Ok(())
}

/// What [`admit`] does to a spec that names `class` and sets `priority`.
pub enum Admission<'c> {
    /// No class and no global default, or a priority the default disagrees with.
    Unchanged,
    /// The priority becomes the named class's value.
    Value(i32),
    /// The global default class is named and its value taken.
    GlobalDefault(&'c PriorityClass),
}

/// [`admit`] without a spec to change: what it would do, or its problem.
pub fn admission<'c>(
    class: Option<&str>,
    priority: i32,
    classes: &'c [PriorityClass],
) -> Result<Admission<'c>, String> {
    let value = match class {
        Some(name) => {
            let system = SYSTEM_CLASSES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| *v);
            match classes.iter().find(|c| c.name == name) {
                Some(c) => c.value,
                None => match system {
                    Some(v) => v,
                    None => {
                        let known: Vec<&str> = classes
                            .iter()
                            .map(|c| c.name.as_str())
                            .chain(SYSTEM_CLASSES.iter().map(|(n, _)| *n))
                            .collect();
                        return Err(format!(
                            "no PriorityClass with name {name:?} was found; defined: {}",
                            known.join(", ")
                        ));
                    }
                },
            }
        }
        None => {
            return Ok(match classes.iter().find(|c| c.global_default) {
                Some(c) if priority == 0 || priority == c.value => Admission::GlobalDefault(c),
                _ => Admission::Unchanged,
            })
        }
    };
    if priority != 0 && priority != value {
        return Err(format!(
            "the integer value of priority ({priority}) must not be provided in pod spec; \
             priority admission controller computed {value} from the given PriorityClass name"
        ));
    }
    Ok(Admission::Value(value))
}
