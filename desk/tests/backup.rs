//! Backups that restore (the binary's `backup` and `restore`): a desk backed up while
//! reports keep arriving comes back in a fresh desk with its tickets, its Idempotency-Keys
//! and its photos byte for byte; a changed file or a desk in use is refused.

mod common;

use common::*;
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use xinjing_desk::sample;

fn cli(env: &TestEnv, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_xinjing-desk"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.vars.iter().cloned())
        .output()
        .expect("the desk binary runs")
}

fn succeeded(output: &std::process::Output) -> bool {
    if !output.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    }
    output.status.success()
}

/// Every file under `dir`, with its mode.
fn files(dir: &Path) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
            out.push((path.display().to_string(), mode));
        }
    }
    out
}

/// A report as acknowledged: its key, body and ticket.
type Acked = (String, Value, String);

#[tokio::test]
async fn a_backup_under_load_restores_with_its_tickets_keys_and_photos() {
    let env = TestEnv::new().await;
    let desk = DeskProcess::spawn(&env, &[]).await;
    let http = client();
    let report = |i: u64| {
        let id = sample::random_uuid();
        let body = if i.is_multiple_of(2) {
            sample::report_with_photos(&id, 1 + (i % 3) as usize, 3000, i)
        } else {
            sample::report(&id)
        };
        (id, body)
    };
    let mut before = Vec::new();
    for i in 0..12 {
        let (id, body) = report(i);
        let ticket = post_report(&http, &desk.api(), &body).await.ticket();
        before.push((id, body, ticket));
    }
    // Reports keep arriving while the backup runs (bounded: at most 300).
    let during: Arc<Mutex<Vec<Acked>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let load = {
        let (during, stop, http, api) = (during.clone(), stop.clone(), http.clone(), desk.api());
        tokio::spawn(async move {
            for i in 100..400 {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let (id, body) = report(i);
                let answer = post_report(&http, &api, &body).await;
                if answer.status == 201 {
                    during.lock().unwrap().push((id, body, answer.ticket()));
                }
            }
        })
    };
    let dir = env.dir.0.join("backup");
    let backup = {
        let (vars, dir) = (env.vars.clone(), dir.clone());
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_xinjing-desk"))
                .arg("backup")
                .arg(&dir)
                .env_clear()
                .env("PATH", std::env::var("PATH").unwrap_or_default())
                .envs(vars)
                .output()
                .unwrap()
        })
        .await
        .unwrap()
    };
    stop.store(true, Ordering::SeqCst);
    load.await.unwrap();
    assert!(succeeded(&backup));
    let during = during.lock().unwrap().clone();
    assert!(!during.is_empty(), "no report arrived during the backup");

    // Everything readable by its owner only, and a manifest naming every file.
    let written = files(&dir);
    assert!(
        written.iter().all(|(_, mode)| *mode == 0o600),
        "{written:?}"
    );
    assert_eq!(
        std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
        0o700
    );
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        manifest["files"].as_object().unwrap().len() + 1,
        written.len()
    );

    // A fresh desk's storage, restored while no desk runs on it.
    let fresh = TestEnv::new().await;
    let dir_arg = dir.to_str().unwrap();
    assert!(succeeded(&cli(&fresh, &["restore", dir_arg])));
    // Once it holds reports, only --force replaces them.
    let again = cli(&fresh, &["restore", dir_arg]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert!(succeeded(&cli(&fresh, &["restore", dir_arg, "--force"])));

    let restored = DeskProcess::spawn(&fresh, &[]).await;
    // Replacing the database under a desk that serves it is refused, --force or not.
    let under_a_desk = cli(&fresh, &["restore", dir_arg, "--force"]);
    assert!(!under_a_desk.status.success());
    assert!(
        String::from_utf8_lossy(&under_a_desk.stderr).contains("a desk is serving this database"),
        "{}",
        String::from_utf8_lossy(&under_a_desk.stderr)
    );
    let (old_store, old_photos) = xinjing_desk::app::open_storage(&env.config(&[]))
        .await
        .unwrap();
    let (new_store, new_photos) = xinjing_desk::app::open_storage(&fresh.config(&[]))
        .await
        .unwrap();
    // Acknowledged before the backup: all there. During it: those the copy holds.
    let mut replayed = 0;
    for (id, body, ticket) in before.iter().chain(&during) {
        let kept = new_store.report_by_ticket(ticket).await.unwrap();
        if kept.is_none() {
            assert!(during.iter().any(|(d, _, _)| d == id), "{ticket} lost");
            continue;
        }
        let answer = post_report(&http, &restored.api(), body).await;
        assert_eq!(answer.status, 201, "{}", answer.text);
        assert_eq!(answer.ticket(), *ticket);
        assert!(
            answer.header("idempotent-replayed").is_some(),
            "{ticket}: a replay"
        );
        let original = old_store.report_by_ticket(ticket).await.unwrap().unwrap();
        assert_eq!(
            original.photos.len(),
            body["photos"].as_array().unwrap().len()
        );
        for photo in &original.photos {
            let key = &photo.object_key;
            let (a, b) = (
                old_photos.get(key).await.unwrap(),
                new_photos.get(key).await,
            );
            assert_eq!(a, b.unwrap_or_else(|e| panic!("{key}: {e}")), "{key}");
        }
        replayed += 1;
    }
    assert!(replayed >= before.len(), "{replayed}");
    old_store.close().await;
    new_store.close().await;

    // A photo changed after the backup: nothing is restored.
    let photo = written
        .iter()
        .map(|(p, _)| p)
        .find(|p| p.ends_with(".jpg"))
        .unwrap();
    let mut bytes = std::fs::read(photo).unwrap();
    let last = bytes.len() - 3;
    bytes[last] ^= 0xff;
    std::fs::write(photo, bytes).unwrap();
    let third = TestEnv::new().await;
    let refused = cli(&third, &["restore", dir_arg]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("SHA-256"));
    let (store, _) = xinjing_desk::app::open_storage(&third.config(&[]))
        .await
        .unwrap();
    assert!(store.is_empty().await.unwrap());
    store.close().await;
}

/// The sessions holding the desk's advisory lock on this database (PostgreSQL).
async fn lock_holders(pool: &sqlx::AnyPool) -> Vec<i64> {
    sqlx::query_scalar(
        "SELECT CAST(pid AS BIGINT) FROM pg_locks WHERE locktype = 'advisory' AND granted \
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_desk_whose_lock_session_ends_takes_the_lock_again() {
    let env = TestEnv::new().await;
    if !env.database_url.starts_with("postgres") {
        return; // SQLite's file lock lives as long as the process
    }
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&env.database_url).await.unwrap();
    let desk = DeskProcess::spawn(&env, &[]).await;
    let first = lock_holders(&pool).await;
    assert_eq!(first.len(), 1, "{first:?}");
    // The server ends that session (a restart, a dropped link, an admin).
    sqlx::query("SELECT pg_terminate_backend(CAST($1 AS INTEGER))")
        .bind(first[0])
        .execute(&pool)
        .await
        .unwrap();
    // The desk notices and holds the lock again, on a new session.
    let mut holders = Vec::new();
    for _ in 0..200 {
        holders = lock_holders(&pool).await;
        if holders.len() == 1 && holders[0] != first[0] {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(holders.len() == 1 && holders[0] != first[0], "{holders:?}");
    let dir = env.dir.0.join("backup");
    assert!(succeeded(&cli(&env, &["backup", dir.to_str().unwrap()])));
    let refused = cli(&env, &["restore", dir.to_str().unwrap(), "--force"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("a desk is serving this database"));
    drop(desk); // killed on drop
    pool.close().await;
}
