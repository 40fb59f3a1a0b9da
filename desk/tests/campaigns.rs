//! Campaigns edited in the desk, over HTTP: the feed serves the seeded campaigns, an admin's
//! invalid edit is refused with its message beside the field and what was typed kept, a
//! valid edit (and ending one) shows in the feed, and only admins reach the editor.

mod common;

use common::staff::{add_account, csrf_in, Browser};
use common::{corrupt, fake_dist, Answer, TestEnv};
use serde_json::{json, Value};
use xinjing_desk::campaigns::form::CampaignForm;

const BUNDLED: &str = include_str!("../../public/campaigns.json");

fn bundled() -> Value {
    serde_json::from_str(BUNDLED).unwrap()
}

async fn feed(http: &reqwest::Client, url: &str) -> (Value, String) {
    let response = http
        .get(format!("{url}/campaigns.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-cache");
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    (response.json().await.unwrap(), etag)
}

/// The form of a bundled campaign as the edit page fills it in, with changes.
fn fields(id: &str, csrf: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let entry = bundled()["campaigns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()
        .clone();
    let form = CampaignForm::from_entry(&entry);
    let mut pairs: Vec<(String, String)> = vec![("csrf".into(), csrf.into())];
    for (k, v) in &form.fields {
        let v = changes
            .iter()
            .find(|(name, _)| name == k)
            .map_or(v.clone(), |(_, new)| new.to_string());
        pairs.push((k.clone(), v));
    }
    pairs.extend(
        form.categories
            .iter()
            .map(|c| ("categories".into(), c.clone())),
    );
    pairs
}

/// Posts a form whose fields (the CSRF token among them) were filled in by the test.
async fn post(browser: &mut Browser, path: &str, pairs: &[(String, String)]) -> Answer {
    let form: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    browser.post_raw(path, &form).await
}

async fn login(desk: &common::TestDesk, name: &str) -> Browser {
    let mut browser = Browser::new(desk);
    browser.login(name).await;
    browser
}

#[tokio::test]
async fn the_feed_serves_the_seeded_campaigns_and_the_widget_is_pointed_at_it() {
    let env = TestEnv::new().await;
    let dist = fake_dist(
        &env.dir.0,
        json!({"endpoint": "mock", "campaigns_url": "campaigns.json"}),
    );
    let desk = env.start(&[("DESK_DIST", dist.to_str().unwrap())]).await;
    let (served, etag) = feed(&desk.http, &desk.url).await;
    let ids = |feed: &Value| -> Vec<String> {
        feed["campaigns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(&served), ids(&bundled()));
    assert_eq!(served["campaigns"], bundled()["campaigns"]);
    // Unchanged: a 304 for the ETag the phone keeps.
    let again = desk
        .http
        .get(format!("{}/campaigns.json", desk.url))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    let config: Value = desk
        .http
        .get(format!("{}/config.json", desk.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        config["campaigns_url"],
        format!("{}/campaigns.json", desk.url)
    );
    desk.stop().await;
    // A second start does not seed again (nor duplicate anything).
    let desk = env.start(&[]).await;
    let (served, _) = feed(&desk.http, &desk.url).await;
    assert_eq!(ids(&served), ids(&bundled()));
    desk.stop().await;
}

#[tokio::test]
async fn an_invalid_edit_is_refused_with_its_message_and_keeps_what_was_typed() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    add_account(&desk, "admin", "admin", &[]).await;
    let mut admin = login(&desk, "admin").await;
    let (before, etag) = feed(&desk.http, &desk.url).await;
    let page = admin.get("/desk/campaigns/ebike-stairwell").await;
    assert_eq!(page.status, 200);
    assert!(
        page.text.contains("value=\"电动车不进楼道\""),
        "the form is filled in"
    );
    let csrf = csrf_in(&page.text).unwrap();
    let pairs = fields(
        "ebike-stairwell",
        &csrf,
        &[
            ("title_zh", ""),
            ("summary_zh", "我刚输入的新简介"),
            ("priority", "很急"),
            ("end", "2025-01-01"),
        ],
    );
    let page = post(&mut admin, "/desk/campaigns/ebike-stairwell", &pairs).await;
    assert_eq!(page.status, 422, "{}", page.text);
    // Each message beside its field, the field marked, what was typed still there.
    assert!(
        page.text.contains(
            "<p class=\"error\" id=\"title_zh-error\">请填写中文（英文可不填，会显示中文）</p>"
        ),
        "{}",
        page.text
    );
    assert!(page.text.contains(
        "id=\"title_zh\" type=\"text\" name=\"title_zh\" value=\"\" aria-invalid=\"true\""
    ));
    assert!(page
        .text
        .contains("<p class=\"error\" id=\"priority-error\">请填写 0 到 255 之间的整数"));
    assert!(page.text.contains("value=\"很急\""));
    assert!(page
        .text
        .contains("<p class=\"error\" id=\"end-error\">结束日期早于开始日期</p>"));
    assert!(page.text.contains(">我刚输入的新简介</textarea>"));
    // Nothing changed in the feed.
    let (after, etag_after) = feed(&desk.http, &desk.url).await;
    assert_eq!(after, before);
    assert_eq!(etag_after, etag);
    // In English too.
    let page = post(
        &mut admin,
        "/desk/campaigns/ebike-stairwell?lang=en",
        &pairs,
    )
    .await;
    assert!(page.text.contains("Chinese is required"), "{}", page.text);
    desk.stop().await;
}

#[tokio::test]
async fn an_edit_a_new_campaign_and_an_ended_one_show_in_the_feed_and_are_audited() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    add_account(&desk, "admin", "admin", &[]).await;
    let mut admin = login(&desk, "admin").await;
    let (_, etag) = feed(&desk.http, &desk.url).await;
    let csrf = csrf_in(&admin.get("/desk/campaigns").await.text).unwrap();

    let pairs = fields(
        "ebike-stairwell",
        &csrf,
        &[
            ("summary_zh", "冬季特别提醒：电动车一律不进楼道。"),
            ("priority", "9"),
        ],
    );
    let page = post(&mut admin, "/desk/campaigns/ebike-stairwell", &pairs).await;
    assert_eq!(page.status, 303, "{}", page.text);
    assert_eq!(
        page.header("location").as_deref(),
        Some("/desk/campaigns?saved=ebike-stairwell")
    );
    let (served, new_etag) = feed(&desk.http, &desk.url).await;
    assert_ne!(new_etag, etag);
    let entry = &served["campaigns"][0];
    assert_eq!(entry["summary"]["zh"], "冬季特别提醒：电动车一律不进楼道。");
    assert_eq!(
        entry["summary"]["en"],
        bundled()["campaigns"][0]["summary"]["en"]
    );
    assert_eq!(entry["priority"], 9);
    assert!(admin
        .get("/desk/campaigns?saved=ebike-stairwell")
        .await
        .text
        .contains("已保存"));

    // A new one, then ending it takes it out of the feed.
    let new = [
        ("csrf", csrf.as_str()),
        ("id", "winter-heaters"),
        ("title_zh", "取暖器远离可燃物"),
        ("summary_zh", "取暖器周围一米内不放衣物和纸箱。"),
        ("rule_zh", "取暖器不靠近窗帘、被褥。"),
        ("why_zh", "冬季火灾多由取暖引起。"),
        ("instead_zh", "人走断电。"),
        ("categories", "other"),
        ("priority", "3"),
        ("start", "2026-11-01"),
        ("end", "2027-02-28"),
        ("icon", "power"),
    ];
    let page = admin.post_raw("/desk/campaigns", &new).await;
    assert_eq!(page.status, 303, "{}", page.text);
    let (served, _) = feed(&desk.http, &desk.url).await;
    let created = served["campaigns"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(created["id"], "winter-heaters");
    assert_eq!(created["title"], json!({"zh": "取暖器远离可燃物"}));
    assert_eq!(created["categories"], json!(["other"]));
    // The same id again is refused beside the id field.
    let page = admin.post_raw("/desk/campaigns", &new).await;
    assert_eq!(page.status, 422);
    assert!(page.text.contains("id=\"id-error\">已有这个编号的宣传活动"));

    let page = admin
        .post_raw(
            "/desk/campaigns/winter-heaters/end",
            &[("csrf", &csrf), ("ended", "1")],
        )
        .await;
    assert_eq!(page.status, 303);
    let (served, _) = feed(&desk.http, &desk.url).await;
    assert!(served["campaigns"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["id"] != "winter-heaters"));
    assert!(admin.get("/desk/campaigns").await.text.contains("已结束"));

    let audit = desk.state().store.audit_entries(None, 50, 0).await.unwrap();
    let actions: Vec<(String, String, Option<String>)> = audit
        .iter()
        .filter(|e| e.action.starts_with("campaign_"))
        .map(|e| (e.actor.clone(), e.action.clone(), e.detail.clone()))
        .collect();
    for action in ["campaign_edit", "campaign_create", "campaign_end"] {
        assert!(
            actions
                .iter()
                .any(|(actor, a, _)| actor == "admin" && a == action),
            "{action}: {actions:?}"
        );
    }
    assert!(actions.iter().all(|(_, _, d)| d.is_some()));
    desk.stop().await;
}

#[tokio::test]
async fn only_admins_edit_campaigns_and_every_form_needs_its_token() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    add_account(&desk, "admin", "admin", &[]).await;
    add_account(&desk, "li", "staff", &["示例一村（演示）"]).await;
    let mut staff = login(&desk, "li").await;
    assert_eq!(staff.get("/desk/campaigns").await.status, 404);
    assert_eq!(
        staff.get("/desk/campaigns/ebike-stairwell").await.status,
        404
    );
    let csrf = csrf_in(&staff.get("/desk/posters").await.text).unwrap();
    let page = staff
        .post_raw(
            "/desk/campaigns/ebike-stairwell/end",
            &[("csrf", &csrf), ("ended", "1")],
        )
        .await;
    assert_eq!(page.status, 404);
    // Not logged in: to the login page.
    let anonymous = desk
        .http
        .get(format!("{}/desk/campaigns", desk.url))
        .send()
        .await
        .unwrap();
    assert!(anonymous.url().path().starts_with("/desk/login"));
    // An admin's form without its token is refused, and nothing ends.
    let mut admin = login(&desk, "admin").await;
    let page = admin
        .post_raw("/desk/campaigns/ebike-stairwell/end", &[("ended", "1")])
        .await;
    assert_eq!(page.status, 403);
    let (served, _) = feed(&desk.http, &desk.url).await;
    assert_eq!(served["campaigns"].as_array().unwrap().len(), 5);
    desk.stop().await;
}

#[tokio::test]
async fn a_stored_entry_that_is_not_json_is_an_error_not_null() {
    let env = TestEnv::new().await;
    let dist = fake_dist(
        &env.dir.0,
        json!({"endpoint": "mock", "campaigns_url": "campaigns.json"}),
    );
    let desk = env.start(&[("DESK_DIST", dist.to_str().unwrap())]).await;
    let id = bundled()["campaigns"][0]["id"].as_str().unwrap().to_owned();
    corrupt(
        &env,
        "UPDATE campaigns SET entry = 'not json' WHERE id = $1",
        &id,
    )
    .await;
    let read = desk.state().store.campaign(&id).await;
    assert!(
        matches!(read, Err(xinjing_desk::store::StoreError::Db(_))),
        "{read:?}"
    );
    desk.stop().await;
}

#[tokio::test]
async fn an_ended_campaign_is_gone_from_the_first_paint_the_desk_serves() {
    let env = TestEnv::new().await;
    let dist = fake_dist(
        &env.dir.0,
        json!({"endpoint": "mock", "campaigns_url": "campaigns.json", "communities": ["示例二苑（演示）"]}),
    );
    // A build's page: its static first paint between the build's markers.
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>新泾安全随手报</title><div id=\"xinjing-safety\"><!-- xj-static --><p>campaigns of the build</p><!-- /xj-static --></div>",
    )
    .unwrap();
    let desk = env.start(&[("DESK_DIST", dist.to_str().unwrap())]).await;
    let page = |path: &'static str| {
        let request = desk.http.get(format!("{}{path}", desk.url)).send();
        async move { request.await.unwrap().text().await.unwrap() }
    };
    let id = bundled()["campaigns"][0]["id"].as_str().unwrap().to_owned();
    let card = format!("data-campaign=\"{id}\"");
    for path in ["/", "/index.html"] {
        let html = page(path).await;
        assert!(html.contains(&card), "{path}: {html}");
        assert!(!html.contains("campaigns of the build"));
        // The static report form, with the desk's areas.
        assert!(html.contains("<option value=\"示例二苑（演示）\">"));
    }

    add_account(&desk, "admin", "admin", &[]).await;
    let mut admin = login(&desk, "admin").await;
    let csrf = csrf_in(&admin.get("/desk/campaigns").await.text).unwrap();
    let ended = admin
        .post_raw(
            &format!("/desk/campaigns/{id}/end"),
            &[("csrf", &csrf), ("ended", "1")],
        )
        .await;
    assert_eq!(ended.status, 303);
    // The first paint, which is also the page without WebAssembly, follows at once.
    let html = page("/").await;
    assert!(!html.contains(&card));
    let next = bundled()["campaigns"][1]["id"].as_str().unwrap().to_owned();
    assert!(html.contains(&format!("data-campaign=\"{next}\"")));
    desk.stop().await;
}
