//! Scheduler configuration in the shape of KubeSchedulerConfiguration
//! (`kubescheduler.config.k8s.io/v1`), validated, and the construction of
//! profiles from it with upstream's defaults (`pkg/scheduler/apis/config/v1/default_plugins.go`, v1.32).

use super::framework::Plugin;
use super::plugins::balanced_allocation::{self, BalancedAllocation};
use super::plugins::gpu::{fgd, policies as gpu_policies, share as gpu_share};
use super::plugins::image_locality::{self, ImageLocality};
use super::plugins::inter_pod_affinity::{self, InterPodAffinity};
use super::plugins::node_resources_fit::{self, NodeResourcesFit};
use super::plugins::pod_topology_spread::{self, PodTopologySpread, PodTopologySpreadArgs};
use super::plugins::resource_allocation::ResourceSpec;
use super::plugins::{node_affinity, node_name, node_unschedulable, taint_toleration};
use super::preemption::PreemptionArgs;
use super::queue::{DEFAULT_POD_INITIAL_BACKOFF, DEFAULT_POD_MAX_BACKOFF};
use crate::engine::SimDuration;
use crate::model::pod::DEFAULT_SCHEDULER_NAME;

/// A plugin enabled at an extension point, with its score weight (0 = default).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginRef {
    pub name: String,
    pub weight: i64,
}

/// `Plugins.<point>.enabled/disabled`; `disabled: [{name: "*"}]` drops the defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PluginSet {
    pub enabled: Vec<PluginRef>,
    pub disabled: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileConfig {
    pub scheduler_name: String,
    /// `plugins.multiPoint`, `plugins.filter` and `plugins.score`.
    pub multi_point: PluginSet,
    pub filter: PluginSet,
    pub score: PluginSet,
    /// `plugins.postFilter`: DefaultPreemption or nothing.
    pub post_filter: PluginSet,
    /// `pluginConfig` args for DefaultPreemption.
    pub preemption_args: PreemptionArgs,
    /// `pluginConfig` args for PodTopologySpread (defaultConstraints, defaultingType).
    pub spread_args: PodTopologySpreadArgs,
    /// `pluginConfig` args for InterPodAffinity (0..=100, default 1).
    pub hard_pod_affinity_weight: i64,
    /// `pluginConfig` args for InterPodAffinity: `ignorePreferredTermsOfExistingPods`.
    pub ignore_preferred_terms_of_existing_pods: bool,
    /// `pluginConfig` args for NodeResourcesFit.
    pub fit_args: NodeResourcesFit,
    /// `pluginConfig` args for NodeResourcesBalancedAllocation.
    pub balanced_resources: Vec<ResourceSpec>,
    /// `pluginConfig` args for FGD: the typical pod shapes.
    pub fgd_typical_pods: Vec<fgd::TypicalShape>,
    /// `pluginConfig` args for NodeAffinity: `addedAffinity`.
    pub added_affinity: Option<crate::model::affinity::NodeAffinity>,
}

