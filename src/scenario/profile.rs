//! A rate profile as a scenario writes it (an arrival's `profile`, a
//! service load's `rate`): exactly one of
//!
//! - `steps: [{at: 0s, rate: 2}, {at: 6h, rate: 8}]` (piecewise constant),
//! - `linear: [{at: 0s, rate: 2}, {at: 6h, rate: 8}]` (piecewise linear),
//! - `diurnal: {mean: 5, amplitude: 0.6, peak: 14h, period: 24h}`,
//! - `file: rates.csv` (columns `time_s,rate`) with `interpolation: steps`
//!   or `linear` (the default).
//!
//! Rates are per second; times are simulated time since the run's start.

use crate::engine::profile::RateProfile;
use crate::input::decode::{Ctx, MapReader};
use crate::input::diagnostic::{Diagnostic, Pos};
use crate::input::yaml::Node as Yaml;
use crate::limits::MAX_PROFILE_POINTS;
use std::path::Path;

const KINDS: &[&str] = &["steps", "linear", "diurnal", "file"];

/// Decodes a profile; every problem is reported in `ctx`.
pub fn decode(ctx: &mut Ctx, node: &Yaml, base_dir: &Path) -> Option<RateProfile> {
    let mut m = MapReader::new(ctx, node)?;
    let given: Vec<(&str, &Yaml)> = KINDS
        .iter()
        .filter_map(|k| m.opt(k).map(|n| (*k, n)))
        .collect();
    let interpolation = m.opt("interpolation");
    let pos = m.pos();
    m.finish(ctx);
    let [(kind, n)] = given.as_slice() else {
        ctx.error(
            pos,
            format!(
                "a rate profile takes exactly one of `steps`, `linear`, `diurnal` or `file`, found {}",
                if given.is_empty() {
                    "none".to_string()
                } else {
                    given.iter().map(|g| format!("`{}`", g.0)).collect::<Vec<_>>().join(", ")
                }
            ),
        );
        return None;
    };
    if interpolation.is_some() && *kind != "file" {
        ctx.field("interpolation").error(
            interpolation.map_or(pos, |n| n.pos),
            "`interpolation` goes with `file` only",
        );
    }
    match *kind {
        "steps" => points(&mut ctx.field("steps"), n).map(RateProfile::Steps),
        "linear" => points(&mut ctx.field("linear"), n).map(RateProfile::Linear),
        "diurnal" => diurnal(&mut ctx.field("diurnal"), n),
        _ => {
            let linear = match interpolation {
                Some(i) => ctx.field("interpolation").one_of(i, &["linear", "steps"])? == "linear",
                None => true,
            };
            let path = ctx.field("file").str(n)?;
            let points = read_csv(&mut ctx.field("file"), n.pos, &base_dir.join(path))?;
            Some(if linear {
                RateProfile::Linear(points)
            } else {
                RateProfile::Steps(points)
            })
        }
    }
}

/// A list of `{at, rate}`, the first at 0, ascending.
fn points(ctx: &mut Ctx, node: &Yaml) -> Option<Vec<(f64, f64)>> {
    let items = ctx.seq(node)?;
    if items.is_empty() {
        ctx.error(node.pos, "expected at least one point `{at: 0s, rate: …}`");
        return None;
    }
    if items.len() > MAX_PROFILE_POINTS {
        ctx.error(
            node.pos,
            format!(
                "{} points, more than the {MAX_PROFILE_POINTS} a profile may have",
                items.len()
            ),
        );
        return None;
    }
    let before = ctx.error_count();
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let mut ictx = ctx.index(i);
        let Some(mut m) = MapReader::new(&mut ictx, item) else {
            continue;
        };
        let at = m.req(&mut ictx, "at").and_then(|n| {
            ictx.field("at")
                .duration(n)
                .map(|d| (d.as_secs_f64(), n.pos))
        });
        let rate = m
            .req(&mut ictx, "rate")
            .and_then(|n| rate(&mut ictx.field("rate"), n));
        m.finish(&mut ictx);
        if let (Some((at, at_pos)), Some(rate)) = (at, rate) {
            check_time(
                &mut ictx.field("at"),
                at_pos,
                at,
                out.last().map(|p: &(f64, f64)| p.0),
            );
            out.push((at, rate));
        }
    }
    (ctx.error_count() == before).then_some(out)
}

