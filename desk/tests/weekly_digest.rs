//! The town's weekly digest on a fake clock: a `[[notify]]` channel of `scope = "town"`
//! hears nothing of single reports, and on Monday from 09:00 Shanghai time one message
//! with the week before's figures and a link to `/desk/stats`, nothing personal; once,
//! also across a restart, and again the Monday after. On SQLite, and on PostgreSQL with
//! `DESK_TEST_PG`.

mod common;
mod notify_support;

use common::*;
use notify_support::robots::Robot;
use notify_support::*;
use xinjing_contract::time::Date;
use xinjing_contract::TicketStatus;
use xinjing_desk::stats::Period;
use xinjing_desk::store::{Change, Resolution};

const H: i64 = 3_600_000;

#[tokio::test]
async fn the_town_hears_the_week_once_on_monday_at_nine_across_restarts() {
    let env = TestEnv::new().await;
    let robot = Robot::wecom().await;
    let toml = format!(
        "[[notify]]\nkind = \"wecom\"\nname = \"leaders\"\nscope = \"town\"\nurl = \"{}\"\n",
        robot.url
    );
    let monday = Period::week_of(Date::parse("2026-12-07").unwrap()).start_ms();
    let (desk, clock) = env
        .start_fake_with_file(&toml, &[NO_POLL], monday - 4 * 24 * H)
        .await;
    // The week before: one report, resolved as solved two hours on.
    let ticket = file(&desk).await;
    let solved = Change::Status {
        status: TicketStatus::Resolved,
        resolution: Some(Resolution::Solved),
        public_note: "已处理".into(),
        internal_note: None,
        override_reason: Some("测试：社区当场处理".into()),
    };
    desk.change(&ticket, solved, monday - 4 * 24 * H + 2 * H)
        .await;
    clock.set(monday + 9 * H - 60_000);
    run_now(&desk).await;
    assert_eq!(
        robot.count(),
        0,
        "no single report, and no digest before Monday 09:00"
    );

    clock.set(monday + 9 * H);
    run_now(&desk).await;
    assert_eq!(robot.count(), 1);
    let text = robot.requests()[0].json()["markdown"]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(text.contains("上周 12345 指标（2026-11-30 起）"), "{text}");
    assert!(
        text.contains("收到 1 ·") && text.contains("办结率 – (n=1)"),
        "{text}"
    );
    assert!(
        text.contains("/desk/stats?period=week&day=2026-11-30"),
        "{text}"
    );
    assert!(!text.contains(&ticket), "{text}");
    assert_nothing_personal(&text);
    run_now(&desk).await;
    assert_eq!(robot.count(), 1, "once a week");

    // A restart on Monday morning sends nothing again.
    desk.stop().await;
    let (desk, clock) = env
        .start_fake_with_file(&toml, &[NO_POLL], monday + 10 * H)
        .await;
    run_now(&desk).await;
    assert_eq!(robot.count(), 1, "once a week, across restarts");

    // The next Monday: the next week's, with no report.
    clock.set(monday + 7 * 24 * H + 9 * H);
    run_now(&desk).await;
    assert_eq!(robot.count(), 2);
    let text = robot.requests()[1].json()["markdown"]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        text.contains("（2026-12-07 起）") && text.contains("收到 0 ·"),
        "{text}"
    );
    desk.stop().await;
}
