//! Leptos components. They read state and send intents; rules live in `core`, browser calls
//! in `platform`.

pub mod app;
pub mod campaigns;
pub mod context;
pub mod copy;
pub mod crash;
pub mod demo;
pub mod draft;
pub mod emergency;
pub mod my_reports;
pub mod outbox;
pub mod report_form;
pub mod tickets;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The element the widget mounts into: `#xinjing-safety` if the page has one, else `<body>`.
pub const MOUNT_ID: &str = "xinjing-safety";

/// Mounts the widget. Called by `main`; an embedding page only needs the element.
pub fn start() {
    crash::install_panic_hook();
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let root: Option<web_sys::HtmlElement> = document
        .get_element_by_id(MOUNT_ID)
        .and_then(|e| e.dyn_into().ok())
        .or_else(|| document.body());
    let Some(root) = root else { return };
    let overrides = data_overrides(&root);
    // The static first paint stays until the config is known; then the app replaces it in
    // one go, already in the right language and theme.
    wasm_bindgen_futures::spawn_local(async move {
        let config = app::fetch_config(&overrides).await;
        leptos::mount::mount_to(root, move || view! { <app::App config=config/> }).forget();
        if let Some(static_paint) = document.get_element_by_id("xj-static") {
            static_paint.remove();
        }
    });
}

/// `data-*` attributes of the mount element (deployment overrides of config.json).
fn data_overrides(root: &web_sys::HtmlElement) -> Vec<(String, String)> {
    root.get_attribute_names()
        .iter()
        .filter_map(|name| name.as_string())
        .filter_map(|name| {
            let key = name.strip_prefix("data-")?.to_owned();
            Some((key, root.get_attribute(&name)?))
        })
        .collect()
}
