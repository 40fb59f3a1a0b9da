//! The rows every change writes beside the report: its history event and its audit line.

use super::Result;

pub(crate) async fn audit_on(
    conn: &mut sqlx::AnyConnection,
    actor: &str,
    action: &str,
    ticket: Option<&str>,
    detail: Option<&str>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor, action, ticket, detail) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(crate::ids::random_uuid())
    .bind(now)
    .bind(actor)
    .bind(action)
    .bind(ticket)
    .bind(detail)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Reopens report `id` (history event `seq`): received again, open, on top of the list, no
/// longer merged. The event is the `reopen` the notifier reads.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn reopen_on(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    seq: i64,
    actor: &str,
    comment: Option<&str>,
    public_note: Option<&str>,
    internal_note: Option<&str>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE reports SET status = 'received', status_at = $2, public_note = $3, closed_at = NULL, \
         resolution = NULL, reopened_at = $2, reopen_count = reopen_count + 1, merged_into = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .bind(public_note)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO report_events (report_id, seq, at, kind, status, public_note, internal_note, actor, comment) \
         VALUES ($1, $2, $3, 'reopen', 'received', $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(seq)
    .bind(now)
    .bind(public_note)
    .bind(internal_note)
    .bind(actor)
    .bind(comment)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_event(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    seq: i64,
    now: i64,
    kind: &str,
    status: Option<&str>,
    public_note: Option<&str>,
    internal_note: Option<&str>,
    actor: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO report_events (report_id, seq, at, kind, status, public_note, internal_note, actor) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(seq)
    .bind(now)
    .bind(kind)
    .bind(status)
    .bind(public_note)
    .bind(internal_note)
    .bind(actor)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
