//! Taking over what builds before this one kept: their waiting reports (body inline, in the
//! `outbox` store they still read and write, which this build leaves to them otherwise),
//! and, for a deployment off the site's root, the tickets, draft and contact they kept
//! under the names every deployment on the site shared. Which records are whose is the
//! core's rule (`deployment::Taker`): by each record's own endpoint or community, never by
//! the last config some page of the site loaded.

use crate::platform::legacy;
use crate::platform::storage::{self, Adopted, KV, LEGACY_OUTBOX, TICKET_PREFIX};
use xinjing_core::config::Config;
use xinjing_core::deployment::{kept_on_root_clear, Taker};
use xinjing_core::json::ToJson;
use xinjing_core::my_reports::{parse_records, TicketRecord};
use xinjing_core::outbox::parse_entry;

/// How long an older build's tab is kept off a report while it is copied across databases.
const MOVE_LEASE_MS: f64 = 60_000.0;

/// What this deployment is, for `Taker`.
pub struct Owner {
    endpoint: String,
    communities: Vec<String>,
    at_root: bool,
}

impl Owner {
    pub fn of(config: &Config) -> Owner {
        Owner {
            endpoint: config.endpoint.key().to_owned(),
            communities: config.communities.clone(),
            at_root: storage::is_root_deployment(),
        }
    }

    fn taker(&self) -> Taker<'_> {
        Taker {
            endpoint: &self.endpoint,
            communities: &self.communities,
            at_root: self.at_root,
        }
    }
}

/// Run under the outbox lock, before a sending pass. Older builds' tabs (a background tab,
/// a cached build) may go on queueing into the shared stores after any takeover, so every
/// pass looks, at the root and elsewhere: cheap when they are empty or absent.
/// Returns whether tickets were taken over (the tab then shows them).
pub async fn take_over(owner: Owner) -> bool {
    let mut took_tickets = false;
    if owner.at_root {
        take_reports_here(owner).await;
    } else {
        took_tickets = take_over_shared(&owner).await;
    }
    // A body whose record is gone (a tab closed between two steps of an older layout).
    let _ = storage::sweep_bodies().await;
    took_tickets
}

async fn take_reports_here(owner: Owner) {
    let Ok(rows) = LEGACY_OUTBOX.entries().await else {
        return;
    };
    let owner = std::rc::Rc::new(owner);
    for (key, _) in rows {
        let owner = owner.clone();
        let now = js_sys::Date::now();
        let taken = storage::adopt(&key, move |raw| {
            if parse_entry(raw).is_none() {
                return Adopted::Aside;
            }
            match owner.taker().report(raw, now) {
                Some((entry, body)) => Adopted::Kept(entry.to_json(), body),
                None => Adopted::Left,
            }
        })
        .await;
        // A full disk: the transaction is undone and the old record stays for a later pass.
        if let Err(e) = taken {
            web_sys::console::warn_1(&format!("taking over an older report: {}", e.0).into());
        }
    }
}

