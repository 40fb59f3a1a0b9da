//! The escalation ladder's rows: open tasks whose time is running on, and each step
//! recorded once. A step is claimed by setting its column in the transaction that writes
//! its history event and its outbox rows, so two desks, or a desk restarted, never send
//! one twice.

use super::events::insert_event;
use super::tasks::outbox_row;
use super::{Result, Store};
use crate::units::due::Step;
use sqlx::FromRow;

/// An open task some step of whose ladder may be due.
#[derive(Clone, Debug, PartialEq, FromRow)]
pub struct Climbing {
    pub id: String,
    pub unit: String,
    pub community: String,
    pub window_from: i64,
    pub due_at: i64,
    pub reminded_at: Option<i64>,
    pub overdue_at: Option<i64>,
    pub town_at: Option<i64>,
}

impl Climbing {
    /// Whether `step` was recorded already.
    pub fn done(&self, step: Step) -> bool {
        match step {
            Step::Reminder => self.reminded_at.is_some(),
            Step::Committee => self.overdue_at.is_some(),
            Step::Town => self.town_at.is_some(),
        }
    }
}

/// A task given back (退单) whose report the committee has not acted on since: no task
/// dispatched after it, not closed, not reopened after it came back.
#[derive(Clone, Debug, PartialEq, FromRow)]
pub struct Returned {
    pub id: String,
    pub community: String,
    pub returned_at: i64,
    pub return_overdue_at: Option<i64>,
    pub return_town_at: Option<i64>,
}

impl Returned {
    /// Whether `step` was recorded already.
    pub fn done(&self, step: Step) -> bool {
        match step {
            Step::Reminder => true,
            Step::Committee => self.return_overdue_at.is_some(),
            Step::Town => self.return_town_at.is_some(),
        }
    }
}

/// The condition, on a task `t` joined to its report `r`, of a task given back and not yet
/// acted on (a macro, so the problem list's query can `concat!` it too).
macro_rules! waiting_for_committee {
    () => {
        "t.state = 'returned' AND r.closed_at IS NULL \
         AND (r.reopened_at IS NULL OR r.reopened_at < t.closed_at) \
         AND NOT EXISTS (SELECT 1 FROM dispatch_tasks l \
         WHERE l.report_id = t.report_id AND l.seq > t.seq)"
    };
}
pub(crate) use waiting_for_committee;

/// Tasks looked at per pass.
const BATCH: i64 = 500;

