//! Container behaviour: what a real cluster would learn by running the
//! containers (how long a run lasts, how it exits, how long the runtime takes
//! to start it), declared in the scenario's `behaviour` rules or in
//! `kubesim.io/` annotations on the pod.
//!
//! Precedence, lowest first: defaults, the first matching `behaviour` rule,
//! pod annotations (`kubesim.io/run-time`), container annotations
//! (`kubesim.io/run-time.<container>`).

use crate::engine::distribution::Distribution;
use crate::input::decode::{Ctx, MapReader};
use crate::input::diagnostic::{Diagnostic, Pos};
use crate::input::yaml::Node as Yaml;
use crate::model::labels::{LabelSelector, Labels};
use crate::model::pod::{Container, ContainerBehaviour};
use crate::model::workloads::PodTemplate;
use crate::model::Pod;
use std::sync::Arc;

pub const ANNOTATION_PREFIX: &str = "kubesim.io/";
/// The behaviour fields, as annotation suffixes and as rule keys.
const FIELDS: &[(&str, &str)] = &[
    ("run-time", "runTime"),
    ("exit-code", "exitCode"),
    ("fail-probability", "failProbability"),
    ("start-latency", "startLatency"),
    ("pre-stop", "preStop"),
    ("stop-time", "stopTime"),
    ("crash-after", "crashAfter"),
    ("memory-usage", "memoryUsage"),
    ("memory-usage-after", "memoryUsageAfter"),
    ("ready-after", "readyAfter"),
    ("started-after", "startedAfter"),
    ("liveness-fails-after", "livenessFailsAfter"),
    ("probe-response-time", "probeResponseTime"),
    ("post-start", "postStart"),
    ("post-start-fail-probability", "postStartFailProbability"),
    ("pre-stop-fail-probability", "preStopFailProbability"),
];

/// A `behaviour` rule of the scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct BehaviourRule {
    /// Pods whose labels match; `None` matches every pod.
    pub selector: Option<LabelSelector>,
    /// Only this container; `None` matches every container.
    pub container: Option<String>,
    /// Field values as (field key, text, position) to apply in order.
    settings: Vec<(&'static str, String, Pos)>,
}

impl BehaviourRule {
    fn matches(&self, labels: &Labels, container: &Container) -> bool {
        self.selector.as_ref().is_none_or(|s| s.matches(labels))
            && self.container.as_ref().is_none_or(|c| *c == container.name)
    }
}

/// Decodes one rule of the `behaviour` list.
pub fn decode_rule(ctx: &mut Ctx, node: &Yaml) -> Option<BehaviourRule> {
    let mut m = MapReader::new(ctx, node)?;
    let selector = m
        .opt("selector")
        .and_then(|n| super::manifest::decode_label_selector(&mut ctx.field("selector"), n));
    let container = m
        .opt("container")
        .and_then(|n| ctx.field("container").str(n));
    let mut settings = Vec::new();
    for (_, key) in FIELDS {
        if let Some(n) = m.opt(key) {
            let mut fctx = ctx.field(key);
            if let Some(text) = fctx.scalar_string(n) {
                // Validate now so errors point at the rule.
                if apply_field(&mut ContainerBehaviour::default(), key, &text)
                    .map_err(|e| fctx.error(n.pos, e))
                    .is_ok()
                {
                    settings.push((*key, text, n.pos));
                }
            }
        }
    }
    m.finish(ctx);
    Some(BehaviourRule {
        selector,
        container,
        settings,
    })
}

/// Sets one behaviour field from its text; the error says what was expected.
fn apply_field(b: &mut ContainerBehaviour, key: &str, text: &str) -> Result<(), String> {
    match key {
        "runTime" => b.run_time = Some(Distribution::parse(text)?),
        "startLatency" => b.start_latency = Distribution::parse(text)?,
        "preStop" => b.pre_stop = Some(Distribution::parse(text)?),
        "stopTime" => b.stop_time = Distribution::parse(text)?,
        "crashAfter" => b.crash_after = Some(Distribution::parse(text)?),
        "memoryUsageAfter" => b.memory_usage_after = Distribution::parse(text)?,
        "readyAfter" => b.ready_after = Distribution::parse(text)?,
        "startedAfter" => b.started_after = Distribution::parse(text)?,
        "livenessFailsAfter" => b.liveness_fails_after = Some(Distribution::parse(text)?),
        "postStart" => b.post_start = Some(Distribution::parse(text)?),
        "probeResponseTime" => b.probe_response_time = Some(Distribution::parse(text)?),
        "postStartFailProbability" => b.post_start_fail_probability = probability(text)?,
        "preStopFailProbability" => b.pre_stop_fail_probability = probability(text)?,
        "memoryUsage" => {
            b.memory_usage_bytes = Some(
                crate::model::quantity::parse_units(text.trim())
                    .ok()
                    .filter(|v| *v >= 0)
                    .ok_or_else(|| {
                        format!("expected a memory quantity such as 512Mi or 2Gi, found {text:?}")
                    })?,
            )
        }
        "exitCode" => {
            b.exit_code = text
                .trim()
                .parse::<i32>()
                .ok()
                .filter(|c| (0..=255).contains(c))
                .ok_or_else(|| format!("expected an exit code from 0 to 255, found {text:?}"))?
        }
        "failProbability" => b.fail_probability = probability(text)?,
        _ => unreachable!("behaviour field {key}"),
    }
    Ok(())
}

