//! Test support: a fresh database and photo store per test, on the backend the environment
//! names, and desks started in-process (or as processes) on port 0.
//!
//! - `DESK_TEST_PG=postgres://user:pass@127.0.0.1/db` runs every test on PostgreSQL: each
//!   test creates its own database (the role needs CREATEDB) and drops it. Unreachable is a
//!   failure, never a skip.
//! - `DESK_TEST_S3=http://127.0.0.1:PORT` keeps the photos in the bucket `desk-test` of that
//!   S3-compatible server (credentials test/test), under a prefix per test.
//! - Neither: SQLite in a temporary folder, photos in a folder beside it.
#![allow(dead_code)]

pub mod qr;
pub mod staff;

use serde_json::Value;
use sqlx::Executor;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use xinjing_desk::clock::{Clock, FakeClock, SystemClock};
use xinjing_desk::config::Config;
use xinjing_desk::Desk;

pub const BUCKET: &str = "desk-test";

pub fn init_logs() {
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_test_writer()
        .try_init();
}

/// A folder removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "xinjing-desk-{tag}-{}",
            xinjing_desk::sample::random_uuid()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn on_postgres() -> bool {
    std::env::var("DESK_TEST_PG").is_ok_and(|v| !v.is_empty())
}

pub fn on_s3() -> Option<String> {
    std::env::var("DESK_TEST_S3").ok().filter(|v| !v.is_empty())
}

/// One test's storage: a database and a photo store of its own.
pub struct TestEnv {
    pub dir: TempDir,
    pub database_url: String,
    pg_drop: Option<(String, String)>,
    pub vars: Vec<(String, String)>,
}

fn with_database(admin_url: &str, name: &str) -> String {
    let (base, query) = admin_url
        .split_once('?')
        .map_or((admin_url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut url = format!("{}/{name}", &base[..path_start]);
    if let Some(q) = query {
        url.push('?');
        url.push_str(q);
    }
    url
}

async fn admin_pool(admin_url: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::pool::PoolOptions::<sqlx::Any>::new()
        .max_connections(1)
        .acquire_timeout(std::time::Duration::from_secs(10))
        .connect(admin_url)
        .await
        .unwrap_or_else(|e| panic!("DESK_TEST_PG is set but PostgreSQL cannot be reached: {e}"))
}

impl TestEnv {
    pub async fn new() -> TestEnv {
        init_logs();
        let dir = TempDir::new("test");
        let mut pg_drop = None;
        let database_url = match std::env::var("DESK_TEST_PG").ok().filter(|v| !v.is_empty()) {
            Some(admin) => {
                let name = format!(
                    "desk_t_{}",
                    xinjing_desk::sample::random_uuid().replace('-', "")[..16].to_owned()
                );
                let pool = admin_pool(&admin).await;
                pool.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .await
                    .unwrap();
                pool.close().await;
                pg_drop = Some((admin.clone(), name.clone()));
                with_database(&admin, &name)
            }
            None => format!("sqlite://{}", dir.0.join("desk.db").display()),
        };
        let mut vars = vec![
            ("DESK_LISTEN".to_owned(), "127.0.0.1:0".to_owned()),
            ("DATABASE_URL".to_owned(), database_url.clone()),
            ("DESK_RATE_LIMIT_PER_MINUTE".to_owned(), "0".to_owned()),
            ("DESK_INTAKE_PER_MINUTE".to_owned(), "0".to_owned()),
            ("DESK_LOG".to_owned(), "warn".to_owned()),
            // The desk on loopback under test: its own address is its public URL.
            ("DESK_DEV".to_owned(), "true".to_owned()),
        ];
        match on_s3() {
            Some(endpoint) => {
                let prefix = xinjing_desk::sample::random_uuid();
                vars.extend([
                    ("DESK_PHOTOS".to_owned(), format!("s3://{BUCKET}/{prefix}")),
                    ("DESK_S3_ENDPOINT".to_owned(), endpoint),
                    ("DESK_S3_ALLOW_HTTP".to_owned(), "true".to_owned()),
                    ("DESK_S3_ACCESS_KEY_ID".to_owned(), "test".to_owned()),
                    ("DESK_S3_SECRET_ACCESS_KEY".to_owned(), "test".to_owned()),
                    ("DESK_S3_REGION".to_owned(), "us-east-1".to_owned()),
                ]);
            }
            None => vars.push((
                "DESK_PHOTOS".to_owned(),
                dir.0.join("photos").display().to_string(),
            )),
        }
        TestEnv {
            dir,
            database_url,
            pg_drop,
            vars,
        }
    }

    /// The configuration with these variables set on top of the test's own.
    pub fn config(&self, extra: &[(&str, &str)]) -> Config {
        let mut map: HashMap<String, String> = self.vars.iter().cloned().collect();
        for (k, v) in extra {
            map.insert((*k).to_owned(), (*v).to_owned());
        }
        Config::from_sources(None, &|name| map.get(name).cloned()).expect("test configuration")
    }

    /// The configuration from a TOML file's text (as `DESK_CONFIG` names one) and these
    /// variables on top of the test's own. The file is also written to `desk.toml` in the
    /// test's folder, for the binary.
    pub fn config_with_file(&self, toml: &str, extra: &[(&str, &str)]) -> Config {
        let mut map: HashMap<String, String> = self.vars.iter().cloned().collect();
        for (k, v) in extra {
            map.insert((*k).to_owned(), (*v).to_owned());
        }
        let path = self.config_path();
        std::fs::write(&path, toml).unwrap();
        Config::from_sources(Some((&path, toml)), &|name| map.get(name).cloned())
            .expect("test configuration")
    }

    /// Where `config_with_file` writes the file.
    pub fn config_path(&self) -> PathBuf {
        self.dir.0.join("desk.toml")
    }

    /// A desk on a fake clock, configured by a TOML file and variables.
    pub async fn start_fake_with_file(
        &self,
        toml: &str,
        extra: &[(&str, &str)],
        at_ms: i64,
    ) -> (TestDesk, FakeClock) {
        let clock = FakeClock::at(at_ms);
        let config = self.config_with_file(toml, extra);
        let desk = xinjing_desk::start(config, Arc::new(clock.clone()))
            .await
            .expect("desk starts");
        (TestDesk::new(desk), clock)
    }

    pub async fn start(&self, extra: &[(&str, &str)]) -> TestDesk {
        self.start_with_clock(extra, Arc::new(SystemClock)).await
    }

    pub async fn start_with_clock(
        &self,
        extra: &[(&str, &str)],
        clock: Arc<dyn Clock>,
    ) -> TestDesk {
        let desk = xinjing_desk::start(self.config(extra), clock)
            .await
            .expect("desk starts");
        TestDesk::new(desk)
    }

    pub async fn start_fake(&self, extra: &[(&str, &str)], at_ms: i64) -> (TestDesk, FakeClock) {
        let clock = FakeClock::at(at_ms);
        (
            self.start_with_clock(extra, Arc::new(clock.clone())).await,
            clock,
        )
    }
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg_drop.take() {
            // Drop runs outside async: a small runtime of its own on another thread.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    let pool = admin_pool(&admin).await;
                    let _ = pool
                        .execute(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        )))
                        .await;
                    pool.close().await;
                });
            })
            .join();
        }
    }
}

