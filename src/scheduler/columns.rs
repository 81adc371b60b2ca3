//! The snapshot's score rows ([`ScoreRow`]) once more as columns,
//! one array per number, in the order the scheduler visits the nodes
//! (`Scheduler::node_order`): a pass visits a run of consecutive positions,
//! so the straight-line scores (`fused::straight`) can compute every node of
//! the run in one loop the compiler vectorises four nodes wide, with no
//! gather of rows by node id. Pods that all differ (a recorded trace's)
//! reuse no cached total, and there this loop is most of a pass.

use crate::model::store::NodeId;

/// What the fused pass's straight-line scores read of a node, cpu then
/// memory in each pair, as doubles: the integers are below 2^53 (see
/// `snapshot::ROOMY`), so they are exact, and the pairs make one vector operation
/// per step for both resources.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[repr(align(64))]
pub struct ScoreRow {
    pub allocatable: [f64; 2],
    /// `1 / allocatable` (0 when allocatable is 0).
    pub inverse_allocatable: [f64; 2],
    pub requested: [f64; 2],
    pub non_zero_requested: [f64; 2],
}

/// No position: the node is not in the visiting order (deleted).
const NO_POSITION: u32 = u32::MAX;

/// [`ScoreRow`]'s fields by position in the visiting order.
#[derive(Default)]
pub struct ScoreColumns {
    pub allocatable: [Vec<f64>; 2],
    pub inverse_allocatable: [Vec<f64>; 2],
    pub requested: [Vec<f64>; 2],
    pub non_zero_requested: [Vec<f64>; 2],
    /// Each node's position, indexed by node id.
    position: Vec<u32>,
}

impl ScoreColumns {
    /// Lays the columns out in `order` from `rows` (indexed by node id; a
    /// node without a row yet gets a default one until `set`).
    pub fn arrange(&mut self, order: &[NodeId], rows: &[ScoreRow]) {
        let n = order.len();
        for column in self.columns_mut() {
            column.clear();
            column.resize(n, 0.0);
        }
        self.position.clear();
        self.position.resize(rows.len(), NO_POSITION);
        for (k, &id) in order.iter().enumerate() {
            if self.position.len() <= id.0 as usize {
                self.position.resize(id.0 as usize + 1, NO_POSITION);
            }
            self.position[id.0 as usize] = k as u32;
            self.write(k, &rows.get(id.0 as usize).copied().unwrap_or_default());
        }
    }

    /// The node's row changed.
    pub fn set(&mut self, id: NodeId, row: &ScoreRow) {
        match self.position.get(id.0 as usize) {
            Some(&k) if k != NO_POSITION => self.write(k as usize, row),
            _ => {}
        }
    }

    /// The node's position in the visiting order (it is in it).
    #[inline]
    pub fn position(&self, id: NodeId) -> usize {
        self.position[id.0 as usize] as usize
    }

    /// The row at position `k`, as `set` last wrote it.
    pub fn row(&self, k: usize) -> ScoreRow {
        ScoreRow {
            allocatable: [self.allocatable[0][k], self.allocatable[1][k]],
            inverse_allocatable: [
                self.inverse_allocatable[0][k],
                self.inverse_allocatable[1][k],
            ],
            requested: [self.requested[0][k], self.requested[1][k]],
            non_zero_requested: [self.non_zero_requested[0][k], self.non_zero_requested[1][k]],
        }
    }

    fn write(&mut self, k: usize, row: &ScoreRow) {
        for r in 0..2 {
            self.allocatable[r][k] = row.allocatable[r];
            self.inverse_allocatable[r][k] = row.inverse_allocatable[r];
            self.requested[r][k] = row.requested[r];
            self.non_zero_requested[r][k] = row.non_zero_requested[r];
        }
    }

    fn columns_mut(&mut self) -> impl Iterator<Item = &mut Vec<f64>> {
        (self.allocatable.iter_mut())
            .chain(&mut self.inverse_allocatable)
            .chain(&mut self.requested)
            .chain(&mut self.non_zero_requested)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(x: f64) -> ScoreRow {
        ScoreRow {
            allocatable: [x, x + 1.0],
            inverse_allocatable: [1.0 / x, 1.0 / (x + 1.0)],
            requested: [x / 2.0, x / 4.0],
            non_zero_requested: [x / 3.0, x / 5.0],
        }
    }

    #[test]
    fn columns_follow_the_visiting_order_and_changes() {
        let mut rows: Vec<ScoreRow> = (1..=4).map(|x| row(x as f64)).collect();
        let mut columns = ScoreColumns::default();
        // Node 2 is deleted: not in the order.
        let order = [NodeId(3), NodeId(0), NodeId(1)];
        columns.arrange(&order, &rows);
        for (k, id) in order.iter().enumerate() {
            assert_eq!(columns.position(*id), k);
            assert_eq!(columns.row(k), rows[id.0 as usize]);
        }
        rows[0] = row(9.0);
        columns.set(NodeId(0), &rows[0]);
        columns.set(NodeId(2), &row(7.0));
        // A node added since the rows were last updated: a default row
        // until its change is set.
        columns.arrange(&[NodeId(4), NodeId(0)], &rows);
        assert_eq!(columns.row(0), ScoreRow::default());
        assert_eq!(columns.row(1), row(9.0));
        columns.set(NodeId(4), &row(5.0));
        assert_eq!(columns.row(0), row(5.0));
        assert_eq!(columns.allocatable[0].len(), 2);
    }
}
