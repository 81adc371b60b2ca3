//! Scale-up (cluster-autoscaler 1.32 `core/scaleup/orchestrator/orchestrator.go`
//! `ScaleUp`): for each autoscaled pool not at its maximum and not backing
//! off, the binpacking estimate of how many template nodes the pods need;
//! the expander picks one option; the pool's target grows and each new
//! machine joins after its provisioning time, or is given up at
//! `max-node-provision-time`.

use super::estimator::{binpack, charge, has_room, order_pods, VerdictCache};
use super::expander::{choose, ScaleUpOption};
use super::rows::AutoscalerRow;
use super::{AutoscalerEvent, ClusterAutoscaler};
use crate::engine::{EventQueue, SimTime};
use crate::limits::MAX_NODES;
use crate::model::store::{NodeId, NodeUsage, PodId};
use crate::model::ClusterState;
use std::collections::BTreeMap;

/// Per pod, why pools could not help it, with how many pools said so.
type Reasons = BTreeMap<PodId, BTreeMap<String, u32>>;

/// Why a pool could not help: every pod (a limit, a backoff), or the pods
/// its template's filters reject.
pub(super) enum Rejection {
    All(&'static str),
    Filtered(Vec<PodId>),
}

impl ClusterAutoscaler {
    /// The pods that fit on a node of the cluster, or on one being
    /// provisioned, need no scale-up (upstream places upcoming nodes in its
    /// snapshot and filters out the pods that fit on any node,
    /// `core/podlistprocessor/filter_out_schedulable.go`): the scheduler
    /// will place them. Each pod taken is charged to its node for the next.
    pub(super) fn filter_out_schedulable(
        &self,
        state: &ClusterState,
        mut pods: Vec<PodId>,
    ) -> Vec<PodId> {
        let mut charged: BTreeMap<NodeId, NodeUsage> = BTreeMap::new();
        pods.retain(|&p| {
            let pod = &state.pod(p).pod;
            for (i, node) in state.nodes().iter().enumerate() {
                let id = NodeId(i as u32);
                if !state.node_exists(id) {
                    continue;
                }
                let usage = charged.get(&id).unwrap_or_else(|| state.node_usage(id));
                if !has_room(node, usage, pod) || self.filters.filter(pod, node, usage).is_err() {
                    continue;
                }
                let mut after = *usage;
                charge(&mut after, pod);
                charged.insert(id, after);
                return false;
            }
            true
        });
        for (g, gs) in self.state.iter().enumerate() {
            if gs.upcoming == 0 || pods.is_empty() {
                continue;
            }
            let template = &self.groups[g].template;
            let mut cache = VerdictCache::default();
            let mut fitting: Vec<PodId> = (pods.iter().copied())
                .filter(|&p| {
                    let pod = &state.pod(p).pod;
                    cache.filter(&self.filters, pod, template).is_ok()
                })
                .collect();
            order_pods(state, &mut fitting, template);
            let taken = binpack(&self.filters, state, &fitting, template, gs.upcoming);
            if !taken.pods.is_empty() {
                let taken: std::collections::BTreeSet<PodId> = taken.pods.into_iter().collect();
                pods.retain(|p| !taken.contains(p));
            }
        }
        pods
    }

