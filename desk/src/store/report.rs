//! Reports, their tickets, photos and history.

use super::rows::{Happened, MaybeFlag, StateCode};
use super::{status_from, Backend, Result, Store, StoreError};
use sqlx::FromRow;
use xinjing_contract::TicketStatus;

#[derive(Clone, Debug, PartialEq, FromRow)]
pub struct StatusRow {
    pub ticket: String,
    #[sqlx(try_from = "StateCode")]
    pub status: TicketStatus,
    pub status_at: i64,
    pub public_note: Option<String>,
    pub merged_into: Option<String>,
}

/// A stored report as staff (and tests) see it.
#[derive(Clone, Debug, PartialEq, FromRow)]
pub struct StoredReport {
    pub id: String,
    pub ticket: String,
    pub ticket_day: String,
    pub ticket_number: i64,
    pub received_at: i64,
    pub category: String,
    pub community: String,
    pub building: String,
    pub detail: String,
    pub description: String,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    #[sqlx(try_from = "StateCode")]
    pub status: TicketStatus,
    pub public_note: Option<String>,
    pub closed_at: Option<i64>,
    pub erased_at: Option<i64>,
    /// Read by a query of their own.
    #[sqlx(skip)]
    pub photos: Vec<StoredPhoto>,
}

#[derive(Clone, Debug, PartialEq, FromRow)]
pub struct StoredPhoto {
    pub position: i64,
    pub object_key: String,
    pub width: i64,
    pub height: i64,
    pub bytes: i64,
    #[sqlx(rename = "erased_at", try_from = "Happened")]
    pub erased: bool,
}

#[derive(Clone, Debug, PartialEq, FromRow)]
pub struct Event {
    pub seq: i64,
    pub at: i64,
    pub kind: String,
    pub status: Option<String>,
    /// `solved` or `explained` on the event that resolved a report.
    pub resolution: Option<String>,
    pub public_note: Option<String>,
    pub internal_note: Option<String>,
    pub actor: Option<String>,
    #[sqlx(try_from = "MaybeFlag")]
    pub satisfied: Option<bool>,
    pub comment: Option<String>,
}

/// A ticket as numbered: its day, its number that day, and the two together.
#[derive(FromRow)]
struct Ticket {
    ticket_day: String,
    ticket_number: i64,
    ticket: String,
}

