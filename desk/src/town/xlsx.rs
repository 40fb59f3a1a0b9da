//! `/desk/stats.xlsx`: the period's figures as the office's workbook: a summary, per
//! community, per category, and the list of reports without contact details (Chinese kept:
//! XLSX is UTF-8 inside).

use crate::staff::i18n::{tr, Lang};
use crate::staff::list::category_name;
use crate::staff::rules::local_time;
use crate::stats::definitions::DEFINITIONS;
use crate::stats::rectification::Rectification;
use crate::stats::tally::Tally;
use crate::stats::{Figures, Limits, Period, Ratio};
use crate::store::ListRow;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use std::collections::BTreeSet;

/// A rate's cell: the per cent to one decimal, or "–" below the guard.
fn rate(r: Ratio, min: i64) -> String {
    r.percent(min)
        .map(|p| format!("{p:.1}%"))
        .unwrap_or_else(|| "–".into())
}

/// The rows of one group (a community, a category), in the figures' order.
fn group_row(f: &Figures, min: i64) -> Vec<String> {
    vec![
        f.received.to_string(),
        rate(f.responded_on_time, min),
        rate(f.closed, min),
        rate(f.solved, min),
        rate(f.satisfied, min),
        rate(f.reopened, min),
        f.overdue_now.to_string(),
    ]
}

fn write_row(
    sheet: &mut Worksheet,
    row: u32,
    cells: &[String],
    bold: Option<&Format>,
) -> Result<(), XlsxError> {
    for (col, text) in cells.iter().enumerate() {
        let col = col as u16;
        match (text.parse::<i64>(), bold) {
            (_, Some(format)) => sheet.write_string_with_format(row, col, text, format)?,
            (Ok(n), None) => sheet.write_number(row, col, n as f64)?,
            (Err(_), None) => sheet.write_string(row, col, text)?,
        };
    }
    Ok(())
}

pub struct StatsWorkbook<'a> {
    pub lang: Lang,
    pub tally: &'a Tally,
    pub rectification: &'a Rectification,
    pub list: &'a [ListRow],
    pub period: Period,
    pub now: i64,
    pub limits: Limits,
}

impl StatsWorkbook<'_> {
    pub fn bytes(&self) -> Result<Vec<u8>, XlsxError> {
        let lang = self.lang;
        let t = |zh, en| tr(lang, zh, en);
        let min = self.limits.min_count;
        let bold = Format::new().set_bold();
        let mut book = Workbook::new();

        let current = self.tally.figures(self.period, self.now, &self.limits);
        let before = self
            .tally
            .figures(self.period.previous(), self.now, &self.limits);
        let sheet = book.add_worksheet().set_name(t("汇总", "Summary"))?;
        let span = format!("{} – {}", self.period.first_date(), self.period.last_date());
        write_row(sheet, 0, &[t("时段", "Period").into(), span], Some(&bold))?;
        write_row(
            sheet,
            1,
            &[t("收到", "Received").into(), current.received.to_string()],
            None,
        )?;
        let heading = [
            t("指标", "Figure"),
            t("本期", "This period"),
            t("分子/分母", "Of"),
            t("上期", "Before"),
            t("定义", "Definition"),
        ];
        write_row(sheet, 3, &heading.map(String::from), Some(&bold))?;
        let pairs = [
            (current.responded_on_time, before.responded_on_time),
            (current.closed, before.closed),
            (current.solved, before.solved),
            (current.satisfied, before.satisfied),
            (current.reopened, before.reopened),
        ];
        for (i, (now, was)) in pairs.iter().enumerate() {
            let d = &DEFINITIONS[i];
            let cells = [
                tr(lang, d.zh, d.en).to_owned(),
                rate(*now, min),
                format!("{}/{}", now.num, now.den),
                rate(*was, min),
                tr(lang, d.zh_text, d.en_text).to_owned(),
            ];
            write_row(sheet, 4 + i as u32, &cells, None)?;
        }
        let medians = [
            (current.hours_to_response, 5),
            (current.hours_to_resolution, 6),
        ];
        for (offset, (m, d)) in medians.iter().enumerate() {
            let d = &DEFINITIONS[*d];
            let value = m
                .shown(min)
                .map(|h| format!("{h:.1}"))
                .unwrap_or_else(|| "–".into());
            let cells = [
                tr(lang, d.zh, d.en).to_owned(),
                value,
                format!("n={}", m.count),
                String::new(),
                tr(lang, d.zh_text, d.en_text).to_owned(),
            ];
            write_row(sheet, 9 + offset as u32, &cells, None)?;
        }
        let d = &DEFINITIONS[7];
        write_row(
            sheet,
            11,
            &[
                tr(lang, d.zh, d.en).to_owned(),
                current.overdue_now.to_string(),
            ],
            None,
        )?;
        sheet.set_column_width(0, 24)?;
        sheet.set_column_width(4, 60)?;

        let group_heading = [
            t("收到", "Received"),
            t("响应率", "Responded on time"),
            t("办结率", "Closed"),
            t("解决率", "Solved"),
            t("满意率", "Satisfied"),
            t("重办率", "Reopened"),
            t("当前超时", "Overdue now"),
        ];
        for (name, key) in [
            (t("各小区", "Communities"), 0),
            (t("各类别", "Categories"), 1),
        ] {
            let sheet = book.add_worksheet().set_name(name)?;
            let mut heading = vec![if key == 0 {
                t("小区", "Community")
            } else {
                t("类别", "Category")
            }
            .to_owned()];
            heading.extend(group_heading.iter().map(|h| h.to_string()));
            write_row(sheet, 0, &heading, Some(&bold))?;
            let group = |community: &str, category: &str| {
                if key == 0 {
                    community.to_owned()
                } else {
                    category.to_owned()
                }
            };
            let names: BTreeSet<String> = self
                .tally
                .grid
                .keys()
                .map(|(c, k)| group(c, k))
                .chain(
                    self.tally
                        .unsettled
                        .iter()
                        .map(|r| group(&r.community, &r.category)),
                )
                .collect();
            for (i, g) in names.iter().enumerate() {
                let pick = |community: &str, category: &str| &group(community, category) == g;
                let f = self.tally.group(pick, self.period, self.now, &self.limits);
                let label = if key == 0 {
                    g.clone()
                } else {
                    category_name(g, lang)
                };
                let mut cells = vec![label];
                cells.extend(group_row(&f, min));
                write_row(sheet, 1 + i as u32, &cells, None)?;
            }
            sheet.set_column_width(0, 24)?;
        }

        let sheet = book.add_worksheet().set_name(t("清单", "Reports"))?;
        let heading = [
            t("工单号", "Ticket"),
            t("收到时间", "Received"),
            t("首次响应时间", "First response"),
            t("办结时间", "Closed"),
            t("类别", "Category"),
            t("小区", "Community"),
            t("楼栋", "Building"),
            t("状态", "State"),
            t("重办次数", "Reopened"),
            t("合并到", "Merged into"),
        ];
        write_row(sheet, 0, &heading.map(String::from), Some(&bold))?;
        for (i, r) in self.list.iter().enumerate() {
            let cells = [
                r.ticket.clone(),
                local_time(Some(r.received_at)),
                local_time(r.first_response_at),
                local_time(r.closed_at),
                category_name(&r.category, lang),
                r.community.clone(),
                r.building.clone(),
                r.status.name(lang).to_owned(),
                r.reopen_count.to_string(),
                r.merged_into.clone().unwrap_or_default(),
            ];
            write_row(sheet, 1 + i as u32, &cells, None)?;
        }
        sheet.set_column_width(0, 20)?;
        self.rectification_sheet(&mut book, &bold)?;
        book.save_to_buffer()
    }
}

