//! Every limit kubesim enforces on its input and its work, in one place, with
//! what happens when an input crosses it (the README's "Limits" table is this
//! list). A limit is never a hang or an abort: crossing it is either an error
//! at load time (exit 2, located) or an outcome written to the results.

/// Largest input file kubesim reads (scenario, manifests, scheduler
/// configuration, sweep, trace): 256 MiB. Larger files, and anything that is
/// not a regular file (a device such as `/dev/zero`, a pipe, a directory),
/// are refused with exit 2 before reading.
pub const MAX_INPUT_BYTES: u64 = 256 << 20;

/// Most nodes a scenario may declare in all (node pools, then `addNodes`
/// actions): 1 000 000, 200 times the largest cluster Kubernetes supports
/// (5 000 nodes). Checked at the `count` that would cross it, at load time,
/// so a large count is a located error rather than an allocation failure.
pub const MAX_NODES: u64 = 1_000_000;

/// Parallel runs of a sweep or a GPU fill-up: `--jobs` is capped at the
/// number of runs and at the number of CPUs (more threads only add memory).
pub fn max_jobs(requested: usize, n_runs: usize) -> usize {
    let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    requested.min(cpus).min(n_runs).max(1)
}
