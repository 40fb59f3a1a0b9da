use super::*;
use proptest::prelude::*;
use xinjing_contract::time::{days_from_civil, Date};

fn campaign(id: &str, priority: u8, start: &str, end: &str) -> Campaign {
    let text = |s: &str| Text {
        zh: s.into(),
        en: s.into(),
    };
    Campaign {
        id: id.into(),
        title: text(id),
        summary: text("summary"),
        rule: text("rule"),
        why: text("why"),
        instead: text("instead"),
        if_not: None,
        categories: vec![Category::Other],
        priority,
        start: Date::parse(start).unwrap(),
        end: Date::parse(end).unwrap(),
        icon: None,
        source: None,
    }
}

fn day(text: &str) -> Date {
    Date::parse(text).unwrap()
}

#[test]
fn bundled_feed_is_complete() {
    let parsed = parse_feed(BUNDLED_FEED).expect("bundled feed parses");
    assert_eq!(parsed.skipped, 0);
    let ids: Vec<&str> = parsed
        .feed
        .campaigns
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    for expected in [
        "ebike-stairwell",
        "flying-line-charging",
        "private-rewiring",
        "direct-power-supply",
        "clear-fire-escapes",
    ] {
        assert!(ids.contains(&expected), "missing {expected}");
    }
    for c in &parsed.feed.campaigns {
        assert!(
            !c.categories.is_empty(),
            "{} has no category to report",
            c.id
        );
        for text in [&c.title, &c.summary, &c.rule, &c.why, &c.instead] {
            assert!(
                !text.zh.is_empty() && !text.en.is_empty(),
                "{} lacks a translation",
                c.id
            );
        }
    }
}

#[test]
fn bounds_are_inclusive() {
    let list = vec![campaign("a", 1, "2026-12-01", "2026-12-31")];
    assert!(active_on(&list, day("2026-11-30")).is_empty());
    assert_eq!(active_on(&list, day("2026-12-01")).len(), 1);
    assert_eq!(active_on(&list, day("2026-12-31")).len(), 1);
    assert!(active_on(&list, day("2027-01-01")).is_empty());
}

#[test]
fn shanghai_midnight_decides_not_utc() {
    // 2026-11-30T16:30Z is already 1 December in Shanghai, though still 30 November in UTC
    // (and in a phone set to Europe or America).
    let list = vec![
        campaign("ends-nov", 1, "2026-11-01", "2026-11-30"),
        campaign("starts-dec", 1, "2026-12-01", "2026-12-31"),
    ];
    let instant = 1_796_056_200_000.0;
    let today = Date::in_shanghai(instant);
    let ids: Vec<&str> = active_on(&list, today)
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(ids, ["starts-dec"]);
    let ids: Vec<&str> = active_on(&list, Date::in_shanghai(instant - 3_600_000.0))
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(ids, ["ends-nov"]);
}

#[test]
fn most_urgent_first_then_ending_soonest() {
    let list = vec![
        campaign("low", 1, "2026-01-01", "2026-12-31"),
        campaign("high-late", 5, "2026-01-01", "2026-12-31"),
        campaign("high-soon", 5, "2026-01-01", "2026-12-15"),
    ];
    let ids: Vec<&str> = active_on(&list, day("2026-12-01"))
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(ids, ["high-soon", "high-late", "low"]);
}

#[test]
fn display_order_is_the_active_order_before_filtering() {
    let list = vec![
        campaign("low", 1, "2026-01-01", "2026-12-31"),
        campaign("past", 9, "2025-01-01", "2025-12-31"),
        campaign("high-late", 5, "2026-01-01", "2026-12-31"),
        campaign("high-soon", 5, "2026-01-01", "2026-12-15"),
    ];
    let today = day("2026-12-01");
    let shown: Vec<&str> = in_display_order(&list)
        .into_iter()
        .filter(|c| c.is_active_on(today))
        .map(|c| c.id.as_str())
        .collect();
    let active: Vec<&str> = active_on(&list, today)
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(shown, active);
    assert_eq!(in_display_order(&list)[0].id, "past");
}

#[test]
fn details_in_reading_order_with_optional_sections() {
    let mut c = campaign("a", 1, "2026-01-01", "2026-12-31");
    let headings = |c: &Campaign| c.details().iter().map(|(m, _)| *m).collect::<Vec<_>>();
    assert_eq!(
        headings(&c),
        [Msg::DetailRule, Msg::DetailWhy, Msg::DetailInstead]
    );
    c.source = Some(c.why.clone());
    c.if_not = Some(c.why.clone());
    assert_eq!(
        headings(&c),
        [
            Msg::DetailRule,
            Msg::DetailWhy,
            Msg::DetailInstead,
            Msg::DetailIfNot,
            Msg::DetailSource
        ]
    );
}

