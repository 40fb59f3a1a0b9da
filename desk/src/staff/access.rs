//! Who may open which report: an account sees the reports of its communities (admins all);
//! any other report answers 404, as if it did not exist.

use super::auth::Staff;
use super::error::PageError;
use crate::state::AppState;
use crate::store::DeskReport;

/// The report, if this account may see it; otherwise the 404 page.
pub async fn visible_report(
    state: &AppState,
    staff: &Staff,
    ticket: &str,
) -> Result<DeskReport, PageError> {
    match state.store.desk_report(ticket).await? {
        Some(report) if staff.can_see(&report.report.community) => Ok(report),
        _ => Err(PageError::not_found(staff)),
    }
}
