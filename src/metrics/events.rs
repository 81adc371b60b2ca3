//! Events as the API server ends up holding them: client-go's event
//! correlator (`staging/src/k8s.io/client-go/tools/record/events_cache.go`,
//! v1.32), so that events.csv reads like `kubectl get events` — one row per
//! Event object with its `count` and first and last time — instead of one
//! row per occurrence.
//!
//! Modelled: the `EventAggregator` (events that differ only in their
//! message, more than [`AGGREGATE_MAX_EVENTS`] − 1 distinct messages within
//! [`AGGREGATE_INTERVAL`], become one "(combined from similar events): …"
//! Event) and the `eventLogger` (an event identical to one in its cache
//! increments that Event's count and moves its last time), each an LRU cache
//! of [`LRU_CACHE_ENTRIES`]. Not modelled: the spam filter
//! (`EventSourceObjectSpamFilter`, a token bucket of 25 per object refilled
//! every 5 minutes, which drops events outright — kubesim keeps every
//! occurrence counted); the Event TTL of the API server (an Event expires an
//! hour after its last update and the next occurrence creates it again with
//! its count carried on, so the row is the same); and the per-component
//! caches (upstream every component, each kubelet included, has its own
//! correlator; kubesim keeps one, as if one component reported everything —
//! it matters only when more than 4096 other Events come between two
//! occurrences). The source of an event is implied by its reason.
//!
//! Order: a row is written when its Event leaves the logger's cache, and the
//! ones still there at the end in the cache's order. The cache is an LRU of
//! the last observation, so rows come out sorted by last time (ties in the
//! order they happened), and at most [`LRU_CACHE_ENTRIES`] Events are held
//! however long the run is.

use crate::engine::{SimDuration, SimTime};
use crate::model::event::EventRecord;
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::hash::Hash;

/// `maxLruCacheEntries`.
pub const LRU_CACHE_ENTRIES: usize = 4096;
/// `defaultAggregateMaxEvents`: similar events (same object and reason,
/// different messages) within the interval before they are combined.
pub const AGGREGATE_MAX_EVENTS: usize = 10;
/// `defaultAggregateIntervalInSeconds`.
pub const AGGREGATE_INTERVAL: SimDuration = SimDuration(600_000_000);
/// `EventAggregatorByReasonMessageFunc`'s prefix.
pub const COMBINED_PREFIX: &str = "(combined from similar events): ";

/// How events.csv records events (`kubesim run --events`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EventsMode {
    /// One row per Event object, as the correlator leaves them (`--events api`).
    #[default]
    Correlated,
    /// One row per occurrence, each with count 1 (`--events all`).
    All,
}

impl EventsMode {
    /// The value of `--events` that selects it.
    pub fn name(self) -> &'static str {
        match self {
            EventsMode::Correlated => "api",
            EventsMode::All => "all",
        }
    }
}

/// A row of events.csv: an Event object. `event.time` is its last time
/// (`lastTimestamp`) and `event.message` its latest message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRow {
    pub event: EventRecord,
    /// How many occurrences the Event stands for (`count`).
    pub count: u32,
    /// The first occurrence (`firstTimestamp`).
    pub first_time: SimTime,
}

impl EventRow {
    /// An occurrence on its own.
    pub fn single(event: EventRecord) -> Self {
        EventRow {
            first_time: event.time,
            count: 1,
            event,
        }
    }
}

impl std::ops::Deref for EventRow {
    type Target = EventRecord;
    fn deref(&self) -> &EventRecord {
        &self.event
    }
}

/// An LRU cache like groupcache's `lru.Cache` (what client-go uses): `get`
/// and `add` make an entry the most recent; `add` beyond the capacity
/// removes the least recent and returns it. A doubly linked list of slots
/// in recency order, as groupcache's `container/list`, so a touch moves
/// two links and clones no key.
struct Lru<K, V> {
    index: FxHashMap<K, u32>,
    slots: Vec<Slot<K, V>>,
    /// Slots of removed entries, for reuse.
    free: Vec<u32>,
    /// The most and the least recent entry (`NIL` when empty).
    newest: u32,
    oldest: u32,
    capacity: usize,
}

const NIL: u32 = u32::MAX;

struct Slot<K, V> {
    /// `None` while the slot is free.
    entry: Option<(K, V)>,
    /// Toward the oldest and toward the newest.
    older: u32,
    newer: u32,
}

