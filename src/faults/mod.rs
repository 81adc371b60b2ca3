//! Fault injection: node crashes and recoveries, zone outages, network
//! partitions and kubelets reporting NotReady, at declared times or at random
//! per node pool (time between failures and time to repair drawn from
//! declared distributions on the run's dedicated failure stream).
//!
//! A fault only changes what the machine does (its kubelet stops, or loses
//! the API server); everything the cluster then does about it — Unknown
//! conditions, taints, evictions, replacement pods — is the controllers'
//! and scheduler's ordinary work. Faults that overlap on a node stack: the
//! node is as bad as its worst active fault, and recovers when the last one ends.

pub mod drain;

use crate::engine::distribution::Distribution;
use crate::engine::rng::{derive_seed, Stream};
use crate::engine::{EventQueue, SimDuration, SimTime};
use crate::kubelet::node::NodeFault;
use crate::kubelet::{KubeletEvent, Kubelets};
use crate::model::node::LABEL_TOPOLOGY_ZONE;
use crate::model::store::NodeId;
use crate::model::ClusterState;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// What goes wrong with the targeted nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// The machine is off (`nodeDown`, `zoneDown`).
    NodeDown,
    /// The node loses the API server; containers keep running (`networkPartition`).
    Partition,
    /// The kubelet reports Ready=False (`kubeletNotReady`).
    NotReady,
}

impl FaultKind {
    fn node_fault(self) -> NodeFault {
        match self {
            FaultKind::NodeDown => NodeFault::Down,
            FaultKind::Partition => NodeFault::Partitioned,
            FaultKind::NotReady => NodeFault::NotReady,
        }
    }
    fn slot(self) -> usize {
        match self {
            FaultKind::NodeDown => 0,
            FaultKind::Partition => 1,
            FaultKind::NotReady => 2,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            FaultKind::NodeDown => "NodeDown",
            FaultKind::Partition => "NetworkPartition",
            FaultKind::NotReady => "KubeletNotReady",
        }
    }
}

/// Which nodes a fault hits, resolved when it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Nodes(Vec<String>),
    /// Every node labelled `topology.kubernetes.io/zone` with this zone.
    Zone(String),
}

/// A fault at a declared time.
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduledFault {
    pub at: SimTime,
    pub kind: FaultKind,
    pub target: Target,
    /// How long it lasts; `None`: for the rest of the run.
    pub duration: Option<SimDuration>,
}

