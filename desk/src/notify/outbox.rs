//! The outbox in the database (SQLite and PostgreSQL, one set of statements): finding new
//! events, the channel leases, the rate-limit log, and each row's fate.

use super::config::{Channel, Limit};
use super::message::{clean, Event, EventKind, DETAIL_CHARS};
use crate::store::{Result, Store};
use sqlx::FromRow;

/// How far behind the clock the watermark trails: an event committed up to this long after
/// its `at` (a slow group commit, another desk's clock running a little behind) is still
/// found.
pub const OVERLAP_MS: i64 = 10 * 60_000;
/// Events taken per pass (more wait for the next pass).
pub const ENQUEUE_BATCH: i64 = 500;
/// Outbox rows done with are kept this long (for the failed count and for looking into a
/// complaint), then deleted. Far older than the watermark, so no event is taken twice.
pub const KEEP_DONE_MS: i64 = 90 * 86_400_000;

/// One event for one channel, as stored.
#[derive(Clone, Debug)]
pub struct Row {
    pub report_id: String,
    pub seq: i64,
    pub event: Event,
    pub attempts: i64,
    pub created_at: i64,
}

/// An event not in the outbox yet, with its report's place.
#[derive(FromRow)]
struct NewEvent {
    report_id: String,
    seq: i64,
    at: i64,
    kind: String,
    ticket: String,
    category: String,
    community: String,
    building: String,
    detail: String,
}

/// An outbox row as stored.
#[derive(FromRow)]
struct Stored {
    report_id: String,
    seq: i64,
    kind: String,
    event_at: i64,
    ticket: String,
    category: String,
    community: String,
    building: String,
    detail: String,
    note: Option<String>,
    due_at: Option<i64>,
    attempts: i64,
    created_at: i64,
}

/// How many outbox rows are in a state.
#[derive(FromRow)]
struct InState {
    state: String,
    n: i64,
}

/// Notifications start from the first start with the outbox: older reports are not sent.
pub async fn init_watermark(store: &Store, now: i64) -> Result<()> {
    sqlx::query("INSERT INTO notify_state (name, value) VALUES ('watermark', $1) ON CONFLICT (name) DO NOTHING")
        .bind(now)
        .execute(store.write_pool())
        .await?;
    Ok(())
}

