//! `/desk/stats` as the town and a committee read it: the rates that follow from what
//! staff and residents did, the small-number guard, the community × category table and
//! its drill-down, the charts with their tables, and each account's communities only.
//! Same tests on SQLite and PostgreSQL (`DESK_TEST_PG`).

mod common;

use common::staff::*;
use common::*;
use serde_json::json;
use xinjing_contract::time::Date;
use xinjing_contract::TicketStatus;
use xinjing_desk::sample;
use xinjing_desk::stats::Period;
use xinjing_desk::store::{Change, Checked, Recheck, Resolution, TaskApplied, TaskChange};

const HOME: &str = "示例一村（演示）";
const OTHER: &str = "新泾二村";
const H: i64 = 3_600_000;
const MONTH: &str = "/desk/stats?period=month&day=2026-11-01";

struct Filed {
    ticket: String,
    id: String,
    at: i64,
}

async fn file(
    desk: &TestDesk,
    clock: &xinjing_desk::clock::FakeClock,
    at: i64,
    community: &str,
    building: &str,
    category: &str,
) -> Filed {
    clock.set(at);
    let id = sample::random_uuid();
    let mut report = sample::report(&id);
    report["category"] = json!(category);
    report["location"]["community"] = json!(community);
    report["location"]["building"] = json!(building);
    let ticket = desk.post(&report).await.ticket();
    Filed { ticket, id, at }
}

fn status(status: TicketStatus, resolution: Option<Resolution>) -> Change {
    Change::Status {
        status,
        resolution,
        public_note: "好的".into(),
        internal_note: None,
        override_reason: Some("测试：社区当场处理".into()),
    }
}

/// The text of the headline figure `key` on the page.
fn figure(page: &str, key: &str) -> String {
    let start = page
        .find(&format!("data-key=\"{key}\""))
        .unwrap_or_else(|| panic!("{key} on the page"));
    let rest = &page[start..];
    let value = rest.find("class=\"value\">").unwrap() + "class=\"value\">".len();
    rest[value..value + rest[value..].find('<').unwrap()].to_owned()
}

/// A November's work: six reports at home (solved, explained then reopened by a resident
/// not satisfied, rejected, merged, in progress, never answered) and two elsewhere; the
/// clock on November 21.
async fn a_month_of_work(env: &TestEnv) -> TestDesk {
    let november = Period::month_of(Date::parse("2026-11-01").unwrap());
    let t0 = november.start_ms() + 2 * 24 * H;
    let (desk, clock) = env.start_fake(&[], t0).await;
    add_account(&desk, "zhen", "town", &[]).await;
    add_account(&desk, "li", "staff", &[HOME]).await;
    let mut home = Vec::new();
    for (i, (building, category)) in [
        ("1号楼", "ebike_in_stairwell"),
        ("1号楼", "ebike_in_stairwell"),
        ("2号楼", "blocked_fire_escape"),
        ("1号楼", "ebike_in_stairwell"),
        ("3号楼", "other"),
        ("1号楼", "blocked_fire_escape"),
    ]
    .into_iter()
    .enumerate()
    {
        home.push(file(&desk, &clock, t0 + i as i64 * H, HOME, building, category).await);
    }
    for i in 0..2 {
        file(&desk, &clock, t0 + i * H, OTHER, "9号楼", "other").await;
    }
    let at = |f: &Filed, hours: i64| f.at + hours * H;
    desk.change(
        &home[0].ticket,
        status(TicketStatus::Resolved, Some(Resolution::Solved)),
        at(&home[0], 2),
    )
    .await;
    desk.change(
        &home[1].ticket,
        status(TicketStatus::Resolved, Some(Resolution::Explained)),
        at(&home[1], 30),
    )
    .await;
    desk.change(
        &home[2].ticket,
        status(TicketStatus::Rejected, None),
        at(&home[2], 5),
    )
    .await;
    let merge = Change::Duplicate {
        of: home[4].ticket.clone(),
        public_note: "重复".into(),
    };
    desk.change(&home[3].ticket, merge, at(&home[3], 1)).await;
    desk.change(
        &home[4].ticket,
        status(TicketStatus::InProgress, None),
        at(&home[4], 3),
    )
    .await;
    let store = &desk.state().store;
    for (f, satisfied) in [(&home[0], true), (&home[1], false)] {
        // Not satisfied: the explained one is reopened, so no longer closed.
        let kept = store.add_feedback(&f.ticket, &f.id, satisfied, None, None, f.at + 40 * H);
        assert!(kept.await.unwrap());
    }
    clock.set(november.start_ms() + 20 * 24 * H);
    desk
}

