//! The app's state as a few narrow contexts, each with one accessor: what every component
//! reads (settings and the screen), the campaign feed, the outbox as the resident sees it,
//! the tickets this phone holds, and the report being written. A component asks only for
//! what it uses; `provide_contexts` sets them all up (the app, and tests that mount one
//! component).

use leptos::prelude::*;
use std::sync::Arc;
use xinjing_core::campaign::{bundled_feed, Feed, FeedNote};
use xinjing_core::config::Config;
use xinjing_core::i18n::{Lang, Msg};
use xinjing_core::my_reports::TicketRecord;
use xinjing_core::outbox::WaitingItem;
use xinjing_core::report::{Draft, Photo, MAX_PHOTOS};
use xinjing_core::similar::SimilarHints;

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

/// Values a stairwell poster's QR code can put in the link (never the endpoint).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Prefill {
    pub community: Option<String>,
    pub building: Option<String>,
    pub lang: Option<String>,
}

/// Language, text size, the deployment's config and where the resident is.
#[derive(Clone, Copy)]
pub struct Settings {
    pub lang: RwSignal<Lang>,
    pub large_text: RwSignal<bool>,
    pub config: RwSignal<ConfigState>,
    pub screen: RwSignal<Screen>,
    /// Inside a WeChat mini-program `web-view`, where `tel:` links may not dial.
    pub in_mini_program: StoredValue<bool>,
}

impl Settings {
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

    /// The config, if it loaded (reactive).
    pub fn ready_config(&self) -> Option<Arc<Config>> {
        self.config.with(ready)
    }

    /// The config without subscribing: for event handlers and spawned tasks.
    pub fn config_now(&self) -> Option<Arc<Config>> {
        self.config.with_untracked(ready)
    }

    pub fn go(&self, screen: Screen) {
        self.screen.set(screen);
    }
}

fn ready(state: &ConfigState) -> Option<Arc<Config>> {
    match state {
        ConfigState::Ready(config) => Some(config.clone()),
        _ => None,
    }
}

/// The campaigns shown, and why they may be old.
#[derive(Clone, Copy)]
pub struct FeedState {
    pub feed: RwSignal<Feed>,
    pub note: RwSignal<Option<FeedNote>>,
}

/// The outbox as the resident sees it.
#[derive(Clone, Copy)]
pub struct OutboxView {
    pub waiting: RwSignal<Vec<WaitingItem>>,
    pub sending: RwSignal<bool>,
    /// Stored outbox records that no longer parse, moved aside (never deleted).
    pub set_aside: RwSignal<usize>,
    /// False when this phone cannot keep reports (private mode, full storage).
    pub storage_ok: RwSignal<bool>,
}

/// "My reports": tickets this phone received.
#[derive(Clone, Copy)]
pub struct Tickets {
    pub mine: RwSignal<Vec<TicketRecord>>,
    /// Reports whose verdict is on the wire now: a second refresh (the app starting, then
    /// "my reports" opening) must not send it again beside the first.
    pub verdicts_sending: StoredValue<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PhotoSlot {
    Empty,
    Working,
    Ready(Photo),
    Failed,
}

/// The report being written. `ui::draft` owns how it is restored, kept and reset.
#[derive(Clone, Copy)]
pub struct FormState {
    pub draft: RwSignal<Draft>,
    pub photos: RwSignal<Vec<PhotoSlot>>,
    pub remember_contact: RwSignal<bool>,
    /// The waiting report being corrected ("edit and resend"): it stays in the outbox
    /// until its replacement is queued.
    pub replaces: RwSignal<Option<String>>,
    /// Per photo slot, which preparation is current: a photo the resident cancelled (or
    /// replaced) that finishes later is dropped instead of landing in the slot.
    pub photo_runs: StoredValue<[u32; MAX_PHOTOS]>,
    /// The similar-reports questions asked on this page and their answers.
    pub similar: RwSignal<SimilarHints>,
}

impl FormState {
    pub fn empty_slots() -> Vec<PhotoSlot> {
        vec![PhotoSlot::Empty; MAX_PHOTOS]
    }

    /// The photos that are ready to go with the report.
    pub fn ready_photos(&self) -> Vec<Photo> {
        self.photos.with_untracked(|slots| {
            slots
                .iter()
                .filter_map(|s| match s {
                    PhotoSlot::Ready(p) => Some(p.clone()),
                    _ => None,
                })
                .collect()
        })
    }
}

/// The five contexts, provided as one value: each `use_*` below is then the same context
/// lookup (one generic instance of it in the wasm instead of five) and a field read.
#[derive(Clone, Copy)]
struct AppState {
    settings: Settings,
    feed: FeedState,
    outbox: OutboxView,
    tickets: Tickets,
    form: FormState,
}

/// Creates and provides every context, in their starting state.
pub fn provide_contexts() {
    provide_context(AppState {
        settings: Settings {
            lang: RwSignal::new(Lang::Zh),
            large_text: RwSignal::new(false),
            config: RwSignal::new(ConfigState::Loading),
            screen: RwSignal::new(Screen::Campaigns),
            in_mini_program: StoredValue::new(false),
        },
        feed: FeedState {
            feed: RwSignal::new(bundled_feed()),
            note: RwSignal::new(None),
        },
        outbox: OutboxView {
            waiting: RwSignal::new(Vec::new()),
            sending: RwSignal::new(false),
            set_aside: RwSignal::new(0),
            storage_ok: RwSignal::new(true),
        },
        tickets: Tickets {
            mine: RwSignal::new(Vec::new()),
            verdicts_sending: StoredValue::new(Vec::new()),
        },
        form: FormState {
            draft: RwSignal::new(Draft::default()),
            photos: RwSignal::new(FormState::empty_slots()),
            remember_contact: RwSignal::new(false),
            replaces: RwSignal::new(None),
            photo_runs: StoredValue::new([0; MAX_PHOTOS]),
            similar: RwSignal::new(SimilarHints::default()),
        },
    });
}

// Missing context is a programming error caught by every test that mounts a component,
// so these panic with the name of what is missing rather than silently starting afresh.
fn state() -> AppState {
    expect_context()
}
pub fn use_settings() -> Settings {
    state().settings
}
pub fn use_feed() -> FeedState {
    state().feed
}
pub fn use_outbox() -> OutboxView {
    state().outbox
}
pub fn use_tickets() -> Tickets {
    state().tickets
}
pub fn use_form() -> FormState {
    state().form
}
