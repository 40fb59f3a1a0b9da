//! Always in view: this page is not an emergency channel.

use super::context::use_settings;
use crate::core::i18n::Msg;
use leptos::prelude::*;

#[component]
pub fn CallLinks() -> impl IntoView {
    let settings = use_settings();
    view! {
        <div class="xj-calls">
            <a class="xj-call xj-call-fire" href="tel:119">{settings.tr(Msg::Call119)}</a>
            <a class="xj-call xj-call-police" href="tel:110">{settings.tr(Msg::Call110)}</a>
            <a class="xj-call" href="tel:12345">{settings.tr(Msg::Call12345)}</a>
        </div>
        {settings.in_mini_program.get_value().then(|| view! { <p class="xj-call-hint">{settings.tr(Msg::CallHint)}</p> })}
    }
}

#[component]
pub fn EmergencyStrip() -> impl IntoView {
    let settings = use_settings();
    view! {
        <aside class="xj-emergency" aria-labelledby="xj-emergency-title">
            <p id="xj-emergency-title" class="xj-emergency-title">{settings.tr(Msg::EmergencyHeading)}</p>
            <CallLinks/>
        </aside>
    }
}

/// Shown instead of the form when the resident picks "fire, smoke or danger now".
#[component]
pub fn DangerCard() -> impl IntoView {
    let settings = use_settings();
    view! {
        <section class="xj-danger" role="alert">
            <h3>{settings.tr(Msg::DangerTitle)}</h3>
            <p>{settings.tr(Msg::DangerText)}</p>
            <CallLinks/>
        </section>
    }
}
