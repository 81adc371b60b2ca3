//! Pod status as the kubelet and scheduler report it: phase, conditions,
//! container states with their reasons, restart counts.

use super::pod::PodPhase;
use crate::engine::SimTime;
use std::borrow::Cow;

/// Which container of a pod: init containers run before app containers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerRef {
    Init(u16),
    App(u16),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContainerState {
    /// Reason as `kubectl get pods` shows it: ContainerCreating, PodInitializing, CrashLoopBackOff …
    Waiting {
        reason: &'static str,
    },
    Running {
        started_at: SimTime,
    },
    /// Reason: Completed (exit 0), Error, OOMKilled …
    Terminated {
        exit_code: i32,
        reason: &'static str,
        finished_at: SimTime,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerStatus {
    pub state: ContainerState,
    pub restart_count: u32,
    pub ready: bool,
}

impl ContainerStatus {
    pub fn waiting(reason: &'static str) -> Self {
        ContainerStatus {
            state: ContainerState::Waiting { reason },
            restart_count: 0,
            ready: false,
        }
    }
}

/// The times at which the pod's conditions last became True (`None`: not True).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PodConditions {
    pub pod_scheduled: Option<SimTime>,
    /// PodReadyToStartContainers (v1.29+): the sandbox is up.
    pub ready_to_start_containers: Option<SimTime>,
    pub initialized: Option<SimTime>,
    pub containers_ready: Option<SimTime>,
    pub ready: Option<SimTime>,
    /// DisruptionTarget (v1.26+, GA in v1.31): the pod is about to be
    /// deleted by a disruption, and its reason (`DeletionByPodGC` …).
    pub disruption_target: Option<(SimTime, &'static str)>,
}

/// When the kubelet's conditions first became True, as the status write
/// reached the API (`None`: never): what pods.csv reports, since the current
/// conditions turn False again when the pod stops.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConditionsFirstTrue {
    pub ready_to_start_containers: Option<SimTime>,
    pub initialized: Option<SimTime>,
    pub containers_ready: Option<SimTime>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodStatus {
    pub phase: PodPhase,
    pub conditions: PodConditions,
    pub init_container_statuses: Vec<ContainerStatus>,
    pub container_statuses: Vec<ContainerStatus>,
    /// Why the pod is in its phase (`status.reason`), e.g. Unschedulable while pending.
    pub reason: Option<Cow<'static, str>>,
    /// `status.nominatedNodeName`: the node preemption made room on for the
    /// pod. As in v1.32, binding does not clear it; a later failed
    /// preemption, or a higher-priority pod taking the node, does.
    pub nominated_node_name: Option<String>,
}

impl PodStatus {
    pub fn pending(n_init: usize, n_containers: usize) -> Self {
        PodStatus {
            phase: PodPhase::Pending,
            conditions: PodConditions::default(),
            init_container_statuses: vec![ContainerStatus::waiting("PodInitializing"); n_init],
            container_statuses: vec![ContainerStatus::waiting("ContainerCreating"); n_containers],
            reason: None,
            nominated_node_name: None,
        }
    }

    /// The container state reason `kubectl get pods` shows in STATUS:
    /// `Init:<reason>` while an init container waits or failed, else the
    /// first app container's waiting or terminated reason; empty while every
    /// container runs.
    pub fn container_reason(&self) -> String {
        for cs in &self.init_container_statuses {
            match &cs.state {
                ContainerState::Waiting { reason } if *reason != "PodInitializing" => {
                    return format!("Init:{reason}")
                }
                ContainerState::Terminated {
                    exit_code, reason, ..
                } if *exit_code != 0 => return format!("Init:{reason}"),
                _ => {}
            }
        }
        for cs in &self.container_statuses {
            match &cs.state {
                ContainerState::Waiting { reason } | ContainerState::Terminated { reason, .. } => {
                    return reason.to_string()
                }
                ContainerState::Running { .. } => {}
            }
        }
        String::new()
    }

    /// The status of one container.
    pub fn container(&self, c: ContainerRef) -> &ContainerStatus {
        match c {
            ContainerRef::Init(i) => &self.init_container_statuses[i as usize],
            ContainerRef::App(i) => &self.container_statuses[i as usize],
        }
    }

    pub(super) fn container_mut(&mut self, c: ContainerRef) -> &mut ContainerStatus {
        match c {
            ContainerRef::Init(i) => &mut self.init_container_statuses[i as usize],
            ContainerRef::App(i) => &mut self.container_statuses[i as usize],
        }
    }

    pub fn restarts(&self) -> u32 {
        self.init_container_statuses
            .iter()
            .chain(&self.container_statuses)
            .map(|c| c.restart_count)
            .sum()
    }

    /// Legal phase transitions (`pod-lifecycle` docs): Pending → Running →
    /// Succeeded/Failed, Pending → Succeeded/Failed directly, and terminal
    /// phases never change. Unknown may come and go (lost node).
    pub fn transition_allowed(from: PodPhase, to: PodPhase) -> bool {
        use PodPhase::*;
        from == to
            || matches!(
                (from, to),
                (Pending, Running | Succeeded | Failed | Unknown)
                    | (Running, Succeeded | Failed | Unknown)
                    | (Unknown, Running | Succeeded | Failed)
            )
    }
}
