//! The forms that work a report, and what they post to: assignment, "duplicate of",
//! reopen (the change of state is `status`). Each answers with a redirect back to the
//! report's page (a reload repeats nothing).

use super::access::workable_report;
use super::auth::Staff;
use super::csrf::CsrfForm;
use super::error::{PageError, PageResult};
use super::i18n::{tr, Lang};
use super::layout::csrf_input;
use crate::state::AppState;
use crate::store::{next_states, Applied, Change, DeskReport};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;
use xinjing_contract::ticket::NOTE_MAX;

/// Longest internal note.
pub(crate) const INTERNAL_MAX: usize = 2000;

/// `seen`: the last history event the page shows; the forms that change the state carry it,
/// so a page left open while the report changed (the resident reopened it with a comment,
/// another desk closed it) cannot act on what it no longer shows.
/// (The change of state comes first, from `status`.)
pub fn forms(staff: &Staff, report: &DeskReport, assignees: &[String], seen: i64) -> Markup {
    let lang = staff.lang;
    let t = |zh, en| tr(lang, zh, en);
    let r = &report.report;
    let base = format!("/desk/reports/{}", r.ticket);
    let next = next_states(r.status);
    if !staff.can_work(&r.community) {
        return html! {
            section.card aria-labelledby="h-read-only" {
                h2 #h-read-only { (t("只读", "Read only")) }
                p { (t("镇级账号只能查看，由小区工作人员处理。", "A town account reads only; the community's staff handle the report.")) }
            }
        };
    }
    html! {
        @if !next.is_empty() {
            section.card aria-labelledby="h-duplicate" {
                h2 #h-duplicate { (t("标记为重复", "Mark as duplicate")) }
                form method="post" action={ (base) "/duplicate" } {
                    (csrf_input(staff))
                    input type="hidden" name="seen" value=(seen);
                    label for="of" { (t("重复于工单号", "Duplicate of ticket")) }
                    input #of type="text" name="of" required placeholder="XJ-20261130-0001" aria-describedby="of-hint";
                    p.hint #of-hint { (t("本工单将办结，居民会看到“已合并到 XJ-…”。", "This ticket closes; the resident sees “merged into XJ-…”.")) }
                    button type="submit" class="secondary" { (t("标记为重复", "Mark as duplicate")) }
                }
            }
        } @else {
            section.card aria-labelledby="h-reopen" {
                h2 #h-reopen { (t("重办", "Reopen")) }
                form method="post" action={ (base) "/reopen" } {
                    (csrf_input(staff))
                    input type="hidden" name="seen" value=(seen);
                    label for="r-public" { (t("公开说明（居民可见，可不填）", "Public note (the resident sees it; optional)")) }
                    textarea #r-public name="public_note" maxlength=(NOTE_MAX) {}
                    label for="r-internal" { (t("内部备注（仅工作人员可见）", "Internal note (staff only)")) }
                    textarea #r-internal name="internal_note" maxlength=(INTERNAL_MAX) {}
                    button type="submit" class="secondary" { (t("重办", "Reopen")) }
                }
            }
        }
        section.card aria-labelledby="h-assign" {
            h2 #h-assign { (t("指派", "Assign")) }
            form method="post" action={ (base) "/assign" } {
                (csrf_input(staff))
                label for="assignee" { (t("负责人", "Assignee")) }
                select #assignee name="assignee" {
                    option value="" { (t("（未指派）", "(nobody)")) }
                    @for name in assignees {
                        option value=(name) selected[report.assignee.as_deref() == Some(name.as_str())] { (name) }
                    }
                }
                button type="submit" class="secondary" { (t("保存指派", "Save assignment")) }
            }
        }
    }
}

pub(crate) fn back(ticket: &str, key: &str, value: &str) -> Response {
    Redirect::to(&format!("/desk/reports/{ticket}?{key}={value}")).into_response()
}

/// Whether the report's history still ends where the posting page's did (a form without
/// `seen` is not checked).
async fn changed_since(
    state: &AppState,
    ticket: &str,
    seen: Option<i64>,
) -> Result<bool, PageError> {
    let Some(seen) = seen else { return Ok(false) };
    let events = state.store.events(ticket).await?;
    Ok(events.last().map_or(0, |e| e.seq) != seen)
}

/// The report a state form acts on: one this account may see, unchanged since its page
/// showed event `seen` (else `None`: the page goes back with "the report changed").
pub(crate) async fn report_to_change(
    state: &AppState,
    staff: &Staff,
    ticket: &str,
    seen: Option<i64>,
) -> Result<Option<DeskReport>, PageError> {
    let report = workable_report(state, staff, ticket).await?;
    if changed_since(state, ticket, seen).await? {
        return Ok(None);
    }
    Ok(Some(report))
}

