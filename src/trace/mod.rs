//! Workload traces read from CSV files: the Alibaba openb GPU trace
//! ([`openb`]), a documented generic CSV format ([`generic`]) for the GPU
//! replay, and the pod trace ([`pods`]) the full simulation streams as it
//! runs. Readers report malformed rows at file, line and column.
pub mod csv_rows;
pub mod generic;
pub mod openb;
pub mod pods;
