//! Writing a run's results as files, atomically: everything is written into a
//! temporary directory beside the target, which then replaces the target in
//! one rename. An interrupted or failed write leaves no half-written results
//! that look complete.

use crate::metrics::stream::StreamWriters;
use crate::metrics::writers;
use crate::sim::RunReport;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::Path;

mod replace;
pub use replace::{
    at, claim, is_temporary, replace_dir, results_kind, scratch_name, write_atomic, Claim, Refusal,
    ResultsKind, CHARTS_DIR, RUNS_DIR,
};

/// What produced a run, written as manifest.json: enough to reproduce it.
/// Holds no wall-clock time, so reruns are byte-identical.
pub struct RunManifest<'a> {
    pub scenario_path: &'a str,
    pub scenario_sha256: String,
    pub scenario_name: &'a str,
    /// The other files the scenario read (`Scenario::input_files`).
    pub inputs: &'a [crate::input::source::InputFile],
    pub seed: u64,
    pub explain: Option<&'a str>,
    pub explain_pod: Option<&'a str>,
    pub explain_top: Option<usize>,
}

impl RunManifest<'_> {
    pub fn to_json(&self, report: &RunReport) -> String {
        let mut value = serde_json::json!({
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
                "events": report.recorder.events_mode.name(),
            },
            "reproduce": format!("kubesim run {} --seed {}", self.scenario_path, self.seed),
            "outcome": {
                "stop_reason": report.stop_reason.as_str(),
                "sim_end_s": report.end.as_secs_f64(),
                "events_processed": report.events_processed,
            },
        });
        if !self.inputs.is_empty() {
            // serde_json keeps keys sorted: `inputs` comes first;
            // absent when the scenario read no other file.
            value["inputs"] = serde_json::json!(self.inputs);
        }
        serde_json::to_string_pretty(&value).expect("manifest serializes") + "\n"
    }
}

fn write_file(
    dir: &Path,
    name: &str,
    f: impl FnOnce(&mut BufWriter<fs::File>) -> io::Result<()>,
) -> io::Result<()> {
    let path = dir.join(name);
    let file = fs::File::create(&path).map_err(at(&path))?;
    let mut w = BufWriter::new(file);
    f(&mut w)?;
    w.flush()
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
        if !report.state.workloads().is_empty() {
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
        if !report.input_errors.is_empty() {
            // An input changed during the run: its results are not written.
            let errors = crate::input::diagnostic::Diagnostics::new(report.input_errors.clone());
            return Err(io::Error::new(io::ErrorKind::InvalidData, errors));
        }
        let streams = report.recorder.stream.take().expect("a streamed run");
        streams.events.finish()?;
        streams.timeseries.finish()?;
        streams.workloads.finish()?;
        if report.state.workloads().is_empty() {
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
    fs::File::create(&path).map_err(at(&path))
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
        if !report.state.workloads().is_empty() {
            write_file(tmp, "workload_summary.csv", |w| {
                writers::write_workload_summary(w, &report.state, &report.recorder.workload_figures)
            })?;
        }
        if !report.autoscalers.hpas.is_empty() {
            write_file(tmp, "autoscalers.csv", |w| {
                crate::metrics::service_load::write_autoscalers(w, &report.autoscalers)
            })?;
        }
        if !report.autoscalers.loads.is_empty() {
            write_file(tmp, "service_load.csv", |w| {
                crate::metrics::service_load::write_service_load(
                    w,
                    &report.autoscalers,
                    &report.service_load,
                )
            })?;
            write_file(tmp, "service_load_summary.csv", |w| {
                crate::metrics::service_load::write_service_load_summary(
                    w,
                    &report.autoscalers,
                    &report.service_load,
                )
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
        if let Some(rows) = &report.autoscaler {
            write_file(tmp, "autoscaler.csv", |w| {
                crate::autoscaler::rows::write_autoscaler(w, rows)
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

/// SHA-256 of the scenario text, for the manifest, as lowercase hex.
pub use crate::input::source::sha256_hex;

#[cfg(test)]
mod tests {
    /// Every file a run writes is one kubesim knows as its own, so that the
    /// next run into the directory may replace it (a file missing from the
    /// list makes every later run into the directory refuse).
    #[test]
    fn every_file_a_run_writes_is_known_as_kubesim_s_own() {
        let source = include_str!("output.rs");
        let written: Vec<&str> = source
            .split("write_file(tmp, \"")
            .skip(1)
            .map(|rest| &rest[..rest.find('"').unwrap()])
            .collect();
        assert!(written.len() > 10, "found only {written:?}");
        for name in written {
            assert!(
                super::replace::RUN_FILES.contains(&name),
                "{name} is written but not in RUN_FILES"
            );
        }
    }

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
