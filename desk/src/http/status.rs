//! `GET /api/v1/reports/{ticket}`: what the resident may read of their report, with the
//! report's id (`X-Report-Key`) as the secret: its state, the public notes of its history,
//! the steps of a dispatch (the kind of unit and its deadline, never a name) and of a fix
//! the committee checked, and the after-photo when staff made it public, which
//! `{ticket}/after-photo` serves to the same secret only.

use super::error::ApiError;
use super::reports::{key_missing, report_key};
use crate::state::AppState;
use crate::store::{Event, TaskProgress};
use crate::units::book::UnitBook;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use xinjing_contract::ticket::{STEP_CHECKED, STEP_DISPATCHED};
use xinjing_contract::time::rfc3339_shanghai;
use xinjing_contract::{StatusAnswer, StatusChange, TicketStatus};

/// `GET /api/v1/reports/{ticket}`: the same 404 for an unknown ticket and a wrong key.
pub async fn status(
    State(state): State<Arc<AppState>>,
    Path(ticket): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(key) = report_key(&headers) else {
        return Err(key_missing());
    };
    let row = state
        .store
        .status(&ticket, &key)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let events = state.store.events(&row.ticket).await?;
    let tasks = state.store.task_progress(&key).await?;
    let after_photo = public_photo(&tasks).map(|_| format!("{}/after-photo", row.ticket));
    let answer = StatusAnswer {
        ticket: Some(row.ticket),
        status: row.status,
        updated_at: Some(rfc3339_shanghai(row.status_at as f64)),
        note: row.public_note,
        merged_into: row.merged_into,
        history: history(&events, &tasks, &state.units),
        after_photo,
    };
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_string(&answer).unwrap_or_default(),
    )
        .into_response())
}

/// `GET /api/v1/reports/{ticket}/after-photo`: the latest after-photo staff made public,
/// to the report's own key only (404 otherwise, as the status). Stored without its
/// metadata; the resident's own photos are never served here.
pub async fn after_photo(
    State(state): State<Arc<AppState>>,
    Path(ticket): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(key) = report_key(&headers) else {
        return Err(key_missing());
    };
    state
        .store
        .status(&ticket, &key)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let tasks = state.store.task_progress(&key).await?;
    let object = public_photo(&tasks).ok_or_else(ApiError::not_found)?;
    let bytes = state.photos.get(object).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CACHE_CONTROL, "private, max-age=86400"),
        ],
        bytes,
    )
        .into_response())
}

/// The newest public after-photo of the report's tasks.
fn public_photo(tasks: &[TaskProgress]) -> Option<&str> {
    tasks.iter().rev().find_map(|t| t.public_photo.as_deref())
}

/// The changes of state the resident may see, oldest first, with their public notes (the
/// internal ones, assignments and comments stay in the desk). A `reopen` event, or going
/// back from resolved or rejected, is a reopening. The event that dispatched a task says
/// to which kind of unit and until when; the one its passed review made, that the fix was
/// checked.
pub fn history(events: &[Event], tasks: &[TaskProgress], units: &UnitBook) -> Vec<StatusChange> {
    let mut previous: Option<TicketStatus> = None;
    events
        .iter()
        .filter(|e| {
            matches!(
                e.kind.as_str(),
                "received" | "status" | "reopen" | "dispatch"
            )
        })
        .filter_map(|e| {
            let status = TicketStatus::from_code(e.status.as_deref()?)?;
            let reopened = e.kind == "reopen"
                || (previous.is_some_and(TicketStatus::is_final) && !status.is_final());
            previous = Some(status);
            let mut change = StatusChange {
                status,
                at: rfc3339_shanghai(e.at as f64),
                note: e.public_note.clone(),
                reopened,
                step: None,
                unit_kind: None,
                due: None,
            };
            if let Some(task) = tasks.iter().find(|t| t.seq == e.seq) {
                change.step = Some(STEP_DISPATCHED.to_owned());
                // The units as the page and the file make them now; a unit since removed
                // is "other": still no name.
                let kind = units.get(&task.unit).map_or("other", |u| u.kind.code());
                change.unit_kind = Some(kind.to_owned());
                change.due = Some(rfc3339_shanghai(task.due_at as f64));
            } else if tasks.iter().any(|t| t.passed_seq == Some(e.seq)) {
                change.step = Some(STEP_CHECKED.to_owned());
            }
            Some(change)
        })
        .collect()
}
