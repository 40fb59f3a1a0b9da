//! Which deployment of the widget a page belongs to, for the names of what it keeps on the
//! phone (IndexedDB database, localStorage keys, the sending lock, the tabs' channel).
//!
//! A deployment is the folder its page is served from: `config.json`, the service worker
//! and the feed are all relative to it, so `/a/` and `/b/` of one site are two towns' widgets
//! with two configs. Its endpoint is not part of the name: a deployment may move to another
//! endpoint during its life, and its waiting reports (each kept with the endpoint it was
//! queued for) must still be found after the config changes. Names are only read before the
//! config has loaded, too (the last good config is itself one of them).

use crate::my_reports::{parse_record, TicketRecord};
use crate::outbox::{parse_entry, OutboxEntry};

/// The folder of a page path: `/a/index.html` and `/a/` are both `/a/`.
pub fn folder(page_path: &str) -> &str {
    match page_path.rfind('/') {
        Some(end) => &page_path[..=end],
        None => "/",
    }
}

/// The name under which the deployment whose page is at `page_path` keeps `base`. At the
/// site's root, `base` itself: the name every build before this one used, so a phone's
/// waiting reports, tickets and draft are found after the upgrade. Elsewhere `base@/folder/`.
pub fn scoped_name(base: &str, page_path: &str) -> String {
    match folder(page_path) {
        "/" => base.to_owned(),
        folder => format!("{base}@{folder}"),
    }
}

/// Whether a record an older build kept under the names every deployment shared (a waiting
/// report, a ticket) belongs to this deployment, whose endpoint is `ours` (an
/// `Endpoint::key`) and which serves `communities` (none listed: any). Decided by the record
/// alone, never by the last config some page of the site loaded, which may be another
/// town's: the endpoint it was queued for, when it kept one; else its community, when this
/// deployment lists the ones it serves; else only the site's root deployment, the one whose
/// names they were, takes it. Anything else stays where it is, for its own deployment.
pub fn owns(
    queued_for: Option<&str>,
    community: &str,
    ours: &str,
    communities: &[String],
    at_root: bool,
) -> bool {
    match queued_for {
        Some(endpoint) => same_endpoint(endpoint, ours),
        None if communities.is_empty() => at_root,
        None => communities.iter().any(|c| c == community),
    }
}

/// Whether two `Endpoint::key`s name one endpoint: a trailing slash is not a change.
pub fn same_endpoint(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// Who is taking over records kept under the shared names.
#[derive(Clone, Copy, Debug)]
pub struct Taker<'a> {
    pub endpoint: &'a str,
    pub communities: &'a [String],
    pub at_root: bool,
}

impl Taker<'_> {
    /// A waiting report as an older build kept it (body inline), taken over at `now_ms`:
    /// its record and its body in this build's layout, stamped with this deployment's
    /// endpoint, so that it is never sent anywhere else. `None`: not this deployment's, not
    /// readable, or being sent by an older build's tab right now (taken on a later pass, so
    /// that it is never on the wire from both).
    pub fn report(&self, raw: &str, now_ms: f64) -> Option<(OutboxEntry, String)> {
        let entry = self.owned_report(raw)?;
        if entry.is_leased(now_ms) {
            return None;
        }
        let body = entry.body.clone();
        // One that names its endpoint keeps it: it goes there, whoever sends it.
        let entry = match entry.endpoint {
            Some(_) => entry,
            None => entry.queued_for(self.endpoint),
        };
        Some((entry.without_body(), body))
    }

    /// A waiting report an older build kept (body inline), if it is this deployment's. The
    /// root's are also those queued for any real endpoint: older tabs of every deployment
    /// sent each report to its own endpoint, and the root's database is where they wait.
    pub fn owned_report(&self, raw: &str) -> Option<OutboxEntry> {
        let entry = parse_entry(raw)?;
        if self.at_root
            && entry
                .endpoint
                .as_deref()
                .is_some_and(|e| e != crate::config::MOCK_ENDPOINT)
        {
            return Some(entry);
        }
        // The community is read only when the endpoint does not decide.
        let community = match entry.endpoint {
            Some(_) => String::new(),
            None => entry.payload()?.location.community,
        };
        owns(
            entry.endpoint.as_deref(),
            &community,
            self.endpoint,
            self.communities,
            self.at_root,
        )
        .then_some(entry)
    }

    /// A ticket an older build kept, if it is this deployment's.
    pub fn ticket(&self, raw: &str) -> Option<TicketRecord> {
        let record = parse_record(raw)?;
        owns(
            record.endpoint.as_deref(),
            &record.community,
            self.endpoint,
            self.communities,
            self.at_root,
        )
        .then_some(record)
    }

    /// A draft an older build kept (its text only), if it is this deployment's: only by
    /// its community, a draft keeps no endpoint.
    pub fn draft(&self, raw: &str) -> bool {
        crate::json::parse(raw, crate::report::json::draft).is_some_and(|d| {
            owns(
                None,
                &d.community,
                self.endpoint,
                self.communities,
                self.at_root,
            )
        })
    }
}

/// What "clear my data" at the site's root keeps of the stores older builds of every
/// deployment shared (`outbox`, `kv`): another deployment's waiting reports and tickets.
/// `taker` is `None` when no config has loaded: then only a report queued for a real
/// endpoint is known to be the root's (it sends those); other waiting reports stay, as
/// nothing says whose they are. Tickets are the root's own names, cleared either way
/// unless a config says they are another endpoint's.
pub fn kept_on_root_clear(taker: Option<&Taker>, store: &str, record: &str) -> bool {
    let report = store == "outbox";
    match taker {
        Some(t) if report => parse_entry(record).is_some() && t.owned_report(record).is_none(),
        Some(t) => parse_record(record).is_some() && t.ticket(record).is_none(),
        None if report => parse_entry(record).is_some_and(|e| {
            e.endpoint
                .as_deref()
                .is_none_or(|e| e == crate::config::MOCK_ENDPOINT)
        }),
        None => false,
    }
}

#[cfg(test)]
mod tests;
