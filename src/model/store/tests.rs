//! The store's named mutations keep what it derives in step, and
//! `check_invariants` notices when something does not.

use super::*;
use crate::engine::SimDuration;
use crate::model::labels::LabelSelector;
use crate::model::meta::{ObjectMeta, OwnerReference};
use crate::model::node_health::ConditionStatus;
use crate::model::pod::fixtures::{container, pod};
use crate::model::pod::PodPhase;
use crate::model::quantity::{parse_milli, parse_units};
use crate::model::status::{ContainerRef, ContainerState};
use crate::model::workloads::{PodTemplate, ReplicaSetSpec, WorkloadSpec};
use std::sync::Arc;

fn t(s: u64) -> SimTime {
    SimTime::from_secs(s)
}

fn node(name: &str, cpu: &str, memory: &str) -> Node {
    let allocatable = Resources {
        cpu_millis: parse_milli(cpu).unwrap(),
        memory_bytes: parse_units(memory).unwrap(),
        ..Default::default()
    };
    Node {
        metadata: ObjectMeta {
            name: name.into(),
            ..Default::default()
        },
        capacity: allocatable,
        allocatable,
        allocatable_pods: crate::model::node::DEFAULT_MAX_PODS,
        taints: vec![],
        unschedulable: false,
        ready: true,
        images: vec![],
    }
}

/// One 4-cpu node and the watch queue drained.
fn cluster() -> (ClusterState, NodeId) {
    let mut state = ClusterState::new(ResourceNames::default());
    let n = state.add_node(node("n1", "4", "8Gi"));
    drain_watch(&mut state);
    (state, n)
}

fn drain_watch(state: &mut ClusterState) -> Vec<WatchEvent> {
    std::iter::from_fn(|| state.next_watch_event()).collect()
}

/// A bound pod with a 1-cpu main container and a sidecar-less second one.
fn bound_pod(state: &mut ClusterState, n: NodeId, name: &str) -> PodId {
    let id = state.add_pod(pod(name).cpu("1").container(container("b")).build(), t(0));
    state.bind(id, n, t(1));
    drain_watch(state);
    id
}

/// Both containers Running and ready, as the kubelet leaves them without probes.
fn run_containers(state: &mut ClusterState, id: PodId, at: SimTime) {
    state.set_pod_initialized(id, at, at);
    for c in [ContainerRef::App(0), ContainerRef::App(1)] {
        let running = ContainerState::Running { started_at: at };
        state.set_container_state(id, c, running, true);
    }
}

fn replica_set(name: &str) -> Workload {
    Workload {
        metadata: ObjectMeta {
            name: name.into(),
            namespace: "default".into(),
            ..Default::default()
        },
        spec: WorkloadSpec::ReplicaSet(ReplicaSetSpec {
            replicas: 1,
            selector: LabelSelector::default(),
            template: PodTemplate {
                metadata: ObjectMeta::default(),
                spec: Arc::new(pod("template").0),
            },
            min_ready_seconds: 0,
        }),
    }
}

fn owned_by(name: &str, owner: &str) -> Pod {
    let mut p = pod(name).build();
    p.metadata.owner_references.push(OwnerReference {
        kind: "ReplicaSet".into(),
        name: owner.into(),
        controller: true,
    });
    p
}

