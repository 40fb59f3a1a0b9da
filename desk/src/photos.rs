//! Photos in object storage: a local directory by default, any S3-compatible bucket by
//! configuration. A report's photos are written (and, locally, flushed to disk) before the
//! database row that references them is committed, so a crash leaves at most objects no
//! report points to; the retention task removes those.

use crate::config::{self, Photos as PhotosConfig};
use bytes::Bytes;
use futures_util::StreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    #[error("photo store: cannot create {}: {source}", path.display())]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("photo store: {0}")]
    Io(#[from] std::io::Error),
    #[error("photo store: {0}")]
    Bucket(#[from] object_store::Error),
    #[error("photo store: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error("photo store: reports/ is not a directory")]
    NotADirectory,
    #[error("photo store: {} has no parent folder", .0.display())]
    NoParent(PathBuf),
}

/// An object under the store, with when it was last written (ms since the epoch).
#[derive(Debug, Clone)]
pub struct StoredObject {
    pub key: String,
    pub modified_ms: i64,
}

#[derive(Clone)]
pub enum PhotoStore {
    Local {
        root: PathBuf,
        fsync: bool,
    },
    Bucket {
        store: Arc<dyn ObjectStore>,
        prefix: String,
        describe: String,
    },
}

/// Where the orphan sweep moves an object before it looks at the database again.
const SET_ASIDE: &str = "set-aside";

/// `reports/<name>/<n>.jpg` → `set-aside/<name>/<n>.jpg`.
fn aside(key: &str) -> String {
    match key.strip_prefix("reports") {
        Some(rest) => format!("{SET_ASIDE}{rest}"),
        None => format!("{SET_ASIDE}/{key}"),
    }
}

pub use crate::photo_names::PhotoNames;

impl PhotoStore {
    pub fn open(config: &PhotosConfig, fsync: bool) -> Result<PhotoStore, PhotoError> {
        match config {
            PhotosConfig::Local(dir) => {
                std::fs::create_dir_all(dir.join("reports")).map_err(|source| {
                    PhotoError::Create {
                        path: dir.clone(),
                        source,
                    }
                })?;
                Ok(PhotoStore::Local {
                    root: dir.clone(),
                    fsync,
                })
            }
            PhotosConfig::S3(s3) => {
                let mut builder = AmazonS3Builder::new()
                    .with_bucket_name(&s3.bucket)
                    .with_region(s3.region.as_deref().unwrap_or("us-east-1"))
                    .with_allow_http(s3.allow_http);
                if let Some(endpoint) = &s3.endpoint {
                    builder = builder.with_endpoint(endpoint);
                }
                if let Some(key) = &s3.access_key_id {
                    builder = builder.with_access_key_id(key);
                }
                if let Some(secret) = &s3.secret_access_key {
                    builder = builder.with_secret_access_key(secret);
                }
                let store = builder.build()?;
                Ok(PhotoStore::Bucket {
                    store: Arc::new(store),
                    prefix: s3.prefix.clone(),
                    describe: describe_s3(s3),
                })
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            PhotoStore::Local { root, .. } => format!("directory {}", root.display()),
            PhotoStore::Bucket { describe, .. } => describe.clone(),
        }
    }

    fn object_path(prefix: &str, key: &str) -> ObjectPath {
        if prefix.is_empty() {
            ObjectPath::from(key)
        } else {
            ObjectPath::from(format!("{prefix}/{key}"))
        }
    }

    fn local_path(root: &Path, key: &str) -> PathBuf {
        root.join(key)
    }

    /// Writes an object; returns once it is durable (flushed to disk, or stored by the bucket).
    pub async fn put(&self, key: &str, data: Bytes) -> Result<(), PhotoError> {
        match self {
            PhotoStore::Local { root, fsync } => {
                let path = Self::local_path(root, key);
                let fsync = *fsync;
                tokio::task::spawn_blocking(move || write_file_durably(&path, &data, fsync)).await?
            }
            PhotoStore::Bucket { store, prefix, .. } => {
                store
                    .put(&Self::object_path(prefix, key), PutPayload::from(data))
                    .await?;
                Ok(())
            }
        }
    }

    pub async fn get(&self, key: &str) -> Result<Bytes, PhotoError> {
        match self {
            PhotoStore::Local { root, .. } => Ok(Bytes::from(
                tokio::fs::read(Self::local_path(root, key)).await?,
            )),
            PhotoStore::Bucket { store, prefix, .. } => Ok(store
                .get(&Self::object_path(prefix, key))
                .await?
                .bytes()
                .await?),
        }
    }

    /// Deletes an object; an object already gone is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), PhotoError> {
        match self {
            PhotoStore::Local { root, .. } => {
                let path = Self::local_path(root, key);
                match tokio::fs::remove_file(&path).await {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e.into()),
                }
                if let Some(dir) = path.parent() {
                    // Empty report folders go too; a folder still in use stays.
                    let _ = tokio::fs::remove_dir(dir).await;
                }
                Ok(())
            }
            PhotoStore::Bucket { store, prefix, .. } => {
                match store.delete(&Self::object_path(prefix, key)).await {
                    Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                    Err(e) => Err(e.into()),
                }
            }
        }
    }

    /// Every object under `reports/`.
    pub async fn list(&self) -> Result<Vec<StoredObject>, PhotoError> {
        self.list_under("reports").await
    }

    /// Every object the orphan sweep set aside (`set-aside/`), named as it was.
    pub async fn list_set_aside(&self) -> Result<Vec<String>, PhotoError> {
        Ok(self
            .list_under(SET_ASIDE)
            .await?
            .into_iter()
            .filter_map(|o| o.key.strip_prefix(SET_ASIDE).map(|k| format!("reports{k}")))
            .collect())
    }

    /// Moves an object under `set-aside/`, where the sweep looks at it again before it is
    /// deleted; false when there was none.
    pub async fn set_aside(&self, key: &str) -> Result<bool, PhotoError> {
        self.rename(key, &aside(key)).await
    }

    /// Moves a set-aside object back to its name, unless a new one is there already.
    pub async fn put_back(&self, key: &str) -> Result<(), PhotoError> {
        if self.exists(key).await? {
            return self.delete(&aside(key)).await;
        }
        self.rename(&aside(key), key).await.map(|_| ())
    }

    /// Deletes a set-aside object for good.
    pub async fn discard(&self, key: &str) -> Result<(), PhotoError> {
        self.delete(&aside(key)).await
    }

    pub async fn exists(&self, key: &str) -> Result<bool, PhotoError> {
        match self {
            PhotoStore::Local { root, .. } => {
                match tokio::fs::metadata(Self::local_path(root, key)).await {
                    Ok(_) => Ok(true),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
                    Err(e) => Err(e.into()),
                }
            }
            PhotoStore::Bucket { store, prefix, .. } => {
                match store.head(&Self::object_path(prefix, key)).await {
                    Ok(_) => Ok(true),
                    Err(object_store::Error::NotFound { .. }) => Ok(false),
                    Err(e) => Err(e.into()),
                }
            }
        }
    }

    async fn rename(&self, from: &str, to: &str) -> Result<bool, PhotoError> {
        match self {
            PhotoStore::Local { root, .. } => {
                let (from, to) = (Self::local_path(root, from), Self::local_path(root, to));
                if let Some(dir) = to.parent() {
                    tokio::fs::create_dir_all(dir).await?;
                }
                match tokio::fs::rename(&from, &to).await {
                    Ok(()) => Ok(true),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
                    Err(e) => Err(e.into()),
                }
            }
            PhotoStore::Bucket { store, prefix, .. } => {
                let (from, to) = (
                    Self::object_path(prefix, from),
                    Self::object_path(prefix, to),
                );
                match store.rename(&from, &to).await {
                    Ok(()) => Ok(true),
                    Err(object_store::Error::NotFound { .. }) => Ok(false),
                    Err(e) => Err(e.into()),
                }
            }
        }
    }

    async fn list_under(&self, top: &'static str) -> Result<Vec<StoredObject>, PhotoError> {
        match self {
            PhotoStore::Local { root, .. } => {
                let root = root.clone();
                tokio::task::spawn_blocking(move || list_local(&root, top)).await?
            }
            PhotoStore::Bucket { store, prefix, .. } => {
                let base = Self::object_path(prefix, top);
                let strip = if prefix.is_empty() {
                    String::new()
                } else {
                    format!("{prefix}/")
                };
                let mut out = Vec::new();
                let mut stream = store.list(Some(&base));
                while let Some(item) = stream.next().await {
                    let meta = item?;
                    let full = meta.location.to_string();
                    let key = full.strip_prefix(&strip).unwrap_or(&full).to_owned();
                    out.push(StoredObject {
                        key,
                        modified_ms: meta.last_modified.timestamp_millis(),
                    });
                }
                Ok(out)
            }
        }
    }

    /// Can the store be reached? (For `/readyz`.)
    pub async fn check(&self) -> Result<(), PhotoError> {
        match self {
            PhotoStore::Local { root, .. } => {
                let meta = tokio::fs::metadata(root.join("reports")).await?;
                if meta.is_dir() {
                    Ok(())
                } else {
                    Err(PhotoError::NotADirectory)
                }
            }
            PhotoStore::Bucket { store, prefix, .. } => {
                let probe = Self::object_path(prefix, "reports/.ready");
                match store.head(&probe).await {
                    Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                    Err(e) => Err(e.into()),
                }
            }
        }
    }
}

