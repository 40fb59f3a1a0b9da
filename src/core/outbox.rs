//! The outbox: reports saved on the phone until the endpoint has them.
//!
//! Rules: an entry is written before its first attempt; every attempt sends the same body
//! under the same `Idempotency-Key` (the report id); it leaves the outbox only after a 2xx;
//! temporary failures back off exponentially with jitter; other refusals wait for the
//! resident. Nothing here touches the browser: `flush` is driven through the `Transport`
//! and `OutboxStore` traits, which the app implements with fetch/IndexedDB and the tests
//! with fakes.

use super::report::ReportPayload;
use serde::{Deserialize, Serialize};
pub use xinjing_contract::answer::MAX_RETRY_AFTER_MS;
pub use xinjing_contract::{classify, Answer, Outcome, TicketStatus};

pub const FIRST_RETRY_MS: f64 = 5_000.0;
pub const MAX_RETRY_MS: f64 = 300_000.0;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// The report id, sent as the `Idempotency-Key`.
    pub id: String,
    /// The exact JSON body: retries send these bytes, never a re-serialisation.
    pub body: String,
    pub queued_at_ms: f64,
    #[serde(default)]
    pub attempts: u32,
    #[serde(default)]
    pub next_attempt_ms: f64,
    /// Another tab or start is sending this entry until then.
    #[serde(default)]
    pub lease_until_ms: f64,
    #[serde(default)]
    pub last_error: Option<String>,
    /// The server's message when it refused the report; no automatic retries after that.
    #[serde(default)]
    pub refused: Option<String>,
}

impl OutboxEntry {
    pub fn new(payload: &ReportPayload, now_ms: f64) -> OutboxEntry {
        OutboxEntry {
            id: payload.id.clone(),
            body: serde_json::to_string(payload).unwrap_or_default(),
            queued_at_ms: now_ms,
            attempts: 0,
            next_attempt_ms: now_ms,
            lease_until_ms: 0.0,
            last_error: None,
            refused: None,
        }
    }

    pub fn payload(&self) -> Option<ReportPayload> {
        serde_json::from_str(&self.body).ok()
    }

    pub fn is_due(&self, now_ms: f64, forced: bool) -> bool {
        self.refused.is_none()
            && self.lease_until_ms <= now_ms
            && (forced || self.next_attempt_ms <= now_ms)
    }
}

/// What the resident sees of a waiting report, without its photos.
#[derive(Clone, Debug, PartialEq)]
pub struct WaitingItem {
    pub id: String,
    pub category: Option<super::report::Category>,
    pub excerpt: String,
    pub queued_at_ms: f64,
    pub next_attempt_ms: f64,
    pub attempts: u32,
    pub refused: Option<String>,
}

/// The two fields of a stored report that the waiting list shows; the photos (most of the
/// bytes) are skipped by the parser rather than copied.
#[derive(Deserialize)]
struct Glimpse {
    category: super::report::Category,
    description: String,
}

impl OutboxEntry {
    pub fn summary(&self) -> WaitingItem {
        let glimpse = serde_json::from_str::<Glimpse>(&self.body).ok();
        WaitingItem {
            id: self.id.clone(),
            category: glimpse.as_ref().map(|g| g.category),
            excerpt: glimpse
                .map(|g| g.description.chars().take(40).collect())
                .unwrap_or_default(),
            queued_at_ms: self.queued_at_ms,
            next_attempt_ms: self.next_attempt_ms,
            attempts: self.attempts,
            refused: self.refused.clone(),
        }
    }
}

/// How the first attempt at a just-queued report went, as far as the resident's
/// "sending…" wait is concerned.
#[derive(Clone, Debug, PartialEq)]
pub enum FirstAnswer {
    Delivered,
    /// Refused by the very first answer: the form, still filled in, is the place to fix it.
    Refused(String),
    /// A temporary failure, or a refusal on a later retry (then "my reports" offers the
    /// edit): either way the report stays in the outbox.
    Waiting,
}

