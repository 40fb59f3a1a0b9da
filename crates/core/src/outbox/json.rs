//! An outbox entry's stored record, written and read as its serde derive did in older
//! builds (`json/tests.rs` checks both against serde_json).

use super::OutboxEntry;
use crate::json::write::{array, quoted, Object, ToJson};
use crate::json::{code, number, object, optional, or_default, required, string, uint, Json};
use crate::json::{Mismatch, Read};
use crate::report::json::{category, write_category};
use crate::report::Category;
use xinjing_contract::Fault;

fn fault<J: Json>(node: &J) -> Read<Fault> {
    code(node, |c| match c {
        "redirect" => Some(Fault::Redirect),
        "no_ticket" => Some(Fault::NoTicket),
        "no_error_body" => Some(Fault::NoErrorBody),
        _ => None,
    })
}

/// A glimpse is kept as a pair: `["category", "the first words"]`.
fn glimpse<J: Json>(node: &J) -> Read<(Category, String)> {
    match node.items().as_deref() {
        Some([kind, words]) => Ok((category(kind)?, string(words)?)),
        _ => Err(Mismatch),
    }
}

pub fn entry<J: Json>(node: &J) -> Read<OutboxEntry> {
    let node = object(node)?;
    Ok(OutboxEntry {
        id: required(node, "id", string)?,
        body: or_default(node, "body", string)?,
        body_len: or_default(node, "body_len", uint)? as usize,
        glimpse: optional(node, "glimpse", glimpse)?,
        queued_at_ms: required(node, "queued_at_ms", number)?,
        attempts: or_default(node, "attempts", uint)?,
        next_attempt_ms: or_default(node, "next_attempt_ms", number)?,
        lease_at_ms: or_default(node, "lease_at_ms", number)?,
        lease_until_ms: or_default(node, "lease_until_ms", number)?,
        attempted_at_ms: or_default(node, "attempted_at_ms", number)?,
        not_before_ms: optional(node, "not_before_ms", number)?,
        last_error: optional(node, "last_error", string)?,
        fault: optional(node, "fault", fault)?,
        refused: optional(node, "refused", string)?,
        endpoint: optional(node, "endpoint", string)?,
    })
}

fn write_fault(value: Fault) -> &'static str {
    match value {
        Fault::Redirect => "\"redirect\"",
        Fault::NoTicket => "\"no_ticket\"",
        Fault::NoErrorBody => "\"no_error_body\"",
    }
}

impl ToJson for OutboxEntry {
    fn to_json(&self) -> String {
        let mut entry = Object::new()
            .str("id", &self.id)
            .str("body", &self.body)
            .uint("body_len", self.body_len as u64);
        if let Some((kind, excerpt)) = &self.glimpse {
            entry = entry.raw("glimpse", &array([write_category(*kind), quoted(excerpt)]));
        }
        let entry = entry
            .float("queued_at_ms", self.queued_at_ms)
            .uint("attempts", self.attempts.into())
            .float("next_attempt_ms", self.next_attempt_ms)
            .float("lease_at_ms", self.lease_at_ms)
            .float("lease_until_ms", self.lease_until_ms)
            .float("attempted_at_ms", self.attempted_at_ms);
        let entry = match self.not_before_ms {
            Some(ms) => entry.float("not_before_ms", ms),
            None => entry.raw("not_before_ms", "null"),
        };
        entry
            .str_or_null("last_error", self.last_error.as_deref())
            .raw("fault", self.fault.map_or("null", write_fault))
            .str_or_null("refused", self.refused.as_deref())
            .str_if_some("endpoint", self.endpoint.as_deref())
            .end()
    }
}
