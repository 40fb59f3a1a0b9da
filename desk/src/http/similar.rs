//! `GET /api/v1/reports/similar`: the duplicate hint before sending.

use super::error::ApiError;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// How many similar tickets `/similar` names at most.
const SIMILAR_MAX: i64 = 10;

#[derive(serde::Deserialize)]
pub struct SimilarQuery {
    community: Option<String>,
    building: Option<String>,
    category: Option<String>,
}

/// `GET /api/v1/reports/similar?community=&building=&category=`: open reports of the same
/// kind at the same place in the last `SIMILAR_DAYS` days. Ticket numbers only.
pub async fn similar(
    State(state): State<Arc<AppState>>,
    axum::extract::Query(q): axum::extract::Query<SimilarQuery>,
) -> Result<Response, ApiError> {
    let community = q.community.as_deref().map(str::trim).unwrap_or("");
    let building = q.building.as_deref().map(str::trim).unwrap_or("");
    let category = q
        .category
        .as_deref()
        .and_then(xinjing_contract::report::Category::from_code);
    let (Some(category), false) = (category, community.is_empty()) else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            "请提供小区和问题类别",
            "community and category are required",
        ));
    };
    let since = state.now_ms() - i64::from(xinjing_contract::ticket::SIMILAR_DAYS) * 86_400_000;
    let tickets = state
        .store
        .similar(community, building, category.code(), since, SIMILAR_MAX)
        .await?;
    let answer = xinjing_contract::Similar {
        count: tickets.len() as u32,
        tickets,
    };
    Ok(axum::Json(answer).into_response())
}