/// `None` while the first attempt has not answered yet. Only the first answer counts, so a
/// quick retry that is refused never pulls a report out of the outbox behind the
/// resident's back.
pub fn first_answer(delivered: bool, waiting: Option<&WaitingItem>) -> Option<FirstAnswer> {
    if delivered {
        return Some(FirstAnswer::Delivered);
    }
    let item = waiting?;
    match (&item.refused, item.attempts) {
        (_, 0) => None,
        (Some(message), 1) => Some(FirstAnswer::Refused(message.clone())),
        _ => Some(FirstAnswer::Waiting),
    }
}

/// Delay before attempt `attempts + 1`: 5 s doubling to 5 min, with the later half jittered
/// (`jitter` in 0..1) so phones that come back online together do not retry together.
pub fn backoff_ms(attempts: u32, jitter: f64) -> f64 {
    let exponent = attempts.saturating_sub(1).min(16);
    let ceiling = (FIRST_RETRY_MS * f64::from(1u32 << exponent)).min(MAX_RETRY_MS);
    ceiling / 2.0 + ceiling / 2.0 * jitter.clamp(0.0, 1.0)
}

#[derive(Clone, Debug, PartialEq)]
pub enum Next {
    Delivered {
        ticket: Option<String>,
        status: Option<TicketStatus>,
    },
    Keep(OutboxEntry),
}

/// The entry after one attempt ended with `outcome`.
pub fn after_attempt(mut entry: OutboxEntry, outcome: Outcome, now_ms: f64, jitter: f64) -> Next {
    entry.lease_until_ms = 0.0;
    match outcome {
        Outcome::Accepted { ticket, status } => Next::Delivered { ticket, status },
        Outcome::Temporary {
            retry_after_ms,
            reason,
        } => {
            entry.attempts = entry.attempts.saturating_add(1);
            let delay = backoff_ms(entry.attempts, jitter).max(retry_after_ms.unwrap_or(0.0));
            entry.next_attempt_ms = now_ms + delay;
            entry.last_error = Some(reason);
            Next::Keep(entry)
        }
        Outcome::Refused { message } => {
            entry.attempts = entry.attempts.saturating_add(1);
            entry.refused = Some(message);
            Next::Keep(entry)
        }
    }
}

/// When the earliest waiting entry is next due, if any is.
pub fn next_wakeup(entries: &[OutboxEntry]) -> Option<f64> {
    entries
        .iter()
        .filter(|e| e.refused.is_none())
        .map(|e| e.next_attempt_ms.max(e.lease_until_ms))
        .min_by(|a, b| a.total_cmp(b))
}

/// What `load` made of the stored records.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Loaded {
    pub entries: Vec<OutboxEntry>,
    /// Records that no longer parse (an older version, corruption): kept aside, not deleted.
    pub unreadable: Vec<(String, String)>,
}

