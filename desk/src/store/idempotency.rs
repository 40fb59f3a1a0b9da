//! Idempotency-Key records: a claim (with a token, taken over when its request died),
//! and the first answer, kept for replays.

use super::{Backend, Result, Store};
use sqlx::FromRow;

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

/// The arguments of a claim, owned (it may wait in the committer's queue).
pub(crate) struct ClaimJob {
    pub(super) key: String,
    pub(super) body_sha256: String,
    pub(super) token: String,
    pub(super) now: i64,
    pub(super) stale_before: i64,
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

/// An `idempotency_keys` row as stored: the answer in two columns.
#[derive(FromRow)]
struct KeyRow {
    body_sha256: String,
    claimed_at: i64,
    status_code: Option<i64>,
    answer: Option<String>,
}

fn key_record(row: &sqlx::any::AnyRow) -> Result<KeyRecord> {
    let row = KeyRow::from_row(row)?;
    Ok(KeyRecord {
        body_sha256: row.body_sha256,
        claimed_at: row.claimed_at,
        answer: row.status_code.zip(row.answer).map(|(c, a)| (c as u16, a)),
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

    /// Forgets Idempotency-Key records created before `created_before`.
    pub async fn forget_keys(&self, created_before: i64) -> Result<u64> {
        let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(created_before)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected())
    }
}