#[tokio::test]
async fn the_figures_follow_what_staff_and_residents_did_for_each_account() {
    let env = TestEnv::new().await;
    let desk = a_month_of_work(&env).await;
    let month = MONTH;

    // The committee: its community only. 6 reports: 4 answered in time (the late one and
    // the one never answered are not), 3 closed (solved, rejected, merged), 1 of them
    // solved: below the guard of 5, as are the 2 answers.
    let mut li = Browser::new(&desk);
    li.login("li").await;
    let page = li.get(month).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let text = &page.text;
    assert_eq!(figure(text, "responded"), "66.7%");
    assert_eq!(figure(text, "closed"), "50.0%");
    assert_eq!(figure(text, "solved"), "– (n=3)");
    assert_eq!(figure(text, "satisfied"), "– (n=2)");
    assert_eq!(figure(text, "reopened"), "– (n=4)");
    assert!(text.contains(HOME) && !text.contains(OTHER), "{text}");
    assert!(text.contains("<details><summary>定义</summary>"));
    assert!(text.contains("已办结的报告中，办结类型为“已解决”的比例"));
    // The charts, described, with their numbers in tables.
    for id in ["chart-weeks", "chart-months"] {
        assert!(text.contains(&format!("aria-labelledby=\"{id}-title {id}-desc\"")));
    }
    assert!(text.contains("<th scope=\"row\">2026-11</th>"));
    assert!(!text.contains("<script") && !text.contains("style="));
    // Their own community's buildings; another community's are not theirs to open.
    let drill = li
        .get(&format!("{month}&community={}", urlencode(HOME)))
        .await
        .text;
    assert!(
        drill.contains("id=\"h-buildings\"") && drill.contains("1号楼：4"),
        "{drill}"
    );
    let other = li
        .get(&format!("{month}&community={}", urlencode(OTHER)))
        .await
        .text;
    assert!(!other.contains("id=\"h-buildings\"") && !other.contains("9号楼"));

    // The town: every community, 8 reports.
    let mut zhen = Browser::new(&desk);
    zhen.login("zhen").await;
    let page = zhen.get(&format!("{month}&lang=en")).await;
    assert_eq!(page.status, 200);
    assert_eq!(figure(&page.text, "responded"), "50.0%");
    assert_eq!(figure(&page.text, "closed"), "37.5%");
    assert!(page.text.contains(OTHER) && page.text.contains("Definition"));
    assert!(page
        .header("content-security-policy")
        .is_some_and(|csp| csp.contains("default-src 'none'")));
    // The month before had nothing: no change to show.
    assert!(page.text.contains("vs before —"));
    desk.stop().await;
}

fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("x", text)]).unwrap()[2..].to_owned()
}

/// The XML of one part of an XLSX file.
fn part(xlsx: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

#[tokio::test]
async fn the_workbook_and_the_monthly_analysis_hold_the_same_figures() {
    let env = TestEnv::new().await;
    let desk = a_month_of_work(&env).await;
    let mut zhen = Browser::new(&desk);
    zhen.login("zhen").await;
    let page = zhen.get(MONTH).await.text;
    assert!(page.contains("href=\"/desk/stats.xlsx?period=month&amp;day=2026-11-01\""));
    assert!(page.contains("href=\"/desk/export.csv?from=2026-11-01&amp;to=2026-11-30\""));

    let xlsx = zhen
        .get_bytes("/desk/stats.xlsx?period=month&day=2026-11-01")
        .await;
    let book = part(&xlsx, "xl/workbook.xml");
    for sheet in ["汇总", "各小区", "各类别", "清单"] {
        assert!(book.contains(&format!("name=\"{sheet}\"")), "{book}");
    }
    let strings = part(&xlsx, "xl/sharedStrings.xml");
    for text in [
        "50.0%",
        "37.5%",
        "4/8",
        "3/8",
        HOME,
        OTHER,
        "2026-11-01 – 2026-11-30",
        "电动车",
    ] {
        assert!(strings.contains(text), "{text} in {strings}");
    }
    // The list: every report of the month, and no resident's contact or description.
    let list = part(&xlsx, "xl/worksheets/sheet4.xml");
    assert_eq!(list.matches("<row ").count(), 1 + 8);
    assert!(!strings.contains("13912345678") && !strings.contains("王阿姨"));
    let audit = desk.state().store.audit_entries(None, 5, 0).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "export"
        && e.detail
            .as_deref()
            .is_some_and(|d| d.starts_with("stats.xlsx"))));

    // A committee's workbook: its community only.
    let mut li = Browser::new(&desk);
    li.login("li").await;
    let own = li
        .get_bytes("/desk/stats.xlsx?period=month&day=2026-11-01")
        .await;
    let strings = part(&own, "xl/sharedStrings.xml");
    assert!(strings.contains("66.7%") && !strings.contains(OTHER));

    // The analysis for the leaders: the same figures, the charts, room for remarks.
    let print = zhen
        .get("/desk/stats/print?period=month&day=2026-11-01")
        .await;
    assert_eq!(print.status, 200);
    assert!(print.text.contains("12345 月度分析"));
    assert!(print.text.contains("<td>50.0%</td>") && print.text.contains("<td>37.5%</td>"));
    assert!(print.text.contains("城运中心意见") && print.text.contains("chart-months-title"));
    let css = zhen.get("/desk/static/desk.css").await.text;
    assert!(css.contains("@page { size: A4;"));
    desk.stop().await;
}

