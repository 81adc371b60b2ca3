//! Metrics: what a run measured, and the CSV writers of the output contract
//! (pods.csv, events.csv, timeseries.csv, workloads.csv, summary.csv,
//! decisions.csv).
//! Writers take `impl Write`; nothing here touches files or the clock.
pub mod csv_line;
pub mod events;
pub mod float;
pub mod lru;
pub mod nodes;
pub mod recorder;
pub mod recovery;
pub mod rows;
pub mod running;
pub mod service_load;
pub mod stream;
pub mod summary;
pub mod writers;

pub use recorder::Recorder;
pub use rows::{Sample, WorkloadSample};
pub use summary::Summary;
