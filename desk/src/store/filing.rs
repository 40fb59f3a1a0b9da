//! Filing a report: the row as stored, the statements that store it, and the commit that
//! gives it its ticket and records the answer under its Idempotency-Key.

use super::{Result, Store, StoreError};
use sqlx::FromRow;
use xinjing_contract::time::Date;
use xinjing_contract::{ReportPayload, TicketStatus};

#[derive(Clone, Debug)]
pub struct NewPhoto {
    pub position: usize,
    pub object_key: String,
    pub width: u32,
    pub height: u32,
    pub bytes: usize,
    pub sha256: String,
}

pub struct NewReport<'a> {
    /// The report's id, lower-case (also its Idempotency-Key).
    pub id: &'a str,
    pub body_sha256: &'a str,
    pub received_at: i64,
    pub day: Date,
    pub payload: &'a ReportPayload,
    pub photos: &'a [NewPhoto],
}

/// A report as stored: owned, without the photos' data (already in the photo store).
pub(crate) struct ReportRow {
    id: String,
    token: String,
    body_sha256: String,
    received_at: i64,
    day: Date,
    created_at: String,
    category: &'static str,
    campaign_id: Option<String>,
    community: String,
    building: String,
    detail: String,
    description: String,
    contact_name: Option<String>,
    contact_phone: Option<String>,
    consent_contact: i64,
    notice_version: String,
    locale: &'static str,
    client_version: String,
    photos: Vec<NewPhoto>,
    answer: fn(&str) -> String,
}

impl ReportRow {
    fn new(report: &NewReport<'_>, token: &str, answer: fn(&str) -> String) -> ReportRow {
        let p = report.payload;
        ReportRow {
            id: report.id.to_owned(),
            token: token.to_owned(),
            body_sha256: report.body_sha256.to_owned(),
            received_at: report.received_at,
            day: report.day,
            created_at: p.created_at.clone(),
            category: p.category.code(),
            campaign_id: p.campaign_id.clone(),
            community: p.location.community.trim().to_owned(),
            building: p.location.building.trim().to_owned(),
            detail: p.location.detail.trim().to_owned(),
            description: p.description.trim().to_owned(),
            contact_name: p.contact.as_ref().map(|c| c.name.trim().to_owned()),
            contact_phone: p.contact.as_ref().map(|c| c.phone.clone()),
            consent_contact: i64::from(p.consent.contact),
            notice_version: p.consent.notice_version.clone(),
            locale: p.lang().tag(),
            client_version: p.client.version.clone(),
            photos: report.photos.to_vec(),
            answer,
        }
    }
}

impl ReportRow {
    /// The new report as the figures read it.
    pub(crate) fn facts(&self) -> crate::stats::ReportFacts {
        crate::stats::ReportFacts {
            community: self.community.clone(),
            category: self.category.to_owned(),
            building: self.building.clone(),
            received_at: self.received_at,
            status: TicketStatus::Received,
            first_response_at: None,
            closed_at: None,
            resolved_at: None,
            reopened_at: None,
            reopen_count: 0,
            resolution: None,
            satisfied_answers: 0,
            answers: 0,
        }
    }
}