/// Moves this deployment's part of the shared database and keys under its own names
/// (what does not move now, the next pass tries again); whether tickets moved.
async fn take_over_shared(owner: &Owner) -> bool {
    let taker = owner.taker();
    let mut done = true;
    let mut took_any = false;
    for (key, raw) in legacy::entries(LEGACY_OUTBOX, None).await {
        let now = js_sys::Date::now();
        let Some((entry, body)) = taker.report(&raw, now) else {
            // Ours but on the wire from an older tab: not done until it is taken.
            done &= taker.owned_report(&raw).is_none();
            continue;
        };
        // Two databases share no transaction: held first with an older build's own lease,
        // which its tabs respect, then copied, then removed. A failure on the way leaves the
        // old record, which the next start takes (under the same key: never two reports).
        let Some(held) = parse_entry(&raw).map(|e| e.leased(now, MOVE_LEASE_MS).to_json()) else {
            continue;
        };
        let unchanged = raw.clone();
        let claimed = legacy::update(LEGACY_OUTBOX, &key, move |current| {
            (current == unchanged).then_some(held)
        })
        .await;
        let moved = matches!(claimed, Ok(Some(_)))
            // Put-if-absent: a copy made before a crash may have moved on (sent, retried).
            && storage::add_report(&key, &entry.to_json(), &body).await.is_ok()
            && legacy::delete(LEGACY_OUTBOX, &key).await.is_ok();
        done &= moved;
        took_any |= moved;
    }
    let mut took_tickets = false;
    for (key, raw) in legacy::entries(KV, Some(TICKET_PREFIX)).await {
        let Some(record) = taker.ticket(&raw) else {
            continue;
        };
        let moved = KV
            .put_if_absent(&key, &stamped(record, owner))
            .await
            .is_ok()
            && legacy::delete(KV, &key).await.is_ok();
        done &= moved;
        took_any |= moved;
        took_tickets |= moved;
    }
    // "My reports" as the oldest builds kept them: one list in localStorage.
    if let Some(json) = legacy::get(storage::KEY_MY_REPORTS) {
        let (ours, theirs): (Vec<_>, Vec<_>) = parse_records(&json)
            .into_iter()
            .partition(|r| taker.ticket(&r.to_json()).is_some());
        for record in ours {
            let key = storage::ticket_key(&record.id);
            let kept = KV
                .put_if_absent(&key, &stamped(record, owner))
                .await
                .is_ok();
            done &= kept;
            took_any |= kept;
            took_tickets |= kept;
        }
        if done {
            put_back(storage::KEY_MY_REPORTS, &theirs);
        }
    }
    if let Some(draft) = legacy::get(storage::KEY_DRAFT).filter(|d| taker.draft(d)) {
        if storage::get(storage::KEY_DRAFT).is_none()
            && storage::set(storage::KEY_DRAFT, &draft).is_ok()
        {
            legacy::remove(storage::KEY_DRAFT);
        }
    }
    // The contact says nothing of whose it is: it follows the resident's reports. A
    // deployment that took none of them leaves it (to the root, whose name it has).
    if took_any {
        if let Some(contact) = legacy::get(storage::KEY_CONTACT) {
            if storage::get(storage::KEY_CONTACT).is_none()
                && storage::set(storage::KEY_CONTACT, &contact).is_ok()
            {
                legacy::remove(storage::KEY_CONTACT);
            }
        }
    }
    took_tickets
}

/// A ticket taken over keeps the endpoint that has it, whatever the config says later.
fn stamped(mut record: TicketRecord, owner: &Owner) -> String {
    record
        .endpoint
        .get_or_insert_with(|| owner.endpoint.clone());
    record.to_json()
}

fn put_back(key: &str, records: &[TicketRecord]) {
    if records.is_empty() {
        legacy::remove(key);
    } else {
        legacy::set(key, &records.to_json());
    }
}

/// "Clear my data" for what older builds kept of this deployment's under the shared names
/// (the root's own names are cleared with everything else): its waiting reports, tickets
/// and draft there. Another deployment's records stay.
pub async fn clear_shared(owner: &Owner) {
    if owner.at_root {
        return;
    }
    let taker = owner.taker();
    for (key, raw) in legacy::entries(LEGACY_OUTBOX, None).await {
        if taker.owned_report(&raw).is_some() {
            let _ = legacy::delete(LEGACY_OUTBOX, &key).await;
        }
    }
    for (key, raw) in legacy::entries(KV, Some(TICKET_PREFIX)).await {
        if taker.ticket(&raw).is_some() {
            let _ = legacy::delete(KV, &key).await;
        }
    }
    if let Some(json) = legacy::get(storage::KEY_MY_REPORTS) {
        let theirs: Vec<_> = parse_records(&json)
            .into_iter()
            .filter(|r| taker.ticket(&r.to_json()).is_none())
            .collect();
        put_back(storage::KEY_MY_REPORTS, &theirs);
    }
    if legacy::get(storage::KEY_DRAFT).is_some_and(|d| taker.draft(&d)) {
        legacy::remove(storage::KEY_DRAFT);
    }
}

/// What "clear my data" keeps of this database's older-build stores, which at the root are
/// the ones every deployment's older tabs shared (the core's rule; `owner` is `None` when
/// no config has loaded). Off the root, this database is the deployment's own: nothing is
/// kept.
pub fn keep_on_clear(owner: Option<Owner>) -> impl Fn(&str, &str) -> bool + 'static {
    let at_root = storage::is_root_deployment();
    move |store, record| {
        at_root && kept_on_root_clear(owner.as_ref().map(Owner::taker).as_ref(), store, record)
    }
}
