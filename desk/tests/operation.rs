//! What a committee's server needs beyond the API: serving the widget from one origin,
//! CORS from an exact list, rate limits, time limits, graceful shutdown and retention.

mod common;

use common::*;
use serde_json::json;
use xinjing_contract::TicketStatus;
use xinjing_desk::clock::DAY_MS;
use xinjing_desk::sample;

#[tokio::test]
async fn the_widget_is_served_with_its_headers_and_the_desk_as_endpoint() {
    let env = TestEnv::new().await;
    let dist = fake_dist(
        &env.dir.0,
        json!({
            "endpoint": "mock",
            "campaigns_url": "campaigns.json",
            "communities": ["示例一村（演示）"],
            "privacy": { "retention": { "zh": "办结后 6 个月", "en": "six months after the case is closed" } },
            "parent_origins": ["https://h5.example.cn"]
        }),
    );
    let desk = env.start(&[("DESK_DIST", dist.to_str().unwrap())]).await;
    let page = desk
        .http
        .get(format!("{}/", desk.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("connect-src 'self';"), "{csp}");
    assert!(
        csp.contains("frame-ancestors 'self' https://h5.example.cn;"),
        "{csp}"
    );
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{csp}"
    );
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    assert!(page.text().await.unwrap().contains("新泾安全随手报"));
    // config.json: the build's, with the desk's own API as endpoint.
    let config: serde_json::Value = desk
        .http
        .get(format!("{}/config.json", desk.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(config["endpoint"], format!("{}/api/v1/reports", desk.url));
    assert_eq!(config["communities"], json!(["示例一村（演示）"]));
    assert_eq!(config["privacy"]["retention"]["zh"], "办结后 6 个月");
    // The build's communities are the desk's rule too, and its notice sets the retention.
    assert_eq!(
        desk.state().communities,
        vec!["示例一村（演示）".to_owned()]
    );
    assert_eq!(desk.state().retention_days, 180);
    let mut elsewhere = sample::report(&sample::random_uuid());
    elsewhere["location"]["community"] = json!("别的小区");
    assert_eq!(
        desk.post(&elsewhere).await.error_code(),
        "community_unknown:location.community"
    );
    // Files, and a 404 for what is not there, with the same headers.
    let js = desk
        .http
        .get(format!("{}/app.js", desk.url))
        .send()
        .await
        .unwrap();
    assert_eq!(js.status().as_u16(), 200);
    assert!(js.headers().contains_key("content-security-policy"));
    let missing = desk
        .http
        .get(format!("{}/nothing.js", desk.url))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 404);
    // The API keeps its own, stricter policy.
    let api = desk.status("XJ-20261130-0001", None).await;
    assert_eq!(
        api.header("content-security-policy").as_deref(),
        Some("default-src 'none'; frame-ancestors 'none'")
    );
    desk.stop().await;
}

#[tokio::test]
async fn cors_only_for_the_listed_origins() {
    let env = TestEnv::new().await;
    let desk = env
        .start(&[("DESK_CORS_ORIGINS", "https://h5.example.cn")])
        .await;
    let preflight = |origin: &'static str| {
        desk.http
            .request(reqwest::Method::OPTIONS, desk.api())
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "content-type, idempotency-key, x-report-key",
            )
            .send()
    };
    let allowed = preflight("https://h5.example.cn").await.unwrap();
    let headers = allowed.headers();
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://h5.example.cn"
    );
    let allow_headers = headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for name in ["content-type", "idempotency-key", "x-report-key"] {
        assert!(allow_headers.contains(name), "{allow_headers}");
    }
    assert!(headers["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .contains("POST"));
    let refused = preflight("https://evil.example").await.unwrap();
    assert!(refused
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    // A real answer exposes Retry-After to the page.
    let answer = desk
        .http
        .post(desk.api())
        .header("Origin", "https://h5.example.cn")
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", sample::random_uuid())
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer.headers()["access-control-allow-origin"],
        "https://h5.example.cn"
    );
    assert!(answer.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase()
        .contains("retry-after"));
    desk.stop().await;
}

#[tokio::test]
async fn rate_limits_per_client_believe_only_trusted_proxies() {
    let env = TestEnv::new().await;
    let desk = env
        .start(&[
            ("DESK_RATE_LIMIT_PER_MINUTE", "6"),
            ("DESK_RATE_LIMIT_BURST", "3"),
            ("DESK_TRUSTED_PROXIES", "127.0.0.1/32"),
        ])
        .await;
    let get = |forwarded: Option<&'static str>| {
        let mut req = desk.http.get(format!("{}/XJ-20261130-0001", desk.api()));
        if let Some(ip) = forwarded {
            req = req.header("X-Forwarded-For", ip);
        }
        async move { Answer::from(req.send().await.unwrap()).await }
    };
    for _ in 0..3 {
        assert_eq!(get(Some("198.51.100.1")).await.status, 400);
    }
    let limited = get(Some("198.51.100.1")).await;
    assert_eq!(
        (limited.status, limited.error_code()),
        (429, "rate_limited".to_owned())
    );
    assert_eq!(limited.header("retry-after").as_deref(), Some("10"));
    // Another resident behind the same proxy has a bucket of their own.
    assert_eq!(get(Some("198.51.100.2")).await.status, 400);
    // The widget's files and the health checks are not limited.
    assert_eq!(
        desk.http
            .get(format!("{}/healthz", desk.url))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    desk.stop().await;

    // Without trusted proxies, X-Forwarded-For is ignored: one bucket for the peer.
    let desk = env
        .start(&[
            ("DESK_RATE_LIMIT_PER_MINUTE", "6"),
            ("DESK_RATE_LIMIT_BURST", "2"),
        ])
        .await;
    let get = |ip: &'static str| {
        desk.http
            .get(format!("{}/XJ-20261130-0001", desk.api()))
            .header("X-Forwarded-For", ip)
            .send()
    };
    assert_eq!(get("198.51.100.1").await.unwrap().status().as_u16(), 400);
    assert_eq!(get("198.51.100.2").await.unwrap().status().as_u16(), 400);
    assert_eq!(get("198.51.100.3").await.unwrap().status().as_u16(), 429);
    desk.stop().await;
}

