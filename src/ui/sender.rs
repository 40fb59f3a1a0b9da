//! Wires the outbox (core policy) to IndexedDB, the transport and the app's signals, and
//! decides *when* to try: on start, when the phone comes online, when the page becomes
//! visible, when a retry falls due, and when the resident taps "send now".

use super::state::AppState;
use crate::core::config::{Config, Endpoint};
use crate::core::my_reports::{
    self, apply_status, parse_records, parse_status, Feedback, TicketRecord,
};
use crate::core::outbox::{
    self, classify, load, save, Answer, FirstAnswer, OutboxEntry, OutboxStore, Outcome, StoreError,
    Transport,
};
use crate::core::report::ReportPayload;
use crate::platform::clock::{jitter, now_ms, Timer};
use crate::platform::http::HttpTransport;
use crate::platform::mock::MockTransport;
use crate::platform::storage::{self, IdbOutbox};
use crate::platform::{lock, AnyTransport};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::RefCell;

const LOCK_NAME: &str = "xinjing-outbox";

thread_local! {
    static WAKEUP: RefCell<Option<Timer>> = const { RefCell::new(None) };
}

pub fn transport_for(config: &Config) -> AnyTransport {
    match &config.endpoint {
        Endpoint::Mock => AnyTransport::Mock(MockTransport),
        Endpoint::Url(url) => AnyTransport::Http(HttpTransport {
            endpoint: url.clone(),
            timeout_ms: config.timeout_ms,
        }),
    }
}

/// Reloads the list of waiting reports, and how many unreadable ones are kept aside, from
/// storage. The aside count comes from storage rather than from this page's flushes, so
/// the notice stays after a reload for as long as such records are kept.
pub async fn refresh_waiting(app: AppState) {
    if let Ok(n) = storage::ASIDE.count().await {
        app.set_aside.set(n);
    }
    if let Ok(records) = IdbOutbox.records().await {
        let items = load(records)
            .entries
            .iter()
            .map(OutboxEntry::summary)
            .collect();
        app.waiting.set(items);
    }
}

pub fn load_my_reports(app: AppState) {
    let records = storage::get(storage::KEY_MY_REPORTS)
        .map(|json| parse_records(&json))
        .unwrap_or_default();
    app.mine.set(records);
}

fn save_my_reports(records: &[TicketRecord]) {
    if let Ok(json) = serde_json::to_string(records) {
        if let Err(e) = storage::set(storage::KEY_MY_REPORTS, &json) {
            web_sys::console::warn_1(&format!("my reports not saved: {}", e.0).into());
        }
    }
}

fn record(app: AppState, record: TicketRecord) {
    app.mine.update(|records| {
        my_reports::upsert(records, record);
        save_my_reports(records);
    });
}

/// Writes the report to the outbox (before any attempt), then tries to send it.
pub async fn queue(app: AppState, payload: &ReportPayload) -> Result<(), StoreError> {
    save(&IdbOutbox, &OutboxEntry::new(payload, now_ms())).await?;
    refresh_waiting(app).await;
    send_now(app);
    Ok(())
}

/// Waits briefly for the answer to the first attempt at a just-queued report.
pub async fn first_attempt(app: AppState, id: &str) -> FirstAnswer {
    const PATIENCE_MS: f64 = 3_000.0;
    let started = now_ms();
    while now_ms() - started < PATIENCE_MS {
        crate::platform::clock::sleep(100).await;
        let delivered = app.mine.with_untracked(|m| m.iter().any(|r| r.id == id));
        let answer = app
            .waiting
            .with_untracked(|w| outbox::first_answer(delivered, w.iter().find(|e| e.id == id)));
        if let Some(answer) = answer {
            return answer;
        }
    }
    FirstAnswer::Waiting
}

/// Takes a refused report out of the outbox again, because the form that still holds it
/// is where the resident will correct it.
pub async fn take_back(app: AppState, id: &str) {
    let _ = IdbOutbox.remove(id).await;
    refresh_waiting(app).await;
}

/// Without storage, one direct attempt; the caller shows the outcome.
pub async fn send_direct(app: AppState, payload: &ReportPayload) -> Result<Option<String>, String> {
    let Some(config) = app.ready_config() else {
        return Err(String::new());
    };
    let entry = OutboxEntry::new(payload, now_ms());
    let answer = transport_for(&config).submit(&entry.id, &entry.body).await;
    match classify(&answer, now_ms()) {
        Outcome::Accepted { ticket, status } => {
            let r = TicketRecord::from_delivery(payload, ticket.clone(), status);
            app.mine.update(|records| my_reports::upsert(records, r));
            app.direct_tickets
                .update(|t| t.push((entry.id.clone(), ticket.clone())));
            Ok(ticket)
        }
        Outcome::Temporary { reason, .. } => Err(reason),
        Outcome::Refused { message } => Err(message),
    }
}

/// Tries every waiting report now, ignoring back-off (never a refused one).
pub fn send_now(app: AppState) {
    spawn_local(flush(app, true));
}

