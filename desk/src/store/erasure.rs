//! Erasure after the retention period: which reports are due, and deleting their contact
//! details, everything residents and staff typed about them, and their photos' records.

use super::{Result, Store};

/// A report whose personal data is due for deletion, with its photos' object keys.
#[derive(Clone, Debug, PartialEq)]
pub struct DueForErasure {
    pub id: String,
    pub photo_keys: Vec<String>,
}

/// Which reports are due: closed before one time, or received before another (the maximum
/// age of a report never closed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Due {
    pub closed_before: i64,
    pub received_before: i64,
}

/// The condition on `reports` for [`Due`], with its two times bound as `$1` and `$2`.
const DUE: &str = "erased_at IS NULL AND \
     ((closed_at IS NOT NULL AND closed_at < $1) OR received_at < $2)";

impl Store {
    /// Reports whose personal data is due for deletion.
    pub async fn due_for_erasure(&self, due: Due, limit: i64) -> Result<Vec<DueForErasure>> {
        let ids: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM reports WHERE {DUE} ORDER BY received_at LIMIT $3"
        )))
        .bind(due.closed_before)
        .bind(due.received_before)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let photo_keys = self.photo_keys(&id).await?;
            out.push(DueForErasure { id, photo_keys });
        }
        Ok(out)
    }

    /// The object keys of a report's photos that are still kept.
    /// (The resident's, then the units' after-photos.)
    pub async fn photo_keys(&self, id: &str) -> Result<Vec<String>> {
        let mut keys: Vec<String> = sqlx::query_scalar(
            "SELECT object_key FROM report_photos WHERE report_id = $1 AND erased_at IS NULL ORDER BY position",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        let after: Vec<String> = sqlx::query_scalar(
            "SELECT photo_key FROM dispatch_tasks WHERE report_id = $1 AND photo_key IS NOT NULL \
             ORDER BY dispatched_at, id",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        keys.extend(after);
        Ok(keys)
    }

    /// Deletes a due report's contact details and free text (description, place detail,
    /// notes, residents' comments, its notification rows) and marks its photos deleted (the
    /// caller then removes the objects). The ticket, place and history of states stay.
    /// `false` if it was reopened or erased meanwhile.
    pub async fn erase_personal_data(&self, id: &str, due: Due, now: i64) -> Result<bool> {
        let mut tx = self.begin().await?;
        let updated = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE reports SET contact_name = NULL, contact_phone = NULL, description = '', \
             detail = '', public_note = NULL, erased_at = $4 WHERE id = $3 AND {DUE}"
        )))
        .bind(due.closed_before)
        .bind(due.received_before)
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE report_photos SET erased_at = $2 WHERE report_id = $1 AND erased_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for erase in [
            "UPDATE report_events SET public_note = NULL, internal_note = NULL, comment = NULL \
             WHERE report_id = $1",
            "UPDATE notify_outbox SET detail = '', last_error = NULL WHERE report_id = $1",
            // The units' notes may name people too; their after-photos go with the rest.
            "UPDATE dispatch_tasks SET answer_note = NULL, extension_reason = NULL, \
             photo_key = NULL WHERE report_id = $1",
        ] {
            sqlx::query(erase).bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}
