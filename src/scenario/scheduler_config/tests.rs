//! KubeSchedulerConfiguration decoding through whole scenarios: what is accepted,
//! what each refused value reports, and where.

use super::*;
use crate::scenario::decode::{load_str, Loaded};
use crate::scheduler::plugins::node_resources_fit::ScoringStrategy;
use crate::scheduler::plugins::pod_topology_spread::DefaultingType;
use crate::scheduler::preemption::PreemptionArgs;

/// A one-node scenario whose `scheduler:` section is `config`.
fn decode(config: &str) -> Result<Loaded, Diagnostics> {
    let mut text = String::from(
            "name: t\nnodePools: [{name: n, count: 1, capacity: {cpu: \"1\", memory: 1Gi}}]\nscheduler:\n",
        );
    for line in config.lines() {
        text.push_str("  ");
        text.push_str(line);
        text.push('\n');
    }
    load_str("test.yaml", &text, Path::new("."), "t")
}

/// `None` when `config` is refused with a located error on `scheduler.{field}`
/// whose message contains `message`; otherwise what went wrong.
fn check(config: &str, field: &str, message: &str) -> Option<String> {
    let field = format!("scheduler.{field}");
    match decode(config) {
        Ok(_) => Some(format!("accepted:\n{config}")),
        Err(d)
            if d.iter()
                .any(|e| e.field == field && e.message.contains(message) && e.pos.line > 0) =>
        {
            None
        }
        Err(d) => Some(format!(
            "no error on {field} containing {message:?} for\n{config}\ngot:\n{d}"
        )),
    }
}

fn accepted(config: &str) -> Loaded {
    match decode(config) {
        Ok(l) => l,
        Err(d) => panic!("refused:\n{config}\n{d}"),
    }
}

