//! The app's shared state: a bundle of signals handed out through one context accessor.

use crate::core::campaign::{bundled_feed, Feed, FeedNote};
use crate::core::config::Config;
use crate::core::i18n::{Lang, Msg};
use crate::core::my_reports::TicketRecord;
use crate::core::outbox::WaitingItem;
use crate::core::report::{Category, Draft, Photo};
use leptos::prelude::*;
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq)]
pub enum ConfigState {
    Loading,
    Ready(Arc<Config>),
    /// Problems for the deployer; residents are sent to 12345.
    Broken(Vec<String>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Screen {
    Campaigns,
    Campaign(String),
    Report,
    /// Just submitted: the report with this id.
    Sent(String),
    Mine,
    Committee,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PhotoSlot {
    Empty,
    Working,
    Ready(Photo),
    Failed,
}

/// Values a stairwell poster's QR code can put in the link (never the endpoint).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Prefill {
    pub community: Option<String>,
    pub building: Option<String>,
    pub lang: Option<String>,
}

#[derive(Clone, Copy)]
pub struct AppState {
    pub lang: RwSignal<Lang>,
    pub large_text: RwSignal<bool>,
    pub screen: RwSignal<Screen>,
    pub config: RwSignal<ConfigState>,
    pub draft: RwSignal<Draft>,
    pub photos: RwSignal<Vec<PhotoSlot>>,
    pub remember_contact: RwSignal<bool>,
    pub waiting: RwSignal<Vec<WaitingItem>>,
    pub sending: RwSignal<bool>,
    /// Stored outbox records that no longer parse, moved aside (never deleted).
    pub set_aside: RwSignal<usize>,
    pub mine: RwSignal<Vec<TicketRecord>>,
    /// False when this phone cannot keep reports (private mode, full storage).
    pub storage_ok: RwSignal<bool>,
    /// Reports sent without the outbox (storage unavailable): id → ticket.
    pub direct_tickets: RwSignal<Vec<(String, Option<String>)>>,
    pub prefill: StoredValue<Prefill>,
    /// Inside a WeChat mini-program `web-view`, where `tel:` links may not dial.
    pub in_mini_program: StoredValue<bool>,
    pub feed: RwSignal<Feed>,
    pub feed_note: RwSignal<Option<FeedNote>>,
}

impl AppState {
    pub fn new() -> AppState {
        AppState {
            lang: RwSignal::new(Lang::Zh),
            large_text: RwSignal::new(false),
            screen: RwSignal::new(Screen::Campaigns),
            config: RwSignal::new(ConfigState::Loading),
            draft: RwSignal::new(Draft::default()),
            photos: RwSignal::new(vec![PhotoSlot::Empty, PhotoSlot::Empty, PhotoSlot::Empty]),
            remember_contact: RwSignal::new(false),
            waiting: RwSignal::new(Vec::new()),
            sending: RwSignal::new(false),
            set_aside: RwSignal::new(0),
            mine: RwSignal::new(Vec::new()),
            storage_ok: RwSignal::new(true),
            direct_tickets: RwSignal::new(Vec::new()),
            prefill: StoredValue::new(Prefill::default()),
            in_mini_program: StoredValue::new(false),
            feed: RwSignal::new(bundled_feed()),
            feed_note: RwSignal::new(None),
        }
    }

    /// The text of `msg` in the current language (reactive).
    pub fn t(&self, msg: Msg) -> &'static str {
        msg.text(self.lang.get())
    }

    /// The text of `msg` as a signal. Every call shares one closure type, so the renderer
    /// is instantiated once for all UI strings instead of once per string (this alone is
    /// tens of KB of wasm).
    pub fn tr(&self, msg: Msg) -> Signal<&'static str> {
        let lang = self.lang;
        Signal::derive(move || msg.text(lang.get()))
    }

    pub fn ready_config(&self) -> Option<Arc<Config>> {
        match self.config.get() {
            ConfigState::Ready(config) => Some(config),
            _ => None,
        }
    }

    /// Opens the form with a campaign's category chosen.
    pub fn report_about(&self, category: Option<Category>, campaign_id: Option<String>) {
        self.draft.update(|d| {
            d.category = category.or(d.category);
            d.campaign_id = campaign_id;
        });
        self.screen.set(Screen::Report);
    }
}

impl Default for AppState {
    fn default() -> Self {
        AppState::new()
    }
}

/// The app's state, or a fresh one when a component is mounted alone (tests): a widget on
/// someone else's page must degrade, not panic, if context is missing.
pub fn use_app() -> AppState {
    use_context::<AppState>().unwrap_or_else(|| {
        let app = AppState::new();
        provide_context(app);
        app
    })
}
