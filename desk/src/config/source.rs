//! Where configuration values come from: the keys the desk knows, the TOML file and the
//! environment, and a reader that turns a value into a type or an error naming the key and
//! its source (the file's path, or the environment variable).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// One configuration key: its name in the TOML file and the environment variable(s) that
/// override it (the first one set wins).
struct Key {
    name: &'static str,
    env: &'static [&'static str],
    help: &'static str,
}

const KEYS: &[Key] = &[
    Key { name: "listen", env: &["DESK_LISTEN"], help: "address and port to listen on (default 127.0.0.1:8080)" },
    Key { name: "public_url", env: &["DESK_PUBLIC_URL"], help: "the https address residents reach the desk at (required to serve, unless `serve --dev`: then the bound address)" },
    Key { name: "database_url", env: &["DATABASE_URL", "DESK_DATABASE_URL"], help: "sqlite://FILE (default sqlite://desk.db) or postgres://…" },
    Key { name: "db_max_connections", env: &["DESK_DB_MAX_CONNECTIONS"], help: "connections to PostgreSQL, or SQLite readers (default 8)" },
    Key { name: "photos", env: &["DESK_PHOTOS"], help: "a local directory (default photos) or s3://bucket/prefix" },
    Key { name: "s3_endpoint", env: &["DESK_S3_ENDPOINT", "AWS_ENDPOINT"], help: "S3-compatible endpoint URL (default: Amazon S3)" },
    Key { name: "s3_region", env: &["DESK_S3_REGION", "AWS_REGION"], help: "bucket region (default us-east-1)" },
    Key { name: "s3_access_key_id", env: &["DESK_S3_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID"], help: "bucket credentials" },
    Key { name: "s3_secret_access_key", env: &["DESK_S3_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY"], help: "bucket credentials" },
    Key { name: "s3_allow_http", env: &["DESK_S3_ALLOW_HTTP", "AWS_ALLOW_HTTP"], help: "allow a plain-http endpoint (tests, a bucket on the same host)" },
    Key { name: "dev", env: &["DESK_DEV"], help: "trying it out (or `serve --dev`): serve without public_url, with links to the bound address" },
    Key { name: "dist", env: &["DESK_DIST"], help: "the widget's release build to serve at / (default: not served)" },
    Key { name: "communities", env: &["DESK_COMMUNITIES"], help: "residential areas accepted (default: the widget's config.json; empty: free text)" },
    Key { name: "buildings", env: &["DESK_BUILDINGS"], help: "the buildings of each area, for the stairwell posters: a TOML table area = [\"1号楼\", …], or AREA=B1,B2;AREA2=… (default: the buildings of reports staff took up)" },
    Key { name: "parent_origins", env: &["DESK_PARENT_ORIGINS"], help: "pages allowed to frame the widget (default: the widget's config.json)" },
    Key { name: "cors_origins", env: &["DESK_CORS_ORIGINS"], help: "other origins whose pages may call the API (exact, default none)" },
    Key { name: "trusted_proxies", env: &["DESK_TRUSTED_PROXIES"], help: "proxy addresses or CIDR ranges whose X-Forwarded-For is believed" },
    Key { name: "max_body_bytes", env: &["DESK_MAX_BODY_BYTES"], help: "largest request body (default 2097152)" },
    Key { name: "request_timeout_secs", env: &["DESK_REQUEST_TIMEOUT_SECS"], help: "time limit for one request (default 30)" },
    Key { name: "rate_limit_per_minute", env: &["DESK_RATE_LIMIT_PER_MINUTE"], help: "API requests a client may make per minute, refilled continuously (default 120; 0 = off)" },
    Key { name: "rate_limit_burst", env: &["DESK_RATE_LIMIT_BURST"], help: "API requests a client may make at once (default 60)" },
    Key { name: "intake_per_minute", env: &["DESK_INTAKE_PER_MINUTE"], help: "new reports accepted per minute from all clients together, so one source cannot crowd out a town (default 600; 0 = off)" },
    Key { name: "intake_burst", env: &["DESK_INTAKE_BURST"], help: "new reports accepted at once from all clients together (default 200)" },
    Key { name: "header_timeout_secs", env: &["DESK_HEADER_TIMEOUT_SECS"], help: "time a client has to send a request's headers, and the longest an idle keep-alive connection is kept (default 20)" },
    Key { name: "max_connections", env: &["DESK_MAX_CONNECTIONS"], help: "connections open at once; more wait to be accepted (default 1024)" },
    Key { name: "max_in_flight", env: &["DESK_MAX_IN_FLIGHT"], help: "requests handled at once; more are answered 503 with Retry-After (default 256)" },
    Key { name: "unit_photo_max_mb", env: &["DESK_UNIT_PHOTO_MAX_MB"], help: "largest after-photo (MiB) a unit's page takes from a phone camera; the desk shrinks it to 1600 px and 400 KB (1 to 15: the proxy takes 16 MiB; default 15)" },
    Key { name: "min_free_mb", env: &["DESK_MIN_FREE_MB"], help: "below this much free space (MiB) on the database's or photos' disk, reports are answered 503 and /readyz fails (default 200; 0 = off)" },
    Key { name: "retention_days", env: &["DESK_RETENTION_DAYS"], help: "days after closing before contact details and photos are deleted (default: the widget's privacy notice, else 365)" },
    Key { name: "open_report_max_days", env: &["DESK_OPEN_REPORT_MAX_DAYS"], help: "days after arrival before a report never closed loses its contact details, free text and photos too (default 730)" },
    Key { name: "retention_interval_secs", env: &["DESK_RETENTION_INTERVAL_SECS"], help: "how often the retention task runs (default 3600)" },
    Key { name: "idempotency_days", env: &["DESK_IDEMPOTENCY_DAYS"], help: "days an Idempotency-Key is remembered (default and minimum 30)" },
    Key { name: "fsync", env: &["DESK_FSYNC"], help: "flush every commit and photo to disk before answering (default true; false survives a crashed process but not a power cut)" },
    Key { name: "log_format", env: &["DESK_LOG_FORMAT"], help: "text (default) or json" },
    Key { name: "log_level", env: &["DESK_LOG"], help: "error, warn, info (default), debug or trace" },
    Key { name: "shutdown_grace_secs", env: &["DESK_SHUTDOWN_GRACE_SECS"], help: "how long a stop waits for requests in flight (default 30)" },
    Key { name: "notify", env: &[], help: "[[notify]] tables: the committee's robots (kind wecom|dingtalk|feishu|webhook, url, secret, communities); secrets by DESK_NOTIFY_<NAME>_URL / _SECRET" },
    Key { name: "notify_poll_ms", env: &["DESK_NOTIFY_POLL_MS"], help: "how often new reports are looked for and retries made (default 1000)" },
    Key { name: "notify_give_up_minutes", env: &["DESK_NOTIFY_GIVE_UP_MINUTES"], help: "a notification not delivered after this long is marked failed (default 60)" },
    Key { name: "first_response_hours", env: &["DESK_FIRST_RESPONSE_HOURS"], help: "staff pages: hours within which a report needs its first response before it shows as overdue (default 24)" },
    Key { name: "resolution_hours", env: &["DESK_RESOLUTION_HOURS"], help: "staff pages: hours within which a report should be resolved before it shows as overdue (default 168)" },
    Key { name: "unit", env: &[], help: "[[unit]] tables: the handling units reports are dispatched to (id, name, kind property|enforcement|power|committee|police|other, communities, robot = { kind, url, secret }); robot secrets by DESK_NOTIFY_UNIT_<ID>_URL / _SECRET" },
    Key { name: "deadlines", env: &[], help: "[deadlines] table: hours a unit has to fix a hazard, per category (default flying_line_charging = 24, private_rewiring = 48, ebike_in_stairwell = 72)" },
    Key { name: "dispatch_hours", env: &["DESK_DISPATCH_HOURS"], help: "hours a unit has to fix a hazard of a category not in [deadlines] (default 72)" },
    Key { name: "town_robot", env: &[], help: "the town's robot (平安办 / 城运中心) for dispatched tasks overdue by escalate_town_hours: { kind, url, secret }, its url and secret overridable by DESK_NOTIFY_TOWN_URL / _SECRET" },
    Key { name: "return_hours", env: &["DESK_RETURN_HOURS"], help: "hours the committee has to act on a task a unit gave back (dispatch again, resolve or reject) before its channels hear of it; the town's robot escalate_town_hours later (default 24)" },
    Key { name: "escalate_town_hours", env: &["DESK_ESCALATE_TOWN_HOURS"], help: "hours after a dispatched task's due time before the town's robot is told (default 24)" },
    Key { name: "stats_min_count", env: &["DESK_STATS_MIN_COUNT"], help: "the town's figures: no rate, median or ranking over fewer reports than this; \"–\" with the count instead (default 5)" },
    Key { name: "metrics_listen", env: &["DESK_METRICS_LISTEN"], help: "address and port of a second listener that serves only /metrics (Prometheus text; default: off). Keep it on loopback or a private network" },
    Key { name: "bench_floor", env: &["DESK_BENCH_FLOOR"], help: "benchmarks only: add POST /api/v1/floor, which reads and discards the body" },
];