/// The statements that store one report, inside a transaction the caller commits.
pub(crate) async fn insert_report(
    conn: &mut sqlx::AnyConnection,
    report: &ReportRow,
) -> Result<String> {
    let day = report.day.to_string();
    let number: i64 = sqlx::query_scalar(
        "INSERT INTO ticket_days (day, last_number) VALUES ($1, 1) \
         ON CONFLICT (day) DO UPDATE SET last_number = ticket_days.last_number + 1 \
         RETURNING last_number",
    )
    .bind(&day)
    .fetch_one(&mut *conn)
    .await?;
    let ticket = xinjing_contract::ticket::format_ticket(report.day, number as u32);
    let inserted = sqlx::query(
        "INSERT INTO reports (id, ticket, ticket_day, ticket_number, body_sha256, received_at, \
         created_at, category, campaign_id, community, building, detail, description, \
         contact_name, contact_phone, consent_contact, notice_version, locale, client_version, \
         status, status_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $6)",
    )
    .bind(&report.id)
    .bind(&ticket)
    .bind(&day)
    .bind(number)
    .bind(&report.body_sha256)
    .bind(report.received_at)
    .bind(&report.created_at)
    .bind(report.category)
    .bind(report.campaign_id.as_deref())
    .bind(&report.community)
    .bind(&report.building)
    .bind(&report.detail)
    .bind(&report.description)
    .bind(report.contact_name.as_deref())
    .bind(report.contact_phone.as_deref())
    .bind(report.consent_contact)
    .bind(&report.notice_version)
    .bind(report.locale)
    .bind(&report.client_version)
    .bind(TicketStatus::Received.code())
    .execute(&mut *conn)
    .await;
    if let Err(sqlx::Error::Database(e)) = &inserted {
        if e.is_unique_violation() {
            return Err(StoreError::Duplicate);
        }
    }
    inserted?;
    if !report.photos.is_empty() {
        // One statement for all of them: a round trip fewer per photo.
        let rows: Vec<String> = (0..report.photos.len())
            .map(|i| {
                let p = 2 + i * 6;
                format!(
                    "($1, ${}, ${}, ${}, ${}, ${}, ${})",
                    p,
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO report_photos (report_id, position, object_key, width, height, bytes, sha256) VALUES {}",
            rows.join(", ")
        );
        let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(&report.id);
        for photo in &report.photos {
            insert = insert
                .bind(photo.position as i64)
                .bind(&photo.object_key)
                .bind(i64::from(photo.width))
                .bind(i64::from(photo.height))
                .bind(photo.bytes as i64)
                .bind(&photo.sha256);
        }
        insert.execute(&mut *conn).await?;
    }
    sqlx::query(
        "INSERT INTO report_events (report_id, seq, at, kind, status, actor) \
         VALUES ($1, 1, $2, 'received', 'received', 'resident')",
    )
    .bind(&report.id)
    .bind(report.received_at)
    .execute(&mut *conn)
    .await?;
    // Last, the answer under the key, if the key is still ours: otherwise another request
    // took it over, and the caller rolls all of this back.
    let answered = sqlx::query(
        "UPDATE idempotency_keys SET status_code = 201, answer = $3 \
         WHERE key = $1 AND claim_token = $2 AND answer IS NULL",
    )
    .bind(&report.id)
    .bind(&report.token)
    .bind((report.answer)(&ticket))
    .execute(&mut *conn)
    .await?;
    if answered.rows_affected() != 1 {
        return Err(StoreError::ClaimLost);
    }
    Ok(ticket)
}

/// A stored report's ticket and the hash of the body it was filed with.
#[derive(FromRow)]
struct Filed {
    ticket: String,
    body_sha256: String,
}

impl Store {
    /// The ticket and body hash of a stored report, by id (replays after the key record
    /// expired).
    pub async fn report_answer(&self, id: &str) -> Result<Option<(String, String)>> {
        let row = sqlx::query("SELECT ticket, body_sha256 FROM reports WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        Ok(match row {
            Some(row) => {
                let Filed {
                    ticket,
                    body_sha256,
                } = Filed::from_row(&row)?;
                Some((ticket, body_sha256))
            }
            None => None,
        })
    }

    /// Stores a report whose photos are already in the photo store, gives it the day's next
    /// ticket number and records the answer under its key, all in one transaction (shared
    /// with the other reports committed at the same moment: one flush for all of them). Fails with `ClaimLost` (nothing stored) if the claim `token` no longer
    /// holds the key, `Duplicate` if the report exists already.
    pub async fn commit_report(
        &self,
        report: &NewReport<'_>,
        token: &str,
        answer: fn(&str) -> String,
    ) -> Result<String> {
        self.committer
            .report(ReportRow::new(report, token, answer))
            .await
    }
}
