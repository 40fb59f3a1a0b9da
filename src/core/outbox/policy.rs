//! When to try again, and what an answer does to an entry.

use super::OutboxEntry;
use xinjing_contract::{Outcome, TicketStatus};

pub const FIRST_RETRY_MS: f64 = 5_000.0;
pub const MAX_RETRY_MS: f64 = 300_000.0;

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

/// How the first attempt at a just-queued report went, as far as the resident's
/// "sending…" wait is concerned.
#[derive(Clone, Debug, PartialEq)]
pub enum FirstAnswer {
    Delivered {
        ticket: Option<String>,
    },
    /// Refused by the very first answer: the form, still filled in, is the place to fix it.
    Refused(String),
    /// A temporary failure: the report stays in the outbox and is retried.
    Waiting,
}

/// The first answer, if this attempt was the report's first. Only the first answer counts,
/// so a quick retry that is refused never pulls a report out of the outbox behind the
/// resident's back ("my reports" offers the edit then).
pub fn first_answer(before: &OutboxEntry, next: &Next) -> Option<FirstAnswer> {
    if before.attempts > 0 {
        return None;
    }
    Some(match next {
        Next::Delivered { ticket, .. } => FirstAnswer::Delivered {
            ticket: ticket.clone(),
        },
        Next::Keep(entry) => match &entry.refused {
            Some(message) => FirstAnswer::Refused(message.clone()),
            None => FirstAnswer::Waiting,
        },
    })
}
