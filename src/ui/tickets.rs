//! "My reports": the tickets this phone received, kept in local storage, their status
//! asked of the endpoint, and the resident's verdict sent back.

use super::context::{use_settings, use_tickets, Settings, Tickets};
use crate::core::my_reports::{
    self, apply_status, parse_records, parse_status, Feedback, TicketRecord,
};
use crate::core::outbox::Transport;
use crate::platform::{storage, AnyTransport};
use leptos::prelude::*;
use leptos::task::spawn_local;

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

impl TicketDesk {
    /// Reads the list this phone keeps.
    pub fn load(self) {
        let records = storage::get(storage::KEY_MY_REPORTS)
            .map(|json| parse_records(&json))
            .unwrap_or_default();
        self.tickets.mine.set(records);
    }

    fn save(records: &[TicketRecord]) {
        if let Ok(json) = serde_json::to_string(records) {
            if let Err(e) = storage::set(storage::KEY_MY_REPORTS, &json) {
                web_sys::console::warn_1(&format!("my reports not saved: {}", e.0).into());
            }
        }
    }

    /// Adds a delivered report (newest first), or replaces the one with its id.
    pub fn record(self, record: TicketRecord) {
        self.tickets.mine.update(|records| {
            my_reports::upsert(records, record);
            Self::save(records);
        });
    }

    fn update_in_place(self, item: TicketRecord) {
        self.tickets.mine.update(|records| {
            if let Some(slot) = records.iter_mut().find(|r| r.id == item.id) {
                *slot = item;
            }
            Self::save(records);
        });
    }

    /// Forgets every ticket ("clear my data").
    pub fn forget_all(self) {
        storage::remove(storage::KEY_MY_REPORTS);
        self.tickets.mine.set(Vec::new());
    }

    /// Asks the endpoint for the status of every open ticket.
    pub fn refresh_statuses(self) {
        let Some(config) = self.settings.config_now() else {
            return;
        };
        let open: Vec<TicketRecord> = self.tickets.mine.with_untracked(|mine| {
            mine.iter()
                .filter(|r| r.ticket.is_some() && !r.status.is_some_and(|s| s.is_final()))
                .cloned()
                .collect()
        });
        if open.is_empty() {
            return;
        }
        spawn_local(async move {
            let transport = AnyTransport::for_config(&config);
            for mut item in open {
                let Some(ticket) = item.ticket.clone() else {
                    continue;
                };
                let answer = transport.ticket_status(&ticket, &item.id).await;
                if let Some(status) = answer.success_body().and_then(parse_status) {
                    apply_status(&mut item, status);
                    self.update_in_place(item);
                }
            }
        });
    }

    /// Sends "were you satisfied?"; returns whether the endpoint took it.
    pub async fn send_feedback(self, id: String, satisfied: bool) -> bool {
        let Some(config) = self.settings.config_now() else {
            return false;
        };
        let found = self
            .tickets
            .mine
            .with_untracked(|mine| mine.iter().find(|r| r.id == id).cloned());
        let Some(mut item) = found else {
            return false;
        };
        let Some(ticket) = item.ticket.clone() else {
            return false;
        };
        let body = Feedback {
            satisfied,
            comment: None,
        }
        .to_json();
        let answer = AnyTransport::for_config(&config)
            .feedback(&ticket, &item.id, &body)
            .await;
        let ok = answer.is_success();
        if ok {
            item.satisfied = Some(satisfied);
            self.update_in_place(item);
        }
        ok
    }
}
