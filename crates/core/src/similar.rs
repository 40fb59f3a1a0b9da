//! The duplicate hint before sending: once the resident has chosen the place and the kind of
//! hazard, the form asks the endpoint for open reports like it and says, politely, that
//! they are being handled. Asked once per distinct place and kind; an answer that is
//! missing, wrong or late shows nothing, and sending never waits for it.

use super::i18n::{fill, Lang, Msg};
use super::report::{Category, Draft};
use xinjing_contract::ticket::is_plain_ticket;
use xinjing_contract::Similar;

/// How long the form waits after the last change before asking (typing a building name).
pub const SIMILAR_DEBOUNCE_MS: u32 = 700;
/// Tickets named in the hint; the count says how many there are in all.
const TICKETS_SHOWN: usize = 3;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimilarQuery {
    pub community: String,
    pub building: String,
    pub category: Category,
}

impl SimilarQuery {
    /// The question the draft asks, once community, building and category are all chosen.
    pub fn from_draft(draft: &Draft) -> Option<SimilarQuery> {
        let (community, building) = (draft.community.trim(), draft.building.trim());
        let category = draft.category?;
        if community.is_empty() || building.is_empty() {
            return None;
        }
        Some(SimilarQuery {
            community: community.to_owned(),
            building: building.to_owned(),
            category,
        })
    }

    /// `{endpoint}/similar?community=…&building=…&category=…`.
    pub fn url(&self, endpoint: &str) -> String {
        format!(
            "{endpoint}/similar?community={}&building={}&category={}",
            encode(&self.community),
            encode(&self.building),
            self.category.code()
        )
    }
}

/// Percent-encodes a query value as `encodeURIComponent` does.
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// What the form has asked so far and the answers, kept while one report is filled in so
/// the same place and kind is asked once (emptied with the form after a send).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SimilarHints {
    asked: Vec<(SimilarQuery, Option<Similar>)>,
}

impl SimilarHints {
    /// Records that `query` is being asked; false if it was asked before.
    pub fn begin(&mut self, query: &SimilarQuery) -> bool {
        if self.asked.iter().any(|(q, _)| q == query) {
            return false;
        }
        self.asked.push((query.clone(), None));
        true
    }

    /// The answer, or `None` for anything else (404, failure, offline, not JSON).
    pub fn answered(&mut self, query: &SimilarQuery, similar: Option<Similar>) {
        if let Some(slot) = self.asked.iter_mut().find(|(q, _)| q == query) {
            slot.1 = similar;
        }
    }

    /// The hint for the draft's place and kind, if its answer named any.
    pub fn hint(&self, query: Option<&SimilarQuery>, lang: Lang) -> Option<String> {
        let query = query?;
        let (_, answer) = self.asked.iter().find(|(q, _)| q == query)?;
        hint_text(answer.as_ref()?, lang)
    }
}

/// The body of a 2xx answer to the question, if it is the contract's `Similar`.
pub fn parse_similar(body: &str) -> Option<Similar> {
    crate::json::parse(body, xinjing_contract::ticket::read_similar)
}