    /// Every pool's option for `pods`, the expander's choice, the request.
    pub(super) fn scale_up<E: From<AutoscalerEvent>>(
        &mut self,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
        pods: Vec<PodId>,
    ) {
        let now = events.now();
        let (chosen, rejections) = self.decide(state, now, &pods);
        let Some(option) = chosen else {
            let reasons = self.reasons(state, &pods, &rejections);
            for p in pods {
                let message = match reasons.get(&p) {
                    Some(r) => (r.iter())
                        .map(|(why, n)| format!("{n} {why}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    None => String::new(),
                };
                let message = format!("pod didn't trigger scale-up: {message}");
                state.record_pod_event(now, p, "NotTriggerScaleUp", message);
            }
            return;
        };
        self.execute(state, events, option);
    }

    /// A whole scale-up decision for the Unschedulable `pods` (benches call
    /// it): the pods that fit somewhere already are left out, each pool's
    /// estimate, the expanders' choice.
    pub fn scale_up_decision(
        &mut self,
        state: &ClusterState,
        now: SimTime,
        pods: Vec<PodId>,
    ) -> Option<ScaleUpOption> {
        let pods = self.filter_out_schedulable(state, pods);
        if pods.is_empty() {
            return None;
        }
        self.decide(state, now, &pods).0
    }

    /// The expanders' choice among the pools' options, and why each pod
    /// was not helped by each pool that could not.
    fn decide(
        &mut self,
        state: &ClusterState,
        now: SimTime,
        pods: &[PodId],
    ) -> (Option<ScaleUpOption>, Vec<(usize, Rejection)>) {
        // Why pools could not help: turned into messages only when no pool
        // is chosen (NotTriggerScaleUp), so a scale-up formats none.
        let mut rejections = Vec::new();
        let mut cluster_room = u64::MAX;
        if self.options.max_nodes_total > 0 {
            cluster_room = self
                .options
                .max_nodes_total
                .saturating_sub(self.cluster_size(state));
        }
        // kubesim's own limit: node ids count deleted nodes too.
        let ids_room = MAX_NODES.saturating_sub(
            state.nodes().len() as u64 + self.state.iter().map(|g| g.upcoming).sum::<u64>(),
        );
        cluster_room = cluster_room.min(ids_room);
        let mut options = Vec::new();
        for g in 0..self.groups.len() {
            let Some(a) = &self.groups[g].autoscaling else {
                continue;
            };
            let gs = &self.state[g];
            if gs.backoff_until > now {
                rejections.push((g, Rejection::All("in backoff after failed scale-up")));
                continue;
            }
            if gs.size() >= a.max {
                rejections.push((g, Rejection::All("max node group size reached")));
                continue;
            }
            let room = (a.max - gs.size()).min(cluster_room);
            if room == 0 {
                rejections.push((g, Rejection::All("max cluster size reached")));
                continue;
            }
            let template = &self.groups[g].template;
            let mut cache = VerdictCache::default();
            let (mut fitting, mut filtered) = (Vec::new(), Vec::new());
            for &p in pods {
                match cache.filter(&self.filters, &state.pod(p).pod, template) {
                    Ok(()) => fitting.push(p),
                    Err(_) => filtered.push(p),
                }
            }
            if !filtered.is_empty() {
                rejections.push((g, Rejection::Filtered(filtered)));
            }
            if fitting.is_empty() {
                continue;
            }
            order_pods(state, &mut fitting, template);
            let estimate = binpack(&self.filters, state, &fitting, template, room);
            if estimate.nodes > 0 {
                options.push(ScaleUpOption {
                    group: g,
                    nodes: estimate.nodes,
                    pods: estimate.pods,
                });
            }
        }
        let chosen = choose(
            &self.options.expanders,
            options,
            state,
            &self.groups,
            &mut self.expander_rng,
        );
        (chosen, rejections)
    }

    /// Per pod, why pools could not help it, with how many pools said so
    /// (`ReasonsMessage` of `processors/status/eventing_scale_up_processor.go`).
    fn reasons(
        &self,
        state: &ClusterState,
        pods: &[PodId],
        rejections: &[(usize, Rejection)],
    ) -> Reasons {
        let mut reasons: Reasons = BTreeMap::new();
        let mut add = |p: PodId, why: &str| {
            *reasons
                .entry(p)
                .or_default()
                .entry(why.to_string())
                .or_default() += 1;
        };
        for (g, r) in rejections {
            match r {
                Rejection::All(why) => pods.iter().for_each(|&p| add(p, why)),
                Rejection::Filtered(filtered) => {
                    let template = &self.groups[*g].template;
                    let mut cache = VerdictCache::default();
                    for &p in filtered {
                        if let Err(unfit) = cache.filter(&self.filters, &state.pod(p).pod, template)
                        {
                            add(p, &unfit.message(state, template));
                        }
                    }
                }
            }
        }
        reasons
    }

    fn execute<E: From<AutoscalerEvent>>(
        &mut self,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
        option: ScaleUpOption,
    ) {
        let now = events.now();
        let g = option.group;
        let group = &self.groups[g];
        let a = group
            .autoscaling
            .as_ref()
            .expect("only autoscaled pools are options");
        let before = self.state[g].size();
        let after = before + option.nodes;
        // `ScaleUpInfo.String()` in `processors/nodegroupset/nodegroup_set_processor.go`.
        let message = format!(
            "pod triggered scale-up: [{{{} {before}->{after} (max: {})}}]",
            group.name, a.max
        );
        for &p in &option.pods {
            state.record_pod_event(now, p, "TriggeredScaleUp", message.clone());
        }
        for _ in 0..option.nodes {
            let i = self.requests.len() as u32;
            self.requests.push(Some(g));
            let took = a.provisioning_time.sample(&mut self.provisioning_rng);
            let limit = self.options.max_node_provision_time;
            if took <= limit {
                events.schedule(now + took, AutoscalerEvent::NodeProvisioned(i).into());
            } else {
                let at = now + limit;
                events.schedule(at, AutoscalerEvent::ProvisionTimedOut(i).into());
            }
        }
        self.state[g].upcoming += option.nodes;
        self.last_scale_up = Some(now);
        self.rows.push(AutoscalerRow {
            time: now,
            pool: group.name.clone(),
            delta: option.nodes as i64,
            reason: "scale-up",
            pods_helped: option.pods.len() as u64,
            node: String::new(),
        });
    }
}
