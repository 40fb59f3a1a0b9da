//! The change-of-state form and what it posts to. "Resolved as solved" (已解决) without a
//! passed review (复查) needs an override with a reason the audit log keeps; its field
//! appears when "solved" is chosen (CSS, no script), only on a report with no passed
//! review. A refusal of the override comes back as the page itself, the error next to the
//! field and everything typed still in the form.

use super::actions::{apply_back, back, report_to_change, resident_lang, trimmed, INTERNAL_MAX};
use super::auth::Staff;
use super::error::PageError;
use super::i18n::{tr, Lang};
use super::layout::csrf_input;
use super::messages::error_message;
use super::rules::{note_or_template, TEMPLATES};
use crate::state::AppState;
use crate::store::{next_states, Applied, Change, DeskReport, Resolution};
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;
use xinjing_contract::ticket::NOTE_MAX;
use xinjing_contract::TicketStatus;

/// What the form posts, kept as typed to fill the form again after a refusal.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct StatusForm {
    seen: Option<i64>,
    status: String,
    resolution: Option<String>,
    template: Option<String>,
    public_note: Option<String>,
    internal_note: Option<String>,
    override_reason: Option<String>,
}

/// A form refused: what was typed, and why (an error code of `messages`).
pub type Draft<'a> = (&'a StatusForm, &'static str);

/// The "change state" card. `reviewed`: the report has a passed review (no override).
pub fn section(
    staff: &Staff,
    report: &DeskReport,
    seen: i64,
    reviewed: bool,
    draft: Option<Draft>,
) -> Markup {
    let lang = staff.lang;
    let t = |zh, en| tr(lang, zh, en);
    let typed = draft.map(|(form, _)| form.clone()).unwrap_or_default();
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    html! {
        section.card aria-labelledby="h-status" {
            h2 #h-status { (t("更改状态", "Change state")) }
            form method="post" action={ "/desk/reports/" (report.report.ticket) "/status" } {
                (csrf_input(staff))
                input type="hidden" name="seen" value=(seen);
                label for="status" { (t("新状态", "New state")) }
                select #status name="status" {
                    @for s in next_states(report.report.status) {
                        option value=(s.code()) selected[typed.status == s.code()] { (s.name(lang)) }
                    }
                }
                (resolution_fields(lang, typed.resolution.as_deref()))
                @if !reviewed {
                    (override_field(lang, &text(&typed.override_reason), draft.map(|(_, e)| e)))
                }
                label for="s-template" { (t("常用回复", "Response template")) }
                select #s-template name="template" aria-describedby="s-template-hint" {
                    (template_options(lang, typed.template.as_deref()))
                }
                p.hint #s-template-hint {
                    (t("公开说明留空时，使用所选常用回复（按居民的语言）。不予受理须写明原因。",
                       "If the public note is empty, the template is used (in the resident's language). Rejecting needs a reason."))
                }
                label for="s-public" { (t("公开说明（居民可见）", "Public note (the resident sees it)")) }
                textarea #s-public name="public_note" maxlength=(NOTE_MAX) { (text(&typed.public_note)) }
                label for="s-internal" { (t("内部备注（仅工作人员可见）", "Internal note (staff only)")) }
                textarea #s-internal name="internal_note" maxlength=(INTERNAL_MAX) { (text(&typed.internal_note)) }
                button type="submit" { (t("保存状态", "Save state")) }
            }
        }
    }
}

/// How a report being resolved was resolved: asked every time (no default), needed with
/// "resolved" only. Without script the choice is always there; the server checks it.
fn resolution_fields(lang: Lang, chosen: Option<&str>) -> Markup {
    let t = |zh, en| tr(lang, zh, en);
    html! {
        fieldset.resolution aria-describedby="resolution-hint" {
            legend { (t("办结类型（改为“已办结”时必选）", "How it was resolved (needed for “resolved”)")) }
            @for r in Resolution::ALL {
                label.choice {
                    input type="radio" name="resolution" value=(r.code()) checked[chosen == Some(r.code())];
                    " " (resolution_name(r, lang))
                }
            }
            p.hint #resolution-hint {
                (t("已解决：隐患已消除；已解释说明：已向居民说明情况，无需整改。",
                   "Solved: the hazard is gone. Explained: the resident was told why nothing needs fixing."))
            }
        }
    }
}

