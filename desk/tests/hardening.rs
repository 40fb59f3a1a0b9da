//! What a hostile network does to the desk: clients that rotate addresses, many sources at
//! once, strangers guessing a clerk's password, a full disk and slow sockets. Each test
//! starts a desk on port 0 with a fresh database and acts as those clients do.

mod common;

use common::staff::{add_account, Browser, PASSWORD};
use common::*;
use xinjing_desk::sample;

/// A report from `ip`, as the trusted proxy in front of the desk would forward it.
async fn post_from(desk: &TestDesk, ip: &str) -> Answer {
    let report = sample::report(&sample::random_uuid());
    let response = desk
        .http
        .post(desk.api())
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", report["id"].as_str().unwrap())
        .header("X-Forwarded-For", ip)
        .body(serde_json::to_vec(&report).unwrap())
        .send()
        .await
        .unwrap();
    Answer::from(response).await
}

#[tokio::test]
async fn an_ipv6_client_is_limited_by_its_slash_64() {
    let env = TestEnv::new().await;
    let desk = env
        .start(&[
            ("DESK_RATE_LIMIT_PER_MINUTE", "6"),
            ("DESK_RATE_LIMIT_BURST", "3"),
            ("DESK_TRUSTED_PROXIES", "127.0.0.1/32"),
        ])
        .await;
    // A new address of the same /64 for every request gets no fresh burst.
    let mut statuses = Vec::new();
    for n in 1..=4 {
        statuses.push(
            post_from(&desk, &format!("2001:db8:7:1::{n:x}"))
                .await
                .status,
        );
    }
    assert_eq!(statuses, [201, 201, 201, 429]);
    // The neighbouring /64 is another subscriber.
    assert_eq!(post_from(&desk, "2001:db8:7:2::1").await.status, 201);
    desk.stop().await;
}

#[tokio::test]
async fn report_intake_has_a_budget_for_the_whole_town() {
    let env = TestEnv::new().await;
    let desk = env
        .start(&[
            ("DESK_INTAKE_PER_MINUTE", "1"),
            ("DESK_INTAKE_BURST", "2"),
            ("DESK_TRUSTED_PROXIES", "127.0.0.1/32"),
        ])
        .await;
    assert_eq!(post_from(&desk, "198.51.100.1").await.status, 201);
    assert_eq!(post_from(&desk, "198.51.100.2").await.status, 201);
    // A third source, however fresh, waits: the phone keeps the report and retries.
    let busy = post_from(&desk, "198.51.100.3").await;
    assert_eq!((busy.status, busy.error_code().as_str()), (503, "busy"));
    assert!(busy.header("retry-after").is_some());
    // Reading a status is not intake.
    let key = sample::random_uuid();
    assert_eq!(
        desk.status("XJ-20261130-0001", Some(&key)).await.status,
        404
    );
    let kept = desk.state().store.tickets().await.unwrap();
    assert_eq!(kept.len(), 2, "{kept:?}");
    desk.stop().await;
}

#[tokio::test]
async fn logins_are_rate_limited_before_anything_is_written() {
    let env = TestEnv::new().await;
    let desk = env
        .start(&[
            ("DESK_RATE_LIMIT_PER_MINUTE", "1"),
            ("DESK_RATE_LIMIT_BURST", "2"),
        ])
        .await;
    add_account(&desk, "li", "staff", &[HOME]).await;
    let mut browser = Browser::new(&desk);
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(browser.try_login("li", "not the password").await.status);
    }
    assert_eq!(statuses, [401, 401, 429, 429]);
    // Only the two attempts let through were counted (and hashed).
    let kept = desk
        .state()
        .store
        .login_failures("account:li", 0)
        .await
        .unwrap();
    assert_eq!(kept, 2);
    desk.stop().await;
}

