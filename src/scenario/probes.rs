//! Decoding and validating container probes as the API server does
//! (`ValidateProbe` in `pkg/apis/core/validation/validation.go`, defaults
//! from `SetDefaults_Probe`): exactly one handler (exec, httpGet, tcpSocket,
//! grpc; its contents are not simulated), non-negative fields, zero meaning
//! the default, and a success threshold of 1 for liveness and startup probes.

use crate::input::decode::{Ctx, MapReader};
use crate::input::yaml::Node as Yaml;
use crate::model::probe::{ContainerProbes, Probe, ProbeKind};

const PROBE_KEYS: [(ProbeKind, &str); 3] = [
    (ProbeKind::Liveness, "livenessProbe"),
    (ProbeKind::Readiness, "readinessProbe"),
    (ProbeKind::Startup, "startupProbe"),
];
const HANDLERS: &[&str] = &["exec", "httpGet", "tcpSocket", "grpc"];
/// Takes the container's probes out of its map. Init containers may only
/// have them when they are sidecars (`restartPolicy: Always`).
pub fn decode_probes(
    ctx: &mut Ctx<'_>,
    m: &mut MapReader,
    init: bool,
    sidecar: bool,
) -> ContainerProbes {
    let mut probes = ContainerProbes::default();
    for (kind, key) in PROBE_KEYS {
        let Some(n) = m.opt(key) else { continue };
        let mut pctx = ctx.field(key);
        if init && !sidecar {
            pctx.error(
                n.pos,
                "may not be set for init containers without restartPolicy=Always",
            );
            continue;
        }
        probes.0[kind as usize] = decode_probe(&mut pctx, n, kind);
    }
    probes
}

fn decode_probe(ctx: &mut Ctx<'_>, node: &Yaml, kind: ProbeKind) -> Option<Probe> {
    let errors_before = ctx.error_count();
    let mut m = MapReader::new(ctx, node)?;
    let mut probe = Probe::default();
    let handlers: Vec<&str> = HANDLERS.iter().copied().filter(|h| m.has(h)).collect();
    if handlers.len() != 1 {
        ctx.error(
            node.pos,
            format!(
                "must specify exactly one handler type of: {} (found {})",
                HANDLERS.join(", "),
                handlers.len()
            ),
        );
    }
    let mut success_pos = node.pos;
    let mut field = |ctx: &mut Ctx<'_>, key: &'static str, min: i64| -> Option<u32> {
        let n = m.opt(key)?;
        if key == "successThreshold" {
            success_pos = n.pos;
        }
        let mut c = ctx.field(key);
        let v = c.i64(n)?;
        if v < min {
            let what = if min == 0 {
                "must be greater than or equal to 0".to_string()
            } else {
                format!("must be greater than or equal to {min}")
            };
            c.error(n.pos, format!("{what}, found {v}"));
            return None;
        }
        // Zero means "use the default" for every field but the initial delay.
        (v > 0 || key == "initialDelaySeconds").then_some(v.min(u32::MAX as i64) as u32)
    };
    if let Some(v) = field(ctx, "initialDelaySeconds", 0) {
        probe.initial_delay_s = v;
    }
    if let Some(v) = field(ctx, "periodSeconds", 0) {
        probe.period_s = v;
    }
    if let Some(v) = field(ctx, "timeoutSeconds", 0) {
        probe.timeout_s = v;
    }
    if let Some(v) = field(ctx, "successThreshold", 0) {
        probe.success_threshold = v;
    }
    if let Some(v) = field(ctx, "failureThreshold", 0) {
        probe.failure_threshold = v;
    }
    field(ctx, "terminationGracePeriodSeconds", 1);
    // The handler's contents are not simulated.
    m.ignore(HANDLERS);
    m.finish(ctx);
    if kind != ProbeKind::Readiness && probe.success_threshold != 1 {
        ctx.field("successThreshold").error(
            success_pos,
            format!(
                "must be 1 for {} probes, found {}",
                kind.title().to_lowercase(),
                probe.success_threshold
            ),
        );
    }
    (ctx.error_count() == errors_before).then_some(probe)
}
