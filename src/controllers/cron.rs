//! Standard 5-field cron schedules as the CronJob controller parses them
//! (robfig/cron v3 `ParseStandard`, used by `pkg/controller/cronjob`, v1.32):
//! minute, hour, day of month, month, day of week; `*`, lists, ranges,
//! steps, month and weekday names, and the @yearly … @hourly descriptors.

use crate::engine::SimTime;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronError(pub String);

impl fmt::Display for CronError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CronError {}

/// A parsed schedule: one bit set per field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    minutes: u64,
    hours: u64,
    days_of_month: u64,
    months: u64,
    days_of_week: u64,
    /// Day of month or day of week given as `*`: then both must match
    /// (cron's rule); when both are restricted, either may match.
    dom_star: bool,
    dow_star: bool,
}

struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const MINUTE: Field = Field {
    name: "minute",
    min: 0,
    max: 59,
    names: &[],
};
const HOUR: Field = Field {
    name: "hour",
    min: 0,
    max: 23,
    names: &[],
};
const DOM: Field = Field {
    name: "day-of-month",
    min: 1,
    max: 31,
    names: &[],
};
const MONTH: Field = Field {
    name: "month",
    min: 1,
    max: 12,
    names: &[
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ],
};
const DOW: Field = Field {
    name: "day-of-week",
    min: 0,
    max: 6,
    names: &["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
};

fn err(text: &str, msg: String) -> CronError {
    CronError(format!("invalid schedule {text:?}: {msg}"))
}

fn value(s: &str, f: &Field, text: &str) -> Result<u32, CronError> {
    let lower = s.to_ascii_lowercase();
    if let Some(i) = f.names.iter().position(|n| *n == lower) {
        return Ok(i as u32 + if f.name == "month" { 1 } else { 0 });
    }
    s.parse::<u32>().map_err(|_| {
        err(
            text,
            format!("{s:?} is not a number or name in the {} field", f.name),
        )
    })
}

fn parse_field(part: &str, f: &Field, text: &str) -> Result<u64, CronError> {
    let mut bits = 0u64;
    for item in part.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => {
                let step: u32 = s.parse().map_err(|_| {
                    err(
                        text,
                        format!("step {s:?} is not a number in the {} field", f.name),
                    )
                })?;
                if step == 0 {
                    return Err(err(
                        text,
                        format!("step must be positive in the {} field", f.name),
                    ));
                }
                (r, step)
            }
            None => (item, 1),
        };
        let (lo, hi) = if range == "*" || range == "?" {
            (f.min, f.max)
        } else if let Some((a, b)) = range.split_once('-') {
            (value(a, f, text)?, value(b, f, text)?)
        } else {
            let v = value(range, f, text)?;
            // `5/15` means from 5 to the end, every 15.
            (v, if step > 1 { f.max } else { v })
        };
        if lo < f.min || hi > f.max || lo > hi {
            return Err(err(
                text,
                format!(
                    "{range:?} is outside {}–{} in the {} field",
                    f.min, f.max, f.name
                ),
            ));
        }
        let mut v = lo;
        while v <= hi {
            bits |= 1 << v;
            // A huge step must end the loop, not overflow (debug panic).
            v = match v.checked_add(step) {
                Some(next) => next,
                None => break,
            };
        }
    }
    Ok(bits)
}

impl Schedule {
    pub fn parse(text: &str) -> Result<Schedule, CronError> {
        let trimmed = text.trim();
        let spec = match trimmed.split_once(char::is_whitespace) {
            Some((tz, rest)) if tz.starts_with("TZ=") || tz.starts_with("CRON_TZ=") => {
                let zone = tz.split_once('=').map_or("", |(_, z)| z);
                if zone != "UTC" && zone != "Etc/UTC" {
                    return Err(err(
                        text,
                        format!("time zone {zone:?} is not modelled (only UTC)"),
                    ));
                }
                rest.trim()
            }
            _ => trimmed,
        };
        let expanded = match spec {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            s if s.starts_with('@') => return Err(err(text, format!("unsupported descriptor {s:?} (CronJobs accept @yearly, @monthly, @weekly, @daily, @hourly)"))),
            s => s,
        };
        let parts: Vec<&str> = expanded.split_whitespace().collect();
        if parts.len() != 5 {
            return Err(err(text, format!("expected exactly 5 fields (minute hour day-of-month month day-of-week), found {}", parts.len())));
        }
        // robfig/cron v3's standard parser takes days of week 0–6 only.
        let days_of_week = parse_field(parts[4], &DOW, text)?;
        // A field counts as `*` only without a step above 1 (robfig's starBit):
        // `*/2` restricts the days, so day of month OR day of week then match.
        let is_star = |f: &str| matches!(f, "*" | "?" | "*/1" | "?/1");
        Ok(Schedule {
            minutes: parse_field(parts[0], &MINUTE, text)?,
            hours: parse_field(parts[1], &HOUR, text)?,
            days_of_month: parse_field(parts[2], &DOM, text)?,
            months: parse_field(parts[3], &MONTH, text)?,
            days_of_week,
            dom_star: is_star(parts[2]),
            dow_star: is_star(parts[4]),
        })
    }

