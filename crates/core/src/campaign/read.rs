//! The feed's JSON read into `Campaign`s, by hand over `Json` (see `core::json` for why
//! not serde's derive). The rules are those of the derived deserialisers they replace:
//! unknown keys are ignored, a required key missing or a key of the wrong type rejects
//! the entry, optional keys may be absent or `null`.

use super::{CachedFeed, Campaign, Text};
use crate::json::write::{Object, ToJson};
use crate::json::{
    number, object, optional, or_default, required, string, strings, Json, Mismatch, Read,
};
use crate::report::Category;
use xinjing_contract::time::Date;

/// `{"zh": "…", "en": "…"}`; `en` may be left out.
pub fn text<J: Json>(node: &J) -> Read<Text> {
    let node = object(node)?;
    Ok(Text {
        zh: required(node, "zh", string)?,
        en: or_default(node, "en", string)?,
    })
}

fn date<J: Json>(node: &J) -> Read<Date> {
    Date::parse(&string(node)?).ok_or(Mismatch)
}

/// A whole number 0–255 (serde's `u8`: `3.5` or `300` is a mismatch).
fn priority<J: Json>(node: &J) -> Read<u8> {
    let n = number(node)?;
    if n.fract() == 0.0 && (0.0..=255.0).contains(&n) {
        Ok(n as u8)
    } else {
        Err(Mismatch)
    }
}

/// Unknown codes are dropped rather than failing the entry, so the town can add a
/// category before every deployed widget knows it.
fn categories<J: Json>(node: &J) -> Read<Vec<Category>> {
    Ok(strings(node)?
        .iter()
        .filter_map(|code| Category::from_code(code))
        .collect())
}

pub fn campaign<J: Json>(node: &J) -> Read<Campaign> {
    let node = object(node)?;
    Ok(Campaign {
        id: required(node, "id", string)?,
        title: required(node, "title", text)?,
        summary: required(node, "summary", text)?,
        rule: required(node, "rule", text)?,
        why: required(node, "why", text)?,
        instead: required(node, "instead", text)?,
        if_not: optional(node, "if_not", text)?,
        categories: or_default(node, "categories", categories)?,
        priority: or_default(node, "priority", priority)?,
        start: required(node, "start", date)?,
        end: required(node, "end", date)?,
        icon: optional(node, "icon", string)?,
        source: optional(node, "source", text)?,
    })
}

/// The document's `updated` (unparsed) and its campaign entries, still unread.
pub fn document<J: Json>(root: &J) -> Read<(Option<String>, Vec<J>)> {
    let root = object(root)?;
    let updated = optional(root, "updated", string)?;
    let entries = required(root, "campaigns", |list| list.items().ok_or(Mismatch))?;
    Ok((updated, entries))
}

/// The copy of the feed kept on the phone.
pub fn cached_feed<J: Json>(node: &J) -> Read<CachedFeed> {
    let node = object(node)?;
    Ok(CachedFeed {
        saved_ms: required(node, "saved_ms", number)?,
        json: required(node, "json", string)?,
    })
}

impl ToJson for CachedFeed {
    fn to_json(&self) -> String {
        Object::new()
            .float("saved_ms", self.saved_ms)
            .str("json", &self.json)
            .end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::Document;

    fn read(text: &str) -> Read<Campaign> {
        campaign(&Document::parse(text).unwrap())
    }

    const BASE: &str = r#""id": "a", "title": {"zh": "t"}, "summary": {"zh": "s"}, "rule": {"zh": "r"}, "why": {"zh": "w"}, "instead": {"zh": "i"}, "start": "2026-01-01", "end": "2026-01-02""#;

    #[test]
    fn optional_keys_may_be_absent_or_null() {
        let plain = read(&format!("{{{BASE}}}")).unwrap();
        assert_eq!((plain.priority, plain.if_not, plain.icon), (0, None, None));
        let nulls = read(&format!(
            r#"{{{BASE}, "if_not": null, "icon": null, "source": null, "extra": [1]}}"#
        ));
        assert_eq!(nulls.unwrap().source, None);
    }

    #[test]
    fn wrong_types_reject_the_entry_as_serde_did() {
        for extra in [
            r#""priority": 3.5"#,
            r#""priority": 256"#,
            r#""priority": -1"#,
            r#""priority": null"#,
            r#""categories": null"#,
            r#""categories": [1]"#,
            r#""icon": 7"#,
            r#""if_not": "text""#,
            r#""source": {"en": "no zh"}"#,
            r#""title": {"zh": "t", "en": null}"#,
        ] {
            assert_eq!(
                read(&format!("{{{BASE}, {extra}}}")),
                Err(Mismatch),
                "{extra}"
            );
        }
        assert_eq!(read(r#"{"id": "a"}"#), Err(Mismatch));
        assert_eq!(read(r#"["a"]"#), Err(Mismatch));
    }

    #[test]
    fn the_last_key_of_a_duplicate_wins() {
        // JSON.parse keeps the last; serde_json's derive refused the entry. Either is
        // defensible; the app and the static page (both through `Json`) agree.
        let c = read(&format!(r#"{{{BASE}, "priority": 1, "priority": 2}}"#)).unwrap();
        assert_eq!(c.priority, 2);
    }
}
