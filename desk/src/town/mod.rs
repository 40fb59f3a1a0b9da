//! The town's view: `/desk/stats`, the 12345 yardstick community by community and month by
//! month. Town and admin accounts read every community; staff their own. The figures come
//! from `crate::stats` (pure); this module picks the rows, the period and draws the page.

mod charts;
mod export;
mod page;
mod query;
mod rectify;
mod source;
mod xlsx;

use crate::state::AppState;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

/// Merged into the staff pages' router (their extractors, layers and frame).
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/desk/stats", get(page::stats_page))
        .route("/desk/stats.xlsx", get(export::stats_xlsx))
        .route("/desk/stats/print", get(export::stats_print))
}
