//! The fill-up scenario file: a scenario whose top level has `gpuFillUp`
//! runs the paper's protocol over a GPU trace instead of the event loop.
//!
//! ```yaml
//! name: openb-fillup
//! seed: 42
//! gpuFillUp:
//!   nodes: ../traces/openb/openb_node_list_gpu_node.csv   # relative to this file
//!   pods: ../traces/openb/openb_pod_list_default.csv
//!   replications: 10            # runs per policy; run r uses derive_seed(seed, r)
//!   inflationPercent: 130       # workload GPU request, % of cluster GPU capacity
//!   inflationOrder: afterTrace  # the copies after the shuffled trace (the authors'), or mixed
//!   typicalPodsCoverage: 0.95   # share of pods the typical pod shapes cover
//!   policies: [FGD, BestFit]    # default: all
//!   chartPolicies: [FGD]        # default: the policies
//! ```

use super::fillup::{InflationOrder, DEFAULT_INFLATION_PCT};
use crate::input::decode::{Ctx, MapReader};
use crate::input::diagnostic::Diagnostics;
use crate::input::yaml::{parse_single, Node, Value};
use crate::scenario::manifest::NameSite;
use crate::scheduler::plugins::gpu::frag::DEFAULT_TYPICAL_COVERAGE;
use crate::scheduler::plugins::gpu::policy::Policy;
use crate::trace::openb::OpenbTrace;
use std::path::{Path, PathBuf};

/// The key that marks a fill-up scenario.
pub const KEY: &str = "gpuFillUp";
pub use crate::limits::MAX_GPU_REPLICATIONS as MAX_REPLICATIONS;

/// A validated fill-up scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct FillUpScenario {
    pub name: String,
    pub seed: u64,
    pub nodes: PathBuf,
    /// Where `nodes` is written, for the problems of the node list found
    /// once it is read.
    pub nodes_at: NameSite,
    pub pods: PathBuf,
    pub replications: u64,
    pub inflation_pct: u32,
    pub inflation_order: InflationOrder,
    pub typical_coverage: f64,
    pub policies: Vec<Policy>,
    pub chart_policies: Vec<Policy>,
}

impl FillUpScenario {
    /// What the scenario asks of its trace once it is read: the fill-up
    /// inflates pods to a percentage of the cluster's GPU capacity and
    /// reports every figure as a share of it, so a node list without GPUs
    /// leaves nothing to fill (every share would divide by zero).
    pub fn check_trace(&self, trace: &OpenbTrace) -> Result<(), Diagnostics> {
        if trace.gpu_capacity_milli() > 0 {
            return Ok(());
        }
        Err(Diagnostics(vec![self.nodes_at.error(format!(
            "the node list {} has no GPU ({} node(s), `gpu` 0 on every one); a fill-up \
             needs at least one GPU node",
            self.nodes.display(),
            trace.nodes.len()
        ))]))
    }
}

/// Whether the YAML text is a fill-up scenario (a top-level `gpuFillUp` key).
pub fn is_fillup(text: &str) -> bool {
    has_top_level_key(text, KEY)
}

/// Reads and validates a fill-up scenario file.
pub fn load(path: &Path) -> Result<FillUpScenario, Diagnostics> {
    load_with(path, decode)
}

fn has_top_level_key(text: &str, key: &str) -> bool {
    // A key is spelt out in the text unless a double-quoted key escapes its
    // letters (`"\x67puFillUp"`); without either, no parse is needed, and a
    // large scenario is then parsed once (by its own loader), not three times.
    if !text.contains(key) && !text.contains('\\') {
        return false;
    }
    match parse_single("", text) {
        Ok(doc) => match &doc.value {
            Value::Map(entries) => entries.iter().any(|(k, _)| k.as_str() == Some(key)),
            _ => false,
        },
        Err(_) => false,
    }
}

