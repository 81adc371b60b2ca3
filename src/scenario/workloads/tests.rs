//! Tests of workload decoding.

use super::*;
use crate::input::diagnostic::Diagnostics;
use crate::input::yaml::parse_documents;
use crate::scenario::objects::{decode_objects, Objects};

struct Decoded {
    objects: Objects,
    errors: Vec<String>,
    warnings: Vec<String>,
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
    }
}

/// Decodes text that must be free of errors and warnings.
fn workloads_ok(text: &str) -> Vec<Workload> {
    let d = decode(text);
    assert!(d.errors.is_empty(), "unexpected errors: {:#?}", d.errors);
    assert!(
        d.warnings.is_empty(),
        "unexpected warnings: {:#?}",
        d.warnings
    );
    assert!(d.objects.pods.is_empty() && d.objects.nodes.is_empty());
    d.objects.workloads
}

fn one(text: &str) -> Workload {
    let mut w = workloads_ok(text);
    assert_eq!(w.len(), 1);
    w.remove(0)
}

fn errors(text: &str) -> Vec<String> {
    let d = decode(text);
    assert!(d.objects.workloads.is_empty(), "decoded despite errors");
    d.errors
}

// The examples of kubernetes.io (Concepts > Workloads), verbatim.
const NGINX_DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  labels:
    app: nginx
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports:
        - containerPort: 80
";

const PI_JOB: &str = "apiVersion: batch/v1
kind: Job
metadata:
  name: pi
