//! The unit's answer on its task page: **done** (an after-photo, checked and stripped of
//! its metadata as the API's photos are, and a note), **退单** (given back, with the
//! reason) or **延期** (more time, once, with a reason; staff decide). Only an account of
//! the task's unit answers; anyone else gets 404.

use super::due::from_input;
use super::multipart::{self, Part};
use crate::jpeg::CleanJpeg;
use crate::shrink::{shrink, ShrinkError};
use crate::staff::auth::{same, Staff};
use crate::staff::csrf::{refused, CsrfForm};
use crate::staff::error::{PageError, PageResult};
use crate::staff::i18n::{lang_of, tr, Lang};
use crate::staff::layout::{bad_request, csrf_input};
use crate::state::AppState;
use crate::store::{Task, TaskApplied, TaskChange, TaskState};
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;
use xinjing_contract::report::{PHOTO_MAX_BYTES, PHOTO_MAX_EDGE};

/// Longest note or reason.
pub const NOTE_MAX: usize = 500;

/// The task, if this account belongs to its unit.
async fn unit_task(state: &AppState, staff: &Staff, id: &str) -> Result<Task, PageError> {
    match state.store.task(id).await? {
        Some(task) if staff.unit.as_deref() == Some(task.unit.as_str()) => Ok(task),
        _ => Err(PageError::not_found(staff)),
    }
}

fn back(id: &str, key: &str, value: &str) -> Response {
    Redirect::to(&format!("/desk/tasks/{id}?{key}={value}")).into_response()
}

fn text_within(text: Option<String>, max: usize) -> Result<String, &'static str> {
    match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => Err("note_required"),
        Some(t) if t.chars().count() > max => Err("note_too_long"),
        Some(t) => Ok(t.to_owned()),
    }
}

/// What an answer's result says on the task page.
pub fn message(lang: Lang, code: &str) -> &'static str {
    match code {
        "done" => tr(
            lang,
            "已提交整改结果，等待居委复查",
            "Sent: the committee will review it",
        ),
        "returned" => tr(lang, "已退单", "Given back"),
        "more_time" => tr(
            lang,
            "已申请延期，等待居委答复",
            "More time asked: the committee will answer",
        ),
        "photo_required" => tr(
            lang,
            "请拍摄或选择一张整改后的照片",
            "Take or choose a photo of the fixed place",
        ),
        "photo_unreadable" => tr(
            lang,
            "照片无法读取，请换一张 JPEG 照片",
            "The photo cannot be read: choose a JPEG photo",
        ),
        "photo_too_large" => tr(
            lang,
            "照片太大，请换一张或降低相机分辨率",
            "The photo is too large: choose another, or a lower camera resolution",
        ),
        "note_required" => tr(lang, "请填写说明", "Write a note"),
        "note_too_long" => tr(
            lang,
            "说明太长（最多 500 字）",
            "The note is too long (500 characters at most)",
        ),
        "bad_time" => tr(
            lang,
            "延期时间须晚于原期限",
            "The new time must be later than the due time",
        ),
        _ => tr(
            lang,
            "任务已有变化，请查看后再操作",
            "The task changed: check it, then act",
        ),
    }
}

