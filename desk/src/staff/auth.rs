//! Who is logged in: sessions whose token only the cookie holds (the database keeps its
//! SHA-256), the per-session CSRF token, and the login rate limit.

pub use super::account::{Role, Staff};
use super::error::PageError;
use super::i18n::{cookie, lang_of, Lang};
use super::layout;
pub use super::password::{
    dummy_hash, hash_blocking, hash_password, verify_blocking, verify_password, HashError,
};
use crate::state::AppState;
use crate::store::StoreError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use std::sync::Arc;

/// The session cookie (path `/desk`).
pub const SESSION_COOKIE: &str = "xj_desk_session";
/// A session ends this long after login.
pub const SESSION_MS: i64 = 12 * 3600 * 1000;
/// Failed logins counted over this window.
pub const LOGIN_WINDOW_MS: i64 = 15 * 60 * 1000;
pub const LOGIN_WINDOW_SECS: u64 = (LOGIN_WINDOW_MS / 1000) as u64;
/// Failed logins allowed per account from one client in the window (then that client
/// waits for the window; others do not).
pub const LOGIN_MAX_PER_PAIR: i64 = 5;
/// Failed logins allowed per client in the window (many accounts tried).
pub const LOGIN_MAX_PER_ADDRESS: i64 = 20;
/// Failed logins at one account, from anywhere, before its logins are slowed.
pub const LOGIN_FREE_PER_ACCOUNT: i64 = 5;
/// The longest an account's login is slowed: a clerk still gets in, only later.
pub const LOGIN_MAX_DELAY: std::time::Duration = std::time::Duration::from_secs(8);
/// Shortest password accepted.
pub const PASSWORD_MIN_CHARS: usize = 10;

pub use crate::ids::sha256_hex;

/// What a login attempt is counted under: the account, the client (an IPv4 address or an
/// IPv6 /64), and the two together. The store's `clear_login_failures` finds them again.
pub fn login_subjects(name: &str, ip: std::net::IpAddr) -> [String; 3] {
    let client = crate::ratelimit::client_key(ip);
    [
        format!("account:{name}"),
        format!("ip:{client}"),
        format!("pair:{client} {name}"),
    ]
}

/// How long a login at an account waits after `failures` recent failures at it: nothing
/// at first, then doubling from a quarter of a second up to [`LOGIN_MAX_DELAY`].
pub fn account_delay(failures: i64) -> std::time::Duration {
    let excess = failures - LOGIN_FREE_PER_ACCOUNT;
    if excess <= 0 {
        return std::time::Duration::ZERO;
    }
    let ms = 250u64.saturating_mul(1 << (excess - 1).min(16));
    std::time::Duration::from_millis(ms).min(LOGIN_MAX_DELAY)
}

/// The CSRF token of a session: derived from the token the cookie holds, so it is never
/// stored and a copy of the database cannot forge it.
pub fn csrf_for(token: &str) -> String {
    sha256_hex(format!("xinjing-desk csrf\0{token}").as_bytes())
}

/// A new session's (or login form's) token.
pub fn random_token() -> String {
    crate::ids::random_secret()
}

/// Equal strings, compared in time that does not depend on where they differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

pub fn secure(state: &AppState) -> &'static str {
    if state.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    }
}

/// `Set-Cookie` for a new session.
pub fn session_cookie(state: &AppState, token: &str) -> HeaderValue {
    let value = format!(
        "{SESSION_COOKIE}={token}; Path=/desk; Max-Age={}; HttpOnly; SameSite=Strict{}",
        SESSION_MS / 1000,
        secure(state)
    );
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static(""))
}

/// `Set-Cookie` that ends the session in the browser.
pub fn clear_session_cookie(state: &AppState) -> HeaderValue {
    let value = format!(
        "{SESSION_COOKIE}=; Path=/desk; Max-Age=0; HttpOnly; SameSite=Strict{}",
        secure(state)
    );
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static(""))
}

