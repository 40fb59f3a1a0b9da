//! `/desk/export.csv`: the problem list's filtered rows as CSV.

use super::auth::Staff;
use super::error::PageResult;
use super::i18n::{tr, Lang};
use super::list::{category_name, first_response_ms, resolution_ms, ListQuery};
use super::rules::{csv_cell, local_time, overdue};
use crate::notify::message::clean;
use crate::state::AppState;
use crate::store::ListRow;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use std::sync::Arc;

/// Most rows one export holds.
pub const EXPORT_MAX: i64 = 20_000;

/// `GET /desk/export.csv`: the filtered list (every page) as CSV, UTF-8 with a BOM so
/// Excel reads the Chinese. No contact details: a file travels further than a screen, and
/// residents are called back from the report's page, where each look is audited.
pub async fn export_csv(
    State(state): State<Arc<AppState>>,
    staff: Staff,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let lang = staff.lang;
    let filter = query.filter(&staff, &state);
    // One row more than it holds, to know whether it stopped short.
    let mut rows = state
        .store
        .list(&filter, query.sort(), EXPORT_MAX + 1, 0)
        .await?;
    let stopped = rows.len() as i64 > EXPORT_MAX;
    rows.truncate(EXPORT_MAX as usize);
    let now = state.now_ms();
    let detail = format!(
        "{} rows{}; filter {}",
        rows.len(),
        if stopped {
            " (stopped at the limit)"
        } else {
            ""
        },
        query.with(&[("page", "")])
    );
    state
        .store
        .audit(&staff.name, "export", None, Some(&detail), now)
        .await?;
    let mut csv = to_csv(
        &rows,
        lang,
        now,
        first_response_ms(&state),
        resolution_ms(&state),
    );
    if stopped {
        // Said in the file itself: a spreadsheet that silently ends looks complete.
        let note = match lang {
            Lang::Zh => format!("导出在 {EXPORT_MAX} 行处停止，还有更多：请缩小筛选范围后分次导出"),
            Lang::En => format!(
                "The export stopped at {EXPORT_MAX} rows and there are more: narrow the filter and export in parts"
            ),
        };
        csv.push_str(&csv_cell(&note));
        csv.push_str("\r\n");
    }
    let name = format!(
        "xinjing-{}.csv",
        xinjing_contract::time::Date::in_shanghai(now as f64)
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        csv,
    )
        .into_response())
}

/// The CSV's text, BOM first.
pub fn to_csv(rows: &[ListRow], lang: Lang, now: i64, respond: i64, resolve: i64) -> String {
    let t = |zh, en| tr(lang, zh, en);
    let header = [
        t("工单号", "Ticket"),
        t("收到时间", "Received"),
        t("首次响应时间", "First response"),
        t("办结时间", "Resolved"),
        t("类别", "Category"),
        t("小区", "Community"),
        t("楼栋", "Building"),
        t("位置", "Place"),
        t("状态", "State"),
        t("负责人", "Assignee"),
        t("重办次数", "Reopened"),
        t("合并到", "Merged into"),
        t("超时", "Overdue"),
    ];
    let mut out = String::from("\u{feff}");
    out.push_str(&header.map(csv_cell).join(","));
    out.push_str("\r\n");
    for row in rows {
        let cells = [
            row.ticket.clone(),
            local_time(Some(row.received_at)),
            local_time(row.first_response_at),
            local_time(row.closed_at.and(row.resolved_at)),
            category_name(&row.category, lang),
            row.community.clone(),
            row.building.clone(),
            // Free text: a phone number typed into the place does not travel in a file.
            clean(&row.detail, usize::MAX),
            row.status.name(lang).to_owned(),
            row.assignee.clone().unwrap_or_default(),
            row.reopen_count.to_string(),
            row.merged_into.clone().unwrap_or_default(),
            overdue(row, now, respond, resolve)
                .map(|o| o.label(lang).to_owned())
                .unwrap_or_default(),
        ];
        out.push_str(
            &cells
                .iter()
                .map(|c| csv_cell(c))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    out
}
