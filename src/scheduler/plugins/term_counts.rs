//! InterPodAffinity's index of existing pods by label: for the affinity
//! terms of recent incoming pods, how many bound pods each node holds that
//! a term matches, kept up to date from watch events, so that a cycle reads
//! the counts instead of matching the term against every bound pod.
//!
//! The pods counted are those InterPodAffinity's PreFilter walks (upstream
//! `nodeInfo.Pods` of every node): every pod holding its node's resources
//! (`ClusterState::bound_pods`), terminating ones included.

use super::counted_nodes::{shift, CountedNodes};
use crate::model::labels::LabelSelector;
use crate::model::store::{NodeId, PodId};
use crate::model::topology::ResolvedTerm;
use crate::model::ClusterState;

/// How many terms' counts are kept (least recently used dropped first).
const MAX_CACHED_TERMS: usize = 32;

/// A term the index can count: listed namespaces and a label selector.
#[derive(Clone, Debug)]
struct Entry {
    namespaces: Vec<String>,
    selector: LabelSelector,
    /// By node id.
    per_node: Vec<i64>,
    last_use: u64,
}

impl Entry {
    fn matches(&self, namespace: &str, labels: &crate::model::labels::Labels) -> bool {
        self.namespaces.iter().any(|n| n == namespace) && self.selector.matches(labels)
    }
}

#[derive(Clone, Debug, Default)]
pub struct TermCounts {
    /// The node each bound pod holds, by pod id: what the counts include.
    node_of: CountedNodes,
    entries: Vec<Entry>,
    uses: u64,
}

/// The node `id` holds, if it is among the bound pods.
fn held_node(state: &ClusterState, id: PodId) -> Option<NodeId> {
    if state.bound_pods().contains(&id) {
        state.pod(id).node
    } else {
        None
    }
}

/// Matching bound pods per node, by a scan of every bound pod.
fn scan(entry: &Entry, state: &ClusterState) -> Vec<i64> {
    let mut per_node = vec![0; state.nodes().len()];
    for &id in state.bound_pods() {
        let e = state.pod(id);
        let Some(node) = e.node else { continue };
        if entry.matches(&e.pod.metadata.namespace, &e.pod.metadata.labels) {
            per_node[node.0 as usize] += 1;
        }
    }
    per_node
}

impl TermCounts {
    /// A pod was bound, began terminating, released its node or was
    /// deleted: count it again where it changed.
    pub fn pod_changed(&mut self, id: PodId, state: &ClusterState) {
        if self.entries.is_empty() {
            // Nothing counted yet (no pod with terms was scheduled): the
            // first term's scan sets the mirror of bound pods, so a run
            // without pod affinity keeps no entry per pod.
            return;
        }
        let Some(moved) = self.node_of.set(id, held_node(state, id)) else {
            return;
        };
        let pod = &state.pod(id).pod;
        for entry in &mut self.entries {
            if entry.matches(&pod.metadata.namespace, &pod.metadata.labels) {
                shift(&mut entry.per_node, moved, state.nodes().len());
            }
        }
    }

    /// The bound pods `term` matches, per node id; `None` for a term with a
    /// namespace selector or without a label selector (counted by a scan).
    pub fn per_node(&mut self, term: &ResolvedTerm, state: &ClusterState) -> Option<&[i64]> {
        if term.namespace_selector.is_some() {
            return None;
        }
        let selector = term.selector.as_ref()?;
        self.uses += 1;
        let found = (self.entries.iter())
            .position(|e| e.namespaces == term.namespaces && e.selector == *selector);
        let i = match found {
            Some(i) => i,
            None => {
                // A new term: count by a scan, and refresh the mirror of
                // bound pods with it (it covers pods bound before any event).
                self.node_of.refresh(state, held_node);
                if self.entries.len() == MAX_CACHED_TERMS {
                    let oldest = (0..self.entries.len())
                        .min_by_key(|&i| self.entries[i].last_use)
                        .expect("entries");
                    self.entries.swap_remove(oldest);
                }
                let mut entry = Entry {
                    namespaces: term.namespaces.clone(),
                    selector: selector.clone(),
                    per_node: Vec::new(),
                    last_use: 0,
                };
                entry.per_node = scan(&entry, state);
                self.entries.push(entry);
                self.entries.len() - 1
            }
        };
        let entry = &mut self.entries[i];
        entry.last_use = self.uses;
        entry.per_node.resize(state.nodes().len(), 0);
        debug_assert_eq!(
            entry.per_node,
            scan(entry, state),
            "kept counts of {selector:?} differ from a scan"
        );
        Some(&entry.per_node)
    }
}
