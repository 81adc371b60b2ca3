//! Civil times as the API prints them (RFC 3339 in UTC, `2024-01-01T00:00:00Z`):
//! the scenario's `controllerManager.startTime` and the start times a
//! snapshot's pods show.

/// Parses an RFC 3339 UTC timestamp (`2024-01-01T00:00:00Z`) into Unix seconds.
pub fn parse_utc_timestamp(text: &str) -> Result<i64, String> {
    let bad = || format!("expected a UTC time such as 2024-01-01T00:00:00Z, found {text:?}");
    let b = text.as_bytes();
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| text[r].parse::<i64>().map_err(|_| bad());
    let (y, mo, d, h, mi, s) = (
        num(0..4)?,
        num(5..7)?,
        num(8..10)?,
        num(11..13)?,
        num(14..16)?,
        num(17..19)?,
    );
    let days_in_month = [
        31,
        if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
            29
        } else {
            28
        },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&mo)
        || d < 1
        || d > days_in_month[(mo - 1) as usize]
        || h > 23
        || mi > 59
        || s > 59
    {
        return Err(bad());
    }
    // Days from civil (H. Hinnant's algorithm), proleptic Gregorian calendar.
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Ok(days * 86_400 + h * 3600 + mi * 60 + s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_timestamps() {
        assert_eq!(parse_utc_timestamp("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(
            parse_utc_timestamp("2024-01-01T00:00:00Z"),
            Ok(1_704_067_200)
        );
        assert_eq!(parse_utc_timestamp("2000-03-01T12:30:15Z"), Ok(951_913_815));
        assert!(parse_utc_timestamp("2023-02-29T00:00:00Z").is_err());
        assert!(parse_utc_timestamp("2024-01-01 00:00:00").is_err());
    }
}