/// Creates the outbox rows of events not seen yet: `pending` for each channel that takes the
/// report's community, `skipped` for the others (so the event counts as seen). Idempotent:
/// two desks may run it at once. Returns the number of events taken.
pub async fn enqueue(
    store: &Store,
    channels: &[Channel],
    now: i64,
    watermark_now: i64,
) -> Result<usize> {
    let watermark: i64 =
        sqlx::query_scalar("SELECT value FROM notify_state WHERE name = 'watermark'")
            .fetch_optional(store.read_pool())
            .await?
            .unwrap_or(watermark_now);
    let rows = sqlx::query(
        "SELECT e.report_id, e.seq, e.at, e.kind, r.ticket, r.category, r.community, r.building, r.detail \
         FROM report_events e JOIN reports r ON r.id = e.report_id \
         WHERE e.at >= $1 AND e.kind IN ('received', 'reopen') \
         AND NOT EXISTS (SELECT 1 FROM notify_outbox o WHERE o.report_id = e.report_id AND o.seq = e.seq) \
         ORDER BY e.at, e.report_id, e.seq LIMIT $2",
    )
    .bind(watermark)
    .bind(ENQUEUE_BATCH)
    .fetch_all(store.read_pool())
    .await?;
    // Idle, the watermark moves once a minute: a pass then writes nothing (on SQLite every
    // write takes the one writer connection the reports are committed through).
    let advance =
        rows.len() < ENQUEUE_BATCH as usize && watermark_now - OVERLAP_MS - watermark >= 60_000;
    if rows.is_empty() && !advance {
        return Ok(0);
    }
    let mut tx = store.begin().await?;
    for row in &rows {
        let row = NewEvent::from_row(row)?;
        for channel in channels {
            let state = if channel.accepts(&row.community) {
                "pending"
            } else {
                "skipped"
            };
            sqlx::query(
                "INSERT INTO notify_outbox (report_id, seq, channel, kind, event_at, ticket, category, \
                 community, building, detail, state, attempts, next_at, created_at, digest, done_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, $12, 0, $13) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(&row.report_id)
            .bind(row.seq)
            .bind(&channel.name)
            .bind(&row.kind)
            .bind(row.at)
            .bind(&row.ticket)
            .bind(&row.category)
            .bind(clean(&row.community, DETAIL_CHARS))
            .bind(clean(&row.building, DETAIL_CHARS))
            .bind(clean(&row.detail, DETAIL_CHARS))
            .bind(state)
            .bind(now)
            .bind((state == "skipped").then_some(now))
            .execute(&mut *tx)
            .await?;
        }
    }
    // Move the watermark on only when everything after it was taken.
    if advance {
        sqlx::query("UPDATE notify_state SET value = $1 WHERE name = 'watermark' AND value < $1")
            .bind(watermark_now - OVERLAP_MS)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM notify_outbox WHERE done_at < $1")
            .bind(now - KEEP_DONE_MS)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(rows.len())
}

/// Takes or renews the channel's lease for `owner`; false while another desk holds it.
pub async fn lease(store: &Store, channel: &str, owner: &str, now: i64, ms: i64) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO notify_leases (channel, owner, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (channel) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at \
         WHERE notify_leases.expires_at < $4 OR notify_leases.owner = $2",
    )
    .bind(channel)
    .bind(owner)
    .bind(now + ms)
    .bind(now)
    .execute(store.write_pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives the leases back at a graceful stop, so another desk takes over at once.
pub async fn release(store: &Store, owner: &str) -> Result<()> {
    sqlx::query("DELETE FROM notify_leases WHERE owner = $1")
        .bind(owner)
        .execute(store.write_pool())
        .await?;
    Ok(())
}

/// Requests made to the channel within each limit's window.
pub async fn used(store: &Store, channel: &str, limits: &[Limit], now: i64) -> Result<Vec<u32>> {
    let mut used = Vec::with_capacity(limits.len());
    for limit in limits {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM notify_sends WHERE channel = $1 AND at > $2")
                .bind(channel)
                .bind(now - limit.window_ms)
                .fetch_one(store.read_pool())
                .await?;
        used.push(n as u32);
    }
    Ok(used)
}

/// Logs a request about to be made (before it is: a crash after sending still counts it),
/// and forgets requests older than an hour.
pub async fn record_send(store: &Store, channel: &str, now: i64) -> Result<()> {
    let mut tx = store.begin().await?;
    sqlx::query("INSERT INTO notify_sends (id, channel, at) VALUES ($1, $2, $3)")
        .bind(crate::ids::random_uuid())
        .bind(channel)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM notify_sends WHERE channel = $1 AND at < $2")
        .bind(channel)
        .bind(now - 3_600_000)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The channel's pending rows whose time has come, oldest first.
pub async fn due(store: &Store, channel: &str, now: i64, limit: i64) -> Result<Vec<Row>> {
    let rows = sqlx::query(
        "SELECT report_id, seq, kind, event_at, ticket, category, community, building, detail, note, due_at, attempts, created_at \
         FROM notify_outbox WHERE channel = $1 AND state = 'pending' AND next_at <= $2 \
         ORDER BY event_at, ticket, seq LIMIT $3",
    )
    .bind(channel)
    .bind(now)
    .bind(limit)
    .fetch_all(store.read_pool())
    .await?;
    rows.iter()
        .map(|r| {
            let r = Stored::from_row(r)?;
            Ok(Row {
                report_id: r.report_id,
                seq: r.seq,
                event: Event {
                    kind: EventKind::from_code(&r.kind).unwrap_or(EventKind::Received),
                    ticket: r.ticket,
                    category: r.category,
                    community: r.community,
                    building: r.building,
                    detail: r.detail,
                    at_ms: r.event_at,
                    note: r.note,
                    due_at: r.due_at,
                },
                attempts: r.attempts,
                created_at: r.created_at,
            })
        })
        .collect()
}

/// What happens to rows after a request.
#[derive(Clone, Copy)]
pub enum Fate<'a> {
    Sent { digest: bool },
    Retry { next_at: i64, error: &'a str },
    Failed { error: &'a str },
}

pub async fn settle(
    store: &Store,
    channel: &str,
    rows: &[&Row],
    now: i64,
    fate: Fate<'_>,
) -> Result<()> {
    let (sql, at, text): (&str, i64, Option<&str>) = match fate {
        Fate::Sent { .. } => (
            "UPDATE notify_outbox SET state = 'sent', attempts = attempts + 1, done_at = $4, \
             digest = $5, last_error = NULL WHERE report_id = $1 AND seq = $2 AND channel = $3",
            now,
            None,
        ),
        Fate::Retry { next_at, error } => (
            "UPDATE notify_outbox SET attempts = attempts + 1, next_at = $4, last_error = $5 \
             WHERE report_id = $1 AND seq = $2 AND channel = $3",
            next_at,
            Some(error),
        ),
        Fate::Failed { error } => (
            "UPDATE notify_outbox SET state = 'failed', attempts = attempts + 1, done_at = $4, \
             last_error = $5 WHERE report_id = $1 AND seq = $2 AND channel = $3",
            now,
            Some(error),
        ),
    };
    let digest_flag = matches!(fate, Fate::Sent { digest: true });
    let mut tx = store.begin().await?;
    for row in rows {
        let query = sqlx::query(sql)
            .bind(&row.report_id)
            .bind(row.seq)
            .bind(channel)
            .bind(at);
        let query = if matches!(fate, Fate::Sent { .. }) {
            query.bind(i64::from(digest_flag))
        } else {
            query.bind(text.map(str::to_owned))
        };
        query.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// How many notifications are waiting, went out, or were given up on (all channels).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub pending: u64,
    pub sent: u64,
    pub failed: u64,
}

pub async fn counts(store: &Store) -> Result<Counts> {
    let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM notify_outbox GROUP BY state")
        .fetch_all(store.read_pool())
        .await?;
    let mut counts = Counts::default();
    for row in rows {
        let InState { state, n } = InState::from_row(&row)?;
        let n = n as u64;
        match state.as_str() {
            "pending" => counts.pending = n,
            "sent" => counts.sent = n,
            "failed" => counts.failed = n,
            _ => {}
        }
    }
    Ok(counts)
}
