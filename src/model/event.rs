//! Kubernetes Events (`core/v1` Event): what components report about objects,
//! in the words `kubectl get events` shows.

use crate::engine::SimTime;
use std::borrow::Cow;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRecord {
    pub time: SimTime,
    /// Kind of the involved object: `Pod`, `Node` …
    pub kind: &'static str,
    /// `namespace/name` for namespaced objects, `name` otherwise.
    pub object: String,
    pub reason: Cow<'static, str>,
    pub message: String,
}
