//! The demo's mock backend behind the same `Transport` as HTTP. Its state (the reports it
//! "received") lives in IndexedDB so it survives a reload; the presenter's switches make it
//! fail on purpose.

use super::clock::{now_ms, sleep};
use super::storage::KV;
use std::cell::Cell;
use xinjing_contract::Similar;
use xinjing_core::mock::MockState;
use xinjing_core::outbox::{Answer, Transport};
use xinjing_core::similar::SimilarQuery;

const STATE_KEY: &str = "mock-state";

thread_local! {
    static OFFLINE: Cell<bool> = const { Cell::new(false) };
    static SERVER_ERRORS: Cell<bool> = const { Cell::new(false) };
}

pub fn set_offline(on: bool) {
    OFFLINE.with(|c| c.set(on));
}

pub fn set_server_errors(on: bool) {
    SERVER_ERRORS.with(|c| c.set(on));
}

pub async fn load_state() -> MockState {
    KV.get(STATE_KEY)
        .await
        .ok()
        .flatten()
        .map(|json| MockState::parse(&json))
        .unwrap_or_default()
}

async fn save_state(state: &impl serde::Serialize) {
    if let Ok(json) = serde_json::to_string(state) {
        if let Err(e) = KV.put(STATE_KEY, &json).await {
            web_sys::console::warn_1(&format!("mock backend could not save: {}", e.0).into());
        }
    }
}

pub struct MockTransport;

impl MockTransport {
    /// A phone network's latency, and the presenter's failures.
    async fn network(&self) -> Option<Answer> {
        sleep(300 + (js_sys::Math::random() * 500.0) as u32).await;
        let browser_offline = web_sys::window()
            .map(|w| !w.navigator().on_line())
            .unwrap_or(false);
        if OFFLINE.with(Cell::get) || browser_offline {
            return Some(Answer::NetworkError);
        }
        SERVER_ERRORS.with(Cell::get).then(|| Answer::Status {
            code: 503,
            retry_after: None,
            body: r#"{"error":{"code":"unavailable","message":"演示：服务器暂时不可用"}}"#.into(),
        })
    }

    /// The answer as data: no JSON round trip in the demo.
    pub async fn similar(&self, query: &SimilarQuery) -> Option<Similar> {
        if self.network().await.is_some() {
            return None;
        }
        let state = load_state().await;
        Some(state.similar(&query.community, &query.building, query.category, now_ms()))
    }
}

impl Transport for MockTransport {
    async fn submit(&self, key: &str, body: &str) -> Answer {
        if let Some(failure) = self.network().await {
            return failure;
        }
        let mut state = load_state().await;
        let answer = state.submit(key, body, now_ms());
        save_state(&state).await;
        answer
    }

    async fn ticket_status(&self, ticket: &str, report_key: &str) -> Answer {
        if let Some(failure) = self.network().await {
            return failure;
        }
        load_state().await.status(ticket, report_key, now_ms())
    }

    async fn feedback(&self, ticket: &str, report_key: &str, _: &str, body: &str) -> Answer {
        if let Some(failure) = self.network().await {
            return failure;
        }
        let mut state = load_state().await;
        let answer = state.feedback(ticket, report_key, body, now_ms());
        save_state(&state).await;
        answer
    }
}

/// "Clear my data" in the demo: the mock backend's reports are the resident's too.
pub async fn forget_state() {
    let _ = KV.delete(STATE_KEY).await;
}
