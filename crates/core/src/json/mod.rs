//! A parsed JSON document read field by field, for `config.json` and the campaign feed.
//!
//! In the wasm the document is the engine's own `JSON.parse` result (`js.rs`); natively
//! (the tests, the static first paint) it is a `serde_json::Value`. The readers in
//! `campaign/read.rs` and `config/raw.rs` are written once against `Json` and so are
//! tested natively. The derived serde_json deserialisers they replace cost the wasm
//! 3.7 KB more of brotli (measured, see README "Performance"); serde_json stays for the
//! outbox and the other stored records, whose exact bytes matter.
//!
//! The helpers keep serde's rules for the shapes the feed and config use: a missing key
//! and `null` are both "absent" for an optional value, a key present with the wrong type
//! fails the whole value.

#[cfg(target_arch = "wasm32")]
mod js;
#[cfg(target_arch = "wasm32")]
pub use js::Document;
#[cfg(not(target_arch = "wasm32"))]
pub use serde_json::Value as Document;

/// What a reader needs of a parsed JSON value.
pub trait Json: Sized {
    /// `None` when `text` is not JSON.
    fn parse(text: &str) -> Option<Self>;
    /// The value of `key` when this is an object that has it.
    fn get(&self, key: &str) -> Option<Self>;
    fn is_null(&self) -> bool;
    fn is_object(&self) -> bool;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Document {
        Document::parse(text).unwrap()
    }

    #[test]
    fn absent_null_and_wrong_types_follow_serde() {
        let d = doc(r#"{"s": "x", "n": null, "k": 3, "l": ["a", "b"], "bad": ["a", 1]}"#);
        assert_eq!(optional(&d, "s", string), Ok(Some("x".into())));
        assert_eq!(optional(&d, "n", string), Ok(None));
        assert_eq!(optional(&d, "missing", string), Ok(None));
        assert_eq!(optional(&d, "k", string), Err(Mismatch));
        assert_eq!(required(&d, "missing", string), Err(Mismatch));
        assert_eq!(required(&d, "n", string), Err(Mismatch));
        assert_eq!(or_default(&d, "missing", strings), Ok(vec![]));
        assert_eq!(or_default(&d, "n", strings), Err(Mismatch));
        assert_eq!(
            or_default(&d, "l", strings),
            Ok(vec!["a".into(), "b".into()])
        );
        assert_eq!(or_default(&d, "bad", strings), Err(Mismatch));
        assert_eq!(required(&d, "k", number), Ok(3.0));
        assert!(Document::parse("{").is_none());
        assert!(object(&doc("[]")).is_err());
    }
}
