//! One pass over the outbox: every due entry is sent once, through traits the app
//! implements with IndexedDB and fetch and the tests with fakes.
//!
//! Each step that changes an entry re-reads it in the same transaction (`update`,
//! `complete`): the list read at the start only says what to look at. So a resident who
//! deletes a report, or clears the phone, while an attempt hangs, is not overruled when the
//! answer arrives, and a tab never writes back a copy another tab has since changed.

use super::classify;
use super::policy::{after_attempt, attempt_timeout_ms, next_wakeup, FlushMode, Next};
use super::{load, move_body_out, parse_entry, OutboxEntry, OutboxStore, StoreError, Transport};
use std::cell::RefCell;
use std::rc::Rc;
use xinjing_contract::Outcome;

/// The time and the randomness a flush needs, injected so tests can set them.
pub trait Clock {
    fn now_ms(&self) -> f64;
    /// A number in 0..1 that spreads retries.
    fn jitter(&self) -> f64;
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct FlushSummary {
    pub delivered: usize,
    pub waiting: usize,
    pub refused: usize,
    pub set_aside: usize,
    /// Entries deleted or cleared while their attempt was in flight: nothing written back.
    pub dropped: usize,
    pub store_error: Option<String>,
    pub next_wakeup_ms: Option<f64>,
}

/// How long a tab may hold an entry it is sending: the configured time-out plus a margin,
/// and more for a larger body (`attempt_timeout_ms`), as the transport allows it.
#[derive(Clone, Copy, Debug)]
pub struct Lease {
    /// The configured per-request time-out.
    pub timeout_ms: f64,
}

impl Lease {
    #[inline]
    pub fn for_body(self, body_bytes: usize) -> f64 {
        attempt_timeout_ms(self.timeout_ms, body_bytes) + super::LEASE_MARGIN_MS
    }
}

/// What trying to take an entry found.
enum Claim {
    /// Ours to send, as stored with our lease.
    Taken(OutboxEntry),
    /// Still there, but no longer due (another tab holds it, or it was just answered).
    Busy(OutboxEntry),
    /// Deleted, cleared or delivered meanwhile.
    Gone,
}

async fn claim<S: OutboxStore>(
    store: &S,
    id: &str,
    now: f64,
    mode: FlushMode,
    lease: Lease,
) -> Result<Claim, StoreError> {
    let seen = Rc::new(RefCell::new(None));
    let found = seen.clone();
    let written = store
        .update(id, move |raw| {
            let current = parse_entry(raw)?;
            let due = current.is_due(now, mode);
            let ms = lease.for_body(current.body_bytes());
            *found.borrow_mut() = Some(current.clone());
            due.then(|| current.leased(now, ms).to_json())
        })
        .await?;
    let seen = seen.borrow_mut().take();
    Ok(match (written.as_deref().and_then(parse_entry), seen) {
        (Some(taken), _) => Claim::Taken(taken),
        (None, Some(current)) => Claim::Busy(current),
        (None, None) => Claim::Gone,
    })
}

/// A storage step tried twice: one failed transaction (a busy disk, a connection being
/// reopened) must not decide a report's fate.
async fn twice<T, F, Fut>(mut step: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, StoreError>>,
{
    // One `.await` in a loop rather than two in a row: the step's future is then polled
    // from one place, so its code is generated once per step instead of twice.
    let mut retried = false;
    loop {
        match step().await {
            Err(_) if !retried => retried = true,
            result => return result,
        }
    }
}

/// Sends every due entry once. `on_attempt` hears of each attempt whose result was stored
/// (the entry as it was sent, and what became of it). A delivered entry leaves the outbox in
/// the same transaction that keeps its ticket, so there is no moment where it is in neither.
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
    let records = match twice(|| store.records()).await {
        Ok(records) => records,
        Err(StoreError(message)) => {
            summary.store_error = Some(message);
            // Look again soon: this error may pass, and the reports are still there.
            summary.next_wakeup_ms = Some(clock.now_ms() + super::FIRST_RETRY_MS);
            return summary;
        }
    };
    let loaded = load(records);
    for (key, raw) in &loaded.unreadable {
        if store.set_aside(key, raw).await.is_ok() {
            summary.set_aside += 1;
        }
    }
    for entry in &loaded.entries {
        // Best effort: an entry that keeps its body inline still sends, only less lightly.
        let _ = move_body_out(store, entry).await;
    }
    let mut remaining = Vec::new();
    // Entries this pass could not lease, and when to try them: not at once, which would
    // spin on a failing store.
    let mut held_back: Vec<(String, f64)> = Vec::new();
    for entry in loaded.entries {
        let elsewhere = transport.endpoint().is_some_and(|e| !entry.is_for(e));
        if elsewhere || !entry.is_due(clock.now_ms(), mode) {
            remaining.push(entry);
            continue;
        }
        let now = clock.now_ms();
        let mut claimed = match twice(|| claim(store, &entry.id, now, mode, lease)).await {
            Ok(Claim::Taken(claimed)) => claimed,
            Ok(Claim::Busy(current)) => {
                remaining.push(current);
                continue;
            }
            Ok(Claim::Gone) => continue,
            Err(StoreError(message)) => {
                // Without a stored lease another tab could send it too: try again shortly
                // rather than now, and never give up on the entry.
                summary.store_error = Some(message);
                let mut later = entry;
                later.next_attempt_ms = now + super::FIRST_RETRY_MS;
                held_back.push((later.id.clone(), later.next_attempt_ms));
                remaining.push(later);
                continue;
            }
        };
        if claimed.body.is_empty() {
            match twice(|| store.body(&claimed.id)).await {
                Ok(Some(body)) => claimed.body = body,
                // A record without its body cannot be sent: kept aside, not retried for ever.
                Ok(None) => {
                    if store
                        .set_aside(&claimed.id, &claimed.to_json())
                        .await
                        .is_ok()
                    {
                        summary.set_aside += 1;
                    }
                    continue;
                }
                // Held by our lease until it ends; the next pass reads the body again.
                Err(StoreError(message)) => {
                    summary.store_error = Some(message);
                    remaining.push(claimed);
                    continue;
                }
            }
        }
        let answer = transport.submit(&claimed.id, &claimed.body).await;
        let now = clock.now_ms();
        let outcome = classify(&answer, now);
        let jitter = clock.jitter();
        let next = after_attempt(claimed.clone(), outcome.clone(), now, jitter);
        match &next {
            Next::Delivered { ticket, status } => {
                let receipt = claimed
                    .receipt(ticket, *status)
                    .map(|record| crate::json::ToJson::to_json(&record));
                match twice(|| store.complete(&claimed.id, receipt.as_deref())).await {
                    Ok(true) => {
                        summary.delivered += 1;
                        on_attempt(&claimed, &next);
                    }
                    Ok(false) => summary.dropped += 1,
                    // Still stored under our lease: the next attempt repeats it under the
                    // same key and the server replays its first answer.
                    Err(StoreError(message)) => {
                        summary.store_error = Some(message);
                        remaining.push(claimed);
                    }
                }
            }
            Next::Keep(_) => {
                let apply = |outcome: Outcome| {
                    move |raw: &str| match after_attempt(parse_entry(raw)?, outcome, now, jitter) {
                        Next::Keep(updated) => Some(updated.to_json()),
                        Next::Delivered { .. } => None,
                    }
                };
                match twice(|| store.update(&claimed.id, apply(outcome.clone()))).await {
                    Ok(Some(json)) => {
                        if let Some(updated) = parse_entry(&json) {
                            remaining.push(updated);
                        }
                        on_attempt(&claimed, &next);
                    }
                    Ok(None) => summary.dropped += 1,
                    Err(StoreError(message)) => {
                        summary.store_error = Some(message);
                        remaining.push(claimed);
                    }
                }
            }
        }
    }
    // The tab has one retry timer, set from this summary: it must cover what was queued
    // while this pass ran (another report sent during a slow attempt, another tab's work),
    // not only what the pass found at its start, so it reads the store again.
    let now = clock.now_ms();
    let (remaining, soon) = match twice(|| store.records()).await {
        Ok(records) => {
            let mut fresh = load(records).entries;
            for entry in &mut fresh {
                if let Some((_, later)) = held_back.iter().find(|(id, _)| *id == entry.id) {
                    entry.next_attempt_ms = entry.next_attempt_ms.max(*later);
                }
            }
            (fresh, None)
        }
        Err(StoreError(message)) => {
            summary.store_error = Some(message);
            (remaining, Some(now + super::FIRST_RETRY_MS))
        }
    };
    summary.refused = remaining.iter().filter(|e| e.refused.is_some()).count();
    summary.waiting = remaining.len() - summary.refused;
    // What some pass will send: one queued for an endpoint has that endpoint's pass (the
    // app runs one per endpoint with reports waiting); one queued before endpoints were
    // kept goes to any URL, never to the mock, and would otherwise wake the demo's tab again
    // and again for a pass that skips it.
    let sendable = remaining
        .iter()
        .filter(|e| e.endpoint.is_some() || transport.endpoint().is_none_or(|to| e.is_for(to)));
    summary.next_wakeup_ms = match (next_wakeup(sendable), soon) {
        (Some(due), Some(soon)) => Some(due.min(soon)),
        (due, soon) => due.or(soon),
    };
    summary
}
