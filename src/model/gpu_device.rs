//! GPU devices of one node and what a pod asks of them.
//!
//! A node has up to [`MAX_GPUS_PER_NODE`] GPUs of one model; each GPU is
//! [`MILLI_PER_GPU`] milli-GPU of share. A pod asks for `count` GPUs with
//! `milli` share on each: a GPU-sharing pod asks for one GPU with less than
//! 1000 milli, a whole-GPU pod for `count` GPUs of 1000 milli (the openb
//! trace's `num_gpu` and `gpu_milli` columns). Placement rules follow the
//! authors' simulator (hkust-adsl/kubernetes-scheduler-simulator,
//! `pkg/simulator/plugin/open_gpu_share.go` Filter and
//! `pkg/type/resource.go`): a sharing pod goes on one GPU with enough free
//! share, a multi-GPU pod on fully free GPUs, lowest index first.

/// Share of one GPU, in milli-GPU.
pub const MILLI_PER_GPU: i32 = 1000;
/// The most GPUs one node may have (the openb nodes have 0 to 8).
pub const MAX_GPUS_PER_NODE: usize = 8;
/// The most distinct GPU models one run may use (a model set is a 32-bit mask).
pub const MAX_GPU_MODELS: usize = 32;

/// A set of GPU models as a bit mask over [`GpuModels`] ids; empty means any model.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModelSet(pub u32);

impl ModelSet {
    pub const ANY: ModelSet = ModelSet(0);

    /// Whether a node of `model` (None: a node without GPUs) may host the pod
    /// (`IsNodeAccessibleToPodByType`: no constraint accepts every node, a
    /// constraint never accepts a node without a GPU model).
    pub fn accepts(self, model: Option<u8>) -> bool {
        match model {
            _ if self.0 == 0 => true,
            None => false,
            Some(m) => self.0 & (1 << m) != 0,
        }
    }
}

/// The interned GPU model names of a run, in first-seen order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GpuModels {
    names: Vec<String>,
}

impl GpuModels {
    /// Interns a model name; an error names the limit when there are too many.
    pub fn intern(&mut self, name: &str) -> Result<u8, String> {
        if let Some(id) = self.lookup(name) {
            return Ok(id);
        }
        if self.names.len() >= MAX_GPU_MODELS {
            return Err(format!(
                "too many GPU models: {name:?} would be number {} (at most {MAX_GPU_MODELS})",
                self.names.len() + 1
            ));
        }
        self.names.push(name.to_string());
        Ok((self.names.len() - 1) as u8)
    }

    pub fn lookup(&self, name: &str) -> Option<u8> {
        self.names.iter().position(|n| n == name).map(|i| i as u8)
    }

    pub fn name(&self, id: u8) -> &str {
        &self.names[id as usize]
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }
}

/// What a pod asks of a node's GPUs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GpuRequest {
    /// Number of GPUs (0 for a CPU-only pod).
    pub count: u8,
    /// Share of each GPU in milli-GPU (1..=1000; 0 for a CPU-only pod).
    pub milli: i32,
    /// Allowed GPU models (the trace's `gpu_spec`); empty means any.
    pub models: ModelSet,
}

impl GpuRequest {
    /// A GPU-sharing pod: one GPU, less than all of it.
    pub fn is_share(&self) -> bool {
        self.count == 1 && self.milli < MILLI_PER_GPU
    }

    pub fn total_milli(&self) -> i64 {
        self.count as i64 * self.milli as i64
    }
}

/// A pod as the GPU scheduler sees it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct GpuPod {
    pub cpu_milli: i64,
    pub memory_mib: i64,
    pub gpu: GpuRequest,
}

/// The GPU indices given to a pod, as a bit mask (bit i = GPU i).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct GpuSet(pub u8);

impl GpuSet {
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn len(self) -> u32 {
        self.0.count_ones()
    }
    pub fn contains(self, i: usize) -> bool {
        self.0 & (1 << i) != 0
    }
    pub fn indices(self) -> impl Iterator<Item = usize> {
        (0..MAX_GPUS_PER_NODE).filter(move |&i| self.0 & (1 << i) != 0)
    }
    /// `0-1-3`: the authors' simulator's device-index annotation format.
    pub fn render(self) -> String {
        self.indices()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join("-")
    }
}

/// Number of GPU-affinity tags GpuClustering tracks: `share-gpu` and `N-gpu` for N = 1..=8.
pub const N_AFFINITY_TAGS: usize = 1 + MAX_GPUS_PER_NODE;

/// The GPU-affinity tag of a pod (`GetGpuAffinityFromPodAnnotation`):
/// None for a CPU-only pod, 0 for `share-gpu`, N for `N-gpu`.
pub fn affinity_tag(req: &GpuRequest) -> Option<usize> {
    match req.count {
        0 => None,
        _ if req.is_share() => Some(0),
        n => Some((n as usize).min(MAX_GPUS_PER_NODE)),
    }
}

