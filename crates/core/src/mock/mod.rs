//! The demo's mock backend: endpoint contract v1 implemented over plain data with the
//! contract crate's types and rules, so the demo behaves like a real receiver (tickets,
//! idempotent replays, statuses that move on, the report key) and is tested natively. The
//! app keeps a `MockState` in browser storage.

use serde::{Deserialize, Serialize};
use xinjing_contract::report::validate_report;
use xinjing_contract::report::Category;
use xinjing_contract::ticket::{format_ticket, COMMENT_MAX, SIMILAR_DAYS};
use xinjing_contract::time::{rfc3339_shanghai, Date};
use xinjing_contract::{
    Accepted, Answer, ErrorBody, Feedback, ReportPayload, Similar, StatusAnswer, StatusChange,
    TicketStatus,
};

/// A report (or a reopened one) stays "received" this long, then "in progress" until
/// `RESOLVED_AFTER_MS`.
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
    /// When the resident's "not satisfied" reopened it, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reopened_ms: Vec<f64>,
    /// The comments that came with the verdicts, for the demo's committee view.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comments: Vec<String>,
}

const RESOLVED_NOTE: &str = "已处理完毕（演示） / Handled (demo)";

impl MockReport {
    pub fn payload(&self) -> Option<ReportPayload> {
        serde_json::from_str(&self.body).ok()
    }

    /// Every step the demo's clock has passed at `now_ms`, oldest first: each round (the
    /// first, then one per reopen) goes received → in progress → resolved, and a reopen
    /// cuts its round short.
    pub fn history_at(&self, now_ms: f64) -> Vec<StatusChange> {
        let starts: Vec<f64> = std::iter::once(self.received_ms)
            .chain(self.reopened_ms.iter().copied())
            .filter(|at| *at <= now_ms)
            .collect();
        let mut steps = Vec::new();
        for (round, start) in starts.iter().enumerate() {
            let end = starts.get(round + 1).copied().unwrap_or(f64::INFINITY);
            for (status, after) in [
                (TicketStatus::Received, 0.0),
                (TicketStatus::InProgress, IN_PROGRESS_AFTER_MS),
                (TicketStatus::Resolved, RESOLVED_AFTER_MS),
            ] {
                let at = start + after;
                if at <= now_ms && (after == 0.0 || at < end) {
                    steps.push(StatusChange {
                        status,
                        at: rfc3339_shanghai(at),
                        note: (status == TicketStatus::Resolved).then(|| RESOLVED_NOTE.into()),
                        reopened: round > 0 && after == 0.0,
                        step: None,
                        unit_kind: None,
                        due: None,
                    });
                }
            }
        }
        steps
    }

    /// The status at `now_ms` and since when it holds.
    pub fn status_at(&self, now_ms: f64) -> (TicketStatus, f64) {
        let start = self
            .reopened_ms
            .iter()
            .copied()
            .filter(|at| *at <= now_ms)
            .fold(self.received_ms, f64::max);
        let age = now_ms - start;
        if age >= RESOLVED_AFTER_MS {
            (TicketStatus::Resolved, start + RESOLVED_AFTER_MS)
        } else if age >= IN_PROGRESS_AFTER_MS {
            (TicketStatus::InProgress, start + IN_PROGRESS_AFTER_MS)
        } else {
            (TicketStatus::Received, start)
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
            reopened_ms: Vec::new(),
            comments: Vec::new(),
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
        answer(
            200,
            &StatusAnswer {
                ticket: Some(ticket.to_owned()),
                status,
                updated_at: Some(rfc3339_shanghai(since)),
                note: (status == TicketStatus::Resolved).then(|| RESOLVED_NOTE.into()),
                merged_into: None,
                history: report.history_at(now_ms),
                after_photo: None,
            },
        )
    }

    /// `POST {endpoint}/{ticket}/feedback` with the report's key. "Not satisfied" with a
    /// resolved ticket reopens it, as the desk does (12345's 重办).
    pub fn feedback(&mut self, ticket: &str, report_key: &str, body: &str, now_ms: f64) -> Answer {
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
        let comment = feedback.comment.as_deref().unwrap_or_default();
        if comment.chars().count() > COMMENT_MAX {
            return error(
                400,
                "comment_too_long",
                "意见太长 / The comment is too long",
            );
        }
        if let Some(report) = self.reports.iter_mut().find(|r| r.ticket == ticket) {
            report.satisfied = Some(feedback.satisfied);
            if !comment.is_empty() {
                report.comments.push(comment.to_owned());
            }
            if !feedback.satisfied && report.status_at(now_ms).0.is_final() {
                report.reopened_ms.push(now_ms);
            }
        }
        answer(200, &feedback)
    }

    /// `GET {endpoint}/similar`: open reports of that kind at that place from the last
    /// `SIMILAR_DAYS` days, ticket numbers only.
    pub fn similar(
        &self,
        community: &str,
        building: &str,
        category: Category,
        now_ms: f64,
    ) -> Similar {
        let since = now_ms - f64::from(SIMILAR_DAYS) * 86_400_000.0;
        let tickets: Vec<String> = self
            .reports
            .iter()
            .filter(|r| r.received_ms >= since && !r.status_at(now_ms).0.is_final())
            .filter(|r| {
                r.payload().is_some_and(|p| {
                    p.category == category
                        && p.location.community == community
                        && p.location.building == building
                })
            })
            .map(|r| r.ticket.clone())
            .collect();
        Similar {
            count: tickets.len() as u32,
            tickets,
        }
    }
}

#[cfg(test)]
mod tests;
