//! Wires the outbox (core policy) to IndexedDB, the transport and the app's signals, and
//! decides *when* to try: on start, when the phone comes online, when the page becomes
//! visible, when a retry falls due, and when the resident sends or taps "send now". Only
//! "send now" overrides a pause the server asked for (`Retry-After`); the others skip
//! ordinary back-off only (`FlushMode`).
//!
//! The form calls one function, [`Sender::submit`], and renders its [`SubmitOutcome`].

use super::context::{use_form, use_outbox, use_settings, FormState, OutboxView, Screen, Settings};
use super::draft;
use super::tickets::{use_ticket_desk, TicketDesk};
use crate::platform::clock::{jitter, now_ms, sleep, Timer};
use crate::platform::storage::{self, IdbOutbox};
use crate::platform::{lock, AnyTransport};
use crate::ui::adopt;
use futures_channel::oneshot;
use leptos::prelude::*;
use leptos::task::spawn_local;
use xinjing_core::my_reports::TicketRecord;
use xinjing_core::outbox::{
    self, classify, first_answer, load, save, stored_payload, FirstAnswer, FlushMode, Lease, Next,
    OutboxEntry, OutboxStore, Outcome, Transport,
};
use xinjing_core::report::{draft_from, report_as_text, ReportPayload};

const LOCK_NAME: &str = "xinjing-outbox";
/// How long "sending…" waits for the first answer before saying "saved, will be sent".
const FIRST_ANSWER_PATIENCE_MS: u32 = 3_000;

/// What became of a report the resident sent, as the form shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum SubmitOutcome {
    /// The endpoint has it.
    Delivered,
    /// Kept on the phone and sent when it can be (or it was refused after the resident
    /// left the form: "my reports" offers the correction).
    Queued,
    /// Refused by the endpoint's first answer. The form holds the report again, as typed.
    Refused(String),
    /// This phone can neither keep nor send it: the text to copy, and why.
    NotKept { text: String, reason: String },
}

/// The time and randomness of the browser, for the core's flush.
struct BrowserClock;

impl outbox::Clock for BrowserClock {
    fn now_ms(&self) -> f64 {
        now_ms()
    }
    fn jitter(&self) -> f64 {
        jitter()
    }
}

/// Owner-scoped state of the sending machinery: the next wake-up and the forms waiting for
/// a first answer. Dropped (timer cancelled) with the app.
#[derive(Clone, Copy)]
pub struct SendingState {
    wakeup: StoredValue<Option<Timer>, LocalStorage>,
    waiters: StoredValue<Vec<(String, oneshot::Sender<FirstAnswer>)>, LocalStorage>,
}

pub fn provide_sending_state() {
    provide_context(SendingState {
        wakeup: StoredValue::new_local(None),
        waiters: StoredValue::new_local(Vec::new()),
    });
}

/// Everything that sends: a handle components get with [`use_sender`].
#[derive(Clone, Copy)]
pub struct Sender {
    settings: Settings,
    outbox: OutboxView,
    form: FormState,
    tickets: TicketDesk,
    state: SendingState,
}

pub fn use_sender() -> Sender {
    Sender {
        settings: use_settings(),
        outbox: use_outbox(),
        form: use_form(),
        tickets: use_ticket_desk(),
        state: expect_context(),
    }
}

impl Sender {
    /// Reloads the list of waiting reports, and how many unreadable ones are kept aside,
    /// from storage. The aside count comes from storage rather than from this page's
    /// flushes, so the notice stays after a reload for as long as such records are kept.
    pub async fn refresh_waiting(self) {
        if let Ok(n) = storage::ASIDE.count().await {
            self.outbox.set_aside.set(n);
        }
        if let Ok(records) = IdbOutbox.records().await {
            let items = load(records)
                .entries
                .iter()
                .map(OutboxEntry::summary)
                .collect();
            self.outbox.waiting.set(items);
        }
    }