#[tokio::test]
async fn a_login_with_a_huge_name_is_refused_before_anything_is_written() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    let mut browser = Browser::new(&desk);
    // Every attempt is kept three times over (as failure subjects) for 15 minutes: a name
    // longer than any account's is refused first.
    let long = "名".repeat(100);
    let refused = browser.try_login(&long, "not the password").await;
    assert_eq!(refused.status, 400, "{}", refused.text);
    // Past the login's own body limit, nothing is read at all.
    let huge = "a".repeat(64 * 1024);
    assert_eq!(browser.try_login(&huge, "x").await.status, 413);
    let kept = desk.state().store.login_failure_summary(0).await.unwrap();
    assert!(kept.is_empty(), "{kept:?}");
    desk.stop().await;
}

const HOME: &str = "新泾一村";

/// `xinjing-desk user add NAME --role staff --community HOME`, the password on stdin.
fn user_add(env: &TestEnv, name: &str, password: &str) {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_xinjing-desk"))
        .args(["user", "add", name, "--role", "staff", "--community", HOME])
        .env_clear()
        .envs(env.vars.iter().cloned())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(format!("{password}\n").as_bytes()).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn strangers_guessing_cannot_lock_a_clerk_out() {
    let env = TestEnv::new().await;
    let desk = env.start(&[("DESK_TRUSTED_PROXIES", "127.0.0.1/32")]).await;
    add_account(&desk, "li", "staff", &[HOME]).await;
    add_account(&desk, "boss", "admin", &[]).await;

    // A stranger guesses: after five wrong passwords that address is stopped, even with
    // the right one.
    let mut stranger = Browser::from_address(&desk, "198.51.100.66");
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(stranger.try_login("li", "guess guess").await.status);
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429]);
    assert_eq!(stranger.try_login("li", PASSWORD).await.status, 429);

    // The clerk at the office still logs in: the account is only slowed.
    let mut clerk = Browser::from_address(&desk, "203.0.113.5");
    let started = std::time::Instant::now();
    clerk.login("li").await;
    assert!(started.elapsed() >= std::time::Duration::from_millis(250));

    // An admin sees who guessed, and clears that address.
    let mut boss = Browser::from_address(&desk, "203.0.113.9");
    boss.login("boss").await;
    let page = boss.get("/desk/logins").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("198.51.100.66"), "{}", page.text);
    assert!(page.text.contains("已阻止"), "{}", page.text);
    let cleared = boss
        .post(
            "/desk/logins/clear",
            &[("kind", "ip"), ("value", "198.51.100.66")],
        )
        .await;
    assert_eq!(cleared.status, 303, "{}", cleared.text);
    assert!(!boss
        .get("/desk/logins")
        .await
        .text
        .contains("198.51.100.66"));
    // A clerk never sees the page.
    assert_eq!(clerk.get("/desk/logins").await.status, 404);

    // Another address guesses until stopped; `user add` with a new password clears it all.
    let mut other = Browser::from_address(&desk, "198.51.100.77");
    for _ in 0..6 {
        other.try_login("li", "guess guess").await;
    }
    assert_eq!(other.try_login("li", PASSWORD).await.status, 429);
    user_add(&env, "li", "a new password for li");
    let store = &desk.state().store;
    assert_eq!(store.login_failures("account:li", 0).await.unwrap(), 0);
    let ok = other.try_login("li", "a new password for li").await;
    assert_eq!(ok.status, 303, "{}", ok.text);
    desk.stop().await;
}

/// Sends `request` on a fresh connection and reads until the desk closes it, for at most
/// `wait`; `None` when the connection was still open then.
async fn raw_exchange(desk: &TestDesk, request: &str, wait: std::time::Duration) -> Option<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut socket = tokio::net::TcpStream::connect(desk.desk().addr)
        .await
        .unwrap();
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut got = Vec::new();
    let read = tokio::time::timeout(wait, socket.read_to_end(&mut got)).await;
    match read {
        Ok(_) => Some(String::from_utf8_lossy(&got).into_owned()),
        Err(_) => None,
    }
}