/// One node's free resources and per-GPU free share.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GpuNode {
    pub cpu_capacity_milli: i64,
    pub cpu_left_milli: i64,
    pub memory_capacity_mib: i64,
    pub memory_left_mib: i64,
    /// None for a node without GPUs.
    pub model: Option<u8>,
    pub n_gpus: u8,
    /// Free share of each GPU; only the first `n_gpus` entries are used.
    pub milli_left: [i32; MAX_GPUS_PER_NODE],
    /// How many placed GPU pods carry each affinity tag (GpuClustering).
    pub affinity: [u16; N_AFFINITY_TAGS],
}

impl GpuNode {
    pub fn new(cpu_milli: i64, memory_mib: i64, n_gpus: u8, model: Option<u8>) -> Self {
        assert!(n_gpus as usize <= MAX_GPUS_PER_NODE);
        let mut milli_left = [0; MAX_GPUS_PER_NODE];
        milli_left[..n_gpus as usize].fill(MILLI_PER_GPU);
        GpuNode {
            cpu_capacity_milli: cpu_milli,
            cpu_left_milli: cpu_milli,
            memory_capacity_mib: memory_mib,
            memory_left_mib: memory_mib,
            model,
            n_gpus,
            milli_left,
            affinity: [0; N_AFFINITY_TAGS],
        }
    }

    pub fn gpus(&self) -> &[i32] {
        &self.milli_left[..self.n_gpus as usize]
    }

    pub fn gpu_left_total(&self) -> i64 {
        self.gpus().iter().map(|&m| m as i64).sum()
    }

    pub fn fully_free_gpus(&self) -> usize {
        self.gpus().iter().filter(|&&m| m == MILLI_PER_GPU).count()
    }

    /// `CanNodeHostPodOnGpuMemory`: at least `count` GPUs have `milli` free.
    pub fn can_host_gpus(&self, req: &GpuRequest) -> bool {
        self.gpus().iter().filter(|&&m| m >= req.milli).count() >= req.count as usize
    }

    /// The filter: cpu and memory fit (NodeResourcesFit) and, for a GPU pod,
    /// the model is allowed and enough GPUs have the share free (GpuShare).
    pub fn fits(&self, pod: &GpuPod) -> bool {
        pod.cpu_milli <= self.cpu_left_milli
            && pod.memory_mib <= self.memory_left_mib
            && (pod.gpu.count == 0
                || (self.n_gpus > 0
                    && pod.gpu.models.accepts(self.model)
                    && self.can_host_gpus(&pod.gpu)))
    }

    /// `AllocateExclusiveGpuId`: the first fully free GPUs, lowest index first,
    /// enough for the pod's total share. Empty if there are not enough.
    pub fn exclusive_gpus(&self, req: &GpuRequest) -> GpuSet {
        let mut need = req.total_milli();
        let mut set = 0u8;
        for (i, &m) in self.gpus().iter().enumerate() {
            if need <= 0 {
                break;
            }
            if m == MILLI_PER_GPU {
                set |= 1 << i;
                need -= MILLI_PER_GPU as i64;
            }
        }
        if need > 0 {
            GpuSet(0)
        } else {
            GpuSet(set)
        }
    }

    /// `allocateGpuIdBasedOnBestFit`: a sharing pod goes on the GPU with the
    /// least free share that still fits (lowest index among equals); a
    /// whole-GPU pod on [`GpuNode::exclusive_gpus`].
    pub fn best_fit_gpus(&self, req: &GpuRequest) -> GpuSet {
        if req.count == 0 {
            return GpuSet(0);
        }
        if req.milli < MILLI_PER_GPU {
            let mut best: Option<usize> = None;
            for (i, &m) in self.gpus().iter().enumerate() {
                if m >= req.milli && best.is_none_or(|b| m < self.milli_left[b]) {
                    best = Some(i);
                }
            }
            return best.map_or(GpuSet(0), |i| GpuSet(1 << i));
        }
        self.exclusive_gpus(req)
    }

    /// Places a pod on the given GPUs. Panics if it does not fit: a placement
    /// is only made on a node the filter accepted.
    pub fn assign(&mut self, pod: &GpuPod, gpus: GpuSet) {
        assert!(self.fits(pod), "assign: the pod does not fit the node");
        assert_eq!(gpus.len(), pod.gpu.count as u32, "assign: wrong GPU count");
        self.cpu_left_milli -= pod.cpu_milli;
        self.memory_left_mib -= pod.memory_mib;
        for i in gpus.indices() {
            assert!(i < self.n_gpus as usize, "assign: no GPU {i}");
            assert!(
                self.milli_left[i] >= pod.gpu.milli,
                "assign: GPU {i} oversubscribed"
            );
            self.milli_left[i] -= pod.gpu.milli;
        }
        if let Some(tag) = affinity_tag(&pod.gpu) {
            self.affinity[tag] += 1;
        }
    }

