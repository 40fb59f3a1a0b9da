//! The real endpoint over HTTP (contract v1), with a time-out that aborts the request.
//! Requests to the endpoint never follow a redirect: a 301/302 would turn the report's POST
//! into a GET of some other page, whose 200 says nothing about the report.

use super::clock::Timer;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, AbortSignal, Headers, RequestCache, RequestInit, RequestRedirect, Response,
    ResponseType,
};
use xinjing_contract::REPORT_KEY_HEADER;
use xinjing_core::outbox::{attempt_timeout_ms, Answer, Transport};
use xinjing_core::similar::SimilarQuery;

pub struct HttpTransport {
    pub endpoint: String,
    pub timeout_ms: u32,
}

/// A `fetch` as the app makes them, straight over web-sys: a wrapper crate's builder (and
/// the `http` crate's methods and errors under it) cost more wasm than these few calls.
pub struct Request {
    method: &'static str,
    url: String,
    headers: Vec<(&'static str, String)>,
    manual_redirect: bool,
    no_cache: bool,
}

impl Request {
    pub fn get(url: &str) -> Self {
        Self::new("GET", url)
    }

    pub fn post(url: &str) -> Self {
        Self::new("POST", url)
    }

    fn new(method: &'static str, url: &str) -> Self {
        Request {
            method,
            url: url.to_owned(),
            headers: Vec::new(),
            manual_redirect: false,
            no_cache: false,
        }
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    /// `redirect: "manual"`: a redirect is not followed (see the module's comment).
    fn manual_redirect(mut self) -> Self {
        self.manual_redirect = true;
        self
    }

    /// `cache: "no-cache"`: revalidated with the server, never taken from the HTTP cache.
    fn no_cache(mut self) -> Self {
        self.no_cache = true;
        self
    }

    /// Sends it, with `body` as JSON if there is one; resolves when the headers arrive.
    pub async fn send(
        self,
        body: Option<&str>,
        signal: Option<&AbortSignal>,
    ) -> Result<Response, JsValue> {
        let init = RequestInit::new();
        init.set_method(self.method);
        let headers = Headers::new()?;
        for (name, value) in &self.headers {
            headers.set(name, value)?;
        }
        if let Some(body) = body {
            headers.set("Content-Type", "application/json")?;
            init.set_body(&JsValue::from_str(body));
        }
        init.set_headers(&headers);
        if self.manual_redirect {
            init.set_redirect(RequestRedirect::Manual);
        }
        if self.no_cache {
            init.set_cache(RequestCache::NoCache);
        }
        init.set_signal(signal);
        let window = web_sys::window().ok_or(JsValue::NULL)?;
        let response = JsFuture::from(window.fetch_with_str_and_init(&self.url, &init)).await?;
        response.dyn_into()
    }
}

/// Sends a request and reads its whole body, giving up after `timeout_ms`.
pub async fn exchange(request: Request, body: Option<&str>, timeout_ms: f64) -> Answer {
    let controller = AbortController::new().ok();
    let timed_out = Rc::new(Cell::new(false));
    let _timer = controller.clone().map(|controller| {
        let timed_out = timed_out.clone();
        Timer::new(timeout_ms, move || {
            timed_out.set(true);
            controller.abort();
        })
    });
    let signal = controller.as_ref().map(|c| c.signal());
    let failed = || {
        if timed_out.get() {
            Answer::Timeout
        } else {
            Answer::NetworkError
        }
    };
    let response = match request.send(body, signal.as_ref()).await {
        Ok(response) => response,
        Err(_) => return failed(),
    };
    // With `redirect: "manual"` a redirect arrives as an opaque response (status 0); a
    // WebView that ignores the mode follows it, and says so in `redirected`.
    if response.type_() == ResponseType::Opaqueredirect || response.redirected() {
        return Answer::Redirected;
    }
    let code = response.status();
    let retry_after = response.headers().get("retry-after").ok().flatten();
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .ok()
            .and_then(|t| t.as_string()),
        Err(_) => None,
    };
    match text {
        Some(body) => Answer::Status {
            code,
            retry_after,
            body,
        },
        None => failed(),
    }
}

/// GETs a same-origin or configured URL as text. `revalidate` skips the HTTP cache (the
/// campaign feed); without it a `<link rel="preload">` of the same URL is reused (config).
pub async fn get_text(url: &str, timeout_ms: u32, revalidate: bool) -> Result<String, Answer> {
    let request = if revalidate {
        Request::get(url).no_cache()
    } else {
        Request::get(url)
    };
    match exchange(request, None, f64::from(timeout_ms)).await {
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

    pub async fn similar(&self, query: &SimilarQuery) -> Answer {
        let request = Request::get(&query.url(&self.endpoint)).manual_redirect();
        exchange(request, None, self.timeout()).await
    }
}

impl Transport for HttpTransport {
    async fn submit(&self, key: &str, body: &str) -> Answer {
        let request = Request::post(&self.endpoint)
            .manual_redirect()
            .header("Idempotency-Key", key);
        // A large report on a slow uplink needs longer than the configured time-out; the
        // outbox's lease is computed the same way, so it outlasts the attempt.
        let timeout = attempt_timeout_ms(self.timeout(), body.len());
        exchange(request, Some(body), timeout).await
    }

    async fn ticket_status(&self, ticket: &str, report_key: &str) -> Answer {
        let url = format!("{}/{}", self.endpoint, js_sys::encode_uri_component(ticket));
        let request = Request::get(&url)
            .manual_redirect()
            .header(REPORT_KEY_HEADER, report_key);
        exchange(request, None, self.timeout()).await
    }

    async fn feedback(&self, ticket: &str, report_key: &str, key: &str, body: &str) -> Answer {
        let url = format!(
            "{}/{}/feedback",
            self.endpoint,
            js_sys::encode_uri_component(ticket)
        );
        let request = Request::post(&url)
            .manual_redirect()
            .header(REPORT_KEY_HEADER, report_key)
            .header("Idempotency-Key", key);
        exchange(request, Some(body), self.timeout()).await
    }
}
