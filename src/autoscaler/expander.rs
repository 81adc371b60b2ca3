//! Expanders: which of the pools that could help is scaled up
//! (cluster-autoscaler 1.32 `expander/`). Each expander of the chain keeps
//! the options it likes best; the ones left at the end are chosen among at
//! random (`expander/factory/chain.go`, ending in `random`).

use super::group::NodeGroup;
use super::options::Expander;
use crate::model::{ClusterState, PodId};
use rand::Rng;

/// A pool that could help: how many nodes it would add and the pods they would take.
#[derive(Clone, Debug, PartialEq)]
pub struct ScaleUpOption {
    pub group: usize,
    pub nodes: u64,
    pub pods: Vec<PodId>,
}

/// `expander/waste`: idle cpu fraction + idle memory fraction of the new
/// nodes' capacity once the pods are on them.
fn wasted(state: &ClusterState, groups: &[NodeGroup], o: &ScaleUpOption) -> f64 {
    let (mut cpu, mut memory) = (0i64, 0i64);
    for &p in &o.pods {
        let r = &state.pod(p).pod.requests;
        cpu += r.cpu_millis;
        memory += r.memory_bytes;
    }
    let capacity = &groups[o.group].template.capacity;
    let n = o.nodes as f64;
    let fraction = |avail: i64, used: i64| {
        let avail = avail as f64 * n;
        if avail > 0.0 {
            (avail - used as f64) / avail
        } else {
            0.0
        }
    };
    fraction(capacity.cpu_millis, cpu) + fraction(capacity.memory_bytes, memory)
}

/// `expander/price`, simplified: the price of the new nodes per pod they
/// take (upstream weighs the price by how far the node is from a preferred
/// size and by the pods' own "price"); a pool without a price counts as the
/// most expensive.
fn price_per_pod(groups: &[NodeGroup], o: &ScaleUpOption) -> f64 {
    match groups[o.group].price_per_hour {
        Some(p) => p * o.nodes as f64 / o.pods.len().max(1) as f64,
        None => f64::INFINITY,
    }
}

/// Keeps the options with the best `key` (lowest; ties all kept).
fn keep_lowest(options: &mut Vec<ScaleUpOption>, key: impl Fn(&ScaleUpOption) -> f64) {
    let best = options.iter().map(&key).fold(f64::INFINITY, f64::min);
    if best.is_finite() {
        options.retain(|o| key(o) == best);
    }
}

/// The option the expander chain picks, if any.
pub fn choose<R: Rng>(
    chain: &[Expander],
    mut options: Vec<ScaleUpOption>,
    state: &ClusterState,
    groups: &[NodeGroup],
    rng: &mut R,
) -> Option<ScaleUpOption> {
    for e in chain {
        if options.len() <= 1 {
            break;
        }
        match e {
            Expander::Random => {}
            Expander::LeastWaste => keep_lowest(&mut options, |o| wasted(state, groups, o)),
            Expander::MostPods => keep_lowest(&mut options, |o| -(o.pods.len() as f64)),
            Expander::Priority => keep_lowest(&mut options, |o| {
                let a = groups[o.group].autoscaling.as_ref();
                -(a.map_or(0, |a| a.priority) as f64)
            }),
            Expander::Price => keep_lowest(&mut options, |o| price_per_pod(groups, o)),
        }
    }
    match options.len() {
        0 => None,
        1 => options.pop(),
        n => Some(options.swap_remove(rng.gen_range(0..n))),
    }
}
