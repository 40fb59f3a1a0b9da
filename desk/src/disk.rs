//! Free space on the disks the desk writes to (the SQLite file's and the photos' folders),
//! against a configured mark: below it, reports are refused for now (503) and `/readyz`
//! fails, so that anonymous reports cannot fill the disk under the database.

use crate::config::{Config, Database, Photos};
use std::path::{Path, PathBuf};

/// The folders to watch and the least free space they may have.
pub struct SpaceMark {
    min_free_bytes: u64,
    folders: Vec<PathBuf>,
}

impl SpaceMark {
    /// The local folders of `config` (a PostgreSQL database or a bucket is watched by its
    /// own server).
    pub fn new(config: &Config) -> SpaceMark {
        let mut folders = Vec::new();
        if let Database::Sqlite(url) = &config.database {
            let file = url.trim_start_matches("sqlite:").trim_start_matches("//");
            let file = file.split('?').next().unwrap_or(file);
            if !file.is_empty() && !file.starts_with(":memory:") {
                folders.push(folder_of(Path::new(file)));
            }
        }
        if let Photos::Local(dir) = &config.photos {
            folders.push(dir.clone());
        }
        SpaceMark {
            min_free_bytes: config.limits.min_free_mb * 1024 * 1024,
            folders,
        }
    }

    /// The first folder with less free space than the mark, and what it has left.
    pub fn low(&self) -> Option<(&Path, u64)> {
        if self.min_free_bytes == 0 {
            return None;
        }
        self.folders.iter().find_map(|folder| {
            let free = free_bytes(&existing(folder)).ok()?;
            (free < self.min_free_bytes).then_some((folder.as_path(), free))
        })
    }
}

fn folder_of(file: &Path) -> PathBuf {
    match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// The folder itself, or its nearest ancestor that exists (before the first start).
fn existing(folder: &Path) -> PathBuf {
    folder
        .ancestors()
        .find(|p| p.exists())
        .map_or_else(|| PathBuf::from("."), Path::to_owned)
}

/// Bytes an unprivileged process may still write on the file system holding `path`.
pub fn free_bytes(path: &Path) -> std::io::Result<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes())?;
    let mut stat = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `c_path` is a NUL-terminated string and `stat` is written by the call before
    // it is read (only when the call succeeds).
    let stat = unsafe {
        if libc::statvfs(c_path.as_ptr(), stat.as_mut_ptr()) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        stat.assume_init()
    };
    // The fields' types differ between targets (32 or 64 bits); `from` fits either.
    #[allow(clippy::useless_conversion)]
    let (blocks, size) = (u64::from(stat.f_bavail), u64::from(stat.f_frsize));
    Ok(blocks.saturating_mul(size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_folder_and_free_space() {
        assert_eq!(folder_of(Path::new("desk.db")), PathBuf::from("."));
        assert_eq!(
            folder_of(Path::new("/var/lib/xinjing-desk/desk.db")),
            PathBuf::from("/var/lib/xinjing-desk")
        );
        assert!(free_bytes(Path::new(".")).unwrap() > 0);
        assert_eq!(
            existing(Path::new("/no/such/folder/here")),
            PathBuf::from("/")
        );
    }
}
