//! Reports, their tickets, photos, history and Idempotency-Key records.

use super::{opt_string, status_from, Backend, Result, Store, StoreError};
use sqlx::Row;
use xinjing_contract::time::Date;
use xinjing_contract::{ReportPayload, TicketStatus};

/// What the database remembers of an Idempotency-Key.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyRecord {
    pub body_sha256: String,
    pub claimed_at: i64,
    /// The first answer (status code, JSON body), once there is one.
    pub answer: Option<(u16, String)>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Claim {
    /// This request now processes the key.
    Ours,
    /// Someone else has it (in flight or answered), or it came with another body.
    Taken(KeyRecord),
}

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

#[derive(Clone, Debug, PartialEq)]
pub struct StatusRow {
    pub ticket: String,
    pub status: TicketStatus,
    pub status_at: i64,
    pub public_note: Option<String>,
    pub merged_into: Option<String>,
}

/// A stored report as staff (and tests) see it.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredReport {
    pub id: String,
    pub ticket: String,
    pub ticket_day: String,
    pub ticket_number: i64,
    pub received_at: i64,
    pub category: String,
    pub community: String,
    pub building: String,
    pub detail: String,
    pub description: String,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub status: TicketStatus,
    pub public_note: Option<String>,
    pub closed_at: Option<i64>,
    pub erased_at: Option<i64>,
    pub photos: Vec<StoredPhoto>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StoredPhoto {
    pub position: i64,
    pub object_key: String,
    pub width: i64,
    pub height: i64,
    pub bytes: i64,
    pub erased: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub seq: i64,
    pub at: i64,
    pub kind: String,
    pub status: Option<String>,
    pub public_note: Option<String>,
    pub internal_note: Option<String>,
    pub actor: Option<String>,
    pub satisfied: Option<bool>,
    pub comment: Option<String>,
}

/// A report whose personal data is due for deletion, with its photos' object keys.
#[derive(Clone, Debug, PartialEq)]
pub struct DueForErasure {
    pub id: String,
    pub photo_keys: Vec<String>,
}

/// The arguments of a claim, owned (it may wait in the committer's queue).
pub(crate) struct ClaimJob {
    key: String,
    body_sha256: String,
    token: String,
    now: i64,
    stale_before: i64,
}

pub(crate) async fn claim_on(conn: &mut sqlx::AnyConnection, job: &ClaimJob) -> Result<Claim> {
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (key, body_sha256, claim_token, claimed_at, created_at) \
         VALUES ($1, $2, $3, $4, $4) ON CONFLICT (key) DO NOTHING",
    )
    .bind(&job.key)
    .bind(&job.body_sha256)
    .bind(&job.token)
    .bind(job.now)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(Claim::Ours);
    }
    let taken_over = sqlx::query(
        "UPDATE idempotency_keys SET claim_token = $3, claimed_at = $4 \
         WHERE key = $1 AND body_sha256 = $2 AND answer IS NULL AND claimed_at < $5",
    )
    .bind(&job.key)
    .bind(&job.body_sha256)
    .bind(&job.token)
    .bind(job.now)
    .bind(job.stale_before)
    .execute(&mut *conn)
    .await?;
    if taken_over.rows_affected() == 1 {
        return Ok(Claim::Ours);
    }
    let row = sqlx::query(
        "SELECT body_sha256, claimed_at, status_code, answer FROM idempotency_keys WHERE key = $1",
    )
    .bind(&job.key)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Claim::Taken(key_record(&row)?))
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

fn key_record(row: &sqlx::any::AnyRow) -> Result<KeyRecord> {
    let code: Option<i64> = row.try_get("status_code")?;
    let answer: Option<String> = row.try_get("answer")?;
    Ok(KeyRecord {
        body_sha256: row.try_get("body_sha256")?,
        claimed_at: row.try_get("claimed_at")?,
        answer: code.zip(answer).map(|(c, a)| (c as u16, a)),
    })
}

impl Store {
    pub async fn find_key(&self, key: &str) -> Result<Option<KeyRecord>> {
        let row = sqlx::query(
            "SELECT body_sha256, claimed_at, status_code, answer FROM idempotency_keys WHERE key = $1",
        )
        .bind(key)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(key_record).transpose()
    }

