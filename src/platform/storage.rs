//! Device storage: `localStorage` for small settings, IndexedDB (through `idb.js`) for
//! the outbox, whose entries carry photos, and for "my reports", one record per ticket so
//! that two tabs never overwrite each other's list.

use super::js;
use std::future::Future;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use xinjing_core::outbox::{OutboxStore, StoreError};

pub const KEY_LANG: &str = "xj.lang";
pub const KEY_LARGE_TEXT: &str = "xj.large";
/// "My reports" as older builds kept them: one list, moved into IndexedDB on start.
pub const KEY_MY_REPORTS: &str = "xj.mine";
/// The last config.json that loaded and checked out, for when loading it fails.
pub const KEY_CONFIG: &str = "xj.config";
pub const KEY_FEED: &str = "xj.feed";
pub const KEY_CONTACT: &str = "xj.contact";
pub const KEY_DRAFT: &str = "xj.draft";
/// The id of the waiting report the form is correcting, so that a reload brings its photos
/// and contact back into the form (the draft keeps text only).
pub const KEY_CORRECTING: &str = "xj.correcting";

/// The base names of the database, the tabs' channel (and its fallback key) and the count of
/// waiting reports that boot.js reads; each deployment keeps them under its own name.
pub(crate) const DB_NAME: &str = "xinjing-safety";
const CHANNEL: &str = "xinjing-safety";
const SYNC_KEY: &str = "xj.sync";
const WAITING_KEY: &str = "xj.outbox";

/// What this deployment (the folder its page is served from) calls `base`.
pub fn name(base: &str) -> String {
    let path = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    xinjing_core::deployment::scoped_name(base, &path)
}

/// Names the database and the waiting count (idb.js) and the channel (browser.js) after
/// this deployment; called once at start, before anything is read or written.
pub fn use_deployment_names() {
    js::use_db_names(&name(DB_NAME), &name(WAITING_KEY));
    js::use_channel_names(&name(CHANNEL), &name(SYNC_KEY));
}

/// Whether this deployment uses the names every older build shared (it is at the root).
pub fn is_root_deployment() -> bool {
    name(DB_NAME) == DB_NAME
}

/// Keys every deployment on the site shares: how the resident likes to read, which the
/// static first paint (static.js) applies before any app code runs. Nothing personal.
fn shared(key: &str) -> bool {
    key == KEY_LANG || key == KEY_LARGE_TEXT
}

fn local_key(key: &str) -> String {
    if shared(key) {
        key.to_owned()
    } else {
        name(key)
    }
}

pub(crate) fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn get(key: &str) -> Option<String> {
    local()?.get_item(&local_key(key)).ok().flatten()
}

/// Errs when storage is missing or full (private mode, quota).
pub fn set(key: &str, value: &str) -> Result<(), StoreError> {
    local()
        .ok_or_else(|| StoreError("no localStorage".into()))?
        .set_item(&local_key(key), value)
        .map_err(|e| StoreError(describe(&e)))
}

pub fn remove(key: &str) {
    if let Some(storage) = local() {
        let _ = storage.remove_item(&local_key(key));
    }
}

pub fn describe(error: &JsValue) -> String {
    js_sys::Reflect::get(error, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "storage error".into())
}

pub(crate) async fn await_promise(
    promise: Result<js_sys::Promise, JsValue>,
) -> Result<JsValue, StoreError> {
    let promise = promise.map_err(|e| StoreError(describe(&e)))?;
    JsFuture::from(promise)
        .await
        .map_err(|e| StoreError(describe(&e)))
}

// The requests below start when called and return one of these futures, one for each kind of
// answer: the wasm then holds four small state machines rather than one per request.

/// A request that answers nothing.
pub(crate) async fn done(promise: Result<js_sys::Promise, JsValue>) -> Result<(), StoreError> {
    await_promise(promise).await.map(drop)
}

/// A request that answers whether it found (or wrote) the record.
pub(crate) async fn found(promise: Result<js_sys::Promise, JsValue>) -> Result<bool, StoreError> {
    Ok(await_promise(promise).await?.as_bool().unwrap_or(false))
}

