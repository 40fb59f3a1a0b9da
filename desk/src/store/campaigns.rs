//! The campaigns the desk serves as the widget's feed: seeded once from the bundled feed,
//! then edited by admins. Entries are stored as the JSON the feed serves, already checked.

use super::rows::JsonText;
use super::{Result, Store};
use serde_json::Value;
use sqlx::FromRow;

#[derive(Clone, Debug, PartialEq, FromRow)]
pub struct CampaignRow {
    pub id: String,
    #[sqlx(try_from = "JsonText")]
    pub entry: Value,
    pub ended_at: Option<i64>,
    pub updated_at: i64,
    pub updated_by: String,
}

/// The outcome of a change. Every change is written to the audit log (actions
/// `campaign_create`, `campaign_edit`, `campaign_end`, `campaign_restore`; the detail is the
/// campaign's id) in the same transaction.
#[derive(Debug, PartialEq)]
pub enum CampaignChange {
    Done,
    /// Creating an id that exists already.
    Exists,
    /// Editing or ending an id that does not exist.
    Unknown,
}

impl Store {
    /// Seeds the campaigns from `feed` (the bundled `campaigns.json`) the first time only;
    /// `true` when it did. Several desks starting at once seed once: the `campaign_feed`
    /// row is claimed first.
    pub async fn seed_campaigns(&self, entries: &[Value], now: i64) -> Result<bool> {
        let mut tx = self.begin().await?;
        let claimed = sqlx::query(
            "INSERT INTO campaign_feed (id, seeded_at, updated_at) VALUES (1, $1, $1) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 0 {
            return Ok(false);
        }
        for (position, entry) in entries.iter().enumerate() {
            let Some(id) = entry.get("id").and_then(Value::as_str) else {
                continue;
            };
            sqlx::query(
                "INSERT INTO campaigns (id, position, entry, updated_at, updated_by) \
                 VALUES ($1, $2, $3, $4, 'seed') ON CONFLICT (id) DO NOTHING",
            )
            .bind(id)
            .bind(position as i64)
            .bind(entry.to_string())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Every campaign, ended ones included, in feed order.
    pub async fn campaigns(&self) -> Result<Vec<CampaignRow>> {
        let rows = sqlx::query(
            "SELECT id, entry, ended_at, updated_at, updated_by FROM campaigns \
             ORDER BY position, id",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| Ok(CampaignRow::from_row(r)?)).collect()
    }

    pub async fn campaign(&self, id: &str) -> Result<Option<CampaignRow>> {
        let row = sqlx::query(
            "SELECT id, entry, ended_at, updated_at, updated_by FROM campaigns WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(CampaignRow::from_row).transpose()?)
    }

    /// When the feed last changed (ms), if it was ever seeded.
    pub async fn campaigns_updated_at(&self) -> Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT updated_at FROM campaign_feed WHERE id = 1")
                .fetch_optional(&self.read)
                .await?,
        )
    }

    /// Adds a checked campaign at the end of the feed.
    pub async fn create_campaign(
        &self,
        entry: &Value,
        by: &str,
        now: i64,
    ) -> Result<CampaignChange> {
        let Some(id) = entry.get("id").and_then(Value::as_str) else {
            return Ok(CampaignChange::Unknown);
        };
        let mut tx = self.begin().await?;
        let position: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(position), -1) + 1 FROM campaigns")
                .fetch_one(&mut *tx)
                .await?;
        let inserted = sqlx::query(
            "INSERT INTO campaigns (id, position, entry, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(position)
        .bind(entry.to_string())
        .bind(now)
        .bind(by)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Ok(CampaignChange::Exists);
        }
        touch(&mut tx, "campaign_create", id, by, now).await?;
        tx.commit().await?;
        Ok(CampaignChange::Done)
    }

    /// Replaces a campaign's entry (its id stays).
    pub async fn update_campaign(
        &self,
        id: &str,
        entry: &Value,
        by: &str,
        now: i64,
    ) -> Result<CampaignChange> {
        let mut tx = self.begin().await?;
        let updated = sqlx::query(
            "UPDATE campaigns SET entry = $2, updated_at = $3, updated_by = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(entry.to_string())
        .bind(now)
        .bind(by)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            return Ok(CampaignChange::Unknown);
        }
        touch(&mut tx, "campaign_edit", id, by, now).await?;
        tx.commit().await?;
        Ok(CampaignChange::Done)
    }

    /// Ends a campaign (it leaves the feed) or, with `ended = false`, puts it back.
    pub async fn end_campaign(
        &self,
        id: &str,
        ended: bool,
        by: &str,
        now: i64,
    ) -> Result<CampaignChange> {
        let mut tx = self.begin().await?;
        let updated = sqlx::query(
            "UPDATE campaigns SET ended_at = $2, updated_at = $3, updated_by = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(ended.then_some(now))
        .bind(now)
        .bind(by)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            return Ok(CampaignChange::Unknown);
        }
        let action = if ended {
            "campaign_end"
        } else {
            "campaign_restore"
        };
        touch(&mut tx, action, id, by, now).await?;
        tx.commit().await?;
        Ok(CampaignChange::Done)
    }
}

/// Marks the feed changed and writes the audit entry, in the change's own transaction.
async fn touch(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    action: &str,
    id: &str,
    by: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor, action, ticket, detail) \
         VALUES ($1, $2, $3, $4, NULL, $5)",
    )
    .bind(crate::ids::random_uuid())
    .bind(now)
    .bind(by)
    .bind(action)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO campaign_feed (id, seeded_at, updated_at) VALUES (1, $1, $1) \
         ON CONFLICT (id) DO UPDATE SET updated_at = $1",
    )
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
