//! The figures kept precomputed: counters per Shanghai day × community × category, and
//! histograms of whole hours for the two medians. Each report adds its [`contribution`];
//! a change subtracts the report's contribution before it and adds the one after, in the
//! change's own transaction, so the sums always equal what [`super::figures`] computes
//! from the raw rows.
//!
//! What depends on the moment of asking (a report still without a first response, or
//! still open, turns late as time passes) is not kept: those reports are *unsettled*
//! (open, or closed without a first response), few, and read live;
//! a page puts both together (`Tally`).

use super::{Limits, Median, ReportFacts};
use crate::resolution::Resolution;
use std::collections::BTreeMap;
use xinjing_contract::time::SHANGHAI_OFFSET_MS;
use xinjing_contract::TicketStatus;

const DAY_MS: i64 = 86_400_000;
pub const HOUR_MS: i64 = 3_600_000;

/// The Shanghai day (days since 1970-01-01) an instant falls on.
pub fn day_of(ms: i64) -> i64 {
    (ms + SHANGHAI_OFFSET_MS).div_euclid(DAY_MS)
}

/// The counters of one day × community × category. Each counts reports **received** that
/// day, except `closed_here`: reports closed (and closed still) that day.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub received: i64,
    /// With a first response.
    pub responded: i64,
    /// With a first response within `first_response_ms`.
    pub responded_on_time: i64,
    pub closed: i64,
    pub solved: i64,
    /// Closed at least once.
    pub ever_closed: i64,
    /// Closed at least once and reopened at least once.
    pub reopened: i64,
    pub answers: i64,
    pub satisfied: i64,
    /// Settled and handled late (first response or close after its time).
    pub late: i64,
    pub closed_here: i64,
}

/// The counters' column names, in [`Counters::values`] order.
pub const COLUMNS: [&str; 11] = [
    "received",
    "responded",
    "responded_on_time",
    "closed",
    "solved",
    "ever_closed",
    "reopened",
    "answers",
    "satisfied",
    "late",
    "closed_here",
];

impl Counters {
    pub fn values(&self) -> [i64; 11] {
        [
            self.received,
            self.responded,
            self.responded_on_time,
            self.closed,
            self.solved,
            self.ever_closed,
            self.reopened,
            self.answers,
            self.satisfied,
            self.late,
            self.closed_here,
        ]
    }

    pub fn from_values(v: [i64; 11]) -> Counters {
        let [received, responded, responded_on_time, closed, solved, ever_closed, reopened, answers, satisfied, late, closed_here] =
            v;
        Counters {
            received,
            responded,
            responded_on_time,
            closed,
            solved,
            ever_closed,
            reopened,
            answers,
            satisfied,
            late,
            closed_here,
        }
    }

    fn zip(&self, other: &Counters, f: impl Fn(i64, i64) -> i64) -> Counters {
        let (a, b) = (self.values(), other.values());
        Counters::from_values(std::array::from_fn(|i| f(a[i], b[i])))
    }

    pub fn add(&mut self, other: &Counters) {
        *self = self.zip(other, |a, b| a + b);
    }

    pub fn is_zero(&self) -> bool {
        self.values().iter().all(|v| *v == 0)
    }
}

/// A day × community × category.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub day: i64,
    pub community: String,
    pub category: String,
}

/// Which median an hour histogram is for.
pub const TO_RESPONSE: i64 = 1;
pub const TO_RESOLUTION: i64 = 2;

/// Hours to a moment, whole hours (the medians' resolution).
pub fn whole_hours(ms: i64) -> i64 {
    ms.div_euclid(HOUR_MS)
}

/// Counters and histogram cells (key, measure, whole hours) → count, to add.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Contribution {
    pub counters: BTreeMap<Key, Counters>,
    pub hours: BTreeMap<(Key, i64, i64), i64>,
}

