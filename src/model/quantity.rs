//! Kubernetes resource quantities (`100m`, `0.5`, `1Gi`, `1e3`): parsing the
//! text form into exact integers at a chosen decimal scale (milli-units for
//! cpu, whole units for memory bytes, pods and extended resources), and
//! formatting milli-units back for messages.
//!
//! Follows `k8s.io/apimachinery/pkg/api/resource/quantity.go` (Kubernetes
//! v1.32): the same grammar and suffixes, values kept exactly (never through
//! `f64`), values finer than a nano-unit rounded away from zero at parse time,
//! binary-suffixed quantities silently capped at 2^63-1, and the conversion
//! to an integer rounding the magnitude up as `Quantity.ScaledValue` /
//! `Value` / `MilliValue` do. Where upstream would overflow an `int64`
//! silently, this module returns [`QuantityError::TooLarge`] instead.

use thiserror::Error;

/// Appended to every syntax error so the reader sees what is accepted.
const EXPECTED_FORMS: &str =
    "expected a number with an optional suffix such as 100m, 0.5, 1Gi, 1G, 1e3";

/// Upstream's `maxAllowed`: binarySI quantities are capped here at parse time.
const MAX_ALLOWED: u128 = i64::MAX as u128;

/// Parsing below a nano-unit rounds up to it (upstream's `Nano` scale).
const NANO_EXP: i128 = -9;

/// Why a text is not a usable quantity.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QuantityError {
    /// The text was empty (or only whitespace).
    #[error("an empty string is not a quantity ({})", EXPECTED_FORMS)]
    Empty,
    /// The number part is malformed (no digits, a second decimal point, a bad
    /// exponent).
    #[error("{text:?} is not a quantity: {problem} ({})", EXPECTED_FORMS)]
    Malformed { text: String, problem: String },
    /// The text after the number is not one of the known suffixes.
    #[error(
        "{text:?} is not a quantity: unknown suffix {suffix:?} ({})",
        EXPECTED_FORMS
    )]
    UnknownSuffix { text: String, suffix: String },
    /// The value, counted in units of 10^`scale_exp`, does not fit in an `i64`.
    #[error(
        "{text:?} is too large: its value in {} does not fit in a 64-bit integer",
        unit_name(*.scale_exp)
    )]
    TooLarge { text: String, scale_exp: i32 },
}

/// Names the unit a scaled value is counted in, for [`QuantityError::TooLarge`].
fn unit_name(scale_exp: i32) -> String {
    match scale_exp {
        0 => "whole units".to_string(),
        -3 => "milli-units".to_string(),
        -6 => "micro-units".to_string(),
        -9 => "nano-units".to_string(),
        e => format!("units of 10^{e}"),
    }
}

/// Milli-units (cpu): `"100m"` -> 100, `"0.5"` -> 500, `"2"` -> 2000,
/// `"1e3"` -> 1_000_000. Fractions of a milli-unit round up (`"1n"` -> 1).
pub fn parse_milli(text: &str) -> Result<i64, QuantityError> {
    parse_quantity_scaled(text, -3)
}

/// Whole units (memory bytes, pods, extended resources): `"1Gi"` ->
/// 1073741824, `"1G"` -> 1e9, `"129e6"`, `"123Mi"`. Fractions round up
/// (`"0.5"` -> 1), as upstream `Quantity.Value()` does.
pub fn parse_units(text: &str) -> Result<i64, QuantityError> {
    parse_quantity_scaled(text, 0)
}