/// A body that arrives in pieces, `pause` apart.
fn slow_body(body: Vec<u8>, pieces: usize, pause: std::time::Duration) -> reqwest::Body {
    slow_body_told(body, pieces, pause).0
}

/// The same, telling how many pieces it has handed to the connection so far.
fn slow_body_told(
    body: Vec<u8>,
    pieces: usize,
    pause: std::time::Duration,
) -> (reqwest::Body, tokio::sync::watch::Receiver<usize>) {
    let size = body.len().div_ceil(pieces);
    let chunks: Vec<Vec<u8>> = body.chunks(size).map(<[u8]>::to_vec).collect();
    let (sent_tx, sent) = tokio::sync::watch::channel(0);
    let stream = futures_util::stream::unfold(
        (chunks.into_iter(), sent_tx),
        move |(mut rest, sent_tx)| async move {
            let next = rest.next()?;
            tokio::time::sleep(pause).await;
            sent_tx.send_modify(|n| *n += 1);
            Some((Ok::<_, std::io::Error>(next), (rest, sent_tx)))
        },
    );
    (reqwest::Body::wrap_stream(stream), sent)
}

#[tokio::test]
async fn a_slow_request_is_cut_off_by_the_time_limit() {
    let env = TestEnv::new().await;
    let desk = env.start(&[("DESK_REQUEST_TIMEOUT_SECS", "1")]).await;
    let id = sample::random_uuid();
    let body = serde_json::to_vec(&sample::report(&id)).unwrap();
    let answer = desk
        .http
        .post(desk.api())
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", &id)
        .body(slow_body(body, 4, std::time::Duration::from_millis(600)))
        .send()
        .await;
    // 408 (the phone retries later), or the connection closed mid-upload.
    if let Ok(answer) = answer {
        assert_eq!(answer.status().as_u16(), 408);
    }
    assert!(desk.state().store.tickets().await.unwrap().is_empty());
    desk.stop().await;
}