/// Reads a scenario file and decodes it with `decode` (given the file's
/// directory and its stem as the default name), collecting every error.
fn load_with<T>(
    path: &Path,
    decode: fn(&mut Ctx<'_>, &Node, &Path, &str) -> Option<T>,
) -> Result<T, Diagnostics> {
    let file = path.display().to_string();
    let text = crate::input::source::read_text(path, "the scenario file")
        .map_err(|d| Diagnostics(vec![d]))?;
    let default_name = path
        .file_stem()
        .map_or("scenario".to_string(), |s| s.to_string_lossy().into_owned());
    let doc = parse_single(&file, &text)?;
    let mut errors = Vec::new();
    let base = path.parent().unwrap_or(Path::new("."));
    let s = decode(&mut Ctx::new(&file, &mut errors), &doc, base, &default_name);
    check_trace_paths(&mut Ctx::new(&file, &mut errors), &doc, base);
    match s {
        Some(s) if errors.is_empty() => Ok(s),
        _ => Err(Diagnostics::new(errors)),
    }
}

/// A trace file named by the scenario, relative to the scenario's directory.
fn trace_path(ctx: &mut Ctx<'_>, node: &Node, base: &Path) -> Option<PathBuf> {
    ctx.str(node).map(|p| base.join(p))
}

/// Reports every trace file the scenario names that cannot be opened, at the
/// line that names it, rather than leaving it to the trace reader, which
/// knows only the CSV's path. (Kept out of the decoders so they stay pure.)
fn check_trace_paths(ctx: &mut Ctx<'_>, doc: &Node, base: &Path) {
    let Value::Map(top) = &doc.value else {
        return;
    };
    for (key, body) in top {
        let Some(section) = key.as_str().filter(|k| *k == KEY || *k == REPLAY_KEY) else {
            continue;
        };
        let Value::Map(fields) = &body.value else {
            continue;
        };
        for (field, value) in fields {
            let Some(name) = field
                .as_str()
                .filter(|f| ["nodes", "pods", "genericPods"].contains(f))
            else {
                continue;
            };
            let Some(text) = value.as_str() else {
                continue;
            };
            let path = base.join(text);
            let problem = match std::fs::metadata(&path) {
                Ok(m) if m.is_file() => continue,
                Ok(_) => "it is not a file".to_string(),
                Err(e) => e.to_string(),
            };
            ctx.field(section).field(name).error(
                value.pos,
                format!("cannot read the trace file {}: {problem}", path.display()),
            );
        }
    }
}

fn policy_list(ctx: &mut Ctx<'_>, node: &Node) -> Option<Vec<Policy>> {
    let items = ctx.seq(node)?;
    let names = Policy::names();
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let mut c = ctx.index(i);
        if let Some(name) = c.one_of(item, &names) {
            let p = Policy::parse(name).expect("listed");
            if out.contains(&p) {
                c.error(item.pos, format!("policy {name} is listed twice"));
            } else {
                out.push(p);
            }
        }
    }
    if out.is_empty() && items.is_empty() {
        ctx.error(
            node.pos,
            format!("empty list; expected at least one of: {}", names.join(", ")),
        );
    }
    Some(out)
}

/// `typicalPodsCoverage`: the share of the workload FGD's typical pods cover.
fn typical_coverage(m: &mut MapReader<'_>, fctx: &mut Ctx<'_>) -> Option<f64> {
    let Some(n) = m.opt("typicalPodsCoverage") else {
        return Some(DEFAULT_TYPICAL_COVERAGE);
    };
    let mut c = fctx.field("typicalPodsCoverage");
    let v = c.f64(n)?;
    if !(v > 0.0 && v <= 1.0) {
        c.error(
            n.pos,
            format!("found {v}; expected a fraction in (0, 1], such as 0.95"),
        );
        return None;
    }
    Some(v)
}

/// The top level of a GPU scenario: `name` (default: the file's stem),
/// `seed` (default 1) and the mode's own section under `key`.
fn top_level<'a>(
    ctx: &mut Ctx<'_>,
    doc: &'a Node,
    key: &'static str,
    default_name: &str,
) -> Option<(String, u64, &'a Node)> {
    let mut top = MapReader::new(ctx, doc)?;
    let name = crate::scenario::results_name::decode(ctx, top.opt("name"), default_name, doc.pos);
    let seed = top
        .opt("seed")
        .and_then(|n| ctx.field("seed").u64(n))
        .unwrap_or(1);
    let body = top.req(ctx, key);
    top.finish(ctx);
    Some((name?, seed, body?))
}