/// "2 similar reports here are being handled: XJ-…, XJ-…. You can still send yours."
pub fn hint_text(similar: &Similar, lang: Lang) -> Option<String> {
    // A server's ticket text is shown on screen: only plain ticket numbers.
    let tickets: Vec<&str> = similar
        .tickets
        .iter()
        .map(String::as_str)
        .filter(|t| is_plain_ticket(t))
        .collect();
    let count = (similar.count as usize).max(tickets.len());
    if count == 0 {
        return None;
    }
    let mut list = tickets[..tickets.len().min(TICKETS_SHOWN)].join(lang.pick("、", ", "));
    if tickets.len() > TICKETS_SHOWN {
        list.push('…');
    }
    let template = match (count, list.is_empty()) {
        (1, false) => Msg::SimilarOne,
        (_, false) => Msg::SimilarMany,
        (_, true) => Msg::SimilarCount,
    };
    let lead = fill(
        template.text(lang),
        &[("n", &count.to_string()), ("tickets", &list)],
    );
    Some(format!("{lead}{}", Msg::SimilarStillSend.text(lang)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn draft(community: &str, building: &str, category: Option<Category>) -> Draft {
        Draft {
            community: community.into(),
            building: building.into(),
            category,
            ..Draft::default()
        }
    }

    fn similar(count: u32, tickets: &[&str]) -> Similar {
        Similar {
            count,
            tickets: tickets.iter().map(|t| t.to_string()).collect(),
        }
    }

    #[test]
    fn asks_only_once_all_three_are_chosen() {
        let cat = Some(Category::BlockedFireEscape);
        assert_eq!(SimilarQuery::from_draft(&draft("", "5号楼", cat)), None);
        assert_eq!(SimilarQuery::from_draft(&draft("示例二苑", " ", cat)), None);
        assert_eq!(
            SimilarQuery::from_draft(&draft("示例二苑", "5号楼", None)),
            None
        );
        let query = SimilarQuery::from_draft(&draft(" 示例二苑（演示） ", "5号楼 ", cat)).unwrap();
        assert_eq!(
            query.url("https://x.cn/v1/reports"),
            "https://x.cn/v1/reports/similar?community=%E7%A4%BA%E4%BE%8B%E4%BA%8C%E8%8B%91%EF%BC%88%E6%BC%94%E7%A4%BA%EF%BC%89&building=5%E5%8F%B7%E6%A5%BC&category=blocked_fire_escape"
        );
        assert_eq!(encode("a&b=c d/e?"), "a%26b%3Dc%20d%2Fe%3F");
    }

    #[test]
    fn one_request_per_distinct_place_and_kind() {
        let mut hints = SimilarHints::default();
        let a = SimilarQuery::from_draft(&draft("一村", "1号楼", Some(Category::Other))).unwrap();
        let b = SimilarQuery {
            building: "2号楼".into(),
            ..a.clone()
        };
        assert!(hints.begin(&a));
        assert!(!hints.begin(&a), "asked while the first is on the wire");
        assert_eq!(
            hints.hint(Some(&a), Lang::Zh),
            None,
            "nothing until answered"
        );
        hints.answered(
            &a,
            parse_similar(r#"{"count":1,"tickets":["XJ-20261130-0001"]}"#),
        );
        assert!(!hints.begin(&a));
        assert!(hints.begin(&b));
        hints.answered(&b, None); // 404, offline: silent
        assert_eq!(hints.hint(Some(&b), Lang::Zh), None);
        assert_eq!(
            hints.hint(Some(&a), Lang::En).as_deref(),
            Some("1 similar report here is being handled: XJ-20261130-0001. You can still send yours.")
        );
        assert_eq!(hints.hint(None, Lang::En), None);
        hints.answered(&a, parse_similar("<html>oops"));
        assert_eq!(hints.hint(Some(&a), Lang::En), None);
    }

    #[test]
    fn hint_texts() {
        let two = similar(2, &["XJ-20261128-0003", "XJ-20261130-0001"]);
        assert_eq!(
            hint_text(&two, Lang::Zh).unwrap(),
            "附近已有 2 条类似报告正在处理：XJ-20261128-0003、XJ-20261130-0001。您仍可提交本报告。"
        );
        assert_eq!(
            hint_text(&two, Lang::En).unwrap(),
            "2 similar reports here are being handled: XJ-20261128-0003, XJ-20261130-0001. You can still send yours."
        );
        assert_eq!(hint_text(&similar(0, &[]), Lang::Zh), None);
        assert_eq!(
            hint_text(&similar(4, &["<b>x</b>"]), Lang::En).unwrap(),
            "4 similar reports here are being handled. You can still send yours."
        );
        let five = similar(5, &["XJ-1", "XJ-2", "XJ-3", "XJ-4", "XJ-5"]);
        assert!(hint_text(&five, Lang::En)
            .unwrap()
            .contains("XJ-1, XJ-2, XJ-3…"));
    }

    proptest! {
        #[test]
        fn encoded_values_hold_no_query_syntax(value in "\\PC{0,40}") {
            let encoded = encode(&value);
            prop_assert!(!encoded.contains(['&', '=', '?', '#', ' ', '/', '+']));
            prop_assert!(encoded.is_ascii());
        }
    }
}