fn describe_s3(s3: &config::S3) -> String {
    let endpoint = s3.endpoint.as_deref().unwrap_or("Amazon S3");
    format!("bucket s3://{}/{} at {endpoint}", s3.bucket, s3.prefix)
}

/// Write to a temporary file, flush it, rename it into place and flush the folder: a crash
/// leaves either no file or the whole file.
fn write_file_durably(path: &Path, data: &[u8], fsync: bool) -> Result<(), PhotoError> {
    let dir = path
        .parent()
        .ok_or_else(|| PhotoError::NoParent(path.to_owned()))?;
    std::fs::create_dir_all(dir)?;
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let tmp = dir.join(format!(
        ".{}.tmp-{}-{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("photo"),
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        // Residents' photos: readable by the desk only.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&tmp)?;
        file.write_all(data)?;
        if fsync {
            file.sync_all()?;
        }
    }
    std::fs::rename(&tmp, path)?;
    if fsync {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

fn list_local(root: &Path, top: &str) -> Result<Vec<StoredObject>, PhotoError> {
    let mut out = Vec::new();
    let reports = root.join(top);
    let entries = match std::fs::read_dir(&reports) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e.into()),
    };
    for dir in entries {
        let dir = dir?;
        if !dir.file_type()?.is_dir() {
            continue;
        }
        let id = dir.file_name().to_string_lossy().into_owned();
        for file in std::fs::read_dir(dir.path())? {
            let file = file?;
            let name = file.file_name().to_string_lossy().into_owned();
            let modified_ms = file
                .metadata()?
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_millis() as i64);
            out.push(StoredObject {
                key: format!("{top}/{id}/{name}"),
                modified_ms,
            });
        }
    }
    Ok(out)
}