impl Store {
    /// Open tasks at or past three quarters of their time whose last step is not recorded.
    pub async fn climbing(&self, now: i64) -> Result<Vec<Climbing>> {
        let rows = sqlx::query(
            "SELECT t.id, t.unit, r.community, t.window_from, t.due_at, t.reminded_at, \
             t.overdue_at, t.town_at FROM dispatch_tasks t JOIN reports r ON r.id = t.report_id \
             WHERE t.state = 'open' AND t.town_at IS NULL AND r.closed_at IS NULL \
             AND $1 >= t.window_from + (t.due_at - t.window_from) * 3 / 4 \
             ORDER BY t.due_at, t.id LIMIT $2",
        )
        .bind(now)
        .bind(BATCH)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| Ok(Climbing::from_row(r)?)).collect()
    }

    /// Tasks given back at least `after_ms` ago whose committee has not acted, and whose
    /// last step is not recorded.
    pub async fn returned_waiting(&self, now: i64, after_ms: i64) -> Result<Vec<Returned>> {
        let sql = concat!(
            "SELECT t.id, r.community, t.closed_at AS returned_at, t.return_overdue_at, \
             t.return_town_at FROM dispatch_tasks t JOIN reports r ON r.id = t.report_id WHERE ",
            waiting_for_committee!(),
            " AND t.return_town_at IS NULL AND $1 >= t.closed_at + $2 \
             ORDER BY t.closed_at, t.id LIMIT $3"
        );
        let rows = sqlx::query(sql)
            .bind(now)
            .bind(after_ms)
            .bind(BATCH)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(|r| Ok(Returned::from_row(r)?)).collect()
    }

    /// Records `step` of the committee's time on task `id`, given back, as [`Store::escalate`]
    /// does the unit's; `false` if recorded already or acted on meanwhile.
    pub async fn escalate_returned(
        &self,
        id: &str,
        step: Step,
        channels: &[String],
        note: &str,
        now: i64,
    ) -> Result<bool> {
        let (sql, kind) = match step {
            Step::Reminder => return Ok(false),
            Step::Committee => (
                "UPDATE dispatch_tasks SET return_overdue_at = $2 \
                 WHERE id = $1 AND state = 'returned' AND return_overdue_at IS NULL \
                 AND NOT EXISTS (SELECT 1 FROM dispatch_tasks l \
                 WHERE l.report_id = dispatch_tasks.report_id AND l.seq > dispatch_tasks.seq) \
                 AND EXISTS (SELECT 1 FROM reports r \
                 WHERE r.id = dispatch_tasks.report_id AND r.closed_at IS NULL)",
                "returned_overdue",
            ),
            Step::Town => (
                "UPDATE dispatch_tasks SET return_town_at = $2, \
                 return_overdue_at = COALESCE(return_overdue_at, $2) \
                 WHERE id = $1 AND state = 'returned' AND return_town_at IS NULL \
                 AND NOT EXISTS (SELECT 1 FROM dispatch_tasks l \
                 WHERE l.report_id = dispatch_tasks.report_id AND l.seq > dispatch_tasks.seq) \
                 AND EXISTS (SELECT 1 FROM reports r \
                 WHERE r.id = dispatch_tasks.report_id AND r.closed_at IS NULL)",
                "returned_town",
            ),
        };
        self.record_step(id, sql, kind, channels, note, now).await
    }

    /// Records `step` of task `id` (and the steps below it, which come too late now) with a
    /// message for each of `channels`; `false` if it was recorded already or the task is no
    /// longer open.
    pub async fn escalate(
        &self,
        id: &str,
        step: Step,
        channels: &[String],
        note: &str,
        now: i64,
    ) -> Result<bool> {
        let sql = match step {
            Step::Reminder => {
                "UPDATE dispatch_tasks SET reminded_at = $2 \
                 WHERE id = $1 AND state = 'open' AND reminded_at IS NULL"
            }
            Step::Committee => {
                "UPDATE dispatch_tasks SET overdue_at = $2, reminded_at = COALESCE(reminded_at, $2) \
                 WHERE id = $1 AND state = 'open' AND overdue_at IS NULL"
            }
            Step::Town => {
                "UPDATE dispatch_tasks SET town_at = $2, overdue_at = COALESCE(overdue_at, $2), \
                 reminded_at = COALESCE(reminded_at, $2) \
                 WHERE id = $1 AND state = 'open' AND town_at IS NULL"
            }
        };
        self.record_step(id, sql, step.code(), channels, note, now)
            .await
    }

    /// Claims a step with `claim` (`$1` the task, `$2` now; one row or none), and in the
    /// same transaction writes its history event and an outbox row of `kind` per channel.
    async fn record_step(
        &self,
        id: &str,
        claim: &'static str,
        kind: &str,
        channels: &[String],
        note: &str,
        now: i64,
    ) -> Result<bool> {
        let Some(ticket) = self.task_ticket(id).await? else {
            return Ok(false);
        };
        let mut tx = self.begin().await?;
        let Some((report, seq)) = self.next_event(&mut tx, &ticket, None).await? else {
            return Ok(false);
        };
        let claimed = sqlx::query(claim)
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        if claimed.rows_affected() != 1 {
            return Ok(false);
        }
        insert_event(
            &mut tx,
            &report,
            seq,
            now,
            "escalate",
            None,
            None,
            Some(note),
            "system",
        )
        .await?;
        for channel in channels {
            outbox_row(&mut tx, &report, seq, channel, kind, now).await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}
