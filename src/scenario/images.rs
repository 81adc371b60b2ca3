//! The scenario's `images` section: turns image pulls on and says how long
//! they take and how often they fail.
//!
//! ```yaml
//! images:
//!   nodeBandwidth: 50Mi          # bytes per second each node pulls at
//!   defaultSize: 200Mi           # size of images not listed
//!   pullTime: uniform(1s, 5s)    # instead of size / bandwidth
//!   failProbability: 0.01        # each pull fails with this probability
//!   registryOutages: [{at: 10m, for: 5m}]   # every pull fails meanwhile
//!   list:
//!     - {image: "shop:4.1", size: 800Mi, pullTime: 40s, failProbability: 0.1}
//! ```

use crate::engine::distribution::Distribution;
use crate::engine::SimTime;
use crate::input::decode::{Ctx, MapReader};
use crate::input::yaml::Node as Yaml;
use crate::kubelet::images::{ImageConfig, ImageSpec};
use crate::model::quantity::parse_units;

/// Default size of an image not listed (bytes).
pub const DEFAULT_IMAGE_SIZE_BYTES: i64 = 200 * 1024 * 1024;

fn quantity(ctx: &mut Ctx, n: &Yaml) -> Option<i64> {
    let text = ctx.scalar_string(n)?;
    match parse_units(text.trim()) {
        Ok(v) if v > 0 => Some(v),
        _ => {
            ctx.error(
                n.pos,
                format!("expected a positive byte quantity such as 200Mi or 1Gi, found {text:?}"),
            );
            None
        }
    }
}

pub(super) fn distribution(ctx: &mut Ctx, n: &Yaml) -> Option<Distribution> {
    let text = ctx.scalar_string(n)?;
    Distribution::parse(&text)
        .map_err(|e| ctx.error(n.pos, e))
        .ok()
}

fn probability(ctx: &mut Ctx, n: &Yaml) -> Option<f64> {
    let v = ctx.f64(n)?;
    if (0.0..=1.0).contains(&v) {
        Some(v)
    } else {
        ctx.error(
            n.pos,
            format!("expected a probability from 0 to 1, found {v}"),
        );
        None
    }
}

pub fn decode_images(ctx: &mut Ctx, node: &Yaml) -> ImageConfig {
    let mut config = ImageConfig {
        enabled: true,
        default_size_bytes: DEFAULT_IMAGE_SIZE_BYTES,
        ..Default::default()
    };
    let Some(mut m) = MapReader::new(ctx, node) else {
        return config;
    };
    if let Some(n) = m.opt("nodeBandwidth") {
        config.node_bandwidth_bytes_per_s = quantity(&mut ctx.field("nodeBandwidth"), n);
    }
    if let Some(n) = m.opt("defaultSize") {
        if let Some(v) = quantity(&mut ctx.field("defaultSize"), n) {
            config.default_size_bytes = v;
        }
    }
    if let Some(n) = m.opt("pullTime") {
        config.default_pull_time = distribution(&mut ctx.field("pullTime"), n);
    }
    if let Some(n) = m.opt("failProbability") {
        config.fail_probability = probability(&mut ctx.field("failProbability"), n).unwrap_or(0.0);
    }
    if let Some(list) = m.opt("registryOutages") {
        let mut octx = ctx.field("registryOutages");
        for (i, item) in octx.seq(list).unwrap_or(&[]).iter().enumerate() {
            let mut ictx = octx.index(i);
            let Some(mut o) = MapReader::new(&mut ictx, item) else {
                continue;
            };
            let at = o
                .req(&mut ictx, "at")
                .and_then(|n| ictx.field("at").duration(n));
            let length = o
                .req(&mut ictx, "for")
                .and_then(|n| ictx.field("for").duration(n));
            o.finish(&mut ictx);
            if let (Some(at), Some(length)) = (at, length) {
                let from = SimTime::ZERO + at;
                config.outages.push((from, from + length));
            }
        }
    }
    if let Some(list) = m.opt("list") {
        let mut lctx = ctx.field("list");
        for (i, item) in lctx.seq(list).unwrap_or(&[]).iter().enumerate() {
            let mut ictx = lctx.index(i);
            let Some(mut o) = MapReader::new(&mut ictx, item) else {
                continue;
            };
            let name = o
                .req(&mut ictx, "image")
                .and_then(|n| ictx.field("image").str(n));
            let size = o
                .opt("size")
                .and_then(|n| quantity(&mut ictx.field("size"), n));
            let pull_time = o
                .opt("pullTime")
                .and_then(|n| distribution(&mut ictx.field("pullTime"), n));
            let fail_probability = o
                .opt("failProbability")
                .and_then(|n| probability(&mut ictx.field("failProbability"), n));
            o.finish(&mut ictx);
            if let Some(name) = name {
                config.images.push(ImageSpec {
                    name,
                    size_bytes: size,
                    pull_time,
                    fail_probability,
                });
            }
        }
    }
    m.finish(ctx);
    config
}

/// `apiLatency: {create: 10ms, schedulerWatch: uniform(5ms, 50ms), bind: 10ms,
/// kubeletWatch: 20ms, statusUpdate: 30ms}`.
pub fn decode_api_latency(ctx: &mut Ctx, node: &Yaml) -> crate::model::api_latency::ApiLatency {
    let mut config = crate::model::api_latency::ApiLatency::default();
    let Some(mut m) = MapReader::new(ctx, node) else {
        return config;
    };
    if let Some(n) = m.opt("create") {
        config.create = distribution(&mut ctx.field("create"), n);
    }
    if let Some(n) = m.opt("schedulerWatch") {
        config.scheduler_watch = distribution(&mut ctx.field("schedulerWatch"), n);
    }
    if let Some(n) = m.opt("bind") {
        config.bind = distribution(&mut ctx.field("bind"), n);
    }
    if let Some(n) = m.opt("kubeletWatch") {
        config.kubelet_watch = distribution(&mut ctx.field("kubeletWatch"), n);
    }
    if let Some(n) = m.opt("statusUpdate") {
        config.status_update = distribution(&mut ctx.field("statusUpdate"), n);
    }
    m.finish(ctx);
    config
}
