//! Demo mode only (`"endpoint": "mock"`): the presenter's switches, and what the
//! neighbourhood committee would receive.

use super::context::{use_settings, Screen};
use super::outbox::use_sender;
use crate::platform::clock::now_ms;
use crate::platform::mock;
use leptos::prelude::*;
use xinjing_contract::time::display_shanghai;
use xinjing_contract::TicketStatus;
use xinjing_core::i18n::{fill, Msg};
use xinjing_core::report::ReportPayload;

#[component]
pub fn DemoPanel() -> impl IntoView {
    let settings = use_settings();
    let sender = use_sender();
    let offline = RwSignal::new(false);
    let errors = RwSignal::new(false);
    let toggle = move |signal: RwSignal<bool>, apply: fn(bool), on: bool| {
        signal.set(on);
        apply(on);
        if !on {
            sender.resume();
        }
    };
    view! {
        <section class="xj-section xj-demo" aria-labelledby="xj-demo-title">
            <h2 id="xj-demo-title">{settings.tr(Msg::DemoHeading)}</h2>
            <p class="xj-muted">{settings.tr(Msg::DemoNote)}</p>
            <label class="xj-check">
                <input type="checkbox" prop:checked=move || offline.get() on:change=move |ev| toggle(offline, mock::set_offline, event_target_checked(&ev))/>
                <span>{settings.tr(Msg::DemoOffline)}</span>
            </label>
            <label class="xj-check">
                <input type="checkbox" prop:checked=move || errors.get() on:change=move |ev| toggle(errors, mock::set_server_errors, event_target_checked(&ev))/>
                <span>{settings.tr(Msg::DemoServerErrors)}</span>
            </label>
            <button type="button" class="xj-button" on:click=move |_| settings.go(Screen::Committee)>{settings.tr(Msg::DemoCommittee)}</button>
        </section>
    }
}

#[component]
pub fn CommitteeView() -> impl IntoView {
    let settings = use_settings();
    let state = LocalResource::new(mock::load_state);
    view! {
        <section class="xj-section" aria-labelledby="xj-committee-title">
            <h2 id="xj-committee-title" tabindex="-1">{settings.tr(Msg::DemoCommittee)}</h2>
            <p class="xj-muted">{settings.tr(Msg::DemoNote)}</p>
            <Suspense fallback=move || view! { <p>{settings.tr(Msg::Loading)}</p> }>
                {move || state.get().map(|state| {
                    if state.reports.is_empty() {
                        return view! { <p class="xj-empty">{settings.tr(Msg::DemoCommitteeEmpty)}</p> }.into_any();
                    }
                    let now = now_ms();
                    view! {
                        <ul class="xj-list" role="list">
                            {state.reports.iter().rev().filter_map(|r| Some((r.ticket.clone(), r.received_ms, r.status_at(now).0, r.satisfied, r.payload()?)))
                                .map(|(ticket, received, status, satisfied, p)| view! { <li><CommitteeItem ticket received status satisfied payload=p/></li> })
                                .collect_view()}
                        </ul>
                    }.into_any()
                })}
            </Suspense>
            <button type="button" class="xj-button" on:click=move |_| settings.go(Screen::Campaigns)>{settings.tr(Msg::Back)}</button>
        </section>
    }
}

#[component]
fn CommitteeItem(
    ticket: String,
    received: f64,
    status: TicketStatus,
    satisfied: Option<bool>,
    payload: ReportPayload,
) -> impl IntoView {
    let settings = use_settings();
    let place = payload.place();
    let contact = payload.contact.clone();
    view! {
        <article class="xj-item">
            <p class="xj-item-title">{ticket} " · " {move || payload.category.name(settings.lang.get())}</p>
            <p class="xj-muted">{display_shanghai(received)} " · " {place}</p>
            <p>{payload.description.clone()}</p>
            <p class="xj-muted">
                {move || match &contact {
                    Some(c) => format!("{} {}", c.name, c.phone),
                    None => settings.t(Msg::DemoContactNone).to_owned(),
                }}
            </p>
            <p><span class="xj-badge">{move || status.name(settings.lang.get())}</span>
                {satisfied.map(|s| view! { " " <span>{move || settings.t(if s { Msg::Satisfied } else { Msg::NotSatisfied })}</span> })}
            </p>
            <div class="xj-committee-photos">
                {payload.photos.iter().enumerate().map(|(i, p)| {
                    let alt = move || fill(settings.t(Msg::DemoPhotoAlt), &[("n", &(i + 1).to_string())]);
                    view! { <img class="xj-thumb" src=format!("data:{};base64,{}", p.mime, p.data) width=p.width height=p.height alt=alt/> }
                }).collect_view()}
            </div>
        </article>
    }
}
