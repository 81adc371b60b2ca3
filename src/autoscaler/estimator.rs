//! Will a pod run on a node the pool does not have yet, and how many such
//! nodes do the unschedulable pods need? cluster-autoscaler 1.32
//! `estimator/binpacking_estimator.go` with `decreasing_pod_orderer.go`.
//!
//! Upstream runs the scheduler framework's filters on a template node in a
//! forked cluster snapshot, once per pod and new node, which is slow with
//! many pods (a scale-up over 1 000 pods takes seconds). kubesim runs the
//! scheduler's own filter plugins, unchanged, once per pod on the empty
//! template (every new node of a pool is that template, so whatever does
//! not depend on the node's usage answers the same for all), and then
//! places the pod first-fit by what it requests, as NodeResourcesFit
//! would. The filters that count other pods (PodTopologySpread,
//! InterPodAffinity) are not run on template nodes: they would need the
//! template placed in their per-cycle state (a simplification).

use crate::model::store::NodeUsage;
use crate::model::{ClusterState, Node, Pod, PodId};
use crate::scheduler::config::{Profile, SchedulerConfig};
use crate::scheduler::framework::{PreResult, Unfit};

/// Plugins whose Filter needs the cluster-wide state of a scheduling cycle.
const CYCLE_STATE_PLUGINS: &[&str] = &["PodTopologySpread", "InterPodAffinity"];

/// The scheduler profiles' filter plugins, built once.
pub struct TemplateFilters {
    profiles: Vec<Profile>,
}

impl TemplateFilters {
    pub fn new(config: &SchedulerConfig) -> Self {
        TemplateFilters {
            profiles: config.profiles.iter().map(Profile::build).collect(),
        }
    }

    /// Runs the Filter plugins of the pod's profile on `node` with `usage`:
    /// `Err` with the first failing plugin's reasons, as the scheduler reports
    /// them. A pod no profile schedules passes (the scheduler never marks it
    /// unschedulable anyway).
    pub fn filter(&self, pod: &Pod, node: &Node, usage: &NodeUsage) -> Result<(), Unfit> {
        let Some(profile) =
            (self.profiles.iter()).find(|p| p.scheduler_name == pod.spec.scheduler_name)
        else {
            return Ok(());
        };
        let view = crate::scheduler::framework::NodeView {
            id: crate::model::NodeId(u32::MAX),
            node,
            usage,
        };
        for &i in &profile.filter {
            let plugin = &profile.plugins[i];
            if CYCLE_STATE_PLUGINS.contains(&plugin.name()) {
                continue;
            }
            if plugin.pre_filter(pod) == PreResult::Skip {
                continue;
            }
            plugin.filter(pod, view)?;
        }
        Ok(())
    }
}

/// The filters' verdicts on one empty template, by pod spec: pods of one
/// template (a Deployment's, a Job's) share their spec, and on an empty
/// template the filters read only the spec, but for GPU sharing's
/// annotations, whose pods are not cached.
#[derive(Default)]
pub struct VerdictCache {
    by_spec: std::collections::HashMap<usize, Result<(), Unfit>>,
}

impl VerdictCache {
    /// `filters.filter(pod, template, empty)`, looked up or remembered.
    pub fn filter(
        &mut self,
        filters: &TemplateFilters,
        pod: &Pod,
        template: &Node,
    ) -> Result<(), Unfit> {
        let empty = NodeUsage::default();
        if crate::model::gpu_share::request(pod).is_some() {
            return filters.filter(pod, template, &empty);
        }
        let key = std::sync::Arc::as_ptr(&pod.spec) as usize;
        (self.by_spec.entry(key))
            .or_insert_with(|| filters.filter(pod, template, &empty))
            .clone()
    }
}

/// A new node of the estimate: what its pods request, and its free cpu,
/// memory and pod slots in a compact form for the first-fit scan.
#[derive(Clone, Default)]
struct NewNode {
    usage: NodeUsage,
}

/// Free cpu, memory and pod slots of a new node: the scan over new nodes
/// looks at these 24 bytes first and asks the filters only where they fit.
#[derive(Clone, Copy)]
struct Room {
    cpu_millis: i64,
    memory_bytes: i64,
    pods: i64,
}

