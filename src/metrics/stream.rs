//! Streaming a run's long outputs while it runs, so that a long run's memory
//! follows the pods alive rather than every pod and event it ever had:
//! events.csv, nodes.csv, timeseries.csv and workloads.csv rows are written
//! as they happen (the files are in time order), and a finished pod's pods.csv row is written when its
//! entry is retired, to a scratch stream from which pods.csv is put together
//! in creation order at the end (`output`). The writers are `impl Write`
//! given by the caller; nothing here opens files.

use super::csv_line::CsvLine;
use super::events::EventRow;
use super::rows::RowFormatter;
use crate::engine::SimTime;
use crate::model::{ClusterState, PodEntry, PodId};
use std::io::{self, Write};

/// Where a streamed output goes.
pub type Sink = Box<dyn Write + Send>;

/// The writers of a streamed run: events.csv, nodes.csv, timeseries.csv
/// and workloads.csv as they will be in the results, and a scratch stream
/// for the rows of retired pods.
pub struct StreamWriters {
    pub events: Sink,
    pub nodes: Sink,
    pub timeseries: Sink,
    pub workloads: Sink,
    pub retired_pods: Sink,
}

impl StreamWriters {
    /// Writers that drop everything (a sweep's runs keep only the summary).
    pub fn discard() -> Self {
        StreamWriters {
            events: Box::new(io::sink()),
            nodes: Box::new(io::sink()),
            timeseries: Box::new(io::sink()),
            workloads: Box::new(io::sink()),
            retired_pods: Box::new(io::sink()),
        }
    }
}

/// A CSV file written row by row; the first write error is kept and
/// reported by [`CsvSink::finish`] (the run goes on, its results are not
/// written).
pub struct CsvSink {
    out: io::BufWriter<Sink>,
    line: CsvLine,
    error: Option<io::Error>,
}

impl CsvSink {
    pub fn new(w: Sink, header: &[&str]) -> Self {
        let mut sink = CsvSink {
            out: io::BufWriter::with_capacity(1 << 16, w),
            line: CsvLine::default(),
            error: None,
        };
        sink.write(header);
        sink
    }

    pub fn write<I, T>(&mut self, record: I)
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.write_line(|line| {
            for f in record {
                line.field(f);
            }
        });
    }

    /// Writes the line `fill` puts together field by field.
    pub fn write_line(&mut self, fill: impl FnOnce(&mut CsvLine)) {
        if self.error.is_none() {
            self.line.clear();
            fill(&mut self.line);
            if let Err(e) = self.out.write_all(self.line.end()) {
                self.error = Some(e);
            }
        }
    }

    pub fn finish(mut self) -> io::Result<()> {
        match self.error.take() {
            Some(e) => Err(e),
            None => self.out.flush(),
        }
    }
}

/// The pods.csv rows of retired pods, in the order they were retired, and
/// where each one is in that stream.
pub struct RetiredRows {
    out: Sink,
    rows: RowFormatter,
    written_bytes: u64,
    /// By pod id: the offset and length of its row (zero length: not retired).
    pub spans: Vec<(u64, u32)>,
    error: Option<io::Error>,
}

impl RetiredRows {
    pub fn new(out: Sink) -> Self {
        RetiredRows {
            out,
            rows: RowFormatter::default(),
            written_bytes: 0,
            spans: Vec::new(),
            error: None,
        }
    }

    pub fn write(&mut self, id: PodId, entry: &PodEntry, state: &ClusterState) {
        let row = self.rows.pod(entry, state);
        let idx = id.0 as usize;
        if self.spans.len() <= idx {
            self.spans.resize(idx + 1, (0, 0));
        }
        self.spans[idx] = (self.written_bytes, row.len() as u32);
        self.written_bytes += row.len() as u64;
        if self.error.is_none() {
            if let Err(e) = self.out.write_all(row) {
                self.error = Some(e);
            }
        }
    }

    /// Flushes the stream; the spans of the rows in it.
    pub fn finish(mut self) -> io::Result<Vec<(u64, u32)>> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.flush()?;
        Ok(self.spans)
    }
}

/// The streams of a run: events.csv, the samples' rows and the retired
/// pods' rows (nodes.csv streams from the node timeline).
pub struct Streams {
    pub events: CsvSink,
    pub timeseries: CsvSink,
    pub workloads: CsvSink,
    pub retired: RetiredRows,
}

