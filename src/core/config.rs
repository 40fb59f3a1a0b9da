//! Deployment configuration: `config.json` beside `index.html`, optionally overridden by
//! `data-*` attributes on the mount element. Never read from the page's URL.

use super::campaign::Text;
use super::i18n::Lang;
use serde::Deserialize;

pub const DEFAULT_TIMEOUT_MS: u32 = 20_000;

/// Where reports go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// The in-browser mock backend of the demo.
    Mock,
    /// A real receiver: `https:`, or `http:` on localhost for development.
    Url(String),
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
        }
    }
}

/// Parses `config.json` text and applies `data-*` overrides (`("endpoint", "…")`, with the
/// attribute's name after `data-`, dashes or underscores alike). All problems are returned.
pub fn parse_config(
    json: &str,
    overrides: &[(String, String)],
) -> Result<Config, Vec<ConfigError>> {
    let mut raw: RawConfig = serde_json::from_str(json).map_err(|_| vec![ConfigError::NotJson])?;
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
            "endpoint" => raw.endpoint = Some(value.clone()),
            "campaigns_url" => raw.campaigns_url = Some(value.clone()),
            "default_lang" => raw.default_lang = Some(value.clone()),
            "communities" => raw.communities = list(value),
            "parent_origins" => raw.parent_origins = list(value),
            "timeout_ms" => match value.trim().parse() {
                Ok(ms) => raw.timeout_ms = Some(ms),
                Err(_) => errors.push(ConfigError::BadValue {
                    key: "timeout_ms",
                    value: value.clone(),
                }),
            },
            _ => {}
        }
    }
    match raw.check() {
        Ok(config) if errors.is_empty() => Ok(config),
        Ok(_) => Err(errors),
        Err(more) => Err(errors.into_iter().chain(more).collect()),
    }
}

#[derive(Deserialize, Default)]
struct RawConfig {
    endpoint: Option<String>,
    campaigns_url: Option<String>,
    #[serde(default)]
    communities: Vec<String>,
    default_lang: Option<String>,
    #[serde(default)]
    privacy: RawPrivacy,
    timeout_ms: Option<f64>,
    #[serde(default)]
    theme: RawTheme,
    #[serde(default)]
    parent_origins: Vec<String>,
}

#[derive(Deserialize, Default)]
struct RawPrivacy {
    controller: Option<Text>,
    purpose: Option<Text>,
    retention: Option<Text>,
    contact: Option<Text>,
    notice_version: Option<String>,
}

#[derive(Deserialize, Default)]
struct RawTheme {
    primary: Option<String>,
    title: Option<Text>,
    logo: Option<String>,
}

