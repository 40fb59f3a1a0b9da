//! A store that fails part-way: one failed step fails one attempt, never the outbox.

use super::*;

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

/// A report as large as one with three photos: a lease or a retry time must not write it
/// again (a second copy may not fit on a nearly full phone).
fn photo_report(id: &str) -> OutboxEntry {
    let mut report = entry(id, 0.0);
    report.body = format!(
        r#"{{"id":"{id}","category":"flying_line_charging","description":"楼道里飞线充电","photos":"{}"}}"#,
        "A".repeat(1_600_000)
    );
    report
}

#[test]
fn leases_and_attempt_results_never_write_the_body_again() {
    let store = MemoryStore::default();
    block_on(save(&store, &photo_report("k1"))).unwrap();
    let transport = ScriptedTransport::new(vec![status(503), status(503)]);
    for now in [0.0, 1_000.0] {
        flush_at(
            &store,
            &transport,
            now,
            FlushMode::ResidentAsked,
            not_delivered,
        );
    }
    assert!(
        store.rewritten.get() < 4_000,
        "two leases and two results wrote {} bytes",
        store.rewritten.get()
    );
    // The record still names a body, empty: an older build open in another tab reads it
    // as a report (its `body` was required) rather than setting it aside.
    let record: serde_json::Value = serde_json::from_str(&store.records.borrow()["k1"]).unwrap();
    assert_eq!(record["body"], "");
    let sent = transport.attempts.borrow();
    assert_eq!(sent.len(), 2);
    assert!(sent
        .iter()
        .all(|(_, body)| *body == photo_report("k1").body));
    drop(sent);
    flush_at(
        &store,
        &transport,
        2_000.0,
        FlushMode::ResidentAsked,
        |_, _| {},
    );
    assert!(store.records.borrow().is_empty());
    assert!(
        store.bodies.borrow().is_empty(),
        "the body leaves with its entry"
    );
}

#[test]
fn an_entry_an_older_build_kept_with_its_body_inline_still_sends() {
    let store = MemoryStore::default();
    let old = photo_report("k1");
    store
        .records
        .borrow_mut()
        .insert("k1".into(), old.to_json());
    let transport = ScriptedTransport::new(vec![status(503)]);
    flush_at(
        &store,
        &transport,
        0.0,
        FlushMode::ResidentAsked,
        not_delivered,
    );
    assert_eq!(transport.attempts.borrow()[0].1, old.body);
    // Moved out once: its record is small from now on.
    assert!(store.records.borrow()["k1"].len() < 1_000);
    assert_eq!(store.bodies.borrow()["k1"], old.body);
    // The waiting list still shows what it is, without reading the body.
    let stored = parse_entry(&store.records.borrow()["k1"]).unwrap();
    assert!(stored.body.is_empty());
    assert_eq!(stored.summary().excerpt, "楼道里飞线充电");
    assert_eq!(
        stored.summary().category,
        Some(Category::FlyingLineCharging)
    );
    flush_at(
        &store,
        &transport,
        1_000.0,
        FlushMode::ResidentAsked,
        |_, _| {},
    );
    assert_eq!(transport.attempts.borrow()[1].1, old.body);
    assert!(store.records.borrow().is_empty());
    assert!(store.bodies.borrow().is_empty());
}

#[test]
fn a_record_whose_body_is_missing_is_set_aside_not_claimed_for_ever() {
    let store = MemoryStore::default();
    block_on(save(&store, &photo_report("k1"))).unwrap();
    store.bodies.borrow_mut().clear();
    let transport = ScriptedTransport::new(vec![]);
    let summary = flush_at(&store, &transport, 0.0, FlushMode::ResidentAsked, |_, _| {});
    assert_eq!(summary.set_aside, 1);
    assert!(transport.attempts.borrow().is_empty());
    assert!(store.records.borrow().is_empty());
}

#[test]
fn a_delivery_keeps_the_ticket_record_in_the_same_step_that_drops_the_entry() {
    let store = MemoryStore::default();
    let mut real = entry("k1", 0.0);
    real.body = crate::outbox::interleaving::report_body("k1", 1);
    block_on(save(&store, &real)).unwrap();
    let transport = ScriptedTransport::new(vec![]);
    flush_at(&store, &transport, 0.0, FlushMode::Resumed, |_, _| {});
    assert!(store.records.borrow().is_empty());
    let record: crate::my_reports::TicketRecord =
        serde_json::from_str(&store.history.borrow()["k1"]).unwrap();
    assert_eq!(record.ticket.as_deref(), Some("XJ-20261130-0001"));
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
    async fn put(&self, key: &str, json: &str, body: &str) -> Result<(), StoreError> {
        self.fails()?;
        self.inner.put(key, json, body).await
    }
    async fn body(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.fails()?;
        self.inner.body(key).await
    }
    async fn keep_body(&self, key: &str, body: &str) -> Result<bool, StoreError> {
        self.fails()?;
        self.inner.keep_body(key, body).await
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
