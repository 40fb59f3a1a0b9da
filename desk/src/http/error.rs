//! One error type for the API: every refusal becomes the contract's
//! `{"error": {"code", "message"}}`, written in the resident's language at the edge (the
//! `in_resident_lang` middleware), so handlers need not carry the language around.

use crate::photos::PhotoError;
use crate::store::StoreError;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use xinjing_contract::report::{Field, FieldError};
use xinjing_contract::{ErrorBody, Lang};

/// A refusal, in no language yet: `in_resident_lang` (around every API route) writes it in
/// the language of the request's [`ResidentLang`], so handlers return it with a bare `?`.
#[derive(Clone, Debug)]
pub struct ApiError {
    pub status: StatusCode,
    message: Message,
    pub retry_after: Option<u64>,
    /// Close the connection after answering (a body too large to read).
    pub close: bool,
}

#[derive(Clone, Debug)]
enum Message {
    Text {
        code: &'static str,
        zh: &'static str,
        en: &'static str,
    },
    /// A rule of the contract that the report breaks.
    Field(Field, FieldError),
    /// A field's message under a code of its own.
    Coded {
        code: &'static str,
        error: FieldError,
    },
}

impl ApiError {
    /// `en` empty: the same text for both (one already holding both languages).
    pub fn new(
        status: StatusCode,
        code: &'static str,
        zh: &'static str,
        en: &'static str,
    ) -> ApiError {
        ApiError {
            status,
            message: Message::Text { code, zh, en },
            retry_after: None,
            close: false,
        }
    }

    /// A rule of the contract that the report breaks.
    pub fn field(field: Field, error: FieldError) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: Message::Field(field, error),
            retry_after: None,
            close: false,
        }
    }

    /// 400 with `error`'s message under `code`.
    pub fn coded(code: &'static str, error: FieldError) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: Message::Coded { code, error },
            retry_after: None,
            close: false,
        }
    }

    pub fn not_found() -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "没有这个工单",
            "No such ticket",
        )
    }

    pub fn too_large() -> ApiError {
        ApiError {
            close: true,
            ..ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "报告太大，请减少照片后重新提交",
                "The report is too large: remove a photo and send it again",
            )
        }
    }

    /// Storage failed; the phone keeps the report and retries.
    pub fn unavailable() -> ApiError {
        ApiError {
            retry_after: Some(5),
            ..ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "暂时无法保存，稍后会自动重试",
                "The report could not be saved just now: it will be sent again",
            )
        }
    }

    pub fn in_flight() -> ApiError {
        ApiError {
            retry_after: Some(1),
            ..ApiError::new(
                StatusCode::CONFLICT,
                "in_progress",
                "这份报告正在处理，请稍候",
                "This report is being processed: please wait",
            )
        }
    }

    pub fn rate_limited(retry_after: u64) -> ApiError {
        ApiError {
            retry_after: Some(retry_after),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "请求太频繁，请稍后再试 / Too many requests: please try again shortly",
                "",
            )
        }
    }

    /// The desk as a whole takes no more just now (the town's budget, or its disk).
    pub fn busy(retry_after: u64) -> ApiError {
        ApiError {
            retry_after: Some(retry_after),
            ..ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "服务器繁忙，稍后会自动重试 / The desk is busy: the report will be sent again",
                "",
            )
        }
    }

    pub fn timeout() -> ApiError {
        ApiError {
            close: true,
            ..ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "timeout",
                "处理超时，稍后会自动重试 / The request took too long: it will be sent again",
                "",
            )
        }
    }

    /// The contract's body in `lang`.
    pub fn body(&self, lang: Lang) -> ErrorBody {
        match self.message {
            Message::Text { code, zh, en } => {
                let text = match lang {
                    Lang::En if !en.is_empty() => en,
                    _ => zh,
                };
                ErrorBody::new(code, text)
            }
            Message::Field(field, error) => ErrorBody::for_field(field, error, lang),
            Message::Coded { code, error } => ErrorBody::new(code, error.message(lang)),
        }
    }

    fn render(self, lang: Lang) -> Response {
        let mut headers = HeaderMap::new();
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.close {
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        let mut body = self.body(lang);
        // The short form of the request id, for a resident to quote and staff to find in
        // the logs.
        body.error.reference = crate::request_id::current_short();
        let code = RefusalCode(body.error.code.clone());
        let mut response = (self.status, headers, axum::Json(body)).into_response();
        response.extensions_mut().insert(code);
        response
    }
}

/// The code of a refusal, left in the response's extensions for the metrics.
#[derive(Clone, Debug)]
pub struct RefusalCode(pub String);

/// Storage failed: logged here (digits masked by the error's own message), 503 to the phone.
impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        tracing::error!(error = %e, "storage failed");
        ApiError::unavailable()
    }
}

impl From<PhotoError> for ApiError {
    fn from(e: PhotoError) -> ApiError {
        tracing::error!(error = %e, "storage failed");
        ApiError::unavailable()
    }
}

/// An error on its way to `in_resident_lang`.
#[derive(Clone)]
struct Untranslated(ApiError);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // Written in Chinese here, and again in the resident's language by
        // `in_resident_lang` where that wraps the route: an error made outside the API's
        // layers (the cap on requests in flight, the time limit) still has the contract's
        // body.
        let mut response = self.clone().render(Lang::Zh);
        response.extensions_mut().insert(Untranslated(self));
        response
    }
}

/// The language a request's errors are written in: `Accept-Language` until the handler
/// has read the report's own locale and [`ResidentLang::set`] it.
#[derive(Clone, Debug)]
pub struct ResidentLang(Arc<Mutex<Lang>>);

impl ResidentLang {
    pub fn get(&self) -> Lang {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn set(&self, lang: Lang) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = lang;
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ResidentLang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<ResidentLang>()
            .cloned()
            .unwrap_or_else(|| ResidentLang(Arc::new(Mutex::new(request_lang(&parts.headers))))))
    }
}

/// Middleware around the API: gives the request its [`ResidentLang`] and writes an
/// [`ApiError`] in that language once the handler is done.
pub async fn in_resident_lang(mut req: Request, next: Next) -> Response {
    let lang = ResidentLang(Arc::new(Mutex::new(request_lang(req.headers()))));
    req.extensions_mut().insert(lang.clone());
    let mut response = next.run(req).await;
    match response.extensions_mut().remove::<Untranslated>() {
        Some(Untranslated(error)) => {
            let mut rendered = error.render(lang.get());
            // Headers set beside the error on its way out (`Allow` on a 405) stay.
            for (name, value) in response.headers() {
                if !rendered.headers().contains_key(name) {
                    rendered.headers_mut().insert(name.clone(), value.clone());
                }
            }
            rendered
        }
        None => response,
    }
}

/// The language of the messages for a request whose body has not been read: from
/// `Accept-Language`, Chinese by default.
pub fn request_lang(headers: &HeaderMap) -> Lang {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .and_then(Lang::from_tag)
        .unwrap_or_default()
}