/// Parses a quantity and returns its value scaled by 10^-`scale_exp` (that
/// is, counted in units of 10^`scale_exp`: -3 gives milli-units) and rounded
/// up to an integer, as upstream's `ScaledValue` / `MilliValue` do.
///
/// Rounding is of the magnitude, away from zero, so `"-0.5"` gives -1 whole
/// units: that is what upstream's int64 fast path (`negativeScaleInt64`)
/// returns for the negative quantities it parses. Non-negative inputs, the
/// only ones resource requests allow, round toward +inf either way. Negative
/// quantities parse (upstream accepts them); callers validate the sign.
pub fn parse_quantity_scaled(text: &str, scale_exp: i32) -> Result<i64, QuantityError> {
    if let Some(v) = plain_quantity_scaled(text, scale_exp) {
        return Ok(v);
    }
    let parsed = Parsed::from_text(text)?;
    let too_large = || QuantityError::TooLarge {
        text: text.trim().to_string(),
        scale_exp,
    };
    if parsed.digits.is_empty() {
        return Ok(0);
    }
    let shift = parsed.exp10 - i128::from(scale_exp);
    let magnitude = ceil_scaled(&parsed.digits, shift).ok_or_else(too_large)?;
    if parsed.negative {
        // -2^63 is representable even though +2^63 is not.
        if magnitude > i64::MAX as u128 + 1 {
            return Err(too_large());
        }
        Ok((-(magnitude as i128)) as i64)
    } else {
        i64::try_from(magnitude).map_err(|_| too_large())
    }
}

/// The common case of [`parse_quantity_scaled`] without its exact decimal
/// arithmetic: at most 18 digits with an optional decimal point (`0.25`,
/// `12.5`) and a table suffix (`500m`, `2Gi`), no finer than nano, and a
/// result that fits. Such a value needs no nano rounding and is under the
/// binarySI cap, so the result is the general path's; anything else (signs,
/// exponents below nano, fractions of binary suffixes, whitespace, overflow)
/// returns `None` and takes the general path. Pod traces parse several
/// quantities and times a row.
fn plain_quantity_scaled(text: &str, scale_exp: i32) -> Option<i64> {
    let bytes = text.as_bytes();
    let digits_from = |i: usize| bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    let int = digits_from(0);
    let (frac_start, frac) = match bytes.get(int) {
        Some(b'.') => (int + 1, digits_from(int + 1)),
        _ => (int, 0),
    };
    if int + frac == 0 || int + frac > 18 {
        return None;
    }
    let end = frac_start + frac;
    let d = (bytes[..int].iter().chain(&bytes[frac_start..end]))
        .fold(0u128, |d, b| d * 10 + u128::from(b - b'0'));
    let pow10 = |k: i128| 10u128.checked_pow(u32::try_from(k).ok()?);
    let ceil_div = |v: u128, k: i128| pow10(k).map(|p| v.div_ceil(p));
    let value = match interpret_suffix(&text[end..]).ok()? {
        // An exponent suffix (`e3`) is decimal too; below nano (`1e-12`,
        // `0.0000000001`) the general path's nano rounding applies.
        Multiplier::Decimal(e) if e - (frac as i128) < NANO_EXP => return None,
        Multiplier::Decimal(e) => {
            let e = e - frac as i128;
            let shift = e - i128::from(scale_exp);
            if shift >= 0 {
                d.checked_mul(pow10(shift)?)?
            } else {
                ceil_div(d, -shift)?
            }
        }
        Multiplier::Binary(_) if frac > 0 => return None,
        Multiplier::Binary(b) => {
            let bytes = d << b; // d < 2^60 and b <= 60: fits
            if bytes > MAX_ALLOWED {
                return None; // the cap applies: the general path knows it
            }
            if scale_exp <= 0 {
                bytes.checked_mul(pow10(-i128::from(scale_exp))?)?
            } else {
                ceil_div(bytes, i128::from(scale_exp))?
            }
        }
    };
    i64::try_from(value).ok()
}

/// Formats milli-units compactly for messages: 1500 -> `"1500m"`, 2000 ->
/// `"2"`, 0 -> `"0"`. Whole units print without a suffix, as in upstream's
/// canonical form; unlike it, large values stay plain numbers (upstream
/// would print 2000 cpus as `2k`), which read better in messages.
pub fn format_milli(m: i64) -> String {
    if m % 1000 == 0 {
        format!("{}", m / 1000)
    } else {
        format!("{m}m")
    }
}

