//! The campaign editor's form, as typed: to a feed entry (checked against the schema and the
//! widget's own rules) and back. Pure; the pages and the store are elsewhere.

use super::schema::{self, Kind, Violation};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use xinjing_contract::time::Date;
use xinjing_contract::Category;

/// The texts of a campaign, in the order the form shows them; the first five are required
/// (`if_not` and `source` are optional in the feed).
pub const TEXTS: &[&str] = &[
    "title", "summary", "rule", "why", "instead", "if_not", "source",
];
pub const OPTIONAL_TEXTS: &[&str] = &["if_not", "source"];
/// The bundled icons (the schema's `icon` enum).
pub const ICONS: &[&str] = &["ebike", "plug", "wiring", "power", "exit"];

/// What an admin typed, kept as typed so a refused form shows it again.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CampaignForm {
    /// `id`, `title_zh`, `title_en`, …, `priority`, `start`, `end`, `icon`.
    pub fields: BTreeMap<String, String>,
    /// Ticked category codes.
    pub categories: Vec<String>,
}

/// A message for one field of the form, in both languages.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub field: String,
    pub zh: String,
    pub en: String,
}

impl CampaignForm {
    /// From the posted pairs (repeated `categories` keys are kept, in the order sent).
    pub fn from_pairs(pairs: &[(String, String)]) -> CampaignForm {
        let mut form = CampaignForm::default();
        for (name, value) in pairs {
            if name == "categories" {
                form.categories.push(value.clone());
            } else if name != "csrf" {
                form.fields.insert(name.clone(), value.clone());
            }
        }
        form
    }

