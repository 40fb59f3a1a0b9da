//! The desk as processes: two `serve` processes on one database and one photo store behave
//! as one, and a process killed with SIGKILL under load loses no acknowledged report and
//! leaves no half-written one.

mod common;

use common::*;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use xinjing_desk::sample;
use xinjing_desk::store::Store;

async fn open_store(env: &TestEnv) -> (Store, xinjing_desk::photos::PhotoStore) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    xinjing_desk::app::open_storage(&env.config(&[]))
        .await
        .expect("storage opens")
}

#[tokio::test]
async fn two_processes_behave_as_one() {
    let env = TestEnv::new().await;
    let a = DeskProcess::spawn(&env, &[]).await;
    let b = DeskProcess::spawn(&env, &[]).await;
    let desks = [a.api(), b.api()];
    let http = client();

    // A client alternating between the two, 40 reports at a time, each sent twice: once
    // to each process, at the same moment.
    let mut tasks = Vec::new();
    for i in 0..120usize {
        let (http, desks) = (http.clone(), desks.clone());
        tasks.push(tokio::spawn(async move {
            let id = sample::random_uuid();
            let report = if i % 4 == 0 {
                sample::report_with_photos(&id, 1 + i % 3, 2000, i as u64)
            } else {
                sample::report(&id)
            };
            let (first, second) = tokio::join!(
                post_report(&http, &desks[i % 2], &report),
                post_report(&http, &desks[(i + 1) % 2], &report)
            );
            (id, report, first, second)
        }));
    }
    let mut tickets = HashMap::new();
    for task in tasks {
        let (id, report, first, second) = task.await.unwrap();
        let answers: Vec<&Answer> = [&first, &second]
            .into_iter()
            .filter(|a| a.status == 201)
            .collect();
        assert!(!answers.is_empty(), "{} / {}", first.text, second.text);
        for other in [&first, &second] {
            assert!(other.status == 201 || other.status == 409, "{}", other.text);
        }
        let ticket = answers[0].ticket();
        assert!(
            answers.iter().all(|a| a.ticket() == ticket),
            "one ticket per report"
        );
        // The phone retries wherever it lands: the same answer from either process.
        for api in &desks {
            let again = post_report(&http, api, &report).await;
            assert_eq!((again.status, again.ticket()), (201, ticket.clone()));
        }
        tickets.insert(id, ticket);
    }
    // Gapless and unique across both processes.
    let mut numbers: Vec<u32> = tickets
        .values()
        .map(|t| xinjing_contract::ticket::parse_ticket(t).unwrap().1)
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=120).collect::<Vec<u32>>());

    // A report filed through one is read and answered through the other.
    let (id, ticket) = tickets.iter().next().unwrap();
    for desk in [&a, &b] {
        let status = http
            .get(format!("{}/{ticket}", desk.api()))
            .header("X-Report-Key", id.as_str())
            .send()
            .await
            .unwrap();
        assert_eq!(status.status().as_u16(), 200);
    }
    let mut changed = sample::report(id);
    changed["description"] = json!("同一个编号，另一份内容");
    assert_eq!(post_report(&http, &b.api(), &changed).await.status, 422);
    assert_eq!(post_report(&http, &a.api(), &changed).await.status, 422);

    // A key in flight in one process is in flight for the other.
    let (store, photos) = open_store(&env).await;
    let busy = sample::random_uuid();
    let body = serde_json::to_vec(&sample::report(&busy)).unwrap();
    let hash: String = {
        use sha2::Digest;
        sha2::Sha256::digest(&body)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    store
        .claim_key(&busy, &hash, "process-a", now_ms(), 0)
        .await
        .unwrap();
    assert_eq!(
        post_raw(&http, &b.api(), &busy, body.clone()).await.status,
        409
    );
    assert_eq!(post_raw(&http, &a.api(), &busy, body).await.status, 409);

    // Every photo is in the shared store.
    let mut checked = 0;
    for ticket in tickets.values() {
        let report = store.report_by_ticket(ticket).await.unwrap().unwrap();
        for photo in &report.photos {
            assert_eq!(
                photos.get(&photo.object_key).await.unwrap().len() as i64,
                photo.bytes
            );
            checked += 1;
        }
    }
    assert!(checked >= 30, "{checked}");
    store.close().await;
}

