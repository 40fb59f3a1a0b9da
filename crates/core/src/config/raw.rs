//! `config.json` as written, and the checks that turn it into a `Config`.

use super::colour::is_hex_colour;
use super::url::{is_allowed_endpoint, is_endpoint_base, is_origin, is_relative_path};
use super::{Config, ConfigError, Endpoint, Privacy, Theme, DEFAULT_TIMEOUT_MS};
use crate::campaign::{read_text, Text};
use crate::i18n::Lang;
use crate::json::{number, object, optional, or_default, string, strings, Json, Read};

/// `config.json` as written; read by hand over `Json` (see `core::json` for why).
#[derive(Default)]
pub(super) struct RawConfig {
    endpoint: Option<String>,
    campaigns_url: Option<String>,
    communities: Vec<String>,
    default_lang: Option<String>,
    privacy: RawPrivacy,
    timeout_ms: Option<f64>,
    theme: RawTheme,
    parent_origins: Vec<String>,
}

#[derive(Default)]
struct RawPrivacy {
    controller: Option<Text>,
    purpose: Option<Text>,
    retention: Option<Text>,
    contact: Option<Text>,
    notice_version: Option<String>,
}

#[derive(Default)]
struct RawTheme {
    primary: Option<String>,
    title: Option<Text>,
    logo: Option<String>,
}

impl RawConfig {
    /// The rules of the derived deserialiser this replaces: unknown keys ignored, optional
    /// keys absent or `null`, a key of the wrong type (a `null` list or section included)
    /// makes the whole file unreadable.
    pub(super) fn read<J: Json>(root: &J) -> Read<RawConfig> {
        let root = object(root)?;
        let privacy = |node: &J| {
            let node = object(node)?;
            Ok(RawPrivacy {
                controller: optional(node, "controller", read_text)?,
                purpose: optional(node, "purpose", read_text)?,
                retention: optional(node, "retention", read_text)?,
                contact: optional(node, "contact", read_text)?,
                notice_version: optional(node, "notice_version", string)?,
            })
        };
        let theme = |node: &J| {
            let node = object(node)?;
            Ok(RawTheme {
                primary: optional(node, "primary", string)?,
                title: optional(node, "title", read_text)?,
                logo: optional(node, "logo", string)?,
            })
        };
        Ok(RawConfig {
            endpoint: optional(root, "endpoint", string)?,
            campaigns_url: optional(root, "campaigns_url", string)?,
            communities: or_default(root, "communities", strings)?,
            default_lang: optional(root, "default_lang", string)?,
            privacy: or_default(root, "privacy", privacy)?,
            timeout_ms: optional(root, "timeout_ms", number)?,
            theme: or_default(root, "theme", theme)?,
            parent_origins: or_default(root, "parent_origins", strings)?,
        })
    }