#[test]
fn binding_and_finishing_keep_usage_totals_and_phase_counts() {
    let (mut state, n) = cluster();
    let a = bound_pod(&mut state, n, "a");
    let b = bound_pod(&mut state, n, "b");
    // Two 1-cpu pods bound: 2 000 m on the node and in the total, both Pending.
    assert_eq!(state.node_usage(n).requested.cpu_millis, 2_000);
    assert_eq!(state.node_usage(n).pod_count, 2);
    assert_eq!(state.requested_total().cpu_millis, 2_000);
    assert_eq!(state.pods_in_phase(PodPhase::Pending), 2);
    assert_eq!(state.bound_pods_on_node(n), &[a, b]);
    state.set_phase(a, PodPhase::Running, t(2));
    state.set_phase(a, PodPhase::Succeeded, t(3));
    // a released its cpu and left Pending for Succeeded; b still holds 1 000 m.
    assert_eq!(state.node_usage(n).requested.cpu_millis, 1_000);
    assert_eq!(state.requested_total().cpu_millis, 1_000);
    assert_eq!(state.pods_in_phase(PodPhase::Pending), 1);
    assert_eq!(state.pods_in_phase(PodPhase::Running), 0);
    assert_eq!(state.pods_in_phase(PodPhase::Succeeded), 1);
    assert_eq!(state.bound_pods_on_node(n), &[b]);
    state.delete_pod(b, t(4));
    assert_eq!(state.node_usage(n).pod_count, 0);
    assert_eq!(state.requested_total().cpu_millis, 0);
    assert_eq!(state.pods_in_phase(PodPhase::Pending), 0);
    // Both entries stay on the node's list until they are retired.
    assert_eq!(state.pods_on_node(n).collect::<Vec<_>>(), vec![a, b]);
    state.check_invariants().unwrap();
}

#[test]
fn readiness_follows_the_containers_and_keeps_the_first_ready_time() {
    let (mut state, n) = cluster();
    let id = bound_pod(&mut state, n, "web");
    run_containers(&mut state, id, t(5));
    // Observed 1 s after the kubelet wrote it (API latency).
    state.update_pod_readiness(id, t(5), t(6));
    let e = state.pod(id);
    assert_eq!(e.status.conditions.ready, Some(t(5)));
    assert_eq!(e.status.conditions.containers_ready, Some(t(5)));
    assert_eq!((e.started, e.ready), (Some(t(6)), Some(t(6))));
    assert_eq!(drain_watch(&mut state), vec![WatchEvent::PodUpdated(id)]);
    state.check_invariants().unwrap();

    // Nothing changed: no notification.
    state.update_pod_readiness(id, t(7), t(7));
    assert_eq!(drain_watch(&mut state), vec![]);

    // A readiness probe fails on one container: both conditions go, the
    // first-Ready time stays.
    assert!(state.set_container_ready(id, ContainerRef::App(1), false));
    assert!(!state.set_container_ready(id, ContainerRef::App(1), false));
    state.update_pod_readiness(id, t(8), t(8));
    let e = state.pod(id);
    assert_eq!(e.status.conditions.ready, None);
    assert_eq!(e.status.conditions.containers_ready, None);
    assert_eq!(e.ready, Some(t(6)));
    assert_eq!(drain_watch(&mut state), vec![WatchEvent::PodUpdated(id)]);
    state.check_invariants().unwrap();
}

#[test]
fn the_node_controller_clears_ready_only_and_says_so_once() {
    let (mut state, n) = cluster();
    let id = bound_pod(&mut state, n, "web");
    run_containers(&mut state, id, t(5));
    state.update_pod_readiness(id, t(5), t(5));
    drain_watch(&mut state);
    state.mark_pod_not_ready(id);
    let c = state.pod(id).status.conditions;
    assert_eq!((c.ready, c.containers_ready), (None, Some(t(5))));
    assert_eq!(drain_watch(&mut state), vec![WatchEvent::PodUpdated(id)]);
    state.mark_pod_not_ready(id);
    assert_eq!(drain_watch(&mut state), vec![]);
    state.clear_pod_readiness(id);
    assert_eq!(state.pod(id).status.conditions.containers_ready, None);
    state.check_invariants().unwrap();
}

