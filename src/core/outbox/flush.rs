//! One pass over the outbox: every due entry is sent once, through traits the app
//! implements with IndexedDB and fetch and the tests with fakes.

use super::policy::{after_attempt, next_wakeup, Next};
use super::{load, save, OutboxEntry, OutboxStore, StoreError, Transport};
use xinjing_contract::classify;

/// The time and the randomness a flush needs, injected so tests can set them.
pub trait Clock {
    fn now_ms(&self) -> f64;
    /// A number in 0..1 that spreads retries.
    fn jitter(&self) -> f64;
}

/// Who asked for the flush.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlushMode {
    /// A retry falling due, a start or the phone coming online: back-off is respected.
    Automatic,
    /// The resident tapped "send" or "send now": waiting reports go at once.
    ResidentAsked,
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

/// How long another tab or start may hold an entry it is sending.
#[derive(Clone, Copy, Debug)]
pub struct Lease {
    pub ms: f64,
}

/// Sends every due entry once. `on_attempt` hears of each attempt (the entry as it was,
/// and what became of it) before the store forgets a delivered entry, so a crash in
/// between leaves a duplicate attempt (harmless under the same key), never a lost report.
pub async fn flush<S, T, C>(
    store: &S,
    transport: &T,
    clock: &C,
    mode: FlushMode,
    lease: Lease,
    mut on_attempt: impl FnMut(&OutboxEntry, &Next),
) -> FlushSummary
where
    S: OutboxStore,
    T: Transport,
    C: Clock,
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
    let forced = mode == FlushMode::ResidentAsked;
    let mut remaining = Vec::new();
    for mut entry in loaded.entries {
        if !entry.is_due(clock.now_ms(), forced) {
            remaining.push(entry);
            continue;
        }
        entry.lease_until_ms = clock.now_ms() + lease.ms;
        if let Err(StoreError(message)) = save(store, &entry).await {
            summary.store_error = Some(message);
            remaining.push(entry);
            continue;
        }
        let answer = transport.submit(&entry.id, &entry.body).await;
        let outcome = classify(&answer, clock.now_ms());
        let next = after_attempt(entry.clone(), outcome, clock.now_ms(), clock.jitter());
        on_attempt(&entry, &next);
        match next {
            Next::Delivered { .. } => {
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
