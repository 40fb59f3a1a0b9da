use super::fakes::{created, entry, status, FakeClock, MemoryStore, ScriptedTransport};
use super::*;
use crate::core::report::Category;
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
fn retry_after_is_honoured_and_capped() {
    let next_attempt = |code: u16, retry_after: &str| {
        let answer = Answer::Status {
            code,
            retry_after: Some(retry_after.into()),
            body: String::new(),
        };
        match after_attempt(entry("a", 0.0), classify(&answer, 0.0), 0.0, 0.0) {
            Next::Keep(e) => e.next_attempt_ms,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(next_attempt(429, "120"), 120_000.0);
    assert_eq!(next_attempt(503, "999999"), MAX_RETRY_AFTER_MS);
    assert_eq!(
        next_attempt(503, "soon"),
        backoff_ms(1, 0.0),
        "an unreadable Retry-After falls back to back-off"
    );
}

#[test]
fn backoff_doubles_to_a_cap() {
    assert_eq!(backoff_ms(1, 1.0), 5_000.0);
    assert_eq!(backoff_ms(2, 1.0), 10_000.0);
    assert_eq!(backoff_ms(3, 0.0), 10_000.0);
    assert_eq!(backoff_ms(20, 1.0), MAX_RETRY_MS);
    assert_eq!(backoff_ms(u32::MAX, 0.5), MAX_RETRY_MS * 0.75);
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

fn answer_strategy() -> impl Strategy<Value = Answer> {
    prop_oneof![
        Just(Answer::NetworkError),
        Just(Answer::Timeout),
        (
            prop_oneof![Just(408u16), Just(429), 500u16..600],
            proptest::option::of(0u32..400)
        )
            .prop_map(|(code, ra)| Answer::Status {
                code,
                retry_after: ra.map(|s| s.to_string()),
                body: String::new()
            }),
        (200u16..300).prop_map(|code| Answer::Status {
            code,
            retry_after: None,
            body: r#"{"ticket":"XJ-1"}"#.into()
        }),
        (400u16..500)
            .prop_filter("temporary", |c| *c != 408 && *c != 429)
            .prop_map(|code| Answer::Status {
                code,
                retry_after: None,
                body: String::new()
            }),
    ]
}

proptest! {
    /// For any sequence of answers: one key per report, removal only after a 2xx, and
    /// every report is either delivered or still in the outbox.
    #[test]
    fn nothing_is_lost(reports in 1usize..5, script in proptest::collection::vec(answer_strategy(), 0..30), rounds in 1usize..40, resident_asked in any::<bool>()) {
        let store = MemoryStore::default();
        for i in 0..reports {
            block_on(save(&store, &entry(&format!("k{i}"), i as f64))).unwrap();
        }
        let transport = ScriptedTransport::new(script.clone());
        let clock = FakeClock { jitter: 0.3, ..FakeClock::at(0.0) };
        let mode = if resident_asked { FlushMode::ResidentAsked } else { FlushMode::Automatic };
        let delivered = RefCell::new(Vec::new());
        for _ in 0..rounds {
            let summary = block_on(flush(&store, &transport, &clock, mode, LEASE, delivered_into(&delivered)));
            let now = clock.now_ms();
            clock.now.set(summary.next_wakeup_ms.unwrap_or(now + 1_000.0).max(now));
        }
        let delivered: Vec<String> = delivered.into_inner().into_iter().map(|(id, _)| id).collect();
        let stored: Vec<String> = store.records.borrow().keys().cloned().collect();
        for i in 0..reports {
            let id = format!("k{i}");
            prop_assert!(delivered.contains(&id) != stored.contains(&id), "{} lost or duplicated", id);
        }
        let attempts = transport.attempts.borrow();
        // Every attempt for a report used its own key and its original body.
        for (key, body) in attempts.iter() {
            prop_assert_eq!(body, &format!(r#"{{"id":"{key}"}}"#));
        }
        // A report left the outbox only if its last attempt was answered 2xx.
        let mut answers = script.clone();
        answers.reverse();
        let mut last_answer = BTreeMap::new();
        for (key, _) in attempts.iter() {
            let answer = answers.pop().unwrap_or_else(|| created("XJ"));
            last_answer.insert(key.clone(), answer);
        }
        for id in &delivered {
            let last_was_2xx = matches!(last_answer.get(id), Some(Answer::Status { code: 200..=299, .. }));
            prop_assert!(last_was_2xx, "{} removed without a 2xx", id);
            prop_assert_eq!(delivered.iter().filter(|d| *d == id).count(), 1);
        }
    }

    #[test]
    fn load_never_panics(key in "\\PC{0,10}", raw in "\\PC{0,200}") {
        let loaded = load(vec![(key, raw)]);
        prop_assert_eq!(loaded.entries.len() + loaded.unreadable.len(), 1);
    }

    #[test]
    fn backoff_is_bounded(attempts in any::<u32>(), jitter in -1.0f64..2.0) {
        let delay = backoff_ms(attempts, jitter);
        prop_assert!((FIRST_RETRY_MS / 2.0..=MAX_RETRY_MS).contains(&delay));
    }
}

/// An answer with `Retry-After`.
fn retry_after(code: u16, seconds: u32) -> Answer {
    Answer::Status {
        code,
        retry_after: Some(seconds.to_string()),
        body: String::new(),
    }
}

#[test]
fn a_409_is_retried_under_the_same_key_never_refused() {
    let store = MemoryStore::default();
    block_on(save(&store, &entry("k1", 0.0))).unwrap();
    let transport = ScriptedTransport::new(vec![status(409)]);
    let summary = flush_at(&store, &transport, 0.0, FlushMode::Resumed, not_delivered);
    assert_eq!((summary.waiting, summary.refused), (1, 0));
    let delivered = RefCell::new(Vec::new());
    flush_at(
        &store,
        &transport,
        summary.next_wakeup_ms.unwrap(),
        FlushMode::Automatic,
        delivered_into(&delivered),
    );
    assert_eq!(delivered.into_inner().len(), 1);
    let keys: Vec<String> = transport
        .attempts
        .borrow()
        .iter()
        .map(|a| a.0.clone())
        .collect();
    assert_eq!(keys, ["k1", "k1"]);
}

#[test]
fn a_redirect_or_a_2xx_without_a_ticket_keeps_the_report() {
    for answer in [
        Answer::Redirected,
        status(302),
        Answer::Status {
            code: 200,
            retry_after: None,
            body: "<!doctype html><title>登录</title>".into(),
        },
        status(204),
    ] {
        let store = MemoryStore::default();
        block_on(save(&store, &entry("k1", 0.0))).unwrap();
        let transport = ScriptedTransport::new(vec![answer.clone()]);
        let summary = flush_at(&store, &transport, 0.0, FlushMode::Resumed, not_delivered);
        assert_eq!((summary.delivered, summary.waiting), (0, 1), "{answer:?}");
        assert!(store.history.borrow().is_empty());
        let kept = &load(block_on(store.records()).unwrap()).entries[0];
        assert!(kept.fault.is_some() && kept.refused.is_none(), "{kept:?}");
        assert!(kept.summary().fault.is_some());
        // Once the deployment is fixed, the same key goes through and the fault is gone.
        let delivered = RefCell::new(Vec::new());
        flush_at(
            &store,
            &transport,
            1.0,
            FlushMode::ResidentAsked,
            delivered_into(&delivered),
        );
        assert_eq!(delivered.into_inner().len(), 1);
        assert_eq!(
            store.history.borrow().len(),
            0,
            "the fake body is no report"
        );
        assert!(store.records.borrow().is_empty());
    }
}

#[test]
fn retry_after_binds_start_online_and_visibility_but_not_send_now() {
    let store = MemoryStore::default();
    block_on(save(&store, &entry("k1", 0.0))).unwrap();
    let transport = ScriptedTransport::new(vec![retry_after(429, 3600)]);
    let summary = flush_at(&store, &transport, 0.0, FlushMode::Resumed, not_delivered);
    assert_eq!(summary.next_wakeup_ms, Some(3_600_000.0));
    for (now, mode) in [
        (1_000.0, FlushMode::Resumed),
        (600_000.0, FlushMode::Resumed),
        (600_000.0, FlushMode::Automatic),
        (3_599_999.0, FlushMode::Resumed),
    ] {
        flush_at(&store, &transport, now, mode, |_, _| {});
        assert_eq!(transport.attempts.borrow().len(), 1, "{mode:?} at {now}");
    }
    flush_at(
        &store,
        &transport,
        3_600_000.0,
        FlushMode::Resumed,
        |_, _| {},
    );
    assert_eq!(
        transport.attempts.borrow().len(),
        2,
        "due once the pause is over"
    );
}

#[test]
fn send_now_overrides_retry_after_and_resumed_skips_ordinary_backoff() {
    let store = MemoryStore::default();
    block_on(save(&store, &entry("a", 0.0))).unwrap();
    block_on(save(&store, &entry("b", 1.0))).unwrap();
    let transport = ScriptedTransport::new(vec![retry_after(429, 3600), status(503)]);
    flush_at(&store, &transport, 10.0, FlushMode::Resumed, |_, _| {});
    assert_eq!(transport.attempts.borrow().len(), 2);
    // "b" only backs off (5 s): coming online skips that; "a" was asked to wait an hour.
    let delivered = RefCell::new(Vec::new());
    flush_at(
        &store,
        &transport,
        20.0,
        FlushMode::Resumed,
        delivered_into(&delivered),
    );
    assert_eq!(
        delivered
            .borrow()
            .iter()
            .map(|d| d.0.as_str())
            .collect::<Vec<_>>(),
        ["b"]
    );
    flush_at(
        &store,
        &transport,
        30.0,
        FlushMode::ResidentAsked,
        delivered_into(&delivered),
    );
    assert_eq!(
        delivered.into_inner().len(),
        2,
        "the resident's own tap may override"
    );
}

#[test]
fn one_failed_storage_step_fails_one_attempt_not_the_outbox() {
    let store = MemoryStore::default();
    for id in ["a", "b"] {
        block_on(save(&store, &entry(id, 0.0))).unwrap();
    }
    // The first read fails once and is tried again; the flush goes on.
    store.failures.set(1);
    let transport = ScriptedTransport::new(vec![]);
    let summary = flush_at(&store, &transport, 0.0, FlushMode::Resumed, |_, _| {});
    assert_eq!(summary.delivered, 2);
    // Every storage step failing: nothing is lost, and the flush says when to look again.
    block_on(save(&store, &entry("c", 0.0))).unwrap();
    store.failures.set(u32::MAX);
    let summary = flush_at(&store, &transport, 0.0, FlushMode::Resumed, |_, _| {});
    assert!(summary.store_error.is_some());
    assert_eq!(summary.next_wakeup_ms, Some(FIRST_RETRY_MS));
    store.failures.set(0);
    assert_eq!(store.records.borrow().len(), 1);
}

#[test]
fn a_failed_lease_write_is_retried_and_never_skips_the_report_for_good() {
    let store = MemoryStore::default();
    block_on(save(&store, &entry("k1", 0.0))).unwrap();
    let transport = ScriptedTransport::new(vec![]);
    // records() succeeds, then both tries of the lease write fail.
    let failing = FailAfter::new(&store, 1, 2);
    let summary = block_on(flush(
        &failing,
        &transport,
        &FakeClock::at(0.0),
        FlushMode::Resumed,
        LEASE,
        |_, _| {},
    ));
    assert_eq!(
        transport.attempts.borrow().len(),
        0,
        "not sent without a lease"
    );
    assert_eq!(
        summary.next_wakeup_ms,
        Some(FIRST_RETRY_MS),
        "tried again soon"
    );
    let summary = flush_at(
        &store,
        &transport,
        FIRST_RETRY_MS,
        FlushMode::Automatic,
        |_, _| {},
    );
    assert_eq!(summary.delivered, 1);
    // One failed write of the lease is simply tried again at once.
    block_on(save(&store, &entry("k2", 0.0))).unwrap();
    let failing = FailAfter::new(&store, 1, 1);
    let summary = block_on(flush(
        &failing,
        &transport,
        &FakeClock::at(0.0),
        FlushMode::Resumed,
        LEASE,
        |_, _| {},
    ));
    assert_eq!(summary.delivered, 1);
}

#[test]
fn a_lease_written_before_the_clock_moved_back_does_not_block_sending() {
    let store = MemoryStore::default();
    let day = 86_400_000.0;
    let leased = entry("k1", 10.0 * day).leased(10.0 * day, 30_000.0);
    block_on(save(&store, &leased)).unwrap();
    let transport = ScriptedTransport::new(vec![]);
    // The phone's clock is set back a day while the lease is held.
    let summary = flush_at(
        &store,
        &transport,
        9.0 * day,
        FlushMode::ResidentAsked,
        |_, _| {},
    );
    assert_eq!(
        summary.delivered, 1,
        "elapsed time is unknown: the lease is over"
    );
    // A lease as old builds stored it (no start) holds no longer than any lease can.
    let mut old = entry("k2", 0.0);
    old.lease_until_ms = 20.0 * day;
    block_on(save(&store, &old)).unwrap();
    let summary = flush_at(
        &store,
        &transport,
        9.0 * day,
        FlushMode::ResidentAsked,
        |_, _| {},
    );
    assert_eq!(summary.delivered, 1);
    // And a current lease still holds.
    block_on(save(&store, &entry("k3", 0.0).leased(1_000.0, 30_000.0))).unwrap();
    flush_at(
        &store,
        &transport,
        2_000.0,
        FlushMode::ResidentAsked,
        not_delivered,
    );
    assert!(store.records.borrow().contains_key("k3"));
}

#[test]
fn a_delivery_keeps_the_ticket_record_in_the_same_step_that_drops_the_entry() {
    let store = MemoryStore::default();
    let mut real = entry("k1", 0.0);
    real.body = super::interleaving::report_body("k1", 1);
    block_on(save(&store, &real)).unwrap();
    let transport = ScriptedTransport::new(vec![]);
    flush_at(&store, &transport, 0.0, FlushMode::Resumed, |_, _| {});
    assert!(store.records.borrow().is_empty());
    let record: crate::core::my_reports::TicketRecord =
        serde_json::from_str(&store.history.borrow()["k1"]).unwrap();
    assert_eq!(record.ticket.as_deref(), Some("XJ-20261130-0001"));
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

/// A store whose operations fail from the `skip`-th on, `count` times.
struct FailAfter<'a> {
    inner: &'a MemoryStore,
    skip: std::cell::Cell<u32>,
    count: std::cell::Cell<u32>,
}

impl<'a> FailAfter<'a> {
    fn new(inner: &'a MemoryStore, skip: u32, count: u32) -> Self {
        FailAfter {
            inner,
            skip: skip.into(),
            count: count.into(),
        }
    }

    fn fails(&self) -> Result<(), StoreError> {
        if self.skip.get() > 0 {
            self.skip.set(self.skip.get() - 1);
            return Ok(());
        }
        if self.count.get() > 0 {
            self.count.set(self.count.get() - 1);
            return Err(StoreError("injected".into()));
        }
        Ok(())
    }
}

impl OutboxStore for FailAfter<'_> {
    async fn records(&self) -> Result<Vec<(String, String)>, StoreError> {
        self.fails()?;
        self.inner.records().await
    }
    async fn put(&self, key: &str, json: &str) -> Result<(), StoreError> {
        self.fails()?;
        self.inner.put(key, json).await
    }
    async fn update<F>(&self, key: &str, change: F) -> Result<Option<String>, StoreError>
    where
        F: FnOnce(&str) -> Option<String> + 'static,
    {
        self.fails()?;
        self.inner.update(key, change).await
    }
    async fn remove(&self, key: &str) -> Result<(), StoreError> {
        self.fails()?;
        self.inner.remove(key).await
    }
    async fn complete(&self, key: &str, receipt: Option<&str>) -> Result<bool, StoreError> {
        self.fails()?;
        self.inner.complete(key, receipt).await
    }
    async fn set_aside(&self, key: &str, json: &str) -> Result<(), StoreError> {
        self.fails()?;
        self.inner.set_aside(key, json).await
    }
}

/// Queues report `b` while the first attempt at `a` is on the wire, as a resident who
/// sends a second report during a slow first one does.
struct QueuesDuringAttempt<'a> {
    store: &'a MemoryStore,
    inner: ScriptedTransport,
    at: f64,
}

impl Transport for QueuesDuringAttempt<'_> {
    async fn submit(&self, key: &str, body: &str) -> Answer {
        if key == "a" {
            save(self.store, &entry("b", self.at)).await.unwrap();
        }
        self.inner.submit(key, body).await
    }
    async fn ticket_status(&self, _: &str, _: &str) -> Answer {
        Answer::NetworkError
    }
    async fn feedback(&self, _: &str, _: &str, _: &str) -> Answer {
        Answer::NetworkError
    }
}

#[test]
fn a_report_queued_during_a_pass_sets_that_pass_s_next_wakeup() {
    let store = MemoryStore::default();
    block_on(save(&store, &entry("a", 0.0))).unwrap();
    let transport = QueuesDuringAttempt {
        store: &store,
        inner: ScriptedTransport::new(vec![]),
        at: 1_000.0,
    };
    let summary = block_on(flush(
        &store,
        &transport,
        &FakeClock::at(1_000.0),
        FlushMode::Resumed,
        LEASE,
        |_, _| {},
    ));
    assert_eq!(summary.delivered, 1);
    assert_eq!(
        (summary.waiting, summary.next_wakeup_ms),
        (1, Some(1_000.0)),
        "b, queued while a was on the wire, is due at once"
    );
}

/// A transport to one endpoint, as the app's are.
struct To(&'static str, ScriptedTransport);

impl Transport for To {
    fn endpoint(&self) -> Option<&str> {
        Some(self.0)
    }
    async fn submit(&self, key: &str, body: &str) -> Answer {
        self.1.submit(key, body).await
    }
    async fn ticket_status(&self, _: &str, _: &str) -> Answer {
        Answer::NetworkError
    }
    async fn feedback(&self, _: &str, _: &str, _: &str) -> Answer {
        Answer::NetworkError
    }
}

#[test]
fn a_report_goes_only_to_the_endpoint_it_was_queued_for_never_to_the_mock() {
    let a = "https://a.example.gov.cn/v1/reports";
    let store = MemoryStore::default();
    let with_body = |id: &str, n| OutboxEntry {
        body: super::interleaving::report_body(id, n),
        ..entry(id, 0.0)
    };
    block_on(save(&store, &with_body("to-a", 1).queued_for(a))).unwrap();
    block_on(save(&store, &entry("to-mock", 0.0).queued_for("mock"))).unwrap();
    block_on(save(&store, &entry("older", 0.0))).unwrap();
    let sent = |endpoint: &'static str| {
        let transport = To(endpoint, ScriptedTransport::new(vec![]));
        let clock = FakeClock::at(0.0);
        block_on(flush(
            &store,
            &transport,
            &clock,
            FlushMode::ResidentAsked,
            LEASE,
            |_, _| {},
        ));
        let attempts = transport.1.attempts.borrow();
        attempts
            .iter()
            .map(|(key, _)| key.clone())
            .collect::<Vec<_>>()
    };
    // The config now says "mock": only the demo's own report goes there.
    assert_eq!(sent("mock"), ["to-mock"]);
    // Another URL: not A's report; one queued before endpoints were kept may go.
    assert_eq!(sent("https://b.example.gov.cn/v1/reports"), ["older"]);
    assert_eq!(sent(a), ["to-a"]);
    let record: crate::core::my_reports::TicketRecord =
        serde_json::from_str(&store.history.borrow()["to-a"]).unwrap();
    assert_eq!(
        record.endpoint.as_deref(),
        Some(a),
        "its status is asked of A"
    );
}
