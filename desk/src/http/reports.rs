//! `/api/v1/reports`: filing a report and the resident's verdict, server side (the status
//! and the after-photo are `status`).
//!
//! `POST` follows the Idempotency-Key protocol of `crate::idempotency`: the photos are
//! written to the photo store, then the report, its ticket number and the answer are
//! committed in one transaction; only then does the phone get 201.

use super::body::read_body;
use super::error::{ApiError, ResidentLang};
use crate::idempotency::{self, IdempotencyKey, NextAction};
use crate::jpeg;
use crate::state::AppState;
use crate::store::{NewPhoto, NewReport, StoreError};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use bytes::Bytes;
use std::sync::Arc;
use xinjing_contract::ids::is_uuid_v4;
use xinjing_contract::report::{
    char_count, validate_report, Field, FieldError, PHOTO_MAX_BYTES, PHOTO_MAX_EDGE,
};
use xinjing_contract::ticket::COMMENT_MAX;
use xinjing_contract::time::Date;
use xinjing_contract::{Feedback, Lang, ReportPayload, REPORT_KEY_HEADER};

/// Longest feedback body read.
const FEEDBACK_MAX_BYTES: usize = 16 * 1024;

/// A photo as received, checked and stripped of metadata.
struct CleanPhoto {
    jpeg: jpeg::CleanJpeg,
    sha256: String,
}

fn clean_photos(payload: &ReportPayload) -> Result<Vec<CleanPhoto>, ApiError> {
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let unreadable = || ApiError::field(Field::Photos, FieldError::PhotoUnreadable);
    let too_large = || ApiError::field(Field::Photos, FieldError::PhotoTooLarge);
    payload
        .photos
        .iter()
        .map(|photo| {
            let data = engine.decode(&photo.data).map_err(|_| unreadable())?;
            if data.len() > PHOTO_MAX_BYTES {
                return Err(too_large());
            }
            let jpeg = jpeg::clean(&data).map_err(|_| unreadable())?;
            if jpeg.width.max(jpeg.height) > PHOTO_MAX_EDGE {
                return Err(too_large());
            }
            if (jpeg.width, jpeg.height) != (photo.width, photo.height) {
                return Err(unreadable());
            }
            let sha256 = crate::ids::sha256_hex(&jpeg.bytes);
            Ok(CleanPhoto { jpeg, sha256 })
        })
        .collect()
}

/// `POST /api/v1/reports`
pub async fn submit(
    State(state): State<Arc<AppState>>,
    lang: ResidentLang,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    require_json(&headers)?;
    let key = IdempotencyKey::from_headers(&headers).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "idempotency_key_missing",
            "缺少报告编号（Idempotency-Key），请刷新页面后重新提交",
            "Idempotency-Key must be the report's id (a UUID v4)",
        )
    })?;
    let body = read_body(&headers, body, state.config.max_body_bytes).await?;
    let body_sha256 = crate::ids::sha256_hex(&body);
    if let Some(answer) = idempotency::saved_response(&state, &key, &body_sha256).await? {
        return Ok(answer);
    }
    let payload = valid_report(&state, &lang, &key, &body)?;
    let photos = clean_photos(&payload)?;
    let claimed = match idempotency::try_processing(&state, &key, &body_sha256).await? {
        NextAction::StartProcessing(claimed) => claimed,
        NextAction::ReturnSavedResponse(answer) => return Ok(answer),
    };
    // Photos first: the row that references them is committed only once they are stored.
    let (photos, bytes) = store_photos(&state, &key, photos).await?;
    let now = state.now_ms();
    let report = NewReport {
        id: key.as_str(),
        body_sha256: &body_sha256,
        received_at: now,
        day: Date::in_shanghai(now as f64),
        payload: &payload,
        photos: &photos,
    };
    let answer = claimed.save(&state, &report).await?;
    // The orphan sweep may have set a photo aside between its upload and the commit (a
    // replay rewriting a day-old upload): now that the row names it, it is put back.
    for (photo, data) in photos.iter().zip(bytes) {
        if !state.photos.exists(&photo.object_key).await? {
            state.photos.put(&photo.object_key, data).await?;
        }
    }
    Ok(answer)
}

fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim()
                .to_ascii_lowercase()
                .starts_with("application/json")
        });
    if is_json {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "请以 JSON 格式提交（Content-Type: application/json）",
        "Content-Type must be application/json",
    ))
}

/// The report in the body, checked by the contract's rules, under its own id as the key.
/// Errors are answered in the report's language as soon as that much can be read.
fn valid_report(
    state: &AppState,
    lang: &ResidentLang,
    key: &IdempotencyKey,
    body: &[u8],
) -> Result<ReportPayload, ApiError> {
    let payload: ReportPayload = match serde_json::from_slice(body) {
        Ok(payload) => payload,
        Err(_) => {
            #[derive(serde::Deserialize)]
            struct Locale {
                locale: Option<String>,
            }
            if let Some(tag) = serde_json::from_slice::<Locale>(body)
                .ok()
                .and_then(|l| l.locale)
            {
                lang.set(Lang::from_tag(&tag).unwrap_or(lang.get()));
            }
            return Err(ApiError::field(Field::Envelope, FieldError::Malformed));
        }
    };
    lang.set(payload.lang());
    if let Some((field, error)) = validate_report(&payload, &state.communities)
        .into_iter()
        .next()
    {
        return Err(ApiError::field(field, error));
    }
    if payload.id.to_ascii_lowercase() != key.as_str() {
        return Err(ApiError::field(Field::Envelope, FieldError::Malformed));
    }
    Ok(payload)
}

