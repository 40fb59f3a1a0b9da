//! The residents' API: one module per resource, one error type, and the layers that keep it
//! safe on the open internet (rate limit, time limit, CORS from an exact list, security
//! headers). `routes` mounts it beside the staff pages.

pub mod body;
pub mod error;
pub mod reports;
pub mod similar;
pub mod status;

use crate::client_addr::ClientIp;
use crate::state::AppState;
use crate::widget::API_PATH;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use error::ApiError;
use std::sync::Arc;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The API's routes with their layers (rate limit, time limit, headers, CORS).
pub fn api(state: Arc<AppState>) -> Router<Arc<AppState>> {
    let mut api = Router::new()
        .route(API_PATH, post(reports::submit))
        // The document's path for filing is `/` after the endpoint: a client generated
        // from it sends the trailing slash.
        .route(&format!("{API_PATH}/"), post(reports::submit))
        .route(&format!("{}/similar", API_PATH), similar_route(&state))
        .route(&format!("{}/{{ticket}}", API_PATH), get(status::status))
        .route(
            &format!("{}/{{ticket}}/after-photo", API_PATH),
            get(status::after_photo),
        )
        .route(
            &format!("{}/{{ticket}}/feedback", API_PATH),
            post(reports::feedback),
        );
    if state.config.bench_floor {
        api = api.route("/api/v1/floor", post(reports::floor));
    }
    let mut api = api
        .route("/api/{*rest}", any(api_not_found))
        .layer(middleware::from_fn(contract_errors))
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit))
        .layer(middleware::from_fn_with_state(state.clone(), time_limit))
        .layer(middleware::from_fn(error::in_resident_lang))
        .layer(middleware::from_fn(api_headers));
    if !state.config.cors_origins.is_empty() {
        let origins: Vec<HeaderValue> = state
            .config
            .cors_origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o).ok())
            .collect();
        api = api.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
                .allow_headers([
                    header::CONTENT_TYPE,
                    HeaderName::from_static("idempotency-key"),
                    HeaderName::from_static("x-report-key"),
                ])
                .expose_headers([
                    header::RETRY_AFTER,
                    HeaderName::from_static("idempotent-replayed"),
                ])
                .max_age(std::time::Duration::from_secs(600)),
        );
    }
    api
}

async fn api_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "没有这个地址",
        "Not found",
    )
}

/// `/similar` with a limit of its own per client, when the API is rate-limited at all.
fn similar_route(state: &Arc<AppState>) -> axum::routing::MethodRouter<Arc<AppState>> {
    let route = get(similar::similar);
    if state.limiter.is_none() {
        return route;
    }
    let limiter = Arc::new(crate::ratelimit::RateLimiter::new(
        similar::SIMILAR_PER_MINUTE,
        similar::SIMILAR_BURST,
    ));
    let state = state.clone();
    route.layer(middleware::from_fn(move |req: Request, next: Next| {
        let (limiter, state) = (limiter.clone(), state.clone());
        async move {
            let now = state.now_ms();
            if let Some(ClientIp(ip)) = req.extensions().get::<ClientIp>().copied() {
                if let Err(retry_after) = limiter.check(ip, now) {
                    return ApiError::rate_limited(retry_after).into_response();
                }
            }
            next.run(req).await
        }
    }))
}

/// Refusals made before a handler runs (a query or path an extractor rejects, a method
/// the route does not take) come as plain text from axum: answer them in the contract's
/// shape too, with their status and headers (`Allow`).
async fn contract_errors(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let (code, zh, en) = match status {
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "这个地址不接受这种请求",
            "This address does not take this method",
        ),
        StatusCode::NOT_FOUND => ("not_found", "没有这个地址", "Not found"),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "too_large",
            "报告太大，请减少照片后重新提交",
            "The report is too large: remove a photo and send it again",
        ),
        s if s.is_server_error() => (
            "unavailable",
            "服务暂时不可用，请稍后再试",
            "The service is unavailable for a moment: try again later",
        ),
        _ => (
            "invalid_request",
            "请求格式有误，请刷新页面后重试",
            "The request is malformed: reload the page and try again",
        ),
    };
    let mut error = ApiError::new(status, code, zh, en).into_response();
    // What axum said beside its text (`Allow` on a 405) stays with the contract's body.
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_TYPE);
    for (name, value) in parts.headers.drain().filter_map(|(n, v)| Some((n?, v))) {
        error.headers_mut().insert(name, value);
    }
    error
}

async fn rate_limit(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if let (Some(limiter), Some(ClientIp(ip))) =
        (&state.limiter, req.extensions().get::<ClientIp>().copied())
    {
        if let Err(retry_after) = limiter.check(ip, state.now_ms()) {
            return ApiError::rate_limited(retry_after).into_response();
        }
    }
    // Nothing more is written while the disk is nearly full: the phone keeps it for later.
    if req.method() == Method::POST {
        if let Some((folder, free)) = state.space.low() {
            tracing::warn!(folder = %folder.display(), free_bytes = free, "refused: disk space low");
            return ApiError::busy(60).into_response();
        }
    }
    // Past each client's own bucket, new reports also draw on the town's budget.
    if let Some(intake) = &state.intake {
        if req.method() == Method::POST && req.uri().path() == API_PATH {
            if let Err(retry_after) = intake.check(state.now_ms()) {
                return ApiError::busy(retry_after).into_response();
            }
        }
    }
    next.run(req).await
}

/// The request time-out, plus the time the body needs on a slow link.
async fn time_limit(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let limit = crate::serve::time_limit(
        state.config.request_timeout,
        req.headers(),
        state.config.max_body_bytes,
    );
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => ApiError::timeout().into_response(),
    }
}

async fn api_headers(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(
            "default-src 'none'; frame-ancestors 'none'",
        ));
    response
}