#[tokio::test]
async fn stopping_finishes_the_requests_in_flight() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    let id = sample::random_uuid();
    let body = serde_json::to_vec(&sample::report_with_photos(&id, 2, 20_000, 1)).unwrap();
    let (body, mut sent) = slow_body_told(body, 5, std::time::Duration::from_millis(200));
    let request = desk
        .http
        .post(desk.api())
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", &id)
        .body(body)
        .send();
    let in_flight = tokio::spawn(request);
    // In flight: the desk has the request and is reading its body (two pieces of five sent).
    sent.wait_for(|&n| n >= 2).await.unwrap();
    let store = desk.state().store.clone();
    let TestDesk {
        desk: mut inner,
        url,
        http,
    } = desk;
    let stopping = tokio::spawn(async move { inner.take().unwrap().stop().await });
    let answer = Answer::from(
        in_flight
            .await
            .unwrap()
            .expect("the request in flight is answered"),
    )
    .await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    stopping.await.unwrap();
    // Once stopped, nothing more is accepted.
    assert!(http.get(format!("{url}/healthz")).send().await.is_err());
    drop(store);
}

#[tokio::test]
async fn contact_details_and_photos_are_deleted_after_retention() {
    let env = TestEnv::new().await;
    let start = now_ms();
    let (desk, clock) = env
        .start_fake(&[("DESK_RETENTION_DAYS", "365")], start)
        .await;
    let id = sample::random_uuid();
    let mut report = sample::report_with_photos(&id, 2, 1000, 3);
    report["contact"] = json!({ "name": "王阿姨", "phone": "13912345678" });
    report["consent"]["contact"] = json!(true);
    let ticket = desk.post(&report).await.ticket();
    let open = desk
        .post(&sample::report_with_photos(
            &sample::random_uuid(),
            1,
            1000,
            9,
        ))
        .await
        .ticket();
    let store = &desk.state().store;
    let photos = &desk.state().photos;
    let keys: Vec<String> = store
        .report_by_ticket(&ticket)
        .await
        .unwrap()
        .unwrap()
        .photos
        .iter()
        .map(|p| p.object_key.clone())
        .collect();
    assert_eq!(keys.len(), 2);

    // Closed today; a year less a day later nothing is deleted yet.
    desk.set_status(&ticket, TicketStatus::Resolved, "已清理", start)
        .await;
    clock.set(start + 364 * DAY_MS);
    let run = desk.desk().retention.run_now().await;
    assert_eq!(run.reports_erased, 0);
    let kept = store.report_by_ticket(&ticket).await.unwrap().unwrap();
    assert_eq!(kept.contact_phone.as_deref(), Some("13912345678"));
    assert!(photos.get(&keys[0]).await.is_ok());

    // A stray photo object (a crash between writing it and committing its report).
    let stray = format!("reports/{}/0.jpg", sample::random_uuid());
    photos
        .put(&stray, sample::jpeg(8, 8, 10, false, 1).into())
        .await
        .unwrap();

    // Past the year: contact and photos go, the ticket and its status stay.
    clock.set(start + 366 * DAY_MS);
    let run = desk.desk().retention.run_now().await;
    assert_eq!((run.reports_erased, run.photos_deleted), (1, 2));
    let erased = store.report_by_ticket(&ticket).await.unwrap().unwrap();
    assert_eq!((erased.contact_name, erased.contact_phone), (None, None));
    assert!(erased.erased_at.is_some());
    assert!(erased.photos.iter().all(|p| p.erased));
    for key in &keys {
        assert!(photos.get(key).await.is_err(), "{key} is gone");
    }
    let status = desk.status(&ticket, Some(&id)).await;
    assert_eq!(
        (status.status, status.json()["status"].clone()),
        (200, json!("resolved"))
    );
    // The open report keeps everything; the stray object is swept once a day old.
    let still_open = store.report_by_ticket(&open).await.unwrap().unwrap();
    assert!(photos.get(&still_open.photos[0].object_key).await.is_ok());
    assert_eq!(run.orphans_deleted, 1);
    assert!(photos.get(&stray).await.is_err());
    // A second pass finds nothing more to do.
    let again = desk.desk().retention.run_now().await;
    assert_eq!((again.reports_erased, again.photos_deleted), (0, 0));
    desk.stop().await;
}

