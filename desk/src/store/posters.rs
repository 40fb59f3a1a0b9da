//! What the posters need from the reports: the areas and buildings residents have named.

use super::{Result, Store};

impl Store {
    /// Every area named in a report.
    pub async fn communities_seen(&self) -> Result<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT DISTINCT community FROM reports ORDER BY community")
                .fetch_all(&self.read)
                .await?,
        )
    }

    /// The buildings named in the reports of `community`.
    pub async fn buildings_seen(&self, community: &str) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT building FROM reports WHERE community = $1 AND building <> ''",
        )
        .bind(community)
        .fetch_all(&self.read)
        .await?)
    }
}
