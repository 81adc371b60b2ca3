//! Every limit kubesim enforces on its input and its work, in one place, with
//! what happens when an input crosses it (the README's "Limits" table is this
//! list). A limit is never a hang or an abort: crossing it is either an error
//! at load time (exit 2, located) or an outcome written to the results.
//!
//! Bounds that Kubernetes itself sets stay beside the code that follows them,
//! under upstream's names, and are listed here: pods created or deleted per
//! controller sync (`controllers::replicaset::BURST_REPLICAS`,
//! `controllers::job::MAX_POD_CREATE_DELETE_PER_SYNC`,
//! `controllers::daemonset::BURST_REPLICAS`), so that one sync of a huge
//! `replicas` is bounded work and `maxEvents` can stop a run. This module
//! imports nothing: every layer may use it.

/// Largest input file kubesim reads whole (scenario, manifests, scheduler
/// configuration, sweep, GPU trace): 256 MiB. Larger files, and anything that is
/// not a regular file (a device such as `/dev/zero`, a pipe, a directory),
/// are refused with exit 2 before reading.
pub const MAX_INPUT_BYTES: u64 = 256 << 20;

/// Most YAML nodes (scalars, lists and mappings, counted as written: an
/// alias counts once where it is used) one input file may hold, by default:
/// 16 777 216, one node per 16 bytes of [`MAX_INPUT_BYTES`]. A Pod manifest
/// such as `examples/gen_big_scenario.rs` writes is about 40 nodes in 300
/// bytes, so this is about 400 000 pods written out one by one; the parsed
/// tree takes about 50 bytes a node, so the limit also bounds memory (about
/// 1 GB at the limit). `run` and `validate` take `--max-yaml-nodes N` to
/// change it. Crossing it is an error at the node that crosses it, naming
/// the option and the pod trace (`podTraces`), which streams and has no such
/// limit. The parser's other budgets follow from it: at most two events a
/// node (a list's or mapping's start and end), as many documents as nodes,
/// and scalar text up to [`MAX_INPUT_BYTES`].
pub const MAX_YAML_NODES: usize = (MAX_INPUT_BYTES / 16) as usize;

/// Deepest nesting of lists and mappings in a YAML file: 64 (the parser's
/// default, far beyond any manifest), so that recursion stays shallow.
pub const MAX_YAML_DEPTH: usize = 64;

/// Most anchors (`&a`) and aliases (`*a`) in one YAML file: 50 000 each (the
/// parser's defaults), so that an alias bomb is refused rather than expanded.
pub const MAX_YAML_ANCHORS: usize = 50_000;

/// Most nodes a scenario may declare in all (node pools, then `addNodes`
/// actions): 1 000 000, 200 times the largest cluster Kubernetes supports
/// (5 000 nodes). Checked at the `count` that would cross it, at load time,
/// so a large count is a located error rather than an allocation failure.
///
/// The Cluster Autoscaler stays within it too: nodes it adds count, and so
/// do the nodes it deleted (a deleted node keeps its id).
pub const MAX_NODES: u64 = 1_000_000;

/// Most points a rate profile may have (`steps`, `linear`, or the rows of
/// its `file`): 1 000 000, a point a second for eleven days. More is an
/// error at the list or at the row that crosses it.
pub const MAX_PROFILE_POINTS: usize = 1_000_000;

/// Parallel runs of a sweep: `--jobs` (default: the CPUs) is capped at the
/// number of runs and at the number of CPUs (more threads only add memory).
pub fn max_jobs(requested: usize, n_runs: usize) -> usize {
    let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    requested.min(cpus).min(n_runs).max(1)
}

/// Most sample intervals a run's `duration` may hold (`duration ÷
/// sampleInterval`: the rows of timeseries.csv, less the first and the
/// last; about 500 MB of it), so that a tiny interval cannot fill a disk.
/// A scenario asking for more is rejected when it is loaded. A run without
/// a `duration` ends by itself or at `maxEvents`; it also ends (stop reason
/// `max_time`) once it has run this many intervals, so that its sampling is
/// bounded too.
pub const MAX_SAMPLES: u64 = 10_000_000;

/// `maxEvents` when a scenario sets none: 100 000 000 events. A run that
/// reaches its `maxEvents` stops there with `stop_reason` `max_events`.
pub const DEFAULT_MAX_EVENTS: u64 = 100_000_000;

/// Most runs (grid points × replications) one sweep may ask for: 100 000.
/// More is an error in the sweep file.
pub const MAX_RUNS: u64 = 100_000;

/// Most values one bootstrap confidence interval draws (resamples × the
/// replications of a grid point): 100 000 000. A bootstrap interval uses
/// 10 000 resamples, fewer above 10 000 replications (1 000 with the most
/// runs a sweep may have), so that one interval costs at most about a
/// second.
pub const MAX_BOOTSTRAP_DRAWS: u64 = 100_000_000;

/// Most shards a sweep may be split into (`--shard I/N`): 100 000 (a shard
/// with no runs is allowed). More is a usage error.
pub const MAX_SHARDS: u64 = 100_000;

/// Most runs per policy one GPU fill-up may ask for: 1 000. More is an error
/// at `replications`.
pub const MAX_GPU_REPLICATIONS: u64 = 1000;

/// Most timeseries samples one GPU replay writes: 1 000 000. A shorter
/// sample interval is widened so that no more are taken.
pub const MAX_REPLAY_SAMPLES: u64 = 1_000_000;

/// Most pods a GPU fill-up's inflation may append, as a multiple of the
/// trace's pods: 100. Inflation stops appending there.
pub const MAX_INFLATION_FACTOR: usize = 100;

/// Most rows (pods) one pod trace may hold: 10 000 000. A trace streams, so
/// memory follows the pods alive, not the rows; the limit bounds the load
/// time's validation pass (every row is read and checked once before the
/// run). A row past it is an error at its line.
pub const MAX_POD_TRACE_ROWS: u64 = 10_000_000;

/// Largest pod trace file: 4 GiB (10 000 000 rows of up to about 400
/// bytes). Larger files, and anything that is not a regular file, are
/// refused with exit 2 before reading. A pod trace is read a line at a time,
/// so it has its own limit rather than [`MAX_INPUT_BYTES`].
pub const MAX_POD_TRACE_BYTES: u64 = 4 << 30;

/// Longest row of a pod trace: 64 KiB. A longer line is an error at it (and
/// the reading stops there), so a file without line ends cannot be read
/// into memory whole.
pub const MAX_POD_TRACE_LINE_BYTES: usize = 64 << 10;

/// Most problems reported per pod trace: 100. The validation pass goes on
/// counting past it and says how many more there were.
pub const MAX_POD_TRACE_ERRORS: usize = 100;
