//! When to try again, and what an answer does to an entry.

use super::OutboxEntry;
use xinjing_contract::{Outcome, TicketStatus};

pub const FIRST_RETRY_MS: f64 = 5_000.0;
pub const MAX_RETRY_MS: f64 = 300_000.0;
/// The slowest upload an attempt is given time for: 20 KB/s (160 kbit/s, a weak 3G or a
/// crowded cell). A fixed limit would make every attempt of a 1.5 MB report give up on such
/// a link and upload it all again.
pub const SLOWEST_UPLOAD_BYTES_PER_MS: f64 = 20.48;
/// The time an attempt may take beyond its time-out before its lease runs out.
pub const LEASE_MARGIN_MS: f64 = 10_000.0;
/// No lease lasts longer than this, whatever was stored: the longest time-out (120 s) plus
/// a 5 MB body at the slowest upload, with room to spare.
pub const MAX_LEASE_MS: f64 = 600_000.0;

/// Who asked for the flush, which decides which waits it respects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlushMode {
    /// A retry falling due: back-off and the server's `Retry-After` are respected.
    Automatic,
    /// Start, the page becoming visible, the phone coming online, a new report queued:
    /// ordinary back-off is skipped (the reason for it may be gone), but a server that asked
    /// for a pause with `Retry-After` gets it.
    Resumed,
    /// The resident tapped "send now": every waiting report goes at once (never a refused
    /// one).
    ResidentAsked,
}

/// Delay before attempt `attempts + 1`: 5 s doubling to 5 min, with the later half jittered
/// (`jitter` in 0..1) so phones that come back online together do not retry together.
pub fn backoff_ms(attempts: u32, jitter: f64) -> f64 {
    let exponent = attempts.saturating_sub(1).min(16);
    let ceiling = (FIRST_RETRY_MS * f64::from(1u32 << exponent)).min(MAX_RETRY_MS);
    ceiling / 2.0 + ceiling / 2.0 * jitter.clamp(0.0, 1.0)
}

/// How long one attempt at a body of `body_bytes` may take: the configured time-out plus
/// the time the body needs at the slowest upload we serve.
#[inline]
pub fn attempt_timeout_ms(base_timeout_ms: f64, body_bytes: usize) -> f64 {
    base_timeout_ms + body_bytes as f64 / SLOWEST_UPLOAD_BYTES_PER_MS
}

#[derive(Clone, Debug, PartialEq)]
pub enum Next {
    Delivered {
        ticket: String,
        status: Option<TicketStatus>,
    },
    Keep(OutboxEntry),
}

/// The entry after one attempt ended with `outcome` at `now_ms`. Applied to the entry as
/// stored when the answer arrives, not to the copy the attempt started from.
#[inline]
pub fn after_attempt(mut entry: OutboxEntry, outcome: Outcome, now_ms: f64, jitter: f64) -> Next {
    entry.lease_at_ms = 0.0;
    entry.lease_until_ms = 0.0;
    entry.attempted_at_ms = now_ms;
    match outcome {
        Outcome::Accepted { ticket, status } => return Next::Delivered { ticket, status },
        Outcome::Temporary {
            retry_after_ms,
            reason,
        } => {
            entry.attempts = entry.attempts.saturating_add(1);
            let delay = backoff_ms(entry.attempts, jitter).max(retry_after_ms.unwrap_or(0.0));
            entry.next_attempt_ms = now_ms + delay;
            // The server's own pause binds every automatic trigger, not only the timer.
            entry.not_before_ms = retry_after_ms.map(|ms| now_ms + ms);
            entry.last_error = Some(reason);
            entry.fault = None;
        }
        Outcome::Fault(fault) => {
            entry.attempts = entry.attempts.saturating_add(1);
            entry.next_attempt_ms = now_ms + backoff_ms(entry.attempts, jitter);
            entry.not_before_ms = None;
            entry.last_error = Some(fault.describe().into());
            entry.fault = Some(fault);
        }
        Outcome::Refused { message } => {
            entry.attempts = entry.attempts.saturating_add(1);
            entry.refused = Some(message);
        }
    }
    Next::Keep(entry)
}

/// When the earliest waiting entry is next due, if any is.
#[inline]
pub fn next_wakeup<'a>(entries: impl IntoIterator<Item = &'a OutboxEntry>) -> Option<f64> {
    entries
        .into_iter()
        .filter(|e| e.refused.is_none())
        .map(|e| e.next_attempt_ms.max(e.lease_until_ms))
        .min_by(|a, b| a.total_cmp(b))
}

/// How the first attempt at a just-queued report went, as far as the resident's
/// "sending…" wait is concerned.
#[derive(Clone, Debug, PartialEq)]
pub enum FirstAnswer {
    Delivered {
        ticket: String,
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
