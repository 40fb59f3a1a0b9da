//! The real endpoint over HTTP (contract v1), with a time-out that aborts the request.
//! Requests to the endpoint never follow a redirect: a 301/302 would turn the report's POST
//! into a GET of some other page, whose 200 says nothing about the report.

use super::clock::Timer;
use gloo_net::http::{Request, RequestBuilder};
use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;
use web_sys::{AbortController, RequestRedirect, ResponseType};
use xinjing_contract::REPORT_KEY_HEADER;
use xinjing_core::outbox::{attempt_timeout_ms, Answer, Transport};
use xinjing_core::similar::SimilarQuery;

pub struct HttpTransport {
    pub endpoint: String,
    pub timeout_ms: u32,
}

/// Sends a request and reads its whole body, giving up after `timeout_ms`.
pub async fn exchange(builder: RequestBuilder, body: Option<&str>, timeout_ms: f64) -> Answer {
    let controller = AbortController::new().ok();
    let timed_out = Rc::new(Cell::new(false));
    let _timer = controller.clone().map(|controller| {
        let timed_out = timed_out.clone();
        Timer::new(timeout_ms, move || {
            timed_out.set(true);
            controller.abort();
        })
    });
    let builder = builder.abort_signal(controller.as_ref().map(|c| c.signal()).as_ref());
    let request = match body {
        Some(body) => builder
            .header("Content-Type", "application/json")
            .body(body.to_owned()),
        None => builder.build(),
    };
    let failed = || {
        if timed_out.get() {
            Answer::Timeout
        } else {
            Answer::NetworkError
        }
    };
    let Ok(request) = request else {
        return Answer::NetworkError;
    };
    let response = match request.send().await {
        Ok(response) => response,
        Err(_) => return failed(),
    };
    // With `redirect: "manual"` a redirect arrives as an opaque response (status 0); a
    // WebView that ignores the mode follows it, and says so in `redirected`.
    if response.type_() == ResponseType::Opaqueredirect || response.redirected() {
        return Answer::Redirected;
    }
    let code = response.status();
    let retry_after = response.headers().get("retry-after");
    match response.text().await {
        Ok(body) => Answer::Status {
            code,
            retry_after,
            body,
        },
        Err(_) => failed(),
    }
}

/// GETs a same-origin or configured URL as text. `revalidate` skips the HTTP cache (the
/// campaign feed); without it a `<link rel="preload">` of the same URL is reused (config).
pub async fn get_text(url: &str, timeout_ms: u32, revalidate: bool) -> Result<String, Answer> {
    let builder = if revalidate {
        Request::get(url).cache(web_sys::RequestCache::NoCache)
    } else {
        Request::get(url)
    };
    match exchange(builder, None, f64::from(timeout_ms)).await {
        Answer::Status {
            code: 200..=299,
            body,
            ..
        } => Ok(body),
        other => Err(other),
    }
}

impl HttpTransport {
    fn timeout(&self) -> f64 {
        f64::from(self.timeout_ms)
    }

    // The requests return `exchange`'s future itself rather than awaiting it in a future of
    // their own: one state machine fewer in every caller's.

    pub fn similar(&self, query: &SimilarQuery) -> impl Future<Output = Answer> {
        let builder = Request::get(&query.url(&self.endpoint)).redirect(RequestRedirect::Manual);
        exchange(builder, None, self.timeout())
    }
}

impl Transport for HttpTransport {
    fn submit(&self, key: &str, body: &str) -> impl Future<Output = Answer> {
        let builder = Request::post(&self.endpoint)
            .redirect(RequestRedirect::Manual)
            .header("Idempotency-Key", key);
        // A large report on a slow uplink needs longer than the configured time-out; the
        // outbox's lease is computed the same way, so it outlasts the attempt.
        let timeout = attempt_timeout_ms(self.timeout(), body.len());
        exchange(builder, Some(body), timeout)
    }

    fn ticket_status(&self, ticket: &str, report_key: &str) -> impl Future<Output = Answer> {
        let url = format!("{}/{}", self.endpoint, js_sys::encode_uri_component(ticket));
        let builder = Request::get(&url)
            .redirect(RequestRedirect::Manual)
            .header(REPORT_KEY_HEADER, report_key);
        exchange(builder, None, self.timeout())
    }

    fn feedback(
        &self,
        ticket: &str,
        report_key: &str,
        key: &str,
        body: &str,
    ) -> impl Future<Output = Answer> {
        let url = format!(
            "{}/{}/feedback",
            self.endpoint,
            js_sys::encode_uri_component(ticket)
        );
        let builder = Request::post(&url)
            .redirect(RequestRedirect::Manual)
            .header(REPORT_KEY_HEADER, report_key)
            .header("Idempotency-Key", key);
        exchange(builder, Some(body), self.timeout())
    }
}
