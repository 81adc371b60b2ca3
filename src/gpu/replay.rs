//! Time-driven replay of a GPU trace: each pod is created at its creation
//! time and deleted at its deletion time, over the trace's node list, with
//! the same filter and GPU policies as the fill-up protocol.
//!
//! Scheduling follows the kube-scheduler's queue in the small: pending pods
//! wait in priority order (higher first, then creation time, then trace
//! order). A new pod gets an attempt when it is created; when a running pod
//! leaves, every pending pod gets another attempt in queue order (a pod
//! deletion is the cluster event that can make them fit). A pod deleted
//! before it was scheduled leaves the queue. At equal times deletions come
//! first, so freed capacity is visible to pods created at that instant.

use super::fillup::{
    gpu_pod, node_order, place_gpus, random_gpu_stream, random_policy_stream, select_node,
    trace_nodes, Scratch,
};
use crate::model::gpu_device::{GpuPod, GpuSet};
use crate::scheduler::plugins::gpu::frag::TypicalPods;
use crate::scheduler::plugins::gpu::policy::Policy;
use crate::trace::openb::OpenbTrace;
use std::cmp::Reverse;
use std::collections::BTreeSet;

pub use crate::limits::MAX_REPLAY_SAMPLES as MAX_SAMPLES;

/// What happened to one trace pod.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PodOutcome {
    pub scheduled_s: Option<i64>,
    pub node: Option<u32>,
    pub gpus: GpuSet,
    /// When it left: deleted while running or while pending.
    pub ended_s: Option<i64>,
}

/// The cluster at one sampling instant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReplaySample {
    pub time_s: i64,
    pub pods_running: u64,
    pub pods_pending: u64,
    pub gpu_allocated_milli: i64,
    pub frag_milli: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ReplayRun {
    pub policy: Policy,
    pub capacity_milli: i64,
    pub outcomes: Vec<PodOutcome>,
    pub samples: Vec<ReplaySample>,
}

