//! Writing a run's results as files, atomically: everything is written into a
//! temporary directory beside the target, which then replaces the target in
//! one rename. An interrupted or failed write leaves no half-written results
//! that look complete.

use crate::metrics::stream::StreamWriters;
use crate::metrics::writers;
use crate::sim::RunReport;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// What produced a run, written as manifest.json: enough to reproduce it.
/// Holds no wall-clock time, so reruns are byte-identical.
pub struct RunManifest<'a> {
    pub scenario_path: &'a str,
    pub scenario_sha256: String,
    pub scenario_name: &'a str,
    pub seed: u64,
    pub explain: Option<&'a str>,
    pub explain_pod: Option<&'a str>,
    pub explain_top: Option<usize>,
}

impl RunManifest<'_> {
    pub fn to_json(&self, report: &RunReport) -> String {
        let value = serde_json::json!({
            "kubesim_version": env!("CARGO_PKG_VERSION"),
            "scenario": {
                "name": self.scenario_name,
                "path": self.scenario_path,
                "sha256": self.scenario_sha256,
            },
            "seed": self.seed,
            "options": {
                "explain": self.explain,
                "explain_pod": self.explain_pod,
                "explain_top": self.explain_top,
            },
            "reproduce": format!("kubesim run {} --seed {}", self.scenario_path, self.seed),
            "outcome": {
                "stop_reason": report.stop_reason.as_str(),
                "sim_end_s": report.end.as_secs_f64(),
                "events_processed": report.events_processed,
            },
        });
        serde_json::to_string_pretty(&value).expect("manifest serializes") + "\n"
    }
}

fn write_file(
    dir: &Path,
    name: &str,
    f: impl FnOnce(&mut BufWriter<fs::File>) -> io::Result<()>,
) -> io::Result<()> {
    let path = dir.join(name);
    let file = fs::File::create(&path)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    let mut w = BufWriter::new(file);
    f(&mut w)?;
    w.flush()
}

/// Fills a fresh temporary directory beside `out_dir` with `fill`, then
/// swaps it in for `out_dir` (the old one removed, the new one renamed into
/// place), so an interrupted or failed write never leaves half-written
/// results; on failure the temporary directory is removed.
pub fn replace_dir(out_dir: &Path, fill: impl FnOnce(&Path) -> io::Result<()>) -> io::Result<()> {
    let parent = out_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", parent.display())))?;
    let name = out_dir
        .file_name()
        .map_or("results".into(), |n| n.to_string_lossy().into_owned());
    remove_stale_temporaries(parent, &name);
    let tmp: PathBuf = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    if tmp.exists() {
        fs::remove_dir_all(&tmp)?;
    }
    fs::create_dir_all(&tmp)?;
    // Removes the temporary directory unless it was renamed into place,
    // also when `fill` panics (a streamed run fills it while it runs).
    struct Cleanup<'a>(&'a Path, bool);
    impl Drop for Cleanup<'_> {
        fn drop(&mut self) {
            if !self.1 {
                let _ = fs::remove_dir_all(self.0);
            }
        }
    }
    let mut cleanup = Cleanup(&tmp, false);
    fill(&tmp)?;
    if out_dir.exists() {
        fs::remove_dir_all(out_dir)?;
    }
    fs::rename(&tmp, out_dir)?;
    cleanup.1 = true;
    Ok(())
}

/// Removes the temporary directories `.NAME.tmp-PID` that runs of the same
/// results directory left when they were killed (a streamed run fills its
/// temporary directory while it runs), if their process is gone. Where
/// processes cannot be looked up (no `/proc`), nothing is removed.
fn remove_stale_temporaries(parent: &Path, name: &str) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let prefix = format!(".{name}.tmp-");
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !proc.join(pid).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Writes every output file of the contract into `out_dir`, replacing it.
pub fn write_results(
    out_dir: &Path,
    report: &RunReport,
    manifest: &RunManifest,
    explain: bool,
) -> io::Result<()> {
    replace_dir(out_dir, |tmp| {
        write_file(tmp, "pods.csv", |w| writers::write_pods(w, &report.state))?;
        write_file(tmp, "events.csv", |w| {
            writers::write_events(w, &report.recorder.events)
        })?;
        write_file(tmp, "nodes.csv", |w| {
            crate::metrics::nodes::write_nodes(w, &report.recorder.nodes.rows, &report.state)
        })?;
        write_file(tmp, "timeseries.csv", |w| {
            writers::write_timeseries(w, &report.recorder.samples)
        })?;
        if !report.state.workloads.is_empty() {
            write_file(tmp, WORKLOADS_CSV, |w| {
                writers::write_workloads(w, &report.state, &report.recorder.workload_samples)
            })?;
        }
        write_rest(tmp, report, manifest, explain)
    })
}