/// One row per rule of kube-scheduler v1.32's validation: a configuration it
/// refuses to start with, the field kubesim must name and part of the message.
const REJECTED: &[(&str, &str, &str)] = &[
        // validation.go: ValidateKubeSchedulerConfiguration.
        ("apiVersion: kubescheduler.config.k8s.io/v1beta3", "apiVersion", "expected kubescheduler.config.k8s.io/v1"),
        ("percentageOfNodesToScore: 101", "percentageOfNodesToScore", "expected a percentage from 0 to 100, found 101"),
        ("percentageOfNodesToScore: -1", "percentageOfNodesToScore", "expected a percentage from 0 to 100, found -1"),
        ("podInitialBackoffSeconds: 3\npodMaxBackoffSeconds: 0", "podMaxBackoffSeconds", "(3), found 0"),
        ("podInitialBackoffSeconds: -5", "podInitialBackoffSeconds", "must be greater than 0, found -5"),
        ("podInitialBackoffSeconds: 5\npodMaxBackoffSeconds: 4", "podMaxBackoffSeconds", "must be greater than or equal to podInitialBackoffSeconds (5), found 4"),
        ("podInitialBackoffSeconds: 30", "podMaxBackoffSeconds", "found 10 (the default)"),
        ("parallelism: 0", "parallelism", "greater than zero, found 0"),
        ("profiles: [{schedulerName: \"\"}]", "profiles[0].schedulerName", "Required value"),
        ("profiles: [{schedulerName: a}, {}]", "profiles[1].schedulerName", "Required value"),
        ("profiles: [{schedulerName: a}, {schedulerName: a}]", "profiles[1].schedulerName", "Duplicate value: \"a\": profiles[0]"),
        // validateCommonQueueSort.
        ("profiles:\n- {schedulerName: a, plugins: {queueSort: {disabled: [{name: \"*\"}], enabled: [{name: PrioritySort}]}}}\n- {schedulerName: b}", "profiles[1].plugins.queueSort", "must be the same for all profiles"),
        // framework.go: plugin names, duplicates, extension points.
        ("profiles: [{plugins: {filter: {enabled: [{name: NodeNam}]}}}]", "profiles[0].plugins.filter.enabled[0].name", "unknown plugin \"NodeNam\""),
        ("profiles: [{plugins: {preScore: {enabled: [{name: Bogus}]}}}]", "profiles[0].plugins.preScore.enabled[0].name", "unknown plugin \"Bogus\""),
        ("profiles: [{plugins: {score: {enabled: [{name: ImageLocality}, {name: ImageLocality}]}}}]", "profiles[0].plugins.score.enabled[1].name", "Duplicate value: plugin \"ImageLocality\""),
        ("profiles: [{plugins: {multiPoint: {enabled: [{name: NodeName}, {name: NodeName}]}}}]", "profiles[0].plugins.multiPoint.enabled[1].name", "Duplicate value"),
        ("profiles: [{plugins: {score: {enabled: [{name: NodeName}]}}}]", "profiles[0].plugins.score.enabled[0].name", "plugin \"NodeName\" does not extend score"),
        ("profiles: [{plugins: {filter: {enabled: [{name: ImageLocality}]}}}]", "profiles[0].plugins.filter.enabled[0].name", "does not extend filter"),
        ("profiles: [{plugins: {postFilter: {enabled: [{name: NodeName}]}}}]", "profiles[0].plugins.postFilter.enabled[0].name", "does not extend postFilter; expected one of: DefaultPreemption"),
        ("profiles: [{plugins: {queueSort: {enabled: [{name: NodeName}]}}}]", "profiles[0].plugins.queueSort.enabled[0].name", "does not extend queueSort"),
        // Score weights: bounded so that no weighted total can overflow.
        ("profiles: [{plugins: {score: {enabled: [{name: ImageLocality, weight: 101}]}}}]", "profiles[0].plugins.score.enabled[0].weight", "expected a weight from 1 to 100, found 101"),
        ("profiles: [{plugins: {multiPoint: {enabled: [{name: ImageLocality, weight: -1}]}}}]", "profiles[0].plugins.multiPoint.enabled[0].weight", "found -1"),
        // invalidPluginsByVersion: removed in v1.32.
        ("profiles: [{plugins: {multiPoint: {enabled: [{name: EBSLimits}]}}}]", "profiles[0].plugins.multiPoint.enabled[0].name", "\"EBSLimits\" was invalid in version \"kubescheduler.config.k8s.io/v1\""),
        ("profiles: [{pluginConfig: [{name: GCEPDLimits, args: {}}]}]", "profiles[0].pluginConfig[0].name", "was invalid in version"),
        // validatePluginConfig: one entry per plugin.
        ("profiles: [{pluginConfig: [{name: InterPodAffinity, args: {}}, {name: InterPodAffinity, args: {}}]}]", "profiles[0].pluginConfig[1].name", "Duplicate value: \"InterPodAffinity\""),
        // ValidateNodeResourcesFitArgs.
        ("profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: LeastAllocated, resources: [{name: cpu, weight: 101}]}}}]}]", "profiles[0].pluginConfig[0].args.scoringStrategy.resources[0].weight", "expected a resource weight from 1 to 100 (0 means 1), found 101"),
        ("profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: MostAllocated, resources: [{name: cpu, weight: 9223372036854775807}]}}}]}]", "profiles[0].pluginConfig[0].args.scoringStrategy.resources[0].weight", "found 9223372036854775807"),
        ("profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: MostAllocated, resources: [{name: memory, weight: -3}]}}}]}]", "profiles[0].pluginConfig[0].args.scoringStrategy.resources[0].weight", "found -3"),
        ("profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {resources: [{name: cpu, weight: 1}]}}}]}]", "profiles[0].pluginConfig[0].args.scoringStrategy", "missing required field `type`; expected one of: LeastAllocated, MostAllocated, RequestedToCapacityRatio"),
        ("profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: Balanced}}}]}]", "profiles[0].pluginConfig[0].args.scoringStrategy.type", "unknown value"),
        ("profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: RequestedToCapacityRatio}}}]}]", "profiles[0].pluginConfig[0].args.scoringStrategy.requestedToCapacityRatio", "Required value"),
        ("profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: MostAllocated, requestedToCapacityRatio: {shape: [{utilization: 0, score: 0}]}}}}]}]", "profiles[0].pluginConfig[0].args.scoringStrategy.requestedToCapacityRatio", "Forbidden"),
        ("profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: {shape: []}}}}]}]", "profiles[0].pluginConfig[0].args.scoringStrategy.requestedToCapacityRatio.shape", "at least one point"),
        ("profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: {shape: [{utilization: 101, score: 1}]}}}}]}]", "profiles[0].pluginConfig[0].args.scoringStrategy.requestedToCapacityRatio.shape[0].utilization", "expected a utilization from 0 to 100, found 101"),
        ("profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: {shape: [{utilization: 0, score: 11}]}}}}]}]", "profiles[0].pluginConfig[0].args.scoringStrategy.requestedToCapacityRatio.shape[0].score", "expected a score from 0 to 10, found 11"),
        ("profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: {shape: [{utilization: 50, score: 1}, {utilization: 50, score: 2}]}}}}]}]", "profiles[0].pluginConfig[0].args.scoringStrategy.requestedToCapacityRatio.shape[1].utilization", "values must be sorted in increasing order"),
        ("profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {ignoredResources: [\"not a name\"]}}]}]", "profiles[0].pluginConfig[0].args.ignoredResources[0]", "expected a resource name"),
        ("profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {ignoredResourceGroups: [example.com/gpu]}}]}]", "profiles[0].pluginConfig[0].args.ignoredResourceGroups[0]", "can't contain '/'"),
        ("profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: LeastAllocated}, weights: 1}}]}]", "profiles[0].pluginConfig[0].args", "unknown field `weights`"),
        // ValidateInterPodAffinityArgs.
        ("profiles: [{pluginConfig: [{name: InterPodAffinity, args: {hardPodAffinityWeight: 101}}]}]", "profiles[0].pluginConfig[0].args.hardPodAffinityWeight", "expected a weight from 0 to 100, found 101"),
        ("profiles: [{pluginConfig: [{name: InterPodAffinity, args: {hardPodAffinityWeight: -1}}]}]", "profiles[0].pluginConfig[0].args.hardPodAffinityWeight", "found -1"),
        // ValidatePodTopologySpreadArgs.
        ("profiles: [{pluginConfig: [{name: PodTopologySpread, args: {defaultingType: List, defaultConstraints: [{maxSkew: 0, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]}}]}]", "profiles[0].pluginConfig[0].args.defaultConstraints[0].maxSkew", "must be greater than zero, found 0"),
        ("profiles: [{pluginConfig: [{name: PodTopologySpread, args: {defaultingType: List, defaultConstraints: [{maxSkew: 1, topologyKey: \"\", whenUnsatisfiable: DoNotSchedule}]}}]}]", "profiles[0].pluginConfig[0].args.defaultConstraints[0].topologyKey", "can not be empty"),
        ("profiles: [{pluginConfig: [{name: PodTopologySpread, args: {defaultingType: List, defaultConstraints: [{maxSkew: 1, topologyKey: zone}]}}]}]", "profiles[0].pluginConfig[0].args.defaultConstraints[0]", "missing required field `whenUnsatisfiable`"),
        ("profiles: [{pluginConfig: [{name: PodTopologySpread, args: {defaultingType: List, defaultConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: Sometimes}]}}]}]", "profiles[0].pluginConfig[0].args.defaultConstraints[0].whenUnsatisfiable", "unknown value"),
        ("profiles: [{pluginConfig: [{name: PodTopologySpread, args: {defaultingType: List, defaultConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: a}}}]}}]}]", "profiles[0].pluginConfig[0].args.defaultConstraints[0].labelSelector", "must not define a selector"),
        ("profiles: [{pluginConfig: [{name: PodTopologySpread, args: {defaultingType: List, defaultConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}, {maxSkew: 2, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]}}]}]", "profiles[0].pluginConfig[0].args.defaultConstraints[1]", "Duplicate value"),
        ("profiles: [{pluginConfig: [{name: PodTopologySpread, args: {defaultingType: Cluster}}]}]", "profiles[0].pluginConfig[0].args.defaultingType", "unknown value"),
        ("profiles: [{pluginConfig: [{name: PodTopologySpread, args: {defaultingType: System, defaultConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]}}]}]", "profiles[0].pluginConfig[0].args.defaultConstraints", "must be empty"),
        // ValidateDefaultPreemptionArgs.
        ("profiles: [{pluginConfig: [{name: DefaultPreemption, args: {minCandidateNodesPercentage: 101}}]}]", "profiles[0].pluginConfig[0].args.minCandidateNodesPercentage", "expected a value from 0 to 100, found 101"),
        ("profiles: [{pluginConfig: [{name: DefaultPreemption, args: {minCandidateNodesAbsolute: -1}}]}]", "profiles[0].pluginConfig[0].args.minCandidateNodesAbsolute", "found -1"),
        ("profiles: [{pluginConfig: [{name: DefaultPreemption, args: {minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 0}}]}]", "profiles[0].pluginConfig[0].args", "cannot both be zero"),
        // ValidateNodeResourcesBalancedAllocationArgs.
        ("profiles: [{pluginConfig: [{name: NodeResourcesBalancedAllocation, args: {resources: [{name: cpu, weight: 2}]}}]}]", "profiles[0].pluginConfig[0].args.resources[0].weight", "must be 1, found 2"),
        ("profiles: [{pluginConfig: [{name: NodeResourcesBalancedAllocation, args: {resources: [{name: cpu}, {name: cpu}]}}]}]", "profiles[0].pluginConfig[0].args.resources[1].name", "Duplicate value: \"cpu\""),
        // ValidateNodeAffinityArgs.
        ("profiles: [{pluginConfig: [{name: NodeAffinity, args: {addedAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: Near, values: [a]}]}]}}}}]}]", "profiles[0].pluginConfig[0].args.addedAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator", "Near"),
        ("profiles: [{pluginConfig: [{name: NodeAffinity, args: {addedAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 1, preference: {matchExpressions: [{key: \"bad key!\", operator: Exists}]}}]}}}]}]", "profiles[0].pluginConfig[0].args.addedAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0].key", "name part must consist of alphanumeric characters"),
        ("profiles: [{pluginConfig: [{name: NodeAffinity, args: {addedAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 101, preference: {matchExpressions: [{key: zone, operator: Exists}]}}]}}}]}]", "profiles[0].pluginConfig[0].args.addedAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight", "from 1 to 100, found 101"),
        // ValidateVolumeBindingArgs (v1.32: shape needs VolumeCapacityPriority).
        ("profiles: [{pluginConfig: [{name: VolumeBinding, args: {bindTimeoutSeconds: -1}}]}]", "profiles[0].pluginConfig[0].args.bindTimeoutSeconds", "expected a non-negative number of seconds, found -1"),
        ("profiles: [{pluginConfig: [{name: VolumeBinding, args: {shape: [{utilization: 0, score: 0}]}}]}]", "profiles[0].pluginConfig[0].args.shape", "turn on the feature gate VolumeCapacityPriority"),
        ("featureGates: {VolumeCapacityPriority: true}\nprofiles: [{pluginConfig: [{name: VolumeBinding, args: {shape: [{utilization: 0, score: 12}]}}]}]", "profiles[0].pluginConfig[0].args.shape[0].score", "expected a score from 0 to 10, found 12"),
        ("profiles: [{pluginConfig: [{name: VolumeBinding, args: {bindTimeout: 5}}]}]", "profiles[0].pluginConfig[0].args", "unknown field `bindTimeout`"),
    ];

