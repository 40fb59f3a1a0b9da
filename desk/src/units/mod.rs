//! The handling units' side of the desk (处置单位): the admins' list of units, a unit
//! account's own pages (its tasks, on a phone), the gate that keeps unit accounts to those
//! pages, and the staff's dispatch of a report to a unit.

pub mod admin;
pub mod answer;
pub mod badge;
pub mod book;
pub mod dispatch;
pub mod due;
pub mod gate;
pub mod multipart;
pub mod notice;
pub mod review;
pub mod share;
pub mod tasks;

use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

/// The channel of `unit`'s own robot, if it has one.
pub fn robot_of(state: &AppState, unit: &str) -> Option<String> {
    state.units.get(unit)?.channel.map(|c| c.name)
}

/// The units' pages under `/desk/`, merged into the staff router (same layers).
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/desk/units", get(admin::units_page).post(admin::save))
        .route("/desk/units/{id}/active", post(admin::set_active))
        .route("/desk/units/{id}/delete", post(admin::delete))
        .route("/desk/tasks", get(tasks::list_page))
        .route("/desk/tasks/{id}", get(tasks::task_page))
        .route("/desk/tasks/{id}/photo", get(tasks::photo))
        .route("/desk/tasks/{id}/done", post(answer::done))
        .route("/desk/tasks/{id}/return", post(answer::give_back))
        .route("/desk/tasks/{id}/more-time", post(answer::more_time))
        .route(
            "/desk/reports/{ticket}/tasks/{id}/more-time",
            post(review::decide_more_time),
        )
        .route(
            "/desk/reports/{ticket}/tasks/{id}/review",
            post(review::review),
        )
        .route(
            "/desk/reports/{ticket}/tasks/{id}/notice",
            get(notice::notice),
        )
        .route("/desk/reports/{ticket}/dispatch", post(dispatch::dispatch))
        .route(
            "/desk/reports/{ticket}/tasks/{id}/share-contact",
            post(share::share_contact),
        )
}
