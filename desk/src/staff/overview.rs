//! The overview (`/desk/overview`: counts per state, overdue, satisfaction per community and
//! per category; admins and the town) and the audit log (`/desk/audit`, admins).

use super::auth::{Admin, TownReader};
use super::error::PageResult;
use super::i18n::{tr, Lang};
use super::layout::page;
use super::list::{category_name, first_response_ms, resolution_ms};
use super::rules::{deadlines, local_time};
use crate::state::AppState;
use crate::store::{GroupBy, Satisfaction};
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;
use xinjing_contract::TicketStatus;

/// `GET /desk/overview`
pub async fn overview(
    State(state): State<Arc<AppState>>,
    TownReader(staff): TownReader,
) -> PageResult {
    let lang = staff.lang;
    let t = |zh, en| tr(lang, zh, en);
    let store = &state.store;
    let limits = deadlines(
        state.now_ms(),
        first_response_ms(&state),
        resolution_ms(&state),
    );
    let figures = async {
        Ok::<_, crate::store::StoreError>((
            store.community_counts(limits).await?,
            store.satisfaction(GroupBy::Community).await?,
            store.satisfaction(GroupBy::Category).await?,
        ))
    };
    let (counts, by_community, by_category) = figures.await?;
    let body = html! {
        section.card aria-labelledby="h-counts" {
            h2 #h-counts { (t("各小区问题数", "Problems per community")) }
            @if counts.is_empty() {
                p { (t("还没有问题。", "No problems yet.")) }
            } @else {
                div.scroll tabindex="0" role="region" aria-label=(t("各小区问题数表", "Problems per community, table")) { table {
                    thead { tr {
                        th scope="col" { (t("小区", "Community")) }
                        @for s in TicketStatus::ALL { th scope="col" { (s.name(lang)) } }
                        th scope="col" { (t("超时", "Overdue")) }
                    } }
                    tbody {
                        @for c in &counts {
                            tr {
                                th scope="row" { (c.community) }
                                @for (_, n) in &c.by_status { td { (n) } }
                                td { @if c.overdue > 0 { span.badge.overdue { (c.overdue) } } @else { "0" } }
                            }
                        }
                    }
                } }
            }
        }
        (satisfaction_table(lang, "h-sat-community", t("各小区满意率", "Satisfaction per community"), t("小区", "Community"), &by_community, |k| k.to_owned()))
        (satisfaction_table(lang, "h-sat-category", t("各类别满意率", "Satisfaction per category"), t("类别", "Category"), &by_category, |k| category_name(k, lang)))
        p.hint { (t("满意率按每个工单居民最后一次评价计算。", "Rates count each ticket's latest verdict from its resident.")) }
    };
    Ok(page(Some(&staff), lang, t("总览", "Overview"), body).into_response())
}

fn satisfaction_table(
    lang: Lang,
    id: &str,
    title: &str,
    key_name: &str,
    rows: &[Satisfaction],
    name: impl Fn(&str) -> String,
) -> Markup {
    let t = |zh, en| tr(lang, zh, en);
    html! {
        section.card aria-labelledby=(id) {
            h2 id=(id) { (title) }
            @if rows.is_empty() {
                p { (t("还没有居民评价。", "No verdicts from residents yet.")) }
            } @else {
                table {
                    thead { tr {
                        th scope="col" { (key_name) }
                        th scope="col" { (t("满意", "Satisfied")) }
                        th scope="col" { (t("评价数", "Verdicts")) }
                        th scope="col" { (t("满意率", "Rate")) }
                    } }
                    tbody {
                        @for row in rows {
                            tr {
                                th scope="row" { (name(&row.key)) }
                                td { (row.satisfied) }
                                td { (row.answered) }
                                td { (row.rate().map(|r| format!("{r:.0}%")).unwrap_or_default()) }
                            }
                        }
                    }
                }
            }
        }
    }
}

const AUDIT_PAGE: i64 = 100;

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    ticket: Option<String>,
    page: Option<i64>,
}

