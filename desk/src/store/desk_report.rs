//! What staff do to a report: change its state, assign it, mark it a duplicate, reopen it.
//! Each change is one transaction holding the report's new state, its history event and
//! the audit log line, so none is ever recorded without the others.

use super::events::insert_event;
pub(crate) use super::events::{audit_on, reopen_on};
use super::resolution::resolution_from;
use super::rows::Flag;
use super::{Applied, Backend, Change, Resolution, Result, Store, StoredReport};
use sqlx::FromRow;
use xinjing_contract::TicketStatus;

/// A report with what the staff pages add to it.
#[derive(Clone, Debug, PartialEq)]
pub struct DeskReport {
    pub report: StoredReport,
    pub created_at: String,
    pub locale: String,
    pub consent_contact: bool,
    pub status_at: i64,
    pub assignee: Option<String>,
    pub merged_into: Option<String>,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub reopened_at: Option<i64>,
    pub reopen_count: i64,
    /// A report a failed 回头看 opened: the original's ticket.
    pub relapse_of: Option<String>,
    /// How it was resolved, while it is resolved (not merged).
    pub resolution: Option<Resolution>,
}

/// The columns of a report only the staff pages read.
#[derive(FromRow)]
struct DeskColumns {
    created_at: String,
    locale: String,
    #[sqlx(try_from = "Flag")]
    consent_contact: bool,
    status_at: i64,
    assignee: Option<String>,
    merged_into: Option<String>,
    first_response_at: Option<i64>,
    resolved_at: Option<i64>,
    reopened_at: Option<i64>,
    reopen_count: i64,
    relapse_of: Option<String>,
    resolution: Option<String>,
}

impl Store {
    pub async fn desk_report(&self, ticket: &str) -> Result<Option<DeskReport>> {
        let Some(report) = self.report_by_ticket(ticket).await? else {
            return Ok(None);
        };
        let row = sqlx::query(
            "SELECT created_at, locale, consent_contact, status_at, assignee, merged_into, \
             first_response_at, resolved_at, reopened_at, reopen_count, relapse_of, resolution FROM reports WHERE id = $1",
        )
        .bind(&report.id)
        .fetch_one(&self.read)
        .await?;
        let c = DeskColumns::from_row(&row)?;
        Ok(Some(DeskReport {
            created_at: c.created_at,
            locale: c.locale,
            consent_contact: c.consent_contact,
            status_at: c.status_at,
            assignee: c.assignee,
            merged_into: c.merged_into,
            first_response_at: c.first_response_at,
            resolved_at: c.resolved_at,
            reopened_at: c.reopened_at,
            reopen_count: c.reopen_count,
            relapse_of: c.relapse_of,
            resolution: resolution_from(c.resolution)?,
            report,
        }))
    }