/// A parsed quantity: `(-1)^negative * digits * 10^exp10`, exact.
struct Parsed {
    negative: bool,
    /// Significant decimal digits (values 0..=9), no leading or trailing
    /// zeros; empty means zero.
    digits: Vec<u8>,
    exp10: i128,
}

/// What a suffix multiplies the number by.
enum Multiplier {
    /// 10^exp (decimalSI suffixes and decimal exponents).
    Decimal(i128),
    /// 2^exp (binarySI suffixes).
    Binary(u32),
}

impl Parsed {
    /// Parses `<sign>? <digits>? (. <digits>?)? <suffix>` as
    /// `parseQuantityString` and `ParseQuantity` in quantity.go do, then
    /// applies the suffix, the nano rounding and the binarySI cap.
    fn from_text(text: &str) -> Result<Parsed, QuantityError> {
        // Upstream's ParseQuantity rejects surrounding whitespace, but
        // Quantity.UnmarshalJSON (the path every manifest takes) trims it
        // first, so accept what a manifest would.
        let s = text.trim();
        if s.is_empty() {
            return Err(QuantityError::Empty);
        }
        let malformed = |problem: &str| QuantityError::Malformed {
            text: s.to_string(),
            problem: problem.to_string(),
        };
        let bytes = s.as_bytes();
        let mut pos = 0;
        let mut negative = false;
        match bytes[0] {
            b'-' => {
                negative = true;
                pos = 1;
            }
            b'+' => pos = 1,
            _ => {}
        }
        let int_start = pos;
        while pos < bytes.len() && bytes[pos].is_ascii_digit() {
            pos += 1;
        }
        let int_digits = &bytes[int_start..pos];
        let mut frac_digits: &[u8] = &[];
        if pos < bytes.len() && bytes[pos] == b'.' {
            pos += 1;
            let frac_start = pos;
            while pos < bytes.len() && bytes[pos].is_ascii_digit() {
                pos += 1;
            }
            frac_digits = &bytes[frac_start..pos];
        }
        // `pos` only ever advanced over ASCII bytes, so it is a char boundary.
        let suffix = &s[pos..];
        let multiplier = interpret_suffix(suffix).map_err(|problem| match problem {
            SuffixProblem::Unknown => QuantityError::UnknownSuffix {
                text: s.to_string(),
                suffix: suffix.to_string(),
            },
            SuffixProblem::Malformed(p) => malformed(&p),
        })?;
        // Upstream reads a missing number as 0, so "Gi", "." and "-" parse
        // as zero there. That only ever hides a typo, so reject it.
        if int_digits.is_empty() && frac_digits.is_empty() {
            return Err(malformed(if suffix.is_empty() {
                "the number has no digits"
            } else {
                "there is no number before the suffix"
            }));
        }

        let mut digits: Vec<u8> = int_digits
            .iter()
            .chain(frac_digits)
            .map(|b| b - b'0')
            .collect();
        let mut exp10 = -(frac_digits.len() as i128);
        let binary = match multiplier {
            Multiplier::Decimal(e) => {
                exp10 += e;
                false
            }
            Multiplier::Binary(e) => {
                digits = mul_pow2(&digits, e);
                true
            }
        };
        normalize(&mut digits, &mut exp10);

        // ParseQuantity rounds a non-zero value finer than a nano-unit up (away
        // from zero) to the next nano-unit: "if you want some resources, you
        // should get some resources". `0.9n` -> 1n, `3.001n` -> 4n.
        if !digits.is_empty() && exp10 < NANO_EXP {
            let dropped = NANO_EXP - exp10;
            let keep = digits.len() as i128 - dropped;
            // The dropped digits are non-zero: trailing zeros were stripped.
            if keep <= 0 {
                digits = vec![1];
            } else {
                digits.truncate(keep as usize);
                increment(&mut digits);
            }
            exp10 = NANO_EXP;
            normalize(&mut digits, &mut exp10);
        }

        // "The max is just a simple cap": binarySI magnitudes above 2^63-1
        // become 2^63-1 (so "8Ei" and "9Ei" parse as 2^63-1 bytes).
        if binary && !digits.is_empty() {
            let over = match ceil_scaled(&digits, exp10) {
                None => true,
                Some(v) => v > MAX_ALLOWED,
            };
            if over {
                digits = i64::MAX.to_string().bytes().map(|b| b - b'0').collect();
                exp10 = 0;
                normalize(&mut digits, &mut exp10);
            }
        }

        Ok(Parsed {
            negative,
            digits,
            exp10,
        })
    }
}

