//! The outbox under every interleaving: no report is lost or sent twice, whatever the order.
//!
//! A scheduler owns everything that can happen on a phone and on the wire, and a proptest
//! picks the order: a step of a flush (every storage operation and every request is an
//! await point), an answer to a request in flight (2xx, 2xx without a ticket, redirect,
//! 409, 429 with `Retry-After`, 5xx, a hang that times out, a refusal), and the resident's
//! actions (send a report, delete one, clear the phone, edit and resend a refused one), in
//! two tabs that share the store, with reloads that drop a tab's work mid-flight and a clock
//! that may jump either way. After every step it checks:
//!
//! 1. a report deleted or cleared is never sent again;
//! 2. every other report is on the phone or acknowledged with a ticket the server issued;
//! 3. no report is accepted by the server under two keys (an edited report is the same
//!    report), and every attempt under a key sends that key's body;
//! 4. nothing stored before a clear is found anywhere in the store afterwards.

mod actions;
mod schedules;
mod server;
mod wire;

use super::fakes::{MemoryStore, YieldOnce};
use super::*;
use crate::i18n::Lang;
use crate::report::{build_payload, Category, Draft, Envelope};
use actions::{action_strategy, Action};
use proptest::prelude::*;
use server::{Reply, Server};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use wire::{GatedTransport, SharedClock, Wire};

const LEASE: Lease = Lease {
    timeout_ms: 20_000.0,
};
const TABS: usize = 2;

/// A real report body (so a delivery leaves a ticket record), with a phone number in it.
pub(super) fn report_body(id: &str, n: usize) -> String {
    let draft = Draft {
        category: Some(Category::EbikeInStairwell),
        community: "示例一村（演示）".into(),
        building: format!("{n}号楼"),
        description: format!("第 {n} 条：楼道里停着电动车在充电"),
        share_contact: true,
        name: "王阿姨".into(),
        phone: "13912345678".into(),
        ..Draft::default()
    };
    let envelope = Envelope {
        id: id.into(),
        created_at: "2026-11-30T09:00:00+08:00".into(),
        locale: Lang::Zh,
        notice_version: "1",
        client_version: "t",
    };
    serde_json::to_string(&build_payload(&draft, &[], envelope).expect("a valid draft"))
        .expect("serialisable")
}

/// What the resident did, as far as the checks are concerned.
#[derive(Default)]
struct Ledger {
    /// key → (lineage, body)
    reports: BTreeMap<String, (usize, String)>,
    /// key → step at which its record was stored
    stored: BTreeMap<String, usize>,
    /// key → step at which the resident's delete or clear completed
    gone: BTreeMap<String, usize>,
    /// originals removed after their corrected version was queued
    replaced: BTreeSet<String>,
    /// keys that were in the store when a clear completed
    cleared: BTreeSet<String>,
    /// refused reports taken into the form for correction
    editing: BTreeSet<String>,
    /// reports a finished pass left waiting without a wake-up that covers them
    late: Vec<String>,
}

type Task<'a> = (usize, Pin<Box<dyn Future<Output = ()> + 'a>>);

struct World {
    store: MemoryStore,
    wire: Wire,
    clock: SharedClock,
    server: RefCell<Server>,
    ledger: RefCell<Ledger>,
}

impl World {
    fn new() -> World {
        let store = MemoryStore::default();
        store.yields.set(true);
        World {
            store,
            wire: Wire::default(),
            clock: SharedClock(Cell::new(1_800_000_000_000.0)),
            server: RefCell::default(),
            ledger: RefCell::default(),
        }
    }