impl Default for ProfileConfig {
    fn default() -> Self {
        ProfileConfig {
            scheduler_name: DEFAULT_SCHEDULER_NAME.into(),
            multi_point: PluginSet::default(),
            filter: PluginSet::default(),
            score: PluginSet::default(),
            post_filter: PluginSet::default(),
            preemption_args: PreemptionArgs::default(),
            spread_args: PodTopologySpreadArgs::default(),
            hard_pod_affinity_weight: inter_pod_affinity::DEFAULT_HARD_POD_AFFINITY_WEIGHT,
            ignore_preferred_terms_of_existing_pods: false,
            fit_args: NodeResourcesFit::default(),
            balanced_resources: BalancedAllocation::default().resources,
            fgd_typical_pods: Vec::new(),
            added_affinity: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchedulerConfig {
    /// `percentageOfNodesToScore`; `None` or 0 means upstream's adaptive default.
    pub percentage_of_nodes_to_score: Option<u32>,
    pub pod_initial_backoff: SimDuration,
    pub pod_max_backoff: SimDuration,
    pub profiles: Vec<ProfileConfig>,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        SchedulerConfig {
            percentage_of_nodes_to_score: None,
            pod_initial_backoff: DEFAULT_POD_INITIAL_BACKOFF,
            pod_max_backoff: DEFAULT_POD_MAX_BACKOFF,
            profiles: vec![ProfileConfig::default()],
        }
    }
}

/// The plugins kubesim implements, in upstream's default order, with their
/// default score weights (0: filter only).
pub const KNOWN_PLUGINS: &[(&str, i64)] = &[
    ("PrioritySort", 0),
    ("NodeUnschedulable", 0),
    ("NodeName", 0),
    (taint_toleration::NAME, 3),
    (node_affinity::NAME, 2),
    (node_resources_fit::NAME, 1),
    (pod_topology_spread::NAME, 2),
    (inter_pod_affinity::NAME, 2),
    // Not upstream's: GPU sharing (filter only; skips pods without a GPU share).
    (gpu_share::NAME, 0),
    (balanced_allocation::NAME, 1),
    (image_locality::NAME, 1),
    ("DefaultBinder", 0),
    ("DefaultPreemption", 0),
];

/// Plugins kubesim implements that are not in the default set (enable them
/// in a profile), with their default score weight: the GPU policies of
/// Weng et al. (ATC'23), for pods with a GPU share.
pub const OPTIONAL_PLUGINS: &[(&str, i64)] = &[
    (gpu_policies::GPU_PACKING, 1),
    (gpu_policies::GPU_BEST_FIT, 1),
    (gpu_policies::GPU_DOT_PRODUCT, 1),
    (gpu_policies::GPU_CLUSTERING, 1),
    (fgd::NAME, 1),
];

/// Plugins of upstream's default set that kubesim accepts in configuration
/// but does not model yet; enabling them is a no-op with a warning.
pub const UNMODELLED_PLUGINS: &[&str] = &[
    "VolumeBinding",
    "VolumeRestrictions",
    "VolumeZone",
    "NodeVolumeLimits",
    "NodePorts",
    "SchedulingGates",
    "DynamicResources",
];

/// The non-CSI volume-limit plugins kube-scheduler removed in v1.32: enabling
/// one, or giving it a pluginConfig, is invalid in `kubescheduler.config.k8s.io/v1`
/// (`invalidPluginsByVersion` in `pkg/scheduler/apis/config/validation/validation.go`).
/// Disabling one is harmless, as upstream ignores names in disabled lists.
pub const REMOVED_PLUGINS: &[&str] = &[
    "AzureDiskLimits",
    "CinderLimits",
    "EBSLimits",
    "GCEPDLimits",
];

/// Most weight a score plugin may have. Upstream only refuses weights whose
/// total could overflow int64 (`getScoreWeights`, framework/runtime/framework.go);
/// kubesim bounds each weight so that the largest total,
/// `MAX_NODE_SCORE × MAX_PLUGIN_WEIGHT × (every plugin kubesim knows)`
/// = 100 × 100 × 18 = 180 000, is far inside `i64` and no sum can overflow.
pub const MAX_PLUGIN_WEIGHT: i64 = 100;

/// The extension points kubesim configures (and so checks a plugin against).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExtensionPoint {
    QueueSort,
    Filter,
    PostFilter,
    Score,
}

/// Whether the plugin `name` (known or optional) implements `point`; upstream
/// refuses a plugin enabled at a point it does not extend ("plugin %q does not
/// extend %s plugin", `updatePluginList` in framework/runtime/framework.go).
pub fn extends(name: &str, point: ExtensionPoint) -> bool {
    match point {
        ExtensionPoint::QueueSort => name == "PrioritySort",
        ExtensionPoint::PostFilter => name == "DefaultPreemption",
        ExtensionPoint::Filter => {
            instantiate(name, &ProfileConfig::default()).is_some_and(|p| p.has_filter())
        }
        ExtensionPoint::Score => {
            instantiate(name, &ProfileConfig::default()).is_some_and(|p| p.has_score())
        }
    }
}

fn instantiate(name: &str, profile: &ProfileConfig) -> Option<Box<dyn Plugin>> {
    Some(match name {
        node_name::NAME => Box::new(node_name::NodeName),
        node_unschedulable::NAME => Box::new(node_unschedulable::NodeUnschedulable),
        taint_toleration::NAME => Box::new(taint_toleration::TaintToleration),
        node_affinity::NAME => Box::new(node_affinity::NodeAffinity::new(
            profile.added_affinity.clone(),
        )),
        node_resources_fit::NAME => Box::new(profile.fit_args.clone()),
        pod_topology_spread::NAME => Box::new(PodTopologySpread::new(profile.spread_args.clone())),
        image_locality::NAME => Box::new(ImageLocality::default()),
        inter_pod_affinity::NAME => {
            let mut plugin = InterPodAffinity::new(profile.hard_pod_affinity_weight);
            plugin.ignore_preferred_terms_of_existing_pods =
                profile.ignore_preferred_terms_of_existing_pods;
            Box::new(plugin)
        }
        gpu_share::NAME => Box::new(gpu_share::GpuShare),
        fgd::NAME => Box::new(fgd::Fgd::new(&profile.fgd_typical_pods)),
        balanced_allocation::NAME => Box::new(BalancedAllocation {
            resources: profile.balanced_resources.clone(),
        }),
        _ => return gpu_policies::plugin(name).map(|p| Box::new(p) as Box<dyn Plugin>),
    })
}

/// A built profile: the plugin instances and which run at Filter and Score.
pub struct Profile {
    pub scheduler_name: String,
    pub plugins: Vec<Box<dyn Plugin>>,
    /// Indexes into `plugins`, in upstream order.
    pub filter: Vec<usize>,
    /// Indexes into `plugins` with their weights.
    pub score: Vec<(usize, i64)>,
    /// DefaultPreemption's args when it is enabled at PostFilter.
    pub preemption: Option<PreemptionArgs>,
}

impl Profile {
    /// Applies the default plugin set, then `multiPoint`, then the per-point
    /// enabled/disabled lists, as upstream merges them. Names must already be
    /// validated against [`KNOWN_PLUGINS`] and [`UNMODELLED_PLUGINS`].
    pub fn build(config: &ProfileConfig) -> Profile {
        // (name, weight) lists per point, defaults first.
        let defaults: Vec<(String, i64)> = KNOWN_PLUGINS
            .iter()
            .map(|(n, w)| (n.to_string(), *w))
            .collect();
        let apply = |mut list: Vec<(String, i64)>, set: &PluginSet| {
            if set.disabled.iter().any(|d| d == "*") {
                list.clear();
            }
            list.retain(|(n, _)| !set.disabled.contains(n));
            for e in &set.enabled {
                let default_weight = KNOWN_PLUGINS
                    .iter()
                    .chain(OPTIONAL_PLUGINS)
                    .find(|(n, _)| *n == e.name)
                    .map_or(1, |(_, w)| (*w).max(1));
                let weight = if e.weight > 0 {
                    e.weight
                } else {
                    default_weight
                };
                list.retain(|(n, _)| *n != e.name);
                list.push((e.name.clone(), weight));
            }
            list
        };
        let multi = apply(defaults, &config.multi_point);
        let filter_names = apply(multi.clone(), &config.filter);
        let preemption = apply(multi.clone(), &config.post_filter)
            .iter()
            .any(|(n, _)| n == "DefaultPreemption")
            .then_some(config.preemption_args);
        let score_names = apply(multi, &config.score);

        let mut plugins: Vec<Box<dyn Plugin>> = Vec::new();
        let index_of = |name: &str, plugins: &mut Vec<Box<dyn Plugin>>| -> Option<usize> {
            if let Some(i) = plugins.iter().position(|p| p.name() == name) {
                return Some(i);
            }
            let p = instantiate(name, config)?;
            plugins.push(p);
            Some(plugins.len() - 1)
        };
        let mut filter = Vec::new();
        for (name, _) in &filter_names {
            if let Some(i) = index_of(name, &mut plugins) {
                if plugins[i].has_filter() {
                    filter.push(i);
                }
            }
        }
        let mut score = Vec::new();
        for (name, weight) in &score_names {
            if let Some(i) = index_of(name, &mut plugins) {
                if plugins[i].has_score() {
                    score.push((i, *weight));
                }
            }
        }
        Profile {
            scheduler_name: config.scheduler_name.clone(),
            plugins,
            filter,
            score,
            preemption,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::framework::MAX_NODE_SCORE;

    #[test]
    fn largest_weighted_total_fits_i64() {
        let n_plugins = (KNOWN_PLUGINS.len() + OPTIONAL_PLUGINS.len()) as i64;
        assert_eq!(
            n_plugins, 18,
            "update the bound stated on MAX_PLUGIN_WEIGHT"
        );
        let total = MAX_NODE_SCORE
            .checked_mul(MAX_PLUGIN_WEIGHT)
            .and_then(|t| t.checked_mul(n_plugins));
        assert_eq!(total, Some(180_000));
    }

    #[test]
    fn extension_points_follow_the_plugins() {
        use ExtensionPoint::*;
        assert!(extends("PrioritySort", QueueSort));
        assert!(extends("NodeName", Filter) && !extends("NodeName", Score));
        assert!(extends("ImageLocality", Score) && !extends("ImageLocality", Filter));
        assert!(extends("NodeResourcesFit", Filter) && extends("NodeResourcesFit", Score));
        assert!(extends("DefaultPreemption", PostFilter) && !extends("NodeName", PostFilter));
        assert!(!extends("DefaultBinder", Filter) && !extends("DefaultBinder", Score));
    }

    fn names(p: &Profile, idx: &[usize]) -> Vec<&'static str> {
        idx.iter().map(|&i| p.plugins[i].name()).collect()
    }

    #[test]
    fn default_profile_has_upstream_plugins_and_weights() {
        let p = Profile::build(&ProfileConfig::default());
        assert_eq!(
            names(&p, &p.filter),
            vec![
                "NodeUnschedulable",
                "NodeName",
                "TaintToleration",
                "NodeAffinity",
                "NodeResourcesFit",
                "PodTopologySpread",
                "InterPodAffinity",
                // kubesim's GPU sharing filter; it skips pods without a GPU share.
                "GpuShare"
            ]
        );
        let scores: Vec<(&str, i64)> = p
            .score
            .iter()
            .map(|&(i, w)| (p.plugins[i].name(), w))
            .collect();
        assert_eq!(
            scores,
            vec![
                ("TaintToleration", 3),
                ("NodeAffinity", 2),
                ("NodeResourcesFit", 1),
                ("PodTopologySpread", 2),
                ("InterPodAffinity", 2),
                ("NodeResourcesBalancedAllocation", 1),
                ("ImageLocality", 1)
            ]
        );
    }

    #[test]
    fn score_plugins_can_be_replaced() {
        let config = ProfileConfig {
            score: PluginSet {
                enabled: vec![PluginRef {
                    name: "NodeResourcesFit".into(),
                    weight: 5,
                }],
                disabled: vec!["*".into()],
            },
            ..Default::default()
        };
        let p = Profile::build(&config);
        assert_eq!(p.score.len(), 1);
        assert_eq!(
            (p.plugins[p.score[0].0].name(), p.score[0].1),
            ("NodeResourcesFit", 5)
        );
        assert_eq!(p.filter.len(), 8, "filters keep their defaults");
    }
}
