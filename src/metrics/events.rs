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

use super::lru::Lru;
use crate::engine::{SimDuration, SimTime};
use crate::model::event::EventRecord;
use rustc_hash::FxHasher;
use std::borrow::Cow;
use std::hash::{Hash, Hasher};

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

/// `EventAggregatorByReasonFunc`'s aggregate key — the involved object
/// and the reason (source and type follow from the reason in kubesim) —
/// with its `aggregateRecord`: the distinct messages seen and when the last
/// came.
struct AggregateRecord {
    kind: &'static str,
    object: String,
    reason: Cow<'static, str>,
    messages: Messages,
    last: SimTime,
}

impl AggregateRecord {
    fn is_key_of(&self, event: &EventRecord) -> bool {
        self.kind == event.kind && self.object == event.object && self.reason == event.reason
    }
}

/// The distinct messages of an aggregate record, sorted. The set stays
/// below [`AGGREGATE_MAX_EVENTS`] and most records hold one message, so a
/// sorted vector does the work of upstream's `sets.String`.
#[derive(Default)]
struct Messages(Vec<String>);

impl Messages {
    /// Adds `message` if it is new.
    fn insert(&mut self, message: &str) {
        if let Err(at) = self.0.binary_search_by(|m| m.as_str().cmp(message)) {
            self.0.insert(at, message.to_string());
        }
    }

    /// Just `message`, reusing the first string's buffer.
    fn reset_to(&mut self, message: &str) {
        self.0.truncate(1);
        match self.0.first_mut() {
            Some(m) => {
                m.clear();
                m.push_str(message);
            }
            None => self.0.push(message.to_string()),
        }
    }
}

/// An Event in the eventLogger's cache. Its key (`getEventKey`, with the
/// message; or, once similar events are combined, the aggregate key) is
/// read off the row: the row keeps the object and reason of its key, and
/// its message is the key's unless `combined`.
struct LoggedEvent {
    row: EventRow,
    combined: bool,
}

/// client-go's `EventCorrelator` without the spam filter.
pub struct EventCorrelator {
    aggregator: Lru<AggregateRecord>,
    logger: Lru<LoggedEvent>,
    /// The record the aggregator last removed, whose buffers the next new
    /// record reuses (a run of short-lived objects adds one per event).
    spare: Option<AggregateRecord>,
}

impl Default for EventCorrelator {
    fn default() -> Self {
        Self::with_capacity(LRU_CACHE_ENTRIES)
    }
}

/// The aggregate key's hash; the logger's key hashes on from it.
fn aggregate_hash(event: &EventRecord) -> u64 {
    let mut h = FxHasher::default();
    event.kind.hash(&mut h);
    event.object.hash(&mut h);
    event.reason.as_ref().hash(&mut h);
    h.finish()
}

/// The logger key's hash: the aggregate key's and the message (`None`
/// once combined).
fn logger_hash(aggregate: u64, message: Option<&str>) -> u64 {
    let mut h = FxHasher::default();
    h.write_u64(aggregate);
    message.hash(&mut h);
    h.finish()
}

impl EventCorrelator {
    pub fn with_capacity(capacity: usize) -> Self {
        EventCorrelator {
            aggregator: Lru::new(capacity),
            logger: Lru::new(capacity),
            spare: None,
        }
    }

    /// `EventCorrelate`: observes one occurrence; returns the Event that
    /// left the logger's cache to make room, which is final.
    pub fn observe(&mut self, event: EventRecord) -> Option<EventRow> {
        let hash = aggregate_hash(&event);
        let (event, combined) = self.aggregate(event, hash);
        self.log(event, hash, combined)
    }

