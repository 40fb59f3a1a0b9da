//! Notifications to the committee, end to end: a desk on port 0 with a fresh database
//! (SQLite, or PostgreSQL with DESK_TEST_PG), fake robots on port 0, and the desk's fake
//! clock, so back-off and rate-limit windows pass without sleeping.

mod common;
#[path = "notify_support/robots.rs"]
mod robots;

use base64::Engine;
use common::*;
use hmac::{KeyInit, Mac};
use robots::Robot;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use xinjing_desk::notify::{counts, Counts};
use xinjing_desk::sample;

type HmacSha256 = hmac::Hmac<sha2_verify::Sha256>;

fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

const DING_SECRET: &str = "SEC-ding-test-secret";
const FEISHU_SECRET: &str = "feishu-test-secret";
const HOOK_SECRET: &str = "hook-test-secret";
/// Passes run at the start and when a test asks (`run_now`), unless a test wants polling.
const NO_POLL: (&str, &str) = ("DESK_NOTIFY_POLL_MS", "3600000");

fn wecom_vars(robot: &Robot) -> Vec<(String, String)> {
    vec![("DESK_NOTIFY_WECOM_URL".into(), robot.url.clone())]
}

fn dingtalk_vars(robot: &Robot) -> Vec<(String, String)> {
    vec![
        ("DESK_NOTIFY_DINGTALK_URL".into(), robot.url.clone()),
        ("DESK_NOTIFY_DINGTALK_SECRET".into(), DING_SECRET.into()),
    ]
}

fn vars<'a>(owned: &'a [(String, String)], more: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain(more.iter().copied())
        .collect()
}

/// A report with everything personal a resident could give: name, phone, and a phone
/// number and a name in the free texts.
fn personal_report(id: &str) -> Value {
    let mut report = sample::report(id);
    report["contact"] = json!({ "name": "王阿姨", "phone": "13912345678" });
    report["consent"]["contact"] = json!(true);
    report["description"] = json!("楼下张师傅的电动车天天在楼道充电，请打 13812345678 找我");
    report["location"]["detail"] = json!("3 楼楼道 有事打139 1234 5678");
    report
}

const PERSONAL: [&str; 8] = [
    "王阿姨",
    "13912345678",
    "13812345678",
    "139 1234 5678",
    "1391234",
    "张师傅",
    "充电，请打",
    "找我",
];

fn assert_nothing_personal(text: &str) {
    for word in PERSONAL {
        assert!(!text.contains(word), "{word:?} in a notification: {text}");
    }
}

async fn post_one(desk: &TestDesk, report: &Value) -> String {
    desk.post(report).await.ticket()
}

async fn file(desk: &TestDesk) -> String {
    post_one(desk, &sample::report(&sample::random_uuid())).await
}

