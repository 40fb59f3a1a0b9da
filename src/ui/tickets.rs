//! "My reports": the tickets this phone received, their status asked of the endpoint, and
//! the resident's verdict sent back.
//!
//! Each ticket is its own IndexedDB record (`kv`, key `ticket:{report id}`): the outbox
//! writes it in the transaction that drops the delivered report, and a status or a verdict
//! rewrites that one record in place. Two tabs therefore never overwrite each other's
//! tickets, and a refresh in flight never brings back a ticket "clear my data" removed.
//! Other tabs hear of changes and read the records again.

use super::context::{use_settings, use_tickets, Settings, Tickets};
use crate::platform::clock::random_bytes;
use crate::platform::storage::{self, KV, TICKET_PREFIX};
use crate::platform::AnyTransport;
use leptos::prelude::*;
use leptos::task::spawn_local;
use xinjing_contract::ids::uuid_v4;
use xinjing_core::json::ToJson;
use xinjing_core::my_reports::{
    self, apply_status, merge_pending, merge_status, merge_verdict, parse_record, parse_records,
    parse_status, queue_verdict, TicketRecord,
};
use xinjing_core::outbox::Transport;

/// The ticket side of the app: what it needs to reach the endpoint and the list it keeps.
#[derive(Clone, Copy)]
pub struct TicketDesk {
    settings: Settings,
    tickets: Tickets,
}

pub fn use_ticket_desk() -> TicketDesk {
    TicketDesk {
        settings: use_settings(),
        tickets: use_tickets(),
    }
}

/// Moves a list kept by an older build (one localStorage value) into per-ticket records,
/// keeping any record already there, then drops the list. Run on every start, so a tab of
/// the old build that wrote the list again is merged the next time.
async fn migrate_old_list() {
    let Some(json) = storage::get(storage::KEY_MY_REPORTS) else {
        return;
    };
    for record in parse_records(&json) {
        if KV
            .put_if_absent(&storage::ticket_key(&record.id), &record.to_json())
            .await
            .is_err()
        {
            return; // keep the list for the next start
        }
    }
    storage::remove(storage::KEY_MY_REPORTS);
}

impl TicketDesk {
    /// Reads the tickets this phone keeps (all tabs' deliveries), newest first.
    pub async fn load(self) {
        migrate_old_list().await;
        let Ok(stored) = KV.entries_under(TICKET_PREFIX).await else {
            return;
        };
        let mut records: Vec<TicketRecord> = stored
            .iter()
            .filter_map(|(_, json)| parse_record(json))
            .collect();
        // RFC 3339 in one offset (+08:00) sorts as text.
        xinjing_core::sort::sort_by(&mut records, |a, b| b.created_at.cmp(&a.created_at));
        self.tickets.mine.set(records);
    }

    /// A delivered report (its record is already stored with the delivery): shown here, and
    /// announced to the other tabs.
    pub fn record(self, record: TicketRecord) {
        self.tickets
            .mine
            .update(|records| my_reports::upsert(records, record));
        storage::announce("tickets");
    }

    /// Keeps a ticket delivered without the outbox (storage failed): best effort.
    pub fn record_unstored(self, record: TicketRecord) {
        let json = record.to_json();
        let key = storage::ticket_key(&record.id);
        spawn_local(async move {
            let _ = KV.put(&key, &json).await;
        });
        self.record(record);
    }

    /// A status or verdict for one ticket: that record is rewritten in one transaction by
    /// `merge`, only if it is still kept (a clear meanwhile wins).
    fn update_in_place(self, item: TicketRecord, merge: fn(&mut TicketRecord, &TicketRecord)) {
        let found = self.tickets.mine.try_update(|records| {
            let slot = records.iter_mut().find(|r| r.id == item.id)?;
            merge(slot, &item);
            Some(())
        });
        if found.flatten().is_none() {
            return;
        }
        spawn_local(async move {
            let key = storage::ticket_key(&item.id);
            let written = KV
                .update(&key, move |current| {
                    let mut stored = parse_record(current)?;
                    merge(&mut stored, &item);
                    Some(stored.to_json())
                })
                .await;
            if matches!(written, Ok(Some(_))) {
                storage::announce("tickets");
            }
        });
    }

