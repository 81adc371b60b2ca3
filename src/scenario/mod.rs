//! Scenario files: the YAML format, its decoding with precise errors, and the
//! validated [`Scenario`] a run takes. The only module that knows the file format.
pub mod actions;
pub mod arrivals;
pub mod autoscaler;
pub mod autoscaling;
pub mod autoscaling_checks;
pub mod behaviour;
pub mod civil_time;
pub mod clock;
pub mod decode;
pub mod delete_action;
pub mod faults;
pub mod images;
pub mod manifest;
pub mod objects;
pub mod pod_trace;
pub mod policy;
pub mod pools;
pub mod probes;
pub mod profile;
pub mod results_name;
pub mod scheduler_config;
pub mod service;
pub mod sizes;
pub mod snapshot;
pub mod sources;
pub mod spec;
mod unique_names;
pub mod workloads;

pub use spec::{Action, ActionKind, Arrival, ArrivalProcess, Expectation, Scenario};
