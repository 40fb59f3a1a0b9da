//! Two hands on one report at once: a change made from a state the report has already left
//! (another desk closed it, the resident reopened it) is refused and records nothing; two
//! reports cannot be merged into each other.
//! SQLite and PostgreSQL alike.

mod common;

use common::staff::*;
use common::*;
use serde_json::json;
use xinjing_contract::TicketStatus;
use xinjing_desk::sample;
use xinjing_desk::store::{Applied, Change, Resolution};

fn status(status: TicketStatus) -> Change {
    Change::Status {
        status,
        resolution: (status == TicketStatus::Resolved).then_some(Resolution::Solved),
        public_note: "好的".into(),
        internal_note: None,
        override_reason: Some("测试：社区当场处理".into()),
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

/// The hidden `seen` field of the report's page.
fn seen_in(html: &str) -> String {
    let field = "name=\"seen\" value=\"";
    let at = html.find(field).expect("a seen field") + field.len();
    html[at..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_page_left_open_while_the_resident_reopened_cannot_close_the_report() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    add_account(&desk, "li", "admin", &[]).await;
    let key = sample::random_uuid();
    let ticket = desk.post(&sample::report(&key)).await.ticket();
    let mut clerk = Browser::new(&desk);
    clerk.login("li").await;
    let page = format!("/desk/reports/{ticket}");
    let old_seen = seen_in(&clerk.get(&page).await.text);

    // Meanwhile another desk resolves it and the resident answers "not satisfied".
    let store = &desk.state().store;
    let resolve = status(TicketStatus::Resolved);
    let done = store.apply_change(&ticket, &resolve, "wang", None, now_ms());
    assert_eq!(done.await.unwrap(), Applied::Done);
    let feedback = desk
        .http
        .post(format!("{}/{ticket}/feedback", desk.api()))
        .header("X-Report-Key", &key)
        .json(&json!({ "satisfied": false, "comment": "还是堵着" }))
        .send()
        .await
        .unwrap();
    assert_eq!(feedback.status(), 200);

    // The clerk's old page says "received"; resolving from it is refused.
    let fields = [
        ("status", "resolved"),
        ("resolution", "solved"),
        ("override_reason", "社区当场清理"),
        ("public_note", "已处理"),
        ("seen", old_seen.as_str()),
    ];
    let stale = clerk.post(&format!("{page}/status"), &fields).await;
    assert_eq!(stale.status, 303);
    assert!(
        stale.header("location").unwrap().ends_with("error=changed"),
        "{:?}",
        stale.header("location")
    );
    let report = store.desk_report(&ticket).await.unwrap().unwrap();
    assert_eq!(
        report.report.status,
        TicketStatus::Received,
        "still reopened"
    );

    // Reloaded, the page shows the comment and acts.
    let fresh = clerk.get(&page).await.text;
    assert!(fresh.contains("还是堵着"));
    let seen = seen_in(&fresh);
    let fields = [
        ("status", "resolved"),
        ("resolution", "solved"),
        ("override_reason", "社区当场清理"),
        ("public_note", "已处理"),
        ("seen", seen.as_str()),
    ];
    let ok = clerk.post(&format!("{page}/status"), &fields).await;
    assert!(ok.header("location").unwrap().ends_with("done=status"));
    desk.stop().await;
}

#[tokio::test]
async fn two_reports_cannot_be_merged_into_each_other() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    add_account(&desk, "li", "admin", &[]).await;
    let a = desk
        .post(&sample::report(&sample::random_uuid()))
        .await
        .ticket();
    let b = desk
        .post(&sample::report(&sample::random_uuid()))
        .await
        .ticket();
    let mut clerk = Browser::new(&desk);
    clerk.login("li").await;
    clerk.get(&format!("/desk/reports/{a}")).await;
    let merged = clerk
        .post(&format!("/desk/reports/{a}/duplicate"), &[("of", &b)])
        .await;
    assert!(merged
        .header("location")
        .unwrap()
        .ends_with("done=duplicate"));
    // Another clerk, on B's page, takes A for the original.
    clerk.get(&format!("/desk/reports/{b}")).await;
    let back = clerk
        .post(&format!("/desk/reports/{b}/duplicate"), &[("of", &a)])
        .await;
    let location = back.header("location").unwrap();
    assert!(location.ends_with("error=duplicate_closed"), "{location}");
    let b_now = desk.state().store.desk_report(&b).await.unwrap().unwrap();
    assert_eq!(
        b_now.report.status,
        TicketStatus::Received,
        "B is still handled"
    );
    assert_eq!(b_now.merged_into, None);
    desk.stop().await;
}

#[tokio::test]
async fn two_merges_into_each_other_at_the_same_moment_leave_one_report_open() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    let a = desk
        .post(&sample::report(&sample::random_uuid()))
        .await
        .ticket();
    let b = desk
        .post(&sample::report(&sample::random_uuid()))
        .await
        .ticket();
    let store = &desk.state().store;
    let merge = |from: &str, of: &str| {
        let (from, of) = (from.to_owned(), of.to_owned());
        async move {
            let change = Change::Duplicate {
                of,
                public_note: "同一问题".into(),
            };
            store
                .apply_change(&from, &change, "staff:test", None, now_ms())
                .await
                .unwrap()
        }
    };
    // Both clerks saw the other report still open; the store decides.
    let (ab, ba) = tokio::join!(merge(&a, &b), merge(&b, &a));
    let mut outcomes = [ab, ba];
    outcomes.sort_by_key(|o| *o != Applied::Done);
    assert_eq!(outcomes, [Applied::Done, Applied::NotNow]);
    let mut open = 0;
    for ticket in [&a, &b] {
        let report = store.desk_report(ticket).await.unwrap().unwrap();
        if !report.report.status.is_final() {
            open += 1;
            assert_eq!(report.merged_into, None);
        }
    }
    assert_eq!(open, 1, "one of the two is still handled");
    desk.stop().await;
}
