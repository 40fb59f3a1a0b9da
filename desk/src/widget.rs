//! The widget's release build, served by the desk at `/` (one origin: no CORS needed), with
//! the security headers of the README and a `config.json` whose endpoint is the desk's own
//! API. Everything else in the build's `config.json` is kept.

use axum::http::{header, HeaderName, HeaderValue};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

pub const API_PATH: &str = "/api/v1/reports";

/// Where the desk serves the campaign feed its admins edit (the campaigns module): the path
/// of the bundled file, so a build that still says `campaigns_url: "campaigns.json"` reads
/// the desk's feed too.
pub const FEED_PATH: &str = "/campaigns.json";

/// The build to serve and what the desk learnt from its `config.json`.
#[derive(Clone, Debug)]
pub struct Widget {
    pub dir: PathBuf,
    /// The `config.json` served in place of the build's.
    pub config_json: String,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub communities: Vec<String>,
    pub parent_origins: Vec<String>,
    /// Days of the privacy notice's retention, when it says so plainly.
    pub notice_retention_days: Option<u32>,
    /// The notice's retention when it says one the desk cannot read ("办结后半年"): the
    /// desk then refuses to guess.
    pub notice_retention_unread: Option<String>,
    /// The build's `index.html`, when its static first paint sits between the build's
    /// markers: the desk renders that part again with its own campaigns.
    pub index_html: Option<String>,
    /// The served config as the widget reads it (for the static paint's form and title).
    pub page_config: Option<xinjing_core::config::Config>,
}

const PAINT_START: &str = "<!-- xj-static -->";
const PAINT_END: &str = "<!-- /xj-static -->";

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The origin of an absolute URL (`https://host[:port]`).
fn origin_of(url: &str) -> Option<String> {
    let start = url.find("://")? + 3;
    let end = url[start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| start + i);
    Some(url[..end].to_owned())
}

/// The headers the README asks for, with `connect-src` the desk itself (plus a campaign
/// feed on another origin) and `frame-ancestors` the embedding pages.
pub fn security_headers(
    extra_connect: Option<&str>,
    parent_origins: &[String],
) -> Vec<(HeaderName, HeaderValue)> {
    let connect = match extra_connect {
        Some(origin) => format!("'self' {origin}"),
        None => "'self'".to_owned(),
    };
    let ancestors = std::iter::once("'self'".to_owned())
        .chain(parent_origins.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ");
    let csp = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; \
         connect-src {connect}; frame-ancestors {ancestors}; base-uri 'none'; form-action 'none'"
    );
    let mut headers = vec![
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
    ];
    if let Ok(value) = HeaderValue::from_str(&csp) {
        headers.insert(0, (header::CONTENT_SECURITY_POLICY, value));
    }
    headers
}

/// A widget build whose `config.json` cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum WidgetError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not a JSON object: {source}", path.display())]
    NotAnObject {
        path: std::path::PathBuf,
        source: serde_json::Error,
    },
    #[error("{}: privacy.notice_version is longer than {max} characters: every report would be refused", path.display())]
    NoticeVersion {
        path: std::path::PathBuf,
        max: usize,
    },
}

