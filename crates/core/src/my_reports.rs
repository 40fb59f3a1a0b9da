//! "My reports": the tickets this phone received, their status and the resident's verdict,
//! as the 12345 hotline closes its loop. Kept on the device only.

pub(crate) mod json;

use super::report::{excerpt, Category, ReportPayload};
use crate::json::{parse, Document, Json};
use serde::{Deserialize, Serialize};
use xinjing_contract::ticket::is_plain_ticket;
pub use xinjing_contract::ticket::{StatusAnswer, NOTE_MAX};
pub use xinjing_contract::{Feedback, StatusChange, TicketStatus};

/// Steps of a ticket's history kept on the phone: the latest ones, which a long-lived
/// ticket reopened many times would otherwise grow without end.
pub const HISTORY_MAX: usize = 30;

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
    /// The ticket the committee merged this one into (a duplicate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<String>,
    /// The steps so far, oldest first, as the endpoint last told them: shown offline too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<StatusChange>,
    /// The endpoint that issued the ticket (`Endpoint::key`): asked about its status and
    /// told the verdict, whatever the config says now. `None`: kept by an older build.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// A verdict the endpoint has not confirmed: sent again, under the same key, until it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_verdict: Option<PendingVerdict>,
    /// The photo of the fix the committee made public: a URL relative to the ticket's
    /// status URL, asked for with the report's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_photo: Option<String>,
}

/// A verdict on its way, with its own Idempotency-Key: a resend is counted once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PendingVerdict {
    pub key: String,
    pub satisfied: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl PendingVerdict {
    pub fn body(&self) -> String {
        crate::json::ToJson::to_json(&Feedback {
            satisfied: self.satisfied,
            comment: self.comment.clone(),
        })
    }
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
            merged_into: None,
            history: Vec::new(),
            endpoint: None,
            pending_verdict: None,
            after_photo: None,
        }
    }

    fn is_open(&self) -> bool {
        !self.status.is_some_and(TicketStatus::is_final)
    }

    /// Worth asking the endpoint about: still open, or just answered "not satisfied" and
    /// waiting to be reopened.
    pub fn needs_refresh(&self) -> bool {
        self.ticket.is_some() && (self.is_open() || self.satisfied == Some(false))
    }

    /// Opened again after a verdict of "not satisfied" (重办) and not closed since.
    pub fn is_reopened(&self) -> bool {
        self.is_open() && self.history.iter().any(|step| step.reopened)
    }

    /// A verdict waiting to be sent again (to an endpoint that has the ticket).
    pub fn verdict_to_send(&self) -> Option<&PendingVerdict> {
        self.ticket.as_ref().and(self.pending_verdict.as_ref())
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
    let items = Document::parse(json).and_then(|list| list.items());
    items
        .unwrap_or_default()
        .iter()
        .filter_map(|item| json::record(item).ok())
        .collect()
}

/// One stored ticket record.
pub fn parse_record(json: &str) -> Option<TicketRecord> {
    parse(json, json::record)
}

/// A 2xx body to the status question, if it is the contract's answer.
pub fn parse_status(body: &str) -> Option<StatusAnswer> {
    xinjing_contract::ticket::parse_status::<Document>(body)
}

fn clip(text: String, max: usize) -> String {
    text.chars().take(max).collect()
}

/// A status answer, kept within the phone's limits: notes cut to `NOTE_MAX`, the latest
/// `HISTORY_MAX` steps, a merged-into ticket only if it is a plain ticket number.
pub fn apply_status(record: &mut TicketRecord, answer: StatusAnswer) {
    record.status = Some(answer.status);
    record.updated_at = answer.updated_at;
    record.note = answer.note.map(|n| clip(n, NOTE_MAX));
    record.merged_into = answer.merged_into.filter(|t| is_plain_ticket(t));
    record.after_photo = answer.after_photo.filter(|url| is_photo_path(url));
    let skip = answer.history.len().saturating_sub(HISTORY_MAX);
    record.history = answer
        .history
        .into_iter()
        .skip(skip)
        .map(|step| StatusChange {
            at: clip(step.at, 40),
            note: step.note.map(|n| clip(n, NOTE_MAX)),
            ..step
        })
        .collect();
    // Open again: the verdict was heard, and a new one is asked once it is resolved again.
    if record.is_open() {
        record.satisfied = None;
    }
}

/// An after-photo's URL the phone will ask for: a short relative path (never another
/// host: the report's key goes with the request), of plain characters.
fn is_photo_path(url: &str) -> bool {
    url.len() <= 200
        && !url.starts_with('/')
        && url
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'/' | b'.'))
        && !url.split('/').any(|part| part.is_empty() || part == "..")
}

