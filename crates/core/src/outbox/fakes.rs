//! Fakes for the outbox's traits, reusable by any native test: a store in memory (one
//! atomic step per operation, as a transaction is), a transport that answers from a script,
//! and a clock that stands still until moved.

use super::{Answer, Clock, OutboxEntry, OutboxStore, StoreError, Transport};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

#[derive(Default)]
pub struct MemoryStore {
    pub records: RefCell<BTreeMap<String, String>>,
    /// Bodies, stored apart from their records.
    pub bodies: RefCell<BTreeMap<String, String>>,
    /// Bytes written over existing records (leases, attempt results).
    pub rewritten: Cell<usize>,
    pub aside: RefCell<BTreeMap<String, String>>,
    /// Ticket records kept by `complete`, by report id ("my reports").
    pub history: RefCell<BTreeMap<String, String>>,
    /// Every operation first waits one poll, so a test's scheduler can run other tasks
    /// between the operations of a flush; the operation itself stays one atomic step.
    pub yields: Cell<bool>,
    /// The next this-many operations fail (a full disk, a connection being closed).
    pub failures: Cell<u32>,
}

/// Pending once, then ready: an await point where a scheduler may switch tasks.
#[derive(Default)]
pub struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

impl MemoryStore {
    async fn begin(&self) -> Result<(), StoreError> {
        if self.yields.get() {
            YieldOnce::default().await;
        }
        match self.failures.get() {
            0 => Ok(()),
            n => {
                self.failures.set(n - 1);
                Err(StoreError("QuotaExceededError (injected)".into()))
            }
        }
    }

    /// "Clear my data": every store at once.
    pub fn clear_all(&self) {
        self.records.borrow_mut().clear();
        self.bodies.borrow_mut().clear();
        self.aside.borrow_mut().clear();
        self.history.borrow_mut().clear();
    }
}

impl OutboxStore for MemoryStore {
    async fn records(&self) -> Result<Vec<(String, String)>, StoreError> {
        self.begin().await?;
        Ok(self
            .records
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }
    async fn put(&self, key: &str, json: &str, body: &str) -> Result<(), StoreError> {
        self.begin().await?;
        self.records.borrow_mut().insert(key.into(), json.into());
        if !body.is_empty() {
            self.bodies.borrow_mut().insert(key.into(), body.into());
        }
        Ok(())
    }
    async fn body(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.begin().await?;
        Ok(self.bodies.borrow().get(key).cloned())
    }
    async fn keep_body(&self, key: &str, body: &str) -> Result<bool, StoreError> {
        self.begin().await?;
        if !self.records.borrow().contains_key(key) {
            return Ok(false);
        }
        self.bodies.borrow_mut().insert(key.into(), body.into());
        Ok(true)
    }
    async fn update<F>(&self, key: &str, change: F) -> Result<Option<String>, StoreError>
    where
        F: FnOnce(&str) -> Option<String> + 'static,
    {
        self.begin().await?;
        let mut records = self.records.borrow_mut();
        let Some(current) = records.get_mut(key) else {
            return Ok(None);
        };
        let next = change(current);
        if let Some(next) = &next {
            self.rewritten.set(self.rewritten.get() + next.len());
            current.clone_from(next);
        }
        Ok(next)
    }
    async fn remove(&self, key: &str) -> Result<(), StoreError> {
        self.begin().await?;
        self.records.borrow_mut().remove(key);
        self.bodies.borrow_mut().remove(key);
        Ok(())
    }
    async fn complete(&self, key: &str, receipt: Option<&str>) -> Result<bool, StoreError> {
        self.begin().await?;
        self.bodies.borrow_mut().remove(key);
        if self.records.borrow_mut().remove(key).is_none() {
            return Ok(false);
        }
        if let Some(receipt) = receipt {
            self.history.borrow_mut().insert(key.into(), receipt.into());
        }
        Ok(true)
    }
    async fn set_aside(&self, key: &str, json: &str) -> Result<(), StoreError> {
        self.begin().await?;
        if self.records.borrow_mut().remove(key).is_some() {
            self.aside.borrow_mut().insert(key.into(), json.into());
        }
        Ok(())
    }
}

/// Answers from a script, then 201 with a fresh ticket; records every attempt.
pub struct ScriptedTransport {
    script: RefCell<Vec<Answer>>,
    pub attempts: RefCell<Vec<(String, String)>>,
    tickets: Cell<u32>,
}

impl ScriptedTransport {
    pub fn new(mut script: Vec<Answer>) -> Self {
        script.reverse();
        ScriptedTransport {
            script: RefCell::new(script),
            attempts: RefCell::default(),
            tickets: Cell::new(0),
        }
    }
}

impl Transport for ScriptedTransport {
    async fn submit(&self, key: &str, body: &str) -> Answer {
        self.attempts.borrow_mut().push((key.into(), body.into()));
        self.script.borrow_mut().pop().unwrap_or_else(|| {
            self.tickets.set(self.tickets.get() + 1);
            created(&format!("XJ-20261130-{:04}", self.tickets.get()))
        })
    }
    async fn ticket_status(&self, _: &str, _: &str) -> Answer {
        Answer::NetworkError
    }
    async fn feedback(&self, _: &str, _: &str, _: &str, _: &str) -> Answer {
        Answer::NetworkError
    }
}

/// A clock that shows `now` until a test moves it, with a fixed jitter.
pub struct FakeClock {
    pub now: Cell<f64>,
    pub jitter: f64,
}

impl FakeClock {
    pub fn at(now: f64) -> FakeClock {
        FakeClock {
            now: Cell::new(now),
            jitter: 0.0,
        }
    }
}

impl Clock for FakeClock {
    fn now_ms(&self) -> f64 {
        self.now.get()
    }
    fn jitter(&self) -> f64 {
        self.jitter
    }
}

pub fn created(ticket: &str) -> Answer {
    Answer::Status {
        code: 201,
        retry_after: None,
        body: format!(r#"{{"ticket":"{ticket}","status":"received"}}"#),
    }
}

pub fn status(code: u16) -> Answer {
    Answer::Status {
        code,
        retry_after: None,
        body: String::new(),
    }
}

/// A queued entry whose body is `{"id":"…"}`.
pub fn entry(id: &str, now: f64) -> OutboxEntry {
    OutboxEntry {
        body: format!(r#"{{"id":"{id}"}}"#),
        ..OutboxEntry::new_raw(id, now)
    }
}
