//! Endpoint contract v1 of the Xinjing safety widget: what a phone sends, what a server
//! answers, and the rules both sides check. `docs/openapi.json` is its published form; a
//! test keeps the two in agreement.
//!
//! The widget and the desk both compile this crate, so a rule changed here changes on the
//! phone and on the server at once.

pub mod answer;
pub mod ids;
pub mod json;
pub mod locale;
pub mod report;
pub mod ticket;
pub mod time;

pub use answer::{classify, error_message, Answer, ErrorBody, Fault, Outcome};
pub use locale::Lang;
pub use report::{Category, Field, FieldError, Photo, ReportPayload};
pub use ticket::{Accepted, Feedback, Similar, StatusAnswer, StatusChange, TicketStatus};

/// The request header that carries a report's id on `GET {ticket}` and
/// `POST {ticket}/feedback`. Only the phone that filed the report knows the id, so a
/// ticket number alone (which can be guessed) reads or changes nothing.
pub const REPORT_KEY_HEADER: &str = "X-Report-Key";
