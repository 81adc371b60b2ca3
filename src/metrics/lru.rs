//! An LRU cache like groupcache's `lru.Cache`, the one client-go's event
//! correlator uses (`staging/src/k8s.io/client-go/tools/record/events_cache.go`,
//! v1.32): `touch` (`Get`) and `add` make an entry the most recent; `add`
//! beyond the capacity removes the least recent and returns it.
//!
//! Entries carry their own key: the caller looks an entry up by its key's
//! hash and a test on the entry, so a key is stored once, inside its entry,
//! and never cloned into an index. Each slot keeps its entry's hash, so the
//! index ([`HashTable`] of slot numbers) never rehashes a key and removing
//! the least recent entry compares slot numbers, not strings. Slots form a
//! doubly linked list in recency order, as groupcache's `container/list`,
//! so a touch moves two links.

use hashbrown::HashTable;

pub struct Lru<V> {
    index: HashTable<u32>,
    slots: Vec<Slot<V>>,
    /// The most and the least recent entry (`NIL` when empty).
    newest: u32,
    oldest: u32,
    capacity: usize,
}

const NIL: u32 = u32::MAX;

struct Slot<V> {
    value: V,
    hash: u64,
    /// Toward the oldest and toward the newest.
    older: u32,
    newer: u32,
}

impl<V> Lru<V> {
    /// A cache of at most `capacity` entries (at least one).
    pub fn new(capacity: usize) -> Self {
        assert!(capacity > 0 && capacity < NIL as usize);
        Lru {
            index: HashTable::new(),
            slots: Vec::new(),
            newest: NIL,
            oldest: NIL,
            capacity,
        }
    }

    /// The entry with `hash` that `is_key` accepts, made the most recent
    /// (`Get`).
    pub fn touch(&mut self, hash: u64, is_key: impl Fn(&V) -> bool) -> Option<&mut V> {
        let slots = &self.slots;
        let i = *self.index.find(hash, |&i| {
            let s = &slots[i as usize];
            s.hash == hash && is_key(&s.value)
        })?;
        self.unlink(i);
        self.link_newest(i);
        Some(&mut self.slots[i as usize].value)
    }

    /// Adds an entry whose key is not in the cache (the caller touched it
    /// first) as the most recent; when the cache was full, returns the
    /// least recent entry, which it removed. Upstream adds, then removes
    /// the least recent beyond the capacity: the same, since the new entry
    /// is the most recent.
    pub fn add(&mut self, hash: u64, value: V) -> Option<V> {
        let (i, evicted) = if self.slots.len() < self.capacity {
            self.slots.push(Slot {
                value,
                hash,
                older: NIL,
                newer: NIL,
            });
            (self.slots.len() as u32 - 1, None)
        } else {
            let i = self.oldest;
            let old_hash = self.slots[i as usize].hash;
            match self.index.find_entry(old_hash, |&j| j == i) {
                Ok(entry) => {
                    entry.remove();
                }
                Err(_) => unreachable!("every slot is indexed"),
            }
            self.unlink(i);
            let slot = &mut self.slots[i as usize];
            slot.hash = hash;
            (i, Some(std::mem::replace(&mut slot.value, value)))
        };
        self.link_newest(i);
        let slots = &self.slots;
        self.index
            .insert_unique(hash, i, |&j| slots[j as usize].hash);
        evicted
    }

    fn unlink(&mut self, i: u32) {
        let (older, newer) = {
            let s = &self.slots[i as usize];
            (s.older, s.newer)
        };
        match older {
            NIL => self.oldest = newer,
            o => self.slots[o as usize].newer = newer,
        }
        match newer {
            NIL => self.newest = older,
            n => self.slots[n as usize].older = older,
        }
    }

    fn link_newest(&mut self, i: u32) {
        let s = &mut self.slots[i as usize];
        s.older = self.newest;
        s.newer = NIL;
        match self.newest {
            NIL => self.oldest = i,
            n => self.slots[n as usize].newer = i,
        }
        self.newest = i;
    }

    /// Every entry, least recent first; the cache is left empty.
    pub fn drain(&mut self) -> Vec<V> {
        let mut order = Vec::with_capacity(self.slots.len());
        let mut i = self.oldest;
        while i != NIL {
            order.push(i);
            i = self.slots[i as usize].newer;
        }
        self.index.clear();
        self.newest = NIL;
        self.oldest = NIL;
        let mut values: Vec<Option<V>> = std::mem::take(&mut self.slots)
            .into_iter()
            .map(|s| Some(s.value))
            .collect();
        order
            .into_iter()
            .map(|i| values[i as usize].take().expect("each slot once"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Entries are their own keys; every key hashes alike, so lookups and
    /// removals must tell colliding entries apart.
    fn lru(capacity: usize) -> Lru<u32> {
        Lru::new(capacity)
    }

    #[test]
    fn a_full_cache_removes_the_least_recent_and_touch_refreshes() {
        let mut c = lru(2);
        assert_eq!(c.add(7, 1), None);
        assert_eq!(c.add(7, 2), None);
        assert_eq!(c.touch(7, |&v| v == 1).copied(), Some(1));
        assert_eq!(c.add(7, 3), Some(2));
        assert!(c.touch(7, |&v| v == 2).is_none());
        assert_eq!(c.add(7, 4), Some(1));
        assert_eq!(c.drain(), [3, 4]);
        assert_eq!(c.drain(), Vec::<u32>::new());
    }

    #[test]
    fn a_cache_of_one_keeps_the_last_added() {
        let mut c = lru(1);
        assert_eq!(c.add(1, 10), None);
        assert_eq!(c.add(2, 20), Some(10));
        assert!(c.touch(1, |&v| v == 10).is_none());
        assert_eq!(c.touch(2, |&v| v == 20).copied(), Some(20));
        assert_eq!(c.drain(), [20]);
    }
}