/// Written only when the run had workload objects.
const WORKLOADS_CSV: &str = "workloads.csv";

/// The scratch file of a streamed run's retired pods' rows, inside the
/// temporary directory (removed before it is renamed into place).
const RETIRED_PODS_SCRATCH: &str = ".pods-retired.csv";

/// Runs a simulation that streams its results (`run` is given the writers,
/// e.g. `sim::simulate_streaming`) into a fresh temporary directory beside
/// `out_dir`, finishes the files there and swaps it in for `out_dir`: the
/// same files, byte for byte, as [`write_results`] after [`crate::sim::simulate`],
/// in memory that follows the pods alive. A failed or interrupted run leaves
/// `out_dir` as it was.
pub fn run_streaming(
    out_dir: &Path,
    manifest: &RunManifest,
    explain: bool,
    run: impl FnOnce(StreamWriters) -> RunReport,
) -> io::Result<RunReport> {
    let mut done = None;
    replace_dir(out_dir, |tmp| {
        let writers = StreamWriters {
            events: Box::new(BufWriter::new(create(tmp, "events.csv")?)),
            nodes: Box::new(BufWriter::new(create(tmp, "nodes.csv")?)),
            timeseries: Box::new(BufWriter::new(create(tmp, "timeseries.csv")?)),
            workloads: Box::new(BufWriter::new(create(tmp, WORKLOADS_CSV)?)),
            retired_pods: Box::new(BufWriter::new(create(tmp, RETIRED_PODS_SCRATCH)?)),
        };
        let mut report = run(writers);
        let streams = report.recorder.stream.take().expect("a streamed run");
        streams.events.finish()?;
        streams.timeseries.finish()?;
        streams.workloads.finish()?;
        if report.state.workloads.is_empty() {
            // No workload objects, no workloads.csv (as in memory).
            fs::remove_file(tmp.join(WORKLOADS_CSV))?;
        }
        if let Some(nodes) = report.recorder.nodes.stream.take() {
            nodes.finish()?;
        }
        let spans = streams.retired.finish()?;
        let scratch = tmp.join(RETIRED_PODS_SCRATCH);
        let mut rows = SpanReader::new(fs::File::open(&scratch)?);
        write_file(tmp, "pods.csv", |w| {
            writers::write_pods_with(w, &report.state, |id, buf| {
                let (offset, len) = spans.get(id.0 as usize).copied().unwrap_or_default();
                rows.read(offset, len, buf)
            })
        })?;
        fs::remove_file(&scratch)?;
        write_rest(tmp, &report, manifest, explain)?;
        done = Some(report);
        Ok(())
    })?;
    Ok(done.expect("filled"))
}

