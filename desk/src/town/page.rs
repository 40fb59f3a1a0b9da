//! `GET /desk/stats`: the period's headline figures (each with its definition one click
//! away and its change from the period before), the community × category table, a
//! community's buildings, and the trends (12 weeks of counts, 12 months of rates).

use super::charts::{Chart, Series};
use super::query::{Kind, StatsQuery};
use super::source::{limits, read_rectification, read_tally};
use crate::staff::auth::Staff;
use crate::staff::error::PageResult;
use crate::staff::i18n::{tr, Lang};
use crate::staff::layout::page;
use crate::staff::list::category_name;
use crate::state::AppState;
use crate::stats::breakdown::top_of;
use crate::stats::daily::day_of;
use crate::stats::definitions::{definition, guarded_percent};
use crate::stats::tally::{trend_end, Tally};
use crate::stats::{change, Figures, Limits, Median, Period, Ratio};
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use maud::{html, Markup};
use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::sync::Arc;
use xinjing_contract::time::Date;

pub async fn stats_page(
    State(state): State<Arc<AppState>>,
    staff: Staff,
    Query(q): Query<StatsQuery>,
) -> PageResult {
    let lang = staff.lang;
    let now = state.now_ms();
    let (kind, period) = q.period(Date::in_shanghai(now as f64));
    let limits = limits(&state);
    let tally = read_tally(&state, &staff, period, now).await?;
    let current = tally.figures(period, now, &limits);
    let before = tally.figures(period.previous(), now, &limits);
    let rectified = read_rectification(&state, &staff, period).await?;
    let drill = match q.community.as_deref().filter(|c| staff.can_see(c)) {
        Some(c) => {
            let counts = state.store.buildings(c, period).await?;
            Some(buildings(lang, counts, c, &limits))
        }
        None => None,
    };
    let body = html! {
        (period_form(lang, kind, period))
        (exports(lang, &q, kind, period))
        (headline(lang, &current, &before, limits.min_count))
        (table(lang, &q, kind, &tally.received_grid(), period))
        @if let Some(drill) = drill { (drill) }
        (super::rectify::section(lang, &rectified, limits.min_count))
        (trends(lang, &tally, period, now, &limits))
    };
    let title = tr(lang, "统计分析", "Statistics");
    Ok(page(Some(&staff), lang, title, body).into_response())
}

/// The period's exports: the workbook, the problem list's CSV for the same days, and the
/// printable monthly analysis.
fn exports(lang: Lang, q: &StatsQuery, kind: Kind, period: Period) -> Markup {
    let t = |zh, en| tr(lang, zh, en);
    let query = q.link(kind, period, &[]);
    let query = query.trim_start_matches("/desk/stats");
    let csv = format!(
        "/desk/export.csv?from={}&to={}",
        period.first_date(),
        period.last_date()
    );
    html! {
        nav.bar aria-label=(t("导出", "Exports")) {
            a.button.secondary href={ "/desk/stats.xlsx" (query) } { (t("导出 Excel", "Download Excel")) }
            a.button.secondary href=(csv) { (t("导出 CSV（问题清单）", "Download CSV (the list)")) }
            a.button.secondary href={ "/desk/stats/print" (query) } { (t("打印月度分析", "Print the monthly analysis")) }
        }
    }
}

/// The headline figures as a table (this period, the one before, the change): the
/// printable analysis.
pub(super) fn headline_table(lang: Lang, now: &Figures, before: &Figures, min: i64) -> Markup {
    let t = |zh, en| tr(lang, zh, en);
    let pct = |r: Ratio| guarded_percent(r.percent(min), r.den);
    let rows = [
        ("responded", now.responded_on_time, before.responded_on_time),
        ("closed", now.closed, before.closed),
        ("solved", now.solved, before.solved),
        ("satisfied", now.satisfied, before.satisfied),
        ("reopened", now.reopened, before.reopened),
    ];
    let hours = |m: Median| match m.shown(min) {
        Some(h) => format!("{h:.1} h"),
        None => format!("– (n={})", m.count),
    };
    let name = |key| definition(key).map_or("", |d| tr(lang, d.zh, d.en));
    html! {
        table.figures-table {
            thead { tr {
                th scope="col" { (t("指标", "Figure")) }
                th scope="col" { (t("本期", "This period")) }
                th scope="col" { (t("上期", "Before")) }
                th scope="col" { (t("变化", "Change")) }
            } }
            tbody {
                @for (key, r, b) in rows {
                    tr data-key=(key) {
                        th scope="row" { (name(key)) }
                        td { (pct(r)) }
                        td { (pct(b)) }
                        td { (points(change(r, b, min), " 个百分点", " pp", lang)) }
                    }
                }
                tr { th scope="row" { (name("hours_to_response")) } td { (hours(now.hours_to_response)) } td { (hours(before.hours_to_response)) } td { "—" } }
                tr { th scope="row" { (name("hours_to_resolution")) } td { (hours(now.hours_to_resolution)) } td { (hours(before.hours_to_resolution)) } td { "—" } }
                tr { th scope="row" { (name("overdue")) } td { (now.overdue_now) } td { "—" } td { "—" } }
            }
        }
    }
}