    /// Forgets every ticket shown ("clear my data"; storage is wiped by the caller).
    pub fn forget_all(self) {
        storage::remove(storage::KEY_MY_REPORTS);
        self.tickets.mine.set(Vec::new());
    }

    /// Asks the endpoint for the status of every open ticket, and of each one just judged
    /// "not satisfied" (to see it reopened).
    pub fn refresh_statuses(self) {
        let Some(config) = self.settings.config_now() else {
            return;
        };
        let open: Vec<TicketRecord> = self
            .tickets
            .mine
            .with_untracked(|mine| mine.iter().filter(|r| r.needs_refresh()).cloned().collect());
        let unsent: Vec<TicketRecord> = self.tickets.mine.with_untracked(|mine| {
            mine.iter()
                .filter(|r| r.verdict_to_send().is_some())
                .cloned()
                .collect()
        });
        for item in unsent {
            // Marked before the task starts: two refreshes in one turn see each other.
            let on_wire = self.tickets.verdicts_sending.try_update_value(|ids| {
                let taken = ids.contains(&item.id);
                if !taken {
                    ids.push(item.id.clone());
                }
                taken
            });
            if on_wire == Some(false) {
                spawn_local(async move {
                    self.send_verdict(item).await;
                });
            }
        }
        if open.is_empty() {
            return;
        }
        spawn_local(async move {
            for mut item in open {
                let Some(ticket) = item.ticket.clone() else {
                    continue;
                };
                // The endpoint that issued the ticket: another one has never heard of it,
                // and must not learn its report key.
                let transport = AnyTransport::for_stored(item.endpoint.as_deref(), &config);
                let answer = transport.ticket_status(&ticket, &item.id).await;
                if let Some(status) = answer.success_body().and_then(parse_status) {
                    apply_status(&mut item, status);
                    self.update_in_place(item, merge_status);
                }
            }
        });
    }

    /// Sends "were you satisfied?" (with the resident's comment, if any); returns whether
    /// the endpoint took it. The verdict is kept with the ticket first, so one that fails
    /// is sent again (under the same key) with the next status refresh.
    pub async fn send_feedback(self, id: String, satisfied: bool, comment: Option<String>) -> bool {
        let found = self
            .tickets
            .mine
            .with_untracked(|mine| mine.iter().find(|r| r.id == id).cloned());
        let Some(mut item) = found else {
            return false;
        };
        queue_verdict(&mut item, satisfied, comment, || uuid_v4(random_bytes()));
        self.update_in_place(item.clone(), merge_pending);
        let sending = self.tickets.verdicts_sending;
        sending.update_value(|ids| ids.push(item.id.clone()));
        self.send_verdict(item).await
    }

    /// Sends the verdict queued in `item` (its id is marked on the wire by the caller, and
    /// unmarked here); on success it becomes the ticket's verdict, and "not satisfied" then
    /// asks for the status, to show the reopen.
    async fn send_verdict(self, item: TicketRecord) -> bool {
        let answer = self.post_verdict(&item).await;
        // One mark per send: a click during a background send removes only its own.
        self.tickets.verdicts_sending.update_value(|ids| {
            if let Some(at) = ids.iter().position(|id| *id == item.id) {
                ids.remove(at);
            }
        });
        let Some(satisfied) = answer else {
            return false;
        };
        self.update_in_place(item, merge_verdict);
        if !satisfied {
            self.refresh_statuses();
        }
        true
    }

    /// Posts the queued verdict to the endpoint that issued the ticket; `Some(satisfied)`
    /// once the endpoint took it.
    async fn post_verdict(self, item: &TicketRecord) -> Option<bool> {
        let config = self.settings.config_now()?;
        let (Some(ticket), Some(pending)) = (item.ticket.as_deref(), item.verdict_to_send()) else {
            return None;
        };
        let answer = AnyTransport::for_stored(item.endpoint.as_deref(), &config)
            .feedback(ticket, &item.id, &pending.key, &pending.body())
            .await;
        answer.is_success().then_some(pending.satisfied)
    }
}