/// A request that answers a record's text, if there is one.
pub(crate) async fn text(
    promise: Result<js_sys::Promise, JsValue>,
) -> Result<Option<String>, StoreError> {
    Ok(await_promise(promise).await?.as_string())
}

/// A request that answers `[key, value]` pairs.
pub(crate) async fn pairs(
    promise: Result<js_sys::Promise, JsValue>,
) -> Result<Vec<(String, String)>, StoreError> {
    let array: js_sys::Array = await_promise(promise).await?.into();
    Ok(array
        .iter()
        .filter_map(|pair| {
            let pair: js_sys::Array = pair.into();
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect())
}

type Answer<T> = Result<T, StoreError>;

/// One IndexedDB object store of string records.
#[derive(Clone, Copy)]
pub struct Idb(pub &'static str);

/// This build's waiting reports (small records).
pub const OUTBOX: Idb = Idb("reports");
/// The waiting reports of older builds, body inline: this build only takes them over.
pub const LEGACY_OUTBOX: Idb = Idb("outbox");
/// The bodies of waiting reports, apart from their small records in `OUTBOX`.
pub const BODIES: Idb = Idb("bodies");
pub const ASIDE: Idb = Idb("aside");
pub const KV: Idb = Idb("kv");

impl Idb {
    pub fn get(self, key: &str) -> impl Future<Output = Answer<Option<String>>> {
        text(js::idb_get(self.0, key))
    }

    pub fn put(self, key: &str, value: &str) -> impl Future<Output = Answer<()>> {
        done(js::idb_put(self.0, key, value))
    }

    pub fn delete(self, key: &str) -> impl Future<Output = Answer<()>> {
        done(js::idb_delete(self.0, key))
    }

    pub async fn count(self) -> Result<usize, StoreError> {
        let n = await_promise(js::idb_count(self.0)).await?;
        Ok(n.as_f64().unwrap_or(0.0) as usize)
    }

    pub fn clear(self) -> impl Future<Output = Answer<()>> {
        done(js::idb_clear(self.0))
    }

    pub fn entries(self) -> impl Future<Output = Answer<Vec<(String, String)>>> {
        pairs(js::idb_entries(self.0, None))
    }

    /// Records whose key starts with `prefix`.
    pub fn entries_under(
        self,
        prefix: &str,
    ) -> impl Future<Output = Answer<Vec<(String, String)>>> {
        pairs(js::idb_entries(self.0, Some(prefix)))
    }

    /// Writes unless a record is there already; returns whether it wrote.
    pub fn put_if_absent(self, key: &str, value: &str) -> impl Future<Output = Answer<bool>> {
        found(js::idb_put_if_absent(self.0, key, value))
    }

    /// One record read and rewritten in one transaction; a missing record stays missing.
    pub fn update<F>(self, key: &str, change: F) -> impl Future<Output = Answer<Option<String>>>
    where
        F: FnOnce(&str) -> Option<String> + 'static,
    {
        // Called exactly once by idb.js (with null for a missing record), which frees it.
        let change = Closure::once_into_js(move |current: JsValue| -> JsValue {
            current
                .as_string()
                .and_then(|text| change(&text))
                .map(JsValue::from)
                .unwrap_or(JsValue::NULL)
        });
        text(js::idb_update(self.0, key, &change))
    }
}

/// Where "my reports" keeps the ticket record of report `id` (in the `kv` store).
pub fn ticket_key(id: &str) -> String {
    format!("{TICKET_PREFIX}{id}")
}

pub const TICKET_PREFIX: &str = "ticket:";

/// "Clear my data": outbox, reports set aside, tickets and the demo's data, in one
/// transaction, but for the records of older builds' stores (`outbox`, `kv`) that
/// `keep(store, record)` says are another deployment's.
pub async fn wipe(keep: impl Fn(&str, &str) -> bool + 'static) -> Result<(), StoreError> {
    let keep =
        Closure::<dyn Fn(String, String) -> bool>::new(move |store: String, record: String| {
            keep(&store, &record)
        });
    await_promise(js::idb_wipe(keep.as_ref().unchecked_ref()))
        .await
        .map(drop)
}

/// A waiting report and its body, written only if none is kept under `key` yet; whether it
/// wrote.
pub fn add_report(key: &str, json: &str, body: &str) -> impl Future<Output = Answer<bool>> {
    found(js::idb_add_report(key, json, body))
}

/// What becomes of an older build's waiting report.
pub enum Adopted {
    /// This build's record and body.
    Kept(String, String),
    /// Unreadable: set aside, as older builds did.
    Aside,
    /// Not this deployment's, or an older tab is sending it: left where it is.
    Left,
}

/// Takes over, in one transaction, the older build's waiting report `key` in this
/// database, as `change` says of its record.
pub fn adopt<F>(key: &str, change: F) -> impl Future<Output = Answer<bool>>
where
    F: FnOnce(&str) -> Adopted + 'static,
{
    // Called at most once by idb.js; freed when the promise is (a missing record).
    let change = Closure::once_into_js(move |raw: String| -> JsValue {
        match change(&raw) {
            Adopted::Kept(record, body) => js_sys::Array::of2(&record.into(), &body.into()).into(),
            Adopted::Aside => js_sys::Array::new().into(),
            Adopted::Left => JsValue::NULL,
        }
    });
    found(js::idb_adopt(key, &change))
}

/// Removes the bodies whose report is gone.
pub fn sweep_bodies() -> impl Future<Output = Answer<()>> {
    done(js::idb_sweep_bodies())
}

/// The outbox in IndexedDB.
pub struct IdbOutbox;

impl OutboxStore for IdbOutbox {
    fn records(&self) -> impl Future<Output = Answer<Vec<(String, String)>>> {
        OUTBOX.entries()
    }

    fn put(&self, key: &str, json: &str, body: &str) -> impl Future<Output = Answer<()>> {
        done(js::idb_put_report(key, json, body))
    }

    fn body(&self, key: &str) -> impl Future<Output = Answer<Option<String>>> {
        BODIES.get(key)
    }

    fn keep_body(&self, key: &str, body: &str) -> impl Future<Output = Answer<bool>> {
        found(js::idb_keep_body(key, body))
    }

    fn update<F>(&self, key: &str, change: F) -> impl Future<Output = Answer<Option<String>>>
    where
        F: FnOnce(&str) -> Option<String> + 'static,
    {
        OUTBOX.update(key, change)
    }

    fn remove(&self, key: &str) -> impl Future<Output = Answer<()>> {
        done(js::idb_remove_report(key))
    }

    fn complete(&self, key: &str, receipt: Option<&str>) -> impl Future<Output = Answer<bool>> {
        found(js::idb_complete(key, &ticket_key(key), receipt))
    }

    fn set_aside(&self, key: &str, json: &str) -> impl Future<Output = Answer<()>> {
        web_sys::console::warn_1(
            &format!("outbox record {key:?} is unreadable; kept aside in IndexedDB store 'aside'")
                .into(),
        );
        done(js::idb_set_aside(key, json))
    }
}

/// Whether this phone can keep reports: both stores accept a write.
pub async fn probe() -> Result<(), StoreError> {
    set("xj.probe", "1")?;
    remove("xj.probe");
    KV.put("probe", "1").await?;
    KV.delete("probe").await
}

/// Tells this widget's other tabs that `topic` changed ("tickets", "outbox", "cleared").
pub fn announce(topic: &str) {
    js::announce(topic);
}

/// Hears other tabs' announcements until dropped.
pub struct Listener {
    stop: js_sys::Function,
    _callback: Closure<dyn FnMut(String)>,
}

impl Listener {
    pub fn new(on_topic: impl FnMut(String) + 'static) -> Listener {
        let callback = Closure::<dyn FnMut(String)>::new(on_topic);
        let stop = js::listen(callback.as_ref().unchecked_ref());
        Listener {
            stop,
            _callback: callback,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.stop.call0(&JsValue::NULL);
    }
}
