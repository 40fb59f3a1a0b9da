//! The desk's configuration: one TOML file (`DESK_CONFIG`), every key overridable by an
//! environment variable, checked before anything starts. A bad value stops the start with a
//! message naming the key and where it came from.

mod limits;
mod source;
mod unit_error;
pub mod units;

use crate::client_addr::Cidr;
pub use limits::Limits;
pub use source::{describe_keys, ConfigError};
use source::{error, Reader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

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
    /// Trying it out: without `public_url`, links point at the bound address.
    pub dev: bool,
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
    pub limits: Limits,
    /// `None`: from the widget's privacy notice, else 365.
    pub retention_days: Option<u32>,
    pub retention_interval: Duration,
    /// A report still open this many days after it arrived loses its personal data too.
    pub open_report_max_days: u32,
    pub idempotency_days: u32,
    pub fsync: bool,
    pub log_format: LogFormat,
    pub log_level: tracing::Level,
    pub shutdown_grace: Duration,
    pub bench_floor: bool,
    /// `/metrics` is served only here, never on `listen` (`None`: not served).
    pub metrics_listen: Option<SocketAddr>,
    /// The committee's notification channels.
    pub notify: crate::notify::config::NotifyConfig,
    /// Deadlines of the problem list: first response, and resolution.
    pub first_response: Duration,
    pub resolution: Duration,
    /// The handling units reports are dispatched to, and their default deadlines.
    pub units: Vec<units::Unit>,
    pub deadlines: units::Deadlines,
    /// The town's figures: below this many reports, no rate, median or ranking.
    pub stats_min_count: i64,
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATABASE: &str = "sqlite://desk.db";
pub const MIN_IDEMPOTENCY_DAYS: u32 = 30;

impl Config {
    /// The unit with this id.
    pub fn unit(&self, id: &str) -> Option<&units::Unit> {
        self.units.iter().find(|u| u.id == id)
    }

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
                let text = std::fs::read_to_string(&path).map_err(|e| ConfigError::Unreadable {
                    path: path.clone(),
                    reason: e.to_string(),
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
        let reader = Reader::from_sources(file, env)?;
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
        let dev = reader.boolean("dev", false)?;
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
        let limits = Limits::read(&reader)?;
        let retention_days = reader
            .optional_number("retention_days", 1, 36_500)?
            .map(|d| d as u32);
        let retention_interval =
            Duration::from_secs(reader.number("retention_interval_secs", 3600, 1, 86_400 * 7)?);
        let open_report_max_days = reader.number("open_report_max_days", 730, 1, 36_500)? as u32;
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
        let metrics_listen = match reader.string("metrics_listen")? {
            None => None,
            Some(text) => Some(text.parse::<SocketAddr>().map_err(|_| {
                reader.fail(
                    "metrics_listen",
                    format!("{text:?}: expected an address and port like 127.0.0.1:9180"),
                )
            })?),
        };
        if metrics_listen.is_some_and(|m| m == listen && m.port() != 0) {
            return Err(reader.fail(
                "metrics_listen",
                "must differ from listen: /metrics is never served on the public address",
            ));
        }
        let mut notify = crate::notify::config::parse(
            reader.toml("notify"),
            env,
            Duration::from_millis(reader.number("notify_poll_ms", 1000, 10, 3_600_000)?),
            Duration::from_secs(60 * reader.number("notify_give_up_minutes", 60, 1, 7 * 24 * 60)?),
        )?;
        let first_response =
            Duration::from_secs(3600 * reader.number("first_response_hours", 24, 1, 24 * 365)?);
        let resolution =
            Duration::from_secs(3600 * reader.number("resolution_hours", 168, 1, 24 * 365)?);
        let dispatching = units::read(&reader, communities.as_deref(), env)?;
        dispatching.robots_into(&mut notify);
        let stats_min_count = reader.number("stats_min_count", 5, 1, 1_000_000)? as i64;
        let config = Config {
            listen,
            public_url,
            dev,
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
            limits,
            retention_days,
            retention_interval,
            open_report_max_days,
            idempotency_days,
            fsync,
            log_format,
            log_level,
            shutdown_grace,
            bench_floor,
            metrics_listen,
            notify,
            first_response,
            resolution,
            units: dispatching.units,
            deadlines: dispatching.deadlines,
            stats_min_count,
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
    fn metrics_are_off_by_default_and_never_on_the_public_address() {
        assert_eq!(load(None, &[]).unwrap().metrics_listen, None);
        let apart = load(None, &[("DESK_METRICS_LISTEN", "127.0.0.1:9180")]).unwrap();
        assert_eq!(
            apart.metrics_listen,
            Some("127.0.0.1:9180".parse().unwrap())
        );
        let same = load(Some("metrics_listen = \"127.0.0.1:8080\""), &[]).unwrap_err();
        assert_eq!(same.key(), "metrics_listen");
        let bad = load(None, &[("DESK_METRICS_LISTEN", "9180")]).unwrap_err();
        assert!(bad.to_string().contains("DESK_METRICS_LISTEN"), "{bad}");
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
    fn a_unit_photo_above_what_the_proxy_lets_through_is_refused() {
        let config = load(Some("unit_photo_max_mb = 15"), &[]).unwrap();
        assert_eq!(config.limits.unit_photo_max_bytes, 15 * 1024 * 1024);
        let e = load(Some("unit_photo_max_mb = 16"), &[]).unwrap_err();
        assert_eq!(e.key(), "unit_photo_max_mb");
        let e = load(None, &[("DESK_UNIT_PHOTO_MAX_MB", "64")]).unwrap_err();
        assert!(e.to_string().contains("DESK_UNIT_PHOTO_MAX_MB"), "{e}");
    }

    #[test]
    fn a_bad_value_names_its_key_and_source() {
        let e = load(None, &[("DESK_LISTEN", "port eighty")]).unwrap_err();
        assert_eq!(e.key(), "listen");
        assert!(e.to_string().contains("DESK_LISTEN"), "{e}");
        let e = load(Some("retention_days = \"a year\""), &[]).unwrap_err();
        assert_eq!(e.key(), "retention_days");
        assert!(e.to_string().contains("desk.toml"), "{e}");
        let e = load(Some("colour = \"green\""), &[]).unwrap_err();
        assert_eq!(e.key(), "colour");
        let e = load(None, &[("DESK_IDEMPOTENCY_DAYS", "7")]).unwrap_err();
        assert_eq!(e.key(), "idempotency_days");
        let e = load(None, &[("DATABASE_URL", "mysql://root:secret@db")]).unwrap_err();
        assert_eq!(e.key(), "database_url");
        assert!(!e.to_string().contains("secret"));
        let e = load(None, &[("DESK_CORS_ORIGINS", "*")]).unwrap_err();
        assert_eq!(e.key(), "cors_origins");
        let e = load(None, &[("DESK_PUBLIC_URL", "http://report.example.gov.cn")]).unwrap_err();
        assert_eq!(e.key(), "public_url");
        let e = load(None, &[("DESK_DIST", "/nonexistent")]).unwrap_err();
        assert_eq!(e.key(), "dist");
        let e = load(Some("listen = [1"), &[]).unwrap_err();
        assert_eq!(e.key(), "DESK_CONFIG");
    }

    #[test]
    fn the_example_configuration_is_valid() {
        let text = include_str!("../../desk.example.toml");
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
        assert_eq!(e.key(), "buildings");
        let e = load(Some("buildings = [\"1号楼\"]"), &[]).unwrap_err();
        assert_eq!(e.key(), "buildings");
    }
}