/// What the load clients saw.
#[derive(Default, Clone)]
struct Ledger {
    /// id → (report, ticket) for every 201.
    acknowledged: HashMap<String, (Value, String)>,
    /// Sent without a definite answer (the process died, or asked to retry).
    uncertain: HashMap<String, Value>,
}

async fn load(
    api: String,
    ledger: Arc<Mutex<Ledger>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    seed: u64,
) {
    let http = client();
    let mut n = 0u64;
    while !stop.load(std::sync::atomic::Ordering::SeqCst) {
        n += 1;
        let id = sample::uuid(seed, n);
        let photos = (n % 4) as usize;
        let report = sample::report_with_photos(
            &id,
            photos,
            4000 + (n as usize % 7) * 1000,
            seed * 1000 + n,
        );
        ledger
            .lock()
            .unwrap()
            .uncertain
            .insert(id.clone(), report.clone());
        let result = http
            .post(&api)
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", &id)
            .body(serde_json::to_vec(&report).unwrap())
            .send()
            .await;
        match result {
            Ok(response) if response.status().as_u16() == 201 => {
                let answer = Answer::from(response).await;
                if answer.status == 201 && !answer.text.is_empty() {
                    let mut ledger = ledger.lock().unwrap();
                    ledger.uncertain.remove(&id);
                    ledger.acknowledged.insert(id, (report, answer.ticket()));
                }
            }
            Ok(_) => {}
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
        }
    }
}

/// Checks the database against the ledger: every acknowledged report is there, with its
/// ticket and every photo; whatever else is there was sent and never answered; every
/// stored report is whole; numbers are gapless.
async fn verify(env: &TestEnv, ledger: &Ledger) -> usize {
    let (store, photos) = open_store(env).await;
    let stored = store.tickets().await.unwrap();
    let mut by_day: HashMap<String, Vec<i64>> = HashMap::new();
    let mut seen = HashSet::new();
    for (day, number, ticket) in &stored {
        by_day.entry(day.clone()).or_default().push(*number);
        assert!(seen.insert(ticket.clone()), "duplicate ticket {ticket}");
        let report = store.report_by_ticket(ticket).await.unwrap().unwrap();
        let sent = ledger
            .acknowledged
            .get(&report.id)
            .map(|(r, t)| {
                assert_eq!(t, ticket, "the ticket the phone was given");
                r
            })
            .or_else(|| ledger.uncertain.get(&report.id))
            .unwrap_or_else(|| panic!("{ticket} was never sent"));
        let expected = sent["photos"].as_array().unwrap().len();
        assert_eq!(report.photos.len(), expected, "{ticket} is whole");
        for photo in &report.photos {
            let data = photos
                .get(&photo.object_key)
                .await
                .unwrap_or_else(|e| panic!("{ticket}: photo missing: {e}"));
            assert_eq!(data.len() as i64, photo.bytes);
        }
    }
    for numbers in by_day.values_mut() {
        numbers.sort_unstable();
        assert_eq!(
            *numbers,
            (1..=numbers.len() as i64).collect::<Vec<_>>(),
            "gapless"
        );
    }
    let ids: HashSet<String> = {
        let mut ids = HashSet::new();
        for (_, _, ticket) in &stored {
            ids.insert(store.report_by_ticket(ticket).await.unwrap().unwrap().id);
        }
        ids
    };
    for id in ledger.acknowledged.keys() {
        assert!(ids.contains(id), "acknowledged report {id} is kept");
    }
    store.close().await;
    stored.len()
}