/// Handling units for the rectification figures.
const UNITS: &str = r#"
[[unit]]
id = "xinkai"
name = "新凯物业"
kind = "property"

[[unit]]
id = "zhifa"
name = "新泾镇综合行政执法队"
kind = "enforcement"
"#;

/// The text of row `name` of the table `key` (the first such row) on the page.
fn row_of(page: &str, key: &str, name: &str) -> String {
    let table = &page[page
        .find(&format!(
            "<table class=\"figures-table\" data-key=\"{key}\""
        ))
        .unwrap_or_else(|| panic!("table {key}"))..];
    let row = &table[table
        .find(&format!("<th scope=\"row\">{name}</th>"))
        .unwrap_or_else(|| panic!("{name} in {key}"))..];
    let cell = row.find("<td>").unwrap() + 4;
    row[cell..cell + row[cell..].find('<').unwrap()].to_owned()
}

#[tokio::test]
async fn rectification_on_time_per_unit_and_category_and_relapses() {
    let env = TestEnv::new().await;
    let t0 = Period::month_of(Date::parse("2026-11-01").unwrap()).start_ms() + 2 * 24 * H;
    let vars = [("DESK_STATS_MIN_COUNT", "1")];
    let (desk, clock) = env.start_fake_with_file(UNITS, &vars, t0).await;
    add_account(&desk, "zhen", "town", &[]).await;
    let store = desk.state().store.clone();
    let mut tasks = Vec::new();
    for (category, unit) in [
        ("flying_line_charging", "xinkai"),
        ("flying_line_charging", "xinkai"),
        ("private_rewiring", "zhifa"),
    ] {
        let r = file(&desk, &clock, t0, HOME, "1号楼", category).await;
        let dispatch = Change::Dispatch {
            dispatch: xinjing_desk::store::Dispatch {
                task: sample::random_uuid(),
                unit: unit.into(),
                due_at: t0 + 24 * H,
                instruction: "整改".into(),
                channel: None,
            },
            public_note: "已转交处理".into(),
            internal_note: unit.into(),
        };
        desk.change(&r.ticket, dispatch, t0).await;
        tasks.push((
            r.ticket.clone(),
            store.tasks_of_report(&r.ticket).await.unwrap()[0]
                .id
                .clone(),
        ));
    }
    let done = |note: &str| TaskChange::Done {
        note: note.into(),
        photo_key: "after.jpg".into(),
    };
    // A passed review resolves its report (one change, `Change::ReviewPass`).
    let pass = |task: &str| Change::ReviewPass {
        task: task.into(),
        note: "复查通过".into(),
        public_photo: false,
    };
    // On time and passed; done late and passed; given back.
    for (task, change, at) in [
        (&tasks[0].1, done("已拆除"), t0 + 2 * H),
        (&tasks[1].1, done("已拆除"), t0 + 30 * H),
        (
            &tasks[2].1,
            TaskChange::Return {
                reason: "不归我们管".into(),
            },
            t0 + H,
        ),
    ] {
        let applied = store.task_change(task, &change, "wang", at).await.unwrap();
        assert_eq!(applied, TaskApplied::Done);
    }
    desk.change(&tasks[0].0, pass(&tasks[0].1), t0 + 3 * H)
        .await;
    desk.change(&tasks[1].0, pass(&tasks[1].1), t0 + 31 * H)
        .await;
    // 回头看 in December: the hazard is back.
    let december = t0 + 33 * 24 * H;
    let relapse = Recheck::Relapse {
        note: "又有飞线".into(),
    };
    let checked = store
        .recheck(&tasks[0].0, &relapse, "li", december)
        .await
        .unwrap();
    assert!(matches!(checked, Checked::Done(Some(_))));
    clock.set(december);

    let mut zhen = Browser::new(&desk);
    zhen.login("zhen").await;
    let page = zhen.get(MONTH).await.text;
    assert_eq!(figure(&page, "on_time_rectification"), "33.3% (1/3)");
    assert_eq!(
        row_of(&page, "on_time_rectification", "新凯物业"),
        "50.0% (1/2)"
    );
    assert_eq!(
        row_of(&page, "on_time_rectification", "新泾镇综合行政执法队"),
        "0.0% (0/1)"
    );
    assert_eq!(figure(&page, "relapses"), "– (n=0)");
    let page = zhen
        .get("/desk/stats?period=month&day=2026-12-01")
        .await
        .text;
    assert_eq!(figure(&page, "relapses"), "100.0% (1/1)");
    assert_eq!(figure(&page, "on_time_rectification"), "– (n=0)");

    let xlsx = zhen
        .get_bytes("/desk/stats.xlsx?period=month&day=2026-11-01")
        .await;
    assert!(part(&xlsx, "xl/workbook.xml").contains("name=\"整改与复发\""));
    let strings = part(&xlsx, "xl/sharedStrings.xml");
    for text in ["按时整改率", "新凯物业", "50.0%", "1/2", "33.3%", "1/3"] {
        assert!(strings.contains(text), "{text} in {strings}");
    }
    desk.stop().await;
}
