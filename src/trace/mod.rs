//! Workload traces read from CSV files: the Alibaba openb GPU trace
//! ([`openb`]). Readers report malformed rows at file, line and column.
pub mod csv_rows;
pub mod openb;
