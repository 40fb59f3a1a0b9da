//! Every route of the desk, composed in one place: the residents' API, the campaigns'
//! feed, the staff pages (with the posters' and campaigns' pages under `/desk/`), health
//! checks and the widget's files; around them the request id, the client address, the
//! metrics, the access log, the cap on requests in flight and the time limit. `/metrics`
//! itself has a listener of its own ([`metrics`]).
//!
//! [`metrics`]: crate::metrics::scrape::routes

use crate::client_addr::client_address;
use crate::state::AppState;
use crate::widget::Widget;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Semaphore;
use tower::ServiceExt;
use tower_http::services::ServeDir;

pub fn router(state: Arc<AppState>) -> Router {
    let api = crate::http::api(state.clone());
    let trusted: Arc<[crate::client_addr::Cidr]> = state.config.trusted_proxies.as_slice().into();
    let mut app = Router::new()
        .merge(api)
        .route(crate::campaigns::FEED_PATH, get(crate::campaigns::feed))
        // The staff pages; other modules' /desk/ routers are merged into staff::routes()
        // here, before the layers, so they get the same headers and language cookie. Unit
        // accounts are kept to their own pages inside those layers (the 404 page is written
        // in the page's language like any other).
        .merge(crate::staff::layers(
            crate::staff::routes()
                .merge(crate::posters::routes())
                .merge(crate::campaigns::routes())
                .merge(crate::units::routes())
                .merge(crate::town::routes())
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    crate::units::gate::units_to_their_pages,
                )),
        ))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz));
    if let Some(widget) = &state.widget {
        app = app.fallback_service(widget_routes(widget, state.clone()));
    } else {
        app = app.fallback(no_widget);
    }
    let in_flight = Arc::new(InFlight {
        all: Semaphore::new(state.config.limits.max_in_flight.max(1)),
        logins: Semaphore::new(LOGINS_IN_FLIGHT),
    });
    // Outermost last: the request id wraps everything, so every log line and every error
    // body of the request has it; the metrics see the status the client gets.
    app.layer(middleware::from_fn_with_state(state.clone(), time_limit))
        .layer(middleware::from_fn_with_state(in_flight, limit_in_flight))
        .layer(middleware::from_fn(access_log))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::scrape::track,
        ))
        .layer(middleware::from_fn_with_state(
            trusted.clone(),
            client_address,
        ))
        .layer(middleware::from_fn_with_state(
            trusted,
            crate::request_id::layer,
        ))
        .with_state(state)
}

/// The build's files, the desk's `config.json` and the page rendered with the desk's
/// campaigns, with the security headers.
fn widget_routes(widget: &Widget, state: Arc<AppState>) -> Router {
    let config_json = widget.config_json.clone();
    let headers = widget.headers.clone();
    let files = ServeDir::new(&widget.dir).append_index_html_on_directories(true);
    let page = {
        let files = files.clone();
        move |req: Request| first_paint(state.clone(), files.clone(), req)
    };
    Router::new()
        .route("/", get(page.clone()))
        .route("/index.html", get(page))
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

/// `index.html` with the campaigns the desk serves now; the build's file as it is when the
/// build has no markers or the campaigns cannot be read.
async fn first_paint(state: Arc<AppState>, files: ServeDir, req: Request) -> Response {
    let rows = match state.store.campaigns().await {
        Ok(rows) => rows,
        Err(e) => {
            tracing::error!(error = %e, "campaigns for the first paint");
            return files.oneshot(req).await.into_response();
        }
    };
    let feed = crate::campaigns::feed_document(&rows, None).to_string();
    match state.widget.as_ref().and_then(|w| w.first_paint(&feed)) {
        Some(html) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            html,
        )
            .into_response(),
        None => files.oneshot(req).await.into_response(),
    }
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
    if let Some((folder, free)) = state.space.low() {
        tracing::warn!(folder = %folder.display(), free_bytes = free, "not ready: disk space low");
        return (StatusCode::SERVICE_UNAVAILABLE, "disk space low\n").into_response();
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

/// Logins waiting or hashing at once. A login waits out its account's growing delay (up to
/// seconds) and a hashing slot; in the shared slots, a flood of guesses from many addresses
/// would take every slot residents' reports need. Apart, it costs a sleeping task each.
pub const LOGINS_IN_FLIGHT: usize = 512;

/// The request slots: logins have their own.
struct InFlight {
    all: Semaphore,
    logins: Semaphore,
}

/// Past `max_in_flight` requests at once, the next is answered at once (503) rather than
/// queued behind them.
async fn limit_in_flight(State(slots): State<Arc<InFlight>>, req: Request, next: Next) -> Response {
    let login = req.method() == axum::http::Method::POST && req.uri().path() == "/desk/login";
    let pool = if login { &slots.logins } else { &slots.all };
    let Ok(_slot) = pool.try_acquire() else {
        if req.uri().path().starts_with("/api/") {
            return crate::http::error::ApiError::busy(1).into_response();
        }
        let busy = [(header::RETRY_AFTER, "1")];
        return (StatusCode::SERVICE_UNAVAILABLE, busy, "busy\n").into_response();
    };
    next.run(req).await
}

/// Every page and file has a time limit; the API has its own, which answers in the
/// contract's shape.
async fn time_limit(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    // A unit's after-photo may be a camera's own file, larger than any other body; only
    // that route reads one, so only there does a larger declared length buy more time.
    let path = req.uri().path();
    let max_body = if path.starts_with("/desk/tasks/") && path.ends_with("/done") {
        state.config.limits.unit_photo_max_bytes
    } else {
        state.config.max_body_bytes
    };
    let limit = crate::serve::time_limit(state.config.request_timeout, req.headers(), max_body);
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => (
            StatusCode::REQUEST_TIMEOUT,
            [(header::CONNECTION, "close")],
            "the request took too long\n",
        )
            .into_response(),
    }
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
