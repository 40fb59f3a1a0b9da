//! The problem list (问题清单) at `/desk/`: filters, counts per state, paging, sorting,
//! overdue highlighting. (The same filters export CSV: `export.rs`.)

use super::auth::Staff;
use super::error::PageResult;
use super::i18n::{tr, Lang};
use super::layout::page;
use super::rules::{self, local_time, overdue};
use crate::state::AppState;
use crate::store::{Column, ListFilter, ListRow, Sort};
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;
use xinjing_contract::report::Category;
use xinjing_contract::time::Date;
use xinjing_contract::TicketStatus;

pub const PAGE_SIZE: i64 = 50;

/// The list's query string, as its filter form sends it.
#[derive(Deserialize, Default, Clone, Debug)]
pub struct ListQuery {
    status: Option<String>,
    community: Option<String>,
    building: Option<String>,
    category: Option<String>,
    from: Option<String>,
    to: Option<String>,
    q: Option<String>,
    overdue: Option<String>,
    sort: Option<String>,
    page: Option<String>,
}

fn given(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

impl ListQuery {
    fn day(value: &Option<String>) -> Option<String> {
        given(value).and_then(|d| Date::parse(&d).map(|d| d.to_string()))
    }

    pub fn filter(&self, staff: &Staff, state: &AppState) -> ListFilter {
        let now = state.now_ms();
        ListFilter {
            status: given(&self.status).and_then(|s| TicketStatus::from_code(&s)),
            community: given(&self.community),
            building: given(&self.building),
            category: given(&self.category).filter(|c| Category::from_code(c).is_some()),
            from_day: Self::day(&self.from),
            to_day: Self::day(&self.to),
            ticket: given(&self.q),
            overdue: given(&self.overdue)
                .map(|_| rules::deadlines(now, first_response_ms(state), resolution_ms(state))),
            visible: (!staff.sees_all()).then(|| staff.communities.clone()),
        }
    }

    pub(super) fn sort(&self) -> Sort {
        given(&self.sort)
            .and_then(|s| Sort::from_code(&s))
            .unwrap_or_default()
    }

    fn page(&self) -> i64 {
        given(&self.page)
            .and_then(|p| p.parse::<i64>().ok())
            .unwrap_or(1)
            .clamp(1, 100_000)
    }

    /// This query with some keys replaced (empty value: removed), as `?a=b&…`.
    pub(super) fn with(&self, changes: &[(&str, &str)]) -> String {
        let mut pairs: Vec<(&str, String)> = [
            ("status", &self.status),
            ("community", &self.community),
            ("building", &self.building),
            ("category", &self.category),
            ("from", &self.from),
            ("to", &self.to),
            ("q", &self.q),
            ("overdue", &self.overdue),
            ("sort", &self.sort),
            ("page", &self.page),
        ]
        .into_iter()
        .filter_map(|(k, v)| given(v).map(|v| (k, v)))
        .collect();
        for (key, value) in changes {
            pairs.retain(|(k, _)| k != key);
            if !value.is_empty() {
                pairs.push((key, (*value).to_owned()));
            }
        }
        format!(
            "?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    }
}

pub fn first_response_ms(state: &AppState) -> i64 {
    state.config.first_response.as_millis() as i64
}

pub fn resolution_ms(state: &AppState) -> i64 {
    state.config.resolution.as_millis() as i64
}

/// Communities this account may filter by: its own, or (admins, the town) every one known.
async fn community_choices(staff: &Staff, state: &AppState) -> Vec<String> {
    if !staff.sees_all() {
        return staff.communities.clone();
    }
    let mut all = state.communities.clone();
    if let Ok(seen) = state.store.distinct(Column::Community, None).await {
        all.extend(seen);
    }
    all.sort();
    all.dedup();
    all
}

/// `GET /desk/`
pub async fn list_page(
    State(state): State<Arc<AppState>>,
    staff: Staff,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let lang = staff.lang;
    let filter = query.filter(&staff, &state);
    let sort = query.sort();
    let page_no = query.page();
    let store = &state.store;
    let counts = store.count_by_status(&filter).await?;
    let rows = store
        .list(&filter, sort, PAGE_SIZE, (page_no - 1) * PAGE_SIZE)
        .await?;
    let total: i64 = match filter.status {
        Some(status) => counts
            .iter()
            .filter(|(s, _)| *s == status)
            .map(|(_, n)| n)
            .sum(),
        None => counts.iter().map(|(_, n)| n).sum(),
    };
    let communities = community_choices(&staff, &state).await;
    let body = html! {
        (filter_form(lang, &query, &communities, sort))
        (state_counts(lang, &query, &counts, total, filter.status))
        (table(lang, &rows, &state))
        (pager(lang, &query, page_no, total))
        p { a.button.secondary href={ "/desk/export.csv" (query.with(&[("page", "")])) } {
            (tr(lang, "导出 CSV（当前筛选）", "Export CSV (this filter)"))
        } }
    };
    Ok(page(
        Some(&staff),
        lang,
        tr(lang, "问题清单", "Problem list"),
        body,
    )
    .into_response())
}

fn selected_if(cond: bool) -> Option<&'static str> {
    cond.then_some("selected")
}

fn filter_form(lang: Lang, q: &ListQuery, communities: &[String], sort: Sort) -> Markup {
    let t = |zh, en| tr(lang, zh, en);
    let status = given(&q.status).unwrap_or_default();
    let community = given(&q.community).unwrap_or_default();
    let category = given(&q.category).unwrap_or_default();
    html! {
        form.card method="get" action="/desk/" role="search" aria-label=(t("筛选问题", "Filter problems")) {
            div.filters {
                div {
                    label for="f-q" { (t("工单号", "Ticket")) }
                    input #f-q type="search" name="q" value=[given(&q.q)] placeholder="XJ-20261130-0001";
                }
                div {
                    label for="f-status" { (t("状态", "State")) }
                    select #f-status name="status" {
                        option value="" { (t("全部", "All")) }
                        @for s in TicketStatus::ALL {
                            option value=(s.code()) selected=[selected_if(status == s.code())] { (s.name(lang)) }
                        }
                    }
                }
                div {
                    label for="f-community" { (t("小区", "Community")) }
                    select #f-community name="community" {
                        option value="" { (t("全部", "All")) }
                        @for c in communities {
                            option value=(c) selected=[selected_if(&community == c)] { (c) }
                        }
                    }
                }
                div {
                    label for="f-building" { (t("楼栋", "Building")) }
                    input #f-building type="text" name="building" value=[given(&q.building)];
                }
                div {
                    label for="f-category" { (t("类别", "Category")) }
                    select #f-category name="category" {
                        option value="" { (t("全部", "All")) }
                        @for c in Category::ALL {
                            option value=(c.code()) selected=[selected_if(category == c.code())] { (c.name(lang)) }
                        }
                    }
                }
                div {
                    label for="f-from" { (t("起始日期", "From date")) }
                    input #f-from type="date" name="from" value=[given(&q.from)];
                }
                div {
                    label for="f-to" { (t("截止日期", "To date")) }
                    input #f-to type="date" name="to" value=[given(&q.to)];
                }
                div {
                    label for="f-sort" { (t("排序", "Sort by")) }
                    select #f-sort name="sort" {
                        @for s in Sort::ALL {
                            option value=(s.code()) selected=[selected_if(s == sort)] { (sort_name(lang, s)) }
                        }
                    }
                }
            }
            p {
                input #f-overdue type="checkbox" name="overdue" value="1" checked[given(&q.overdue).is_some()];
                " "
                label.inline for="f-overdue" { (t("只看超时", "Overdue only")) }
            }
            button type="submit" { (t("筛选", "Filter")) }
            a.button.secondary href="/desk/" { (t("清除筛选", "Clear filters")) }
        }
    }
}

