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

use super::csv_rows::gpu_request_problem;
use crate::engine::SimDuration;
use crate::input::diagnostic::{Diagnostic, Pos};
use crate::limits::{MAX_POD_TRACE_BYTES, MAX_POD_TRACE_LINE_BYTES, MAX_POD_TRACE_ROWS};
use crate::model::gpu_share;
use crate::model::labels::{is_dns1123_label, is_dns1123_subdomain};
use crate::model::labels::{validate_label_key, validate_label_value};
use crate::model::quantity::{parse_milli, parse_quantity_scaled, parse_units};
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
    buf: Vec<u8>,
    done: bool,
}

/// Opens a trace file for streaming: a regular file within
/// [`MAX_POD_TRACE_BYTES`], whose header is read and checked here.
pub fn open(
    path: &Path,
    format: TraceFormat,
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
    PodTraceReader::new(file, BufReader::with_capacity(1 << 16, f), format)
}

impl<R: BufRead> PodTraceReader<R> {
    /// Reads the header: every column must be one the format knows, once,
    /// and the required ones must be there.
    pub fn new(file: String, input: R, format: TraceFormat) -> Result<Self, Vec<Diagnostic>> {
        let mut reader = PodTraceReader {
            file,
            input,
            format,
            header: Vec::new(),
            line: 0,
            rows: 0,
            last_creation: None,
            buf: Vec::new(),
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
        for (name, column) in split(&header_text) {
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
                    let hint = suggest(name, &names)
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
        match std::str::from_utf8(&self.buf) {
            Ok(t) => Ok(Some(t.to_string())),
            Err(e) => {
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
                Ok(Some(t)) if t.trim().is_empty() => continue,
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
        if errors.is_empty() {
            Some(Ok(row))
        } else {
            Some(Err(errors))
        }
    }
}

/// The known column closest to an unknown one: at most two edits (and at
/// most half its length) away, the earlier on a tie.
fn suggest<'a>(found: &str, known: &[&'a str]) -> Option<&'a str> {
    // A long cell cannot be two edits from a short name; skip the distance table.
    if found.chars().count() > 20 {
        return None;
    }
    let lower = found.to_lowercase();
    known
        .iter()
        .map(|k| (strsim::osa_distance(&lower, k), *k))
        .filter(|(d, k)| *d <= 2 && d * 2 <= k.len().max(found.len()))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Splits a line at commas: each field and its 1-based column.
fn split(line: &str) -> Vec<(&str, u32)> {
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut start_column = 1u32;
    for (column, (i, c)) in (1u32..).zip(line.char_indices()) {
        if c == ',' {
            out.push((&line[start..i], start_column));
            start = i + 1;
            start_column = column + 1;
        }
    }
    out.push((&line[start..], start_column));
    out
}

/// Decodes one row's cells, collecting its problems.
struct RowCells<'a, R> {
    reader: &'a mut PodTraceReader<R>,
    errors: Vec<Diagnostic>,
}

impl<R: BufRead> RowCells<'_, R> {
    fn fail(&mut self, column: u32, name: &str, message: String) {
        self.errors.push(self.reader.error(column, name, message));
    }

