//! Browser adapters. Each implements something `xinjing_core` defines or hands plain data
//! to it; none decides policy.

pub mod clock;
pub mod embed;
pub mod http;
pub(crate) mod js;
pub mod legacy;
pub mod lock;
#[cfg(feature = "demo")]
pub mod mock;
pub mod photo;
pub mod storage;

use xinjing_contract::Similar;
use xinjing_core::config::{Config, Endpoint};
use xinjing_core::outbox::{Answer, Transport};
use xinjing_core::similar::{parse_similar, SimilarQuery};

/// The configured endpoint: real HTTP or the demo's mock. An enum rather than `dyn`, since
/// async trait methods are not object-safe and two variants are all there will be.
pub enum AnyTransport {
    Http(http::HttpTransport),
    #[cfg(feature = "demo")]
    Mock(mock::MockTransport),
    /// A report or ticket of the demo's mock in a build without it (its config is refused,
    /// so only a phone that ran the demo before keeps one): it stays on the phone.
    #[cfg(not(feature = "demo"))]
    NoMock,
}

impl AnyTransport {
    /// The transport a deployment's config names.
    pub fn for_config(config: &Config) -> AnyTransport {
        AnyTransport::to(&config.endpoint, config.timeout_ms)
    }

    /// The transport to the endpoint a stored report or ticket belongs to (its
    /// `Endpoint::key`), or the configured one for those kept by older builds.
    pub fn for_stored(key: Option<&str>, config: &Config) -> AnyTransport {
        match key {
            Some(key) => AnyTransport::to(&Endpoint::from_key(key), config.timeout_ms),
            None => AnyTransport::for_config(config),
        }
    }

    fn to(endpoint: &Endpoint, timeout_ms: u32) -> AnyTransport {
        match endpoint {
            #[cfg(feature = "demo")]
            Endpoint::Mock => AnyTransport::Mock(mock::MockTransport),
            #[cfg(not(feature = "demo"))]
            Endpoint::Mock => AnyTransport::NoMock,
            Endpoint::Url(url) => AnyTransport::Http(http::HttpTransport {
                endpoint: url.clone(),
                timeout_ms,
            }),
        }
    }

    /// `GET {endpoint}/similar?…` of the configured endpoint only: the answer if it is a
    /// 2xx with the contract's body, else nothing (no hint).
    pub async fn similar(&self, query: &SimilarQuery) -> Option<Similar> {
        match self {
            AnyTransport::Http(t) => t
                .similar(query)
                .await
                .success_body()
                .and_then(parse_similar),
            #[cfg(feature = "demo")]
            AnyTransport::Mock(t) => t.similar(query).await,
            #[cfg(not(feature = "demo"))]
            AnyTransport::NoMock => None,
        }
    }
}

impl Transport for AnyTransport {
    fn endpoint(&self) -> Option<&str> {
        Some(match self {
            AnyTransport::Http(t) => &t.endpoint,
            #[cfg(feature = "demo")]
            AnyTransport::Mock(_) => xinjing_core::config::MOCK_ENDPOINT,
            #[cfg(not(feature = "demo"))]
            AnyTransport::NoMock => xinjing_core::config::MOCK_ENDPOINT,
        })
    }

    async fn submit(&self, key: &str, body: &str) -> Answer {
        match self {
            AnyTransport::Http(t) => t.submit(key, body).await,
            #[cfg(feature = "demo")]
            AnyTransport::Mock(t) => t.submit(key, body).await,
            #[cfg(not(feature = "demo"))]
            AnyTransport::NoMock => Answer::NetworkError,
        }
    }

    async fn ticket_status(&self, ticket: &str, report_key: &str) -> Answer {
        match self {
            AnyTransport::Http(t) => t.ticket_status(ticket, report_key).await,
            #[cfg(feature = "demo")]
            AnyTransport::Mock(t) => t.ticket_status(ticket, report_key).await,
            #[cfg(not(feature = "demo"))]
            AnyTransport::NoMock => Answer::NetworkError,
        }
    }

    async fn feedback(&self, ticket: &str, report_key: &str, key: &str, body: &str) -> Answer {
        match self {
            AnyTransport::Http(t) => t.feedback(ticket, report_key, key, body).await,
            #[cfg(feature = "demo")]
            AnyTransport::Mock(t) => t.feedback(ticket, report_key, key, body).await,
            #[cfg(not(feature = "demo"))]
            AnyTransport::NoMock => Answer::NetworkError,
        }
    }
}

/// Copies text to the clipboard; resolves to whether it worked.
pub async fn js_copy(text: &str) -> bool {
    wasm_bindgen_futures::JsFuture::from(js::copy_text(text))
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}
