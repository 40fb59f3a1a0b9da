//! After sending: the confirmation, the reports still waiting on this phone, and the
//! received tickets with their status and the satisfaction question.

use super::context::{use_outbox, use_settings, use_tickets, Screen};
use super::copy::CopyButton;
use super::keyed::keyed_by_id;
use super::outbox::use_sender;
use super::ticket_card::TicketCardBody;
use super::tickets::use_ticket_desk;
use super::Shown;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::Arc;
use xinjing_contract::time::display_shanghai;
use xinjing_core::i18n::{fill, Msg};
use xinjing_core::outbox::WaitingItem;

/// The screen right after "send": saved on the phone, or received with a ticket.
#[component]
pub fn SentView(id: String) -> impl IntoView {
    let settings = use_settings();
    let (tickets, outbox) = (use_tickets(), use_outbox());
    let id = StoredValue::new(id);
    let received = move || {
        tickets
            .mine
            .with(|m| m.iter().find(|r| id.with_value(|id| r.id == *id)).cloned())
    };
    let waiting = move || {
        outbox
            .waiting
            .with(|w| w.iter().find(|r| id.with_value(|id| r.id == *id)).cloned())
    };
    view! {
        <section class="xj-section xj-sent" aria-labelledby="xj-sent-title">
            {move || match (received(), waiting()) {
                (Some(record), _) => view! {
                    <h2 id="xj-sent-title" tabindex="-1" class="xj-ok">{settings.tr(Msg::ReceivedTitle)}</h2>
                    <TicketNumber ticket=record.ticket.clone()/>
                    <p>{settings.tr(Msg::ReceivedText)}</p>
                }.into_any(),
                (None, Some(item)) => view! {
                    <h2 id="xj-sent-title" tabindex="-1">{settings.tr(Msg::SavedTitle)}</h2>
                    <WaitingCardBody item=item/>
                    <p>{settings.tr(Msg::SavedText)}</p>
                }.into_any(),
                (None, None) => view! { <h2 id="xj-sent-title" tabindex="-1">{settings.tr(Msg::Sending)}</h2> }.into_any(),
            }}
            <div class="xj-actions">
                <button type="button" class="xj-button" on:click=move |_| settings.go(Screen::Mine)>{settings.tr(Msg::TabMine)}</button>
                <button type="button" class="xj-button xj-primary" on:click=move |_| settings.go(Screen::Report)>{settings.tr(Msg::NewReport)}</button>
            </div>
        </section>
    }
}

#[component]
fn TicketNumber(ticket: Option<String>) -> impl IntoView {
    let settings = use_settings();
    ticket.map(|ticket| {
        view! {
            <p class="xj-ticket-label">{settings.tr(Msg::TicketLabel)}</p>
            <p class="xj-ticket">{ticket.clone()}</p>
            <CopyButton text=ticket label=Msg::CopyTicket/>
        }
    })
}

#[component]
fn WaitingCard(id: String) -> impl IntoView {
    let this = item_with_id(use_outbox().waiting, id, |w| &w.id);
    move || {
        this.get()
            .map(|item| view! { <WaitingCardBody item=item/> })
    }
}

/// The item of `list` with this id, as it changes: lists are keyed by id only, so a card
/// stays in place and its content follows its record.
fn item_with_id<T>(list: RwSignal<Vec<T>>, id: String, id_of: fn(&T) -> &String) -> Memo<Option<T>>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    Memo::new(move |_| list.with(|items| items.iter().find(|r| *id_of(r) == id).cloned()))
}

