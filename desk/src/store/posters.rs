//! What the posters need from the reports: the areas and buildings residents have named
//! in reports that staff took up (a first response), so a name nobody confirmed is never
//! printed.

use super::{Result, Store};

impl Store {
    /// Every area named in a report.
    pub async fn communities_seen(&self) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT community FROM reports WHERE first_response_at IS NOT NULL \
                 ORDER BY community",
        )
        .fetch_all(&self.read)
        .await?)
    }

    /// The buildings named in the reports of `community`.
    pub async fn buildings_seen(&self, community: &str) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT building FROM reports WHERE community = $1 AND building <> '' \
             AND first_response_at IS NOT NULL",
        )
        .bind(community)
        .fetch_all(&self.read)
        .await?)
    }
}
