//! Who may open which report: an account sees the reports of its communities (admins and
//! the town all); any other report answers 404, as if it did not exist. Working a report
//! (its forms) is for admins and its community's staff: the town reads only.

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

/// The report, if this account may work it (change it, assign it, merge it); otherwise
/// the 404 page, as for a report it cannot see.
pub async fn workable_report(
    state: &AppState,
    staff: &Staff,
    ticket: &str,
) -> Result<DeskReport, PageError> {
    let report = visible_report(state, staff, ticket).await?;
    if staff.can_work(&report.report.community) {
        Ok(report)
    } else {
        Err(PageError::not_found(staff))
    }
}
