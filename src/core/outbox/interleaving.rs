//! The outbox under every interleaving (issue 13, "Done when" 1).
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

use super::fakes::{MemoryStore, YieldOnce};
use super::*;
use crate::core::i18n::Lang;
use crate::core::report::{build_payload, Category, Draft, Envelope};
use proptest::prelude::*;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

const LEASE: Lease = Lease {
    timeout_ms: 20_000.0,
};
const TABS: usize = 2;

/// A request on the wire; the scheduler decides when and how it is answered.
struct Call {
    tab: usize,
    key: String,
    body: String,
    /// The step at which it was sent.
    step: usize,
    slot: Rc<RefCell<Option<Answer>>>,
    open: bool,
}

#[derive(Default)]
struct Wire {
    calls: RefCell<Vec<Call>>,
    step: Cell<usize>,
}

/// Resolves once the scheduler has put an answer in the slot.
struct Awaiting(Rc<RefCell<Option<Answer>>>);

impl Future for Awaiting {
    type Output = Answer;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Answer> {
        match self.0.borrow_mut().take() {
            Some(answer) => Poll::Ready(answer),
            None => Poll::Pending,
        }
    }
}

struct GatedTransport<'a> {
    tab: usize,
    wire: &'a Wire,
}

impl Transport for GatedTransport<'_> {
    async fn submit(&self, key: &str, body: &str) -> Answer {
        let slot = Rc::new(RefCell::new(None));
        self.wire.calls.borrow_mut().push(Call {
            tab: self.tab,
            key: key.into(),
            body: body.into(),
            step: self.wire.step.get(),
            slot: slot.clone(),
            open: true,
        });
        Awaiting(slot).await
    }
    async fn ticket_status(&self, _: &str, _: &str) -> Answer {
        Answer::NetworkError
    }
    async fn feedback(&self, _: &str, _: &str, _: &str) -> Answer {
        Answer::NetworkError
    }
}

struct SharedClock(Cell<f64>);

impl Clock for SharedClock {
    fn now_ms(&self) -> f64 {
        self.0.get()
    }
    fn jitter(&self) -> f64 {
        0.5
    }
}

/// How the server (or something in front of it) answers one request.
#[derive(Clone, Debug)]
enum Reply {
    Created,
    /// The server stored it but answered 200 with a login page.
    CreatedWithoutTicket,
    Redirect,
    /// The first request with this key is still being processed (and will succeed).
    Conflict,
    TooMany(u32),
    Unavailable,
    /// No answer; the phone times out. `arrived`: the server got and stored it anyway.
    Hang {
        arrived: bool,
    },
    Refuse,
}

#[derive(Default)]
struct Server {
    /// key → ticket
    accepted: BTreeMap<String, String>,
    /// keys refused (422): the first answer, replayed for that key from then on
    refused: BTreeSet<String>,
}

impl Server {
    fn accept(&mut self, key: &str) -> Option<String> {
        if self.refused.contains(key) {
            return None;
        }
        let next = format!("XJ-20261130-{:04}", self.accepted.len() + 1);
        Some(self.accepted.entry(key.into()).or_insert(next).clone())
    }

