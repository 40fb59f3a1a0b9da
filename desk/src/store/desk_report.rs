//! What staff do to a report: change its state, assign it, mark it a duplicate, reopen it.
//! Each change is one transaction holding the report's new state, its history event and
//! the audit log line, so none is ever recorded without the others.

use super::events::insert_event;
pub(crate) use super::events::{audit_on, reopen_on};
use super::rows::Flag;
use super::{Backend, Dispatch, Result, Store, StoredReport};
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
}

/// A change made by staff.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// To another state, with the note the resident sees and one only staff see.
    Status {
        status: TicketStatus,
        public_note: String,
        internal_note: Option<String>,
    },
    Assign {
        assignee: Option<String>,
    },
    /// Closes the report as a duplicate of another ticket (resolved, `merged_into` set).
    Duplicate {
        of: String,
        public_note: String,
    },
    /// Back to received, on top of the list.
    Reopen {
        public_note: Option<String>,
        internal_note: Option<String>,
    },
    /// To a handling unit (in progress): a new task, unless one is live already.
    Dispatch {
        dispatch: Dispatch,
        public_note: String,
        internal_note: String,
    },
}

/// The states staff may move a report to from `status` (closed ones reopen instead).
pub fn next_states(status: TicketStatus) -> &'static [TicketStatus] {
    match status {
        TicketStatus::Received => &[
            TicketStatus::InProgress,
            TicketStatus::Resolved,
            TicketStatus::Rejected,
        ],
        TicketStatus::InProgress => &[TicketStatus::Resolved, TicketStatus::Rejected],
        TicketStatus::Resolved | TicketStatus::Rejected => &[],
    }
}

/// What became of a staff change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    Done,
    /// No such ticket.
    Unknown,
    /// Not from the report's state as it is now (another desk, or the resident, changed it
    /// first): nothing recorded.
    NotNow,
}

impl Change {
    /// Whether this change may be made to a report in state `current`. Checked again
    /// inside the change's transaction, so two desks (or a desk and a resident's reopening)
    /// acting at once cannot both close, or both reopen, the same report.
    pub fn fits(&self, current: TicketStatus) -> bool {
        match self {
            Change::Status { status, .. } => next_states(current).contains(status),
            Change::Assign { .. } => true,
            Change::Duplicate { .. } => !current.is_final(),
            Change::Reopen { .. } => current.is_final(),
            Change::Dispatch { .. } => !current.is_final(),
        }
    }

    /// The audit log's name for it.
    pub fn action(&self) -> &'static str {
        match self {
            Change::Status { .. } => "status",
            Change::Assign { .. } => "assign",
            Change::Duplicate { .. } => "duplicate",
            Change::Reopen { .. } => "reopen",
            Change::Dispatch { .. } => "dispatch",
        }
    }
}

impl Store {
    pub async fn desk_report(&self, ticket: &str) -> Result<Option<DeskReport>> {
        let Some(report) = self.report_by_ticket(ticket).await? else {
            return Ok(None);
        };
        let row = sqlx::query(
            "SELECT created_at, locale, consent_contact, status_at, assignee, merged_into, \
             first_response_at, resolved_at, reopened_at, reopen_count, relapse_of FROM reports WHERE id = $1",
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
        match change {
            Change::Status {
                status,
                public_note,
                internal_note,
            } => {
                let closed_at = status.is_final().then_some(now);
                // The shell may change a state without a note: none is kept, not "".
                let public_note = Some(public_note.as_str()).filter(|n| !n.is_empty());
                // The first change of state by staff is the first response.
                sqlx::query(
                    "UPDATE reports SET status = $2, status_at = $3, public_note = $4, closed_at = $5, \
                     resolved_at = COALESCE($5, resolved_at), \
                     first_response_at = COALESCE(first_response_at, $3) WHERE id = $1",
                )
                .bind(&id)
                .bind(status.code())
                .bind(now)
                .bind(public_note)
                .bind(closed_at)
                .execute(&mut *tx)
                .await?;
                insert_event(
                    &mut tx,
                    &id,
                    seq,
                    now,
                    "status",
                    Some(status.code()),
                    public_note,
                    internal_note.as_deref(),
                    actor,
                )
                .await?;
            }
            Change::Assign { assignee } => {
                sqlx::query("UPDATE reports SET assignee = $2 WHERE id = $1")
                    .bind(&id)
                    .bind(assignee.as_deref())
                    .execute(&mut *tx)
                    .await?;
                insert_event(
                    &mut tx,
                    &id,
                    seq,
                    now,
                    "assign",
                    None,
                    None,
                    assignee.as_deref(),
                    actor,
                )
                .await?;
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
                     resolved_at = $2, merged_into = $4, first_response_at = COALESCE(first_response_at, $2) \
                     WHERE id = $1",
                )
                .bind(&id)
                .bind(now)
                .bind(public_note)
                .bind(of)
                .execute(&mut *tx)
                .await?;
                insert_event(
                    &mut tx,
                    &id,
                    seq,
                    now,
                    "status",
                    Some("resolved"),
                    Some(public_note),
                    Some(&format!("duplicate of {of}")),
                    actor,
                )
                .await?;
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
        }
        audit_on(&mut tx, actor, change.action(), Some(ticket), detail, now).await?;
        tx.commit().await?;
        Ok(Applied::Done)
    }
}
