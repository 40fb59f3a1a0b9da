//! What happens to a task after its dispatch: the unit's answer (done with an after-photo,
//! given back, more time asked once), the staff's decision on more time, and a failed
//! review (a passed one resolves the report: `Change::ReviewPass`).
//! Each is one transaction holding the task's new state, an internal history event on its
//! report (residents never see it) and the audit line; a change that no longer fits the
//! task's state (two phones, a page left open) records nothing.

use super::events::{audit_on, insert_event};
use super::tasks::outbox_row_with;
use super::{Result, Store};

/// A change to a task.
#[derive(Clone, Debug, PartialEq)]
pub enum TaskChange {
    /// The unit fixed it: what it did, and the after-photo's object key.
    Done { note: String, photo_key: String },
    /// 退单: not the unit's, or it cannot: back to the committee.
    Return { reason: String },
    /// 延期: once per task, until a later time.
    AskMoreTime { reason: String, until: i64 },
    /// Staff grant the time asked (the due time moves) or refuse it.
    DecideMoreTime { grant: bool },
    /// Review failed: back to the unit with the reason and a new due time; its robot, if
    /// it has one, hears of it once.
    Fail {
        reason: String,
        due_at: i64,
        robot: Option<String>,
    },
    /// Staff share the resident's contact with the unit, for this task only.
    ShareContact,
}

impl TaskChange {
    /// The audit log's name for it.
    pub fn action(&self) -> &'static str {
        match self {
            TaskChange::Done { .. } => "task_done",
            TaskChange::Return { .. } => "task_return",
            TaskChange::AskMoreTime { .. } => "task_more_time",
            TaskChange::DecideMoreTime { grant: true } => "task_more_time_granted",
            TaskChange::DecideMoreTime { grant: false } => "task_more_time_refused",
            TaskChange::Fail { .. } => "review_fail",
            TaskChange::ShareContact => "task_share_contact",
        }
    }

    /// The update, guarded by the state it needs; its parameters after `$1` (the task's id)
    /// and `$2` (now).
    fn update(&self) -> (&'static str, Vec<Param>) {
        use Param::{Int, Text};
        match self {
            TaskChange::Done { note, photo_key } => (
                "UPDATE dispatch_tasks SET state = 'answered', answered_at = $2, answer_note = $3, \
                 photo_key = $4 WHERE id = $1 AND state = 'open'",
                vec![Text(note.clone()), Text(photo_key.clone())],
            ),
            TaskChange::Return { reason } => (
                "UPDATE dispatch_tasks SET state = 'returned', answered_at = $2, answer_note = $3, \
                 closed_at = $2 WHERE id = $1 AND state = 'open'",
                vec![Text(reason.clone())],
            ),
            TaskChange::AskMoreTime { reason, until } => (
                "UPDATE dispatch_tasks SET extension_state = 'asked', extension_reason = $3, \
                 extension_until = $4 WHERE id = $1 AND state = 'open' AND extension_state IS NULL \
                 AND $4 > due_at",
                vec![Text(reason.clone()), Int(*until)],
            ),
            TaskChange::DecideMoreTime { grant: true } => (
                // A new deadline: the escalation ladder starts again from here.
                "UPDATE dispatch_tasks SET extension_state = 'granted', due_at = extension_until, \
                 window_from = $2, reminded_at = NULL, overdue_at = NULL, town_at = NULL \
                 WHERE id = $1 AND state = 'open' AND extension_state = 'asked'",
                vec![],
            ),
            TaskChange::DecideMoreTime { grant: false } => (
                "UPDATE dispatch_tasks SET extension_state = 'refused' \
                 WHERE id = $1 AND state = 'open' AND extension_state = 'asked'",
                vec![],
            ),
            TaskChange::Fail { reason, due_at, .. } => (
                "UPDATE dispatch_tasks SET state = 'open', reviewed_at = $2, review_note = $3, \
                 due_at = $4, window_from = $2, reminded_at = NULL, overdue_at = NULL, town_at = NULL \
                 WHERE id = $1 AND state = 'answered'",
                vec![Text(reason.clone()), Int(*due_at)],
            ),
            TaskChange::ShareContact => (
                "UPDATE dispatch_tasks SET contact_shared_at = $2, contact_shared_by = $3 \
                 WHERE id = $1 AND state IN ('open', 'answered') AND contact_shared_at IS NULL",
                vec![],
            ),
        }
    }

    /// The internal note of the report's history event.
    fn note(&self) -> String {
        match self {
            TaskChange::Done { note, .. } => format!("单位答复已整改：{note}"),
            TaskChange::Return { reason } => format!("单位退单：{reason}"),
            TaskChange::AskMoreTime { reason, .. } => format!("单位申请延期：{reason}"),
            TaskChange::DecideMoreTime { grant: true } => "批准延期".to_owned(),
            TaskChange::DecideMoreTime { grant: false } => "不批准延期".to_owned(),
            TaskChange::Fail { reason, .. } => format!("复查未通过，退回单位：{reason}"),
            TaskChange::ShareContact => "已与处置单位共享居民联系方式（本任务）".to_owned(),
        }
    }
}

enum Param {
    Text(String),
    Int(i64),
}

/// What became of a task change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskApplied {
    Done,
    /// No such task.
    Unknown,
    /// Not from the task's state as it is now: nothing recorded.
    NotNow,
}

impl Store {
    /// Applies a change to task `id` and records it on its report, if it fits now.
    pub async fn task_change(
        &self,
        id: &str,
        change: &TaskChange,
        actor: &str,
        now: i64,
    ) -> Result<TaskApplied> {
        let Some(ticket) = self.task_ticket(id).await? else {
            return Ok(TaskApplied::Unknown);
        };
        let mut tx = self.begin().await?;
        // The report locked (PostgreSQL) or the writer held (SQLite): its events stay in order.
        let Some((report, seq)) = self.next_event(&mut tx, &ticket, None).await? else {
            return Ok(TaskApplied::Unknown);
        };
        let (sql, mut params) = change.update();
        if *change == TaskChange::ShareContact {
            params.push(Param::Text(actor.to_owned()));
        }
        let mut query = sqlx::query(sql).bind(id).bind(now);
        for param in params {
            query = match param {
                Param::Text(text) => query.bind(text),
                Param::Int(n) => query.bind(n),
            };
        }
        if query.execute(&mut *tx).await?.rows_affected() != 1 {
            return Ok(TaskApplied::NotNow);
        }
        let note = change.note();
        let event = (Some(note.as_str()), actor);
        insert_event(
            &mut tx, &report, seq, now, "task", None, None, event.0, event.1,
        )
        .await?;
        if let TaskChange::Fail {
            reason,
            due_at,
            robot: Some(channel),
        } = change
        {
            let review = Some((reason.as_str(), *due_at));
            outbox_row_with(&mut tx, &report, seq, channel, "review_fail", now, review).await?;
        }
        audit_on(
            &mut tx,
            actor,
            change.action(),
            Some(&ticket),
            Some(id),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(TaskApplied::Done)
    }

    /// The object key of a task's after-photo, if it has one.
    pub async fn task_photo(&self, id: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar::<_, Option<String>>(
            "SELECT photo_key FROM dispatch_tasks WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?
        .flatten())
    }
}
