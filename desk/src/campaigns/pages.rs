//! The campaign editor's pages (maud, no script): the list with end / restore buttons, and
//! the form, which shows each problem next to its field and keeps what was typed.

use super::form::{CampaignForm, Problem, ICONS, TEXTS};
use crate::staff::auth::encode_component;
use crate::staff::i18n::{tr, Lang};
use crate::store::CampaignRow;
use maud::{html, Markup};
use xinjing_contract::time::Date;
use xinjing_contract::Category;

fn text_name(lang: Lang, key: &str) -> &'static str {
    let (zh, en) = match key {
        "title" => ("标题", "Title"),
        "summary" => (
            "简介（卡片上的一两句话，也印在海报上）",
            "Summary (one or two sentences on the card and the poster)",
        ),
        "rule" => ("规定", "The rule"),
        "why" => ("为什么", "Why it matters"),
        "instead" => ("应该怎么做", "What to do instead"),
        "if_not" => ("不遵守会怎样（选填）", "If the rule is not kept (optional)"),
        "source" => ("依据（选填）", "Source (optional)"),
        _ => ("", ""),
    };
    tr(lang, zh, en)
}

fn icon_name(lang: Lang, icon: &str) -> &'static str {
    let (zh, en) = match icon {
        "ebike" => ("电动车", "E-bike"),
        "plug" => ("插头", "Plug"),
        "wiring" => ("电线", "Wiring"),
        "power" => ("电源", "Power"),
        "exit" => ("安全出口", "Exit"),
        _ => ("通用提示", "Generic sign"),
    };
    tr(lang, zh, en)
}

/// Where a campaign stands on `today`.
fn state_of(lang: Lang, row: &CampaignRow, today: Date) -> &'static str {
    let date = |key: &str| row.entry[key].as_str().and_then(Date::parse);
    if row.ended_at.is_some() {
        tr(lang, "已结束", "Ended")
    } else if date("start").is_some_and(|d| today < d) {
        tr(lang, "未开始", "Not started")
    } else if date("end").is_some_and(|d| d < today) {
        tr(lang, "已过期", "Past its end date")
    } else {
        tr(lang, "进行中", "Running")
    }
}