/// Parses stored `(key, json)` records, never panicking on any text.
pub fn load(records: Vec<(String, String)>) -> Loaded {
    let mut loaded = Loaded::default();
    for (key, raw) in records {
        match serde_json::from_str::<OutboxEntry>(&raw) {
            Ok(entry)
                if entry.id == key
                    && entry.next_attempt_ms.is_finite()
                    && entry.lease_until_ms.is_finite() =>
            {
                loaded.entries.push(entry)
            }
            _ => loaded.unreadable.push((key, raw)),
        }
    }
    loaded
        .entries
        .sort_by(|a, b| a.queued_at_ms.total_cmp(&b.queued_at_ms));
    loaded
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreError(pub String);

/// Persistent storage of outbox records, keyed by report id.
#[allow(async_fn_in_trait)]
pub trait OutboxStore {
    async fn records(&self) -> Result<Vec<(String, String)>, StoreError>;
    async fn put(&self, key: &str, json: &str) -> Result<(), StoreError>;
    async fn remove(&self, key: &str) -> Result<(), StoreError>;
    /// Moves an unreadable record out of the outbox into a quarantine area.
    async fn set_aside(&self, key: &str, json: &str) -> Result<(), StoreError>;
}

/// The endpoint, real or mocked.
#[allow(async_fn_in_trait)]
pub trait Transport {
    async fn submit(&self, idempotency_key: &str, body: &str) -> Answer;
    /// `report_key` is the report's id: the contract's proof that this phone filed it.
    async fn ticket_status(&self, ticket: &str, report_key: &str) -> Answer;
    async fn feedback(&self, ticket: &str, report_key: &str, body: &str) -> Answer;
}

pub async fn save<S: OutboxStore>(store: &S, entry: &OutboxEntry) -> Result<(), StoreError> {
    let json = serde_json::to_string(entry).map_err(|e| StoreError(e.to_string()))?;
    store.put(&entry.id, &json).await
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct FlushSummary {
    pub delivered: usize,
    pub waiting: usize,
    pub refused: usize,
    pub set_aside: usize,
    pub store_error: Option<String>,
    pub next_wakeup_ms: Option<f64>,
}

/// Sends every due entry once. `on_delivered` records the ticket before the entry is
/// removed, so a crash in between leaves a duplicate attempt (harmless under the same key),
/// never a lost report.
pub async fn flush<S, T>(
    store: &S,
    transport: &T,
    now: impl Fn() -> f64,
    mut jitter: impl FnMut() -> f64,
    forced: bool,
    lease_ms: f64,
    mut on_delivered: impl FnMut(&OutboxEntry, Option<String>, Option<TicketStatus>),
) -> FlushSummary
where
    S: OutboxStore,
    T: Transport,
{
    let mut summary = FlushSummary::default();
    let records = match store.records().await {
        Ok(records) => records,
        Err(StoreError(message)) => {
            summary.store_error = Some(message);
            return summary;
        }
    };
    let loaded = load(records);
    for (key, raw) in &loaded.unreadable {
        if store.set_aside(key, raw).await.is_ok() {
            summary.set_aside += 1;
        }
    }
    let mut remaining = Vec::new();
    for mut entry in loaded.entries {
        if !entry.is_due(now(), forced) {
            remaining.push(entry);
            continue;
        }
        entry.lease_until_ms = now() + lease_ms;
        if let Err(StoreError(message)) = save(store, &entry).await {
            summary.store_error = Some(message);
            remaining.push(entry);
            continue;
        }
        let answer = transport.submit(&entry.id, &entry.body).await;
        let outcome = classify(&answer, now());
        match after_attempt(entry.clone(), outcome, now(), jitter()) {
            Next::Delivered { ticket, status } => {
                on_delivered(&entry, ticket, status);
                if let Err(StoreError(message)) = store.remove(&entry.id).await {
                    summary.store_error = Some(message);
                }
                summary.delivered += 1;
            }
            Next::Keep(updated) => {
                if let Err(StoreError(message)) = save(store, &updated).await {
                    summary.store_error = Some(message);
                }
                remaining.push(updated);
            }
        }
    }
    summary.refused = remaining.iter().filter(|e| e.refused.is_some()).count();
    summary.waiting = remaining.len() - summary.refused;
    summary.next_wakeup_ms = next_wakeup(&remaining);
    summary
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::report::Category;
    use futures::executor::block_on;
    use proptest::prelude::*;
    use std::cell::{Cell, RefCell};
    use std::collections::BTreeMap;

    #[derive(Default)]
    struct MemoryStore {
        records: RefCell<BTreeMap<String, String>>,
        aside: RefCell<BTreeMap<String, String>>,
    }

    impl OutboxStore for MemoryStore {
        async fn records(&self) -> Result<Vec<(String, String)>, StoreError> {
            Ok(self
                .records
                .borrow()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect())
        }
        async fn put(&self, key: &str, json: &str) -> Result<(), StoreError> {
            self.records.borrow_mut().insert(key.into(), json.into());
            Ok(())
        }
        async fn remove(&self, key: &str) -> Result<(), StoreError> {
            self.records.borrow_mut().remove(key);
            Ok(())
        }
        async fn set_aside(&self, key: &str, json: &str) -> Result<(), StoreError> {
            self.records.borrow_mut().remove(key);
            self.aside.borrow_mut().insert(key.into(), json.into());
            Ok(())
        }
    }

    /// Answers from a script, then 201; records every attempt.
    struct ScriptedTransport {
        script: RefCell<Vec<Answer>>,
        attempts: RefCell<Vec<(String, String)>>,
        tickets: Cell<u32>,
    }

    impl ScriptedTransport {
        fn new(mut script: Vec<Answer>) -> Self {
            script.reverse();
            ScriptedTransport {
                script: RefCell::new(script),
                attempts: RefCell::default(),
                tickets: Cell::new(0),
            }
        }
    }

    impl Transport for ScriptedTransport {
        async fn submit(&self, key: &str, body: &str) -> Answer {
            self.attempts.borrow_mut().push((key.into(), body.into()));
            self.script.borrow_mut().pop().unwrap_or_else(|| {
                self.tickets.set(self.tickets.get() + 1);
                created(&format!("XJ-20261130-{:04}", self.tickets.get()))
            })
        }
        async fn ticket_status(&self, _: &str, _: &str) -> Answer {
            Answer::NetworkError
        }
        async fn feedback(&self, _: &str, _: &str, _: &str) -> Answer {
            Answer::NetworkError
        }
    }

    fn created(ticket: &str) -> Answer {
        Answer::Status {
            code: 201,
            retry_after: None,
            body: format!(r#"{{"ticket":"{ticket}","status":"received"}}"#),
        }
    }

    fn status(code: u16) -> Answer {
        Answer::Status {
            code,
            retry_after: None,
            body: String::new(),
        }
    }

    /// One flush at a fixed time, without jitter, with the usual 30 s lease.
    fn flush_at(
        store: &MemoryStore,
        transport: &ScriptedTransport,
        now: f64,
        forced: bool,
        on_delivered: impl FnMut(&OutboxEntry, Option<String>, Option<TicketStatus>),
    ) -> FlushSummary {
        block_on(flush(
            store,
            transport,
            || now,
            || 0.0,
            forced,
            30_000.0,
            on_delivered,
        ))
    }

    fn entry(id: &str, now: f64) -> OutboxEntry {
        OutboxEntry {
            id: id.into(),
            body: format!(r#"{{"id":"{id}"}}"#),
            queued_at_ms: now,
            attempts: 0,
            next_attempt_ms: now,
            lease_until_ms: 0.0,
            last_error: None,
            refused: None,
        }
    }

    #[test]
    fn the_waiting_list_shows_category_and_the_start_of_the_words() {
        let mut stored = entry("a", 0.0);
        stored.body = format!(
            r#"{{"id":"a","category":"flying_line_charging","description":"{}","photos":[{{"data":"QUJD"}}]}}"#,
            "从五楼窗口拉下一根电线给电动车充电".repeat(3)
        );
        let item = stored.summary();
        assert_eq!(item.category, Some(Category::FlyingLineCharging));
        assert_eq!(item.excerpt.chars().count(), 40);
        assert!(item.excerpt.starts_with("从五楼窗口"));
        let unreadable = entry("b", 0.0).summary();
        assert_eq!(
            (unreadable.category, unreadable.excerpt.as_str()),
            (None, "")
        );
    }

    #[test]
    fn retry_after_is_honoured_and_capped() {
        let next_attempt = |code: u16, retry_after: &str| {
            let answer = Answer::Status {
                code,
                retry_after: Some(retry_after.into()),
                body: String::new(),
            };
            match after_attempt(entry("a", 0.0), classify(&answer, 0.0), 0.0, 0.0) {
                Next::Keep(e) => e.next_attempt_ms,
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(next_attempt(429, "120"), 120_000.0);
        assert_eq!(next_attempt(503, "999999"), MAX_RETRY_AFTER_MS);
        assert_eq!(
            next_attempt(503, "soon"),
            backoff_ms(1, 0.0),
            "an unreadable Retry-After falls back to back-off"
        );
    }

    #[test]
    fn backoff_doubles_to_a_cap() {
        assert_eq!(backoff_ms(1, 1.0), 5_000.0);
        assert_eq!(backoff_ms(2, 1.0), 10_000.0);
        assert_eq!(backoff_ms(3, 0.0), 10_000.0);
        assert_eq!(backoff_ms(20, 1.0), MAX_RETRY_MS);
        assert_eq!(backoff_ms(u32::MAX, 0.5), MAX_RETRY_MS * 0.75);
    }

    #[test]
    fn two_503_then_201_is_one_delivery_under_one_key() {
        let store = MemoryStore::default();
        block_on(save(&store, &entry("k1", 0.0))).unwrap();
        let transport = ScriptedTransport::new(vec![status(503), status(503)]);
        let clock = Cell::new(0.0);
        let mut delivered = Vec::new();
        for _ in 0..3 {
            let summary = block_on(flush(
                &store,
                &transport,
                || clock.get(),
                || 0.5,
                false,
                30_000.0,
                |e, t, _| delivered.push((e.id.clone(), t)),
            ));
            if let Some(at) = summary.next_wakeup_ms {
                clock.set(at);
            }
        }
        assert_eq!(
            delivered,
            vec![("k1".to_owned(), Some("XJ-20261130-0001".to_owned()))]
        );
        assert!(store.records.borrow().is_empty());
        let attempts = transport.attempts.borrow();
        assert_eq!(attempts.len(), 3);
        assert!(attempts
            .iter()
            .all(|(key, body)| key == "k1" && body == r#"{"id":"k1"}"#));
    }

    #[test]
    fn only_the_first_answer_decides_the_sending_screen() {
        let mut item = entry("a", 0.0).summary();
        assert_eq!(first_answer(false, Some(&item)), None, "not answered yet");
        assert_eq!(first_answer(false, None), None, "not stored yet");
        assert_eq!(first_answer(true, None), Some(FirstAnswer::Delivered));
        item.attempts = 1;
        assert_eq!(first_answer(false, Some(&item)), Some(FirstAnswer::Waiting));
        item.refused = Some("请补充楼层".into());
        assert_eq!(
            first_answer(false, Some(&item)),
            Some(FirstAnswer::Refused("请补充楼层".into()))
        );
        item.attempts = 2;
        assert_eq!(
            first_answer(false, Some(&item)),
            Some(FirstAnswer::Waiting),
            "refused on a retry: it stays for \"my reports\""
        );
    }

    #[test]
    fn refused_entry_waits_for_the_resident() {
        let store = MemoryStore::default();
        block_on(save(&store, &entry("k1", 0.0))).unwrap();
        let transport = ScriptedTransport::new(vec![Answer::Status {
            code: 422,
            retry_after: None,
            body: r#"{"error":{"code":"x","message":"请补充位置"}}"#.into(),
        }]);
        let summary = flush_at(&store, &transport, 0.0, false, |_, _, _| {
            panic!("not delivered")
        });
        assert_eq!(
            (summary.refused, summary.waiting, summary.next_wakeup_ms),
            (1, 0, None)
        );
        let summary = flush_at(&store, &transport, 1e9, true, |_, _, _| {
            panic!("not delivered")
        });
        assert_eq!(
            summary.refused, 1,
            "even a forced flush leaves a refused report alone"
        );
        let stored = load(block_on(store.records()).unwrap()).entries;
        assert_eq!(stored[0].refused.as_deref(), Some("请补充位置"));
        assert_eq!(transport.attempts.borrow().len(), 1);
    }

    #[test]
    fn a_leased_entry_is_not_sent_twice() {
        let store = MemoryStore::default();
        let mut leased = entry("k1", 0.0);
        leased.lease_until_ms = 10_000.0;
        block_on(save(&store, &leased)).unwrap();
        let transport = ScriptedTransport::new(vec![]);
        flush_at(&store, &transport, 5_000.0, true, |_, _, _| {});
        assert!(transport.attempts.borrow().is_empty());
        flush_at(&store, &transport, 10_000.0, false, |_, _, _| {});
        assert_eq!(
            transport.attempts.borrow().len(),
            1,
            "an expired lease (a closed tab) frees the entry"
        );
    }

    #[test]
    fn unreadable_records_are_set_aside_not_deleted() {
        let store = MemoryStore::default();
        store.records.borrow_mut().insert(
            "old".into(),
            r#"{"version":0,"text":"from an old build"}"#.into(),
        );
        store
            .records
            .borrow_mut()
            .insert("junk".into(), "\u{0}garbage".into());
        block_on(save(&store, &entry("k1", 0.0))).unwrap();
        let transport = ScriptedTransport::new(vec![]);
        let summary = flush_at(&store, &transport, 0.0, false, |_, _, _| {});
        assert_eq!((summary.delivered, summary.set_aside), (1, 2));
        assert_eq!(store.aside.borrow().len(), 2);
        assert_eq!(store.aside.borrow()["junk"], "\u{0}garbage");
    }

    fn answer_strategy() -> impl Strategy<Value = Answer> {
        prop_oneof![
            Just(Answer::NetworkError),
            Just(Answer::Timeout),
            (
                prop_oneof![Just(408u16), Just(429), 500u16..600],
                proptest::option::of(0u32..400)
            )
                .prop_map(|(code, ra)| Answer::Status {
                    code,
                    retry_after: ra.map(|s| s.to_string()),
                    body: String::new()
                }),
            (200u16..300).prop_map(|code| Answer::Status {
                code,
                retry_after: None,
                body: r#"{"ticket":"XJ-1"}"#.into()
            }),
            (400u16..500)
                .prop_filter("temporary", |c| *c != 408 && *c != 429)
                .prop_map(|code| Answer::Status {
                    code,
                    retry_after: None,
                    body: String::new()
                }),
        ]
    }

    proptest! {
        /// For any sequence of answers: one key per report, removal only after a 2xx, and
        /// every report is either delivered or still in the outbox.
        #[test]
        fn nothing_is_lost(reports in 1usize..5, script in proptest::collection::vec(answer_strategy(), 0..30), rounds in 1usize..40, forced in any::<bool>()) {
            let store = MemoryStore::default();
            for i in 0..reports {
                block_on(save(&store, &entry(&format!("k{i}"), i as f64))).unwrap();
            }
            let transport = ScriptedTransport::new(script.clone());
            let clock = Cell::new(0.0);
            let delivered = RefCell::new(Vec::<String>::new());
            for _ in 0..rounds {
                let summary = block_on(flush(&store, &transport, || clock.get(), || 0.3, forced, 30_000.0, |e, _, _| delivered.borrow_mut().push(e.id.clone())));
                clock.set(summary.next_wakeup_ms.unwrap_or(clock.get() + 1_000.0).max(clock.get()));
            }
            let delivered = delivered.into_inner();
            let stored: Vec<String> = store.records.borrow().keys().cloned().collect();
            for i in 0..reports {
                let id = format!("k{i}");
                prop_assert!(delivered.contains(&id) != stored.contains(&id), "{} lost or duplicated", id);
            }
            let attempts = transport.attempts.borrow();
            // Every attempt for a report used its own key and its original body.
            for (key, body) in attempts.iter() {
                prop_assert_eq!(body, &format!(r#"{{"id":"{key}"}}"#));
            }
            // A report left the outbox only if its last attempt was answered 2xx.
            let mut answers = script.clone();
            answers.reverse();
            let mut last_answer = BTreeMap::new();
            for (key, _) in attempts.iter() {
                let answer = answers.pop().unwrap_or_else(|| created("XJ"));
                last_answer.insert(key.clone(), answer);
            }
            for id in &delivered {
                let last_was_2xx = matches!(last_answer.get(id), Some(Answer::Status { code: 200..=299, .. }));
                prop_assert!(last_was_2xx, "{} removed without a 2xx", id);
                prop_assert_eq!(delivered.iter().filter(|d| *d == id).count(), 1);
            }
        }

        #[test]
        fn load_never_panics(key in "\\PC{0,10}", raw in "\\PC{0,200}") {
            let loaded = load(vec![(key, raw)]);
            prop_assert_eq!(loaded.entries.len() + loaded.unreadable.len(), 1);
        }

        #[test]
        fn backoff_is_bounded(attempts in any::<u32>(), jitter in -1.0f64..2.0) {
            let delay = backoff_ms(attempts, jitter);
            prop_assert!((FIRST_RETRY_MS / 2.0..=MAX_RETRY_MS).contains(&delay));
        }
    }
}
