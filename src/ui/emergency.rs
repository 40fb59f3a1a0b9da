//! Always in view: this page is not an emergency channel.

use super::context::use_settings;
use leptos::prelude::*;
use xinjing_core::i18n::Msg;

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

/// The numbers at the top, in full; once they scroll out of view, one slim fixed row
/// with the same three links slides in. The full strip stays in the flow and the slim row
/// moves by `transform` only, so nothing below them ever shifts (CLS stays 0), and the form
/// keeps the screen while the numbers stay one tap away.
#[component]
pub fn EmergencyStrip() -> impl IntoView {
    let settings = use_settings();
    let strip = NodeRef::<leptos::html::Aside>::new();
    let slim = RwSignal::new(false);
    let on_scroll = window_event_listener(leptos::ev::scroll, move |_| {
        if let Some(strip) = strip.get_untracked() {
            let gone = strip.get_bounding_client_rect().bottom() <= 0.0;
            if gone != slim.get_untracked() {
                slim.set(gone);
            }
        }
    });
    on_cleanup(move || on_scroll.remove());
    view! {
        <aside class="xj-emergency" aria-labelledby="xj-emergency-title" node_ref=strip>
            <p id="xj-emergency-title" class="xj-emergency-title">{settings.tr(Msg::EmergencyHeading)}</p>
            <CallLinks/>
        </aside>
        // Out of the tab order and the accessibility tree while hidden (inert).
        <div class="xj-emergency-slim" class:xj-shown=move || slim.get() inert=move || !slim.get()
            aria-label=settings.tr(Msg::EmergencyHeading) role="region">
            <div class="xj-calls">
                <a class="xj-call xj-call-fire" href="tel:119">{settings.tr(Msg::Call119)}</a>
                <a class="xj-call xj-call-police" href="tel:110">{settings.tr(Msg::Call110)}</a>
                <a class="xj-call" href="tel:12345">{settings.tr(Msg::Call12345)}</a>
            </div>
        </div>
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
