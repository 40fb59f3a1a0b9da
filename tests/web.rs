//! Components mounted into a real DOM in headless Chromium (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use leptos::task::tick;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use xinjing_safety::core::campaign::parse_feed;
use xinjing_safety::core::i18n::Lang;
use xinjing_safety::ui::campaigns::CampaignList;
use xinjing_safety::ui::emergency::EmergencyStrip;
use xinjing_safety::ui::state::{use_app, AppState, Screen};

wasm_bindgen_test_configure!(run_in_browser);

fn wrapper() -> web_sys::HtmlElement {
    let document = document();
    let wrapper = document.create_element("section").unwrap();
    document.body().unwrap().append_child(&wrapper).unwrap();
    wrapper.unchecked_into()
}

fn texts(root: &web_sys::Element, selector: &str) -> Vec<String> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i)?.text_content())
        .collect()
}

#[wasm_bindgen_test]
async fn emergency_strip_has_tap_to_call_links_in_both_languages() {
    let root = wrapper();
    let app = AppState::new();
    let _mount = leptos::mount::mount_to(root.clone(), move || {
        provide_context(app);
        view! { <EmergencyStrip/> }
    });
    let links = root.query_selector_all("a[href^='tel:']").unwrap();
    let hrefs: Vec<String> = (0..links.length())
        .map(|i| {
            links
                .item(i)
                .unwrap()
                .unchecked_into::<web_sys::Element>()
                .get_attribute("href")
                .unwrap()
        })
        .collect();
    assert_eq!(hrefs, ["tel:119", "tel:110", "tel:12345"]);
    assert_eq!(texts(&root, "a"), ["火警 119", "报警 110", "热线 12345"]);
    app.lang.set(Lang::En);
    tick().await;
    assert_eq!(
        texts(&root, "a"),
        ["Fire 119", "Police 110", "Hotline 12345"]
    );
}

const FEED: &str = r#"{"campaigns": [
  {"id": "now", "title": {"zh": "正在进行", "en": "Running"}, "summary": {"zh": "摘要", "en": "Summary"},
   "rule": {"zh": "r"}, "why": {"zh": "w"}, "instead": {"zh": "i"}, "categories": ["flying_line_charging"],
   "priority": 1, "start": "2000-01-01", "end": "9999-12-31"},
  {"id": "old", "title": {"zh": "已经结束", "en": "Over"}, "summary": {"zh": "摘要"},
   "rule": {"zh": "r"}, "why": {"zh": "w"}, "instead": {"zh": "i"}, "start": "2000-01-01", "end": "2000-12-31"}
]}"#;

#[wasm_bindgen_test]
async fn campaign_list_shows_only_running_campaigns_and_report_this_preselects() {
    let root = wrapper();
    let app = AppState::new();
    app.feed.set(parse_feed(FEED).unwrap().feed);
    let _mount = leptos::mount::mount_to(root.clone(), move || {
        provide_context(app);
        let _ = use_app();
        view! { <CampaignList/> }
    });
    tick().await;
    assert_eq!(texts(&root, "h3"), ["正在进行"]);
    let report: web_sys::HtmlElement = root
        .query_selector(".xj-primary")
        .unwrap()
        .unwrap()
        .unchecked_into();
    report.click();
    tick().await;
    assert_eq!(app.screen.get_untracked(), Screen::Report);
    assert_eq!(
        app.draft.get_untracked().category.map(|c| c.code()),
        Some("flying_line_charging")
    );
    assert_eq!(
        app.draft.get_untracked().campaign_id.as_deref(),
        Some("now")
    );
}
