//! Reading a parsed JSON document field by field, with serde's rules for the shapes the
//! contract and the widget's records use: a missing key and `null` are both "absent" for an
//! optional value, a key present with the wrong type fails the whole value.
//!
//! The document type is the caller's: in the widget's wasm, the engine's own `JSON.parse`
//! result (`xinjing_core::json::Document`), so that neither serde_json's parser nor the
//! derived deserialisers are compiled in; natively a `serde_json::Value`, so the same
//! readers are tested by `cargo test`. The serde derives stay for the desk.

/// What a reader needs of a parsed JSON value.
pub trait Json: Sized {
    /// `None` when `text` is not JSON.
    fn parse(text: &str) -> Option<Self>;
    /// The value of `key` when this is an object that has it.
    fn get(&self, key: &str) -> Option<Self>;
    fn is_null(&self) -> bool;
    fn is_object(&self) -> bool;
    fn boolean(&self) -> Option<bool>;
    fn string(&self) -> Option<String>;
    fn number(&self) -> Option<f64>;
    /// The elements when this is an array.
    fn items(&self) -> Option<Vec<Self>>;
}

/// Why a value could not be read (which one does not matter to the callers).
#[derive(Debug, PartialEq, Eq)]
pub struct Mismatch;

pub type Read<T> = Result<T, Mismatch>;

/// `key` if present and not null, read by `read`; absent or null is `None`.
pub fn optional<J: Json, T>(node: &J, key: &str, read: impl Fn(&J) -> Read<T>) -> Read<Option<T>> {
    match node.get(key) {
        Some(value) if !value.is_null() => read(&value).map(Some),
        _ => Ok(None),
    }
}

/// `key`, which must be present (serde's rule for a field without `default`; `Option`
/// fields go through `optional`).
pub fn required<J: Json, T>(node: &J, key: &str, read: impl Fn(&J) -> Read<T>) -> Read<T> {
    node.get(key).ok_or(Mismatch).and_then(|value| read(&value))
}

/// `key` read when present (null included, as serde's `#[serde(default)]` does: a `null`
/// string or list is a mismatch), else `T::default()`.
pub fn or_default<J: Json, T: Default>(
    node: &J,
    key: &str,
    read: impl Fn(&J) -> Read<T>,
) -> Read<T> {
    node.get(key).map_or(Ok(T::default()), |value| read(&value))
}

pub fn string<J: Json>(node: &J) -> Read<String> {
    node.string().ok_or(Mismatch)
}

pub fn number<J: Json>(node: &J) -> Read<f64> {
    node.number().ok_or(Mismatch)
}

pub fn strings<J: Json>(node: &J) -> Read<Vec<String>> {
    node.items().ok_or(Mismatch)?.iter().map(string).collect()
}

/// An object, else a mismatch (a struct cannot be read from anything else).
pub fn object<J: Json>(node: &J) -> Read<&J> {
    if node.is_object() {
        Ok(node)
    } else {
        Err(Mismatch)
    }
}

/// A boolean, else a mismatch.
pub fn boolean<J: Json>(node: &J) -> Read<bool> {
    node.boolean().ok_or(Mismatch)
}

/// A whole number from 0 to `u32::MAX`, as serde reads a `u32` (JSON.parse cannot tell
/// `5` from `5.0`; both are read).
pub fn uint<J: Json>(node: &J) -> Read<u32> {
    let value = number(node)?;
    if value.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&value) {
        Ok(value as u32)
    } else {
        Err(Mismatch)
    }
}

/// An array, each element read by `read`; one mismatch fails the whole list.
pub fn list<J: Json, T>(node: &J, read: impl Fn(&J) -> Read<T>) -> Read<Vec<T>> {
    node.items().ok_or(Mismatch)?.iter().map(read).collect()
}

/// A string that must be one of a fixed set of codes (an enum's `rename_all`).
pub fn code<J: Json, T>(node: &J, from_code: impl Fn(&str) -> Option<T>) -> Read<T> {
    from_code(&string(node)?).ok_or(Mismatch)
}

/// `text` parsed as `J` and read by `read`; `None` when it is not JSON or does not match.
pub fn parse_with<J: Json, T>(text: &str, read: impl Fn(&J) -> Read<T>) -> Option<T> {
    read(&J::parse(text)?).ok()
}

#[cfg(not(target_arch = "wasm32"))]
impl Json for serde_json::Value {
    fn parse(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }

    fn get(&self, key: &str) -> Option<Self> {
        self.as_object()?.get(key).cloned()
    }

    fn is_null(&self) -> bool {
        self.is_null()
    }

    fn is_object(&self) -> bool {
        self.is_object()
    }

    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }

    fn string(&self) -> Option<String> {
        self.as_str().map(str::to_owned)
    }

    fn number(&self) -> Option<f64> {
        self.as_f64()
    }

    fn items(&self) -> Option<Vec<Self>> {
        self.as_array().cloned()
    }
}
