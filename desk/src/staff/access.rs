//! Who may open which report: an account sees the reports of its communities (admins all);
//! any other report answers 404, as if it did not exist.

use super::auth::Staff;
use super::layout;
use crate::state::AppState;
use crate::store::DeskReport;
use axum::response::Response;

/// The report, if this account may see it; otherwise the 404 page.
pub async fn visible_report(
    state: &AppState,
    staff: &Staff,
    ticket: &str,
) -> Result<DeskReport, Response> {
    match state.store.desk_report(ticket).await {
        Ok(Some(report)) if staff.can_see(&report.report.community) => Ok(report),
        Ok(_) => Err(layout::not_found(Some(staff), staff.lang)),
        Err(e) => Err(layout::storage_failed(e, staff.lang)),
    }
}
