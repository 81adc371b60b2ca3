//! Pod names are unique per namespace across a scenario's traces and its
//! Pod manifests: the API server refuses to create a pod whose name is
//! taken (`AlreadyExists`, `staging/src/k8s.io/apiserver/pkg/registry/
//! generic/registry/store.go` `Create`). kubesim checks it when the scenario
//! is loaded, as it does for manifest Pods, whether or not the first pod is
//! gone by the time the second is created: a scenario's names are its
//! objects' identities in every output file.
//!
//! Memory: an 80-bit digest of `namespace/name` and where it was named per
//! row, 16 bytes in a hash table at most seven-eighths full (about 32 MB
//! for a million rows), held while the scenario loads and dropped before
//! the run. Two different names are taken for one with a probability of
//! about 10⁻¹¹ in a trace of a million rows (n²/2⁸¹).

use rustc_hash::FxHasher;
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Where a name was first given, and 16 more bits of its digest.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Origin {
    /// The trace's line, or for a Pod manifest the index of its location
    /// in [`TakenNames::manifest_pods`].
    line: u32,
    /// Into [`TakenNames::traces`]; [`MANIFEST`] for a Pod manifest.
    source: u16,
    check: u16,
}

const MANIFEST: u16 = u16::MAX;

/// The pod names given so far, by namespace.
#[derive(Default)]
pub struct TakenNames {
    /// By the first 64 bits of the name's digest (16 bytes an entry).
    taken: HashMap<u64, Origin, BuildHasherDefault<FxHasher>>,
    traces: Vec<String>,
    /// Where each Pod manifest is named (`file:line:column`).
    manifest_pods: Vec<String>,
    /// Arrivals by (namespace, name): how many pods they create at most
    /// (`None`: unbounded) and where they are named. Their pods are named
    /// `<name>-<n>`, n from 0.
    arrivals: HashMap<(String, String), (Option<u64>, String)>,
    buf: String,
}

/// 80 bits of digest: two unrelated hashes with fixed keys (deterministic).
fn digest(namespace: &str, name: &str) -> (u64, u16) {
    let mut a = FxHasher::default();
    let mut b = DefaultHasher::new();
    for h in [&mut a as &mut dyn Hasher, &mut b] {
        h.write(namespace.as_bytes());
        h.write_u8(b'/');
        h.write(name.as_bytes());
    }
    (b.finish(), a.finish() as u16)
}

impl TakenNames {
    /// A manifest Pod's name, named at `at` (`file:line:column`).
    pub fn add_manifest_pod(&mut self, namespace: &str, name: &str, at: String) {
        let (key, check) = digest(namespace, name);
        let line = self.manifest_pods.len() as u32;
        self.manifest_pods.push(at);
        self.taken.entry(key).or_insert(Origin {
            line,
            source: MANIFEST,
            check,
        });
    }

    /// An arrival, whose pods are named `<name>-<n>` for n below `limit`.
    pub fn add_arrival(&mut self, namespace: &str, name: &str, limit: Option<u64>, at: String) {
        self.arrivals
            .entry((namespace.to_string(), name.to_string()))
            .or_insert((limit, at));
    }

    /// The arrival that would name one of its pods `name`, if one would.
    fn arrival_naming(&self, namespace: &str, name: &str) -> Option<String> {
        let (prefix, n) = name.rsplit_once('-')?;
        if n.is_empty() || (n.len() > 1 && n.starts_with('0')) {
            return None;
        }
        let n: u64 = n.parse().ok()?;
        let (limit, at) = self
            .arrivals
            .get(&(namespace.to_string(), prefix.to_string()))?;
        limit.is_none_or(|l| n < l).then(|| {
            format!(
                "pod name {namespace}/{name} is the name arrival {prefix:?} (at {at}) gives its \
                 pod number {n}; pod names must be unique in their namespace: rename the row or \
                 the arrival"
            )
        })
    }

    /// The trace file whose rows follow, as [`TakenNames::add_row`]'s `source`.
    pub fn add_trace(&mut self, file: &str) -> u32 {
        self.traces.push(file.to_string());
        self.traces.len() as u32 - 1
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
        if !self.arrivals.is_empty() {
            if let Some(problem) = self.arrival_naming(namespace, &self.buf) {
                return Some(problem);
            }
        }
        let (key, check) = digest(namespace, &self.buf);
        // More traces than 65 534 in one scenario share the last number;
        // the message then names the last file.
        let source = source.min(u32::from(MANIFEST) - 1) as u16;
        let origin = Origin {
            line,
            source,
            check,
        };
        let first = *self.taken.entry(key).or_insert(origin);
        if first == origin || first.check != check {
            // New, or another name whose digest shares the 64 bits but not
            // the check (a later duplicate of this one then goes unnoticed;
            // such a clash has odds of about 3 in 10^8 in a million rows).
            return None;
        }
        let named = match first.source {
            MANIFEST => format!(
                "the name of the Pod at {}",
                self.manifest_pods[first.line as usize]
            ),
            s if s == source => format!("named on line {}", first.line),
            s => format!(
                "named on line {} of {}",
                first.line, self.traces[s as usize]
            ),
        };
        Some(format!(
            "pod name {namespace}/{} already taken ({named}); pod names must be unique in \
             their namespace across the scenario, as for Pod manifests (the API server refuses \
             to create a pod whose name exists: AlreadyExists)",
            self.buf
        ))
    }
}
