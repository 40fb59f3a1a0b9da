//! Dispatch tasks (派单): a report handed to a handling unit with a deadline and an
//! instruction. A task is created by `apply_change` (`Change::Dispatch`), in the
//! transaction that records the report's history event, its audit line and the unit
//! robot's outbox row.

use super::rows::TaskStateCode;
use super::{Result, Store};
use crate::notify::message::{clean, DETAIL_CHARS};
use sqlx::FromRow;

/// Where a task is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskState {
    /// With the unit, waiting for its answer.
    Open,
    /// The unit says it is done: waiting for the committee's review.
    Answered,
    /// The unit gave it back (退单): the committee acts.
    Returned,
    /// Reviewed and passed: fixed.
    Passed,
    /// Ended because its report was closed without it (resolved, rejected, merged).
    Cancelled,
}

impl TaskState {
    pub const ALL: [TaskState; 5] = [
        TaskState::Open,
        TaskState::Answered,
        TaskState::Returned,
        TaskState::Passed,
        TaskState::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TaskState::Open => "open",
            TaskState::Answered => "answered",
            TaskState::Returned => "returned",
            TaskState::Passed => "passed",
            TaskState::Cancelled => "cancelled",
        }
    }

    pub fn from_code(code: &str) -> Option<TaskState> {
        TaskState::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Still the unit's or the reviewer's to act on.
    pub fn is_live(self) -> bool {
        matches!(self, TaskState::Open | TaskState::Answered)
    }
}

/// A task with the place of its report (never the resident's contact details or text).
#[derive(Clone, Debug, PartialEq, FromRow)]
pub struct Task {
    pub id: String,
    pub report_id: String,
    pub ticket: String,
    pub category: String,
    pub community: String,
    pub building: String,
    pub detail: String,
    pub unit: String,
    pub instruction: String,
    #[sqlx(try_from = "TaskStateCode")]
    pub state: TaskState,
    pub dispatched_at: i64,
    pub dispatched_by: String,
    pub due_at: i64,
    pub answered_at: Option<i64>,
    pub answer_note: Option<String>,
    /// The after-photo's object key (done).
    pub photo_key: Option<String>,
    /// asked | granted | refused
    pub extension_state: Option<String>,
    pub extension_reason: Option<String>,
    pub extension_until: Option<i64>,
    pub reviewed_at: Option<i64>,
    pub review_note: Option<String>,
    /// When staff shared the resident's contact with the unit for this task.
    pub contact_shared_at: Option<i64>,
}

const TASK_COLUMNS: &str = "t.id, t.report_id, r.ticket, r.category, r.community, r.building, \
     r.detail, t.unit, t.instruction, t.state, t.dispatched_at, t.dispatched_by, t.due_at, \
     t.answered_at, t.answer_note, t.photo_key, t.extension_state, t.extension_reason, \
     t.extension_until, t.reviewed_at, t.review_note, t.contact_shared_at";

/// A dispatch, as `apply_change` records it.
#[derive(Clone, Debug, PartialEq)]
pub struct Dispatch {
    /// The new task's id (chosen by the caller, so it can link to it).
    pub task: String,
    pub unit: String,
    pub due_at: i64,
    pub instruction: String,
    /// The unit's robot, if it has one: one message through the outbox.
    pub channel: Option<String>,
}

/// Records a dispatch of report `id` as its history event `seq`: the task, and the robot's
/// outbox row. `false` (nothing written) while another task of the report is live.
/// How many reviews passed report `$1` since it was last reopened: only those waive the
/// override (a pass before a reopen judged a fix that did not hold). A pass kept before
/// passes had their event counts while the report was never reopened.
pub(crate) const PASSED_SINCE_REOPEN: &str = "SELECT COUNT(*) FROM dispatch_tasks \
     WHERE report_id = $1 AND state = 'passed' AND COALESCE(passed_seq, 0) > \
     COALESCE((SELECT MAX(seq) FROM report_events WHERE report_id = $1 AND kind = 'reopen'), -1)";

impl Store {
    /// Whether a review passed report `id` since it was last reopened.
    pub async fn passed_since_reopen(&self, id: &str) -> Result<bool> {
        let passed: i64 = sqlx::query_scalar(PASSED_SINCE_REOPEN)
            .bind(id)
            .fetch_one(&self.read)
            .await?;
        Ok(passed > 0)
    }

