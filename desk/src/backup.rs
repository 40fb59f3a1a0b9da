//! Backups that restore: the database and the photos in one folder, with a manifest that
//! holds every file's SHA-256. SQLite is copied with `VACUUM INTO`, PostgreSQL with
//! `pg_dump --format=custom` (Debian's client tools) and restored with `pg_restore`; the
//! photos, from a folder or a bucket, are copied as files.
//!
//! The database is copied first, the photos after: a report is committed only once its
//! photos are stored, so every report in the copy finds its photos in the later listing
//! (reports that arrive meanwhile may leave photos without a report, which retention
//! removes after a day).

use crate::app::{open_storage, open_storage_held, StartError};
use crate::config::{Config, Database};
use crate::photos::PhotoError;
use crate::store::Hold;
use crate::store::StoreError;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

pub const MANIFEST: &str = "manifest.json";
const FORMAT: u32 = 1;
const SQLITE_FILE: &str = "desk.db";
const PG_FILE: &str = "desk.pgdump";
const PHOTOS_DIR: &str = "photos";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{}: exists and is not empty: name a new folder", .0.display())]
    FolderNotEmpty(PathBuf),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Start(#[from] StartError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Photos(#[from] PhotoError),
    #[error("{tool} failed (is Debian's postgresql-client installed?): {detail}")]
    Tool { tool: &'static str, detail: String },
    #[error("{}: not a backup of the desk (no readable {MANIFEST}: {detail})", dir.display())]
    Manifest { dir: PathBuf, detail: String },
    #[error("{file}: missing or changed since the backup (its SHA-256 differs from the manifest's); nothing was restored")]
    Checksum { file: String },
    #[error("the backup holds a {found} database but this desk uses {wanted}")]
    Backend { found: String, wanted: String },
    #[error("the database already holds reports or accounts: stop the desk and add --force to replace it")]
    DatabaseNotEmpty,
}

type Result<T> = std::result::Result<T, BackupError>;

/// What a backup holds: its database file and every file's checksum and size.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub created_at_ms: i64,
    /// `sqlite` or `postgres`.
    pub backend: String,
    pub database: String,
    /// Path inside the backup folder → its SHA-256 and size.
    pub files: BTreeMap<String, FileSum>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct FileSum {
    pub sha256: String,
    pub bytes: u64,
}

impl FileSum {
    fn of(data: &[u8]) -> FileSum {
        FileSum {
            sha256: Sha256::digest(data)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            bytes: data.len() as u64,
        }
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_owned(),
        source,
    }
}

fn backend_name(database: &Database) -> &'static str {
    match database {
        Database::Sqlite(_) => "sqlite",
        Database::Postgres(_) => "postgres",
    }
}

/// Writes a file readable by its owner only (contact details are in the database).
fn write_private(path: &Path, data: &[u8]) -> Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io(path))?;
    file.write_all(data).map_err(io(path))?;
    file.sync_all().map_err(io(path))
}

/// `xinjing-desk backup DIR`: a new (or empty) folder, mode 0700, files 0600.
pub async fn backup(config: &Config, dir: &Path, now_ms: i64) -> Result<Manifest> {
    if std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(BackupError::FolderNotEmpty(dir.to_owned()));
    }
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io(dir))?;
    let (store, photos) = open_storage(config).await?;
    let database = match &config.database {
        Database::Sqlite(_) => {
            let file = dir.join(SQLITE_FILE);
            store.backup(&file.to_string_lossy()).await?;
            SQLITE_FILE
        }
        Database::Postgres(url) => {
            let file = dir.join(PG_FILE);
            let mut dump = pg_command("pg_dump", url);
            dump.args(["--format=custom", "--no-owner", "--file"])
                .arg(&file);
            run(dump, "pg_dump").await?;
            PG_FILE
        }
    };
    let database_path = dir.join(database);
    // The database tool wrote it with the default umask; the folder is 0700 meanwhile.
    std::fs::set_permissions(&database_path, std::fs::Permissions::from_mode(0o600))
        .map_err(io(&database_path))?;
    let data = std::fs::read(&database_path).map_err(io(&database_path))?;
    let mut files = BTreeMap::from([(database.to_owned(), FileSum::of(&data))]);
    for object in photos.list().await? {
        let data = match photos.get(&object.key).await {
            Ok(data) => data,
            // Gone since the listing (a file being written, retention): not in the copy.
            Err(PhotoError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(PhotoError::Bucket(object_store::Error::NotFound { .. })) => continue,
            Err(e) => return Err(e.into()),
        };
        if object.key.split('/').any(|part| part.starts_with('.')) {
            continue;
        }
        let name = format!("{PHOTOS_DIR}/{}", object.key);
        write_private(&dir.join(&name), &data)?;
        files.insert(name, FileSum::of(&data));
    }
    store.close().await;
    let manifest = Manifest {
        format: FORMAT,
        created_at_ms: now_ms,
        backend: backend_name(&config.database).to_owned(),
        database: database.to_owned(),
        files,
    };
    // Written last: a folder without it is an interrupted backup, which restore refuses.
    let text = serde_json::to_vec_pretty(&manifest).expect("a manifest serializes");
    write_private(&dir.join(MANIFEST), &text)?;
    Ok(manifest)
}

