//! The pod trace: a CSV file, one row per pod, that the full simulation
//! (scheduler, kubelet, controllers) reads as it runs. Columns are found by
//! header name; a row is a [`PodRow`], the same whichever of the two formats
//! the file is written in:
//!
//! - `kubesim` (documented in `docs/scenario-format.md#pod-traces`): fractional
//!   seconds, Kubernetes quantities, labels, limits, extended resources, a
//!   priority class, an exit code and the name of a Pod template;
//! - `openb`: the pod list of the Alibaba openb trace (`creation_time`,
//!   `deletion_time - creation_time` as the run time, `cpu_milli`,
//!   `memory_mib`, `num_gpu`/`gpu_milli`/`gpu_spec` as the GPU share).
//!
//! The reader streams: it holds one line at a time, never the rows read
//! before, so a trace of millions of pods costs the memory of one row. Every
//! malformed cell is reported at `file:line:column` with the column's name,
//! what was found and what was expected; rows must come in non-decreasing
//! creation time. What a row means for a Pod (its template, priority class,
//! behaviour) is the scenario's business (`scenario::pod_trace`).

use super::csv_rows::{gpu_request_problem, split, split_spans};
use crate::engine::SimDuration;
use crate::input::decode::did_you_mean;
use crate::input::diagnostic::{Diagnostic, Pos};
use crate::limits::{MAX_POD_TRACE_BYTES, MAX_POD_TRACE_LINE_BYTES, MAX_POD_TRACE_ROWS};
use crate::model::gpu_share;
use crate::model::labels::{is_dns1123_label, is_dns1123_subdomain};
use crate::model::labels::{validate_label_key, validate_label_value};
use crate::model::quantity::{parse_milli, parse_quantity_scaled, parse_units};
use cells::RowCells;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// How a pod trace file is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TraceFormat {
    #[default]
    Kubesim,
    Openb,
}

impl TraceFormat {
    pub fn parse(text: &str) -> Option<TraceFormat> {
        match text {
            "kubesim" => Some(TraceFormat::Kubesim),
            "openb" => Some(TraceFormat::Openb),
            _ => None,
        }
    }
}

/// What a row can say about its pod; each is written in one column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Creation,
    Name,
    Namespace,
    Labels,
    Cpu,
    Memory,
    CpuLimit,
    MemoryLimit,
    Extended,
    GpuMilli,
    GpuCount,
    GpuModels,
    PriorityClass,
    RunTime,
    ExitCode,
    Template,
    /// openb's `deletion_time`: the run time is measured from the creation.
    Deletion,
    /// A column of the format that kubesim reads but does not use (openb's
    /// `qos`, `pod_phase`, `scheduled_time`).
    Ignored,
}

const N_FIELDS: usize = Field::Ignored as usize + 1;

/// The `kubesim` format's columns, in the order the docs list them; only
/// `creation_time_s` is required.
pub const KUBESIM_COLUMNS: [(&str, Field); 16] = [
    ("creation_time_s", Field::Creation),
    ("name", Field::Name),
    ("namespace", Field::Namespace),
    ("labels", Field::Labels),
    ("cpu", Field::Cpu),
    ("memory", Field::Memory),
    ("cpu_limit", Field::CpuLimit),
    ("memory_limit", Field::MemoryLimit),
    ("extended", Field::Extended),
    ("gpu_milli", Field::GpuMilli),
    ("gpu_count", Field::GpuCount),
    ("gpu_models", Field::GpuModels),
    ("priority_class", Field::PriorityClass),
    ("run_time_s", Field::RunTime),
    ("exit_code", Field::ExitCode),
    ("template", Field::Template),
];

/// The openb pod list's columns (`traces/openb/README.md`); `num_gpu` and
/// `gpu_milli` are read together as the GPU share.
pub const OPENB_COLUMNS: [(&str, Field); 11] = [
    ("name", Field::Name),
    ("cpu_milli", Field::Cpu),
    ("memory_mib", Field::Memory),
    ("num_gpu", Field::GpuCount),
    ("gpu_milli", Field::GpuMilli),
    ("gpu_spec", Field::GpuModels),
    ("qos", Field::Ignored),
    ("pod_phase", Field::Ignored),
    ("creation_time", Field::Creation),
    ("deletion_time", Field::Deletion),
    ("scheduled_time", Field::Ignored),
];

