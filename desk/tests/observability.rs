//! What an operator sees of a running desk (the binary, spawned): `/metrics` on its own
//! listener, parsed as Prometheus parses it, with counters that move as reports arrive; and
//! request ids on every answer, in the logs and in the residents' error bodies.

mod common;

use common::*;
use prometheus_parse::{Scrape, Value as Metric};
use serde_json::json;
use std::time::Duration;
use xinjing_desk::sample;

async fn scrape(url: &str) -> Scrape {
    let response = client().get(url).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = response.text().await.unwrap();
    Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).expect("a Prometheus text scrape")
}

/// The value of a counter or gauge with these labels (0 when the series is not there yet).
fn value(scrape: &Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == name)
        .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match s.value {
            Metric::Counter(v) | Metric::Gauge(v) | Metric::Untyped(v) => v,
            ref other => panic!("{name} is not a number: {other:?}"),
        })
        .sum()
}

/// How many requests of a class and status the latency histogram holds.
fn requests(scrape: &Scrape, class: &str, status: &str) -> f64 {
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == "xinjing_http_requests_seconds")
        .filter(|s| s.labels.get("class") == Some(class) && s.labels.get("status") == Some(status))
        .map(|s| match &s.value {
            Metric::Histogram(buckets) => {
                let inf = buckets.iter().find(|b| b.less_than.is_infinite()).unwrap();
                // Cumulative: no bucket holds more than the next.
                assert!(buckets.windows(2).all(|w| w[0].count <= w[1].count));
                inf.count
            }
            other => panic!("not a histogram: {other:?}"),
        })
        .sum()
}

#[tokio::test]
async fn metrics_are_served_apart_and_count_reports_replays_and_refusals() {
    let env = TestEnv::new().await;
    // A channel nobody answers: its notifications wait in the outbox.
    let desk = DeskProcess::spawn(
        &env,
        &[
            ("DESK_METRICS_LISTEN", "127.0.0.1:0"),
            (
                "DESK_NOTIFY_WECOM_URL",
                "http://127.0.0.1:9/cgi-bin/webhook/send?key=k",
            ),
            ("DESK_NOTIFY_POLL_MS", "50"),
        ],
    )
    .await;
    let metrics = desk
        .metrics_url
        .clone()
        .expect("the metrics listener is logged");
    let http = client();
    // Never on the public origin.
    let public = http
        .get(format!("{}/metrics", desk.url))
        .send()
        .await
        .unwrap();
    assert_eq!(public.status().as_u16(), 404);

    let before = scrape(&metrics).await;
    let received = "xinjing_reports_received_total";
    let replayed = "xinjing_reports_replayed_total";
    let refusals = "xinjing_api_refusals_total";
    let id = sample::random_uuid();
    let report = sample::report(&id);
    assert_eq!(post_report(&http, &desk.api(), &report).await.status, 201);
    let after_one = scrape(&metrics).await;
    assert_eq!(
        value(&after_one, received, &[]),
        value(&before, received, &[]) + 1.0
    );
    assert_eq!(
        value(&after_one, replayed, &[]),
        value(&before, replayed, &[])
    );

    // The same key again: a replay, not a second report.
    let again = post_report(&http, &desk.api(), &report).await;
    assert_eq!(again.status, 201);
    let after_replay = scrape(&metrics).await;
    assert_eq!(
        value(&after_replay, received, &[]),
        value(&after_one, received, &[])
    );
    assert_eq!(
        value(&after_replay, replayed, &[]),
        value(&after_one, replayed, &[]) + 1.0
    );

    // A bad body: one refusal under the code the phone received.
    let mut bad = sample::report(&sample::random_uuid());
    bad["description"] = json!("短");
    let refused = post_report(&http, &desk.api(), &bad).await;
    assert_eq!(refused.status, 400, "{}", refused.text);
    let code = refused.error_code();
    let after_refusal = scrape(&metrics).await;
    assert_eq!(
        value(&after_refusal, refusals, &[("code", &code)]),
        value(&after_replay, refusals, &[("code", &code)]) + 1.0
    );
    assert_eq!(
        value(&after_refusal, received, &[]),
        value(&after_replay, received, &[])
    );
    // Requests by class and status, with their latencies.
    assert_eq!(requests(&after_refusal, "report_submit", "201"), 2.0);
    assert_eq!(requests(&after_refusal, "report_submit", "400"), 1.0);

    // The gauges: pools, committer, disk, retention, and the waiting notification.
    assert!(after_refusal
        .samples
        .iter()
        .any(|s| s.metric == "xinjing_db_pool_open"));
    assert_eq!(
        value(&after_refusal, "xinjing_committer_queue_depth", &[]),
        0.0
    );
    if !on_postgres() {
        assert!(
            value(
                &after_refusal,
                "xinjing_disk_free_bytes",
                &[("path", "database")]
            ) > 0.0
        );
    }
    assert_eq!(value(&after_refusal, "xinjing_scrape_errors", &[]), 0.0);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let now = scrape(&metrics).await;
        let pending = value(&now, "xinjing_notify_pending", &[("channel", "wecom")]);
        if pending >= 1.0 {
            let age = value(
                &now,
                "xinjing_notify_oldest_pending_age_seconds",
                &[("channel", "wecom")],
            );
            assert!(age >= 0.0);
            assert_eq!(
                value(&now, "xinjing_notify_failed", &[("channel", "wecom")]),
                0.0
            );
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no notification waiting"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn without_metrics_listen_there_is_no_metrics_anywhere() {
    let env = TestEnv::new().await;
    let desk = DeskProcess::spawn(&env, &[]).await;
    assert!(desk.metrics_url.is_none());
    let answer = client()
        .get(format!("{}/metrics", desk.url))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 404);
}

