//! The desk's HTTP surface: one module per resource, one error type, and the layers that
//! keep it safe on the open internet (client address, rate limit, time limit, CORS from an
//! exact list, security headers, an access log without personal data).

pub mod error;
pub mod reports;
pub mod similar;

use crate::ratelimit::client_ip;
use crate::state::AppState;
use crate::widget::{Widget, API_PATH};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use error::{request_lang, ApiError};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;

/// The client's address as the desk believes it (after trusted proxies).
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub IpAddr);

pub fn router(state: Arc<AppState>) -> Router {
    let mut api = Router::new()
        .route(API_PATH, post(reports::submit))
        .route(&format!("{}/similar", API_PATH), get(similar::similar))
        .route(&format!("{}/{{ticket}}", API_PATH), get(reports::status))
        .route(
            &format!("{}/{{ticket}}/feedback", API_PATH),
            post(reports::feedback),
        );
    if state.config.bench_floor {
        api = api.route("/api/v1/floor", post(reports::floor));
    }
    let mut api = api
        .route("/api/{*rest}", any(api_not_found))
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit))
        .layer(middleware::from_fn_with_state(state.clone(), time_limit))
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
    let mut app = Router::new()
        .merge(api)
        // The staff pages; other modules' /desk/ routers are merged into staff::routes()
        // here, before the layers, so they get the same headers and language cookie.
        .merge(crate::staff::layers(crate::staff::routes()))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz));
    if let Some(widget) = &state.widget {
        app = app.fallback_service(widget_routes(widget));
    } else {
        app = app.fallback(no_widget);
    }
    app.layer(middleware::from_fn(access_log))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            client_address,
        ))
        .with_state(state)
}

/// The build's files and the desk's `config.json`, with the security headers.
fn widget_routes(widget: &Widget) -> Router {
    let config_json = widget.config_json.clone();
    let headers = widget.headers.clone();
    let files = ServeDir::new(&widget.dir).append_index_html_on_directories(true);
    Router::new()
        .route(
            "/config.json",
            get(move || async move {
                (
                    [(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/json; charset=utf-8"),
                    )],
                    config_json,
                )
            }),
        )
        .fallback_service(files)
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            let headers = headers.clone();
            async move {
                let mut response = next.run(req).await;
                let out = response.headers_mut();
                for (name, value) in headers {
                    out.insert(name, value);
                }
                out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
                response
            }
        }))
}

async fn api_not_found(headers: axum::http::HeaderMap) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        request_lang(&headers),
        "没有这个地址",
        "Not found",
    )
}

async fn no_widget() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "xinjing-desk: the widget is not served here (set `dist` / DESK_DIST)\n",
    )
        .into_response()
}

async fn healthz() -> &'static str {
    "ok\n"
}

/// Ready when the database and the photo store answer and the desk is not stopping.
async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    if state.stopping.load(Ordering::SeqCst) {
        return (StatusCode::SERVICE_UNAVAILABLE, "stopping\n").into_response();
    }
    if let Err(e) = state.store.ping().await {
        tracing::warn!(error = %e, "not ready: database");
        return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response();
    }
    if let Err(e) = state.photos.check().await {
        tracing::warn!(error = %e, "not ready: photo store");
        return (StatusCode::SERVICE_UNAVAILABLE, "photo store unavailable\n").into_response();
    }
    "ready\n".into_response()
}

async fn client_address(
    State(state): State<Arc<AppState>>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let ip = client_ip(peer, req.headers(), &state.config.trusted_proxies);
    req.extensions_mut().insert(ClientIp(ip));
    next.run(req).await
}

async fn rate_limit(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if let (Some(limiter), Some(ClientIp(ip))) =
        (&state.limiter, req.extensions().get::<ClientIp>().copied())
    {
        if let Err(retry_after) = limiter.check(ip, state.now_ms()) {
            return ApiError::rate_limited(retry_after).into_response();
        }
    }
    next.run(req).await
}

async fn time_limit(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(state.config.request_timeout, next.run(req)).await {
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

/// One line per API request: method, path (never the query), status, time. Tickets in
/// paths are not personal data; bodies, names and phone numbers are never logged.
async fn access_log(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(req).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let status = response.status().as_u16();
    if path.starts_with("/api/") {
        tracing::info!(%method, path = %path, status, ms = format!("{ms:.1}"), "request");
    } else {
        tracing::debug!(%method, path = %path, status, ms = format!("{ms:.1}"), "request");
    }
    response
}
