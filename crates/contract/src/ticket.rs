//! Tickets: the number a resident keeps (`XJ-20261130-0001`, as the 12345 hotline gives
//! one), its status, and the bodies of the status and feedback requests.

use crate::json::{
    boolean, code, list, object, optional, or_default, parse_with, required, string, strings, uint,
    Json, Read,
};
use crate::locale::Lang;
use crate::time::Date;
use serde::{Deserialize, Serialize};

pub const TICKET_PREFIX: &str = "XJ";

/// `XJ-YYYYMMDD-NNNN`: the Shanghai day the report arrived and its number that day, at
/// least four digits.
pub fn format_ticket(day: Date, number: u32) -> String {
    format!(
        "{TICKET_PREFIX}-{:04}{:02}{:02}-{number:04}",
        day.year, day.month, day.day
    )
}

/// The day and number of a ticket in the desk's format.
pub fn parse_ticket(ticket: &str) -> Option<(Date, u32)> {
    let rest = ticket.strip_prefix(TICKET_PREFIX)?.strip_prefix('-')?;
    let (day, number) = rest.split_once('-')?;
    if day.len() != 8 || number.len() < 4 || number.len() > 9 {
        return None;
    }
    if !day
        .bytes()
        .chain(number.bytes())
        .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let date = Date::parse(&format!("{}-{}-{}", &day[..4], &day[4..6], &day[6..]))?;
    let number: u32 = number.parse().ok()?;
    (number >= 1 && format_ticket(date, number) == ticket).then_some((date, number))
}

/// Any endpoint's ticket is shown big on screen and used in URLs: keep it short and plain.
pub fn is_plain_ticket(ticket: &str) -> bool {
    !ticket.is_empty()
        && ticket.len() <= 64
        && ticket
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    Received,
    InProgress,
    Resolved,
    Rejected,
}

impl TicketStatus {
    pub const ALL: [TicketStatus; 4] = [
        TicketStatus::Received,
        TicketStatus::InProgress,
        TicketStatus::Resolved,
        TicketStatus::Rejected,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TicketStatus::Received => "received",
            TicketStatus::InProgress => "in_progress",
            TicketStatus::Resolved => "resolved",
            TicketStatus::Rejected => "rejected",
        }
    }

    pub fn from_code(code: &str) -> Option<TicketStatus> {
        TicketStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            TicketStatus::Received => lang.pick("已受理", "Received"),
            TicketStatus::InProgress => lang.pick("处理中", "Being handled"),
            TicketStatus::Resolved => lang.pick("已办结", "Resolved"),
            TicketStatus::Rejected => lang.pick("不予受理", "Not accepted"),
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, TicketStatus::Resolved | TicketStatus::Rejected)
    }
}

/// `201` to `POST {endpoint}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Accepted {
    pub ticket: String,
    pub status: TicketStatus,
}

/// `GET {endpoint}/{ticket}` → the ticket's current status. Fields a server does not know
/// are left out; newer fields are optional so older phones keep reading the answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusAnswer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    pub status: TicketStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// The committee's public note, shown to the resident as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Set when the committee found this to be a duplicate: the ticket that carries on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<String>,
    /// Every change so far, oldest first, with its public note (never an internal one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<StatusChange>,
    /// The after-photo of the fix, when the committee chose to show it: a URL relative to
    /// this answer's (`{ticket}/after-photo`), asked for with the same `X-Report-Key`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_photo: Option<String>,
}

/// One step of a ticket's life as the resident may see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusChange {
    pub status: TicketStatus,
    pub at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The resident was not satisfied and the ticket was opened again (12345's 重办).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reopened: bool,
    /// What happened, when more than a change of state: `dispatched` (passed to a handling
    /// unit, with `unit_kind` and `due`) or `checked` (fixed, and the committee checked the
    /// fix). A phone reads a kind it does not know as none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// `property`, `enforcement`, `power`, `committee`, `police` or `other`: the kind of
    /// unit, never its name or a person's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_kind: Option<String>,
    /// The unit's deadline as it stands now (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
}

/// `step` of a dispatch to a handling unit.
pub const STEP_DISPATCHED: &str = "dispatched";
/// `step` of a fix the committee checked (复查通过).
pub const STEP_CHECKED: &str = "checked";

/// `GET {endpoint}/similar?community=…&building=…&category=…` → open reports of the same
/// kind at the same place in the last 30 days, so a resident can see it is being handled
/// before sending it again. Ticket numbers only: nothing about who sent them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Similar {
    pub count: u32,
    #[serde(default)]
    pub tickets: Vec<String>,
}

/// How far back "similar" looks, in days.
pub const SIMILAR_DAYS: u32 = 30;

/// Longest note a phone keeps and shows.
pub const NOTE_MAX: usize = 500;
/// Longest comment a resident can send with their verdict.
pub const COMMENT_MAX: usize = 500;

/// A 2xx body to `GET {endpoint}/{ticket}`, parsed by `J`.
pub fn parse_status<J: Json>(body: &str) -> Option<StatusAnswer> {
    parse_with(body, read_status_answer::<J>)
}

/// With serde's rules for the derive above: unknown fields ignored, a status the phone does
/// not know fails the answer.
pub fn read_status_answer<J: Json>(node: &J) -> Read<StatusAnswer> {
    let node = object(node)?;
    Ok(StatusAnswer {
        ticket: optional(node, "ticket", string)?,
        status: required(node, "status", read_status)?,
        updated_at: optional(node, "updated_at", string)?,
        note: optional(node, "note", string)?,
        merged_into: optional(node, "merged_into", string)?,
        history: or_default(node, "history", |h| list(h, read_change))?,
        after_photo: optional(node, "after_photo", string)?,
    })
}

