//! The rows the town's figures are computed from (`crate::stats`): one per report, with the
//! residents' answers counted from its history.

use super::resolution::resolution_from;
use super::rows::StateCode;
use super::{Result, Store};
use crate::stats::ReportFacts;
use sqlx::FromRow;
use xinjing_contract::TicketStatus;

#[derive(FromRow)]
pub(super) struct FactsRow {
    community: String,
    category: String,
    building: String,
    received_at: i64,
    #[sqlx(try_from = "StateCode")]
    status: TicketStatus,
    first_response_at: Option<i64>,
    closed_at: Option<i64>,
    resolved_at: Option<i64>,
    reopened_at: Option<i64>,
    reopen_count: i64,
    resolution: Option<String>,
    satisfied_answers: i64,
    answers: i64,
}

/// Reports with their answers counted; the caller adds `WHERE …` and `GROUP BY r.id`.
pub(super) const FACTS_SELECT: &str = "SELECT r.id, r.community, r.category, r.building, \
     r.received_at, r.status, r.first_response_at, r.closed_at, r.resolved_at, r.reopened_at, \
     r.reopen_count, r.resolution, \
     CAST(COALESCE(SUM(CASE WHEN e.satisfied = 1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS satisfied_answers, \
     CAST(COUNT(e.seq) AS BIGINT) AS answers \
     FROM reports r LEFT JOIN report_events e ON e.report_id = r.id AND e.kind = 'feedback'";

pub(super) fn facts_from(r: FactsRow) -> Result<ReportFacts> {
    Ok(ReportFacts {
        community: r.community,
        category: r.category,
        building: r.building,
        received_at: r.received_at,
        status: r.status,
        first_response_at: r.first_response_at,
        closed_at: r.closed_at,
        resolved_at: r.resolved_at,
        reopened_at: r.reopened_at,
        reopen_count: r.reopen_count,
        resolution: resolution_from(r.resolution)?,
        satisfied_answers: r.satisfied_answers,
        answers: r.answers,
    })
}

impl Store {
    /// Every report of `communities` (all when `None`), as the figures read it: the raw
    /// rows the precomputed figures are checked against.
    pub async fn report_facts(&self, communities: Option<&[String]>) -> Result<Vec<ReportFacts>> {
        let sql = format!(
            "{FACTS_SELECT} GROUP BY r.id, r.community, r.category, r.building, r.received_at, \
             r.status, r.first_response_at, r.closed_at, r.resolved_at, r.reopened_at, \
             r.reopen_count, r.resolution ORDER BY r.received_at, r.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.read)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let r = facts_from(FactsRow::from_row(row)?)?;
            if communities.is_some_and(|c| !c.contains(&r.community)) {
                continue;
            }
            out.push(r);
        }
        Ok(out)
    }
}
