//! Decoding whole manifest files: pods, nodes and lists, their errors and warnings.
//! The helpers here feed every test module below.

mod scheduling;

use super::*;
use crate::input::decode::Ctx;
use crate::input::diagnostic::{Diagnostic, Diagnostics};
use crate::input::yaml::parse_documents;
use crate::model::affinity::Affinity;
use crate::model::labels::Operator;
use crate::model::node::{DEFAULT_MAX_PODS, LABEL_HOSTNAME};
use crate::model::pod::{
    RestartPolicy, DEFAULT_SCHEDULER_NAME, DEFAULT_TERMINATION_GRACE_PERIOD_S,
};
use crate::model::resources::ResourceNames;
use crate::model::Pod;
use crate::scenario::objects::{decode_objects, Objects};

/// What decoding a file gave: the objects, the errors and the warnings, each
/// diagnostic as its one-line display text in file order.
struct Decoded {
    objects: Objects,
    errors: Vec<String>,
    warnings: Vec<String>,
    names: ResourceNames,
}

fn decode(text: &str) -> Decoded {
    let docs = parse_documents("test.yaml", text).unwrap_or_else(|e| panic!("parse failed: {e}"));
    let mut sink = Vec::new();
    let mut warnings = Vec::new();
    let mut names = ResourceNames::default();
    let objects = decode_objects(
        &mut Ctx::new("test.yaml", &mut sink),
        &docs,
        &mut names,
        &mut warnings,
    );
    let lines = |d: Vec<Diagnostic>| Diagnostics::new(d).iter().map(|d| d.to_string()).collect();
    Decoded {
        objects,
        errors: lines(sink),
        warnings: lines(warnings),
        names,
    }
}

/// Decodes text that must be free of errors and warnings.
fn decode_ok(text: &str) -> Objects {
    let d = decode(text);
    assert!(d.errors.is_empty(), "unexpected errors: {:#?}", d.errors);
    assert!(
        d.warnings.is_empty(),
        "unexpected warnings: {:#?}",
        d.warnings
    );
    d.objects
}

fn one_pod(text: &str) -> Pod {
    let mut o = decode_ok(text);
    assert_eq!((o.pods.len(), o.nodes.len()), (1, 0));
    o.pods.remove(0)
}

fn errors(text: &str) -> Vec<String> {
    decode(text).errors
}

/// A pod with one container and `extra` appended to its spec (indented by 2).
fn pod_with(extra: &str) -> String {
    format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: busybox\n{extra}"
        )
}

/// The nginx example from https://kubernetes.io/docs/concepts/workloads/pods/.
const NGINX: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: nginx
spec:
  containers:
  - name: nginx
    image: nginx:1.14.2
    ports:
    - containerPort: 80
";

#[test]
fn nginx_example_from_the_kubernetes_docs_decodes_with_defaults() {
    let pod = one_pod(NGINX);
    assert_eq!(pod.metadata.name, "nginx");
    assert_eq!(pod.metadata.namespace, "default");
    let spec = &pod.spec;
    assert_eq!(spec.containers.len(), 1);
    let c = &spec.containers[0];
    assert_eq!(
        (c.name.as_str(), c.image.as_str()),
        ("nginx", "nginx:1.14.2")
    );
    assert!(c.requests.is_zero() && c.limits.is_zero());
    assert_eq!(
        *c.behaviour,
        crate::model::pod::ContainerBehaviour::default()
    );
    assert!(spec.init_containers.is_empty());
    assert_eq!(spec.scheduler_name, DEFAULT_SCHEDULER_NAME);
    assert_eq!(spec.restart_policy, RestartPolicy::Always);
    assert_eq!(
        spec.termination_grace_period_s,
        DEFAULT_TERMINATION_GRACE_PERIOD_S
    );
    assert_eq!(spec.priority, 0);
    assert_eq!(spec.node_name, None);
    assert_eq!(spec.affinity, Affinity::default());
}

