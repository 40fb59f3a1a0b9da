//! The problem list as a clerk filters and pages it, the overdue marks on a fake clock, the
//! English switch, the admin overview's figures, the CSV export, and the public /similar.
//! SQLite and PostgreSQL alike.

mod common;

use common::staff::*;
use common::*;
use serde_json::json;
use xinjing_contract::TicketStatus;
use xinjing_desk::sample;
use xinjing_desk::store::{Applied, Change, Resolution};

const HOUR: i64 = 3_600_000;
const HOME: &str = "示例一村（演示）";

async fn file(desk: &TestDesk, community: &str, building: &str) -> (String, String) {
    let id = sample::random_uuid();
    let mut report = sample::report(&id);
    report["location"]["community"] = json!(community);
    report["location"]["building"] = json!(building);
    report["contact"] = json!({ "name": "王阿姨", "phone": "13912345678" });
    report["consent"]["contact"] = json!(true);
    (desk.post(&report).await.ticket(), id)
}

fn location(answer: &Answer) -> String {
    answer.header("location").unwrap_or_default()
}

async fn set_status(desk: &TestDesk, ticket: &str, status: TicketStatus, now: i64) {
    let change = Change::Status {
        status,
        resolution: (status == TicketStatus::Resolved).then_some(Resolution::Solved),
        public_note: "好的".into(),
        internal_note: None,
        override_reason: Some("测试：社区当场处理".into()),
    };
    let done = desk
        .state()
        .store
        .apply_change(ticket, &change, "boss", None, now);
    assert_eq!(done.await.unwrap(), Applied::Done);
}

#[tokio::test]
async fn the_list_filters_counts_and_marks_what_is_overdue() {
    let env = TestEnv::new().await;
    let start = now_ms();
    let (desk, clock) = env.start_fake(&[], start).await;
    add_account(&desk, "boss", "admin", &[]).await;
    let (a, _) = file(&desk, "甲村", "1号楼").await;
    let (b, _) = file(&desk, "甲村", "2号楼").await;
    let (c, _) = file(&desk, "乙村", "1号楼").await;
    set_status(&desk, &b, TicketStatus::InProgress, start).await;
    let mut boss = Browser::new(&desk);
    boss.login("boss").await;

    let page = boss.get("/desk/?status=received").await.text;
    assert!(page.contains(&a) && page.contains(&c) && !page.contains(&format!(">{b}<")));
    assert!(
        page.contains("已受理 2") && page.contains("处理中 1"),
        "counts per state"
    );
    let page = boss.get("/desk/?community=%E7%94%B2%E6%9D%91").await.text;
    assert!(page.contains(&a) && page.contains(&b) && !page.contains(&format!(">{c}<")));
    let page = boss.get("/desk/?building=2%E5%8F%B7%E6%A5%BC").await.text;
    assert!(page.contains(&b) && !page.contains(&format!(">{a}<")));
    let suffix = &c[c.len() - 4..];
    let page = boss.get(&format!("/desk/?q={suffix}")).await.text;
    assert!(page.contains(&c) && !page.contains(&format!(">{a}<")));
    assert!(!page.contains("超时未"), "nothing overdue yet");

    // 25 hours on: the two still "received" missed the first-response deadline (24 h).
    clock.set(start + 25 * HOUR);
    boss.login("boss").await; // sessions last 12 hours
    let page = boss.get("/desk/?overdue=1").await.text;
    assert!(page.contains(&a) && page.contains(&c) && !page.contains(&format!(">{b}<")));
    assert!(page.contains("超时未响应"));
    // Eight days on, the one being handled missed the resolution deadline (168 h).
    clock.set(start + 8 * 24 * HOUR);
    boss.login("boss").await;
    let page = boss
        .get(&format!("/desk/?q={}", &b[b.len() - 4..]))
        .await
        .text;
    assert!(page.contains("超时未办结"), "{page}");
    let overview = boss.get("/desk/overview").await;
    assert_eq!(overview.status, 200);
    assert!(overview.text.contains("甲村") && overview.text.contains("乙村"));
    desk.stop().await;
}

