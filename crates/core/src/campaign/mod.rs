//! Safety campaigns: the feed format (`docs/campaigns.schema.json`), lenient parsing and
//! the choice of what is active today.

pub(crate) mod read;
#[cfg(test)]
mod tests;

use super::i18n::{Lang, Msg};
use super::json::{Document, Json};
use super::report::Category;
use serde::{Deserialize, Serialize};
use xinjing_contract::time::Date;

pub(crate) use read::text as read_text;

/// A text in both languages; Chinese is authoritative, English falls back to it.
/// Read by hand (`read.rs`), like `Campaign`: `en` may be left out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En if !self.en.trim().is_empty() => &self.en,
            _ => &self.zh,
        }
    }

    fn is_blank(&self) -> bool {
        self.zh.trim().is_empty()
    }
}

/// One entry of the feed (`docs/campaigns.schema.json`), read by `read.rs`.
#[derive(Clone, Debug, PartialEq)]
pub struct Campaign {
    pub id: String,
    pub title: Text,
    pub summary: Text,
    /// What the rule is.
    pub rule: Text,
    /// Why it matters (e.g. fires from e-bike batteries).
    pub why: Text,
    /// What to do instead.
    pub instead: Text,
    /// What happens if the rule is not kept.
    pub if_not: Option<Text>,
    /// Unknown codes are dropped rather than failing the entry, so the town can add a
    /// category before every deployed widget knows it.
    pub categories: Vec<Category>,
    /// Higher is more urgent.
    pub priority: u8,
    pub start: Date,
    pub end: Date,
    /// One of the bundled icon names (`ebike`, `plug`, `wiring`, `power`, `exit`); unknown
    /// names fall back to a generic icon.
    pub icon: Option<String>,
    pub source: Option<Text>,
}

impl Campaign {
    pub fn is_active_on(&self, day: Date) -> bool {
        self.start <= day && day <= self.end
    }

