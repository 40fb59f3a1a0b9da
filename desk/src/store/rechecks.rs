//! 回头看 (check again): resolved 飞线充电 and 电动车进楼道 reports come back on the
//! committee's list thirty days on, once. A check that finds the hazard again opens a new
//! report (复发) linked to the original, in the transaction that records the check.

use super::events::{audit_on, insert_event};
use super::{Result, Store};
use sqlx::FromRow;
use xinjing_contract::time::{rfc3339_shanghai, Date};

/// The categories that come back, and after how long.
pub const RECHECK_CATEGORIES: [&str; 2] = ["flying_line_charging", "ebike_in_stairwell"];
pub const RECHECK_AFTER_MS: i64 = 30 * 86_400_000;

/// A report due for its check.
#[derive(Clone, Debug, PartialEq, FromRow)]
pub struct RecheckDue {
    pub ticket: String,
    pub category: String,
    pub community: String,
    pub building: String,
    pub resolved_at: i64,
}

/// What the check found.
#[derive(Clone, Debug, PartialEq)]
pub enum Recheck {
    Fixed {
        note: Option<String>,
    },
    /// The hazard is back: a new report, with the committee's description.
    Relapse {
        note: String,
    },
}

/// What became of a check: the new report's ticket for a relapse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Checked {
    Done(Option<String>),
    /// Not due, checked already, or no such ticket: nothing recorded.
    NotNow,
}

impl Store {
    /// Reports due for their check at `now`, in `visible` communities (`None`: all).
    pub async fn rechecks_due(
        &self,
        now: i64,
        visible: Option<&[String]>,
    ) -> Result<Vec<RecheckDue>> {
        let rows = sqlx::query(
            "SELECT ticket, category, community, building, resolved_at FROM reports r \
             WHERE status = 'resolved' AND merged_into IS NULL AND category IN ($1, $2) \
             AND resolved_at <= $3 \
             AND NOT EXISTS (SELECT 1 FROM rechecks c WHERE c.report_id = r.id) \
             ORDER BY resolved_at, ticket LIMIT 500",
        )
        .bind(RECHECK_CATEGORIES[0])
        .bind(RECHECK_CATEGORIES[1])
        .bind(now - RECHECK_AFTER_MS)
        .fetch_all(&self.read)
        .await?;
        let due = rows
            .iter()
            .map(|r| Ok(RecheckDue::from_row(r)?))
            .collect::<Result<Vec<_>>>()?;
        Ok(due
            .into_iter()
            .filter(|d| visible.is_none_or(|v| v.contains(&d.community)))
            .collect())
    }

    /// Records the check of `ticket`, and for a relapse files the linked report.
    pub async fn recheck(
        &self,
        ticket: &str,
        check: &Recheck,
        actor: &str,
        now: i64,
    ) -> Result<Checked> {
        let mut tx = self.begin().await?;
        let Some((id, seq)) = self.next_event(&mut tx, ticket, None).await? else {
            return Ok(Checked::NotNow);
        };
        let (outcome, note) = match check {
            Recheck::Fixed { note } => ("fixed", note.clone()),
            Recheck::Relapse { note } => ("relapse", Some(note.clone())),
        };
        let recorded = sqlx::query(
            "INSERT INTO rechecks (report_id, checked_at, checked_by, outcome, note) \
             SELECT id, $2, $3, $4, $5 FROM reports WHERE id = $1 AND status = 'resolved' \
             AND category IN ($6, $7) AND resolved_at <= $8 ON CONFLICT DO NOTHING",
        )
        .bind(&id)
        .bind(now)
        .bind(actor)
        .bind(outcome)
        .bind(note.as_deref())
        .bind(RECHECK_CATEGORIES[0])
        .bind(RECHECK_CATEGORIES[1])
        .bind(now - RECHECK_AFTER_MS)
        .execute(&mut *tx)
        .await?;
        if recorded.rows_affected() != 1 {
            return Ok(Checked::NotNow);
        }
        let relapse = match check {
            Recheck::Fixed { .. } => None,
            Recheck::Relapse { note } => {
                let (new, new_id) = relapse_on(&mut tx, &id, ticket, note, actor, now).await?;
                self.recount_on(&mut tx, &new_id, None).await?;
                Some(new)
            }
        };
        let history = match &relapse {
            None => "回头看：未复发".to_owned(),
            Some(new) => format!("回头看：复发，已开新工单 {new}"),
        };
        insert_event(
            &mut tx,
            &id,
            seq,
            now,
            "recheck",
            None,
            None,
            Some(&history),
            actor,
        )
        .await?;
        let detail = relapse.clone().unwrap_or_else(|| outcome.to_owned());
        audit_on(&mut tx, actor, "recheck", Some(ticket), Some(&detail), now).await?;
        tx.commit().await?;
        Ok(Checked::Done(relapse))
    }
}

/// Files the relapse of report `id` (ticket `original`): the same place and category, the
/// committee's note as its description, no contact details; received, so the notifier
/// announces it like any new report. Returns its ticket and id.
async fn relapse_on(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    original: &str,
    note: &str,
    actor: &str,
    now: i64,
) -> Result<(String, String)> {
    let day = Date::in_shanghai(now as f64);
    let number: i64 = sqlx::query_scalar(
        "INSERT INTO ticket_days (day, last_number) VALUES ($1, 1) \
         ON CONFLICT (day) DO UPDATE SET last_number = ticket_days.last_number + 1 \
         RETURNING last_number",
    )
    .bind(day.to_string())
    .fetch_one(&mut *conn)
    .await?;
    let ticket = xinjing_contract::ticket::format_ticket(day, number as u32);
    let new_id = crate::ids::random_uuid();
    sqlx::query(
        "INSERT INTO reports (id, ticket, ticket_day, ticket_number, body_sha256, received_at, \
         created_at, category, community, building, detail, description, consent_contact, \
         notice_version, locale, client_version, status, status_at, relapse_of) \
         SELECT $1, $2, $3, $4, '', $5, $6, category, community, building, detail, $7, 0, \
         notice_version, 'zh-CN', 'desk', 'received', $5, ticket FROM reports WHERE id = $8",
    )
    .bind(&new_id)
    .bind(&ticket)
    .bind(day.to_string())
    .bind(number)
    .bind(now)
    .bind(rfc3339_shanghai(now as f64))
    .bind(format!("回头看发现复发（原工单 {original}）：{note}"))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO report_events (report_id, seq, at, kind, status, actor) \
         VALUES ($1, 1, $2, 'received', 'received', $3)",
    )
    .bind(&new_id)
    .bind(now)
    .bind(actor)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE rechecks SET relapse = $2 WHERE report_id = $1")
        .bind(id)
        .bind(&ticket)
        .execute(&mut *conn)
        .await?;
    Ok((ticket, new_id))
}
