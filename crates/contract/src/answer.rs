//! What comes back from the endpoint, and what the phone makes of it.

use crate::json::{code, object, optional, parse_with, required, string, Json, Read};
use crate::locale::Lang;
use crate::ticket::{is_plain_ticket, TicketStatus};
use crate::time::retry_after_ms;
use serde::{Deserialize, Serialize};

/// A server may ask for a longer pause with `Retry-After`, but not for more than this.
pub const MAX_RETRY_AFTER_MS: f64 = 3_600_000.0;

/// What came back from one HTTP exchange, before interpretation.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    Status {
        code: u16,
        retry_after: Option<String>,
        body: String,
    },
    NetworkError,
    Timeout,
    /// The endpoint answered with a redirect (3xx; with `redirect: "manual"` the browser
    /// only says that it was one). A report is never followed to another address: a
    /// 301/302 turns the POST into a GET of whatever page is there.
    Redirected,
}

impl Answer {
    /// The one definition of success used everywhere: a 2xx status.
    pub fn is_success(&self) -> bool {
        matches!(
            self,
            Answer::Status {
                code: 200..=299,
                ..
            }
        )
    }

    /// The body of a 2xx answer.
    pub fn success_body(&self) -> Option<&str> {
        match self {
            Answer::Status {
                code: 200..=299,
                body,
                ..
            } => Some(body),
            _ => None,
        }
    }
}

/// What an answer to `POST {endpoint}` means for the report.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// A 2xx with a valid ticket: the only answer after which a phone forgets a report.
    Accepted {
        ticket: String,
        status: Option<TicketStatus>,
    },
    Temporary {
        retry_after_ms: Option<f64>,
        reason: String,
    },
    Refused {
        message: String,
    },
    /// The endpoint is not answering as the contract says: a redirect (a configuration
    /// error: the endpoint moved, or a login page sits in front of it) or a 2xx without a
    /// valid ticket (a server fault). The report may or may not have arrived, so it is kept
    /// and retried under the same key with back-off; the resident cannot fix this, the
    /// deployer can.
    Fault(Fault),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    Redirect,
    NoTicket,
    /// A 4xx without the contract's error body: a proxy's, a firewall's or a half-finished
    /// deployment's page, not the town's refusal. Nothing the resident could change.
    NoErrorBody,
}

impl Fault {
    /// For the deployer (console) and the stored entry's last error.
    pub fn describe(self) -> &'static str {
        match self {
            Fault::Redirect => {
                "the endpoint answered with a redirect: check the configured endpoint URL"
            }
            Fault::NoTicket => "the endpoint answered 2xx without a valid ticket",
            Fault::NoErrorBody => {
                "the endpoint answered 4xx without the contract's error body: check what answers at the endpoint URL"
            }
        }
    }
}

/// `{"error": {"code": …, "message": …}}`: every refusal's body. `message` is shown to the
/// resident as is, so a server writes it in the report's `locale`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    /// A short request reference a resident can quote and staff can search the logs for
    /// (the desk adds it; older desks and the mock leave it out).
    #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

impl ErrorBody {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: code.into(),
                message: message.into(),
                reference: None,
            },
        }
    }

    /// The refusal for a failed rule, in the resident's language.
    pub fn for_field(
        field: crate::report::Field,
        error: crate::report::FieldError,
        lang: Lang,
    ) -> ErrorBody {
        ErrorBody::new(
            format!("{}:{}", error.code(), field.code()),
            error.message(lang),
        )
    }
}

/// A 2xx body's ticket and status, each optional here (`classify` decides what is
/// missing); a status the phone does not know fails the whole body, as serde's derive did.
fn read_accepted<J: Json>(node: &J) -> Read<(Option<String>, Option<TicketStatus>)> {
    let node = object(node)?;
    Ok((
        optional(node, "ticket", string)?,
        optional(node, "status", |s| code(s, TicketStatus::from_code))?,
    ))
}

/// `{"error": {"code", "message", "ref"?}}`, the fields `ErrorBody` requires.
pub fn read_error_body<J: Json>(node: &J) -> Read<ErrorBody> {
    let error = required(object(node)?, "error", |e| {
        let e = object(e)?;
        Ok(ErrorDetail {
            code: required(e, "code", string)?,
            message: required(e, "message", string)?,
            reference: optional(e, "ref", string)?,
        })
    })?;
    Ok(ErrorBody { error })
}

