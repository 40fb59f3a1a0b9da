//! A page's figures from the precomputed sums ([`super::daily`]) and the unsettled
//! reports read live: the same figures [`super::figures`] computes from every report.

use super::breakdown::Week;
use super::daily::{late, Counters, Hist};
use super::{Figures, Limits, Median, Period, Ratio, ReportFacts};
use std::collections::BTreeMap;
use xinjing_contract::time::Date;

/// What the store gives for one page: the precomputed sums and the unsettled reports.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    /// Per day, over the communities asked for.
    pub days: BTreeMap<i64, Counters>,
    /// Per community and category, over the period asked for.
    pub grid: BTreeMap<(String, String), Counters>,
    /// The two hour histograms (to response, to resolution) of the periods asked for.
    pub hours: Vec<(Period, Hist, Hist)>,
    /// Open reports, and closed ones without a first response (answers not counted).
    pub unsettled: Vec<ReportFacts>,
}

/// The last day of the trends: the period's, or today if the period runs on (no empty
/// weeks ahead).
pub fn trend_end(period: Period, today: i64) -> Date {
    let end = period.last.min(today);
    Period {
        first: end,
        last: end,
    }
    .first_date()
}

/// The days a page reads: its period, the one before, and the trends' 12 weeks and 12
/// months, which end with the period or today.
pub fn span(period: Period, today: i64) -> Period {
    let end = trend_end(period, today);
    let last_week = Period::week_of(end);
    let last_month = Period::month_of(end);
    let mut month = last_month;
    for _ in 0..11 {
        month = month.previous();
    }
    Period {
        first: period
            .previous()
            .first
            .min(last_week.first - 77)
            .min(month.first),
        last: period.last.max(last_week.last).max(last_month.last),
    }
}

fn received_in(r: &ReportFacts, period: Period) -> bool {
    (period.start_ms()..period.end_ms()).contains(&r.received_at)
}

/// The figures of a sum of counters and the unsettled reports of the same group.
pub fn figures_of<'a>(
    c: Counters,
    hours: Option<(&Hist, &Hist)>,
    unsettled: impl Iterator<Item = &'a ReportFacts>,
    period: Period,
    now: i64,
    limits: &Limits,
) -> Figures {
    let mut f = Figures {
        received: c.received,
        responded_on_time: Ratio {
            num: c.responded_on_time,
            den: c.responded,
        },
        closed: Ratio {
            num: c.closed,
            den: c.received,
        },
        solved: Ratio {
            num: c.solved,
            den: c.closed,
        },
        satisfied: Ratio {
            num: c.satisfied,
            den: c.answers,
        },
        reopened: Ratio {
            num: c.reopened,
            den: c.ever_closed,
        },
        ..Figures::default()
    };
    if let Some((response, resolution)) = hours {
        f.hours_to_response = Median::of_hours(response);
        f.hours_to_resolution = Median::of_hours(resolution);
    }
    for r in unsettled {
        f.overdue_now += i64::from(r.is_overdue(now, limits));
        if received_in(r, period)
            && r.first_response_at.is_none()
            && now - r.received_at > limits.first_response_ms
        {
            f.responded_on_time.den += 1;
        }
    }
    f
}

impl Tally {
    /// The counters summed over `period`'s days.
    pub fn sum(&self, period: Period) -> Counters {
        let mut c = Counters::default();
        for day in self.days.range(period.first..=period.last).map(|(_, c)| c) {
            c.add(day);
        }
        c
    }

    /// The figures of `period` (medians only for the periods whose hours were read).
    pub fn figures(&self, period: Period, now: i64, limits: &Limits) -> Figures {
        let hours = self
            .hours
            .iter()
            .find(|(p, _, _)| *p == period)
            .map(|(_, a, b)| (a, b));
        figures_of(
            self.sum(period),
            hours,
            self.unsettled.iter(),
            period,
            now,
            limits,
        )
    }

    /// The figures of the groups (community, category) that `pick` keeps, over the period
    /// the grid was read for.
    pub fn group(
        &self,
        pick: impl Fn(&str, &str) -> bool,
        period: Period,
        now: i64,
        limits: &Limits,
    ) -> Figures {
        let mut c = Counters::default();
        for ((community, category), cell) in &self.grid {
            if pick(community, category) {
                c.add(cell);
            }
        }
        let unsettled = self
            .unsettled
            .iter()
            .filter(|r| pick(&r.community, &r.category));
        figures_of(c, None, unsettled, period, now, limits)
    }

    /// Reports received per (community, category) over the grid's period.
    pub fn received_grid(&self) -> BTreeMap<(String, String), i64> {
        self.grid
            .iter()
            .filter(|(_, c)| c.received > 0)
            .map(|(k, c)| (k.clone(), c.received))
            .collect()
    }

    /// The `n` weeks ending with `last` (as [`super::breakdown::weeks`]).
    pub fn weeks(&self, last: Period, n: i64, now: i64, limits: &Limits) -> Vec<Week> {
        (0..n)
            .rev()
            .map(|back| {
                let period = Period {
                    first: last.first - 7 * back,
                    last: last.last - 7 * back,
                };
                let c = self.sum(period);
                let live = self
                    .unsettled
                    .iter()
                    .filter(|r| received_in(r, period) && late(r, now, limits))
                    .count() as i64;
                Week {
                    period,
                    received: c.received,
                    closed: c.closed_here,
                    overdue: c.late + live,
                }
            })
            .collect()
    }

    /// The figures of the `n` months ending with the month `last`, without medians.
    pub fn months(
        &self,
        last: Period,
        n: usize,
        now: i64,
        limits: &Limits,
    ) -> Vec<(Period, Figures)> {
        last.back(n)
            .into_iter()
            .map(|month| (month, self.figures(month, now, limits)))
            .collect()
    }
}
