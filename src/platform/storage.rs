//! Device storage: `localStorage` for small settings and records, IndexedDB (through
//! `browser.js`) for the outbox, whose entries carry photos.

use super::js;
use crate::core::outbox::{OutboxStore, StoreError};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

pub const KEY_LANG: &str = "xj.lang";
pub const KEY_LARGE_TEXT: &str = "xj.large";
pub const KEY_MY_REPORTS: &str = "xj.mine";
pub const KEY_FEED: &str = "xj.feed";
pub const KEY_CONTACT: &str = "xj.contact";
pub const KEY_DRAFT: &str = "xj.draft";

fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn get(key: &str) -> Option<String> {
    local()?.get_item(key).ok().flatten()
}

/// Errs when storage is missing or full (private mode, quota).
pub fn set(key: &str, value: &str) -> Result<(), StoreError> {
    local()
        .ok_or_else(|| StoreError("no localStorage".into()))?
        .set_item(key, value)
        .map_err(|e| StoreError(describe(&e)))
}

pub fn remove(key: &str) {
    if let Some(storage) = local() {
        let _ = storage.remove_item(key);
    }
}

pub fn describe(error: &JsValue) -> String {
    js_sys::Reflect::get(error, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "storage error".into())
}

async fn await_promise(promise: Result<js_sys::Promise, JsValue>) -> Result<JsValue, StoreError> {
    let promise = promise.map_err(|e| StoreError(describe(&e)))?;
    JsFuture::from(promise)
        .await
        .map_err(|e| StoreError(describe(&e)))
}

/// One IndexedDB object store of string records.
#[derive(Clone, Copy)]
pub struct Idb(pub &'static str);

pub const OUTBOX: Idb = Idb("outbox");
pub const ASIDE: Idb = Idb("aside");
pub const KV: Idb = Idb("kv");

impl Idb {
    pub async fn get(self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(await_promise(js::idb_get(self.0, key)).await?.as_string())
    }

    pub async fn put(self, key: &str, value: &str) -> Result<(), StoreError> {
        await_promise(js::idb_put(self.0, key, value))
            .await
            .map(drop)
    }

    pub async fn delete(self, key: &str) -> Result<(), StoreError> {
        await_promise(js::idb_delete(self.0, key)).await.map(drop)
    }

    pub async fn count(self) -> Result<usize, StoreError> {
        let n = await_promise(js::idb_count(self.0)).await?;
        Ok(n.as_f64().unwrap_or(0.0) as usize)
    }

    pub async fn clear(self) -> Result<(), StoreError> {
        await_promise(js::idb_clear(self.0)).await.map(drop)
    }

    pub async fn entries(self) -> Result<Vec<(String, String)>, StoreError> {
        let array: js_sys::Array = await_promise(js::idb_entries(self.0)).await?.into();
        Ok(array
            .iter()
            .filter_map(|pair| {
                let pair: js_sys::Array = pair.into();
                Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
            })
            .collect())
    }
}

/// The outbox in IndexedDB.
pub struct IdbOutbox;

impl OutboxStore for IdbOutbox {
    async fn records(&self) -> Result<Vec<(String, String)>, StoreError> {
        OUTBOX.entries().await
    }

    async fn put(&self, key: &str, json: &str) -> Result<(), StoreError> {
        OUTBOX.put(key, json).await
    }

    async fn remove(&self, key: &str) -> Result<(), StoreError> {
        OUTBOX.delete(key).await
    }

    async fn set_aside(&self, key: &str, json: &str) -> Result<(), StoreError> {
        web_sys::console::warn_1(
            &format!("outbox record {key:?} is unreadable; kept aside in IndexedDB store 'aside'")
                .into(),
        );
        await_promise(js::idb_move(OUTBOX.0, ASIDE.0, key, json))
            .await
            .map(drop)
    }
}

/// Whether this phone can keep reports: both stores accept a write.
pub async fn probe() -> Result<(), StoreError> {
    set("xj.probe", "1")?;
    remove("xj.probe");
    KV.put("probe", "1").await?;
    KV.delete("probe").await
}
