//! The metrics' shell: the middleware that counts requests, the listener's one route, and
//! the gauges read from the running desk at each scrape.

use super::{family, write_outbox, Outbox};
use crate::disk::free_bytes;
use crate::http::error::RefusalCode;
use crate::idempotency::REPLAYED_HEADER;
use crate::state::AppState;
use crate::widget::API_PATH;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use sqlx::Row as _;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// A few classes, not paths: tickets in paths would make a series per report.
pub fn route_class(method: &Method, path: &str) -> &'static str {
    if let Some(rest) = path.strip_prefix(API_PATH) {
        return match (method, rest) {
            (&Method::POST, "" | "/") => "report_submit",
            (_, "/similar") => "similar",
            (&Method::POST, r) if r.ends_with("/feedback") => "feedback",
            (&Method::GET, _) => "report_status",
            _ => "api_other",
        };
    }
    if path.starts_with("/api/") {
        "api_other"
    } else if path == "/desk" || path.starts_with("/desk/") {
        "staff"
    } else if path == "/healthz" || path == "/readyz" {
        "health"
    } else if path == crate::campaigns::FEED_PATH {
        "campaigns"
    } else {
        "widget"
    }
}

/// Middleware: counts every request by class and status, with its latency, and the
/// reports received, replayed and refused.
pub async fn track(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let class = route_class(req.method(), req.uri().path());
    let started = Instant::now();
    let response = next.run(req).await;
    let metrics = &state.metrics;
    let status = response.status();
    metrics.request(class, status.as_u16(), started.elapsed().as_secs_f64());
    if let Some(RefusalCode(code)) = response.extensions().get::<RefusalCode>() {
        metrics.refused(code);
    } else if class == "report_submit" && status == StatusCode::CREATED {
        metrics.report(response.headers().contains_key(REPLAYED_HEADER));
    }
    response
}

/// The metrics listener's routes: `/metrics` only.
pub fn routes(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/metrics", get(serve))
        .with_state(state)
}

async fn serve(State(state): State<Arc<AppState>>) -> Response {
    let content_type = "text/plain; version=0.0.4; charset=utf-8";
    ([(header::CONTENT_TYPE, content_type)], render(&state).await).into_response()
}

/// The whole scrape. Parts that cannot be read (the database down) are left out and
/// `xinjing_scrape_errors` counts them, so the rest still arrives.
pub async fn render(state: &AppState) -> String {
    let mut out = String::new();
    state.metrics.write(&mut out);
    let depth = state.store.committer_depth();
    family(
        &mut out,
        "xinjing_committer_queue_depth",
        "gauge",
        "Claims and reports waiting for the group commit or being committed.",
    );
    let _ = writeln!(out, "xinjing_committer_queue_depth {depth}");
    family(
        &mut out,
        "xinjing_db_pool_in_use",
        "gauge",
        "Database connections in use, by pool.",
    );
    family(
        &mut out,
        "xinjing_db_pool_open",
        "gauge",
        "Database connections open, by pool.",
    );
    for (pool, in_use, open) in state.store.pools() {
        let _ = writeln!(out, "xinjing_db_pool_in_use{{pool=\"{pool}\"}} {in_use}");
        let _ = writeln!(out, "xinjing_db_pool_open{{pool=\"{pool}\"}} {open}");
    }
    let mut errors = 0;
    match outbox(state).await {
        Ok(channels) => write_outbox(&mut out, &channels, state.now_ms()),
        Err(e) => {
            tracing::warn!(error = %e, "metrics: cannot read the notification outbox");
            errors += 1;
        }
    }
    family(
        &mut out,
        "xinjing_disk_free_bytes",
        "gauge",
        "Free space for the desk's files, by what is kept there.",
    );
    for (what, path) in disk_paths(state) {
        match free_bytes(&path).ok() {
            Some(bytes) => {
                let _ = writeln!(out, "xinjing_disk_free_bytes{{path=\"{what}\"}} {bytes}");
            }
            None => errors += 1,
        }
    }
    family(
        &mut out,
        "xinjing_scrape_errors",
        "gauge",
        "Parts of this scrape that could not be read.",
    );
    let _ = writeln!(out, "xinjing_scrape_errors {errors}");
    out
}

/// Every configured channel, with its waiting and given-up rows.
async fn outbox(state: &AppState) -> crate::store::Result<BTreeMap<String, Outbox>> {
    let rows = sqlx::query(
        "SELECT channel, state, COUNT(*) AS n, MIN(created_at) AS oldest FROM notify_outbox \
         WHERE state IN ('pending', 'failed') GROUP BY channel, state",
    )
    .fetch_all(state.store.read_pool())
    .await?;
    let mut channels: BTreeMap<String, Outbox> = state
        .config
        .notify
        .channels
        .iter()
        .map(|c| (c.name.clone(), Outbox::default()))
        .collect();
    for row in rows {
        let entry = channels.entry(row.try_get("channel")?).or_default();
        let n: i64 = row.try_get("n")?;
        if row.try_get::<String, _>("state")? == "pending" {
            entry.pending = n;
            entry.oldest_ms = Some(row.try_get("oldest")?);
        } else {
            entry.failed = n;
        }
    }
    Ok(channels)
}

/// The folders whose free space matters: the SQLite file's and the photos' (a bucket and
/// PostgreSQL are watched where they run).
fn disk_paths(state: &AppState) -> Vec<(&'static str, PathBuf)> {
    let mut paths = Vec::new();
    if let crate::config::Database::Sqlite(url) = &state.config.database {
        let file = url
            .trim_start_matches("sqlite://")
            .trim_start_matches("sqlite:");
        let file = file.split('?').next().unwrap_or(file);
        let dir = Path::new(file)
            .parent()
            .filter(|p| !p.as_os_str().is_empty());
        paths.push(("database", dir.unwrap_or(Path::new(".")).to_path_buf()));
    }
    if let crate::config::Photos::Local(dir) = &state.config.photos {
        paths.push(("photos", dir.clone()));
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_classes_never_carry_a_ticket() {
        let t = "/api/v1/reports/XJ-20261207-0001";
        let class = route_class;
        assert_eq!(class(&Method::POST, "/api/v1/reports"), "report_submit");
        assert_eq!(class(&Method::GET, t), "report_status");
        assert_eq!(class(&Method::POST, &format!("{t}/feedback")), "feedback");
        assert_eq!(class(&Method::GET, "/api/v1/reports/similar"), "similar");
        assert_eq!(class(&Method::GET, "/api/v2/x"), "api_other");
        assert_eq!(class(&Method::GET, "/desk/reports"), "staff");
        assert_eq!(class(&Method::GET, "/readyz"), "health");
        assert_eq!(class(&Method::GET, "/index.html"), "widget");
    }
}