    fn stored_entries(&self) -> Vec<OutboxEntry> {
        load(
            self.store
                .records
                .borrow()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
        .entries
    }

    fn submit<'a>(&'a self, lineage: Option<usize>, replaces: Option<String>) -> Task<'a> {
        let mut ledger = self.ledger.borrow_mut();
        let n = ledger.reports.len();
        let key = format!("r{n}");
        let body = report_body(&key, n);
        ledger
            .reports
            .insert(key.clone(), (lineage.unwrap_or(n), body.clone()));
        let entry = OutboxEntry {
            body,
            ..OutboxEntry::new_raw(&key, self.clock.now_ms())
        };
        let task = async move {
            if save(&self.store, &entry).await.is_ok() {
                let step = self.wire.step.get();
                self.ledger.borrow_mut().stored.insert(key.clone(), step);
                if let Some(old) = replaces {
                    if self.store.remove(&old).await.is_ok() {
                        self.ledger.borrow_mut().replaced.insert(old);
                    }
                }
            }
        };
        (0, Box::pin(task))
    }

    /// The tab's one retry timer is set from a finished pass: it must come no later than
    /// any report waiting in the store at that moment, including ones queued during the pass.
    fn check_wakeup(&self, summary: &FlushSummary) {
        for entry in self.stored_entries() {
            let due = entry.next_attempt_ms.max(entry.lease_until_ms);
            if entry.refused.is_none() && summary.next_wakeup_ms.is_none_or(|at| at > due) {
                self.ledger.borrow_mut().late.push(format!(
                    "{} due at {due} but the pass wakes up at {:?}",
                    entry.id, summary.next_wakeup_ms
                ));
            }
        }
    }

    fn check(&self) -> Result<(), TestCaseError> {
        let ledger = self.ledger.borrow();
        prop_assert!(ledger.late.is_empty(), "{:?}", ledger.late);
        let server = self.server.borrow();
        let records = self.store.records.borrow();
        let history = self.store.history.borrow();
        let aside = self.store.aside.borrow();
        for call in self.wire.calls.borrow().iter() {
            let (_, body) = &ledger.reports[&call.key];
            prop_assert_eq!(&call.body, body, "{} sent with another body", &call.key);
            if let Some(gone) = ledger.gone.get(&call.key) {
                prop_assert!(
                    call.step <= *gone,
                    "{} sent at step {} after the resident removed it at step {}",
                    &call.key,
                    call.step,
                    gone
                );
            }
        }
        for key in ledger.stored.keys() {
            if ledger.gone.contains_key(key) || ledger.replaced.contains(key) {
                continue;
            }
            let on_phone = records.contains_key(key);
            let acknowledged = history.contains_key(key);
            prop_assert!(on_phone || acknowledged, "{} lost", key);
            if acknowledged {
                let record: crate::my_reports::TicketRecord =
                    serde_json::from_str(&history[key]).expect("a ticket record");
                prop_assert_eq!(record.ticket.as_ref(), server.accepted.get(key));
            }
        }
        let mut per_lineage: BTreeMap<usize, usize> = BTreeMap::new();
        for key in server.accepted.keys() {
            *per_lineage.entry(ledger.reports[key].0).or_default() += 1;
        }
        for (lineage, keys) in per_lineage {
            prop_assert!(keys <= 1, "report {} accepted under {} keys", lineage, keys);
        }
        for key in &ledger.cleared {
            prop_assert!(
                !records.contains_key(key)
                    && !history.contains_key(key)
                    && !aside.contains_key(key),
                "{} survived a clear",
                key
            );
        }
        Ok(())
    }
}