fn period_form(lang: Lang, kind: Kind, period: Period) -> Markup {
    let t = |zh, en| tr(lang, zh, en);
    let choices = [
        (Kind::Month, t("按月", "Month")),
        (Kind::Week, t("按周", "Week")),
        (Kind::Range, t("自定义起止", "From–to")),
    ];
    html! {
        form.card.bar method="get" action="/desk/stats" aria-label=(t("统计时段", "Period")) {
            div {
                label for="period" { (t("时段", "Period")) }
                select #period name="period" {
                    @for (k, name) in choices {
                        option value=(k.code()) selected[k == kind] { (name) }
                    }
                }
            }
            div {
                label for="day" { (t("所在日期（按周、按月）", "A day in it (week, month)")) }
                input #day type="date" name="day" value=(period.first_date().to_string());
            }
            div {
                label for="from" { (t("起（自定义）", "From (from–to)")) }
                input #from type="date" name="from" value=(period.first_date().to_string());
            }
            div {
                label for="to" { (t("止（自定义）", "To (from–to)")) }
                input #to type="date" name="to" value=(period.last_date().to_string());
            }
            button type="submit" { (t("查看", "Show")) }
        }
        p.hint { (t("时段：", "Period: ")) (period.first_date().to_string()) " – " (period.last_date().to_string()) (t("（上海时间，按收到日期统计）", " (Shanghai days, by day received)")) }
    }
}

fn points(v: Option<f64>, unit_zh: &str, unit_en: &str, lang: Lang) -> String {
    match v {
        Some(d) => format!("{d:+.1}{}", tr(lang, unit_zh, unit_en)),
        None => "—".into(),
    }
}