fn create(dir: &Path, name: &str) -> io::Result<fs::File> {
    let path = dir.join(name);
    fs::File::create(&path)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

/// Reads rows back from the scratch file through a window. Pods retire
/// roughly in creation order, so reading them back in creation order mostly
/// stays inside the window and the file is read about once. A row more than
/// a little outside the window is a pod that retired long before or after
/// the pods created around it (a Deployment's pod replaced hours later): it
/// is read alone, leaving the window where the next rows are, unless rows
/// keep coming from elsewhere. (Moving the window for such rows re-read the
/// one-day benchmark's 150 MB scratch file about 140 times.)
struct SpanReader {
    file: fs::File,
    window: Vec<u8>,
    start: u64,
    window_bytes: u64,
    /// Rows read alone since the last one inside the window.
    strays: u32,
}

/// Bytes of the scratch file held at once while pods.csv is put together.
const SPAN_WINDOW_BYTES: u64 = 16 << 20;

/// Rows in a row read alone before the window moves to where they are.
const MAX_STRAYS: u32 = 64;

impl SpanReader {
    fn new(file: fs::File) -> Self {
        Self::with_window(file, SPAN_WINDOW_BYTES)
    }

    fn with_window(file: fs::File, window_bytes: u64) -> Self {
        SpanReader {
            file,
            window: Vec::new(),
            start: 0,
            window_bytes,
            strays: 0,
        }
    }

    /// Appends the `len` bytes at `offset` to `out`.
    fn read(&mut self, offset: u64, len: u32, out: &mut Vec<u8>) -> io::Result<()> {
        let end = offset + len as u64;
        let window_end = self.start + self.window.len() as u64;
        if offset < self.start || end > window_end {
            // Rows come back a little out of order around the window (within
            // 512 KiB of the 16 MiB one); a row further away is read alone.
            let near = self.window_bytes / 32;
            let far = end + near < self.start || offset > window_end + near;
            if far && !self.window.is_empty() && self.strays < MAX_STRAYS {
                self.strays += 1;
                return self.read_alone(offset, len, out);
            }
            self.centre_on(offset, end)?;
        }
        self.strays = 0;
        let from = (offset - self.start) as usize;
        out.extend_from_slice(&self.window[from..from + len as usize]);
        Ok(())
    }

    /// Centres the window on the row: rows come back a little out of
    /// order both ways.
    fn centre_on(&mut self, offset: u64, end: u64) -> io::Result<()> {
        use std::io::{Read, Seek, SeekFrom};
        self.start = offset.saturating_sub(self.window_bytes / 2);
        self.file.seek(SeekFrom::Start(self.start))?;
        self.window.clear();
        (&mut self.file)
            .take(self.window_bytes.max(end - self.start))
            .read_to_end(&mut self.window)?;
        if end > self.start + self.window.len() as u64 {
            return Err(short_rows());
        }
        Ok(())
    }

    fn read_alone(&mut self, offset: u64, len: u32, out: &mut Vec<u8>) -> io::Result<()> {
        use std::io::{Read, Seek, SeekFrom};
        self.file.seek(SeekFrom::Start(offset))?;
        let at = out.len();
        out.resize(at + len as usize, 0);
        self.file.read_exact(&mut out[at..]).map_err(|e| {
            out.truncate(at);
            match e.kind() {
                io::ErrorKind::UnexpectedEof => short_rows(),
                _ => e,
            }
        })
    }
}

fn short_rows() -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "the retired pods' rows are shorter than written",
    )
}

/// The files written from the report alike in both modes (timeseries.csv
/// and workloads.csv are streamed or written from the kept samples).
fn write_rest(
    tmp: &Path,
    report: &RunReport,
    manifest: &RunManifest,
    explain: bool,
) -> io::Result<()> {
    {
        write_file(tmp, "manifest.json", |w| {
            w.write_all(manifest.to_json(report).as_bytes())
        })?;
        write_file(tmp, "summary.csv", |w| {
            writers::write_summary(w, &report.summary)
        })?;
        if !report.state.workloads.is_empty() {
            write_file(tmp, "workload_summary.csv", |w| {
                writers::write_workload_summary(w, &report.state, &report.recorder.workload_figures)
            })?;
        }
        if !report.faults.is_empty() {
            write_file(tmp, "faults.csv", |w| {
                crate::metrics::recovery::write_faults(
                    w,
                    &report.faults,
                    &report.recorder.recovery,
                    &report.state,
                )
            })?;
        }
        if explain {
            write_file(tmp, "decisions.csv", |w| {
                writers::write_decisions(w, &report.decisions)
            })?;
            write_file(tmp, "decisions_summary.csv", |w| {
                writers::write_decision_summary(w, &report.explain_summary)
            })?;
        }
        Ok(())
    }
}

