//! Deployment configuration: `config.json` beside `index.html`, optionally overridden by
//! `data-*` attributes on the mount element. Never read from the page's URL.
//!
//! - `mod.rs` (here): the checked `Config` and `parse_config`;
//! - `raw.rs`: the JSON as written and its checks;
//! - `url.rs`: which endpoints, origins and paths are allowed;
//! - `colour.rs`: the theme colour, kept readable.

mod colour;
mod raw;
#[cfg(test)]
mod tests;
mod url;

pub use colour::accessible_primary;
pub use url::{is_allowed_endpoint, origin_of};

use super::campaign::Text;
use super::i18n::Lang;
use super::json::{Document, Json};
use raw::RawConfig;

pub const DEFAULT_TIMEOUT_MS: u32 = 20_000;

/// Where reports go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// The in-browser mock backend of the demo.
    Mock,
    /// A real receiver: `https:`, or `http:` on localhost for development.
    Url(String),
}

/// `Endpoint::key` of the mock: a URL is never this word.
pub const MOCK_ENDPOINT: &str = "mock";

impl Endpoint {
    /// How a stored report or ticket names the endpoint it belongs to.
    pub fn key(&self) -> &str {
        match self {
            Endpoint::Mock => MOCK_ENDPOINT,
            Endpoint::Url(url) => url,
        }
    }

    /// The endpoint a stored key names.
    pub fn from_key(key: &str) -> Endpoint {
        match key {
            MOCK_ENDPOINT => Endpoint::Mock,
            url => Endpoint::Url(url.to_owned()),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Privacy {
    pub controller: Text,
    pub purpose: Text,
    pub retention: Text,
    pub contact: Text,
    pub notice_version: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Theme {
    /// `#rrggbb`, checked so it can go into a style property safely.
    pub primary: Option<String>,
    pub title: Option<Text>,
    /// A same-origin path or `https:` URL of the logo image.
    pub logo: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub endpoint: Endpoint,
    pub campaigns_url: Option<String>,
    pub communities: Vec<String>,
    pub default_lang: Option<Lang>,
    pub privacy: Privacy,
    pub timeout_ms: u32,
    pub theme: Theme,
    /// Origins allowed to embed the widget and receive its height messages.
    pub parent_origins: Vec<String>,
}

impl Config {
    pub fn is_mock(&self) -> bool {
        self.endpoint == Endpoint::Mock
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    NotJson,
    MissingEndpoint,
    /// The endpoint is neither `mock`, an `https:` URL, nor `http:` on localhost.
    InsecureEndpoint(String),
    BadValue {
        key: &'static str,
        value: String,
    },
    /// `"endpoint": "mock"` in a build without the demo's mock backend.
    MockNotBuilt,
}

impl ConfigError {
    /// Shown to the deployer in the console and on the page (English: it is for them).
    pub fn explain(&self) -> String {
        match self {
            ConfigError::NotJson => "config.json is missing or is not valid JSON".into(),
            ConfigError::MissingEndpoint => {
                "config.json has no \"endpoint\" (use \"mock\" or an https:// URL)".into()
            }
            ConfigError::InsecureEndpoint(url) => {
                format!("endpoint {url:?} is not allowed: use https://, or http://localhost / http://127.0.0.1 for development")
            }
            ConfigError::BadValue { key, value } => {
                format!("config value {key} = {value:?} is not valid")
            }
            ConfigError::MockNotBuilt => {
                "endpoint \"mock\" is the offline demo's (scripts/demo.sh): this build has no mock backend, set an https:// endpoint".into()
            }
        }
    }
}

/// `parse_config`, in a build that has the demo's mock backend (`with_mock`) or not: a
/// production build refuses `"mock"` rather than queue reports nobody receives.
pub fn parse_config_for_build(
    json: &str,
    overrides: &[(String, String)],
    with_mock: bool,
) -> Result<Config, Vec<ConfigError>> {
    match parse_config(json, overrides) {
        Ok(config) if config.is_mock() && !with_mock => Err(vec![ConfigError::MockNotBuilt]),
        other => other,
    }
}

/// Parses `config.json` text and applies `data-*` overrides (`("endpoint", "…")`, with the
/// attribute's name after `data-`, dashes or underscores alike). All problems are returned.
pub fn parse_config(
    json: &str,
    overrides: &[(String, String)],
) -> Result<Config, Vec<ConfigError>> {
    let mut raw = Document::parse(json)
        .and_then(|root| RawConfig::read(&root).ok())
        .ok_or_else(|| vec![ConfigError::NotJson])?;
    let errors = raw.apply_overrides(overrides);
    match raw.check() {
        Ok(config) if errors.is_empty() => Ok(config),
        Ok(_) => Err(errors),
        Err(more) => Err(errors.into_iter().chain(more).collect()),
    }
}