impl RawConfig {
    fn check(self) -> Result<Config, Vec<ConfigError>> {
        let mut errors = Vec::new();
        let endpoint = match self.endpoint.as_deref().map(str::trim) {
            None | Some("") => {
                errors.push(ConfigError::MissingEndpoint);
                Endpoint::Mock
            }
            Some("mock") => Endpoint::Mock,
            Some(url) if is_allowed_endpoint(url) => {
                Endpoint::Url(url.trim_end_matches('/').to_owned())
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
                    value: ms.to_string(),
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

/// `https://host…`, or `http://localhost` / `http://127.0.0.1` (any port) for development.
/// No credentials, no whitespace, no fragment.
pub fn is_allowed_endpoint(url: &str) -> bool {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) || url.contains('#') {
        return false;
    }
    let (secure, rest) = if let Some(rest) = url.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = url.strip_prefix("http://") {
        (false, rest)
    } else {
        return false;
    };
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    if authority.is_empty() || authority.contains('@') || authority.contains('\\') {
        return false;
    }
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        Some((_, _)) => return false,
        None => authority,
    };
    if host.is_empty()
        || !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    {
        return false;
    }
    secure || host == "localhost" || host == "127.0.0.1"
}

/// The origin (`scheme://host[:port]`) of an allowed URL.
pub fn origin_of(url: &str) -> Option<String> {
    let scheme_end = url.find("://")? + 3;
    let rest = &url[scheme_end..];
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    Some(url[..scheme_end + end].to_owned())
}

/// `https://host[:port]` (or localhost over http), with nothing after it.
fn is_origin(text: &str) -> bool {
    is_allowed_endpoint(text) && origin_of(text).as_deref() == Some(text)
}

fn is_relative_path(text: &str) -> bool {
    !text.contains("://")
        && !text.starts_with("//")
        && !text.contains(':')
        && !text.chars().any(char::is_whitespace)
}

fn is_hex_colour(text: &str) -> bool {
    text.len() == 7 && text.starts_with('#') && text[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SHIPPED: &str = include_str!("../../public/config.json");

    #[test]
    fn shipped_config_is_the_mock_demo() {
        let config = parse_config(SHIPPED, &[]).expect("shipped config parses");
        assert!(config.is_mock());
        assert!(config.communities.len() >= 3);
        assert!(
            config.communities.iter().all(|c| c.contains("演示")),
            "demo names must be visibly fictional"
        );
    }

    #[test]
    fn endpoint_rules() {
        for ok in [
            "https://report.example.gov.cn/v1/reports",
            "https://a.b:8443",
            "http://localhost:8787/reports",
            "http://127.0.0.1:9000",
        ] {
            assert!(is_allowed_endpoint(ok), "{ok}");
        }
        for bad in [
            "http://example.com/reports",
            "ftp://x",
            "javascript:alert(1)",
            "https://user:pw@evil.example",
            "https://",
            "https:// evil",
            "http://localhost.evil.com",
            "http://127.0.0.1.nip.io",
            "//evil.example",
            "https://a.b:x",
            "https://evil.example\\@good",
        ] {
            assert!(!is_allowed_endpoint(bad), "{bad}");
        }
    }

    #[test]
    fn bad_endpoint_is_an_error_not_a_fallback() {
        let errors = parse_config(r#"{"endpoint": "http://evil.example"}"#, &[]).unwrap_err();
        assert_eq!(
            errors,
            vec![ConfigError::InsecureEndpoint("http://evil.example".into())]
        );
        assert_eq!(
            parse_config("{}", &[]).unwrap_err(),
            vec![ConfigError::MissingEndpoint]
        );
        assert_eq!(
            parse_config("not json", &[]).unwrap_err(),
            vec![ConfigError::NotJson]
        );
    }

    #[test]
    fn data_attributes_override_the_file() {
        let overrides = vec![
            ("endpoint".to_owned(), "https://r.example/api/".to_owned()),
            (
                "communities".to_owned(),
                "甲村（演示）, 乙苑（演示）".to_owned(),
            ),
            ("timeout-ms".to_owned(), "5000".to_owned()),
            ("default-lang".to_owned(), "en".to_owned()),
            ("unknown".to_owned(), "ignored".to_owned()),
        ];
        let config = parse_config(SHIPPED, &overrides).unwrap();
        assert_eq!(
            config.endpoint,
            Endpoint::Url("https://r.example/api".into())
        );
        assert_eq!(config.communities, vec!["甲村（演示）", "乙苑（演示）"]);
        assert_eq!(config.timeout_ms, 5000);
        assert_eq!(config.default_lang, Some(Lang::En));
    }

    #[test]
    fn theme_and_timeout_are_checked() {
        let errors = parse_config(
            r#"{"endpoint": "mock", "timeout_ms": 5, "theme": {"primary": "red;background:url(x)", "logo": "javascript:x"}, "default_lang": "fr"}"#,
            &[],
        )
        .unwrap_err();
        let keys: Vec<&str> = errors
            .iter()
            .filter_map(|e| match e {
                ConfigError::BadValue { key, .. } => Some(*key),
                _ => None,
            })
            .collect();
        assert_eq!(
            keys,
            ["default_lang", "timeout_ms", "theme.primary", "theme.logo"]
        );
    }

    #[test]
    fn origins() {
        assert_eq!(
            origin_of("https://a.example:8443/x?y").as_deref(),
            Some("https://a.example:8443")
        );
        let config = parse_config(r#"{"endpoint": "mock", "parent_origins": ["https://h5.example.cn", "http://127.0.0.1:4000"]}"#, &[]).unwrap();
        assert_eq!(config.parent_origins.len(), 2);
        assert!(parse_config(
            r#"{"endpoint": "mock", "parent_origins": ["https://h5.example.cn/page"]}"#,
            &[]
        )
        .is_err());
    }

    proptest! {
        #[test]
        fn never_panics_and_never_accepts_plain_http_elsewhere(text in "\\PC{0,80}", host in "[a-z]{1,10}\\.[a-z]{2,3}") {
            let _ = parse_config(&text, &[("endpoint".into(), text.clone())]);
            let _ = is_allowed_endpoint(&text);
            let url = format!("http://{host}/r");
            let json = format!("{{\"endpoint\": \"{url}\"}}");
            prop_assert!(parse_config(&json, &[]).is_err());
        }
    }
}

fn relative_luminance(rgb: [f64; 3]) -> f64 {
    let linear = |c: f64| {
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(rgb[0]) + 0.7152 * linear(rgb[1]) + 0.0722 * linear(rgb[2])
}

fn parse_hex(hex: &str) -> Option<[f64; 3]> {
    if !is_hex_colour(hex) {
        return None;
    }
    let channel = |i: usize| {
        u8::from_str_radix(&hex[i..i + 2], 16)
            .ok()
            .map(|v| f64::from(v) / 255.0)
    };
    Some([channel(1)?, channel(3)?, channel(5)?])
}

/// The deployer's primary colour, darkened if needed until white text on it (and it as
/// text on white) reaches WCAG AA's 4.5:1, so a bright brand green cannot make buttons
/// unreadable.
pub fn accessible_primary(hex: &str) -> Option<String> {
    let mut rgb = parse_hex(hex)?;
    // Judge the colour as it will be written (whole bytes), so rounding cannot undo the fix.
    let to_bytes = |rgb: [f64; 3]| rgb.map(|c| (c * 255.0).round().clamp(0.0, 255.0) as u8);
    let mut bytes = to_bytes(rgb);
    for _ in 0..60 {
        let written = bytes.map(|b| f64::from(b) / 255.0);
        if 1.05 / (relative_luminance(written) + 0.05) >= 4.5 {
            break;
        }
        rgb = rgb.map(|c| c * 0.92);
        bytes = to_bytes(rgb);
    }
    Some(format!("#{:02x}{:02x}{:02x}", bytes[0], bytes[1], bytes[2]))
}

#[cfg(test)]
mod contrast_tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rounding_cannot_undo_the_fix() {
        // Found by the property test below: darkening stopped at 4.5 before rounding to bytes.
        let out = accessible_primary("#17893b").unwrap();
        let lum = relative_luminance(parse_hex(&out).unwrap());
        assert!(1.05 / (lum + 0.05) >= 4.5, "{out}");
    }

    #[test]
    fn wechat_green_is_darkened_dark_colours_kept() {
        let fixed = accessible_primary("#07c160").unwrap();
        assert_ne!(fixed, "#07c160");
        assert_eq!(accessible_primary("#0b7d3e").as_deref(), Some("#0b7d3e"));
        assert_eq!(accessible_primary("red"), None);
    }

    proptest! {
        #[test]
        fn result_always_reaches_aa(r in 0u8.., g in 0u8.., b in 0u8..) {
            let out = accessible_primary(&format!("#{r:02x}{g:02x}{b:02x}")).unwrap();
            let lum = relative_luminance(parse_hex(&out).unwrap());
            prop_assert!(1.05 / (lum + 0.05) >= 4.5, "{} gives {}", out, 1.05 / (lum + 0.05));
        }
    }
}
