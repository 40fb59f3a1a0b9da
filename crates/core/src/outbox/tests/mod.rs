//! A flush over the fakes: deliveries under one key, leases, the waiting list, records
//! set aside. The files beside this one: what each answer does, the properties over any
//! sequence of answers, and a store that fails part-way.

mod answers;
mod endpoints;
mod properties;
mod storage;

use super::fakes::{created, entry, status, FakeClock, MemoryStore, ScriptedTransport};
use super::*;
use crate::report::Category;
use futures::executor::block_on;
use proptest::prelude::*;
use std::cell::RefCell;
use std::collections::BTreeMap;

const LEASE: Lease = Lease {
    timeout_ms: 20_000.0,
};

/// One flush at a fixed time, without jitter, with the usual 20 s time-out.
fn flush_at(
    store: &MemoryStore,
    transport: &ScriptedTransport,
    now: f64,
    mode: FlushMode,
    on_attempt: impl FnMut(&OutboxEntry, &Next),
) -> FlushSummary {
    block_on(flush(
        store,
        transport,
        &FakeClock::at(now),
        mode,
        LEASE,
        on_attempt,
    ))
}

/// The ids delivered by an attempt callback, with their tickets.
fn delivered_into(out: &RefCell<Vec<(String, String)>>) -> impl FnMut(&OutboxEntry, &Next) + '_ {
    move |entry, next| {
        if let Next::Delivered { ticket, .. } = next {
            out.borrow_mut().push((entry.id.clone(), ticket.clone()));
        }
    }
}

fn not_delivered(_: &OutboxEntry, next: &Next) {
    assert!(matches!(next, Next::Keep(_)), "not delivered");
}

#[test]
fn the_waiting_list_shows_category_and_the_start_of_the_words() {
    let mut stored = entry("a", 0.0);
    stored.body = format!(
        r#"{{"id":"a","category":"flying_line_charging","description":"{}","photos":[{{"data":"QUJD"}}]}}"#,
        "从五楼窗口拉下一根电线给电动车充电".repeat(3)
    );
    let item = stored.summary();
    assert_eq!(item.category, Some(Category::FlyingLineCharging));
    assert_eq!(item.excerpt.chars().count(), 40);
    assert!(item.excerpt.starts_with("从五楼窗口"));
    let unreadable = entry("b", 0.0).summary();
    assert_eq!(
        (unreadable.category, unreadable.excerpt.as_str()),
        (None, "")
    );
}

