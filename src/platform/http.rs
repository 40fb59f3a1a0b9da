//! The real endpoint over HTTP (contract v1), with a time-out that aborts the request.

use super::clock::Timer;
use crate::core::outbox::{Answer, Transport};
use gloo_net::http::{Request, RequestBuilder};
use std::cell::Cell;
use std::rc::Rc;
use web_sys::AbortController;
use xinjing_contract::REPORT_KEY_HEADER;

pub struct HttpTransport {
    pub endpoint: String,
    pub timeout_ms: u32,
}

/// Sends a request and reads its whole body, giving up after `timeout_ms`.
pub async fn exchange(builder: RequestBuilder, body: Option<&str>, timeout_ms: u32) -> Answer {
    let controller = AbortController::new().ok();
    let timed_out = Rc::new(Cell::new(false));
    let _timer = controller.clone().map(|controller| {
        let timed_out = timed_out.clone();
        Timer::new(f64::from(timeout_ms), move || {
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
    match exchange(builder, None, timeout_ms).await {
        Answer::Status {
            code: 200..=299,
            body,
            ..
        } => Ok(body),
        other => Err(other),
    }
}

impl Transport for HttpTransport {
    async fn submit(&self, key: &str, body: &str) -> Answer {
        let builder = Request::post(&self.endpoint).header("Idempotency-Key", key);
        exchange(builder, Some(body), self.timeout_ms).await
    }

    async fn ticket_status(&self, ticket: &str, report_key: &str) -> Answer {
        let url = format!("{}/{}", self.endpoint, js_sys::encode_uri_component(ticket));
        let builder = Request::get(&url).header(REPORT_KEY_HEADER, report_key);
        exchange(builder, None, self.timeout_ms).await
    }

    async fn feedback(&self, ticket: &str, report_key: &str, body: &str) -> Answer {
        let url = format!(
            "{}/{}/feedback",
            self.endpoint,
            js_sys::encode_uri_component(ticket)
        );
        let builder = Request::post(&url).header(REPORT_KEY_HEADER, report_key);
        exchange(builder, Some(body), self.timeout_ms).await
    }
}