/// Where a page that needs a login sends the browser.
pub fn to_login(parts: &Parts) -> Response {
    let next = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .filter(|p| parts.method == axum::http::Method::GET && p.starts_with("/desk/"))
        .unwrap_or("/desk/");
    let target = format!("/desk/login?next={}", encode_component(next));
    Redirect::to(&target).into_response()
}

/// Percent-encodes everything but unreserved characters.
pub fn encode_component(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl FromRequestParts<Arc<AppState>> for Staff {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Staff, Response> {
        if let Some(staff) = parts.extensions.get::<Staff>() {
            return Ok(staff.clone());
        }
        let lang = lang_of(parts);
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE).filter(|t| !t.is_empty()) else {
            return Err(to_login(parts));
        };
        let session = sha256_hex(token.as_bytes());
        let account = state
            .store
            .session_account(&session, state.now_ms())
            .await
            .map_err(|e| PageError::from(e).into_response())?;
        let Some(account) = account else {
            return Err(to_login(parts));
        };
        // The store refuses a role it does not know, so this never falls back to one.
        let Some(role) = Role::from_code(&account.role) else {
            let unknown = StoreError::UnknownCode {
                what: "role",
                code: account.role,
            };
            return Err(PageError::from(unknown).into_response());
        };
        let staff = Staff {
            name: account.name,
            role,
            communities: if role == Role::Staff {
                account.communities
            } else {
                Vec::new()
            },
            unit: account.unit.filter(|_| role == Role::Unit),
            lang,
            csrf: csrf_for(token),
            session,
        };
        parts.extensions.insert(staff.clone());
        Ok(staff)
    }
}

/// A logged-in admin; anyone else gets 404 (the page does not exist for them).
#[derive(Clone, Debug)]
pub struct Admin(pub Staff);

impl FromRequestParts<Arc<AppState>> for Admin {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Admin, Response> {
        let staff = Staff::from_request_parts(parts, state).await?;
        if staff.is_admin() {
            Ok(Admin(staff))
        } else {
            Err(PageError::not_found(&staff).into_response())
        }
    }
}

/// A logged-in account that reads the whole town's figures (admins and the town); anyone
/// else gets 404.
#[derive(Clone, Debug)]
pub struct TownReader(pub Staff);

impl FromRequestParts<Arc<AppState>> for TownReader {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<TownReader, Response> {
        let staff = Staff::from_request_parts(parts, state).await?;
        if staff.reads_town_figures() {
            Ok(TownReader(staff))
        } else {
            Err(PageError::not_found(&staff).into_response())
        }
    }
}

/// 429 page for too many logins from one client; the browser may try again after
/// `retry_after` seconds.
pub fn too_many_logins(lang: Lang, retry_after: u64) -> Response {
    let mut response = layout::message_page(
        None,
        lang,
        StatusCode::TOO_MANY_REQUESTS,
        super::i18n::tr(lang, "登录尝试过多", "Too many login attempts"),
        super::i18n::tr(
            lang,
            "从这里尝试登录的次数过多，请稍后再试，或请管理员重置密码。",
            "Too many login attempts from here. Try again later, or ask an admin to reset the password.",
        ),
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn an_account_is_slowed_more_and_more_but_never_closed() {
        assert_eq!(account_delay(LOGIN_FREE_PER_ACCOUNT), Duration::ZERO);
        assert_eq!(account_delay(6), Duration::from_millis(250));
        assert_eq!(account_delay(7), Duration::from_millis(500));
        assert_eq!(account_delay(1_000_000), LOGIN_MAX_DELAY);
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_slash_64() {
        let a = login_subjects("li", "2001:db8::1".parse().unwrap());
        let b = login_subjects("li", "2001:db8::2:3".parse().unwrap());
        assert_eq!(a, b);
        assert_eq!(a[2], "pair:2001:db8:: li");
    }
}
