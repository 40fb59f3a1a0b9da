//! A request's body, read within a limit and refused in the contract's words past it.

use super::error::ApiError;
use axum::body::Body;
use axum::http::{header, HeaderMap, StatusCode};
use bytes::Bytes;

/// Reads the body up to `max` bytes. A declared length over the limit is refused without
/// being kept; a longer body is refused once it passes the limit.
pub async fn read_body(headers: &HeaderMap, body: Body, max: usize) -> Result<Bytes, ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(len) = declared.filter(|&len| len > max as u64) {
        // A moderately oversized body is read and dropped before the answer: closing with
        // unread bytes makes the kernel reset the connection, and the phone (or nginx in
        // front, as a 502) then sees a network fault to retry instead of this refusal.
        if len <= 2 * max as u64 {
            let _ = axum::body::to_bytes(body, len as usize).await;
        }
        return Err(ApiError::too_large());
    }
    axum::body::to_bytes(body, max).await.map_err(|e| {
        if e.into_inner().is::<http_body_util::LengthLimitError>() {
            ApiError::too_large()
        } else {
            // The client went away or sent a broken body: it will not read this anyway.
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "body_unreadable",
                "报告未能完整接收",
                "The report did not arrive whole",
            )
        }
    })
}