/// Where a value came from, for error messages.
#[derive(Clone, Debug, PartialEq)]
enum Origin {
    Env(&'static str),
    File(PathBuf),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Env(var) => write!(f, "environment variable {var}"),
            Origin::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// A configuration that cannot start the desk. `Display` names the key and where its value
/// came from (the file's path or the environment variable).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// `DESK_CONFIG` names a file that cannot be read.
    #[error("configuration key `DESK_CONFIG`: cannot read {}: {reason}", .path.display())]
    Unreadable { path: PathBuf, reason: String },
    /// The file is not TOML.
    #[error("configuration key `DESK_CONFIG`: {} is not valid TOML: {reason}", .path.display())]
    NotToml { path: PathBuf, reason: String },
    /// A key the desk does not know, in the file.
    #[error("configuration key `{key}`: unknown key in {} (known keys: {})", .path.display(), known_keys())]
    UnknownKey { key: String, path: PathBuf },
    /// A value that breaks its key's rule; `from` says where it was set, if anywhere.
    #[error("configuration key `{key}`: {message}{from}")]
    Invalid {
        key: String,
        message: String,
        from: String,
    },
    /// The robots' channels (`notify`).
    #[error("configuration key `notify`: {0}")]
    Notify(#[from] crate::notify::config::NotifyError),
    /// The handling units (`unit`) or their deadlines (`deadlines`).
    #[error("configuration key `{key}`: {error}{from}")]
    Unit {
        key: String,
        error: Box<super::unit_error::UnitError>,
        from: String,
    },
}

impl ConfigError {
    /// The key at fault (`DESK_CONFIG` for the file as a whole).
    pub fn key(&self) -> &str {
        match self {
            ConfigError::Unreadable { .. } | ConfigError::NotToml { .. } => "DESK_CONFIG",
            ConfigError::UnknownKey { key, .. }
            | ConfigError::Invalid { key, .. }
            | ConfigError::Unit { key, .. } => key,
            ConfigError::Notify(_) => "notify",
        }
    }
}

/// A rule broken by the values taken together (no one source to name).
pub(super) fn error(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.to_owned(),
        message: message.into(),
        from: String::new(),
    }
}

/// Help text listing every key and its environment variables.
pub fn describe_keys() -> String {
    let mut out = String::new();
    for key in KEYS {
        out.push_str(&format!(
            "  {:<24} {:<32} {}\n",
            key.name,
            key.env.join(", "),
            key.help
        ));
    }
    out
}

pub(super) fn known_keys() -> String {
    KEYS.iter().map(|k| k.name).collect::<Vec<_>>().join(", ")
}

pub(super) enum Value {
    Toml(toml::Value),
    Env(String),
}

pub(super) struct Reader {
    values: BTreeMap<&'static str, (Value, Origin)>,
}

impl Reader {
    /// Every key's value, from the file's table and the environment (which wins).
    pub(super) fn from_sources(
        file: Option<(&Path, &str)>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Reader, ConfigError> {
        let mut values: BTreeMap<&'static str, (Value, Origin)> = BTreeMap::new();
        if let Some((path, text)) = file {
            let table: toml::Table =
                text.parse()
                    .map_err(|e: toml::de::Error| ConfigError::NotToml {
                        path: path.to_owned(),
                        reason: e.to_string(),
                    })?;
            for (name, value) in table {
                let Some(key) = KEYS.iter().find(|k| k.name == name) else {
                    return Err(ConfigError::UnknownKey {
                        key: name,
                        path: path.to_owned(),
                    });
                };
                values.insert(
                    key.name,
                    (Value::Toml(value), Origin::File(path.to_owned())),
                );
            }
        }
        for key in KEYS {
            if let Some((var, text)) = key
                .env
                .iter()
                .find_map(|var| env(var).map(|text| (*var, text)))
            {
                values.insert(key.name, (Value::Env(text), Origin::Env(var)));
            }
        }
        Ok(Reader { values })
    }

    fn from(&self, key: &str) -> String {
        self.values
            .get(key)
            .map(|(_, origin)| format!(" (from {origin})"))
            .unwrap_or_default()
    }

    pub(super) fn fail(&self, key: &str, message: impl fmt::Display) -> ConfigError {
        ConfigError::Invalid {
            key: key.to_owned(),
            message: message.to_string(),
            from: self.from(key),
        }
    }

    /// A unit's or a deadline's error, with where its key was set.
    pub(super) fn fail_with(&self, key: &str, error: super::unit_error::UnitError) -> ConfigError {
        ConfigError::Unit {
            key: key.to_owned(),
            error: Box::new(error),
            from: self.from(key),
        }
    }

    /// A key's TOML value as written (tables), if it came from the file.
    pub(super) fn toml(&self, key: &str) -> Option<&toml::Value> {
        match self.values.get(key) {
            Some((Value::Toml(value), _)) => Some(value),
            _ => None,
        }
    }

    pub(super) fn string(&self, key: &str) -> Result<Option<String>, ConfigError> {
        match self.values.get(key) {
            None => Ok(None),
            Some((Value::Env(text), _)) => {
                Ok(Some(text.trim().to_owned()).filter(|t| !t.is_empty()))
            }
            Some((Value::Toml(toml::Value::String(text)), _)) => {
                Ok(Some(text.trim().to_owned()).filter(|t| !t.is_empty()))
            }
            Some((Value::Toml(_), _)) => Err(self.fail(key, "expected a string")),
        }
    }

    pub(super) fn parse<T: std::str::FromStr>(
        &self,
        key: &str,
        default: &str,
    ) -> Result<T, ConfigError>
    where
        T::Err: fmt::Display,
    {
        let text = self.string(key)?.unwrap_or_else(|| default.to_owned());
        text.parse()
            .map_err(|e| self.fail(key, format!("{text:?}: {e}")))
    }

    pub(super) fn optional_number(
        &self,
        key: &str,
        min: u64,
        max: u64,
    ) -> Result<Option<u64>, ConfigError> {
        let number = match self.values.get(key) {
            None => return Ok(None),
            Some((Value::Toml(toml::Value::Integer(n)), _)) => u64::try_from(*n).ok(),
            Some((Value::Env(text), _)) => text.trim().parse::<u64>().ok(),
            Some((Value::Toml(_), _)) => None,
        };
        match number {
            Some(n) if (min..=max).contains(&n) => Ok(Some(n)),
            Some(n) => Err(self.fail(key, format!("{n} is outside {min}..={max}"))),
            None => Err(self.fail(key, "expected a whole number")),
        }
    }

    pub(super) fn number(
        &self,
        key: &str,
        default: u64,
        min: u64,
        max: u64,
    ) -> Result<u64, ConfigError> {
        Ok(self.optional_number(key, min, max)?.unwrap_or(default))
    }

    pub(super) fn boolean(&self, key: &str, default: bool) -> Result<bool, ConfigError> {
        match self.values.get(key) {
            None => Ok(default),
            Some((Value::Toml(toml::Value::Boolean(b)), _)) => Ok(*b),
            Some((Value::Env(text), _)) => match text.trim().to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => Ok(true),
                "0" | "false" | "no" | "off" | "" => Ok(false),
                _ => Err(self.fail(key, format!("{text:?}: expected true or false"))),
            },
            Some((Value::Toml(_), _)) => Err(self.fail(key, "expected true or false")),
        }
    }