#[test]
fn limits_only_default_the_requests_and_request_above_limit_is_an_error() {
    // After the "frontend" example in
    // https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/,
    // with a second container that sets only limits.
    let pod = one_pod(
        "apiVersion: v1
kind: Pod
metadata:
  name: frontend
spec:
  containers:
  - name: app
    image: images.my-company.example/app:v4
    resources:
      requests:
        memory: \"64Mi\"
        cpu: \"250m\"
      limits:
        memory: \"128Mi\"
        cpu: \"500m\"
  - name: log-aggregator
    image: images.my-company.example/log-aggregator:v6
    resources:
      limits:
        memory: 128Mi
        cpu: 0.5
        nvidia.com/gpu: 1
      requests:
        memory: 0
",
    );
    let app = &pod.spec.containers[0];
    assert_eq!(
        (app.requests.cpu_millis, app.requests.memory_bytes),
        (250, 64 << 20)
    );
    assert_eq!(
        (app.limits.cpu_millis, app.limits.memory_bytes),
        (500, 128 << 20)
    );
    let log = &pod.spec.containers[1];
    // cpu and the GPU default to their limits; memory was set (to 0) and stays.
    assert_eq!(
        (log.requests.cpu_millis, log.requests.memory_bytes),
        (500, 0)
    );
    assert_eq!(log.requests.extended[0], 1);
    assert_eq!(pod.requests.cpu_millis, 750);
    assert_eq!(pod.requests.memory_bytes, 64 << 20);

    assert_eq!(
            errors(&pod_with(
                "    resources:\n      requests: {cpu: 2, nvidia.com/gpu: 1, example.com/foo: 1}\n      \
                 limits: {cpu: 1500m, example.com/foo: 2}\n"
            )),
            [
                "test.yaml:10:23: spec.containers[0].resources.requests.cpu: must be less than or \
                 equal to cpu limit of 1500m",
                "test.yaml:10:42: spec.containers[0].resources.requests[\"nvidia.com/gpu\"]: a limit \
                 must be set for nvidia.com/gpu too: it cannot be overcommitted, so its request must \
                 equal its limit (setting only the limit is enough)",
                "test.yaml:10:62: spec.containers[0].resources.requests[\"example.com/foo\"]: must be \
                 equal to example.com/foo limit of 2",
            ]
        );
}