/// The first point at 0, each later one after the one before.
fn check_time(ctx: &mut Ctx, pos: Pos, at: f64, previous: Option<f64>) {
    match previous {
        None if at != 0.0 => ctx.error(
            pos,
            format!("the first point must be at 0s (the run's start), found {at}s"),
        ),
        Some(p) if at <= p => ctx.error(
            pos,
            format!("points must be in ascending time: {at}s after {p}s"),
        ),
        _ => {}
    }
}

fn rate(ctx: &mut Ctx, n: &Yaml) -> Option<f64> {
    let r = ctx.f64(n)?;
    if !(r >= 0.0 && r.is_finite()) {
        ctx.error(
            n.pos,
            format!("expected a rate per second of at least 0, found {r}"),
        );
        return None;
    }
    Some(r)
}

fn diurnal(ctx: &mut Ctx, node: &Yaml) -> Option<RateProfile> {
    let mut m = MapReader::new(ctx, node)?;
    let mean = m
        .req(ctx, "mean")
        .and_then(|n| rate(&mut ctx.field("mean"), n));
    let amplitude = m.req(ctx, "amplitude").and_then(|n| {
        let mut c = ctx.field("amplitude");
        let a = c.f64(n)?;
        if !(0.0..=1.0).contains(&a) {
            c.error(
                n.pos,
                format!("expected a relative amplitude from 0 to 1, found {a}"),
            );
            return None;
        }
        Some(a)
    });
    let peak = m
        .req(ctx, "peak")
        .and_then(|n| ctx.field("peak").duration(n));
    let period = match m.opt("period") {
        Some(n) => {
            let mut c = ctx.field("period");
            let d = c.duration(n)?;
            if d.0 == 0 {
                c.error(n.pos, "expected a period longer than 0s");
                return None;
            }
            Some(d.as_secs_f64())
        }
        None => Some(86_400.0),
    };
    m.finish(ctx);
    Some(RateProfile::Diurnal {
        mean: mean?,
        amplitude: amplitude?,
        peak_s: peak?.as_secs_f64(),
        period_s: period?,
    })
}

