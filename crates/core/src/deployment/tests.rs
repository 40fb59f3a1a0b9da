//! Names per deployment, and which records kept under the shared names are whose.

use super::*;
use crate::i18n::Lang;
use crate::report::{build_payload, Category, Draft, Envelope};

const A: &str = "https://a.example.cn/r";
const B: &str = "https://b.example.cn/r";

fn served(list: &[&str]) -> Vec<String> {
    list.iter().map(|c| (*c).to_owned()).collect()
}

/// A waiting report as the build phones run today keeps it: body inline, and the
/// endpoint it was queued for when `endpoint` is given.
fn legacy_record(community: &str, endpoint: Option<&str>) -> String {
    let draft = Draft {
        category: Some(Category::EbikeInStairwell),
        community: community.into(),
        building: "2号楼".into(),
        description: "三楼楼道有电动车充电".into(),
        ..Draft::default()
    };
    let envelope = Envelope {
        id: "6f1c2a3b-0000-4000-8000-000000000001".into(),
        created_at: "2026-11-30T10:00:00+08:00".into(),
        locale: Lang::Zh,
        notice_version: "2026-11",
        client_version: "0.1.0",
    };
    let payload = build_payload(&draft, &[], envelope).unwrap();
    let mut entry = OutboxEntry::new(&payload, 1_000.0);
    entry.endpoint = endpoint.map(str::to_owned);
    entry.to_json()
}

#[test]
fn a_report_kept_for_an_endpoint_goes_only_to_that_endpoint_and_the_root_sends_it_there() {
    let anywhere = served(&[]);
    let at = |endpoint, at_root| Taker {
        endpoint,
        communities: &anywhere,
        at_root,
    };
    let raw = legacy_record("示例一村", Some(A));
    assert!(at(A, false).report(&raw, 2_000.0).is_some());
    assert!(
        at(B, false).report(&raw, 2_000.0).is_none(),
        "another deployment off the root leaves it"
    );
    let (entry, _) = at(B, true)
        .report(&raw, 2_000.0)
        .expect("the root takes a report queued for any real endpoint");
    assert_eq!(
        entry.endpoint.as_deref(),
        Some(A),
        "and sends it to its own"
    );
}

#[test]
fn a_trailing_slash_is_the_same_endpoint_and_the_mock_is_never_the_roots_by_endpoint() {
    let anywhere = served(&[]);
    let a_slash = format!("{A}/");
    let a = Taker {
        endpoint: &a_slash,
        communities: &anywhere,
        at_root: false,
    };
    assert!(a
        .report(&legacy_record("示例一村", Some(A)), 2_000.0)
        .is_some());
    let root = Taker {
        endpoint: B,
        communities: &anywhere,
        at_root: true,
    };
    let mock = legacy_record("示例一村", Some(crate::config::MOCK_ENDPOINT));
    assert!(root.report(&mock, 2_000.0).is_none());
}

#[test]
fn a_report_without_an_endpoint_is_taken_by_its_community_or_else_by_the_root_only() {
    let raw = legacy_record("示例一村", None);
    let ours = served(&["示例一村"]);
    let theirs = served(&["别的村"]);
    let anywhere = served(&[]);
    let at = |communities, at_root| Taker {
        endpoint: A,
        communities,
        at_root,
    };
    assert!(at(&ours, false).report(&raw, 2_000.0).is_some());
    assert!(at(&theirs, false).report(&raw, 2_000.0).is_none());
    assert!(
        at(&theirs, true).report(&raw, 2_000.0).is_none(),
        "another town's, even at the root"
    );
    assert!(at(&anywhere, true).report(&raw, 2_000.0).is_some());
    assert!(
        at(&anywhere, false).report(&raw, 2_000.0).is_none(),
        "no way to tell: left alone"
    );
}

#[test]
fn a_taken_over_report_is_stamped_with_its_endpoint_and_kept_apart_from_its_body() {
    let communities = served(&["示例一村"]);
    let a = Taker {
        endpoint: A,
        communities: &communities,
        at_root: false,
    };
    let raw = legacy_record("示例一村", None);
    let (entry, body) = a.report(&raw, 2_000.0).unwrap();
    assert_eq!(entry.endpoint.as_deref(), Some(A));
    assert!(entry.body.is_empty());
    assert_eq!(entry.body_len, body.len());
    assert_eq!(body, parse_entry(&raw).unwrap().body);
    assert!(
        entry.summary().category.is_some(),
        "the waiting list draws it without the body"
    );
}

