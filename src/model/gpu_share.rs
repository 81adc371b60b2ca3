//! GPU sharing in the event-driven simulation: a node's GPU devices and the
//! share each pod holds on them, declared the way the authors' simulator of
//! Weng et al. (ATC'23) declares it (open-gpu-share annotations), under the
//! `kubesim.io/` prefix:
//!
//! - node: `nvidia.com/gpu` in its capacity gives the number of GPUs (at
//!   most [`MAX_GPUS`]); the label `kubesim.io/gpu-model` names their model;
//! - pod: `kubesim.io/gpu-milli` is the share of each GPU in milli-GPU
//!   (1–1000), `kubesim.io/gpu-count` the number of GPUs (default 1; more
//!   than one only with 1000 milli), `kubesim.io/gpu-models` the allowed
//!   models (`T4|A10`, default any). Such a pod should not also request
//!   `nvidia.com/gpu`: its GPUs are accounted per device here.
//!
//! A sharing pod goes on the GPU with the least free share that fits; a
//! whole-GPU pod on fully free GPUs, lowest index first. The devices are
//! recorded on the pod when it is bound and released when it ends.

use super::node::Node;
use super::pod::Pod;

pub const GPU_RESOURCE: &str = "nvidia.com/gpu";
pub const MILLI_ANNOTATION: &str = "kubesim.io/gpu-milli";
pub const COUNT_ANNOTATION: &str = "kubesim.io/gpu-count";
pub const MODELS_ANNOTATION: &str = "kubesim.io/gpu-models";
pub const MODEL_LABEL: &str = "kubesim.io/gpu-model";
/// The annotation names after `kubesim.io/`.
pub const ANNOTATION_SUFFIXES: [&str; 3] = ["gpu-milli", "gpu-count", "gpu-models"];
pub const MILLI_PER_GPU: i32 = 1000;
/// The most GPUs per node whose shares are tracked.
pub const MAX_GPUS: usize = 8;

/// A node's GPUs and the share in use on each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NodeGpus {
    pub count: u8,
    pub used_milli: [i32; MAX_GPUS],
    /// Pods holding GPUs here per shape tag: index 0 `share-gpu`, N `N-gpu` (GpuClustering).
    pub pods_by_tag: [u16; 1 + MAX_GPUS],
}

impl NodeGpus {
    pub fn free_milli(&self, i: usize) -> i32 {
        MILLI_PER_GPU - self.used_milli[i]
    }

    /// Charges (`sign` 1) or releases (−1) a pod's share on `devices`.
    pub fn charge(&mut self, devices: u8, milli: i32, sign: i32) {
        let mut n = 0;
        for i in 0..MAX_GPUS {
            if devices & (1 << i) != 0 {
                self.used_milli[i] += sign * milli;
                n += 1;
            }
        }
        if n > 0 {
            let tag = if n == 1 && milli < MILLI_PER_GPU {
                0
            } else {
                n
            };
            self.pods_by_tag[tag] = (self.pods_by_tag[tag] as i32 + sign) as u16;
        }
    }
}

/// What a pod's annotations ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShareRequest<'a> {
    pub count: u8,
    pub milli: i32,
    pub models: Option<&'a str>,
}

/// The pod's GPU share request, if it declares one (values are validated
/// when the scenario is decoded; see [`validate`]).
pub fn request(pod: &Pod) -> Option<ShareRequest<'_>> {
    let a = &pod.metadata.annotations;
    let milli = a.get(MILLI_ANNOTATION)?.trim().parse().ok()?;
    let count = match a.get(COUNT_ANNOTATION) {
        Some(c) => c.trim().parse().ok()?,
        None => 1,
    };
    Some(ShareRequest {
        count,
        milli,
        models: a.get(MODELS_ANNOTATION).map(String::as_str),
    })
}

