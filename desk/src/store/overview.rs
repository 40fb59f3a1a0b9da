//! The admin overview's figures: satisfaction, counts per state, overdue reports.

use super::rows::StateCode;
use super::{Deadlines, Result, Store};
use sqlx::FromRow;
use xinjing_contract::TicketStatus;

/// Residents' verdicts on one group (their latest verdict per report).
#[derive(Clone, Debug, Default, PartialEq, FromRow)]
pub struct Satisfaction {
    #[sqlx(rename = "k")]
    pub key: String,
    #[sqlx(rename = "yes")]
    pub satisfied: i64,
    #[sqlx(rename = "n")]
    pub answered: i64,
}

impl Satisfaction {
    /// Per cent satisfied, if anyone answered.
    pub fn rate(&self) -> Option<f64> {
        (self.answered > 0).then(|| 100.0 * self.satisfied as f64 / self.answered as f64)
    }
}

/// One community's reports by state, and how many open ones are overdue.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CommunityCounts {
    pub community: String,
    pub by_status: Vec<(TicketStatus, i64)>,
    pub overdue: i64,
}

/// How many reports of a community are in a state.
#[derive(FromRow)]
struct InState {
    community: String,
    #[sqlx(try_from = "StateCode")]
    status: TicketStatus,
    n: i64,
}

/// How many of a community's reports are overdue.
#[derive(FromRow)]
struct Overdue {
    community: String,
    n: i64,
}

#[derive(Clone, Copy, Debug)]
pub enum GroupBy {
    Community,
    Category,
}

impl Store {
    pub async fn satisfaction(&self, by: GroupBy) -> Result<Vec<Satisfaction>> {
        let column = match by {
            GroupBy::Community => "r.community",
            GroupBy::Category => "r.category",
        };
        let sql = format!(
            "SELECT {column} AS k, SUM(CASE WHEN e.satisfied = 1 THEN 1 ELSE 0 END) AS yes, COUNT(*) AS n \
             FROM report_events e JOIN reports r ON r.id = e.report_id \
             WHERE e.kind = 'feedback' AND e.seq = (SELECT MAX(f.seq) FROM report_events f \
             WHERE f.report_id = e.report_id AND f.kind = 'feedback') \
             GROUP BY {column} ORDER BY {column}"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| Ok(Satisfaction::from_row(r)?))
            .collect()
    }

    pub async fn community_counts(&self, deadlines: Deadlines) -> Result<Vec<CommunityCounts>> {
        let rows = sqlx::query(
            "SELECT community, status, COUNT(*) AS n FROM reports GROUP BY community, status ORDER BY community",
        )
        .fetch_all(&self.read)
        .await?;
        let mut out: Vec<CommunityCounts> = Vec::new();
        for row in rows {
            let InState {
                community,
                status,
                n,
            } = InState::from_row(&row)?;
            if out.last().is_none_or(|c| c.community != community) {
                out.push(CommunityCounts {
                    community: community.clone(),
                    by_status: TicketStatus::ALL.iter().map(|s| (*s, 0)).collect(),
                    overdue: 0,
                });
            }
            if let Some(last) = out.last_mut() {
                if let Some(slot) = last.by_status.iter_mut().find(|(s, _)| *s == status) {
                    slot.1 += n;
                }
            }
        }
        let overdue = sqlx::query(
            "SELECT community, COUNT(*) AS n FROM reports WHERE closed_at IS NULL AND \
             ((status = 'received' AND COALESCE(reopened_at, received_at) < $1) \
             OR COALESCE(reopened_at, received_at) < $2) GROUP BY community",
        )
        .bind(deadlines.respond_before)
        .bind(deadlines.resolve_before)
        .fetch_all(&self.read)
        .await?;
        for row in overdue {
            let Overdue { community, n } = Overdue::from_row(&row)?;
            if let Some(c) = out.iter_mut().find(|c| c.community == community) {
                c.overdue = n;
            }
        }
        Ok(out)
    }
}
