//! The stats page's section on rectification and relapses: on time per handling unit and
//! per category, and the 回头看 checks that found the hazard back.

use crate::staff::i18n::{tr, Lang};
use crate::staff::list::category_name;
use crate::stats::definitions::{definition, guarded_percent};
use crate::stats::rectification::Rectification;
use crate::stats::Ratio;
use maud::{html, Markup};
use std::collections::BTreeMap;

/// "rate (num/den)", or "– (n=den)" below the guard.
pub(super) fn cell(r: Ratio, min: i64) -> String {
    match r.percent(min) {
        Some(_) => format!(
            "{} ({}/{})",
            guarded_percent(r.percent(min), r.den),
            r.num,
            r.den
        ),
        None => guarded_percent(None, r.den),
    }
}

fn table(lang: Lang, head: &str, rows: &BTreeMap<String, Ratio>, key: &str, min: i64) -> Markup {
    let t = |zh, en| tr(lang, zh, en);
    let name = definition(key).map_or("", |d| tr(lang, d.zh, d.en));
    html! {
        table.figures-table data-key=(key) {
            thead { tr { th scope="col" { (head) } th scope="col" { (name) } } }
            tbody {
                @if rows.is_empty() {
                    tr { td colspan="2" { (t("本期没有。", "None in this period.")) } }
                }
                @for (group, r) in rows {
                    tr { th scope="row" { (group) } td { (cell(*r, min)) } }
                }
            }
        }
    }
}

pub(super) fn section(lang: Lang, r: &Rectification, min: i64) -> Markup {
    let t = |zh, en| tr(lang, zh, en);
    let by_category = |rows: &BTreeMap<String, Ratio>| -> BTreeMap<String, Ratio> {
        rows.iter()
            .map(|(c, r)| (category_name(c, lang), *r))
            .collect()
    };
    html! {
        section.card aria-labelledby="h-rectify" {
            h2 #h-rectify { (t("整改与复发", "Rectification and relapses")) }
            ul.figures {
                @for (key, ratio) in [("on_time_rectification", r.on_time), ("relapses", r.relapses)] {
                    @if let Some(d) = definition(key) {
                        li.figure data-key=(key) {
                            span.name { (tr(lang, d.zh, d.en)) }
                            span.value { (cell(ratio, min)) }
                            details {
                                summary { (t("定义", "Definition")) }
                                p { (tr(lang, d.zh_text, d.en_text)) }
                            }
                        }
                    }
                }
            }
            div.charts {
                div { (table(lang, t("处置单位", "Handling unit"), &r.on_time_by_unit, "on_time_rectification", min)) }
                div { (table(lang, t("类别", "Category"), &by_category(&r.on_time_by_category), "on_time_rectification", min)) }
                div { (table(lang, t("类别", "Category"), &by_category(&r.relapses_by_category), "relapses", min)) }
            }
        }
    }
}
