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

/// Tasks looked at per pass.
const BATCH: i64 = 500;

impl Store {
    /// Open tasks at or past three quarters of their time whose last step is not recorded.
    pub async fn climbing(&self, now: i64) -> Result<Vec<Climbing>> {
        let rows = sqlx::query(
            "SELECT t.id, t.unit, r.community, t.window_from, t.due_at, t.reminded_at, \
             t.overdue_at, t.town_at FROM dispatch_tasks t JOIN reports r ON r.id = t.report_id \
             WHERE t.state = 'open' AND t.town_at IS NULL \
             AND $1 >= t.window_from + (t.due_at - t.window_from) * 3 / 4 \
             ORDER BY t.due_at, t.id LIMIT $2",
        )
        .bind(now)
        .bind(BATCH)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| Ok(Climbing::from_row(r)?)).collect()
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
        let ticket: Option<String> = sqlx::query_scalar(
            "SELECT r.ticket FROM dispatch_tasks t JOIN reports r ON r.id = t.report_id WHERE t.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        let Some(ticket) = ticket else {
            return Ok(false);
        };
        let mut tx = self.begin().await?;
        let Some((report, seq)) = self.next_event(&mut tx, &ticket, None).await? else {
            return Ok(false);
        };
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
        let claimed = sqlx::query(sql)
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
            outbox_row(&mut tx, &report, seq, channel, step.code(), now).await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}