impl StatsWorkbook<'_> {
    /// 整改与复发: on time per handling unit and per category, and the relapses.
    fn rectification_sheet(&self, book: &mut Workbook, bold: &Format) -> Result<(), XlsxError> {
        let lang = self.lang;
        let t = |zh, en| tr(lang, zh, en);
        let min = self.limits.min_count;
        let r = self.rectification;
        let sheet = book
            .add_worksheet()
            .set_name(t("整改与复发", "Rectification"))?;
        let heading = [
            t("分组", "Group"),
            t("名称", "Name"),
            t("比率", "Rate"),
            t("分子/分母", "Of"),
        ];
        write_row(sheet, 0, &heading.map(String::from), Some(bold))?;
        let on_time = t("按时整改率", "Rectified on time");
        let relapses = t("复发", "Relapses");
        let mut rows: Vec<(String, String, Ratio)> = vec![
            (on_time.into(), t("全部", "All").into(), r.on_time),
            (relapses.into(), t("全部", "All").into(), r.relapses),
        ];
        let unit = format!("{on_time} · {}", t("处置单位", "unit"));
        rows.extend(
            r.on_time_by_unit
                .iter()
                .map(|(u, x)| (unit.clone(), u.clone(), *x)),
        );
        let category = format!("{on_time} · {}", t("类别", "category"));
        rows.extend(
            r.on_time_by_category
                .iter()
                .map(|(c, x)| (category.clone(), category_name(c, lang), *x)),
        );
        let category = format!("{relapses} · {}", t("类别", "category"));
        rows.extend(
            r.relapses_by_category
                .iter()
                .map(|(c, x)| (category.clone(), category_name(c, lang), *x)),
        );
        for (i, (group, name, ratio)) in rows.into_iter().enumerate() {
            let cells = [
                group,
                name,
                rate(ratio, min),
                format!("{}/{}", ratio.num, ratio.den),
            ];
            write_row(sheet, 1 + i as u32, &cells, None)?;
        }
        sheet.set_column_width(0, 28)?;
        sheet.set_column_width(1, 24)?;
        Ok(())
    }
}

/// The file's name for the period.
pub fn file_name(period: Period) -> String {
    format!(
        "xinjing-stats-{}-{}.xlsx",
        period.first_date(),
        period.last_date()
    )
}
