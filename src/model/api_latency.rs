//! Declared API and watch latency along the pod creation flow (client →
//! API server → etcd → scheduler watch → bind → kubelet watch → container
//! runtime → status update). Zero by default. Each pod draws each hop's
//! delay from a stream of its own (keyed by the hop and the pod's creation
//! index), so adding a hop leaves the other hops' draws unchanged and no
//! draw depends on anything else in the run.
//!
//! The container runtime hop is the container's own `startLatency`
//! behaviour (sandbox and container creation), drawn by the kubelet.

use crate::engine::distribution::Distribution;
use crate::engine::rng::{derive_seed, Stream};
use crate::engine::SimDuration;
use crate::model::store::PodId;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The scenario's `apiLatency` section.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ApiLatency {
    /// The client's `POST` of a pod until the API server has persisted it in
    /// etcd: nothing watches the pod before, and its creationTimestamp is
    /// the time it is persisted.
    pub create: Option<Distribution>,
    /// From a pod's creation to the scheduler's watch seeing it.
    pub scheduler_watch: Option<Distribution>,
    /// The scheduler's `pods/binding` request until it is persisted: the
    /// pod's PodScheduled condition is set then. The scheduler takes the
    /// node's resources at once when it assumes the pod, as its cache does
    /// (`pkg/scheduler/schedule_one.go` assume, then bind asynchronously).
    pub bind: Option<Distribution>,
    /// From a pod's binding being persisted to its node's kubelet seeing it.
    pub kubelet_watch: Option<Distribution>,
    /// The kubelet's `pods/status` write (status manager) until it is
    /// persisted and seen: when controllers and endpoints hear of a status
    /// change (Running, Ready, restarts, completion), and when the pod's
    /// start and readiness are observed.
    pub status_update: Option<Distribution>,
}

/// A hop of the creation flow. The values key the hops' random streams and
/// never change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hop {
    SchedulerWatch = 1,
    KubeletWatch = 2,
    Create = 3,
    Bind = 4,
    StatusUpdate = 5,
}

impl ApiLatency {
    pub fn is_zero(&self) -> bool {
        self.create.is_none()
            && self.scheduler_watch.is_none()
            && self.bind.is_none()
            && self.kubelet_watch.is_none()
            && self.status_update.is_none()
    }

    /// The delay of one hop for one pod in a run with this seed.
    pub fn delay(&self, hop: Hop, pod: PodId, seed: u64) -> SimDuration {
        let d = match hop {
            Hop::SchedulerWatch => &self.scheduler_watch,
            Hop::KubeletWatch => &self.kubelet_watch,
            Hop::Create => &self.create,
            Hop::Bind => &self.bind,
            Hop::StatusUpdate => &self.status_update,
        };
        let Some(d) = d else {
            return SimDuration::ZERO;
        };
        let base = derive_seed(
            derive_seed(seed, Stream::Latencies as u64),
            1000 + hop as u64,
        );
        let mut rng = ChaCha8Rng::seed_from_u64(base);
        rng.set_stream(pod.0 as u64);
        d.sample(&mut rng)
    }
}