    /// Releases what [`GpuNode::assign`] took.
    pub fn release(&mut self, pod: &GpuPod, gpus: GpuSet) {
        self.cpu_left_milli += pod.cpu_milli;
        self.memory_left_mib += pod.memory_mib;
        for i in gpus.indices() {
            self.milli_left[i] += pod.gpu.milli;
            assert!(
                self.milli_left[i] <= MILLI_PER_GPU,
                "release: GPU {i} over capacity"
            );
        }
        if let Some(tag) = affinity_tag(&pod.gpu) {
            self.affinity[tag] -= 1;
        }
        assert!(self.cpu_left_milli <= self.cpu_capacity_milli);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(milli: i32) -> GpuPod {
        GpuPod {
            cpu_milli: 1000,
            memory_mib: 1024,
            gpu: GpuRequest {
                count: 1,
                milli,
                models: ModelSet::ANY,
            },
        }
    }

    fn whole(count: u8) -> GpuPod {
        GpuPod {
            cpu_milli: 1000,
            memory_mib: 1024,
            gpu: GpuRequest {
                count,
                milli: MILLI_PER_GPU,
                models: ModelSet::ANY,
            },
        }
    }

    #[test]
    fn sharing_pods_never_oversubscribe_a_gpu_and_shares_sum() {
        // 4 GPUs; place 0.3-GPU pods best-fit until none fits: each GPU takes
        // 3 (900 milli, 100 left), so 12 pods fit and 400 milli stay free.
        let mut node = GpuNode::new(64_000, 262_144, 4, Some(0));
        let pod = share(300);
        let mut placed = Vec::new();
        while node.fits(&pod) {
            let gpus = node.best_fit_gpus(&pod.gpu);
            node.assign(&pod, gpus);
            placed.push(gpus);
        }
        assert_eq!(placed.len(), 12);
        assert_eq!(node.gpus(), &[100, 100, 100, 100]);
        assert_eq!(node.gpu_left_total(), 4 * 1000 - 12 * 300);
        // Best fit fills GPU 0 before touching GPU 1.
        assert_eq!(
            placed[..4].iter().map(|g| g.render()).collect::<Vec<_>>(),
            ["0", "0", "0", "1"]
        );
        for gpus in placed.iter().rev() {
            node.release(&pod, *gpus);
        }
        assert_eq!(node, GpuNode::new(64_000, 262_144, 4, Some(0)));
    }

    #[test]
    fn whole_gpu_pods_take_fully_free_gpus_lowest_index_first() {
        let mut node = GpuNode::new(64_000, 262_144, 4, Some(0));
        node.assign(&share(500), GpuSet(1 << 1));
        // GPU 1 is shared: a 2-GPU pod gets 0 and 2, a 3-GPU pod does not fit.
        assert_eq!(node.best_fit_gpus(&whole(2).gpu).render(), "0-2");
        assert!(!node.fits(&whole(4)));
        assert!(node.fits(&whole(3)));
        assert!(node.exclusive_gpus(&whole(4).gpu).is_empty());
        // A sharing pod goes to the shared GPU (least free that fits).
        assert_eq!(node.best_fit_gpus(&share(400).gpu).render(), "1");
        assert_eq!(node.best_fit_gpus(&share(600).gpu).render(), "0");
    }

    #[test]
    fn model_constraints_follow_the_gpu_spec() {
        let any = ModelSet::ANY;
        let t4_or_a10 = ModelSet(0b101);
        assert!(any.accepts(None) && any.accepts(Some(3)));
        assert!(t4_or_a10.accepts(Some(0)) && t4_or_a10.accepts(Some(2)));
        assert!(!t4_or_a10.accepts(Some(1)));
        assert!(!t4_or_a10.accepts(None));
        let mut pod = share(100);
        pod.gpu.models = ModelSet(0b10);
        assert!(!GpuNode::new(64_000, 1 << 20, 2, Some(0)).fits(&pod));
        assert!(GpuNode::new(64_000, 1 << 20, 2, Some(1)).fits(&pod));
        // A CPU node never hosts a GPU pod.
        assert!(!GpuNode::new(64_000, 1 << 20, 0, None).fits(&share(100)));
    }

    #[test]
    fn cpu_and_memory_are_filtered_too() {
        let node = GpuNode::new(1000, 1024, 1, Some(0));
        let mut pod = share(100);
        assert!(node.fits(&pod));
        pod.cpu_milli = 1001;
        assert!(!node.fits(&pod));
        pod.cpu_milli = 1000;
        pod.memory_mib = 1025;
        assert!(!node.fits(&pod));
    }
}