/// Random failures of every node of a pool.
#[derive(Clone, Debug, PartialEq)]
pub struct RandomFaults {
    pub kind: FaultKind,
    /// The pool's node names.
    pub nodes: Vec<String>,
    /// Time from a node's (re)start to its next failure.
    pub time_between_failures: Distribution,
    /// Time from a failure to the node's recovery.
    pub time_to_repair: Distribution,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaultSpec {
    pub scheduled: Vec<ScheduledFault>,
    pub random: Vec<RandomFaults>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultEvent {
    /// `scheduled[i]` starts.
    Begin(usize),
    /// `scheduled[i]` ends.
    End(usize),
    /// Node `n` of `random[i]` fails (`true`) or recovers (`false`).
    Random(usize, usize, bool),
}

/// One fault occurrence, for the fault report.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultRecord {
    pub kind: FaultKind,
    pub nodes: Vec<NodeId>,
    pub start: SimTime,
    pub end: Option<SimTime>,
}

pub struct Faults {
    spec: FaultSpec,
    /// Active faults per node, by kind slot.
    active: Vec<[u32; 3]>,
    /// Nodes each scheduled fault hit.
    hit: Vec<Vec<NodeId>>,
    /// Per random spec and node: its own generator.
    rngs: Vec<Vec<ChaCha8Rng>>,
    /// Index into `records` of each scheduled fault and random node failure in progress.
    open: Vec<Option<usize>>,
    open_random: Vec<Vec<Option<usize>>>,
    pub records: Vec<FaultRecord>,
}

impl Faults {
    pub fn new(spec: &FaultSpec, seed: u64) -> Self {
        let failures = derive_seed(seed, Stream::Failures as u64);
        let rngs = spec
            .random
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (0..r.nodes.len())
                    .map(|n| {
                        let mut rng = ChaCha8Rng::seed_from_u64(derive_seed(failures, i as u64));
                        rng.set_stream(n as u64);
                        rng
                    })
                    .collect()
            })
            .collect();
        Faults {
            spec: spec.clone(),
            active: Vec::new(),
            hit: vec![Vec::new(); spec.scheduled.len()],
            rngs,
            open: vec![None; spec.scheduled.len()],
            open_random: spec
                .random
                .iter()
                .map(|r| vec![None; r.nodes.len()])
                .collect(),
            records: Vec::new(),
        }
    }

    /// Schedules the declared faults and the first random failure of each node.
    pub fn start<E: From<FaultEvent>>(&mut self, events: &mut EventQueue<E>) {
        for (i, f) in self.spec.scheduled.iter().enumerate() {
            events.schedule(f.at, FaultEvent::Begin(i).into());
        }
        for i in 0..self.spec.random.len() {
            for n in 0..self.spec.random[i].nodes.len() {
                let ttf = self.spec.random[i]
                    .time_between_failures
                    .sample(&mut self.rngs[i][n]);
                events.schedule(SimTime::ZERO + ttf, FaultEvent::Random(i, n, true).into());
            }
        }
    }

    pub fn handle<E: From<FaultEvent> + From<KubeletEvent>>(
        &mut self,
        event: FaultEvent,
        kubelets: &mut Kubelets,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        let now = events.now();
        match event {
            FaultEvent::Begin(i) => {
                let f = self.spec.scheduled[i].clone();
                let nodes = resolve(&f.target, state);
                for &n in &nodes {
                    self.change(n, f.kind, true, kubelets, state, events);
                }
                self.open[i] = Some(self.records.len());
                self.records.push(FaultRecord {
                    kind: f.kind,
                    nodes: nodes.clone(),
                    start: now,
                    end: None,
                });
                self.hit[i] = nodes;
                if let Some(d) = f.duration {
                    events.schedule(now + d, FaultEvent::End(i).into());
                }
            }
            FaultEvent::End(i) => {
                let kind = self.spec.scheduled[i].kind;
                for n in std::mem::take(&mut self.hit[i]) {
                    self.change(n, kind, false, kubelets, state, events);
                }
                if let Some(r) = self.open[i].take() {
                    self.records[r].end = Some(now);
                }
            }
            FaultEvent::Random(i, n, fails) => {
                let spec = &self.spec.random[i];
                let kind = spec.kind;
                let Some(node) = resolve(&Target::Nodes(vec![spec.nodes[n].clone()]), state)
                    .first()
                    .copied()
                else {
                    return;
                };
                let rng = &mut self.rngs[i][n];
                let next = if fails {
                    spec.time_to_repair.sample(rng)
                } else {
                    spec.time_between_failures.sample(rng)
                };
                events.schedule(now + next, FaultEvent::Random(i, n, !fails).into());
                self.change(node, kind, fails, kubelets, state, events);
                if fails {
                    self.open_random[i][n] = Some(self.records.len());
                    self.records.push(FaultRecord {
                        kind,
                        nodes: vec![node],
                        start: now,
                        end: None,
                    });
                } else if let Some(r) = self.open_random[i][n].take() {
                    self.records[r].end = Some(now);
                }
            }
        }
    }

    /// Adds or removes one active fault on a node and tells its kubelet.
    fn change<E: From<KubeletEvent>>(
        &mut self,
        node: NodeId,
        kind: FaultKind,
        begin: bool,
        kubelets: &mut Kubelets,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        let idx = node.0 as usize;
        if self.active.len() <= idx {
            self.active.resize(idx + 1, [0; 3]);
        }
        let slot = &mut self.active[idx][kind.slot()];
        if begin {
            *slot += 1;
        } else {
            *slot = slot.saturating_sub(1);
        }
        let counts = self.active[idx];
        let worst = [
            FaultKind::NodeDown,
            FaultKind::Partition,
            FaultKind::NotReady,
        ]
        .into_iter()
        .find(|k| counts[k.slot()] > 0)
        .map_or(NodeFault::Healthy, FaultKind::node_fault);
        kubelets.set_fault(node, worst, state, events);
    }
}

/// The nodes a target names that exist now (not deleted by the Cluster
/// Autoscaler), in node order.
fn resolve(target: &Target, state: &ClusterState) -> Vec<NodeId> {
    (0..state.nodes().len())
        .filter(|&i| {
            let node = &state.nodes()[i];
            if !state.node_exists(NodeId(i as u32)) {
                return false;
            }
            match target {
                Target::Nodes(names) => names.contains(&node.metadata.name),
                Target::Zone(z) => node.metadata.labels.get(LABEL_TOPOLOGY_ZONE) == Some(z),
            }
        })
        .map(|i| NodeId(i as u32))
        .collect()
}