    fn day_matches(&self, day: u32, weekday: u32) -> bool {
        let dom = self.days_of_month & (1 << day) != 0;
        let dow = self.days_of_week & (1 << weekday) != 0;
        if self.dom_star || self.dow_star {
            dom && dow
        } else {
            dom || dow
        }
    }

    /// The first whole minute strictly after `after` that the schedule
    /// matches; simulated time 0 is `epoch_unix_s` seconds after 1970-01-01T00:00:00Z.
    /// `None` when nothing matches within five years (e.g. February 30).
    pub fn next_after(&self, after: SimTime, epoch_unix_s: i64) -> Option<SimTime> {
        let after_unix = epoch_unix_s.checked_add(i64::try_from(after.0 / 1_000_000).ok()?)?;
        let mut minute = after_unix.div_euclid(60) + 1;
        let limit = minute + 5 * 366 * 24 * 60;
        while minute < limit {
            let days = minute.div_euclid(1440);
            let (_, month, day) = civil_from_days(days);
            // 1970-01-01 was a Thursday (weekday 4).
            let weekday = (days + 4).rem_euclid(7) as u32;
            if self.months & (1 << month) == 0 || !self.day_matches(day, weekday) {
                minute = (days + 1) * 1440; // next day
                continue;
            }
            let hour = (minute.rem_euclid(1440) / 60) as u32;
            if self.hours & (1 << hour) == 0 {
                minute = (minute.div_euclid(60) + 1) * 60; // next hour
                continue;
            }
            let m = (minute.rem_euclid(60)) as u32;
            if self.minutes & (1 << m) == 0 {
                minute += 1;
                continue;
            }
            let unix = minute.checked_mul(60)?;
            let secs = u64::try_from(unix.checked_sub(epoch_unix_s)?).ok()?;
            return Some(SimTime(secs.checked_mul(1_000_000)?));
        }
        None
    }
}

/// Civil date (year, month 1–12, day 1–31) of a day count since 1970-01-01
/// (H. Hinnant's algorithm, proleptic Gregorian).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fires(spec: &str, from_s: u64, epoch: i64, n: usize) -> Vec<u64> {
        let s = Schedule::parse(spec).unwrap();
        let mut t = SimTime::from_secs(from_s);
        (0..n)
            .map(|_| {
                t = s.next_after(t, epoch).unwrap();
                t.0 / 1_000_000
            })
            .collect()
    }

    const DAY: u64 = 86_400;

    #[test]
    fn fire_times_from_the_epoch() {
        assert_eq!(fires("*/15 * * * *", 0, 0, 3), vec![900, 1800, 2700]);
        assert_eq!(fires("0 * * * *", 0, 0, 2), vec![3600, 7200]);
        assert_eq!(fires("30 2 * * *", 0, 0, 2), vec![9000, DAY + 9000]);
        assert_eq!(fires("@hourly", 59, 0, 1), vec![3600]);
        // 1970-01-15 → 1970-02-01.
        assert_eq!(fires("0 0 1 * *", 14 * DAY, 0, 1), vec![31 * DAY]);
        // The epoch is a Thursday: the next Monday is 4 days later.
        assert_eq!(fires("0 0 * * MON", 0, 0, 1), vec![4 * DAY]);
        // Every 2 hours from 9 to 17 on weekdays (Thursday the 1st): 9, 11, 13, 15, 17.
        assert_eq!(
            fires("0 9-17/2 * * 1-5", 0, 0, 6),
            vec![
                9 * 3600,
                11 * 3600,
                13 * 3600,
                15 * 3600,
                17 * 3600,
                DAY + 9 * 3600
            ]
        );
    }

    #[test]
    fn day_of_month_or_day_of_week_when_both_are_restricted() {
        // "13th or a Friday": Friday 1970-01-02, then Friday the 9th, then the 13th (a Tuesday).
        assert_eq!(fires("0 0 13 * 5", 0, 0, 3), vec![DAY, 8 * DAY, 12 * DAY]);
        // A stepped day of month is restricted: odd days OR Mondays → 1970-01-03 (day 2).
        assert_eq!(fires("0 0 */2 * MON", 0, 0, 1), vec![2 * DAY]);
        assert!(
            Schedule::parse("0 0 * * 7").is_err(),
            "days of week are 0–6"
        );
    }

    #[test]
    fn the_start_time_shifts_the_calendar() {
        // 2024-01-01T00:00:00Z is a Monday: "0 0 * * MON" fires a week later.
        let epoch = 1_704_067_200;
        assert_eq!(fires("0 0 * * MON", 0, epoch, 1), vec![7 * DAY]);
        assert_eq!(fires("0 0 1 2 *", 0, epoch, 1), vec![31 * DAY]);
    }

    #[test]
    fn invalid_schedules_say_why() {
        for bad in [
            "* * *",
            "60 * * * *",
            "*/0 * * * *",
            "@every 5m",
            "0 0 * * 8",
            "TZ=Europe/Paris 0 0 * * *",
            "a * * * *",
        ] {
            assert!(Schedule::parse(bad).is_err(), "{bad}");
        }
        assert!(Schedule::parse("61 * * * *")
            .unwrap_err()
            .to_string()
            .contains("minute"));
        assert_eq!(
            Schedule::parse("0 0 30 2 *")
                .unwrap()
                .next_after(SimTime::ZERO, 0),
            None
        );
        assert!(Schedule::parse("TZ=UTC 0 0 * * *").is_ok());
    }
}