fn probability(text: &str) -> Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|p| (0.0..=1.0).contains(p))
        .ok_or_else(|| format!("expected a probability from 0 to 1, found {text:?}"))
}

/// Resolves the behaviour of a workload's pod template, as for a pod.
pub fn apply_template(
    template: &mut PodTemplate,
    rules: &[BehaviourRule],
    file: &str,
    pos: Pos,
    errors: &mut Vec<Diagnostic>,
) {
    let mut pod = Pod::new(template.metadata.clone(), Arc::clone(&template.spec));
    apply(&mut pod, rules, file, pos, errors);
    template.spec = pod.spec;
}

/// Resolves every container's behaviour of `pod` from the rules and its
/// annotations. Annotation errors are reported at the pod's position under
/// `metadata.annotations`.
pub fn apply(
    pod: &mut Pod,
    rules: &[BehaviourRule],
    file: &str,
    pod_pos: Pos,
    errors: &mut Vec<Diagnostic>,
) {
    let annotations = &pod.metadata.annotations;
    // Unknown kubesim.io/ annotations are almost always typos: say so.
    for key in annotations
        .keys()
        .filter(|k| k.starts_with(ANNOTATION_PREFIX))
    {
        let suffix = &key[ANNOTATION_PREFIX.len()..];
        let field = suffix.split('.').next().unwrap_or("");
        if crate::model::gpu_share::ANNOTATION_SUFFIXES.contains(&suffix) {
            let checked = crate::model::gpu_share::validate(suffix, &annotations[key])
                .and_then(|()| crate::model::gpu_share::validate_pod(pod));
            if let Err(message) = checked {
                errors.push(Diagnostic {
                    file: file.to_string(),
                    pos: pod_pos,
                    field: format!("metadata.annotations.{key}"),
                    message,
                });
            }
            continue;
        }
        if !FIELDS.iter().any(|(a, _)| *a == field) {
            let mut known: Vec<&str> = FIELDS.iter().map(|(a, _)| *a).collect();
            known.extend(crate::model::gpu_share::ANNOTATION_SUFFIXES);
            let hint = crate::input::decode::did_you_mean(field, &known)
                .map_or(String::new(), |s| {
                    format!(" (did you mean `{ANNOTATION_PREFIX}{s}`?)")
                });
            errors.push(Diagnostic {
                file: file.to_string(),
                pos: pod_pos,
                field: format!("metadata.annotations.{key}"),
                message: format!(
                    "unknown kubesim annotation{hint}; expected one of: {}",
                    known
                        .iter()
                        .map(|k| format!("{ANNOTATION_PREFIX}{k}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    }
    let ours: Vec<(&str, &String)> = annotations
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix(ANNOTATION_PREFIX)?, v)))
        .collect();
    // Edited in place where the spec is this pod's alone (a trace row's).
    let spec = Arc::make_mut(&mut pod.spec);
    let all: Vec<&mut Container> = spec
        .init_containers
        .iter_mut()
        .chain(spec.containers.iter_mut())
        .collect();
    for container in all {
        let mut b = ContainerBehaviour::default();
        if let Some(rule) = rules
            .iter()
            .find(|r| r.matches(&pod.metadata.labels, container))
        {
            for (key, text, _) in &rule.settings {
                apply_field(&mut b, key, text).expect("validated when decoded");
            }
        }
        // Per field, the pod-wide annotation and then the container's own
        // (`<field>.<container>`), so the container's wins. Matched against
        // the pod's few kubesim.io/ annotations without building every
        // possible key: a trace's pods each carry one or two.
        for (suffix, key) in FIELDS {
            let pod_level = ours.iter().filter(|(s, _)| s == suffix);
            let container_level = ours.iter().filter(|(s, _)| {
                s.strip_prefix(suffix).and_then(|r| r.strip_prefix('.')) == Some(&container.name)
            });
            for (s, text) in pod_level.chain(container_level) {
                if let Err(e) = apply_field(&mut b, key, text) {
                    errors.push(Diagnostic {
                        file: file.to_string(),
                        pos: pod_pos,
                        field: format!("metadata.annotations.{ANNOTATION_PREFIX}{s}"),
                        message: e,
                    });
                }
            }
        }
        container.behaviour = Arc::new(b);
    }
    // Rebuilt so that the requests it caches follow the spec.
    let running_in_snapshot = pod.running_in_snapshot;
    let snapshot_start = pod.snapshot_start.take();
    *pod = Pod::new(std::mem::take(&mut pod.metadata), Arc::clone(&pod.spec));
    pod.running_in_snapshot = running_in_snapshot;
    pod.snapshot_start = snapshot_start;
}
