//! Dispatch (派单) from a report's page: staff pick a unit that serves the report's area, a
//! due time (the category's default from `[deadlines]`) and an instruction. The change goes
//! through `apply_change` like every other, so the task, the report's history event (the
//! resident sees "passed to the property company", never a person's name), the audit line
//! and the unit robot's message are one transaction.

use super::admin::kind_name;
use super::due::{from_input, to_input};
use super::tasks::state_name;
use crate::config::units::Unit;
use crate::staff::actions::{apply, back, report_to_change, resident_lang, trimmed};
use crate::staff::auth::Staff;
use crate::staff::csrf::CsrfForm;
use crate::staff::error::PageResult;
use crate::staff::i18n::{tr, Lang};
use crate::staff::layout::csrf_input;
use crate::staff::rules::local_time;
use crate::state::AppState;
use crate::store::{Change, DeskReport, Dispatch, Task};
use axum::extract::{Path, State};
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

/// Longest instruction.
pub const INSTRUCTION_MAX: usize = 500;

/// The active units that serve this report's area.
pub fn units_for(state: &AppState, report: &DeskReport) -> Vec<Unit> {
    state.units.serving(&report.report.community)
}

/// The report page's section: its tasks so far, and the dispatch form while it is open and
/// no task is live.
pub fn section(
    state: &AppState,
    staff: &Staff,
    report: &DeskReport,
    tasks: &[Task],
    seen: i64,
) -> Markup {
    let lang = staff.lang;
    let t = |zh, en| tr(lang, zh, en);
    let units = units_for(state, report);
    let live = tasks.iter().any(|task| task.state.is_live());
    let due = state.now_ms()
        + state
            .config
            .deadlines
            .for_category(&report.report.category)
            .as_millis() as i64;
    let unit_name = |id: &str| state.units.get(id).map_or(id.to_owned(), |u| u.name);
    html! {
        section.card aria-labelledby="h-dispatch" {
            h2 #h-dispatch { (t("派单整改", "Dispatch")) }
            @if !tasks.is_empty() {
                ol.history {
                    @for task in tasks {
                        li {
                            strong { (unit_name(&task.unit)) } " · " (state_name(task.state, lang))
                            br; (t("期限：", "Due: ")) (local_time(Some(task.due_at)))
                            br; (t("要求：", "Instruction: ")) (task.instruction)
                            @if let Some(note) = &task.answer_note {
                                br; (t("单位答复：", "Unit's answer: ")) (note)
                            }
                            @if let Some(note) = &task.review_note {
                                br; (t("复查意见：", "Review: ")) (note)
                            }
                            @if task.state.is_live() {
                                br; a href={ "/desk/reports/" (report.report.ticket) "/tasks/" (task.id) "/notice" } {
                                    (t("打印整改通知书", "Print the rectification notice"))
                                }
                            }
                            (super::share::button(staff, &report.report.ticket, task))
                            (super::review::forms(state, staff, report, task))
                        }
                    }
                }
            }
            @if report.report.status.is_final() || live {
            } @else if units.is_empty() {
                p.hint { (t("没有服务本小区的处置单位（见配置文件 [[unit]]）。", "No handling unit serves this community ([[unit]] in the configuration).")) }
            } @else {
                form method="post" action={ "/desk/reports/" (report.report.ticket) "/dispatch" } {
                    (csrf_input(staff))
                    input type="hidden" name="seen" value=(seen);
                    label for="d-unit" { (t("处置单位", "Handling unit")) }
                    select #d-unit name="unit" {
                        @for unit in &units {
                            option value=(unit.id) { (unit.name) "（" (kind_name(unit.kind, lang)) "）" }
                        }
                    }
                    label for="d-due" { (t("整改期限", "Due")) }
                    input #d-due type="datetime-local" name="due" value=(to_input(due)) required aria-describedby="d-due-hint";
                    p.hint #d-due-hint { (t("按类别默认，可修改（上海时间）。", "The category's default; change it if needed (Shanghai time).")) }
                    label for="d-instruction" { (t("整改要求", "What to fix")) }
                    textarea #d-instruction name="instruction" required maxlength=(INSTRUCTION_MAX) {}
                    button type="submit" { (t("派单", "Dispatch")) }
                }
            }
        }
    }
}

#[derive(Deserialize)]
pub struct DispatchForm {
    seen: Option<i64>,
    unit: String,
    due: String,
    instruction: Option<String>,
}

/// What the resident reads: the kind of unit and the deadline, no person's name.
fn public_note(unit: &Unit, due_at: i64, lang: Lang) -> String {
    let due = local_time(Some(due_at));
    match lang {
        Lang::Zh => format!("已转交{}处理，要求 {due} 前整改完毕。", unit.kind.name_zh()),
        Lang::En => format!(
            "Passed to the {}, to be fixed by {due}.",
            unit.kind.name_en()
        ),
    }
}

/// `POST /desk/reports/{ticket}/dispatch`
pub async fn dispatch(
    State(state): State<Arc<AppState>>,
    staff: Staff,
    Path(ticket): Path<String>,
    CsrfForm(form): CsrfForm<DispatchForm>,
) -> PageResult {
    let Some(report) = report_to_change(&state, &staff, &ticket, form.seen).await? else {
        return Ok(back(&ticket, "error", "changed"));
    };
    let serving = units_for(&state, &report);
    let Some(unit) = serving.iter().find(|u| u.id == form.unit.trim()) else {
        return Ok(back(&ticket, "error", "bad_unit"));
    };
    let now = state.now_ms();
    let Some(due_at) = from_input(&form.due).filter(|due| *due > now) else {
        return Ok(back(&ticket, "error", "bad_due"));
    };
    let Some(instruction) = trimmed(&form.instruction) else {
        return Ok(back(&ticket, "error", "instruction_required"));
    };
    if instruction.chars().count() > INSTRUCTION_MAX {
        return Ok(back(&ticket, "error", "note_too_long"));
    }
    let change = Change::Dispatch {
        public_note: public_note(unit, due_at, resident_lang(&report)),
        internal_note: format!("{} → {}：{instruction}", staff.name, unit.name),
        dispatch: Dispatch {
            task: crate::ids::random_uuid(),
            unit: unit.id.clone(),
            due_at,
            instruction,
            channel: unit.channel.as_ref().map(|c| c.name.clone()),
        },
    };
    apply(&state, &staff, &ticket, change, Some(&unit.id)).await
}
