//! Checks a campaign feed against `public/campaigns.schema.json`, the schema the town edits
//! the feed by. The schema is embedded and *interpreted* here, for the keywords it uses
//! (type, required, properties, items, $ref into $defs, enum, minLength, minimum, maximum
//! and its one date pattern), rather than through the `jsonschema` crate: 0.61 without
//! default features would add 36 crates the desk does not have (two regex engines, num-*,
//! a URI resolver; counted with `cargo tree`) for a schema of sixty lines. A test fails if the
//! schema starts using a keyword this reader does not know, so the schema stays the source of
//! truth.

use serde_json::Value;

pub const SCHEMA_TEXT: &str = include_str!("../../../public/campaigns.schema.json");

/// The only `pattern` in the schema: a calendar day.
pub const DATE_PATTERN: &str = r"^\d{4}-\d{2}-\d{2}$";

/// Keywords this reader understands; the others in the list are annotations.
pub const KEYWORDS: &[&str] = &[
    "type",
    "required",
    "properties",
    "items",
    "$ref",
    "enum",
    "minLength",
    "minimum",
    "maximum",
    "pattern",
    "$schema",
    "$id",
    "$defs",
    "title",
    "description",
];

/// What is wrong, at which place (a JSON pointer into the checked document).
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    pub path: String,
    pub kind: Kind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Missing,
    WrongType(String),
    Empty,
    NotADate,
    NotAllowed,
    OutOfRange { min: Option<i64>, max: Option<i64> },
}

pub fn schema() -> Value {
    serde_json::from_str(SCHEMA_TEXT).expect("the embedded campaigns.schema.json is JSON")
}

/// Every violation of the whole feed document.
pub fn check_feed(feed: &Value) -> Vec<Violation> {
    let root = schema();
    let mut out = Vec::new();
    check(&root, &root, feed, "", &mut out);
    out
}

/// Every violation of one campaign entry (`#/$defs/campaign`).
pub fn check_campaign(campaign: &Value) -> Vec<Violation> {
    let root = schema();
    let mut out = Vec::new();
    check(&root["$defs"]["campaign"], &root, campaign, "", &mut out);
    out
}

fn resolve<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    root.pointer(reference.strip_prefix('#')?)
}

fn has_type(value: &Value, expected: &str) -> bool {
    match expected {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        _ => false,
    }
}

fn check(schema: &Value, root: &Value, value: &Value, path: &str, out: &mut Vec<Violation>) {
    let violation = |kind| Violation {
        path: path.to_owned(),
        kind,
    };
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        match resolve(root, reference) {
            Some(target) => check(target, root, value, path, out),
            None => out.push(violation(Kind::NotAllowed)),
        }
    }
    if let Some(expected) = schema.get("type").and_then(Value::as_str) {
        if !has_type(value, expected) {
            out.push(violation(Kind::WrongType(expected.to_owned())));
            return;
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            out.push(violation(Kind::NotAllowed));
        }
    }
    if let (Some(min), Some(text)) = (
        schema.get("minLength").and_then(Value::as_u64),
        value.as_str(),
    ) {
        if (text.chars().count() as u64) < min {
            out.push(violation(Kind::Empty));
        }
    }
    if let (Some(pattern), Some(text)) = (
        schema.get("pattern").and_then(Value::as_str),
        value.as_str(),
    ) {
        if pattern != DATE_PATTERN || !is_date_shape(text) {
            out.push(violation(Kind::NotADate));
        }
    }
    if let Some(n) = value.as_i64() {
        let min = schema.get("minimum").and_then(Value::as_i64);
        let max = schema.get("maximum").and_then(Value::as_i64);
        if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
            out.push(violation(Kind::OutOfRange { min, max }));
        }
    }
    if let (Some(required), Some(object)) = (
        schema.get("required").and_then(Value::as_array),
        value.as_object(),
    ) {
        for name in required.iter().filter_map(Value::as_str) {
            if !object.contains_key(name) {
                out.push(Violation {
                    path: format!("{path}/{name}"),
                    kind: Kind::Missing,
                });
            }
        }
    }
    if let (Some(properties), Some(object)) = (
        schema.get("properties").and_then(Value::as_object),
        value.as_object(),
    ) {
        for (name, sub) in properties {
            if let Some(child) = object.get(name) {
                check(sub, root, child, &format!("{path}/{name}"), out);
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, child) in array.iter().enumerate() {
            check(items, root, child, &format!("{path}/{i}"), out);
        }
    }
}

/// `^\d{4}-\d{2}-\d{2}$`, exactly.
fn is_date_shape(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every keyword in the schema, wherever it is (property names are not keywords).
    fn keywords(schema: &Value, found: &mut Vec<String>) {
        let Some(object) = schema.as_object() else {
            return;
        };
        for (key, value) in object {
            found.push(key.clone());
            match key.as_str() {
                "properties" | "$defs" => {
                    for sub in value.as_object().into_iter().flat_map(|o| o.values()) {
                        keywords(sub, found);
                    }
                }
                "items" => keywords(value, found),
                _ => {}
            }
        }
    }

    #[test]
    fn the_schema_uses_only_keywords_this_reader_knows() {
        let mut found = Vec::new();
        keywords(&schema(), &mut found);
        let unknown: Vec<_> = found
            .iter()
            .filter(|k| !KEYWORDS.contains(&k.as_str()))
            .collect();
        assert!(unknown.is_empty(), "teach schema.rs: {unknown:?}");
        // The one pattern is the date this reader checks by hand.
        let date = &schema()["$defs"]["date"]["pattern"];
        assert_eq!(date, DATE_PATTERN);
        assert_eq!(SCHEMA_TEXT.matches("\"pattern\"").count(), 1);
    }

    #[test]
    fn the_bundled_feed_is_valid() {
        let feed: Value = serde_json::from_str(xinjing_core::campaign::BUNDLED_FEED).unwrap();
        assert_eq!(check_feed(&feed), vec![]);
    }

    #[test]
    fn violations_name_the_place() {
        let mut campaign: Value =
            serde_json::from_str::<Value>(xinjing_core::campaign::BUNDLED_FEED).unwrap()
                ["campaigns"][0]
                .clone();
        campaign["title"]["zh"] = json!("");
        campaign["priority"] = json!(300);
        campaign["start"] = json!("2026-1-1");
        campaign["categories"] = json!(["ebike_in_stairwell", "arson"]);
        campaign["icon"] = json!("rocket");
        campaign.as_object_mut().unwrap().remove("why");
        campaign["rule"] = json!("no e-bikes");
        let found = check_campaign(&campaign);
        let at = |path: &str| {
            found
                .iter()
                .filter(|v| v.path == path)
                .map(|v| v.kind.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(at("/title/zh"), vec![Kind::Empty]);
        assert_eq!(
            at("/priority"),
            vec![Kind::OutOfRange {
                min: Some(0),
                max: Some(255)
            }]
        );
        assert_eq!(at("/start"), vec![Kind::NotADate]);
        assert_eq!(at("/categories/1"), vec![Kind::NotAllowed]);
        assert_eq!(at("/icon"), vec![Kind::NotAllowed]);
        assert_eq!(at("/why"), vec![Kind::Missing]);
        assert_eq!(at("/rule"), vec![Kind::WrongType("object".into())]);
        assert_eq!(found.len(), 7, "{found:?}");
        assert_eq!(
            check_feed(&json!({"campaigns": {}})),
            vec![Violation {
                path: "/campaigns".into(),
                kind: Kind::WrongType("array".into())
            }]
        );
    }
}