#[tokio::test]
async fn an_erased_report_takes_no_more_comments_from_the_phone() {
    let env = TestEnv::new().await;
    let start = now_ms();
    let (desk, clock) = env
        .start_fake(&[("DESK_RETENTION_DAYS", "30")], start)
        .await;
    let id = sample::random_uuid();
    let ticket = desk.post(&sample::report(&id)).await.ticket();
    desk.set_status(&ticket, TicketStatus::Resolved, "已清理", start)
        .await;
    clock.set(start + 31 * DAY_MS);
    assert_eq!(desk.desk().retention.run_now().await.reports_erased, 1);
    // A comment now would reopen a report whose erasure is done, and stay forever.
    let late = desk
        .http
        .post(format!("{}/{ticket}/feedback", desk.api()))
        .header("X-Report-Key", &id)
        .json(&json!({ "satisfied": false, "comment": "还在 13912345678" }))
        .send()
        .await
        .unwrap();
    assert_eq!(late.status(), 404);
    let kept = desk
        .state()
        .store
        .report_by_ticket(&ticket)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.status, TicketStatus::Resolved);
    let events = desk.state().store.events(&ticket).await.unwrap();
    assert!(events.iter().all(|e| e.kind != "feedback"), "{events:?}");
    desk.stop().await;
}

#[tokio::test]
async fn a_reopened_report_keeps_its_data() {
    let env = TestEnv::new().await;
    let start = now_ms();
    let (desk, clock) = env
        .start_fake(&[("DESK_RETENTION_DAYS", "30")], start)
        .await;
    let mut report = sample::report(&sample::random_uuid());
    report["contact"] = json!({ "name": "李", "phone": "13812345678" });
    report["consent"]["contact"] = json!(true);
    let ticket = desk.post(&report).await.ticket();
    let store = &desk.state().store;
    desk.set_status(&ticket, TicketStatus::Resolved, "已清理", start)
        .await;
    clock.set(start + 10 * DAY_MS);
    let reopen = xinjing_desk::store::Change::Reopen {
        public_note: Some("重办".into()),
        internal_note: None,
    };
    desk.change(&ticket, reopen, clock_now(&clock)).await;
    clock.set(start + 60 * DAY_MS);
    assert_eq!(desk.desk().retention.run_now().await.reports_erased, 0);
    assert!(store
        .report_by_ticket(&ticket)
        .await
        .unwrap()
        .unwrap()
        .contact_phone
        .is_some());
    desk.stop().await;
}

fn clock_now(clock: &xinjing_desk::clock::FakeClock) -> i64 {
    use xinjing_desk::clock::Clock;
    clock.now_ms()
}

#[tokio::test]
async fn a_notice_whose_period_does_not_parse_stops_the_start_without_retention_days() {
    let env = TestEnv::new().await;
    let dist = fake_dist(
        &env.dir.0,
        json!({
            "endpoint": "mock",
            "privacy": { "retention": { "zh": "办结后半年", "en": "half a year after the case is closed" } }
        }),
    );
    let dist = dist.to_str().unwrap();
    let refused = xinjing_desk::start(
        env.config(&[("DESK_DIST", dist)]),
        std::sync::Arc::new(xinjing_desk::clock::SystemClock),
    )
    .await;
    let message = refused
        .err()
        .expect("the desk refuses to start")
        .to_string();
    assert!(message.contains("retention_days"), "{message}");
    assert!(message.contains("办结后半年"), "{message}");
    // Saying it plainly lets it start.
    let desk = env
        .start(&[("DESK_DIST", dist), ("DESK_RETENTION_DAYS", "182")])
        .await;
    assert_eq!(desk.state().retention_days, 182);
    desk.stop().await;
}

#[tokio::test]
async fn a_report_never_closed_loses_its_contact_details_at_the_maximum_age() {
    let env = TestEnv::new().await;
    let start = now_ms();
    let (desk, clock) = env
        .start_fake(
            &[
                ("DESK_RETENTION_DAYS", "30"),
                ("DESK_OPEN_REPORT_MAX_DAYS", "400"),
            ],
            start,
        )
        .await;
    let id = sample::random_uuid();
    let mut report = sample::report_with_photos(&id, 1, 1000, 3);
    report["contact"] = json!({ "name": "王阿姨", "phone": "13912345678" });
    report["consent"]["contact"] = json!(true);
    let ticket = desk.post(&report).await.ticket();
    let store = &desk.state().store;
    clock.set(start + 399 * DAY_MS);
    assert_eq!(desk.desk().retention.run_now().await.reports_erased, 0);
    clock.set(start + 401 * DAY_MS);
    let run = desk.desk().retention.run_now().await;
    assert_eq!((run.reports_erased, run.photos_deleted), (1, 1));
    let erased = store.report_by_ticket(&ticket).await.unwrap().unwrap();
    assert_eq!((erased.contact_name, erased.contact_phone), (None, None));
    assert_eq!(erased.description, "");
    // Still open: staff and the resident still see where it stands.
    let status = desk.status(&ticket, Some(&id)).await;
    assert_eq!(status.json()["status"], "received");
    desk.stop().await;
}