    pub fn first_category(&self) -> Option<Category> {
        self.categories.first().copied()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Feed {
    pub updated: Option<Date>,
    pub campaigns: Vec<Campaign>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ParsedFeed {
    pub feed: Feed,
    /// Entries left out because they did not fit the format.
    pub skipped: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FeedError {
    NotJson,
    NoCampaignList,
}

/// Parses a feed; a malformed entry is skipped, a malformed document is an error. Each
/// entry is read on its own, so one bad entry cannot spoil the others.
pub fn parse_feed(json: &str) -> Result<ParsedFeed, FeedError> {
    let root = Document::parse(json).ok_or(FeedError::NotJson)?;
    let (updated, entries) = read::document(&root).map_err(|_| FeedError::NoCampaignList)?;
    let mut campaigns: Vec<Campaign> = Vec::with_capacity(entries.len());
    for entry in &entries {
        match read::campaign(entry).ok().filter(is_complete) {
            Some(campaign) if !campaigns.iter().any(|c| c.id == campaign.id) => {
                campaigns.push(campaign)
            }
            _ => {}
        }
    }
    let skipped = entries.len() - campaigns.len();
    let updated = updated.as_deref().and_then(Date::parse);
    Ok(ParsedFeed {
        feed: Feed { updated, campaigns },
        skipped,
    })
}

fn is_complete(campaign: &Campaign) -> bool {
    !campaign.id.trim().is_empty()
        && !campaign.title.is_blank()
        && !campaign.summary.is_blank()
        && campaign.start <= campaign.end
}

/// The campaigns running on `today` (inclusive of both ends), most urgent first, then the
/// one ending soonest, then by id so the order is stable.
pub fn active_on(campaigns: &[Campaign], today: Date) -> Vec<&Campaign> {
    let mut active: Vec<&Campaign> = campaigns.iter().filter(|c| c.is_active_on(today)).collect();
    crate::sort::sort_by(&mut active, |a, b| by_urgency(a, b));
    active
}

/// Every campaign, whatever its dates, in the order `active_on` lists the running ones:
/// the static first paint (`crates/static-page`) renders them all at build time and hides
/// those not running on the reader's day, so both show the same campaigns in the same order.
pub fn in_display_order(campaigns: &[Campaign]) -> Vec<&Campaign> {
    let mut all: Vec<&Campaign> = campaigns.iter().collect();
    crate::sort::sort_by(&mut all, |a, b| by_urgency(a, b));
    all
}

fn by_urgency(a: &Campaign, b: &Campaign) -> std::cmp::Ordering {
    b.priority
        .cmp(&a.priority)
        .then(a.end.cmp(&b.end))
        .then(a.id.cmp(&b.id))
}

impl Campaign {
    /// The detail sections (heading, text) in the order the detail view shows them: the
    /// rule, why, what to do instead, and, when given, what happens if not and the source.
    pub fn details(&self) -> Vec<(Msg, &Text)> {
        let mut sections = vec![
            (Msg::DetailRule, &self.rule),
            (Msg::DetailWhy, &self.why),
            (Msg::DetailInstead, &self.instead),
        ];
        sections.extend(self.if_not.as_ref().map(|t| (Msg::DetailIfNot, t)));
        sections.extend(self.source.as_ref().map(|t| (Msg::DetailSource, t)));
        sections
    }
}

/// The SVG path of a campaign's line icon (`icon` in the feed); unknown names get a
/// generic warning sign. Drawn in the widget, so nothing is fetched from elsewhere.
pub fn icon_path(name: Option<&str>) -> &'static str {
    match name {
        Some("ebike") => {
            "M5 17a3 3 0 1 0 0.01 0M19 17a3 3 0 1 0 0.01 0M5 17l4-7h6l4 7M9 10l-1-3H6M15 10l1-4h2"
        }
        Some("plug") => "M9 3v5M15 3v5M7 8h10v3a5 5 0 0 1-10 0zM12 16v5",
        Some("wiring") => "M3 12h4l2-5 4 10 2-5h6",
        Some("power") => "M13 2L4 14h7l-1 8 9-12h-7z",
        Some("exit") => "M14 4h5v16h-5M10 8l-4 4 4 4M6 12h9",
        _ => "M12 3l9 16H3zM12 9v5M12 17v0.5",
    }
}

/// The feed that ships inside the build, used until a remote feed has been fetched.
pub const BUNDLED_FEED: &str = include_str!("../../../../public/campaigns.json");

pub fn bundled_feed() -> Feed {
    parse_feed(BUNDLED_FEED)
        .map(|parsed| parsed.feed)
        .unwrap_or(Feed {
            updated: None,
            campaigns: Vec::new(),
        })
}

/// The last good remote feed, as kept on the device.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CachedFeed {
    pub saved_ms: f64,
    pub json: String,
}

/// Why the campaigns on screen are not fresh from the town's server.
#[derive(Clone, Debug, PartialEq)]
pub enum FeedNote {
    /// The remote feed failed; this is the copy saved at `saved_ms`.
    Saved { saved_ms: f64 },
    /// The remote feed failed and nothing was saved: the feed built into the widget.
    Bundled,
}

/// What to show after trying the remote feed: the fresh one, else the saved copy, else the
/// bundled one, with a note saying which.
pub fn choose_feed(fetched: Option<&str>, cached: Option<&str>) -> (Feed, Option<FeedNote>) {
    if let Some(parsed) = fetched.and_then(|json| parse_feed(json).ok()) {
        return (parsed.feed, None);
    }
    let saved = cached.and_then(|json| crate::json::parse(json, read::cached_feed));
    if let Some(saved) = saved {
        if let Ok(parsed) = parse_feed(&saved.json) {
            return (
                parsed.feed,
                Some(FeedNote::Saved {
                    saved_ms: saved.saved_ms,
                }),
            );
        }
    }
    (bundled_feed(), Some(FeedNote::Bundled))
}