impl Widget {
    /// Reads `dist/config.json`. `public_url` is the desk's origin; `communities` and
    /// `parent_origins` from the desk's configuration replace the build's when set.
    pub fn load(
        dir: &Path,
        public_url: &str,
        communities: Option<&[String]>,
        parent_origins: Option<&[String]>,
    ) -> Result<Widget, WidgetError> {
        let path = dir.join("config.json");
        let text = std::fs::read_to_string(&path).map_err(|source| WidgetError::Read {
            path: path.clone(),
            source,
        })?;
        let mut config: Map<String, Value> =
            serde_json::from_str(&text).map_err(|source| WidgetError::NotAnObject {
                path: path.clone(),
                source,
            })?;
        let notice_version = config
            .get("privacy")
            .and_then(|p| p.get("notice_version"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let max = xinjing_contract::report::NOTICE_VERSION_MAX;
        if notice_version.chars().count() > max {
            return Err(WidgetError::NoticeVersion { path, max });
        }
        config.insert(
            "endpoint".into(),
            Value::String(format!("{public_url}{API_PATH}")),
        );
        // The desk serves the campaigns its admins edit.
        config.insert(
            "campaigns_url".into(),
            Value::String(format!("{public_url}{FEED_PATH}")),
        );
        let communities = match communities {
            Some(list) => {
                config.insert(
                    "communities".into(),
                    list.iter().cloned().map(Value::String).collect(),
                );
                list.to_vec()
            }
            None => strings(config.get("communities")),
        };
        let parent_origins = match parent_origins {
            Some(list) => {
                config.insert(
                    "parent_origins".into(),
                    list.iter().cloned().map(Value::String).collect(),
                );
                list.to_vec()
            }
            None => strings(config.get("parent_origins")),
        };
        let feed_origin = config
            .get("campaigns_url")
            .and_then(Value::as_str)
            .filter(|u| u.contains("://"))
            .and_then(origin_of)
            .filter(|o| o != public_url);
        let retention = config.get("privacy").and_then(|p| p.get("retention"));
        let text = |lang: &str| retention.and_then(|r| r.get(lang)).and_then(Value::as_str);
        let notice_retention_days = text("en")
            .and_then(retention_days_en)
            .or_else(|| text("zh").and_then(retention_days_zh));
        let notice_retention_unread = match notice_retention_days {
            Some(_) => None,
            None => text("zh").or(text("en")).map(str::to_owned),
        };
        let config_json = Value::Object(config).to_string();
        let index_html = std::fs::read_to_string(dir.join("index.html"))
            .ok()
            .filter(|html| html.contains(PAINT_START) && html.contains(PAINT_END));
        Ok(Widget {
            dir: dir.to_owned(),
            page_config: xinjing_core::config::parse_config(&config_json, &[]).ok(),
            index_html,
            config_json,
            headers: security_headers(feed_origin.as_deref(), &parent_origins),
            communities,
            parent_origins,
            notice_retention_days,
            notice_retention_unread,
        })
    }
}

impl Widget {
    /// `index.html` with its static first paint rendered from `feed_json` (the desk's feed),
    /// so the first paint and the no-WebAssembly page show what the app will: an ended
    /// campaign gone, a new one there. `None` for a build without the markers.
    pub fn first_paint(&self, feed_json: &str) -> Option<String> {
        let html = self.index_html.as_deref()?;
        let feed = xinjing_core::campaign::parse_feed(feed_json).ok()?.feed;
        let page = xinjing_static_page::render(&feed, self.page_config.as_ref());
        let start = html.find(PAINT_START)? + PAINT_START.len();
        let end = start + html[start..].find(PAINT_END)?;
        Some(format!("{}{}{}", &html[..start], page.html, &html[end..]))
    }
}

fn unit_days(unit: &str) -> Option<u32> {
    let unit = unit.trim_end_matches('s');
    match unit {
        "day" | "天" | "日" => Some(1),
        "week" | "周" | "星期" => Some(7),
        "month" | "个月" | "月" => Some(30),
        "year" | "年" => Some(365),
        _ => None,
    }
}

/// "one year after the case is closed", "6 months after…", "30 days…".
pub fn retention_days_en(text: &str) -> Option<u32> {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| w.to_ascii_lowercase())
        .collect();
    if words.iter().any(|w| w == "half") {
        return None;
    }
    words.windows(2).find_map(|pair| {
        let count = match pair[0].as_str() {
            "one" | "a" | "an" => 1,
            "two" => 2,
            "three" => 3,
            "six" => 6,
            n => n.parse().ok()?,
        };
        Some(count * unit_days(&pair[1])?)
    })
}

/// "办结后 1 年", "办结后6个月", "办结后 30 天".
pub fn retention_days_zh(text: &str) -> Option<u32> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let rest = &text[start..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let unit = rest[digits.len()..].trim_start();
    let count: u32 = digits.parse().ok()?;
    let days = ["个月", "星期", "天", "日", "周", "月", "年"]
        .iter()
        .find(|u| unit.starts_with(**u))
        .and_then(|u| unit_days(u))?;
    Some(count * days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_from_the_notice() {
        assert_eq!(
            retention_days_en("one year after the case is closed"),
            Some(365)
        );
        assert_eq!(retention_days_en("6 months after closing"), Some(180));
        assert_eq!(retention_days_en("for a while"), None);
        assert_eq!(retention_days_en("half a year after closing"), None);
        assert_eq!(retention_days_zh("办结后半年"), None);
        assert_eq!(retention_days_zh("办结后 1 年"), Some(365));
        assert_eq!(retention_days_zh("办结后6个月"), Some(180));
        assert_eq!(retention_days_zh("长期"), None);
    }

    #[test]
    fn csp_names_the_desk_and_the_embedding_pages() {
        let headers = security_headers(None, &["https://h5.example.cn".into()]);
        let csp = headers[0].1.to_str().unwrap();
        assert!(csp.contains("connect-src 'self';"), "{csp}");
        assert!(
            csp.contains("frame-ancestors 'self' https://h5.example.cn;"),
            "{csp}"
        );
        assert_eq!(
            origin_of("https://feed.example.cn/v1/campaigns.json").as_deref(),
            Some("https://feed.example.cn")
        );
    }
}
