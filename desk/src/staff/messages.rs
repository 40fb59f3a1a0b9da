//! What a report's page says after a form: the change made, or why it was not.

use super::i18n::{tr, Lang};

pub(super) fn done_message(lang: Lang, done: &str) -> &'static str {
    match done {
        "assign" => tr(lang, "已保存指派", "Assignment saved"),
        "dispatch" => tr(lang, "已派单", "Dispatched"),
        "task_more_time_granted" => tr(lang, "已批准延期", "More time granted"),
        "task_more_time_refused" => tr(lang, "已不批准延期", "More time refused"),
        "review_pass" => tr(lang, "复查通过，已办结", "Review passed: resolved"),
        "review_fail" => tr(
            lang,
            "复查未通过，已退回单位",
            "Review failed: back to the unit",
        ),
        "duplicate" => tr(
            lang,
            "已标记为重复并合并",
            "Marked as a duplicate and merged",
        ),
        "recheck" => tr(lang, "已记录回头看结果", "The check is recorded"),
        "task_share_contact" => tr(
            lang,
            "已向处置单位提供居民联系方式（仅本任务）",
            "The resident's contact is shared with the unit (this task only)",
        ),
        "reopen" => tr(
            lang,
            "已重办，工单回到清单顶部",
            "Reopened: the ticket is back at the top of the list",
        ),
        _ => tr(lang, "已保存状态", "State saved"),
    }
}

pub(crate) fn error_message(lang: Lang, error: &str) -> &'static str {
    match error {
        "note_required" => tr(
            lang,
            "请填写公开说明，或选择一条常用回复",
            "Write a public note, or choose a response template",
        ),
        "note_too_long" => tr(
            lang,
            "说明太长（最多 500 字）",
            "The note is too long (500 characters at most)",
        ),
        "bad_status" => tr(
            lang,
            "不能改为这个状态",
            "The report cannot move to this state",
        ),
        "changed" => tr(
            lang,
            "工单在您打开页面后有了新变化（例如居民重办），请查看后再操作",
            "The report changed after this page was opened (the resident may have reopened it): check it, then act",
        ),
        "duplicate_closed" => tr(
            lang,
            "只能合并到仍在处理的工单（该工单已办结或已合并）",
            "A report can only be merged into one still being handled (that one is closed or merged)",
        ),
        "no_such_ticket" => tr(lang, "没有找到这个工单号", "No such ticket"),
        "resolution_required" => tr(
            lang,
            "改为“已办结”时请选择办结类型：已解决或已解释说明",
            "To resolve, choose how: solved or explained",
        ),
        "override_required" => tr(
            lang,
            "未经复查通过的“已解决”须填写例外原因（记入审计日志），或选择“已解释说明”",
            "Solved without a passed review needs a reason for the exception (kept in the audit log), or choose explained",
        ),
        "override_too_long" => tr(
            lang,
            "例外原因太长（最多 500 字）",
            "The reason is too long (500 characters at most)",
        ),
        "self_duplicate" => tr(
            lang,
            "不能标记为与自身重复",
            "A report cannot duplicate itself",
        ),
        "bad_assignee" => tr(
            lang,
            "该账号不能处理本小区的问题",
            "That account does not work for this community",
        ),
        "bad_unit" => tr(
            lang,
            "请选择服务本小区的处置单位",
            "Choose a handling unit that serves this community",
        ),
        "bad_due" => tr(
            lang,
            "整改期限须是将来的时间",
            "The due time must be in the future",
        ),
        "instruction_required" => tr(lang, "请填写整改要求", "Write what is to be fixed"),
        _ => tr(lang, "表单有误", "The form is not valid"),
    }
}
