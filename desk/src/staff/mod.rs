//! The staff pages under `/desk/`: server-rendered HTML forms (maud), no JavaScript,
//! Chinese by default with an English switch, a strict CSP.
//!
//! `routes()` is the desk's `/desk/` router; the posters and campaigns pages of other
//! modules are merged into it and share its extractors (`auth::Staff`, `auth::Admin`,
//! `csrf::CsrfForm`) and frame (`layout::page`).

pub mod auth;
pub mod csrf;
pub mod i18n;
pub mod layout;
mod login;

use crate::state::AppState;
use axum::middleware;
use axum::response::Redirect;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

/// Every staff page. Mounted by `http::router`.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/desk", get(|| async { Redirect::permanent("/desk/") }))
        .route("/desk/", get(list_placeholder))
        .route("/desk/login", get(login::login_page).post(login::login))
        .route("/desk/logout", axum::routing::post(login::logout))
        .route(
            "/desk/password",
            get(login::password_page).post(login::change_password),
        )
        .route("/desk/static/desk.css", get(layout::stylesheet))
}

/// The layers every `/desk/` answer gets; applied by `http::router` after other modules'
/// routes are merged, so theirs get them too.
pub fn layers(router: Router<Arc<AppState>>) -> Router<Arc<AppState>> {
    router
        .layer(middleware::from_fn(i18n::remember_lang))
        .layer(middleware::from_fn(layout::headers))
}

async fn list_placeholder(staff: auth::Staff) -> maud::Markup {
    let lang = staff.lang;
    layout::page(
        Some(&staff),
        lang,
        i18n::tr(lang, "问题清单", "Problem list"),
        maud::html! {},
    )
}
