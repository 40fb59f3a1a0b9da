//! The outbox: reports saved on the phone until the endpoint has them.
//!
//! Rules: an entry is written before its first attempt; every attempt sends the same body
//! under the same `Idempotency-Key` (the report id); it leaves the outbox only after a 2xx
//! with a ticket; temporary failures back off exponentially with jitter; other refusals
//! wait for the resident. Every change to a stored entry is one read-modify-write of that
//! entry, and none recreates an entry that is gone, so a delete or "clear my data" wins
//! against an attempt in flight. Nothing here touches the browser: `flush` is driven through the `Transport`,
//! `OutboxStore` and `Clock` traits, which the app implements with fetch, IndexedDB and
//! the browser clock, and the tests with the fakes in `fakes.rs`.
//!
//! - `mod.rs` (here): the stored entry, what the waiting list shows of it, the traits;
//! - `policy.rs`: back-off, what an answer does to an entry, the first answer;
//! - `flush.rs`: one pass over the outbox.

mod flush;
pub(crate) mod json;
mod policy;

#[cfg(test)]
pub(crate) mod fakes;
#[cfg(test)]
mod interleaving;
#[cfg(test)]
mod tests;

pub use flush::{flush, Clock, FlushSummary, Lease};
pub use policy::{
    after_attempt, attempt_timeout_ms, backoff_ms, first_answer, next_wakeup, FirstAnswer,
    FlushMode, Next, FIRST_RETRY_MS, LEASE_MARGIN_MS, MAX_LEASE_MS, MAX_RETRY_MS,
};

use super::my_reports::TicketRecord;
use super::report::{excerpt, Category, ReportPayload};
use serde::{Deserialize, Serialize};
pub use xinjing_contract::answer::MAX_RETRY_AFTER_MS;
pub use xinjing_contract::{Answer, Fault, Outcome, TicketStatus};

/// The contract's reading of an answer, its body parsed by `JSON.parse` in the wasm.
#[inline]
pub fn classify(answer: &Answer, now_ms: f64) -> Outcome {
    xinjing_contract::classify::<crate::json::Document>(answer, now_ms)
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// The report id, sent as the `Idempotency-Key`.
    pub id: String,
    /// The exact JSON body: retries send these bytes, never a re-serialisation. Stored in
    /// a record of its own, written once (`OutboxStore::put`), so that a lease or an
    /// attempt's result rewrites a few hundred bytes, not the photos: on a nearly full
    /// phone a second copy of a photo report may not fit. Empty in an entry read back from
    /// the store; inline in the records of older builds, which keep theirs in a store of
    /// their own (this build takes them over, `deployment::Taker`).
    #[serde(default)]
    pub body: String,
    /// The body's length, for the attempt's time-out once the body is stored apart.
    #[serde(default)]
    pub body_len: usize,
    /// What the waiting list shows of the report, so that it is drawn without reading
    /// the photos. `None`: queued by an older build (read from the body).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub glimpse: Option<(Category, String)>,
    pub queued_at_ms: f64,
    #[serde(default)]
    pub attempts: u32,
    #[serde(default)]
    pub next_attempt_ms: f64,
    /// A tab is sending this entry from `lease_at_ms` until `lease_until_ms`. Both ends are
    /// kept so that a clock set back (now before the start) frees the entry instead of
    /// holding it until the old time comes round again.
    #[serde(default)]
    pub lease_at_ms: f64,
    #[serde(default)]
    pub lease_until_ms: f64,
    /// When the last attempt ended (0: never).
    #[serde(default)]
    pub attempted_at_ms: f64,
    /// The pause the server asked for (`Retry-After`): no automatic trigger sends before.
    #[serde(default)]
    pub not_before_ms: Option<f64>,
    #[serde(default)]
    pub last_error: Option<String>,
    /// The endpoint's last answer broke the contract (a redirect, a 2xx without a ticket).
    #[serde(default)]
    pub fault: Option<Fault>,
    /// The server's message when it refused the report; no automatic retries after that.
    #[serde(default)]
    pub refused: Option<String>,
    /// The endpoint it was queued for (`Endpoint::key`): it goes there and nowhere else,
    /// whatever the config says by the time it is sent. `None`: queued by an older build.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
}

impl OutboxEntry {
    pub fn new(payload: &ReportPayload, now_ms: f64) -> OutboxEntry {
        let body = crate::json::ToJson::to_json(payload);
        OutboxEntry {
            body_len: body.len(),
            glimpse: Some((payload.category, excerpt(&payload.description))),
            body,
            ..OutboxEntry::new_raw(&payload.id, now_ms)
        }
    }

    /// An entry for `id` queued at `now_ms`, with an empty body.
    pub fn new_raw(id: &str, now_ms: f64) -> OutboxEntry {
        OutboxEntry {
            id: id.to_owned(),
            body: String::new(),
            body_len: 0,
            glimpse: None,
            queued_at_ms: now_ms,
            attempts: 0,
            next_attempt_ms: now_ms,
            lease_at_ms: 0.0,
            lease_until_ms: 0.0,
            attempted_at_ms: 0.0,
            not_before_ms: None,
            last_error: None,
            fault: None,
            refused: None,
            endpoint: None,
        }
    }

