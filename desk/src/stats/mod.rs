//! The town's figures (the 12345 yardstick), computed from plain rows: one [`ReportFacts`]
//! per report, as the store keeps it. Pure: no database, no clock; the definitions below
//! are the ones the stats page and the README publish ([`definitions`]).
//!
//! A period's figures are about the reports **received** in it (Shanghai calendar days):
//! - **响应率** (responded on time): of the period's reports whose first response is known or
//!   overdue, the share whose first staff action (a change of state, which carries the
//!   public note) came within `first_response_hours` of arrival. A report still waiting
//!   inside its time is not counted yet.
//! - **办结率** (closed): the share now closed: resolved, 不予受理, or merged into another.
//! - **解决率** (solved): of those closed, the share resolved as 已解决 (not 已解释说明, not
//!   rejected, not merged).
//! - **满意率** (satisfied): satisfied answers ÷ all answers residents gave on them.
//! - **重办率** (reopened): of those closed at least once, the share reopened at least once.
//! - **median hours** to first response (reports with one) and to resolution (reports
//!   closed now, arrival to last close), each time counted in whole hours (59 minutes is
//!   0 hours); with an even count, the mean of the middle two.
//! - **overdue now** is not about a period: open reports past their time at `now` (still
//!   received after `first_response_hours`, or open after `resolution_hours`, from arrival
//!   or the last reopening), as the problem list marks them.
//!
//! **Small numbers**: a rate or median over fewer than `min_count` reports (default 5)
//! is not shown: "–" with the count, so one report cannot swing a community's rate.

pub mod breakdown;
pub mod daily;
pub mod definitions;
pub mod period;
pub mod rectification;
pub mod tally;

pub use period::Period;

use crate::resolution::Resolution;
use xinjing_contract::TicketStatus;

/// One report as the figures read it.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportFacts {
    pub community: String,
    pub category: String,
    pub building: String,
    pub received_at: i64,
    pub status: TicketStatus,
    /// The first change of state by staff.
    pub first_response_at: Option<i64>,
    /// While closed: when.
    pub closed_at: Option<i64>,
    /// The last close, kept after a reopening: set once it was ever closed.
    pub resolved_at: Option<i64>,
    pub reopened_at: Option<i64>,
    pub reopen_count: i64,
    pub resolution: Option<Resolution>,
    pub satisfied_answers: i64,
    pub answers: i64,
}

impl ReportFacts {
    pub fn is_closed(&self) -> bool {
        self.status.is_final()
    }

    /// Open past its time at `now` (the problem list's rule).
    pub fn is_overdue(&self, now: i64, limits: &Limits) -> bool {
        let since = self.reopened_at.unwrap_or(self.received_at);
        self.closed_at.is_none()
            && ((self.status == TicketStatus::Received && since < now - limits.first_response_ms)
                || since < now - limits.resolution_ms)
    }
}

/// The deadlines and the small-number guard.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    pub first_response_ms: i64,
    pub resolution_ms: i64,
    /// Below this many, no rate, median or ranking is shown.
    pub min_count: i64,
}

/// A share: `num` of `den`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ratio {
    pub num: i64,
    pub den: i64,
}

impl Ratio {
    /// Per cent, or `None` below the guard (the page shows "–" and `den`).
    pub fn percent(&self, min_count: i64) -> Option<f64> {
        (self.den >= min_count.max(1)).then(|| 100.0 * self.num as f64 / self.den as f64)
    }

    pub(crate) fn count(&mut self, hit: bool) {
        self.den += 1;
        self.num += i64::from(hit);
    }
}

/// A median in hours over `count` values (`None` when there are none).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Median {
    pub hours: Option<f64>,
    pub count: i64,
}

impl Median {
    /// The median of durations in ms, each counted in whole hours (the resolution the
    /// precomputed figures keep).
    fn of(ms: Vec<i64>) -> Median {
        let mut hist = daily::Hist::new();
        for d in ms {
            *hist.entry(daily::whole_hours(d)).or_insert(0) += 1;
        }
        Median::of_hours(&hist)
    }

    /// The median, or `None` below the guard.
    pub fn shown(&self, min_count: i64) -> Option<f64> {
        self.hours.filter(|_| self.count >= min_count.max(1))
    }
}

/// A period's figures.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Figures {
    pub received: i64,
    pub responded_on_time: Ratio,
    pub closed: Ratio,
    pub solved: Ratio,
    pub satisfied: Ratio,
    pub reopened: Ratio,
    pub hours_to_response: Median,
    pub hours_to_resolution: Median,
    pub overdue_now: i64,
}

/// The figures of `period` over `rows` at `now`.
pub fn figures(rows: &[ReportFacts], period: Period, now: i64, limits: &Limits) -> Figures {
    let (from, to) = (period.start_ms(), period.end_ms());
    let mut f = Figures::default();
    let mut to_response = Vec::new();
    let mut to_resolution = Vec::new();
    for r in rows {
        f.overdue_now += i64::from(r.is_overdue(now, limits));
        if r.received_at < from || r.received_at >= to {
            continue;
        }
        f.received += 1;
        match r.first_response_at {
            Some(at) => {
                f.responded_on_time
                    .count(at - r.received_at <= limits.first_response_ms);
                to_response.push(at - r.received_at);
            }
            None if now - r.received_at > limits.first_response_ms => {
                f.responded_on_time.count(false)
            }
            None => {}
        }
        f.closed.count(r.is_closed());
        if r.is_closed() {
            f.solved.count(
                r.status == TicketStatus::Resolved && r.resolution == Some(Resolution::Solved),
            );
            if let Some(at) = r.closed_at {
                to_resolution.push(at - r.received_at);
            }
        }
        if r.resolved_at.is_some() {
            f.reopened.count(r.reopen_count > 0);
        }
        f.satisfied.num += r.satisfied_answers;
        f.satisfied.den += r.answers;
    }
    f.hours_to_response = Median::of(to_response);
    f.hours_to_resolution = Median::of(to_resolution);
    f
}

/// The change of a rate from the previous period, in percentage points, when both show.
pub fn change(now: Ratio, before: Ratio, min_count: i64) -> Option<f64> {
    Some(now.percent(min_count)? - before.percent(min_count)?)
}

#[cfg(test)]
mod tests;