    /// The community of a ticket (to check who may see it), if it exists.
    pub async fn community_of(&self, ticket: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT community FROM reports WHERE ticket = $1")
                .bind(ticket)
                .fetch_optional(&self.read)
                .await?,
        )
    }

    /// Applies a staff change and audits it, if it fits the report's state at that moment.
    pub async fn apply_change(
        &self,
        ticket: &str,
        change: &Change,
        actor: &str,
        detail: Option<&str>,
        now: i64,
    ) -> Result<Applied> {
        let mut tx = self.begin().await?;
        if let (Change::Duplicate { of, .. }, Backend::Postgres) = (change, self.backend) {
            // Both reports, in ticket order: A into B and B into A at once wait for each
            // other instead of deadlocking, and the second sees the first's merge below.
            sqlx::query(
                "SELECT id FROM reports WHERE ticket IN ($1, $2) ORDER BY ticket FOR UPDATE",
            )
            .bind(ticket)
            .bind(of)
            .fetch_all(&mut *tx)
            .await?;
        }
        // The report is locked (PostgreSQL) or the writer held (SQLite) from here on.
        let Some((id, seq)) = self.next_event(&mut tx, ticket, None).await? else {
            return Ok(Applied::Unknown);
        };
        let current: String = sqlx::query_scalar("SELECT status FROM reports WHERE id = $1")
            .bind(&id)
            .fetch_one(&mut *tx)
            .await?;
        if !change.fits(super::status_from(&current)?) {
            return Ok(Applied::NotNow);
        }
        // The town's figures: this report's part before the change (see `stats_daily`).
        let figures_before = super::stats_daily::facts_on(&mut tx, &id).await?;
        match change {
            Change::Status {
                status,
                resolution,
                public_note,
                internal_note,
                ..
            } => {
                if change.needs_override(false) {
                    let reviewed: i64 = sqlx::query_scalar(super::tasks::PASSED_SINCE_REOPEN)
                        .bind(&id)
                        .fetch_one(&mut *tx)
                        .await?;
                    if change.needs_override(reviewed > 0) {
                        return Ok(Applied::NeedsOverride);
                    }
                }
                let closed_at = status.is_final().then_some(now);
                // Only "resolved" has a resolution; any other state clears it.
                let resolution = resolution
                    .filter(|_| *status == TicketStatus::Resolved)
                    .map(Resolution::code);
                // The shell may change a state without a note: none is kept, not "".
                let public_note = Some(public_note.as_str()).filter(|n| !n.is_empty());
                // The first change of state by staff is the first response.
                sqlx::query(
                    "UPDATE reports SET status = $2, status_at = $3, public_note = $4, closed_at = $5, \
                     resolved_at = COALESCE($5, resolved_at), resolution = $6, \
                     first_response_at = COALESCE(first_response_at, $3) WHERE id = $1",
                )
                .bind(&id)
                .bind(status.code())
                .bind(now)
                .bind(public_note)
                .bind(closed_at)
                .bind(resolution)
                .execute(&mut *tx)
                .await?;
                let event = NewEvent {
                    kind: "status",
                    status: Some(status.code()),
                    resolution,
                    public_note,
                    internal_note: internal_note.as_deref(),
                };
                event.insert(&mut tx, &id, seq, now, actor).await?;
            }
            Change::Assign { assignee } => {
                sqlx::query("UPDATE reports SET assignee = $2 WHERE id = $1")
                    .bind(&id)
                    .bind(assignee.as_deref())
                    .execute(&mut *tx)
                    .await?;
                let event = NewEvent {
                    kind: "assign",
                    status: None,
                    resolution: None,
                    public_note: None,
                    internal_note: assignee.as_deref(),
                };
                event.insert(&mut tx, &id, seq, now, actor).await?;
            }
            Change::Duplicate { of, public_note } => {
                // Checked again here, under the lock: the target must still be handled
                // (merged into a closed report, or merged back, nobody would handle it).
                let target: Option<(String, Option<String>)> =
                    sqlx::query_as("SELECT status, merged_into FROM reports WHERE ticket = $1")
                        .bind(of)
                        .fetch_optional(&mut *tx)
                        .await?;
                match target {
                    Some((status, None)) if !super::status_from(&status)?.is_final() => {}
                    _ => return Ok(Applied::NotNow),
                }
                sqlx::query(
                    "UPDATE reports SET status = 'resolved', status_at = $2, public_note = $3, closed_at = $2, \
                     resolved_at = $2, resolution = NULL, merged_into = $4, first_response_at = COALESCE(first_response_at, $2) \
                     WHERE id = $1",
                )
                .bind(&id)
                .bind(now)
                .bind(public_note)
                .bind(of)
                .execute(&mut *tx)
                .await?;
                let event = NewEvent {
                    kind: "status",
                    status: Some("resolved"),
                    resolution: None,
                    public_note: Some(public_note),
                    internal_note: Some(&format!("duplicate of {of}")),
                };
                event.insert(&mut tx, &id, seq, now, actor).await?;
            }
            Change::Reopen {
                public_note,
                internal_note,
            } => {
                reopen_on(
                    &mut tx,
                    &id,
                    seq,
                    actor,
                    None,
                    public_note.as_deref(),
                    internal_note.as_deref(),
                    now,
                )
                .await?;
            }
            Change::Dispatch {
                dispatch,
                public_note,
                internal_note,
            } => {
                if !super::tasks::dispatch_on(&mut tx, &id, seq, dispatch, actor, now).await? {
                    return Ok(Applied::NotNow);
                }
                sqlx::query(
                    "UPDATE reports SET status = 'in_progress', status_at = $2, public_note = $3, \
                     first_response_at = COALESCE(first_response_at, $2) WHERE id = $1",
                )
                .bind(&id)
                .bind(now)
                .bind(public_note)
                .execute(&mut *tx)
                .await?;
                let (public, internal) = (Some(public_note.as_str()), Some(internal_note.as_str()));
                let status = Some("in_progress");
                insert_event(
                    &mut tx, &id, seq, now, "dispatch", status, public, internal, actor,
                )
                .await?;
            }
            Change::ReviewPass {
                task,
                note,
                public_photo,
            } => {
                // The pass and the resolution together: a crash between them would leave a
                // resolved report whose task still waits for its review.
                let passed = sqlx::query(
                    "UPDATE dispatch_tasks SET state = 'passed', reviewed_at = $3, reviewed_by = $4, \
                     review_note = $5, closed_at = $3, passed_seq = $6, photo_public = $7 \
                     WHERE id = $1 AND report_id = $2 AND state = 'answered'",
                )
                .bind(task)
                .bind(&id)
                .bind(now)
                .bind(actor)
                .bind(note)
                .bind(seq)
                .bind(i64::from(*public_photo))
                .execute(&mut *tx)
                .await?;
                if passed.rows_affected() != 1 {
                    return Ok(Applied::NotNow);
                }
                let solved = Resolution::Solved.code();
                sqlx::query(
                    "UPDATE reports SET status = 'resolved', status_at = $2, public_note = $3, closed_at = $2, \
                     resolved_at = $2, resolution = $4, first_response_at = COALESCE(first_response_at, $2) \
                     WHERE id = $1",
                )
                .bind(&id)
                .bind(now)
                .bind(note)
                .bind(solved)
                .execute(&mut *tx)
                .await?;
                let event = NewEvent {
                    kind: "status",
                    status: Some("resolved"),
                    resolution: Some(solved),
                    public_note: Some(note),
                    internal_note: Some(&format!("复查通过（任务 {task}）")),
                };
                event.insert(&mut tx, &id, seq, now, actor).await?;
            }
        }
        // A closed report ends its unit's live tasks with it: the unit stops seeing the
        // resident's contact and the ladder stops warning about it.
        let closes = match change {
            Change::Status { status, .. } => status.is_final(),
            Change::Duplicate { .. } | Change::ReviewPass { .. } => true,
            Change::Assign { .. } | Change::Reopen { .. } | Change::Dispatch { .. } => false,
        };
        if closes {
            sqlx::query(
                "UPDATE dispatch_tasks SET state = 'cancelled', closed_at = $2 \
                 WHERE report_id = $1 AND state IN ('open', 'answered')",
            )
            .bind(&id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        // The audit line names the resolution whoever resolved (page or shell).
        let detail = match change {
            Change::Status {
                status: TicketStatus::Resolved,
                resolution: Some(r),
                ..
            } => Some(match change.override_reason() {
                Some(reason) => format!(
                    "{} ({}) override: {reason}",
                    detail.unwrap_or("resolved"),
                    r.code()
                ),
                None => format!("{} ({})", detail.unwrap_or("resolved"), r.code()),
            }),
            Change::ReviewPass { .. } => Some(format!(
                "{} ({})",
                detail.unwrap_or("resolved"),
                Resolution::Solved.code()
            )),
            _ => detail.map(str::to_owned),
        };
        let detail = detail.as_deref();
        audit_on(&mut tx, actor, change.action(), Some(ticket), detail, now).await?;
        self.recount_on(&mut tx, &id, figures_before.as_ref())
            .await?;
        tx.commit().await?;
        Ok(Applied::Done)
    }
}

/// A history event written by a staff change.
struct NewEvent<'a> {
    kind: &'a str,
    status: Option<&'a str>,
    resolution: Option<&'a str>,
    public_note: Option<&'a str>,
    internal_note: Option<&'a str>,
}

impl NewEvent<'_> {
    async fn insert(
        &self,
        conn: &mut sqlx::AnyConnection,
        id: &str,
        seq: i64,
        now: i64,
        actor: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO report_events (report_id, seq, at, kind, status, resolution, public_note, internal_note, actor) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(seq)
        .bind(now)
        .bind(self.kind)
        .bind(self.status)
        .bind(self.resolution)
        .bind(self.public_note)
        .bind(self.internal_note)
        .bind(actor)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}
