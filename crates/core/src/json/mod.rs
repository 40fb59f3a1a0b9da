//! JSON without serde_json in the wasm: every document the widget reads (config, feed,
//! the endpoint's answers, its own stored records) is parsed field by field, and what it
//! stores or sends is written by `write`, byte for byte as serde_json wrote it.
//!
//! In the wasm the document is the engine's own `JSON.parse` result (`js.rs`); natively
//! (the tests, the static first paint) it is a `serde_json::Value`. The readers are written
//! once against `Json` and so are tested natively, and in Chromium by `tests/json_rules.rs`.
//! serde_json's parser, its serialiser and the derived code for the records cost the wasm
//! 3.7 KB and then 25 KB more of brotli (measured, see README "Performance"); the serde
//! derives stay for the desk and for the tests that hold the hand code to them.
//!
//! The trait and the helpers are the contract crate's (`xinjing_contract::json`), which
//! reads the endpoint's answers with them too.

#[cfg(target_arch = "wasm32")]
mod js;
pub mod write;
#[cfg(target_arch = "wasm32")]
pub use js::Document;
#[cfg(not(target_arch = "wasm32"))]
pub use serde_json::Value as Document;
pub use write::ToJson;

pub use xinjing_contract::json::{
    boolean, code, list, number, object, optional, or_default, parse_with, required, string,
    strings, uint, Json, Mismatch, Read,
};

/// `text` parsed (by the engine's `JSON.parse` in the wasm) and read by `read`; `None` when
/// it is not JSON or does not match.
pub fn parse<T>(text: &str, read: impl Fn(&Document) -> Read<T>) -> Option<T> {
    parse_with::<Document, T>(text, read)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod readers {
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