#[tokio::test]
async fn slow_and_idle_connections_are_closed() {
    let env = TestEnv::new().await;
    let desk = env.start(&[("DESK_HEADER_TIMEOUT_SECS", "1")]).await;
    let wait = std::time::Duration::from_secs(5);
    // Headers that never end.
    let partial = "GET /healthz HTTP/1.1\r\nHost: desk\r\nX-Slow: 1\r\n";
    assert!(raw_exchange(&desk, partial, wait).await.is_some());
    // A finished request on a kept-alive connection, then silence: closed too.
    let whole = "GET /healthz HTTP/1.1\r\nHost: desk\r\n\r\n";
    let answer = raw_exchange(&desk, whole, wait)
        .await
        .expect("the idle connection is closed");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    desk.stop().await;
}

#[tokio::test]
async fn every_page_has_a_time_limit() {
    let env = TestEnv::new().await;
    let desk = env.start(&[("DESK_REQUEST_TIMEOUT_SECS", "1")]).await;
    // A login form whose body never arrives whole.
    let stalled = "POST /desk/login HTTP/1.1\r\nHost: desk\r\n\
                   Content-Type: application/x-www-form-urlencoded\r\n\
                   Content-Length: 200\r\n\r\nname=li";
    let answer = raw_exchange(&desk, stalled, std::time::Duration::from_secs(5))
        .await
        .expect("the desk gives up on the request");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    desk.stop().await;
}

/// A body that arrives in `pieces`, `pause` apart, with its length declared as a browser's
/// `fetch` declares it.
fn slow_body(body: Vec<u8>, pieces: usize, pause: std::time::Duration) -> reqwest::Body {
    let size = body.len().div_ceil(pieces);
    let chunks: Vec<Vec<u8>> = body.chunks(size).map(<[u8]>::to_vec).collect();
    let stream = futures_util::stream::unfold(chunks.into_iter(), move |mut rest| async move {
        let next = rest.next()?;
        tokio::time::sleep(pause).await;
        Some((Ok::<_, std::io::Error>(next), rest))
    });
    reqwest::Body::wrap_stream(stream)
}

#[tokio::test]
async fn a_photo_report_on_a_slow_link_gets_the_time_its_body_needs() {
    let env = TestEnv::new().await;
    let desk = env.start(&[("DESK_REQUEST_TIMEOUT_SECS", "1")]).await;
    let id = sample::random_uuid();
    let report = sample::report_with_photos(&id, 1, 100_000, 3);
    let body = serde_json::to_vec(&report).unwrap();
    // About 135 KB over 2.5 s: slower than the base limit, well within the body's time.
    let answer = desk
        .http
        .post(desk.api())
        .header("Content-Type", "application/json")
        .header("Content-Length", body.len())
        .header("Idempotency-Key", &id)
        .body(slow_body(body, 5, std::time::Duration::from_millis(500)))
        .send()
        .await
        .unwrap();
    let answer = Answer::from(answer).await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    assert_eq!(desk.state().store.tickets().await.unwrap().len(), 1);
    desk.stop().await;
}

#[tokio::test]
async fn requests_beyond_the_cap_in_flight_are_answered_busy() {
    use tokio::io::AsyncWriteExt;
    let env = TestEnv::new().await;
    let desk = env.start(&[("DESK_MAX_IN_FLIGHT", "1")]).await;
    let healthz = || async {
        let response = desk
            .http
            .get(format!("{}/healthz", desk.url))
            .send()
            .await
            .unwrap();
        Answer::from(response).await
    };
    assert_eq!(healthz().await.status, 200);
    // One request in flight, its body still arriving.
    let mut held = tokio::net::TcpStream::connect(desk.desk().addr)
        .await
        .unwrap();
    let key = sample::random_uuid();
    let head = format!(
        "POST /api/v1/reports HTTP/1.1\r\nHost: desk\r\nContent-Type: application/json\r\n\
         Idempotency-Key: {key}\r\nContent-Length: 100\r\n\r\n{{\"id\""
    );
    held.write_all(head.as_bytes()).await.unwrap();
    let mut busy = healthz().await;
    for _ in 0..50 {
        if busy.status == 503 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        busy = healthz().await;
    }
    assert_eq!(busy.status, 503, "{}", busy.text);
    assert_eq!(busy.header("retry-after").as_deref(), Some("1"));
    // Once it ends, the desk answers again.
    drop(held);
    let mut again = healthz().await;
    for _ in 0..100 {
        if again.status == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        again = healthz().await;
    }
    assert_eq!(again.status, 200);
    desk.stop().await;
}

