//! Bindings to `browser.js` and `idb.js`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/platform/browser.js")]
extern "C" {
    #[wasm_bindgen(js_name = useChannelNames)]
    pub fn use_channel_names(channel: &str, sync_key: &str);
    pub fn announce(topic: &str);
    pub fn listen(callback: &js_sys::Function) -> js_sys::Function;
    #[wasm_bindgen(catch, js_name = withLock)]
    pub fn with_lock(name: &str, work: &js_sys::Function) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = decodeImage)]
    pub fn decode_image(file: &web_sys::File) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_name = imageSize)]
    pub fn image_size(image: &JsValue) -> Vec<u32>;
    #[wasm_bindgen(catch, js_name = drawScaled)]
    pub fn draw_scaled(
        image: &JsValue,
        width: u32,
        height: u32,
    ) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_name = releaseImage)]
    pub fn release_image(image: &JsValue, canvas: &JsValue);
    #[wasm_bindgen(catch, js_name = jpegBase64)]
    pub fn jpeg_base64(canvas: &JsValue, quality: f64) -> Result<js_sys::Promise, JsValue>;
    pub fn later(ms: f64, callback: &js_sys::Function) -> f64;
    pub fn cancel(id: f64);
    #[wasm_bindgen(js_name = copyText)]
    pub fn copy_text(text: &str) -> js_sys::Promise;
}

#[wasm_bindgen(module = "/src/platform/idb.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = idbPut)]
    pub fn idb_put(store: &str, key: &str, value: &str) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = idbGet)]
    pub fn idb_get(store: &str, key: &str) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = idbDelete)]
    pub fn idb_delete(store: &str, key: &str) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = idbCount)]
    pub fn idb_count(store: &str) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = idbClear)]
    pub fn idb_clear(store: &str) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = idbEntries)]
    pub fn idb_entries(store: &str, prefix: Option<&str>) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = idbPutIfAbsent)]
    pub fn idb_put_if_absent(
        store: &str,
        key: &str,
        value: &str,
    ) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = idbUpdate)]
    pub fn idb_update(store: &str, key: &str, change: &JsValue)
        -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = idbComplete)]
    pub fn idb_complete(
        key: &str,
        receipt_key: &str,
        receipt: Option<&str>,
    ) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = idbWipe)]
    pub fn idb_wipe(keep: &js_sys::Function) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = idbAdopt)]
    pub fn idb_adopt(key: &str, change: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = idbSweepBodies)]
    pub fn idb_sweep_bodies() -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_name = legacyEntries)]
    pub fn legacy_entries(name: &str, store: &str, prefix: Option<&str>) -> js_sys::Promise;
    #[wasm_bindgen(js_name = legacyUpdate)]
    pub fn legacy_update(name: &str, store: &str, key: &str, change: &JsValue) -> js_sys::Promise;
    #[wasm_bindgen(js_name = legacyDelete)]
    pub fn legacy_delete(name: &str, store: &str, key: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = useDbNames)]
    pub fn use_db_names(db: &str, waiting_key: &str);
    #[wasm_bindgen(catch, js_name = idbSetAside)]
    pub fn idb_set_aside(key: &str, value: &str) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = idbPutReport)]
    pub fn idb_put_report(key: &str, json: &str, body: &str) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = idbAddReport)]
    pub fn idb_add_report(key: &str, json: &str, body: &str) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = idbRemoveReport)]
    pub fn idb_remove_report(key: &str) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = idbKeepBody)]
    pub fn idb_keep_body(key: &str, body: &str) -> Result<js_sys::Promise, JsValue>;
}
