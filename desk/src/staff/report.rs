//! A report's page, `/desk/reports/{ticket}`: every field, the photos, the history, the
//! contact details (on request, audited), and the forms that work the report.
//! A report of a community the account does not work for is 404, as if it did not exist.

use super::access::visible_report;
use super::auth::Staff;
use super::error::{PageError, PageResult};
use super::i18n::{tr, Lang};
use super::layout::{csrf_input, page};
use super::list::category_name;
use super::messages::done_message;
pub(super) use super::messages::error_message;
use super::rules::local_time;
use super::status::{resolution_name, Draft, StatusForm};
use crate::state::AppState;
use crate::store::{DeskReport, Event, Resolution};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;
use xinjing_contract::TicketStatus;

#[derive(Deserialize, Default)]
pub struct PageQuery {
    done: Option<String>,
    error: Option<String>,
}

/// `GET /desk/reports/{ticket}`
pub async fn report_page(
    State(state): State<Arc<AppState>>,
    staff: Staff,
    Path(ticket): Path<String>,
    Query(q): Query<PageQuery>,
) -> PageResult {
    render(&state, &staff, &ticket, &q, false, None).await
}

/// `POST /desk/reports/{ticket}/status`: a change of state; a refused override is this
/// page again (422), the form as typed and the error next to the field.
pub async fn change_status(
    State(state): State<Arc<AppState>>,
    staff: Staff,
    Path(ticket): Path<String>,
    super::csrf::CsrfForm(form): super::csrf::CsrfForm<StatusForm>,
) -> PageResult {
    match super::status::change_status(&state, &staff, &ticket, &form).await? {
        Ok(answer) => Ok(answer),
        Err(error) => {
            let q = PageQuery::default();
            let page = render(&state, &staff, &ticket, &q, false, Some((&form, error))).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// `POST /desk/reports/{ticket}/contact`: the page with the contact details, audited.
pub async fn show_contact(
    State(state): State<Arc<AppState>>,
    staff: Staff,
    Path(ticket): Path<String>,
    super::csrf::CsrfForm(_): super::csrf::CsrfForm<super::login::Empty>,
) -> PageResult {
    render(&state, &staff, &ticket, &PageQuery::default(), true, None).await
}

/// `GET /desk/reports/{ticket}/contact` (the language switch on the page the POST gave):
/// back to the report, contact details hidden again.
pub async fn to_report(Path(ticket): Path<String>) -> Response {
    let ticket: String = ticket
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    axum::response::Redirect::to(&format!("/desk/reports/{ticket}")).into_response()
}

/// The page; with `draft`, the status form as typed and refused.
async fn render(
    state: &AppState,
    staff: &Staff,
    ticket: &str,
    q: &PageQuery,
    contact: bool,
    draft: Option<Draft<'_>>,
) -> PageResult {
    let lang = staff.lang;
    let report = visible_report(state, staff, ticket).await?;
    let r = &report.report;
    let show_contact = contact && staff.can_see_contact(&r.community) && r.contact_phone.is_some();
    if show_contact {
        state
            .store
            .audit(
                &staff.name,
                "view_contact",
                Some(&r.ticket),
                None,
                state.now_ms(),
            )
            .await?;
    }
    let events = state.store.events(&r.ticket).await?;
    let assignees = state
        .store
        .accounts()
        .await?
        .into_iter()
        .filter(|(_, role, communities)| role == "admin" || communities.contains(&r.community))
        .map(|(name, _, _)| name)
        .collect::<Vec<_>>();
    let tasks = state.store.tasks_of_report(&r.ticket).await?;
    let seen = events.last().map_or(0, |e| e.seq);
    let reviewed = state.store.passed_since_reopen(&r.id).await?;
    let body = html! {
        @if let Some(done) = &q.done {
            p.ok role="status" { (done_message(lang, done)) }
        }
        @if let Some(error) = &q.error {
            p.error role="alert" { (error_message(lang, error)) }
        }
        div.report {
            div {
                (fields(lang, &report))
                (contact_section(staff, &report, show_contact))
                (photos(lang, &report))
                (history(lang, &events))
            }
            div {
                (crate::units::dispatch::section(state, staff, &report, &tasks, seen))
                @if staff.can_work(&r.community) && !r.status.is_final() {
                    (super::status::section(staff, &report, seen, reviewed, draft))
                }
                (super::actions::forms(staff, &report, &assignees, seen))
            }
        }
    };
    let title = format!("{} {}", tr(lang, "工单", "Ticket"), r.ticket);
    Ok(page(Some(staff), lang, &title, body).into_response())
}

fn fields(lang: Lang, report: &DeskReport) -> Markup {
    let t = |zh, en| tr(lang, zh, en);
    let r = &report.report;
    html! {
        section.card aria-labelledby="h-fields" {
            h2 #h-fields { (t("问题详情", "Details")) }
            dl.fields {
                dt { (t("状态", "State")) }
                dd {
                    (r.status.name(lang))
                    @if let Some(res) = report.resolution {
                        (t("（", " ("))(resolution_name(res, lang))(t("）", ")"))
                    }
                    @if report.reopen_count > 0 {
                        " " span.badge.reopened { (t("重办 ", "Reopened ")) (report.reopen_count) (t(" 次", "×")) }
                    }
                }
                @if let Some(into) = &report.merged_into {
                    dt { (t("已合并到", "Merged into")) }
                    dd { a href={ "/desk/reports/" (into) } { (into) } }
                }
                @if let Some(original) = &report.relapse_of {
                    dt { (t("复发自", "Relapse of")) }
                    dd { a href={ "/desk/reports/" (original) } { (original) } }
                }
                dt { (t("类别", "Category")) }
                dd { (category_name(&r.category, lang)) }
                dt { (t("小区", "Community")) }
                dd { (r.community) }
                dt { (t("楼栋", "Building")) }
                dd { (r.building) }
                dt { (t("具体位置", "Exact place")) }
                dd { (if r.detail.is_empty() { "—" } else { &r.detail }) }
                dt { (t("问题描述", "Description")) }
                dd { (r.description) }
                dt { (t("收到时间", "Received")) }
                dd { (local_time(Some(r.received_at))) }
                dt { (t("居民提交时间", "Sent by the resident at")) }
                dd { (report.created_at) }
                dt { (t("首次响应", "First response")) }
                dd { (or_dash(local_time(report.first_response_at))) }
                dt { (t("办结时间", "Resolved")) }
                dd { (or_dash(local_time(r.closed_at.and(report.resolved_at)))) }
                dt { (t("负责人", "Assignee")) }
                dd { (report.assignee.as_deref().unwrap_or("—")) }
                dt { (t("当前公开说明", "Current public note")) }
                dd { (r.public_note.as_deref().unwrap_or("—")) }
                dt { (t("居民语言", "Resident's language")) }
                dd { (if report.locale.starts_with("en") { "English" } else { "中文" }) }
            }
        }
    }
}

fn or_dash(text: String) -> String {
    if text.is_empty() {
        "—".into()
    } else {
        text
    }
}

fn contact_section(staff: &Staff, report: &DeskReport, shown: bool) -> Markup {
    let lang = staff.lang;
    let t = |zh, en| tr(lang, zh, en);
    let r = &report.report;
    html! {
        section.card aria-labelledby="h-contact" {
            h2 #h-contact { (t("联系方式", "Contact details")) }
            @if r.erased_at.is_some() {
                p { (t("已按保存期限删除。", "Deleted after the retention period.")) }
            } @else if r.contact_phone.is_none() {
                p { (t("居民未留联系方式（匿名反映）。", "The resident left no contact details (anonymous).")) }
            } @else if !staff.can_see_contact(&r.community) {
                p { (t("您的账号不能查看联系方式。", "Your account may not see contact details.")) }
            } @else if shown {
                dl.fields {
                    dt { (t("姓名", "Name")) }
                    dd { (r.contact_name.as_deref().unwrap_or("—")) }
                    dt { (t("电话", "Phone")) }
                    dd { a href={ "tel:" (r.contact_phone.as_deref().unwrap_or("")) } { (r.contact_phone.as_deref().unwrap_or("")) } }
                }
                p.hint { (t("本次查看已记入审计日志。", "This view has been written to the audit log.")) }
            } @else {
                form method="post" action={ "/desk/reports/" (r.ticket) "/contact" } {
                    (csrf_input(staff))
                    p.hint { (t("查看将记入审计日志（谁、何时）。", "Viewing is written to the audit log (who, when).")) }
                    button type="submit" class="secondary" { (t("查看联系方式", "Show contact details")) }
                }
            }
        }
    }
}

fn photos(lang: Lang, report: &DeskReport) -> Markup {
    let r = &report.report;
    let kept: Vec<_> = r.photos.iter().filter(|p| !p.erased).collect();
    html! {
        section.card aria-labelledby="h-photos" {
            h2 #h-photos { (tr(lang, "照片", "Photos")) }
            @if kept.is_empty() {
                p { (tr(lang, "没有照片。", "No photos.")) }
            } @else {
                div.photos {
                    @for (i, p) in kept.iter().enumerate() {
                        a href={ "/desk/photos/" (r.ticket) "/" (p.position) } {
                            img src={ "/desk/photos/" (r.ticket) "/" (p.position) }
                                width=(p.width) height=(p.height)
                                alt={ (tr(lang, "现场照片 ", "Photo ")) (i + 1) };
                        }
                    }
                }
            }
        }
    }
}

fn event_title(lang: Lang, e: &Event) -> String {
    let status = e
        .status
        .as_deref()
        .and_then(TicketStatus::from_code)
        .map(|s| s.name(lang));
    match e.kind.as_str() {
        "received" => tr(lang, "居民提交，已受理", "Sent by the resident, received").to_owned(),
        "reopen" => tr(lang, "重办", "Reopened").to_owned(),
        "assign" => format!(
            "{}{}",
            tr(lang, "指派给 ", "Assigned to "),
            e.internal_note
                .as_deref()
                .unwrap_or(tr(lang, "（无人）", "(nobody)"))
        ),
        "dispatch" => tr(lang, "派单整改", "Dispatched for fixing").to_owned(),
        "task" => tr(lang, "整改任务", "Dispatch task").to_owned(),
        "escalate" => tr(lang, "超时升级", "Escalation").to_owned(),
        "recheck" => tr(lang, "回头看", "Checked again").to_owned(),
        "feedback" => match e.satisfied {
            Some(true) => tr(lang, "居民评价：满意", "Resident: satisfied").to_owned(),
            _ => tr(lang, "居民评价：不满意", "Resident: not satisfied").to_owned(),
        },
        _ => {
            let resolution = e
                .resolution
                .as_deref()
                .and_then(Resolution::from_code)
                .map(|r| {
                    format!(
                        "{}{}{}",
                        tr(lang, "（", " ("),
                        resolution_name(r, lang),
                        tr(lang, "）", ")")
                    )
                })
                .unwrap_or_default();
            format!(
                "{}{}{resolution}",
                tr(lang, "状态改为 ", "State: "),
                status.unwrap_or("—")
            )
        }
    }
}

fn history(lang: Lang, events: &[Event]) -> Markup {
    let t = |zh, en| tr(lang, zh, en);
    html! {
        section.card aria-labelledby="h-history" {
            h2 #h-history { (t("处理记录", "History")) }
            ol.history {
                @for e in events {
                    li {
                        strong { (event_title(lang, e)) }
                        " · " (local_time(Some(e.at)))
                        @if let Some(actor) = &e.actor {
                            " · " (actor_name(lang, actor))
                        }
                        @if let Some(note) = &e.public_note {
                            br; (t("公开说明：", "Public note: ")) (note)
                        }
                        @if e.kind != "assign" {
                            @if let Some(note) = &e.internal_note {
                                br; span.internal { (t("内部备注：", "Internal note: ")) (note) }
                            }
                        }
                        @if let Some(comment) = &e.comment {
                            br; (t("居民意见：", "Resident's comment: ")) (comment)
                        }
                    }
                }
            }
        }
    }
}

fn actor_name(lang: Lang, actor: &str) -> String {
    match actor {
        "resident" => tr(lang, "居民", "resident").to_owned(),
        "cli" | "system" => tr(lang, "系统", "system").to_owned(),
        name => name.to_owned(),
    }
}

/// `GET /desk/photos/{ticket}/{position}`: a photo, to accounts that may see the report.
pub async fn photo(
    State(state): State<Arc<AppState>>,
    staff: Staff,
    Path((ticket, position)): Path<(String, i64)>,
) -> PageResult {
    let report = visible_report(&state, &staff, &ticket).await?;
    let Some(p) = report
        .report
        .photos
        .iter()
        .find(|p| p.position == position && !p.erased)
    else {
        return Err(PageError::not_found(&staff));
    };
    let bytes = state.photos.get(&p.object_key).await?;
    Ok(([(header::CONTENT_TYPE, "image/jpeg")], bytes).into_response())
}
