//! Image pulls (`pkg/kubelet/images`, v1.32), modelled when the scenario has
//! an `images` section (without one every image is taken to be present).
//!
//! Each node keeps the images it has pulled. `imagePullPolicy` decides:
//! Always pulls every time, IfNotPresent only when the node lacks the image,
//! Never fails with ErrImageNeverPull when it does. Pulls on a node are
//! serialized (`serializeImagePulls: true`, the default): a pull waits for
//! the ones before it. A pull takes the image's declared time, or its size
//! over the node's bandwidth. A failed pull (declared probability, or a
//! registry outage) leaves the container Waiting with ErrImagePull, then
//! ImagePullBackOff, and it is retried after the image backoff (`imageBackOff`:
//! 10 s doubling to 300 s, per pod and image, forgotten after 10 min).

use super::{ContainerRef, KubeletEvent, Kubelets};
use crate::engine::distribution::Distribution;
use crate::engine::{EventQueue, SimDuration, SimTime};
use crate::model::pod::ImagePullPolicy;
use crate::model::status::ContainerState;
use crate::model::store::PodId;
use crate::model::ClusterState;
use rand::Rng;
use std::collections::BTreeSet;

/// One image's declared pull behaviour.
#[derive(Clone, Debug, PartialEq)]
pub struct ImageSpec {
    pub name: String,
    pub size_bytes: Option<i64>,
    pub pull_time: Option<Distribution>,
    pub fail_probability: Option<f64>,
}

/// The scenario's `images` section.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImageConfig {
    pub enabled: bool,
    pub images: Vec<ImageSpec>,
    /// Size of images not listed.
    pub default_size_bytes: i64,
    /// Bytes per second each node pulls at; `None`: pulls take `default_pull_time`.
    pub node_bandwidth_bytes_per_s: Option<i64>,
    pub default_pull_time: Option<Distribution>,
    pub fail_probability: f64,
    /// Intervals [from, to) during which every pull fails.
    pub outages: Vec<(SimTime, SimTime)>,
}

/// `backOffPeriod` and `MaxContainerBackOff` of the image backoff.
const INITIAL_BACKOFF: SimDuration = SimDuration(10_000_000);
const MAX_BACKOFF: SimDuration = SimDuration(300_000_000);

/// The image backoff of one container (`flowcontrol.Backoff` keyed by pod and image).
#[derive(Clone, Copy, Debug, Default)]
pub struct PullBackoff {
    entry: Option<(SimDuration, SimTime)>,
}

impl PullBackoff {
    /// `Next` after a failed pull at `now`: the delay before the next try.
    pub fn next(&mut self, now: SimTime) -> SimDuration {
        let d = match self.entry {
            Some((d, last)) if now.since(last) <= MAX_BACKOFF.saturating_mul(2) => {
                SimDuration(d.0.saturating_mul(2)).min(MAX_BACKOFF)
            }
            _ => INITIAL_BACKOFF,
        };
        self.entry = Some((d, now));
        d
    }
}

/// A node's image cache and pull queue.
#[derive(Clone, Debug, Default)]
pub struct NodeImages {
    present: BTreeSet<String>,
    /// When the last queued pull finishes.
    busy_until: SimTime,
    /// Pulls in progress or queued, by image: when each finishes. A second
    /// request for the same image finishes with the first (shared layers).
    pulling: std::collections::BTreeMap<String, SimTime>,
}

impl ImageConfig {
    fn spec(&self, image: &str) -> Option<&ImageSpec> {
        self.images.iter().find(|i| i.name == image)
    }
    fn size(&self, image: &str) -> i64 {
        self.spec(image)
            .and_then(|s| s.size_bytes)
            .unwrap_or(self.default_size_bytes)
    }
}