/// Whether the report's figures can no longer change with time alone.
pub fn settled(r: &ReportFacts) -> bool {
    r.closed_at.is_some() && r.first_response_at.is_some()
}

/// Handled late, as far as known at `now`.
pub fn late(r: &ReportFacts, now: i64, limits: &Limits) -> bool {
    let late = |at: Option<i64>, limit: i64| at.unwrap_or(now) - r.received_at > limit;
    late(r.first_response_at, limits.first_response_ms) || late(r.closed_at, limits.resolution_ms)
}

/// What one report adds to the precomputed figures.
pub fn contribution(r: &ReportFacts, limits: &Limits) -> Contribution {
    let key = |at: i64| Key {
        day: day_of(at),
        community: r.community.clone(),
        category: r.category.clone(),
    };
    let here = key(r.received_at);
    let mut c = Counters {
        received: 1,
        answers: r.answers,
        satisfied: r.satisfied_answers,
        ..Counters::default()
    };
    let mut out = Contribution::default();
    if let Some(at) = r.first_response_at {
        c.responded = 1;
        c.responded_on_time = i64::from(at - r.received_at <= limits.first_response_ms);
        let cell = (here.clone(), TO_RESPONSE, whole_hours(at - r.received_at));
        *out.hours.entry(cell).or_insert(0) += 1;
    }
    if r.is_closed() {
        c.closed = 1;
        c.solved = i64::from(
            r.status == TicketStatus::Resolved && r.resolution == Some(Resolution::Solved),
        );
    }
    if let Some(at) = r.closed_at {
        let cell = (here.clone(), TO_RESOLUTION, whole_hours(at - r.received_at));
        *out.hours.entry(cell).or_insert(0) += 1;
        out.counters.entry(key(at)).or_default().closed_here += 1;
    }
    if r.resolved_at.is_some() {
        c.ever_closed = 1;
        c.reopened = i64::from(r.reopen_count > 0);
    }
    // A settled report's lateness no longer depends on the time of asking.
    c.late = i64::from(settled(r) && late(r, 0, limits));
    out.counters.entry(here).or_default().add(&c);
    out
}

impl Contribution {
    /// Adds `other` (`sign` 1) or takes it away (`sign` -1).
    fn combine(&mut self, other: Contribution, sign: i64) {
        for (key, c) in other.counters {
            let entry = self.counters.entry(key).or_default();
            *entry = entry.zip(&c, |a, b| a + sign * b);
        }
        for (cell, n) in other.hours {
            *self.hours.entry(cell).or_insert(0) += sign * n;
        }
    }

    pub fn merge(&mut self, other: Contribution) {
        self.combine(other, 1);
    }
}

/// What a change of a report adds: its contribution after, less the one before (a new
/// report has none before). Cells that come to nothing are left out.
pub fn delta(
    before: Option<&ReportFacts>,
    after: Option<&ReportFacts>,
    limits: &Limits,
) -> Contribution {
    let mut out = after.map(|r| contribution(r, limits)).unwrap_or_default();
    if let Some(before) = before {
        out.combine(contribution(before, limits), -1);
    }
    out.counters.retain(|_, c| !c.is_zero());
    out.hours.retain(|_, n| *n != 0);
    out
}

/// Counts per whole hour.
pub type Hist = BTreeMap<i64, i64>;

impl Median {
    /// The median of a histogram of whole hours.
    pub fn of_hours(hist: &Hist) -> Median {
        let count: i64 = hist.values().sum();
        let nth = |k: i64| {
            let mut seen = 0;
            for (h, n) in hist {
                seen += n;
                if seen > k {
                    return *h as f64;
                }
            }
            0.0
        };
        let hours = match count {
            0 => None,
            _ if count % 2 == 1 => Some(nth(count / 2)),
            _ => Some((nth(count / 2 - 1) + nth(count / 2)) / 2.0),
        };
        Median { hours, count }
    }
}

#[cfg(test)]
#[path = "daily_tests.rs"]
mod tests;