#[test]
fn malformed_entries_are_skipped_not_fatal() {
    let json = r#"{"updated": "2026-11-20", "campaigns": [
        {"id": "ok", "title": {"zh": "标题"}, "summary": {"zh": "摘要"}, "rule": {"zh": "r"}, "why": {"zh": "w"}, "instead": {"zh": "i"},
         "categories": ["ebike_in_stairwell", "future_category"], "priority": 3, "start": "2026-01-01", "end": "2026-12-31"},
        {"id": "bad-date", "title": {"zh": "t"}, "summary": {"zh": "s"}, "rule": {"zh": "r"}, "why": {"zh": "w"}, "instead": {"zh": "i"}, "start": "2026-13-01", "end": "2026-12-31"},
        {"id": "reversed", "title": {"zh": "t"}, "summary": {"zh": "s"}, "rule": {"zh": "r"}, "why": {"zh": "w"}, "instead": {"zh": "i"}, "start": "2026-12-31", "end": "2026-01-01"},
        {"id": "", "title": {"zh": "t"}, "summary": {"zh": "s"}, "rule": {"zh": "r"}, "why": {"zh": "w"}, "instead": {"zh": "i"}, "start": "2026-01-01", "end": "2026-01-01"},
        "not an object", 42, null
    ]}"#;
    let parsed = parse_feed(json).unwrap();
    assert_eq!(parsed.skipped, 6);
    assert_eq!(parsed.feed.updated, Some(day("2026-11-20")));
    let only = &parsed.feed.campaigns[0];
    assert_eq!(only.categories, vec![Category::EbikeInStairwell]);
    assert_eq!(
        only.title.get(Lang::En),
        "标题",
        "English falls back to Chinese"
    );
}

#[test]
fn malformed_documents_are_errors() {
    assert_eq!(parse_feed("<html>"), Err(FeedError::NotJson));
    assert_eq!(parse_feed("[]"), Err(FeedError::NoCampaignList));
    assert_eq!(
        parse_feed(r#"{"campaigns": {}}"#),
        Err(FeedError::NoCampaignList)
    );
    assert_eq!(
        parse_feed(r#"{"campaigns": []}"#)
            .unwrap()
            .feed
            .campaigns
            .len(),
        0
    );
}

proptest! {
    #[test]
    fn selection_is_exactly_the_running_ones(
        spans in proptest::collection::vec((0i64..400, 0i64..60, 0u8..5), 0..12),
        offset in 0i64..460,
    ) {
        let base = days_from_civil(day("2026-01-01"));
        let to_date = |d: i64| Date::in_shanghai(((base + d) * 86_400_000) as f64);
        let list: Vec<Campaign> = spans.iter().enumerate().map(|(i, (start, len, prio))| {
            let mut c = campaign(&format!("c{i}"), *prio, "2026-01-01", "2026-01-01");
            c.start = to_date(*start);
            c.end = to_date(start + len);
            c
        }).collect();
        let today = to_date(offset);
        let active = active_on(&list, today);
        for c in &list {
            prop_assert_eq!(active.iter().any(|a| a.id == c.id), c.start <= today && today <= c.end);
        }
        for pair in active.windows(2) {
            prop_assert!(pair[0].priority >= pair[1].priority);
        }
    }

    #[test]
    fn parse_feed_never_panics(text in "\\PC{0,200}") {
        let _ = parse_feed(&text);
    }
}

const GOOD: &str = r#"{"campaigns": [{"id": "x", "title": {"zh": "标题"}, "summary": {"zh": "摘要"}, "rule": {"zh": "r"}, "why": {"zh": "w"}, "instead": {"zh": "i"}, "start": "2026-01-01", "end": "2026-12-31"}]}"#;

#[test]
fn fresh_then_saved_then_bundled() {
    let cached = serde_json::to_string(&CachedFeed {
        saved_ms: 5.0,
        json: GOOD.into(),
    })
    .unwrap();
    let (feed, note) = choose_feed(Some(GOOD), Some(&cached));
    assert_eq!((feed.campaigns.len(), note), (1, None));
    let (feed, note) = choose_feed(Some("<html>502</html>"), Some(&cached));
    assert_eq!(
        (feed.campaigns[0].id.as_str(), note),
        ("x", Some(FeedNote::Saved { saved_ms: 5.0 }))
    );
    let (feed, note) = choose_feed(None, Some("corrupt"));
    assert_eq!((feed, note), (bundled_feed(), Some(FeedNote::Bundled)));
}