fn decode(
    ctx: &mut Ctx<'_>,
    doc: &Node,
    base: &Path,
    default_name: &str,
) -> Option<FillUpScenario> {
    let (name, seed, body) = top_level(ctx, doc, KEY, default_name)?;
    let mut fctx = ctx.field(KEY);
    let mut m = MapReader::new(&mut fctx, body)?;
    let path_field = |m: &mut MapReader<'_>, fctx: &mut Ctx<'_>, key: &'static str| {
        let node = m.req(fctx, key)?;
        trace_path(&mut fctx.field(key), node, base)
    };
    let nodes = path_field(&mut m, &mut fctx, "nodes");
    let nodes_at = NameSite::of_field(&mut fctx, body, "nodes");
    let pods = path_field(&mut m, &mut fctx, "pods");
    let replications = match m.opt("replications") {
        Some(n) => {
            let mut c = fctx.field("replications");
            let v = c.u64(n)?;
            if !(1..=MAX_REPLICATIONS).contains(&v) {
                c.error(
                    n.pos,
                    format!("found {v}; expected 1 to {MAX_REPLICATIONS}"),
                );
                return None;
            }
            v
        }
        None => 1,
    };
    let inflation_pct = match m.opt("inflationPercent") {
        Some(n) => {
            let mut c = fctx.field("inflationPercent");
            let v = c.u64(n)?;
            if !(1..=1000).contains(&v) {
                c.error(
                    n.pos,
                    format!("found {v}; expected a percentage of GPU capacity from 1 to 1000"),
                );
                return None;
            }
            v as u32
        }
        None => DEFAULT_INFLATION_PCT,
    };
    let inflation_order = match m.opt("inflationOrder") {
        Some(n) => {
            let mut c = fctx.field("inflationOrder");
            let text = c.str(n)?;
            let Some(order) = InflationOrder::parse(&text) else {
                c.error(
                    n.pos,
                    format!(
                        "found {text:?}; expected one of {}",
                        InflationOrder::NAMES.join(", ")
                    ),
                );
                return None;
            };
            order
        }
        None => InflationOrder::default(),
    };
    let typical_coverage = typical_coverage(&mut m, &mut fctx)?;
    let policies = match m.opt("policies") {
        Some(n) => policy_list(&mut fctx.field("policies"), n)?,
        None => Policy::ALL.to_vec(),
    };
    let chart_policies = match m.opt("chartPolicies") {
        Some(n) => {
            let list = policy_list(&mut fctx.field("chartPolicies"), n)?;
            for p in &list {
                if !policies.contains(p) {
                    fctx.field("chartPolicies").error(
                        n.pos,
                        format!("{} is not among the policies that run", p.name()),
                    );
                }
            }
            list
        }
        None => policies.clone(),
    };
    m.finish(&mut fctx);
    Some(FillUpScenario {
        name,
        seed,
        nodes: nodes?,
        nodes_at,
        pods: pods?,
        replications,
        inflation_pct,
        inflation_order,
        typical_coverage,
        policies,
        chart_policies,
    })
}

/// The key that marks a time-driven replay scenario.
pub const REPLAY_KEY: &str = "gpuReplay";
/// Default sampling interval of a replay's timeseries.csv (one hour).
pub const DEFAULT_REPLAY_SAMPLE_S: i64 = 3600;

/// Which format the pod trace of a replay is in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PodTrace {
    /// The openb pod list.
    Openb(PathBuf),
    /// The generic CSV trace format (`crate::trace::generic`).
    Generic(PathBuf),
}

/// A validated time-driven replay scenario:
///
/// ```yaml
/// name: openb-replay
/// seed: 1
/// gpuReplay:
///   nodes: ../traces/openb/openb_node_list_gpu_node.csv
///   pods: ../traces/openb/openb_pod_list_default.csv   # or genericPods: my-trace.csv
///   policy: FGD
///   sampleIntervalSeconds: 3600
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ReplayScenario {
    pub name: String,
    pub seed: u64,
    pub nodes: PathBuf,
    pub pods: PodTrace,
    pub policy: Policy,
    pub typical_coverage: f64,
    pub sample_interval_s: i64,
}

/// Whether the YAML text is a replay scenario (a top-level `gpuReplay` key).
pub fn is_replay(text: &str) -> bool {
    has_top_level_key(text, REPLAY_KEY)
}

/// Reads and validates a replay scenario file.
pub fn load_replay(path: &Path) -> Result<ReplayScenario, Diagnostics> {
    load_with(path, decode_replay)
}

