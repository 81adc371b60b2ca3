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

#[cfg(test)]
mod tests {
    use super::fixed;

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