/// The forms of an open task, for its unit.
pub fn forms(staff: &Staff, task: &Task) -> Markup {
    let lang = staff.lang;
    let t = |zh, en| tr(lang, zh, en);
    let base = format!("/desk/tasks/{}", task.id);
    if task.state != TaskState::Open || staff.unit.as_deref() != Some(task.unit.as_str()) {
        return html! {};
    }
    html! {
        section.card aria-labelledby="h-done" {
            h2 #h-done { (t("整改完成", "Fixed")) }
            form method="post" action={ (base) "/done" } enctype="multipart/form-data" {
                (csrf_input(staff))
                label for="a-photo" { (t("整改后照片", "Photo after fixing")) }
                input #a-photo type="file" name="photo" accept="image/jpeg" capture="environment" required aria-describedby="a-photo-hint";
                p.hint #a-photo-hint { (t("JPEG，可直接用手机拍照，照片会自动缩小。", "JPEG: a phone camera's photo will do; it is made smaller.")) }
                label for="a-note" { (t("整改说明", "What was done")) }
                textarea #a-note name="note" required maxlength=(NOTE_MAX) {}
                button type="submit" { (t("提交整改结果", "Send")) }
            }
        }
        @if task.extension_state.is_none() {
            section.card aria-labelledby="h-more" {
                h2 #h-more { (t("申请延期", "Ask for more time")) }
                form method="post" action={ (base) "/more-time" } {
                    (csrf_input(staff))
                    label for="m-until" { (t("延期至", "Until")) }
                    input #m-until type="datetime-local" name="until" required;
                    label for="m-reason" { (t("延期理由", "Why")) }
                    textarea #m-reason name="reason" required maxlength=(NOTE_MAX) {}
                    button type="submit" class="secondary" { (t("申请延期（仅一次）", "Ask (once only)")) }
                }
            }
        }
        section.card aria-labelledby="h-return" {
            h2 #h-return { (t("退单", "Give back")) }
            form method="post" action={ (base) "/return" } {
                (csrf_input(staff))
                label for="r-reason" { (t("退单理由（不属本单位职责或无法处理）", "Why (not ours, or we cannot)")) }
                textarea #r-reason name="reason" required maxlength=(NOTE_MAX) {}
                button type="submit" class="danger" { (t("退单", "Give back")) }
            }
        }
    }
}

async fn change(
    state: &AppState,
    staff: &Staff,
    task: &Task,
    change: TaskChange,
    done: &str,
) -> PageResult {
    match state
        .store
        .task_change(&task.id, &change, &staff.name, state.now_ms())
        .await?
    {
        TaskApplied::Done => Ok(back(&task.id, "done", done)),
        TaskApplied::NotNow => Ok(back(&task.id, "error", "changed")),
        TaskApplied::Unknown => Err(PageError::not_found(staff)),
    }
}

/// A `multipart/form-data` form (with a file) of a logged-in account, its CSRF token
/// checked: at most one photo and a little text.
pub struct PhotoForm {
    pub staff: Staff,
    pub parts: Vec<Part>,
}

impl FromRequest<Arc<AppState>> for PhotoForm {
    type Rejection = Response;

    async fn from_request(req: Request, state: &Arc<AppState>) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let lang = lang_of(&parts);
        let staff = Staff::from_request_parts(&mut parts, state).await?;
        let boundary = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(multipart::boundary)
            .map(str::to_owned);
        // A camera's own file: the desk shrinks it (the page runs no script to do so).
        let limit = state.config.limits.unit_photo_max_bytes + crate::staff::csrf::FORM_MAX_BYTES;
        let (Some(boundary), Ok(bytes)) = (boundary, axum::body::to_bytes(body, limit).await)
        else {
            return Err(bad_request(Some(&staff), lang));
        };
        let Some(fields) = multipart::parse(&bytes, &boundary) else {
            return Err(bad_request(Some(&staff), lang));
        };
        match multipart::text(&fields, "csrf") {
            Some(token) if same(&token, &staff.csrf) => Ok(PhotoForm {
                staff,
                parts: fields,
            }),
            _ => Err(refused(lang, Some(&staff))),
        }
    }
}

