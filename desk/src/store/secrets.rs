//! Keys the desk makes for itself and keeps with its data (`desk_secrets`).

use super::{Result, Store};

impl Store {
    /// The key photos are named with ([`crate::photos::PhotoNames`]): made at the first
    /// start, the same for every desk on the database from then on.
    pub async fn photo_names_key(&self) -> Result<Vec<u8>> {
        let made = crate::ids::random_secret();
        sqlx::query(
            "INSERT INTO desk_secrets (name, value) VALUES ('photo_names', $1) ON CONFLICT (name) DO NOTHING",
        )
        .bind(&made)
        .execute(&self.write)
        .await?;
        let kept: String =
            sqlx::query_scalar("SELECT value FROM desk_secrets WHERE name = 'photo_names'")
                .fetch_one(&self.write)
                .await?;
        Ok(kept.into_bytes())
    }

    /// Which of `keys` a kept (not erased) photo row or a dispatched task's after-photo
    /// names.
    pub async fn kept_photo_objects(&self, keys: &[String]) -> Result<Vec<String>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=keys.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT object_key FROM report_photos WHERE erased_at IS NULL AND object_key IN ({0}) \
             UNION SELECT photo_key FROM dispatch_tasks WHERE photo_key IN ({0})",
            marks.join(", ")
        );
        // Only numbered placeholders are formatted in; the keys are bound.
        let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
        for key in keys {
            query = query.bind(key);
        }
        Ok(query.fetch_all(&self.read).await?)
    }
}