/// Reads the manifest and checks every file it names, before anything is changed.
pub fn verify(dir: &Path) -> Result<Manifest> {
    let manifest_error = |detail: String| BackupError::Manifest {
        dir: dir.to_owned(),
        detail,
    };
    let text = std::fs::read(dir.join(MANIFEST)).map_err(|e| manifest_error(e.to_string()))?;
    let manifest: Manifest =
        serde_json::from_slice(&text).map_err(|e| manifest_error(e.to_string()))?;
    if manifest.format != FORMAT || !manifest.files.contains_key(&manifest.database) {
        return Err(manifest_error(format!("format {}", manifest.format)));
    }
    for (name, sum) in &manifest.files {
        let safe = !name.starts_with('/') && !name.split('/').any(|p| p == ".." || p.is_empty());
        let data = std::fs::read(dir.join(name)).ok().filter(|_| safe);
        if data.is_none_or(|data| FileSum::of(&data) != *sum) {
            return Err(BackupError::Checksum { file: name.clone() });
        }
    }
    Ok(manifest)
}

/// `xinjing-desk restore DIR [--force]`, with the desk stopped. Returns the reports now in
/// the database.
pub async fn restore(config: &Config, dir: &Path, force: bool) -> Result<Manifest> {
    let manifest = verify(dir)?;
    let wanted = backend_name(&config.database);
    if manifest.backend != wanted {
        return Err(BackupError::Backend {
            found: manifest.backend,
            wanted: wanted.to_owned(),
        });
    }
    // Held to the end: no desk starts on the database while it is replaced.
    let (store, photos, _alone) = open_storage_held(config, Hold::Restore).await?;
    let empty = store.is_empty().await?;
    store.close().await;
    if !empty && !force {
        return Err(BackupError::DatabaseNotEmpty);
    }
    // Photos first: a restore cut short then leaves the old database with some photos more
    // (swept as orphans a day later), never restored reports without their photos.
    for name in manifest.files.keys() {
        if let Some(key) = name.strip_prefix(&format!("{PHOTOS_DIR}/")) {
            let path = dir.join(name);
            let data = std::fs::read(&path).map_err(io(&path))?;
            photos.put(key, Bytes::from(data)).await?;
        }
    }
    let database = dir.join(&manifest.database);
    match &config.database {
        Database::Sqlite(url) => replace_sqlite(&database, &sqlite_file(url))?,
        Database::Postgres(url) => {
            let mut restore = pg_command("pg_restore", url);
            // One transaction: a failed restore leaves the database as it was.
            restore
                .args([
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                ])
                .args(["--exit-on-error"])
                .arg(&database);
            run(restore, "pg_restore").await?;
        }
    }
    // Migrates a backup made by an older release, as a start would.
    let (store, _) = open_storage(config).await?;
    store.close().await;
    Ok(manifest)
}

/// The file of an SQLite URL (`sqlite://desk.db?mode=rwc` → `desk.db`).
pub fn sqlite_file(url: &str) -> PathBuf {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    PathBuf::from(rest.split('?').next().unwrap_or(rest))
}

/// Puts the copy in place of the database file (beside it, then renamed over it), and
/// drops the old file's write-ahead log, which belongs to the old file.
fn replace_sqlite(copy: &Path, target: &Path) -> Result<()> {
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let staging = target.with_file_name(format!(".{name}.restoring"));
    let _ = std::fs::remove_file(&staging);
    std::fs::copy(copy, &staging).map_err(io(&staging))?;
    std::fs::set_permissions(&staging, std::fs::Permissions::from_mode(0o600))
        .map_err(io(&staging))?;
    for suffix in ["-wal", "-shm"] {
        let side = target.with_file_name(format!("{name}{suffix}"));
        match std::fs::remove_file(&side) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(&side)(e)),
            _ => {}
        }
    }
    std::fs::rename(&staging, target).map_err(io(target))
}

/// A PostgreSQL client tool for the database of `url`; the password goes in the
/// environment, not on the command line, where any user's `ps` would show it.
fn pg_command(tool: &str, url: &str) -> tokio::process::Command {
    let (url, password) = split_password(url);
    let mut command = tokio::process::Command::new(tool);
    command.arg("--dbname").arg(url);
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    command
}

async fn run(mut command: tokio::process::Command, tool: &'static str) -> Result<()> {
    let output = command.output().await.map_err(|e| BackupError::Tool {
        tool,
        detail: e.to_string(),
    })?;
    if output.status.success() {
        return Ok(());
    }
    let detail = String::from_utf8_lossy(&output.stderr);
    Err(BackupError::Tool {
        tool,
        detail: crate::redact::mask_digits(detail.trim()),
    })
}

/// `postgres://user:secret@host/db` → (`postgres://user@host/db`, `secret` decoded).
fn split_password(url: &str) -> (String, Option<String>) {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return (url.to_owned(), None);
    };
    let authority_end = url[scheme_end..]
        .find(['/', '?'])
        .map_or(url.len(), |i| scheme_end + i);
    let Some(at) = url[scheme_end..authority_end].rfind('@') else {
        return (url.to_owned(), None);
    };
    let userinfo = &url[scheme_end..scheme_end + at];
    let Some((user, password)) = userinfo.split_once(':') else {
        return (url.to_owned(), None);
    };
    let without = format!("{}{user}{}", &url[..scheme_end], &url[scheme_end + at..]);
    (without, Some(percent_decode(password)))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_leaves_the_command_line() {
        let (url, password) = split_password("postgres://desk:p%40ss:w@127.0.0.1:5432/desk?x=1");
        assert_eq!(url, "postgres://desk@127.0.0.1:5432/desk?x=1");
        assert_eq!(password.as_deref(), Some("p@ss:w"));
        let plain = "postgresql://desk@localhost/desk";
        assert_eq!(split_password(plain), (plain.to_owned(), None));
    }

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_file("sqlite:///var/lib/d/desk.db?mode=rwc"),
            PathBuf::from("/var/lib/d/desk.db")
        );
        assert_eq!(sqlite_file("sqlite://desk.db"), PathBuf::from("desk.db"));
    }
}
