//! A CSV file read into memory by column name, for the chart and report code
//! (which read result files, never the simulator's structures).

use std::io;
use std::path::Path;

pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

fn bad(path: &str, message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("{path}: {message}"))
}

impl Table {
    pub fn read(path: &Path) -> io::Result<Table> {
        let name = path.display().to_string();
        let bytes =
            std::fs::read(path).map_err(|e| io::Error::new(e.kind(), format!("{name}: {e}")))?;
        let mut r = csv::Reader::from_reader(bytes.as_slice());
        let header = r
            .headers()
            .map_err(|e| bad(&name, e.to_string()))?
            .iter()
            .map(str::to_string)
            .collect();
        let mut rows = Vec::new();
        for rec in r.records() {
            let rec = rec.map_err(|e| bad(&name, e.to_string()))?;
            rows.push(rec.iter().map(str::to_string).collect());
        }
        Ok(Table { header, rows })
    }

    pub fn index(&self, column: &str) -> io::Result<usize> {
        self.header.iter().position(|h| h == column).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("no column `{column}` (found: {})", self.header.join(", ")),
            )
        })
    }

    /// A column's cells as text.
    pub fn column(&self, column: &str) -> io::Result<Vec<&str>> {
        let j = self.index(column)?;
        Ok(self
            .rows
            .iter()
            .map(|r| r.get(j).map_or("", String::as_str))
            .collect())
    }

    /// A column of numbers; empty or non-numeric cells are `None`.
    pub fn column_opt_f64(&self, column: &str) -> io::Result<Vec<Option<f64>>> {
        Ok(self
            .column(column)?
            .into_iter()
            .map(|c| c.parse::<f64>().ok())
            .collect())
    }

    /// A column of numbers; empty cells read as NaN (not drawn).
    pub fn column_f64(&self, column: &str) -> io::Result<Vec<f64>> {
        Ok(self
            .column_opt_f64(column)?
            .into_iter()
            .map(|v| v.unwrap_or(f64::NAN))
            .collect())
    }
}