enum SuffixProblem {
    Unknown,
    Malformed(String),
}

/// The suffix table of upstream `suffix.go` (`newSuffixer` / `interpret`).
fn interpret_suffix(suffix: &str) -> Result<Multiplier, SuffixProblem> {
    use Multiplier::{Binary, Decimal};
    Ok(match suffix {
        "" => Decimal(0),
        "n" => Decimal(-9),
        "u" => Decimal(-6),
        "m" => Decimal(-3),
        "k" => Decimal(3),
        "M" => Decimal(6),
        "G" => Decimal(9),
        "T" => Decimal(12),
        "P" => Decimal(15),
        // A bare "E" is exa (10^18); "E3" is a decimal exponent.
        "E" => Decimal(18),
        "Ki" => Binary(10),
        "Mi" => Binary(20),
        "Gi" => Binary(30),
        "Ti" => Binary(40),
        "Pi" => Binary(50),
        "Ei" => Binary(60),
        _ if suffix.starts_with('.') => {
            return Err(SuffixProblem::Malformed(
                "the number has more than one decimal point".to_string(),
            ))
        }
        _ if suffix.starts_with(['e', 'E']) => {
            let exponent = &suffix[1..];
            // strconv.ParseInt(s, 10, 64) and i64::from_str accept the same
            // texts: an optional sign, then ASCII digits.
            match exponent.parse::<i64>() {
                Ok(e) => Decimal(i128::from(e)),
                Err(err) => {
                    use std::num::IntErrorKind;
                    let problem = match err.kind() {
                        IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => {
                            format!("the exponent in {suffix:?} is out of range")
                        }
                        IntErrorKind::Empty => {
                            format!("the exponent {suffix:?} has no digits")
                        }
                        _ => format!("the exponent in {suffix:?} is not an integer"),
                    };
                    return Err(SuffixProblem::Malformed(problem));
                }
            }
        }
        _ => return Err(SuffixProblem::Unknown),
    })
}

/// Strips leading zeros, and moves trailing zeros into the exponent, so that
/// `digits` is empty exactly when the value is zero.
fn normalize(digits: &mut Vec<u8>, exp10: &mut i128) {
    let leading = digits.iter().take_while(|&&d| d == 0).count();
    digits.drain(..leading);
    let trailing = digits.iter().rev().take_while(|&&d| d == 0).count();
    digits.truncate(digits.len() - trailing);
    *exp10 += trailing as i128;
}

/// Multiplies a decimal digit string by 2^`exp` (exp <= 60), exactly, in
/// linear time (schoolbook multiplication by a one-"digit" factor).
fn mul_pow2(digits: &[u8], exp: u32) -> Vec<u8> {
    let factor: u128 = 1u128 << exp.min(64);
    let mut out = Vec::with_capacity(digits.len() + 20);
    let mut carry: u128 = 0;
    for &d in digits.iter().rev() {
        let x = u128::from(d) * factor + carry;
        out.push((x % 10) as u8);
        carry = x / 10;
    }
    while carry > 0 {
        out.push((carry % 10) as u8);
        carry /= 10;
    }
    out.reverse();
    out
}

