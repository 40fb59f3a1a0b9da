//! The photo of the fix on a ticket's card, when the committee made it public. The status
//! answer names it relative to the ticket's status URL; it is asked for with the report's
//! key (as the status is), so it cannot be an `<img src>` to that URL: the bytes become a
//! blob URL, released when the card goes.

use super::context::use_settings;
use crate::platform::AnyTransport;
use gloo_net::http::Request;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, Url};
use xinjing_contract::REPORT_KEY_HEADER;
use xinjing_core::config::Config;
use xinjing_core::i18n::Msg;
use xinjing_core::my_reports::TicketRecord;

/// A blob URL of the record's after-photo, if it has one and the endpoint gives it.
async fn load(record: TicketRecord, config: Option<Arc<Config>>) -> Option<String> {
    // Only a plain relative path: resolved against the status URL it stays on the endpoint
    // that issued the ticket, the one the report's key may be sent to.
    let (ticket, path) = (record.ticket.as_deref()?, record.after_photo_path()?);
    let config = config?;
    // Only the endpoint that issued the ticket knows the report's key already.
    let AnyTransport::Http(http) = AnyTransport::for_stored(record.endpoint.as_deref(), &config)
    else {
        return None;
    };
    let status_url = format!("{}/{}", http.endpoint, js_sys::encode_uri_component(ticket));
    let url = Url::new_with_base(path, &status_url).ok()?.href();
    let response = Request::get(&url)
        .header(REPORT_KEY_HEADER, &record.id)
        .send()
        .await
        .ok()?;
    if !response.ok() {
        return None;
    }
    // The browser's own blob: the bytes never pass through the wasm's memory.
    let raw: web_sys::Response = response.into();
    let blob = JsFuture::from(raw.blob().ok()?).await.ok()?;
    Url::create_object_url_with_blob(blob.unchecked_ref::<Blob>()).ok()
}

#[component]
pub fn AfterPhoto(record: TicketRecord) -> impl IntoView {
    let settings = use_settings();
    // A task and a signal, not a `LocalResource`: the release build has no resource
    // otherwise, and one costs the wasm far more than this.
    let photo = RwSignal::new(None::<String>);
    let config = settings.config_now();
    spawn_local(async move {
        if let Some(url) = load(record, config).await {
            // The card may have gone meanwhile: then the URL is released at once.
            if photo.try_set(Some(url.clone())).is_some() {
                let _ = Url::revoke_object_url(&url);
            }
        }
    });
    on_cleanup(move || {
        if let Some(Some(url)) = photo.try_get_untracked() {
            let _ = Url::revoke_object_url(&url);
        }
    });
    move || {
        photo.get().map(|src| {
            view! {
                <img class="xj-after-photo" src=src alt=settings.tr(Msg::AfterPhoto)/>
            }
        })
    }
}