/// The refusal's message, if `body` is the contract's error body: `{"error": {"code",
/// "message"}}` with something to show. Anything else is not the receiver speaking.
fn contract_refusal<J: Json>(body: &str) -> Option<String> {
    let parsed = parse_with::<J, _>(body, read_error_body)?;
    let message: String = parsed.error.message.chars().take(300).collect();
    (!message.trim().is_empty()).then_some(message)
}

/// The server's `{"error": {"message": …}}`, or the status code when it sent none.
pub fn error_message<J: Json>(code: u16, body: &str) -> String {
    parse_with::<J, _>(body, |b| {
        required(object(b)?, "error", |e| {
            required(object(e)?, "message", string)
        })
    })
    .map(|m| m.chars().take(300).collect::<String>())
    .filter(|m| !m.trim().is_empty())
    .unwrap_or_else(|| format!("HTTP {code}"))
}

/// 2xx with a valid ticket is success; 408, 409 (the first request with this key is still
/// being processed), 429, 5xx, network errors and time-outs are temporary; a redirect, a
/// 2xx without a valid ticket or any other answer without the contract's error body is a
/// fault of the deployment (kept, retried under the same key: resending under a new one
/// would duplicate a report that did arrive); only an answer with the contract's error body
/// is a refusal the resident has to act on. `J` parses the body (the engine's `JSON.parse`
/// in the widget).
pub fn classify<J: Json>(answer: &Answer, now_ms: f64) -> Outcome {
    match answer {
        Answer::NetworkError => Outcome::Temporary {
            retry_after_ms: None,
            reason: "network".into(),
        },
        Answer::Timeout => Outcome::Temporary {
            retry_after_ms: None,
            reason: "timeout".into(),
        },
        Answer::Redirected
        | Answer::Status {
            code: 300..=399, ..
        } => Outcome::Fault(Fault::Redirect),
        Answer::Status {
            code: 200..=299,
            body,
            ..
        } => {
            let parsed = parse_with::<J, _>(body, read_accepted);
            let status = parsed.as_ref().and_then(|a| a.1);
            match parsed.and_then(|a| a.0).filter(|t| is_plain_ticket(t)) {
                Some(ticket) => Outcome::Accepted { ticket, status },
                None => Outcome::Fault(Fault::NoTicket),
            }
        }
        Answer::Status {
            code: code @ (408 | 409 | 429 | 500..=599),
            retry_after,
            ..
        } => Outcome::Temporary {
            retry_after_ms: retry_after
                .as_deref()
                .and_then(|v| retry_after_ms(v, now_ms))
                .map(|ms| ms.min(MAX_RETRY_AFTER_MS)),
            reason: format!("HTTP {code}"),
        },
        Answer::Status { body, .. } => match contract_refusal::<J>(body) {
            Some(message) => Outcome::Refused { message },
            None => Outcome::Fault(Fault::NoErrorBody),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(answer: &Answer, now_ms: f64) -> Outcome {
        super::classify::<serde_json::Value>(answer, now_ms)
    }

    fn error_message(code: u16, body: &str) -> String {
        super::error_message::<serde_json::Value>(code, body)
    }

    fn created(ticket: &str) -> Answer {
        Answer::Status {
            code: 201,
            retry_after: None,
            body: format!(r#"{{"ticket":"{ticket}","status":"received"}}"#),
        }
    }

    fn status(code: u16) -> Answer {
        Answer::Status {
            code,
            retry_after: None,
            body: String::new(),
        }
    }

    #[test]
    fn classification() {
        assert!(
            matches!(classify(&created("XJ-1"), 0.0), Outcome::Accepted { ticket: t, status: Some(TicketStatus::Received) } if t == "XJ-1")
        );
        for code in [408, 409, 429, 500, 502, 503, 504] {
            assert!(
                matches!(classify(&status(code), 0.0), Outcome::Temporary { .. }),
                "{code}"
            );
        }
        assert!(matches!(
            classify(&Answer::Timeout, 0.0),
            Outcome::Temporary { .. }
        ));
        let refused = Answer::Status {
            code: 400,
            retry_after: None,
            body: r#"{"error":{"code":"bad","message":"描述太短"}}"#.into(),
        };
        assert_eq!(
            classify(&refused, 0.0),
            Outcome::Refused {
                message: "描述太短".into()
            }
        );

        let html_ticket = Answer::Status {
            code: 200,
            retry_after: None,
            body: r#"{"ticket":"<img src=x>"}"#.into(),
        };
        assert_eq!(classify(&html_ticket, 0.0), Outcome::Fault(Fault::NoTicket));
    }

    #[test]
    fn a_2xx_without_a_valid_ticket_is_a_fault_not_a_delivery() {
        let ok = |code: u16, body: &str| Answer::Status {
            code,
            retry_after: None,
            body: body.into(),
        };
        for (code, body) in [
            (200, "<!doctype html><title>Sign in</title>"),
            (204, ""),
            (200, "{}"),
            (201, r#"{"ticket":null}"#),
            (200, r#"{"ticket":""}"#),
            (200, r#"{"status":"received"}"#),
        ] {
            assert_eq!(
                classify(&ok(code, body), 0.0),
                Outcome::Fault(Fault::NoTicket),
                "{code} {body}"
            );
        }
    }

    #[test]
    fn redirects_are_a_configuration_fault_never_a_refusal() {
        assert_eq!(
            classify(&Answer::Redirected, 0.0),
            Outcome::Fault(Fault::Redirect)
        );
        for code in [301, 302, 303, 307, 308] {
            assert_eq!(
                classify(&status(code), 0.0),
                Outcome::Fault(Fault::Redirect),
                "{code}"
            );
        }
    }

    #[test]
    fn success_is_2xx_only() {
        assert!(created("XJ-1").is_success());
        assert!(!status(302).is_success());
        assert!(!Answer::NetworkError.is_success());
        assert_eq!(status(204).success_body(), Some(""));
        assert_eq!(status(500).success_body(), None);
    }

    #[test]
    fn retry_after_is_capped() {
        let answer = Answer::Status {
            code: 503,
            retry_after: Some("999999".into()),
            body: String::new(),
        };
        assert!(matches!(
            classify(&answer, 0.0),
            Outcome::Temporary { retry_after_ms: Some(ms), .. } if ms == MAX_RETRY_AFTER_MS
        ));
    }

    #[test]
    fn error_bodies_round_trip_and_are_localised() {
        use crate::report::{Field, FieldError};
        let zh = ErrorBody::for_field(Field::Phone, FieldError::PhoneInvalid, Lang::Zh);
        let en = ErrorBody::for_field(Field::Phone, FieldError::PhoneInvalid, Lang::En);
        assert_eq!(zh.error.code, "phone_invalid:contact.phone");
        assert!(zh.error.message.contains("手机号"));
        assert!(en.error.message.contains("mobile"));
        let text = serde_json::to_string(&zh).unwrap();
        assert_eq!(error_message(422, &text), zh.error.message);
    }

    #[test]
    fn a_4xx_without_the_contract_error_body_is_a_fault_retried_not_a_refusal() {
        let answer = |code: u16, body: &str| Answer::Status {
            code,
            retry_after: None,
            body: body.into(),
        };
        for (code, body) in [
            (
                404,
                "<html><head><title>404 Not Found</title></head><body>nginx</body></html>",
            ),
            (403, "<!doctype html><title>Access denied</title>"),
            (405, ""),
            (422, ""),
            (400, r#"{"message":"bad"}"#),
            (400, r#"{"error":"bad"}"#),
            (400, r#"{"error":{"message":"no code"}}"#),
            (400, r#"{"error":{"code":"x","message":"  "}}"#),
        ] {
            assert_eq!(
                classify(&answer(code, body), 0.0),
                Outcome::Fault(Fault::NoErrorBody),
                "{code} {body}"
            );
        }
        assert_eq!(
            classify(
                &answer(
                    404,
                    r#"{"error":{"code":"not_found","message":"没有这个接收地址"}}"#
                ),
                0.0
            ),
            Outcome::Refused {
                message: "没有这个接收地址".into()
            },
            "the receiver's own refusal, in the contract's shape, stays a refusal"
        );
    }
}
