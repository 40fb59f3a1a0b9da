//! 回头看 (check again) at `/desk/rechecks`: the resolved 飞线充电 and 电动车进楼道 reports
//! of this account's areas whose thirty days have passed, each with a form: still fixed, or
//! back again (复发), which opens a new report linked to the original.

use super::access::visible_report;
use super::actions::{back, trimmed};
use super::auth::Staff;
use super::csrf::CsrfForm;
use super::error::PageResult;
use super::i18n::tr;
use super::layout::{csrf_input, page};
use super::list::category_name;
use super::rules::local_time;
use crate::state::AppState;
use crate::store::{Checked, Recheck};
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use maud::html;
use serde::Deserialize;
use std::sync::Arc;
use xinjing_contract::ticket::NOTE_MAX;

/// `GET /desk/rechecks`
pub async fn rechecks_page(State(state): State<Arc<AppState>>, staff: Staff) -> PageResult {
    let lang = staff.lang;
    let t = |zh, en| tr(lang, zh, en);
    let visible = (!staff.is_admin()).then(|| staff.communities.clone());
    let due = state
        .store
        .rechecks_due(state.now_ms(), visible.as_deref())
        .await?;
    let body = html! {
        p.hint { (t("飞线充电、电动车进楼道问题办结 30 天后，请到现场再看一次。",
                    "Thirty days after a cable or e-bike hazard was resolved, look at the place again.")) }
        @if due.is_empty() {
            p.card { (t("暂无需要回头看的工单。", "Nothing to check again.")) }
        }
        @for (i, item) in due.iter().enumerate() {
            section.card aria-labelledby={ "h-r" (i) } {
                h2 id={ "h-r" (i) } { a href={ "/desk/reports/" (item.ticket) } { (item.ticket) } }
                p { (category_name(&item.category, lang)) " · " (item.community) " " (item.building) }
                p.hint { (t("办结于 ", "Resolved ")) (local_time(Some(item.resolved_at))) }
                form method="post" action={ "/desk/reports/" (item.ticket) "/recheck" } {
                    (csrf_input(&staff))
                    label for={ "r-note-" (i) } { (t("查看情况", "What you found")) }
                    textarea id={ "r-note-" (i) } name="note" maxlength=(NOTE_MAX) {}
                    button type="submit" name="outcome" value="fixed" { (t("未复发", "Still fixed")) }
                    button type="submit" name="outcome" value="relapse" class="danger" { (t("复发，开新工单", "Back again: open a new report")) }
                }
            }
        }
    };
    Ok(page(Some(&staff), lang, t("回头看", "Check again"), body).into_response())
}

#[derive(Deserialize)]
pub struct RecheckForm {
    outcome: String,
    note: Option<String>,
}

/// `POST /desk/reports/{ticket}/recheck`
pub async fn recheck(
    State(state): State<Arc<AppState>>,
    staff: Staff,
    Path(ticket): Path<String>,
    CsrfForm(form): CsrfForm<RecheckForm>,
) -> PageResult {
    visible_report(&state, &staff, &ticket).await?;
    let note = trimmed(&form.note);
    if note.as_ref().is_some_and(|n| n.chars().count() > NOTE_MAX) {
        return Ok(back(&ticket, "error", "note_too_long"));
    }
    let check = match (form.outcome.as_str(), note) {
        ("fixed", note) => Recheck::Fixed { note },
        ("relapse", Some(note)) => Recheck::Relapse { note },
        ("relapse", None) => return Ok(back(&ticket, "error", "note_required")),
        _ => return Ok(back(&ticket, "error", "bad_status")),
    };
    match state
        .store
        .recheck(&ticket, &check, &staff.name, state.now_ms())
        .await?
    {
        Checked::Done(Some(new)) => Ok(back(&new, "done", "recheck")),
        Checked::Done(None) => Ok(back(&ticket, "done", "recheck")),
        Checked::NotNow => Ok(back(&ticket, "error", "bad_status")),
    }
}
