//! The one copy-to-clipboard button: a ticket number, or a report that could not be sent.

use super::context::use_settings;
use leptos::prelude::*;
use leptos::task::spawn_local;
use xinjing_core::i18n::Msg;

/// Copies `text`; its label says "copied" once the clipboard has it.
#[component]
pub fn CopyButton(#[prop(into)] text: Signal<String>, label: Msg) -> impl IntoView {
    let settings = use_settings();
    let copied = RwSignal::new(false);
    let copy = move |_| {
        let text = text.get_untracked();
        spawn_local(async move {
            copied.set(crate::platform::js_copy(&text).await);
        });
    };
    view! {
        <button type="button" class="xj-button" on:click=copy>
            {move || if copied.get() { settings.t(Msg::Copied) } else { settings.t(label) }}
        </button>
    }
}

/// The report as text, for a resident whose phone can neither send nor keep it.
#[component]
pub fn CopyReport(#[prop(into)] text: Signal<String>) -> impl IntoView {
    let settings = use_settings();
    view! {
        <div class="xj-note xj-warn" role="alert">
            <p>{settings.tr(Msg::SendFailedNoStorage)}</p>
            <pre class="xj-report-text">{move || text.get()}</pre>
            <CopyButton text=text label=Msg::CopyReport/>
        </div>
    }
}