pub fn read_status<J: Json>(node: &J) -> Read<TicketStatus> {
    code(node, TicketStatus::from_code)
}

pub fn read_change<J: Json>(node: &J) -> Read<StatusChange> {
    let node = object(node)?;
    Ok(StatusChange {
        status: required(node, "status", read_status)?,
        at: required(node, "at", string)?,
        note: optional(node, "note", string)?,
        reopened: or_default(node, "reopened", boolean)?,
        step: optional(node, "step", string)?,
        unit_kind: optional(node, "unit_kind", string)?,
        due: optional(node, "due", string)?,
    })
}

/// The answer to the similar-reports question.
pub fn read_similar<J: Json>(node: &J) -> Read<Similar> {
    let node = object(node)?;
    Ok(Similar {
        count: required(node, "count", uint)?,
        tickets: or_default(node, "tickets", strings)?,
    })
}

/// `POST {endpoint}/{ticket}/feedback`: the resident's verdict once resolved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Feedback {
    pub satisfied: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Feedback {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse_status(body: &str) -> Option<StatusAnswer> {
        super::parse_status::<serde_json::Value>(body)
    }

    #[test]
    fn ticket_format() {
        let day = Date::new(2026, 11, 30).unwrap();
        assert_eq!(format_ticket(day, 1), "XJ-20261130-0001");
        assert_eq!(format_ticket(day, 12345), "XJ-20261130-12345");
        assert_eq!(parse_ticket("XJ-20261130-0001"), Some((day, 1)));
        for bad in [
            "XJ-20261130-001",
            "XJ-20261130-0000",
            "XJ-20261131-0001",
            "XJ-2026113-00001",
            "xj-20261130-0001",
            "XJ-20261130-00001",
        ] {
            assert_eq!(parse_ticket(bad), None, "{bad}");
        }
        assert!(is_plain_ticket("XJ-20261130-0001"));
        assert!(!is_plain_ticket("<b>"));
    }

    #[test]
    fn status_and_feedback_bodies() {
        let status =
            parse_status(r#"{"ticket":"XJ-20261130-0001","status":"resolved","note":"已清理"}"#)
                .unwrap();
        assert_eq!(status.status, TicketStatus::Resolved);
        assert_eq!(parse_status(r#"{"status":"closed"}"#), None);
        assert_eq!(
            Feedback {
                satisfied: true,
                comment: None
            }
            .to_json(),
            r#"{"satisfied":true}"#
        );
        for s in TicketStatus::ALL {
            assert_eq!(TicketStatus::from_code(s.code()), Some(s));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.code())
            );
        }
    }

    #[test]
    fn older_status_answers_still_parse_and_history_is_optional() {
        let bare = parse_status(r#"{"status":"received"}"#).unwrap();
        assert!(bare.history.is_empty() && bare.merged_into.is_none());
        let full = parse_status(r#"{"ticket":"XJ-20261130-0002","status":"resolved","merged_into":"XJ-20261130-0001","history":[{"status":"received","at":"2026-11-30T09:00:00+08:00"},{"status":"in_progress","at":"2026-11-30T10:00:00+08:00","note":"已派人","reopened":true}]}"#).unwrap();
        assert_eq!(full.merged_into.as_deref(), Some("XJ-20261130-0001"));
        assert_eq!(full.history.len(), 2);
        assert!(full.history[1].reopened && !full.history[0].reopened);
        let text = serde_json::to_string(&full.history[0]).unwrap();
        assert!(
            !text.contains("reopened") && !text.contains("note"),
            "{text}"
        );
    }

    #[test]
    fn progress_steps_are_optional_and_unknown_kinds_still_parse() {
        let answer = parse_status(r#"{"status":"resolved","after_photo":"XJ-20261130-0001/after-photo","history":[{"status":"in_progress","at":"2026-11-30T10:00:00+08:00","step":"dispatched","unit_kind":"property","due":"2026-12-10T10:00:00+08:00"},{"status":"resolved","at":"2026-12-01T10:00:00+08:00","step":"inspected_by_drone","unit_kind":"robot"}]}"#).unwrap();
        let first = &answer.history[0];
        assert_eq!(
            (first.step.as_deref(), first.unit_kind.as_deref()),
            (Some(STEP_DISPATCHED), Some("property"))
        );
        assert_eq!(
            answer.history[1].step.as_deref(),
            Some("inspected_by_drone")
        );
        assert_eq!(
            answer.after_photo.as_deref(),
            Some("XJ-20261130-0001/after-photo")
        );
        let bare = parse_status(r#"{"status":"received"}"#).unwrap();
        assert_eq!(bare.after_photo, None);
        let text = serde_json::to_string(&bare).unwrap();
        assert!(!text.contains("after_photo"), "{text}");
    }

    proptest! {
        #[test]
        fn tickets_round_trip(days in 0i64..2_900_000, number in 1u32..100_000) {
            let day = Date::in_shanghai(days as f64 * 86_400_000.0);
            let ticket = format_ticket(day, number);
            prop_assert!(is_plain_ticket(&ticket));
            prop_assert_eq!(parse_ticket(&ticket), Some((day, number)));
        }
    }
}