#[tokio::test]
async fn the_list_pages_by_fifty_and_speaks_english_on_request() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    add_account(&desk, "li", "staff", &["甲村"]).await;
    let mut tickets = Vec::new();
    for _ in 0..51 {
        tickets.push(file(&desk, "甲村", "1号楼").await.0);
    }
    let mut li = Browser::new(&desk);
    li.login("li").await;
    let first = li.get("/desk/").await.text;
    assert!(first.contains("第 1 页，共 2 页") && first.contains("下一页"));
    assert!(first.contains(&tickets[50]) && !first.contains(&format!(">{}<", tickets[0])));
    let second = li.get("/desk/?page=2").await.text;
    assert!(second.contains(&tickets[0]) && second.contains("上一页"));
    let oldest = li.get("/desk/?sort=oldest").await.text;
    assert!(oldest.find(&tickets[0]).unwrap() < oldest.find(&tickets[1]).unwrap());

    // The switch keeps the page's filters.
    let sorted = li.get("/desk/?sort=oldest&page=2").await.text;
    assert!(
        sorted.contains("href=\"?sort=oldest&amp;page=2&amp;lang=en\""),
        "{sorted}"
    );
    let english = li.get("/desk/?lang=en").await;
    assert!(english.text.contains("Problem list") && english.text.contains("lang=\"en\""));
    let cookie = english.header("set-cookie").unwrap_or_default();
    assert!(cookie.starts_with("xj_desk_lang=en"), "{cookie}");
    let after = li.get(&format!("/desk/reports/{}", tickets[0])).await.text;
    assert!(after.contains("Change state") && after.contains("Public note (the resident sees it)"));
    desk.stop().await;
}

#[tokio::test]
async fn the_overview_gives_satisfaction_per_community_and_category() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    add_account(&desk, "boss", "admin", &[]).await;
    let now = now_ms();
    for satisfied in [true, false] {
        let (ticket, key) = file(&desk, "甲村", "1号楼").await;
        set_status(&desk, &ticket, TicketStatus::Resolved, now).await;
        let sent = desk
            .http
            .post(format!("{}/{ticket}/feedback", desk.api()))
            .header("X-Report-Key", &key)
            .json(&json!({ "satisfied": satisfied }))
            .send()
            .await
            .unwrap();
        assert_eq!(sent.status(), 200);
    }
    let mut boss = Browser::new(&desk);
    boss.login("boss").await;
    let page = boss.get("/desk/overview").await.text;
    assert!(page.contains("各小区满意率") && page.contains("各类别满意率"));
    assert_eq!(page.matches("50%").count(), 2, "{page}");
    assert!(page.contains("电动车进楼道"), "categories by name");
    desk.stop().await;
}

#[tokio::test]
async fn similar_answers_open_tickets_only() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    let (a, _) = file(&desk, HOME, "1号楼").await;
    let (b, _) = file(&desk, HOME, "1号楼").await;
    file(&desk, HOME, "9号楼").await;
    let url = |building: &str| {
        format!(
            "{}/similar?community={}&building={}&category=ebike_in_stairwell",
            desk.api(),
            xinjing_desk::staff::auth::encode_component(HOME),
            xinjing_desk::staff::auth::encode_component(building)
        )
    };
    let answer = Answer::from(desk.http.get(url("1号楼")).send().await.unwrap()).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let body = answer.json();
    // A count only: a ticket number tells the day its report was filed.
    assert_eq!(body, json!({ "count": 2, "tickets": [] }));
    assert!(!answer.text.contains(&a) && !answer.text.contains(&b));
    assert!(!answer.text.contains("王阿姨") && !answer.text.contains("139"));
    let none = Answer::from(desk.http.get(url("5号楼")).send().await.unwrap()).await;
    assert_eq!(none.json()["count"], 0);
    let bad = Answer::from(
        desk.http
            .get(format!("{}/similar?community=x&category=nope", desk.api()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(bad.status, 400);
    desk.stop().await;
}

#[tokio::test]
async fn the_csv_export_starts_with_the_bom_and_keeps_chinese() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    add_account(&desk, "li", "staff", &[HOME]).await;
    let (ticket, _) = file(&desk, HOME, "2号楼1单元").await;
    let mut li = Browser::new(&desk);
    li.login("li").await;
    let response = desk
        .http
        .get(format!("{}/desk/export.csv?status=received", desk.url))
        .header(
            "Cookie",
            format!("xj_desk_session={}", li.cookie("xj_desk_session").unwrap()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let bytes = response.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert!(
        text.starts_with("工单号,收到时间,首次响应时间,办结时间"),
        "{text}"
    );
    assert!(text.contains(&ticket) && text.contains("2号楼1单元") && text.contains(HOME));
    assert!(
        !text.contains("13912345678") && !text.contains("王阿姨"),
        "no contact details"
    );
    desk.stop().await;
}

/// Accounts li and wu of the home community, zhao of another; two reports filed at home
/// (the first's ticket and key, the second's ticket); li logged in.
async fn two_reports_at_home(desk: &TestDesk) -> (String, String, String, Browser) {
    add_account(desk, "li", "staff", &[HOME]).await;
    add_account(desk, "wu", "staff", &[HOME]).await;
    add_account(desk, "zhao", "staff", &["乙村"]).await;
    let (ticket, key) = file(desk, HOME, "1号楼").await;
    let (other, _) = file(desk, HOME, "2号楼").await;
    let mut li = Browser::new(desk);
    li.login("li").await;
    (ticket, key, other, li)
}

/// li reopens `ticket` once resolved, with a public note.
async fn reopened(desk: &TestDesk, li: &mut Browser, ticket: &str) {
    set_status(desk, ticket, TicketStatus::Resolved, now_ms()).await;
    li.get(&format!("/desk/reports/{ticket}")).await;
    let done = li
        .post(
            &format!("/desk/reports/{ticket}/reopen"),
            &[("public_note", "再去看一次"), ("internal_note", "")],
        )
        .await;
    assert!(
        location(&done).ends_with("done=reopen"),
        "{}",
        location(&done)
    );
}

async fn audited_actions(desk: &TestDesk, ticket: &str) -> Vec<String> {
    let audit = desk.state().store.audit_entries(Some(ticket), 10, 0);
    audit.await.unwrap().into_iter().map(|e| e.action).collect()
}

#[tokio::test]
async fn a_report_is_assigned_only_to_its_communitys_staff() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    let (ticket, _, _, mut li) = two_reports_at_home(&desk).await;
    let page = li.get(&format!("/desk/reports/{ticket}")).await.text;
    assert!(
        page.contains(">wu<") && !page.contains(">zhao<"),
        "only this community's staff"
    );
    let assign = format!("/desk/reports/{ticket}/assign");
    let refused = li.post(&assign, &[("assignee", "zhao")]).await;
    assert!(location(&refused).ends_with("error=bad_assignee"));
    desk.stop().await;
}

#[tokio::test]
async fn an_assignment_shows_in_the_list_and_is_audited() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    let (ticket, _, _, mut li) = two_reports_at_home(&desk).await;
    let assign = format!("/desk/reports/{ticket}/assign");
    let done = li.post(&assign, &[("assignee", "wu")]).await;
    assert!(location(&done).ends_with("done=assign"));
    let list = li.get("/desk/").await.text;
    assert!(list.contains(">wu<"), "the list shows who has it");
    assert!(audited_actions(&desk, &ticket)
        .await
        .contains(&"assign".to_owned()));
    desk.stop().await;
}

#[tokio::test]
async fn a_closed_ticket_reopened_by_staff_is_back_on_top_and_audited() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    let (ticket, _, other, mut li) = two_reports_at_home(&desk).await;
    reopened(&desk, &mut li, &ticket).await;
    let list = li.get("/desk/").await.text;
    assert!(
        list.find(&ticket).unwrap() < list.find(&other).unwrap(),
        "back on top"
    );
    assert!(audited_actions(&desk, &ticket)
        .await
        .contains(&"reopen".to_owned()));
    desk.stop().await;
}