/// A CSV of `time_s,rate` (with that header); its problems name the file,
/// line and column.
fn read_csv(ctx: &mut Ctx, pos: Pos, path: &Path) -> Option<Vec<(f64, f64)>> {
    use crate::input::source::ReadError;
    let text = match crate::input::source::read_utf8(path, "the rate file") {
        Ok(t) => t,
        Err(ReadError::Io(e)) => {
            ctx.error(pos, format!("cannot read {}: {e}", path.display()));
            return None;
        }
        Err(ReadError::NotUtf8(d)) => {
            ctx.sink().push(d);
            return None;
        }
    };
    let file = path.display().to_string();
    let mut errors = Vec::new();
    let mut out: Vec<(f64, f64)> = Vec::new();
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, header)) if header.trim() == "time_s,rate" => {}
        other => errors.push(Diagnostic::new(
            &file,
            Pos::new(1, 1),
            "",
            format!(
                "expected the header `time_s,rate`, found {:?}",
                other.map_or("", |(_, h)| h)
            ),
        )),
    }
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let line_no = (i + 1) as u32;
        if out.len() >= MAX_PROFILE_POINTS {
            errors.push(Diagnostic::new(
                &file,
                Pos::new(line_no, 1),
                "",
                format!("more than the {MAX_PROFILE_POINTS} rows a rate file may have"),
            ));
            break;
        }
        let mut fields = line.split(',');
        let (Some(t), Some(r), None) = (fields.next(), fields.next(), fields.next()) else {
            errors.push(Diagnostic::new(
                &file,
                Pos::new(line_no, 1),
                "",
                format!("expected two fields `time_s,rate`, found {line:?}"),
            ));
            continue;
        };
        let column_of_rate = t.chars().count() as u32 + 2;
        let time = t
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0);
        let rate = r
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0);
        match (time, rate) {
            (None, _) => errors.push(Diagnostic::new(
                &file,
                Pos::new(line_no, 1),
                "time_s",
                format!("expected seconds of at least 0, found {:?}", t.trim()),
            )),
            (_, None) => errors.push(Diagnostic::new(
                &file,
                Pos::new(line_no, column_of_rate),
                "rate",
                format!(
                    "expected a rate per second of at least 0, found {:?}",
                    r.trim()
                ),
            )),
            (Some(time), Some(rate)) => {
                let bad = match out.last() {
                    None => (time != 0.0).then(|| {
                        format!("the first row must be at time 0 (the run's start), found {time}")
                    }),
                    Some(&(p, _)) => (time <= p)
                        .then(|| format!("rows must be in ascending time: {time} after {p}")),
                };
                match bad {
                    Some(message) => errors.push(Diagnostic::new(
                        &file,
                        Pos::new(line_no, 1),
                        "time_s",
                        message,
                    )),
                    None => out.push((time, rate)),
                }
            }
        }
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(Diagnostic::new(
            &file,
            Pos::new(1, 1),
            "",
            "expected at least one row `0,<rate>` after the header",
        ));
    }
    let ok = errors.is_empty();
    ctx.sink().extend(errors);
    ok.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::yaml::parse_single;

    fn decode_str(text: &str) -> Result<RateProfile, Vec<Diagnostic>> {
        let doc = parse_single("s.yaml", text).map_err(|d| d.0)?;
        let mut errors = Vec::new();
        let p = decode(&mut Ctx::new("s.yaml", &mut errors), &doc, Path::new("."));
        match p {
            Some(p) if errors.is_empty() => Ok(p),
            _ => Err(errors),
        }
    }

    #[test]
    fn decodes_each_kind() {
        assert_eq!(
            decode_str("steps: [{at: 0s, rate: 1}, {at: 1m, rate: 3}]").unwrap(),
            RateProfile::Steps(vec![(0.0, 1.0), (60.0, 3.0)])
        );
        assert_eq!(
            decode_str("linear: [{at: 0s, rate: 1}]").unwrap(),
            RateProfile::Linear(vec![(0.0, 1.0)])
        );
        assert_eq!(
            decode_str("diurnal: {mean: 4, amplitude: 0.5, peak: 14h}").unwrap(),
            RateProfile::Diurnal {
                mean: 4.0,
                amplitude: 0.5,
                peak_s: 50_400.0,
                period_s: 86_400.0
            }
        );
    }

    #[test]
    fn reports_located_problems() {
        let e = decode_str("steps: [{at: 5s, rate: 1}]").unwrap_err();
        assert!(e[0].message.contains("first point must be at 0s"), "{e:?}");
        assert_eq!(e[0].field, "steps[0].at");
        let e = decode_str("steps: [{at: 0s, rate: 1}, {at: 0s, rate: -2}]").unwrap_err();
        assert!(e.iter().any(|d| d.field == "steps[1].rate"), "{e:?}");
        let e = decode_str("diurnal: {mean: 4, amplitude: 2, peak: 1h}").unwrap_err();
        assert_eq!(e[0].field, "diurnal.amplitude");
        let e = decode_str("{}").unwrap_err();
        assert!(e[0].message.contains("exactly one of"), "{e:?}");
    }

    #[test]
    fn reads_a_csv_file_with_located_errors() {
        let dir = std::env::temp_dir().join(format!("kubesim-profile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("r.csv"), "time_s,rate\n0,1\n60,2.5\n").unwrap();
        std::fs::write(dir.join("bad.csv"), "time_s,rate\n0,1\n30,x\n").unwrap();
        let load = |name: &str| {
            let doc =
                parse_single("s.yaml", &format!("{{file: {name}, interpolation: steps}}")).unwrap();
            let mut errors = Vec::new();
            let p = decode(&mut Ctx::new("s.yaml", &mut errors), &doc, &dir);
            (p, errors)
        };
        let (p, errors) = load("r.csv");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(p, Some(RateProfile::Steps(vec![(0.0, 1.0), (60.0, 2.5)])));
        let (p, errors) = load("bad.csv");
        assert_eq!(p, None);
        assert_eq!((errors[0].pos.line, errors[0].pos.column), (3, 4));
        assert!(errors[0].file.ends_with("bad.csv"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