fn sort_name(lang: Lang, sort: Sort) -> &'static str {
    match sort {
        Sort::Newest => tr(lang, "最新（重办置顶）", "Newest (reopened first)"),
        Sort::Oldest => tr(lang, "最早", "Oldest"),
        Sort::Community => tr(lang, "小区、楼栋", "Community, building"),
        Sort::Status => tr(lang, "状态", "State"),
    }
}

fn state_counts(
    lang: Lang,
    q: &ListQuery,
    counts: &[(TicketStatus, i64)],
    total: i64,
    current: Option<TicketStatus>,
) -> Markup {
    let all: i64 = counts.iter().map(|(_, n)| n).sum();
    html! {
        nav aria-label=(tr(lang, "各状态数量", "Counts by state")) {
            ul.counts {
                li { a href=(q.with(&[("status", ""), ("page", "")])) aria-current=[current.is_none().then_some("true")] {
                    (tr(lang, "全部", "All")) " " (all)
                } }
                @for (status, n) in counts {
                    li { a href=(q.with(&[("status", status.code()), ("page", "")]))
                        aria-current=[(current == Some(*status)).then_some("true")] {
                        (status.name(lang)) " " (n)
                    } }
                }
            }
        }
        p.hint role="status" { (tr(lang, "符合条件：", "Matching: ")) (total) }
    }
}