#[test]
fn explicit_zero_requests_score_as_zero_and_absent_ones_as_defaults() {
    // Upstream scoring (`PodRequests` with NonMissingContainerRequests) adds
    // 100m / 200Mi only for a key the container's requests lack. `cpu: "0"`
    // is present; a `memory: 0` limit is copied into the absent request by
    // defaulting, so it is present too; the second container names nothing.
    let pod = one_pod(
        "apiVersion: v1
kind: Pod
metadata: {name: zero}
spec:
  containers:
  - {name: a, image: busybox, resources: {requests: {cpu: \"0\"}, limits: {memory: 0}}}
  - {name: b, image: busybox}
",
    );
    let [a, b] = &pod.spec.containers[..] else {
        panic!("two containers")
    };
    assert!(a.requests_set.cpu && a.requests_set.memory);
    assert!(!b.requests_set.cpu && !b.requests_set.memory);
    // a: 0 + 0; b: 100m + 200Mi.
    assert_eq!(pod.non_zero_requests.cpu_millis, 100);
    assert_eq!(pod.non_zero_requests.memory_bytes, 200 << 20);
}

#[test]
fn list_of_nodes_with_extended_resources() {
    let d = decode(
        "apiVersion: v1
kind: List
metadata:
  resourceVersion: \"\"
items:
- apiVersion: v1
  kind: Node
  metadata:
    name: gpu-0
    labels:
      accelerator: nvidia-h100
  spec:
    taints:
    - key: nvidia.com/gpu
      value: present
      effect: NoSchedule
  status:
    capacity:
      cpu: \"32\"
      memory: 256Gi
      nvidia.com/gpu: \"8\"
      pods: \"110\"
    allocatable:
      cpu: 31850m
      memory: 250Gi
      nvidia.com/gpu: \"7\"
      pods: \"100\"
    conditions:
    - type: Ready
      status: \"True\"
      reason: KubeletReady
- apiVersion: v1
  kind: Node
  metadata:
    name: gpu-1
    labels:
      kubernetes.io/hostname: custom
  spec:
    unschedulable: true
  status:
    capacity: {cpu: 16, memory: 64Gi, nvidia.com/gpu: 4, example.com/fpga: 2}
",
    );
    assert!(
        d.errors.is_empty() && d.warnings.is_empty(),
        "{:#?} {:#?}",
        d.errors,
        d.warnings
    );
    let nodes = &d.objects.nodes;
    assert_eq!(nodes.len(), 2);
    let gpu = d.names.lookup("nvidia.com/gpu").unwrap();
    let fpga = d.names.lookup("example.com/fpga").unwrap();
    let n0 = &nodes[0];
    assert_eq!(n0.name(), "gpu-0");
    assert_eq!(n0.metadata.namespace, "");
    assert_eq!(n0.capacity.cpu_millis, 32_000);
    assert_eq!(n0.capacity.memory_bytes, 256 << 30);
    assert_eq!(gpu.get(&n0.capacity), 8);
    assert_eq!(n0.allocatable.cpu_millis, 31_850);
    assert_eq!(gpu.get(&n0.allocatable), 7);
    assert_eq!(n0.allocatable_pods, 100);
    assert_eq!(n0.metadata.labels[LABEL_HOSTNAME], "gpu-0");
    assert_eq!(n0.metadata.labels["accelerator"], "nvidia-h100");
    assert_eq!(n0.taints.len(), 1);
    assert_eq!(
        n0.taints[0].to_string(),
        "nvidia.com/gpu=present:NoSchedule"
    );
    assert!(n0.ready && !n0.unschedulable);
    let n1 = &nodes[1];
    assert_eq!(gpu.get(&n1.capacity), 4);
    assert_eq!(fpga.get(&n1.capacity), 2);
    assert!(n1.unschedulable);
    // A hostname label that is present is kept.
    assert_eq!(n1.metadata.labels[LABEL_HOSTNAME], "custom");
}

#[test]
fn node_without_allocatable_gets_its_capacity() {
    let o = decode_ok(
            "apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\nstatus:\n  capacity: {cpu: 4, memory: 8Gi, pods: 20}\n  \
             conditions:\n  - {type: MemoryPressure, status: \"False\"}\n  - {type: Ready, status: Unknown}\n",
        );
    let n = &o.nodes[0];
    assert_eq!(n.allocatable, n.capacity);
    assert_eq!(n.allocatable.cpu_millis, 4000);
    assert_eq!(n.allocatable_pods, 20);
    assert!(!n.ready);
    // Without pods anywhere, the kubelet's default applies; a resource missing from
    // allocatable takes the capacity's value.
    let o = decode_ok(
            "apiVersion: v1\nkind: Node\nmetadata: {name: n2}\nstatus:\n  capacity: {cpu: 4, memory: 8Gi}\n  \
             allocatable: {cpu: 3500m}\n  conditions: [{type: Ready, status: True}]\n",
        );
    let n = &o.nodes[0];
    assert_eq!(
        (n.allocatable.cpu_millis, n.allocatable.memory_bytes),
        (3500, 8 << 30)
    );
    assert_eq!(n.allocatable_pods, DEFAULT_MAX_PODS);
    assert!(n.ready);
}

#[test]
fn node_without_capacity_is_a_warning() {
    let d = decode("apiVersion: v1\nkind: Node\nmetadata:\n  name: bare\n");
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    assert_eq!(d.objects.nodes.len(), 1);
    assert_eq!(
            d.warnings,
            ["test.yaml:1:1: status: no status.capacity: the node offers no cpu, memory or other resources"]
        );
}

#[test]
fn misspelt_field_suggests_the_right_one() {
    let text = NGINX.replace("  containers:", "  contianers:");
    let errs = errors(&text);
    assert_eq!(errs.len(), 2, "{errs:#?}");
    assert_eq!(
        errs[0],
        "test.yaml:6:3: spec: missing required field `containers`"
    );
    assert!(
        errs[1].starts_with(
            "test.yaml:6:3: spec: unknown field `contianers` (did you mean `containers`?); \
                 expected one of: containers, initContainers, nodeSelector,"
        ),
        "{}",
        errs[1]
    );
    // Ignored fields take part in suggestions too.
    let errs = errors(&pod_with("    volumeMount: []\n"));
    assert!(
            errs[0].starts_with(
                "test.yaml:9:5: spec.containers[0]: unknown field `volumeMount` (did you mean `volumeMounts`?)"
            ),
            "{errs:?}"
        );
}

#[test]
fn bad_quantity_names_line_column_and_field_path() {
    let text = "apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: c
    image: busybox
    resources:
      requests:
        cpu: 12x
";
    assert_eq!(
            errors(text),
            ["test.yaml:11:14: spec.containers[0].resources.requests.cpu: \"12x\" is not a quantity: \
              unknown suffix \"x\" (expected a number with an optional suffix such as 100m, 0.5, 1Gi, 1G, 1e3)"]
        );
}

#[test]
fn resource_list_rules() {
    assert_eq!(
            errors(&pod_with(
                "    resources:\n      requests: {gpu: 1, pods: 1, memory: -1Gi, example.com/dev: 500m, cpu: [1]}\n"
            )),
            [
                "test.yaml:10:18: spec.containers[0].resources.requests.gpu: unknown resource \"gpu\" \
                 (expected cpu, memory, ephemeral-storage, pods, or an extended resource with a domain \
                 prefix such as nvidia.com/gpu)",
                "test.yaml:10:26: spec.containers[0].resources.requests.pods: pods is a node's capacity, \
                 not something a pod or container requests; expected cpu, memory, ephemeral-storage or \
                 an extended resource",
                "test.yaml:10:43: spec.containers[0].resources.requests.memory: expected a quantity of \
                 at least 0, found \"-1Gi\"",
                "test.yaml:10:66: spec.containers[0].resources.requests[\"example.com/dev\"]: expected a \
                 whole number of example.com/dev, found \"500m\"",
                "test.yaml:10:77: spec.containers[0].resources.requests.cpu: expected a quantity (such \
                 as 500m, 2 or 1Gi), found a list",
            ]
        );
    // Directly: pods only for nodes, returned apart from the resources.
    let docs = parse_documents("t.yaml", "{cpu: 1.5, memory: 1e3, pods: 30}").unwrap();
    let mut sink = Vec::new();
    let mut names = ResourceNames::default();
    let mut ctx = Ctx::new("t.yaml", &mut sink);
    let (r, pods) = decode_resource_list(&mut ctx, &docs[0], &mut names, true).unwrap();
    assert_eq!((r.cpu_millis, r.memory_bytes, pods), (1500, 1000, Some(30)));
    assert!(decode_resource_list(&mut ctx, &docs[0], &mut names, false).is_none());
    assert_eq!(sink.len(), 1);
}

#[test]
fn unsupported_kinds_say_what_is_supported() {
    let errs = errors(
            "apiVersion: apps/v1\nkind: StatefulSe\nmetadata: {name: web}\n---\n\
             apiVersion: v1\nkind: Secret\n---\napiVersion: v1\nkind: pod\n---\n- a list\n---\nmetadata: {}\n",
        );
    assert_eq!(
            errs,
            [
                "test.yaml:2:7: kind: kind StatefulSe is not supported (did you mean `StatefulSet`?); supported kinds: \
                 Pod, Node, List, Deployment, ReplicaSet, DaemonSet, StatefulSet, Job, CronJob, Service, PriorityClass, PodDisruptionBudget, HorizontalPodAutoscaler",
                "test.yaml:6:7: kind: kind Secret is not supported; supported kinds: Pod, Node, List, \
                 Deployment, ReplicaSet, DaemonSet, StatefulSet, Job, CronJob, Service, PriorityClass, PodDisruptionBudget, HorizontalPodAutoscaler",
                "test.yaml:9:7: kind: kind pod is not supported (did you mean `Pod`?); supported kinds: \
                 Pod, Node, List, Deployment, ReplicaSet, DaemonSet, StatefulSet, Job, CronJob, Service, PriorityClass, PodDisruptionBudget, HorizontalPodAutoscaler",
                "test.yaml:11:1: expected a Kubernetes object (a mapping with apiVersion and kind), found a list",
                "test.yaml:13:1: missing required field `kind`; supported kinds: Pod, Node, List, \
                 Deployment, ReplicaSet, DaemonSet, StatefulSet, Job, CronJob, Service, PriorityClass, PodDisruptionBudget, HorizontalPodAutoscaler",
            ]
        );
}

#[test]
fn api_version_must_be_v1_and_lists_do_not_nest() {
    let errs = errors(
            "apiVersion: apps/v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i}]}\n---\n\
             apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: List, items: []}\n",
        );
    assert_eq!(
            errs,
            [
                "test.yaml:1:13: apiVersion: expected v1 (the apiVersion of kind Pod), found a string \"apps/v1\"",
                "test.yaml:9:26: items[0].kind: a List cannot be an item of a List; expected Pod or Node",
            ]
        );
}

#[test]
fn all_errors_in_a_file_are_reported_at_once() {
    let errs = errors(
        "apiVersion: v1
kind: Pod
metadata:
  name: Web_1
  labels: {app: \"a b\"}
spec:
  restartPolicy: Sometimes
  priority: 1e10
  containers:
  - name: web
    image: nginx
    imagePullPolicy: Allways
  - name: web
---
apiVersion: v1
kind: Node
metadata: {}
status:
  capacity: {cpu: -1}
",
    );
    assert_eq!(
            errs,
            [
                "test.yaml:4:9: metadata.name: expected a lowercase RFC 1123 subdomain (at most 253 \
                 lowercase letters, digits, '-' and '.', each dot-separated part starting and ending \
                 with a letter or digit, e.g. \"example.com\"), found a string \"Web_1\"",
                "test.yaml:5:17: metadata.labels.app: a valid label must be an empty string or consist \
                 of alphanumeric characters, '-', '_' or '.', and must start and end with an \
                 alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for \
                 validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
                "test.yaml:7:18: spec.restartPolicy: unknown value \"Sometimes\"; expected one of: \
                 Always, OnFailure, Never",
                "test.yaml:8:13: spec.priority: expected an integer from -2147483648 to 2147483647, \
                 found 10000000000",
                "test.yaml:12:22: spec.containers[0].imagePullPolicy: unknown value \"Allways\" (did \
                 you mean `Always`?); expected one of: Always, IfNotPresent, Never",
                "test.yaml:13:5: spec.containers[1]: missing required field `image`",
                "test.yaml:13:11: spec.containers[1].name: duplicate container name \"web\" (also used \
                 by spec.containers[0])",
                "test.yaml:17:11: metadata: missing required field `name`",
                "test.yaml:19:19: status.capacity.cpu: expected a quantity of at least 0, found \"-1\"",
            ]
        );
}

#[test]
fn kubectl_get_output_with_server_fields_decodes() {
    let pod = one_pod(
        "apiVersion: v1
kind: Pod
metadata:
  creationTimestamp: \"2024-01-01T00:00:00Z\"
  generateName: web-7d4b9c-
  labels:
    app: web
    pod-template-hash: 7d4b9c
  annotations:
    kubesim.io/run-time: 5m
    Example.com/Note: free text, any characters!
  name: web-7d4b9c-x2x9q
  namespace: shop
  ownerReferences:
  - apiVersion: apps/v1
    blockOwnerDeletion: true
    controller: true
    kind: ReplicaSet
    name: web-7d4b9c
    uid: 0b9c6a36-7e0f-4f4e-a7f4-1e1e1e1e1e1e
  resourceVersion: \"4242\"
  uid: 9a9a9a9a-0000-4000-8000-000000000000
spec:
  containers:
  - image: nginx:1.27
    imagePullPolicy: IfNotPresent
    name: nginx
    resources: {}
    terminationMessagePath: /dev/termination-log
    terminationMessagePolicy: File
    volumeMounts:
    - mountPath: /var/run/secrets/kubernetes.io/serviceaccount
      name: kube-api-access
      readOnly: true
  dnsPolicy: ClusterFirst
  enableServiceLinks: true
  nodeName: node-1
  preemptionPolicy: PreemptLowerPriority
  priority: 1000
  priorityClassName: high
  restartPolicy: Always
  schedulerName: default-scheduler
  securityContext: {}
  serviceAccount: default
  serviceAccountName: default
  terminationGracePeriodSeconds: 10
  tolerations:
  - effect: NoExecute
    key: node.kubernetes.io/not-ready
    operator: Exists
    tolerationSeconds: 300
  volumes:
  - name: kube-api-access
    projected: {sources: []}
status:
  phase: Running
  podIP: 10.0.0.7
",
    );
    let meta = &pod.metadata;
    assert_eq!(
        (meta.name.as_str(), meta.namespace.as_str()),
        ("web-7d4b9c-x2x9q", "shop")
    );
    assert_eq!(meta.labels.len(), 2);
    assert_eq!(meta.annotations["kubesim.io/run-time"], "5m");
    let owner = meta.controller().unwrap();
    assert_eq!(
        (owner.kind.as_str(), owner.name.as_str()),
        ("ReplicaSet", "web-7d4b9c")
    );
    let spec = &pod.spec;
    assert_eq!(spec.node_name.as_deref(), Some("node-1"));
    assert_eq!(
        (spec.priority, spec.priority_class_name.as_deref()),
        (1000, Some("high"))
    );
    assert_eq!(spec.termination_grace_period_s, 10);
    assert_eq!(spec.tolerations.len(), 1);
}

#[test]
fn empty_strings_mean_unset_as_upstream_defaulting_treats_them() {
    let pod = one_pod(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: \"\"}\nspec:\n  \
             schedulerName: \"\"\n  nodeName: \"\"\n  priorityClassName: \"\"\n  restartPolicy: \"\"\n  \
             containers: [{name: c, image: i, imagePullPolicy: \"\"}]\n",
        );
    assert_eq!(pod.metadata.namespace, "default");
    assert_eq!(pod.spec.scheduler_name, DEFAULT_SCHEDULER_NAME);
    assert_eq!(pod.spec.node_name, None);
    assert_eq!(pod.spec.priority_class_name, None);
    assert_eq!(pod.spec.restart_policy, RestartPolicy::Always);
}

#[test]
fn templates_need_no_name_and_init_containers_may_be_sidecars() {
    let docs = parse_documents(
        "t.yaml",
        "apiVersion: v1
kind: Pod
metadata:
  labels: {app: batch}
spec:
  restartPolicy: OnFailure
  initContainers:
  - name: setup
    image: busybox
  - name: proxy
    image: envoy
    restartPolicy: Always
  containers:
  - name: main
    image: busybox
    restartPolicy: Always
",
    )
    .unwrap();
    let mut sink = Vec::new();
    let mut warnings = Vec::new();
    let mut names = ResourceNames::default();
    let mut ctx = Ctx::new("t.yaml", &mut sink);
    assert!(decode_pod(&mut ctx, &docs[0], &mut names, &mut warnings, false).is_none());
    assert_eq!(
        sink.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
        [
            "t.yaml:16:20: spec.containers[0].restartPolicy: may only be set on init containers \
              (restartPolicy: Always makes a sidecar)"
        ]
    );
    let text = "apiVersion: v1\nkind: Pod\nspec:\n  restartPolicy: OnFailure\n  initContainers:\n  \
                    - {name: setup, image: busybox}\n  - {name: proxy, image: envoy, restartPolicy: Always}\n  \
                    containers: [{name: main, image: busybox}]\n";
    let docs = parse_documents("t.yaml", text).unwrap();
    let mut sink = Vec::new();
    let mut ctx = Ctx::new("t.yaml", &mut sink);
    let pod = decode_pod(&mut ctx, &docs[0], &mut names, &mut warnings, false).unwrap();
    assert!(sink.is_empty(), "{sink:?}");
    assert_eq!(pod.metadata.name, "");
    assert_eq!(pod.spec.restart_policy, RestartPolicy::OnFailure);
    let init: Vec<bool> = pod
        .spec
        .init_containers
        .iter()
        .map(|c| c.restart_policy_always)
        .collect();
    assert_eq!(init, [false, true]);
    // In a file of objects, a pod needs a name.
    assert_eq!(
        errors(text),
        ["test.yaml:1:1: missing required field `metadata` (with the pod's name)"]
    );
}

#[test]
fn multi_document_files_mix_pods_and_nodes() {
    let text = format!(
            "{NGINX}---\napiVersion: v1\nkind: Node\nmetadata: {{name: n1}}\nstatus: {{capacity: {{cpu: 2}}}}\n---\n{}",
            NGINX.replace("name: nginx\nspec", "name: nginx-2\nspec")
        );
    let o = decode_ok(&text);
    assert_eq!(o.pods.len(), 2);
    assert_eq!(o.nodes.len(), 1);
    assert_eq!(o.pods[1].metadata.name, "nginx-2");
}

#[test]
fn odd_input_never_panics() {
    for text in [
            "kind: Pod\n",
            "kind: Node\n",
            "kind: List\nitems: 3\n",
            "kind: List\napiVersion: v1\nitems: [1, null, [], {kind: Pod}, {kind: 7}]\n",
            "apiVersion: v1\nkind: Pod\nmetadata: []\nspec: {containers: {}}\n",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: \"\"}\nspec: {containers: [{}], initContainers: 4}\n",
            "apiVersion: v1\nkind: Pod\nspec: {affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: []}}}}\n",
            "apiVersion: v1\nkind: Node\nmetadata: {name: a, namespace: x}\nspec: [1]\nstatus: {conditions: [{}, 1, {type: Ready, status: maybe}]}\n",
            "apiVersion: v1\nkind: Node\nmetadata: {name: a, generateName: b-}\nstatus: {capacity: {cpu: 99999999999999999999}}\n",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: a, ownerReferences: [{kind: A, name: b, controller: true}, {kind: A, name: c, controller: true}]}\nspec: {containers: [{name: c, image: i, resources: {limits: {hugepages-2Mi: 1Mi}}}]}\n",
            "? [a]\n: b\n",
            "kind: \"\"\n",
        ] {
            let d = decode(text);
            assert!(!d.errors.is_empty(), "no error for {text:?}");
        }
}