    /// Claims a key for this request, or takes over a claim older than `stale_before` whose
    /// request died without an answer (same body only).
    pub async fn claim_key(
        &self,
        key: &str,
        body_sha256: &str,
        token: &str,
        now: i64,
        stale_before: i64,
    ) -> Result<Claim> {
        let job = ClaimJob {
            key: key.to_owned(),
            body_sha256: body_sha256.to_owned(),
            token: token.to_owned(),
            now,
            stale_before,
        };
        match self.backend {
            // SQLite: one writer; claims join the group commit (one flush for all).
            Backend::Sqlite => self.committer.claim(job).await,
            // PostgreSQL: claims hold no counter, so they commit on their own, side by side
            // (PostgreSQL flushes concurrent commits together).
            Backend::Postgres => {
                let mut conn = self.write.acquire().await?;
                claim_on(&mut conn, &job).await
            }
        }
    }

    /// Gives up a claim that got no answer (the request failed), so a retry need not wait.
    pub async fn release_claim(&self, key: &str, token: &str) -> Result<()> {
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE key = $1 AND claim_token = $2 AND answer IS NULL",
        )
        .bind(key)
        .bind(token)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// The ticket and body hash of a stored report, by id (replays after the key record
    /// expired).
    pub async fn report_answer(&self, id: &str) -> Result<Option<(String, String)>> {
        let row = sqlx::query("SELECT ticket, body_sha256 FROM reports WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        Ok(match row {
            Some(row) => Some((row.try_get("ticket")?, row.try_get("body_sha256")?)),
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

    /// A ticket's status, only with the report's own id as the key.
    pub async fn status(&self, ticket: &str, key: &str) -> Result<Option<StatusRow>> {
        let row = sqlx::query(
            "SELECT ticket, status, status_at, public_note, merged_into FROM reports WHERE ticket = $1 AND id = $2",
        )
        .bind(ticket)
        .bind(key)
        .fetch_optional(&self.read)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(StatusRow {
            ticket: row.try_get("ticket")?,
            status: status_from(&row.try_get::<String, _>("status")?),
            status_at: row.try_get("status_at")?,
            public_note: opt_string(&row, "public_note")?,
            merged_into: opt_string(&row, "merged_into")?,
        }))
    }

    /// Locks the report (PostgreSQL) and gives its id and next event number.
    pub(crate) async fn next_event(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        ticket: &str,
        key: Option<&str>,
    ) -> Result<Option<(String, i64)>> {
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE",
            Backend::Sqlite => "",
        };
        let sql =
            format!("SELECT id FROM reports WHERE ticket = $1 AND ($2 IS NULL OR id = $2){lock}");
        let id: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(ticket)
            .bind(key)
            .fetch_optional(&mut **tx)
            .await?;
        let Some(id) = id else { return Ok(None) };
        let seq: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM report_events WHERE report_id = $1",
        )
        .bind(&id)
        .fetch_one(&mut **tx)
        .await?;
        Ok(Some((id, seq)))
    }

    /// Records the resident's verdict; `false` when the ticket and key do not match.
    pub async fn add_feedback(
        &self,
        ticket: &str,
        key: &str,
        satisfied: bool,
        comment: Option<&str>,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let Some((id, seq)) = self.next_event(&mut tx, ticket, Some(key)).await? else {
            return Ok(false);
        };
        sqlx::query(
            "INSERT INTO report_events (report_id, seq, at, kind, actor, satisfied, comment) \
             VALUES ($1, $2, $3, 'feedback', 'resident', $4, $5)",
        )
        .bind(&id)
        .bind(seq)
        .bind(now)
        .bind(i64::from(satisfied))
        .bind(comment)
        .execute(&mut *tx)
        .await?;
        // "Not satisfied" with a closed ticket reopens it (12345's 重办).
        let status: String = sqlx::query_scalar("SELECT status FROM reports WHERE id = $1")
            .bind(&id)
            .fetch_one(&mut *tx)
            .await?;
        if !satisfied && status_from(&status).is_final() {
            super::desk_report::reopen_on(
                &mut tx,
                &id,
                seq + 1,
                "resident",
                comment,
                None,
                None,
                now,
            )
            .await?;
            super::desk_report::audit_on(&mut tx, "resident", "reopen", Some(ticket), None, now)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Moves a ticket to another state with a public note (shown to the resident) and an
    /// optional internal one. Closing (resolved, rejected) starts the retention clock;
    /// reopening stops it. `false` for an unknown ticket.
    pub async fn change_status(
        &self,
        ticket: &str,
        status: TicketStatus,
        public_note: Option<&str>,
        internal_note: Option<&str>,
        actor: &str,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let Some((id, seq)) = self.next_event(&mut tx, ticket, None).await? else {
            return Ok(false);
        };
        let closed_at = status.is_final().then_some(now);
        sqlx::query(
            "UPDATE reports SET status = $2, status_at = $3, public_note = $4, closed_at = $5, \
             resolved_at = COALESCE($5, resolved_at), first_response_at = COALESCE(first_response_at, $3) \
             WHERE id = $1",
        )
        .bind(&id)
        .bind(status.code())
        .bind(now)
        .bind(public_note)
        .bind(closed_at)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO report_events (report_id, seq, at, kind, status, public_note, internal_note, actor) \
             VALUES ($1, $2, $3, 'status', $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(seq)
        .bind(now)
        .bind(status.code())
        .bind(public_note)
        .bind(internal_note)
        .bind(actor)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

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

    /// Forgets Idempotency-Key records created before `created_before`.
    pub async fn forget_keys(&self, created_before: i64) -> Result<u64> {
        let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(created_before)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected())
    }

    pub async fn report_by_ticket(&self, ticket: &str) -> Result<Option<StoredReport>> {
        let row = sqlx::query(
            "SELECT id, ticket, ticket_day, ticket_number, received_at, category, community, building, \
             detail, description, contact_name, contact_phone, status, public_note, closed_at, erased_at \
             FROM reports WHERE ticket = $1",
        )
        .bind(ticket)
        .fetch_optional(&self.read)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let id: String = row.try_get("id")?;
        let photos = sqlx::query(
            "SELECT position, object_key, width, height, bytes, erased_at FROM report_photos \
             WHERE report_id = $1 ORDER BY position",
        )
        .bind(&id)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|p| {
            Ok(StoredPhoto {
                position: p.try_get("position")?,
                object_key: p.try_get("object_key")?,
                width: p.try_get("width")?,
                height: p.try_get("height")?,
                bytes: p.try_get("bytes")?,
                erased: p.try_get::<Option<i64>, _>("erased_at")?.is_some(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
        Ok(Some(StoredReport {
            id,
            ticket: row.try_get("ticket")?,
            ticket_day: row.try_get("ticket_day")?,
            ticket_number: row.try_get("ticket_number")?,
            received_at: row.try_get("received_at")?,
            category: row.try_get("category")?,
            community: row.try_get("community")?,
            building: row.try_get("building")?,
            detail: row.try_get("detail")?,
            description: row.try_get("description")?,
            contact_name: opt_string(&row, "contact_name")?,
            contact_phone: opt_string(&row, "contact_phone")?,
            status: status_from(&row.try_get::<String, _>("status")?),
            public_note: opt_string(&row, "public_note")?,
            closed_at: row.try_get("closed_at")?,
            erased_at: row.try_get("erased_at")?,
            photos,
        }))
    }

    /// Every ticket, in order of day and number.
    pub async fn tickets(&self) -> Result<Vec<(String, i64, String)>> {
        let rows = sqlx::query(
            "SELECT ticket_day, ticket_number, ticket FROM reports ORDER BY ticket_day, ticket_number",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("ticket_day")?,
                    r.try_get("ticket_number")?,
                    r.try_get("ticket")?,
                ))
            })
            .collect()
    }

    /// A report's history, oldest first.
    pub async fn events(&self, ticket: &str) -> Result<Vec<Event>> {
        let rows = sqlx::query(
            "SELECT e.seq, e.at, e.kind, e.status, e.public_note, e.internal_note, e.actor, e.satisfied, e.comment \
             FROM report_events e JOIN reports r ON r.id = e.report_id WHERE r.ticket = $1 ORDER BY e.seq",
        )
        .bind(ticket)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Event {
                    seq: r.try_get("seq")?,
                    at: r.try_get("at")?,
                    kind: r.try_get("kind")?,
                    status: opt_string(r, "status")?,
                    public_note: opt_string(r, "public_note")?,
                    internal_note: opt_string(r, "internal_note")?,
                    actor: opt_string(r, "actor")?,
                    satisfied: r.try_get::<Option<i64>, _>("satisfied")?.map(|s| s != 0),
                    comment: opt_string(r, "comment")?,
                })
            })
            .collect()
    }
}