pub fn list(
    lang: Lang,
    csrf: &str,
    rows: &[CampaignRow],
    today: Date,
    saved: Option<&str>,
) -> Markup {
    let t = |zh, en| tr(lang, zh, en);
    let text = |row: &CampaignRow, key: &str| {
        let value = &row.entry[key];
        let pick = match lang {
            Lang::En => value["en"].as_str().filter(|s| !s.is_empty()),
            Lang::Zh => None,
        };
        pick.or(value["zh"].as_str()).unwrap_or("").to_owned()
    };
    html! {
        @if let Some(id) = saved {
            p.ok role="status" { (t("已保存：", "Saved: ")) (id) " · " (t("居民刷新页面即可看到。", "Residents see it on their next reload.")) }
        }
        p.bar.card {
            a.button href="/desk/campaigns/new" { (t("新建宣传活动", "New campaign")) }
            a href="/campaigns.json" { (t("查看发布给居民的数据", "The feed residents' phones read")) }
        }
        table.list {
            thead { tr {
                th scope="col" { (t("标题", "Title")) }
                th scope="col" { (t("编号", "Id")) }
                th scope="col" { (t("日期", "Dates")) }
                th scope="col" { (t("优先级", "Priority")) }
                th scope="col" { (t("状态", "State")) }
                th scope="col" { (t("操作", "Actions")) }
            } }
            tbody {
                @for row in rows {
                    tr {
                        td data-label=(t("标题", "Title")) {
                            a href={ "/desk/campaigns/" (encode_component(&row.id)) } { (text(row, "title")) }
                        }
                        td data-label=(t("编号", "Id")) { code { (row.id) } }
                        td data-label=(t("日期", "Dates")) {
                            (row.entry["start"].as_str().unwrap_or("")) " – " (row.entry["end"].as_str().unwrap_or(""))
                        }
                        td data-label=(t("优先级", "Priority")) { (row.entry["priority"].as_i64().unwrap_or(0)) }
                        td data-label=(t("状态", "State")) { span.badge { (state_of(lang, row, today)) } }
                        td data-label=(t("操作", "Actions")) {
                            form.inline method="post" action={ "/desk/campaigns/" (encode_component(&row.id)) "/end" } {
                                input type="hidden" name="csrf" value=(csrf);
                                @if row.ended_at.is_some() {
                                    input type="hidden" name="ended" value="0";
                                    button.secondary type="submit" aria-label={ (t("恢复", "Restore")) " " (text(row, "title")) } { (t("恢复", "Restore")) }
                                } @else {
                                    input type="hidden" name="ended" value="1";
                                    button.danger type="submit" aria-label={ (t("结束", "End")) " " (text(row, "title")) } { (t("结束", "End")) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn error_id(field: &str) -> String {
    format!("{field}-error")
}

/// A field's problems, shown under its label.
fn errors(lang: Lang, problems: &[Problem], field: &str) -> Markup {
    html! {
        @for p in problems.iter().filter(|p| p.field == field).take(1) {
            p.error id=(error_id(field)) { (tr(lang, &p.zh, &p.en)) }
        }
    }
}

fn input(
    lang: Lang,
    form: &CampaignForm,
    problems: &[Problem],
    field: &str,
    label: &str,
    hint: Option<&str>,
    long: bool,
) -> Markup {
    let invalid = problems.iter().any(|p| p.field == field);
    let hint_id = format!("{field}-hint");
    let described: Vec<String> = hint
        .map(|_| hint_id.clone())
        .into_iter()
        .chain(invalid.then(|| error_id(field)))
        .collect();
    let described = (!described.is_empty()).then(|| described.join(" "));
    html! {
        label for=(field) { (label) }
        @if let Some(hint) = hint { p.hint id=(hint_id) { (hint) } }
        (errors(lang, problems, field))
        @if long {
            textarea id=(field) name=(field) rows="3" aria-invalid=[invalid.then_some("true")] aria-describedby=[described] { (form.get(field)) }
        } @else {
            input id=(field) type="text" name=(field) value=(form.get(field)) aria-invalid=[invalid.then_some("true")] aria-describedby=[described];
        }
    }
}

/// The form; `id` is `None` when creating (then the id is typed).
pub fn editor(
    lang: Lang,
    csrf: &str,
    form: &CampaignForm,
    problems: &[Problem],
    id: Option<&str>,
) -> Markup {
    let t = |zh, en| tr(lang, zh, en);
    let action = match id {
        Some(id) => format!("/desk/campaigns/{}", encode_component(id)),
        None => "/desk/campaigns".to_owned(),
    };
    html! {
        @if !problems.is_empty() {
            div.notice role="alert" {
                p { (t("未保存：请修改下面标出的地方。", "Not saved: please correct the fields marked below.")) }
                ul { @for p in problems {
                    li { a href={ "#" (p.field) } { (tr(lang, &p.zh, &p.en)) } }
                } }
            }
        }
        form.card method="post" action=(action) {
            input type="hidden" name="csrf" value=(csrf);
            p.hint { (t("每段文字都要有中文；英文可不填，不填时英文界面显示中文。",
                        "Every text needs its Chinese; the English may be left empty, and the English screens then show the Chinese.")) }
            @match id {
                Some(id) => { p { (t("编号：", "Id: ")) code { (id) } } }
                None => {
                    (input(lang, form, problems, "id", t("编号", "Id"),
                        Some(t("例如 ebike-winter-2026：小写字母、数字和连字符，保存后不能再改。",
                               "For example ebike-winter-2026: lower-case letters, digits and hyphens; it cannot change once saved.")), false))
                }
            }
            @for key in TEXTS {
                fieldset {
                    legend { (text_name(lang, key)) }
                    @let long = *key != "title";
                    (input(lang, form, problems, &format!("{key}_zh"), &format!("{}{}", text_name(lang, key), t("（中文）", " (Chinese)")), None, long))
                    (input(lang, form, problems, &format!("{key}_en"), &format!("{}{}", text_name(lang, key), t("（英文）", " (English)")), None, long))
                }
            }
            fieldset {
                legend { (t("隐患类别", "Hazard categories")) }
                p.hint { (t("居民点“我要报告”时预选第一个勾选的类别。", "\"Report this\" preselects the first one ticked.")) }
                (errors(lang, problems, "categories"))
                @for category in Category::ALL {
                    @let code = category.code();
                    label.check {
                        input type="checkbox" name="categories" value=(code) checked[form.categories.iter().any(|c| c == code)];
                        " " (category.name(lang))
                    }
                }
            }
            (input(lang, form, problems, "priority", t("优先级", "Priority"), Some(t("0 到 255，越大越靠前。", "0 to 255; higher shows first.")), false))
            (input(lang, form, problems, "start", t("开始日期", "Start date"), Some(t("年-月-日，例如 2026-12-01（上海时间，含当天）", "YYYY-MM-DD, e.g. 2026-12-01 (Shanghai days, inclusive)")), false))
            (input(lang, form, problems, "end", t("结束日期", "End date"), Some(t("年-月-日，含当天", "YYYY-MM-DD, inclusive")), false))
            label for="icon" { (t("图标", "Icon")) }
            (errors(lang, problems, "icon"))
            select #icon name="icon" aria-invalid=[problems.iter().any(|p| p.field == "icon").then_some("true")] {
                option value="" selected[form.get("icon").is_empty()] { (icon_name(lang, "")) }
                @for icon in ICONS {
                    option value=(icon) selected[form.get("icon") == *icon] { (icon_name(lang, icon)) }
                }
            }
            p { button type="submit" { (t("保存", "Save")) } a href="/desk/campaigns" { (t("取消", "Cancel")) } }
        }
    }
}
