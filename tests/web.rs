//! Components mounted into a real DOM in headless Chromium (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use leptos::task::tick;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use xinjing_core::campaign::parse_feed;
use xinjing_core::config::parse_config;
use xinjing_core::i18n::Lang;
use xinjing_core::report::{FieldError, Photo};
use xinjing_safety::ui::campaigns::CampaignList;
use xinjing_safety::ui::context::{
    provide_contexts, use_feed, use_form, use_settings, ConfigState, FormState, PhotoSlot, Screen,
    Settings,
};
use xinjing_safety::ui::emergency::EmergencyStrip;
use xinjing_safety::ui::outbox::provide_sending_state;
use xinjing_safety::ui::report_form::ReportForm;

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
    let settings = RwSignal::new(None::<Settings>);
    let _mount = leptos::mount::mount_to(root.clone(), move || {
        provide_contexts();
        settings.set(Some(use_settings()));
        view! { <EmergencyStrip/> }
    });
    let links = root.query_selector_all("aside a[href^='tel:']").unwrap();
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
    assert_eq!(
        texts(&root, "aside a"),
        ["火警 119", "报警 110", "热线 12345"]
    );
    // The slim row (shown once the strip scrolls away) has the same links, and is out of
    // the tab order and the accessibility tree until then.
    let slim = root.query_selector("[role=region]").unwrap().unwrap();
    assert!(slim.has_attribute("inert"));
    assert_eq!(
        texts(&root, "[role=region] a"),
        ["火警 119", "报警 110", "热线 12345"]
    );
    settings.get_untracked().unwrap().lang.set(Lang::En);
    tick().await;
    assert_eq!(
        texts(&root, "aside a"),
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
    let handles = RwSignal::new(None::<(Settings, FormState)>);
    let _mount = leptos::mount::mount_to(root.clone(), move || {
        provide_contexts();
        use_feed().feed.set(parse_feed(FEED).unwrap().feed);
        handles.set(Some((use_settings(), use_form())));
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
    let (settings, form) = handles.get_untracked().unwrap();
    assert_eq!(settings.screen.get_untracked(), Screen::Report);
    assert_eq!(
        form.draft.get_untracked().category.map(|c| c.code()),
        Some("flying_line_charging")
    );
    assert_eq!(
        form.draft.get_untracked().campaign_id.as_deref(),
        Some("now")
    );
}

/// The report form alone, with the shipped demo config, as the app provides it.
fn mount_form(
    root: &web_sys::HtmlElement,
) -> (leptos::mount::UnmountHandle<impl Mountable>, FormState) {
    let form = RwSignal::new(None::<FormState>);
    let mount = leptos::mount::mount_to(root.clone(), move || {
        provide_contexts();
        provide_sending_state();
        let config = parse_config(include_str!("../public/config.json"), &[]).unwrap();
        use_settings()
            .config
            .set(ConfigState::Ready(Arc::new(config)));
        form.set(Some(use_form()));
        view! { <ReportForm/> }
    });
    (mount, form.get_untracked().unwrap())
}

fn element(root: &web_sys::Element, selector: &str) -> web_sys::HtmlElement {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("{selector} not found"))
        .unchecked_into()
}

/// Waits, task by task, until a label with this text is there: the form builds its photo
/// and contact parts a task after its first fields.
async fn until_label(root: &web_sys::Element, label_text: &str) {
    for _ in 0..50 {
        let labels = root.query_selector_all("label").unwrap();
        if (0..labels.length())
            .filter_map(|i| labels.item(i))
            .any(|l| l.text_content().unwrap_or_default().trim() == label_text)
        {
            return;
        }
        xinjing_safety::platform::clock::sleep(0).await;
    }
    panic!("no label {label_text:?} after 50 tasks");
}

/// The input a visible label text points at, as a screen reader finds it.
fn labelled(root: &web_sys::Element, label_text: &str) -> web_sys::HtmlElement {
    let labels = root.query_selector_all("label").unwrap();
    let label = (0..labels.length())
        .filter_map(|i| labels.item(i))
        .map(|l| l.unchecked_into::<web_sys::Element>())
        .find(|l| l.text_content().unwrap_or_default().trim() == label_text)
        .unwrap_or_else(|| panic!("no label {label_text:?}"));
    let id = label.get_attribute("for").expect("label has for=");
    element(root, &format!("#{id}"))
}

#[wasm_bindgen_test]
async fn sending_an_empty_form_focuses_the_first_error_and_describes_it() {
    let root = wrapper();
    let (_mount, _form) = mount_form(&root);
    tick().await;
    element(&root, "button[type=submit]").click();
    tick().await;
    let category = labelled(&root, "隐患类型");
    let focused = document().active_element().map(|e| e.id());
    assert_eq!(
        focused.as_deref(),
        Some(category.id().as_str()),
        "focus moves to the first error"
    );
    assert_eq!(
        category.get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    let described = category.get_attribute("aria-describedby").unwrap();
    let error = element(&root, &format!("#{described}"));
    assert_eq!(
        error.text_content().unwrap(),
        FieldError::CategoryMissing.message(Lang::Zh)
    );
    let description = labelled(&root, "情况描述");
    let described = description.get_attribute("aria-describedby").unwrap();
    assert!(described.contains("xj-description-hint"), "{described}");
    let error_id = described.split(' ').next_back().unwrap();
    assert_eq!(
        element(&root, &format!("#{error_id}"))
            .text_content()
            .unwrap(),
        FieldError::DescriptionTooShort.message(Lang::Zh)
    );
    // Typing a fix clears that field's error (and keeps what was typed).
    let input: web_sys::HtmlTextAreaElement = description.unchecked_into();
    input.set_value("三楼楼道有电动车充电");
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    tick().await;
    assert_eq!(input.get_attribute("aria-invalid"), None);
    assert_eq!(input.value(), "三楼楼道有电动车充电");
}

#[wasm_bindgen_test]
async fn photo_slots_show_working_failed_and_ready_states() {
    let root = wrapper();
    let (_mount, form) = mount_form(&root);
    until_label(&root, "添加照片 1").await;
    assert!(
        labelled(&root, "添加照片 1")
            .get_attribute("type")
            .as_deref()
            == Some("file")
    );
    assert!(
        root.query_selector("#xj-photo-1").unwrap().is_none(),
        "one add button at a time"
    );
    form.photos.set(vec![
        PhotoSlot::Working,
        PhotoSlot::Failed,
        PhotoSlot::Empty,
    ]);
    tick().await;
    // The similar-reports hint's live region is there, empty, until it has something to say.
    assert_eq!(texts(&root, "[role=status]:not(:empty)"), ["正在处理照片…"]);
    assert_eq!(
        element(&root, "button[type=submit]")
            .get_attribute("disabled")
            .as_deref(),
        Some(""),
        "no sending while a photo is being prepared"
    );
    let failed = labelled(&root, "添加照片 2");
    let described = failed.get_attribute("aria-describedby").unwrap();
    assert!(element(&root, &format!("#{described}"))
        .text_content()
        .unwrap()
        .contains("无法读取"));
    assert!(
        labelled(&root, "添加照片 3")
            .get_attribute("type")
            .as_deref()
            == Some("file")
    );
    form.photos.set(vec![
        PhotoSlot::Ready(Photo {
            mime: "image/jpeg".into(),
            width: 2,
            height: 1,
            data: "/9j/".into(),
        }),
        PhotoSlot::Empty,
        PhotoSlot::Empty,
    ]);
    tick().await;
    let img = element(&root, "img");
    assert_eq!(img.get_attribute("alt").as_deref(), Some("照片 1"));
    assert_eq!(texts(&root, "li button"), ["删除照片 1"]);
    assert!(
        labelled(&root, "添加照片 2")
            .get_attribute("type")
            .as_deref()
            == Some("file")
    );
    assert!(element(&root, "button[type=submit]")
        .get_attribute("disabled")
        .is_none());
}
