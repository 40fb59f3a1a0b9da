//! Request ids: every response carries `X-Request-Id`, every log line of the request
//! carries it (a tracing span), and the API's error bodies show its first characters, so a
//! resident's screenshot leads staff to the log lines.
//!
//! The id comes from the request only when the peer is a trusted proxy (nginx's
//! `$request_id`, so its access log and the desk's agree); anyone else's would let a
//! stranger write what the logs say.

use crate::client_addr::Cidr;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::net::SocketAddr;
use std::sync::Arc;
use tracing::Instrument;

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");
/// Characters of the id shown to residents: enough to find one request in a day's logs.
pub const SHORT_CHARS: usize = 8;
const MAX_CHARS: usize = 64;

tokio::task_local! {
    static CURRENT: String;
}

/// The short form of the request being answered, if any (the API's error bodies).
pub fn current_short() -> Option<String> {
    CURRENT
        .try_with(|id| id.chars().take(SHORT_CHARS).collect())
        .ok()
}

/// A proxy's id is kept if it is short and plain (letters, digits, `-`, `_`, `.`).
fn acceptable(id: &str) -> bool {
    (SHORT_CHARS..=MAX_CHARS).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// 16 hexadecimal digits (64 random bits).
pub fn generate() -> String {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        // No randomness: still an id, unique enough within a process.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        bytes = nanos.to_be_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The id for a request from `peer`.
pub fn choose(peer: Option<SocketAddr>, header: Option<&str>, trusted: &[Cidr]) -> String {
    let from_proxy = peer.is_some_and(|p| {
        let ip = crate::client_addr::canonical(p.ip());
        trusted.iter().any(|c| c.contains(ip))
    });
    match header {
        Some(id) if from_proxy && acceptable(id) => id.to_owned(),
        _ => generate(),
    }
}

/// Middleware (outermost): picks the id, runs the request in its span and task-local,
/// and puts the id on the response.
pub async fn layer(State(trusted): State<Arc<[Cidr]>>, req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let header = req.headers().get(&HEADER).and_then(|v| v.to_str().ok());
    let id = choose(peer, header, &trusted);
    let span = tracing::info_span!("request", request_id = %id);
    let mut response = CURRENT
        .scope(id.clone(), next.run(req).instrument(span))
        .await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_trusted_proxy_names_the_request() {
        let trusted = [Cidr::parse("127.0.0.1").unwrap()];
        let proxy: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let stranger: SocketAddr = "203.0.113.9:5000".parse().unwrap();
        let nginx = "0f3a9c2b7d1e4f5a6b7c8d9e0f1a2b3c";
        assert_eq!(choose(Some(proxy), Some(nginx), &trusted), nginx);
        assert_ne!(choose(Some(stranger), Some(nginx), &trusted), nginx);
        // Nothing a log reader could mistake for something else.
        assert_ne!(
            choose(Some(proxy), Some("a b\"c=d e f g"), &trusted),
            "a b\"c=d e f g"
        );
        let made = choose(Some(stranger), None, &trusted);
        assert!(made.len() == 16 && made.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(made, generate());
    }
}
