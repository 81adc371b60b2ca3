//! One CSV line built field by field in a reused buffer: what the `csv`
//! crate's writer writes with its defaults (`,` between fields, `\n` after
//! the last, a field quoted when it holds `,`, `"`, `\r` or `\n`, its quotes
//! doubled, and a line of one empty field written `""`), without a string
//! per field. Numbers and times are formatted straight into the line. A run
//! writes a few lines per pod, so this is most of what writing costs.
//!
//! `lines_are_what_the_csv_crate_writes` in the tests pins the bytes.

use crate::engine::SimTime;
use std::fmt::Display;
use std::io::Write;

#[derive(Default)]
pub struct CsvLine {
    buf: Vec<u8>,
    /// Fields in the line so far.
    fields: usize,
}

/// Whether the `csv` writer quotes a field (`QuoteStyle::Necessary`).
fn needs_quotes(field: &[u8]) -> bool {
    field
        .iter()
        .any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
}

/// `v` in decimal.
fn push_digits(buf: &mut Vec<u8>, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

impl CsvLine {
    /// Starts a new line, forgetting the last.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.fields = 0;
    }

    fn separate(&mut self) -> usize {
        if self.fields > 0 {
            self.buf.push(b',');
        }
        self.fields += 1;
        self.buf.len()
    }

    /// Quotes the field that starts at `start` if it needs it.
    fn quote_from(&mut self, start: usize) {
        if !needs_quotes(&self.buf[start..]) {
            return;
        }
        let raw = self.buf.split_off(start);
        self.buf.push(b'"');
        for b in raw {
            if b == b'"' {
                self.buf.push(b'"');
            }
            self.buf.push(b);
        }
        self.buf.push(b'"');
    }

    /// A field as given.
    pub fn field(&mut self, value: impl AsRef<[u8]>) -> &mut Self {
        let start = self.separate();
        self.buf.extend_from_slice(value.as_ref());
        self.quote_from(start);
        self
    }

    /// A field formatted (a number, a time).
    pub fn show(&mut self, value: impl Display) -> &mut Self {
        let start = self.separate();
        write!(self.buf, "{value}").expect("writes to memory");
        self.quote_from(start);
        self
    }

    /// An integer (needs no quotes).
    pub fn int(&mut self, v: impl Into<i64>) -> &mut Self {
        self.separate();
        let v: i64 = v.into();
        if v < 0 {
            self.buf.push(b'-');
        }
        push_digits(&mut self.buf, v.unsigned_abs());
        self
    }

    /// A time in seconds, as `SimTime`'s `Display` writes it (`12`, `0.25`).
    pub fn at(&mut self, t: SimTime) -> &mut Self {
        self.separate();
        let (whole, frac) = (t.0 / 1_000_000, t.0 % 1_000_000);
        push_digits(&mut self.buf, whole);
        if frac != 0 {
            let mut digits = [b'0'; 6];
            let mut rest = frac;
            for d in digits.iter_mut().rev() {
                *d = b'0' + (rest % 10) as u8;
                rest /= 10;
            }
            let len = 6 - digits.iter().rev().take_while(|&&d| d == b'0').count();
            self.buf.push(b'.');
            self.buf.extend_from_slice(&digits[..len]);
        }
        self
    }

    /// A time, or an empty field when there is none.
    pub fn time(&mut self, t: Option<SimTime>) -> &mut Self {
        match t {
            Some(t) => self.at(t),
            None => self.field(""),
        }
    }

    /// `v` with `decimals` digits after the point, empty if not finite
    /// (as [`super::float::fixed`]).
    pub fn fixed(&mut self, v: f64, decimals: usize) -> &mut Self {
        self.separate();
        super::float::write_fixed(&mut self.buf, v, decimals);
        self
    }

    /// Ends the line: its bytes, terminator included.
    pub fn end(&mut self) -> &[u8] {
        if self.buf.is_empty() {
            // A line of one empty field would read as no field at all.
            self.buf.extend_from_slice(b"\"\"");
        }
        self.buf.push(b'\n');
        &self.buf
    }

    /// A whole record as one line.
    pub fn record<I, T>(&mut self, record: I) -> &[u8]
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.clear();
        for f in record {
            self.field(f);
        }
        self.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv_crate(record: &[&str]) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(record).unwrap();
        w.into_inner().unwrap()
    }

    #[test]
    fn lines_are_what_the_csv_crate_writes() {
        let records: &[&[&str]] = &[
            &[""],
            &["", ""],
            &["a"],
            &[
                "a",
                "b,c",
                "say \"hi\"",
                "x\ny",
                "\r",
                "",
                "é;ü",
                " spaced ",
                "\"\"",
            ],
            &["0/3 nodes are available: 3 Insufficient cpu.", "ns/a", "#x"],
        ];
        let mut line = CsvLine::default();
        for r in records {
            assert_eq!(line.record(r.iter()), csv_crate(r).as_slice(), "{r:?}");
        }
        line.clear();
        line.show(12)
            .time(None)
            .time(Some(SimTime(1_500_000)))
            .fixed(2.0 / 3.0, 6);
        line.fixed(f64::NAN, 6).show("a,b").int(-7).int(0);
        assert_eq!(line.end(), b"12,,1.5,0.666667,,\"a,b\",-7,0\n");
        // Times and integers are written as `Display` writes them.
        for t in [
            0,
            1,
            999_999,
            1_000_000,
            1_000_001,
            120_500_000,
            86_400_000_000,
            u64::MAX,
        ] {
            line.clear();
            assert_eq!(
                line.at(SimTime(t)).end(),
                format!("{}\n", SimTime(t)).as_bytes()
            );
        }
        for v in [i64::MIN, -1, 0, 9, 10, 1234567890123, i64::MAX] {
            line.clear();
            assert_eq!(line.int(v).end(), format!("{v}\n").as_bytes());
        }
    }
}
