//! Two hands on one report at once: a change made from a state the report has already left
//! (another desk closed it, the resident reopened it) is refused and records nothing.
//! SQLite and PostgreSQL alike.

mod common;

use common::staff::*;
use common::*;
use xinjing_contract::TicketStatus;
use xinjing_desk::sample;
use xinjing_desk::store::{Applied, Change};

fn status(status: TicketStatus) -> Change {
    Change::Status {
        status,
        public_note: "好的".into(),
        internal_note: None,
    }
}

fn reopen() -> Change {
    Change::Reopen {
        public_note: None,
        internal_note: None,
    }
}

#[tokio::test]
async fn a_change_from_a_state_the_report_has_left_is_refused() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    add_account(&desk, "li", "admin", &[]).await;
    let ticket = desk
        .post(&sample::report(&sample::random_uuid()))
        .await
        .ticket();
    let store = &desk.state().store;
    let now = now_ms();
    let t = ticket.as_str();
    let apply = |change: Change| async move {
        store
            .apply_change(t, &change, "li", None, now)
            .await
            .unwrap()
    };
    // Two desks that both saw "received": the first resolves, the second's reject is late.
    assert_eq!(apply(status(TicketStatus::Resolved)).await, Applied::Done);
    assert_eq!(apply(status(TicketStatus::Rejected)).await, Applied::NotNow);
    // Reopened once (by a desk, or the resident); a second reopen at the same time is late.
    assert_eq!(apply(reopen()).await, Applied::Done);
    assert_eq!(apply(reopen()).await, Applied::NotNow);
    assert_eq!(apply(status(TicketStatus::Received)).await, Applied::NotNow);

    let report = store.desk_report(&ticket).await.unwrap().unwrap();
    assert_eq!(report.report.status, TicketStatus::Received);
    assert_eq!(report.reopen_count, 1, "reopened once, not twice");
    let kinds: Vec<String> = store
        .events(&ticket)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        ["received", "status", "reopen"],
        "nothing recorded late"
    );
    desk.stop().await;
}
