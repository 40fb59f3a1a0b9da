//! Notifications to the committee, delivered under pressure: a burst over a robot's rate
//! limit, a desk killed or stopped with messages due, two desks on one database. Fresh
//! database per test (SQLite, or PostgreSQL with DESK_TEST_PG), fake robots on port 0, the
//! desk's fake clock.

mod common;
#[path = "notify_support/mod.rs"]
mod support;

use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use support::robots::Robot;
use support::*;
use xinjing_desk::notify::Counts;

#[tokio::test]
async fn a_burst_over_the_limit_goes_out_as_twenty_messages_the_last_a_digest() {
    let env = TestEnv::new().await;
    let wecom = Robot::wecom().await;
    let owned = wecom_vars(&wecom);
    let (desk, clock) = env.start_fake(&vars(&owned, &[NO_POLL]), now_ms()).await;
    let mut tickets = Vec::new();
    for _ in 0..30 {
        let report = personal_report(&xinjing_desk::sample::random_uuid());
        tickets.push(post_one(&desk, &report).await);
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
    for request in wecom.requests() {
        assert_nothing_personal(&request.text());
    }

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

/// The system clock of a machine that runs an hour ahead.
struct AnHourAhead;

impl xinjing_desk::clock::Clock for AnHourAhead {
    fn now_ms(&self) -> i64 {
        now_ms() + 3_600_000
    }
}

#[tokio::test]
async fn a_desk_whose_clock_runs_ahead_hides_no_other_desk_s_reports() {
    let env = TestEnv::new().await;
    let wecom = Robot::wecom().await;
    let owned = wecom_vars(&wecom);
    // The desk with the wrong clock starts first and sets the watermark.
    let ahead = env
        .start_with_clock(&vars(&owned, &[NO_POLL]), std::sync::Arc::new(AnHourAhead))
        .await;
    run_now(&ahead).await;
    let right = env.start(&vars(&owned, &[NO_POLL])).await;
    let ticket = file(&right).await;
    run_now(&right).await;
    let sent: Vec<String> = wecom
        .requests()
        .iter()
        .flat_map(|r| wecom_tickets(&r.json()))
        .collect();
    assert_eq!(sent, vec![ticket]);
    ahead.stop().await;
    right.stop().await;
}
