//! A small CSV reader for trace files that keeps every field's line and
//! column, so a bad value is reported at `file:line:column`. Trace files are
//! plain comma-separated values with a header row; quoting is not used by
//! the openb files and is refused with a clear error rather than misread.

use crate::input::diagnostic::{Diagnostic, Pos};
use crate::model::gpu_device::{GpuModels, MAX_GPUS_PER_NODE, MILLI_PER_GPU};

/// One data row: its line and its fields with their 1-based columns.
pub struct Row<'t> {
    pub line: u32,
    /// Column just past the end of the line (where a missing field would start).
    pub end_column: u32,
    pub fields: Vec<(&'t str, u32)>,
}

/// The header's column names and the data rows of a CSV text.
pub struct Rows<'t> {
    pub header: Vec<&'t str>,
    pub rows: Vec<Row<'t>>,
}

/// Splits a line at commas: each field with its 1-based column, and the
/// column just past the line (where a missing field is reported).
pub fn split(line: &str) -> (Vec<(&str, u32)>, u32) {
    let mut fields = Vec::new();
    let mut start = 0usize;
    let mut start_column = 1u32;
    let mut column = 1u32;
    for (i, c) in line.char_indices() {
        if c == ',' {
            fields.push((&line[start..i], start_column));
            start = i + 1;
            start_column = column + 1;
        }
        column += 1;
    }
    fields.push((&line[start..], start_column));
    (fields, column)
}

/// [`split`] into a reused list: each field's byte range and 1-based
/// column; returns the column just past the line. An ASCII line (the usual
/// one) has its columns at its byte offsets.
pub fn split_spans(line: &str, out: &mut Vec<(usize, usize, u32)>) -> u32 {
    out.clear();
    if !line.is_ascii() {
        let (fields, end) = split(line);
        let base = line.as_ptr() as usize;
        out.extend(fields.into_iter().map(|(f, c)| {
            let start = f.as_ptr() as usize - base;
            (start, start + f.len(), c)
        }));
        return end;
    }
    let mut start = 0usize;
    for (i, b) in line.bytes().enumerate() {
        if b == b',' {
            out.push((start, i, start as u32 + 1));
            start = i + 1;
        }
    }
    out.push((start, line.len(), start as u32 + 1));
    line.len() as u32 + 1
}

/// Splits `text` into a header and rows; blank lines are skipped.
pub fn read<'t>(file: &str, text: &'t str) -> Result<Rows<'t>, Vec<Diagnostic>> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| ((i + 1) as u32, l.strip_suffix('\r').unwrap_or(l)));
    let Some((_, header_line)) = lines.next() else {
        return Err(vec![Diagnostic::new(
            file,
            Pos::new(1, 1),
            "",
            "empty file: expected a header row naming the columns",
        )]);
    };
    let header = split(header_line)
        .0
        .into_iter()
        .map(|(f, _)| f.trim())
        .collect();
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (line, text) in lines {
        if text.trim().is_empty() {
            continue;
        }
        if let Some(col) = text.find('"') {
            errors.push(Diagnostic::new(
                file,
                Pos::new(line, text[..col].chars().count() as u32 + 1),
                "",
                "found a quoted field; trace files are plain comma-separated values without quotes",
            ));
            continue;
        }
        let (fields, end_column) = split(text);
        rows.push(Row {
            line,
            end_column,
            fields,
        });
    }
    if errors.is_empty() {
        Ok(Rows { header, rows })
    } else {
        Err(errors)
    }
}

/// Where each wanted column sits in the header; a missing required column is an error.
pub fn columns(
    file: &str,
    header: &[&str],
    required: &[&str],
    optional: &[&str],
    errors: &mut Vec<Diagnostic>,
) -> Vec<Option<usize>> {
    let mut out = Vec::new();
    for (name, is_required) in required
        .iter()
        .map(|n| (n, true))
        .chain(optional.iter().map(|n| (n, false)))
    {
        let idx = header.iter().position(|h| h == name);
        if idx.is_none() && is_required {
            errors.push(Diagnostic::new(
                file,
                Pos::new(1, 1),
                "",
                format!(
                    "the header has no column `{name}` (found: {}; expected at least: {})",
                    header.join(","),
                    required.join(",")
                ),
            ));
        }
        out.push(idx);
    }
    out
}

/// Reads `text` and finds its columns: the rows and where each wanted
/// column sits, or None (the problems recorded in `errors`) when the file
/// cannot be read or lacks a required column.
pub fn table<'t>(
    file: &str,
    text: &'t str,
    required: &[&str],
    optional: &[&str],
    errors: &mut Vec<Diagnostic>,
) -> Option<(Rows<'t>, Vec<Option<usize>>)> {
    let rows = match read(file, text) {
        Ok(r) => r,
        Err(e) => {
            errors.extend(e);
            return None;
        }
    };
    let cols = columns(file, &rows.header, required, optional, errors);
    if cols[..required.len()].iter().any(Option::is_none) {
        return None;
    }
    Some((rows, cols))
}

/// Reads one row's fields by column, recording errors with their position.
pub struct Cells<'r, 't> {
    pub file: &'r str,
    pub row: &'r Row<'t>,
    pub header: &'r [&'t str],
    pub errors: &'r mut Vec<Diagnostic>,
}

