//! The campaign feed: cards of what the town asks now, and a detail view.

use super::context::{use_feed, use_form, use_settings, FeedState, Screen};
use super::draft::start_report;
use super::keyed::keyed_by_id;
use super::Shown;
use crate::platform::clock::now_ms;
use crate::platform::http::get_text;
use crate::platform::storage;
use leptos::prelude::*;
use std::sync::Arc;
use xinjing_contract::time::{display_shanghai, Date};
use xinjing_core::campaign::{active_on, choose_feed, icon_path, CachedFeed, Campaign, FeedNote};
use xinjing_core::i18n::{fill, Msg};
use xinjing_core::json::ToJson;

/// Shows the saved feed at once, then fetches the configured one.
pub async fn refresh_feed(state: FeedState, url: Option<String>, timeout_ms: u32) {
    let cached = storage::get(storage::KEY_FEED);
    let Some(url) = url else { return };
    let fetched = get_text(&url, timeout_ms, true).await.ok();
    let (feed, note) = choose_feed(fetched.as_deref(), cached.as_deref());
    if note.is_none() {
        if let Some(json) = fetched {
            let saved = CachedFeed {
                saved_ms: now_ms(),
                json,
            };
            let _ = storage::set(storage::KEY_FEED, &saved.to_json());
        }
    }
    state.feed.set(feed);
    state.note.set(note);
}

/// Before the network answers: the copy saved last time, if any (no note yet).
pub fn show_saved_feed(state: FeedState) {
    if let Some(cached) = storage::get(storage::KEY_FEED) {
        if let (feed, Some(FeedNote::Saved { .. })) = choose_feed(None, Some(&cached)) {
            state.feed.set(feed);
        }
    }
}

fn icon(name: Option<&str>) -> impl IntoView {
    // The same line icons as the static page, drawn in the widget: nothing is fetched.
    let path = icon_path(name);
    view! {
        <svg class="xj-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d=path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>
        </svg>
    }
}

#[component]
pub fn CampaignList() -> impl IntoView {
    let settings = use_settings();
    let state = use_feed();
    // The running campaigns' ids, in display order: each card finds its campaign by id.
    let active = Memo::new(move |_| {
        let today = Date::in_shanghai(now_ms());
        state.feed.with(|feed| {
            active_on(&feed.campaigns, today)
                .into_iter()
                .map(|c| c.id.clone())
                .collect::<Vec<String>>()
        })
    });
    let note = move || {
        let lang = settings.lang.get();
        state.note.get().map(|note| match note {
            FeedNote::Saved { saved_ms } => fill(
                Msg::FeedStale.text(lang),
                &[("date", &display_shanghai(saved_ms))],
            ),
            FeedNote::Bundled => Msg::FeedBundled.text(lang).to_owned(),
        })
    };
    view! {
        <section class="xj-section" aria-labelledby="xj-campaigns-title">
            <h2 id="xj-campaigns-title">{settings.tr(Msg::CampaignsHeading)}</h2>
            {move || note().map(|text| view! { <p class="xj-note" role="status">{text}</p> })}
            <Shown
                when=move || !active.with(Vec::is_empty)
                fallback=move || view! { <p class="xj-empty">{settings.tr(Msg::NoActiveCampaigns)}</p> }
            >
                <ul class="xj-cards" role="list">
                    {keyed_by_id(active.into(), Arc::new(|id| view! { <CampaignCard id=id/> }.into_any()))}
                </ul>
            </Shown>
        </section>
    }
}

/// The feed's campaign with this id, following the feed (the card and the detail view).
fn campaign_by_id(state: FeedState, id: String) -> Memo<Option<Campaign>> {
    Memo::new(move |_| {
        state
            .feed
            .with(|f| f.campaigns.iter().find(|c| c.id == id).cloned())
    })
}

#[component]
fn CampaignCard(id: String) -> impl IntoView {
    let settings = use_settings();
    let form = use_form();
    let title_id = format!("xj-c-{id}");
    // Keyed by id only, so the card follows its campaign when a fetched feed edits it (it
    // is empty only while a feed without it removes the card).
    let c = campaign_by_id(use_feed(), id.clone());
    let text = move |pick: fn(&Campaign) -> &xinjing_core::campaign::Text| {
        let lang = settings.lang.get();
        c.with(|c| c.as_ref().map(|c| pick(c).get(lang).to_owned()))
            .unwrap_or_default()
    };
    let open = move |_| settings.go(Screen::Campaign(id.clone()));
    let report = move |_| {
        c.with_untracked(|c| {
            if let Some(c) = c {
                start_report(form, settings, c.first_category(), Some(c.id.clone()))
            }
        })
    };
    view! {
        <li class="xj-card">
            <div class="xj-card-head">
                {move || c.with(|c| c.as_ref().map(|c| icon(c.icon.as_deref())))}
                <h3 id=title_id.clone()>{move || text(|c| &c.title)}</h3>
            </div>
            <p>{move || text(|c| &c.summary)}</p>
            <div class="xj-actions">
                <button type="button" class="xj-button" on:click=open aria-describedby=title_id.clone()>
                    {settings.tr(Msg::ReadMore)}
                </button>
                <button type="button" class="xj-button xj-primary" on:click=report aria-describedby=title_id>
                    {settings.tr(Msg::ReportThis)}
                </button>
            </div>
        </li>
    }
}

#[component]
pub fn CampaignDetail(id: String) -> impl IntoView {
    let settings = use_settings();
    let form = use_form();
    let campaign = campaign_by_id(use_feed(), id);
    view! {
        {move || match campaign.get() {
            None => view! { <p class="xj-empty">{settings.tr(Msg::NoActiveCampaigns)}</p> }.into_any(),
            Some(c) => {
                let lang = settings.lang.get();
                let section = |(heading, text): (Msg, &xinjing_core::campaign::Text)| view! {
                    <h3>{heading.text(lang)}</h3>
                    <p>{text.get(lang).to_owned()}</p>
                };
                let period = fill(Msg::DetailPeriod.text(lang), &[("start", &c.start.to_string()), ("end", &c.end.to_string())]);
                let (category, campaign_id) = (c.first_category(), c.id.clone());
                view! {
                    <article class="xj-section xj-detail" aria-labelledby="xj-detail-title">
                        <div class="xj-card-head">
                            {icon(c.icon.as_deref())}
                            <h2 id="xj-detail-title" tabindex="-1">{c.title.get(lang).to_owned()}</h2>
                        </div>
                        <p class="xj-muted">{period}</p>
                        <p class="xj-lead">{c.summary.get(lang).to_owned()}</p>
                        {c.details().into_iter().map(section).collect_view()}
                        <div class="xj-actions">
                            <button type="button" class="xj-button" on:click=move |_| settings.go(Screen::Campaigns)>
                                {Msg::Back.text(lang)}
                            </button>
                            <button type="button" class="xj-button xj-primary" on:click=move |_| start_report(form, settings, category, Some(campaign_id.clone()))>
                                {Msg::ReportThis.text(lang)}
                            </button>
                        </div>
                    </article>
                }
                .into_any()
            }
        }}
    }
}