fn decode_replay(
    ctx: &mut Ctx<'_>,
    doc: &Node,
    base: &Path,
    default_name: &str,
) -> Option<ReplayScenario> {
    let (name, seed, body) = top_level(ctx, doc, REPLAY_KEY, default_name)?;
    let mut fctx = ctx.field(REPLAY_KEY);
    let mut m = MapReader::new(&mut fctx, body)?;
    let nodes = m
        .req(&mut fctx, "nodes")
        .and_then(|n| trace_path(&mut fctx.field("nodes"), n, base));
    let pods = match (m.opt("pods"), m.opt("genericPods")) {
        (Some(p), None) => trace_path(&mut fctx.field("pods"), p, base).map(PodTrace::Openb),
        (None, Some(p)) => {
            trace_path(&mut fctx.field("genericPods"), p, base).map(PodTrace::Generic)
        }
        (Some(_), Some(g)) => {
            fctx.field("genericPods").error(
                g.pos,
                "give either `pods` (openb format) or `genericPods` (generic format), not both",
            );
            None
        }
        (None, None) => {
            fctx.error(m.pos(), "missing the pod trace: expected `pods` (openb format) or `genericPods` (generic format)");
            None
        }
    };
    let names = Policy::names();
    let policy = match m.opt("policy") {
        Some(n) => Policy::parse(fctx.field("policy").one_of(n, &names)?).expect("listed"),
        None => Policy::Fgd,
    };
    let typical_coverage = typical_coverage(&mut m, &mut fctx)?;
    let sample_interval_s = match m.opt("sampleIntervalSeconds") {
        Some(n) => {
            let mut c = fctx.field("sampleIntervalSeconds");
            let v = c.u64(n)?;
            if v == 0 {
                c.error(n.pos, "found 0; expected a positive number of seconds");
                return None;
            }
            v as i64
        }
        None => DEFAULT_REPLAY_SAMPLE_S,
    };
    m.finish(&mut fctx);
    Some(ReplayScenario {
        name,
        seed,
        nodes: nodes?,
        pods: pods?,
        policy,
        typical_coverage,
        sample_interval_s,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        let doc = parse_single("s.yaml", text).unwrap();
        let mut errors = Vec::new();
        decode(
            &mut Ctx::new("s.yaml", &mut errors),
            &doc,
            Path::new("."),
            "s",
        );
        errors.iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn decodes_a_fillup_scenario_with_defaults() {
        let text = "name: f\nseed: 3\ngpuFillUp:\n  nodes: n.csv\n  pods: p.csv\n";
        assert!(is_fillup(text));
        assert!(!is_fillup("name: f\nnodes: []\n"));
        let doc = parse_single("s.yaml", text).unwrap();
        let mut errs = Vec::new();
        let s = decode(
            &mut Ctx::new("s.yaml", &mut errs),
            &doc,
            Path::new("dir"),
            "s",
        )
        .unwrap();
        assert!(errs.is_empty());
        assert_eq!((s.seed, s.replications, s.inflation_pct), (3, 1, 130));
        assert_eq!(s.inflation_order, InflationOrder::AfterTrace);
        assert_eq!(s.nodes, Path::new("dir/n.csv"));
        assert_eq!(s.policies, Policy::ALL.to_vec());
    }

    #[test]
    fn decodes_a_replay_scenario() {
        let text = "gpuReplay:\n  nodes: n.csv\n  genericPods: g.csv\n  policy: BestFit\n";
        assert!(is_replay(text) && !is_fillup(text));
        let doc = parse_single("r.yaml", text).unwrap();
        let mut errs = Vec::new();
        let s = decode_replay(
            &mut Ctx::new("r.yaml", &mut errs),
            &doc,
            Path::new("d"),
            "r",
        )
        .unwrap();
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(s.pods, PodTrace::Generic(PathBuf::from("d/g.csv")));
        assert_eq!((s.policy, s.sample_interval_s), (Policy::BestFit, 3600));
        let doc = parse_single(
            "r.yaml",
            "gpuReplay:\n  nodes: n.csv\n  pods: p.csv\n  genericPods: g.csv\n",
        )
        .unwrap();
        let mut errs = Vec::new();
        decode_replay(
            &mut Ctx::new("r.yaml", &mut errs),
            &doc,
            Path::new("d"),
            "r",
        );
        assert!(
            errs[0]
                .to_string()
                .starts_with("r.yaml:4:16: gpuReplay.genericPods: give either"),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn bad_fields_are_reported_with_position() {
        let e = errors("gpuFillUp:\n  nodes: n.csv\n  pods: p.csv\n  policies: [FGD, Bestfit]\n");
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].starts_with("s.yaml:4:19: gpuFillUp.policies[1]:"),
            "{}",
            e[0]
        );
        let e = errors("gpuFillUp:\n  nodes: n.csv\n  pod: p.csv\n");
        assert!(
            e.iter()
                .any(|e| e.contains("missing required field `pods`")),
            "{e:?}"
        );
        assert!(
            e.iter()
                .any(|e| e.contains("unknown field `pod` (did you mean `pods`?)")),
            "{e:?}"
        );
        let e = errors("gpuFillUp:\n  nodes: n.csv\n  pods: p.csv\n  inflationPercent: 0\n");
        assert!(
            e[0].contains("s.yaml:4:21") && e[0].contains("expected a percentage"),
            "{e:?}"
        );
        let e = errors("gpuFillUp:\n  nodes: n.csv\n  pods: p.csv\n  inflationOrder: shuffled\n");
        assert!(
            e[0].contains("s.yaml:4:19")
                && e[0].contains("inflationOrder")
                && e[0].contains("expected one of afterTrace, mixed"),
            "{e:?}"
        );
    }
}