/// SHA-256 of the scenario text, for the manifest (a small self-contained
/// implementation of FIPS 180-4, so the manifest needs no extra dependency).
pub fn sha256_hex(data: &[u8]) -> String {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut msg = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_be_bytes());
    for block in msg.chunks(64) {
        let mut w = [0u32; 64];
        for i in 0..16 {
            w[i] = u32::from_be_bytes([
                block[4 * i],
                block[4 * i + 1],
                block[4 * i + 2],
                block[4 * i + 3],
            ]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let mut v = h;
        for i in 0..64 {
            let s1 = v[4].rotate_right(6) ^ v[4].rotate_right(11) ^ v[4].rotate_right(25);
            let ch = (v[4] & v[5]) ^ (!v[4] & v[6]);
            let t1 = v[7]
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = v[0].rotate_right(2) ^ v[0].rotate_right(13) ^ v[0].rotate_right(22);
            let maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
            let t2 = s0.wrapping_add(maj);
            v = [
                t1.wrapping_add(t2),
                v[0],
                v[1],
                v[2],
                v[3].wrapping_add(t1),
                v[4],
                v[5],
                v[6],
            ];
        }
        for (a, b) in h.iter_mut().zip(v) {
            *a = a.wrapping_add(b);
        }
    }
    h.iter().map(|x| format!("{x:08x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dead_run_s_temporary_directory_is_removed_and_a_live_one_kept() {
        let base = std::env::temp_dir().join(format!("kubesim-stale-{}", std::process::id()));
        let _ = fs::remove_dir_all(&base);
        fs::create_dir_all(&base).unwrap();
        // No process has pid 4294967295; this process is alive.
        let dead = base.join(".out.tmp-4294967295");
        let live = base.join(format!(".other.tmp-{}", std::process::id()));
        let unrelated = base.join(".out.tmp-notapid");
        for d in [&dead, &live, &unrelated] {
            fs::create_dir_all(d).unwrap();
            fs::write(d.join("events.csv"), "half").unwrap();
        }
        replace_dir(&base.join("out"), |tmp| fs::write(tmp.join("a"), "x")).unwrap();
        assert!(
            !dead.exists(),
            "a killed run's temporary directory is removed"
        );
        assert!(live.exists() && unrelated.exists());
        assert_eq!(fs::read(base.join("out/a")).unwrap(), b"x");
        fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn rows_read_back_in_any_order_through_a_small_window() {
        let path = std::env::temp_dir().join(format!("kubesim-spans-{}", std::process::id()));
        let mut bytes = Vec::new();
        let mut spans = Vec::new();
        for i in 0..500u32 {
            let row = format!("pod-{i},{}\n", "x".repeat((i % 37) as usize));
            spans.push((bytes.len() as u64, row.len() as u32));
            bytes.extend_from_slice(row.as_bytes());
        }
        fs::write(&path, &bytes).unwrap();
        // Forwards, backwards and jumping about, with windows smaller and
        // larger than a row.
        let mut order: Vec<usize> = (0..500).collect();
        order.extend((0..500).rev());
        order.extend((0..500).map(|i| (i * 211) % 500));
        for window in [8, 64, 1 << 20] {
            let mut reader = SpanReader::with_window(fs::File::open(&path).unwrap(), window);
            for &i in &order {
                let (offset, len) = spans[i];
                let mut out = Vec::new();
                reader.read(offset, len, &mut out).unwrap();
                assert_eq!(out, &bytes[offset as usize..][..len as usize], "row {i}");
            }
        }
        // Past the end of the file: an error, not a short row, whether the
        // window moves there or the row is read alone.
        let mut reader = SpanReader::new(fs::File::open(&path).unwrap());
        assert!(reader
            .read(bytes.len() as u64 - 2, 10, &mut Vec::new())
            .is_err());
        let mut reader = SpanReader::with_window(fs::File::open(&path).unwrap(), 8);
        reader
            .read(spans[0].0, spans[0].1, &mut Vec::new())
            .unwrap();
        let mut out = b"kept".to_vec();
        assert!(reader.read(bytes.len() as u64 - 2, 10, &mut out).is_err());
        assert_eq!(out, b"kept");
        fs::remove_file(&path).unwrap();
    }

    #[test]
    fn a_panicking_fill_leaves_no_temporary_directory() {
        let base = std::env::temp_dir().join(format!("kubesim-panic-{}", std::process::id()));
        let _ = fs::remove_dir_all(&base);
        fs::create_dir_all(&base).unwrap();
        let out = base.join("out");
        let panicked = std::panic::catch_unwind(|| {
            replace_dir(&out, |tmp| {
                fs::write(tmp.join("events.csv"), "half").unwrap();
                panic!("the run failed");
            })
        });
        assert!(panicked.is_err());
        assert_eq!(fs::read_dir(&base).unwrap().count(), 0, "nothing left");
        fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn sha256_matches_known_vectors() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