#[tokio::test]
async fn every_answer_has_a_request_id_that_the_logs_and_the_error_show() {
    let env = TestEnv::new().await;
    let desk = DeskProcess::spawn(&env, &[]).await;
    let http = client();
    let id = sample::random_uuid();
    let ok = post_report(&http, &desk.api(), &sample::report(&id)).await;
    let mut ids = vec![ok.header("x-request-id").expect("on a 201")];
    for path in [
        "/healthz",
        "/desk/login",
        "/api/v1/reports/XJ-20200101-0001",
    ] {
        let answer = Answer::from(
            http.get(format!("{}{path}", desk.url))
                .send()
                .await
                .unwrap(),
        )
        .await;
        ids.push(
            answer
                .header("x-request-id")
                .unwrap_or_else(|| panic!("{path}")),
        );
    }
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");

    // A refusal shows the id's short form, which leads to the request's log lines.
    let mut bad = sample::report(&sample::random_uuid());
    bad["description"] = json!("短");
    let refused = post_report(&http, &desk.api(), &bad).await;
    let full = refused.header("x-request-id").unwrap();
    let short = refused.json()["error"]["ref"].as_str().unwrap().to_owned();
    assert_eq!(short.len(), 8);
    assert!(full.starts_with(&short), "{full} / {short}");
    // Also what an older phone ignores: the body still reads as the contract's error.
    let body: xinjing_contract::ErrorBody = serde_json::from_str(&refused.text).unwrap();
    assert_eq!(body.error.reference.as_deref(), Some(short.as_str()));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let found = desk.log.lock().unwrap().iter().any(|entry| {
            entry["fields"]["message"] == "request"
                && entry["fields"]["status"] == 400
                && entry["span"]["request_id"] == full.as_str()
        });
        if found {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no log line with {full}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // A stranger cannot name its request; the trusted proxy can.
    let named = "nginx0123456789abcdef0123456789ab";
    let from_stranger = http
        .get(format!("{}/healthz", desk.url))
        .header("X-Request-Id", named)
        .send()
        .await
        .unwrap();
    assert_ne!(from_stranger.headers()["x-request-id"], named);
    let behind = DeskProcess::spawn(&env, &[("DESK_TRUSTED_PROXIES", "127.0.0.1")]).await;
    let from_proxy = http
        .get(format!("{}/healthz", behind.url))
        .header("X-Request-Id", named)
        .send()
        .await
        .unwrap();
    assert_eq!(from_proxy.headers()["x-request-id"], named);
}

#[tokio::test]
async fn a_taken_metrics_port_stops_the_start_naming_its_key() {
    let env = TestEnv::new().await;
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let config = env.config(&[("DESK_METRICS_LISTEN", &addr)]);
    let clock = std::sync::Arc::new(xinjing_desk::clock::SystemClock);
    let error = xinjing_desk::start(config, clock)
        .await
        .err()
        .expect("refused");
    let message = error.to_string();
    assert!(
        message.contains("DESK_METRICS_LISTEN") && message.contains(&addr),
        "{message}"
    );
}