/// Writes the photos to the photo store; gives what the report's row records of them, and
/// their bytes (kept until the commit, see `submit`).
async fn store_photos(
    state: &AppState,
    key: &IdempotencyKey,
    photos: Vec<CleanPhoto>,
) -> Result<(Vec<NewPhoto>, Vec<Bytes>), ApiError> {
    let new_photos: Vec<NewPhoto> = photos
        .iter()
        .enumerate()
        .map(|(position, p)| NewPhoto {
            position,
            object_key: state.photo_names.key(key.as_str(), position),
            width: p.jpeg.width,
            height: p.jpeg.height,
            bytes: p.jpeg.bytes.len(),
            sha256: p.sha256.clone(),
        })
        .collect();
    let bytes: Vec<Bytes> = photos
        .into_iter()
        .map(|p| Bytes::from(p.jpeg.bytes))
        .collect();
    let uploads = bytes
        .iter()
        .zip(&new_photos)
        .map(|(data, meta)| state.photos.put(&meta.object_key, data.clone()));
    futures_util::future::try_join_all(uploads).await?;
    Ok((new_photos, bytes))
}

/// The report's id from `X-Report-Key`, lower-case, if it is one.
pub(super) fn report_key(headers: &HeaderMap) -> Option<String> {
    headers
        .get(REPORT_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|k| is_uuid_v4(k))
        .map(str::to_ascii_lowercase)
}

/// No `X-Report-Key`, or not a report id: refused whatever the ticket, so the answer says
/// nothing about which tickets exist (a wrong key gets the unknown ticket's 404).
pub(super) fn key_missing() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "report_key_missing",
        "缺少报告编号（X-Report-Key），请刷新页面后重试",
        "The report's key (X-Report-Key) is missing: reload the page and try again",
    )
}

/// `POST /api/v1/reports/{ticket}/feedback`
pub async fn feedback(
    State(state): State<Arc<AppState>>,
    Path(ticket): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let Some(key) = report_key(&headers) else {
        return Err(key_missing());
    };
    let body = read_body(&headers, body, FEEDBACK_MAX_BYTES).await?;
    let feedback: Feedback = serde_json::from_slice(&body).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_feedback",
            "反馈格式有误，请刷新页面后重试",
            "Feedback must say whether you are satisfied (true or false)",
        )
    })?;
    let comment = feedback
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if comment.is_some_and(|c| char_count(c) > COMMENT_MAX) {
        return Err(ApiError::coded(
            "too_long:comment",
            FieldError::TooLong { max: COMMENT_MAX },
        ));
    }
    // A verdict resent under its key (the first answer was lost) is counted once. Older
    // widgets send none, and are taken as before.
    let idem_key = match headers.get(crate::idempotency::IDEMPOTENCY_KEY_HEADER) {
        None => None,
        // Sent but not a UUID: refused as the document says, not taken as no key (a resend
        // would then count twice).
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .and_then(IdempotencyKey::parse)
                .map(|k| idempotency::feedback_key(&k))
                .ok_or_else(|| {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "idempotency_key_invalid",
                        "评价的编号（Idempotency-Key）有误，请刷新页面后重试",
                        "Idempotency-Key must be a UUID v4",
                    )
                })?,
        ),
    };
    // The ticket is part of what the key stands for: reused for another ticket, it is 422.
    let mut hashed = format!("{ticket}\n{key}\n").into_bytes();
    hashed.extend_from_slice(&body);
    let body_sha256 = crate::ids::sha256_hex(&hashed);
    if let Some(idem_key) = &idem_key {
        if let Some(answer) = idempotency::saved_feedback(&state, idem_key, &body_sha256).await? {
            return Ok(answer);
        }
    }
    let answer = serde_json::json!({ "ticket": ticket, "satisfied": feedback.satisfied });
    let answer_text = answer.to_string();
    let saved = idem_key
        .as_deref()
        .map(|k| (k, body_sha256.as_str(), answer_text.as_str()));
    let found = match state
        .store
        .add_feedback(
            &ticket,
            &key,
            feedback.satisfied,
            comment,
            saved,
            state.now_ms(),
        )
        .await
    {
        Err(StoreError::Duplicate) => {
            let idem_key = idem_key.as_deref().unwrap_or_default();
            return idempotency::saved_feedback(&state, idem_key, &body_sha256)
                .await?
                .ok_or_else(ApiError::in_flight);
        }
        found => found?,
    };
    if !found {
        return Err(ApiError::not_found());
    }
    tracing::info!(ticket = %ticket, satisfied = feedback.satisfied, "feedback received");
    Ok(axum::Json(answer).into_response())
}

/// `POST /api/v1/floor` (benchmarks only): reads the body and discards it, to measure what
/// the server costs without the desk's work.
pub async fn floor(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let _ = read_body(&headers, body, state.config.max_body_bytes).await?;
    Ok((
        StatusCode::CREATED,
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"ticket":"XJ-19700101-0001","status":"received"}"#,
    )
        .into_response())
}
