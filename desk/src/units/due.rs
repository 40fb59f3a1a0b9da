//! Due times as a form shows and sends them: `YYYY-MM-DDTHH:MM` (an `<input
//! type="datetime-local">`) in Shanghai time, which is UTC+8 all year. Pure.

use xinjing_contract::time::{days_from_civil, Date};

const HOUR_MS: i64 = 3_600_000;
const SHANGHAI_MS: i64 = 8 * HOUR_MS;

/// The form's value for a time.
pub fn to_input(ms: i64) -> String {
    let local = ms + SHANGHAI_MS;
    let date = Date::in_shanghai(ms as f64);
    let minutes = local.rem_euclid(86_400_000) / 60_000;
    format!("{date}T{:02}:{:02}", minutes / 60, minutes % 60)
}

/// A form's value back to a time; `None` when it is not one.
pub fn from_input(text: &str) -> Option<i64> {
    let (day, time) = text.trim().split_once('T')?;
    let date = Date::parse(day)?;
    let (h, m) = time.get(..5)?.split_once(':')?;
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    if !(0..24).contains(&h) || !(0..60).contains(&m) {
        return None;
    }
    Some(days_from_civil(date) * 86_400_000 + h * HOUR_MS + m * 60_000 - SHANGHAI_MS)
}

/// Time left (positive) or over (negative) as people say it: "2 天 3 小时", "45 分钟".
pub fn span(ms: i64, en: bool) -> String {
    let minutes = ms.abs() / 60_000;
    let (d, h, m) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (d, h, en) {
        (0, 0, false) => format!("{m} 分钟"),
        (0, 0, true) => format!("{m} min"),
        (0, h, false) => format!("{h} 小时 {m} 分钟"),
        (0, h, true) => format!("{h} h {m} min"),
        (d, h, false) => format!("{d} 天 {h} 小时"),
        (d, h, true) => format!("{d} d {h} h"),
    }
}

/// The escalation ladder of an open task: who is told once its time runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// At 75 % of the time: a reminder to the unit.
    Reminder,
    /// Past the due time: the committee.
    Committee,
    /// Past the due time by a further period: the town.
    Town,
}

impl Step {
    pub fn code(self) -> &'static str {
        match self {
            Step::Reminder => "remind",
            Step::Committee => "overdue",
            Step::Town => "town",
        }
    }
}

/// The highest step due at `now` for a deadline that started at `from` and ends at `due`
/// (`None`: none yet).
pub fn step_due(from: i64, due: i64, town_after_ms: i64, now: i64) -> Option<Step> {
    let reminder = from + (due - from).max(0) * 3 / 4;
    if now >= due.saturating_add(town_after_ms) {
        Some(Step::Town)
    } else if now >= due {
        Some(Step::Committee)
    } else if now >= reminder {
        Some(Step::Reminder)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ladder_climbs_at_three_quarters_at_the_due_time_and_a_day_later() {
        let (from, due, day) = (0, 24 * 3_600_000, 24 * 3_600_000);
        assert_eq!(step_due(from, due, day, 18 * 3_600_000 - 1), None);
        assert_eq!(
            step_due(from, due, day, 18 * 3_600_000),
            Some(Step::Reminder)
        );
        assert_eq!(step_due(from, due, day, due - 1), Some(Step::Reminder));
        assert_eq!(step_due(from, due, day, due), Some(Step::Committee));
        assert_eq!(
            step_due(from, due, day, due + day - 1),
            Some(Step::Committee)
        );
        assert_eq!(step_due(from, due, day, due + day), Some(Step::Town));
        // A new deadline (a failed review, more time) starts the ladder again from its start.
        assert_eq!(
            step_due(due, due + 4 * 3_600_000, day, due + 3_600_000),
            None
        );
    }

    #[test]
    fn a_form_time_is_shanghai_time() {
        // 2026-12-10T06:00:00Z is 14:00 in Shanghai.
        let ms = 1_796_882_400_000;
        assert_eq!(to_input(ms), "2026-12-10T14:00");
        assert_eq!(from_input("2026-12-10T14:00"), Some(ms));
        // Seconds, as some browsers send them, are ignored.
        assert_eq!(from_input("2026-12-10T14:00:30"), Some(ms));
        // Just after midnight in Shanghai is still the day before in UTC.
        assert_eq!(
            to_input(from_input("2026-12-11T00:30").unwrap()),
            "2026-12-11T00:30"
        );
        for bad in [
            "",
            "2026-12-10",
            "2026-12-10T25:00",
            "2026-13-01T10:00",
            "tomorrow",
        ] {
            assert_eq!(from_input(bad), None, "{bad}");
        }
    }

    #[test]
    fn spans_read_as_people_say_them() {
        assert_eq!(span(45 * 60_000, false), "45 分钟");
        assert_eq!(span(-(3 * 3_600_000 + 5 * 60_000), true), "3 h 5 min");
        assert_eq!(span(2 * 86_400_000 + 3 * 3_600_000, false), "2 天 3 小时");
    }
}