    /// `EventAggregate`: the event as the logger sees it, and whether it is
    /// combined (its logger key is then the aggregate key).
    fn aggregate(&mut self, mut event: EventRecord, hash: u64) -> (EventRecord, bool) {
        let now = event.time;
        let combine = match self.aggregator.touch(hash, |r| r.is_key_of(&event)) {
            Some(record) => {
                // A record older than the interval starts over (upstream:
                // `interval > maxInterval`).
                if now.0 - record.last.0 > AGGREGATE_INTERVAL.0 {
                    record.messages.0.clear();
                }
                record.messages.insert(&event.message);
                record.last = now;
                Self::combine(record)
            }
            None => {
                let mut record = match self.spare.take() {
                    Some(mut r) => {
                        r.kind = event.kind;
                        r.object.clear();
                        r.object.push_str(&event.object);
                        r.reason = event.reason.clone();
                        r.last = now;
                        r
                    }
                    None => AggregateRecord {
                        kind: event.kind,
                        object: event.object.clone(),
                        reason: event.reason.clone(),
                        messages: Messages::default(),
                        last: now,
                    },
                };
                record.messages.reset_to(&event.message);
                let combine = Self::combine(&mut record);
                self.spare = self.aggregator.add(hash, record);
                combine
            }
        };
        if combine {
            event.message = format!("{COMBINED_PREFIX}{}", event.message);
        }
        (event, combine)
    }

    /// Whether the record's messages reached the limit, so that the event
    /// is combined.
    fn combine(record: &mut AggregateRecord) -> bool {
        let combine = record.messages.0.len() >= AGGREGATE_MAX_EVENTS;
        if combine {
            // Upstream `PopAny` drops an arbitrary message to keep the set
            // below the limit; kubesim drops the smallest, to be deterministic.
            record.messages.0.remove(0);
        }
        combine
    }

    /// `eventObserve`: a known Event counts one more and takes the latest
    /// time and message; a new one starts at count 1.
    fn log(&mut self, event: EventRecord, aggregate: u64, combined: bool) -> Option<EventRow> {
        let message = (!combined).then_some(event.message.as_str());
        let hash = logger_hash(aggregate, message);
        let is_key = |logged: &LoggedEvent| {
            let row = &logged.row.event;
            logged.combined == combined
                && row.kind == event.kind
                && row.object == event.object
                && row.reason == event.reason
                && (combined || row.message == event.message)
        };
        if let Some(logged) = self.logger.touch(hash, is_key) {
            logged.row.count += 1;
            logged.row.event = event;
            return None;
        }
        let logged = LoggedEvent {
            row: EventRow::single(event),
            combined,
        };
        self.logger.add(hash, logged).map(|l| l.row)
    }

    /// The Events still in the cache, least recently seen first.
    pub fn finish(&mut self) -> Vec<EventRow> {
        self.logger.drain().into_iter().map(|l| l.row).collect()
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
    /// Once combined, the set drops its smallest message: that message
    /// coming again fills the set up and is combined; a message still in
    /// the set is not, and counts on its own Event.
    #[test]
    fn the_combined_set_drops_its_smallest_message() {
        let mut events: Vec<_> = (0..10)
            .map(|i| event(i, "ns/a", "BackOff", &format!("m{i:02}")))
            .collect();
        events.push(event(20, "ns/a", "BackOff", "m05"));
        events.push(event(21, "ns/a", "BackOff", "m00"));
        let rows = check(LRU_CACHE_ENTRIES, &events);
        let summary: Vec<(&str, u32)> = rows.iter().map(|r| (r.2.as_str(), r.3)).collect();
        assert_eq!(
            summary,
            [
                ("m00", 1),
                ("m01", 1),
                ("m02", 1),
                ("m03", 1),
                ("m04", 1),
                ("m06", 1),
                ("m07", 1),
                ("m08", 1),
                ("m05", 2),
                ("(combined from similar events): m00", 2),
            ]
        );
    }

    /// A record that leaves the aggregator's cache is forgotten: the next
    /// object's record starts with its own message only.
    #[test]
    fn an_object_after_a_removed_one_starts_its_own_set() {
        let mut events: Vec<_> = (0..9)
            .map(|i| event(i, "ns/a", "BackOff", &format!("a{i}")))
            .collect();
        events.extend((0..9).map(|i| event(10 + i, "ns/b", "BackOff", &format!("b{i}"))));
        let rows = check(1, &events);
        assert_eq!(rows.len(), 18);
        assert!(rows.iter().all(|r| r.3 == 1 && !r.2.starts_with('(')));
    }
}