impl Kubelets {
    /// Before the runtime creates a container: true when the image is there
    /// (the caller goes on); false when a pull, a backoff or an error holds it.
    pub(super) fn ensure_image<E: From<KubeletEvent>>(
        &mut self,
        id: PodId,
        c: ContainerRef,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) -> bool {
        if !self.images.enabled {
            return true;
        }
        let now = events.now();
        let Some(node) = state.pod(id).node else {
            return true;
        };
        let container = Self::container(state, id, c);
        let image = container.image.clone();
        let policy = container.image_pull_policy;
        let present = self.node_mut(node).images.present.contains(&image);
        let pull = match policy {
            ImagePullPolicy::Always => true,
            ImagePullPolicy::IfNotPresent => !present,
            ImagePullPolicy::Never => false,
        };
        if !pull {
            if present {
                let msg = format!("Container image {image:?} already present on machine");
                state.record_pod_event(now, id, "Pulled", msg);
                return true;
            }
            let msg = format!("Container image {image:?} is not present with pull policy of Never");
            state.record_pod_event(now, id, "ErrImageNeverPull", msg);
            state.record_pod_event(now, id, "Failed", "Error: ErrImageNeverPull".into());
            Self::set_state(
                state,
                id,
                c,
                ContainerState::Waiting {
                    reason: "ErrImageNeverPull",
                },
            );
            return false;
        }
        state.record_pod_event(now, id, "Pulling", format!("Pulling image {image:?}"));
        self.runtime(id).first_pull.get_or_insert(now);
        let outage = self
            .images
            .outages
            .iter()
            .any(|&(a, b)| now >= a && now < b);
        let fail_p = self
            .images
            .spec(&image)
            .and_then(|s| s.fail_probability)
            .unwrap_or(self.images.fail_probability);
        let rt = self.runtime(id);
        let failed = outage || (fail_p > 0.0 && rt.latency_rng.gen::<f64>() < fail_p);
        if failed {
            let why = if outage {
                "the registry is unavailable"
            } else {
                "the pull failed"
            };
            state.record_pod_event(
                now,
                id,
                "Failed",
                format!("Failed to pull image {image:?}: {why}"),
            );
            state.record_pod_event(now, id, "Failed", "Error: ErrImagePull".into());
            let delay = Self::slot(self.runtime(id), c).pull_backoff.next(now);
            // The next pod sync finds the image in backoff.
            state.record_pod_event(
                now,
                id,
                "BackOff",
                format!("Back-off pulling image {image:?}"),
            );
            state.record_pod_event(now, id, "Failed", "Error: ImagePullBackOff".into());
            Self::set_state(
                state,
                id,
                c,
                ContainerState::Waiting {
                    reason: "ImagePullBackOff",
                },
            );
            let t = events.schedule(now + delay, KubeletEvent::PullRetry(id, c).into());
            Self::slot(self.runtime(id), c).timer = Some(t);
            return false;
        }
        let spec_time = self.images.spec(&image).and_then(|s| s.pull_time.clone());
        let size = self.images.size(&image);
        let bandwidth = self.images.node_bandwidth_bytes_per_s;
        let default_time = self.images.default_pull_time.clone();
        let rt = self.runtime(id);
        let duration = match (spec_time, bandwidth) {
            (Some(d), _) => d.sample(&mut rt.latency_rng),
            (None, Some(bw)) if bw > 0 => SimDuration::from_secs_f64(size as f64 / bw as f64),
            (None, _) => default_time.map_or(SimDuration::ZERO, |d| d.sample(&mut rt.latency_rng)),
        };
        let images = &mut self.node_mut(node).images;
        let done = match images.pulling.get(&image) {
            Some(&done) if done >= now => done,
            _ => {
                let done = images.busy_until.max(now) + duration;
                images.busy_until = done;
                images.pulling.insert(image.clone(), done);
                done
            }
        };
        let duration = duration.min(done.since(now));
        let t = events.schedule(done, KubeletEvent::Pulled(id, c, now, duration).into());
        Self::slot(self.runtime(id), c).timer = Some(t);
        Self::set_state(
            state,
            id,
            c,
            ContainerState::Waiting {
                reason: "ContainerCreating",
            },
        );
        false
    }

    /// A pull finished: the image is on the node and the container is created.
    pub(super) fn on_pulled<E: From<KubeletEvent>>(
        &mut self,
        id: PodId,
        c: ContainerRef,
        requested: SimTime,
        duration: SimDuration,
        state: &mut ClusterState,
        events: &mut EventQueue<E>,
    ) {
        let now = events.now();
        Self::slot(self.runtime(id), c).timer = None;
        let image = Self::container(state, id, c).image.clone();
        if let Some(node) = state.pod(id).node {
            self.node_mut(node).images.present.insert(image.clone());
        }
        let size = self.images.size(&image);
        let waited = now.since(requested);
        state.record_pod_event(
            now,
            id,
            "Pulled",
            format!(
                "Successfully pulled image {image:?} in {duration} ({waited} including waiting). Image size: {size} bytes."
            ),
        );
        // As the pod startup latency tracker: from the first pull started
        // to the last one finished, failed tries and backoff included.
        let first = *self.runtime(id).first_pull.get_or_insert(requested);
        state.set_image_pull_time(id, now.since(first));
        self.run_container(id, c, state, events);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_backoff_doubles_from_ten_seconds_to_five_minutes() {
        let mut b = PullBackoff::default();
        let mut now = SimTime::ZERO;
        let mut delays = vec![];
        for _ in 0..8 {
            let d = b.next(now);
            delays.push(d.0 / 1_000_000);
            now += d;
        }
        assert_eq!(delays, vec![10, 20, 40, 80, 160, 300, 300, 300]);
        // Forgotten after more than 10 minutes without a failure.
        assert_eq!(b.next(now + SimDuration::from_secs(601)), INITIAL_BACKOFF);
    }

    #[test]
    fn pull_policy_defaults_like_the_api_server() {
        use ImagePullPolicy::*;
        assert_eq!(ImagePullPolicy::default_for("nginx"), Always);
        assert_eq!(ImagePullPolicy::default_for("nginx:latest"), Always);
        assert_eq!(ImagePullPolicy::default_for("nginx:1.27"), IfNotPresent);
        assert_eq!(ImagePullPolicy::default_for("registry:5000/app"), Always);
        assert_eq!(
            ImagePullPolicy::default_for("registry:5000/app:v2"),
            IfNotPresent
        );
        assert_eq!(ImagePullPolicy::default_for("app@sha256:abc"), IfNotPresent);
    }
}