impl TicketRecord {
    /// The after-photo's path, relative to the ticket's status URL, only if it is a plain
    /// relative path: it is fetched with the report's key, so it must stay on the endpoint
    /// that issued the ticket, under its status URL's folder. A record another build or tab
    /// stored is checked again here, whatever it holds.
    pub fn after_photo_path(&self) -> Option<&str> {
        self.after_photo.as_deref().filter(|p| is_photo_path(p))
    }
}

/// A fresh status written over the stored record (another tab may have written it since):
/// the endpoint's fields win; a verdict stored meanwhile stays unless the ticket reopened.
pub fn merge_status(stored: &mut TicketRecord, fresh: &TicketRecord) {
    stored.status = fresh.status;
    stored.updated_at.clone_from(&fresh.updated_at);
    stored.note.clone_from(&fresh.note);
    stored.merged_into.clone_from(&fresh.merged_into);
    stored.history.clone_from(&fresh.history);
    stored.after_photo.clone_from(&fresh.after_photo);
    stored.satisfied = if stored.is_open() {
        None
    } else {
        stored.satisfied.or(fresh.satisfied)
    };
}

/// Queues the resident's verdict. The same verdict tapped again keeps its key: the first
/// send may have arrived, and must not be counted twice.
pub fn queue_verdict(
    record: &mut TicketRecord,
    satisfied: bool,
    comment: Option<String>,
    new_key: impl FnOnce() -> String,
) -> PendingVerdict {
    let key = match &record.pending_verdict {
        Some(p) if p.satisfied == satisfied && p.comment == comment => p.key.clone(),
        _ => new_key(),
    };
    let pending = PendingVerdict {
        key,
        satisfied,
        comment,
    };
    record.pending_verdict = Some(pending.clone());
    pending
}

/// A queued verdict written over the stored record.
pub fn merge_pending(stored: &mut TicketRecord, fresh: &TicketRecord) {
    stored.pending_verdict.clone_from(&fresh.pending_verdict);
}

