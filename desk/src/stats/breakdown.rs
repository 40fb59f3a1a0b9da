//! The town's figures broken down: per community and category, per building, per week
//! and per month. Pure, over the same rows as [`super::figures`].

use super::{figures, Figures, Limits, Period, ReportFacts};
use std::collections::BTreeMap;

/// Reports received in `period`, per (community, category).
pub fn by_community_and_category(
    rows: &[ReportFacts],
    period: Period,
) -> BTreeMap<(String, String), i64> {
    let mut out = BTreeMap::new();
    for r in in_period(rows, period) {
        *out.entry((r.community.clone(), r.category.clone()))
            .or_insert(0) += 1;
    }
    out
}

/// Buildings with a count each, largest first.
pub type Ranking = Vec<(String, i64)>;

/// A community's buildings in `period`, most reports first, and most reopened reports
/// first (buildings with none left out); at most `n` each, ties by name.
pub fn top_buildings(
    rows: &[ReportFacts],
    period: Period,
    community: &str,
    n: usize,
) -> (Ranking, Ranking) {
    let mut counts: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for r in in_period(rows, period).filter(|r| r.community == community) {
        let c = counts.entry(&r.building).or_insert((0, 0));
        c.0 += 1;
        c.1 += i64::from(r.reopen_count > 0);
    }
    let counts = counts.into_iter().map(|(b, (n, re))| (b.to_owned(), n, re));
    top_of(counts.collect(), n)
}

/// Per building (name, reports, reopened reports): the most reports first, and the most
/// reopened first (buildings with none left out); at most `n` each, ties by name.
pub fn top_of(counts: Vec<(String, i64, i64)>, n: usize) -> (Ranking, Ranking) {
    let top = |mut v: Vec<(String, i64)>| {
        v.retain(|(_, c)| *c > 0);
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v.truncate(n);
        v
    };
    let reports = counts.iter().map(|(b, n, _)| (b.clone(), *n)).collect();
    let reopened = counts.into_iter().map(|(b, _, re)| (b, re)).collect();
    (top(reports), top(reopened))
}

/// One week of the trend.
#[derive(Clone, Debug, PartialEq)]
pub struct Week {
    pub period: Period,
    pub received: i64,
    /// Closed in that week (and closed still).
    pub closed: i64,
    /// Received that week and handled late: first response or close after its time, or
    /// still without it now that its time has passed.
    pub overdue: i64,
}

/// The `n` weeks ending with `last`.
pub fn weeks(rows: &[ReportFacts], last: Period, n: i64, now: i64, limits: &Limits) -> Vec<Week> {
    (0..n)
        .rev()
        .map(|back| {
            let period = Period {
                first: last.first - 7 * back,
                last: last.last - 7 * back,
            };
            let (from, to) = (period.start_ms(), period.end_ms());
            let mut week = Week {
                period,
                received: 0,
                closed: 0,
                overdue: 0,
            };
            for r in rows {
                if r.closed_at.is_some_and(|c| (from..to).contains(&c)) {
                    week.closed += 1;
                }
                if !(from..to).contains(&r.received_at) {
                    continue;
                }
                week.received += 1;
                let late = |at: Option<i64>, limit: i64| at.unwrap_or(now) - r.received_at > limit;
                if late(r.first_response_at, limits.first_response_ms)
                    || late(r.closed_at, limits.resolution_ms)
                {
                    week.overdue += 1;
                }
            }
            week
        })
        .collect()
}

/// The figures of the `n` months ending with the month `last`.
pub fn months(
    rows: &[ReportFacts],
    last: Period,
    n: usize,
    now: i64,
    limits: &Limits,
) -> Vec<(Period, Figures)> {
    last.back(n)
        .into_iter()
        .map(|month| (month, figures(rows, month, now, limits)))
        .collect()
}

fn in_period(rows: &[ReportFacts], period: Period) -> impl Iterator<Item = &ReportFacts> {
    let (from, to) = (period.start_ms(), period.end_ms());
    rows.iter()
        .filter(move |r| (from..to).contains(&r.received_at))
}
