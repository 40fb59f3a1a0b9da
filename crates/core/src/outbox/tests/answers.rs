//! What each answer does to a report: Retry-After, back-off, 409, redirects, "send now".

use super::*;

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