/// `POST /desk/tasks/{id}/done`: the after-photo and the note.
pub async fn done(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    form: PhotoForm,
) -> PageResult {
    let staff = &form.staff;
    let task = unit_task(&state, staff, &id).await?;
    let note = match text_within(multipart::text(&form.parts, "note"), NOTE_MAX) {
        Ok(note) => note,
        Err(code) => return Ok(back(&id, "error", code)),
    };
    let Some(photo) = form
        .parts
        .iter()
        .find(|p| p.name == "photo" && !p.data.is_empty())
    else {
        return Ok(back(&id, "error", "photo_required"));
    };
    let jpeg = match after_photo(&photo.data, state.config.limits.unit_photo_max_bytes).await {
        Ok(jpeg) => jpeg,
        Err(code) => return Ok(back(&id, "error", code)),
    };
    let now = state.now_ms();
    // Named like the report's own photos: the report id is the resident's secret.
    let key = state.photo_names.task_key(&task.report_id, &task.id, now);
    state.photos.put(&key, jpeg.bytes.into()).await?;
    let photo_key = key;
    change(
        &state,
        staff,
        &task,
        TaskChange::Done { note, photo_key },
        "done",
    )
    .await
}

/// Camera photos decoded at once: each takes tens of megabytes and a core for a moment, so
/// a burst of uploads waits its turn instead of taking the desk's memory.
static SHRINKING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// The after-photo as the API would keep it. One within the API's limits is only stripped
/// of its metadata (no second lossy encoding); a camera's larger one is shrunk first, on a
/// blocking thread, then given the same checks.
async fn after_photo(data: &[u8], max_upload: usize) -> Result<CleanJpeg, &'static str> {
    if data.len() > max_upload {
        return Err("photo_too_large");
    }
    let within = |jpeg: &CleanJpeg| {
        jpeg.bytes.len() <= PHOTO_MAX_BYTES && jpeg.width.max(jpeg.height) <= PHOTO_MAX_EDGE
    };
    let first = crate::jpeg::clean(data).map_err(|_| "photo_unreadable")?;
    if within(&first) {
        return Ok(first);
    }
    let turn = SHRINKING.acquire().await.map_err(|_| "photo_unreadable")?;
    let data = data.to_vec();
    let edge = PHOTO_MAX_EDGE;
    // A panic in the decoder on a hostile file is an unreadable photo, not a lost worker.
    // The turn goes with the decode: a request cut short by its time limit leaves the
    // decode running, and the turn is only given back when the decode ends.
    let shrunk = tokio::task::spawn_blocking(move || {
        let _turn = turn;
        shrink(&data, edge, PHOTO_MAX_BYTES)
    })
    .await
    .map_err(|_| "photo_unreadable")?;
    let bytes = shrunk.map_err(|e| match e {
        ShrinkError::Unreadable => "photo_unreadable",
        ShrinkError::TooLarge => "photo_too_large",
    })?;
    let jpeg = crate::jpeg::clean(&bytes).map_err(|_| "photo_unreadable")?;
    if within(&jpeg) {
        Ok(jpeg)
    } else {
        Err("photo_too_large")
    }
}

#[derive(Deserialize)]
pub struct ReasonForm {
    reason: Option<String>,
    until: Option<String>,
}

/// `POST /desk/tasks/{id}/return`: 退单.
pub async fn give_back(
    State(state): State<Arc<AppState>>,
    staff: Staff,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ReasonForm>,
) -> PageResult {
    let task = unit_task(&state, &staff, &id).await?;
    let reason = match text_within(form.reason, NOTE_MAX) {
        Ok(reason) => reason,
        Err(code) => return Ok(back(&id, "error", code)),
    };
    change(
        &state,
        &staff,
        &task,
        TaskChange::Return { reason },
        "returned",
    )
    .await
}

/// `POST /desk/tasks/{id}/more-time`: 延期, once.
pub async fn more_time(
    State(state): State<Arc<AppState>>,
    staff: Staff,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ReasonForm>,
) -> PageResult {
    let task = unit_task(&state, &staff, &id).await?;
    let reason = match text_within(form.reason, NOTE_MAX) {
        Ok(reason) => reason,
        Err(code) => return Ok(back(&id, "error", code)),
    };
    let Some(until) = form
        .until
        .as_deref()
        .and_then(from_input)
        .filter(|u| *u > task.due_at)
    else {
        return Ok(back(&id, "error", "bad_time"));
    };
    let asked = TaskChange::AskMoreTime { reason, until };
    change(&state, &staff, &task, asked, "more_time").await
}
