//! Life inside someone else's page: WeChat detection and the iframe height protocol.
//!
//! The widget only ever sends its height, only to the configured parent origins, and only
//! answers a `xinjing:hello` from one of them.

use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, ResizeObserver};

pub const HEIGHT_MESSAGE: &str = "xinjing:height";
pub const HELLO_MESSAGE: &str = "xinjing:hello";

/// Where the widget is running, to adapt (never to gate features on a signed JS-SDK).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Host {
    Browser,
    WeChat,
    MiniProgram,
}

pub fn detect_host() -> Host {
    let Some(window) = web_sys::window() else {
        return Host::Browser;
    };
    let mini = js_sys::Reflect::get(&window, &JsValue::from_str("__wxjs_environment"))
        .ok()
        .and_then(|v| v.as_string())
        .is_some_and(|v| v == "miniprogram");
    if mini {
        return Host::MiniProgram;
    }
    let agent = window.navigator().user_agent().unwrap_or_default();
    if agent.contains("MicroMessenger") {
        Host::WeChat
    } else {
        Host::Browser
    }
}

pub fn is_framed() -> bool {
    web_sys::window()
        .and_then(|w| w.parent().ok().flatten().map(|p| p != w))
        .unwrap_or(false)
}

fn post_height(origins: &[String], height: f64) {
    let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) else {
        return;
    };
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &"type".into(), &HEIGHT_MESSAGE.into());
    let _ = js_sys::Reflect::set(&message, &"height".into(), &height.ceil().into());
    for origin in origins {
        let _ = parent.post_message(&message, origin);
    }
}

/// Posts `root`'s height to the parent origins whenever it changes, and on a hello from one
/// of them. Lives as long as the page.
pub fn report_height(root: &web_sys::Element, origins: Vec<String>) {
    if origins.is_empty() || !is_framed() {
        return;
    }
    let root_for_hello = root.clone();
    let allowed = origins.clone();
    let on_resize = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        if let Some(entry) = entries.get(0).dyn_ref::<web_sys::ResizeObserverEntry>() {
            post_height(&origins, entry.target().scroll_height().into());
        }
    });
    if let Ok(observer) = ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
        observer.observe(root);
    }
    on_resize.forget();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let is_hello = js_sys::Reflect::get(&event.data(), &"type".into())
            .ok()
            .and_then(|t| t.as_string())
            .as_deref()
            == Some(HELLO_MESSAGE);
        if is_hello && allowed.iter().any(|o| *o == event.origin()) {
            post_height(&allowed, root_for_hello.scroll_height().into());
        }
    });
    if let Some(window) = web_sys::window() {
        let _ =
            window.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
    }
    on_message.forget();
}
