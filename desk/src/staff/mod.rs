//! The staff pages under `/desk/`: server-rendered HTML forms (maud), no JavaScript,
//! Chinese by default with an English switch, a strict CSP.
//!
//! `routes()` is the desk's `/desk/` router; the posters and campaigns pages of other
//! modules are merged into it and share its extractors (`auth::Staff`, `auth::Admin`,
//! `csrf::CsrfForm`) and frame (`layout::page`).

pub(crate) mod access;
pub mod account;
pub(crate) mod actions;
pub mod auth;
pub mod csrf;
pub mod error;
mod export;
pub mod i18n;
pub mod layout;
pub(crate) mod list;
mod login;
mod logins;
mod messages;
mod overview;
mod password;
mod recheck;
mod report;
pub mod rules;
pub mod shell;
mod status;

use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::response::Redirect;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

/// Every staff page. Mounted by `routes::router`.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/desk", get(|| async { Redirect::permanent("/desk/") }))
        .route("/desk/", get(list::list_page))
        .route("/desk/export.csv", get(export::export_csv))
        .route("/desk/reports/{ticket}", get(report::report_page))
        .route(
            "/desk/reports/{ticket}/contact",
            post(report::show_contact).get(report::to_report),
        )
        .route("/desk/reports/{ticket}/status", post(report::change_status))
        .route("/desk/reports/{ticket}/assign", post(actions::assign))
        .route("/desk/reports/{ticket}/duplicate", post(actions::duplicate))
        .route("/desk/reports/{ticket}/reopen", post(actions::reopen))
        .route("/desk/reports/{ticket}/recheck", post(recheck::recheck))
        .route("/desk/rechecks", get(recheck::rechecks_page))
        .route("/desk/photos/{ticket}/{position}", get(report::photo))
        .route("/desk/overview", get(overview::overview))
        .route("/desk/audit", get(overview::audit))
        .route(
            "/desk/login",
            get(login::login_page)
                .post(login::login)
                .layer(DefaultBodyLimit::max(login::LOGIN_MAX_BODY)),
        )
        .route("/desk/logout", post(login::logout))
        .route("/desk/logins", get(logins::logins_page))
        .route("/desk/logins/clear", post(logins::clear))
        .route(
            "/desk/password",
            get(login::password_page).post(login::change_password),
        )
        .route("/desk/static/desk.css", get(layout::stylesheet))
}

/// The layers every `/desk/` answer gets; applied by `routes::router` after other modules'
/// routes are merged, so theirs get them too.
pub fn layers(router: Router<Arc<AppState>>) -> Router<Arc<AppState>> {
    router
        // Innermost, so an error page gets the language link and the headers as well.
        .layer(middleware::from_fn(error::in_page_lang))
        .layer(middleware::from_fn(i18n::remember_lang))
        .layer(middleware::from_fn(layout::headers))
}