    /// The one way a report leaves the form. It is queued (or, if this phone cannot keep
    /// it, sent once); the form is emptied in the same step, so closing the page now cannot
    /// lead to the same words being sent again under a new id. Resolves on the first
    /// answer, or after a short wait with `Queued`.
    pub async fn submit(self, payload: ReportPayload) -> SubmitOutcome {
        let replaces = self.form.replaces.get_untracked();
        draft::remember_contact(self.form, &payload);
        let Some(config) = self.settings.config_now() else {
            return self.send_directly(payload).await;
        };
        let entry = OutboxEntry::new(&payload, now_ms()).queued_for(config.endpoint.key());
        let queued =
            self.outbox.storage_ok.get_untracked() && save(&IdbOutbox, &entry).await.is_ok();
        if !queued {
            // This report could not be kept (too big for what storage has left, say): it
            // alone is sent directly. The reports already queued keep going as before.
            return self.send_directly(payload).await;
        }
        draft::reset(self.form);
        if let Some(old) = replaces.filter(|old| *old != payload.id) {
            // The corrected report is safely queued: only now does the original go.
            let _ = IdbOutbox.remove(&old).await;
        }
        storage::announce("outbox");
        let (tell, answer) = oneshot::channel();
        self.state
            .waiters
            .update_value(|w| w.push((payload.id.clone(), tell)));
        let id = payload.id.clone();
        spawn_local(async move {
            sleep(FIRST_ANSWER_PATIENCE_MS).await;
            self.answer_first(&id, FirstAnswer::Waiting);
        });
        self.refresh_waiting().await;
        // Resumed, not ResidentAsked: the new report goes at once, but a report the server
        // asked to hold back (Retry-After) is not pushed along with it.
        spawn_local(self.flush(FlushMode::Resumed));
        match answer.await.unwrap_or(FirstAnswer::Waiting) {
            FirstAnswer::Delivered { .. } => SubmitOutcome::Delivered,
            FirstAnswer::Waiting => SubmitOutcome::Queued,
            FirstAnswer::Refused(message) => {
                if self.settings.screen.get_untracked() != Screen::Report {
                    // They moved on: it waits in "my reports" with the server's reason.
                    return SubmitOutcome::Queued;
                }
                // Back into the form, everything as typed. It stays in the outbox, photos
                // and contact included, until the corrected one is queued: the form keeps
                // no photos across a reload, the outbox does.
                draft::load(self.form, draft_from(&payload));
                draft::correcting(self.form, payload.id.clone());
                self.refresh_waiting().await;
                SubmitOutcome::Refused(message)
            }
        }
    }

    /// Wakes the form waiting for this report's first answer, if any still is.
    fn answer_first(self, id: &str, answer: FirstAnswer) {
        let waiter = self.state.waiters.try_update_value(|waiters| {
            let at = waiters.iter().position(|(w, _)| w == id)?;
            Some(waiters.remove(at).1)
        });
        if let Some(Some(tell)) = waiter {
            let _ = tell.send(answer);
        }
    }

    /// Without storage, one direct attempt; the form keeps the report unless it arrived.
    async fn send_directly(self, payload: ReportPayload) -> SubmitOutcome {
        let Some(config) = self.settings.config_now() else {
            return SubmitOutcome::NotKept {
                text: report_as_text(&payload, self.settings.lang.get_untracked()),
                reason: String::new(),
            };
        };
        let entry = OutboxEntry::new(&payload, now_ms());
        let answer = AnyTransport::for_config(&config)
            .submit(&entry.id, &entry.body)
            .await;
        match classify(&answer, now_ms()) {
            Outcome::Accepted { ticket, status } => {
                let mut record = TicketRecord::from_delivery(&payload, Some(ticket), status);
                record.endpoint = Some(config.endpoint.key().to_owned());
                self.tickets.record_unstored(record);
                draft::reset(self.form);
                SubmitOutcome::Delivered
            }
            Outcome::Temporary { reason, .. } => SubmitOutcome::NotKept {
                text: report_as_text(&payload, self.settings.lang.get_untracked()),
                reason,
            },
            Outcome::Fault(fault) => SubmitOutcome::NotKept {
                text: report_as_text(&payload, self.settings.lang.get_untracked()),
                reason: fault.describe().into(),
            },
            Outcome::Refused { message } => SubmitOutcome::Refused(message),
        }
    }

    /// The resident's "send now": every waiting report at once, whatever the back-off or
    /// the server's `Retry-After` (never a refused one).
    pub fn send_now(self) {
        spawn_local(self.flush(FlushMode::ResidentAsked));
    }

    /// Start, the phone coming online, the page becoming visible: waiting reports go at
    /// once unless the server asked for a pause.
    pub fn resume(self) {
        spawn_local(self.flush(FlushMode::Resumed));
    }

