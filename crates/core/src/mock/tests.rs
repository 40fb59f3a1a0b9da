//! The mock backend against the contract: tickets, replays, statuses, reopen, similar.

use super::*;
use crate::i18n::Lang;
use crate::outbox::classify;
use crate::report::{build_payload, Category, Draft, Envelope};
use xinjing_contract::Outcome;

const NOW: f64 = 1_796_000_000_000.0; // 2026-11-30 in Shanghai
const A: &str = "6f1c2a3b-0000-4000-8000-00000000000a";
const B: &str = "6f1c2a3b-0000-4000-8000-00000000000b";
const C: &str = "6f1c2a3b-0000-4000-8000-00000000000c";

fn body(id: &str, description: &str) -> String {
    let draft = Draft {
        category: Some(Category::Other),
        building: "1号楼".into(),
        description: description.into(),
        ..Draft::default()
    };
    let envelope = Envelope {
        id: id.into(),
        created_at: rfc3339_shanghai(NOW),
        locale: Lang::En,
        notice_version: "1",
        client_version: "t",
    };
    serde_json::to_string(&build_payload(&draft, &[], envelope).unwrap()).unwrap()
}

fn ticket_of(answer: &Answer) -> String {
    match classify(answer, NOW) {
        Outcome::Accepted { ticket, .. } => ticket,
        other => panic!("{other:?}"),
    }
}

#[test]
fn tickets_count_per_day_and_replays_are_idempotent() {
    let mut state = MockState::default();
    let first = ticket_of(&state.submit(A, &body(A, "楼道堆满纸箱"), NOW));
    assert!(
        first.starts_with("XJ-2026113") && first.ends_with("-0001"),
        "{first}"
    );
    assert_eq!(
        ticket_of(&state.submit(B, &body(B, "楼道堆满纸箱"), NOW)),
        first.replace("0001", "0002")
    );
    assert_eq!(
        ticket_of(&state.submit(A, &body(A, "楼道堆满纸箱"), NOW + 5.0)),
        first
    );
    assert_eq!(state.reports.len(), 2);
    let reuse = state.submit(A, &body(A, "另一件事情"), NOW);
    assert!(matches!(reuse, Answer::Status { code: 422, .. }));
    assert!(matches!(
        state.submit("c", "{}", NOW),
        Answer::Status { code: 400, .. }
    ));
    assert!(matches!(
        state.submit(C, &body(A, "key differs from id"), NOW),
        Answer::Status { code: 400, .. }
    ));
    assert!(
        matches!(state.submit(C, &body(C, "五个字以上").replace("五个字以上", "短"), NOW), Answer::Status { code: 422, body, .. } if body.contains("at least 5")),
        "the contract's rules, in the report's language"
    );
}

