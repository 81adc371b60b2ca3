//! Floating-point numbers in output files. Every writer of a CSV, SVG or
//! HTML figure formats its floats through [`fixed`], so that no output file
//! ever holds `NaN`, `inf` or `-inf`.
//!
//! A number that is not finite is the result of an undefined figure (a mean
//! of nothing, a share of a zero total). The output contract already writes
//! an undefined figure as an empty field ("empty where never reached"), so
//! that is what [`fixed`] writes: every reader of the files handles empty
//! fields, while `NaN` parses differently from one tool to the next and
//! `inf` poisons every aggregate taken over a column. A panic or an error
//! would instead throw away a whole run or sweep for one undefined cell.
//! Inputs known to make figures undefined (a GPU fill-up without GPUs) are
//! refused when the scenario is read, so in practice the check is a net.

/// `v` with `decimals` digits after the point, or an empty field if `v` is
/// not finite.
pub fn fixed(v: f64, decimals: usize) -> String {
    if v.is_finite() {
        format!("{v:.decimals$}")
    } else {
        String::new()
    }
}

/// Appends what [`fixed`] returns to `buf`, without a string: the exact
/// value of `v` (a binary fraction) rounded to `decimals` digits with
/// integer arithmetic, which is what `format!` does; the cases that need
/// care (negative, huge or tiny values, exact ties) are left to `format!`.
/// Results write a few ratios per pod.
pub fn write_fixed(buf: &mut Vec<u8>, v: f64, decimals: usize) {
    match exact_fixed(v, decimals) {
        Some((int, frac)) => {
            let mut digits = [b'0'; 20];
            let mut i = digits.len();
            let mut rest = int;
            loop {
                i -= 1;
                digits[i] = b'0' + (rest % 10) as u8;
                rest /= 10;
                if rest == 0 {
                    break;
                }
            }
            buf.extend_from_slice(&digits[i..]);
            if decimals > 0 {
                let mut rest = frac;
                for d in digits[..decimals].iter_mut().rev() {
                    *d = b'0' + (rest % 10) as u8;
                    rest /= 10;
                }
                buf.push(b'.');
                buf.extend_from_slice(&digits[..decimals]);
            }
        }
        None => buf.extend_from_slice(fixed(v, decimals).as_bytes()),
    }
}

/// `v` rounded to `decimals` digits as (whole part, fraction digits), when
/// that is plain integer arithmetic.
fn exact_fixed(v: f64, decimals: usize) -> Option<(u64, u64)> {
    if !v.is_finite() || v.is_sign_negative() || decimals > 9 {
        return None;
    }
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1u64 << 52) - 1);
    // v = m × 2^e exactly.
    let (m, e) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1u64 << 52), biased - 1075)
    };
    let p = 10u128.pow(decimals as u32);
    let q = if m == 0 {
        0
    } else if e >= 0 {
        if e > 10 {
            return None;
        }
        (u128::from(m) << e) * p
    } else {
        let k = -e as u32;
        if k >= 120 {
            return None;
        }
        let n = u128::from(m) * p;
        let (q, r) = (n >> k, n & ((1u128 << k) - 1));
        let half = 1u128 << (k - 1);
        match r.cmp(&half) {
            std::cmp::Ordering::Less => q,
            std::cmp::Ordering::Greater => q + 1,
            std::cmp::Ordering::Equal => return None,
        }
    };
    Some(((q / p) as u64, (q % p) as u64))
}

#[cfg(test)]
mod tests {
    use super::{fixed, write_fixed};

    #[test]
    fn written_fixed_numbers_are_what_format_writes() {
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            0.5,
            1.0 / 128.0,
            0.0078125,
            2.5e-7,
            5e-7,
            1e-300,
            5e-324,
            0.999_999_5,
            0.999_999_499_999,
            123_456.789_012_5,
            1e15,
            1e20,
            4503599627370496.5,
            -0.25,
            f64::NAN,
        ];
        // Ratios as nodes.csv and timeseries.csv write them.
        let mut x = 12345u64;
        for _ in 0..20_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let used = (x >> 33) % 300_000;
            let total = 1 + (x >> 13) % 300_000;
            values.push(used as f64 / total as f64);
        }
        for v in values {
            for d in [0, 1, 3, 6, 9, 12] {
                let mut buf = Vec::new();
                write_fixed(&mut buf, v, d);
                assert_eq!(String::from_utf8(buf).unwrap(), fixed(v, d), "{v:e} {d}");
            }
        }
    }

    #[test]
    fn finite_numbers_keep_their_fixed_decimals() {
        assert_eq!(fixed(0.5, 6), "0.500000");
        assert_eq!(fixed(2.0 / 3.0, 3), "0.667");
        assert_eq!(fixed(1500.0, 1), "1500.0");
        assert_eq!(fixed(-0.25, 3), "-0.250");
    }

    #[test]
    fn non_finite_numbers_become_empty_fields() {
        for v in [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY - f64::INFINITY,
            f64::MAX * 2.0,
        ] {
            assert_eq!(fixed(v, 3), "", "{v}");
            assert_eq!(fixed(v, 6), "", "{v}");
        }
    }
}