#[test]
fn a_reboot_terminates_running_containers_and_counts_one_restart_each() {
    let (mut state, n) = cluster();
    let id = bound_pod(&mut state, n, "web");
    state.set_pod_initialized(id, t(5), t(5));
    let running = ContainerState::Running { started_at: t(5) };
    state.set_container_state(id, ContainerRef::App(0), running, true);
    // App(1) is still waiting for its image: the reboot does not touch it.
    state.lose_running_containers(id, 137, "ContainerStatusUnknown", t(9));
    state.count_sandbox_restart(id);
    let s = &state.pod(id).status;
    assert_eq!(
        s.container(ContainerRef::App(0)).state,
        ContainerState::Terminated {
            exit_code: 137,
            reason: "ContainerStatusUnknown",
            finished_at: t(9)
        }
    );
    assert!(!s.container(ContainerRef::App(0)).ready);
    assert_eq!(s.container(ContainerRef::App(0)).restart_count, 1);
    assert_eq!(
        s.container(ContainerRef::App(1)).state,
        ContainerState::Waiting {
            reason: "ContainerCreating"
        }
    );
    assert_eq!(s.restarts(), 1);
    state.check_invariants().unwrap();
}

#[test]
fn a_restart_counts_on_its_container_and_adds_its_wait_to_the_backoff() {
    let (mut state, n) = cluster();
    let id = bound_pod(&mut state, n, "web");
    state.count_container_restart(id, ContainerRef::App(1), SimDuration::from_secs(10));
    state.count_container_restart(id, ContainerRef::App(1), SimDuration::from_secs(20));
    let e = state.pod(id);
    assert_eq!(e.status.container(ContainerRef::App(0)).restart_count, 0);
    assert_eq!(e.status.container(ContainerRef::App(1)).restart_count, 2);
    assert_eq!(e.backoff, SimDuration::from_secs(30));
}

#[test]
fn orphaning_drops_the_owner_with_its_reference() {
    let (mut state, _) = cluster();
    let rs = state.add_workload(replica_set("rs"), None, t(0));
    let id = state.add_owned_pod(owned_by("rs-a", "rs"), rs, t(0));
    assert_eq!(state.pod(id).owner, Some(rs));
    state.check_invariants().unwrap();
    state.orphan_pod(id);
    let e = state.pod(id);
    assert_eq!(e.owner, None);
    assert!(e.pod.metadata.owner_references.is_empty());
    state.check_invariants().unwrap();
}

#[test]
#[should_panic(expected = "PodScheduled set on an unbound pod")]
fn the_binding_time_needs_a_binding() {
    let (mut state, _) = cluster();
    let id = state.add_pod(pod("p").build(), t(0));
    state.set_pod_scheduled_time(id, t(1));
}

#[test]
#[should_panic(expected = "update_node changed what the store derives")]
fn update_node_may_not_change_allocatable() {
    let (mut state, n) = cluster();
    state.update_node(n, |node| node.allocatable.cpu_millis += 1_000);
}

#[test]
fn node_health_keeps_ready_in_step() {
    let (mut state, n) = cluster();
    state.update_node_health(n, |h| h.ready = ConditionStatus::Unknown);
    assert!(!state.node(n).ready);
    state.start_node_lease(n, t(3));
    assert_eq!(state.node_health(n).lease_since, t(3));
    state.check_invariants().unwrap();
}

