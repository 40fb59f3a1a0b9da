//! The feed and config readers' rules, run on both sides of `xinjing_core::json`: natively over
//! `serde_json::Value` (`cargo test`) and in headless Chromium over the engine's
//! `JSON.parse` (`cargo test --target wasm32-unknown-unknown --test json_rules`); the
//! status answer's optional progress, read and worded the same on both sides; and the
//! records the phone stores, written by hand and read back, as older builds (serde_json)
//! wrote them too.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use xinjing_core::campaign::{parse_feed, FeedError};
use xinjing_core::config::{parse_config, ConfigError};
use xinjing_core::follow_up::{history_lines, latest_progress};
use xinjing_core::i18n::Lang;
use xinjing_core::json::ToJson;
use xinjing_core::my_reports::{parse_records, parse_status};
use xinjing_core::outbox::{classify, load, parse_entry, Answer, Fault, Outcome, TicketStatus};
use xinjing_core::report::{
    Category, ClientInfo, Consent, Contact, Location, Photo, ReportPayload,
};
use xinjing_core::similar::parse_similar;

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

fn report() -> ReportPayload {
    ReportPayload {
        schema: "xinjing.report/1".into(),
        id: "6f1c2a3b-0000-4000-8000-00000000000a".into(),
        created_at: "2026-11-30T09:00:00+08:00".into(),
        category: Category::FlyingLineCharging,
        campaign_id: None,
        location: Location {
            community: "示例一村（演示）".into(),
            building: "3号楼".into(),
            detail: "一楼\t楼道/东侧".into(),
        },
        description: "有人\"飞线\"充电\\🔥\n\u{1}\u{7f}\u{2028}".into(),
        photos: vec![Photo {
            mime: "image/jpeg".into(),
            width: 1600,
            height: 1200,
            data: "/9j/AA==".into(),
        }],
        contact: Some(Contact {
            name: "王阿姨".into(),
            phone: "13912345678".into(),
        }),
        consent: Consent {
            contact: true,
            notice_version: "1".into(),
        },
        locale: "zh-CN".into(),
        client: ClientInfo {
            version: "0.1.0".into(),
        },
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn the_report_is_written_as_serde_json_wrote_it_and_reads_back() {
    let body = report().to_json();
    assert_eq!(
        body,
        concat!(
            r#"{"schema":"xinjing.report/1","id":"6f1c2a3b-0000-4000-8000-00000000000a","#,
            r#""created_at":"2026-11-30T09:00:00+08:00","category":"flying_line_charging","#,
            r#""location":{"community":"示例一村（演示）","building":"3号楼","detail":"一楼\t楼道/东侧"},"#,
            // DEL and U+2028 as they are; control characters as `\u00xx`.
            "\"description\":\"有人\\\"飞线\\\"充电\\\\🔥\\n\\u0001\u{7f}\u{2028}\",",
            r#""photos":[{"mime":"image/jpeg","width":1600,"height":1200,"data":"/9j/AA=="}],"#,
            r#""contact":{"name":"王阿姨","phone":"13912345678"},"#,
            r#""consent":{"contact":true,"notice_version":"1"},"locale":"zh-CN","client":{"version":"0.1.0"}}"#
        )
    );
    // An entry as an older build kept it: the body inline, no glimpse, no endpoint.
    let old = format!(
        r#"{{"id":"r1","body":{},"queued_at_ms":1796000000000.0,"attempts":2,"next_attempt_ms":1796000005000.0,"lease_at_ms":0.0,"lease_until_ms":0.0,"attempted_at_ms":0.0,"not_before_ms":null,"last_error":"HTTP 503","fault":null,"refused":null}}"#,
        serde_like_string(&body)
    );
    let entry = parse_entry(&old).unwrap();
    assert_eq!((entry.attempts, entry.glimpse.clone()), (2, None));
    assert_eq!(entry.payload(), Some(report()));
    assert_eq!(entry.body, body);
    assert_eq!(parse_entry(&entry.to_json()), Some(entry.clone()));
    let faulty = old.replace(r#""fault":null"#, r#""fault":"no_ticket""#);
    assert_eq!(parse_entry(&faulty).unwrap().fault, Some(Fault::NoTicket));
    for broken in [
        old.replace(r#""id":"r1","#, ""),
        old.replace(r#""fault":null"#, r#""fault":"gone""#),
        old.replace(r#""attempts":2"#, r#""attempts":-2"#),
        old.replace(
            r#""queued_at_ms":1796000000000.0"#,
            r#""queued_at_ms":null"#,
        ),
        "[]".to_owned(),
    ] {
        assert_eq!(parse_entry(&broken), None, "{broken}");
    }
    // A time the browser's JSON.parse reads as Infinity (serde_json refuses the whole text):
    // set aside at load, as an older build did, not claimed and then rewritten as `null`.
    for (field, kept) in [
        ("queued_at_ms", "1796000000000.0"),
        ("attempted_at_ms", "0.0"),
    ] {
        let infinite = old.replace(
            &format!(r#""{field}":{kept}"#),
            &format!(r#""{field}":1e400"#),
        );
        let loaded = load(vec![("r1".to_owned(), infinite)]);
        assert_eq!(
            (loaded.entries.len(), loaded.unreadable.len()),
            (0, 1),
            "{field}"
        );
    }
}

/// A JSON string of `text`, written by the hand writer (checked against serde_json natively).
fn serde_like_string(text: &str) -> String {
    let mut out = String::new();
    xinjing_core::json::write::string(&mut out, text);
    out
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn tickets_kept_by_older_builds_read_and_bad_ones_are_skipped() {
    let list = r#"[
        {"ticket":"XJ-20261130-0001","id":"a","created_at":"2026-11-30T09:00:00+08:00","category":"other","community":"示例一村","excerpt":"x","status":"resolved","updated_at":null,"note":null,"satisfied":null},
        {"ticket":null,"id":"b","created_at":"2026-11-30T09:00:00+08:00","category":"other","community":"c","excerpt":"y","status":null,"history":[{"status":"received","at":"t","reopened":true}],"pending_verdict":{"key":"k","satisfied":false}},
        {"id":"c","created_at":"t","category":"spaceship","community":"c","excerpt":"z","status":null},
        {"id":5}, "x", null
    ]"#;
    let records = parse_records(list);
    assert_eq!(records.len(), 2);
    assert!(records[0].can_give_feedback());
    assert!(records[1].history[0].reopened);
    assert_eq!(
        records[1].pending_verdict.as_ref().unwrap().body(),
        r#"{"satisfied":false}"#
    );
    assert_eq!(parse_records(&records.to_json()), records);
    assert_eq!(parse_records("{}"), vec![]);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn the_endpoints_answers_are_read_as_the_contract_says() {
    let answer = |code: u16, body: &str| Answer::Status {
        code,
        retry_after: None,
        body: body.into(),
    };
    assert_eq!(
        classify(
            &answer(
                201,
                r#"{"ticket":"XJ-20261130-0001","status":"received","extra":[1]}"#
            ),
            0.0
        ),
        Outcome::Accepted {
            ticket: "XJ-20261130-0001".into(),
            status: Some(TicketStatus::Received)
        }
    );
    for no_ticket in [
        r#"{"ticket":"XJ-20261130-0001","status":"closed"}"#,
        r#"{"status":"received"}"#,
        "<html>",
        r#"{"ticket":5}"#,
    ] {
        assert_eq!(
            classify(&answer(200, no_ticket), 0.0),
            Outcome::Fault(Fault::NoTicket),
            "{no_ticket}"
        );
    }
    assert_eq!(
        classify(
            &answer(
                422,
                r#"{"error":{"code":"too_short:description","message":"描述太短","ref":"abc"}}"#
            ),
            0.0
        ),
        Outcome::Refused {
            message: "描述太短".into()
        }
    );
    for not_ours in [
        r#"{"error":{"message":"no code"}}"#,
        r#"{"error":"x"}"#,
        "Forbidden",
    ] {
        assert_eq!(
            classify(&answer(403, not_ours), 0.0),
            Outcome::Fault(Fault::NoErrorBody),
            "{not_ours}"
        );
    }
    let similar = parse_similar(r#"{"count":2,"tickets":["XJ-20261130-0001"]}"#).unwrap();
    assert_eq!((similar.count, similar.tickets.len()), (2, 1));
    assert_eq!(parse_similar(r#"{"count":2.5}"#), None);
    assert_eq!(parse_similar(r#"{"count":1,"tickets":null}"#), None);
}
