//! The town's figures against the store: random report histories (arrivals, responses,
//! resolutions of both kinds, rejections, merges, reopenings, residents' answers) are
//! replayed through the desk's own change paths, and every figure computed from what the
//! store gives must equal the figure computed from the histories themselves, by a model
//! that knows nothing of the store; so must the figures the store keeps precomputed, as
//! the page reads them. On SQLite, and on PostgreSQL with `DESK_TEST_PG`.

mod common;

use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use xinjing_contract::time::Date;
use xinjing_contract::TicketStatus;
use xinjing_desk::sample;
use xinjing_desk::stats::{
    breakdown, daily, figures, tally, Figures, Limits, Median, Period, ReportFacts,
};
use xinjing_desk::store::{Applied, Change, Resolution};

const H: i64 = 3_600_000;
const CATEGORIES: [&str; 3] = ["ebike_in_stairwell", "blocked_fire_escape", "other"];
const LIMITS: Limits = Limits {
    first_response_ms: 24 * H,
    resolution_ms: 168 * H,
    min_count: 1,
};

#[derive(Clone, Copy, Debug)]
enum Step {
    Respond,
    Resolve(Resolution),
    Reject,
    Merge,
    StaffReopen,
    Answer { satisfied: bool },
}

#[derive(Clone, Debug)]
struct History {
    community: usize,
    category: usize,
    arrive_hours: i64,
    /// Hours after the previous step (or the arrival), and the step.
    steps: Vec<(i64, Step)>,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => Just(Step::Respond),
        2 => Just(Step::Resolve(Resolution::Solved)),
        2 => Just(Step::Resolve(Resolution::Explained)),
        1 => Just(Step::Reject),
        1 => Just(Step::Merge),
        1 => Just(Step::StaffReopen),
        2 => any::<bool>().prop_map(|satisfied| Step::Answer { satisfied }),
    ]
}

fn history() -> impl Strategy<Value = History> {
    (
        0..2usize,
        0..3usize,
        0..(60 * 24i64),
        prop::collection::vec((0..200i64, step()), 0..6),
    )
        .prop_map(|(community, category, arrive_hours, steps)| History {
            community,
            category,
            arrive_hours,
            steps,
        })
}

/// What the histories say each report is now, without the store.
fn model(h: &History, community: &str, received_at: i64) -> ReportFacts {
    let mut f = ReportFacts {
        community: community.to_owned(),
        category: CATEGORIES[h.category].to_owned(),
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
    };
    let mut t = received_at;
    for (after, step) in &h.steps {
        t += after * H;
        let open = !matches!(f.status, TicketStatus::Resolved | TicketStatus::Rejected);
        let close = |f: &mut ReportFacts, status, resolution| {
            f.status = status;
            f.first_response_at.get_or_insert(t);
            f.closed_at = Some(t);
            f.resolved_at = Some(t);
            f.resolution = resolution;
        };
        let reopen = |f: &mut ReportFacts| {
            f.status = TicketStatus::Received;
            f.closed_at = None;
            f.reopened_at = Some(t);
            f.reopen_count += 1;
            f.resolution = None;
        };
        match *step {
            Step::Respond if f.status == TicketStatus::Received => {
                f.status = TicketStatus::InProgress;
                f.first_response_at.get_or_insert(t);
            }
            Step::Resolve(r) if open => close(&mut f, TicketStatus::Resolved, Some(r)),
            Step::Reject if open => close(&mut f, TicketStatus::Rejected, None),
            Step::Merge if open => close(&mut f, TicketStatus::Resolved, None),
            Step::StaffReopen if !open => reopen(&mut f),
            Step::Answer { satisfied } => {
                f.answers += 1;
                f.satisfied_answers += i64::from(satisfied);
                if !satisfied && !open {
                    reopen(&mut f);
                }
            }
            _ => {}
        }
    }
    f
}

/// Replays a history through the desk: the resident files through the API, staff act
/// through `apply_change`, the resident answers through the store's feedback path.
async fn replay(
    desk: &TestDesk,
    clock: &xinjing_desk::clock::FakeClock,
    h: &History,
    community: &str,
    received_at: i64,
    target: &str,
) {
    let id = sample::random_uuid();
    let mut report = sample::report(&id);
    report["category"] = json!(CATEGORIES[h.category]);
    report["location"]["community"] = json!(community);
    report["location"]["building"] = json!("1号楼");
    clock.set(received_at);
    let ticket = desk.post(&report).await.ticket();
    let store = &desk.state().store;
    let mut t = received_at;
    for (after, step) in &h.steps {
        t += after * H;
        let status = |status, resolution| Change::Status {
            status,
            resolution,
            public_note: "好的".into(),
            internal_note: None,
            override_reason: Some("测试：社区当场处理".into()),
        };
        let change = match *step {
            Step::Respond => status(TicketStatus::InProgress, None),
            Step::Resolve(r) => status(TicketStatus::Resolved, Some(r)),
            Step::Reject => status(TicketStatus::Rejected, None),
            Step::Merge => Change::Duplicate {
                of: target.to_owned(),
                public_note: "重复".into(),
            },
            Step::StaffReopen => Change::Reopen {
                public_note: None,
                internal_note: None,
            },
            Step::Answer { satisfied } => {
                let kept = store.add_feedback(&ticket, &id, satisfied, None, None, t);
                assert!(kept.await.unwrap());
                continue;
            }
        };
        let applied = store
            .apply_change(&ticket, &change, "li", None, t)
            .await
            .unwrap();
        assert_ne!(applied, Applied::Unknown);
    }
}

