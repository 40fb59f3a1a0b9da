//! The published contract (`docs/openapi.json`) and the Rust types agree: every documented
//! example round-trips through the types unchanged, passes the rules, and the documented
//! enums and limits are the constants the code checks.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use xinjing_contract::report::{self, validate_report, Category, ReportPayload};
use xinjing_contract::{Accepted, ErrorBody, Feedback, Similar, StatusAnswer, TicketStatus};

fn openapi() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("docs/openapi.json")).unwrap()
}

fn schema(name: &str) -> Value {
    openapi()["components"]["schemas"][name].clone()
}

fn round_trip<T: DeserializeOwned + Serialize>(name: &str) -> Vec<T> {
    let examples = schema(name)["examples"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!examples.is_empty(), "{name} has documented examples");
    examples
        .into_iter()
        .map(|example| {
            let typed: T = serde_json::from_value(example.clone())
                .unwrap_or_else(|e| panic!("{name} example does not parse: {e}\n{example}"));
            assert_eq!(
                serde_json::to_value(&typed).unwrap(),
                example,
                "{name} round trip"
            );
            typed
        })
        .collect()
}

#[test]
fn documented_examples_round_trip() {
    for report in round_trip::<ReportPayload>("Report") {
        assert_eq!(validate_report(&report, &[]), vec![], "{report:?}");
    }
    round_trip::<Accepted>("Accepted");
    round_trip::<StatusAnswer>("Status");
    round_trip::<Feedback>("Feedback");
    round_trip::<ErrorBody>("Error");
    round_trip::<Similar>("Similar");
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn enums_and_limits_match_the_code() {
    let categories: Vec<String> = Category::ALL.iter().map(|c| c.code().to_owned()).collect();
    assert_eq!(strings(&schema("Category")["enum"]), categories);
    let statuses: Vec<String> = TicketStatus::ALL
        .iter()
        .map(|s| s.code().to_owned())
        .collect();
    assert_eq!(strings(&schema("TicketStatus")["enum"]), statuses);

    let report = schema("Report");
    let props = &report["properties"];
    assert_eq!(props["schema"]["const"], report::SCHEMA);
    let location = &props["location"]["properties"];
    assert_eq!(location["community"]["maxLength"], report::COMMUNITY_MAX);
    assert_eq!(location["building"]["maxLength"], report::BUILDING_MAX);
    assert_eq!(location["detail"]["maxLength"], report::SPOT_MAX);
    assert_eq!(props["description"]["minLength"], report::DESCRIPTION_MIN);
    assert_eq!(props["description"]["maxLength"], report::DESCRIPTION_MAX);
    assert_eq!(props["photos"]["maxItems"], report::MAX_PHOTOS);
    let photo = &props["photos"]["items"]["properties"];
    assert_eq!(photo["mime"]["const"], report::PHOTO_MIME);
    assert_eq!(photo["width"]["maximum"], report::PHOTO_MAX_EDGE);
    assert_eq!(photo["height"]["maximum"], report::PHOTO_MAX_EDGE);
    assert_eq!(photo["data"]["maxLength"], report::PHOTO_BASE64_MAX);
    assert_eq!(props["campaign_id"]["maxLength"], report::CAMPAIGN_ID_MAX);
    let consent = &props["consent"]["properties"];
    assert_eq!(
        consent["notice_version"]["maxLength"],
        report::NOTICE_VERSION_MAX
    );
    let client = &props["client"]["properties"];
    assert_eq!(client["version"]["maxLength"], report::CLIENT_VERSION_MAX);
    let contact = &props["contact"]["oneOf"][1]["properties"];
    assert_eq!(contact["name"]["maxLength"], report::NAME_MAX);
    assert_eq!(
        schema("Feedback")["properties"]["comment"]["maxLength"],
        xinjing_contract::ticket::COMMENT_MAX
    );
}

#[test]
fn status_and_feedback_name_the_report_key_header() {
    let doc = openapi();
    for (path, method) in [("/{ticket}", "get"), ("/{ticket}/feedback", "post")] {
        let params = doc["paths"][path][method]["parameters"].as_array().unwrap();
        assert!(
            params
                .iter()
                .any(|p| p["name"] == xinjing_contract::REPORT_KEY_HEADER
                    && p["in"] == "header"
                    && p["required"] == true),
            "{path} {method}"
        );
    }
}
