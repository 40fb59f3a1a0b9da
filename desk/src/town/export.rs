//! The town's exports of a period: the workbook (`/desk/stats.xlsx`) and the printable
//! monthly analysis (`/desk/stats/print`, A4) that the operations centre hands to the
//! leaders. Same accounts and communities as `/desk/stats`; each export is audited.

use super::page::{headline_table, trends};
use super::query::StatsQuery;
use super::source::{limits, read_rectification, read_tally};
use super::xlsx::{file_name, StatsWorkbook};
use crate::staff::auth::Staff;
use crate::staff::error::{PageError, PageResult};
use crate::staff::i18n::tr;
use crate::staff::layout::page;
use crate::staff::list::category_name;
use crate::state::AppState;
use crate::stats::tally::Tally;
use crate::stats::Period;
use crate::store::{ListFilter, Sort, StoreError};
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use maud::html;
use std::collections::BTreeMap;
use std::sync::Arc;
use xinjing_contract::time::Date;

/// Most reports the workbook's list holds (as the CSV).
const LIST_MAX: i64 = 20_000;

/// The figures, period and time an export is made of.
async fn inputs(
    state: &AppState,
    staff: &Staff,
    q: &StatsQuery,
) -> Result<(Tally, Period, i64), PageError> {
    let now = state.now_ms();
    let (_, period) = q.period(Date::in_shanghai(now as f64));
    let tally = read_tally(state, staff, period, now).await?;
    Ok((tally, period, now))
}

/// `GET /desk/stats.xlsx`
pub async fn stats_xlsx(
    State(state): State<Arc<AppState>>,
    staff: Staff,
    Query(q): Query<StatsQuery>,
) -> PageResult {
    let (tally, period, now) = inputs(&state, &staff, &q).await?;
    let filter = ListFilter {
        from_day: Some(period.first_date().to_string()),
        to_day: Some(period.last_date().to_string()),
        visible: (!staff.sees_all()).then(|| staff.communities.clone()),
        ..ListFilter::default()
    };
    let list = state.store.list(&filter, Sort::Oldest, LIST_MAX, 0).await?;
    let rectification = read_rectification(&state, &staff, period).await?;
    let book = StatsWorkbook {
        lang: staff.lang,
        tally: &tally,
        rectification: &rectification,
        list: &list,
        period,
        now,
        limits: limits(&state),
    };
    let bytes = book
        .bytes()
        .map_err(|e| PageError::Store(StoreError::Unsupported(leak_free(e))))?;
    let detail = format!(
        "stats.xlsx {} – {}",
        period.first_date(),
        period.last_date()
    );
    state
        .store
        .audit(&staff.name, "export", None, Some(&detail), now)
        .await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file_name(period)),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The workbook writer's failure, logged without the rows it held.
fn leak_free(e: rust_xlsxwriter::XlsxError) -> &'static str {
    tracing::error!(error = %e, "stats workbook failed");
    "the workbook could not be written"
}

/// `GET /desk/stats/print`: the monthly analysis on A4.
pub async fn stats_print(
    State(state): State<Arc<AppState>>,
    staff: Staff,
    Query(q): Query<StatsQuery>,
) -> PageResult {
    let lang = staff.lang;
    let t = |zh, en| tr(lang, zh, en);
    let (tally, period, now) = inputs(&state, &staff, &q).await?;
    let limits = limits(&state);
    let current = tally.figures(period, now, &limits);
    let before = tally.figures(period.previous(), now, &limits);
    let mut categories: BTreeMap<&str, i64> = BTreeMap::new();
    for ((_, category), n) in &tally.grid {
        *categories.entry(category).or_insert(0) += n.received;
    }
    let mut categories: Vec<(&str, i64)> = categories.into_iter().filter(|c| c.1 > 0).collect();
    categories.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut overdue: BTreeMap<&str, i64> = BTreeMap::new();
    for r in tally
        .unsettled
        .iter()
        .filter(|r| r.is_overdue(now, &limits))
    {
        *overdue.entry(&r.community).or_insert(0) += 1;
    }
    let mut overdue: Vec<(&str, i64)> = overdue.into_iter().collect();
    overdue.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let span = format!("{} – {}", period.first_date(), period.last_date());
    let body = html! {
        div.analysis {
            p.hint { (t("时段：", "Period: ")) (span) (t("（按收到日期，上海时间）", " (by day received, Shanghai time)")) " · " (t("收到 ", "received ")) (current.received) }
            section aria-labelledby="a-figures" {
                h2 #a-figures { (t("主要指标及较上期变化", "Headline figures and their change")) }
                (headline_table(lang, &current, &before, limits.min_count))
            }
            section aria-labelledby="a-categories" {
                h2 #a-categories { (t("问题类别（前 5）", "Top categories")) }
                ol { @for (c, n) in categories.iter().take(5) { li { (category_name(c, lang)) "：" (n) } } }
            }
            section aria-labelledby="a-overdue" {
                h2 #a-overdue { (t("超时最多的小区（当前）", "Communities most overdue (now)")) }
                @if overdue.is_empty() { p { (t("当前没有超时的报告。", "No report is overdue now.")) } }
                ol { @for (c, n) in overdue.iter().take(5) { li { (c) "：" (n) } } }
            }
            (trends(lang, &tally, period, now, &limits))
            section.remarks aria-labelledby="a-remarks" {
                h2 #a-remarks { (t("城运中心意见", "The operations centre's remarks")) }
                div.lines {}
            }
        }
    };
    let title = format!(
        "{}{}",
        t("12345 月度分析 · ", "12345 monthly analysis · "),
        span
    );
    Ok(page(Some(&staff), lang, &title, body).into_response())
}