/// A desk started in-process, and an HTTP client for it.
pub struct TestDesk {
    pub desk: Option<Desk>,
    pub url: String,
    pub http: reqwest::Client,
}

impl TestDesk {
    pub fn new(desk: Desk) -> TestDesk {
        let url = desk.url();
        TestDesk {
            desk: Some(desk),
            url,
            http: client(),
        }
    }

    pub fn desk(&self) -> &Desk {
        self.desk.as_ref().unwrap()
    }

    pub fn state(&self) -> &xinjing_desk::AppState {
        &self.desk().state
    }

    pub async fn stop(mut self) {
        if let Some(desk) = self.desk.take() {
            desk.stop().await;
        }
    }

    pub fn api(&self) -> String {
        format!("{}/api/v1/reports", self.url)
    }

    pub async fn post(&self, report: &Value) -> Answer {
        post_report(&self.http, &self.api(), report).await
    }

    /// Changes a report by the one path staff use (the pages' `apply_change`); the change
    /// must fit the report's state.
    pub async fn change(&self, ticket: &str, change: xinjing_desk::store::Change, at: i64) {
        let applied = self
            .state()
            .store
            .apply_change(ticket, &change, "staff:test", None, at)
            .await
            .unwrap();
        assert_eq!(applied, xinjing_desk::store::Applied::Done, "{change:?}");
    }

    /// A change of state with a note for the resident, as staff make it.
    pub async fn set_status(
        &self,
        ticket: &str,
        status: xinjing_contract::TicketStatus,
        public_note: &str,
        at: i64,
    ) {
        // Staff choose how a report was resolved; here it was solved.
        let resolution = (status == xinjing_contract::TicketStatus::Resolved)
            .then_some(xinjing_desk::store::Resolution::Solved);
        let change = xinjing_desk::store::Change::Status {
            status,
            resolution,
            public_note: public_note.into(),
            internal_note: None,
            override_reason: Some("测试：社区当场处理".into()),
        };
        self.change(ticket, change, at).await
    }

    pub async fn status(&self, ticket: &str, key: Option<&str>) -> Answer {
        let mut req = self.http.get(format!("{}/{ticket}", self.api()));
        if let Some(key) = key {
            req = req.header("X-Report-Key", key);
        }
        Answer::from(req.send().await.unwrap()).await
    }
}

pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(64)
        .build()
        .unwrap()
}

/// An answer, read whole.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Answer {
    pub async fn from(response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        Answer {
            status,
            headers,
            text,
        }
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn ticket(&self) -> String {
        assert_eq!(self.status, 201, "{}", self.text);
        self.json()["ticket"].as_str().unwrap().to_owned()
    }

    /// The error body without its `ref` (which differs from request to request).
    pub fn error_without_ref(&self) -> xinjing_contract::ErrorBody {
        let mut body: xinjing_contract::ErrorBody =
            serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text));
        let reference = body.error.reference.take();
        assert!(reference.is_some_and(|r| r.len() == 8), "{}", self.text);
        body
    }

    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

pub async fn post_report(http: &reqwest::Client, api: &str, report: &Value) -> Answer {
    post_raw(
        http,
        api,
        report["id"].as_str().unwrap_or(""),
        serde_json::to_vec(report).unwrap(),
    )
    .await
}

pub async fn post_raw(http: &reqwest::Client, api: &str, key: &str, body: Vec<u8>) -> Answer {
    let response = http
        .post(api)
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", key)
        .body(body)
        .send()
        .await
        .unwrap();
    Answer::from(response).await
}

/// Writes to the desk's database behind its back: a row no release of the desk would write.
pub async fn corrupt(env: &TestEnv, sql: &'static str, value: &str) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&env.database_url).await.unwrap();
    sqlx::query(sql)
        .bind(value.to_owned())
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

/// Today in Shanghai as the desk numbers tickets: `YYYYMMDD`.
pub fn ticket_day(ms: i64) -> String {
    xinjing_contract::time::Date::in_shanghai(ms as f64)
        .to_string()
        .replace('-', "")
}

pub fn now_ms() -> i64 {
    SystemClock.now_ms()
}

/// A minimal widget build for serving tests.
pub fn fake_dist(dir: &Path, config: Value) -> PathBuf {
    let dist = dir.join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>新泾安全随手报</title>",
    )
    .unwrap();
    std::fs::write(dist.join("config.json"), config.to_string()).unwrap();
    std::fs::write(dist.join("app.js"), "console.log('hi')").unwrap();
    dist
}

/// `xinjing-desk serve` as a process of its own, on the test's storage.
pub struct DeskProcess {
    pub child: tokio::process::Child,
    pub url: String,
    /// `http://ADDR/metrics` when `DESK_METRICS_LISTEN` was given.
    pub metrics_url: Option<String>,
    /// Its JSON log lines, as they come.
    pub log: Arc<std::sync::Mutex<Vec<Value>>>,
}

impl DeskProcess {
    pub async fn spawn(env: &TestEnv, extra: &[(&str, &str)]) -> DeskProcess {
        use tokio::io::AsyncBufReadExt;
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_xinjing-desk"));
        command
            .args(["serve", "--dev"])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(env.vars.iter().cloned())
            .env("DESK_LOG", "info")
            .env("DESK_LOG_FORMAT", "json")
            .envs(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn().expect("the desk binary starts");
        let mut lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
        let deadline = std::time::Duration::from_secs(30);
        let (url, metrics_url) = tokio::time::timeout(deadline, async {
            while let Some(line) = lines.next_line().await.unwrap() {
                let Ok(entry) = serde_json::from_str::<Value>(&line) else {
                    continue;
                };
                if entry["fields"]["message"] == "desk listening" {
                    let metrics = entry["fields"]["metrics"].as_str().unwrap_or("");
                    return (
                        format!("http://{}", entry["fields"]["addr"].as_str().unwrap()),
                        (!metrics.is_empty()).then(|| format!("http://{metrics}/metrics")),
                    );
                }
            }
            panic!("the desk exited before listening");
        })
        .await
        .expect("the desk listens within 30 s");
        // Keep reading its log so it never blocks on a full pipe.
        let log = Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = log.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Ok(entry) = serde_json::from_str::<Value>(&line) {
                    kept.lock().unwrap().push(entry);
                }
            }
        });
        DeskProcess {
            child,
            url,
            metrics_url,
            log,
        }
    }

    pub fn api(&self) -> String {
        format!("{}/api/v1/reports", self.url)
    }

    /// SIGKILL: no chance to finish anything.
    pub async fn kill(&mut self) {
        self.child.start_kill().unwrap();
        self.child.wait().await.unwrap();
    }

    /// SIGTERM, then wait for the graceful stop.
    pub async fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().unwrap();
        std::process::Command::new("kill")
            .arg("-TERM")
            .arg(pid.to_string())
            .status()
            .unwrap();
        self.child.wait().await.unwrap()
    }
}
