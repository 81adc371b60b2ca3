//! One row of a pod trace decoded cell by cell: each column's text to its
//! value, every problem located at its cell.

use super::*;

/// Decodes one row's cells, collecting its problems.
pub(super) struct RowCells<'a, R> {
    pub(super) reader: &'a mut PodTraceReader<R>,
    pub(super) errors: Vec<Diagnostic>,
}

impl<R: BufRead> RowCells<'_, R> {
    fn fail(&mut self, column: u32, name: &str, message: String) {
        self.errors.push(self.reader.error(column, name, message));
    }

    pub(super) fn decode(&mut self, text: &str, index: u64) -> PodRow {
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
        // The header and the field list are the reader's, lent for the row.
        let header = std::mem::take(&mut self.reader.header);
        let mut spans = std::mem::take(&mut self.reader.fields);
        let end_column = split_spans(text, &mut spans);
        let cell = |i: usize| spans.get(i).map(|&(a, b, c)| (&text[a..b], c));
        if spans.len() > header.len() {
            let (_, column) = cell(header.len()).expect("a field past the header");
            self.fail(
                column,
                "",
                format!(
                    "the row has {} fields, the header {}; expected one field per column",
                    spans.len(),
                    header.len()
                ),
            );
        }
        let mut deletion: Option<(i64, u32)> = None;
        let mut openb_gpu: (Option<i64>, Option<i64>) = (None, None);
        for (i, &(name, field)) in header.iter().enumerate() {
            let Some((raw, column)) = cell(i) else {
                self.fail(
                    end_column,
                    name,
                    format!(
                        "missing column `{name}`: the row has {} field(s), the header {}",
                        spans.len(),
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
        self.reader.header = header;
        self.reader.fields = spans;
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
        // Digits with at most one point, and at least one digit.
        let (mut digits, mut points, mut other) = (0usize, 0usize, false);
        for b in value.bytes() {
            match b {
                b'0'..=b'9' => digits += 1,
                b'.' => points += 1,
                _ => other = true,
            }
        }
        let plain = digits > 0 && points <= 1 && !other;
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
