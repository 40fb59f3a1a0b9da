//! The shell: header, emergency strip, sections, and start-up (config, language, feed,
//! outbox).

mod config_load;

pub use config_load::fetch_config;

use super::campaigns::{refresh_feed, show_saved_feed, CampaignDetail, CampaignList};
use super::context::{
    provide_contexts, use_feed, use_form, use_outbox, use_settings, ConfigState, FeedState,
    OutboxView, Prefill, Screen, Settings,
};
#[cfg(feature = "demo")]
use super::demo::{CommitteeView, DemoPanel};
use super::draft;
use super::emergency::EmergencyStrip;
use super::my_reports::{MyReports, SentView};
use super::outbox::{provide_sending_state, use_sender, Sender};
use super::report_form::ReportForm;
use super::tickets::{use_ticket_desk, TicketDesk};
use super::Shown;
use crate::platform::{embed, storage};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use xinjing_core::config::{accessible_primary, Config};
use xinjing_core::i18n::{choose_lang, fill, Lang, Msg};

fn query() -> Prefill {
    let params = window()
        .location()
        .search()
        .ok()
        .and_then(|s| web_sys::UrlSearchParams::new_with_str(&s).ok());
    // Only these three are read from the link: never the endpoint (a crafted link must not
    // send residents' reports elsewhere).
    let get = |name: &str| {
        params
            .as_ref()
            .and_then(|p| p.get(name))
            .map(|v| v.trim().chars().take(100).collect::<String>())
            .filter(|v| !v.is_empty())
    };
    Prefill {
        community: get("community"),
        building: get("building"),
        lang: get("lang"),
    }
}

/// `xj-s-report` on `<html>`: put there by the static page's script while its form shows.
fn static_form_shown() -> bool {
    document()
        .document_element()
        .and_then(|html| html.get_attribute("class"))
        .is_some_and(|class| class.split_whitespace().any(|c| c == "xj-s-report"))
}

fn browser_languages() -> Vec<String> {
    window()
        .navigator()
        .languages()
        .iter()
        .filter_map(|l| l.as_string())
        .collect()
}

fn apply_theme(root: &web_sys::HtmlElement, config: &Config) {
    // CSSOM writes, not a style attribute, so a strict CSP (no 'unsafe-inline') allows them.
    if let Some(colour) = config.theme.primary.as_deref().and_then(accessible_primary) {
        let _ = root.style().set_property("--xj-primary", &colour);
    }
}

/// The contexts start-up works with, taken in the component (where they are provided).
#[derive(Clone, Copy)]
struct Services {
    outbox: OutboxView,
    sender: Sender,
    desk: TicketDesk,
    feed: FeedState,
}

/// Everything that needs the DOM root or storage, once mounted.
async fn start_services(config: Arc<Config>, root: web_sys::HtmlElement, services: Services) {
    let Services {
        outbox,
        sender,
        desk,
        feed,
    } = services;
    apply_theme(&root, &config);
    // Let the browser paint the campaigns first: storage, the outbox and the feed wait for
    // the next task, so start-up is not one long task on a slow phone.
    crate::platform::clock::sleep(0).await;
    embed::report_height(&root, config.parent_origins.clone());
    #[cfg(feature = "crash-test")]
    if window()
        .location()
        .search()
        .unwrap_or_default()
        .contains("crash=1")
    {
        panic!("crash-test build: ?crash=1");
    }
    if storage::probe().await.is_err() {
        outbox.storage_ok.set(false);
    }
    desk.load().await;
    sender.refresh_waiting().await;
    sender.resume_correction().await;
    sender.resume();
    desk.refresh_statuses();
    refresh_feed(feed, config.campaigns_url.clone(), config.timeout_ms).await;
}

/// How far start-up has built the app. Each part is built in a task of its own (see
/// `ui::start`): first the state, then the shell, then the screen.
#[derive(Clone, Copy, Default)]
pub struct Stages {
    pub shell: RwSignal<bool>,
    pub screens: RwSignal<bool>,
}

