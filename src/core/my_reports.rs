//! "My reports": the tickets this phone received, their status and the resident's verdict,
//! as the 12345 hotline closes its loop. Kept on the device only.

use super::report::{excerpt, Category, ReportPayload};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
pub use xinjing_contract::ticket::{parse_status, StatusAnswer, NOTE_MAX};
pub use xinjing_contract::{Feedback, TicketStatus};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TicketRecord {
    /// `None` when the endpoint accepted the report without giving a ticket.
    pub ticket: Option<String>,
    pub id: String,
    pub created_at: String,
    pub category: Category,
    pub community: String,
    /// The first words of the description, to recognise the report.
    pub excerpt: String,
    pub status: Option<TicketStatus>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// The resident's verdict once resolved: satisfied or not.
    #[serde(default)]
    pub satisfied: Option<bool>,
}

impl TicketRecord {
    pub fn from_delivery(
        payload: &ReportPayload,
        ticket: Option<String>,
        status: Option<TicketStatus>,
    ) -> TicketRecord {
        TicketRecord {
            ticket,
            id: payload.id.clone(),
            created_at: payload.created_at.clone(),
            category: payload.category,
            community: payload.location.community.clone(),
            excerpt: excerpt(&payload.description),
            status: status.or(Some(TicketStatus::Received)),
            updated_at: None,
            note: None,
            satisfied: None,
        }
    }

    pub fn can_give_feedback(&self) -> bool {
        self.ticket.is_some()
            && self.status == Some(TicketStatus::Resolved)
            && self.satisfied.is_none()
    }
}

/// Adds or replaces (by report id) a record, newest first.
pub fn upsert(records: &mut Vec<TicketRecord>, record: TicketRecord) {
    records.retain(|r| r.id != record.id);
    records.insert(0, record);
}

/// The stored list, skipping entries that no longer parse.
pub fn parse_records(json: &str) -> Vec<TicketRecord> {
    let Ok(items) = serde_json::from_str::<Vec<&RawValue>>(json) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| serde_json::from_str(item.get()).ok())
        .collect()
}

pub fn apply_status(record: &mut TicketRecord, answer: StatusAnswer) {
    record.status = Some(answer.status);
    record.updated_at = answer.updated_at;
    record.note = answer.note.map(|n| n.chars().take(NOTE_MAX).collect());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::i18n::Lang;
    use crate::core::report::{build_payload, Draft, Envelope};
    use serde_json::Value;

    fn delivered() -> ReportPayload {
        let draft = Draft {
            category: Some(Category::FlyingLineCharging),
            community: "示例一村（演示）".into(),
            spot: "北门".into(),
            description: "有人从五楼窗户吊电线下来给电动车充电，已经好几天了，晚上也不拔。"
                .repeat(2),
            ..Draft::default()
        };
        let envelope = Envelope {
            id: "id-1".into(),
            created_at: "2026-11-30T09:00:00+08:00".into(),
            locale: Lang::Zh,
            notice_version: "1",
            client_version: "t",
        };
        build_payload(&draft, &[], envelope).unwrap()
    }

    #[test]
    fn record_from_delivery_and_status_updates() {
        let mut record =
            TicketRecord::from_delivery(&delivered(), Some("XJ-20261130-0001".into()), None);
        assert_eq!(
            record.excerpt.chars().count(),
            crate::core::report::EXCERPT_CHARS
        );
        assert_eq!(record.status, Some(TicketStatus::Received));
        assert!(!record.can_give_feedback());
        apply_status(&mut record, parse_status(r#"{"ticket":"XJ-20261130-0001","status":"resolved","updated_at":"2026-11-30T12:00:00+08:00","note":"已清理"}"#).unwrap());
        assert!(record.can_give_feedback());
        record.satisfied = Some(true);
        assert!(!record.can_give_feedback());
    }

    #[test]
    fn storage_round_trip_skips_bad_items() {
        let record = TicketRecord::from_delivery(&delivered(), Some("XJ-1".into()), None);
        let mut records = vec![];
        upsert(&mut records, record.clone());
        upsert(&mut records, record.clone());
        assert_eq!(records.len(), 1);
        let mut json: Value = serde_json::to_value(&records).unwrap();
        json.as_array_mut().unwrap().push(Value::from("junk"));
        assert_eq!(parse_records(&json.to_string()), records);
        assert!(parse_records("{oops").is_empty());
        assert_eq!(parse_status(r#"{"status":"closed"}"#), None);
    }
}