    /// This entry, to be sent to `endpoint` (an `Endpoint::key`) only.
    pub fn queued_for(mut self, endpoint: &str) -> OutboxEntry {
        self.endpoint = Some(endpoint.to_owned());
        self
    }

    /// Whether a transport to `endpoint` may send it: the endpoint it was queued for. One
    /// queued before endpoints were kept goes to a URL, never to the demo's in-browser mock,
    /// which would "deliver" a real report nowhere.
    pub fn is_for(&self, endpoint: &str) -> bool {
        match &self.endpoint {
            Some(queued) => queued == endpoint,
            None => endpoint != crate::config::MOCK_ENDPOINT,
        }
    }

    #[inline]
    pub fn to_json(&self) -> String {
        crate::json::ToJson::to_json(self)
    }

    /// The body's length, whether it is held here or stored apart.
    #[inline]
    pub fn body_bytes(&self) -> usize {
        self.body.len().max(self.body_len)
    }

    /// This entry as stored beside its body: without it.
    pub(crate) fn without_body(&self) -> OutboxEntry {
        OutboxEntry {
            body: String::new(),
            body_len: self.body_bytes(),
            glimpse: self.glimpse.clone().or_else(|| glimpse_of(&self.body)),
            ..self.clone()
        }
    }

    /// Another tab (or an earlier start of this one) is sending it right now. Never longer
    /// than `MAX_LEASE_MS`, and not at all once the clock reads earlier than the lease's
    /// start: elapsed time is unknown then, and a duplicate attempt under the same key is
    /// harmless where a report stuck behind a lease is not.
    pub fn is_leased(&self, now_ms: f64) -> bool {
        self.lease_at_ms <= now_ms
            && now_ms < self.lease_until_ms
            && self.lease_until_ms - self.lease_at_ms <= MAX_LEASE_MS
    }

    /// The clock reads earlier than something already stored about this entry: it was set
    /// back, and waits measured from those times would last for no reason.
    fn clock_went_back(&self, now_ms: f64) -> bool {
        now_ms < self.queued_at_ms.max(self.attempted_at_ms)
    }

    pub fn is_due(&self, now_ms: f64, mode: FlushMode) -> bool {
        if self.refused.is_some() || self.is_leased(now_ms) {
            return false;
        }
        let went_back = self.clock_went_back(now_ms);
        match mode {
            FlushMode::ResidentAsked => true,
            FlushMode::Resumed => went_back || self.not_before_ms.is_none_or(|t| now_ms >= t),
            FlushMode::Automatic => went_back || now_ms >= self.next_attempt_ms,
        }
    }

    /// This entry, held by the caller from `now_ms` for `ms`.
    #[inline]
    pub fn leased(mut self, now_ms: f64, ms: f64) -> OutboxEntry {
        self.lease_at_ms = now_ms;
        self.lease_until_ms = now_ms + ms.min(MAX_LEASE_MS);
        self
    }

    pub fn payload(&self) -> Option<ReportPayload> {
        crate::json::parse(&self.body, crate::report::json::payload)
    }

    /// What "my reports" keeps of it once delivered: its status and feedback go to the
    /// endpoint that has it.
    pub fn receipt(&self, ticket: &str, status: Option<TicketStatus>) -> Option<TicketRecord> {
        let mut record = TicketRecord::from_delivery(&self.payload()?, Some(ticket.into()), status);
        record.endpoint.clone_from(&self.endpoint);
        Some(record)
    }