fn table(lang: Lang, rows: &[ListRow], state: &AppState) -> Markup {
    let t = |zh, en| tr(lang, zh, en);
    let now = state.now_ms();
    let (respond, resolve) = (first_response_ms(state), resolution_ms(state));
    if rows.is_empty() {
        return html! { p.card { (t("没有符合条件的问题。", "No problems match.")) } };
    }
    html! {
        table.list {
            caption.sr-only { (t("问题列表", "Problems")) }
            thead { tr {
                th scope="col" { (t("工单号", "Ticket")) }
                th scope="col" { (t("收到时间", "Received")) }
                th scope="col" { (t("类别", "Category")) }
                th scope="col" { (t("小区", "Community")) }
                th scope="col" { (t("楼栋", "Building")) }
                th scope="col" { (t("状态", "State")) }
                th scope="col" { (t("负责人", "Assignee")) }
            } }
            tbody {
                @for row in rows {
                    @let late = overdue(row, now, respond, resolve);
                    tr.overdue[late.is_some()] {
                        td data-label=(t("工单号", "Ticket")) {
                            a href={ "/desk/reports/" (row.ticket) } { (row.ticket) }
                        }
                        td data-label=(t("收到时间", "Received")) { (local_time(Some(row.received_at))) }
                        td data-label=(t("类别", "Category")) { (category_name(&row.category, lang)) }
                        td data-label=(t("小区", "Community")) { (row.community) }
                        td data-label=(t("楼栋", "Building")) { (row.building) }
                        td data-label=(t("状态", "State")) {
                            (row.status.name(lang))
                            @if row.reopened_at.is_some() && row.closed_at.is_none() {
                                " " span.badge.reopened { (t("重办", "Reopened")) }
                            }
                            @if let Some(late) = late {
                                " " span.badge.overdue { (late.label(lang)) }
                            }
                            @if let Some((late, text)) = crate::units::badge::ladder(row, now, &state.config.notify, lang) {
                                " " span.badge.overdue[late] { (text) }
                            }
                            @if let Some(into) = &row.merged_into {
                                " " span.badge { (t("已合并到 ", "Merged into ")) (into) }
                            }
                        }
                        td data-label=(t("负责人", "Assignee")) { (row.assignee.as_deref().unwrap_or("—")) }
                    }
                }
            }
        }
    }
}

pub fn category_name(code: &str, lang: Lang) -> String {
    Category::from_code(code)
        .map(|c| c.name(lang).to_owned())
        .unwrap_or_else(|| code.to_owned())
}

fn pager(lang: Lang, q: &ListQuery, page_no: i64, total: i64) -> Markup {
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    html! {
        nav.pager aria-label=(tr(lang, "翻页", "Pages")) {
            @if page_no > 1 {
                a href=(q.with(&[("page", &(page_no - 1).to_string())])) rel="prev" { (tr(lang, "上一页", "Previous page")) }
            }
            span { (tr(lang, "第 ", "Page ")) (page_no) (tr(lang, " 页，共 ", " of ")) (pages) (tr(lang, " 页", "")) }
            @if page_no < pages {
                a href=(q.with(&[("page", &(page_no + 1).to_string())])) rel="next" { (tr(lang, "下一页", "Next page")) }
            }
        }
    }
}
