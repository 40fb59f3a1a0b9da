//! The rows of the rectification and relapse figures (`crate::stats::rectification`):
//! tasks that ended in a period and 回头看 checks made in it, with their report's category.

use super::stats_daily::{bind_communities, in_communities};
use super::{Result, Store};
use crate::stats::rectification::{RecheckFacts, TaskFacts};
use crate::stats::Period;
use sqlx::{AssertSqlSafe, Row};

impl Store {
    /// Tasks ended and checks made in `period`, on reports of `communities` (all: `None`).
    pub async fn rectification_facts(
        &self,
        communities: Option<&[String]>,
        period: Period,
    ) -> Result<(Vec<TaskFacts>, Vec<RecheckFacts>)> {
        let filter = in_communities(communities, 3);
        let sql = format!(
            "SELECT t.unit, r.category, t.state, t.answered_at, t.due_at FROM dispatch_tasks t \
             JOIN reports r ON r.id = t.report_id \
             WHERE t.closed_at >= $1 AND t.closed_at < $2{filter}"
        );
        let q = sqlx::query(AssertSqlSafe(sql))
            .bind(period.start_ms())
            .bind(period.end_ms());
        let mut tasks = Vec::new();
        for row in bind_communities(q, communities)
            .fetch_all(&self.read)
            .await?
        {
            let state: String = row.try_get("state")?;
            tasks.push(TaskFacts {
                unit: row.try_get("unit")?,
                category: row.try_get("category")?,
                passed: state == "passed",
                answered_at: row.try_get("answered_at")?,
                due_at: row.try_get("due_at")?,
            });
        }
        let sql = format!(
            "SELECT r.category, c.outcome FROM rechecks c JOIN reports r ON r.id = c.report_id \
             WHERE c.checked_at >= $1 AND c.checked_at < $2{filter}"
        );
        let q = sqlx::query(AssertSqlSafe(sql))
            .bind(period.start_ms())
            .bind(period.end_ms());
        let mut checks = Vec::new();
        for row in bind_communities(q, communities)
            .fetch_all(&self.read)
            .await?
        {
            let outcome: String = row.try_get("outcome")?;
            checks.push(RecheckFacts {
                category: row.try_get("category")?,
                relapse: outcome == "relapse",
            });
        }
        Ok((tasks, checks))
    }
}