#[tokio::test]
async fn the_resident_sees_a_staff_reopening_with_its_public_note() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    let (ticket, key, _, mut li) = two_reports_at_home(&desk).await;
    reopened(&desk, &mut li, &ticket).await;
    let status = desk.status(&ticket, Some(&key)).await.json();
    assert_eq!(status["status"], "received");
    assert_eq!(status["note"], "再去看一次");
    assert_eq!(
        status["history"].as_array().unwrap().last().unwrap()["reopened"],
        true
    );
    desk.stop().await;
}

#[tokio::test]
async fn the_csv_export_says_where_it_stopped_and_masks_phone_numbers_in_the_place() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    add_account(&desk, "li", "admin", &[]).await;
    let mut report = sample::report(&sample::random_uuid());
    report["location"]["detail"] = json!("3 楼 有事打139 1234 5678");
    let ticket = desk.post(&report).await.ticket();
    // More reports than one export holds, written straight into the database.
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&env.database_url)
        .await
        .unwrap();
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) \
         INSERT INTO reports (id, ticket, ticket_day, ticket_number, body_sha256, received_at, \
         created_at, category, community, building, detail, description, consent_contact, \
         notice_version, locale, client_version, status, status_at) \
         SELECT 'bulk-' || i, 'XJ-20200101-' || i, '2020-01-01', i, 'x', 1577836800000 + i, \
         '2020-01-01T08:00:00+08:00', 'other', '示例一村（演示）', '1号楼', '楼道', '堆放杂物', 0, \
         '2026-11', 'zh-CN', '0.1.0', 'received', 1577836800000 FROM n",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let mut li = Browser::new(&desk);
    li.login("li").await;
    let response = desk
        .http
        .get(format!("{}/desk/export.csv", desk.url))
        .header(
            "Cookie",
            format!("xj_desk_session={}", li.cookie("xj_desk_session").unwrap()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    // The header, the rows it holds, and a last line that says it stopped.
    assert_eq!(lines.len(), 1 + 20_000 + 1);
    let last = lines.last().unwrap();
    assert!(last.contains("20000") && last.contains("筛选"), "{last}");
    let filed = lines.iter().find(|l| l.starts_with(&ticket)).unwrap();
    assert!(!filed.contains("1234") && filed.contains("3 楼"), "{filed}");
    desk.stop().await;
}
