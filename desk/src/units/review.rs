//! What staff do with a unit's answer, on the report's page: grant or refuse the time a
//! unit asked for, and review (复查) a task the unit says is done, the after-photo beside
//! the resident's. A pass is one change through `apply_change`: the task passes and the
//! report is resolved as solved (its public note is the review's), together or not at all;
//! a fail sends the task back to the unit with the reason and a new due time.

use super::due::{from_input, to_input};
use crate::staff::access::workable_report;
use crate::staff::actions::{back, trimmed};
use crate::staff::auth::Staff;
use crate::staff::csrf::CsrfForm;
use crate::staff::error::{PageError, PageResult};
use crate::staff::i18n::tr;
use crate::staff::layout::csrf_input;
use crate::staff::rules::local_time;
use crate::state::AppState;
use crate::store::{Applied, Change, DeskReport, Task, TaskApplied, TaskChange, TaskState};
use axum::extract::{Path, State};
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;
use xinjing_contract::ticket::NOTE_MAX;

/// The forms for one task of the report, when it waits for staff.
pub fn forms(state: &AppState, staff: &Staff, report: &DeskReport, task: &Task) -> Markup {
    // Only those who may work the report review it (the town reads it only).
    if !staff.can_work(&report.report.community) {
        return html! {};
    }
    let lang = staff.lang;
    let t = |zh, en| tr(lang, zh, en);
    let base = format!("/desk/reports/{}/tasks/{}", report.report.ticket, task.id);
    let asked = task.state == TaskState::Open && task.extension_state.as_deref() == Some("asked");
    let again = state.now_ms()
        + state
            .config
            .deadlines
            .for_category(&report.report.category)
            .as_millis() as i64;
    html! {
        @if asked {
            form method="post" action={ (base) "/more-time" } {
                (csrf_input(staff))
                p {
                    (t("单位申请延期至 ", "The unit asks for time until "))
                    (local_time(task.extension_until)) "："
                    (task.extension_reason.as_deref().unwrap_or(""))
                }
                button type="submit" name="decision" value="grant" { (t("批准延期", "Grant")) }
                button type="submit" name="decision" value="refuse" class="secondary" { (t("不批准", "Refuse")) }
            }
        }
        @if task.state == TaskState::Answered {
            div.photos {
                a href={ "/desk/tasks/" (task.id) "/photo" } {
                    img src={ "/desk/tasks/" (task.id) "/photo" } alt=(t("整改后照片", "Photo after fixing"));
                }
            }
            form method="post" action={ (base) "/review" } {
                (csrf_input(staff))
                fieldset {
                    legend { (t("复查结果", "Review")) }
                    input #v-pass type="radio" name="decision" value="pass" required;
                    " " label.inline for="v-pass" { (t("通过（办结，居民可见说明）", "Pass (resolves the report; the resident reads the note)")) }
                    br;
                    input #v-fail type="radio" name="decision" value="fail";
                    " " label.inline for="v-fail" { (t("不通过，退回单位重新整改", "Fail: back to the unit")) }
                }
                label for="v-note" { (t("说明（通过：居民可见；不通过：告诉单位原因）", "Note (pass: the resident reads it; fail: the reason for the unit)")) }
                textarea #v-note name="note" required maxlength=(NOTE_MAX) {}
                input #v-public type="checkbox" name="photo_public" value="on";
                " " label.inline for="v-public" { (t("通过时向居民公开整改后照片", "On a pass, show the after-photo to the resident")) }
                br;
                label for="v-due" { (t("不通过时的新期限", "New due time if it fails")) }
                input #v-due type="datetime-local" name="due" value=(to_input(again));
                button type="submit" { (t("保存复查结果", "Save the review")) }
            }
        }
    }
}

/// The report's task `id`, if this account may act on the report.
async fn report_task(
    state: &AppState,
    staff: &Staff,
    ticket: &str,
    id: &str,
) -> Result<(DeskReport, Task), PageError> {
    let report = workable_report(state, staff, ticket).await?;
    match state.store.task(id).await? {
        Some(task) if task.ticket == report.report.ticket => Ok((report, task)),
        _ => Err(PageError::not_found(staff)),
    }
}

async fn task_change(
    state: &AppState,
    staff: &Staff,
    ticket: &str,
    id: &str,
    change: TaskChange,
) -> PageResult {
    match state
        .store
        .task_change(id, &change, &staff.name, state.now_ms())
        .await?
    {
        TaskApplied::Done => Ok(back(ticket, "done", change.action())),
        TaskApplied::NotNow => Ok(back(ticket, "error", "changed")),
        TaskApplied::Unknown => Err(PageError::not_found(staff)),
    }
}

#[derive(Deserialize)]
pub struct DecisionForm {
    decision: String,
    note: Option<String>,
    due: Option<String>,
    photo_public: Option<String>,
}

/// `POST /desk/reports/{ticket}/tasks/{id}/more-time`: grant or refuse.
pub async fn decide_more_time(
    State(state): State<Arc<AppState>>,
    staff: Staff,
    Path((ticket, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> PageResult {
    report_task(&state, &staff, &ticket, &id).await?;
    let grant = match form.decision.as_str() {
        "grant" => true,
        "refuse" => false,
        _ => return Ok(back(&ticket, "error", "bad_decision")),
    };
    let change = TaskChange::DecideMoreTime { grant };
    task_change(&state, &staff, &ticket, &id, change).await
}

/// `POST /desk/reports/{ticket}/tasks/{id}/review`: pass or fail.
pub async fn review(
    State(state): State<Arc<AppState>>,
    staff: Staff,
    Path((ticket, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> PageResult {
    let (report, task) = report_task(&state, &staff, &ticket, &id).await?;
    let Some(note) = trimmed(&form.note) else {
        return Ok(back(&ticket, "error", "note_required"));
    };
    if note.chars().count() > NOTE_MAX {
        return Ok(back(&ticket, "error", "note_too_long"));
    }
    if task.state != TaskState::Answered {
        return Ok(back(&ticket, "error", "changed"));
    }
    match form.decision.as_str() {
        "pass" => {
            let detail = format!("{} → resolved (review)", report.report.status.code());
            let change = Change::ReviewPass {
                task: id.clone(),
                note,
                // Unticked (the default), the photo stays with the committee.
                public_photo: form.photo_public.is_some(),
            };
            let now = state.now_ms();
            match state
                .store
                .apply_change(&ticket, &change, &staff.name, Some(&detail), now)
                .await?
            {
                Applied::Done => Ok(back(&ticket, "done", change.action())),
                // The report or the task moved on meanwhile (another desk): nothing kept.
                Applied::NotNow | Applied::NeedsOverride => Ok(back(&ticket, "error", "changed")),
                Applied::Unknown => Err(PageError::not_found(&staff)),
            }
        }
        "fail" => {
            let now = state.now_ms();
            let Some(due_at) = form
                .due
                .as_deref()
                .and_then(from_input)
                .filter(|d| *d > now)
            else {
                return Ok(back(&ticket, "error", "bad_due"));
            };
            let change = TaskChange::Fail {
                reason: note,
                due_at,
                robot: super::robot_of(&state, &task.unit),
            };
            task_change(&state, &staff, &ticket, &id, change).await
        }
        _ => Ok(back(&ticket, "error", "bad_decision")),
    }
}
