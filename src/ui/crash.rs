//! The crash screen. With `panic = "abort"` a panic ends the wasm instance and Leptos can
//! no longer draw, so the hook writes a plain message with plain DOM calls (text only) in
//! the resident's language. The outbox lives in IndexedDB and is untouched.

use std::cell::Cell;
use wasm_bindgen::JsCast;
use xinjing_core::i18n::{Lang, Msg};

thread_local! {
    static LANG: Cell<Lang> = const { Cell::new(Lang::Zh) };
}

/// Keeps the crash screen in the language the resident is reading.
pub fn remember_lang(lang: Lang) {
    LANG.with(|l| l.set(lang));
}

pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&format!("xinjing-safety crashed: {info}").into());
        show_crash_screen(LANG.with(Cell::get));
    }));
}

fn show_crash_screen(lang: Lang) -> Option<()> {
    let document = web_sys::window()?.document()?;
    let root = document
        .get_element_by_id(super::MOUNT_ID)
        .or_else(|| document.body().map(Into::into))?;
    root.set_text_content(None);
    let add = |parent: &web_sys::Element,
               tag: &str,
               class: &str,
               text: &str|
     -> Option<web_sys::Element> {
        let el = document.create_element(tag).ok()?;
        el.set_class_name(class);
        el.set_text_content(Some(text));
        parent.append_child(&el).ok()?;
        Some(el)
    };
    let screen = add(&root, "main", "xj-crash", "")?;
    screen.set_attribute("role", "alert").ok()?;
    add(&screen, "h1", "xj-crash-title", Msg::CrashTitle.text(lang))?;
    add(&screen, "p", "", Msg::CrashText.text(lang))?;
    let reload = add(&screen, "a", "xj-button xj-primary", Msg::Reload.text(lang))?;
    reload.set_attribute("href", "").ok()?;
    let calls = add(&screen, "p", "xj-calls", "")?;
    for (number, msg) in [
        ("119", Msg::Call119),
        ("110", Msg::Call110),
        ("12345", Msg::Call12345),
    ] {
        let link = add(&calls, "a", "xj-call", msg.text(lang))?;
        link.set_attribute("href", &format!("tel:{number}")).ok()?;
    }
    let _ = root.dyn_ref::<web_sys::HtmlElement>().map(|r| r.focus());
    Some(())
}