#[test]
fn two_503_then_201_is_one_delivery_under_one_key() {
    let store = MemoryStore::default();
    block_on(save(&store, &entry("k1", 0.0))).unwrap();
    let transport = ScriptedTransport::new(vec![status(503), status(503)]);
    let clock = FakeClock {
        jitter: 0.5,
        ..FakeClock::at(0.0)
    };
    let delivered = RefCell::new(Vec::new());
    for _ in 0..3 {
        let summary = block_on(flush(
            &store,
            &transport,
            &clock,
            FlushMode::Automatic,
            LEASE,
            delivered_into(&delivered),
        ));
        if let Some(at) = summary.next_wakeup_ms {
            clock.now.set(at);
        }
    }
    assert_eq!(
        delivered.into_inner(),
        vec![("k1".to_owned(), "XJ-20261130-0001".to_owned())]
    );
    assert!(store.records.borrow().is_empty());
    let attempts = transport.attempts.borrow();
    assert_eq!(attempts.len(), 3);
    assert!(attempts
        .iter()
        .all(|(key, body)| key == "k1" && body == r#"{"id":"k1"}"#));
}

#[test]
fn only_the_first_answer_decides_the_sending_screen() {
    let fresh = entry("a", 0.0);
    let mut retried = entry("a", 0.0);
    retried.attempts = 1;
    let refused = |message: &str| {
        let mut e = entry("a", 0.0);
        e.attempts = 1;
        e.refused = Some(message.into());
        Next::Keep(e)
    };
    let delivered = Next::Delivered {
        ticket: "XJ-1".into(),
        status: None,
    };
    assert_eq!(
        first_answer(&fresh, &delivered),
        Some(FirstAnswer::Delivered {
            ticket: "XJ-1".into()
        })
    );
    assert_eq!(
        first_answer(&fresh, &refused("请补充楼层")),
        Some(FirstAnswer::Refused("请补充楼层".into()))
    );
    let mut waiting = entry("a", 0.0);
    waiting.attempts = 1;
    assert_eq!(
        first_answer(&fresh, &Next::Keep(waiting)),
        Some(FirstAnswer::Waiting)
    );
    assert_eq!(
        first_answer(&retried, &refused("请补充楼层")),
        None,
        "refused on a retry: it stays for \"my reports\""
    );
    assert_eq!(first_answer(&retried, &delivered), None);
}

#[test]
fn refused_entry_waits_for_the_resident() {
    let store = MemoryStore::default();
    block_on(save(&store, &entry("k1", 0.0))).unwrap();
    let transport = ScriptedTransport::new(vec![Answer::Status {
        code: 422,
        retry_after: None,
        body: r#"{"error":{"code":"x","message":"请补充位置"}}"#.into(),
    }]);
    let summary = flush_at(&store, &transport, 0.0, FlushMode::Automatic, not_delivered);
    assert_eq!(
        (summary.refused, summary.waiting, summary.next_wakeup_ms),
        (1, 0, None)
    );
    let summary = flush_at(
        &store,
        &transport,
        1e9,
        FlushMode::ResidentAsked,
        not_delivered,
    );
    assert_eq!(
        summary.refused, 1,
        "even a forced flush leaves a refused report alone"
    );
    let stored = load(block_on(store.records()).unwrap()).entries;
    assert_eq!(stored[0].refused.as_deref(), Some("请补充位置"));
    assert_eq!(transport.attempts.borrow().len(), 1);
}

#[test]
fn a_leased_entry_is_not_sent_twice() {
    let store = MemoryStore::default();
    let leased = entry("k1", 0.0).leased(0.0, 10_000.0);
    block_on(save(&store, &leased)).unwrap();
    let transport = ScriptedTransport::new(vec![]);
    flush_at(
        &store,
        &transport,
        5_000.0,
        FlushMode::ResidentAsked,
        |_, _| {},
    );
    assert!(transport.attempts.borrow().is_empty());
    flush_at(
        &store,
        &transport,
        10_000.0,
        FlushMode::Automatic,
        |_, _| {},
    );
    assert_eq!(
        transport.attempts.borrow().len(),
        1,
        "an expired lease (a closed tab) frees the entry"
    );
}

#[test]
fn unreadable_records_are_set_aside_not_deleted() {
    let store = MemoryStore::default();
    store.records.borrow_mut().insert(
        "old".into(),
        r#"{"version":0,"text":"from an old build"}"#.into(),
    );
    store
        .records
        .borrow_mut()
        .insert("junk".into(), "\u{0}garbage".into());
    block_on(save(&store, &entry("k1", 0.0))).unwrap();
    let transport = ScriptedTransport::new(vec![]);
    let summary = flush_at(&store, &transport, 0.0, FlushMode::Automatic, |_, _| {});
    assert_eq!((summary.delivered, summary.set_aside), (1, 2));
    assert_eq!(store.aside.borrow().len(), 2);
    assert_eq!(store.aside.borrow()["junk"], "\u{0}garbage");
}

#[test]
fn time_outs_and_leases_grow_with_the_body() {
    // 1.5 MB at 20 KB/s needs 73 s on the wire: a fixed 20 s limit would never let it
    // through, and each attempt would upload it again.
    let body = 1_500_000;
    let timeout = attempt_timeout_ms(20_000.0, body);
    assert!((93_000.0..94_000.0).contains(&timeout), "{timeout}");
    assert_eq!(attempt_timeout_ms(20_000.0, 0), 20_000.0);
    assert_eq!(LEASE.for_body(body), timeout + LEASE_MARGIN_MS);
    assert!(
        Lease {
            timeout_ms: 120_000.0
        }
        .for_body(5 * 1024 * 1024)
            < MAX_LEASE_MS
    );
}
