//! The desk's small rules, apart from any IO: deadlines, response templates, CSV cells.

use super::i18n::Lang;
use crate::store::{Deadlines, ListRow};
use xinjing_contract::TicketStatus;

/// Which deadline an open report has missed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overdue {
    /// Still "received": nobody has taken it up in time.
    FirstResponse,
    /// Open longer than the resolution deadline.
    Resolution,
}

impl Overdue {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Overdue::FirstResponse => super::i18n::tr(lang, "超时未响应", "Response overdue"),
            Overdue::Resolution => super::i18n::tr(lang, "超时未办结", "Resolution overdue"),
        }
    }
}

/// The cut-off times for reports open at `now` (the same rule as [`overdue`], for SQL).
pub fn deadlines(now: i64, first_response_ms: i64, resolution_ms: i64) -> Deadlines {
    Deadlines {
        respond_before: now - first_response_ms,
        resolve_before: now - resolution_ms,
    }
}

/// Whether a report is overdue at `now`: counted from its arrival, or from its last
/// reopening (a reopened ticket gets its time again, as 12345's 重办 does).
pub fn overdue(
    row: &ListRow,
    now: i64,
    first_response_ms: i64,
    resolution_ms: i64,
) -> Option<Overdue> {
    if row.closed_at.is_some() {
        return None;
    }
    let open_since = row.reopened_at.unwrap_or(row.received_at);
    let open_for = now - open_since;
    if open_for > resolution_ms {
        Some(Overdue::Resolution)
    } else if row.status == TicketStatus::Received && open_for > first_response_ms {
        Some(Overdue::FirstResponse)
    } else {
        None
    }
}

/// A common public note, chosen from a list instead of typed.
pub struct Template {
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

impl Template {
    pub fn text(&self, lang: Lang) -> &'static str {
        super::i18n::tr(lang, self.zh, self.en)
    }
}

pub const TEMPLATES: [Template; 6] = [
    Template {
        code: "received",
        zh: "已收到您的反映，我们会尽快安排人员核实。",
        en: "We have your report and will send someone to check soon.",
    },
    Template {
        code: "on_site",
        zh: "已安排工作人员上门核查处理。",
        en: "Staff have been sent to check and deal with it on site.",
    },
    Template {
        code: "cleared",
        zh: "已清理完毕，隐患已消除，感谢您的反映。",
        en: "It has been cleared and the hazard is gone. Thank you for reporting it.",
    },
    Template {
        code: "rectify",
        zh: "已告知当事人并督促整改，我们会持续跟进。",
        en: "Those responsible have been told to put it right; we will keep checking.",
    },
    Template {
        code: "not_ours",
        zh: "该问题不属于本社区职责范围，已转交相关部门处理。",
        en: "This is not the community's to handle; it has been passed to the responsible department.",
    },
    Template {
        code: "not_found",
        zh: "经现场核实，未发现所反映的问题。",
        en: "On checking on site, the problem reported was not found.",
    },
];

pub fn template(code: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.code == code)
}

/// The note to record: the typed one, else the chosen template's text in the resident's
/// language, else none.
pub fn note_or_template(
    typed: Option<&str>,
    template_code: Option<&str>,
    resident: Lang,
) -> Option<String> {
    typed
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .or_else(|| {
            template_code
                .and_then(template)
                .map(|t| t.text(resident).to_owned())
        })
}

/// One CSV cell: quoted when needed, and text that a spreadsheet would run as a formula
/// (`=`, `+`, `-`, `@` first) is prefixed with `'` so it stays text.
pub fn csv_cell(text: &str) -> String {
    let text = match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// A Shanghai time for people, or empty.
pub fn local_time(ms: Option<i64>) -> String {
    ms.map(|ms| xinjing_contract::time::display_shanghai(ms as f64))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(received_at: i64, status: TicketStatus) -> ListRow {
        ListRow {
            ticket: "XJ-20261130-0001".into(),
            received_at,
            category: "other".into(),
            community: "A".into(),
            building: "1".into(),
            detail: String::new(),
            status,
            assignee: None,
            first_response_at: None,
            resolved_at: None,
            closed_at: status.is_final().then_some(received_at + 1),
            reopened_at: None,
            reopen_count: 0,
            merged_into: None,
            task_from: None,
            task_due: None,
            returned_at: None,
        }
    }

    #[test]
    fn overdue_follows_both_deadlines_and_restarts_on_reopen() {
        let (respond, resolve) = (10, 100);
        assert_eq!(
            overdue(&row(0, TicketStatus::Received), 10, respond, resolve),
            None
        );
        assert_eq!(
            overdue(&row(0, TicketStatus::Received), 11, respond, resolve),
            Some(Overdue::FirstResponse)
        );
        assert_eq!(
            overdue(&row(0, TicketStatus::InProgress), 50, respond, resolve),
            None
        );
        assert_eq!(
            overdue(&row(0, TicketStatus::InProgress), 101, respond, resolve),
            Some(Overdue::Resolution)
        );
        assert_eq!(
            overdue(&row(0, TicketStatus::Resolved), 1_000, respond, resolve),
            None
        );
        let mut reopened = row(0, TicketStatus::Received);
        reopened.reopened_at = Some(500);
        assert_eq!(overdue(&reopened, 505, respond, resolve), None);
    }

    #[test]
    fn csv_cells_are_quoted_and_never_formulas() {
        assert_eq!(csv_cell("3号楼"), "3号楼");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_cell("-1+2"), "'-1+2");
    }

    #[test]
    fn typed_notes_win_over_templates() {
        assert_eq!(
            note_or_template(Some(" 已修 "), Some("cleared"), Lang::Zh).as_deref(),
            Some("已修")
        );
        assert_eq!(
            note_or_template(Some(""), Some("cleared"), Lang::En).as_deref(),
            Some(TEMPLATES[2].en)
        );
        assert_eq!(note_or_template(None, Some("nope"), Lang::Zh), None);
        assert_eq!(note_or_template(None, None, Lang::Zh), None);
    }
}
