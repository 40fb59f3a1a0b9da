//! `GET /api/v1/reports/similar`: the duplicate hint before sending.

use super::error::ApiError;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// Per client, on top of the API's own limit: the widget asks once per place and kind a
/// resident settles on; walking an area's buildings is slowed down.
pub const SIMILAR_PER_MINUTE: u32 = 20;
pub const SIMILAR_BURST: u32 = 10;

#[derive(serde::Deserialize)]
pub struct SimilarQuery {
    community: Option<String>,
    building: Option<String>,
    category: Option<String>,
}

/// `GET /api/v1/reports/similar?community=&building=&category=`: open reports of the same
/// kind in the same building in the last `SIMILAR_DAYS` days: their count only. Ticket
/// numbers carry the day each was filed; with them a stranger could tell when a neighbour
/// reported what, so `tickets` stays empty.
pub async fn similar(
    State(state): State<Arc<AppState>>,
    axum::extract::Query(q): axum::extract::Query<SimilarQuery>,
) -> Result<Response, ApiError> {
    let community = q.community.as_deref().map(str::trim);
    let building = q.building.as_deref().map(str::trim).unwrap_or("");
    let category = q
        .category
        .as_deref()
        .and_then(xinjing_contract::report::Category::from_code);
    let (Some(category), Some(community)) = (category, community) else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            "请提供小区和问题类别",
            "community and category are required",
        ));
    };
    // One building at a time: a whole area's open tickets and their dates would tell a
    // stranger what is reported where. The document allows an empty community; no report
    // has one.
    if community.is_empty() || building.is_empty() {
        let none = xinjing_contract::Similar {
            count: 0,
            tickets: Vec::new(),
        };
        return Ok(axum::Json(none).into_response());
    }
    let since = state.now_ms() - i64::from(xinjing_contract::ticket::SIMILAR_DAYS) * 86_400_000;
    let count = state
        .store
        .similar(community, building, category.code(), since)
        .await?;
    let answer = xinjing_contract::Similar {
        count: u32::try_from(count).unwrap_or(u32::MAX),
        tickets: Vec::new(),
    };
    Ok(axum::Json(answer).into_response())
}