spec:
  template:
    spec:
      containers:
      - name: pi
        image: perl:5.34.0
        command: [\"perl\",  \"-Mbignum=bpi\", \"-wle\", \"print bpi(2000)\"]
      restartPolicy: Never
  backoffLimit: 4
";

const HELLO_CRON_JOB: &str = "apiVersion: batch/v1
kind: CronJob
metadata:
  name: hello
spec:
  schedule: \"* * * * *\"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: hello
            image: busybox:1.28
            imagePullPolicy: IfNotPresent
            command:
            - /bin/sh
            - -c
            - date; echo Hello from the Kubernetes cluster
          restartPolicy: OnFailure
";

const FLUENTD_DAEMON_SET: &str = "apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: fluentd-elasticsearch
  namespace: kube-system
  labels:
    k8s-app: fluentd-logging
spec:
  selector:
    matchLabels:
      name: fluentd-elasticsearch
  template:
    metadata:
      labels:
        name: fluentd-elasticsearch
    spec:
      tolerations:
      # these tolerations are to have the daemonset runnable on control plane nodes
      # remove them if your control plane nodes should not run pods
      - key: node-role.kubernetes.io/control-plane
        operator: Exists
        effect: NoSchedule
      - key: node-role.kubernetes.io/master
        operator: Exists
        effect: NoSchedule
      containers:
      - name: fluentd-elasticsearch
        image: quay.io/fluentd_elasticsearch/fluentd:v2.5.2
        resources:
          limits:
            memory: 200Mi
          requests:
            cpu: 100m
            memory: 200Mi
        volumeMounts:
        - name: varlog
          mountPath: /var/log
      # it may be desirable to set a high priority class to ensure that a DaemonSet Pod
      # preempts running Pods
      # priorityClassName: important
      terminationGracePeriodSeconds: 30
      volumes:
      - name: varlog
        hostPath:
          path: /var/log
";

const FRONTEND_REPLICA_SET: &str = "apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: frontend
  labels:
    app: guestbook
    tier: frontend
spec:
  # modify replicas according to your case
  replicas: 3
  selector:
    matchLabels:
      tier: frontend
  template:
    metadata:
      labels:
        tier: frontend
    spec:
      containers:
      - name: php-redis
        image: us-docker.pkg.dev/google-samples/containers/gke/gb-frontend:v5
";

#[test]
fn kubernetes_io_examples_decode_unchanged_with_defaults() {
    let text = [
        NGINX_DEPLOYMENT,
        PI_JOB,
        HELLO_CRON_JOB,
        FLUENTD_DAEMON_SET,
        FRONTEND_REPLICA_SET,
    ]
    .join("---\n");
    let w = workloads_ok(&text);
    let kinds: Vec<&str> = w.iter().map(|w| w.spec.kind()).collect();
    assert_eq!(
        kinds,
        ["Deployment", "Job", "CronJob", "DaemonSet", "ReplicaSet"]
    );

    let WorkloadSpec::Deployment(d) = &w[0].spec else {
        panic!("not a Deployment")
    };
    assert_eq!(
        (
            w[0].metadata.name.as_str(),
            w[0].metadata.namespace.as_str()
        ),
        ("nginx-deployment", "default")
    );
    assert_eq!(d.replicas, 3);
    assert_eq!(d.selector.match_labels["app"], "nginx");
    assert_eq!(d.template.metadata.labels["app"], "nginx");
    assert_eq!(d.template.spec.containers[0].image, "nginx:1.14.2");
    assert_eq!(d.template.spec.restart_policy, RestartPolicy::Always);
    assert_eq!(
        d.strategy,
        DeploymentStrategy::RollingUpdate {
            max_surge: IntOrPercent::Percent(25),
            max_unavailable: IntOrPercent::Percent(25),
        }
    );
    assert_eq!(
        (
            d.min_ready_seconds,
            d.revision_history_limit,
            d.progress_deadline_seconds,
            d.paused
        ),
        (0, 10, 600, false)
    );

    let WorkloadSpec::Job(j) = &w[1].spec else {
        panic!("not a Job")
    };
    assert_eq!(w[1].metadata.name, "pi");
    assert_eq!(
        (j.parallelism, j.completions, j.backoff_limit),
        (1, Some(1), 4)
    );
    assert_eq!(j.completion_mode, CompletionMode::NonIndexed);
    assert_eq!(j.template.spec.restart_policy, RestartPolicy::Never);
    assert_eq!(j.template.spec.containers[0].image, "perl:5.34.0");
    assert_eq!(
        (
            j.active_deadline_seconds,
            j.ttl_seconds_after_finished,
            j.suspend
        ),
        (None, None, false)
    );
    assert!(j.selector.is_none());

    let WorkloadSpec::CronJob(c) = &w[2].spec else {
        panic!("not a CronJob")
    };
    assert_eq!(c.schedule, "* * * * *");
    assert_eq!(c.concurrency_policy, ConcurrencyPolicy::Allow);
    assert_eq!(
        (
            c.successful_jobs_history_limit,
            c.failed_jobs_history_limit,
            c.suspend,
            c.starting_deadline_seconds
        ),
        (3, 1, false, None)
    );
    let jt = &c.job_template;
    assert_eq!(jt.template.spec.restart_policy, RestartPolicy::OnFailure);
    assert_eq!(jt.template.spec.containers[0].image, "busybox:1.28");
    assert_eq!(
        (jt.parallelism, jt.completions, jt.backoff_limit),
        (1, Some(1), 6)
    );

    let WorkloadSpec::DaemonSet(ds) = &w[3].spec else {
        panic!("not a DaemonSet")
    };
    assert_eq!(w[3].metadata.namespace, "kube-system");
    assert_eq!(w[3].metadata.labels["k8s-app"], "fluentd-logging");
    assert_eq!(
        ds.update_strategy,
        DaemonSetUpdateStrategy::RollingUpdate {
            max_unavailable: IntOrPercent::Int(1),
            max_surge: IntOrPercent::Int(0),
        }
    );
    let spec = &ds.template.spec;
    assert_eq!(spec.tolerations.len(), 2);
    assert_eq!(spec.termination_grace_period_s, 30);
    let c0 = &spec.containers[0];
    assert_eq!(c0.requests.cpu_millis, 100);
    assert_eq!(c0.requests.memory_bytes, 200 * 1024 * 1024);
    assert_eq!(c0.limits.memory_bytes, 200 * 1024 * 1024);

    let WorkloadSpec::ReplicaSet(rs) = &w[4].spec else {
        panic!("not a ReplicaSet")
    };
    assert_eq!(w[4].metadata.labels.len(), 2);
    assert_eq!((rs.replicas, rs.min_ready_seconds), (3, 0));
    assert_eq!(rs.selector.match_labels["tier"], "frontend");
}

#[test]
fn defaults_apply_when_fields_are_absent() {
    let rs = one(
        "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: r}\nspec:\n  \
             selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    \
             spec: {containers: [{name: c, image: i}]}\n",
    );
    let WorkloadSpec::ReplicaSet(s) = &rs.spec else {
        panic!("not a ReplicaSet")
    };
    assert_eq!(s.replicas, 1);
    // A Job takes its template's labels, and with only parallelism set has no
    // completions (a work queue).
    let job = one(
            "apiVersion: batch/v1\nkind: Job\nmetadata: {name: q}\nspec:\n  parallelism: 4\n  \
             template:\n    metadata: {labels: {app: q}}\n    spec:\n      restartPolicy: OnFailure\n      \
             containers: [{name: c, image: i}]\n",
        );
    assert_eq!(job.metadata.labels["app"], "q");
    let WorkloadSpec::Job(j) = &job.spec else {
        panic!("not a Job")
    };
    assert_eq!((j.parallelism, j.completions), (4, None));
}

#[test]
fn server_fields_and_status_are_accepted() {
    let d = one("apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  uid: 0b9c6a36-7e0f-4f4e-a7f4-1e1e1e1e1e1e
  resourceVersion: \"42\"
  generation: 3
  creationTimestamp: \"2024-01-01T00:00:00Z\"
  annotations:
    deployment.kubernetes.io/revision: \"2\"
spec:
  progressDeadlineSeconds: 900
  replicas: 2
  revisionHistoryLimit: 5
  selector:
    matchExpressions:
    - {key: app, operator: In, values: [web]}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 1, maxUnavailable: \"0%\"}
  template:
    metadata:
      creationTimestamp: null
      labels: {app: web}
      annotations: {kubesim.io/run-time: 5m}
    spec:
      containers:
      - {name: web, image: nginx, terminationMessagePath: /dev/termination-log}
      dnsPolicy: ClusterFirst
      restartPolicy: Always
      schedulerName: default-scheduler
      securityContext: {}
status:
  availableReplicas: 2
  observedGeneration: 3
");
    assert_eq!(d.metadata.namespace, "shop");
    let WorkloadSpec::Deployment(s) = &d.spec else {
        panic!("not a Deployment")
    };
    assert_eq!(
        s.strategy,
        DeploymentStrategy::RollingUpdate {
            max_surge: IntOrPercent::Int(1),
            max_unavailable: IntOrPercent::Percent(0),
        }
    );
    assert_eq!(
        (s.progress_deadline_seconds, s.revision_history_limit),
        (900, 5)
    );
    assert_eq!(s.template.metadata.annotations["kubesim.io/run-time"], "5m");
}

#[test]
fn selector_must_match_template_labels() {
    assert_eq!(
            errors(&NGINX_DEPLOYMENT.replace("        app: nginx\n    spec", "        app: web\n    spec")),
            ["test.yaml:15:9: spec.template.metadata.labels: `selector` does not match template \
              `labels` (selector: app=nginx; labels: app=web); the pods it creates must be selected by it"]
        );
    // An empty selector would select every pod; upstream says "for deployment".
    assert_eq!(
        errors(&NGINX_DEPLOYMENT.replace("    matchLabels:\n      app: nginx\n", "    {}\n")),
        [
            "test.yaml:10:5: spec.selector: empty selector is invalid for deployment; it would \
              select every pod in the namespace"
        ]
    );
}

#[test]
fn job_counts_must_not_be_negative() {
    assert_eq!(
        errors(&PI_JOB.replace(
            "  backoffLimit: 4\n",
            "  backoffLimit: 4\n  completions: -1\n"
        )),
        ["test.yaml:14:16: spec.completions: expected an integer of at least 0, found -1"]
    );
}

#[test]
fn cron_schedules_are_validated_where_written() {
    let errs = errors(&HELLO_CRON_JOB.replace("\"* * * * *\"", "\"61 * * * *\""));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with("test.yaml:6:13: spec.schedule: "),
        "{errs:?}"
    );
    assert_eq!(
        errors(&HELLO_CRON_JOB.replace(
            "  schedule:",
            "  timeZone: Europe/Paris\n  concurrencyPolicy: Forbidden\n  schedule:"
        )),
        [
            "test.yaml:6:13: spec.timeZone: time zone \"Europe/Paris\" is not supported: \
                 kubesim's clock runs in UTC; expected one of: UTC, Etc/UTC",
            "test.yaml:7:22: spec.concurrencyPolicy: unknown value \"Forbidden\" (did you mean \
                 `Forbid`?); expected one of: Allow, Forbid, Replace",
        ]
    );
    assert_eq!(
        errors(&HELLO_CRON_JOB.replace("\"* * * * *\"", "\"CRON_TZ=UTC * * * * *\"")),
        [
            "test.yaml:6:13: spec.schedule: cannot use TZ or CRON_TZ in schedule, use timeZone \
              field instead"
        ]
    );
}

#[test]
fn job_pods_must_not_restart_always() {
    assert_eq!(
        errors(&PI_JOB.replace("restartPolicy: Never", "restartPolicy: Always")),
        [
            "test.yaml:12:22: spec.template.spec.restartPolicy: unsupported value \"Always\": \
              supported values: \"OnFailure\", \"Never\"; a Job's pods must run to completion"
        ]
    );
    // Upstream requires it to be set: the Pod default is Always.
    assert_eq!(
        errors(&PI_JOB.replace("      restartPolicy: Never\n", "")),
        [
            "test.yaml:8:7: spec.template.spec.restartPolicy: unsupported value \"Always\" (the \
              default when restartPolicy is not set): supported values: \"OnFailure\", \"Never\"; \
              a Job's pods must run to completion"
        ]
    );
    // And the other way round for controllers that keep pods running.
    assert_eq!(
        errors(
            &FRONTEND_REPLICA_SET.replace("    spec:\n", "    spec:\n      restartPolicy: Never\n")
        ),
        [
            "test.yaml:19:22: spec.template.spec.restartPolicy: unsupported value \"Never\": \
              supported values: \"Always\"; a ReplicaSet keeps its pods running"
        ]
    );
}

#[test]
fn rolling_updates_must_be_able_to_progress() {
    let zero = NGINX_DEPLOYMENT.replace(
            "  replicas: 3\n",
            "  replicas: 3\n  strategy:\n    rollingUpdate:\n      maxSurge: 0\n      maxUnavailable: 0%\n",
        );
    assert_eq!(
        errors(&zero),
        [
            "test.yaml:12:23: spec.strategy.rollingUpdate.maxUnavailable: may not be 0 when \
              `maxSurge` is 0"
        ]
    );
    let recreate = NGINX_DEPLOYMENT.replace(
        "  replicas: 3\n",
        "  replicas: 3\n  strategy:\n    type: Recreate\n    rollingUpdate: {maxSurge: 1}\n  \
             minReadySeconds: 700\n",
    );
    assert_eq!(
        errors(&recreate),
        [
            "test.yaml:11:20: spec.strategy.rollingUpdate: may not be specified when strategy \
                 `type` is 'Recreate'",
            "test.yaml:12:20: spec.minReadySeconds: must be less than progressDeadlineSeconds \
                 (600 when not set), found 700",
        ]
    );
    let ds = FLUENTD_DAEMON_SET.replace(
            "spec:\n  selector:",
            "spec:\n  updateStrategy:\n    rollingUpdate: {maxSurge: 1, maxUnavailable: 150%}\n  selector:",
        );
    assert_eq!(
        errors(&ds),
        [
            "test.yaml:10:31: spec.updateStrategy.rollingUpdate.maxSurge: may not be set when \
                 maxUnavailable is non-zero",
            "test.yaml:10:50: spec.updateStrategy.rollingUpdate.maxUnavailable: must not be \
                 greater than 100%, found \"150%\"",
        ]
    );
    let ds = FLUENTD_DAEMON_SET.replace(
        "spec:\n  selector:",
        "spec:\n  updateStrategy: {rollingUpdate: {maxUnavailable: 0}}\n  selector:",
    );
    assert_eq!(
        errors(&ds),
        [
            "test.yaml:9:52: spec.updateStrategy.rollingUpdate.maxUnavailable: cannot be 0 when \
              maxSurge is 0"
        ]
    );
}

#[test]
fn int_or_percent() {
    let docs = parse_documents(
        "t.yaml",
        "[3, \"25%\", 0%, -1, \"3\", 1.5, \"x%\", 99999999999]",
    )
    .unwrap();
    let Value::Seq(items) = &docs[0].value else {
        panic!("not a list")
    };
    let mut sink = Vec::new();
    let mut ctx = Ctx::new("t.yaml", &mut sink);
    let got: Vec<Option<IntOrPercent>> = items
        .iter()
        .map(|n| decode_int_or_percent(&mut ctx, n))
        .collect();
    assert_eq!(
        got,
        [
            Some(IntOrPercent::Int(3)),
            Some(IntOrPercent::Percent(25)),
            Some(IntOrPercent::Percent(0)),
            None,
            None,
            None,
            None,
            None
        ]
    );
    assert_eq!(
        sink.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
        [
            "t.yaml:1:16: expected an integer of at least 0 or a percentage, found -1",
            "t.yaml:1:20: expected a percentage (digits followed by '%', e.g. \"25%\") or an \
                 integer (write a number without quotes), found a string \"3\"",
            "t.yaml:1:25: expected an integer or a percentage (such as 1 or \"25%\"), found a \
                 number 1.5",
            "t.yaml:1:30: expected a percentage (digits followed by '%', e.g. \"25%\") or an \
                 integer, found a string \"x%\"",
            "t.yaml:1:36: expected an integer of at most 2147483647, found 99999999999",
        ]
    );
}

#[test]
fn unknown_fields_are_errors_with_suggestions() {
    assert_eq!(
            errors(&NGINX_DEPLOYMENT.replace("  replicas: 3", "  replica: 3")),
            ["test.yaml:8:3: spec: unknown field `replica` (did you mean `replicas`?); expected \
              one of: replicas, selector, template, strategy, minReadySeconds, revisionHistoryLimit, \
              progressDeadlineSeconds, paused"]
        );
    assert_eq!(
            errors(&PI_JOB.replace("  backoffLimit: 4", "  backofLimit: 4")),
            ["test.yaml:13:3: spec: unknown field `backofLimit` (did you mean `backoffLimit`?); \
              expected one of: parallelism, completions, backoffLimit, activeDeadlineSeconds, \
              completionMode, ttlSecondsAfterFinished, suspend, selector, manualSelector, template, \
              podFailurePolicy, successPolicy, backoffLimitPerIndex, maxFailedIndexes, \
              podReplacementPolicy, managedBy"]
        );
}

#[test]
fn job_rules() {
    // Unmodelled retry policies are accepted with a warning.
    let d = decode(&PI_JOB.replace(
        "  backoffLimit: 4\n",
        "  backoffLimit: 4\n  podFailurePolicy:\n    rules:\n    - action: Ignore\n      \
             onPodConditions: [{type: DisruptionTarget}]\n",
    ));
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    assert_eq!(
        d.warnings,
        [
            "test.yaml:15:5: spec.podFailurePolicy: podFailurePolicy is not modelled yet and is \
              ignored"
        ]
    );
    assert_eq!(d.objects.workloads.len(), 1);
    // Indexed needs completions unless defaulting supplies them; the selector must match.
    assert_eq!(
            errors(&PI_JOB.replace(
                "  backoffLimit: 4\n",
                "  backoffLimit: 4\n  parallelism: 2\n  completionMode: Indexed\n  \
                 activeDeadlineSeconds: -5\n  selector: {matchLabels: {a: b}}\n  manualSelector: true\n",
            )),
            [
                "test.yaml:7:5: spec.template.metadata.labels: `selector` does not match template \
                 `labels` (selector: a=b; labels: none); the pods it creates must be selected by it",
                "test.yaml:15:19: spec.completions: required when completionMode is Indexed",
                "test.yaml:16:26: spec.activeDeadlineSeconds: expected an integer of at least 0, \
                 found -5",
            ]
        );
    // A CronJob's jobs always get a generated selector.
    assert_eq!(
        errors(&HELLO_CRON_JOB.replace(
            "    spec:\n      template:",
            "    spec:\n      selector: {matchLabels: {a: b}}\n      template:",
        )),
        [
            "test.yaml:9:17: spec.jobTemplate.spec.selector: `selector` will be auto-generated; \
              remove it"
        ]
    );
}

#[test]
fn api_version_and_templates() {
    assert_eq!(
        errors(&NGINX_DEPLOYMENT.replace("apps/v1", "extensions/v1beta1")),
        [
            "test.yaml:1:13: apiVersion: expected apps/v1 (the apiVersion of kind Deployment), \
              found a string \"extensions/v1beta1\""
        ]
    );
    let mut w = one(HELLO_CRON_JOB);
    let templates = templates_mut(&mut w);
    assert_eq!(templates.len(), 1);
    assert_eq!(templates[0].spec.containers[0].name, "hello");
}

#[test]
fn names_must_leave_room_for_generated_ones() {
    let long = "a".repeat(53);
    assert_eq!(
        errors(&HELLO_CRON_JOB.replace("name: hello", &format!("name: {long}"))),
        [
            "test.yaml:4:9: metadata.name: must be no more than 52 characters (the jobs it \
              creates add an 11-character suffix), found 53"
        ]
    );
    let name = "b".repeat(62);
    assert_eq!(
            errors(&PI_JOB.replace("name: pi", &format!("name: {name}")).replace(
                "  backoffLimit: 4\n",
                "  backoffLimit: 4\n  completionMode: Indexed\n  completions: 10\n",
            )),
            [format!(
                "test.yaml:4:9: metadata.name: will not be able to create pods with the invalid \
                 DNS label \"{name}-9\" as hostname (an Indexed Job's pods are named <job name>-<index>, \
                 at most 63 characters)"
            )]
        );
}

#[test]
fn templates_are_validated_like_pods() {
    let d = decode(&NGINX_DEPLOYMENT.replace(
        "      containers:",
        "      topologySpreadConstraints: [{maxSkew: 1}]\n      containers:",
    ));
    assert_eq!(
            d.errors,
            [
                "test.yaml:17:35: spec.template.spec.topologySpreadConstraints[0]: missing required field `topologyKey`",
                "test.yaml:17:35: spec.template.spec.topologySpreadConstraints[0]: missing required field `whenUnsatisfiable`",
            ]
        );
}

// The StatefulSet example of kubernetes.io (Concepts > Workloads >
// StatefulSets), without its Service.
const WEB_STATEFUL_SET: &str = "apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: nginx
  serviceName: \"nginx\"
  replicas: 3
  minReadySeconds: 10
  template:
    metadata:
      labels:
        app: nginx
    spec:
      terminationGracePeriodSeconds: 10
      containers:
      - name: nginx
        image: registry.k8s.io/nginx-slim:0.24
        ports:
        - containerPort: 80
          name: web
";

#[test]
fn stateful_set_defaults() {
    use crate::model::workloads::{PodManagementPolicy, StatefulSetUpdateStrategy};
    let WorkloadSpec::StatefulSet(s) = one(WEB_STATEFUL_SET).spec else {
        panic!("a StatefulSet")
    };
    assert_eq!(s.replicas, 3);
    assert_eq!(s.min_ready_seconds, 10);
    assert_eq!(s.pod_management_policy, PodManagementPolicy::OrderedReady);
    assert_eq!(
        s.update_strategy,
        StatefulSetUpdateStrategy::RollingUpdate { partition: 0 }
    );
    assert_eq!(s.ordinals_start, 0);
}

#[test]
fn stateful_set_storage_and_max_unavailable_are_accepted_with_warnings() {
    let text = format!(
        "{WEB_STATEFUL_SET}  updateStrategy: {{rollingUpdate: {{partition: 2, maxUnavailable: 2}}}}
  volumeClaimTemplates:
  - metadata: {{name: www}}
    spec: {{accessModes: [ReadWriteOnce], resources: {{requests: {{storage: 1Gi}}}}}}
"
    );
    let d = decode(&text);
    assert!(d.errors.is_empty(), "{:#?}", d.errors);
    assert_eq!(
        d.warnings,
        [
            "test.yaml:24:66: spec.updateStrategy.rollingUpdate.maxUnavailable: maxUnavailable needs \
             the MaxUnavailableStatefulSet feature gate, which is off by default in Kubernetes v1.32; \
             it is ignored and pods are updated one at a time",
            "test.yaml:26:5: spec.volumeClaimTemplates: volumeClaimTemplates is not modelled yet and is ignored",
        ]
    );
}

#[test]
fn stateful_set_validation() {
    let with = |extra: &str| errors(&format!("{WEB_STATEFUL_SET}{extra}"));
    assert_eq!(
        with("  updateStrategy: {type: OnDelete, rollingUpdate: {partition: 1}}\n"),
        ["test.yaml:24:51: spec.updateStrategy.rollingUpdate: only allowed for updateStrategy 'RollingUpdate'"]
    );
    assert_eq!(
        with("  updateStrategy: {rollingUpdate: {partition: -1}}\n"),
        ["test.yaml:24:47: spec.updateStrategy.rollingUpdate.partition: expected an integer of at least 0, found -1"]
    );
    assert_eq!(
        with("  podManagementPolicy: Ordered\n"),
        ["test.yaml:24:24: spec.podManagementPolicy: unknown value \"Ordered\" (did you mean `OrderedReady`?); expected one of: OrderedReady, Parallel"]
    );
}
