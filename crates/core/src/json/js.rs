//! `Json` over the engine's `JSON.parse`: the browser parses, Rust only reads the fields it
//! needs. `JSON.parse` and `Reflect` are ECMAScript built-ins (no browser API), so `core`
//! stays runnable in any JS engine.

use super::Json;
use js_sys::{Array, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};

/// A value returned by `JSON.parse` (never `undefined`).
pub struct Document(JsValue);

impl Json for Document {
    fn parse(text: &str) -> Option<Self> {
        JSON::parse(text).ok().map(Document)
    }

    fn get(&self, key: &str) -> Option<Self> {
        if !self.is_object() {
            return None;
        }
        // `Reflect.get` also sees `Object.prototype`; the readers only ask for fixed keys
        // (`zh`, `campaigns`, `endpoint`…), none of which it has.
        let value = Reflect::get(&self.0, &JsValue::from_str(key)).ok()?;
        (!value.is_undefined()).then_some(Document(value))
    }

    fn is_null(&self) -> bool {
        self.0.is_null()
    }

    fn is_object(&self) -> bool {
        self.0.is_object() && !Array::is_array(&self.0)
    }

    fn boolean(&self) -> Option<bool> {
        self.0.as_bool()
    }

    fn string(&self) -> Option<String> {
        self.0.as_string()
    }

    fn number(&self) -> Option<f64> {
        self.0.as_f64()
    }

    fn items(&self) -> Option<Vec<Self>> {
        Array::is_array(&self.0).then(|| {
            let array: &Array = self.0.unchecked_ref();
            array.iter().map(Document).collect()
        })
    }
}