async fn flush(app: AppState, forced: bool) {
    let Some(config) = app.ready_config() else {
        return;
    };
    if !app.storage_ok.get_untracked() {
        return;
    }
    app.sending.set(true);
    let lease_ms = f64::from(config.timeout_ms) + 10_000.0;
    let work = async move {
        let transport = transport_for(&config);
        let summary = outbox::flush(
            &IdbOutbox,
            &transport,
            now_ms,
            jitter,
            forced,
            lease_ms,
            |entry, ticket, status| {
                if let Some(payload) = entry.payload() {
                    record(app, TicketRecord::from_delivery(&payload, ticket, status));
                }
            },
        )
        .await;
        if let Some(problem) = &summary.store_error {
            web_sys::console::warn_1(&format!("outbox storage: {problem}").into());
        }
        schedule(app, summary.next_wakeup_ms);
    };
    let ran = lock::run_exclusive(LOCK_NAME, work).await;
    if !ran {
        // Another tab is sending; look again shortly.
        schedule(app, Some(now_ms() + 5_000.0));
    }
    refresh_waiting(app).await;
    app.sending.set(false);
}

fn schedule(app: AppState, at_ms: Option<f64>) {
    let timer = at_ms.map(|at| Timer::new(at - now_ms(), move || spawn_local(flush(app, false))));
    WAKEUP.with(|slot| *slot.borrow_mut() = timer);
}

/// The moments to try again at once.
pub fn install_triggers(app: AppState) {
    let on_online = window_event_listener(leptos::ev::online, move |_| send_now(app));
    let on_visible = window_event_listener(leptos::ev::visibilitychange, move |_| {
        let visible = document().visibility_state() == web_sys::VisibilityState::Visible;
        if visible {
            send_now(app);
            refresh_statuses(app);
        }
    });
    // The app lives as long as the page; the handles are kept for that long.
    std::mem::forget((on_online, on_visible));
}

/// Deletes a waiting report the resident chose to drop.
pub async fn delete(app: AppState, id: String) {
    let _ = IdbOutbox.remove(&id).await;
    refresh_waiting(app).await;
}

/// A refused report back into the form, photos included; it leaves the outbox, and goes
/// back in under a new key when resent (its content may change).
pub async fn edit(app: AppState, id: String) {
    let Ok(records) = IdbOutbox.records().await else {
        return;
    };
    let Some(entry) = load(records).entries.into_iter().find(|e| e.id == id) else {
        return;
    };
    let Some(payload) = entry.payload() else {
        return;
    };
    super::report_form::load_draft(app, crate::core::report::draft_from(&payload));
    let _ = IdbOutbox.remove(&id).await;
    refresh_waiting(app).await;
    app.screen.set(super::state::Screen::Report);
}

/// Asks the endpoint for the status of every open ticket.
pub fn refresh_statuses(app: AppState) {
    let Some(config) = app.ready_config() else {
        return;
    };
    let open: Vec<TicketRecord> = app
        .mine
        .get_untracked()
        .into_iter()
        .filter(|r| r.ticket.is_some() && !r.status.is_some_and(|s| s.is_final()))
        .collect();
    if open.is_empty() {
        return;
    }
    spawn_local(async move {
        let transport = transport_for(&config);
        for mut item in open {
            let Some(ticket) = item.ticket.clone() else {
                continue;
            };
            if let Answer::Status {
                code: 200..=299,
                body,
                ..
            } = transport.ticket_status(&ticket, &item.id).await
            {
                if let Some(answer) = parse_status(&body) {
                    apply_status(&mut item, answer);
                    record_in_place(app, item);
                }
            }
        }
    });
}

fn record_in_place(app: AppState, item: TicketRecord) {
    app.mine.update(|records| {
        if let Some(slot) = records.iter_mut().find(|r| r.id == item.id) {
            *slot = item;
        }
        save_my_reports(records);
    });
}

/// Sends "were you satisfied?"; returns whether the endpoint took it.
pub async fn send_feedback(app: AppState, id: String, satisfied: bool) -> bool {
    let Some(config) = app.ready_config() else {
        return false;
    };
    let Some(mut item) = app.mine.get_untracked().into_iter().find(|r| r.id == id) else {
        return false;
    };
    let Some(ticket) = item.ticket.clone() else {
        return false;
    };
    let answer = transport_for(&config)
        .feedback(
            &ticket,
            &item.id,
            &Feedback {
                satisfied,
                comment: None,
            }
            .to_json(),
        )
        .await;
    let ok = matches!(
        answer,
        Answer::Status {
            code: 200..=299,
            ..
        }
    );
    if ok {
        item.satisfied = Some(satisfied);
        record_in_place(app, item);
    }
    ok
}

/// Removes drafts, history and remembered contact; unsent reports only if `with_outbox`.
pub async fn clear_device_data(app: AppState, with_outbox: bool) {
    for key in [
        storage::KEY_MY_REPORTS,
        storage::KEY_CONTACT,
        storage::KEY_DRAFT,
    ] {
        storage::remove(key);
    }
    app.mine.set(Vec::new());
    super::report_form::reset_form(app);
    if with_outbox {
        let _ = storage::OUTBOX.clear().await;
    }
    refresh_waiting(app).await;
}
