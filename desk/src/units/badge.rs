//! A report's badge on the problem list for its dispatch: where its live task stands on the
//! escalation ladder, or, once its unit gave it back (退单), the committee's own time to act.
//! Pure.

use crate::notify::config::NotifyConfig;
use crate::staff::i18n::{tr, Lang};
use crate::store::ListRow;
use crate::units::due::{span, step_due, Step};

/// "派单 · 还剩 5 小时 0 分钟", "超时 2 小时 0 分钟 · 已报居委会", "退单 · 待居委会处理 · 还剩 …";
/// with whether it is late.
pub fn ladder(
    row: &ListRow,
    now: i64,
    notify: &NotifyConfig,
    lang: Lang,
) -> Option<(bool, String)> {
    let town_after = notify.town_after_ms;
    let en = lang == Lang::En;
    if let (None, Some(returned)) = (row.task_due, row.returned_at) {
        let due = returned + notify.return_after_ms;
        let left = span(due - now, en);
        return Some(match step_due(due, due, town_after, now) {
            None => (
                false,
                format!(
                    "{}{left}",
                    tr(
                        lang,
                        "退单 · 待居委会处理 · 还剩 ",
                        "Given back · committee to act · left: "
                    )
                ),
            ),
            Some(step) => (
                true,
                format!(
                    "{}{left}{}",
                    tr(
                        lang,
                        "退单未处理 · 超时 ",
                        "Given back, not acted on · over by "
                    ),
                    if step == Step::Town {
                        tr(lang, " · 已报镇", " · town told")
                    } else {
                        tr(lang, " · 已报居委会", " · committee told")
                    }
                ),
            ),
        });
    }
    let (from, due) = (row.task_from?, row.task_due?);
    let left = span(due - now, en);
    Some(match step_due(from, due, town_after, now) {
        None => (
            false,
            format!("{}{left}", tr(lang, "派单 · 还剩 ", "Dispatched · left: ")),
        ),
        Some(Step::Reminder) => (
            false,
            format!(
                "{}{left}",
                tr(lang, "已提醒单位 · 还剩 ", "Unit reminded · left: ")
            ),
        ),
        Some(Step::Committee) => (
            true,
            format!(
                "{}{left}{}",
                tr(lang, "超时 ", "Overdue by "),
                tr(lang, " · 已报居委会", " · committee told")
            ),
        ),
        Some(Step::Town) => (
            true,
            format!(
                "{}{left}{}",
                tr(lang, "超时 ", "Overdue by "),
                tr(lang, " · 已报镇", " · town told")
            ),
        ),
    })
}
