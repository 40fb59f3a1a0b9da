use super::*;
use crate::stats::tally::Tally;
use crate::stats::{breakdown, figures, Period};
use xinjing_contract::time::Date;

const H: i64 = 3_600_000;
const LIMITS: Limits = Limits {
    first_response_ms: 24 * H,
    resolution_ms: 168 * H,
    min_count: 1,
};

fn report(received_at: i64, category: &str) -> ReportFacts {
    ReportFacts {
        community: "甲村".into(),
        category: category.into(),
        building: "1号楼".into(),
        received_at,
        status: TicketStatus::Received,
        first_response_at: None,
        closed_at: None,
        resolved_at: None,
        reopened_at: None,
        reopen_count: 0,
        resolution: None,
        satisfied_answers: 0,
        answers: 0,
    }
}

fn close(mut r: ReportFacts, res: Option<Resolution>, after: i64) -> ReportFacts {
    r.status = TicketStatus::Resolved;
    r.first_response_at = Some(r.received_at + after / 2);
    r.closed_at = Some(r.received_at + after);
    r.resolved_at = r.closed_at;
    r.resolution = res;
    r
}

/// The tally the store would give, summed from each report's contribution.
fn tally(rows: &[ReportFacts], period: Period) -> Tally {
    let mut t = Tally::default();
    let mut response = Hist::new();
    let mut resolution = Hist::new();
    for r in rows {
        let c = delta(None, Some(r), &LIMITS);
        for (key, counters) in c.counters {
            t.days.entry(key.day).or_default().add(&counters);
            if (period.first..=period.last).contains(&key.day) {
                t.grid
                    .entry((key.community, key.category))
                    .or_default()
                    .add(&counters);
            }
        }
        for ((key, measure, hours), n) in c.hours {
            if (period.first..=period.last).contains(&key.day) {
                let hist = if measure == TO_RESPONSE {
                    &mut response
                } else {
                    &mut resolution
                };
                *hist.entry(hours).or_insert(0) += n;
            }
        }
        if !settled(r) {
            let mut r = r.clone();
            (r.answers, r.satisfied_answers) = (0, 0);
            t.unsettled.push(r);
        }
    }
    t.hours.push((period, response, resolution));
    t
}

#[test]
fn the_sums_of_contributions_give_the_figures_of_the_rows() {
    let week = Period::week_of(Date::parse("2026-11-16").unwrap());
    let t0 = week.start_ms();
    let mut answered = close(
        report(t0, "other"),
        Some(Resolution::Solved),
        3 * H + 59 * 60_000,
    );
    (
        answered.answers,
        answered.satisfied_answers,
        answered.reopen_count,
    ) = (2, 1, 1);
    let mut late = close(report(t0 + 5 * H, "other"), None, 200 * H);
    late.status = TicketStatus::Rejected;
    let mut open = report(t0 + 30 * H, "blocked_fire_escape");
    open.first_response_at = Some(t0 + 40 * H);
    open.status = TicketStatus::InProgress;
    let rows = vec![
        answered,
        late,
        open,
        report(t0 + 50 * H, "other"),
        close(
            report(t0 - 9 * 24 * H, "other"),
            Some(Resolution::Explained),
            12 * H,
        ),
    ];
    for now in [t0 + 60 * H, t0 + 400 * H] {
        let t = tally(&rows, week);
        assert_eq!(
            t.figures(week, now, &LIMITS),
            figures(&rows, week, now, &LIMITS)
        );
        assert_eq!(
            t.weeks(week, 3, now, &LIMITS),
            breakdown::weeks(&rows, week, 3, now, &LIMITS)
        );
        assert_eq!(
            t.received_grid(),
            breakdown::by_community_and_category(&rows, week)
        );
    }
    // Whole hours: 3 h 59 min counts as 3.
    let one = vec![rows[0].clone()];
    let f = tally(&one, week).figures(week, t0 + 60 * H, &LIMITS);
    assert_eq!(f.hours_to_resolution.hours, Some(3.0));
}

#[test]
fn a_change_moves_a_report_from_one_cell_to_another() {
    let t0 = Period::week_of(Date::parse("2026-11-16").unwrap()).start_ms();
    let before = report(t0, "other");
    let after = close(before.clone(), Some(Resolution::Solved), 30 * H);
    let d = delta(Some(&before), Some(&after), &LIMITS);
    let today = Key {
        day: day_of(t0),
        community: "甲村".into(),
        category: "other".into(),
    };
    let next = Key {
        day: day_of(t0 + 30 * H),
        ..today.clone()
    };
    assert_eq!(d.counters[&today].received, 0, "still received once");
    assert_eq!(d.counters[&today].closed, 1);
    assert_eq!(
        d.counters[&today].late, 0,
        "responded after 15 h, closed after 30 h"
    );
    assert_eq!(d.counters[&next].closed_here, 1);
    assert!(delta(Some(&after), Some(&after), &LIMITS)
        .counters
        .is_empty());
}