/// The endpoint took the verdict queued in `fresh`: it becomes the verdict, unless another
/// one was queued meanwhile (that one is still to be sent).
pub fn merge_verdict(stored: &mut TicketRecord, fresh: &TicketRecord) {
    let Some(sent) = &fresh.pending_verdict else {
        return;
    };
    if stored
        .pending_verdict
        .as_ref()
        .is_none_or(|p| p.key == sent.key)
    {
        stored.pending_verdict = None;
        stored.satisfied = Some(sent.satisfied);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verdict_waits_under_one_key_until_the_endpoint_takes_it() {
        let mut record =
            TicketRecord::from_delivery(&delivered(), Some("XJ-20261130-0001".into()), None);
        let comment = Some("电动车又推回楼道了".to_string());
        let first = queue_verdict(&mut record, false, comment.clone(), || "k1".into());
        // Kept with the ticket: it survives a reload.
        let kept: TicketRecord =
            serde_json::from_str(&serde_json::to_string(&record).unwrap()).unwrap();
        assert_eq!(kept.verdict_to_send(), Some(&first));
        // Tapped again after a failed send: the same key, so the endpoint counts it once.
        let again = queue_verdict(&mut record, false, comment, || "k2".into());
        assert_eq!(again.key, "k1");
        assert_eq!(
            again.body(),
            r#"{"satisfied":false,"comment":"电动车又推回楼道了"}"#
        );
        let sent = record.clone();
        // Another verdict meanwhile gets its own key; the first one's answer leaves it queued.
        let other = queue_verdict(&mut record, true, None, || "k3".into());
        assert_eq!(other.key, "k3");
        merge_verdict(&mut record, &sent);
        assert_eq!(
            (record.satisfied, record.pending_verdict.is_some()),
            (None, true)
        );
        let sent = record.clone();
        merge_verdict(&mut record, &sent);
        assert_eq!(
            (record.satisfied, record.verdict_to_send()),
            (Some(true), None)
        );
    }
    use crate::i18n::Lang;
    use crate::report::{build_payload, Draft, Envelope};
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
        assert_eq!(record.excerpt.chars().count(), crate::report::EXCERPT_CHARS);
        assert_eq!(record.status, Some(TicketStatus::Received));
        assert!(!record.can_give_feedback());
        apply_status(&mut record, parse_status(r#"{"ticket":"XJ-20261130-0001","status":"resolved","updated_at":"2026-11-30T12:00:00+08:00","note":"已清理"}"#).unwrap());
        assert!(record.can_give_feedback());
        record.satisfied = Some(true);
        assert!(!record.can_give_feedback());
        assert!(
            !record.needs_refresh(),
            "closed and content: nothing to ask"
        );
    }

    fn step(status: TicketStatus, reopened: bool) -> StatusChange {
        StatusChange {
            status,
            at: "2026-11-30T09:00:00+08:00".into(),
            note: Some("说".repeat(NOTE_MAX + 5)),
            reopened,
            step: None,
            unit_kind: None,
            due: None,
        }
    }

    #[test]
    fn not_satisfied_waits_for_the_reopen_then_asks_again_once_resolved() {
        let mut record =
            TicketRecord::from_delivery(&delivered(), Some("XJ-20261130-0001".into()), None);
        let answer = |status, history: Vec<StatusChange>| StatusAnswer {
            ticket: None,
            status,
            updated_at: None,
            note: None,
            merged_into: None,
            history,
            after_photo: None,
        };
        apply_status(
            &mut record,
            answer(
                TicketStatus::Resolved,
                vec![step(TicketStatus::Resolved, false)],
            ),
        );
        record.satisfied = Some(false);
        assert!(record.needs_refresh() && !record.is_reopened());
        let reopened = vec![
            step(TicketStatus::Resolved, false),
            step(TicketStatus::Received, true),
        ];
        let mut stored = record.clone();
        apply_status(
            &mut record,
            answer(TicketStatus::Received, reopened.clone()),
        );
        assert!(record.is_reopened() && record.satisfied.is_none());
        assert_eq!(
            record.history[0].note.as_ref().unwrap().chars().count(),
            NOTE_MAX
        );
        merge_status(&mut stored, &record);
        assert_eq!(stored, record, "the stored record follows the reopen");
        apply_status(&mut record, answer(TicketStatus::Resolved, reopened));
        assert!(record.can_give_feedback() && !record.is_reopened());
    }

    #[test]
    fn status_answers_are_kept_within_limits() {
        let mut record =
            TicketRecord::from_delivery(&delivered(), Some("XJ-20261130-0002".into()), None);
        let mut answer: StatusAnswer = parse_status(
            r#"{"status":"rejected","merged_into":"XJ-20261130-0001","note":"重复报告"}"#,
        )
        .unwrap();
        answer.history = (0..HISTORY_MAX + 3)
            .map(|i| step(TicketStatus::InProgress, i == HISTORY_MAX + 2))
            .collect();
        apply_status(&mut record, answer.clone());
        assert_eq!(record.merged_into.as_deref(), Some("XJ-20261130-0001"));
        assert_eq!(record.history.len(), HISTORY_MAX);
        assert!(
            record.history.last().unwrap().reopened,
            "the latest steps are kept"
        );
        answer.merged_into = Some("<a href=x>".into());
        apply_status(&mut record, answer);
        assert_eq!(record.merged_into, None);
        let json = serde_json::to_string(&record).unwrap();
        assert_eq!(parse_records(&format!("[{json}]")), vec![record]);
    }

    #[test]
    fn a_verdict_and_a_status_from_two_tabs_both_stay() {
        let mut stored =
            TicketRecord::from_delivery(&delivered(), Some("XJ-20261130-0003".into()), None);
        stored.status = Some(TicketStatus::Resolved);
        let mut verdict = stored.clone();
        queue_verdict(&mut verdict, true, None, || "k".into());
        let mut fresh = stored.clone();
        fresh.note = Some("已复查".into());
        merge_verdict(&mut stored, &verdict);
        merge_status(&mut stored, &fresh);
        assert_eq!(
            (stored.satisfied, stored.note.as_deref()),
            (Some(true), Some("已复查"))
        );
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

    #[test]
    fn an_after_photo_is_kept_only_as_a_plain_relative_path() {
        let mut record =
            TicketRecord::from_delivery(&delivered(), Some("XJ-20261130-0001".into()), None);
        for (url, kept) in [
            ("XJ-20261130-0001/after-photo", true),
            ("https://elsewhere.example/x.jpg", false),
            ("//elsewhere.example/x.jpg", false),
            ("/api/v1/reports/XJ-20261130-0001/after-photo", false),
            ("../../other/after-photo", false),
            ("javascript:alert(1)", false),
        ] {
            let mut answer = parse_status(r#"{"status":"resolved"}"#).unwrap();
            answer.after_photo = Some(url.into());
            apply_status(&mut record, answer);
            assert_eq!(record.after_photo.is_some(), kept, "{url}");
        }
        // An answer without it (an older endpoint, or the photo made private again).
        apply_status(
            &mut record,
            parse_status(r#"{"status":"resolved"}"#).unwrap(),
        );
        assert_eq!(record.after_photo, None);
    }

    #[test]
    fn an_after_photo_stored_elsewhere_is_used_only_as_a_plain_relative_path() {
        let mut record =
            TicketRecord::from_delivery(&delivered(), Some("XJ-20261130-0001".into()), None);
        record.after_photo = Some("https://elsewhere.example/x.jpg".into());
        assert_eq!(record.after_photo_path(), None);
        record.after_photo = Some("XJ-20261130-0001/after-photo".into());
        assert_eq!(
            record.after_photo_path(),
            Some("XJ-20261130-0001/after-photo")
        );
    }
}
