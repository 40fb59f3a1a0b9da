//! After sending: the confirmation, the reports still waiting on this phone, and the
//! received tickets with their status and the satisfaction question.

use super::sender;
use super::state::{use_app, Screen};
use crate::core::i18n::{fill, Msg};
use crate::core::my_reports::TicketRecord;
use crate::core::outbox::WaitingItem;
use leptos::prelude::*;
use leptos::task::spawn_local;
use xinjing_contract::time::display_shanghai;

/// The screen right after "send": saved on the phone, or received with a ticket.
#[component]
pub fn SentView(id: String) -> impl IntoView {
    let app = use_app();
    let id = StoredValue::new(id);
    let received = move || {
        app.mine
            .with(|m| m.iter().find(|r| id.with_value(|id| r.id == *id)).cloned())
    };
    let waiting = move || {
        app.waiting
            .with(|w| w.iter().find(|r| id.with_value(|id| r.id == *id)).cloned())
    };
    view! {
        <section class="xj-section xj-sent" aria-labelledby="xj-sent-title">
            {move || match (received(), waiting()) {
                (Some(record), _) => view! {
                    <h2 id="xj-sent-title" tabindex="-1" class="xj-ok">{app.tr(Msg::ReceivedTitle)}</h2>
                    <TicketNumber ticket=record.ticket.clone()/>
                    <p>{app.tr(Msg::ReceivedText)}</p>
                }.into_any(),
                (None, Some(item)) => view! {
                    <h2 id="xj-sent-title" tabindex="-1">{app.tr(Msg::SavedTitle)}</h2>
                    <WaitingCard item=item/>
                    <p>{app.tr(Msg::SavedText)}</p>
                }.into_any(),
                (None, None) => view! { <h2 id="xj-sent-title" tabindex="-1">{app.tr(Msg::Sending)}</h2> }.into_any(),
            }}
            <div class="xj-actions">
                <button type="button" class="xj-button" on:click=move |_| app.screen.set(Screen::Mine)>{app.tr(Msg::TabMine)}</button>
                <button type="button" class="xj-button xj-primary" on:click=move |_| app.screen.set(Screen::Report)>{app.tr(Msg::NewReport)}</button>
            </div>
        </section>
    }
}

#[component]
fn TicketNumber(ticket: Option<String>) -> impl IntoView {
    let app = use_app();
    let copied = RwSignal::new(false);
    ticket.map(|ticket| {
        let copy_text = ticket.clone();
        let copy = move |_| {
            let text = copy_text.clone();
            spawn_local(async move { copied.set(crate::platform::js_copy(&text).await) });
        };
        view! {
            <p class="xj-ticket-label">{app.tr(Msg::TicketLabel)}</p>
            <p class="xj-ticket">{ticket}</p>
            <button type="button" class="xj-button" on:click=copy>
                {move || if copied.get() { app.t(Msg::Copied) } else { app.t(Msg::CopyTicket) }}
            </button>
        }
    })
}

#[component]
fn WaitingCard(item: WaitingItem) -> impl IntoView {
    let app = use_app();
    let id = item.id.clone();
    let (edit_id, delete_id) = (id.clone(), id);
    let next = display_shanghai(item.next_attempt_ms);
    let refused = item.refused.clone();
    let status = move || {
        let lang = app.lang.get();
        match &refused {
            Some(message) => fill(Msg::RejectedBy.text(lang), &[("message", message)]),
            None if app.sending.get() => Msg::Sending.text(lang).to_owned(),
            None => format!(
                "{} · {}",
                Msg::SavedTitle.text(lang),
                fill(Msg::NextTry.text(lang), &[("time", &next[11..])])
            ),
        }
    };
    let is_refused = item.refused.is_some();
    let delete = move |_| {
        let confirmed = window()
            .confirm_with_message(app.t(Msg::ConfirmDelete))
            .unwrap_or(false);
        if confirmed {
            let id = delete_id.clone();
            spawn_local(sender::delete(app, id));
        }
    };
    view! {
        <div class="xj-item" class:xj-refused=is_refused>
            <p class="xj-item-title">{move || item.category.map(|c| c.name(app.lang.get())).unwrap_or_default()}</p>
            <p class="xj-muted">{display_shanghai(item.queued_at_ms)} " · " {item.excerpt.clone()}</p>
            <p class="xj-status" role="status">{status}</p>
            <div class="xj-actions">
                {if is_refused {
                    view! {
                        <button type="button" class="xj-button xj-primary" on:click=move |_| spawn_local(sender::edit(app, edit_id.clone()))>
                            {app.tr(Msg::EditResend)}
                        </button>
                    }.into_any()
                } else {
                    view! {
                        <button type="button" class="xj-button xj-primary" disabled=move || app.sending.get() on:click=move |_| sender::send_now(app)>
                            {app.tr(Msg::SendNow)}
                        </button>
                    }.into_any()
                }}
                <button type="button" class="xj-button" on:click=delete>{app.tr(Msg::Delete)}</button>
            </div>
        </div>
    }
}

