//! The run's clock settings at the top of a scenario: `duration`,
//! `sampleInterval`, `warmup` and `maxEvents`.

use crate::engine::SimDuration;
use crate::input::decode::{Ctx, MapReader};
use crate::input::diagnostic::Pos;
use crate::input::yaml::Node as Yaml;
use crate::limits::{DEFAULT_MAX_EVENTS, MAX_SAMPLES};

/// Default interval of timeseries.csv.
pub const DEFAULT_SAMPLE_INTERVAL: SimDuration = SimDuration(10_000_000);

/// When a run stops and how it samples.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Clock {
    pub duration: Option<SimDuration>,
    pub sample_interval: SimDuration,
    /// The start of the run that summary.csv leaves out (see
    /// [`crate::scenario::Scenario::warmup`]).
    pub warmup: SimDuration,
    pub max_events: u64,
}

/// Decodes the clock's fields of the scenario's top-level mapping.
pub fn decode_clock(ctx: &mut Ctx, m: &mut MapReader, doc: &Yaml) -> Clock {
    let duration = m
        .opt("duration")
        .and_then(|n| ctx.field("duration").duration(n));
    let sample_interval_node = m.opt("sampleInterval");
    let sample_interval = sample_interval_node
        .and_then(|n| positive_duration(&mut ctx.field("sampleInterval"), n))
        .unwrap_or(DEFAULT_SAMPLE_INTERVAL);
    if let Some(d) = duration {
        // Where the problem is: the interval if given, else the duration.
        let (field, pos) = match (sample_interval_node, m.opt("duration")) {
            (Some(n), _) => ("sampleInterval", n.pos),
            (None, Some(n)) => ("duration", n.pos),
            (None, None) => ("sampleInterval", doc.pos),
        };
        let default = sample_interval_node.is_none();
        check_sample_count(&mut ctx.field(field), pos, d, sample_interval, default);
    }
    let warmup = m
        .opt("warmup")
        .and_then(|n| {
            let mut c = ctx.field("warmup");
            let w = c.duration(n)?;
            // A warm-up as long as the run would leave nothing to summarise.
            match duration {
                Some(d) if w >= d => {
                    c.error(
                        n.pos,
                        format!(
                            "expected a warm-up shorter than the duration ({d}), found {w}: \
                             summary.csv would count nothing"
                        ),
                    );
                    None
                }
                _ => Some(w),
            }
        })
        .unwrap_or(SimDuration::ZERO);
    let max_events = m
        .opt("maxEvents")
        .and_then(|n| ctx.field("maxEvents").u64(n))
        .unwrap_or(DEFAULT_MAX_EVENTS);
    Clock {
        duration,
        sample_interval,
        warmup,
        max_events,
    }
}

/// A duration that must be more than zero (an interval).
pub fn positive_duration(ctx: &mut Ctx, n: &Yaml) -> Option<SimDuration> {
    let d = ctx.duration(n)?;
    if d == SimDuration::ZERO {
        ctx.error(n.pos, "expected a duration greater than zero, found 0");
        return None;
    }
    Some(d)
}

/// A run samples every `interval` for its `duration`: at most
/// [`MAX_SAMPLES`] intervals, so that timeseries.csv and workloads.csv stay
/// within a stated size.
fn check_sample_count(
    ctx: &mut Ctx,
    pos: Pos,
    duration: SimDuration,
    interval: SimDuration,
    default: bool,
) {
    let samples = duration.0 / interval.0;
    let which = if default { "the default" } else { "a" };
    if samples > MAX_SAMPLES {
        let least = SimDuration(duration.0.div_ceil(MAX_SAMPLES));
        ctx.error(
            pos,
            format!(
                "{which} sampleInterval of {interval} over a duration of {duration} takes {samples} \
                 samples; at most {MAX_SAMPLES} are allowed (duration ÷ sampleInterval): \
                 use a sampleInterval of at least {least}, or a shorter duration"
            ),
        );
    }
}
