//! One error for the staff pages: handlers return [`PageResult`] and use a bare `?`; the
//! error page is written in the page's language at the edge (`in_page_lang`, around every
//! `/desk/` route), so handlers need not carry the language to each failure.

use super::account::Staff;
use super::i18n::lang_of;
use super::layout;
use super::password::HashError;
use crate::photos::PhotoError;
use crate::store::StoreError;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// What a page handler answers: its page, or the error page.
pub type PageResult = Result<Response, PageError>;

/// A page that cannot be shown, in no language yet.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// Not there, or not this account's to see (404, as if it did not exist); the page
    /// keeps the account's menu.
    #[error("no such page")]
    NotFound(Option<Box<Staff>>),
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
    #[error("photo storage failed: {0}")]
    Photo(#[from] PhotoError),
    #[error("{0}")]
    Hash(#[from] HashError),
}

impl PageError {
    /// 404 for this account.
    pub fn not_found(staff: &Staff) -> PageError {
        PageError::NotFound(Some(Box::new(staff.clone())))
    }
}

/// An error page on its way to `in_page_lang`.
#[derive(Clone)]
enum Unwritten {
    NotFound(Option<Box<Staff>>),
    Unavailable,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, page) = match self {
            PageError::NotFound(staff) => (StatusCode::NOT_FOUND, Unwritten::NotFound(staff)),
            // Logged here, digits masked by the errors' own messages; no personal data.
            failed => {
                tracing::error!(error = %failed, "staff page: storage failed");
                (StatusCode::SERVICE_UNAVAILABLE, Unwritten::Unavailable)
            }
        };
        let mut response = status.into_response();
        response.extensions_mut().insert(page);
        response
    }
}

/// Middleware around the staff pages: writes a [`PageError`] in the page's language
/// (`?lang=`, else the cookie) once the handler or an extractor has answered with one.
pub async fn in_page_lang(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let lang = lang_of(&parts);
    let mut response = next.run(Request::from_parts(parts, body)).await;
    match response.extensions_mut().remove::<Unwritten>() {
        Some(Unwritten::NotFound(staff)) => layout::not_found(staff.as_deref(), lang),
        Some(Unwritten::Unavailable) => layout::unavailable(lang),
        None => response,
    }
}
