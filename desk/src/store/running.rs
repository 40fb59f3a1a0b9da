//! "A desk is serving this database": each serving desk holds a shared lock on it, and
//! `restore`, which replaces the database under it, takes the lock alone or refuses. On
//! SQLite a file lock beside the database; on PostgreSQL an advisory lock, which the server
//! drops with the holding connection, so a killed desk never leaves a stale one.

use super::{sqlite_path, Store, StoreError};
use crate::config::Database;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::PathBuf;

/// The advisory lock's number ("xinjing" in ASCII), the same for every desk.
const PG_KEY: i64 = 0x0078_696e_6a69_6e67;

/// Serving shares the lock with other desks; restoring needs it alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hold {
    Serve,
    Restore,
}

/// Held while the desk serves or restores; dropping it lets go.
#[derive(Debug)]
pub enum Running {
    File(File),
    Postgres(PgHold),
    /// An in-memory database: nothing else can open it.
    Alone,
}

/// How often the session holding the PostgreSQL lock is checked: a server restart or a
/// dropped link ends it, and the lock with it, without a word.
const KEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// The task that holds the PostgreSQL lock's session, and takes the lock again on a new
/// one when it ends. Dropped, it ends the session, which lets go of the lock.
#[derive(Debug)]
pub struct PgHold {
    task: tokio::task::JoinHandle<()>,
}

impl Drop for PgHold {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn keep(store: Store, mut conn: sqlx::AnyConnection, hold: Hold) {
    loop {
        tokio::time::sleep(KEEP_EVERY).await;
        if sqlx::query("SELECT 1").execute(&mut conn).await.is_ok() {
            continue;
        }
        tracing::error!("the database session holding the desk's lock ended: taking it again");
        match store.take_pg(hold).await {
            Ok(new) => conn = new,
            Err(e) => tracing::error!(error = %e, "cannot take the desk's lock again"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RunningError {
    #[error(
        "a desk is serving this database: stop it (systemctl stop xinjing-desk) and restore again"
    )]
    Serving,
    #[error("a restore is under way on this database: start the desk when it has finished")]
    Restoring,
    #[error("{}: cannot lock: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl RunningError {
    fn taken(hold: Hold) -> RunningError {
        match hold {
            Hold::Serve => RunningError::Restoring,
            Hold::Restore => RunningError::Serving,
        }
    }
}

impl Store {
    /// Takes the lock as `hold` says, without waiting.
    pub async fn hold(&self, database: &Database, hold: Hold) -> Result<Running, RunningError> {
        match database {
            Database::Sqlite(url) => {
                let Some(path) = sqlite_path(url) else {
                    return Ok(Running::Alone);
                };
                let path = PathBuf::from(format!("{path}.running"));
                let io = |source| RunningError::Io {
                    path: path.clone(),
                    source,
                };
                let file = OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(&path)
                    .map_err(io)?;
                let locked = match hold {
                    Hold::Serve => file.try_lock_shared(),
                    Hold::Restore => file.try_lock(),
                };
                match locked {
                    Ok(()) => Ok(Running::File(file)),
                    Err(TryLockError::WouldBlock) => Err(RunningError::taken(hold)),
                    Err(TryLockError::Error(e)) => Err(io(e)),
                }
            }
            Database::Postgres(_) => {
                let conn = self.take_pg(hold).await?;
                let task = tokio::spawn(keep(self.clone(), conn, hold));
                Ok(Running::Postgres(PgHold { task }))
            }
        }
    }

    /// A session of its own (out of the pool) holding the advisory lock as `hold` says.
    async fn take_pg(&self, hold: Hold) -> Result<sqlx::AnyConnection, RunningError> {
        let mut conn = self
            .write
            .acquire()
            .await
            .map_err(StoreError::from)?
            .detach();
        let sql = match hold {
            Hold::Serve => "SELECT pg_try_advisory_lock_shared($1)",
            Hold::Restore => "SELECT pg_try_advisory_lock($1)",
        };
        let got: bool = sqlx::query_scalar(sql)
            .bind(PG_KEY)
            .fetch_one(&mut conn)
            .await
            .map_err(StoreError::from)?;
        if got {
            Ok(conn)
        } else {
            Err(RunningError::taken(hold))
        }
    }
}
