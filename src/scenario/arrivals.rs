//! An arrival process as a scenario writes it (an `arrivals` item): its
//! pod template (inline, `{file: pod.yaml}` or `templateFile`), its process
//! (poisson, constant, times, or profile: a rate that follows a profile),
//! its bounds and its drawn pod sizes.

use super::behaviour::{self, BehaviourRule};
use super::clock::positive_duration;
use super::manifest;
use super::sources::{decode_file, file_reference, read_included};
use super::spec::{Arrival, ArrivalProcess};
use crate::engine::{SimDuration, SimTime};
use crate::input::decode::{Ctx, MapReader};
use crate::input::diagnostic::{Diagnostic, Pos};
use crate::input::yaml::Node as Yaml;
use crate::model::{Pod, ResourceNames};
use std::path::Path;

/// The Pod manifest of an arrival's `templateFile`: the file must hold
/// exactly one Pod; its problems name that file.
fn template_from_file(
    fctx: &mut Ctx,
    pos: Pos,
    path: &Path,
    names: &mut ResourceNames,
    warnings: &mut Vec<Diagnostic>,
) -> Option<Pod> {
    let objects = decode_file(fctx, pos, path, names, warnings);
    match <[Pod; 1]>::try_from(objects.pods) {
        Ok([pod]) if objects.nodes.is_empty() => Some(pod),
        _ => {
            fctx.error(pos, "expected a file holding exactly one Pod manifest");
            None
        }
    }
}

pub(super) fn decode_arrival(
    ctx: &mut Ctx,
    node: &Yaml,
    base_dir: &Path,
    names: &mut ResourceNames,
    rules: &[BehaviourRule],
    warnings: &mut Vec<Diagnostic>,
) -> Option<Arrival> {
    let mut m = MapReader::new(ctx, node)?;
    let name = m.req(ctx, "name").and_then(|n| ctx.field("name").str(n));
    let template = match (m.opt("template"), m.opt("templateFile")) {
        (Some(t), None) => {
            let mut tctx = ctx.field("template");
            match file_reference(&mut tctx, t) {
                Some(Some(path)) => {
                    // Like an inline template: one Pod manifest, its name optional.
                    let (file, doc) = read_included(&mut tctx, t.pos, &base_dir.join(path))?;
                    manifest::decode_pod(
                        &mut Ctx::new(&file, tctx.sink()),
                        &doc,
                        names,
                        warnings,
                        false,
                    )
                }
                Some(None) => None,
                None => manifest::decode_pod(&mut tctx, t, names, warnings, false),
            }
        }
        (None, Some(f)) => {
            let mut fctx = ctx.field("templateFile");
            let path = fctx.str(f)?;
            template_from_file(&mut fctx, f.pos, &base_dir.join(path), names, warnings)
        }
        (Some(_), Some(_)) => {
            ctx.error(
                m.pos(),
                "give either `template` or `templateFile`, not both",
            );
            None
        }
        (None, None) => {
            ctx.error(
                m.pos(),
                "missing required field `template` (a Pod manifest) or `templateFile`",
            );
            None
        }
    };
    let process_name = m
        .req(ctx, "process")
        .and_then(|n| ctx.field("process").str(n).map(|s| (s, n.pos)));
    let rate = m.opt("rate").and_then(|n| {
        let mut c = ctx.field("rate");
        let r = c.f64(n)?;
        if r <= 0.0 || !r.is_finite() {
            c.error(
                n.pos,
                format!("expected a rate in pods per second greater than zero, found {r}"),
            );
            return None;
        }
        Some(r)
    });
    let interval = m
        .opt("interval")
        .and_then(|n| positive_duration(&mut ctx.field("interval"), n));
    let times = m.opt("times").map(|n| {
        let mut tctx = ctx.field("times");
        let items = tctx.seq(n).unwrap_or(&[]);
        let mut out: Vec<SimDuration> = items
            .iter()
            .enumerate()
            .filter_map(|(i, t)| tctx.index(i).duration(t))
            .collect();
        out.sort();
        out
    });
    let profile = m.opt("profile").map(|n| {
        (
            super::profile::decode(&mut ctx.field("profile"), n, base_dir),
            n.pos,
        )
    });
    let start = m
        .opt("start")
        .and_then(|n| ctx.field("start").duration(n))
        .unwrap_or_default();
    let count = m.opt("count").and_then(|n| ctx.field("count").u64(n));
    let until = m.opt("until").and_then(|n| ctx.field("until").duration(n));
    let requests = match m.opt("requests") {
        Some(n) => super::sizes::decode(&mut ctx.field("requests"), n, names),
        None => Some(Vec::new()),
    };
    let pos = m.pos();
    m.finish(ctx);

    if let (Some((_, ppos)), Some(name)) = (&profile, process_name.as_ref()) {
        if name.0 != "profile" {
            ctx.field("profile")
                .error(*ppos, "`profile` goes with `process: profile` only");
        }
    }
    let process = match process_name {
        Some((p, _)) if p == "profile" => match (rate, interval, &times, profile) {
            (None, None, None, Some((p, _))) => {
                p.map(|p| ArrivalProcess::Profile(std::sync::Arc::new(p)))
            }
            _ => {
                ctx.error(pos, "a profile process takes `profile` (a rate that changes over time) and no rate, interval or times");
                None
            }
        },
        Some((p, ppos)) => match (p.as_str(), rate, interval, &times) {
            ("poisson", Some(r), None, None) => Some(ArrivalProcess::Poisson {
                mean_interval: SimDuration::from_secs_f64(1.0 / r),
            }),
            ("constant", Some(r), None, None) => Some(ArrivalProcess::Constant {
                interval: SimDuration::from_secs_f64(1.0 / r),
            }),
            ("constant", None, Some(i), None) => Some(ArrivalProcess::Constant { interval: i }),
            ("times", None, None, Some(t)) => Some(ArrivalProcess::Times(t.clone())),
            ("poisson", ..) => {
                ctx.error(pos, "a poisson process takes `rate` (pods per second) and nothing else of rate, interval, times");
                None
            }
            ("constant", ..) => {
                ctx.error(
                    pos,
                    "a constant process takes either `rate` (pods per second) or `interval`",
                );
                None
            }
            ("times", ..) => {
                ctx.error(pos, "a times process takes `times` (a list of offsets from `start`) and no rate or interval");
                None
            }
            (other, ..) => {
                let hint = crate::input::decode::did_you_mean(
                    other,
                    &["poisson", "constant", "times", "profile"],
                )
                .map_or(String::new(), |s| format!(" (did you mean `{s}`?)"));
                ctx.field("process").error(ppos, format!("unknown arrival process {other:?}{hint}; expected poisson, constant, times or profile"));
                None
            }
        },
        None => None,
    };
    if count.is_none() && until.is_none() && !matches!(process, Some(ArrivalProcess::Times(_))) {
        ctx.error(pos, "an endless arrival process needs `count` or `until`");
    }
    let mut template = template?;
    let name = name?;
    behaviour::apply(&mut template, rules, ctx.file(), node.pos, ctx.sink());
    Some(Arrival {
        name,
        template,
        process: process?,
        start: SimTime::ZERO + start,
        count,
        until: until.map(|u| SimTime::ZERO + u),
        requests: requests?,
    })
}