    /// The form of a stored entry, for editing.
    pub fn from_entry(entry: &Value) -> CampaignForm {
        let mut form = CampaignForm::default();
        let text = |v: &Value| match v {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        for key in ["id", "priority", "start", "end", "icon"] {
            form.fields.insert(key.into(), text(&entry[key]));
        }
        for key in TEXTS {
            for lang in ["zh", "en"] {
                form.fields
                    .insert(format!("{key}_{lang}"), text(&entry[*key][lang]));
            }
        }
        form.categories = entry["categories"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|c| c.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        form
    }

    pub fn get(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    /// The feed entry this form describes (whatever its faults).
    pub fn to_entry(&self, id: &str) -> Value {
        let mut entry = Map::new();
        entry.insert("id".into(), Value::String(id.trim().to_owned()));
        for key in TEXTS {
            let zh = self.get(&format!("{key}_zh")).trim();
            let en = self.get(&format!("{key}_en")).trim();
            if OPTIONAL_TEXTS.contains(key) && zh.is_empty() && en.is_empty() {
                continue;
            }
            let mut text = Map::new();
            text.insert("zh".into(), Value::String(zh.to_owned()));
            if !en.is_empty() {
                text.insert("en".into(), Value::String(en.to_owned()));
            }
            entry.insert((*key).into(), Value::Object(text));
        }
        // The canonical order: the first ticked is what "report this" preselects.
        let ticked: Vec<Value> = Category::ALL
            .iter()
            .map(|c| c.code())
            .filter(|code| self.categories.iter().any(|c| c == code))
            .chain(
                self.categories
                    .iter()
                    .map(String::as_str)
                    .filter(|c| Category::from_code(c).is_none()),
            )
            .map(|c| Value::String(c.to_owned()))
            .collect();
        entry.insert("categories".into(), Value::Array(ticked));
        let priority = self.get("priority").trim();
        let priority = if priority.is_empty() {
            Value::from(0)
        } else {
            priority
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::String(priority.to_owned()))
        };
        entry.insert("priority".into(), priority);
        for key in ["start", "end"] {
            entry.insert(key.into(), Value::String(self.get(key).trim().to_owned()));
        }
        let icon = self.get("icon").trim();
        if !icon.is_empty() {
            entry.insert("icon".into(), Value::String(icon.to_owned()));
        }
        Value::Object(entry)
    }

    /// The entry, or every problem with it, each for its field.
    pub fn check(&self, id: &str) -> Result<Value, Vec<Problem>> {
        let entry = self.to_entry(id);
        let mut problems: Vec<Problem> = schema::check_campaign(&entry)
            .iter()
            .map(problem_for)
            .collect();
        if !is_campaign_id(id.trim()) {
            problems.push(problem(
                "id",
                "编号只用小写字母、数字和连字符（-），最多 64 个字符",
                "Use lower-case letters, digits and hyphens (-), at most 64 characters",
            ));
        }
        // The widget skips entries whose days do not exist or run backwards.
        let start = Date::parse(self.get("start").trim());
        let end = Date::parse(self.get("end").trim());
        for (key, date) in [("start", start), ("end", end)] {
            if date.is_none() && !problems.iter().any(|p| p.field == key) {
                problems.push(not_a_date(key));
            }
        }
        if let (Some(start), Some(end)) = (start, end) {
            if end < start {
                problems.push(problem(
                    "end",
                    "结束日期早于开始日期",
                    "The end date is before the start date",
                ));
            }
        }
        if problems.is_empty() {
            Ok(entry)
        } else {
            Err(problems)
        }
    }
}

/// An id the widget can send back as `campaign_id` (at most 64 bytes) and a URL can carry
/// (`new` is the editor's page for a new one).
pub fn is_campaign_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id != "new"
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn problem(field: &str, zh: &str, en: &str) -> Problem {
    Problem {
        field: field.to_owned(),
        zh: zh.to_owned(),
        en: en.to_owned(),
    }
}

fn not_a_date(field: &str) -> Problem {
    problem(
        field,
        "请按 年-月-日 填写日期，例如 2026-12-01",
        "Enter a date as YYYY-MM-DD, for example 2026-12-01",
    )
}

/// The form field a schema path points at: `/title/zh` → `title_zh`, `/categories/2` →
/// `categories`, `/why` (missing) → `why_zh`.
pub fn field_of(path: &str) -> String {
    let mut parts = path.trim_start_matches('/').split('/');
    let first = parts.next().unwrap_or("");
    match parts.next() {
        Some(lang @ ("zh" | "en")) => format!("{first}_{lang}"),
        _ if TEXTS.contains(&first) => format!("{first}_zh"),
        _ => first.to_owned(),
    }
}

fn problem_for(violation: &Violation) -> Problem {
    let field = field_of(&violation.path);
    match &violation.kind {
        Kind::Missing | Kind::Empty if field.ends_with("_zh") => problem(
            &field,
            "请填写中文（英文可不填，会显示中文）",
            "Chinese is required (English may be left empty: the Chinese is shown)",
        ),
        Kind::Missing | Kind::Empty => problem(&field, "必填", "Required"),
        Kind::NotADate => not_a_date(&field),
        Kind::OutOfRange { .. } | Kind::WrongType(_) if field == "priority" => {
            let (min, max) = match &violation.kind {
                Kind::OutOfRange { min, max } => (min.unwrap_or(0), max.unwrap_or(255)),
                _ => (0, 255),
            };
            problem(
                &field,
                &format!("请填写 {min} 到 {max} 之间的整数（越大越靠前）"),
                &format!("A whole number from {min} to {max} (higher shows first)"),
            )
        }
        Kind::OutOfRange { .. } | Kind::WrongType(_) => {
            problem(&field, "格式不对", "Not in the expected form")
        }
        Kind::NotAllowed => problem(&field, "不是可选的值", "Not one of the choices"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled() -> Vec<Value> {
        let feed: Value = serde_json::from_str(xinjing_core::campaign::BUNDLED_FEED).unwrap();
        feed["campaigns"].as_array().unwrap().clone()
    }

    #[test]
    fn a_bundled_entry_goes_round_the_form_unchanged() {
        for entry in bundled() {
            let form = CampaignForm::from_entry(&entry);
            let id = entry["id"].as_str().unwrap();
            assert_eq!(form.check(id), Ok(entry.clone()));
        }
    }

    #[test]
    fn problems_are_given_for_their_fields_and_the_input_is_kept() {
        let mut form = CampaignForm::from_entry(&bundled()[0]);
        form.fields.insert("title_zh".into(), "  ".into());
        form.fields.insert("priority".into(), "urgent".into());
        form.fields.insert("start".into(), "2026-02-30".into());
        form.fields.insert("end".into(), "2025-01-01".into());
        form.fields.insert("if_not_zh".into(), String::new());
        form.fields.insert("icon".into(), "rocket".into());
        form.categories = vec!["arson".into()];
        let problems = form.check("Bad Id").unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        for field in [
            "title_zh",
            "priority",
            "icon",
            "categories",
            "id",
            "start",
            "if_not_zh",
        ] {
            assert!(fields.contains(&field), "{field}: {problems:?}");
        }
        // Only one message for a date that is no date; no "ends before" against it.
        assert_eq!(fields.iter().filter(|f| **f == "start").count(), 1);
        assert!(!fields.contains(&"end"), "{problems:?}");
        assert_eq!(form.get("priority"), "urgent");
    }

    #[test]
    fn an_end_before_the_start_is_refused() {
        let mut form = CampaignForm::from_entry(&bundled()[0]);
        form.fields.insert("end".into(), "2025-10-31".into());
        let problems = form.check("ebike-stairwell").unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "end");
    }

    #[test]
    fn posted_pairs_keep_repeated_categories_and_drop_the_token() {
        let pairs = vec![
            ("csrf".to_owned(), "t".to_owned()),
            ("categories".to_owned(), "other".to_owned()),
            ("categories".to_owned(), "ebike_in_stairwell".to_owned()),
            ("title_zh".to_owned(), "标题".to_owned()),
        ];
        let form = CampaignForm::from_pairs(&pairs);
        assert_eq!(form.categories, vec!["other", "ebike_in_stairwell"]);
        assert!(!form.fields.contains_key("csrf"));
        assert_eq!(
            form.to_entry("x")["categories"],
            serde_json::json!(["ebike_in_stairwell", "other"])
        );
    }
}
