//! Fakes for the outbox's traits, reusable by any native test: a store in memory, a
//! transport that answers from a script, and a clock that stands still until moved.

use super::{Answer, Clock, OutboxEntry, OutboxStore, StoreError, Transport};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

#[derive(Default)]
pub struct MemoryStore {
    pub records: RefCell<BTreeMap<String, String>>,
    pub aside: RefCell<BTreeMap<String, String>>,
}

impl OutboxStore for MemoryStore {
    async fn records(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(self
            .records
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }
    async fn put(&self, key: &str, json: &str) -> Result<(), StoreError> {
        self.records.borrow_mut().insert(key.into(), json.into());
        Ok(())
    }
    async fn remove(&self, key: &str) -> Result<(), StoreError> {
        self.records.borrow_mut().remove(key);
        Ok(())
    }
    async fn set_aside(&self, key: &str, json: &str) -> Result<(), StoreError> {
        self.records.borrow_mut().remove(key);
        self.aside.borrow_mut().insert(key.into(), json.into());
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
    async fn feedback(&self, _: &str, _: &str, _: &str) -> Answer {
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
        id: id.into(),
        body: format!(r#"{{"id":"{id}"}}"#),
        queued_at_ms: now,
        attempts: 0,
        next_attempt_ms: now,
        lease_until_ms: 0.0,
        last_error: None,
        refused: None,
    }
}