/// Waits (without a fixed sleep) until `check` holds, for at most 10 s.
async fn wait_until(what: &str, check: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !check() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting: {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

async fn run_now(desk: &TestDesk) -> xinjing_desk::notify::Pass {
    desk.desk()
        .notifier
        .as_ref()
        .expect("notifications on")
        .run_now()
        .await
}

async fn outbox_counts(desk: &TestDesk) -> Counts {
    counts(&desk.state().store).await.unwrap()
}

/// The tickets a WeCom message names (one, or a digest's list), in order.
fn wecom_tickets(body: &Value) -> Vec<String> {
    let content = body["markdown"]["content"].as_str().unwrap();
    content
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| w.starts_with("XJ-") && w.len() == 16)
        .map(str::to_owned)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

#[tokio::test]
async fn a_report_reaches_every_robot_once_signed_in_its_format_and_without_contact_details() {
    let env = TestEnv::new().await;
    let (wecom, ding, feishu, hook) = (
        Robot::wecom().await,
        Robot::dingtalk().await,
        Robot::feishu().await,
        Robot::webhook().await,
    );
    let mut owned = wecom_vars(&wecom);
    owned.extend(dingtalk_vars(&ding));
    owned.extend([
        ("DESK_NOTIFY_FEISHU_URL".into(), feishu.url.clone()),
        ("DESK_NOTIFY_FEISHU_SECRET".into(), FEISHU_SECRET.into()),
        ("DESK_NOTIFY_WEBHOOK_URL".into(), hook.url.clone()),
        ("DESK_NOTIFY_WEBHOOK_SECRET".into(), HOOK_SECRET.into()),
    ]);
    // Polling on its own, as in service.
    let (desk, clock) = env
        .start_fake(&vars(&owned, &[("DESK_NOTIFY_POLL_MS", "20")]), now_ms())
        .await;
    let ticket = post_one(&desk, &personal_report(&sample::random_uuid())).await;
    wait_until("every robot has its message", || {
        wecom.count() == 1 && ding.count() == 1 && feishu.count() == 1 && hook.count() == 1
    })
    .await;
    run_now(&desk).await;
    run_now(&desk).await;
    let link = format!("{}/desk/reports/{ticket}", desk.url);
    let now = clock_ms(&clock);

    let w = wecom.requests()[0].json();
    assert_eq!(w["msgtype"], "markdown");
    let content = w["markdown"]["content"].as_str().unwrap();
    for part in [
        &ticket,
        "电动车进楼道、进电梯",
        "示例一村（演示）",
        "2号楼1单元",
        "3 楼楼道",
        &link,
    ] {
        assert!(content.contains(part), "{part:?} not in {content}");
    }

    let d = &ding.requests()[0];
    assert_eq!(
        d.query_param("access_token").as_deref(),
        Some("ding-test-token")
    );
    let timestamp = d.query_param("timestamp").unwrap();
    assert_eq!(timestamp, now.to_string());
    let expected = b64(&hmac(
        DING_SECRET.as_bytes(),
        format!("{timestamp}\n{DING_SECRET}").as_bytes(),
    ));
    assert_eq!(d.query_param("sign").as_deref(), Some(expected.as_str()));
    // URL-encoded: base64's + / = never appear raw in the query.
    assert!(!d
        .query
        .split("sign=")
        .nth(1)
        .unwrap()
        .contains(['+', '/', '=']));
    let dj = d.json();
    assert_eq!(dj["msgtype"], "markdown");
    assert_eq!(dj["markdown"]["title"], format!("新隐患报告 {ticket}"));
    assert!(dj["markdown"]["text"].as_str().unwrap().contains(&link));

    let f = feishu.requests()[0].json();
    assert_eq!(f["msg_type"], "text");
    let seconds = f["timestamp"].as_str().unwrap();
    assert_eq!(seconds, (now / 1000).to_string());
    let key = format!("{seconds}\n{FEISHU_SECRET}");
    assert_eq!(f["sign"], b64(&hmac(key.as_bytes(), b"")));
    assert!(f["content"]["text"].as_str().unwrap().contains(&ticket));

    let h = &hook.requests()[0];
    let ts = h.header("x-xinjing-timestamp").unwrap();
    let mut signed = format!("{ts}.").into_bytes();
    signed.extend_from_slice(&h.body);
    let hex: String = hmac(HOOK_SECRET.as_bytes(), &signed)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        h.header("x-xinjing-signature"),
        Some(format!("sha256={hex}"))
    );
    let hj = h.json();
    assert_eq!(
        (hj["event"].as_str(), hj["ticket"].as_str()),
        (Some("received"), Some(ticket.as_str()))
    );
    assert_eq!(hj["url"], link);

    for robot in [&wecom, &ding, &feishu, &hook] {
        assert_eq!(robot.count(), 1, "one message per channel");
        assert_nothing_personal(&robot.requests()[0].text());
    }
    assert_eq!(
        outbox_counts(&desk).await,
        Counts {
            pending: 0,
            sent: 4,
            failed: 0
        }
    );
    desk.stop().await;
}

fn clock_ms(clock: &xinjing_desk::clock::FakeClock) -> i64 {
    use xinjing_desk::clock::Clock;
    clock.now_ms()
}

#[tokio::test]
async fn a_reopened_report_is_announced_again() {
    let env = TestEnv::new().await;
    let wecom = Robot::wecom().await;
    let owned = wecom_vars(&wecom);
    let (desk, clock) = env.start_fake(&vars(&owned, &[NO_POLL]), now_ms()).await;
    let id = sample::random_uuid();
    let ticket = post_one(&desk, &personal_report(&id)).await;
    run_now(&desk).await;
    assert_eq!(wecom.count(), 1);

    // As interfaces.md has the staff pages record a reopen (written here in SQL).
    let db = test_pool(&env.database_url).await;
    sqlx::query(
        "INSERT INTO report_events (report_id, seq, at, kind, status, actor, comment) \
         VALUES ($1, 2, $2, 'reopen', 'received', 'resident', $3)",
    )
    .bind(&id)
    .bind(clock_ms(&clock) + 1)
    .bind("还是没人管，王阿姨 13912345678")
    .execute(&db)
    .await
    .unwrap();
    db.close().await;
    assert_eq!(run_now(&desk).await.messages, 1);
    assert_eq!(wecom.count(), 2);
    let text = wecom.requests()[1].text();
    let content = wecom.requests()[1].json()["markdown"]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(content.contains(&format!("工单重办 {ticket}")), "{content}");
    assert_nothing_personal(&text);
    assert!(
        !text.contains("没人管"),
        "the resident's comment stays in the desk"
    );
    run_now(&desk).await;
    assert_eq!(wecom.count(), 2);
    desk.stop().await;
}

async fn test_pool(url: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::pool::PoolOptions::<sqlx::Any>::new()
        .max_connections(1)
        .connect(url)
        .await
        .unwrap()
}

#[tokio::test]
async fn errors_are_retried_after_a_back_off_and_the_message_delivered_once() {
    let env = TestEnv::new().await;
    let (wecom, ding) = (Robot::wecom().await, Robot::dingtalk().await);
    wecom.answer_next(&[(500, "busy")]);
    ding.answer_next(&[(200, r#"{"errcode":130101,"errmsg":"send too fast"}"#)]);
    let mut owned = wecom_vars(&wecom);
    owned.extend(dingtalk_vars(&ding));
    let (desk, clock) = env.start_fake(&vars(&owned, &[NO_POLL]), now_ms()).await;
    file(&desk).await;
    let pass = run_now(&desk).await;
    assert_eq!((pass.messages, pass.retries), (0, 2));
    assert_eq!((wecom.count(), ding.count()), (1, 1));
    // Not before its back-off is over.
    run_now(&desk).await;
    assert_eq!((wecom.count(), ding.count()), (1, 1));
    assert_eq!(outbox_counts(&desk).await.pending, 2);
    clock.set(clock_ms(&clock) + 2_001);
    let pass = run_now(&desk).await;
    assert_eq!(pass.messages, 2);
    assert_eq!((wecom.count(), ding.count()), (2, 2));
    assert_eq!(
        wecom.requests()[0].body,
        wecom.requests()[1].body,
        "the same message again"
    );
    clock.set(clock_ms(&clock) + 600_000);
    run_now(&desk).await;
    assert_eq!((wecom.count(), ding.count()), (2, 2), "delivered once");
    assert_eq!(
        outbox_counts(&desk).await,
        Counts {
            pending: 0,
            sent: 2,
            failed: 0
        }
    );
    desk.stop().await;
}

#[tokio::test]
async fn a_channel_that_keeps_failing_is_given_up_and_counted() {
    let env = TestEnv::new().await;
    let hook = Robot::webhook().await;
    hook.answer_always(503, "");
    let owned = vec![
        ("DESK_NOTIFY_WEBHOOK_URL".to_owned(), hook.url.clone()),
        (
            "DESK_NOTIFY_WEBHOOK_SECRET".to_owned(),
            HOOK_SECRET.to_owned(),
        ),
    ];
    let (desk, clock) = env
        .start_fake(
            &vars(&owned, &[NO_POLL, ("DESK_NOTIFY_GIVE_UP_MINUTES", "10")]),
            now_ms(),
        )
        .await;
    file(&desk).await;
    let mut tries = 0;
    while outbox_counts(&desk).await.failed == 0 {
        run_now(&desk).await;
        clock.set(clock_ms(&clock) + 60_000);
        tries += 1;
        assert!(tries < 30, "never gave up");
    }
    // Doubling from 2 s: a handful of tries in ten minutes, not one a pass.
    let requests = hook.count();
    assert!((4..=11).contains(&requests), "{requests} requests");
    assert_eq!(
        outbox_counts(&desk).await,
        Counts {
            pending: 0,
            sent: 0,
            failed: 1
        }
    );
    clock.set(clock_ms(&clock) + 3_600_000);
    run_now(&desk).await;
    assert_eq!(
        hook.count(),
        requests,
        "a failed message is not tried again"
    );
    desk.stop().await;
}

#[tokio::test]
async fn a_burst_over_the_limit_goes_out_as_twenty_messages_the_last_a_digest() {
    let env = TestEnv::new().await;
    let wecom = Robot::wecom().await;
    let owned = wecom_vars(&wecom);
    let (desk, clock) = env.start_fake(&vars(&owned, &[NO_POLL]), now_ms()).await;
    let mut tickets = Vec::new();
    for _ in 0..30 {
        tickets.push(file(&desk).await);
    }
    let pass = run_now(&desk).await;
    assert_eq!((pass.events, pass.messages, pass.digests), (30, 20, 1));
    run_now(&desk).await;
    assert_eq!(wecom.count(), 20, "at most 20 in the minute");
    let bodies: Vec<Value> = wecom.requests().iter().map(|r| r.json()).collect();
    let digest = bodies[19]["markdown"]["content"].as_str().unwrap();
    assert!(digest.starts_with("**11 件新报告待处理**"), "{digest}");
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for body in &bodies {
        for t in wecom_tickets(body) {
            *seen.entry(t).or_default() += 1;
        }
    }
    assert_eq!(seen.keys().cloned().collect::<Vec<_>>(), {
        let mut t = tickets.clone();
        t.sort();
        t
    });
    assert!(seen.values().all(|n| *n == 1), "each ticket once: {seen:?}");

    // One more in the same minute waits for the window, then goes alone.
    let late = file(&desk).await;
    run_now(&desk).await;
    assert_eq!(wecom.count(), 20);
    clock.set(clock_ms(&clock) + 60_001);
    run_now(&desk).await;
    assert_eq!(wecom.count(), 21);
    assert_eq!(wecom_tickets(&wecom.requests()[20].json()), vec![late]);
    desk.stop().await;
}

#[tokio::test]
async fn a_desk_killed_before_sending_sends_after_restart_and_nothing_twice() {
    let env = TestEnv::new().await;
    let wecom = Robot::wecom().await;
    let owned = wecom_vars(&wecom);
    let start = now_ms();
    let (first, clock) = env.start_fake(&vars(&owned, &[NO_POLL]), start).await;
    let mut tickets = Vec::new();
    for _ in 0..3 {
        tickets.push(file(&first).await);
    }
    run_now(&first).await;
    assert_eq!(wecom.count(), 3);
    // Committed, not yet sent, and the process dies holding the channel's lease.
    for _ in 0..3 {
        tickets.push(file(&first).await);
    }
    first.desk.unwrap().abort().await;

    let second = TestDesk::new(
        xinjing_desk::start(
            env.config(&vars(&owned, &[NO_POLL])),
            std::sync::Arc::new(clock.clone()),
        )
        .await
        .unwrap(),
    );
    run_now(&second).await;
    assert_eq!(wecom.count(), 3, "the dead desk's lease still holds");
    clock.set(start + xinjing_desk::notify::LEASE_MS + 1);
    run_now(&second).await;
    run_now(&second).await;
    let sent: Vec<String> = wecom
        .requests()
        .iter()
        .flat_map(|r| wecom_tickets(&r.json()))
        .collect();
    assert_eq!(sent, tickets, "all six, once each, in order");
    assert_eq!(
        outbox_counts(&second).await,
        Counts {
            pending: 0,
            sent: 6,
            failed: 0
        }
    );
    second.stop().await;
}

#[tokio::test]
async fn two_desks_on_one_database_send_each_message_once() {
    let env = TestEnv::new().await;
    let wecom = Robot::wecom().await;
    let owned = wecom_vars(&wecom);
    let polling = vars(&owned, &[("DESK_NOTIFY_POLL_MS", "10")]);
    let (a, clock) = env.start_fake(&polling, now_ms()).await;
    let b = env
        .start_with_clock(&polling, std::sync::Arc::new(clock.clone()))
        .await;
    let mut tickets = Vec::new();
    for i in 0..10 {
        tickets.push(file(if i % 2 == 0 { &a } else { &b }).await);
    }
    wait_until("ten messages", || wecom.count() >= 10).await;
    for _ in 0..3 {
        run_now(&a).await;
        run_now(&b).await;
    }
    let sent: Vec<String> = wecom
        .requests()
        .iter()
        .flat_map(|r| wecom_tickets(&r.json()))
        .collect();
    assert_eq!(sent.len(), 10, "{sent:?}");
    let mut sorted = sent.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 10, "no ticket twice: {sent:?}");
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn a_desk_stopped_gracefully_hands_its_channels_over_at_once() {
    let env = TestEnv::new().await;
    let wecom = Robot::wecom().await;
    let owned = wecom_vars(&wecom);
    let (first, clock) = env.start_fake(&vars(&owned, &[NO_POLL]), now_ms()).await;
    run_now(&first).await;
    let ticket = file(&first).await;
    first.stop().await;
    assert_eq!(wecom.count(), 0);
    let second = env
        .start_with_clock(
            &vars(&owned, &[NO_POLL]),
            std::sync::Arc::new(clock.clone()),
        )
        .await;
    // Same clock: no lease to wait out.
    run_now(&second).await;
    assert_eq!(wecom_tickets(&wecom.requests()[0].json()), vec![ticket]);
    second.stop().await;
}

#[tokio::test]
async fn a_channel_limited_to_some_communities_hears_only_of_those() {
    let env = TestEnv::new().await;
    let (wecom, ding) = (Robot::wecom().await, Robot::dingtalk().await);
    let mut owned = wecom_vars(&wecom);
    owned.extend(dingtalk_vars(&ding));
    let mut config = env.config(&vars(&owned, &[NO_POLL]));
    let channel = config
        .notify
        .channels
        .iter_mut()
        .find(|c| c.name == "dingtalk")
        .unwrap();
    channel.communities = Some(vec!["新泾二村".to_owned()]);
    let desk = TestDesk::new(
        xinjing_desk::start(
            config,
            std::sync::Arc::new(xinjing_desk::clock::FakeClock::at(now_ms())),
        )
        .await
        .unwrap(),
    );
    file(&desk).await; // 示例一村（演示）
    let mut other = sample::report(&sample::random_uuid());
    other["location"]["community"] = json!("新泾二村");
    let second = post_one(&desk, &other).await;
    run_now(&desk).await;
    assert_eq!(wecom.count(), 2, "all communities");
    assert_eq!(ding.count(), 1);
    assert!(ding.requests()[0].text().contains(&second));
    assert_eq!(
        outbox_counts(&desk).await,
        Counts {
            pending: 0,
            sent: 3,
            failed: 0
        }
    );
    desk.stop().await;
}
