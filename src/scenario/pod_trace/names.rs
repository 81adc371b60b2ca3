//! Pod names are unique per namespace across a scenario's traces and its
//! Pod manifests: the API server refuses to create a pod whose name is
//! taken (`AlreadyExists`, `staging/src/k8s.io/apiserver/pkg/registry/
//! generic/registry/store.go` `Create`). kubesim checks it when the scenario
//! is loaded, as it does for manifest Pods, whether or not the first pod is
//! gone by the time the second is created: a scenario's names are its
//! objects' identities in every output file.
//!
//! Memory: one 128-bit digest of `namespace/name` and where it was named
//! per row, 24 bytes in a hash table at most seven-eighths full (about
//! 50 MB for a million rows, 400 MB at the limit of 10 000 000), held while
//! the scenario loads and dropped before the run. Two names that differ
//! share a digest with a probability under 10⁻²⁴ for ten million rows.

use rustc_hash::FxHasher;
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Where a name was first given: a trace file's line, or a manifest Pod.
#[derive(Clone, Copy)]
struct Origin {
    /// Into [`TakenNames::sources`].
    source: u32,
    /// The trace's line; 0 for a manifest Pod (its source says where).
    line: u32,
}

/// The pod names given so far, by namespace.
#[derive(Default)]
pub struct TakenNames {
    taken: HashMap<(u64, u64), Origin, BuildHasherDefault<FxHasher>>,
    /// A trace file's name, or a manifest Pod's location.
    sources: Vec<String>,
    buf: String,
}

/// 128 bits as two words: a `u128` would be aligned to 16 bytes and pad
/// every entry of the table to 32.
fn digest(namespace: &str, name: &str) -> (u64, u64) {
    // Two unrelated 64-bit hashes, both with fixed keys (deterministic).
    let mut a = FxHasher::default();
    let mut b = DefaultHasher::new();
    for h in [&mut a as &mut dyn Hasher, &mut b] {
        h.write(namespace.as_bytes());
        h.write_u8(b'/');
        h.write(name.as_bytes());
    }
    (a.finish(), b.finish())
}

impl TakenNames {
    /// A manifest Pod's name, named at `at` (`file:line:column`).
    pub fn add_manifest_pod(&mut self, namespace: &str, name: &str, at: String) {
        let source = self.sources.len() as u32;
        self.sources.push(at);
        self.taken
            .entry(digest(namespace, name))
            .or_insert(Origin { source, line: 0 });
    }

    /// The trace file whose rows follow, as [`TakenNames::add_row`]'s `source`.
    pub fn add_trace(&mut self, file: &str) -> u32 {
        self.sources.push(file.to_string());
        self.sources.len() as u32 - 1
    }

    /// Takes the name of the pod on `line` of trace `source`; if it was
    /// taken before, the problem, saying where.
    pub fn add_row(
        &mut self,
        source: u32,
        line: u32,
        namespace: &str,
        name: impl std::fmt::Display,
    ) -> Option<String> {
        use std::fmt::Write;
        self.buf.clear();
        write!(self.buf, "{name}").expect("writes to a String");
        let origin = Origin { source, line };
        let first = *self
            .taken
            .entry(digest(namespace, &self.buf))
            .or_insert(origin);
        if first.source == source && first.line == line {
            return None;
        }
        let at = &self.sources[first.source as usize];
        let named = match first.line {
            0 => format!("the name of the Pod at {at}"),
            l if first.source == source => format!("named on line {l}"),
            l => format!("named on line {l} of {at}"),
        };
        Some(format!(
            "pod name {namespace}/{} already taken ({named}); pod names must be unique in \
             their namespace across the scenario, as for Pod manifests (the API server refuses \
             to create a pod whose name exists: AlreadyExists)",
            self.buf
        ))
    }
}