impl ReplayRun {
    /// Waits (scheduled − created) of the scheduled pods, ascending.
    pub fn waits_s(&self, trace: &OpenbTrace) -> Vec<i64> {
        let mut w: Vec<i64> = self
            .outcomes
            .iter()
            .zip(&trace.pods)
            .filter_map(|(o, p)| o.scheduled_s.map(|s| s - p.creation_s))
            .collect();
        w.sort_unstable();
        w
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Delete = 0,
    Create = 1,
}

/// Replays `trace` with `policy`; samples every `sample_interval_s` seconds
/// (widened so at most [`MAX_SAMPLES`] are taken), each sample showing the
/// cluster after every event up to its time.
pub fn replay(
    trace: &OpenbTrace,
    typical: &TypicalPods,
    policy: Policy,
    seed: u64,
    sample_interval_s: i64,
) -> ReplayRun {
    let mut nodes = trace_nodes(trace);
    let pods: Vec<GpuPod> = trace.pods.iter().map(gpu_pod).collect();
    let order = node_order(nodes.len(), seed);
    let mut random = random_policy_stream(seed);
    let mut random_gpu = random_gpu_stream(seed);
    let mut frag: Vec<f64> = nodes.iter().map(|n| typical.node_frag_milli(n)).collect();
    let mut events: Vec<(i64, Kind, u32)> = Vec::with_capacity(2 * pods.len());
    for (i, p) in trace.pods.iter().enumerate() {
        events.push((p.creation_s, Kind::Create, i as u32));
        if let Some(d) = p.deletion_s {
            events.push((d.max(p.creation_s), Kind::Delete, i as u32));
        }
    }
    events.sort_unstable();
    let end = events.last().map_or(0, |e| e.0);
    let interval = sample_interval_s.max(1).max(end / MAX_SAMPLES as i64 + 1);

    let mut outcomes = vec![PodOutcome::default(); pods.len()];
    let mut pending: BTreeSet<(Reverse<i64>, i64, u32)> = BTreeSet::new();
    let key = |i: u32| {
        (
            Reverse(trace.pods[i as usize].priority),
            trace.pods[i as usize].creation_s,
            i,
        )
    };
    let mut scratch = Scratch::default();
    let mut samples = Vec::new();
    let (mut running, mut allocated) = (0u64, 0i64);
    let mut next_sample = 0i64;
    let mut e = 0;
    let mut created: Vec<u32> = Vec::new();
    let mut attempt: Vec<u32> = Vec::new();
    while e < events.len() {
        let now = events[e].0;
        while next_sample < now {
            samples.push(ReplaySample {
                time_s: next_sample,
                pods_running: running,
                pods_pending: pending.len() as u64,
                gpu_allocated_milli: allocated,
                frag_milli: frag.iter().sum(),
            });
            next_sample += interval;
        }
        let mut freed = false;
        created.clear();
        while e < events.len() && events[e].0 == now {
            let (_, kind, i) = events[e];
            e += 1;
            let o = &mut outcomes[i as usize];
            match kind {
                Kind::Delete => {
                    o.ended_s = Some(now);
                    if let Some(ni) = o.node {
                        let n = &mut nodes[ni as usize];
                        n.release(&pods[i as usize], o.gpus);
                        frag[ni as usize] = typical.node_frag_milli(n);
                        running -= 1;
                        allocated -= pods[i as usize].gpu.total_milli();
                        freed = true;
                    } else {
                        pending.remove(&key(i));
                    }
                }
                Kind::Create => {
                    pending.insert(key(i));
                    created.push(i);
                }
            }
        }
        attempt.clear();
        if freed {
            attempt.extend(pending.iter().map(|k| k.2));
        } else {
            created.sort_unstable_by_key(|&i| key(i));
            attempt.extend(
                created
                    .iter()
                    .copied()
                    .filter(|&i| outcomes[i as usize].ended_s.is_none()),
            );
        }
        for &i in &attempt {
            let pod = &pods[i as usize];
            if let Some(ni) = select_node(
                &nodes,
                &order,
                pod,
                policy,
                typical,
                &frag,
                &mut scratch,
                &mut random,
            ) {
                let n = &mut nodes[ni as usize];
                let gpus = place_gpus(policy, n, pod, typical, frag[ni as usize], &mut random_gpu);
                n.assign(pod, gpus);
                frag[ni as usize] = typical.node_frag_milli(n);
                let o = &mut outcomes[i as usize];
                (o.scheduled_s, o.node, o.gpus) = (Some(now), Some(ni), gpus);
                pending.remove(&key(i));
                running += 1;
                allocated += pod.gpu.total_milli();
            }
        }
    }
    samples.push(ReplaySample {
        time_s: next_sample,
        pods_running: running,
        pods_pending: pending.len() as u64,
        gpu_allocated_milli: allocated,
        frag_milli: frag.iter().sum(),
    });
    ReplayRun {
        policy,
        capacity_milli: trace.gpu_capacity_milli(),
        outcomes,
        samples,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gpu::fillup::typical_pods;
    use crate::model::gpu_device::{GpuModels, GpuRequest, ModelSet};
    use crate::trace::openb::{Qos, TraceNode, TracePhase, TracePod};

    fn pod(name: &str, milli: i32, created: i64, deleted: i64, priority: i64) -> TracePod {
        TracePod {
            name: name.into(),
            cpu_milli: 1000,
            memory_mib: 1024,
            gpu: GpuRequest {
                count: 1,
                milli,
                models: ModelSet::ANY,
            },
            gpu_spec: String::new(),
            qos: Qos::BestEffort,
            phase: TracePhase::Running,
            creation_s: created,
            deletion_s: Some(deleted),
            scheduled_s: None,
            priority,
            owner: String::new(),
        }
    }

    #[test]
    fn pods_wait_for_a_deletion_in_priority_order() {
        // One node with one GPU. a (0.6 GPU) runs 0–100. b (0.6, priority 0)
        // arrives at 10, c (0.6, priority 5) at 20: neither fits until a leaves
        // at 100; then c goes first (higher priority) and b waits for c (200).
        // d (0.3) arrives at 30 and fits beside a at once.
        let mut models = GpuModels::default();
        models.intern("T4").unwrap();
        let trace = OpenbTrace {
            models,
            nodes: vec![TraceNode {
                name: "n".into(),
                cpu_milli: 64_000,
                memory_mib: 1 << 20,
                gpus: 1,
                model: Some(0),
            }],
            pods: vec![
                pod("a", 600, 0, 100, 0),
                pod("b", 600, 10, 300, 0),
                pod("c", 600, 20, 200, 5),
                pod("d", 300, 30, 40, 0),
            ],
        };
        let typical = typical_pods(&trace, 0.95);
        let r = replay(&trace, &typical, Policy::BestFit, 1, 50);
        let scheduled: Vec<Option<i64>> = r.outcomes.iter().map(|o| o.scheduled_s).collect();
        assert_eq!(scheduled, [Some(0), Some(200), Some(100), Some(30)]);
        assert_eq!(r.waits_s(&trace), vec![0, 0, 80, 190]);
        // Samples every 50 s, each after the events up to its time: at 0 a runs; at 50 a
        // runs and b, c wait; at 150 c runs, b waits; the last one after 300.
        let at = |t: i64| r.samples.iter().find(|s| s.time_s == t).unwrap();
        assert_eq!((at(0).pods_running, at(0).pods_pending), (1, 0));
        assert_eq!(
            (
                at(50).pods_running,
                at(50).pods_pending,
                at(50).gpu_allocated_milli
            ),
            (1, 2, 600)
        );
        assert_eq!((at(150).pods_running, at(150).pods_pending), (1, 1));
        let last = r.samples.last().unwrap();
        assert_eq!(
            (last.time_s, last.pods_running, last.gpu_allocated_milli),
            (300, 0, 0)
        );
    }

    #[test]
    fn a_pod_deleted_while_pending_leaves_the_queue() {
        let mut models = GpuModels::default();
        models.intern("T4").unwrap();
        let trace = OpenbTrace {
            models,
            nodes: vec![TraceNode {
                name: "n".into(),
                cpu_milli: 64_000,
                memory_mib: 1 << 20,
                gpus: 1,
                model: Some(0),
            }],
            pods: vec![pod("a", 1000, 0, 100, 0), pod("b", 1000, 10, 50, 0)],
        };
        let typical = typical_pods(&trace, 0.95);
        let r = replay(&trace, &typical, Policy::Fgd, 1, 1000);
        assert_eq!(
            r.outcomes[1],
            PodOutcome {
                scheduled_s: None,
                node: None,
                gpus: GpuSet(0),
                ended_s: Some(50)
            }
        );
    }
}