/// The figures summary.csv needs from the pods retired so far: their
/// pending and startup times (percentiles need every value) and the sums.
#[derive(Clone, Debug, Default)]
pub struct RetiredFigures {
    pub pods: u64,
    pub pending_s: Vec<f64>,
    pub startup_s: Vec<f64>,
    pub scheduling_attempts: i64,
    pub restarts: i64,
}

/// A pod's contribution to the summary's pending and startup times:
/// pending from creation to binding for a pod that went through the
/// scheduler (still pending at `end`: the time it waited so far; deleted
/// before binding: none); startup from creation until all its containers
/// ran, less its image pulls.
pub fn pod_times(entry: &PodEntry, end: SimTime) -> (Option<f64>, Option<f64>) {
    let pending = if entry.pod.spec.node_name.is_some() {
        None // never went through the scheduler
    } else {
        match entry.status.conditions.pod_scheduled {
            Some(t) => Some(t.since(entry.created).as_secs_f64()),
            None if entry.deleted.is_none() => Some(end.since(entry.created).as_secs_f64()),
            None => None,
        }
    };
    let startup = (entry.pod.spec.node_name.is_none())
        .then_some(entry.started)
        .flatten()
        .map(|t| {
            // SIG Scalability's pod startup latency leaves image pulls out.
            let pulls = entry.image_pull.0.min(t.since(entry.created).0);
            (t.since(entry.created).0 - pulls) as f64 / 1e6
        });
    (pending, startup)
}

impl RetiredFigures {
    /// Keeps what the summary needs of a pod being retired. Only pods whose
    /// figures no longer depend on the end of the run are retired. A pod
    /// created before `warmup` leaves its pending and startup times out.
    pub fn add(&mut self, entry: &PodEntry, warmup: SimTime) {
        self.pods += 1;
        if entry.created >= warmup {
            let (pending, startup) = pod_times(entry, SimTime::ZERO);
            self.pending_s.extend(pending);
            self.startup_s.extend(startup);
        }
        self.scheduling_attempts += entry.scheduling_attempts as i64;
        self.restarts += entry.status.restarts() as i64;
    }
}

/// Records an event to the stream (the fields of [`super::rows::with_event_row`]).
pub fn write_event(sink: &mut CsvSink, e: &EventRow) {
    sink.write_line(|line| {
        line.at(e.event.time)
            .field(e.event.kind)
            .field(&e.event.object)
            .field(e.event.reason.as_bytes())
            .field(&e.event.message)
            .int(e.count)
            .at(e.first_time);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A disk that is full.
    struct Full;
    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::other("no space left on device"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_write_error_during_the_run_is_reported_at_the_end() {
        let mut events = CsvSink::new(Box::new(Full), &["a", "b"]);
        for _ in 0..10_000 {
            events.write(["x", "y"]); // past the CSV writer's buffer
        }
        let err = events.finish().unwrap_err();
        assert!(err.to_string().contains("no space left"), "{err}");

        let mut state = ClusterState::default();
        let id = state.add_pod(crate::model::pod::fixtures::pod("p").build(), SimTime::ZERO);
        let mut rows = RetiredRows::new(Box::new(Full));
        rows.write(id, state.pod(id), &state);
        assert!(rows.finish().is_err());
    }

    #[test]
    fn retired_rows_record_where_each_row_is() {
        let mut state = ClusterState::default();
        let a = state.add_pod(crate::model::pod::fixtures::pod("a").build(), SimTime::ZERO);
        let b = state.add_pod(
            crate::model::pod::fixtures::pod("bb").build(),
            SimTime::ZERO,
        );
        #[derive(Clone, Default)]
        struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
        impl Write for Shared {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let out = Shared::default();
        let mut rows = RetiredRows::new(Box::new(out.clone()));
        // Retired out of creation order.
        rows.write(b, state.pod(b), &state);
        rows.write(a, state.pod(a), &state);
        let spans = rows.finish().unwrap();
        let bytes = out.0.lock().unwrap().clone();
        let row = |(o, l): (u64, u32)| {
            String::from_utf8(bytes[o as usize..][..l as usize].to_vec()).unwrap()
        };
        assert!(row(spans[a.0 as usize]).starts_with("a,default,"));
        assert!(row(spans[b.0 as usize]).starts_with("bb,default,"));
        assert_eq!(spans[b.0 as usize].0, 0);
    }
}
