//! Staff share the resident's contact with the unit for one task (a button beside a live
//! task on the report's page, audited): only then does the unit's task page show the
//! resident's name and phone, and only while the task is live. The page reads them from
//! the report each time, so a retention erasure erases them there too.

use crate::staff::access::workable_report;
use crate::staff::actions::back;
use crate::staff::auth::Staff;
use crate::staff::csrf::CsrfForm;
use crate::staff::error::{PageError, PageResult};
use crate::staff::i18n::tr;
use crate::staff::layout::csrf_input;
use crate::state::AppState;
use crate::store::{Task, TaskApplied, TaskChange};
use axum::extract::{Path, State};
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

/// The button's form: its CSRF token only.
#[derive(Deserialize)]
pub struct NoFields {}

/// The button beside a live task whose contact is not shared yet (staff who may see the
/// contact themselves only).
pub fn button(staff: &Staff, ticket: &str, task: &Task) -> Markup {
    let t = |zh, en| tr(staff.lang, zh, en);
    if !task.state.is_live() || staff.unit.is_some() || !staff.can_see_contact(&task.community) {
        return html! {};
    }
    html! {
        @if task.contact_shared_at.is_some() {
            br; span.badge { (t("已向单位提供居民联系方式", "Contact shared with the unit")) }
        } @else {
            form.inline method="post" action={ "/desk/reports/" (ticket) "/tasks/" (task.id) "/share-contact" } {
                (csrf_input(staff))
                button type="submit" class="secondary" { (t("向单位提供居民联系方式（仅本任务）", "Share the resident's contact with the unit (this task only)")) }
            }
        }
    }
}

/// `POST /desk/reports/{ticket}/tasks/{id}/share-contact`
pub async fn share_contact(
    State(state): State<Arc<AppState>>,
    staff: Staff,
    Path((ticket, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    let report = workable_report(&state, &staff, &ticket).await?;
    match state.store.task(&id).await? {
        Some(task) if task.ticket == report.report.ticket => {}
        _ => return Err(PageError::not_found(&staff)),
    }
    let change = TaskChange::ShareContact;
    match state
        .store
        .task_change(&id, &change, &staff.name, state.now_ms())
        .await?
    {
        TaskApplied::Done => Ok(back(&ticket, "done", change.action())),
        TaskApplied::NotNow => Ok(back(&ticket, "error", "changed")),
        TaskApplied::Unknown => Err(PageError::not_found(&staff)),
    }
}

/// The resident's name and phone on the unit's task page, for the unit's account (staff
/// reveal contacts on the report's page, audited), while shared and live.
pub async fn contact(state: &AppState, staff: &Staff, task: &Task) -> Result<Markup, PageError> {
    let lang = staff.lang;
    let theirs = staff.unit.as_deref() == Some(task.unit.as_str());
    if !theirs || task.contact_shared_at.is_none() || !task.state.is_live() {
        return Ok(html! {});
    }
    // A closed report hides it too, whatever the task's own state says.
    let Some(report) = state.store.report_by_ticket(&task.ticket).await? else {
        return Ok(html! {});
    };
    if report.status.is_final() {
        return Ok(html! {});
    }
    let (name, phone) = (report.contact_name, report.contact_phone);
    if name.is_none() && phone.is_none() {
        return Ok(html! {});
    }
    let t = |zh, en| tr(lang, zh, en);
    Ok(html! {
        section.card aria-labelledby="h-contact" {
            h2 #h-contact { (t("居民联系方式", "Resident's contact")) }
            p.hint { (t("居委会为本任务提供，仅用于整改联系，任务结束后不再显示。", "Shared by the committee for this task only, to arrange the fix; hidden once the task ends.")) }
            dl.fields {
                @if let Some(name) = &name {
                    dt { (t("姓名", "Name")) }
                    dd { (name) }
                }
                @if let Some(phone) = &phone {
                    dt { (t("电话", "Phone")) }
                    dd { a href={ "tel:" (phone) } { (phone) } }
                }
            }
        }
    })
}
