//! What a hostile network does to the desk: clients that rotate addresses, many sources at
//! once, strangers guessing a clerk's password, a full disk and slow sockets. Each test
//! starts a desk on port 0 with a fresh database and acts as those clients do.

mod common;

use common::staff::{add_account, Browser, PASSWORD};
use common::*;
use xinjing_desk::sample;

/// A report from `ip`, as the trusted proxy in front of the desk would forward it.
async fn post_from(desk: &TestDesk, ip: &str) -> Answer {
    let report = sample::report(&sample::random_uuid());
    let response = desk
        .http
        .post(desk.api())
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", report["id"].as_str().unwrap())
        .header("X-Forwarded-For", ip)
        .body(serde_json::to_vec(&report).unwrap())
        .send()
        .await
        .unwrap();
    Answer::from(response).await
}

#[tokio::test]
async fn an_ipv6_client_is_limited_by_its_slash_64() {
    let env = TestEnv::new().await;
    let desk = env
        .start(&[
            ("DESK_RATE_LIMIT_PER_MINUTE", "6"),
            ("DESK_RATE_LIMIT_BURST", "3"),
            ("DESK_TRUSTED_PROXIES", "127.0.0.1/32"),
        ])
        .await;
    // A new address of the same /64 for every request gets no fresh burst.
    let mut statuses = Vec::new();
    for n in 1..=4 {
        statuses.push(
            post_from(&desk, &format!("2001:db8:7:1::{n:x}"))
                .await
                .status,
        );
    }
    assert_eq!(statuses, [201, 201, 201, 429]);
    // The neighbouring /64 is another subscriber.
    assert_eq!(post_from(&desk, "2001:db8:7:2::1").await.status, 201);
    desk.stop().await;
}

#[tokio::test]
async fn report_intake_has_a_budget_for_the_whole_town() {
    let env = TestEnv::new().await;
    let desk = env
        .start(&[
            ("DESK_INTAKE_PER_MINUTE", "1"),
            ("DESK_INTAKE_BURST", "2"),
            ("DESK_TRUSTED_PROXIES", "127.0.0.1/32"),
        ])
        .await;
    assert_eq!(post_from(&desk, "198.51.100.1").await.status, 201);
    assert_eq!(post_from(&desk, "198.51.100.2").await.status, 201);
    // A third source, however fresh, waits: the phone keeps the report and retries.
    let busy = post_from(&desk, "198.51.100.3").await;
    assert_eq!((busy.status, busy.error_code().as_str()), (503, "busy"));
    assert!(busy.header("retry-after").is_some());
    // Reading a status is not intake.
    assert_eq!(desk.status("XJ-20261130-0001", None).await.status, 404);
    let kept = desk.state().store.tickets().await.unwrap();
    assert_eq!(kept.len(), 2, "{kept:?}");
    desk.stop().await;
}

#[tokio::test]
async fn logins_are_rate_limited_before_anything_is_written() {
    let env = TestEnv::new().await;
    let desk = env
        .start(&[
            ("DESK_RATE_LIMIT_PER_MINUTE", "1"),
            ("DESK_RATE_LIMIT_BURST", "2"),
        ])
        .await;
    add_account(&desk, "li", "staff", &["新泾一村"]).await;
    let mut browser = Browser::new(&desk);
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(browser.try_login("li", "not the password").await.status);
    }
    assert_eq!(statuses, [401, 401, 429, 429]);
    // Only the two attempts let through were counted (and hashed).
    let kept = desk
        .state()
        .store
        .login_failures("account:li", 0)
        .await
        .unwrap();
    assert_eq!(kept, 2);
    desk.stop().await;
}