/// Adds one to a decimal digit string.
fn increment(digits: &mut Vec<u8>) {
    for d in digits.iter_mut().rev() {
        if *d == 9 {
            *d = 0;
        } else {
            *d += 1;
            return;
        }
    }
    digits.insert(0, 1);
}

/// `ceil(digits * 10^shift)` for a non-zero, normalized digit string, or
/// `None` when the result has more than 38 digits (far beyond any `i64`).
fn ceil_scaled(digits: &[u8], shift: i128) -> Option<u128> {
    const MAX_DIGITS: i128 = 38; // 10^38 < u128::MAX
    let len = digits.len() as i128;
    if shift >= 0 {
        if len + shift > MAX_DIGITS {
            return None;
        }
        let mut v = to_u128(digits)?;
        for _ in 0..shift {
            v = v.checked_mul(10)?;
        }
        Some(v)
    } else {
        let dropped = -shift;
        if dropped >= len {
            // A non-zero value below one unit rounds up to one unit.
            return Some(1);
        }
        let keep = (len - dropped) as usize;
        if keep as i128 > MAX_DIGITS {
            return None;
        }
        let whole = to_u128(&digits[..keep])?;
        let fraction = digits[keep..].iter().any(|&d| d != 0);
        whole.checked_add(u128::from(fraction))
    }
}

fn to_u128(digits: &[u8]) -> Option<u128> {
    digits.iter().try_fold(0u128, |acc, &d| {
        acc.checked_mul(10)?.checked_add(u128::from(d))
    })
}

