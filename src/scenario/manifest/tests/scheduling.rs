//! Where pods may run: tolerations and taints, node affinity, pod (anti-)affinity,
//! topology spread constraints and label selectors.

use super::*;
use crate::input::yaml::Value;
use crate::model::taints::{TaintEffect, TolerationOperator};

#[test]
fn toleration_validation_follows_upstream() {
    let text = pod_with(
        "  tolerations:
  - operator: Exists
  - key: dedicated
    operator: Equal
    value: gpu
    effect: NoSchedule
  - key: node.kubernetes.io/not-ready
    operator: Exists
    effect: NoExecute
    tolerationSeconds: 300
  - {key: \"\", operator: Equal}
  - {key: a, operator: Exists, value: b}
  - {key: a, value: b, effect: NoSchedule, tolerationSeconds: 5}
  - {key: a, operator: equal}
  - {key: a, effect: NoExcute}
  - {key: \"bad key!\", value: \"not valid!\"}
",
    );
    assert_eq!(
            errors(&text),
            [
                "test.yaml:19:25: spec.tolerations[3].operator: operator must be Exists when `key` is \
                 empty, which means \"match all values and all keys\"",
                "test.yaml:20:39: spec.tolerations[4].value: value must be empty when `operator` is 'Exists'",
                "test.yaml:21:32: spec.tolerations[5].effect: effect must be 'NoExecute' when \
                 `tolerationSeconds` is set",
                "test.yaml:22:24: spec.tolerations[6].operator: unknown value \"equal\" (did you mean \
                 `Equal`?); expected one of: Equal, Exists",
                "test.yaml:23:22: spec.tolerations[7].effect: unknown value \"NoExcute\" (did you mean \
                 `NoExecute`?); expected one of: NoSchedule, PreferNoSchedule, NoExecute",
                "test.yaml:24:11: spec.tolerations[8].key: name part must consist of alphanumeric \
                 characters, '-', '_' or '.', and must start and end with an alphanumeric character \
                 (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is \
                 '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
                "test.yaml:24:30: spec.tolerations[8].value: a valid label must be an empty string or \
                 consist of alphanumeric characters, '-', '_' or '.', and must start and end with an \
                 alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for \
                 validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            ]
        );
    // The valid ones decode.
    let text = pod_with(
            "  tolerations:\n  - operator: Exists\n  - {key: dedicated, value: gpu, effect: NoSchedule}\n  \
             - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 300}\n",
        );
    let pod = one_pod(&text);
    let t = &pod.spec.tolerations;
    assert_eq!(t.len(), 3);
    assert_eq!(
        (t[0].key.as_str(), t[0].operator, t[0].effect),
        ("", TolerationOperator::Exists, None)
    );
    assert_eq!(
        (t[1].operator, t[1].value.as_str()),
        (TolerationOperator::Equal, "gpu")
    );
    assert_eq!(t[1].effect, Some(TaintEffect::NoSchedule));
    assert_eq!(t[2].toleration_seconds, Some(300));
}

#[test]
fn pod_affinity_and_spread_constraints_decode_with_defaults() {
    let text = pod_with(
        "  affinity:
    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - labelSelector: {matchLabels: {app: web}}
        topologyKey: kubernetes.io/hostname
  topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: topology.kubernetes.io/zone
    whenUnsatisfiable: DoNotSchedule
",
    );
    let d = decode(&text);
    assert!(d.errors.is_empty(), "{:#?}", d.errors);
    assert!(d.warnings.is_empty(), "{:#?}", d.warnings);
    let spec = &d.objects.pods[0].spec;
    let anti = &spec.affinity.pod_anti_affinity.required;
    assert_eq!(anti.len(), 1);
    assert_eq!(anti[0].topology_key, "kubernetes.io/hostname");
    let c = &spec.topology_spread_constraints[0];
    use crate::model::topology::{InclusionPolicy, WhenUnsatisfiable};
    assert_eq!(
        (
            c.max_skew,
            c.when_unsatisfiable,
            c.node_affinity_policy,
            c.node_taints_policy
        ),
        (
            1,
            WhenUnsatisfiable::DoNotSchedule,
            InclusionPolicy::Honor,
            InclusionPolicy::Ignore
        )
    );
}

#[test]
fn spread_and_affinity_validation_follows_upstream() {
    let errs = errors(&pod_with(
        "  affinity:
    podAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - labelSelector: {matchLabels: {app: web}}
        topologyKey: \"\"
  topologySpreadConstraints:
  - maxSkew: 0
    topologyKey: -bad-
    whenUnsatisfiable: ScheduleAnyway
    minDomains: 2
",
    ));
    assert_eq!(errs.len(), 4, "{errs:#?}");
    assert!(errs[0].starts_with("test.yaml:13:22: spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: can not be empty"), "{errs:#?}");
    assert!(errs[1].starts_with("test.yaml:15:14: spec.topologySpreadConstraints[0].maxSkew: must be greater than zero, found 0"), "{errs:#?}");
    assert!(
        errs[2].starts_with(
            "test.yaml:16:18: spec.topologySpreadConstraints[0].topologyKey: expected a label key"
        ),
        "{errs:#?}"
    );
    assert!(
        errs[3].contains("minDomains: can only use minDomains if whenUnsatisfiable=DoNotSchedule"),
        "{errs:#?}"
    );
}

#[test]
fn node_affinity_decodes_and_validates() {
    let pod = one_pod(&pod_with(
        "  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - {key: topology.kubernetes.io/zone, operator: In, values: [a, b]}
          - {key: cores, operator: Gt, values: [\"8\"]}
        - matchFields:
          - {key: metadata.name, operator: In, values: [node-3]}
      preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 20
        preference:
          matchExpressions:
          - {key: disk, operator: Exists}
",
    ));
    let na = pod.spec.affinity.node_affinity.as_ref().unwrap();
    let terms = na.required.as_ref().unwrap();
    assert_eq!(terms.len(), 2);
    assert_eq!(terms[0].match_expressions[1].operator, Operator::Gt);
    assert_eq!(terms[1].match_fields[0].values, ["node-3"]);
    assert_eq!(na.preferred[0].weight, 20);
    assert_eq!(
        na.preferred[0].preference.match_expressions[0].operator,
        Operator::Exists
    );

    let d = decode(&pod_with(
        "  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - {key: zone, operator: In}
          - {key: zone, operator: Exists, values: [a]}
          - {key: cores, operator: Lt, values: [\"1\", \"2\"]}
          - {key: cores, operator: Gt, values: [many]}
          matchFields:
          - {key: metadata.labels, operator: In, values: [x]}
      preferredDuringSchedulingIgnoredDuringExecution:
      - {weight: 0, preference: {}}
",
    ));
    assert_eq!(
            d.errors,
            [
                "test.yaml:14:13: spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.\
                 nodeSelectorTerms[0].matchExpressions[0].values: must be specified when `operator` is 'In' or 'NotIn'",
                "test.yaml:15:51: spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.\
                 nodeSelectorTerms[0].matchExpressions[1].values: may not be specified when `operator` is \
                 'Exists' or 'DoesNotExist'",
                "test.yaml:16:48: spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.\
                 nodeSelectorTerms[0].matchExpressions[2].values: must be specified single value when \
                 `operator` is 'Lt' or 'Gt', found 2",
                "test.yaml:19:19: spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.\
                 nodeSelectorTerms[0].matchFields[0].key: expected metadata.name (the only field a node \
                 field selector supports), found a string \"metadata.labels\"",
                "test.yaml:21:18: spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].\
                 weight: expected a weight from 1 to 100, found 0",
            ]
        );
    assert_eq!(
            d.warnings,
            ["test.yaml:17:49: spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.\
              nodeSelectorTerms[0].matchExpressions[3].values[0]: for 'Gt', 'Lt' operators, the value \
              must be an integer; the scheduler rejects this requirement, so its term matches no node"]
        );
}

#[test]
fn label_selectors() {
    let docs = parse_documents(
            "t.yaml",
            "good:\n  matchLabels: {app: web}\n  matchExpressions:\n  - {key: tier, operator: NotIn, values: [db, 3]}\n\
             bad:\n  matchExpressions:\n  - {key: tier, operator: Gt, values: [\"1\"]}\n  - {key: tier, operator: In, values: []}\n\
             empty: {}\n",
        )
        .unwrap();
    let Value::Map(entries) = &docs[0].value else {
        panic!("not a mapping")
    };
    let mut sink = Vec::new();
    let mut ctx = Ctx::new("t.yaml", &mut sink);
    let good = decode_label_selector(&mut ctx.field("good"), &entries[0].1).unwrap();
    assert_eq!(good.match_labels["app"], "web");
    assert_eq!(good.match_expressions[0].operator, Operator::NotIn);
    assert_eq!(good.match_expressions[0].values, ["db", "3"]);
    assert!(decode_label_selector(&mut ctx.field("bad"), &entries[1].1).is_none());
    let empty = decode_label_selector(&mut ctx.field("empty"), &entries[2].1).unwrap();
    assert!(empty.is_empty());
    assert_eq!(
            sink.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
            [
                "t.yaml:7:27: bad.matchExpressions[0].operator: unknown value \"Gt\"; expected one of: \
                 In, NotIn, Exists, DoesNotExist",
                "t.yaml:8:39: bad.matchExpressions[1].values: must be specified when `operator` is 'In' or 'NotIn'",
            ]
        );
}

#[test]
fn taints_are_validated_and_unique_by_key_and_effect() {
    let docs = parse_documents(
            "t.yaml",
            "- {key: a, value: x, effect: NoSchedule}\n- {key: a, effect: NoExecute, timeAdded: \"2024-01-01T00:00:00Z\"}\n\
             - {key: a, value: y, effect: NoSchedule}\n- {key: b}\n- {key: c, value: 1.10, effect: NoSchedule}\n",
        )
        .unwrap();
    let mut sink = Vec::new();
    let taints = decode_taints(&mut Ctx::new("t.yaml", &mut sink), &docs[0]);
    assert_eq!(taints.len(), 2);
    assert_eq!(taints[1].to_string(), "a:NoExecute");
    assert_eq!(
            sink.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
            [
                "t.yaml:3:3: [2]: duplicate taint a:NoSchedule; taints must be unique by key and effect",
                "t.yaml:4:3: [3]: missing required field `effect`",
                "t.yaml:5:19: [4].value: expected a string, found a number 1.1 (put it in quotes: YAML \
                 reads 1.10 as the number 1.1)",
            ]
        );
}
