//! Always in view: this page is not an emergency channel.

use super::state::use_app;
use crate::core::i18n::Msg;
use leptos::prelude::*;

#[component]
pub fn CallLinks() -> impl IntoView {
    let app = use_app();
    view! {
        <div class="xj-calls">
            <a class="xj-call xj-call-fire" href="tel:119">{app.tr(Msg::Call119)}</a>
            <a class="xj-call xj-call-police" href="tel:110">{app.tr(Msg::Call110)}</a>
            <a class="xj-call" href="tel:12345">{app.tr(Msg::Call12345)}</a>
        </div>
        {app.in_mini_program.get_value().then(|| view! { <p class="xj-call-hint">{app.tr(Msg::CallHint)}</p> })}
    }
}

#[component]
pub fn EmergencyStrip() -> impl IntoView {
    let app = use_app();
    view! {
        <aside class="xj-emergency" aria-labelledby="xj-emergency-title">
            <p id="xj-emergency-title" class="xj-emergency-title">{app.tr(Msg::EmergencyHeading)}</p>
            <CallLinks/>
        </aside>
    }
}

/// Shown instead of the form when the resident picks "fire, smoke or danger now".
#[component]
pub fn DangerCard() -> impl IntoView {
    let app = use_app();
    view! {
        <section class="xj-danger" role="alert">
            <h3>{app.tr(Msg::DangerTitle)}</h3>
            <p>{app.tr(Msg::DangerText)}</p>
            <CallLinks/>
        </section>
    }
}
