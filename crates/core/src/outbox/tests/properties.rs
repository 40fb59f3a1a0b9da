//! For any sequence of answers: one key per report, and nothing lost or sent twice.

use super::*;

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