#[component]
pub fn MyReports() -> impl IntoView {
    let app = use_app();
    sender::refresh_statuses(app);
    let clear = move |_| {
        let unsent = app.waiting.with_untracked(Vec::len);
        let question = if unsent > 0 {
            fill(app.t(Msg::ClearDataUnsent), &[("n", &unsent.to_string())])
        } else {
            app.t(Msg::ClearDataConfirm).to_owned()
        };
        if window().confirm_with_message(&question).unwrap_or(false) {
            spawn_local(sender::clear_device_data(app, true));
        }
    };
    view! {
        <Show when=move || { app.set_aside.get() > 0 }>
            <p class="xj-note xj-warn" role="status">{move || fill(app.t(Msg::SetAside), &[("n", &app.set_aside.get().to_string())])}</p>
        </Show>
        <Show when=move || !app.waiting.with(Vec::is_empty)>
            <section class="xj-section" aria-labelledby="xj-outbox-title">
                <h2 id="xj-outbox-title">{app.tr(Msg::OutboxHeading)}</h2>
                <ul class="xj-list" role="list">
                    <For each=move || app.waiting.get() key=|w| (w.id.clone(), w.refused.clone(), w.attempts) let:item>
                        <li><WaitingCard item=item/></li>
                    </For>
                </ul>
            </section>
        </Show>
        <section class="xj-section" aria-labelledby="xj-mine-title">
            <h2 id="xj-mine-title" tabindex="-1">{app.tr(Msg::MineHeading)}</h2>
            <p class="xj-muted">{app.tr(Msg::MineNote)}</p>
            <Show when=move || !app.mine.with(Vec::is_empty) fallback=move || view! { <p class="xj-empty">{app.tr(Msg::MineEmpty)}</p> }>
                <ul class="xj-list" role="list">
                    <For each=move || app.mine.get() key=|r| format!("{}{:?}{:?}", r.id, r.status, r.satisfied) let:record>
                        <li><TicketCard record=record/></li>
                    </For>
                </ul>
                <button type="button" class="xj-button" on:click=move |_| sender::refresh_statuses(app)>{app.tr(Msg::RefreshStatus)}</button>
            </Show>
        </section>
        <section class="xj-section">
            <button type="button" class="xj-button xj-danger-button" on:click=clear>{app.tr(Msg::ClearData)}</button>
        </section>
    }
}

#[component]
fn TicketCard(record: TicketRecord) -> impl IntoView {
    let app = use_app();
    let failed = RwSignal::new(false);
    let id = StoredValue::new(record.id.clone());
    let answer = move |satisfied: bool| {
        spawn_local(async move {
            let ok = sender::send_feedback(app, id.get_value(), satisfied).await;
            failed.set(!ok);
        });
    };
    let status = record.status;
    let updated = record.updated_at.clone();
    let verdict = record.satisfied;
    let can_answer = record.can_give_feedback();
    view! {
        <article class="xj-item">
            <p class="xj-item-title">{move || record.category.name(app.lang.get())}</p>
            {record.ticket.clone().map(|t| view! { <p class="xj-ticket-small">{app.tr(Msg::TicketLabel)} " " <strong>{t.clone()}</strong></p> })}
            <p class="xj-muted">{record.created_at.get(..16).unwrap_or_default().replace('T', " ")} " · " {record.excerpt.clone()}</p>
            <p class="xj-status">
                <span class="xj-badge">{move || status.map(|s| s.name(app.lang.get())).unwrap_or_else(|| app.t(Msg::StatusUnknown))}</span>
                {updated.map(|u| view! { " " <span class="xj-muted">{move || fill(app.t(Msg::UpdatedAt), &[("time", &u.get(..16).unwrap_or_default().replace('T', " "))])}</span> })}
            </p>
            {record.note.clone().map(|n| view! { <p>{n}</p> })}
            {can_answer.then(|| view! {
                <fieldset class="xj-feedback">
                    <legend>{app.tr(Msg::SatisfiedQuestion)}</legend>
                    <div class="xj-actions">
                        <button type="button" class="xj-button xj-primary" on:click=move |_| answer(true)>{app.tr(Msg::Satisfied)}</button>
                        <button type="button" class="xj-button" on:click=move |_| answer(false)>{app.tr(Msg::NotSatisfied)}</button>
                    </div>
                    <Show when=move || failed.get()>
                        <p class="xj-error" role="alert">{app.tr(Msg::FeedbackFailed)}</p>
                    </Show>
                </fieldset>
            })}
            {verdict.map(|v| view! {
                <p class="xj-ok" role="status">{move || fill(app.t(Msg::FeedbackThanks), &[("answer", app.t(if v { Msg::Satisfied } else { Msg::NotSatisfied }))])}</p>
            })}
        </article>
    }
}