#[test]
fn status_moves_on_and_feedback_is_kept() {
    let mut state = MockState::default();
    let ticket = ticket_of(&state.submit(A, &body(A, "电箱门坏了，一直开着"), NOW));
    let status_at = |state: &MockState, t: f64| match state.status(&ticket, A, t) {
        Answer::Status {
            code: 200, body, ..
        } => serde_json::from_str::<serde_json::Value>(&body).unwrap()["status"]
            .as_str()
            .unwrap()
            .to_owned(),
        other => panic!("{other:?}"),
    };
    assert_eq!(status_at(&state, NOW), "received");
    assert_eq!(status_at(&state, NOW + IN_PROGRESS_AFTER_MS), "in_progress");
    assert_eq!(status_at(&state, NOW + RESOLVED_AFTER_MS), "resolved");
    assert!(matches!(
        state.feedback(&ticket, A, r#"{"satisfied":true}"#, NOW + RESOLVED_AFTER_MS),
        Answer::Status { code: 200, .. }
    ));
    assert!(
        matches!(
            state.status(&ticket, B, NOW),
            Answer::Status { code: 404, .. }
        ),
        "a ticket number without its report key reveals nothing"
    );
    assert!(matches!(
        state.feedback(&ticket, B, r#"{"satisfied":true}"#, NOW),
        Answer::Status { code: 404, .. }
    ));
    assert_eq!(state.reports[0].satisfied, Some(true));
    assert!(
        state.reports[0].reopened_ms.is_empty(),
        "satisfied reopens nothing"
    );
    assert!(matches!(
        state.feedback(&ticket, A, "{}", NOW),
        Answer::Status { code: 400, .. }
    ));
    assert!(matches!(
        state.status("XJ-none", A, NOW),
        Answer::Status { code: 404, .. }
    ));
    let saved = serde_json::to_string(&state).unwrap();
    assert!(
        !saved.contains("reopened_ms"),
        "old saved states stay as they were"
    );
    assert_eq!(MockState::parse(&saved), state);
    assert_eq!(MockState::parse("garbage"), MockState::default());
}

fn status(state: &MockState, ticket: &str, now: f64) -> StatusAnswer {
    match state.status(ticket, A, now) {
        Answer::Status {
            code: 200, body, ..
        } => serde_json::from_str(&body).unwrap(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn not_satisfied_reopens_and_the_history_says_so() {
    let mut state = MockState::default();
    let ticket = ticket_of(&state.submit(A, &body(A, "电箱门坏了，一直开着"), NOW));
    let resolved = NOW + RESOLVED_AFTER_MS;
    let too_long = format!(r#"{{"satisfied":false,"comment":"{}"}}"#, "长".repeat(501));
    assert!(matches!(
        state.feedback(&ticket, A, &too_long, resolved),
        Answer::Status { code: 400, .. }
    ));
    assert!(state.reports[0].reopened_ms.is_empty());
    let verdict = r#"{"satisfied":false,"comment":"门还是开着"}"#;
    assert!(matches!(
        state.feedback(&ticket, A, verdict, resolved + 1000.0),
        Answer::Status { code: 200, .. }
    ));
    assert_eq!(state.reports[0].comments, ["门还是开着"]);
    let now = status(&state, &ticket, resolved + 2000.0);
    assert_eq!(now.status, TicketStatus::Received);
    let steps: Vec<_> = now.history.iter().map(|s| (s.status, s.reopened)).collect();
    assert_eq!(
        steps,
        [
            (TicketStatus::Received, false),
            (TicketStatus::InProgress, false),
            (TicketStatus::Resolved, false),
            (TicketStatus::Received, true),
        ]
    );
    let later = status(&state, &ticket, resolved + 1000.0 + RESOLVED_AFTER_MS);
    assert_eq!(
        (later.status, later.history.len()),
        (TicketStatus::Resolved, 6)
    );
}

#[test]
fn similar_counts_open_reports_of_that_kind_at_that_place() {
    let mut state = MockState::default();
    let first = ticket_of(&state.submit(A, &body(A, "楼道堆满纸箱"), NOW));
    let community = state.reports[0].payload().unwrap().location.community;
    let ask = |state: &MockState, building: &str, category, now| {
        state.similar(&community, building, category, now)
    };
    let early = ask(&state, "1号楼", Category::Other, NOW + 1000.0);
    assert_eq!(early.tickets, [first]);
    let second = ticket_of(&state.submit(B, &body(B, "楼道又堆满纸箱"), NOW + RESOLVED_AFTER_MS));
    let later = ask(&state, "1号楼", Category::Other, NOW + RESOLVED_AFTER_MS);
    assert_eq!(later.tickets, [second], "the first is resolved by then");
    assert_eq!(ask(&state, "2号楼", Category::Other, NOW).count, 0);
    assert_eq!(
        ask(&state, "1号楼", Category::BlockedFireEscape, NOW).count,
        0
    );
    let month_later = NOW + 31.0 * 86_400_000.0;
    state.reports[1].reopened_ms.push(month_later - 1.0);
    assert_eq!(
        ask(&state, "1号楼", Category::Other, month_later).count,
        0,
        "older than 30 days"
    );
}