#[tokio::test]
async fn sigkill_under_load_loses_no_acknowledged_report() {
    let env = TestEnv::new().await;
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let mut stored;
    for round in 0..4u64 {
        let mut desk = DeskProcess::spawn(&env, &[]).await;
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let clients: Vec<_> = (0..8)
            .map(|c| {
                tokio::spawn(load(
                    desk.api(),
                    ledger.clone(),
                    stop.clone(),
                    round * 100 + c,
                ))
            })
            .collect();
        // Kill it once it has acknowledged a few more reports, at a varying moment.
        let before = ledger.lock().unwrap().acknowledged.len();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
        while ledger.lock().unwrap().acknowledged.len() < before + 10 + 5 * round as usize {
            assert!(
                tokio::time::Instant::now() < deadline,
                "round {round}: the desk acknowledges reports"
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(37 * round)).await;
        desk.kill().await;
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        for client in clients {
            client.await.unwrap();
        }
        let snapshot = ledger.lock().unwrap().clone();
        stored = verify(&env, &snapshot).await;
        assert!(stored >= snapshot.acknowledged.len(), "round {round}");
    }
    // The phones retry what they never got an answer for: each gets one ticket, and the
    // acknowledged ones get theirs again. A request cut off by the kill left its key
    // claimed: the phone is told 409 until the claim is stale (twice the request
    // time-out, here 1 s, and 5 s), then its retry goes through.
    let desk = DeskProcess::spawn(&env, &[("DESK_REQUEST_TIMEOUT_SECS", "1")]).await;
    let http = client();
    let uncertain: Vec<(String, Value)> = ledger.lock().unwrap().uncertain.drain().collect();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    for (id, report) in uncertain {
        let mut answer = post_report(&http, &desk.api(), &report).await;
        while answer.status == 409 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            answer = post_report(&http, &desk.api(), &report).await;
        }
        let ticket = answer.ticket();
        ledger
            .lock()
            .unwrap()
            .acknowledged
            .insert(id, (report, ticket));
    }
    let acknowledged: Vec<(Value, String)> = ledger
        .lock()
        .unwrap()
        .acknowledged
        .values()
        .cloned()
        .collect();
    for (report, ticket) in acknowledged.iter().take(50) {
        assert_eq!(
            &post_report(&http, &desk.api(), report).await.ticket(),
            ticket
        );
    }
    let snapshot = ledger.lock().unwrap().clone();
    let total = verify(&env, &snapshot).await;
    assert_eq!(total, acknowledged.len());
    eprintln!("crash test: {total} reports over 4 kills");
}

fn cli(env: &TestEnv, args: &[&str], extra: &[(&str, &str)]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_xinjing-desk"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.vars.iter().cloned())
        .envs(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())))
        .output()
        .expect("the desk binary runs")
}

/// A report filed through a running desk, for the shell to act on.
async fn filed_report(env: &TestEnv) -> (DeskProcess, String) {
    let desk = DeskProcess::spawn(env, &[]).await;
    let report = sample::report(&sample::random_uuid());
    let ticket = post_report(&client(), &desk.api(), &report).await.ticket();
    (desk, ticket)
}

#[tokio::test]
async fn a_change_from_the_shell_is_audited_as_cli() {
    let env = TestEnv::new().await;
    let (mut desk, ticket) = filed_report(&env).await;
    let set = cli(&env, &["set-status", &ticket, "in_progress", "已派人"], &[]);
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let (store, _) = open_store(&env).await;
    let audit = store.audit_entries(Some(&ticket), 10, 0).await.unwrap();
    let lines: Vec<_> = audit
        .iter()
        .map(|a| (a.actor.as_str(), a.action.as_str(), a.detail.as_deref()))
        .collect();
    assert_eq!(lines, [("cli", "status", Some("received → in_progress"))]);
    let events = store.events(&ticket).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!(
        (
            last.kind.as_str(),
            last.actor.as_deref(),
            last.public_note.as_deref()
        ),
        ("status", Some("cli"), Some("已派人"))
    );
    store.close().await;
    assert!(desk.terminate().await.success());
}

#[tokio::test]
async fn the_shell_is_refused_what_the_page_refuses() {
    let env = TestEnv::new().await;
    let (mut desk, ticket) = filed_report(&env).await;
    let close = cli(
        &env,
        &[
            "set-status",
            &ticket,
            "resolved",
            "--resolution",
            "explained",
        ],
        &[],
    );
    assert!(
        close.status.success(),
        "{}",
        String::from_utf8_lossy(&close.stderr)
    );
    let back = cli(&env, &["set-status", &ticket, "received"], &[]);
    assert!(!back.status.success());
    let message = String::from_utf8_lossy(&back.stderr);
    assert!(
        message.contains("The report cannot move to this state (resolved → received)"),
        "{message}"
    );
    let (store, _) = open_store(&env).await;
    let kept = store.report_by_ticket(&ticket).await.unwrap().unwrap();
    assert_eq!(kept.status, xinjing_contract::TicketStatus::Resolved);
    let audit = store.audit_entries(Some(&ticket), 10, 0).await.unwrap();
    assert_eq!(audit.len(), 1, "only the change that was made is audited");
    store.close().await;
    assert!(desk.terminate().await.success());
}