    fn decode(&mut self, text: &str, index: u64) -> PodRow {
        let mut row = PodRow {
            line: self.reader.line,
            index,
            ..Default::default()
        };
        if let Some(col) = text.find('"') {
            let column = text[..col].chars().count() as u32 + 1;
            self.fail(
                column,
                "",
                "found a quoted field; pod traces are plain comma-separated values without quotes \
                 (lists inside a cell are separated by `;`)"
                    .into(),
            );
            return row;
        }
        let fields = split(text);
        let end_column = text.chars().count() as u32 + 1;
        let header = self.reader.header.clone();
        if fields.len() > header.len() {
            let (_, column) = fields[header.len()];
            self.fail(
                column,
                "",
                format!(
                    "the row has {} fields, the header {}; expected one field per column",
                    fields.len(),
                    header.len()
                ),
            );
        }
        let mut deletion: Option<(i64, u32)> = None;
        let mut openb_gpu: (Option<i64>, Option<i64>) = (None, None);
        for (i, &(name, field)) in header.iter().enumerate() {
            let Some(&(raw, column)) = fields.get(i) else {
                self.fail(
                    end_column,
                    name,
                    format!(
                        "missing column `{name}`: the row has {} field(s), the header {}",
                        fields.len(),
                        header.len()
                    ),
                );
                continue;
            };
            row.columns[field as usize] = (column, name);
            let value = raw.trim();
            // Where the value starts, past leading blanks.
            let column = column + (raw.len() - raw.trim_start().len()) as u32;
            let openb = self.reader.format == TraceFormat::Openb;
            match field {
                Field::Creation => {
                    let t = if openb {
                        self.integer(value, column, name, 0, i64::MAX)
                            .map(|s| SimDuration::from_secs(s as u64))
                    } else {
                        self.seconds(value, column, name, true)
                    };
                    if let Some(t) = t {
                        row.creation = t;
                        if let Some((last, line)) = self.reader.last_creation {
                            if t < last {
                                self.fail(
                                    column,
                                    name,
                                    format!(
                                        "found {value}, earlier than {} on line {line}; expected rows in \
                                         non-decreasing creation time (sort the file by this column)",
                                        crate::engine::SimTime(last.0)
                                    ),
                                );
                            }
                        }
                        if self.reader.last_creation.is_none_or(|(last, _)| t >= last) {
                            self.reader.last_creation = Some((t, row.line));
                        }
                    }
                }
                _ if value.is_empty() => {}
                Field::Name => {
                    if is_dns1123_subdomain(value) {
                        row.name = Some(value.to_string());
                    } else {
                        self.fail(
                            column,
                            name,
                            format!(
                                "found {value:?}; expected a pod name: lowercase letters, digits, \
                                 '-' and '.', starting and ending alphanumeric, at most 253 characters"
                            ),
                        );
                    }
                }
                Field::Namespace => {
                    if is_dns1123_label(value) {
                        row.namespace = Some(value.to_string());
                    } else {
                        self.fail(
                            column,
                            name,
                            format!(
                                "found {value:?}; expected a namespace: lowercase letters, digits \
                                 and '-', starting and ending alphanumeric, at most 63 characters"
                            ),
                        );
                    }
                }
                Field::Labels => row.labels = self.labels(raw, column, name),
                Field::Cpu if openb => {
                    row.cpu_millis = self.integer(value, column, name, 0, i64::MAX);
                }
                Field::Memory if openb => {
                    row.memory_bytes = self
                        .integer(value, column, name, 0, i64::MAX >> 20)
                        .map(|mib| mib << 20);
                }
                Field::Cpu => row.cpu_millis = self.quantity(value, column, name, true),
                Field::Memory => row.memory_bytes = self.quantity(value, column, name, false),
                Field::CpuLimit => row.cpu_limit_millis = self.quantity(value, column, name, true),
                Field::MemoryLimit => {
                    row.memory_limit_bytes = self.quantity(value, column, name, false)
                }
                Field::Extended => row.extended = self.extended(raw, column, name),
                Field::GpuMilli if openb => {
                    openb_gpu.1 = self.integer(value, column, name, 0, i64::MAX);
                }
                Field::GpuCount if openb => {
                    openb_gpu.0 = self.integer(value, column, name, 0, i64::MAX);
                }
                Field::GpuMilli => {
                    row.gpu_milli = self
                        .annotation_value(value, column, name, "gpu-milli")
                        .then(|| value.parse().expect("validated"));
                }
                Field::GpuCount => {
                    row.gpu_count = self
                        .annotation_value(value, column, name, "gpu-count")
                        .then(|| value.parse().expect("validated"));
                }
                Field::GpuModels => {
                    row.gpu_models = self
                        .annotation_value(value, column, name, "gpu-models")
                        .then(|| value.to_string());
                }
                Field::PriorityClass => {
                    if is_dns1123_subdomain(value) {
                        row.priority_class = Some(value.to_string());
                    } else {
                        self.fail(
                            column,
                            name,
                            format!("found {value:?}; expected the name of a PriorityClass"),
                        );
                    }
                }
                Field::RunTime => row.run_time = self.seconds(value, column, name, false),
                Field::ExitCode => {
                    row.exit_code = self.integer(value, column, name, 0, 255).map(|c| c as i32);
                }
                Field::Template => row.template = Some(value.to_string()),
                Field::Deletion => {
                    deletion = self
                        .integer(value, column, name, 0, i64::MAX)
                        .map(|d| (d, column));
                }
                Field::Ignored => {}
            }
        }
        if let Some((d, column)) = deletion {
            let created = (row.creation.0 / 1_000_000) as i64;
            if d < created {
                let name = row.columns[Field::Deletion as usize].1;
                self.fail(
                    column,
                    name,
                    format!("found {d}, before the creation time {created}; expected a deletion time at or after it"),
                );
            } else {
                row.run_time = Some(SimDuration::from_secs((d - created) as u64));
            }
        }
        if let (Some(count), milli) = openb_gpu {
            let milli = milli.unwrap_or(0);
            let (gpu_column, gpu_name) = row.columns[Field::GpuMilli as usize];
            match gpu_request_problem(count, milli) {
                Some(p) => {
                    let (column, name) = if gpu_column > 0 {
                        (gpu_column, gpu_name)
                    } else {
                        row.columns[Field::GpuCount as usize]
                    };
                    self.fail(column, name, p);
                }
                None if count > 0 => {
                    row.gpu_count = Some(count as u8);
                    row.gpu_milli = Some(milli as i32);
                }
                None => {}
            }
        }
        if row.gpu_models.is_some()
            && self.reader.format == TraceFormat::Openb
            && row.gpu_count.is_none()
        {
            // openb lists allowed models on CPU-only pods too; they ask for no GPU.
            row.gpu_models = None;
        }
        row
    }