#[cfg(unix)]
#[tokio::test]
async fn the_database_photos_and_backups_are_readable_by_the_desk_only() {
    use std::os::unix::fs::PermissionsExt;
    if on_postgres() || on_s3().is_some() {
        return;
    }
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    let id = sample::random_uuid();
    let ticket = desk
        .post(&sample::report_with_photos(&id, 1, 1000, 3))
        .await
        .ticket();
    let report = desk
        .state()
        .store
        .report_by_ticket(&ticket)
        .await
        .unwrap()
        .unwrap();
    let backup = env.dir.0.join("backup.db");
    desk.state()
        .store
        .backup(backup.to_str().unwrap())
        .await
        .unwrap();
    let database = env
        .database_url
        .trim_start_matches("sqlite://")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let photo = env.dir.0.join("photos").join(&report.photos[0].object_key);
    for file in [
        database.clone(),
        format!("{database}-wal"),
        photo.display().to_string(),
        backup.display().to_string(),
    ] {
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{file}: {mode:o}");
    }
    desk.stop().await;
}

#[tokio::test]
async fn erased_contact_details_do_not_linger_in_the_database_file() {
    if on_postgres() {
        return;
    }
    let env = TestEnv::new().await;
    let start = now_ms();
    let (desk, clock) = env
        .start_fake(&[("DESK_RETENTION_DAYS", "30")], start)
        .await;
    let id = sample::random_uuid();
    let mut report = sample::report(&id);
    report["contact"] = json!({ "name": "王阿姨", "phone": "13912345678" });
    report["consent"]["contact"] = json!(true);
    report["description"] = json!(format!(
        "请打 13912345678 找我。{}",
        "楼道里堆满了纸箱".repeat(20)
    ));
    let ticket = desk.post(&report).await.ticket();
    desk.set_status(&ticket, TicketStatus::Resolved, "已清理", start)
        .await;
    clock.set(start + 31 * DAY_MS);
    assert_eq!(desk.desk().retention.run_now().await.reports_erased, 1);
    desk.stop().await;
    // Once the log is folded into the file, the deleted bytes are zeroed, not just freed.
    let database = env
        .database_url
        .trim_start_matches("sqlite://")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&env.database_url)
        .await
        .unwrap();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let bytes = std::fs::read(&database).unwrap();
    let phone = b"13912345678";
    assert!(
        !bytes.windows(phone.len()).any(|w| w == phone),
        "the phone number is still in {database}"
    );
}

#[tokio::test]
async fn the_orphan_sweep_puts_back_a_set_aside_photo_its_report_now_names() {
    let env = TestEnv::new().await;
    let start = now_ms();
    let (desk, clock) = env.start_fake(&[], start).await;
    let ticket = desk
        .post(&sample::report_with_photos(
            &sample::random_uuid(),
            1,
            1000,
            4,
        ))
        .await
        .ticket();
    let store = &desk.state().store;
    let photos = &desk.state().photos;
    let key = store
        .report_by_ticket(&ticket)
        .await
        .unwrap()
        .unwrap()
        .photos[0]
        .object_key
        .clone();
    let bytes = photos.get(&key).await.unwrap();
    // A sweep was cut short: it had set aside this photo (its report committed meanwhile)
    // and a true orphan.
    assert!(photos.set_aside(&key).await.unwrap());
    let stray = format!("reports/{}/0.jpg", sample::random_uuid());
    photos
        .put(&stray, sample::jpeg(8, 8, 10, false, 2).into())
        .await
        .unwrap();
    assert!(photos.set_aside(&stray).await.unwrap());
    assert!(photos.get(&key).await.is_err());

    // The next sweep puts the named photo back and deletes the orphan.
    clock.set(start + 2 * DAY_MS);
    let run = desk.desk().retention.run_now().await;
    assert_eq!(photos.get(&key).await.unwrap(), bytes);
    assert_eq!(run.orphans_deleted, 1);
    assert!(photos.list_set_aside().await.unwrap().is_empty());
    assert!(photos.get(&stray).await.is_err());
    desk.stop().await;
}
