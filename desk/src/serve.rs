//! The HTTP server: hyper's HTTP/1 with a timer, so that a slow socket cannot hold the desk.
//! A request's headers must arrive within the header time-out, which in hyper also bounds
//! how long an idle keep-alive connection waits for its next request; connections beyond
//! the cap wait in the kernel's queue; and each request has a time limit sized to its body
//! as the widget sizes its own wait.

use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderMap};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// How the server treats connections.
#[derive(Clone, Copy, Debug)]
pub struct ServeLimits {
    /// Time to send a request's headers, and the longest an idle connection is kept.
    pub header_timeout: Duration,
    /// Connections open at once.
    pub max_connections: usize,
    /// After the stop signal, how long requests in flight may still take.
    pub grace: Duration,
}

/// Serves `app` on `listener` until `stop` resolves, then lets connections finish their
/// requests for `limits.grace` and cuts off the rest.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ServeLimits,
    stop: impl Future<Output = ()>,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    tokio::pin!(stop);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot,
            () = &mut stop => break,
        };
        let Ok(slot) = slot else { break };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was taken:
                    // pause a little rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let service = app.clone().map_request(move |mut req: Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            req
        });
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, %peer, "connection ended");
            }
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("stopped with requests still in flight after the grace period");
    }
}

/// The time a request may take: `base`, plus the time its declared body needs at the
/// slowest upload the widget gives time for (the widget's own rule, so the desk never cuts
/// off a photo report the phone is still waiting for). A declared length counts up to
/// `max_body` only: the desk reads no more, so a bigger one buys no more time.
pub fn time_limit(base: Duration, headers: &HeaderMap, max_body: usize) -> Duration {
    let body_bytes = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0)
        .min(max_body);
    let ms = xinjing_core::outbox::attempt_timeout_ms(base.as_millis() as f64, body_bytes);
    Duration::from_millis(ms as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_photo_report_gets_the_time_its_body_needs() {
        let base = Duration::from_secs(30);
        let max = 2 * 1024 * 1024;
        assert_eq!(time_limit(base, &HeaderMap::new(), max), base);
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_LENGTH, max.into());
        // 2 MB at 20 KB/s is 100 s more.
        let limit = time_limit(base, &headers, max);
        assert!(limit >= Duration::from_secs(130), "{limit:?}");
        // A length past the body limit buys no more time.
        headers.insert(header::CONTENT_LENGTH, "1000000000000".parse().unwrap());
        assert_eq!(time_limit(base, &headers, max), limit);
    }
}
