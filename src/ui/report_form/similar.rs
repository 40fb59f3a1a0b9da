//! The duplicate hint: once place and kind are chosen, a polite note that similar reports
//! are already being handled. What to ask, when and what to say come from
//! `xinjing_core::similar`; this waits for the resident to stop typing and asks.

use crate::platform::clock::sleep;
use crate::platform::AnyTransport;
use crate::ui::context::{use_form, use_settings};
use leptos::prelude::*;
use leptos::task::spawn_local;
use xinjing_core::similar::{SimilarQuery, SIMILAR_DEBOUNCE_MS};

#[component]
pub fn SimilarHint() -> impl IntoView {
    let settings = use_settings();
    let form = use_form();
    let query = Memo::new(move |_| form.draft.with(SimilarQuery::from_draft));
    // Each change starts a wait; only the last one still current when it ends asks.
    let latest = StoredValue::new(0u32);
    Effect::new(move |_| {
        let query = query.get();
        latest.update_value(|n| *n += 1);
        let (Some(query), Some(config)) = (query, settings.config_now()) else {
            return;
        };
        let mine = latest.get_value();
        spawn_local(async move {
            sleep(SIMILAR_DEBOUNCE_MS).await;
            if latest.try_get_value() != Some(mine)
                || !form
                    .similar
                    .try_update(|h| h.begin(&query))
                    .unwrap_or(false)
            {
                return;
            }
            let answer = AnyTransport::for_config(&config).similar(&query).await;
            form.similar.update(|h| h.answered(&query, answer));
        });
    });
    // One text signal (the renderer for it is shared with the rest of the app); the box
    // is styled only when it has text (CSS `:empty`).
    let hint = Signal::derive(move || {
        let lang = settings.lang.get();
        form.similar
            .with(|h| h.hint(query.get().as_ref(), lang))
            .unwrap_or_default()
    });
    view! { <p class="xj-similar" role="status">{hint}</p> }
}
