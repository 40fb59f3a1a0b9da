//! A report queued during a pass, and a report bound to its endpoint.

use super::*;
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
    async fn feedback(&self, _: &str, _: &str, _: &str, _: &str) -> Answer {
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
    async fn feedback(&self, _: &str, _: &str, _: &str, _: &str) -> Answer {
        Answer::NetworkError
    }
}

#[test]
fn a_report_goes_only_to_the_endpoint_it_was_queued_for_never_to_the_mock() {
    let a = "https://a.example.gov.cn/v1/reports";
    let store = MemoryStore::default();
    let with_body = |id: &str, n| OutboxEntry {
        body: crate::outbox::interleaving::report_body(id, n),
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
    let record: crate::my_reports::TicketRecord =
        serde_json::from_str(&store.history.borrow()["to-a"]).unwrap();
    assert_eq!(
        record.endpoint.as_deref(),
        Some(a),
        "its status is asked of A"
    );
}

#[test]
fn a_report_no_pass_will_send_never_wakes_the_tab() {
    // Queued before endpoints were kept; the config now says "mock", which never gets it.
    let store = MemoryStore::default();
    block_on(save(&store, &entry("older", 0.0))).unwrap();
    let transport = To("mock", ScriptedTransport::new(vec![]));
    let summary = block_on(flush(
        &store,
        &transport,
        &FakeClock::at(1_000.0),
        FlushMode::Resumed,
        LEASE,
        |_, _| {},
    ));
    assert!(transport.1.attempts.borrow().is_empty());
    assert_eq!(
        (summary.waiting, summary.next_wakeup_ms),
        (1, None),
        "it still waits, and no timer is set for a pass that would skip it"
    );
}

/// The pass to an old endpoint, during whose attempt the resident files a report that is
/// queued for the configured one.
struct OldPassNewReport<'a> {
    store: &'a MemoryStore,
    inner: ScriptedTransport,
}

impl Transport for OldPassNewReport<'_> {
    fn endpoint(&self) -> Option<&str> {
        Some("https://old.example.gov.cn/v1/reports")
    }
    async fn submit(&self, key: &str, body: &str) -> Answer {
        let new = entry("b", 1_000.0).queued_for("https://new.example.gov.cn/v1/reports");
        save(self.store, &new).await.unwrap();
        self.inner.submit(key, body).await
    }
    async fn ticket_status(&self, _: &str, _: &str) -> Answer {
        Answer::NetworkError
    }
    async fn feedback(&self, _: &str, _: &str, _: &str, _: &str) -> Answer {
        Answer::NetworkError
    }
}

#[test]
fn a_report_for_another_endpoint_queued_during_a_pass_still_sets_its_wakeup() {
    let store = MemoryStore::default();
    let old = entry("a", 0.0).queued_for("https://old.example.gov.cn/v1/reports");
    block_on(save(&store, &old)).unwrap();
    let transport = OldPassNewReport {
        store: &store,
        inner: ScriptedTransport::new(vec![]),
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
        "b, for the configured endpoint, is due at once: the tab's one timer covers it"
    );
}
