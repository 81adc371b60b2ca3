//! Every pod of a run, by id. Ids are dense and never reused (pods.csv is
//! in creation order). A pod that has finished and that nothing can refer
//! to any more may be *retired* when its results are streamed: its entry is
//! dropped and only the empty slot stays, so that a long run's memory grows
//! with the pods alive, not with every pod it ever created.

use super::{PodEntry, PodId};
use std::ops::{Index, IndexMut};

#[derive(Clone, Debug, Default)]
pub struct PodTable {
    /// `None` for a retired pod. Boxed so that a retired slot costs a pointer.
    slots: Vec<Option<Box<PodEntry>>>,
    retired: usize,
    /// Retired pods still in the API (terminal, not deleted), by phase, so
    /// that the phase counts can still be checked.
    retired_in_api: [i64; 5],
}

impl PodTable {
    /// Pods created so far, retired ones included.
    pub fn len(&self) -> usize {
        self.slots.len()
    }
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
    /// Pods whose entry is still held (not retired).
    pub fn live(&self) -> usize {
        self.slots.len() - self.retired
    }
    /// The pod's entry, `None` once it is retired.
    pub fn get(&self, id: PodId) -> Option<&PodEntry> {
        self.slots.get(id.0 as usize)?.as_deref()
    }
    pub fn is_retired(&self, id: PodId) -> bool {
        self.slots.get(id.0 as usize).is_some_and(Option::is_none)
    }
    /// The entries not retired, in creation order.
    pub fn iter(&self) -> impl Iterator<Item = &PodEntry> {
        self.slots.iter().filter_map(|s| s.as_deref())
    }
    /// The ids and entries not retired, in creation order.
    pub fn iter_ids(&self) -> impl Iterator<Item = (PodId, &PodEntry)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((PodId(i as u32), s.as_deref()?)))
    }
    pub(super) fn push(&mut self, entry: PodEntry) -> PodId {
        let id = PodId(self.slots.len() as u32);
        self.slots.push(Some(Box::new(entry)));
        id
    }
    /// Drops the pod's entry, returning it; its id stays taken.
    pub(super) fn retire(&mut self, id: PodId) -> Box<PodEntry> {
        let entry = self.slots[id.0 as usize]
            .take()
            .expect("a pod is retired once");
        self.retired += 1;
        if entry.deleted.is_none() {
            self.retired_in_api[entry.status.phase as usize] += 1;
        }
        entry
    }

    /// Retired pods still in the API, by phase (`PodPhase as usize`).
    pub fn retired_in_api(&self) -> [i64; 5] {
        self.retired_in_api
    }
}

impl Index<usize> for PodTable {
    type Output = PodEntry;
    fn index(&self, i: usize) -> &PodEntry {
        self.slots[i]
            .as_deref()
            .unwrap_or_else(|| panic!("pod {i} was retired"))
    }
}

impl IndexMut<usize> for PodTable {
    fn index_mut(&mut self, i: usize) -> &mut PodEntry {
        self.slots[i]
            .as_deref_mut()
            .unwrap_or_else(|| panic!("pod {i} was retired"))
    }
}

impl<'a> IntoIterator for &'a PodTable {
    type Item = &'a PodEntry;
    type IntoIter = std::iter::FilterMap<
        std::slice::Iter<'a, Option<Box<PodEntry>>>,
        fn(&'a Option<Box<PodEntry>>) -> Option<&'a PodEntry>,
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.slots.iter().filter_map(|s| s.as_deref())
    }
}
