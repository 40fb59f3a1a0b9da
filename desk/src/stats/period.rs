//! A period of Shanghai calendar days: a week (Monday to Sunday), a month, or from–to.

use xinjing_contract::time::{days_from_civil, Date, SHANGHAI_OFFSET_MS};

const DAY_MS: i64 = 86_400_000;

/// Days `first..=last`, counted from 1970-01-01 (Shanghai).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub first: i64,
    pub last: i64,
}

impl Period {
    /// From `from` to `to`, both included (swapped if given the wrong way round).
    pub fn days(from: Date, to: Date) -> Period {
        let (a, b) = (days_from_civil(from), days_from_civil(to));
        Period {
            first: a.min(b),
            last: a.max(b),
        }
    }

    /// The week (Monday first) holding `day`.
    pub fn week_of(day: Date) -> Period {
        let n = days_from_civil(day);
        // 1970-01-01 was a Thursday: Monday is 3 days before it.
        let monday = n - (n + 3).rem_euclid(7);
        Period {
            first: monday,
            last: monday + 6,
        }
    }

    /// The calendar month holding `day`.
    pub fn month_of(day: Date) -> Period {
        let first = Date { day: 1, ..day };
        let next = if day.month == 12 {
            Date {
                year: day.year + 1,
                month: 1,
                day: 1,
            }
        } else {
            Date {
                month: day.month + 1,
                ..first
            }
        };
        Period {
            first: days_from_civil(first),
            last: days_from_civil(next) - 1,
        }
    }

    /// The period just before, as long as this one (a month: the month before).
    pub fn previous(&self) -> Period {
        let first_day = self.first_date();
        if first_day.day == 1 && *self == Period::month_of(first_day) {
            return Period::month_of(date_of(self.first - 1));
        }
        let len = self.last - self.first + 1;
        Period {
            first: self.first - len,
            last: self.first - 1,
        }
    }

    /// This period and the `n - 1` before it, oldest first (the trend charts' months).
    pub fn back(self, n: usize) -> Vec<Period> {
        let mut out: Vec<Period> = std::iter::successors(Some(self), |p| Some(p.previous()))
            .take(n)
            .collect();
        out.reverse();
        out
    }

    pub fn first_date(&self) -> Date {
        date_of(self.first)
    }

    pub fn last_date(&self) -> Date {
        date_of(self.last)
    }

    /// The first instant of its first day, Shanghai time.
    pub fn start_ms(&self) -> i64 {
        self.first * DAY_MS - SHANGHAI_OFFSET_MS
    }

    /// The first instant after its last day.
    pub fn end_ms(&self) -> i64 {
        (self.last + 1) * DAY_MS - SHANGHAI_OFFSET_MS
    }
}

fn date_of(day: i64) -> Date {
    Date::in_shanghai((day * DAY_MS) as f64)
}
