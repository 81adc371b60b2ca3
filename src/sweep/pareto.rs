//! The Pareto frontier of a sweep: the grid points that no other point beats
//! on both the objective (e.g. cost, or a node count) and a constrained
//! figure (e.g. p99 pending). A platform engineer reads the trade-off off it:
//! every point not on it is dearer for no gain, or slower for no saving.

/// Which way a coordinate is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    Lower,
    Higher,
}

impl Better {
    /// `a` is at least as good as `b`.
    fn at_least(self, a: f64, b: f64) -> bool {
        match self {
            Better::Lower => a <= b,
            Better::Higher => a >= b,
        }
    }
}

/// For each (x, y), whether it is on the frontier: no other point is at
/// least as good on both coordinates and strictly better on one. Points with
/// a missing (NaN) coordinate are never on it and dominate nothing; equal
/// points do not dominate each other, so both stay. Quadratic, which is
/// nothing beside the runs of even a large grid.
pub fn frontier(points: &[(f64, f64)], x: Better, y: Better) -> Vec<bool> {
    let known = |p: &(f64, f64)| p.0.is_finite() && p.1.is_finite();
    let dominates = |a: &(f64, f64), b: &(f64, f64)| {
        x.at_least(a.0, b.0) && y.at_least(a.1, b.1) && (a.0 != b.0 || a.1 != b.1)
    };
    points
        .iter()
        .map(|p| known(p) && !points.iter().any(|q| known(q) && dominates(q, p)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cost against p99 pending, both lower is better: (1, 9) (2, 5) (4, 1)
    /// trade one for the other; (3, 6) is beaten by (2, 5) on both; (4, 2)
    /// by (4, 1) on p99 at the same cost; the NaN point is unknown.
    #[test]
    fn the_frontier_keeps_the_points_nothing_beats_on_both() {
        let pts = [
            (1.0, 9.0),
            (3.0, 6.0),
            (2.0, 5.0),
            (4.0, 2.0),
            (4.0, 1.0),
            (f64::NAN, 0.0),
        ];
        assert_eq!(
            frontier(&pts, Better::Lower, Better::Lower),
            [true, false, true, false, true, false]
        );
        // A figure to keep high (a `min:` constraint) turns the frontier:
        // against the cheapest, only the points that buy more of it stay.
        assert_eq!(
            frontier(&pts, Better::Lower, Better::Higher),
            [true, false, false, false, false, false]
        );
        assert_eq!(
            frontier(&pts, Better::Higher, Better::Higher),
            [true, true, false, true, false, false]
        );
    }

    #[test]
    fn equal_points_are_both_on_the_frontier() {
        let pts = [(2.0, 3.0), (2.0, 3.0), (2.0, 4.0)];
        assert_eq!(
            frontier(&pts, Better::Lower, Better::Lower),
            [true, true, false]
        );
    }
}