    /// A TOML array of strings, or a comma-separated environment variable.
    pub(super) fn list(&self, key: &str) -> Result<Option<Vec<String>>, ConfigError> {
        match self.values.get(key) {
            None => Ok(None),
            Some((Value::Env(text), _)) => Ok(Some(
                text.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect(),
            )),
            Some((Value::Toml(toml::Value::Array(items)), _)) => items
                .iter()
                .map(|item| match item {
                    toml::Value::String(s) => Ok(s.trim().to_owned()),
                    _ => Err(self.fail(key, "expected a list of strings")),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some((Value::Toml(_), _)) => Err(self.fail(key, "expected a list of strings")),
        }
    }
}

impl Reader {
    /// A TOML table of string lists (`area = ["1号楼", "2号楼"]`), or an environment
    /// variable `AREA=B1,B2;AREA2=B3`. Order kept as written (TOML tables are sorted by
    /// the parser; the environment keeps its order).
    pub(super) fn lists_by_name(
        &self,
        key: &str,
    ) -> Result<Vec<(String, Vec<String>)>, ConfigError> {
        let split = |text: &str| -> Vec<String> {
            text.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        };
        match self.values.get(key) {
            None => Ok(Vec::new()),
            Some((Value::Env(text), _)) => text
                .split(';')
                .filter(|part| !part.trim().is_empty())
                .map(|part| match part.split_once('=') {
                    Some((name, list)) if !name.trim().is_empty() => {
                        Ok((name.trim().to_owned(), split(list)))
                    }
                    _ => Err(self.fail(key, format!("{part:?}: expected AREA=BUILDING,BUILDING"))),
                })
                .collect(),
            Some((Value::Toml(toml::Value::Table(table)), _)) => table
                .iter()
                .map(|(name, list)| match list {
                    toml::Value::Array(items) => items
                        .iter()
                        .map(|item| match item {
                            toml::Value::String(s) if !s.trim().is_empty() => {
                                Ok(s.trim().to_owned())
                            }
                            _ => Err(self
                                .fail(key, format!("{name:?}: expected a list of building names"))),
                        })
                        .collect::<Result<Vec<_>, _>>()
                        .map(|list| (name.trim().to_owned(), list)),
                    _ => {
                        Err(self.fail(key, format!("{name:?}: expected a list of building names")))
                    }
                })
                .collect(),
            Some((Value::Toml(_), _)) => Err(self.fail(
                key,
                "expected a table: [buildings] followed by area = [\"1号楼\", …]",
            )),
        }
    }
}