/// Each corruption of derived state, made by writing a field directly as
/// only code inside the store can, is reported by `check_invariants`.
#[test]
fn check_invariants_notices_derived_state_out_of_step() {
    type Corrupt = fn(&mut ClusterState, PodId, NodeId);
    let cases: [(&str, Corrupt); 11] = [
        ("phase counts", |s, _, _| {
            s.phase_counts[PodPhase::Running as usize] += 1
        }),
        ("usage", |s, _, n| {
            s.node_usage[n.0 as usize].requested.cpu_millis -= 1
        }),
        ("requested total", |s, _, _| {
            s.requested_total.cpu_millis += 1
        }),
        ("allocatable total", |s, _, _| {
            s.allocatable_total.cpu_millis += 1
        }),
        ("bound_pods", |s, p, _| {
            s.bound_pods.remove(&p);
        }),
        ("pods_by_node", |s, _, n| {
            s.pods_by_node[n.0 as usize].clear()
        }),
        ("node ready", |s, _, n| s.nodes[n.0 as usize].ready = false),
        ("Ready without its first-Ready time", |s, p, _| {
            s.pods[p.0 as usize].ready = None
        }),
        ("Ready without ContainersReady", |s, p, _| {
            s.pods[p.0 as usize].status.conditions.containers_ready = None
        }),
        ("owner reference", |s, p, _| {
            s.pods[p.0 as usize].pod.metadata.owner_references.clear()
        }),
        ("negative status count", |s, _, _| {
            s.workloads[0].status.ready = -1
        }),
    ];
    for (what, corrupt) in cases {
        let (mut state, n) = cluster();
        let rs = state.add_workload(replica_set("rs"), None, t(0));
        let id = state.add_owned_pod(owned_by("rs-a", "rs"), rs, t(0));
        state.bind(id, n, t(1));
        state.set_phase(id, PodPhase::Running, t(2));
        state.set_pod_initialized(id, t(2), t(2));
        let running = ContainerState::Running { started_at: t(2) };
        state.set_container_state(id, ContainerRef::App(0), running, true);
        state.update_pod_readiness(id, t(2), t(2));
        state.check_invariants().unwrap();
        corrupt(&mut state, id, n);
        assert!(state.check_invariants().is_err(), "{what} went unnoticed");
    }
}

#[test]
fn a_deleted_node_leaves_the_totals_and_takes_no_pod() {
    let (mut state, n) = cluster();
    let other = state.add_node(node("n2", "2", "4Gi"));
    drain_watch(&mut state);
    state.delete_node(n, SimTime::from_secs(60));
    assert_eq!(drain_watch(&mut state), [WatchEvent::NodeDeleted(n)]);
    assert!(!state.node_exists(n) && state.node_exists(other));
    assert_eq!(state.node_deleted(n), Some(SimTime::from_secs(60)));
    assert_eq!(state.allocatable_total().cpu_millis, 2000);
    state.check_invariants().unwrap();
}

#[test]
fn an_owners_list_follows_its_pods_fields() {
    // What a ReplicaSet's sync counts, read from the list: creation time,
    // readiness, then inactive once terminating, gone once deleted or
    // orphaned; check_invariants rebuilds the list at every step.
    let (mut state, n) = cluster();
    let rs = state.add_workload(replica_set("rs"), None, t(0));
    let a = state.add_owned_pod(owned_by("rs-a", "rs"), rs, t(0));
    let b = state.add_owned_pod(owned_by("rs-b", "rs"), rs, t(0));
    let c = state.add_owned_pod(owned_by("rs-c", "rs"), rs, t(0));
    state.set_pod_created(b, t(1));
    let view = |s: &ClusterState| -> Vec<(PodId, bool, SimTime, Option<SimTime>)> {
        (s.owned_pods(rs).iter())
            .map(|o| (o.id, o.active, o.created, o.ready))
            .collect()
    };
    assert_eq!(
        view(&state),
        [
            (a, true, t(0), None),
            (b, true, t(1), None),
            (c, true, t(0), None)
        ]
    );
    state.check_invariants().unwrap();
    state.bind(a, n, t(1));
    state.set_phase(a, PodPhase::Running, t(2));
    state.set_pod_initialized(a, t(2), t(2));
    let running = ContainerState::Running { started_at: t(2) };
    state.set_container_state(a, ContainerRef::App(0), running, true);
    state.update_pod_readiness(a, t(3), t(3));
    assert_eq!(view(&state)[0], (a, true, t(0), Some(t(3))));
    state.check_invariants().unwrap();
    state.mark_pod_not_ready(a);
    assert_eq!(view(&state)[0], (a, true, t(0), None));
    state.request_pod_deletion(a, t(4));
    assert_eq!(view(&state)[0], (a, false, t(0), None));
    state.check_invariants().unwrap();
    state.delete_pod(a, t(5));
    state.orphan_pod(c);
    assert_eq!(view(&state), [(b, true, t(1), None)]);
    state.check_invariants().unwrap();
    // Out of step: noticed.
    state.owned[rs.0 as usize][0].active = false;
    assert!(state.check_invariants().is_err());
}
