//! The demo's mock backend: endpoint contract v1 implemented over plain data, so the demo
//! behaves like a real receiver (tickets, idempotent replays, statuses that move on) and the
//! rules are tested natively. The app keeps a `MockState` in browser storage.

use super::outbox::Answer;
use super::report::ReportPayload;
use super::time::{rfc3339_shanghai, Date};
use serde::{Deserialize, Serialize};

/// A report stays "received" this long, then "in progress" until `RESOLVED_AFTER_MS`.
pub const IN_PROGRESS_AFTER_MS: f64 = 60_000.0;
pub const RESOLVED_AFTER_MS: f64 = 180_000.0;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MockState {
    #[serde(default)]
    pub reports: Vec<MockReport>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MockReport {
    pub key: String,
    pub body: String,
    pub ticket: String,
    pub received_ms: f64,
    #[serde(default)]
    pub satisfied: Option<bool>,
}

impl MockReport {
    pub fn payload(&self) -> Option<ReportPayload> {
        serde_json::from_str(&self.body).ok()
    }

    pub fn status_at(&self, now_ms: f64) -> (&'static str, f64) {
        let age = now_ms - self.received_ms;
        if age >= RESOLVED_AFTER_MS {
            ("resolved", self.received_ms + RESOLVED_AFTER_MS)
        } else if age >= IN_PROGRESS_AFTER_MS {
            ("in_progress", self.received_ms + IN_PROGRESS_AFTER_MS)
        } else {
            ("received", self.received_ms)
        }
    }
}

fn answer(code: u16, body: &impl Serialize) -> Answer {
    Answer::Status {
        code,
        retry_after: None,
        body: serde_json::to_string(body).unwrap_or_default(),
    }
}

#[derive(Serialize)]
struct Ticketed<'a> {
    ticket: &'a str,
    status: &'a str,
}

#[derive(Serialize)]
struct StatusBody<'a> {
    ticket: &'a str,
    status: &'a str,
    updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

#[derive(Serialize)]
struct FeedbackOut<'a> {
    ticket: &'a str,
    satisfied: bool,
}

#[derive(Deserialize)]
struct FeedbackIn {
    satisfied: Option<bool>,
}

#[derive(Serialize)]
struct ErrorOut<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: &'a str,
}

fn error(code: u16, kind: &str, message: &str) -> Answer {
    answer(
        code,
        &ErrorOut {
            error: ErrorDetail {
                code: kind,
                message,
            },
        },
    )
}

impl MockState {
    pub fn parse(json: &str) -> MockState {
        serde_json::from_str(json).unwrap_or_default()
    }

    /// `POST {endpoint}`: a repeated key replays the first answer; the same key with another
    /// body is refused (422), as the IETF Idempotency-Key draft describes.
    pub fn submit(&mut self, key: &str, body: &str, now_ms: f64) -> Answer {
        if let Some(existing) = self.reports.iter().find(|r| r.key == key) {
            return if existing.body == body {
                answer(
                    201,
                    &Ticketed {
                        ticket: &existing.ticket,
                        status: existing.status_at(now_ms).0,
                    },
                )
            } else {
                error(422, "idempotency_key_reused", "同一报告编号的内容不一致 / This idempotency key was used for a different report")
            };
        }
        let Some(payload) = serde_json::from_str::<ReportPayload>(body)
            .ok()
            .filter(|p| p.id == key)
        else {
            return error(
                400,
                "invalid_report",
                "报告格式不正确 / The report is not in the expected format",
            );
        };
        let day = Date::in_shanghai(now_ms);
        let prefix = format!("XJ-{:04}{:02}{:02}-", day.year, day.month, day.day);
        let number = self
            .reports
            .iter()
            .filter(|r| r.ticket.starts_with(&prefix))
            .count()
            + 1;
        let ticket = format!("{prefix}{number:04}");
        self.reports.push(MockReport {
            key: payload.id,
            body: body.to_owned(),
            ticket: ticket.clone(),
            received_ms: now_ms,
            satisfied: None,
        });
        answer(
            201,
            &Ticketed {
                ticket: &ticket,
                status: "received",
            },
        )
    }

    /// `GET {endpoint}/{ticket}`.
    pub fn status(&self, ticket: &str, now_ms: f64) -> Answer {
        match self.reports.iter().find(|r| r.ticket == ticket) {
            Some(report) => {
                let (status, since) = report.status_at(now_ms);
                let note = (status == "resolved").then_some("已处理完毕（演示） / Handled (demo)");
                answer(
                    200,
                    &StatusBody {
                        ticket,
                        status,
                        updated_at: rfc3339_shanghai(since),
                        note,
                    },
                )
            }
            None => error(404, "not_found", "没有这个工单 / No such ticket"),
        }
    }