fn sorted(mut rows: Vec<ReportFacts>) -> Vec<ReportFacts> {
    rows.sort_by(|a, b| {
        (
            a.received_at,
            &a.community,
            &a.category,
            a.answers,
            a.reopen_count,
        )
            .cmp(&(
                b.received_at,
                &b.community,
                &b.category,
                b.answers,
                b.reopen_count,
            ))
            .then(format!("{a:?}").cmp(&format!("{b:?}")))
    });
    rows
}

#[test]
fn every_figure_from_the_store_equals_the_figure_from_the_histories() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let base = Period::month_of(Date::parse("2026-11-01").unwrap()).start_ms();
    let (env, desk, clock) = rt.block_on(async {
        let env = TestEnv::new().await;
        let (desk, clock) = env.start_fake(&[], base).await;
        (env, desk, clock)
    });
    let cases = AtomicUsize::new(0);
    let mut runner = TestRunner::new(Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    });
    let outcome = runner.run(&prop::collection::vec(history(), 1..8), |histories| {
        let case = cases.fetch_add(1, Ordering::SeqCst);
        let communities: Vec<String> = (0..2).map(|c| format!("村{case}-{c}")).collect();
        rt.block_on(async {
            // Merges go into a report of a community of its own, never worked.
            clock.set(base);
            let mut target = sample::report(&sample::random_uuid());
            target["location"]["community"] = json!(format!("目标{case}"));
            let target = desk.post(&target).await.ticket();
            let mut expected = Vec::new();
            for h in &histories {
                let received_at = base + h.arrive_hours * H;
                let community = &communities[h.community];
                replay(&desk, &clock, h, community, received_at, &target).await;
                expected.push(model(h, community, received_at));
            }
            let stored = desk
                .state()
                .store
                .report_facts(Some(&communities))
                .await
                .unwrap();
            let (expected, stored) = (sorted(expected), sorted(stored));
            prop_assert_eq!(&stored, &expected);
            let november = Period::month_of(Date::parse("2026-11-15").unwrap());
            let periods = [
                november,
                november.previous(),
                Period::month_of(Date::parse("2026-12-15").unwrap()),
                Period::week_of(Date::parse("2026-11-18").unwrap()),
                Period::days(november.first_date(), Date::parse("2027-01-31").unwrap()),
            ];
            let store = &desk.state().store;
            for now in [base + 20 * 24 * H, base + 90 * 24 * H] {
                for period in periods {
                    let want = figures(&expected, period, now, &LIMITS);
                    prop_assert_eq!(&figures(&stored, period, now, &LIMITS), &want);
                    // The precomputed figures, as the page reads them.
                    let span = tally::span(period, daily::day_of(now));
                    let tally = store.tally(Some(&communities), period, span).await.unwrap();
                    prop_assert_eq!(&tally.figures(period, now, &LIMITS), &want);
                    let end = tally::trend_end(period, daily::day_of(now));
                    let last_week = Period::week_of(end);
                    prop_assert_eq!(
                        tally.weeks(last_week, 12, now, &LIMITS),
                        breakdown::weeks(&expected, last_week, 12, now, &LIMITS)
                    );
                    prop_assert_eq!(
                        tally.received_grid(),
                        breakdown::by_community_and_category(&expected, period)
                    );
                    // Per community (the workbook's sheet), medians aside.
                    for c in &communities {
                        let mine: Vec<ReportFacts> = expected
                            .iter()
                            .filter(|r| &r.community == c)
                            .cloned()
                            .collect();
                        let want = Figures {
                            hours_to_response: Median::default(),
                            hours_to_resolution: Median::default(),
                            ..figures(&mine, period, now, &LIMITS)
                        };
                        let group = tally.group(|m, _| m == c, period, now, &LIMITS);
                        prop_assert_eq!(group, want);
                    }
                }
            }
            Ok::<(), TestCaseError>(())
        })
    });
    rt.block_on(desk.stop());
    drop(env);
    outcome.unwrap();
}
