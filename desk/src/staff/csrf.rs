//! Every POST form under `/desk/` carries the session's CSRF token in a hidden `csrf` field.
//! `CsrfForm<T>` checks it (403 when missing or wrong), then reads the form as `T`.
//! (SameSite=Strict cookies already keep other sites' forms out; the token is the second lock.)

use super::auth::{same, Staff};
use super::i18n::{lang_of, tr};
use super::layout;
use crate::state::AppState;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::response::Response;
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// Largest form body read (notes are at most a few thousand characters).
pub const FORM_MAX_BYTES: usize = 64 * 1024;

/// The hidden field's name.
pub const CSRF_FIELD: &str = "csrf";

/// A form posted by a logged-in account with the right CSRF token.
pub struct CsrfForm<T>(pub T);

/// The `csrf` field of a URL-encoded body.
pub fn csrf_field(body: &[u8]) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v)
}

pub fn refused(lang: super::i18n::Lang, staff: Option<&Staff>) -> Response {
    layout::message_page(
        staff,
        lang,
        StatusCode::FORBIDDEN,
        tr(lang, "表单已失效", "This form has expired"),
        tr(
            lang,
            "请返回上一页，刷新后重新提交。",
            "Go back, reload the page and send the form again.",
        ),
    )
}

impl<T: DeserializeOwned> FromRequest<Arc<AppState>> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &Arc<AppState>) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let lang = lang_of(&parts);
        let staff = Staff::from_request_parts(&mut parts, state).await?;
        let bytes = axum::body::to_bytes(body, FORM_MAX_BYTES)
            .await
            .map_err(|_| layout::bad_request(Some(&staff), lang))?;
        match csrf_field(&bytes) {
            Some(token) if same(&token, &staff.csrf) => {}
            _ => return Err(refused(lang, Some(&staff))),
        }
        serde_urlencoded::from_bytes::<T>(&bytes)
            .map(CsrfForm)
            .map_err(|_| layout::bad_request(Some(&staff), lang))
    }
}