    /// `POST {endpoint}/{ticket}/feedback`.
    pub fn feedback(&mut self, ticket: &str, body: &str) -> Answer {
        let satisfied = serde_json::from_str::<FeedbackIn>(body)
            .ok()
            .and_then(|f| f.satisfied);
        match (
            self.reports.iter_mut().find(|r| r.ticket == ticket),
            satisfied,
        ) {
            (Some(report), Some(satisfied)) => {
                report.satisfied = Some(satisfied);
                answer(200, &FeedbackOut { ticket, satisfied })
            }
            (None, _) => error(404, "not_found", "没有这个工单 / No such ticket"),
            (_, None) => error(
                400,
                "invalid_feedback",
                "评价格式不正确 / Feedback must say satisfied: true or false",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::i18n::Lang;
    use crate::core::outbox::{classify, Outcome};
    use crate::core::report::{build_payload, Category, Draft, Envelope};

    const NOW: f64 = 1_796_000_000_000.0; // 2026-11-30 in Shanghai

    fn body(id: &str, description: &str) -> String {
        let draft = Draft {
            category: Some(Category::Other),
            building: "1号楼".into(),
            description: description.into(),
            ..Draft::default()
        };
        let envelope = Envelope {
            id: id.into(),
            created_at: rfc3339_shanghai(NOW),
            locale: Lang::En,
            notice_version: "1",
            client_version: "t",
        };
        serde_json::to_string(&build_payload(&draft, &[], envelope).unwrap()).unwrap()
    }

    fn ticket_of(answer: &Answer) -> String {
        match classify(answer, NOW) {
            Outcome::Accepted {
                ticket: Some(t), ..
            } => t,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn tickets_count_per_day_and_replays_are_idempotent() {
        let mut state = MockState::default();
        let first = ticket_of(&state.submit("a", &body("a", "楼道堆满纸箱"), NOW));
        assert!(
            first.starts_with("XJ-2026113") && first.ends_with("-0001"),
            "{first}"
        );
        assert_eq!(
            ticket_of(&state.submit("b", &body("b", "楼道堆满纸箱"), NOW)),
            first.replace("0001", "0002")
        );
        assert_eq!(
            ticket_of(&state.submit("a", &body("a", "楼道堆满纸箱"), NOW + 5.0)),
            first
        );
        assert_eq!(state.reports.len(), 2);
        let reuse = state.submit("a", &body("a", "另一件事情"), NOW);
        assert!(matches!(reuse, Answer::Status { code: 422, .. }));
        assert!(matches!(
            state.submit("c", "{}", NOW),
            Answer::Status { code: 400, .. }
        ));
        assert!(matches!(
            state.submit("c", &body("d", "key differs from id"), NOW),
            Answer::Status { code: 400, .. }
        ));
    }

    #[test]
    fn status_moves_on_and_feedback_is_kept() {
        let mut state = MockState::default();
        let ticket = ticket_of(&state.submit("a", &body("a", "电箱门坏了"), NOW));
        let status_at = |state: &MockState, t: f64| match state.status(&ticket, t) {
            Answer::Status {
                code: 200, body, ..
            } => serde_json::from_str::<serde_json::Value>(&body).unwrap()["status"]
                .as_str()
                .unwrap()
                .to_owned(),
            other => panic!("{other:?}"),
        };
        assert_eq!(status_at(&state, NOW), "received");
        assert_eq!(status_at(&state, NOW + IN_PROGRESS_AFTER_MS), "in_progress");
        assert_eq!(status_at(&state, NOW + RESOLVED_AFTER_MS), "resolved");
        assert!(matches!(
            state.feedback(&ticket, r#"{"satisfied":false}"#),
            Answer::Status { code: 200, .. }
        ));
        assert_eq!(state.reports[0].satisfied, Some(false));
        assert!(matches!(
            state.feedback(&ticket, "{}"),
            Answer::Status { code: 400, .. }
        ));
        assert!(matches!(
            state.status("XJ-none", NOW),
            Answer::Status { code: 404, .. }
        ));
        let saved = serde_json::to_string(&state).unwrap();
        assert_eq!(MockState::parse(&saved), state);
        assert_eq!(MockState::parse("garbage"), MockState::default());
    }
}
