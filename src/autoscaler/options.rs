//! The autoscaler's options: cluster-autoscaler 1.32's flags
//! (`cluster-autoscaler/main.go`, `config/autoscaling_options.go`,
//! `config/const.go`) with their 1.32 defaults. The scenario's `autoscaler:`
//! section sets them under the flag names in camelCase.

use crate::engine::SimDuration;

/// `--expander`: how scale-up picks among the pools that could help.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expander {
    /// `expander/random`: any option (the 1.32 default; 1.33 made least-waste the default).
    Random,
    /// `expander/waste`: the least idle cpu + memory fraction of the new nodes.
    LeastWaste,
    /// `expander/mostpods`: the most pods helped.
    MostPods,
    /// `expander/priority`: the pools of the highest priority.
    Priority,
    /// `expander/price`: the cheapest per pod helped.
    Price,
}

impl Expander {
    pub const NAMES: &'static [&'static str] =
        &["random", "least-waste", "most-pods", "priority", "price"];

    pub fn parse(s: &str) -> Option<Expander> {
        Some(match s {
            "random" => Expander::Random,
            "least-waste" => Expander::LeastWaste,
            "most-pods" => Expander::MostPods,
            "priority" => Expander::Priority,
            "price" => Expander::Price,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        Expander::NAMES[self as usize]
    }
}

/// The autoscaler's settings; [`AutoscalerOptions::default`] is 1.32's.
#[derive(Clone, Debug, PartialEq)]
pub struct AutoscalerOptions {
    /// `--scan-interval` (10 s): how often the cluster is reevaluated.
    pub scan_interval: SimDuration,
    /// `--expander` (random): a chain, each narrowing the options of the one
    /// before; ties left at the end are broken at random.
    pub expanders: Vec<Expander>,
    /// `--max-nodes-total` (0: no limit), over every node of the cluster.
    pub max_nodes_total: u64,
    /// `--max-node-provision-time` (15 min): a requested node not registered
    /// by then is given up, and the pool backs off.
    pub max_node_provision_time: SimDuration,
    /// `--scale-down-enabled` (true).
    pub scale_down_enabled: bool,
    /// `--scale-down-utilization-threshold` (0.5): the largest of cpu and
    /// memory requests over allocatable below which a node may be unneeded.
    pub scale_down_utilization_threshold: f64,
    /// `--scale-down-unneeded-time` (10 min).
    pub scale_down_unneeded_time: SimDuration,
    /// `--scale-down-delay-after-add` (10 min).
    pub scale_down_delay_after_add: SimDuration,
    /// `--scale-down-delay-after-delete` (0).
    pub scale_down_delay_after_delete: SimDuration,
    /// `--scale-down-delay-after-failure` (3 min).
    pub scale_down_delay_after_failure: SimDuration,
    /// `--max-graceful-termination-sec` (600): the longest grace period the
    /// drain gives a pod.
    pub max_graceful_termination_sec: i64,
    /// `--max-pod-eviction-time` (2 min): how long a drain keeps trying an
    /// eviction the API refuses.
    pub max_pod_eviction_time: SimDuration,
    /// `--unremovable-node-recheck-timeout` (5 min): a node whose pods could
    /// not move is not looked at again for this long
    /// (`core/scaledown/planner/planner.go` `categorizeNodes`).
    pub unremovable_node_recheck_timeout: SimDuration,
    /// `--skip-nodes-with-system-pods` (true): keep nodes running kube-system
    /// pods that are not DaemonSet pods.
    pub skip_nodes_with_system_pods: bool,
}

impl Default for AutoscalerOptions {
    fn default() -> Self {
        AutoscalerOptions {
            scan_interval: SimDuration::from_secs(10),
            expanders: vec![Expander::Random],
            max_nodes_total: 0,
            max_node_provision_time: SimDuration::from_secs(15 * 60),
            scale_down_enabled: true,
            scale_down_utilization_threshold: 0.5,
            scale_down_unneeded_time: SimDuration::from_secs(10 * 60),
            scale_down_delay_after_add: SimDuration::from_secs(10 * 60),
            scale_down_delay_after_delete: SimDuration::ZERO,
            scale_down_delay_after_failure: SimDuration::from_secs(3 * 60),
            max_graceful_termination_sec: 600,
            max_pod_eviction_time: SimDuration::from_secs(2 * 60),
            unremovable_node_recheck_timeout: SimDuration::from_secs(5 * 60),
            skip_nodes_with_system_pods: true,
        }
    }
}
