//! Workload traces read from CSV files: the Alibaba openb GPU trace
//! ([`openb`]) and a documented generic CSV format ([`generic`]). Readers
//! report malformed rows at file, line and column.
pub mod csv_rows;
pub mod generic;
pub mod openb;