impl Store {
    /// A ticket's status, only with the report's own id as the key.
    pub async fn status(&self, ticket: &str, key: &str) -> Result<Option<StatusRow>> {
        let row = sqlx::query(
            "SELECT ticket, status, status_at, public_note, merged_into FROM reports WHERE ticket = $1 AND id = $2",
        )
        .bind(ticket)
        .bind(key)
        .fetch_optional(&self.read)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(StatusRow::from_row(&row)?))
    }

    /// Locks the report (PostgreSQL) and gives its id and next event number; with the
    /// resident's `key`, only while the report's personal data is kept.
    pub(crate) async fn next_event(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        ticket: &str,
        key: Option<&str>,
    ) -> Result<Option<(String, i64)>> {
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE",
            Backend::Sqlite => "",
        };
        // The resident (with the key) writes to a report only until its erasure: a comment
        // after it would reopen the report and never be erased.
        let sql = format!(
            "SELECT id FROM reports WHERE ticket = $1 \
             AND ($2 IS NULL OR (id = $2 AND erased_at IS NULL)){lock}"
        );
        let id: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(ticket)
            .bind(key)
            .fetch_optional(&mut **tx)
            .await?;
        let Some(id) = id else { return Ok(None) };
        let seq: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM report_events WHERE report_id = $1",
        )
        .bind(&id)
        .fetch_one(&mut **tx)
        .await?;
        Ok(Some((id, seq)))
    }

    /// Records the resident's verdict; `false` when the ticket and key do not match. With
    /// `saved` (Idempotency-Key, body hash, answer), the answer is kept under that key in the
    /// same transaction; `Duplicate` when the key was saved first by another request.
    pub async fn add_feedback(
        &self,
        ticket: &str,
        key: &str,
        satisfied: bool,
        comment: Option<&str>,
        saved: Option<(&str, &str, &str)>,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let Some((id, seq)) = self.next_event(&mut tx, ticket, Some(key)).await? else {
            return Ok(false);
        };
        if let Some((idem_key, body_sha256, answer)) = saved {
            let inserted = sqlx::query(
                "INSERT INTO idempotency_keys \
                 (key, body_sha256, claimed_at, status_code, answer, created_at) \
                 VALUES ($1, $2, $3, 200, $4, $3) ON CONFLICT (key) DO NOTHING",
            )
            .bind(idem_key)
            .bind(body_sha256)
            .bind(now)
            .bind(answer)
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() == 0 {
                return Err(StoreError::Duplicate);
            }
        }
        let figures_before = super::stats_daily::facts_on(&mut tx, &id).await?;
        sqlx::query(
            "INSERT INTO report_events (report_id, seq, at, kind, actor, satisfied, comment) \
             VALUES ($1, $2, $3, 'feedback', 'resident', $4, $5)",
        )
        .bind(&id)
        .bind(seq)
        .bind(now)
        .bind(i64::from(satisfied))
        .bind(comment)
        .execute(&mut *tx)
        .await?;
        // "Not satisfied" with a closed ticket reopens it (12345's 重办).
        let status: String = sqlx::query_scalar("SELECT status FROM reports WHERE id = $1")
            .bind(&id)
            .fetch_one(&mut *tx)
            .await?;
        if !satisfied && status_from(&status)?.is_final() {
            super::desk_report::reopen_on(
                &mut tx,
                &id,
                seq + 1,
                "resident",
                comment,
                None,
                None,
                now,
            )
            .await?;
            super::desk_report::audit_on(&mut tx, "resident", "reopen", Some(ticket), None, now)
                .await?;
        }
        self.recount_on(&mut tx, &id, figures_before.as_ref())
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn report_by_ticket(&self, ticket: &str) -> Result<Option<StoredReport>> {
        let row = sqlx::query(
            "SELECT id, ticket, ticket_day, ticket_number, received_at, category, community, building, \
             detail, description, contact_name, contact_phone, status, public_note, closed_at, erased_at \
             FROM reports WHERE ticket = $1",
        )
        .bind(ticket)
        .fetch_optional(&self.read)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let mut report = StoredReport::from_row(&row)?;
        report.photos = sqlx::query(
            "SELECT position, object_key, width, height, bytes, erased_at FROM report_photos \
             WHERE report_id = $1 ORDER BY position",
        )
        .bind(&report.id)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|p| Ok(StoredPhoto::from_row(p)?))
        .collect::<Result<Vec<_>>>()?;
        Ok(Some(report))
    }

    /// Every ticket, in order of day and number.
    pub async fn tickets(&self) -> Result<Vec<(String, i64, String)>> {
        let rows = sqlx::query(
            "SELECT ticket_day, ticket_number, ticket FROM reports ORDER BY ticket_day, ticket_number",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let Ticket {
                    ticket_day,
                    ticket_number,
                    ticket,
                } = Ticket::from_row(r)?;
                Ok((ticket_day, ticket_number, ticket))
            })
            .collect()
    }

    /// A report's history, oldest first.
    pub async fn events(&self, ticket: &str) -> Result<Vec<Event>> {
        let rows = sqlx::query(
            "SELECT e.seq, e.at, e.kind, e.status, e.resolution, e.public_note, e.internal_note, e.actor, e.satisfied, e.comment \
             FROM report_events e JOIN reports r ON r.id = e.report_id WHERE r.ticket = $1 ORDER BY e.seq",
        )
        .bind(ticket)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| Ok(Event::from_row(r)?)).collect()
    }
}
