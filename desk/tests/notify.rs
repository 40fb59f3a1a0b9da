//! Notifications to the committee, what they say: a desk on port 0 with a fresh database
//! (SQLite, or PostgreSQL with DESK_TEST_PG), fake robots on port 0, and the desk's fake
//! clock, so back-off windows pass without sleeping. Delivery under load, crashes and
//! several desks: notify_delivery.rs.

mod common;
#[path = "notify_support/mod.rs"]
mod support;

use common::*;
use serde_json::json;
use support::robots::Robot;
use support::*;
use xinjing_desk::clock::DAY_MS;
use xinjing_desk::notify::Counts;
use xinjing_desk::sample;

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

#[tokio::test]
async fn retention_erases_what_residents_and_staff_typed_everywhere() {
    let env = TestEnv::new().await;
    let wecom = Robot::wecom().await;
    let owned = wecom_vars(&wecom);
    let start = now_ms();
    let (desk, clock) = env
        .start_fake(
            &vars(&owned, &[NO_POLL, ("DESK_RETENTION_DAYS", "30")]),
            start,
        )
        .await;
    let id = sample::random_uuid();
    let ticket = post_one(&desk, &personal_report(&id)).await;
    run_now(&desk).await;
    // Staff and the resident write phone numbers and names in their notes too.
    let resolve = |note: &str| xinjing_desk::store::Change::Status {
        status: xinjing_contract::TicketStatus::Resolved,
        resolution: Some(xinjing_desk::store::Resolution::Solved),
        public_note: note.into(),
        internal_note: Some("王阿姨说找张师傅 13912345678".into()),
        override_reason: Some("测试：社区当场处理".into()),
    };
    desk.change(&ticket, resolve("已联系王阿姨 13912345678"), start)
        .await;
    let feedback = desk
        .http
        .post(format!("{}/{ticket}/feedback", desk.api()))
        .header("X-Report-Key", &id)
        .json(&json!({ "satisfied": false, "comment": "张师傅还在充电，打 13812345678" }))
        .send()
        .await
        .unwrap();
    assert_eq!(feedback.status().as_u16(), 200);
    run_now(&desk).await;
    desk.change(&ticket, resolve("再次清理 找我"), start + 1)
        .await;

    clock.set(start + 31 * DAY_MS);
    let run = desk.desk().retention.run_now().await;
    assert_eq!(run.reports_erased, 1);

    let pool = test_pool(&env.database_url).await;
    let mut kept: Vec<String> = Vec::new();
    for query in [
        "SELECT COALESCE(description, '') || '|' || COALESCE(detail, '') || '|' || \
         COALESCE(public_note, '') || '|' || COALESCE(contact_name, '') || '|' || \
         COALESCE(contact_phone, '') FROM reports",
        "SELECT COALESCE(public_note, '') || '|' || COALESCE(internal_note, '') || '|' || \
         COALESCE(comment, '') FROM report_events",
        "SELECT detail || '|' || COALESCE(last_error, '') FROM notify_outbox",
    ] {
        let rows: Vec<String> = sqlx::query_scalar(query).fetch_all(&pool).await.unwrap();
        assert!(!rows.is_empty(), "{query}");
        kept.extend(rows);
    }
    pool.close().await;
    for text in &kept {
        for word in PERSONAL {
            assert!(!text.contains(word), "{word:?} kept: {text}");
        }
    }
    // The ticket and its history of states stay for the resident.
    let status = desk.status(&ticket, Some(&id)).await;
    assert_eq!(status.json()["status"], "resolved");
    assert!(status.json()["history"].as_array().unwrap().len() >= 3);
    desk.stop().await;
}
