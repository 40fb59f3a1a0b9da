//! `/metrics` in the Prometheus text format, served only on its own listen address
//! (`metrics_listen`), never beside the public routes. This module holds what the process
//! counts and writes the text; [`scrape`] reads the rest (outbox, pools, disk) from the
//! running desk at each scrape. Counters start at zero with the process, as Prometheus
//! expects.
//!
//! The text is written by hand: a few families do not justify a client library.

pub mod scrape;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;

/// Latency buckets (seconds): a report with photos takes tens of milliseconds; the
/// request time limit is 30 s by default.
const BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

#[derive(Default, Clone)]
struct Histogram {
    /// Observations in each bucket (not cumulative; summed when written).
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        if let Some(i) = BUCKETS.iter().position(|b| seconds <= *b) {
            self.counts[i] += 1;
        }
        self.sum += seconds;
        self.count += 1;
    }
}

/// What the process counts between scrapes.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(&'static str, u16), Histogram>>,
    received: AtomicU64,
    replayed: AtomicU64,
    refusals: Mutex<BTreeMap<String, u64>>,
    /// When the retention task last finished a pass (ms since the epoch; 0: not yet).
    retention_done_ms: AtomicI64,
}

impl Metrics {
    pub fn retention_done(&self, at_ms: i64) {
        self.retention_done_ms.store(at_ms, Ordering::Relaxed);
    }

    /// A request answered: its route class (never a path), status and time taken.
    pub fn request(&self, class: &'static str, status: u16, seconds: f64) {
        let mut requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        requests
            .entry((class, status))
            .or_default()
            .observe(seconds);
    }

    pub fn refused(&self, code: &str) {
        let mut refusals = self.refusals.lock().unwrap_or_else(|e| e.into_inner());
        *refusals.entry(code.to_owned()).or_default() += 1;
    }

    /// A report stored and acknowledged (`replay`: answered again from its key).
    pub fn report(&self, replay: bool) {
        let counter = if replay {
            &self.replayed
        } else {
            &self.received
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The counters' families.
    pub fn write(&self, out: &mut String) {
        let name = "xinjing_http_requests_seconds";
        family(
            out,
            name,
            "histogram",
            "Requests by route class and status, with their latency.",
        );
        let requests = self
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        for ((class, status), h) in &requests {
            let labels = format!("class=\"{class}\",status=\"{status}\"");
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(h.counts) {
                cumulative += n;
                let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{bound}\"}} {cumulative}");
            }
            let _ = writeln!(out, "{name}_bucket{{{labels},le=\"+Inf\"}} {}", h.count);
            let _ = writeln!(out, "{name}_sum{{{labels}}} {}", h.sum);
            let _ = writeln!(out, "{name}_count{{{labels}}} {}", h.count);
        }
        let received = self.received.load(Ordering::Relaxed);
        let replayed = self.replayed.load(Ordering::Relaxed);
        family(
            out,
            "xinjing_reports_received_total",
            "counter",
            "Reports stored and acknowledged (201), replays excluded.",
        );
        let _ = writeln!(out, "xinjing_reports_received_total {received}");
        family(
            out,
            "xinjing_reports_replayed_total",
            "counter",
            "Reports sent again with a known Idempotency-Key, answered with the first answer.",
        );
        let _ = writeln!(out, "xinjing_reports_replayed_total {replayed}");
        family(
            out,
            "xinjing_api_refusals_total",
            "counter",
            "API requests refused, by the error code the phone receives.",
        );
        let refusals = self
            .refusals
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        for (code, n) in &refusals {
            let _ = writeln!(
                out,
                "xinjing_api_refusals_total{{code=\"{}\"}} {n}",
                label(code)
            );
        }
        let done = self.retention_done_ms.load(Ordering::Relaxed) as f64 / 1000.0;
        family(
            out,
            "xinjing_retention_last_success_timestamp_seconds",
            "gauge",
            "When the retention task last finished a pass (0: not since this process started).",
        );
        let _ = writeln!(
            out,
            "xinjing_retention_last_success_timestamp_seconds {done}"
        );
    }
}

/// Writes one family's header.
pub fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value, escaped as the text format wants.
pub fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// One channel's outbox: waiting rows, the oldest one's creation, rows given up on.
#[derive(Default)]
pub struct Outbox {
    pub pending: i64,
    pub oldest_ms: Option<i64>,
    pub failed: i64,
}

pub fn write_outbox(out: &mut String, channels: &BTreeMap<String, Outbox>, now_ms: i64) {
    family(
        out,
        "xinjing_notify_pending",
        "gauge",
        "Notifications waiting to be delivered, by channel.",
    );
    for (name, c) in channels {
        let _ = writeln!(
            out,
            "xinjing_notify_pending{{channel=\"{}\"}} {}",
            label(name),
            c.pending
        );
    }
    family(
        out,
        "xinjing_notify_oldest_pending_age_seconds",
        "gauge",
        "Age of the oldest notification still waiting, by channel (0: none waiting).",
    );
    for (name, c) in channels {
        let age = c
            .oldest_ms
            .map_or(0.0, |t| (now_ms - t).max(0) as f64 / 1000.0);
        let _ = writeln!(
            out,
            "xinjing_notify_oldest_pending_age_seconds{{channel=\"{}\"}} {age}",
            label(name)
        );
    }
    family(
        out,
        "xinjing_notify_failed",
        "gauge",
        "Notifications given up on, by channel (kept 90 days).",
    );
    for (name, c) in channels {
        let _ = writeln!(
            out,
            "xinjing_notify_failed{{channel=\"{}\"}} {}",
            label(name),
            c.failed
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_kept_apart_and_written_cumulative() {
        let metrics = Metrics::default();
        for seconds in [0.003, 0.2, 99.0] {
            metrics.request("report_submit", 201, seconds);
        }
        let mut out = String::new();
        metrics.write(&mut out);
        let line = |le: &str| {
            let prefix = format!(
                "xinjing_http_requests_seconds_bucket{{class=\"report_submit\",status=\"201\",le=\"{le}\"}} "
            );
            out.lines()
                .find_map(|l| l.strip_prefix(&prefix))
                .unwrap()
                .to_owned()
        };
        assert_eq!(
            (line("0.005"), line("0.1"), line("0.25")),
            ("1".into(), "1".into(), "2".into())
        );
        assert_eq!((line("30"), line("+Inf")), ("2".into(), "3".into()));
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