/// One pod of the trace, as written; absent cells are `None` (the template's
/// value, or the default, applies).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PodRow {
    pub line: u32,
    /// The data row's number from 0 (names pods that have none).
    pub index: u64,
    /// From the trace's start.
    pub creation: SimDuration,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub labels: Vec<(String, String)>,
    pub cpu_millis: Option<i64>,
    pub memory_bytes: Option<i64>,
    pub cpu_limit_millis: Option<i64>,
    pub memory_limit_bytes: Option<i64>,
    /// Extended resources (`nvidia.com/gpu=1`), whole units, requested and limited alike.
    pub extended: Vec<(String, i64)>,
    pub gpu_milli: Option<i32>,
    pub gpu_count: Option<u8>,
    pub gpu_models: Option<String>,
    pub priority_class: Option<String>,
    /// `None`: the template's (or, without one, until the end of the run).
    pub run_time: Option<SimDuration>,
    pub exit_code: Option<i32>,
    pub template: Option<String>,
    /// Where each field's cell starts (1-based column; 0 when the file has
    /// no such column), and its column's name, for later located errors.
    columns: [(u32, &'static str); N_FIELDS],
}

impl PodRow {
    /// The column of `field`'s cell on this row and the column's name
    /// (column 1 and "" when the file has none).
    pub fn at(&self, field: Field) -> (Pos, &'static str) {
        let (column, name) = self.columns[field as usize];
        (Pos::new(self.line, column.max(1)), name)
    }
}

/// Reads a pod trace one row at a time.
pub struct PodTraceReader<R> {
    file: String,
    input: R,
    format: TraceFormat,
    /// Per header column: its name and field.
    header: Vec<(&'static str, Field)>,
    line: u32,
    rows: u64,
    last_creation: Option<(SimDuration, u32)>,
    /// The line being read; its allocation is reused from row to row.
    buf: Vec<u8>,
    /// The current row's fields (byte range and 1-based column), reused.
    fields: Vec<(usize, usize, u32)>,
    /// The SHA-256 of every byte read, when asked for ([`open_hashing`]).
    digest: Option<sha2::Sha256>,
    done: bool,
}

/// Opens a trace file for streaming: a regular file within
/// [`MAX_POD_TRACE_BYTES`], whose header is read and checked here.
pub fn open(
    path: &Path,
    format: TraceFormat,
) -> Result<PodTraceReader<BufReader<File>>, Vec<Diagnostic>> {
    open_reader(path, format, false)
}

/// [`open`], hashing every byte read: [`PodTraceReader::sha256`] is the
/// file's SHA-256 once every row has been read.
pub fn open_hashing(
    path: &Path,
    format: TraceFormat,
) -> Result<PodTraceReader<BufReader<File>>, Vec<Diagnostic>> {
    open_reader(path, format, true)
}

fn open_reader(
    path: &Path,
    format: TraceFormat,
    hashing: bool,
) -> Result<PodTraceReader<BufReader<File>>, Vec<Diagnostic>> {
    let file = path.display().to_string();
    let whole = |message: String| vec![Diagnostic::new(&file, Pos::default(), "", message)];
    let f = File::open(path).map_err(|e| whole(format!("cannot read the pod trace: {e}")))?;
    let meta = f
        .metadata()
        .map_err(|e| whole(format!("cannot read the pod trace: {e}")))?;
    if !meta.is_file() {
        return Err(whole(
            "cannot read the pod trace: not a regular file (kubesim reads only regular files)"
                .into(),
        ));
    }
    if meta.len() > MAX_POD_TRACE_BYTES {
        return Err(whole(format!(
            "cannot read the pod trace: {} bytes, larger than the limit of {} GiB on a pod trace",
            meta.len(),
            MAX_POD_TRACE_BYTES >> 30
        )));
    }
    PodTraceReader::with_digest(file, BufReader::with_capacity(1 << 16, f), format, hashing)
}

impl<R: BufRead> PodTraceReader<R> {
    /// Reads the header: every column must be one the format knows, once,
    /// and the required ones must be there.
    pub fn new(file: String, input: R, format: TraceFormat) -> Result<Self, Vec<Diagnostic>> {
        Self::with_digest(file, input, format, false)
    }

    fn with_digest(
        file: String,
        input: R,
        format: TraceFormat,
        hashing: bool,
    ) -> Result<Self, Vec<Diagnostic>> {
        use sha2::Digest;
        let mut reader = PodTraceReader {
            file,
            input,
            format,
            header: Vec::new(),
            line: 0,
            rows: 0,
            last_creation: None,
            buf: Vec::new(),
            fields: Vec::new(),
            digest: hashing.then(sha2::Sha256::new),
            done: false,
        };
        let known: &[(&str, Field)] = match format {
            TraceFormat::Kubesim => &KUBESIM_COLUMNS,
            TraceFormat::Openb => &OPENB_COLUMNS,
        };
        let mut errors = Vec::new();
        let header_text = loop {
            match reader.read_line() {
                Err(e) => return Err(vec![e]),
                Ok(None) => {
                    return Err(vec![Diagnostic::new(
                        &reader.file,
                        Pos::new(1, 1),
                        "",
                        format!(
                            "empty pod trace: expected a header row naming the columns, such as {}",
                            known.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(",")
                        ),
                    )])
                }
                Ok(Some(text)) if text.trim().is_empty() => continue,
                Ok(Some(text)) => break text,
            }
        };
        for (name, column) in split(&header_text).0 {
            let name = name.trim();
            match known.iter().find(|(n, _)| *n == name) {
                Some(&(n, field)) => {
                    if reader.header.iter().any(|(h, _)| *h == n) {
                        errors.push(reader.error(
                            column,
                            name,
                            "this column is named twice; expected each column once".into(),
                        ));
                    }
                    reader.header.push((n, field));
                }
                None => {
                    let names: Vec<&str> = known.iter().map(|(n, _)| *n).collect();
                    let hint = did_you_mean(name, &names)
                        .map_or(String::new(), |s| format!(" (did you mean `{s}`?)"));
                    errors.push(reader.error(
                        column,
                        name,
                        format!(
                            "unknown column {name:?}{hint}; expected columns of the {} format: {}",
                            match format {
                                TraceFormat::Kubesim => "kubesim",
                                TraceFormat::Openb => "openb",
                            },
                            names.join(", ")
                        ),
                    ));
                    reader.header.push(("", Field::Ignored));
                }
            }
        }
        let required: &[&str] = match format {
            TraceFormat::Kubesim => &["creation_time_s"],
            TraceFormat::Openb => &["name", "cpu_milli", "memory_mib", "creation_time"],
        };
        for r in required {
            if !reader.header.iter().any(|(h, _)| h == r) {
                errors.push(Diagnostic::new(
                    &reader.file,
                    Pos::new(reader.line, 1),
                    "",
                    format!(
                        "the header has no column `{r}`; expected at least: {}",
                        required.join(",")
                    ),
                ));
            }
        }
        if errors.is_empty() {
            Ok(reader)
        } else {
            Err(errors)
        }
    }

    /// The file's name as messages give it.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Data rows read so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The SHA-256 (lowercase hex) of the bytes read so far, if the reader
    /// hashes them ([`open_hashing`]): the file's, once it is read through.
    pub fn sha256(&self) -> Option<String> {
        use sha2::Digest;
        self.digest
            .as_ref()
            .map(|d| format!("{:x}", d.clone().finalize()))
    }

    fn error(&self, column: u32, field: &str, message: String) -> Diagnostic {
        Diagnostic::new(&self.file, Pos::new(self.line, column), field, message)
    }

    /// The next line, without its end; `None` at the end of the file. A line
    /// longer than [`MAX_POD_TRACE_LINE_BYTES`] or not UTF-8 is an error at it.
    fn read_line(&mut self) -> Result<Option<String>, Diagnostic> {
        self.buf.clear();
        self.line = self.line.saturating_add(1);
        let limit = MAX_POD_TRACE_LINE_BYTES as u64 + 1;
        let n = (&mut self.input)
            .take(limit)
            .read_until(b'\n', &mut self.buf)
            .map_err(|e| self.error(1, "", format!("cannot read the pod trace: {e}")))?;
        if n == 0 {
            return Ok(None);
        }
        if let Some(d) = &mut self.digest {
            sha2::Digest::update(d, &self.buf);
        }
        if self.buf.len() as u64 > MAX_POD_TRACE_LINE_BYTES as u64
            && self.buf.last() != Some(&b'\n')
        {
            return Err(self.error(
                1,
                "",
                format!(
                    "a row longer than {MAX_POD_TRACE_LINE_BYTES} bytes; expected one pod per line"
                ),
            ));
        }
        while matches!(self.buf.last(), Some(b'\n' | b'\r')) {
            self.buf.pop();
        }
        // The buffer becomes the line without a copy; `next_row` gives it back.
        match String::from_utf8(std::mem::take(&mut self.buf)) {
            Ok(t) => Ok(Some(t)),
            Err(e) => {
                self.buf = e.into_bytes();
                let e = std::str::from_utf8(&self.buf).expect_err("not UTF-8");
                let valid = &self.buf[..e.valid_up_to()];
                let column = String::from_utf8_lossy(valid).chars().count() as u32 + 1;
                Err(self.error(
                    column,
                    "",
                    format!(
                        "the pod trace is not valid UTF-8: byte 0x{:02x}; save the file as UTF-8",
                        self.buf[e.valid_up_to()]
                    ),
                ))
            }
        }
    }

    /// The next row, or every problem with it; `None` after the last row
    /// (or after a problem that stops the reading: an unreadable line, the
    /// row limit).
    pub fn next_row(&mut self) -> Option<Result<PodRow, Vec<Diagnostic>>> {
        if self.done {
            return None;
        }
        let text = loop {
            match self.read_line() {
                Err(e) => {
                    // The file cannot be read past here: a line too long has no known end.
                    self.done = true;
                    return Some(Err(vec![e]));
                }
                Ok(None) => {
                    self.done = true;
                    return None;
                }
                Ok(Some(t)) if t.trim().is_empty() => {
                    self.buf = t.into_bytes();
                    continue;
                }
                Ok(Some(t)) => break t,
            }
        };
        if self.rows >= MAX_POD_TRACE_ROWS {
            self.done = true;
            return Some(Err(vec![self.error(
                1,
                "",
                format!(
                    "more than {MAX_POD_TRACE_ROWS} rows; a pod trace holds at most that many pods"
                ),
            )]));
        }
        let index = self.rows;
        self.rows += 1;
        let mut cells = RowCells {
            reader: self,
            errors: Vec::new(),
        };
        let row = cells.decode(&text, index);
        let errors = cells.errors;
        self.buf = text.into_bytes();
        if errors.is_empty() {
            Some(Ok(row))
        } else {
            Some(Err(errors))
        }
    }
}

mod cells;

#[cfg(test)]
mod tests;
