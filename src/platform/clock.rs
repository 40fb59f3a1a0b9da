//! Time and randomness from the browser.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Resolves `ms` milliseconds after the call, not after the first poll: await it at once.
pub fn sleep(ms: u32) -> Sleep {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ =
                window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
        }
    });
    Sleep(JsFuture::from(promise))
}

/// The future of [`sleep`]: a type of its own rather than an async fn, so that awaiting it
/// nests no further state machine in each caller's.
pub struct Sleep(JsFuture);

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.0).poll(cx).map(drop)
    }
}

/// A callback after `ms`, cancelled when dropped.
pub struct Timer {
    id: f64,
    _callback: Closure<dyn FnMut()>,
}

impl Timer {
    pub fn new(ms: f64, callback: impl FnOnce() + 'static) -> Timer {
        let mut callback = Some(callback);
        let closure = Closure::<dyn FnMut()>::new(move || {
            if let Some(callback) = callback.take() {
                callback();
            }
        });
        let id = super::js::later(
            ms.clamp(0.0, 2_147_483_647.0),
            closure.as_ref().unchecked_ref(),
        );
        Timer {
            id,
            _callback: closure,
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        super::js::cancel(self.id);
    }
}

/// 16 bytes from the CSPRNG, for report ids.
pub fn random_bytes() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok())
        .unwrap_or(false);
    if !filled {
        // No Web Crypto (very old WebView): Math.random is not secret, but ids only need
        // to be unique, not unguessable.
        for b in &mut bytes {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    bytes
}

pub fn jitter() -> f64 {
    js_sys::Math::random()
}