/// How many nodes of a pool the pods need, and which pods they would take.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Estimate {
    pub nodes: u64,
    pub pods: Vec<PodId>,
}

/// Upstream's pod order: largest first by `cpu / allocatable cpu + memory /
/// allocatable memory` of the template (ties by pod id, to stay deterministic).
pub fn order_pods(state: &ClusterState, pods: &mut [PodId], template: &Node) {
    let score = |p: PodId| {
        let r = &state.pod(p).pod.requests;
        let mut s = 0.0;
        if template.allocatable.cpu_millis > 0 {
            s += r.cpu_millis as f64 / template.allocatable.cpu_millis as f64;
        }
        if template.allocatable.memory_bytes > 0 {
            s += r.memory_bytes as f64 / template.allocatable.memory_bytes as f64;
        }
        s
    };
    let mut keyed: Vec<(f64, PodId)> = pods.iter().map(|&p| (score(p), p)).collect();
    keyed.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for (slot, (_, p)) in pods.iter_mut().zip(keyed) {
        *slot = p;
    }
}

pub fn charge(usage: &mut NodeUsage, pod: &Pod) {
    usage.requested += &pod.requests;
    usage.non_zero_requested += &pod.non_zero_requests;
    usage.pod_count += 1;
}

/// A quick look at whether `pod` fits the node's room left (what
/// NodeResourcesFit asks), before the filters confirm it.
pub fn has_room(template: &Node, usage: &NodeUsage, pod: &Pod) -> bool {
    let (r, a, u) = (&pod.requests, &template.allocatable, &usage.requested);
    if usage.pod_count + 1 > template.allocatable_pods
        || u.cpu_millis + r.cpu_millis > a.cpu_millis
        || u.memory_bytes + r.memory_bytes > a.memory_bytes
    {
        return false;
    }
    let mut after = usage.requested;
    after += &pod.requests;
    after.fits_within(&template.allocatable)
}

/// Binpacks `pods` (already ordered, each known to pass the filters on the
/// empty template) onto at most `max_nodes` new nodes of the template: each
/// pod goes to the first new node whose filters it passes, else to a new
/// node while the limit allows, else it is left out
/// (`binpacking_estimator.go`: `tryToScheduleOnExistingNodes`, then
/// `tryToScheduleOnNewNodes`).
pub fn binpack(
    filters: &TemplateFilters,
    state: &ClusterState,
    pods: &[PodId],
    template: &Node,
    max_nodes: u64,
) -> Estimate {
    let mut nodes: Vec<NewNode> = Vec::new();
    let mut rooms: Vec<Room> = Vec::new();
    let empty = Room {
        cpu_millis: template.allocatable.cpu_millis,
        memory_bytes: template.allocatable.memory_bytes,
        pods: template.allocatable_pods,
    };
    let mut estimate = Estimate::default();
    // The last pod's requests and the node the scan for it reached: a pod
    // asking the same need not look at the nodes before (they only fill
    // up), so pods of one shape cost one scan between them, not one each.
    let mut last: Option<(crate::model::Resources, usize)> = None;
    for &p in pods {
        let pod = &state.pod(p).pod;
        let r = &pod.requests;
        let from = match &last {
            Some((prev, i)) if prev == r => *i,
            _ => 0,
        };
        let slot = (from..nodes.len()).find(|&i| {
            let room = &rooms[i];
            room.cpu_millis >= r.cpu_millis
                && room.memory_bytes >= r.memory_bytes
                && room.pods >= 1
                && has_room(template, &nodes[i].usage, pod)
                && filters.filter(pod, template, &nodes[i].usage).is_ok()
        });
        let slot = match slot {
            Some(i) => i,
            None if (nodes.len() as u64) < max_nodes => {
                nodes.push(NewNode::default());
                rooms.push(empty);
                nodes.len() - 1
            }
            None => {
                last = Some((*r, nodes.len()));
                continue;
            }
        };
        charge(&mut nodes[slot].usage, pod);
        let room = &mut rooms[slot];
        room.cpu_millis -= r.cpu_millis;
        room.memory_bytes -= r.memory_bytes;
        room.pods -= 1;
        last = Some((*r, slot));
        estimate.pods.push(p);
    }
    estimate.nodes = nodes.len() as u64;
    estimate
}
