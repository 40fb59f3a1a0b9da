//! A unit account's pages, made for a phone: `/desk/tasks` lists its unit's tasks (what is
//! due first on top), `/desk/tasks/{id}` shows one. Only the place, the category and the
//! committee's instruction: never the resident's own words, and their name and phone
//! number only while staff share them for that task ([`super::share`]). Another unit's
//! task answers 404, as if it did not exist.

use super::due::span;
use crate::notify::message::clean;
use crate::staff::auth::Staff;
use crate::staff::error::{PageError, PageResult};
use crate::staff::i18n::{tr, Lang};
use crate::staff::layout::page;
use crate::staff::list::category_name;
use crate::staff::rules::local_time;
use crate::state::AppState;
use crate::store::{Task, TaskState};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

/// Tasks shown on a unit's list.
const LIST_MAX: i64 = 200;
/// Longest part of a place shown.
const PLACE_CHARS: usize = 80;

/// The task, if this account may see it: a unit account of its unit, or staff who see
/// its report's community.
pub async fn visible_task(state: &AppState, staff: &Staff, id: &str) -> Result<Task, PageError> {
    match state.store.task(id).await? {
        Some(task)
            if staff.unit.as_deref() == Some(task.unit.as_str())
                || staff.can_see(&task.community) =>
        {
            Ok(task)
        }
        _ => Err(PageError::not_found(staff)),
    }
}

pub fn state_name(state: TaskState, lang: Lang) -> &'static str {
    match state {
        TaskState::Open => tr(lang, "待整改", "To fix"),
        TaskState::Answered => tr(lang, "已整改，待复查", "Done, awaiting review"),
        TaskState::Returned => tr(lang, "已退单", "Returned"),
        TaskState::Passed => tr(lang, "复查通过", "Passed review"),
        TaskState::Cancelled => tr(lang, "事件已办结，任务终止", "Report closed, task ended"),
    }
}

/// "还剩 …" / "已超时 …" for a live task; nothing for the others.
pub fn time_left(task: &Task, now: i64, lang: Lang) -> Option<(bool, String)> {
    if !task.state.is_live() || task.state == TaskState::Answered {
        return None;
    }
    let left = task.due_at - now;
    let en = lang == Lang::En;
    Some(if left >= 0 {
        (
            false,
            format!("{}{}", tr(lang, "还剩 ", "Left: "), span(left, en)),
        )
    } else {
        (
            true,
            format!("{}{}", tr(lang, "已超时 ", "Overdue by "), span(left, en)),
        )
    })
}

