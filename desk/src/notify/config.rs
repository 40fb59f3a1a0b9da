//! The notification channels, from `[[notify]]` tables in the desk's TOML file, with the
//! secrets (robot URLs carry a key; signing secrets) overridable — or the whole channel
//! given — by environment variables, so they need not be written in the file:
//!
//! - `DESK_NOTIFY_<NAME>_URL` and `DESK_NOTIFY_<NAME>_SECRET` override the channel called
//!   NAME (upper case, `-` as `_`).
//! - For the names `wecom`, `dingtalk`, `feishu` and `webhook`, setting the URL variable
//!   alone creates the channel of that kind when the file has none of that name.
//!
//! `Debug` and [`describe`] never show a URL's query or path, nor a secret.

use std::fmt;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    WeCom,
    DingTalk,
    Feishu,
    Webhook,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::WeCom, Kind::DingTalk, Kind::Feishu, Kind::Webhook];

    pub fn code(self) -> &'static str {
        match self {
            Kind::WeCom => "wecom",
            Kind::DingTalk => "dingtalk",
            Kind::Feishu => "feishu",
            Kind::Webhook => "webhook",
        }
    }

    fn from_code(code: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// DingTalk signs with a secret; Feishu and the webhook do when configured to.
    fn needs_secret(self) -> bool {
        matches!(self, Kind::DingTalk | Kind::Webhook)
    }
}

/// How many requests a channel takes in a window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub count: u32,
    pub window_ms: i64,
}

#[derive(Clone, PartialEq)]
pub struct Channel {
    /// Unique; names the channel in the outbox, in logs and in env variables.
    pub name: String,
    pub kind: Kind,
    /// A secret: the WeCom key and DingTalk access token are in its query.
    pub url: String,
    pub secret: Option<String>,
    /// Only reports from these communities (`None`: all).
    pub communities: Option<Vec<String>>,
    /// The generic webhook's limit (robots have the platforms' limits).
    pub per_minute: u32,
}

impl Channel {
    /// The platform's documented limits: WeCom and DingTalk 20 a minute; Feishu 5 a second
    /// (and 100 a minute); the webhook as configured.
    pub fn limits(&self) -> Vec<Limit> {
        let minute = 60_000;
        match self.kind {
            Kind::WeCom | Kind::DingTalk => vec![Limit {
                count: 20,
                window_ms: minute,
            }],
            Kind::Feishu => vec![
                Limit {
                    count: 5,
                    window_ms: 1_000,
                },
                Limit {
                    count: 100,
                    window_ms: minute,
                },
            ],
            Kind::Webhook => vec![Limit {
                count: self.per_minute,
                window_ms: minute,
            }],
        }
    }

    pub fn accepts(&self, community: &str) -> bool {
        self.communities
            .as_ref()
            .is_none_or(|list| list.iter().any(|c| c == community))
    }

    /// The URL without what may be secret: scheme, host and port only.
    pub fn safe_url(&self) -> String {
        safe_url(&self.url)
    }
}

impl fmt::Debug for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Channel")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("url", &self.safe_url())
            .field("secret", &self.secret.as_ref().map(|_| "(hidden)"))
            .field("communities", &self.communities)
            .field("per_minute", &self.per_minute)
            .finish()
    }
}

pub fn safe_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or(host);
    format!("{scheme}://{host}/…")
}

#[derive(Clone, Debug, PartialEq)]
pub struct NotifyConfig {
    pub channels: Vec<Channel>,
    /// How often a desk looks for new events and due retries.
    pub poll: Duration,
    /// A message not delivered this long after its event is marked failed.
    pub give_up_ms: i64,
    /// Channels that hear only what is written for them: the handling units' own robots
    /// (`unit-<id>`) and the town's (`town`), for the dispatch and its escalation ladder.
    pub units: Vec<Channel>,
    /// An overdue task goes up to the town this long after its due time.
    pub town_after_ms: i64,
    /// The committee has this long to act on a task its unit gave back (退单).
    pub return_after_ms: i64,
    /// `scope = "town"`: channels of the town's leaders, which hear no report, only the
    /// weekly digest of the figures.
    pub town: Vec<Channel>,
}