#[component]
pub fn App(config: ConfigState, stages: Stages) -> impl IntoView {
    provide_contexts();
    provide_sending_state();
    let settings = use_settings();
    let form = use_form();
    let host = embed::detect_host();
    settings
        .in_mini_program
        .set_value(host == embed::Host::MiniProgram);
    let prefill = query();
    let ready = match &config {
        ConfigState::Ready(c) => Some(c.clone()),
        _ => None,
    };
    settings.lang.set(choose_lang(
        storage::get(storage::KEY_LANG).as_deref(),
        prefill.lang.as_deref(),
        ready.as_ref().and_then(|c| c.default_lang),
        &browser_languages(),
    ));
    settings
        .large_text
        .set(storage::get(storage::KEY_LARGE_TEXT).as_deref() == Some("1"));
    settings.config.set(config);
    let communities = ready
        .as_ref()
        .map(|c| c.communities.clone())
        .unwrap_or_default();
    draft::restore(form, &prefill, &communities);
    // The static page shows its report form (a QR link, the report tab): the app starts on
    // the same screen, so it takes that form over where it is.
    if static_form_shown() {
        settings.screen.set(Screen::Report);
    }
    show_saved_feed(use_feed());
    use_sender().install_triggers();

    Effect::new(move |_| {
        let lang = settings.lang.get();
        super::crash::remember_lang(lang);
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("lang", lang.tag());
        }
        document().set_title(&title_text(settings, lang));
    });
    // Move focus to a new section's heading so screen readers announce it.
    Effect::watch(
        move || settings.screen.get(),
        |_, _, _| {
            request_animation_frame(|| {
                if let Some(heading) = document()
                    .query_selector(".xj-main h2")
                    .ok()
                    .flatten()
                    .and_then(|h| h.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = heading.focus();
                }
            });
        },
        false,
    );
    let root_ref = NodeRef::<leptos::html::Div>::new();
    let services = Services {
        outbox: use_outbox(),
        sender: use_sender(),
        desk: use_ticket_desk(),
        feed: use_feed(),
    };
    // Start once there is a root and a config: at once, or when a config that failed to
    // load arrives later. A newer config replacing this one needs no restart: every flush
    // reads the config it sends with.
    let started = StoredValue::new(false);
    Effect::new(move |_| {
        if let (Some(config), Some(root), true) = (
            settings.ready_config(),
            root_ref.get(),
            stages.screens.get(),
        ) {
            if !started.get_value() {
                started.set_value(true);
                spawn_local(start_services(config, root.unchecked_into(), services));
            }
        }
    });
    // Revalidate config.json once start-up is done (or at once when it could not be used).
    spawn_local(config_load::keep_fresh(
        settings,
        if ready.is_some() { 3_000 } else { 0 },
    ));

    let switch_lang = move |_| {
        let next = settings.lang.get_untracked().other();
        settings.lang.set(next);
        let _ = storage::set(storage::KEY_LANG, next.tag());
    };
    let toggle_large = move |_| {
        let on = !settings.large_text.get_untracked();
        settings.large_text.set(on);
        let _ = storage::set(storage::KEY_LARGE_TEXT, if on { "1" } else { "0" });
    };

    view! {
        <div class="xj-app" class:xj-large=move || settings.large_text.get() class:xj-in-wechat=host != embed::Host::Browser lang=move || settings.lang.get().tag() node_ref=root_ref>
            {move || stages.shell.get().then(|| view! {
                <header class="xj-header">
                    <div class="xj-brand">
                        {move || settings.ready_config().and_then(|c| c.theme.logo.clone()).map(|src| view! { <img class="xj-logo" src=src alt="" width="32" height="32"/> }.into_any())}
                        <div>
                            <h1 class="xj-title">{Signal::derive(move || title_text(settings, settings.lang.get()))}</h1>
                            <p class="xj-tagline">{settings.tr(Msg::AppTagline)}</p>
                        </div>
                    </div>
                    <div class="xj-tools">
                        <button type="button" class="xj-button xj-small" on:click=switch_lang lang=move || settings.lang.get().other().tag()
                            aria-label=settings.tr(Msg::SwitchLanguageLabel)>
                            {settings.tr(Msg::SwitchLanguage)}
                        </button>
                        <button type="button" class="xj-button xj-small" aria-pressed=move || settings.large_text.get().to_string() on:click=toggle_large>
                            {settings.tr(Msg::LargeText)}
                        </button>
                    </div>
                </header>
                <EmergencyStrip/>
                <Tabs/>
            }.into_any())}
            <main class="xj-main">
                {move || stages.screens.get().then(|| match settings.screen.get() {
                    Screen::Campaigns => view! { <CampaignList/> }.into_any(),
                    Screen::Campaign(id) => view! { <CampaignDetail id=id/> }.into_any(),
                    Screen::Report => view! { <ReportScreen/> }.into_any(),
                    Screen::Sent(id) => view! { <SentView id=id/> }.into_any(),
                    Screen::Mine => view! { <MyReports/> }.into_any(),
                    Screen::Committee => committee(),
                })}
            </main>
            {move || stages.shell.get().then(|| view! {
                {demo_panel(settings)}
                <footer class="xj-footer">
                    <p>{settings.tr(Msg::EmergencyNote)}</p>
                </footer>
            }.into_any())}
        </div>
    }
}

