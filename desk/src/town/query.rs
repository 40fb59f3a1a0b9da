//! What `/desk/stats` is asked for: a week, a month or from–to (Shanghai days), and
//! optionally one community to drill into.

use crate::stats::Period;
use serde::Deserialize;
use xinjing_contract::time::Date;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Week,
    Month,
    Range,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Week => "week",
            Kind::Month => "month",
            Kind::Range => "range",
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct StatsQuery {
    pub period: Option<String>,
    /// A day in the week or month shown (default: today).
    pub day: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Drill into this community's buildings.
    pub community: Option<String>,
}

/// The longest from–to range (a year and a bit): a longer one reads too many rows for
/// one page and says little.
const MAX_RANGE_DAYS: i64 = 400;

impl StatsQuery {
    /// The period asked for; a month by default, and a missing or wrong day is today.
    pub fn period(&self, today: Date) -> (Kind, Period) {
        let date = |text: &Option<String>| text.as_deref().and_then(Date::parse);
        let day = date(&self.day).unwrap_or(today);
        match self.period.as_deref() {
            Some("week") => (Kind::Week, Period::week_of(day)),
            Some("range") => {
                let from = date(&self.from).unwrap_or(today);
                let to = date(&self.to).unwrap_or(today);
                let mut period = Period::days(from, to);
                period.first = period.first.max(period.last - MAX_RANGE_DAYS + 1);
                (Kind::Range, period)
            }
            _ => (Kind::Month, Period::month_of(day)),
        }
    }

    /// The query string of this period, with `extra` pairs.
    pub fn link(&self, kind: Kind, period: Period, extra: &[(&str, &str)]) -> String {
        let first = period.first_date().to_string();
        let last = period.last_date().to_string();
        let mut pairs: Vec<(&str, &str)> = vec![("period", kind.code())];
        match kind {
            Kind::Range => pairs.extend([("from", first.as_str()), ("to", last.as_str())]),
            _ => pairs.push(("day", first.as_str())),
        }
        pairs.extend_from_slice(extra);
        format!(
            "/desk/stats?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn a_month_by_default_and_ranges_are_bounded() {
        let today = day("2026-12-09");
        let (kind, period) = StatsQuery::default().period(today);
        assert_eq!(
            (kind, period.first_date()),
            (Kind::Month, day("2026-12-01"))
        );
        let q = StatsQuery {
            period: Some("range".into()),
            from: Some("2020-01-01".into()),
            to: Some("2026-12-09".into()),
            ..Default::default()
        };
        let (_, period) = q.period(today);
        assert_eq!(period.last - period.first + 1, MAX_RANGE_DAYS);
        let week = StatsQuery {
            period: Some("week".into()),
            day: Some("not a day".into()),
            ..Default::default()
        };
        assert_eq!(week.period(today).1.first_date(), day("2026-12-07"));
    }
}