/// One line per channel for `check-config`: nothing secret.
pub fn describe(config: &NotifyConfig) -> String {
    if config.channels.is_empty() {
        return "notify:    no channels (see [[notify]] in desk.example.toml)".to_owned();
    }
    config
        .channels
        .iter()
        .map(|c| {
            format!(
                "notify:    {} ({}) → {}{}, communities: {}",
                c.name,
                c.kind.code(),
                c.safe_url(),
                if c.secret.is_some() { ", signed" } else { "" },
                c.communities
                    .as_ref()
                    .map_or("all".to_owned(), |l| l.join(", "))
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn env_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// What is wrong with the `notify` channels, for the desk's configuration error on that
/// key. A channel's URL is never shown: it holds the robot's key.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NotifyError {
    #[error("expected [[notify]] tables")]
    NotTables,
    #[error("unknown field `{0}` in [[notify]] (known: kind, name, url, secret, communities, per_minute, scope)")]
    UnknownField(String),
    #[error("kind {0:?}: expected wecom, dingtalk, feishu or webhook")]
    UnknownKind(String),
    #[error("channel {channel:?}: `{field}` must be a string")]
    NotText { channel: String, field: String },
    #[error("channel {0:?}: communities must be a list of strings")]
    Communities(String),
    #[error("channel {0:?}: per_minute must be 1..=10000")]
    PerMinute(String),
    #[error("channel {0:?}: scope must be \"committee\" or \"town\"")]
    Scope(String),
    #[error("two channels are named {0:?}: give each a distinct `name`")]
    SameName(String),
    #[error("channel {channel:?} has no url (set it, or {var}_URL)")]
    NoUrl { channel: String, var: String },
    #[error("channel {0:?}: the url must be https://… (http only to 127.0.0.1 or localhost)")]
    InsecureUrl(String),
    #[error("channel {channel:?} ({kind}) needs a signing secret (set `secret`, or {var}_SECRET)")]
    NoSecret {
        channel: String,
        kind: &'static str,
        var: String,
    },
}

fn text(table: &toml::Table, field: &str, name: &str) -> Result<Option<String>, NotifyError> {
    match table.get(field) {
        None => Ok(None),
        Some(toml::Value::String(s)) => Ok(Some(s.trim().to_owned()).filter(|s| !s.is_empty())),
        Some(_) => Err(NotifyError::NotText {
            channel: name.to_owned(),
            field: field.to_owned(),
        }),
    }
}

/// The channels from the `notify` value (an array of tables) and the environment.
pub fn parse(
    value: Option<&toml::Value>,
    env: &dyn Fn(&str) -> Option<String>,
    poll: Duration,
    give_up: Duration,
) -> Result<NotifyConfig, NotifyError> {
    let tables: Vec<toml::Table> = match value {
        None => Vec::new(),
        Some(toml::Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                toml::Value::Table(t) => Ok(t.clone()),
                _ => Err(NotifyError::NotTables),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => Err(NotifyError::NotTables)?,
    };
    let mut channels = Vec::new();
    let mut town_names = Vec::new();
    for table in &tables {
        for field in table.keys() {
            if ![
                "kind",
                "name",
                "url",
                "secret",
                "communities",
                "per_minute",
                "scope",
            ]
            .contains(&field.as_str())
            {
                return Err(NotifyError::UnknownField(field.clone()));
            }
        }
        let kind_text = text(table, "kind", "?")?.unwrap_or_default();
        let kind = Kind::from_code(&kind_text)
            .ok_or_else(|| NotifyError::UnknownKind(kind_text.clone()))?;
        let name = text(table, "name", kind.code())?.unwrap_or_else(|| kind.code().to_owned());
        let communities = match table.get("communities") {
            None => None,
            Some(toml::Value::Array(items)) => Some(
                items
                    .iter()
                    .map(|i| i.as_str().map(|s| s.trim().to_owned()))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| NotifyError::Communities(name.clone()))?,
            ),
            Some(_) => Err(NotifyError::Communities(name.clone()))?,
        };
        let per_minute = match table.get("per_minute") {
            None => 60,
            Some(toml::Value::Integer(n)) if (1..=10_000).contains(n) => *n as u32,
            Some(_) => Err(NotifyError::PerMinute(name.clone()))?,
        };
        match text(table, "scope", &name)?.as_deref() {
            None | Some("committee") => {}
            Some("town") => town_names.push(name.clone()),
            Some(_) => Err(NotifyError::Scope(name.clone()))?,
        }
        channels.push(Channel {
            url: text(table, "url", &name)?.unwrap_or_default(),
            secret: text(table, "secret", &name)?,
            name,
            kind,
            communities,
            per_minute,
        });
    }
    // The environment: secrets of the channels above, or channels of their own.
    for kind in Kind::ALL {
        let var = format!("DESK_NOTIFY_{}_URL", env_name(kind.code()));
        let set = env(&var).is_some_and(|v| !v.trim().is_empty());
        if set && !channels.iter().any(|c| c.name == kind.code()) {
            channels.push(Channel {
                name: kind.code().to_owned(),
                kind,
                url: String::new(),
                secret: None,
                communities: None,
                per_minute: 60,
            });
        }
    }
    for channel in &mut channels {
        let prefix = format!("DESK_NOTIFY_{}", env_name(&channel.name));
        if let Some(url) = env(&format!("{prefix}_URL")).filter(|v| !v.trim().is_empty()) {
            channel.url = url.trim().to_owned();
        }
        if let Some(secret) = env(&format!("{prefix}_SECRET")).filter(|v| !v.trim().is_empty()) {
            channel.secret = Some(secret.trim().to_owned());
        }
    }
    for (i, c) in channels.iter().enumerate() {
        let var = format!("DESK_NOTIFY_{}", env_name(&c.name));
        if channels[..i]
            .iter()
            .any(|o| env_name(&o.name) == env_name(&c.name))
        {
            return Err(NotifyError::SameName(c.name.clone()));
        }
        if c.url.is_empty() {
            return Err(NotifyError::NoUrl {
                channel: c.name.clone(),
                var,
            });
        }
        if !valid_url(&c.url) {
            // The URL itself is not shown: it holds the robot's key.
            return Err(NotifyError::InsecureUrl(c.name.clone()));
        }
        if c.kind.needs_secret() && c.secret.is_none() {
            return Err(NotifyError::NoSecret {
                channel: c.name.clone(),
                kind: c.kind.code(),
                var,
            });
        }
    }
    let (town, channels) = channels
        .into_iter()
        .partition(|c| town_names.contains(&c.name));
    Ok(NotifyConfig {
        channels,
        poll,
        give_up_ms: give_up.as_millis() as i64,
        units: Vec::new(),
        town_after_ms: 24 * 3_600_000,
        return_after_ms: 24 * 3_600_000,
        town,
    })
}

/// A handling unit's own robot (`robot = { kind, url, secret }` in its `[[unit]]`), named
/// `name`: checked as the committee's are, with only its own environment variables
/// (`DESK_NOTIFY_<NAME>_URL` / `_SECRET`) taken into account.
pub fn unit_channel(
    value: &toml::Value,
    name: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Channel, NotifyError> {
    let mut table = value.as_table().cloned().ok_or(NotifyError::NotTables)?;
    table.insert("name".into(), toml::Value::String(name.to_owned()));
    let prefix = format!("DESK_NOTIFY_{}_", env_name(name));
    let own = |var: &str| env(var).filter(|_| var.starts_with(&prefix));
    let config = parse(
        Some(&toml::Value::Array(vec![toml::Value::Table(table)])),
        &own,
        Duration::ZERO,
        Duration::ZERO,
    )?;
    config
        .channels
        .into_iter()
        .next()
        .ok_or(NotifyError::NotTables)
}

fn valid_url(url: &str) -> bool {
    if url.chars().any(char::is_whitespace) {
        return false;
    }
    if let Some(rest) = url.strip_prefix("https://") {
        return !rest.is_empty();
    }
    url.strip_prefix("http://").is_some_and(|rest| {
        let host = rest.split(['/', '?']).next().unwrap_or("");
        let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
        matches!(host, "127.0.0.1" | "localhost" | "[::1]")
    })
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
