//! Who is logged in: argon2id passwords, sessions whose token only the cookie holds (the
//! database keeps its SHA-256), the per-session CSRF token, and the login rate limit.

pub use super::account::{Role, Staff};
use super::i18n::{cookie, lang_of, Lang};
use super::layout;
use crate::state::AppState;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
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

/// An argon2id hash (PHC string) with a fresh salt.
pub fn hash_password(password: &str) -> Result<String, HashError> {
    let salt = SaltString::encode_b64(&crate::ids::random_bytes::<16>())?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// A password that could not be hashed (argon2 refused its parameters or input), or a
/// hashing task that did not finish.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("cannot hash the password: {0}")]
    Argon2(#[from] argon2::password_hash::Error),
    #[error("the hashing task stopped: {0}")]
    Task(#[from] tokio::task::JoinError),
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A stand-in hash, verified when the account does not exist, so a wrong name takes as
/// long as a wrong password.
pub fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("not a password of anyone").unwrap_or_default())
}

/// Hashes that may run at once. Each holds 19 MiB and a core for tens of milliseconds, so
/// a burst of logins waits its turn instead of taking the desk's memory.
pub const HASHING_PERMITS: usize = 2;

static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(HASHING_PERMITS);

/// Runs one Argon2 computation off the async threads, no more than [`HASHING_PERMITS`] at
/// once.
pub async fn hashing<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, tokio::task::JoinError> {
    // The semaphore is never closed, so acquiring only waits.
    let _permit = HASHING.acquire().await;
    tokio::task::spawn_blocking(work).await
}

pub async fn verify_blocking(password: String, hash: String) -> bool {
    hashing(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false)
}

pub async fn hash_blocking(password: String) -> Result<String, HashError> {
    hashing(move || hash_password(&password)).await?
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
            .map_err(|e| layout::storage_failed(e, lang))?;
        let Some(account) = account else {
            return Err(to_login(parts));
        };
        // The store refuses a role it does not know, so this never falls back to one.
        let Some(role) = Role::from_code(&account.role) else {
            return Err(layout::storage_failed(&account.role, lang));
        };
        let staff = Staff {
            name: account.name,
            role,
            communities: if role == Role::Admin {
                Vec::new()
            } else {
                account.communities
            },
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
            Err(layout::not_found(Some(&staff), staff.lang))
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
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_than_a_few_hashes_run_at_once() {
        static RUNNING: AtomicUsize = AtomicUsize::new(0);
        static PEAK: AtomicUsize = AtomicUsize::new(0);
        let tasks: Vec<_> = (0..12)
            .map(|_| {
                tokio::spawn(hashing(|| {
                    let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
                    PEAK.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(30));
                    RUNNING.fetch_sub(1, Ordering::SeqCst);
                }))
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        let peak = PEAK.load(Ordering::SeqCst);
        assert!((1..=HASHING_PERMITS).contains(&peak), "{peak} at once");
    }

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