fn headline(lang: Lang, now: &Figures, before: &Figures, min: i64) -> Markup {
    let rate = |key: &str, r: Ratio, b: Ratio| {
        let value = guarded_percent(r.percent(min), r.den);
        let delta = points(change(r, b, min), " 个百分点", " pp", lang);
        (
            key.to_owned(),
            value,
            delta,
            format!("{} / {}", r.num, r.den),
        )
    };
    let median = |key: &str, m: Median, b: Median| {
        let value = match m.shown(min) {
            Some(h) => format!("{h:.1} h"),
            None => format!("– (n={})", m.count),
        };
        let delta = m.shown(min).zip(b.shown(min)).map(|(x, y)| x - y);
        let count = format!("n = {}", m.count);
        (
            key.to_owned(),
            value,
            points(delta, " 小时", " h", lang),
            count,
        )
    };
    let items = [
        rate("responded", now.responded_on_time, before.responded_on_time),
        rate("closed", now.closed, before.closed),
        rate("solved", now.solved, before.solved),
        rate("satisfied", now.satisfied, before.satisfied),
        rate("reopened", now.reopened, before.reopened),
        median(
            "hours_to_response",
            now.hours_to_response,
            before.hours_to_response,
        ),
        median(
            "hours_to_resolution",
            now.hours_to_resolution,
            before.hours_to_resolution,
        ),
        (
            "overdue".to_owned(),
            now.overdue_now.to_string(),
            "—".to_owned(),
            String::new(),
        ),
    ];
    let t = |zh, en| tr(lang, zh, en);
    html! {
        section.card aria-labelledby="h-figures" {
            h2 #h-figures { (t("主要指标", "Headline figures")) " · " (t("收到 ", "received ")) (now.received) }
            ul.figures {
                @for (key, value, delta, count) in &items {
                    @if let Some(d) = definition(key) {
                        li.figure data-key=(key) {
                            span.name { (tr(lang, d.zh, d.en)) }
                            span.value { (value) }
                            span.count { (count) }
                            span.delta { (t("较上期 ", "vs before ")) (delta) }
                            details {
                                summary { (t("定义", "Definition")) }
                                p { (tr(lang, d.zh_text, d.en_text)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// How strongly a cell is shaded: 0 (none) to 4 (the largest count).
fn heat(count: i64, max: i64) -> u8 {
    if count == 0 || max == 0 {
        return 0;
    }
    (1 + (3 * (count - 1)) / max.max(1)).min(4) as u8
}

fn table(
    lang: Lang,
    q: &StatsQuery,
    kind: Kind,
    grid: &BTreeMap<(String, String), i64>,
    period: Period,
) -> Markup {
    let t = |zh, en| tr(lang, zh, en);
    let communities: BTreeSet<&String> = grid.keys().map(|(c, _)| c).collect();
    let categories: BTreeSet<&String> = grid.keys().map(|(_, c)| c).collect();
    let max = grid.values().copied().max().unwrap_or(0);
    html! {
        section.card aria-labelledby="h-grid" {
            h2 #h-grid { (t("各小区各类问题数", "Reports per community and category")) }
            @if grid.is_empty() {
                p { (t("本时段没有报告。", "No reports in this period.")) }
            } @else {
                p.hint { (t("颜色越深，数量越多。点小区名查看楼栋。", "Darker means more. Choose a community to see its buildings.")) }
                div.scroll {
                    table.heat {
                        thead {
                            tr {
                                th scope="col" { (t("小区", "Community")) }
                                @for c in &categories { th scope="col" { (category_name(c, lang)) } }
                                th scope="col" { (t("合计", "Total")) }
                            }
                        }
                        tbody {
                            @for community in &communities {
                                tr {
                                    th scope="row" {
                                        a href={ (q.link(kind, period, &[("community", community.as_str())])) "#h-buildings" } { (community) }
                                    }
                                    @let counts: Vec<i64> = categories.iter().map(|c| {
                                        grid.get(&((*community).clone(), (*c).clone())).copied().unwrap_or(0)
                                    }).collect();
                                    @for n in &counts {
                                        td class={ "heat-" (heat(*n, max)) } { (n) }
                                    }
                                    td { (counts.iter().sum::<i64>()) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn buildings(
    lang: Lang,
    counts: Vec<(String, i64, i64)>,
    community: &str,
    limits: &Limits,
) -> Markup {
    let t = |zh, en| tr(lang, zh, en);
    let total: i64 = counts.iter().map(|(_, n, _)| n).sum();
    let (reports, reopened) = top_of(counts, 10);
    let guarded = total < limits.min_count;
    let list = |title: &str, items: &[(String, i64)]| {
        html! {
            h3 { (title) }
            @if items.is_empty() { p { "—" } } @else {
                ol { @for (b, n) in items { li { (b) "：" (n) } } }
            }
        }
    };
    html! {
        section.card aria-labelledby="h-buildings" {
            h2 #h-buildings { (community) " · " (t("楼栋", "Buildings")) }
            @if guarded {
                p { (t("报告太少，不做排名", "Too few reports to rank")) " (n=" (total) ")" }
            } @else {
                (list(t("报告最多的楼栋", "Buildings with the most reports"), &reports))
                (list(t("重办最多的楼栋", "Buildings with the most reopened reports"), &reopened))
            }
        }
    }
}

pub(super) fn trends(
    lang: Lang,
    tally: &Tally,
    period: Period,
    now: i64,
    limits: &Limits,
) -> Markup {
    let t = |zh, en| tr(lang, zh, en);
    let end = trend_end(period, day_of(now));
    let last_week = Period::week_of(end);
    let weekly = tally.weeks(last_week, 12, now, limits);
    let label = |p: &Period| p.first_date().to_string()[5..].to_owned();
    let count = |f: fn(&crate::stats::breakdown::Week) -> i64| {
        weekly.iter().map(|w| Some(f(w) as f64)).collect::<Vec<_>>()
    };
    let week_chart = Chart {
        id: "chart-weeks",
        title: t("最近 12 周：收到、办结、超时", "The last 12 weeks: received, closed, overdue"),
        desc: t(
            "每周收到的报告数、当周办结数，以及当周收到且处理超时的报告数；数字见下表。",
            "Reports received each week, closed that week, and received that week and handled late; the numbers are in the table below.",
        ),
        labels: weekly.iter().map(|w| label(&w.period)).collect(),
        series: vec![
            Series { name: t("收到", "Received"), values: count(|w| w.received), class: "s1" },
            Series { name: t("办结", "Closed"), values: count(|w| w.closed), class: "s2" },
            Series { name: t("超时", "Overdue"), values: count(|w| w.overdue), class: "s3" },
        ],
        max: None,
        unit: "",
        axis: t("周（起）", "Week of"),
    };
    let monthly = tally.months(Period::month_of(end), 12, now, limits);
    let rate = |f: fn(&Figures) -> Ratio| {
        monthly
            .iter()
            .map(|(_, m)| f(m).percent(limits.min_count))
            .collect::<Vec<_>>()
    };
    let name = |key| definition(key).map_or("", |d| tr(lang, d.zh, d.en));
    let month_chart = Chart {
        id: "chart-months",
        title: t("最近 12 个月：四项比率", "The last 12 months: four rates"),
        desc: t(
            "每月的响应率、办结率、解决率和满意率（%）；报告太少的月份不画点；数字见下表。",
            "Each month's responded-on-time, closed, solved and satisfied rates (%); months with too few reports have no point; the numbers are in the table below.",
        ),
        labels: monthly.iter().map(|(p, _)| p.first_date().to_string()[..7].to_owned()).collect(),
        series: vec![
            Series { name: name("responded"), values: rate(|f| f.responded_on_time), class: "s1" },
            Series { name: name("closed"), values: rate(|f| f.closed), class: "s2" },
            Series { name: name("solved"), values: rate(|f| f.solved), class: "s3" },
            Series { name: name("satisfied"), values: rate(|f| f.satisfied), class: "s4" },
        ],
        max: Some(100.0),
        unit: "%",
        axis: t("月", "Month"),
    };
    html! {
        section.card aria-labelledby="h-trends" {
            h2 #h-trends { (t("趋势", "Trends")) }
            div.charts {
                div { (week_chart.render()) }
                div { (month_chart.render()) }
            }
        }
    }
}