    /// Idempotent as the contract says: once a key has its first answer, a request that
    /// reaches the server with it gets that answer again. Redirects, 429, 503 and lost
    /// requests come from in front of the server and say nothing about the key.
    fn answer(&mut self, key: &str, reply: &Reply) -> Answer {
        let plain = |code: u16, retry_after: Option<String>, body: &str| Answer::Status {
            code,
            retry_after,
            body: body.into(),
        };
        let created = |ticket: String| {
            plain(
                201,
                None,
                &format!(r#"{{"ticket":"{ticket}","status":"received"}}"#),
            )
        };
        let refused = || {
            plain(
                422,
                None,
                r#"{"error":{"code":"x","message":"请补充楼层"}}"#,
            )
        };
        match reply {
            Reply::Redirect => return Answer::Redirected,
            Reply::TooMany(seconds) => return plain(429, Some(seconds.to_string()), ""),
            Reply::Unavailable => return plain(503, None, ""),
            Reply::Hang { arrived } => {
                if *arrived {
                    self.accept(key);
                }
                return Answer::Timeout;
            }
            _ if self.refused.contains(key) => return refused(),
            _ => {}
        }
        match reply {
            Reply::CreatedWithoutTicket => {
                self.accept(key);
                plain(200, None, "<!doctype html><title>登录</title>")
            }
            Reply::Conflict if !self.accepted.contains_key(key) => {
                // The first request with this key is being processed, and will succeed.
                self.accept(key);
                plain(409, None, "")
            }
            Reply::Refuse if !self.accepted.contains_key(key) => {
                self.refused.insert(key.into());
                refused()
            }
            _ => created(self.accept(key).unwrap_or_default()),
        }
    }
}

#[derive(Clone, Debug)]
enum Action {
    Submit {
        tab: usize,
    },
    Delete {
        pick: usize,
    },
    Clear {
        tab: usize,
    },
    EditResend {
        pick: usize,
    },
    Flush {
        tab: usize,
        mode: FlushMode,
    },
    Reload {
        tab: usize,
        arrived: bool,
    },
    Answer {
        pick: usize,
        reply: Reply,
    },
    Poll {
        pick: usize,
    },
    /// Every task runs until it waits for an answer (or ends).
    RunAll,
    Clock {
        delta_ms: f64,
    },
}

fn reply_strategy() -> impl Strategy<Value = Reply> {
    prop_oneof![
        3 => Just(Reply::Created),
        1 => Just(Reply::CreatedWithoutTicket),
        1 => Just(Reply::Redirect),
        1 => Just(Reply::Conflict),
        1 => prop_oneof![Just(1u32), Just(3600)].prop_map(Reply::TooMany),
        1 => Just(Reply::Unavailable),
        1 => any::<bool>().prop_map(|arrived| Reply::Hang { arrived }),
        1 => Just(Reply::Refuse),
    ]
}

fn mode_strategy() -> impl Strategy<Value = FlushMode> {
    prop_oneof![
        Just(FlushMode::Automatic),
        Just(FlushMode::Resumed),
        Just(FlushMode::ResidentAsked)
    ]
}

fn action_strategy() -> impl Strategy<Value = Action> {
    let tab = 0..TABS;
    prop_oneof![
        3 => tab.clone().prop_map(|tab| Action::Submit { tab }),
        1 => any::<usize>().prop_map(|pick| Action::Delete { pick }),
        1 => tab.clone().prop_map(|tab| Action::Clear { tab }),
        1 => any::<usize>().prop_map(|pick| Action::EditResend { pick }),
        3 => (tab.clone(), mode_strategy()).prop_map(|(tab, mode)| Action::Flush { tab, mode }),
        1 => (tab, any::<bool>()).prop_map(|(tab, arrived)| Action::Reload { tab, arrived }),
        4 => (any::<usize>(), reply_strategy()).prop_map(|(pick, reply)| Action::Answer { pick, reply }),
        6 => any::<usize>().prop_map(|pick| Action::Poll { pick }),
        4 => Just(Action::RunAll),
        1 => prop_oneof![
            Just(1_000.0),
            Just(60_000.0),
            Just(4_000_000.0),
            Just(-86_400_000.0)
        ]
        .prop_map(|delta_ms| Action::Clock { delta_ms }),
    ]
}

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
                let record: crate::core::my_reports::TicketRecord =
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

/// The schedules of the defects in issue 13, spelled out (they are also among the ones the
/// property explores; here they are sure to run).
#[test]
fn a_delete_during_a_hanging_attempt_is_not_undone() {
    use Action::*;
    let actions = vec![
        Submit { tab: 0 },
        Poll { pick: 0 },
        Poll { pick: 0 },
        Flush {
            tab: 0,
            mode: FlushMode::Resumed,
        },
        Poll { pick: 0 }, // records
        Poll { pick: 0 },
        Poll { pick: 0 }, // claim
        Poll { pick: 0 },
        Poll { pick: 0 }, // on the wire
        Delete { pick: 0 },
        Poll { pick: 1 },
        Poll { pick: 1 }, // deleted
        Answer {
            pick: 0,
            reply: Reply::Hang { arrived: false },
        },
        Poll { pick: 0 },
        Poll { pick: 0 },
        Poll { pick: 0 },
        Clock {
            delta_ms: 4_000_000.0,
        },
        Flush {
            tab: 1,
            mode: FlushMode::ResidentAsked,
        },
        Poll { pick: 0 },
        Poll { pick: 0 },
        Poll { pick: 0 },
    ];
    run(actions).unwrap();
}

#[test]
fn a_2xx_after_a_clear_writes_nothing_back() {
    use Action::*;
    let actions = vec![
        Submit { tab: 0 },
        Poll { pick: 0 },
        Poll { pick: 0 },
        Flush {
            tab: 1,
            mode: FlushMode::Resumed,
        },
        Poll { pick: 0 },
        Poll { pick: 0 },
        Poll { pick: 0 },
        Poll { pick: 0 },
        Poll { pick: 0 },
        Clear { tab: 0 },
        Poll { pick: 1 },
        Poll { pick: 1 },
        Answer {
            pick: 0,
            reply: Reply::Created,
        },
        Poll { pick: 0 },
        Poll { pick: 0 },
        Poll { pick: 0 },
    ];
    run(actions).unwrap();
}
