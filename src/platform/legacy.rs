//! What builds before per-deployment storage kept under the names every deployment on a
//! site shared (the root's): read, rewritten and removed from a deployment off the root,
//! which takes over its own part. The database is opened as it is, never created.

use super::js;
use super::storage::{done, local, pairs, text, Idb, DB_NAME};
use std::future::Future;
use wasm_bindgen::prelude::*;
use xinjing_core::outbox::StoreError;

/// The records of `store` there whose key starts with `prefix`; none if it cannot be read.
pub async fn entries(store: Idb, prefix: Option<&str>) -> Vec<(String, String)> {
    pairs(Ok(js::legacy_entries(DB_NAME, store.0, prefix)))
        .await
        .unwrap_or_default()
}

/// One record there read and rewritten in one transaction; the text written, if any.
pub fn update<F>(
    store: Idb,
    key: &str,
    change: F,
) -> impl Future<Output = Result<Option<String>, StoreError>>
where
    F: FnOnce(&str) -> Option<String> + 'static,
{
    let change = Closure::once_into_js(move |current: JsValue| -> JsValue {
        current
            .as_string()
            .and_then(|text| change(&text))
            .map(JsValue::from)
            .unwrap_or(JsValue::NULL)
    });
    text(Ok(js::legacy_update(DB_NAME, store.0, key, &change)))
}

pub fn delete(store: Idb, key: &str) -> impl Future<Output = Result<(), StoreError>> {
    done(Ok(js::legacy_delete(DB_NAME, store.0, key)))
}

/// A localStorage value under its shared (unscoped) name.
pub fn get(key: &str) -> Option<String> {
    local()?.get_item(key).ok().flatten()
}

pub fn set(key: &str, value: &str) {
    if let Some(storage) = local() {
        let _ = storage.set_item(key, value);
    }
}

pub fn remove(key: &str) {
    if let Some(storage) = local() {
        let _ = storage.remove_item(key);
    }
}
