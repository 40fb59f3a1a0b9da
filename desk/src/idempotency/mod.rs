//! The Idempotency-Key protocol of `POST /api/v1/reports` (the IETF draft), with the key's
//! record in the database so that every desk process behind one database agrees:
//! 1. the same key with the same body gets the first answer again; with another body, 422;
//! 2. a key whose first request is still being processed (by this or another process)
//!    gets 409; a claim left by a process that died is taken over once stale;
//! 3. the answer is saved in the transaction that stores the report, so a 201 is never
//!    given for a report that was not kept, and a report is never kept without its answer;
//! 4. once the key's record has expired, the report itself still answers a replay.
//!
//! A request calls [`saved_response`] before it does any work, [`try_processing`] to claim
//! the key once the report is valid, then [`Claimed::save`] with the report.

mod key;

pub use key::IdempotencyKey;

use crate::http::error::ApiError;
use crate::state::AppState;
use crate::store::{Claim, KeyRecord, NewReport, Store, StoreError};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use xinjing_contract::{Accepted, TicketStatus};

pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";
pub const REPLAYED_HEADER: &str = "Idempotent-Replayed";

/// What a request does next with its key.
pub enum NextAction {
    /// The key is this request's: process the report, then [`Claimed::save`].
    StartProcessing(Claimed),
    /// The answer given the first time.
    ReturnSavedResponse(Response),
}

/// The answer already given under this key, if any (or 422, 409).
pub async fn saved_response(
    state: &AppState,
    key: &IdempotencyKey,
    body_sha256: &str,
) -> Result<Option<Response>, ApiError> {
    let store = &state.store;
    let stale_before = state.now_ms() - state.claim_stale_ms();
    let key = key.as_str();
    match store.find_key(key).await? {
        Some(record) => judge(&record, body_sha256, stale_before),
        // The key's record may have expired while the report stays: same body, same ticket.
        None => match store.report_answer(key).await? {
            Some((_, hash)) if hash != body_sha256 => Err(reused()),
            Some((ticket, _)) => Ok(Some(replay(201, accepted_body(&ticket)))),
            None => Ok(None),
        },
    }
}

/// Claims the key for this request (or takes over a dead request's stale claim).
pub async fn try_processing(
    state: &AppState,
    key: &IdempotencyKey,
    body_sha256: &str,
) -> Result<NextAction, ApiError> {
    let now = state.now_ms();
    let token = crate::ids::random_uuid();
    let stale_before = now - state.claim_stale_ms();
    let claim = state
        .store
        .claim_key(key.as_str(), body_sha256, &token, now, stale_before)
        .await?;
    match claim {
        Claim::Ours => Ok(NextAction::StartProcessing(Claimed {
            store: state.store.clone(),
            key: key.clone(),
            body_sha256: body_sha256.to_owned(),
            token,
            armed: true,
        })),
        Claim::Taken(record) => match judge(&record, body_sha256, stale_before)? {
            Some(answer) => Ok(NextAction::ReturnSavedResponse(answer)),
            // Went stale between the two looks: let the phone retry.
            None => Err(ApiError::in_flight()),
        },
    }
}

/// A key this request holds. Dropped without [`Claimed::save`] (an error, or the client
/// going away mid-way), it gives the claim back, so the phone's retry need not wait for
/// it to go stale.
pub struct Claimed {
    store: Store,
    key: IdempotencyKey,
    body_sha256: String,
    token: String,
    armed: bool,
}

impl Claimed {
    /// Stores the report with its ticket and the answer under the key, in one transaction,
    /// and gives that answer.
    pub async fn save(
        mut self,
        state: &AppState,
        report: &NewReport<'_>,
    ) -> Result<Response, ApiError> {
        match self
            .store
            .commit_report(report, &self.token, accepted_body)
            .await
        {
            Ok(ticket) => {
                self.armed = false;
                tracing::info!(ticket = %ticket, photos = report.photos.len(), category = report.payload.category.code(), "report received");
                Ok((
                    StatusCode::CREATED,
                    [(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/json"),
                    )],
                    accepted_body(&ticket),
                )
                    .into_response())
            }
            Err(StoreError::ClaimLost) => {
                self.armed = false;
                Err(ApiError::in_flight())
            }
            // Stored meanwhile under an expired key record: the report answers.
            Err(StoreError::Duplicate) => {
                let (key, body_sha256) = (self.key.clone(), std::mem::take(&mut self.body_sha256));
                drop(self);
                saved_response(state, &key, &body_sha256)
                    .await?
                    .ok_or_else(ApiError::in_flight)
            }
            Err(e) => Err(e.into()),
        }
    }
}

impl Drop for Claimed {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let (store, key, token) = (
            self.store.clone(),
            self.key.as_str().to_owned(),
            std::mem::take(&mut self.token),
        );
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(async move {
                if let Err(e) = store.release_claim(&key, &token).await {
                    tracing::warn!(error = %e, "could not release an idempotency claim");
                }
            });
        }
    }
}

/// Feedback's keys live beside the reports' keys, in their own namespace: a feedback key
/// can never stand in for a report's.
pub fn feedback_key(key: &IdempotencyKey) -> String {
    format!("feedback:{}", key.as_str())
}

/// The answer a verdict already got under this key (saved with it, in one transaction),
/// or 422 when the key came with another body.
pub async fn saved_feedback(
    state: &AppState,
    key: &str,
    body_sha256: &str,
) -> Result<Option<Response>, ApiError> {
    match state.store.find_key(key).await? {
        Some(record) => judge(&record, body_sha256, i64::MIN),
        None => Ok(None),
    }
}

/// What a key's record means for a request with this body: the first answer again, 422,
/// 409, or `None` when the record is a dead request's claim that may be taken over.
fn judge(
    record: &KeyRecord,
    body_sha256: &str,
    stale_before: i64,
) -> Result<Option<Response>, ApiError> {
    if record.body_sha256 != body_sha256 {
        return Err(reused());
    }
    if let Some((code, body)) = &record.answer {
        return Ok(Some(replay(*code, body.clone())));
    }
    if record.claimed_at >= stale_before {
        return Err(ApiError::in_flight());
    }
    Ok(None)
}

fn replay(code: u16, body: String) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::CREATED);
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (
                header::HeaderName::from_static("idempotent-replayed"),
                HeaderValue::from_static("true"),
            ),
        ],
        body,
    )
        .into_response()
}

fn reused() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
        "同一报告编号的内容不一致，请重新填写后提交",
        "This report id was already used with different content",
    )
}

/// The body of a 201, the answer saved under the key.
fn accepted_body(ticket: &str) -> String {
    serde_json::to_string(&Accepted {
        ticket: ticket.to_owned(),
        status: TicketStatus::Received,
    })
    .unwrap_or_default()
}
