//! Erasure after the retention period: which closed reports are due, and deleting their
//! contact details and photos' records.

use super::{Result, Store};

/// A report whose personal data is due for deletion, with its photos' object keys.
#[derive(Clone, Debug, PartialEq)]
pub struct DueForErasure {
    pub id: String,
    pub photo_keys: Vec<String>,
}

impl Store {
    /// Closed reports whose personal data is due for deletion.
    pub async fn due_for_erasure(
        &self,
        closed_before: i64,
        limit: i64,
    ) -> Result<Vec<DueForErasure>> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM reports WHERE closed_at IS NOT NULL AND closed_at < $1 AND erased_at IS NULL \
             ORDER BY closed_at LIMIT $2",
        )
        .bind(closed_before)
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
    pub async fn photo_keys(&self, id: &str) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT object_key FROM report_photos WHERE report_id = $1 AND erased_at IS NULL ORDER BY position",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?)
    }

    /// Deletes a closed report's contact details and marks its photos deleted (the caller
    /// then removes the objects). `false` if it was reopened or erased meanwhile.
    pub async fn erase_personal_data(
        &self,
        id: &str,
        closed_before: i64,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let updated = sqlx::query(
            "UPDATE reports SET contact_name = NULL, contact_phone = NULL, erased_at = $2 \
             WHERE id = $1 AND closed_at IS NOT NULL AND closed_at < $3 AND erased_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .bind(closed_before)
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
        tx.commit().await?;
        Ok(true)
    }
}
