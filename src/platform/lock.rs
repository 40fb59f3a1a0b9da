//! One sender at a time across tabs: the Web Locks API through `browser.js`.

use super::js;
use std::future::Future;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

/// Runs `work` unless another tab or start of the widget holds `name`; returns whether it
/// ran. Where the API is missing, it runs (the outbox's stored lease still applies).
pub async fn run_exclusive<F>(name: &str, work: F) -> bool
where
    F: Future<Output = ()> + 'static,
{
    let mut work = Some(work);
    let start = Closure::<dyn FnMut() -> js_sys::Promise>::new(move || match work.take() {
        Some(work) => future_to_promise(async move {
            work.await;
            Ok(JsValue::UNDEFINED)
        }),
        None => js_sys::Promise::resolve(&JsValue::UNDEFINED),
    });
    let Ok(promise) = js::with_lock(name, start.as_ref().unchecked_ref()) else {
        return false;
    };
    JsFuture::from(promise)
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}
