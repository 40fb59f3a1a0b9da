//! The handling units' side of the desk (处置单位): the admins' list of units, a unit
//! account's own pages (its tasks, on a phone), the gate that keeps unit accounts to those
//! pages, and the staff's dispatch of a report to a unit.

pub mod admin;
pub mod dispatch;
pub mod due;
pub mod gate;
pub mod tasks;

use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

/// The units' pages under `/desk/`, merged into the staff router (same layers).
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/desk/units", get(admin::units_page))
        .route("/desk/tasks", get(tasks::list_page))
        .route("/desk/tasks/{id}", get(tasks::task_page))
        .route("/desk/reports/{ticket}/dispatch", post(dispatch::dispatch))
}
