//! The feed and config readers' rules, run on both sides of `xinjing_core::json`: natively over
//! `serde_json::Value` (`cargo test`) and in headless Chromium over the engine's
//! `JSON.parse` (`cargo test --target wasm32-unknown-unknown --test json_rules`); and the
//! status answer's optional progress, read and worded the same on both sides.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use xinjing_core::campaign::{parse_feed, FeedError};
use xinjing_core::config::{parse_config, ConfigError};
use xinjing_core::follow_up::{history_lines, latest_progress};
use xinjing_core::i18n::Lang;
use xinjing_core::my_reports::parse_status;
use xinjing_core::report::Category;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test_configure!(run_in_browser);

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_malformed_entry_is_skipped_and_the_rest_read() {
    let json = r#"{"updated": "2026-11-20", "campaigns": [
        {"id": "ok", "title": {"zh": "标题"}, "summary": {"zh": "摘要"}, "rule": {"zh": "r"}, "why": {"zh": "w"}, "instead": {"zh": "i"},
         "categories": ["ebike_in_stairwell", "future_category"], "priority": 3, "start": "2026-01-01", "end": "2026-12-31", "extra": {"a": 1}},
        {"id": "bad-date", "title": {"zh": "t"}, "summary": {"zh": "s"}, "rule": {"zh": "r"}, "why": {"zh": "w"}, "instead": {"zh": "i"}, "start": "2026-13-01", "end": "2026-12-31"},
        {"id": "bad-priority", "title": {"zh": "t"}, "summary": {"zh": "s"}, "rule": {"zh": "r"}, "why": {"zh": "w"}, "instead": {"zh": "i"}, "priority": 3.5, "start": "2026-01-01", "end": "2026-12-31"},
        {"id": "null-en", "title": {"zh": "t", "en": null}, "summary": {"zh": "s"}, "rule": {"zh": "r"}, "why": {"zh": "w"}, "instead": {"zh": "i"}, "start": "2026-01-01", "end": "2026-12-31"},
        {"id": "ok", "title": {"zh": "dup"}, "summary": {"zh": "s"}, "rule": {"zh": "r"}, "why": {"zh": "w"}, "instead": {"zh": "i"}, "start": "2026-01-01", "end": "2026-12-31"},
        "not an object", 42, null, ["id"]
    ]}"#;
    let parsed = parse_feed(json).unwrap();
    assert_eq!(parsed.skipped, 8);
    let only = &parsed.feed.campaigns[0];
    assert_eq!(only.categories, vec![Category::EbikeInStairwell]);
    assert_eq!(
        (only.priority, only.if_not.clone(), only.icon.clone()),
        (3, None, None)
    );
    assert_eq!(only.title.get(Lang::En), "标题");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn malformed_documents_are_errors() {
    assert_eq!(parse_feed("<html>"), Err(FeedError::NotJson));
    assert_eq!(parse_feed("[]"), Err(FeedError::NoCampaignList));
    assert_eq!(
        parse_feed(r#"{"campaigns": {}}"#),
        Err(FeedError::NoCampaignList)
    );
    assert_eq!(
        parse_feed(r#"{"updated": 5, "campaigns": []}"#),
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

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn config_keys_absent_null_or_of_the_wrong_type() {
    let config = parse_config(
        r#"{"endpoint": "mock", "campaigns_url": null, "theme": {"title": {"zh": "标题"}}, "privacy": {"purpose": null}}"#,
        &[],
    )
    .unwrap();
    assert_eq!(config.campaigns_url, None);
    assert_eq!(config.theme.title.unwrap().en, "");
    assert_eq!(config.privacy.notice_version, "1");
    for wrong in [
        r#"{"endpoint": 5}"#,
        r#"{"endpoint": "mock", "communities": null}"#,
        r#"{"endpoint": "mock", "communities": ["a", 1]}"#,
        r#"{"endpoint": "mock", "privacy": null}"#,
        r#"{"endpoint": "mock", "timeout_ms": "5000"}"#,
        r#"["mock"]"#,
        "{",
    ] {
        assert_eq!(
            parse_config(wrong, &[]),
            Err(vec![ConfigError::NotJson]),
            "{wrong}"
        );
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn progress_steps_are_worded_in_the_phones_language_and_optional() {
    let dispatched = r#"{"status":"in_progress","at":"2026-11-30T10:00:00+08:00","note":"已转交","step":"dispatched","unit_kind":"property","due":"2026-12-10T09:00:00+08:00"}"#;
    let answer = |steps: &str| {
        parse_status(&format!(r#"{{"status":"resolved","history":[{steps}]}}"#)).unwrap()
    };
    let sent = answer(dispatched);
    assert_eq!(
        latest_progress(&sent.history, Lang::Zh).as_deref(),
        Some("已转交物业公司处理，要求 12月10日前整改完毕")
    );
    assert_eq!(
        latest_progress(&sent.history, Lang::En).as_deref(),
        Some("Passed to the property company, due 10 Dec")
    );
    let checked = answer(&format!(
        r#"{dispatched},{{"status":"resolved","at":"2026-12-09T16:00:00+08:00","step":"checked"}}"#
    ));
    assert_eq!(
        latest_progress(&checked.history, Lang::Zh).as_deref(),
        Some("已整改，社区已复查")
    );
    let lines = history_lines(&checked.history, Lang::En);
    assert_eq!(lines[1].what, "Resolved · Fixed, checked by the committee");
    // A due time 23:30 UTC on the 9th is the 10th in Shanghai.
    let late = answer(
        r#"{"status":"in_progress","at":"2026-11-30T10:00:00+08:00","step":"dispatched","unit_kind":"enforcement","due":"2026-12-09T23:30:00Z"}"#,
    );
    assert_eq!(
        latest_progress(&late.history, Lang::En).as_deref(),
        Some("Passed to the enforcement team, due 10 Dec")
    );
    // A kind of unit or step this build does not know, no due time, no step at all (an
    // endpoint that sends none of it), or a reopening since: no progress, and no failure.
    let unknown = answer(
        r#"{"status":"in_progress","at":"2026-11-30T10:00:00+08:00","step":"dispatched","unit_kind":"drone_team"}"#,
    );
    assert_eq!(
        latest_progress(&unknown.history, Lang::Zh).as_deref(),
        Some("已转交相关单位处理")
    );
    let future = answer(
        r#"{"status":"in_progress","at":"2026-11-30T10:00:00+08:00","step":"inspected_by_drone"}"#,
    );
    assert_eq!(latest_progress(&future.history, Lang::Zh), None);
    let plain = answer(r#"{"status":"in_progress","at":"2026-11-30T10:00:00+08:00"}"#);
    assert_eq!(latest_progress(&plain.history, Lang::Zh), None);
    assert_eq!(
        parse_status(r#"{"status":"received"}"#)
            .unwrap()
            .after_photo,
        None
    );
    let reopened = answer(&format!(
        r#"{dispatched},{{"status":"received","at":"2026-12-11T09:00:00+08:00","reopened":true}}"#
    ));
    assert_eq!(latest_progress(&reopened.history, Lang::En), None);
}
