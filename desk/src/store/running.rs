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
    Postgres(sqlx::AnyConnection),
    /// An in-memory database: nothing else can open it.
    Alone,
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
                    Ok(Running::Postgres(conn))
                } else {
                    Err(RunningError::taken(hold))
                }
            }
        }
    }
}