#[test]
fn a_report_an_older_tab_is_sending_is_left_until_its_lease_ends() {
    let anywhere = served(&[]);
    let a = Taker {
        endpoint: A,
        communities: &anywhere,
        at_root: true,
    };
    let leased = parse_entry(&legacy_record("示例一村", Some(A)))
        .unwrap()
        .leased(2_000.0, 30_000.0)
        .to_json();
    assert!(a.report(&leased, 3_000.0).is_none());
    assert!(a.report(&leased, 40_000.0).is_some());
    assert!(a.report("{not json", 3_000.0).is_none());
}

#[test]
fn tickets_and_a_draft_are_taken_over_by_the_same_rule() {
    let ours = served(&["示例一村"]);
    let a = Taker {
        endpoint: A,
        communities: &ours,
        at_root: false,
    };
    let ticket = |endpoint: Option<&str>| {
        let mut json = serde_json::json!({
            "ticket": "XJ-20261130-0001", "id": "x", "created_at": "2026-11-30T10:00:00+08:00",
            "category": "ebike_in_stairwell", "community": "别的村", "excerpt": "…", "status": null,
        });
        if let Some(endpoint) = endpoint {
            json["endpoint"] = endpoint.into();
        }
        json.to_string()
    };
    assert!(a.ticket(&ticket(Some(A))).is_some());
    assert!(a.ticket(&ticket(Some(B))).is_none());
    assert!(
        a.ticket(&ticket(None)).is_none(),
        "another community, no endpoint"
    );
    let draft = |community: &str| {
        serde_json::to_string(&Draft {
            community: community.into(),
            ..Draft::default()
        })
        .unwrap()
    };
    assert!(a.draft(&draft("示例一村")));
    assert!(!a.draft(&draft("别的村")));
}

#[test]
fn the_root_keeps_the_names_older_builds_used() {
    for path in ["/", "/index.html", ""] {
        assert_eq!(
            scoped_name("xinjing-safety", path),
            "xinjing-safety",
            "{path:?}"
        );
        assert_eq!(scoped_name("xj.draft", path), "xj.draft", "{path:?}");
    }
}

#[test]
fn two_folders_of_one_site_get_two_names() {
    let a = scoped_name("xinjing-safety", "/a/");
    let b = scoped_name("xinjing-safety", "/b/");
    assert_ne!(a, b);
    assert_ne!(a, "xinjing-safety");
    assert_eq!(a, "xinjing-safety@/a/");
}

#[test]
fn one_deployment_has_one_name_however_its_page_is_reached() {
    assert_eq!(
        scoped_name("xj.draft", "/a/index.html"),
        scoped_name("xj.draft", "/a/")
    );
    assert_eq!(
        scoped_name("xj.draft", "/town/xinjing/"),
        "xj.draft@/town/xinjing/"
    );
    // A sibling folder whose name starts the same is another deployment.
    assert_ne!(
        scoped_name("xj.draft", "/ab/"),
        scoped_name("xj.draft", "/a/")
    );
}

#[test]
fn clearing_the_root_without_a_config_leaves_the_waiting_reports_it_cannot_attribute() {
    let unknown = legacy_record("示例一村", None);
    let for_a = legacy_record("示例一村", Some(A));
    let mock = legacy_record("示例一村", Some(crate::config::MOCK_ENDPOINT));
    assert!(kept_on_root_clear(None, "outbox", &unknown));
    assert!(kept_on_root_clear(None, "outbox", &mock));
    assert!(
        !kept_on_root_clear(None, "outbox", &for_a),
        "the root's whatever its config"
    );
    let anywhere = served(&[]);
    let root = Taker {
        endpoint: B,
        communities: &anywhere,
        at_root: true,
    };
    assert!(!kept_on_root_clear(Some(&root), "outbox", &unknown));
}