impl<K: Hash + Eq + Clone, V> Lru<K, V> {
    fn new(capacity: usize) -> Self {
        Lru {
            index: FxHashMap::default(),
            slots: Vec::new(),
            free: Vec::new(),
            newest: NIL,
            oldest: NIL,
            capacity,
        }
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

    /// Removes the entry in slot `i` and frees the slot.
    fn remove_slot(&mut self, i: u32) -> (K, V) {
        self.unlink(i);
        self.free.push(i);
        self.slots[i as usize].entry.take().expect("a used slot")
    }

    /// The entry, made the most recent (`Get`).
    fn touch(&mut self, key: &K) -> Option<&mut V> {
        let i = *self.index.get(key)?;
        self.unlink(i);
        self.link_newest(i);
        self.slots[i as usize].entry.as_mut().map(|(_, v)| v)
    }

    fn add(&mut self, key: K, value: V) -> Option<V> {
        if let Some(i) = self.index.get(&key).copied() {
            // Already there: the new value, most recent.
            self.unlink(i);
            self.slots[i as usize].entry = Some((key, value));
            self.link_newest(i);
            return None;
        }
        let slot = Slot {
            entry: Some((key.clone(), value)),
            older: NIL,
            newer: NIL,
        };
        let i = match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = slot;
                i
            }
            None => {
                self.slots.push(slot);
                self.slots.len() as u32 - 1
            }
        };
        self.link_newest(i);
        self.index.insert(key, i);
        if self.index.len() <= self.capacity {
            return None;
        }
        let (k, v) = self.remove_slot(self.oldest);
        self.index.remove(&k);
        Some(v)
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

    /// Every entry, least recent first.
    fn drain(&mut self) -> impl Iterator<Item = V> + '_ {
        self.index.clear();
        std::iter::from_fn(move || (self.oldest != NIL).then(|| self.remove_slot(self.oldest).1))
    }
}

/// `EventAggregatorByReasonFunc`'s aggregate key: the involved object and
/// the reason (source and type follow from the reason in kubesim).
type AggregateKey = (&'static str, String, Cow<'static, str>);

/// `aggregateRecord`: the distinct messages seen and when the last came.
struct AggregateRecord {
    messages: BTreeSet<String>,
    last: SimTime,
}

/// The eventLogger's key: an event's own key (`getEventKey`, with its
/// message) or, once similar events are combined, the aggregate key.
#[derive(Clone, PartialEq, Eq, Hash)]
struct LoggerKey {
    aggregate: AggregateKey,
    message: Option<String>,
}

/// client-go's `EventCorrelator` without the spam filter.
pub struct EventCorrelator {
    aggregator: Lru<AggregateKey, AggregateRecord>,
    logger: Lru<LoggerKey, EventRow>,
}

impl Default for EventCorrelator {
    fn default() -> Self {
        Self::with_capacity(LRU_CACHE_ENTRIES)
    }
}

impl EventCorrelator {
    pub fn with_capacity(capacity: usize) -> Self {
        EventCorrelator {
            aggregator: Lru::new(capacity),
            logger: Lru::new(capacity),
        }
    }

    /// `EventCorrelate`: observes one occurrence; returns the Event that
    /// left the logger's cache to make room, which is final.
    pub fn observe(&mut self, event: EventRecord) -> Option<EventRow> {
        let (event, key) = self.aggregate(event);
        self.log(event, key)
    }

    /// `EventAggregate`: the event as the logger sees it and its key.
    fn aggregate(&mut self, mut event: EventRecord) -> (EventRecord, LoggerKey) {
        let aggregate: AggregateKey = (event.kind, event.object.clone(), event.reason.clone());
        let now = event.time;
        let fresh = || AggregateRecord {
            messages: BTreeSet::new(),
            last: now,
        };
        let note = |record: &mut AggregateRecord| {
            if !record.messages.contains(&event.message) {
                record.messages.insert(event.message.clone());
            }
            record.last = now;
            let combine = record.messages.len() >= AGGREGATE_MAX_EVENTS;
            if combine {
                // Upstream `PopAny` drops an arbitrary message to keep the set
                // below the limit; kubesim drops the smallest, to be deterministic.
                record.messages.pop_first();
            }
            combine
        };
        let combine = match self.aggregator.touch(&aggregate) {
            Some(record) => {
                // A record older than the interval starts over (upstream:
                // `interval > maxInterval`).
                if now.0 - record.last.0 > AGGREGATE_INTERVAL.0 {
                    *record = fresh();
                }
                note(record)
            }
            None => {
                let mut record = fresh();
                let combine = note(&mut record);
                self.aggregator.add(aggregate.clone(), record);
                combine
            }
        };
        if !combine {
            let message = Some(event.message.clone());
            return (event, LoggerKey { aggregate, message });
        }
        event.message = format!("{COMBINED_PREFIX}{}", event.message);
        let key = LoggerKey {
            aggregate,
            message: None,
        };
        (event, key)
    }

    /// `eventObserve`: a known Event counts one more and takes the latest
    /// time and message; a new one starts at count 1.
    fn log(&mut self, event: EventRecord, key: LoggerKey) -> Option<EventRow> {
        if let Some(row) = self.logger.touch(&key) {
            row.count += 1;
            row.event = event;
            return None;
        }
        self.logger.add(key, EventRow::single(event))
    }

