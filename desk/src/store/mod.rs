//! The database, behind one portable query set: the same SQL runs on SQLite (the default,
//! one file in WAL mode) and PostgreSQL (a district), through sqlx's `Any` driver. The
//! migrations in `desk/migrations/` are compiled into the binary.
//!
//! On SQLite every write goes through one connection (writers queue in the pool instead of
//! spinning on the file lock); reads use their own connections. On PostgreSQL both are the
//! same pool and row locks order the writers.

use crate::config::Database;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::AnyPool;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;
use xinjing_contract::TicketStatus;

mod campaigns;
mod change;
mod committer;
mod desk;
mod desk_report;
mod erasure;
mod events;
mod filing;
mod idempotency;
mod ladder;
mod migrations;
mod overview;
mod posters;
mod progress;
mod rechecks;
mod rectification;
mod report;
mod resolution;
mod rows;
mod running;
mod secrets;
pub mod staff;
mod stats;
mod stats_daily;
mod task_changes;
mod tasks;
mod units;
pub use campaigns::*;
pub use change::*;
pub use desk::*;
pub use desk_report::*;
pub use erasure::*;
pub use filing::*;
pub use idempotency::*;
pub use ladder::*;
pub use migrations::migrator;
pub use overview::*;
pub use progress::TaskProgress;
pub use rechecks::*;
pub use report::*;
pub use resolution::Resolution;
pub use running::{Hold, Running, RunningError};
pub use task_changes::*;
pub use tasks::*;
pub use units::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    // Database errors can quote row values (a phone number in a constraint message).
    #[error("database: {}", crate::redact::mask_digits(&.0.to_string()))]
    Db(#[source] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Another request took over this Idempotency-Key (ours was presumed dead).
    #[error("the Idempotency-Key was taken over")]
    ClaimLost,
    /// The report exists already (a replay whose key record has expired).
    #[error("the report exists already")]
    Duplicate,
    #[error("{0}")]
    Unsupported(&'static str),
    #[error("file: {0}")]
    Io(#[source] std::io::Error),
    /// A code the desk does not know in a row (a state, a role): never read as a default.
    #[error("unknown {what} {code:?} in the database")]
    UnknownCode { what: &'static str, code: String },
}

/// A row's unknown code reaches us through sqlx as a column that failed to decode (see
/// `rows`): it is taken out again, so it stays [`StoreError::UnknownCode`].
impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        match e {
            sqlx::Error::ColumnDecode { index, source } => match source.downcast::<StoreError>() {
                Ok(inner) => *inner,
                Err(source) => StoreError::Db(sqlx::Error::ColumnDecode { index, source }),
            },
            e => StoreError::Db(e),
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Clone)]
pub struct Store {
    write: AnyPool,
    read: AnyPool,
    backend: Backend,
    /// Claims and reports are committed in groups (see `committer`).
    committer: committer::Committer,
    figure_limits: std::sync::Arc<stats_daily::FigureLimits>,
}

/// The SQLite URL with `mode=rwc`, so a missing file is created.
fn sqlite_url(url: &str) -> String {
    if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// The file of an SQLite URL (`None` for an in-memory database).
fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or(url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && !path.starts_with(":memory:")).then_some(path)
}

/// Creates an empty file only its owner can read (SQLite gives its WAL the same mode), if
/// it does not exist yet: residents' contact details are in it.
pub fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Every SQLite connection: WAL (readers never wait for the writer), the chosen flush
/// level, a wait instead of an error when another process holds the lock, and deleted
/// content overwritten with zeros (erased contact details must not stay in free pages).
fn sqlite_pragmas<'c>(
    conn: &'c mut sqlx::AnyConnection,
    synchronous: &'static str,
) -> futures_util::future::BoxFuture<'c, sqlx::Result<()>> {
    Box::pin(async move {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = {synchronous}; \
             PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; \
             PRAGMA secure_delete = ON;"
        )))
        .execute(conn)
        .await?;
        Ok(())
    })
}

