//! Kubernetes manifests inside scenarios: decoding Pod, Node and `kind: List`
//! documents (as written for `kubectl apply` or printed by `kubectl get -o yaml`)
//! from the spanned YAML tree into model objects, applying the API server's
//! validation and defaulting (Kubernetes v1.32: `pkg/apis/core/validation/validation.go`,
//! `pkg/apis/core/v1/defaults.go`).
//!
//! Real manifests must run unchanged, so every field of the real API that kubesim does
//! not model is accepted and ignored, or, where ignoring it changes where pods land,
//! accepted with a warning. Any other key is an error with a "did you mean" hint, because
//! a misspelt optional field would otherwise silently fall back to its default.
//!
//! Nothing here stops at the first problem: each decoder records everything it finds in
//! the context's sink and carries on, and an object is returned only if decoding it
//! recorded no error, so a half-valid object never reaches a run.

//!
//! One file per kind of object or part of one: [`meta`] (metadata, labels, DNS names),
//! [`pod`] (Pod and its spec), [`container`] (containers and resource lists), [`node`],
//! [`taints`] (taints and tolerations), [`selector`] (label selectors and node selector
//! requirements), [`affinity`] (node affinity) and [`topology`] (spread constraints and
//! pod (anti-)affinity). `selector` and `meta` are leaves the others build on.

pub mod affinity;
pub mod container;
pub mod meta;
pub mod node;
pub mod pod;
pub mod selector;
pub mod taints;
pub mod topology;

pub(crate) use crate::model::labels::{is_dns1123_label, is_dns1123_subdomain};
pub(crate) use affinity::decode_node_affinity;
pub use container::decode_resource_list;
pub(crate) use container::quantity_value;
pub(crate) use meta::decode_metadata;
pub use meta::{decode_labels, NameSite};
pub(crate) use meta::{opt_enum, warn_unmodelled};
pub use node::decode_node;
pub use pod::decode_pod;
pub(crate) use pod::decode_pod_spec;
pub use selector::decode_label_selector;
pub use taints::{decode_taints, decode_tolerations};
pub use topology::{decode_pod_affinity, decode_topology_spread_constraints};

#[cfg(test)]
mod tests;
