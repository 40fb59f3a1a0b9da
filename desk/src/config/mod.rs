//! The desk's configuration: one TOML file (`DESK_CONFIG`), every key overridable by an
//! environment variable, checked before anything starts. A bad value stops the start with a
//! message naming the key and where it came from.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// One configuration key: its name in the TOML file and the environment variable(s) that
/// override it (the first one set wins).
struct Key {
    name: &'static str,
    env: &'static [&'static str],
    help: &'static str,
}

const KEYS: &[Key] = &[
    Key { name: "listen", env: &["DESK_LISTEN"], help: "address and port to listen on (default 127.0.0.1:8080)" },
    Key { name: "public_url", env: &["DESK_PUBLIC_URL"], help: "the https address residents reach the desk at (default http://127.0.0.1:PORT when listening on loopback)" },
    Key { name: "database_url", env: &["DATABASE_URL", "DESK_DATABASE_URL"], help: "sqlite://FILE (default sqlite://desk.db) or postgres://…" },
    Key { name: "db_max_connections", env: &["DESK_DB_MAX_CONNECTIONS"], help: "connections to PostgreSQL, or SQLite readers (default 8)" },
    Key { name: "photos", env: &["DESK_PHOTOS"], help: "a local directory (default photos) or s3://bucket/prefix" },
    Key { name: "s3_endpoint", env: &["DESK_S3_ENDPOINT", "AWS_ENDPOINT"], help: "S3-compatible endpoint URL (default: Amazon S3)" },
    Key { name: "s3_region", env: &["DESK_S3_REGION", "AWS_REGION"], help: "bucket region (default us-east-1)" },
    Key { name: "s3_access_key_id", env: &["DESK_S3_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID"], help: "bucket credentials" },
    Key { name: "s3_secret_access_key", env: &["DESK_S3_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY"], help: "bucket credentials" },
    Key { name: "s3_allow_http", env: &["DESK_S3_ALLOW_HTTP", "AWS_ALLOW_HTTP"], help: "allow a plain-http endpoint (tests, a bucket on the same host)" },
    Key { name: "dist", env: &["DESK_DIST"], help: "the widget's release build to serve at / (default: not served)" },
    Key { name: "communities", env: &["DESK_COMMUNITIES"], help: "residential areas accepted (default: the widget's config.json; empty: free text)" },
    Key { name: "buildings", env: &["DESK_BUILDINGS"], help: "the buildings of each area, for the stairwell posters: a TOML table area = [\"1号楼\", …], or AREA=B1,B2;AREA2=… (default: the buildings seen in reports)" },
    Key { name: "parent_origins", env: &["DESK_PARENT_ORIGINS"], help: "pages allowed to frame the widget (default: the widget's config.json)" },
    Key { name: "cors_origins", env: &["DESK_CORS_ORIGINS"], help: "other origins whose pages may call the API (exact, default none)" },
    Key { name: "trusted_proxies", env: &["DESK_TRUSTED_PROXIES"], help: "proxy addresses or CIDR ranges whose X-Forwarded-For is believed" },
    Key { name: "max_body_bytes", env: &["DESK_MAX_BODY_BYTES"], help: "largest request body (default 2097152)" },
    Key { name: "request_timeout_secs", env: &["DESK_REQUEST_TIMEOUT_SECS"], help: "time limit for one request (default 30)" },
    Key { name: "rate_limit_per_minute", env: &["DESK_RATE_LIMIT_PER_MINUTE"], help: "API requests a client may make per minute, refilled continuously (default 120; 0 = off)" },
    Key { name: "rate_limit_burst", env: &["DESK_RATE_LIMIT_BURST"], help: "API requests a client may make at once (default 60)" },
    Key { name: "retention_days", env: &["DESK_RETENTION_DAYS"], help: "days after closing before contact details and photos are deleted (default: the widget's privacy notice, else 365)" },
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

/// A configuration that cannot start the desk. `Display` names the key and its source.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "configuration key `{}`: {}", self.key, self.message)
    }
}

