//! Leptos components. They read state and send intents; rules live in `xinjing_core`,
//! browser calls in `platform`.
//!
//! For size, a view's reactive attributes and children are closures written in place (`move
//! || …`) rather than closures held in variables: with `erase_components` the view macro
//! compiles the closures it sees to one renderer per output type, and a variable's closure
//! to a renderer of its own.

pub mod adopt;
pub mod after_photo;
pub mod app;
pub mod campaigns;
pub mod context;
pub mod copy;
pub mod crash;
#[cfg(feature = "demo")]
pub mod demo;
pub mod draft;
pub mod emergency;
pub mod keyed;
pub mod my_reports;
pub mod outbox;
pub mod report_form;
pub mod ticket_card;
pub mod tickets;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The element the widget mounts into: `#xinjing-safety` if the page has one, else `<body>`.
pub const MOUNT_ID: &str = "xinjing-safety";

/// The hidden element boot.js prepares for the app: the app mounts there while the static
/// first paint stays on screen, and boot.js swaps the two when the resident asks for the app
/// or is not reading a campaign's details (see scripts/post-build.mjs).
pub const SLOT_ID: &str = "xj-app";
/// The static first paint (crates/static-page).
pub const STATIC_ID: &str = "xj-static";
/// Fired on `window` once the app is mounted.
pub const MOUNTED_EVENT: &str = "xj-mounted";

/// Mounts the widget. Called by `main`; an embedding page only needs the element.
pub fn start() {
    crash::install_panic_hook();
    crate::platform::storage::use_deployment_names();
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let root: Option<web_sys::HtmlElement> = document
        .get_element_by_id(MOUNT_ID)
        .and_then(|e| e.dyn_into().ok())
        .or_else(|| document.body());
    let Some(root) = root else { return };
    let overrides = data_overrides(&root);
    let slot: Option<web_sys::HtmlElement> = document
        .get_element_by_id(SLOT_ID)
        .and_then(|e| e.dyn_into().ok());
    // The static first paint stays on screen until the app is ready. The app is built in
    // steps, each its own task, so that a tap or a frame never waits for all of it on a slow
    // phone: the config; the app's state; its shell (header, emergency numbers, tabs); the
    // screen; then the hand-over.
    wasm_bindgen_futures::spawn_local(async move {
        let config = app::fetch_config(&overrides).await;
        next_task().await;
        let into = slot.clone().unwrap_or(root);
        let stages = app::Stages::default();
        leptos::mount::mount_to(
            into,
            move || view! { <app::App config=config stages=stages/> },
        )
        .forget();
        next_task().await;
        stages.shell.set(true);
        next_task().await;
        stages.screens.set(true);
        // Drawn by the next task (Leptos renders a change in microtasks); the report form
        // builds its lower part in a task of its own, queued before the second one.
        next_task().await;
        next_task().await;
        if slot.is_none() {
            // Loaded some other way than boot.js (no hidden slot): take the static paint's
            // place now that the app is built.
            if let Some(static_paint) = document.get_element_by_id(STATIC_ID) {
                static_paint.remove();
            }
        }
        if let (Some(window), Ok(event)) = (web_sys::window(), web_sys::Event::new(MOUNTED_EVENT)) {
            let _ = window.dispatch_event(&event);
        }
    });
}

/// `<Show>`, compiled once: `children` while `when` holds, else `fallback`, each built anew
/// only when the condition changes. Leptos' `<Show>` is generic over its condition and its
/// children, so each use is a copy of its machinery in the wasm; here the children are
/// type-erased and only the condition's memo is the caller's own.
#[component]
pub fn Shown<W>(
    when: W,
    children: ChildrenFn,
    #[prop(optional, into)] fallback: ViewFn,
) -> impl IntoView
where
    W: Fn() -> bool + Send + Sync + 'static,
{
    shown(Memo::new(move |_| when()), children, fallback)
}

fn shown(when: Memo<bool>, children: ChildrenFn, fallback: ViewFn) -> impl IntoView {
    move || {
        if when.get() {
            children()
        } else {
            fallback.run()
        }
    }
}

/// A zero timeout: the browser runs what waits (a tap, a frame) before the next step.
fn next_task() -> crate::platform::clock::Sleep {
    crate::platform::clock::sleep(0)
}

/// `data-*` attributes of the mount element (deployment overrides of config.json).
pub(crate) fn data_overrides(root: &web_sys::Element) -> Vec<(String, String)> {
    root.get_attribute_names()
        .iter()
        .filter_map(|name| name.as_string())
        .filter_map(|name| {
            let key = name.strip_prefix("data-")?.to_owned();
            Some((key, root.get_attribute(&name)?))
        })
        .collect()
}