/// The place as the resident typed it, with what could be a phone number or a link
/// masked, as for the robots: the unit is not the committee.
pub fn place(task: &Task) -> String {
    [&task.community, &task.building, &task.detail]
        .iter()
        .map(|s| clean(s, PLACE_CHARS))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `GET /desk/tasks`: the unit's tasks.
pub async fn list_page(State(state): State<Arc<AppState>>, staff: Staff) -> PageResult {
    let Some(unit) = staff.unit.clone() else {
        return Err(PageError::not_found(&staff));
    };
    let lang = staff.lang;
    let t = |zh, en| tr(lang, zh, en);
    let tasks = state.store.tasks_of_unit(&unit, LIST_MAX).await?;
    let now = state.now_ms();
    let name = state.units.get(&unit).map_or(unit.clone(), |u| u.name);
    let body = html! {
        p.hint { (name) }
        @if tasks.is_empty() {
            p.card { (t("暂无派给本单位的任务。", "No tasks for this unit.")) }
        }
        @for task in &tasks {
            @let left = time_left(task, now, lang);
            article.card.task.overdue[left.as_ref().is_some_and(|(late, _)| *late)] {
                h2 { a href={ "/desk/tasks/" (task.id) } { (task.ticket) " · " (category_name(&task.category, lang)) } }
                p { (place(task)) }
                p {
                    span.badge { (state_name(task.state, lang)) }
                    @if let Some((late, text)) = &left {
                        " " span.badge.overdue[*late] { (text) }
                    }
                }
                p.hint { (t("整改期限：", "Due: ")) (local_time(Some(task.due_at))) }
            }
        }
    };
    Ok(page(Some(&staff), lang, t("我的任务", "My tasks"), body).into_response())
}

/// What an answer redirects back with.
#[derive(Deserialize, Default)]
pub struct TaskQuery {
    done: Option<String>,
    error: Option<String>,
}

/// `GET /desk/tasks/{id}`: one task, and the unit's answer forms while it is open.
pub async fn task_page(
    State(state): State<Arc<AppState>>,
    staff: Staff,
    Path(id): Path<String>,
    Query(q): Query<TaskQuery>,
) -> PageResult {
    let task = visible_task(&state, &staff, &id).await?;
    let lang = staff.lang;
    let t = |zh, en| tr(lang, zh, en);
    let now = state.now_ms();
    let title = format!("{} {}", t("整改任务", "Task"), task.ticket);
    let contact = super::share::contact(&state, &staff, &task).await?;
    let body = html! {
        @if let Some(done) = &q.done {
            p.ok role="status" { (super::answer::message(lang, done)) }
        }
        @if let Some(error) = &q.error {
            p.error role="alert" { (super::answer::message(lang, error)) }
        }
        (details(&task, now, lang))
        (contact)
        (super::answer::forms(&staff, &task))
    };
    Ok(page(Some(&staff), lang, &title, body).into_response())
}

fn details(task: &Task, now: i64, lang: Lang) -> Markup {
    let t = |zh, en| tr(lang, zh, en);
    let left = time_left(task, now, lang);
    html! {
        section.card aria-labelledby="h-task" {
            h2 #h-task { (t("任务详情", "Task")) }
            dl.fields {
                dt { (t("状态", "State")) }
                dd {
                    (state_name(task.state, lang))
                    @if let Some((late, text)) = &left {
                        " " span.badge.overdue[*late] { (text) }
                    }
                }
                dt { (t("类别", "Category")) }
                dd { (category_name(&task.category, lang)) }
                dt { (t("地点", "Place")) }
                dd { (place(task)) }
                dt { (t("整改要求", "What to fix")) }
                dd { (task.instruction) }
                dt { (t("派单时间", "Dispatched")) }
                dd { (local_time(Some(task.dispatched_at))) }
                dt { (t("整改期限", "Due")) }
                dd { (local_time(Some(task.due_at))) }
                @if let Some(state) = &task.extension_state {
                    dt { (t("延期申请", "More time")) }
                    dd {
                        (extension_name(state, lang)) " · "
                        (local_time(task.extension_until)) " · "
                        (task.extension_reason.as_deref().unwrap_or(""))
                    }
                }
                @if let Some(note) = &task.review_note {
                    dt { (t("复查意见", "Review")) }
                    dd { (note) }
                }
                @if let Some(note) = &task.answer_note {
                    dt { (t("单位答复", "Unit's answer")) }
                    dd { (note) }
                }
            }
            @if task.photo_key.is_some() {
                h3 { (t("整改后照片", "After")) }
                div.photos {
                    img src={ "/desk/tasks/" (task.id) "/photo" } alt=(t("整改后照片", "Photo after fixing"));
                }
            }
        }
    }
}

pub fn extension_name(state: &str, lang: Lang) -> &'static str {
    match state {
        "asked" => tr(lang, "待居委答复", "awaiting the committee"),
        "granted" => tr(lang, "已批准", "granted"),
        _ => tr(lang, "未批准", "refused"),
    }
}

/// `GET /desk/tasks/{id}/photo`: the after-photo, to the unit and the report's staff.
pub async fn photo(
    State(state): State<Arc<AppState>>,
    staff: Staff,
    Path(id): Path<String>,
) -> PageResult {
    let task = visible_task(&state, &staff, &id).await?;
    let Some(key) = task.photo_key else {
        return Err(PageError::not_found(&staff));
    };
    let bytes = state.photos.get(&key).await?;
    Ok(([(header::CONTENT_TYPE, "image/jpeg")], bytes).into_response())
}