#[component]
fn WaitingCardBody(item: WaitingItem) -> impl IntoView {
    let settings = use_settings();
    let outbox = use_outbox();
    let sender = use_sender();
    let id = item.id.clone();
    let (edit_id, delete_id) = (id.clone(), id);
    let next = display_shanghai(item.next_attempt_ms);
    let refused = item.refused.clone();
    let fault = item.fault.is_some();
    let status = move || {
        let lang = settings.lang.get();
        let next_try = fill(Msg::NextTry.text(lang), &[("time", &next[11..])]);
        match &refused {
            Some(message) => fill(Msg::RejectedBy.text(lang), &[("message", message)]),
            None if outbox.sending.get() => Msg::Sending.text(lang).to_owned(),
            // Not the resident's doing and not theirs to fix: said plainly, with the way out.
            None if fault => format!("{} {next_try}", Msg::ServerFault.text(lang)),
            None => format!("{} · {next_try}", Msg::SavedTitle.text(lang)),
        }
    };
    let is_refused = item.refused.is_some();
    let delete = move |_| {
        let confirmed = window()
            .confirm_with_message(settings.t(Msg::ConfirmDelete))
            .unwrap_or(false);
        if confirmed {
            let id = delete_id.clone();
            spawn_local(sender.delete(id));
        }
    };
    view! {
        <div class="xj-item" class:xj-refused=is_refused>
            <p class="xj-item-title">{move || item.category.map(|c| c.name(settings.lang.get())).unwrap_or_default()}</p>
            <p class="xj-muted">{display_shanghai(item.queued_at_ms)} " · " {item.excerpt.clone()}</p>
            <p class="xj-status" role="status">{status}</p>
            <div class="xj-actions">
                {if is_refused {
                    view! {
                        <button type="button" class="xj-button xj-primary" on:click=move |_| spawn_local(sender.edit(edit_id.clone()))>
                            {settings.tr(Msg::EditResend)}
                        </button>
                    }.into_any()
                } else {
                    view! {
                        <button type="button" class="xj-button xj-primary" disabled=move || outbox.sending.get() on:click=move |_| sender.send_now()>
                            {settings.tr(Msg::SendNow)}
                        </button>
                    }.into_any()
                }}
                <button type="button" class="xj-button" on:click=delete>{settings.tr(Msg::Delete)}</button>
            </div>
        </div>
    }
}

#[component]
pub fn MyReports() -> impl IntoView {
    let settings = use_settings();
    let (outbox, tickets) = (use_outbox(), use_tickets());
    let (sender, desk) = (use_sender(), use_ticket_desk());
    desk.refresh_statuses();
    let cleared = RwSignal::new(false);
    let clear = move |_| {
        let unsent = outbox.waiting.with_untracked(Vec::len);
        let question = if unsent > 0 {
            fill(
                settings.t(Msg::ClearDataUnsent),
                &[("n", &unsent.to_string())],
            )
        } else {
            settings.t(Msg::ClearDataConfirm).to_owned()
        };
        if window().confirm_with_message(&question).unwrap_or(false) {
            spawn_local(async move {
                sender.clear_device_data().await;
                cleared.set(true);
            });
        }
    };
    view! {
        <Shown when=move || { outbox.set_aside.get() > 0 }>
            <p class="xj-note xj-warn" role="status">{move || fill(settings.t(Msg::SetAside), &[("n", &outbox.set_aside.get().to_string())])}</p>
        </Shown>
        <Shown when=move || !outbox.waiting.with(Vec::is_empty)>
            <section class="xj-section" aria-labelledby="xj-outbox-title">
                <h2 id="xj-outbox-title">{settings.tr(Msg::OutboxHeading)}</h2>
                <ul class="xj-list" role="list">
                    {keyed_by_id(
                        Signal::derive(move || outbox.waiting.with(|w| w.iter().map(|w| w.id.clone()).collect())),
                        Arc::new(|id| view! { <li><WaitingCard id=id/></li> }.into_any()),
                    )}
                </ul>
            </section>
        </Shown>
        <section class="xj-section" aria-labelledby="xj-mine-title">
            <h2 id="xj-mine-title" tabindex="-1">{settings.tr(Msg::MineHeading)}</h2>
            <p class="xj-muted">{settings.tr(Msg::MineNote)}</p>
            <Shown when=move || !tickets.mine.with(Vec::is_empty) fallback=move || view! { <p class="xj-empty">{settings.tr(Msg::MineEmpty)}</p> }>
                <ul class="xj-list" role="list">
                    {keyed_by_id(
                        Signal::derive(move || tickets.mine.with(|m| m.iter().map(|r| r.id.clone()).collect())),
                        Arc::new(|id| view! { <li><TicketCard id=id/></li> }.into_any()),
                    )}
                </ul>
                <button type="button" class="xj-button" on:click=move |_| desk.refresh_statuses()>{settings.tr(Msg::RefreshStatus)}</button>
            </Shown>
        </section>
        <section class="xj-section">
            <button type="button" class="xj-button xj-danger-button" on:click=clear>{settings.tr(Msg::ClearData)}</button>
            <p class="xj-muted">{settings.tr(Msg::ClearDataScope)}</p>
            <Shown when=move || cleared.get()>
                <p class="xj-ok" role="status">{settings.tr(Msg::DataCleared)}</p>
            </Shown>
        </section>
    }
}

#[component]
fn TicketCard(id: String) -> impl IntoView {
    let this = item_with_id(use_tickets().mine, id, |r| &r.id);
    // A verdict being queued or sent shows nothing new: the card (and the comment being
    // written in it) stays as it is.
    let shown = Memo::new(move |_| {
        this.get().map(|mut record| {
            record.pending_verdict = None;
            record
        })
    });
    move || {
        shown
            .get()
            .map(|record| view! { <TicketCardBody record=record/> })
    }
}
