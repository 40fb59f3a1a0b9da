//! The server's side: how it (or something in front of it) answers, idempotent per key.

use super::*;

/// How the server (or something in front of it) answers one request.
#[derive(Clone, Debug)]
pub(super) enum Reply {
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
pub(super) struct Server {
    /// key → ticket
    pub(super) accepted: BTreeMap<String, String>,
    /// keys refused (422): the first answer, replayed for that key from then on
    pub(super) refused: BTreeSet<String>,
}

impl Server {
    pub(super) fn accept(&mut self, key: &str) -> Option<String> {
        if self.refused.contains(key) {
            return None;
        }
        let next = format!("XJ-20261130-{:04}", self.accepted.len() + 1);
        Some(self.accepted.entry(key.into()).or_insert(next).clone())
    }

    /// Idempotent as the contract says: once a key has its first answer, a request that
    /// reaches the server with it gets that answer again. Redirects, 429, 503 and lost
    /// requests come from in front of the server and say nothing about the key.
    pub(super) fn answer(&mut self, key: &str, reply: &Reply) -> Answer {
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