    /// The ticket of the report task `id` works on; `None` for an unknown task.
    pub(super) async fn task_ticket(&self, id: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT r.ticket FROM dispatch_tasks t JOIN reports r ON r.id = t.report_id WHERE t.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?)
    }
}

pub(crate) async fn dispatch_on(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    seq: i64,
    d: &Dispatch,
    actor: &str,
    now: i64,
) -> Result<bool> {
    let live: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM dispatch_tasks WHERE report_id = $1 AND state IN ('open', 'answered')",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    if live > 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO dispatch_tasks (id, report_id, seq, unit, instruction, state, dispatched_at, \
         dispatched_by, due_at, window_from) VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8, $6)",
    )
    .bind(&d.task)
    .bind(id)
    .bind(seq)
    .bind(&d.unit)
    .bind(&d.instruction)
    .bind(now)
    .bind(actor)
    .bind(d.due_at)
    .execute(&mut *conn)
    .await?;
    if let Some(channel) = &d.channel {
        outbox_row(conn, id, seq, channel, "dispatch", now).await?;
    }
    Ok(true)
}

/// A message about report `id`'s history event `seq` for `channel`, straight into the
/// outbox (the notifier's next pass sends it like any other row), with the report's place
/// as a chat may show it: the resident typed it.
pub(crate) async fn outbox_row(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    seq: i64,
    channel: &str,
    kind: &str,
    now: i64,
) -> Result<()> {
    outbox_row_with(conn, id, seq, channel, kind, now, None).await
}

/// [`outbox_row`] with a note and a due time for the message (a failed review's).
pub(crate) async fn outbox_row_with(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    seq: i64,
    channel: &str,
    kind: &str,
    now: i64,
    review: Option<(&str, i64)>,
) -> Result<()> {
    let (ticket, category, community, building, detail): (String, String, String, String, String) =
        sqlx::query_as(
            "SELECT ticket, category, community, building, detail FROM reports WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO notify_outbox (report_id, seq, channel, kind, event_at, ticket, category, \
         community, building, detail, state, attempts, next_at, created_at, digest, note, due_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', 0, $5, $5, 0, $11, $12)",
    )
    .bind(id)
    .bind(seq)
    .bind(channel)
    .bind(kind)
    .bind(now)
    .bind(ticket)
    .bind(category)
    .bind(clean(&community, DETAIL_CHARS))
    .bind(clean(&building, DETAIL_CHARS))
    .bind(clean(&detail, DETAIL_CHARS))
    .bind(review.map(|(note, _)| note.to_owned()))
    .bind(review.map(|(_, due)| due))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Store {
    /// A report's tasks, oldest first.
    pub async fn tasks_of_report(&self, ticket: &str) -> Result<Vec<Task>> {
        let sql = format!(
            "SELECT {TASK_COLUMNS} FROM dispatch_tasks t JOIN reports r ON r.id = t.report_id \
             WHERE r.ticket = $1 ORDER BY t.dispatched_at, t.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(ticket)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(|r| Ok(Task::from_row(r)?)).collect()
    }

    /// A unit's tasks: live ones first, the earliest due on top; then the rest, newest first.
    pub async fn tasks_of_unit(&self, unit: &str, limit: i64) -> Result<Vec<Task>> {
        let sql = format!(
            "SELECT {TASK_COLUMNS} FROM dispatch_tasks t JOIN reports r ON r.id = t.report_id \
             WHERE t.unit = $1 ORDER BY CASE WHEN t.state IN ('open', 'answered') THEN 0 ELSE 1 END, \
             CASE WHEN t.state IN ('open', 'answered') THEN t.due_at ELSE -t.dispatched_at END, t.id \
             LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(unit)
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(|r| Ok(Task::from_row(r)?)).collect()
    }

    /// One task, with its report's place.
    pub async fn task(&self, id: &str) -> Result<Option<Task>> {
        let sql = format!(
            "SELECT {TASK_COLUMNS} FROM dispatch_tasks t JOIN reports r ON r.id = t.report_id \
             WHERE t.id = $1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| Ok(Task::from_row(&r)?)).transpose()
    }
}