    pub fn summary(&self) -> WaitingItem {
        let (category, excerpt) = match self.glimpse.clone().or_else(|| glimpse_of(&self.body)) {
            Some((category, excerpt)) => (Some(category), excerpt),
            None => (None, String::new()),
        };
        WaitingItem {
            id: self.id.clone(),
            category,
            excerpt,
            queued_at_ms: self.queued_at_ms,
            next_attempt_ms: self.next_attempt_ms,
            attempts: self.attempts,
            fault: self.fault,
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
    pub fault: Option<Fault>,
    pub refused: Option<String>,
}

/// The category and the start of the words of a report's body: the two fields the
/// waiting list shows, read without copying the photos (most of the bytes).
fn glimpse_of(body: &str) -> Option<(Category, String)> {
    use crate::json::{object, parse, required, string};
    use crate::report::json::category;
    parse(body, |node| {
        let node = object(node)?;
        Ok((
            required(node, "category", category)?,
            excerpt(&required(node, "description", string)?),
        ))
    })
}

/// What `load` made of the stored records.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Loaded {
    pub entries: Vec<OutboxEntry>,
    /// Records that no longer parse (an older version, corruption): kept aside, not deleted.
    pub unreadable: Vec<(String, String)>,
}

/// Parses stored `(key, json)` records, never panicking on any text.
#[inline]
pub fn load(records: Vec<(String, String)>) -> Loaded {
    let mut loaded = Loaded::default();
    for (key, raw) in records {
        match parse_entry(&raw) {
            Some(entry)
                if entry.id == key
                    && entry.queued_at_ms.is_finite()
                    && entry.attempted_at_ms.is_finite()
                    && entry.next_attempt_ms.is_finite()
                    && entry.lease_at_ms.is_finite()
                    && entry.lease_until_ms.is_finite() =>
            {
                loaded.entries.push(entry)
            }
            _ => loaded.unreadable.push((key, raw)),
        }
    }
    crate::sort::sort_by(&mut loaded.entries, |a, b| {
        a.queued_at_ms.total_cmp(&b.queued_at_ms)
    });
    loaded
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreError(pub String);

/// Persistent storage of outbox records, keyed by report id: each entry's small record
/// (what `records` and `update` see) and, apart, its body. Each method is one
/// transaction; none but `put` creates an entry, so what a resident deleted or cleared
/// stays deleted whatever an attempt in flight does afterwards.
#[allow(async_fn_in_trait)]
pub trait OutboxStore {
    async fn records(&self) -> Result<Vec<(String, String)>, StoreError>;
    /// Stores a report just queued: its record and its body.
    async fn put(&self, key: &str, json: &str, body: &str) -> Result<(), StoreError>;
    /// The body stored apart for `key`, if there is one.
    async fn body(&self, key: &str) -> Result<Option<String>, StoreError>;
    /// Stores `body` apart for an entry an older build kept with its body inline, if the
    /// entry is still there; returns whether it was.
    async fn keep_body(&self, key: &str, body: &str) -> Result<bool, StoreError>;
    /// Reads one record and, in the same transaction, replaces it with what `change`
    /// returns (`None`: leave it). A record that is not there is left alone and `change`
    /// is not asked. Returns the text written.
    async fn update<F>(&self, key: &str, change: F) -> Result<Option<String>, StoreError>
    where
        F: FnOnce(&str) -> Option<String> + 'static;
    /// Removes the entry: its record and its body.
    async fn remove(&self, key: &str) -> Result<(), StoreError>;
    /// A delivered report: removes its record and body and, in the same transaction, keeps its
    /// ticket record (`receipt`, the JSON of a `TicketRecord`) in "my reports". Neither
    /// happens if the record is gone (deleted or cleared while the attempt was in flight):
    /// returns whether it was there.
    async fn complete(&self, key: &str, receipt: Option<&str>) -> Result<bool, StoreError>;
    /// Moves an unreadable record (and its body) out of the outbox into a quarantine area,
    /// if it is still there.
    async fn set_aside(&self, key: &str, json: &str) -> Result<(), StoreError>;
}

/// The endpoint, real or mocked.
#[allow(async_fn_in_trait)]
pub trait Transport {
    /// The endpoint it talks to (an `Endpoint::key`); a flush sends it only the entries
    /// queued for that endpoint. `None` (the tests' fakes): every entry.
    fn endpoint(&self) -> Option<&str> {
        None
    }
    async fn submit(&self, idempotency_key: &str, body: &str) -> Answer;
    /// `report_key` is the report's id: the contract's proof that this phone filed it.
    async fn ticket_status(&self, ticket: &str, report_key: &str) -> Answer;
    /// `idempotency_key` is the verdict's own: a resend of it is counted once.
    async fn feedback(
        &self,
        ticket: &str,
        report_key: &str,
        idempotency_key: &str,
        body: &str,
    ) -> Answer;
}

/// Queues a new entry.
pub async fn save<S: OutboxStore>(store: &S, entry: &OutboxEntry) -> Result<(), StoreError> {
    store
        .put(&entry.id, &entry.without_body().to_json(), &entry.body)
        .await
}

/// The report of a waiting entry, photos included (to correct it in the form).
pub async fn stored_payload<S: OutboxStore>(store: &S, id: &str) -> Option<ReportPayload> {
    let body = match store.body(id).await.ok().flatten() {
        Some(body) => body,
        // Kept inline by an older build.
        None => {
            load(store.records().await.ok()?)
                .entries
                .into_iter()
                .find(|e| e.id == id)?
                .body
        }
    };
    crate::json::parse(&body, crate::report::json::payload)
}

/// Moves the body of an entry an older build kept inline into its own record, then drops
/// it from the entry's record, so that the entry's later writes are small. Two steps: if
/// the second fails, the body is in both places and the next pass tries again.
#[inline]
pub(crate) async fn move_body_out<S: OutboxStore>(
    store: &S,
    entry: &OutboxEntry,
) -> Result<(), StoreError> {
    if entry.body.is_empty() || !store.keep_body(&entry.id, &entry.body).await? {
        return Ok(());
    }
    store
        .update(&entry.id, |raw| {
            let current = parse_entry(raw)?;
            (!current.body.is_empty()).then(|| current.without_body().to_json())
        })
        .await
        .map(drop)
}

// `flush` is generic over the traits, so it is compiled in the widget's crate. The helpers
// it calls (this one, and some in policy.rs and flush.rs) are `#[inline]` so that they are
// inlined there as they were when the core was part of the widget (wasm -400 B brotli).

/// Parses one stored record of the outbox.
#[inline]
pub fn parse_entry(raw: &str) -> Option<OutboxEntry> {
    crate::json::parse(raw, json::entry)
}