#[tokio::test]
async fn every_free_field_of_a_report_has_a_cap() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    for field in ["notice_version", "version"] {
        let mut report = sample::report(&sample::random_uuid());
        let long = "x".repeat(10_000);
        match field {
            "notice_version" => report["consent"]["notice_version"] = long.into(),
            _ => report["client"]["version"] = long.into(),
        }
        let answer = desk.post(&report).await;
        assert_eq!(answer.status, 400, "{field}: {}", answer.text);
    }
    assert!(desk.state().store.tickets().await.unwrap().is_empty());
    desk.stop().await;
}

#[tokio::test]
async fn below_the_free_space_mark_reports_wait_and_the_desk_is_not_ready() {
    if on_postgres() && on_s3().is_some() {
        // Nothing is kept on the desk's own disk then: there is no mark to watch.
        eprintln!("skipped: the database and the photos are not on the desk's disk");
        return;
    }
    let env = TestEnv::new().await;
    // A mark no disk meets.
    let desk = env.start(&[("DESK_MIN_FREE_MB", "1000000000000")]).await;
    let answer = desk.post(&sample::report(&sample::random_uuid())).await;
    assert_eq!(answer.status, 503, "{}", answer.text);
    assert!(answer.header("retry-after").is_some());
    let ready = desk
        .http
        .get(format!("{}/readyz", desk.url))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status().as_u16(), 503);
    assert!(desk.state().store.tickets().await.unwrap().is_empty());
    desk.stop().await;
    // With room on the disk, the same desk takes reports.
    let desk = env.start(&[]).await;
    let ready = desk
        .http
        .get(format!("{}/readyz", desk.url))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status().as_u16(), 200);
    assert_eq!(
        desk.post(&sample::report(&sample::random_uuid()))
            .await
            .status,
        201
    );
    desk.stop().await;
}

#[tokio::test]
async fn a_flood_of_logins_leaves_room_for_residents_reports_and_other_clerks() {
    let env = TestEnv::new().await;
    let desk = env
        .start(&[
            ("DESK_TRUSTED_PROXIES", "127.0.0.1/32"),
            ("DESK_MAX_IN_FLIGHT", "12"),
        ])
        .await;
    add_account(&desk, "li", "staff", &[HOME]).await;
    add_account(&desk, "wang", "staff", &[HOME]).await;
    // Strangers have guessed at li for a while: each new guess now waits its full delay.
    let store = &desk.state().store;
    let now = now_ms();
    for _ in 0..12 {
        store
            .add_login_failure(&["account:li".to_owned()], now, 0)
            .await
            .unwrap();
    }
    // Twenty more, each from its own address, all at once: more than the desk's slots.
    let mut guessers = Vec::new();
    for n in 0..20 {
        let mut guesser = Browser::from_address(&desk, &format!("198.51.100.{n}"));
        assert_eq!(guesser.get("/desk/login").await.status, 200);
        guessers.push(guesser);
    }
    let (answered, mut answers) = tokio::sync::mpsc::unbounded_channel();
    for mut guesser in guessers {
        let answered = answered.clone();
        tokio::spawn(async move {
            let fields = [("name", "li"), ("password", "guess"), ("next", "/desk/")];
            let _ = answered.send(guesser.post("/desk/login", &fields).await.status);
        });
    }
    // Every guess is either waiting (its failure written) or already answered.
    let mut early = Vec::new();
    loop {
        while let Ok(status) = answers.try_recv() {
            early.push(status);
        }
        let waiting = store.login_failures("account:li", 0).await.unwrap() - 12;
        if waiting + early.len() as i64 >= 20 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(early.is_empty(), "every guess waits its delay: {early:?}");
    // While the guesses wait, a resident's report gets in, and another clerk logs in.
    let report = desk.post(&sample::report(&sample::random_uuid())).await;
    assert_eq!(report.status, 201, "{}", report.text);
    Browser::from_address(&desk, "203.0.113.5")
        .login("wang")
        .await;
    desk.stop().await;
}