    /// The Events still in the cache, least recently seen first.
    pub fn finish(&mut self) -> Vec<EventRow> {
        self.logger.drain().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(time_s: u64, object: &str, reason: &'static str, message: &str) -> EventRecord {
        EventRecord {
            time: SimTime(time_s * 1_000_000),
            kind: "Pod",
            object: object.to_string(),
            reason: reason.into(),
            message: message.to_string(),
        }
    }

    /// (object, reason, message, count, first_s, last_s) of every row, in
    /// the order written.
    fn check(
        capacity: usize,
        events: &[EventRecord],
    ) -> Vec<(String, String, String, u32, u64, u64)> {
        let mut c = EventCorrelator::with_capacity(capacity);
        let mut rows: Vec<EventRow> = events.iter().filter_map(|e| c.observe(e.clone())).collect();
        rows.extend(c.finish());
        rows.into_iter()
            .map(|r| {
                (
                    r.object.clone(),
                    r.reason.to_string(),
                    r.message.clone(),
                    r.count,
                    r.first_time.0 / 1_000_000,
                    r.time.0 / 1_000_000,
                )
            })
            .collect()
    }

    #[test]
    fn identical_events_are_one_event_with_a_count() {
        let m = "0/3 nodes are available: 3 Insufficient cpu.";
        let events: Vec<_> = (0..5)
            .map(|t| event(t * 100, "ns/a", "FailedScheduling", m))
            .collect();
        let rows = check(LRU_CACHE_ENTRIES, &events);
        assert_eq!(
            rows,
            [(
                "ns/a".into(),
                "FailedScheduling".into(),
                m.into(),
                5,
                0,
                400
            )]
        );
    }

    /// `TestEventCorrelator` "the-10th-event-should-be-aggregated": nine
    /// distinct messages stay separate; the tenth, and every similar one
    /// after it within ten minutes, goes into one combined Event.
    #[test]
    fn the_tenth_similar_event_is_combined_and_later_ones_count_on_it() {
        let events: Vec<_> = (0..12)
            .map(|i| event(i, "ns/a", "FailedScheduling", &format!("m{i:02}")))
            .collect();
        let rows = check(LRU_CACHE_ENTRIES, &events);
        assert_eq!(rows.len(), 9 + 1);
        for (i, row) in rows[..9].iter().enumerate() {
            assert_eq!((row.2.as_str(), row.3), (format!("m{i:02}").as_str(), 1));
        }
        assert_eq!(
            rows[9],
            (
                "ns/a".into(),
                "FailedScheduling".into(),
                "(combined from similar events): m11".into(),
                3,
                9,
                11
            )
        );
    }

    /// "similar-events-whose-interval-is-greater-than-aggregate-interval-do-not-aggregate".
    #[test]
    fn similar_events_further_apart_than_ten_minutes_are_not_combined() {
        let events: Vec<_> = (0..12)
            .map(|i| event(i * 601, "ns/a", "BackOff", &format!("m{i:02}")))
            .collect();
        let rows = check(LRU_CACHE_ENTRIES, &events);
        assert_eq!(rows.len(), 12);
        assert!(rows.iter().all(|r| r.3 == 1 && !r.2.starts_with('(')));
    }

    #[test]
    fn different_objects_or_reasons_are_never_combined() {
        let mut events = Vec::new();
        for i in 0..10 {
            events.push(event(i, &format!("ns/p{i}"), "Started", "x"));
            events.push(event(
                i,
                "ns/q",
                if i % 2 == 0 { "A" } else { "B" },
                &i.to_string(),
            ));
        }
        let rows = check(LRU_CACHE_ENTRIES, &events);
        assert_eq!(rows.len(), 20);
    }

    /// The cache holds at most its capacity; the least recently seen Event
    /// leaves first and a later occurrence starts a new Event. Rows come out
    /// by last time.
    #[test]
    fn a_full_cache_writes_out_the_least_recently_seen_event() {
        let events = [
            event(1, "ns/a", "R", "x"),
            event(2, "ns/b", "R", "x"),
            event(3, "ns/a", "R", "x"), // a is now the most recent
            event(4, "ns/c", "R", "x"), // evicts b
            event(5, "ns/b", "R", "x"), // evicts a; b starts again
        ];
        let rows: Vec<(String, u32, u64, u64)> = check(2, &events)
            .into_iter()
            .map(|r| (r.0, r.3, r.4, r.5))
            .collect();
        assert_eq!(
            rows,
            [
                ("ns/b".into(), 1, 2, 2),
                ("ns/a".into(), 2, 1, 3),
                ("ns/c".into(), 1, 4, 4),
                ("ns/b".into(), 1, 5, 5),
            ]
        );
    }
}
