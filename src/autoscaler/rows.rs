//! autoscaler.csv: one row per decision of the Cluster Autoscaler.

use crate::engine::SimTime;
use std::io::{self, Write};

/// A decision: a pool grows (`delta` > 0), gives up a node it asked for,
/// starts removing a node (-1), or fails to (+1, the node stays).
#[derive(Clone, Debug, PartialEq)]
pub struct AutoscalerRow {
    pub time: SimTime,
    pub pool: String,
    pub delta: i64,
    /// `scale-up`, `max-node-provision-time` (a requested node never came),
    /// `scale-down-empty`, `scale-down-underutilized`, `scale-down-failed`.
    pub reason: &'static str,
    /// Pods the scale-up is for (0 otherwise).
    pub pods_helped: u64,
    /// The node removed (scale-down rows).
    pub node: String,
}

pub const AUTOSCALER_COLUMNS: &[&str] =
    &["time_s", "pool", "delta", "reason", "pods_helped", "node"];

pub fn write_autoscaler(w: impl Write, rows: &[AutoscalerRow]) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    let err = |e: csv::Error| io::Error::other(e.to_string());
    out.write_record(AUTOSCALER_COLUMNS).map_err(err)?;
    for r in rows {
        out.write_record([
            r.time.to_string(),
            r.pool.clone(),
            r.delta.to_string(),
            r.reason.to_string(),
            r.pods_helped.to_string(),
            r.node.clone(),
        ])
        .map_err(err)?;
    }
    out.flush()
}
