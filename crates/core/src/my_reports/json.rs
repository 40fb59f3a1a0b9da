//! A ticket record as "my reports" keeps it, written and read as its serde derive did in
//! older builds (`json/tests.rs` checks both against serde_json).

use super::{PendingVerdict, TicketRecord};
use crate::json::write::{quoted, Object, ToJson};
use crate::json::{boolean, list, object, optional, or_default, required, string, Json, Read};
use crate::report::json::{category, write_category};
use xinjing_contract::ticket::{read_change, read_status};
use xinjing_contract::{Feedback, StatusChange, TicketStatus};

fn write_status(value: TicketStatus) -> String {
    quoted(value.code())
}

fn verdict<J: Json>(node: &J) -> Read<PendingVerdict> {
    let node = object(node)?;
    Ok(PendingVerdict {
        key: required(node, "key", string)?,
        satisfied: required(node, "satisfied", boolean)?,
        comment: optional(node, "comment", string)?,
    })
}

pub fn record<J: Json>(node: &J) -> Read<TicketRecord> {
    let node = object(node)?;
    Ok(TicketRecord {
        ticket: optional(node, "ticket", string)?,
        id: required(node, "id", string)?,
        created_at: required(node, "created_at", string)?,
        category: required(node, "category", category)?,
        community: required(node, "community", string)?,
        excerpt: required(node, "excerpt", string)?,
        status: optional(node, "status", read_status)?,
        updated_at: optional(node, "updated_at", string)?,
        note: optional(node, "note", string)?,
        satisfied: optional(node, "satisfied", boolean)?,
        merged_into: optional(node, "merged_into", string)?,
        history: or_default(node, "history", |h| list(h, read_change))?,
        endpoint: optional(node, "endpoint", string)?,
        pending_verdict: optional(node, "pending_verdict", verdict)?,
        after_photo: optional(node, "after_photo", string)?,
    })
}

impl ToJson for StatusChange {
    fn to_json(&self) -> String {
        let change = Object::new()
            .raw("status", &write_status(self.status))
            .str("at", &self.at)
            .str_if_some("note", self.note.as_deref());
        let change = if self.reopened {
            change.bool("reopened", true)
        } else {
            change
        };
        change
            .str_if_some("step", self.step.as_deref())
            .str_if_some("unit_kind", self.unit_kind.as_deref())
            .str_if_some("due", self.due.as_deref())
            .end()
    }
}

impl ToJson for Feedback {
    fn to_json(&self) -> String {
        Object::new()
            .bool("satisfied", self.satisfied)
            .str_if_some("comment", self.comment.as_deref())
            .end()
    }
}

impl ToJson for PendingVerdict {
    fn to_json(&self) -> String {
        Object::new()
            .str("key", &self.key)
            .bool("satisfied", self.satisfied)
            .str_if_some("comment", self.comment.as_deref())
            .end()
    }
}

impl ToJson for TicketRecord {
    fn to_json(&self) -> String {
        let record = Object::new()
            .str_or_null("ticket", self.ticket.as_deref())
            .str("id", &self.id)
            .str("created_at", &self.created_at)
            .raw("category", &write_category(self.category))
            .str("community", &self.community)
            .str("excerpt", &self.excerpt)
            .raw(
                "status",
                &self.status.map_or_else(|| "null".into(), write_status),
            )
            .str_or_null("updated_at", self.updated_at.as_deref())
            .str_or_null("note", self.note.as_deref());
        let record = match self.satisfied {
            Some(satisfied) => record.bool("satisfied", satisfied),
            None => record.raw("satisfied", "null"),
        }
        .str_if_some("merged_into", self.merged_into.as_deref());
        let record = if self.history.is_empty() {
            record
        } else {
            record.raw("history", &self.history.to_json())
        }
        .str_if_some("endpoint", self.endpoint.as_deref());
        let record = match &self.pending_verdict {
            Some(verdict) => record.raw("pending_verdict", &verdict.to_json()),
            None => record,
        };
        record
            .str_if_some("after_photo", self.after_photo.as_deref())
            .end()
    }
}
