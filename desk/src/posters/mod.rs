//! Stairwell posters (宣传): a printable A4 poster per community and building, linked from
//! `/desk/posters` (any logged-in staff, for the areas they may see).
//!
//! Buildings come from the `buildings` configuration key (area → list); an area not listed
//! there gets the buildings residents have named in its reports. An area with no building
//! known yet gets one poster for the whole area (its QR code fills in the area only).

pub mod page;
pub mod qr;

use crate::staff::auth::{encode_component, Staff};
use crate::staff::error::{PageError, PageResult};
use crate::staff::i18n::tr;
use crate::staff::layout::page as desk_page;
use crate::state::AppState;
use crate::store::StoreError;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::html;
use serde::Deserialize;
use std::cmp::Ordering;
use std::sync::Arc;
use xinjing_contract::time::Date;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/desk/posters", get(list))
        .route("/desk/posters/print", get(print))
        .route(page::CSS_PATH, get(stylesheet))
}

/// "2号楼" before "10号楼": digit runs compare as numbers.
pub fn natural_order(a: &str, b: &str) -> Ordering {
    fn chunks(s: &str) -> Vec<(bool, String)> {
        let mut out: Vec<(bool, String)> = Vec::new();
        for c in s.chars() {
            let digit = c.is_ascii_digit();
            match out.last_mut() {
                Some((d, text)) if *d == digit => text.push(c),
                _ => out.push((digit, c.to_string())),
            }
        }
        out
    }
    let (a_chunks, b_chunks) = (chunks(a), chunks(b));
    for (x, y) in a_chunks.iter().zip(&b_chunks) {
        let order = match (x, y) {
            ((true, x), (true, y)) => x
                .trim_start_matches('0')
                .len()
                .cmp(&y.trim_start_matches('0').len())
                .then_with(|| x.trim_start_matches('0').cmp(y.trim_start_matches('0'))),
            ((_, x), (_, y)) => x.cmp(y),
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    a_chunks.len().cmp(&b_chunks.len()).then_with(|| a.cmp(b))
}

/// The areas to make posters for: the configured ones (communities, then those with
/// configured buildings), else those named in reports.
async fn communities(state: &AppState) -> Result<Vec<String>, StoreError> {
    let mut all: Vec<String> = state.communities.clone();
    for (community, _) in &state.config.buildings {
        if !all.contains(community) {
            all.push(community.clone());
        }
    }
    if all.is_empty() {
        all = state.store.communities_seen().await?;
        all.retain(|name| printable(name));
    }
    Ok(all)
}

/// Whether a place name a resident typed may go on a poster in a stairwell: not when it
/// holds a run of digits that could be a phone number ("5号楼 王阿姨 13912345678"), nor a
/// web address.
/// (The notifications' cleaning finds such runs, with spaces or dashes inside: if it
/// blanks any digit, the name is not printed.)
fn printable(name: &str) -> bool {
    let digits = |s: &str| s.chars().filter(|c| c.is_numeric()).count();
    digits(&crate::notify::message::clean(name, usize::MAX)) == digits(name)
        && name
            .split_whitespace()
            .all(|word| crate::notify::message::link_start(word).is_none())
}

/// The buildings of an area: configured, else those of reports staff took up (natural
/// order): a name only a resident typed is not printed in a stairwell.
async fn buildings(state: &AppState, community: &str) -> Result<Vec<String>, StoreError> {
    if let Some((_, list)) = state.config.buildings.iter().find(|(c, _)| c == community) {
        return Ok(list.clone());
    }
    let mut seen = state.store.buildings_seen(community).await?;
    seen.retain(|name| printable(name));
    seen.sort_by(|a, b| natural_order(a, b));
    Ok(seen)
}

fn print_url(community: &str, building: Option<&str>) -> String {
    let mut url = format!(
        "/desk/posters/print?community={}",
        encode_component(community)
    );
    if let Some(building) = building {
        url.push_str("&building=");
        url.push_str(&encode_component(building));
    }
    url
}

async fn list(State(state): State<Arc<AppState>>, staff: Staff) -> PageResult {
    let lang = staff.lang;
    let t = |zh, en| tr(lang, zh, en);
    let mut areas = Vec::new();
    let loaded = async {
        for community in communities(&state).await? {
            if staff.can_see(&community) {
                let list = buildings(&state, &community).await?;
                areas.push((community, list));
            }
        }
        Ok::<_, StoreError>(())
    }
    .await;
    loaded?;
    let body = html! {
        p.hint { (t("每栋楼一张 A4 海报：当天的宣传内容、119 / 110 / 12345，以及扫码即可报告的二维码（小区和楼栋已填好）。",
                    "One A4 poster per building: the day's campaigns, 119 / 110 / 12345, and a QR code that opens the report form with the compound and building filled in.")) }
        @if areas.is_empty() {
            p.notice { (t("还没有小区：在配置中设置 communities 和 buildings，或等居民提交第一份报告。",
                          "No compounds yet: set communities and buildings in the configuration, or wait for the first report.")) }
        }
        @for (community, list) in &areas {
            section.card {
                h2 { (community) }
                p { a.button href=(print_url(community, None)) {
                    @if list.is_empty() { (t("打印本小区海报", "Print the compound's poster")) }
                    @else { (t("打印整个小区（", "Print the whole compound (")) (list.len()) (t(" 页）", " pages)")) }
                } }
                @if !list.is_empty() {
                    ul { @for building in list {
                        li { a href=(print_url(community, Some(building))) { (building) } }
                    } }
                }
            }
        }
    };
    Ok(desk_page(Some(&staff), lang, t("宣传海报", "Posters"), body).into_response())
}

#[derive(Deserialize)]
pub struct Place {
    community: String,
    building: Option<String>,
}

async fn print(
    State(state): State<Arc<AppState>>,
    staff: Staff,
    Query(place): Query<Place>,
) -> PageResult {
    let lang = staff.lang;
    let community = place.community.trim().to_owned();
    if community.is_empty() || !staff.can_see(&community) {
        return Err(PageError::not_found(&staff));
    }
    let building = place
        .building
        .map(|b| b.trim().to_owned())
        .filter(|b| !b.is_empty());
    let buildings = match &building {
        Some(one) => vec![one.clone()],
        None => buildings(&state, &community).await?,
    };
    let sheet = |building: Option<&str>| page::Sheet {
        community: community.clone(),
        building: building.map(str::to_owned),
        url: qr::widget_url(&state.public_url, &community, building),
        address: qr::widget_address(&state.public_url, &community, building),
    };
    let sheets: Vec<page::Sheet> = if buildings.is_empty() {
        vec![sheet(None)]
    } else {
        buildings.iter().map(|b| sheet(Some(b))).collect()
    };
    let rows = state.store.campaigns().await?;
    let today = Date::in_shanghai(state.now_ms() as f64);
    let campaigns = crate::campaigns::running_on(&rows, today);
    Ok(page::document(lang, &sheets, &campaigns, today, "/desk/posters").into_response())
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        page::CSS,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn place_names_with_a_phone_number_are_not_printed() {
        assert!(printable("5号楼"));
        assert!(printable("12345号楼"));
        assert!(!printable("5号楼 王阿姨 13912345678"));
        assert!(!printable("5号楼 139-1234-5678"));
    }

    #[test]
    fn buildings_in_natural_order() {
        let mut list = vec!["10号楼", "2号楼", "1号楼", "2号楼1单元", "甲楼"];
        list.sort_by(|a, b| natural_order(a, b));
        assert_eq!(list, vec!["1号楼", "2号楼", "2号楼1单元", "10号楼", "甲楼"]);
    }
}
