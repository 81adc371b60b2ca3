//! Arrival processes: each creates its pods from its template, one at a
//! time, at times drawn from its own random stream (and its pod sizes from
//! another), so that a change elsewhere never shifts its arrivals.

use crate::engine::profile::next_event;
use crate::engine::rng::derive_seed;
use crate::engine::SimTime;
use crate::model::meta::ObjectMeta;
use crate::model::Pod;
use crate::scenario::{sizes, Arrival, ArrivalProcess};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;

/// One arrival process's streams and how many pods it has created.
pub struct ArrivalState {
    rng: ChaCha8Rng,
    /// Pod sizes have their own stream, so that drawing them leaves the arrival times alone.
    sizes: ChaCha8Rng,
    created: u64,
}

impl ArrivalState {
    /// The state of arrival process `i` of a run whose arrivals stream is
    /// seeded with `arrivals_seed`.
    pub fn new(arrivals_seed: u64, i: usize) -> Self {
        let seed = derive_seed(arrivals_seed, i as u64);
        ArrivalState {
            rng: ChaCha8Rng::seed_from_u64(seed),
            sizes: ChaCha8Rng::seed_from_u64(derive_seed(seed, 1)),
            created: 0,
        }
    }

    /// The process's next pod: `<name>-<n>` from its template, with its
    /// drawn requests.
    pub fn next_pod(&mut self, arrival: &Arrival) -> Pod {
        let name = format!("{}-{}", arrival.name, self.created);
        self.created += 1;
        let mut pod = instantiate(&arrival.template, name);
        if !arrival.requests.is_empty() {
            let mut spec = (*pod.spec).clone();
            if let Some(c) = spec.containers.first_mut() {
                sizes::sample_into(&arrival.requests, &mut self.sizes, &mut c.requests);
                // A drawn request is a set one, even when it draws 0.
                for r in &arrival.requests {
                    match r.resource {
                        crate::model::ResourceName::Cpu => c.requests_set.cpu = true,
                        crate::model::ResourceName::Memory => c.requests_set.memory = true,
                        _ => {}
                    }
                }
            }
            pod = Pod::new(pod.metadata, Arc::new(spec));
        }
        pod
    }
}

/// A pod from an arrival's template with its own name.
fn instantiate(template: &Pod, name: String) -> Pod {
    let metadata = ObjectMeta {
        name,
        ..template.metadata.clone()
    };
    Pod {
        metadata,
        ..template.clone()
    }
}

/// The time of the arrival process's next pod after `now`, if any.
pub fn next_arrival(arrival: &Arrival, st: &mut ArrivalState, now: SimTime) -> Option<SimTime> {
    if arrival.count.is_some_and(|c| st.created >= c) {
        return None;
    }
    let t = match &arrival.process {
        ArrivalProcess::Constant { interval } => {
            if st.created == 0 {
                arrival.start
            } else {
                now + *interval
            }
        }
        ArrivalProcess::Poisson { mean_interval } => {
            // Inverse transform of the exponential; the first pod also waits
            // one inter-arrival time after the start, as in a Poisson process.
            let u: f64 = st.rng.gen();
            let gap = crate::engine::SimDuration::from_secs_f64(
                -mean_interval.as_secs_f64() * (1.0 - u).ln(),
            );
            if st.created == 0 {
                arrival.start + gap
            } else {
                now + gap
            }
        }
        ArrivalProcess::Times(times) => arrival.start + *times.get(st.created as usize)?,
        ArrivalProcess::Profile(profile) => {
            // The candidates and the thinning draws come from the process's
            // own stream, as the Poisson gaps do.
            let from = if st.created == 0 { arrival.start } else { now };
            let until = arrival.until.map_or(f64::INFINITY, |u| u.as_secs_f64());
            let t = next_event(profile, from.as_secs_f64(), until, &mut st.rng)?;
            (SimTime::ZERO + crate::engine::SimDuration::from_secs_f64(t)).max(from)
        }
    };
    if arrival.until.is_some_and(|u| t > u) {
        return None;
    }
    Some(t)
}