fn action_name(lang: Lang, action: &str) -> String {
    let name = match action {
        "view_contact" => tr(lang, "查看联系方式", "Viewed contact details"),
        "status" => tr(lang, "更改状态", "Changed state"),
        "status_override" => tr(
            lang,
            "例外办结（未经复查）",
            "Resolved as solved without a review",
        ),
        "assign" => tr(lang, "指派", "Assigned"),
        "duplicate" => tr(lang, "标记为重复", "Marked as duplicate"),
        "reopen" => tr(lang, "重办", "Reopened"),
        "login" => tr(lang, "登录", "Logged in"),
        "logout" => tr(lang, "退出登录", "Logged out"),
        "password" => tr(lang, "修改密码", "Changed password"),
        "export" => tr(lang, "导出 CSV", "Exported CSV"),
        "user_add" => tr(lang, "新建账号", "Added account"),
        "user_update" => tr(lang, "重设账号", "Reset account"),
        "user_remove" => tr(lang, "删除账号", "Removed account"),
        "logins_clear" => tr(lang, "清除登录失败", "Cleared failed logins"),
        other => other,
    };
    name.to_owned()
}

/// `GET /desk/audit`
pub async fn audit(
    State(state): State<Arc<AppState>>,
    Admin(staff): Admin,
    Query(q): Query<AuditQuery>,
) -> PageResult {
    let lang = staff.lang;
    let t = |zh, en| tr(lang, zh, en);
    let ticket = q
        .ticket
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_ascii_uppercase);
    let page_no = q.page.unwrap_or(1).clamp(1, 100_000);
    let entries = state
        .store
        .audit_entries(
            ticket.as_deref(),
            AUDIT_PAGE + 1,
            (page_no - 1) * AUDIT_PAGE,
        )
        .await?;
    let more = entries.len() as i64 > AUDIT_PAGE;
    let link = |page: i64| {
        let mut pairs = vec![("page", page.to_string())];
        if let Some(ticket) = &ticket {
            pairs.push(("ticket", ticket.clone()));
        }
        format!(
            "?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    };
    let body = html! {
        form.card method="get" action="/desk/audit" role="search" aria-label=(t("按工单筛选", "Filter by ticket")) {
            label for="a-ticket" { (t("工单号", "Ticket")) }
            input #a-ticket type="search" name="ticket" value=[ticket.as_deref()];
            button type="submit" { (t("筛选", "Filter")) }
        }
        table.list {
            caption.sr-only { (t("谁、做了什么、何时（最新在前）", "Who did what, when (newest first)")) }
            thead { tr {
                th scope="col" { (t("时间", "When")) }
                th scope="col" { (t("账号", "Who")) }
                th scope="col" { (t("操作", "What")) }
                th scope="col" { (t("工单号", "Ticket")) }
                th scope="col" { (t("说明", "Detail")) }
            } }
            tbody {
                @for e in entries.iter().take(AUDIT_PAGE as usize) {
                    tr {
                        td data-label=(t("时间", "When")) { (local_time(Some(e.at))) }
                        td data-label=(t("账号", "Who")) { (e.actor) }
                        td data-label=(t("操作", "What")) { (action_name(lang, &e.action)) }
                        td data-label=(t("工单号", "Ticket")) {
                            @if let Some(ticket) = &e.ticket { a href={ "/desk/reports/" (ticket) } { (ticket) } }
                        }
                        td data-label=(t("说明", "Detail")) { (e.detail.as_deref().unwrap_or("")) }
                    }
                }
            }
        }
        nav.pager aria-label=(t("翻页", "Pages")) {
            @if page_no > 1 { a href=(link(page_no - 1)) rel="prev" { (t("上一页", "Previous page")) } }
            @if more { a href=(link(page_no + 1)) rel="next" { (t("下一页", "Next page")) } }
        }
    };
    Ok(page(Some(&staff), lang, t("审计日志", "Audit log"), body).into_response())
}