    /// `data-*` overrides (`("endpoint", "…")`, dashes or underscores alike); returns the
    /// values that could not be read.
    pub(super) fn apply_overrides(&mut self, overrides: &[(String, String)]) -> Vec<ConfigError> {
        let mut errors = Vec::new();
        let list = |value: &str| {
            value
                .split([',', '，', '、', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        };
        for (name, value) in overrides {
            match name.replace('-', "_").as_str() {
                "endpoint" => self.endpoint = Some(value.clone()),
                "campaigns_url" => self.campaigns_url = Some(value.clone()),
                "default_lang" => self.default_lang = Some(value.clone()),
                "communities" => self.communities = list(value),
                "parent_origins" => self.parent_origins = list(value),
                // Whole milliseconds: parsing an f64 here would bring Rust's float parser
                // into the wasm (~5 KB before wasm-opt) for this one attribute.
                "timeout_ms" => match value.trim().parse::<u32>() {
                    Ok(ms) => self.timeout_ms = Some(f64::from(ms)),
                    Err(_) => errors.push(ConfigError::BadValue {
                        key: "timeout_ms",
                        value: value.clone(),
                    }),
                },
                _ => {}
            }
        }
        errors
    }

    pub(super) fn check(self) -> Result<Config, Vec<ConfigError>> {
        let mut errors = Vec::new();
        let endpoint = match self.endpoint.as_deref().map(str::trim) {
            None | Some("") => {
                errors.push(ConfigError::MissingEndpoint);
                Endpoint::Mock
            }
            Some("mock") => Endpoint::Mock,
            Some(url) if is_endpoint_base(url) => {
                Endpoint::Url(url.trim_end_matches('/').to_owned())
            }
            Some(url) if is_allowed_endpoint(url) => {
                errors.push(ConfigError::BadValue {
                    key: "endpoint (no ?query: ticket URLs are {endpoint}/{ticket})",
                    value: url.to_owned(),
                });
                Endpoint::Mock
            }
            Some(url) => {
                errors.push(ConfigError::InsecureEndpoint(url.to_owned()));
                Endpoint::Mock
            }
        };
        let campaigns_url = self
            .campaigns_url
            .map(|u| u.trim().to_owned())
            .filter(|u| !u.is_empty());
        if let Some(url) = &campaigns_url {
            if !(is_relative_path(url) || is_allowed_endpoint(url)) {
                errors.push(ConfigError::BadValue {
                    key: "campaigns_url",
                    value: url.clone(),
                });
            }
        }
        let default_lang = match self.default_lang.as_deref() {
            None | Some("") => None,
            Some(tag) => {
                let lang = Lang::from_tag(tag);
                if lang.is_none() {
                    errors.push(ConfigError::BadValue {
                        key: "default_lang",
                        value: tag.to_owned(),
                    });
                }
                lang
            }
        };
        let timeout_ms = match self.timeout_ms {
            None => DEFAULT_TIMEOUT_MS,
            Some(ms) if (1_000.0..=120_000.0).contains(&ms) => ms as u32,
            Some(ms) => {
                errors.push(ConfigError::BadValue {
                    key: "timeout_ms",
                    value: milliseconds_text(ms),
                });
                DEFAULT_TIMEOUT_MS
            }
        };
        let primary = self.theme.primary.filter(|c| !c.is_empty());
        if let Some(colour) = &primary {
            if !is_hex_colour(colour) {
                errors.push(ConfigError::BadValue {
                    key: "theme.primary",
                    value: colour.clone(),
                });
            }
        }
        let logo = self.theme.logo.filter(|l| !l.is_empty());
        if let Some(logo) = &logo {
            if !(is_relative_path(logo) || logo.starts_with("https://")) {
                errors.push(ConfigError::BadValue {
                    key: "theme.logo",
                    value: logo.clone(),
                });
            }
        }
        for origin in &self.parent_origins {
            if !is_origin(origin) {
                errors.push(ConfigError::BadValue {
                    key: "parent_origins",
                    value: origin.clone(),
                });
            }
        }
        let communities: Vec<String> = self
            .communities
            .into_iter()
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .collect();
        let or = |text: Option<Text>, zh: &str, en: &str| {
            text.unwrap_or_else(|| Text {
                zh: zh.into(),
                en: en.into(),
            })
        };
        let privacy = Privacy {
            controller: or(
                self.privacy.controller,
                "所在居民区居委会",
                "your neighbourhood committee",
            ),
            purpose: or(
                self.privacy.purpose,
                "核实和处理安全隐患",
                "checking and fixing the hazard",
            ),
            retention: or(
                self.privacy.retention,
                "办结后 1 年",
                "one year after the case is closed",
            ),
            contact: or(
                self.privacy.contact,
                "12345 市民服务热线",
                "the 12345 citizen hotline",
            ),
            notice_version: self.privacy.notice_version.unwrap_or_else(|| "1".into()),
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Config {
            endpoint,
            campaigns_url,
            communities,
            default_lang,
            privacy,
            timeout_ms,
            theme: Theme {
                primary,
                title: self.theme.title,
                logo,
            },
            parent_origins: self.parent_origins,
        })
    }
}

/// `ms` for an error message, to the microsecond, without `f64`'s `Display`: that alone
/// is ~14 KB of the wasm before wasm-opt (Grisu and Dragon4), used nowhere else.
fn milliseconds_text(ms: f64) -> String {
    if !ms.is_finite() || ms.abs() >= 1e15 {
        return "(out of range)".into();
    }
    let micros = (ms.abs() * 1000.0).round() as u64;
    let sign = if ms < 0.0 && micros > 0 { "-" } else { "" };
    let (whole, fraction) = (micros / 1000, micros % 1000);
    if fraction == 0 {
        format!("{sign}{whole}")
    } else {
        let digits = format!("{fraction:03}");
        format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::milliseconds_text;

    #[test]
    fn milliseconds_read_as_written() {
        for (ms, text) in [
            (5.0, "5"),
            (0.5, "0.5"),
            (-2.25, "-2.25"),
            (120_001.0, "120001"),
            (999.125, "999.125"),
            (-0.0, "0"),
            (1e300, "(out of range)"),
        ] {
            assert_eq!(milliseconds_text(ms), text);
        }
    }
}