/// The presenter's switches, in the demo build with the mock configured.
#[cfg(feature = "demo")]
fn demo_panel(settings: Settings) -> impl IntoView {
    let is_mock = move || settings.ready_config().is_some_and(|c| c.is_mock());
    view! { <Shown when=is_mock><DemoPanel/></Shown> }
}

#[cfg(not(feature = "demo"))]
fn demo_panel(_: Settings) -> impl IntoView {}

#[cfg(feature = "demo")]
fn committee() -> AnyView {
    view! { <CommitteeView/> }.into_any()
}

/// Only the demo panel opens this screen.
#[cfg(not(feature = "demo"))]
fn committee() -> AnyView {
    view! { <CampaignList/> }.into_any()
}

fn title_text(settings: Settings, lang: Lang) -> String {
    settings
        .ready_config()
        .and_then(|c| c.theme.title.as_ref().map(|t| t.get(lang).to_owned()))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| Msg::AppTitle.text(lang).to_owned())
}

#[component]
fn ReportScreen() -> impl IntoView {
    let settings = use_settings();
    move || match settings.config.get() {
        ConfigState::Ready(_) => view! { <ReportForm/> }.into_any(),
        ConfigState::Loading => {
            view! { <p class="xj-section">{settings.tr(Msg::Loading)}</p> }.into_any()
        }
        ConfigState::Broken(problems) => view! {
            <section class="xj-section" aria-labelledby="xj-broken-title">
                <h2 id="xj-broken-title" tabindex="-1">{settings.tr(Msg::FormHeading)}</h2>
                <p class="xj-note xj-warn" role="alert">{settings.tr(Msg::ConfigBroken)}</p>
                <p><a class="xj-call" href="tel:12345">{settings.tr(Msg::Call12345)}</a></p>
                <details class="xj-muted"><summary>"config"</summary>
                    <ul>{problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
                </details>
            </section>
        }
        .into_any(),
    }
}

/// Whether `target`'s tab is the one for `screen`.
fn is_current(screen: &Screen, target: &Screen) -> bool {
    screen == target
        || matches!(
            (screen, target),
            (Screen::Campaign(_), Screen::Campaigns)
                | (Screen::Sent(_), Screen::Report)
                | (Screen::Committee, Screen::Campaigns)
        )
}

#[component]
fn Tabs() -> impl IntoView {
    let settings = use_settings();
    let outbox = use_outbox();
    let tab = move |target: Screen, label: Msg| {
        let here = target.clone();
        view! {
            <button type="button" class="xj-tab" aria-current=move || is_current(&settings.screen.get(), &here).then_some("page")
                on:click=move |_| settings.go(target.clone())>
                {settings.tr(label)}
                {(label == Msg::TabMine).then(|| view! {
                    <Shown when=move || !outbox.waiting.with(Vec::is_empty)>
                        <span class="xj-count-badge" aria-label=move || fill(settings.t(Msg::WaitingBadge), &[("n", &outbox.waiting.with(Vec::len).to_string())])>
                            {Signal::derive(move || outbox.waiting.with(Vec::len).to_string())}
                        </span>
                    </Shown>
                })}
            </button>
        }
    };
    view! {
        <nav class="xj-tabs" aria-label=settings.tr(Msg::NavLabel)>
            {tab(Screen::Campaigns, Msg::TabCampaigns)}
            {tab(Screen::Report, Msg::TabReport)}
            {tab(Screen::Mine, Msg::TabMine)}
        </nav>
    }
}