#[tokio::test]
async fn a_bad_configuration_stops_the_start_naming_its_key_and_source() {
    let env = TestEnv::new().await;
    let bad = cli(&env, &["serve"], &[("DESK_RATE_LIMIT_BURST", "lots")]);
    assert_eq!(bad.status.code(), Some(2));
    let message = String::from_utf8_lossy(&bad.stderr);
    assert!(
        message.contains("rate_limit_burst") && message.contains("DESK_RATE_LIMIT_BURST"),
        "{message}"
    );
}

#[tokio::test]
async fn the_commands_a_committee_uses() {
    let env = TestEnv::new().await;
    let migrate = cli(&env, &["migrate"], &[]);
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );
    let check = cli(&env, &["check-config"], &[]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(String::from_utf8_lossy(&check.stdout).contains("configuration OK"));

    // A report, answered from the command line.
    let desk = DeskProcess::spawn(&env, &[]).await;
    let id = sample::random_uuid();
    let ticket = post_report(&client(), &desk.api(), &sample::report(&id))
        .await
        .ticket();
    let set = cli(
        &env,
        &[
            "set-status",
            &ticket,
            "resolved",
            "电动车已移走",
            "--resolution",
            "solved",
            "--override",
            "电话确认已移走",
        ],
        &[],
    );
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let status: Value = client()
        .get(format!("{}/{ticket}", desk.api()))
        .header("X-Report-Key", &id)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (status["status"].as_str(), status["note"].as_str()),
        (Some("resolved"), Some("电动车已移走"))
    );
    assert!(
        !cli(&env, &["set-status", "XJ-20200101-0001", "resolved"], &[])
            .status
            .success()
    );
    assert!(!cli(&env, &["set-status", &ticket, "closed"], &[])
        .status
        .success());

    // A backup while it runs: a folder whose SQLite copy opens with the report in it
    // (restoring it, and PostgreSQL's, is `backup.rs`).
    let dir = env.dir.0.join("backup");
    let backup = cli(&env, &["backup", dir.to_str().unwrap()], &[]);
    assert!(
        backup.status.success(),
        "{}",
        String::from_utf8_lossy(&backup.stderr)
    );
    if !on_postgres() {
        let file = dir.join("desk.db");
        let copy = xinjing_desk::store::Store::connect(
            &xinjing_desk::config::Database::Sqlite(format!("sqlite://{}", file.display())),
            1,
            false,
        )
        .await
        .unwrap();
        assert!(copy.report_by_ticket(&ticket).await.unwrap().is_some());
        copy.close().await;
    }
    // Never into a folder that holds something.
    assert!(!cli(&env, &["backup", dir.to_str().unwrap()], &[])
        .status
        .success());
    // SIGTERM: a graceful stop, exit code 0.
    let mut desk = desk;
    assert!(desk.terminate().await.success());
}

#[test]
fn every_command_explains_itself_with_help() {
    let commands: [&[&str]; 10] = [
        &["serve"],
        &["migrate"],
        &["check-config"],
        &["backup"],
        &["restore"],
        &["set-status"],
        &["user"],
        &["user", "add"],
        &["user", "list"],
        &["user", "remove"],
    ];
    for command in commands {
        let help = std::process::Command::new(env!("CARGO_BIN_EXE_xinjing-desk"))
            .args(command)
            .arg("--help")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&help.stdout);
        assert!(help.status.success(), "{command:?}");
        assert!(
            text.contains(&format!("Usage: xinjing-desk {}", command.join(" "))),
            "{command:?}: {text}"
        );
    }
}

#[tokio::test]
async fn serving_without_a_public_url_needs_dev() {
    let env = TestEnv::new().await;
    // Behind a proxy the desk listens on loopback: without public_url its posters, robots
    // and widget would point residents at http://127.0.0.1.
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_xinjing-desk"));
    command
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.vars.iter().cloned())
        .env("DESK_DEV", "false")
        .env("DESK_LISTEN", "127.0.0.1:0")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    let child = command.spawn().expect("the desk binary starts");
    let refused =
        tokio::time::timeout(std::time::Duration::from_secs(20), child.wait_with_output())
            .await
            .expect("the desk refuses to serve instead of running")
            .unwrap();
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains("public_url") && message.contains("--dev"),
        "{message}"
    );
    // `--dev` serves on the bound address, as every other test here does.
    let mut desk = DeskProcess::spawn(&env, &[("DESK_DEV", "false")]).await;
    assert!(desk.url.starts_with("http://127.0.0.1:"), "{}", desk.url);
    assert!(desk.terminate().await.success());
}
