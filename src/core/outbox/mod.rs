//! The outbox: reports saved on the phone until the endpoint has them.
//!
//! Rules: an entry is written before its first attempt; every attempt sends the same body
//! under the same `Idempotency-Key` (the report id); it leaves the outbox only after a 2xx;
//! temporary failures back off exponentially with jitter; other refusals wait for the
//! resident. Nothing here touches the browser: `flush` is driven through the `Transport`,
//! `OutboxStore` and `Clock` traits, which the app implements with fetch, IndexedDB and
//! the browser clock, and the tests with the fakes in `fakes.rs`.
//!
//! - `mod.rs` (here): the stored entry, what the waiting list shows of it, the traits;
//! - `policy.rs`: back-off, what an answer does to an entry, the first answer;
//! - `flush.rs`: one pass over the outbox.

mod flush;
mod policy;

#[cfg(test)]
pub(crate) mod fakes;
#[cfg(test)]
mod tests;

pub use flush::{flush, Clock, FlushMode, FlushSummary, Lease};
pub use policy::{
    after_attempt, backoff_ms, first_answer, next_wakeup, FirstAnswer, Next, FIRST_RETRY_MS,
    MAX_RETRY_MS,
};

use super::report::{excerpt, Category, ReportPayload};
use serde::{Deserialize, Serialize};
pub use xinjing_contract::answer::MAX_RETRY_AFTER_MS;
pub use xinjing_contract::{classify, Answer, Outcome, TicketStatus};

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

    pub fn summary(&self) -> WaitingItem {
        let glimpse = serde_json::from_str::<Glimpse>(&self.body).ok();
        WaitingItem {
            id: self.id.clone(),
            category: glimpse.as_ref().map(|g| g.category),
            excerpt: glimpse.map(|g| excerpt(&g.description)).unwrap_or_default(),
            queued_at_ms: self.queued_at_ms,
            next_attempt_ms: self.next_attempt_ms,
            attempts: self.attempts,
            refused: self.refused.clone(),
        }
    }
}

/// What the resident sees of a waiting report, without its photos.
#[derive(Clone, Debug, PartialEq)]
pub struct WaitingItem {
    pub id: String,
    pub category: Option<Category>,
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
    category: Category,
    description: String,
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
