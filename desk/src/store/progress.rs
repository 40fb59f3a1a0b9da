//! What a resident may read of the tasks their report was dispatched as: for each, the
//! history event that dispatched it, the kind of unit (looked up in the configuration by
//! the caller), its due time, the event its passed review made, and its after-photo only
//! when staff chose to show it. Never a person's name, the instruction or the unit's notes.

use super::{Result, Store};
use sqlx::FromRow;

#[derive(Clone, Debug, PartialEq, FromRow)]
pub struct TaskProgress {
    /// The report's history event that dispatched the task.
    pub seq: i64,
    pub unit: String,
    pub due_at: i64,
    /// The report's history event of the task's passed review.
    pub passed_seq: Option<i64>,
    /// The after-photo's object key, when staff made it public.
    pub public_photo: Option<String>,
}

impl Store {
    /// The tasks of report `id`, oldest first.
    pub async fn task_progress(&self, id: &str) -> Result<Vec<TaskProgress>> {
        let rows = sqlx::query(
            "SELECT seq, unit, due_at, passed_seq, \
             CASE WHEN photo_public = 1 AND state = 'passed' THEN photo_key END AS public_photo \
             FROM dispatch_tasks WHERE report_id = $1 ORDER BY seq, id",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| Ok(TaskProgress::from_row(r)?))
            .collect()
    }
}