/// Checks one annotation's value (`suffix` is the name after `kubesim.io/`).
pub fn validate(suffix: &str, value: &str) -> Result<(), String> {
    let int = |lo: i64, hi: i64| match value.trim().parse::<i64>() {
        Ok(v) if (lo..=hi).contains(&v) => Ok(()),
        _ => Err(format!(
            "found {value:?}; expected an integer from {lo} to {hi}"
        )),
    };
    match suffix {
        "gpu-milli" => int(1, MILLI_PER_GPU as i64),
        "gpu-count" => int(1, MAX_GPUS as i64),
        "gpu-models" if value.split('|').all(|m| !m.trim().is_empty()) => Ok(()),
        "gpu-models" => Err(format!(
            "found {value:?}; expected GPU model names separated by `|`, such as T4|A10"
        )),
        _ => Ok(()),
    }
}

/// Checks the annotations together: a share below 1000 only on one GPU.
pub fn validate_pod(pod: &Pod) -> Result<(), String> {
    match request(pod) {
        Some(r) if r.count > 1 && r.milli != MILLI_PER_GPU => Err(format!(
            "{COUNT_ANNOTATION} {} with {MILLI_ANNOTATION} {}: only a one-GPU pod may share a GPU; expected {MILLI_ANNOTATION} 1000",
            r.count, r.milli
        )),
        None if pod.metadata.annotations.contains_key(COUNT_ANNOTATION)
            || pod.metadata.annotations.contains_key(MODELS_ANNOTATION) =>
        {
            Err(format!("{COUNT_ANNOTATION} and {MODELS_ANNOTATION} need {MILLI_ANNOTATION}"))
        }
        _ => Ok(()),
    }
}

/// Whether the node's GPU model is among the pod's allowed models.
pub fn model_allowed(models: Option<&str>, node: &Node) -> bool {
    match models {
        None => true,
        Some(list) => node
            .metadata
            .labels
            .get(MODEL_LABEL)
            .is_some_and(|m| list.split('|').any(|x| x.trim() == m)),
    }
}

/// The devices the pod would get (bit i = GPU i), or None if it does not fit.
pub fn choose(req: &ShareRequest, gpus: &NodeGpus) -> Option<u8> {
    let n = gpus.count as usize;
    if req.count == 1 && req.milli < MILLI_PER_GPU {
        let mut best: Option<usize> = None;
        for i in 0..n {
            let free = gpus.free_milli(i);
            if free >= req.milli && best.is_none_or(|b| free < gpus.free_milli(b)) {
                best = Some(i);
            }
        }
        return best.map(|i| 1 << i);
    }
    let mut set = 0u8;
    let mut need = req.count;
    for i in 0..n {
        if need == 0 {
            break;
        }
        if gpus.used_milli[i] == 0 {
            set |= 1 << i;
            need -= 1;
        }
    }
    (need == 0).then_some(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_fit_share_and_lowest_free_whole_gpus() {
        let mut gpus = NodeGpus {
            count: 4,
            ..Default::default()
        };
        gpus.used_milli = [0, 600, 0, 900, 0, 0, 0, 0];
        let share = |milli| ShareRequest {
            count: 1,
            milli,
            models: None,
        };
        // 0.4 fits GPU 1 (400 free, the least that fits); 0.1 fits GPU 3.
        assert_eq!(choose(&share(400), &gpus), Some(0b0010));
        assert_eq!(choose(&share(100), &gpus), Some(0b1000));
        assert_eq!(choose(&share(700), &gpus), Some(0b0001));
        let whole = |count| ShareRequest {
            count,
            milli: 1000,
            models: None,
        };
        assert_eq!(choose(&whole(2), &gpus), Some(0b0101));
        assert_eq!(choose(&whole(3), &gpus), None);
    }

    #[test]
    fn annotation_values_are_checked() {
        assert!(validate("gpu-milli", "300").is_ok());
        assert!(validate("gpu-milli", "0")
            .unwrap_err()
            .contains("from 1 to 1000"));
        assert!(validate("gpu-count", "9").is_err());
        assert!(validate("gpu-models", "T4||A10").is_err());
    }
}