impl Store {
    /// Connects (creating an SQLite file if needed). Does not migrate.
    pub async fn connect(database: &Database, max_connections: u32, fsync: bool) -> Result<Store> {
        sqlx::any::install_default_drivers();
        match database {
            Database::Sqlite(url) => {
                if let Some(path) = sqlite_path(url) {
                    create_private(Path::new(path)).map_err(StoreError::Io)?;
                }
                let options = AnyConnectOptions::from_str(&sqlite_url(url))?;
                let synchronous: &'static str = if fsync { "FULL" } else { "NORMAL" };
                let write = AnyPoolOptions::new()
                    .max_connections(1)
                    .min_connections(1)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(move |conn, _| sqlite_pragmas(conn, synchronous))
                    .connect_with(options.clone())
                    .await?;
                let read = AnyPoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(move |conn, _| sqlite_pragmas(conn, synchronous))
                    .connect_with(options)
                    .await?;
                let figure_limits = std::sync::Arc::default();
                let committer = committer::Committer::spawn(
                    write.clone(),
                    Backend::Sqlite,
                    std::sync::Arc::clone(&figure_limits),
                );
                Ok(Store {
                    write,
                    read,
                    backend: Backend::Sqlite,
                    committer,
                    figure_limits,
                })
            }
            Database::Postgres(url) => {
                let pool = AnyPoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect(url)
                    .await?;
                let figure_limits = std::sync::Arc::default();
                let committer = committer::Committer::spawn(
                    pool.clone(),
                    Backend::Postgres,
                    std::sync::Arc::clone(&figure_limits),
                );
                Ok(Store {
                    write: pool.clone(),
                    read: pool,
                    backend: Backend::Postgres,
                    committer,
                    figure_limits,
                })
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Jobs waiting for the group committer or being committed (the metrics).
    pub fn committer_depth(&self) -> usize {
        self.committer.depth()
    }

    /// Each pool's name, connections in use and connections open (the metrics). SQLite
    /// has a writer and readers; PostgreSQL one pool for both.
    pub fn pools(&self) -> Vec<(&'static str, u32, u32)> {
        let usage = |pool: &AnyPool| {
            let open = pool.size();
            (open.saturating_sub(pool.num_idle() as u32), open)
        };
        match self.backend {
            Backend::Sqlite => {
                let ((w, wo), (r, ro)) = (usage(&self.write), usage(&self.read));
                vec![("write", w, wo), ("read", r, ro)]
            }
            Backend::Postgres => {
                let (n, open) = usage(&self.write);
                vec![("shared", n, open)]
            }
        }
    }

    /// The pool reads go through (the notifier's outbox queries).
    pub(crate) fn read_pool(&self) -> &AnyPool {
        &self.read
    }

    /// The pool single writes go through (on SQLite, the one writer connection).
    pub(crate) fn write_pool(&self) -> &AnyPool {
        &self.write
    }

    /// Applies the migrations not applied yet (PostgreSQL: under an advisory lock, so
    /// several desks starting at once migrate once).
    pub async fn migrate(&self) -> Result<()> {
        migrator()
            .run(&self.write)
            .await
            .map_err(StoreError::Migrate)
    }

    /// No report and no staff account: what a restore may overwrite without `--force`
    /// (a fresh desk has seeded campaigns, which a restore replaces).
    pub async fn is_empty(&self) -> Result<bool> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM reports) + (SELECT COUNT(*) FROM staff_accounts) AS n",
        )
        .fetch_one(&self.read)
        .await?;
        Ok(sqlx::Row::try_get::<i64, _>(&row, "n")? == 0)
    }

    /// The database server's time (ms since the epoch), which every desk on it shares. An
    /// SQLite file is on this machine, whose clock every desk on it reads already.
    pub async fn db_now_ms(&self) -> Result<i64> {
        match self.backend {
            Backend::Sqlite => Ok(crate::clock::Clock::now_ms(&crate::clock::SystemClock)),
            Backend::Postgres => Ok(sqlx::query_scalar(
                "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)",
            )
            .fetch_one(&self.read)
            .await?),
        }
    }

    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }

    /// A write transaction (also the notifier's outbox).
    pub(crate) async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            // Take the write lock at once rather than upgrading a read snapshot later.
            Backend::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.write.begin().await?,
        })
    }

    /// A consistent copy of the database in one file (SQLite's `VACUUM INTO`).
    pub async fn backup(&self, file: &str) -> Result<()> {
        match self.backend {
            Backend::Sqlite => {
                // VACUUM INTO accepts an empty file, and keeps its mode.
                create_private(Path::new(file)).map_err(StoreError::Io)?;
                sqlx::query("VACUUM INTO $1")
                    .bind(file)
                    .execute(&self.read)
                    .await?;
                Ok(())
            }
            Backend::Postgres => Err(StoreError::Unsupported(
                "PostgreSQL: back up with pg_dump (see `xinjing-desk backup --help`)",
            )),
        }
    }
}

/// A report's state as stored; an unknown code is an error, never read as `received`.
pub(crate) fn status_from(code: &str) -> Result<TicketStatus> {
    TicketStatus::from_code(code).ok_or_else(|| StoreError::UnknownCode {
        what: "state",
        code: code.to_owned(),
    })
}

/// An account's role as stored; an unknown code is an error, never read as `staff`.
pub(crate) fn role_from(code: String) -> Result<String> {
    match code.as_str() {
        "admin" | "staff" | "town" | "unit" => Ok(code),
        _ => Err(StoreError::UnknownCode { what: "role", code }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The list above is written by hand (no build-time macro); a file added to
    /// `desk/migrations/` and not to the list would never run.
    #[test]
    fn every_migration_file_is_in_the_list() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "sql"))
            .map(|path| {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read_to_string(&path).unwrap())
            })
            .collect();
        files.sort();
        let listed: Vec<(String, String)> = migrator()
            .iter()
            .map(|m| {
                let name = format!("{:04}_{}.sql", m.version, m.description);
                (name, m.sql.as_str().to_owned())
            })
            .collect();
        assert_eq!(listed, files);
    }
}
