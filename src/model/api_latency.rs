//! Declared API and watch latency: how long after a change the scheduler
//! and the kubelets hear of it (the watch hops of the pod creation flow).
//! Zero by default. Each pod draws its delays from a stream of its own
//! (keyed by its creation index and the hop), so they do not depend on
//! anything else in the run.

use crate::engine::distribution::Distribution;
use crate::engine::rng::{derive_seed, Stream};
use crate::engine::SimDuration;
use crate::model::store::PodId;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The scenario's `apiLatency` section.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ApiLatency {
    /// From a pod's creation to the scheduler's watch seeing it.
    pub scheduler_watch: Option<Distribution>,
    /// From a pod's binding to its node's kubelet seeing it.
    pub kubelet_watch: Option<Distribution>,
}

/// A watch hop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hop {
    SchedulerWatch = 1,
    KubeletWatch = 2,
}

impl ApiLatency {
    pub fn is_zero(&self) -> bool {
        self.scheduler_watch.is_none() && self.kubelet_watch.is_none()
    }

    /// The delay of one hop for one pod in a run with this seed.
    pub fn delay(&self, hop: Hop, pod: PodId, seed: u64) -> SimDuration {
        let d = match hop {
            Hop::SchedulerWatch => &self.scheduler_watch,
            Hop::KubeletWatch => &self.kubelet_watch,
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