    async fn flush(self, mode: FlushMode) {
        // The config as it is now: a newer config.json with another endpoint wins.
        let Some(config) = self.settings.config_now() else {
            return;
        };
        if !self.outbox.storage_ok.get_untracked() {
            return; // this phone keeps nothing (private mode): there is nothing to send
        }
        self.outbox.sending.set(true);
        let lease = Lease {
            timeout_ms: f64::from(config.timeout_ms),
        };
        let work = async move {
            if adopt::take_over(adopt::Owner::of(&config)).await {
                self.tickets.load().await;
                storage::announce("tickets");
            }
            // Each report goes to the endpoint it was queued for: one pass per endpoint
            // that has reports waiting, and the configured one.
            let mut endpoints = vec![Some(config.endpoint.key().to_owned())];
            if let Ok(records) = IdbOutbox.records().await {
                for entry in load(records).entries {
                    if entry.endpoint.is_some() && !endpoints.contains(&entry.endpoint) {
                        endpoints.push(entry.endpoint);
                    }
                }
            }
            let mut wakeup: Option<f64> = None;
            for endpoint in endpoints {
                let transport = AnyTransport::for_stored(endpoint.as_deref(), &config);
                let summary = outbox::flush(
                    &IdbOutbox,
                    &transport,
                    &BrowserClock,
                    mode,
                    lease,
                    |entry, next| {
                        if let Next::Delivered { ticket, status } = next {
                            // Stored by the flush with the delivery; here it is only shown.
                            if let Some(record) = entry.receipt(ticket, *status) {
                                self.tickets.record(record);
                            }
                        }
                        if let Some(answer) = first_answer(entry, next) {
                            self.answer_first(&entry.id, answer);
                        }
                    },
                )
                .await;
                if let Some(problem) = &summary.store_error {
                    web_sys::console::warn_1(&format!("outbox storage: {problem}").into());
                }
                // Each pass's wake-up covers every entry, read at its end: the last is
                // the freshest, and the earliest is kept in case it came first.
                wakeup = match (wakeup, summary.next_wakeup_ms) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => b.or(a),
                };
            }
            self.schedule(wakeup);
        };
        if !lock::run_exclusive(&storage::name(LOCK_NAME), work).await {
            // Another tab is sending; look again shortly.
            self.schedule(Some(now_ms() + 5_000.0));
        }
        self.refresh_waiting().await;
        storage::announce("outbox");
        self.outbox.sending.set(false);
    }

    fn schedule(self, at_ms: Option<f64>) {
        let timer = at_ms.map(|at| {
            Timer::new(at - now_ms(), move || {
                spawn_local(self.flush(FlushMode::Automatic))
            })
        });
        // Replacing the timer cancels the one before it.
        self.state.wakeup.set_value(timer);
    }

    /// The moments to try again at once, and what other tabs tell; removed with the app.
    pub fn install_triggers(self) {
        let on_online = window_event_listener(leptos::ev::online, move |_| self.resume());
        let on_visible = window_event_listener(leptos::ev::visibilitychange, move |_| {
            if document().visibility_state() == web_sys::VisibilityState::Visible {
                self.resume();
                self.tickets.refresh_statuses();
            }
        });
        let other_tabs = storage::Listener::new(move |topic| match topic.as_str() {
            "tickets" => spawn_local(self.tickets.load()),
            "outbox" => spawn_local(self.refresh_waiting()),
            "cleared" => self.forget_here(),
            _ => {}
        });
        let other_tabs = StoredValue::new_local(Some(other_tabs));
        on_cleanup(move || {
            on_online.remove();
            on_visible.remove();
            other_tabs.set_value(None);
        });
    }

    /// Deletes a waiting report the resident chose to drop. If it is on the wire, the
    /// answer finds it gone and writes nothing back.
    pub async fn delete(self, id: String) {
        let _ = IdbOutbox.remove(&id).await;
        storage::announce("outbox");
        self.refresh_waiting().await;
    }

    /// A refused report back into the form, photos included. The original stays in the
    /// outbox until the corrected one is queued (under a new key: its content may change).
    pub async fn edit(self, id: String) {
        let Some(payload) = stored_payload(&IdbOutbox, &id).await else {
            return;
        };
        draft::load(self.form, draft_from(&payload));
        draft::correcting(self.form, id);
        self.settings.go(Screen::Report);
    }

    /// After a reload, the form goes on correcting the report it was correcting, photos
    /// and contact included, if that report is still waiting.
    pub async fn resume_correction(self) {
        let Some(id) = draft::was_correcting() else {
            return;
        };
        match stored_payload(&IdbOutbox, &id).await {
            Some(payload) => draft::resume_correction(self.form, id, draft_from(&payload)),
            None => storage::remove(storage::KEY_CORRECTING),
        }
    }

    /// Removes everything personal this phone keeps: drafts, the remembered contact and
    /// the choice to remember it, tickets, unsent reports, reports kept aside and the demo's
    /// mock data (one IndexedDB transaction), in this tab and in the others. An attempt on
    /// the wire finds its report gone and writes nothing back, not even its ticket.
    pub async fn clear_device_data(self) {
        self.forget_here();
        let owner = self.settings.config_now().map(|c| adopt::Owner::of(&c));
        if let Some(owner) = &owner {
            adopt::clear_shared(owner).await;
        }
        if let Err(e) = storage::wipe(adopt::keep_on_clear(owner)).await {
            web_sys::console::warn_1(&format!("clearing storage: {}", e.0).into());
        }
        storage::announce("cleared");
        self.refresh_waiting().await;
    }

    /// What this tab shows and holds of the resident: the form (contact included), the
    /// tickets and the waiting list.
    fn forget_here(self) {
        self.tickets.forget_all();
        draft::forget_everything(self.form);
        self.outbox.waiting.set(Vec::new());
        self.outbox.set_aside.set(0);
    }
}
