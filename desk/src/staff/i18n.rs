//! The staff pages' two languages: Chinese by default, English by `?lang=en` (remembered in
//! a cookie). The language is the contract's own type; [`PageLang`] extracts a page's.

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::convert::Infallible;

/// The contract's language, so categories and states read the same words as in the
/// widget.
pub use xinjing_contract::Lang;

/// The short code of `?lang=` and the language cookie.
pub fn code(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "zh",
        Lang::En => "en",
    }
}

/// The cookie that remembers the chosen language.
pub const LANG_COOKIE: &str = "xj_desk_lang";

/// `zh` or `en` by language.
pub fn tr<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie<'a>(parts: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    parts
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn query_lang(query: Option<&str>) -> Option<Lang> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == "lang")
        .and_then(|(_, v)| Lang::from_tag(v))
}

/// The page's language: `?lang=` first, then the cookie, then Chinese.
pub fn lang_of(parts: &Parts) -> Lang {
    query_lang(parts.uri.query())
        .or_else(|| cookie(&parts.headers, LANG_COOKIE).and_then(Lang::from_tag))
        .unwrap_or_default()
}

/// A page's language, as a handler's argument.
#[derive(Clone, Copy, Debug)]
pub struct PageLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for PageLang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<PageLang, Infallible> {
        Ok(PageLang(lang_of(parts)))
    }
}

tokio::task_local! {
    /// The query string of the page being rendered, for the language switch's link.
    static QUERY: String;
}

/// The language switch's link: this page (its filters kept) in the other language.
pub fn switch_href(lang: Lang) -> String {
    let query = QUERY.try_with(String::clone).unwrap_or_default();
    let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str(&query).unwrap_or_default();
    pairs.retain(|(k, _)| k != "lang");
    pairs.push(("lang".into(), code(lang.other()).into()));
    format!(
        "?{}",
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    )
}

/// Remembers a language chosen by `?lang=` for the pages that follow, and keeps the query
/// at hand for [`switch_href`].
pub async fn remember_lang(req: Request, next: Next) -> Response {
    let chosen = query_lang(req.uri().query());
    let query = req.uri().query().unwrap_or("").to_owned();
    let mut response = QUERY.scope(query, next.run(req)).await;
    if let Some(lang) = chosen {
        let value = format!(
            "{LANG_COOKIE}={}; Path=/desk; Max-Age=31536000; SameSite=Strict",
            code(lang)
        );
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}
