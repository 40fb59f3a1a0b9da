//! The demo's mock backend: endpoint contract v1 implemented over plain data with the
//! contract crate's types and rules, so the demo behaves like a real receiver (tickets,
//! idempotent replays, statuses that move on, the report key) and is tested natively. The
//! app keeps a `MockState` in browser storage.

use serde::{Deserialize, Serialize};
use xinjing_contract::report::validate_report;
use xinjing_contract::ticket::format_ticket;
use xinjing_contract::time::{rfc3339_shanghai, Date};
use xinjing_contract::{
    Accepted, Answer, ErrorBody, Feedback, ReportPayload, StatusAnswer, StatusChange, TicketStatus,
};

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

    /// The status at `now_ms` and since when it holds.
    pub fn status_at(&self, now_ms: f64) -> (TicketStatus, f64) {
        let age = now_ms - self.received_ms;
        if age >= RESOLVED_AFTER_MS {
            (TicketStatus::Resolved, self.received_ms + RESOLVED_AFTER_MS)
        } else if age >= IN_PROGRESS_AFTER_MS {
            (
                TicketStatus::InProgress,
                self.received_ms + IN_PROGRESS_AFTER_MS,
            )
        } else {
            (TicketStatus::Received, self.received_ms)
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

fn error(code: u16, kind: &str, message: &str) -> Answer {
    answer(code, &ErrorBody::new(kind, message))
}

fn not_found() -> Answer {
    error(404, "not_found", "没有这个工单 / No such ticket")
}

impl MockState {
    pub fn parse(json: &str) -> MockState {
        serde_json::from_str(json).unwrap_or_default()
    }

    /// `POST {endpoint}`: a repeated key replays the first answer; the same key with another
    /// body is refused (422), as the IETF Idempotency-Key draft describes. The contract's
    /// rules are checked as the desk checks them.
    pub fn submit(&mut self, key: &str, body: &str, now_ms: f64) -> Answer {
        if let Some(existing) = self.reports.iter().find(|r| r.key == key) {
            return if existing.body == body {
                answer(
                    201,
                    &Accepted {
                        ticket: existing.ticket.clone(),
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
        if let Some((field, problem)) = validate_report(&payload, &[]).into_iter().next() {
            return answer(422, &ErrorBody::for_field(field, problem, payload.lang()));
        }
        let day = Date::in_shanghai(now_ms);
        let today = format_ticket(day, 1);
        let prefix = &today[..today.len() - 4];
        let number = self
            .reports
            .iter()
            .filter(|r| r.ticket.starts_with(prefix))
            .count()
            + 1;
        let ticket = format_ticket(day, number as u32);
        self.reports.push(MockReport {
            key: payload.id,
            body: body.to_owned(),
            ticket: ticket.clone(),
            received_ms: now_ms,
            satisfied: None,
        });
        answer(
            201,
            &Accepted {
                ticket,
                status: TicketStatus::Received,
            },
        )
    }

    /// The report behind `ticket`, only for the phone that knows its key.
    fn find(&self, ticket: &str, report_key: &str) -> Option<&MockReport> {
        self.reports
            .iter()
            .find(|r| r.ticket == ticket && r.key == report_key)
    }

    /// `GET {endpoint}/{ticket}` with the report's key.
    pub fn status(&self, ticket: &str, report_key: &str, now_ms: f64) -> Answer {
        let Some(report) = self.find(ticket, report_key) else {
            return not_found();
        };
        let (status, since) = report.status_at(now_ms);
        let note = |status| {
            (status == TicketStatus::Resolved)
                .then(|| "已处理完毕（演示） / Handled (demo)".to_owned())
        };
        // Every step the demo's clock has passed, oldest first.
        let history = [
            (TicketStatus::Received, report.received_ms),
            (
                TicketStatus::InProgress,
                report.received_ms + IN_PROGRESS_AFTER_MS,
            ),
            (
                TicketStatus::Resolved,
                report.received_ms + RESOLVED_AFTER_MS,
            ),
        ]
        .into_iter()
        .filter(|(_, at)| *at <= now_ms)
        .map(|(status, at)| StatusChange {
            status,
            at: rfc3339_shanghai(at),
            note: note(status),
            reopened: false,
        })
        .collect();
        answer(
            200,
            &StatusAnswer {
                ticket: Some(ticket.to_owned()),
                status,
                updated_at: Some(rfc3339_shanghai(since)),
                note: note(status),
                merged_into: None,
                history,
            },
        )
    }

    /// `POST {endpoint}/{ticket}/feedback` with the report's key.
    pub fn feedback(&mut self, ticket: &str, report_key: &str, body: &str) -> Answer {
        if self.find(ticket, report_key).is_none() {
            return not_found();
        }
        let Ok(feedback) = serde_json::from_str::<Feedback>(body) else {
            return error(
                400,
                "invalid_feedback",
                "评价格式不正确 / Feedback must say satisfied: true or false",
            );
        };
        if let Some(report) = self.reports.iter_mut().find(|r| r.ticket == ticket) {
            report.satisfied = Some(feedback.satisfied);
        }
        answer(200, &feedback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::i18n::Lang;
    use crate::core::report::{build_payload, Category, Draft, Envelope};
    use xinjing_contract::{classify, Outcome};

    const NOW: f64 = 1_796_000_000_000.0; // 2026-11-30 in Shanghai
    const A: &str = "6f1c2a3b-0000-4000-8000-00000000000a";
    const B: &str = "6f1c2a3b-0000-4000-8000-00000000000b";
    const C: &str = "6f1c2a3b-0000-4000-8000-00000000000c";

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
            Outcome::Accepted { ticket, .. } => ticket,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn tickets_count_per_day_and_replays_are_idempotent() {
        let mut state = MockState::default();
        let first = ticket_of(&state.submit(A, &body(A, "楼道堆满纸箱"), NOW));
        assert!(
            first.starts_with("XJ-2026113") && first.ends_with("-0001"),
            "{first}"
        );
        assert_eq!(
            ticket_of(&state.submit(B, &body(B, "楼道堆满纸箱"), NOW)),
            first.replace("0001", "0002")
        );
        assert_eq!(
            ticket_of(&state.submit(A, &body(A, "楼道堆满纸箱"), NOW + 5.0)),
            first
        );
        assert_eq!(state.reports.len(), 2);
        let reuse = state.submit(A, &body(A, "另一件事情"), NOW);
        assert!(matches!(reuse, Answer::Status { code: 422, .. }));
        assert!(matches!(
            state.submit("c", "{}", NOW),
            Answer::Status { code: 400, .. }
        ));
        assert!(matches!(
            state.submit(C, &body(A, "key differs from id"), NOW),
            Answer::Status { code: 400, .. }
        ));
        assert!(
            matches!(state.submit(C, &body(C, "五个字以上").replace("五个字以上", "短"), NOW), Answer::Status { code: 422, body, .. } if body.contains("at least 5")),
            "the contract's rules, in the report's language"
        );
    }

    #[test]
    fn status_moves_on_and_feedback_is_kept() {
        let mut state = MockState::default();
        let ticket = ticket_of(&state.submit(A, &body(A, "电箱门坏了，一直开着"), NOW));
        let status_at = |state: &MockState, t: f64| match state.status(&ticket, A, t) {
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
            state.feedback(&ticket, A, r#"{"satisfied":false}"#),
            Answer::Status { code: 200, .. }
        ));
        assert!(
            matches!(
                state.status(&ticket, B, NOW),
                Answer::Status { code: 404, .. }
            ),
            "a ticket number without its report key reveals nothing"
        );
        assert!(matches!(
            state.feedback(&ticket, B, r#"{"satisfied":true}"#),
            Answer::Status { code: 404, .. }
        ));
        assert_eq!(state.reports[0].satisfied, Some(false));
        assert!(matches!(
            state.feedback(&ticket, A, "{}"),
            Answer::Status { code: 400, .. }
        ));
        assert!(matches!(
            state.status("XJ-none", A, NOW),
            Answer::Status { code: 404, .. }
        ));
        let saved = serde_json::to_string(&state).unwrap();
        assert_eq!(MockState::parse(&saved), state);
        assert_eq!(MockState::parse("garbage"), MockState::default());
    }
}
