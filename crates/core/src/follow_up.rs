//! Following a ticket up on the phone: its history as the resident reads it (each step in
//! Shanghai time) and the comment that goes with "not satisfied".

use super::i18n::{fill, Lang, Msg};
use super::report::{char_count, FieldError};
use xinjing_contract::ticket::{StatusChange, COMMENT_MAX, STEP_CHECKED, STEP_DISPATCHED};
use xinjing_contract::time::{days_from_civil, display_shanghai, Date};

/// One step of the history, ready to show.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryLine {
    /// `2026-11-30 09:15`, Shanghai time.
    pub when: String,
    /// The state's name, with "reopened" when the resident's verdict opened it again.
    pub what: String,
    pub note: Option<String>,
    pub reopened: bool,
}

/// A step's `step`, worded: "passed to the property company, due 10 Dec" or "fixed,
/// checked by the committee". The endpoint sends data, never this text, so the phone says
/// it in its own language; unknown kinds read as none.
pub fn progress_text(step: &StatusChange, lang: Lang) -> Option<String> {
    match step.step.as_deref()? {
        STEP_DISPATCHED => {
            let unit = unit_name(step.unit_kind.as_deref()).text(lang);
            match step.due.as_deref().and_then(epoch_ms) {
                Some(due) => {
                    let day = Date::in_shanghai(due);
                    let due = match lang {
                        Lang::Zh => format!("{}月{}日", day.month, day.day),
                        Lang::En => format!("{} {}", day.day, MONTHS[usize::from(day.month) - 1]),
                    };
                    Some(fill(
                        Msg::ProgressDispatched.text(lang),
                        &[("unit", unit), ("due", &due)],
                    ))
                }
                None => Some(fill(
                    Msg::ProgressDispatchedNoDue.text(lang),
                    &[("unit", unit)],
                )),
            }
        }
        STEP_CHECKED => Some(Msg::ProgressChecked.text(lang).to_owned()),
        _ => None,
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The kind of unit as a resident reads it; a kind this build does not know is "the unit
/// in charge", never dropped.
fn unit_name(kind: Option<&str>) -> Msg {
    match kind {
        Some("property") => Msg::UnitProperty,
        Some("enforcement") => Msg::UnitEnforcement,
        Some("power") => Msg::UnitPower,
        Some("committee") => Msg::UnitCommittee,
        Some("police") => Msg::UnitPolice,
        _ => Msg::UnitOther,
    }
}

/// Where the ticket stands now beyond its state: the worded step of the latest step that
/// has one, since the ticket was last reopened (an older fix no longer speaks for it).
pub fn latest_progress(history: &[StatusChange], lang: Lang) -> Option<String> {
    let since = history.iter().rposition(|s| s.reopened).unwrap_or(0);
    history[since..]
        .iter()
        .rev()
        .find_map(|step| progress_text(step, lang))
}

pub fn history_lines(history: &[StatusChange], lang: Lang) -> Vec<HistoryLine> {
    history
        .iter()
        .map(|step| {
            let name = step.status.name(lang);
            // What happened beyond the change of state (a dispatch, a checked fix), in the
            // phone's language, goes with the state's name.
            let what = match (step.reopened, progress_text(step, lang)) {
                (true, _) => format!("{name} · {}", Msg::Reopened.text(lang)),
                (false, Some(progress)) => format!("{name} · {progress}"),
                (false, None) => name.to_owned(),
            };
            HistoryLine {
                when: shanghai_time(&step.at),
                what,
                note: step.note.clone(),
                reopened: step.reopened,
            }
        })
        .collect()
}

/// An RFC 3339 time from any server, shown as Shanghai wall time (`2026-11-30 09:15`). What
/// does not parse is shown as written, cut to the same length: a step is never dropped.
pub fn shanghai_time(at: &str) -> String {
    epoch_ms(at)
        .map(display_shanghai)
        .unwrap_or_else(|| at.chars().take(16).collect::<String>().replace('T', " "))
}

fn epoch_ms(at: &str) -> Option<f64> {
    if !xinjing_contract::time::is_rfc3339(at) {
        return None;
    }
    let date = Date::parse(&at[..10])?;
    // The shape is checked above: each field read here is two ASCII digits.
    let b = at.as_bytes();
    let two = |i: usize| i64::from(b[i] - b'0') * 10 + i64::from(b[i + 1] - b'0');
    let seconds = two(11) * 3600 + two(14) * 60 + two(17);
    let end = b.len();
    let offset = match b[end - 1] {
        b'Z' => 0,
        _ => {
            let minutes = two(end - 5) * 60 + two(end - 2);
            if b[end - 6] == b'-' {
                -minutes * 60
            } else {
                minutes * 60
            }
        }
    };
    Some(((days_from_civil(date) * 86_400 + seconds - offset) * 1000) as f64)
}

/// The comment sent with "not satisfied": optional (blank is none), at most `COMMENT_MAX`
/// characters as a resident counts them.
pub fn check_comment(text: &str) -> Result<Option<String>, FieldError> {
    let trimmed = text.trim();
    if char_count(trimmed) > COMMENT_MAX {
        return Err(FieldError::TooLong { max: COMMENT_MAX });
    }
    Ok((!trimmed.is_empty()).then(|| trimmed.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use xinjing_contract::time::rfc3339_shanghai;
    use xinjing_contract::TicketStatus;

    fn step(status: TicketStatus, at: &str, note: Option<&str>, reopened: bool) -> StatusChange {
        StatusChange {
            status,
            at: at.into(),
            note: note.map(Into::into),
            reopened,
            step: None,
            unit_kind: None,
            due: None,
        }
    }

    #[test]
    fn history_in_shanghai_time_with_reopened_steps_marked() {
        let history = [
            step(TicketStatus::Received, "2026-11-30T01:15:00Z", None, false),
            step(
                TicketStatus::Resolved,
                "2026-11-30T14:00:00+08:00",
                Some("电动车已移走"),
                false,
            ),
            step(
                TicketStatus::Received,
                "2026-11-30T03:30:00-05:00",
                None,
                true,
            ),
        ];
        let zh = history_lines(&history, Lang::Zh);
        assert_eq!(zh[0].when, "2026-11-30 09:15");
        assert_eq!(zh[1].when, "2026-11-30 14:00");
        assert_eq!(zh[2].when, "2026-11-30 16:30");
        assert_eq!(zh[1].note.as_deref(), Some("电动车已移走"));
        assert_eq!(zh[2].what, "已受理 · 重办");
        assert!(zh[2].reopened && !zh[0].reopened);
        assert_eq!(
            history_lines(&history, Lang::En)[2].what,
            "Received · Reopened"
        );
    }

    #[test]
    fn a_time_that_does_not_parse_is_shown_as_written() {
        assert_eq!(shanghai_time("2026-11-30T09:15"), "2026-11-30 09:15");
        assert_eq!(shanghai_time("yesterday"), "yesterday");
        assert_eq!(
            shanghai_time("2026-11-30T09:15:00.123+08:00"),
            "2026-11-30 09:15"
        );
    }

    #[test]
    fn comments_are_optional_and_limited() {
        assert_eq!(check_comment("  "), Ok(None));
        assert_eq!(check_comment(" 又推回来了 "), Ok(Some("又推回来了".into())));
        let most = "满".repeat(COMMENT_MAX);
        assert_eq!(check_comment(&most), Ok(Some(most.clone())));
        assert_eq!(
            check_comment(&format!("{most}😀")),
            Err(FieldError::TooLong { max: COMMENT_MAX })
        );
    }

    proptest! {
        #[test]
        fn shanghai_times_round_trip(minutes in 0i64..50_000_000) {
            let ms = (minutes * 60_000) as f64;
            prop_assert_eq!(shanghai_time(&rfc3339_shanghai(ms)), display_shanghai(ms));
        }

        #[test]
        fn comment_check_never_panics(text in "\\PC{0,600}") {
            match check_comment(&text) {
                Ok(Some(kept)) => prop_assert!(char_count(&kept) <= COMMENT_MAX),
                Ok(None) => prop_assert!(text.trim().is_empty()),
                Err(_) => prop_assert!(char_count(&text) > COMMENT_MAX),
            }
        }
    }
}