    /// An integer in `lo..=hi`.
    fn integer(&mut self, value: &str, column: u32, name: &str, lo: i64, hi: i64) -> Option<i64> {
        match value.parse::<i64>() {
            Ok(v) if (lo..=hi).contains(&v) => Some(v),
            _ => {
                let expected = if hi == i64::MAX {
                    format!("an integer ≥ {lo}")
                } else {
                    format!("an integer from {lo} to {hi}")
                };
                self.fail(
                    column,
                    name,
                    format!("found {value:?}; expected {expected}"),
                );
                None
            }
        }
    }

    /// Seconds as a decimal number (`12`, `0.25`), exact to the microsecond
    /// (further digits round up). `required`: an empty cell is an error.
    fn seconds(
        &mut self,
        value: &str,
        column: u32,
        name: &str,
        required: bool,
    ) -> Option<SimDuration> {
        let plain = !value.is_empty()
            && value.chars().all(|c| c.is_ascii_digit() || c == '.')
            && value.matches('.').count() <= 1
            && value.chars().any(|c| c.is_ascii_digit());
        if value.is_empty() && !required {
            return None;
        }
        let micros = plain
            .then(|| parse_quantity_scaled(value, -6).ok())
            .flatten();
        match micros {
            Some(us) => Some(SimDuration(us as u64)),
            None => {
                self.fail(
                    column,
                    name,
                    format!("found {value:?}; expected seconds as a number ≥ 0 such as 12 or 0.25"),
                );
                None
            }
        }
    }

    /// A non-negative Kubernetes quantity: cpu in milli-units, memory in bytes.
    fn quantity(&mut self, value: &str, column: u32, name: &str, cpu: bool) -> Option<i64> {
        let parsed = if cpu {
            parse_milli(value)
        } else {
            parse_units(value)
        };
        match parsed {
            Ok(v) if v >= 0 => Some(v),
            Ok(_) => {
                self.fail(
                    column,
                    name,
                    format!("found {value:?}; expected a quantity of at least 0"),
                );
                None
            }
            Err(e) => {
                self.fail(column, name, e.to_string());
                None
            }
        }
    }

    /// `key=value` items separated by `;` (blanks around them ignored): each
    /// item and the column where it starts.
    fn items<'t>(&mut self, raw: &'t str, column: u32, name: &str) -> Vec<(&'t str, &'t str, u32)> {
        let mut out = Vec::new();
        let mut offset = 0u32;
        for item in raw.split(';') {
            let at = column + offset + (item.len() - item.trim_start().len()) as u32;
            offset += item.chars().count() as u32 + 1;
            let item = item.trim();
            if item.is_empty() {
                continue;
            }
            match item.split_once('=') {
                Some((k, v)) => out.push((k.trim(), v.trim(), at)),
                None => self.fail(
                    at,
                    name,
                    format!("found {item:?}; expected key=value items separated by `;`"),
                ),
            }
        }
        out
    }

    /// Labels `app=web;tier=frontend`, validated as Kubernetes validates labels.
    fn labels(&mut self, raw: &str, column: u32, name: &str) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for (k, v, at) in self.items(raw, column, name) {
            if let Err(e) = validate_label_key(k) {
                self.fail(at, name, format!("label key {k:?}: {e}"));
            } else if let Err(e) = validate_label_value(v) {
                self.fail(at, name, format!("label {k:?} value {v:?}: {e}"));
            } else if out.iter().any(|(o, _)| o == k) {
                self.fail(
                    at,
                    name,
                    format!("label {k:?} is given twice; expected each key once"),
                );
            } else {
                out.push((k.to_string(), v.to_string()));
            }
        }
        out
    }

    /// Extended resources `nvidia.com/gpu=1;example.com/foo=2`: domain-prefixed
    /// names and whole numbers, as Kubernetes requires of them.
    fn extended(&mut self, raw: &str, column: u32, name: &str) -> Vec<(String, i64)> {
        let mut out: Vec<(String, i64)> = Vec::new();
        for (k, v, at) in self.items(raw, column, name) {
            let extended = k.contains('/') && !k.contains("kubernetes.io/");
            if !extended {
                self.fail(
                    at,
                    name,
                    format!(
                        "found resource {k:?}; expected an extended resource with a domain prefix \
                         such as nvidia.com/gpu (cpu and memory have columns of their own)"
                    ),
                );
                continue;
            }
            if out.iter().any(|(o, _)| o == k) {
                self.fail(
                    at,
                    name,
                    format!("resource {k:?} is given twice; expected each once"),
                );
                continue;
            }
            let whole = parse_milli(v).ok().filter(|m| *m >= 0 && m % 1000 == 0);
            match whole {
                Some(m) => out.push((k.to_string(), m / 1000)),
                None => self.fail(
                    at,
                    name,
                    format!("{k}={v:?}; expected a whole number of {k} (at least 0)"),
                ),
            }
        }
        out
    }

    /// A GPU-share cell, checked as its `kubesim.io/` annotation is.
    fn annotation_value(&mut self, value: &str, column: u32, name: &str, suffix: &str) -> bool {
        match gpu_share::validate(suffix, value) {
            Ok(()) => true,
            Err(e) => {
                self.fail(column, name, e);
                false
            }
        }
    }
}

#[cfg(test)]
mod tests;
