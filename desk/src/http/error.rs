//! One error type for the API: every refusal becomes the contract's
//! `{"error": {"code", "message"}}`, in the resident's language.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use xinjing_contract::report::{Field, FieldError};
use xinjing_contract::{ErrorBody, Lang};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
    pub retry_after: Option<u64>,
    /// Close the connection after answering (a body too large to read).
    pub close: bool,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, lang: Lang, zh: &str, en: &str) -> ApiError {
        ApiError {
            status,
            body: ErrorBody::new(code, lang.pick_owned(zh, en)),
            retry_after: None,
            close: false,
        }
    }

    /// A rule of the contract that the report breaks.
    pub fn field(field: Field, error: FieldError, lang: Lang) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            body: ErrorBody::for_field(field, error, lang),
            retry_after: None,
            close: false,
        }
    }

    pub fn not_found(lang: Lang) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            lang,
            "没有这个工单",
            "No such ticket",
        )
    }

    pub fn too_large(lang: Lang) -> ApiError {
        ApiError {
            close: true,
            ..ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                lang,
                "报告太大，请减少照片后重新提交",
                "The report is too large: remove a photo and send it again",
            )
        }
    }

    /// Storage failed; the phone keeps the report and retries.
    pub fn unavailable(lang: Lang) -> ApiError {
        ApiError {
            retry_after: Some(5),
            ..ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                lang,
                "暂时无法保存，稍后会自动重试",
                "The report could not be saved just now: it will be sent again",
            )
        }
    }

    pub fn in_flight(lang: Lang) -> ApiError {
        ApiError {
            retry_after: Some(1),
            ..ApiError::new(
                StatusCode::CONFLICT,
                "in_progress",
                lang,
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
                Lang::Zh,
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
                Lang::Zh,
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
                Lang::Zh,
                "处理超时，稍后会自动重试 / The request took too long: it will be sent again",
                "",
            )
        }
    }
}

trait PickOwned {
    fn pick_owned(self, zh: &str, en: &str) -> String;
}

impl PickOwned for Lang {
    fn pick_owned(self, zh: &str, en: &str) -> String {
        match self {
            Lang::Zh => zh.to_owned(),
            Lang::En if en.is_empty() => zh.to_owned(),
            Lang::En => en.to_owned(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut headers = HeaderMap::new();
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.close {
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        (self.status, headers, axum::Json(self.body)).into_response()
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

/// A storage failure, logged here, answered as 503 in the resident's language.
pub fn storage_failed(e: impl std::fmt::Display, lang: Lang) -> ApiError {
    tracing::error!(error = %e, "storage failed");
    ApiError::unavailable(lang)
}