fn run(actions: Vec<Action>) -> Result<(), TestCaseError> {
    let world = World::new();
    let transports: &Vec<GatedTransport> = &(0..TABS)
        .map(|tab| GatedTransport {
            tab,
            wire: &world.wire,
        })
        .collect();
    let mut tasks: Vec<Task> = Vec::new();
    let mut context = Context::from_waker(Waker::noop());
    let w = &world;
    for (step, action) in actions.into_iter().enumerate() {
        w.wire.step.set(step);
        match action {
            Action::Submit { tab } => {
                let (_, task) = w.submit(None, None);
                tasks.push((tab, task));
            }
            Action::Delete { pick } => {
                let keys: Vec<String> = w.store.records.borrow().keys().cloned().collect();
                if let Some(key) = keys.get(pick % keys.len().max(1)).cloned() {
                    tasks.push((
                        0,
                        Box::pin(async move {
                            if w.store.remove(&key).await.is_ok() {
                                let step = w.wire.step.get();
                                w.ledger.borrow_mut().gone.entry(key).or_insert(step);
                            }
                        }),
                    ));
                }
            }
            Action::Clear { tab } => tasks.push((
                tab,
                Box::pin(async move {
                    YieldOnce::default().await;
                    w.store.clear_all();
                    let step = w.wire.step.get();
                    let mut ledger = w.ledger.borrow_mut();
                    let stored: Vec<String> = ledger.stored.keys().cloned().collect();
                    for key in stored {
                        ledger.gone.entry(key.clone()).or_insert(step);
                        ledger.cleared.insert(key);
                    }
                }),
            )),
            Action::EditResend { pick } => {
                // One correction per refused report: the form holds it until it is sent.
                let refused: Vec<OutboxEntry> = w
                    .stored_entries()
                    .into_iter()
                    .filter(|e| e.refused.is_some() && !w.ledger.borrow().editing.contains(&e.id))
                    .collect();
                if let Some(original) = refused.get(pick % refused.len().max(1)) {
                    let lineage = w.ledger.borrow().reports[&original.id].0;
                    w.ledger.borrow_mut().editing.insert(original.id.clone());
                    let (_, task) = w.submit(Some(lineage), Some(original.id.clone()));
                    tasks.push((0, task));
                }
            }
            Action::Flush { tab, mode } => {
                let transport = &transports[tab];
                tasks.push((
                    tab,
                    Box::pin(async move {
                        let summary =
                            flush(&w.store, transport, &w.clock, mode, LEASE, |_, _| {}).await;
                        w.check_wakeup(&summary);
                    }),
                ));
            }
            Action::Reload { tab, arrived } => {
                tasks.retain(|(t, _)| *t != tab);
                for call in w.wire.calls.borrow_mut().iter_mut() {
                    if call.tab == tab && call.open {
                        call.open = false;
                        if arrived {
                            w.server.borrow_mut().accept(&call.key);
                        }
                    }
                }
            }
            Action::Answer { pick, reply } => {
                let mut calls = w.wire.calls.borrow_mut();
                let open: Vec<usize> = (0..calls.len()).filter(|i| calls[*i].open).collect();
                if let Some(&i) = open.get(pick % open.len().max(1)) {
                    calls[i].open = false;
                    let answer = w.server.borrow_mut().answer(&calls[i].key, &reply);
                    *calls[i].slot.borrow_mut() = Some(answer);
                }
            }
            Action::Poll { pick } => {
                if !tasks.is_empty() {
                    let i = pick % tasks.len();
                    if tasks[i].1.as_mut().poll(&mut context).is_ready() {
                        drop(tasks.remove(i));
                    }
                }
            }
            Action::RunAll => {
                // A store operation takes two polls and a flush a handful of them.
                for _ in 0..50 {
                    tasks.retain_mut(|(_, task)| task.as_mut().poll(&mut context).is_pending());
                }
            }
            Action::Clock { delta_ms } => w.clock.0.set(w.clock.now_ms() + delta_ms),
        }
        w.check()?;
    }
    // Then the network heals: every request in flight gets its 2xx, every task runs to its
    // end, and "send now" empties the outbox of everything but refused reports.
    let settle = |tasks: &mut Vec<Task>, context: &mut Context| {
        for _ in 0..10_000 {
            if tasks.is_empty() {
                break;
            }
            for call in w.wire.calls.borrow_mut().iter_mut().filter(|c| c.open) {
                call.open = false;
                let answer = w.server.borrow_mut().answer(&call.key, &Reply::Created);
                *call.slot.borrow_mut() = Some(answer);
            }
            tasks.retain_mut(|(_, task)| task.as_mut().poll(context).is_pending());
        }
    };
    settle(&mut tasks, &mut context);
    w.clock.0.set(w.clock.now_ms() + MAX_LEASE_MS + 1.0);
    let transport = &transports[0];
    tasks.push((
        0,
        Box::pin(async move {
            flush(
                &w.store,
                transport,
                &w.clock,
                FlushMode::ResidentAsked,
                LEASE,
                |_, _| {},
            )
            .await;
        }),
    ));
    settle(&mut tasks, &mut context);
    w.check()?;
    for entry in w.stored_entries() {
        prop_assert!(
            entry.refused.is_some(),
            "{} still waiting after send now",
            entry.id
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn never_lose_a_report_under_any_interleaving(actions in proptest::collection::vec(action_strategy(), 1..120)) {
        run(actions)?;
    }
}