/// The override's reason, shown (by the stylesheet) once "solved" is chosen.
fn override_field(lang: Lang, typed: &str, error: Option<&'static str>) -> Markup {
    let t = |zh, en| tr(lang, zh, en);
    let described = if error.is_some() {
        "override-error"
    } else {
        "override-hint"
    };
    html! {
        div.override {
            label for="s-override" { (t("例外原因（未经复查通过）", "Reason for the exception (no passed review)")) }
            textarea #s-override name="override_reason" maxlength=(NOTE_MAX) aria-describedby=(described) { (typed) }
            @if let Some(error) = error {
                p.error #override-error role="alert" { (error_message(lang, error)) }
            } @else {
                p.hint #override-hint {
                    (t("本工单没有复查通过的整改。选“已解决”须说明原因，记入审计日志。",
                       "No fix of this report passed a review. “Solved” needs a reason, kept in the audit log."))
                }
            }
        }
    }
}

/// The name staff read for a resolution.
pub fn resolution_name(r: Resolution, lang: Lang) -> &'static str {
    match r {
        Resolution::Solved => tr(lang, "已解决", "Solved"),
        Resolution::Explained => tr(lang, "已解释说明", "Explained"),
    }
}

/// The templates' texts, for the forms' select (shown in the staff member's language).
fn template_options(lang: Lang, chosen: Option<&str>) -> Markup {
    html! {
        option value="" { (tr(lang, "（不使用）", "(none)")) }
        @for t in &TEMPLATES {
            option value=(t.code) selected[chosen == Some(t.code)] { (t.text(lang)) }
        }
    }
}

/// `POST /desk/reports/{ticket}/status` (its route is the report page's, which shows a
/// refusal): the page's answer, or the error code the override was refused with.
pub(super) async fn change_status(
    state: &AppState,
    staff: &Staff,
    ticket: &str,
    form: &StatusForm,
) -> Result<Result<Response, &'static str>, PageError> {
    let Some(report) = report_to_change(state, staff, ticket, form.seen).await? else {
        return Ok(Ok(back(ticket, "error", "changed")));
    };
    let Some(status) = TicketStatus::from_code(&form.status)
        .filter(|s| next_states(report.report.status).contains(s))
    else {
        return Ok(Ok(back(ticket, "error", "bad_status")));
    };
    let resolution = form.resolution.as_deref().and_then(Resolution::from_code);
    if status == TicketStatus::Resolved && resolution.is_none() {
        return Ok(Ok(back(ticket, "error", "resolution_required")));
    }
    let Some(public_note) = note_or_template(
        form.public_note.as_deref(),
        form.template.as_deref(),
        resident_lang(&report),
    ) else {
        return Ok(Ok(back(ticket, "error", "note_required")));
    };
    let internal_note = trimmed(&form.internal_note);
    if public_note.chars().count() > NOTE_MAX
        || internal_note
            .as_ref()
            .is_some_and(|n| n.chars().count() > INTERNAL_MAX)
    {
        return Ok(Ok(back(ticket, "error", "note_too_long")));
    }
    let override_reason = trimmed(&form.override_reason);
    if override_reason
        .as_ref()
        .is_some_and(|r| r.chars().count() > NOTE_MAX)
    {
        return Ok(Err("override_too_long"));
    }
    let detail = format!("{} → {}", report.report.status.code(), status.code());
    let change = Change::Status {
        status,
        resolution,
        public_note,
        internal_note,
        override_reason,
    };
    let now = state.now_ms();
    match state
        .store
        .apply_change(ticket, &change, &staff.name, Some(&detail), now)
        .await?
    {
        Applied::NeedsOverride => Ok(Err("override_required")),
        applied => apply_back(staff, ticket, "status", applied).map(Ok),
    }
}