#[test]
fn rejects_what_kube_scheduler_rejects() {
    let failures: Vec<String> = REJECTED
        .iter()
        .filter_map(|(config, field, message)| check(config, field, message))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n\n{}",
        failures.len(),
        REJECTED.len(),
        failures.join("\n\n")
    );
}

#[test]
fn accepts_the_edge_values_kube_scheduler_accepts() {
    let l = accepted(
        "percentageOfNodesToScore: 0\npodInitialBackoffSeconds: 1\npodMaxBackoffSeconds: 1",
    );
    let s = &l.scenario.scheduler;
    assert_eq!(s.percentage_of_nodes_to_score, Some(0));
    assert_eq!(s.pod_initial_backoff, s.pod_max_backoff);
    // Zero backoff: refused upstream, kept by kubesim for idealised queues, with a warning.
    let l = accepted("podInitialBackoffSeconds: 0\npodMaxBackoffSeconds: 0");
    assert_eq!(l.scenario.scheduler.pod_max_backoff, SimDuration::ZERO);
    assert!(l
        .warnings
        .iter()
        .any(|w| w.field == "scheduler.podInitialBackoffSeconds"));
    let l = accepted("percentageOfNodesToScore: 100\nparallelism: 1");
    assert_eq!(l.scenario.scheduler.percentage_of_nodes_to_score, Some(100));

    // Score weights 1 and 100; 0 stands for the plugin's default.
    let l = accepted(
            "profiles: [{plugins: {score: {enabled: [{name: ImageLocality, weight: 1}, {name: NodeResourcesFit, weight: 100}, {name: TaintToleration, weight: 0}]}}}]",
        );
    let weights: Vec<i64> = l.scenario.scheduler.profiles[0]
        .score
        .enabled
        .iter()
        .map(|p| p.weight)
        .collect();
    assert_eq!(weights, vec![1, 100, 0]);

    // Resource weights 1 and 100, and 0 defaulted to 1.
    let l = accepted(
            "profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: MostAllocated, resources: [{name: cpu, weight: 1}, {name: memory, weight: 100}, {name: ephemeral-storage, weight: 0}]}}}]}]",
        );
    let fit = &l.scenario.scheduler.profiles[0].fit_args;
    let weights: Vec<i64> = fit.resources.iter().map(|r| r.weight).collect();
    assert_eq!(weights, vec![1, 100, 1]);
    assert_eq!(fit.strategy, ScoringStrategy::MostAllocated);

    // An empty resources list keeps the default cpu and memory.
    let l = accepted(
            "profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: LeastAllocated, resources: []}}}, {name: NodeResourcesBalancedAllocation, args: {resources: [{name: cpu, weight: 0}]}}]}]",
        );
    let p = &l.scenario.scheduler.profiles[0];
    assert_eq!(
        p.fit_args.resources,
        ProfileConfig::default().fit_args.resources
    );
    assert_eq!(p.balanced_resources.len(), 1);
    assert_eq!(p.balanced_resources[0].weight, 1);

    // Shape end points.
    let l = accepted(
            "profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: {shape: [{utilization: 0, score: 0}, {utilization: 100, score: 10}]}}}}]}]",
        );
    assert!(matches!(
        &l.scenario.scheduler.profiles[0].fit_args.strategy,
        ScoringStrategy::RequestedToCapacityRatio { shape } if shape.len() == 2
    ));

    for w in [0, 100] {
        let l = accepted(&format!(
                "profiles: [{{pluginConfig: [{{name: InterPodAffinity, args: {{hardPodAffinityWeight: {w}, ignorePreferredTermsOfExistingPods: false}}}}]}}]"
            ));
        assert_eq!(l.scenario.scheduler.profiles[0].hard_pod_affinity_weight, w);
    }
    let l = accepted(
            "profiles: [{pluginConfig: [{name: DefaultPreemption, args: {minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 1}}]}]",
        );
    assert_eq!(
        l.scenario.scheduler.profiles[0].preemption_args,
        PreemptionArgs {
            min_candidate_nodes_percentage: 0,
            min_candidate_nodes_absolute: 1
        }
    );
    accepted("profiles: [{pluginConfig: [{name: DefaultPreemption, args: {minCandidateNodesPercentage: 100, minCandidateNodesAbsolute: 0}}]}]");

    // v1 defaulting: an empty profile list is one default profile; an empty
    // defaultingType is System.
    let l = accepted("profiles: []");
    assert_eq!(
        l.scenario.scheduler.profiles,
        vec![ProfileConfig::default()]
    );
    let l = accepted(
        "profiles: [{pluginConfig: [{name: PodTopologySpread, args: {defaultingType: \"\"}}]}]",
    );
    assert_eq!(
        l.scenario.scheduler.profiles[0].spread_args.defaulting_type,
        DefaultingType::System
    );

    // The same queueSort in every profile is fine, as are two named profiles.
    accepted("profiles:\n- {schedulerName: a, plugins: {queueSort: {enabled: [{name: PrioritySort}]}}}\n- {schedulerName: b, plugins: {queueSort: {enabled: [{name: PrioritySort}]}}}");

    // A removed plugin may still be disabled (upstream ignores disabled names).
    let l = accepted("profiles: [{plugins: {multiPoint: {disabled: [{name: EBSLimits}]}}}]");
    assert!(l
        .warnings
        .iter()
        .any(|w| w.message.contains("removed in kube-scheduler v1.32")));

    // VolumeBinding's shape with its feature gate, and a zero bind timeout.
    accepted("featureGates: {VolumeCapacityPriority: true}\nprofiles: [{pluginConfig: [{name: VolumeBinding, args: {bindTimeoutSeconds: 0, shape: [{utilization: 0, score: 0}, {utilization: 100, score: 10}]}}]}]");

    // A valid addedAffinity is taken into the profile, without a warning.
    let l = accepted("profiles: [{pluginConfig: [{name: NodeAffinity, args: {addedAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In, values: [a]}]}]}}}}]}]");
    assert!(!l
        .warnings
        .iter()
        .any(|w| w.field.contains("args.addedAffinity")));
    let added = l.scenario.scheduler.profiles[0]
        .added_affinity
        .as_ref()
        .unwrap();
    assert_eq!(added.required.as_ref().map(Vec::len), Some(1));
}
