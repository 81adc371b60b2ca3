//! Simulated time: integer microseconds since the start of the run.
//!
//! Integer time keeps runs exact and reproducible: two events scheduled for
//! the same instant compare equal, and no rounding drifts across platforms.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// Microseconds in one second.
pub const MICROS_PER_SECOND: u64 = 1_000_000;

/// A point in simulated time, in microseconds since the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

/// A span of simulated time, in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(pub u64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);
    pub const MAX: SimTime = SimTime(u64::MAX);

    pub fn from_secs(s: u64) -> Self {
        SimTime(s.saturating_mul(MICROS_PER_SECOND))
    }
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / MICROS_PER_SECOND as f64
    }
    /// Time elapsed since `earlier`, zero if `earlier` is later.
    pub fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl SimDuration {
    pub const ZERO: SimDuration = SimDuration(0);

    pub fn from_secs(s: u64) -> Self {
        SimDuration(s.saturating_mul(MICROS_PER_SECOND))
    }
    pub fn from_millis(ms: u64) -> Self {
        SimDuration(ms.saturating_mul(1_000))
    }
    /// Rounds to the nearest microsecond; negative and NaN become zero.
    pub fn from_secs_f64(s: f64) -> Self {
        if s.is_nan() || s <= 0.0 {
            return SimDuration::ZERO;
        }
        SimDuration((s * MICROS_PER_SECOND as f64).round().min(u64::MAX as f64) as u64)
    }
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / MICROS_PER_SECOND as f64
    }
    /// `self - other`, or zero when `other` is longer.
    pub fn saturating_sub(self, other: SimDuration) -> Self {
        SimDuration(self.0.saturating_sub(other.0))
    }
    pub fn saturating_mul(self, k: u64) -> Self {
        SimDuration(self.0.saturating_mul(k))
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, d: SimDuration) {
        self.0 = self.0.saturating_add(d.0);
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, d: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(d.0))
    }
}

impl Sub for SimTime {
    type Output = SimDuration;
    fn sub(self, earlier: SimTime) -> SimDuration {
        self.since(earlier)
    }
}

impl fmt::Display for SimTime {
    /// Seconds with microsecond precision, trailing zeros trimmed: `12.5`, `3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_secs(f, self.0)
    }
}

impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_secs(f, self.0)?;
        f.write_str("s")
    }
}

/// Writes microseconds as exact decimal seconds (no float rounding), so CSV
/// output is byte-identical on every platform.
fn write_secs(f: &mut fmt::Formatter<'_>, micros: u64) -> fmt::Result {
    let whole = micros / MICROS_PER_SECOND;
    let frac = micros % MICROS_PER_SECOND;
    if frac == 0 {
        return write!(f, "{whole}");
    }
    // Six digits without trailing zeros, on the stack: results write two
    // or three of these per pod.
    let mut digits = [b'0'; 6];
    let mut rest = frac;
    for d in digits.iter_mut().rev() {
        *d = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    let len = 6 - digits.iter().rev().take_while(|&&d| d == b'0').count();
    write!(f, "{whole}.")?;
    f.write_str(std::str::from_utf8(&digits[..len]).expect("ASCII digits"))
}

/// Parses a duration as Go's `time.ParseDuration` does for the units that
/// matter here (`300ms`, `30s`, `5m`, `1h30m`, `1.5h`, `2d` for days), or a
/// bare number of seconds (`45`, `0.5`).
pub fn parse_duration(text: &str) -> Result<SimDuration, String> {
    let s = text.trim();
    if s.is_empty() {
        return Err("an empty duration".into());
    }
    if let Ok(secs) = s.parse::<f64>() {
        if secs < 0.0 || !secs.is_finite() {
            return Err(format!("a negative or non-finite duration {s:?}"));
        }
        return Ok(SimDuration::from_secs_f64(secs));
    }
    let mut total_us: f64 = 0.0;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return Err(format!("{s:?} is not a duration such as 30s, 5m or 1h30m"));
        }
        let number: f64 = rest[..num_len]
            .parse()
            .map_err(|_| format!("{s:?} is not a duration such as 30s, 5m or 1h30m"))?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit_us = match &rest[..unit_len] {
            "us" | "µs" => 1.0,
            "ms" => 1e3,
            "s" => 1e6,
            "m" => 60e6,
            "h" => 3600e6,
            "d" => 86400e6,
            "" => {
                return Err(format!(
                    "{s:?} needs a unit after {number} (ms, s, m, h or d)"
                ))
            }
            other => {
                return Err(format!(
                    "{s:?} has an unknown unit {other:?} (expected ms, s, m, h or d)"
                ))
            }
        };
        total_us += number * unit_us;
        rest = &rest[unit_len..];
    }
    Ok(SimDuration(total_us.round() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_style_durations() {
        assert_eq!(parse_duration("30s"), Ok(SimDuration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(SimDuration::from_secs(300)));
        assert_eq!(parse_duration("1h30m"), Ok(SimDuration::from_secs(5400)));
        assert_eq!(parse_duration("1.5h"), Ok(SimDuration::from_secs(5400)));
        assert_eq!(parse_duration("250ms"), Ok(SimDuration::from_millis(250)));
        assert_eq!(parse_duration("45"), Ok(SimDuration::from_secs(45)));
        assert_eq!(parse_duration("0.5"), Ok(SimDuration(500_000)));
        assert_eq!(parse_duration("2d"), Ok(SimDuration::from_secs(172_800)));
    }

    #[test]
    fn rejects_bad_durations() {
        assert!(parse_duration("").is_err());
        assert!(parse_duration("5x").unwrap_err().contains("unknown unit"));
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("-3").is_err());
        assert!(parse_duration("10 m").is_err());
    }

    #[test]
    fn displays_exact_seconds() {
        assert_eq!(SimTime(12_500_000).to_string(), "12.5");
        assert_eq!(SimTime(3_000_000).to_string(), "3");
        assert_eq!(SimTime(1).to_string(), "0.000001");
        assert_eq!(SimTime(1_234_560).to_string(), "1.23456");
        assert_eq!(SimTime(100_000).to_string(), "0.1");
        assert_eq!(SimTime(987_654_321).to_string(), "987.654321");
    }
}
