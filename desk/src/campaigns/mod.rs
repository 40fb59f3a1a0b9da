//! Campaigns edited in the desk: the feed the widget reads (`/campaigns.json`, public), the
//! first-start seed from the bundled feed, and the admins' editor (`/desk/campaigns`).

mod editor;
pub mod form;
pub mod pages;
pub mod schema;

pub use editor::routes;

use crate::state::AppState;
use crate::store::{CampaignRow, Store, StoreError};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;
use xinjing_contract::time::Date;

pub use crate::widget::FEED_PATH;

/// The bundled feed: the served build's `campaigns.json` when there is one, else the one
/// compiled into the widget's core (the same file, `public/campaigns.json`).
pub fn bundled_entries(dist: Option<&Path>) -> Vec<Value> {
    let from_dist = dist.and_then(|dir| std::fs::read_to_string(dir.join("campaigns.json")).ok());
    let text = from_dist
        .as_deref()
        .unwrap_or(xinjing_core::campaign::BUNDLED_FEED);
    let feed: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let entries = feed["campaigns"].as_array().cloned().unwrap_or_default();
    let total = entries.len();
    let valid: Vec<Value> = entries
        .into_iter()
        .filter(|e| schema::check_campaign(e).is_empty())
        .collect();
    if valid.len() < total {
        tracing::warn!(
            skipped = total - valid.len(),
            "bundled campaigns that do not fit campaigns.schema.json are not seeded"
        );
    }
    valid
}

/// Seeds the campaigns on the first start (a no-op afterwards).
pub async fn seed(store: &Store, dist: Option<&Path>, now: i64) -> Result<(), StoreError> {
    let entries = bundled_entries(dist);
    if store.seed_campaigns(&entries, now).await? {
        tracing::info!(
            campaigns = entries.len(),
            "campaigns seeded from the bundled feed"
        );
    }
    Ok(())
}

/// The feed document: every campaign not ended, in feed order (the widget picks the ones
/// running today, as it does with any feed).
pub fn feed_document(rows: &[CampaignRow], updated_ms: Option<i64>) -> Value {
    let campaigns: Vec<&Value> = rows
        .iter()
        .filter(|r| r.ended_at.is_none())
        .map(|r| &r.entry)
        .collect();
    let mut feed = json!({ "campaigns": campaigns });
    if let Some(ms) = updated_ms {
        feed["updated"] = Value::String(Date::in_shanghai(ms as f64).to_string());
    }
    feed
}

/// The campaigns the widget would show on `today`, most urgent first, read with the
/// widget's own parser and order.
pub fn running_on(rows: &[CampaignRow], today: Date) -> Vec<xinjing_core::campaign::Campaign> {
    use xinjing_core::campaign::{active_on, parse_feed};
    let text = feed_document(rows, None).to_string();
    match parse_feed(&text) {
        Ok(parsed) => active_on(&parsed.feed.campaigns, today)
            .into_iter()
            .cloned()
            .collect(),
        Err(_) => Vec::new(),
    }
}

fn etag_of(body: &str) -> String {
    let digest = Sha256::digest(body.as_bytes());
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// `GET /campaigns.json`: public, cacheable only with revalidation (an edit shows on the
/// next load), with an ETag so an unchanged feed costs a 304.
pub async fn feed(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let loaded = async {
        let rows = state.store.campaigns().await?;
        let updated = state.store.campaigns_updated_at().await?;
        Ok::<_, StoreError>(feed_document(&rows, updated))
    }
    .await;
    let document = match loaded {
        Ok(document) => document,
        Err(e) => {
            tracing::error!(error = %e, "campaign feed");
            return (StatusCode::SERVICE_UNAVAILABLE, "campaigns unavailable\n").into_response();
        }
    };
    let body = document.to_string();
    let etag = etag_of(&body);
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let common = [
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (
            header::ETAG,
            HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"0\"")),
        ),
        // Public and without credentials: a widget on another origin may read it.
        (
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
    ];
    if fresh {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    (
        common,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, start: &str, end: &str, priority: u8, ended: bool) -> CampaignRow {
        CampaignRow {
            id: id.into(),
            entry: json!({
                "id": id, "title": {"zh": id}, "summary": {"zh": "s"}, "rule": {"zh": "r"},
                "why": {"zh": "w"}, "instead": {"zh": "i"}, "start": start, "end": end,
                "priority": priority,
            }),
            ended_at: ended.then_some(1),
            updated_at: 0,
            updated_by: "seed".into(),
        }
    }

    #[test]
    fn the_feed_leaves_out_ended_campaigns_and_posters_take_todays_in_the_widgets_order() {
        let rows = vec![
            row("a", "2026-01-01", "2026-12-31", 1, false),
            row("b", "2026-01-01", "2026-12-31", 9, false),
            row("ended", "2026-01-01", "2026-12-31", 9, true),
            row("later", "2027-01-01", "2027-12-31", 9, false),
        ];
        let feed = feed_document(&rows, Some(0));
        assert_eq!(feed["campaigns"].as_array().unwrap().len(), 3);
        assert_eq!(feed["updated"], "1970-01-01");
        let today = Date::parse("2026-11-30").unwrap();
        let ids: Vec<String> = running_on(&rows, today).into_iter().map(|c| c.id).collect();
        assert_eq!(ids, vec!["b", "a"]);
    }

    #[test]
    fn the_bundled_feed_seeds_every_entry() {
        assert_eq!(bundled_entries(None).len(), 5);
        assert_ne!(etag_of("a"), etag_of("b"));
    }
}
