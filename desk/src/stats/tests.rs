use super::*;
use xinjing_contract::time::Date;

const H: i64 = 3_600_000;
const LIMITS: Limits = Limits {
    first_response_ms: 24 * H,
    resolution_ms: 168 * H,
    min_count: 5,
};

fn day(text: &str) -> Date {
    Date::parse(text).unwrap()
}

fn report(received_at: i64) -> ReportFacts {
    ReportFacts {
        community: "甲村".into(),
        category: "other".into(),
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

fn closed(
    mut r: ReportFacts,
    status: TicketStatus,
    res: Option<Resolution>,
    after: i64,
) -> ReportFacts {
    r.status = status;
    r.first_response_at = Some(r.received_at + after);
    r.closed_at = Some(r.received_at + after);
    r.resolved_at = r.closed_at;
    r.resolution = res;
    r
}

#[test]
fn weeks_start_on_monday_and_months_know_their_length() {
    let week = Period::week_of(day("2026-12-09"));
    assert_eq!(
        (week.first_date(), week.last_date()),
        (day("2026-12-07"), day("2026-12-13"))
    );
    assert_eq!(week.previous().first_date(), day("2026-11-30"));
    let feb = Period::month_of(day("2028-02-10"));
    assert_eq!(feb.last_date(), day("2028-02-29"));
    assert_eq!(
        Period::month_of(day("2026-03-31")).previous(),
        Period::month_of(day("2026-02-01"))
    );
    assert_eq!(
        Period::month_of(day("2026-01-05")).previous().first_date(),
        day("2025-12-01")
    );
    // Shanghai midnight is 16:00 UTC the day before.
    assert_eq!(
        Period::days(day("2026-12-07"), day("2026-12-07")).start_ms(),
        1_796_601_600_000 - 8 * H
    );
    let range = Period::days(day("2026-12-10"), day("2026-12-01"));
    assert_eq!(
        range.previous(),
        Period::days(day("2026-11-21"), day("2026-11-30"))
    );
}

#[test]
fn rates_follow_their_definitions() {
    let period = Period::month_of(day("2026-11-01"));
    let t0 = period.start_ms();
    let now = period.end_ms() + 30 * 24 * H;
    let mut rows = vec![
        closed(
            report(t0),
            TicketStatus::Resolved,
            Some(Resolution::Solved),
            2 * H,
        ),
        closed(
            report(t0 + H),
            TicketStatus::Resolved,
            Some(Resolution::Explained),
            30 * H,
        ),
        closed(report(t0 + 2 * H), TicketStatus::Rejected, None, 10 * H),
        closed(report(t0 + 3 * H), TicketStatus::Resolved, None, 4 * H), // merged
        report(t0 + 4 * H),                                              // never answered
    ];
    rows[0].satisfied_answers = 1;
    rows[0].answers = 2;
    rows[0].reopen_count = 1;
    rows[1].answers = 1;
    rows.push(report(period.end_ms())); // next month: not in this period
    let f = figures(&rows, period, now, &LIMITS);
    assert_eq!(f.received, 5);
    assert_eq!(f.responded_on_time, Ratio { num: 3, den: 5 });
    assert_eq!(f.closed, Ratio { num: 4, den: 5 });
    assert_eq!(f.solved, Ratio { num: 1, den: 4 });
    assert_eq!(f.satisfied, Ratio { num: 1, den: 3 });
    assert_eq!(f.reopened, Ratio { num: 1, den: 4 });
    assert_eq!(f.hours_to_response.hours, Some(7.0));
    assert_eq!(f.hours_to_resolution.count, 4);
    // The open one of November, and the December one (received "now" minus 30 days).
    assert_eq!(f.overdue_now, 2);
    assert_eq!(f.closed.percent(5), Some(80.0));
    assert_eq!(
        f.solved.percent(5),
        None,
        "4 closed reports: below the guard"
    );
    assert_eq!(
        definitions::guarded_percent(f.solved.percent(5), f.solved.den),
        "– (n=4)"
    );
}

#[test]
fn a_report_still_inside_its_time_is_not_counted_late() {
    let period = Period::days(day("2026-12-07"), day("2026-12-07"));
    let rows = vec![report(period.start_ms())];
    let early = figures(&rows, period, period.start_ms() + H, &LIMITS);
    assert_eq!(early.responded_on_time, Ratio::default());
    let late = figures(&rows, period, period.start_ms() + 25 * H, &LIMITS);
    assert_eq!(late.responded_on_time, Ratio { num: 0, den: 1 });
    assert_eq!(late.overdue_now, 1);
}

#[test]
fn change_needs_both_periods_past_the_guard() {
    let now = Ratio { num: 9, den: 10 };
    let before = Ratio { num: 6, den: 10 };
    assert!((change(now, before, 5).unwrap() - 30.0).abs() < 1e-9);
    assert_eq!(change(now, Ratio { num: 1, den: 2 }, 5), None);
}

#[test]
fn every_figure_has_a_definition_in_both_languages() {
    for key in [
        "responded",
        "closed",
        "solved",
        "satisfied",
        "reopened",
        "hours_to_response",
        "hours_to_resolution",
        "overdue",
    ] {
        let d = definitions::definition(key).unwrap();
        assert!(!d.zh_text.is_empty() && !d.en_text.is_empty());
    }
}

#[test]
fn weeks_count_arrivals_closes_and_late_handling() {
    let week = Period::week_of(day("2026-12-07"));
    let t0 = week.start_ms();
    let mut b = report(t0);
    b.building = "2号楼".into();
    b.reopen_count = 1;
    let rows = vec![
        closed(
            report(t0),
            TicketStatus::Resolved,
            Some(Resolution::Solved),
            2 * H,
        ),
        closed(b, TicketStatus::Resolved, None, 30 * H), // responded late
        report(t0 - 7 * 24 * H),                         // the week before, never answered
    ];
    let now = week.end_ms();
    let weeks = breakdown::weeks(&rows, week, 2, now, &LIMITS);
    assert_eq!(weeks[0].received, 1);
    assert_eq!(weeks[0].overdue, 1);
    assert_eq!(
        (weeks[1].received, weeks[1].closed, weeks[1].overdue),
        (2, 2, 1)
    );
    let (reports, reopened) = breakdown::top_buildings(&rows, week, "甲村", 10);
    assert_eq!(reports, [("1号楼".to_owned(), 1), ("2号楼".to_owned(), 1)]);
    assert_eq!(reopened, [("2号楼".to_owned(), 1)]);
    let grid = breakdown::by_community_and_category(&rows, week);
    assert_eq!(grid[&("甲村".to_owned(), "other".to_owned())], 2);
    let months = breakdown::months(&rows, Period::month_of(day("2026-12-01")), 3, now, &LIMITS);
    assert_eq!(months[2].1.received, 2);
    assert_eq!(months[0].0.first_date(), day("2026-10-01"));
}