impl<'r, 't> Cells<'r, 't> {
    fn error(&mut self, column: u32, field: &str, message: String) {
        self.errors.push(Diagnostic::new(
            self.file,
            Pos::new(self.row.line, column),
            field,
            message,
        ));
    }

    /// The raw text of a column, or an error if the row is too short.
    pub fn text(&mut self, idx: Option<usize>) -> Option<(&'t str, u32)> {
        let idx = idx?;
        match self.row.fields.get(idx) {
            Some(&(t, c)) => Some((t.trim(), c)),
            None => {
                let name = self.header[idx];
                let found = self.row.fields.len();
                self.error(
                    self.row.end_column,
                    name,
                    format!(
                        "missing column `{name}`: the row has {found} field(s), the header {}",
                        self.header.len()
                    ),
                );
                None
            }
        }
    }

    /// A non-negative integer.
    pub fn non_negative(&mut self, idx: Option<usize>) -> Option<i64> {
        let (text, col) = self.text(idx)?;
        let name = self.header[idx?];
        match text.parse::<i64>() {
            Ok(v) if v >= 0 => Some(v),
            Ok(v) => {
                self.error(
                    col,
                    name,
                    format!("negative value {v}; expected an integer ≥ 0"),
                );
                None
            }
            Err(_) => {
                self.error(
                    col,
                    name,
                    format!("found {text:?}; expected an integer ≥ 0"),
                );
                None
            }
        }
    }

    /// A non-negative integer, or None when the field is empty.
    pub fn optional_non_negative(&mut self, idx: Option<usize>) -> Option<Option<i64>> {
        let (text, _) = self.text(idx)?;
        if text.is_empty() {
            return Some(None);
        }
        self.non_negative(idx).map(Some)
    }

    /// The value that a column's text names among `choices` (name, value),
    /// or an error listing the names.
    pub fn one_of<T: Copy>(&mut self, idx: Option<usize>, choices: &[(&str, T)]) -> Option<T> {
        let (text, col) = self.text(idx)?;
        if let Some(&(_, value)) = choices.iter().find(|(name, _)| *name == text) {
            return Some(value);
        }
        let names: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
        let expected = match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => names.join(""),
        };
        self.invalid(idx?, col, format!("found {text:?}; expected {expected}"));
        None
    }

    /// Records an error at a column of this row.
    pub fn invalid(&mut self, idx: usize, column: u32, message: String) {
        let name = self.header[idx];
        self.error(column, name, message);
    }

    /// A `gpu_spec` cell (column `idx`, text at `column`): the models a pod
    /// may use, `|`-separated, as a set of the node list's model ids (empty:
    /// any). An unknown model is reported where it is written.
    pub fn gpu_models(&mut self, idx: usize, text: &str, column: u32, models: &GpuModels) -> u32 {
        let mut set = 0u32;
        let mut offset = 0u32;
        for m in text.split('|').filter(|_| !text.is_empty()) {
            match models.lookup(m) {
                Some(id) => set |= 1 << id,
                None => self.invalid(
                    idx,
                    column + offset,
                    format!(
                        "unknown GPU model {m:?}; expected one of {} (the models of the node list)",
                        models.names().join(", ")
                    ),
                ),
            }
            offset += m.chars().count() as u32 + 1;
        }
        set
    }
}

/// Why a trace pod's GPU request (`num_gpu` GPUs of `gpu_milli` each) is
/// invalid, if it is: at most [`MAX_GPUS_PER_NODE`] GPUs, a share only with
/// GPUs, 1–1000 milli, and only a one-GPU pod sharing a GPU.
pub fn gpu_request_problem(count: i64, milli: i64) -> Option<String> {
    if count > MAX_GPUS_PER_NODE as i64 {
        Some(format!(
            "num_gpu {count}; expected at most {MAX_GPUS_PER_NODE}"
        ))
    } else if count == 0 && milli != 0 {
        Some(format!(
            "gpu_milli {milli} on a pod with num_gpu 0; expected 0"
        ))
    } else if count > 0 && !(1..=MILLI_PER_GPU as i64).contains(&milli) {
        Some(format!(
            "gpu_milli {milli}; expected 1 to {MILLI_PER_GPU} per GPU"
        ))
    } else if count > 1 && milli != MILLI_PER_GPU as i64 {
        Some(format!(
            "gpu_milli {milli} with num_gpu {count}: only a one-GPU pod may share a GPU; expected {MILLI_PER_GPU}"
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::{split, split_spans};

    /// The reused split finds what `split` finds, in bytes and in columns,
    /// on ASCII lines and on lines with wider characters.
    #[test]
    fn split_spans_agrees_with_split() {
        let mut spans = Vec::new();
        for line in [
            "",
            "a",
            "a,b",
            ",,",
            "0.5,web,team=a,250m,",
            "é,ü,x",
            "x,名前,y,",
        ] {
            let (fields, end) = split(line);
            assert_eq!(split_spans(line, &mut spans), end, "{line:?}");
            let got: Vec<(&str, u32)> = spans.iter().map(|&(a, b, c)| (&line[a..b], c)).collect();
            assert_eq!(got, fields, "{line:?}");
        }
    }
}