pub(crate) fn trimmed(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

pub(crate) fn resident_lang(report: &DeskReport) -> Lang {
    Lang::from_tag(&report.locale).unwrap_or_default()
}

pub(crate) async fn apply(
    state: &AppState,
    staff: &Staff,
    ticket: &str,
    change: Change,
    detail: Option<&str>,
) -> PageResult {
    let action = change.action();
    let applied = state
        .store
        .apply_change(ticket, &change, &staff.name, detail, state.now_ms())
        .await?;
    apply_back(staff, ticket, action, applied)
}

/// Back to the report's page with what became of a change (`action` if it was made).
pub(crate) fn apply_back(
    staff: &Staff,
    ticket: &str,
    action: &str,
    applied: Applied,
) -> PageResult {
    match applied {
        Applied::Done => Ok(back(ticket, "done", action)),
        Applied::NotNow => Ok(back(ticket, "error", "bad_status")),
        Applied::NeedsOverride => Ok(back(ticket, "error", "override_required")),
        Applied::Unknown => Err(PageError::not_found(staff)),
    }
}

#[derive(Deserialize)]
pub struct AssignForm {
    assignee: Option<String>,
}

/// `POST /desk/reports/{ticket}/assign`
pub async fn assign(
    State(state): State<Arc<AppState>>,
    staff: Staff,
    Path(ticket): Path<String>,
    CsrfForm(form): CsrfForm<AssignForm>,
) -> PageResult {
    let report = workable_report(&state, &staff, &ticket).await?;
    let assignee = trimmed(&form.assignee);
    if let Some(name) = &assignee {
        let fits = match state.store.account(name).await? {
            Some(a) => a.role == "admin" || a.communities.contains(&report.report.community),
            None => false,
        };
        if !fits {
            return Ok(back(&ticket, "error", "bad_assignee"));
        }
    }
    let detail = assignee.clone().unwrap_or_else(|| "-".into());
    apply(
        &state,
        &staff,
        &ticket,
        Change::Assign { assignee },
        Some(&detail),
    )
    .await
}

#[derive(Deserialize)]
pub struct DuplicateForm {
    seen: Option<i64>,
    of: String,
}

/// `POST /desk/reports/{ticket}/duplicate`
pub async fn duplicate(
    State(state): State<Arc<AppState>>,
    staff: Staff,
    Path(ticket): Path<String>,
    CsrfForm(form): CsrfForm<DuplicateForm>,
) -> PageResult {
    let Some(report) = report_to_change(&state, &staff, &ticket, form.seen).await? else {
        return Ok(back(&ticket, "error", "changed"));
    };
    if report.report.status.is_final() {
        return Ok(back(&ticket, "error", "bad_status"));
    }
    let of = form.of.trim().to_ascii_uppercase();
    if of == ticket {
        return Ok(back(&ticket, "error", "self_duplicate"));
    }
    // Only a ticket this account may see (others' tickets do not exist for it), and one
    // still being handled: merged into a closed one (or one merged back into this one),
    // the problem would be closed twice over and handled by nobody.
    match state.store.desk_report(&of).await? {
        Some(target) if staff.can_see(&target.report.community) => {
            if target.report.status.is_final() || target.merged_into.is_some() {
                return Ok(back(&ticket, "error", "duplicate_closed"));
            }
        }
        _ => return Ok(back(&ticket, "error", "no_such_ticket")),
    }
    let note = match resident_lang(&report) {
        Lang::Zh => format!("与工单 {of} 为同一问题，已合并处理。"),
        Lang::En => format!("This is the same problem as ticket {of}; they are handled together."),
    };
    let change = Change::Duplicate {
        of: of.clone(),
        public_note: note,
    };
    apply(&state, &staff, &ticket, change, Some(&of)).await
}

#[derive(Deserialize)]
pub struct ReopenForm {
    seen: Option<i64>,
    public_note: Option<String>,
    internal_note: Option<String>,
}

/// `POST /desk/reports/{ticket}/reopen`
pub async fn reopen(
    State(state): State<Arc<AppState>>,
    staff: Staff,
    Path(ticket): Path<String>,
    CsrfForm(form): CsrfForm<ReopenForm>,
) -> PageResult {
    let Some(report) = report_to_change(&state, &staff, &ticket, form.seen).await? else {
        return Ok(back(&ticket, "error", "changed"));
    };
    if !report.report.status.is_final() {
        return Ok(back(&ticket, "error", "bad_status"));
    }
    let public_note = trimmed(&form.public_note);
    let internal_note = trimmed(&form.internal_note);
    if public_note
        .as_ref()
        .is_some_and(|n| n.chars().count() > NOTE_MAX)
        || internal_note
            .as_ref()
            .is_some_and(|n| n.chars().count() > INTERNAL_MAX)
    {
        return Ok(back(&ticket, "error", "note_too_long"));
    }
    let change = Change::Reopen {
        public_note,
        internal_note,
    };
    apply(&state, &staff, &ticket, change, None).await
}