#[cfg(test)]
mod tests {
    /// The plain fast path gives exactly the general path's result, or
    /// declines: over random digit strings, every suffix and several scales.
    #[test]
    fn plain_quantities_parse_as_the_general_path_does() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let suffixes = [
            "", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei",
            "e3", "e-4", "E2", "e40", "e-12",
        ];
        let mut taken = 0;
        for _ in 0..200_000 {
            let len = rng.gen_range(1..=20);
            let mut digits: String = (0..len)
                .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
                .collect();
            if rng.gen_bool(0.5) {
                digits.insert(rng.gen_range(0..=len), '.');
            }
            let text = format!("{digits}{}", suffixes[rng.gen_range(0..suffixes.len())]);
            let scale = [-12, -9, -3, 0, 3][rng.gen_range(0..5)];
            let general = Parsed::from_text(&text).ok().and_then(|p| {
                if p.digits.is_empty() {
                    return Some(0);
                }
                let m = ceil_scaled(&p.digits, p.exp10 - i128::from(scale))?;
                i64::try_from(m).ok()
            });
            if let Some(fast) = plain_quantity_scaled(&text, scale) {
                assert_eq!(Some(fast), general, "{text} at 10^{scale}");
                taken += 1;
            }
        }
        assert!(taken > 50_000, "the fast path took only {taken}");
    }

    use super::*;

    const KI: i64 = 1 << 10;
    const MI: i64 = 1 << 20;
    const GI: i64 = 1 << 30;
    const TI: i64 = 1 << 40;
    const PI: i64 = 1 << 50;
    const EI: i64 = 1 << 60;

    #[test]
    fn brief_examples() {
        assert_eq!(parse_milli("100m"), Ok(100));
        assert_eq!(parse_milli("0.5"), Ok(500));
        assert_eq!(parse_milli("2"), Ok(2000));
        assert_eq!(parse_milli("1e3"), Ok(1_000_000));
        assert_eq!(parse_milli("0.1"), Ok(100));
        assert_eq!(parse_units("1Gi"), Ok(1_073_741_824));
        assert_eq!(parse_units("1G"), Ok(1_000_000_000));
        assert_eq!(parse_units("1.5Gi"), Ok(1_610_612_736));
        assert_eq!(parse_units("100M"), Ok(100_000_000));
        assert_eq!(parse_units("128974848"), Ok(128_974_848));
        assert_eq!(parse_units("129e6"), Ok(129_000_000));
        assert_eq!(parse_units("123Mi"), Ok(123 * MI));
        assert_eq!(parse_units("10Mi"), Ok(10 * MI));
        assert_eq!(parse_units("0.5"), Ok(1));
        assert_eq!(parse_units("1e3"), Ok(1000));
        assert_eq!(parse_units("1E3"), Ok(1000));
        assert_eq!(parse_milli("5."), Ok(5000));
        assert_eq!(parse_milli(".5"), Ok(500));
        assert_eq!(parse_milli("1n"), Ok(1));
        assert_eq!(parse_milli("-1"), Ok(-1000));
    }

    #[test]
    fn fractional_binary_rounds_up_exactly() {
        // 1.1 * 2^30 = 1181116006.4 -> 1181116007 (f64 would also get this
        // one, but only exact arithmetic gets every case right).
        assert_eq!(parse_units("1.1Gi"), Ok(1_181_116_007));
        assert_eq!(parse_units("0.1Ki"), Ok(103)); // 102.4
        assert_eq!(parse_milli("0.1Ki"), Ok(102_400));
    }

    /// The value table of TestQuantityParse in upstream quantity_test.go,
    /// expressed as nano-units (every entry is a whole number of them).
    #[test]
    fn upstream_parse_table() {
        let n = |text: &str| parse_quantity_scaled(text, -9).unwrap();
        let e9 = 1_000_000_000i64;
        let table: &[(&str, i64)] = &[
            ("0", 0),
            ("0n", 0),
            ("0u", 0),
            ("0m", 0),
            ("0Ki", 0),
            ("0k", 0),
            ("0Mi", 0),
            ("0M", 0),
            ("0Gi", 0),
            ("0G", 0),
            ("0Ti", 0),
            ("0T", 0),
            ("1", e9),
            ("5n", 5),
            ("4u", 4_000),
            ("3m", 3_000_000),
            ("9", 9 * e9),
            ("8k", 8_000 * e9),
            ("50k", 50_000 * e9),
            ("7M", 7_000_000 * e9),
            ("1E-3", 1_000_000),
            ("0.001", 1_000_000),
            ("0.0005k", 500_000_000),
            ("0.005", 5_000_000),
            ("0.05", 50_000_000),
            ("0.5", 500_000_000),
            ("0.00050k", 500_000_000),
            ("0.00500", 5_000_000),
            ("0.05000", 50_000_000),
            ("0.50000", 500_000_000),
            ("0.5e0", 500_000_000),
            ("0.5e-1", 50_000_000),
            ("0.5e-2", 5_000_000),
            ("9.01", 9_010_000_000),
            ("1.2e3", 1_200 * e9),
            ("1.3E+6", 1_300_000 * e9),
            ("100.035k", 100_035 * e9),
            ("10.035M", 10_035_000 * e9),
            ("8.1k", 8_100 * e9),
            // Things that saturate/round.
            ("3.001n", 4),
            ("1.1E-9", 2),
            ("0.0000000001", 1),
            ("0.0000000005", 1),
            ("0.00000000050", 1),
            ("0.5e-9", 1),
            ("0.9n", 1),
            ("0.00000012345", 124),
            ("0.00000012354", 124),
            // Things written by trolls.
            ("0.000000000001Ki", 2),
            (".001", 1_000_000),
            (".0001k", 100_000_000),
            ("1.", e9),
        ];
        for &(text, nanos) in table {
            assert_eq!(n(text), nanos, "{text}");
            // Upstream also checks every entry with an explicit '+' and '-'.
            assert_eq!(n(&format!("+{text}")), nanos, "+{text}");
            assert_eq!(n(&format!("-{text}")), -nanos, "-{text}");
        }
    }

    #[test]
    fn upstream_large_values_in_units() {
        let table: &[(&str, i64)] = &[
            ("1Ki", KI),
            ("8Ki", 8 * KI),
            ("7Mi", 7 * MI),
            ("6Gi", 6 * GI),
            ("5Ti", 5 * TI),
            ("4Pi", 4 * PI),
            ("3Ei", 3 * EI),
            ("10Ti", 10 * TI),
            ("100Ti", 100 * TI),
            ("6G", 6_000_000_000),
            ("5T", 5_000_000_000_000),
            ("40T", 40_000_000_000_000),
            ("300T", 300_000_000_000_000),
            ("2P", 2_000_000_000_000_000),
            ("1E", 1_000_000_000_000_000_000),
            ("1e3", 1_000),
            ("1E6", 1_000_000),
            ("1e9", 1_000_000_000),
            ("1E12", 1_000_000_000_000),
            ("1e15", 1_000_000_000_000_000),
            ("1E18", 1_000_000_000_000_000_000),
            ("1e14", 100_000_000_000_000),
            ("1.40e9", 1_400_000_000),
            ("1.53E12", 1_530_000_000_000),
            ("1.6e15", 1_600_000_000_000_000),
            ("1.7E18", 1_700_000_000_000_000_000),
            ("7.123456M", 7_123_456),
            ("6.987654321G", 6_987_654_321),
            ("5.444T", 5_444_000_000_000),
            ("40.1T", 40_100_000_000_000),
            ("300.2T", 300_200_000_000_000),
            ("2.5P", 2_500_000_000_000_000),
            ("1.01E", 1_010_000_000_000_000_000),
            ("1.G", 1_000_000_000),
            // Fractional binary values (upstream "we'll accept fractional
            // binary stuff, too").
            ("100.035Ki", 102_436), // 102435.84
            ("0.5Mi", 524_288),
            ("0.05Gi", 53_687_092),      // 53687091.2
            ("0.025Ti", 27_487_790_695), // 27487790694.4
            // Binary quantities are capped at 2^63-1 rather than rejected.
            ("9Ei", i64::MAX),
            ("8Ei", i64::MAX),
            ("9223372036854775807Ki", i64::MAX),
        ];
        for &(text, units) in table {
            assert_eq!(parse_units(text), Ok(units), "{text}");
        }
    }

    #[test]
    fn rounds_magnitude_up() {
        // TestQuantityRoundUp: 9.01 rounded to whole units is 10, -9.01 is -10.
        assert_eq!(parse_units("9.01"), Ok(10));
        assert_eq!(parse_units("-9.01"), Ok(-10));
        assert_eq!(parse_units("-0.5"), Ok(-1));
        assert_eq!(parse_milli("1.0001m"), Ok(2));
        assert_eq!(parse_milli("1u"), Ok(1));
        assert_eq!(parse_milli("1e-100"), Ok(1));
        assert_eq!(
            parse_units("0.000000000000000000000000000000000000000000001"),
            Ok(1)
        );
        // Finer than nano is rounded to nano before scaling further down.
        assert_eq!(parse_quantity_scaled("1e-12", -12), Ok(1_000));
        assert_eq!(parse_quantity_scaled("1500", 3), Ok(2));
    }

    #[test]
    fn zero_in_any_form() {
        for text in [
            "0", "-0", "+0", "0.0", "00000", "0e999999", "0Ei", "0.000n", "0e-99999",
        ] {
            assert_eq!(parse_milli(text), Ok(0), "{text}");
        }
    }

    #[test]
    fn surrounding_whitespace_is_trimmed_like_unmarshal_json() {
        assert_eq!(parse_milli(" 1"), Ok(1000));
        assert_eq!(parse_milli("1 "), Ok(1000));
        assert!(parse_units("1 Gi").is_err());
    }

    #[test]
    fn rejects_invalid() {
        // The invalid table of upstream TestQuantityParse, and the brief's.
        let invalid = [
            "", " ", "1.1.M", "1+1.0M", "0.1mi", "0.1am", "aoeu", ".5i", "1i", "-3.01i", "-3.01e-",
            "1Gb", "abc", "1.2.3", "Gi", "1e", "1e+", "1K", "1KiB", "1 Gi", ".", "-", "+", "--1",
            "1e3.5", "1ee3", "1,5", "0x10", "1_000", "∞", "1µ", "NaN",
        ];
        for text in invalid {
            assert!(parse_units(text).is_err(), "{text:?} parsed");
            assert!(parse_milli(text).is_err(), "{text:?} parsed");
        }
    }

    #[test]
    fn rejects_overflow_instead_of_wrapping() {
        let big = "9999999999999999999999";
        assert_eq!(
            parse_units(big),
            Err(QuantityError::TooLarge {
                text: big.into(),
                scale_exp: 0
            })
        );
        assert!(parse_milli("9223372036854775807").is_err());
        assert!(parse_milli("8Ei").is_err()); // capped at 2^63-1, then * 1000
        assert!(parse_units("1e19").is_err());
        assert!(parse_units("1e999999999999").is_err());
        assert!(parse_units(&"9".repeat(10_000)).is_err());
        assert!(parse_units("1e99999999999999999999").is_err()); // exponent > i64
        assert_eq!(parse_units("9223372036854775807"), Ok(i64::MAX));
        assert_eq!(parse_units("-9223372036854775808"), Ok(i64::MIN));
        assert!(parse_units("9223372036854775808").is_err());
        assert!(parse_units("-9223372036854775809").is_err());
        assert_eq!(parse_milli("9223372036854775.807"), Ok(i64::MAX));
        assert!(parse_milli("9223372036854775.8071").is_err());
    }

    #[test]
    fn error_messages_say_what_was_found_and_expected() {
        assert_eq!(
            parse_units("12x").unwrap_err().to_string(),
            "\"12x\" is not a quantity: unknown suffix \"x\" (expected a number with an \
             optional suffix such as 100m, 0.5, 1Gi, 1G, 1e3)"
        );
        assert_eq!(
            parse_units("").unwrap_err().to_string(),
            "an empty string is not a quantity (expected a number with an optional suffix \
             such as 100m, 0.5, 1Gi, 1G, 1e3)"
        );
        assert!(parse_units("1.2.3")
            .unwrap_err()
            .to_string()
            .contains("more than one decimal point"));
        assert!(parse_units("Gi")
            .unwrap_err()
            .to_string()
            .contains("no number before the suffix"));
        assert!(parse_units(".")
            .unwrap_err()
            .to_string()
            .contains("no digits"));
        // Without digits or a known suffix the whole text is the suffix.
        assert_eq!(
            parse_units("lots"),
            Err(QuantityError::UnknownSuffix {
                text: "lots".into(),
                suffix: "lots".into()
            })
        );
        assert!(parse_units("1e")
            .unwrap_err()
            .to_string()
            .contains("has no digits"));
        assert_eq!(
            parse_milli("1e30").unwrap_err().to_string(),
            "\"1e30\" is too large: its value in milli-units does not fit in a 64-bit integer"
        );
    }

    #[test]
    fn formats_milli() {
        assert_eq!(format_milli(1500), "1500m");
        assert_eq!(format_milli(2000), "2");
        assert_eq!(format_milli(0), "0");
        assert_eq!(format_milli(1), "1m");
        assert_eq!(format_milli(-500), "-500m");
        assert_eq!(format_milli(-3000), "-3");
        assert_eq!(format_milli(i64::MIN), format!("{}m", i64::MIN));
        for m in [1, 100, 999, 1000, 1500, 2000, 123_456, i64::MAX] {
            assert_eq!(parse_milli(&format_milli(m)), Ok(m));
        }
    }
}