impl std::error::Error for ConfigError {}

fn error(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        key: key.to_owned(),
        message: message.into(),
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Database {
    /// The file of an SQLite database (created on first start).
    Sqlite(String),
    Postgres(String),
}

impl Database {
    pub fn url(&self) -> &str {
        match self {
            Database::Sqlite(url) | Database::Postgres(url) => url,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct S3 {
    pub bucket: String,
    /// Key prefix inside the bucket, without leading or trailing slash (may be empty).
    pub prefix: String,
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    pub allow_http: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Photos {
    Local(PathBuf),
    S3(S3),
}

/// An address or range whose `X-Forwarded-For` is believed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cidr {
    pub addr: IpAddr,
    pub prefix: u8,
}

impl Cidr {
    pub fn parse(text: &str) -> Option<Cidr> {
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, Some(p.parse::<u8>().ok()?)),
            None => (text.parse::<IpAddr>().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Cidr { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) as the IPv4 address they are.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// The checked configuration.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    /// Set when configured; otherwise derived from the bound address at start.
    pub public_url: Option<String>,
    pub database: Database,
    pub db_max_connections: u32,
    pub photos: Photos,
    pub dist: Option<PathBuf>,
    /// `None`: take them from the widget's config.json (or free text without one).
    pub communities: Option<Vec<String>>,
    /// The buildings of each area, in the order given (posters); areas not listed get the
    /// buildings seen in their reports.
    pub buildings: Vec<(String, Vec<String>)>,
    pub parent_origins: Option<Vec<String>>,
    pub cors_origins: Vec<String>,
    pub trusted_proxies: Vec<Cidr>,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    pub rate_limit_per_minute: u32,
    pub rate_limit_burst: u32,
    /// `None`: from the widget's privacy notice, else 365.
    pub retention_days: Option<u32>,
    pub retention_interval: Duration,
    pub idempotency_days: u32,
    pub fsync: bool,
    pub log_format: LogFormat,
    pub log_level: tracing::Level,
    pub shutdown_grace: Duration,
    pub bench_floor: bool,
    /// The committee's notification channels.
    pub notify: crate::notify::config::NotifyConfig,
    /// Deadlines of the problem list: first response, and resolution.
    pub first_response: Duration,
    pub resolution: Duration,
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATABASE: &str = "sqlite://desk.db";
pub const MIN_IDEMPOTENCY_DAYS: u32 = 30;

impl Config {
    /// Every default, as `xinjing-desk serve` runs with nothing configured.
    pub fn defaults() -> Config {
        Config::from_sources(None, &|_| None).expect("the defaults are valid")
    }

    /// Reads `DESK_CONFIG` (if set) and the environment.
    pub fn load() -> Result<Config, ConfigError> {
        let env = |name: &str| std::env::var(name).ok();
        let file = match std::env::var_os("DESK_CONFIG") {
            Some(path) => {
                let path = PathBuf::from(path);
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    error(
                        "DESK_CONFIG",
                        format!("cannot read {}: {e}", path.display()),
                    )
                })?;
                Some((path, text))
            }
            None => None,
        };
        Config::from_sources(file.as_ref().map(|(p, t)| (p.as_path(), t.as_str())), &env)
    }

    /// The configuration from a TOML file's text and an environment lookup.
    pub fn from_sources(
        file: Option<(&Path, &str)>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut values: BTreeMap<&'static str, (Value, Origin)> = BTreeMap::new();
        if let Some((path, text)) = file {
            let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
                error(
                    "DESK_CONFIG",
                    format!("{} is not valid TOML: {e}", path.display()),
                )
            })?;
            for (name, value) in table {
                let Some(key) = KEYS.iter().find(|k| k.name == name) else {
                    return Err(error(
                        &name,
                        format!(
                            "unknown key in {} (known keys: {})",
                            path.display(),
                            known_keys()
                        ),
                    ));
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
        let reader = Reader { values };
        let listen: SocketAddr = reader.parse("listen", DEFAULT_LISTEN)?;
        let public_url = reader
            .string("public_url")?
            .map(|u| u.trim_end_matches('/').to_owned());
        if let Some(url) = &public_url {
            if !is_public_url(url) {
                return Err(reader.fail(
                    "public_url",
                    format!("{url:?} must be https://host[:port] (or http://127.0.0.1 / http://localhost for trying it out), with no path"),
                ));
            }
        }
        let database_url = reader
            .string("database_url")?
            .unwrap_or_else(|| DEFAULT_DATABASE.to_owned());
        let database = if database_url.starts_with("sqlite:") {
            Database::Sqlite(database_url)
        } else if database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://")
        {
            Database::Postgres(database_url)
        } else {
            return Err(reader.fail(
                "database_url",
                "must start with sqlite: or postgres:// (the value is not shown: it may hold a password)",
            ));
        };
        let db_max_connections = reader.number("db_max_connections", 8, 1, 1000)? as u32;
        let photos_text = reader
            .string("photos")?
            .unwrap_or_else(|| "photos".to_owned());
        let photos = if let Some(rest) = photos_text.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty()
                || !bucket
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
            {
                return Err(reader.fail(
                    "photos",
                    format!("{photos_text:?}: expected s3://bucket/prefix"),
                ));
            }
            Photos::S3(S3 {
                bucket: bucket.to_owned(),
                prefix: prefix.trim_matches('/').to_owned(),
                endpoint: reader.string("s3_endpoint")?,
                region: reader.string("s3_region")?,
                access_key_id: reader.string("s3_access_key_id")?,
                secret_access_key: reader.string("s3_secret_access_key")?,
                allow_http: reader.boolean("s3_allow_http", false)?,
            })
        } else if photos_text.contains("://") {
            return Err(reader.fail(
                "photos",
                format!("{photos_text:?}: expected a directory or s3://bucket/prefix"),
            ));
        } else if photos_text.trim().is_empty() {
            return Err(reader.fail("photos", "is empty"));
        } else {
            Photos::Local(PathBuf::from(photos_text))
        };
        let dist = reader.string("dist")?.map(PathBuf::from);
        if let Some(dir) = &dist {
            if !dir.join("index.html").is_file() {
                return Err(reader.fail(
                    "dist",
                    format!(
                        "{} has no index.html (build the widget with scripts/build.sh)",
                        dir.display()
                    ),
                ));
            }
        }
        let communities = reader.list("communities")?;
        let buildings = reader.lists_by_name("buildings")?;
        let parent_origins = reader.list("parent_origins")?;
        for origin in parent_origins.iter().flatten() {
            if !is_origin(origin) {
                return Err(reader.fail(
                    "parent_origins",
                    format!("{origin:?} is not an origin like https://h5.example.cn"),
                ));
            }
        }
        let cors_origins = reader.list("cors_origins")?.unwrap_or_default();
        for origin in &cors_origins {
            if !is_origin(origin) {
                return Err(reader.fail("cors_origins", format!("{origin:?} is not an origin like https://h5.example.cn ('*' is not allowed)")));
            }
        }
        let mut trusted_proxies = Vec::new();
        for text in reader.list("trusted_proxies")?.unwrap_or_default() {
            match Cidr::parse(&text) {
                Some(cidr) => trusted_proxies.push(cidr),
                None => {
                    return Err(reader.fail(
                        "trusted_proxies",
                        format!("{text:?} is not an IP address or CIDR range"),
                    ))
                }
            }
        }
        let max_body_bytes = reader.number(
            "max_body_bytes",
            2 * 1024 * 1024,
            64 * 1024,
            64 * 1024 * 1024,
        )? as usize;
        let request_timeout =
            Duration::from_secs(reader.number("request_timeout_secs", 30, 1, 600)?);
        let rate_limit_per_minute =
            reader.number("rate_limit_per_minute", 120, 0, 1_000_000_000)? as u32;
        let rate_limit_burst = reader.number("rate_limit_burst", 60, 1, 1_000_000_000)? as u32;
        let retention_days = reader
            .optional_number("retention_days", 1, 36_500)?
            .map(|d| d as u32);
        let retention_interval =
            Duration::from_secs(reader.number("retention_interval_secs", 3600, 1, 86_400 * 7)?);
        let idempotency_days =
            reader.number("idempotency_days", 30, MIN_IDEMPOTENCY_DAYS.into(), 36_500)? as u32;
        let fsync = reader.boolean("fsync", true)?;
        let log_format = match reader.string("log_format")?.as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(reader.fail("log_format", format!("{other:?}: expected text or json")))
            }
        };
        let log_level = match reader.string("log_level")? {
            None => tracing::Level::INFO,
            Some(text) => text.parse().map_err(|_| {
                reader.fail(
                    "log_level",
                    format!("{text:?}: expected error, warn, info, debug or trace"),
                )
            })?,
        };
        let shutdown_grace =
            Duration::from_secs(reader.number("shutdown_grace_secs", 30, 0, 3600)?);
        let bench_floor = reader.boolean("bench_floor", false)?;
        let notify = crate::notify::config::parse(
            reader.toml("notify"),
            env,
            Duration::from_millis(reader.number("notify_poll_ms", 1000, 10, 3_600_000)?),
            Duration::from_secs(60 * reader.number("notify_give_up_minutes", 60, 1, 7 * 24 * 60)?),
        )
        .map_err(|e| error("notify", e.0))?;
        let first_response =
            Duration::from_secs(3600 * reader.number("first_response_hours", 24, 1, 24 * 365)?);
        let resolution =
            Duration::from_secs(3600 * reader.number("resolution_hours", 168, 1, 24 * 365)?);
        let config = Config {
            listen,
            public_url,
            database,
            db_max_connections,
            photos,
            dist,
            communities,
            buildings,
            parent_origins,
            cors_origins,
            trusted_proxies,
            max_body_bytes,
            request_timeout,
            rate_limit_per_minute,
            rate_limit_burst,
            retention_days,
            retention_interval,
            idempotency_days,
            fsync,
            log_format,
            log_level,
            shutdown_grace,
            bench_floor,
            notify,
            first_response,
            resolution,
        };
        if config.public_url.is_none() && config.dist.is_some() && !listen.ip().is_loopback() {
            return Err(error(
                "public_url",
                "must be set when the widget is served on a non-loopback address: the widget's endpoint is https://<public_url>/api/v1/reports",
            ));
        }
        Ok(config)
    }

    /// The desk's own origin once it listens on `bound`.
    pub fn public_url_for(&self, bound: SocketAddr) -> String {
        self.public_url.clone().unwrap_or_else(|| {
            let host = if bound.ip().is_unspecified() || bound.ip().is_loopback() {
                "127.0.0.1".to_owned()
            } else {
                bound.ip().to_string()
            };
            format!("http://{host}:{}", bound.port())
        })
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

fn known_keys() -> String {
    KEYS.iter().map(|k| k.name).collect::<Vec<_>>().join(", ")
}

enum Value {
    Toml(toml::Value),
    Env(String),
}

struct Reader {
    values: BTreeMap<&'static str, (Value, Origin)>,
}

impl Reader {
    fn fail(&self, key: &str, message: impl fmt::Display) -> ConfigError {
        let from = self
            .values
            .get(key)
            .map(|(_, origin)| format!(" (from {origin})"))
            .unwrap_or_default();
        error(key, format!("{message}{from}"))
    }

    /// A key's TOML value as written (tables), if it came from the file.
    fn toml(&self, key: &str) -> Option<&toml::Value> {
        match self.values.get(key) {
            Some((Value::Toml(value), _)) => Some(value),
            _ => None,
        }
    }

    fn string(&self, key: &str) -> Result<Option<String>, ConfigError> {
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

    fn parse<T: std::str::FromStr>(&self, key: &str, default: &str) -> Result<T, ConfigError>
    where
        T::Err: fmt::Display,
    {
        let text = self.string(key)?.unwrap_or_else(|| default.to_owned());
        text.parse()
            .map_err(|e| self.fail(key, format!("{text:?}: {e}")))
    }

    fn optional_number(&self, key: &str, min: u64, max: u64) -> Result<Option<u64>, ConfigError> {
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

    fn number(&self, key: &str, default: u64, min: u64, max: u64) -> Result<u64, ConfigError> {
        Ok(self.optional_number(key, min, max)?.unwrap_or(default))
    }

    fn boolean(&self, key: &str, default: bool) -> Result<bool, ConfigError> {
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
    fn list(&self, key: &str) -> Result<Option<Vec<String>>, ConfigError> {
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
    fn lists_by_name(&self, key: &str) -> Result<Vec<(String, Vec<String>)>, ConfigError> {
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

/// `https://host[:port]`, or plain http on loopback, with nothing after it.
pub fn is_origin(text: &str) -> bool {
    let rest = if let Some(rest) = text.strip_prefix("https://") {
        rest
    } else if let Some(rest) = text.strip_prefix("http://") {
        let host = rest.rsplit_once(':').map_or(rest, |(h, _)| h);
        if host != "127.0.0.1" && host != "localhost" {
            return false;
        }
        rest
    } else {
        return false;
    };
    !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b':')
}

fn is_public_url(text: &str) -> bool {
    is_origin(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(toml: Option<&str>, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let lookup = move |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        Config::from_sources(toml.map(|t| (Path::new("desk.toml"), t)), &lookup)
    }

    #[test]
    fn defaults_run_with_nothing_configured() {
        let config = load(None, &[]).unwrap();
        assert_eq!(config.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(config.database, Database::Sqlite(DEFAULT_DATABASE.into()));
        assert_eq!(config.photos, Photos::Local("photos".into()));
        assert_eq!(config.idempotency_days, 30);
        assert!(config.fsync);
        assert_eq!(
            config.public_url_for("127.0.0.1:8080".parse().unwrap()),
            "http://127.0.0.1:8080"
        );
    }

    #[test]
    fn environment_overrides_the_file() {
        let file = r#"
            listen = "0.0.0.0:9000"
            public_url = "https://report.example.gov.cn"
            photos = "s3://town-photos/desk"
            cors_origins = ["https://h5.example.cn"]
            trusted_proxies = ["10.0.0.0/8", "127.0.0.1"]
            retention_days = 400
        "#;
        let config = load(
            Some(file),
            &[
                ("DESK_LISTEN", "127.0.0.1:7000"),
                ("DATABASE_URL", "postgres://u:p@db/desk"),
                ("AWS_ENDPOINT", "http://127.0.0.1:5000"),
            ],
        )
        .unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:7000");
        assert_eq!(
            config.database,
            Database::Postgres("postgres://u:p@db/desk".into())
        );
        let Photos::S3(s3) = &config.photos else {
            panic!()
        };
        assert_eq!(
            (s3.bucket.as_str(), s3.prefix.as_str()),
            ("town-photos", "desk")
        );
        assert_eq!(s3.endpoint.as_deref(), Some("http://127.0.0.1:5000"));
        assert_eq!(config.cors_origins, vec!["https://h5.example.cn"]);
        assert!(config.trusted_proxies[0].contains("10.1.2.3".parse().unwrap()));
        assert!(!config.trusted_proxies[0].contains("11.1.2.3".parse().unwrap()));
        assert!(config.trusted_proxies[1].contains("::ffff:127.0.0.1".parse().unwrap()));
        assert_eq!(config.retention_days, Some(400));
    }

    #[test]
    fn a_bad_value_names_its_key_and_source() {
        let e = load(None, &[("DESK_LISTEN", "port eighty")]).unwrap_err();
        assert_eq!(e.key, "listen");
        assert!(e.to_string().contains("DESK_LISTEN"), "{e}");
        let e = load(Some("retention_days = \"a year\""), &[]).unwrap_err();
        assert_eq!(e.key, "retention_days");
        assert!(e.to_string().contains("desk.toml"), "{e}");
        let e = load(Some("colour = \"green\""), &[]).unwrap_err();
        assert_eq!(e.key, "colour");
        let e = load(None, &[("DESK_IDEMPOTENCY_DAYS", "7")]).unwrap_err();
        assert_eq!(e.key, "idempotency_days");
        let e = load(None, &[("DATABASE_URL", "mysql://root:secret@db")]).unwrap_err();
        assert_eq!(e.key, "database_url");
        assert!(!e.to_string().contains("secret"));
        let e = load(None, &[("DESK_CORS_ORIGINS", "*")]).unwrap_err();
        assert_eq!(e.key, "cors_origins");
        let e = load(None, &[("DESK_PUBLIC_URL", "http://report.example.gov.cn")]).unwrap_err();
        assert_eq!(e.key, "public_url");
        let e = load(None, &[("DESK_DIST", "/nonexistent")]).unwrap_err();
        assert_eq!(e.key, "dist");
        let e = load(Some("listen = [1"), &[]).unwrap_err();
        assert_eq!(e.key, "DESK_CONFIG");
    }

    #[test]
    fn the_example_configuration_is_valid() {
        let text = include_str!("../desk.example.toml");
        // `dist` must exist to be accepted: check everything else as written.
        let text = text.replace("dist = \"/opt/xinjing-desk/dist\"", "");
        let config = load(
            Some(&text),
            &[("DESK_NOTIFY_DINGTALK_SECRET", "SEC-from-the-environment")],
        )
        .unwrap();
        assert_eq!(config.notify.channels.len(), 2);
        assert_eq!(
            config.public_url.as_deref(),
            Some("https://report.example.gov.cn")
        );
        assert_eq!(
            config.database,
            Database::Sqlite("sqlite:///var/lib/xinjing-desk/desk.db".into())
        );
        assert_eq!(config.log_format, LogFormat::Json);
    }

    #[test]
    fn buildings_per_area_from_the_file_or_the_environment() {
        let config = load(
            Some("[buildings]\n\"示例一村\" = [\"1号楼\", \"2号楼\"]\n"),
            &[],
        )
        .unwrap();
        assert_eq!(
            config.buildings,
            vec![(
                "示例一村".to_owned(),
                vec!["1号楼".to_owned(), "2号楼".to_owned()]
            )]
        );
        let config = load(None, &[("DESK_BUILDINGS", "B村=3号楼, 4号楼;A村=1号楼")]).unwrap();
        assert_eq!(
            config.buildings[0],
            (
                "B村".to_owned(),
                vec!["3号楼".to_owned(), "4号楼".to_owned()]
            )
        );
        assert_eq!(config.buildings[1].0, "A村");
        let e = load(None, &[("DESK_BUILDINGS", "1号楼,2号楼")]).unwrap_err();
        assert_eq!(e.key, "buildings");
        let e = load(Some("buildings = [\"1号楼\"]"), &[]).unwrap_err();
        assert_eq!(e.key, "buildings");
    }

    #[test]
    fn cidr_ranges() {
        let v6 = Cidr::parse("fd00::/8").unwrap();
        assert!(v6.contains("fd12::1".parse().unwrap()));
        assert!(!v6.contains("fe80::1".parse().unwrap()));
        assert!(Cidr::parse("0.0.0.0/0")
            .unwrap()
            .contains("8.8.8.8".parse().unwrap()));
        assert_eq!(Cidr::parse("10.0.0.0/33"), None);
        assert_eq!(Cidr::parse("ten"), None);
    }
}
