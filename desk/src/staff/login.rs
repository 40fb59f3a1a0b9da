//! Logging in and out, and changing one's password.
//!
//! The login form has no session yet, so its CSRF token is a double-submit cookie: the
//! form's hidden field must equal the cookie the login page set.

use super::auth::{self, Staff};
use super::csrf::{csrf_field, refused, CsrfForm};
use super::error::{PageError, PageResult};
use super::i18n::{cookie, tr, Lang, PageLang};
use super::layout::{self, csrf_input, page};
use crate::client_addr::ClientIp;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

const LOGIN_COOKIE: &str = "xj_desk_login";

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only a page of the desk itself, so the login cannot be turned into an open redirect;
/// and no control characters, which cannot go into the `Location` header (axum's
/// `Redirect` panics on them).
fn safe_next(next: Option<&str>) -> &str {
    next.filter(|n| {
        n.starts_with("/desk/")
            && !n.contains("//")
            && !n.contains('\\')
            && !n.chars().any(char::is_control)
    })
    .unwrap_or("/desk/")
}

fn login_form(lang: Lang, token: &str, next: &str, error: Option<&str>) -> Markup {
    let t = |zh, en| tr(lang, zh, en);
    let body = html! {
        div.card.narrow {
            @if let Some(error) = error {
                p.error role="alert" { (error) }
            }
            form method="post" action="/desk/login" {
                input type="hidden" name="csrf" value=(token);
                input type="hidden" name="next" value=(next);
                label for="name" { (t("账号", "Account")) }
                input #name type="text" name="name" autocomplete="username" required;
                label for="password" { (t("密码", "Password")) }
                input #password type="password" name="password" autocomplete="current-password" required;
                button type="submit" { (t("登录", "Log in")) }
            }
        }
    };
    page(None, lang, t("工作台登录", "Desk login"), body)
}

fn with_login_cookie(state: &AppState, mut response: Response, token: &str) -> Response {
    let value = format!(
        "{LOGIN_COOKIE}={token}; Path=/desk/login; HttpOnly; SameSite=Strict{}",
        auth::secure(state)
    );
    if let Ok(value) = HeaderValue::from_str(&value) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// `GET /desk/login`
pub async fn login_page(
    State(state): State<Arc<AppState>>,
    PageLang(lang): PageLang,
    Query(q): Query<NextQuery>,
) -> Response {
    let token = auth::random_token();
    let next = safe_next(q.next.as_deref()).to_owned();
    with_login_cookie(
        &state,
        login_form(lang, &token, &next, None).into_response(),
        &token,
    )
}

/// Longest account name looked up at login (names are short; `user add` makes them).
const NAME_MAX_CHARS: usize = 64;
/// Longest password hashed at login.
const PASSWORD_MAX_BYTES: usize = 1024;
/// The login form's body: a name, a password, a token and the next page fit well inside.
pub const LOGIN_MAX_BODY: usize = 8 * 1024;

#[derive(Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
    next: Option<String>,
}

/// `POST /desk/login`
pub async fn login(
    State(state): State<Arc<AppState>>,
    PageLang(lang): PageLang,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> PageResult {
    // The in-memory limit first: a flood of logins costs neither a write nor a hash.
    if let Some(limiter) = &state.login_limiter {
        if let Err(retry_after) = limiter.check(ip, state.now_ms()) {
            return Ok(auth::too_many_logins(lang, retry_after));
        }
    }
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or("");
    match csrf_field(&body) {
        Some(token) if !expected.is_empty() && auth::same(&token, expected) => {}
        _ => return Ok(refused(lang, None)),
    }
    let Ok(form) = serde_urlencoded::from_bytes::<LoginForm>(&body) else {
        return Ok(layout::bad_request(None, lang));
    };
    // Every attempt is written down below (three subjects that carry the name): a name or
    // password no account can have is refused before that, so a login cannot fill the disk.
    if form.name.chars().count() > NAME_MAX_CHARS || form.password.len() > PASSWORD_MAX_BYTES {
        return Ok(layout::bad_request(None, lang));
    }
    let name = form.name.trim().to_owned();
    let next = safe_next(form.next.as_deref()).to_owned();
    let now = state.now_ms();
    let since = now - auth::LOGIN_WINDOW_MS;
    let subjects = auth::login_subjects(&name, ip);
    let store = &state.store;
    // Every attempt is counted as a failure before the password is checked, and the count
    // read after: attempts sent all at once each see the others, so no more than the limit
    // are ever checked. The right password then takes its attempt back.
    store
        .add_login_failure(&subjects, now, now - auth::LOGIN_WINDOW_MS)
        .await?;
    let counts = async {
        Ok::<_, crate::store::StoreError>([
            store.login_failures(&subjects[0], since).await?,
            store.login_failures(&subjects[1], since).await?,
            store.login_failures(&subjects[2], since).await?,
        ])
    };
    let account_failures = match counts.await? {
        // The address that guesses is stopped; the account itself never is, or anyone
        // could lock a clerk out with a few wrong passwords.
        [_, address, pair]
            if pair > auth::LOGIN_MAX_PER_PAIR || address > auth::LOGIN_MAX_PER_ADDRESS =>
        {
            return Ok(auth::too_many_logins(lang, auth::LOGIN_WINDOW_SECS));
        }
        [account, _, _] => account,
    };
    // Guesses at one account from many addresses: each waits longer, however it ends.
    tokio::time::sleep(auth::account_delay(account_failures)).await;
    let account = store.account(&name).await?;
    let hash = account.as_ref().map_or_else(
        || auth::dummy_hash().to_owned(),
        |a| a.password_hash.clone(),
    );
    let good = auth::verify_blocking(form.password, hash).await && account.is_some();
    if !good {
        let token = auth::random_token();
        let message = tr(lang, "账号或密码不正确", "Wrong account or password");
        let page = login_form(lang, &token, &next, Some(message));
        let page = (StatusCode::UNAUTHORIZED, page).into_response();
        return Ok(with_login_cookie(&state, page, &token));
    }
    store.forget_login_attempt(&subjects, now).await?;
    let token = auth::random_token();
    let session = auth::sha256_hex(token.as_bytes());
    let created = store
        .create_session(&session, &name, now, now + auth::SESSION_MS)
        .await;
    let audited = store.audit(&name, "login", None, None, now).await;
    created.and(audited)?;
    let mut response = Redirect::to(&next).into_response();
    let h = response.headers_mut();
    h.append(header::SET_COOKIE, auth::session_cookie(&state, &token));
    h.append(
        header::SET_COOKIE,
        HeaderValue::from_static("xj_desk_login=; Path=/desk/login; Max-Age=0"),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub struct Empty {}

/// `POST /desk/logout`
pub async fn logout(
    State(state): State<Arc<AppState>>,
    staff: Staff,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    let store = &state.store;
    let ended = store.end_session(&staff.session).await;
    let audited = store
        .audit(&staff.name, "logout", None, None, state.now_ms())
        .await;
    ended.and(audited)?;
    let mut response = Redirect::to("/desk/login").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, auth::clear_session_cookie(&state));
    Ok(response)
}

fn password_form(staff: &Staff, message: Option<(bool, &str)>) -> Markup {
    let lang = staff.lang;
    let t = |zh, en| tr(lang, zh, en);
    let body = html! {
        div.card.narrow {
            @match message {
                Some((true, text)) => p.ok role="status" { (text) },
                Some((false, text)) => p.error role="alert" { (text) },
                None => {},
            }
            form method="post" action="/desk/password" {
                (csrf_input(staff))
                label for="current" { (t("当前密码", "Current password")) }
                input #current type="password" name="current" autocomplete="current-password" required;
                label for="new" { (t("新密码", "New password")) }
                input #new type="password" name="new" autocomplete="new-password" required
                    minlength=(auth::PASSWORD_MIN_CHARS) aria-describedby="new-hint";
                p.hint #new-hint {
                    (t("至少 10 个字符。修改后，其他设备上的登录将失效。",
                       "At least 10 characters. Other devices are logged out."))
                }
                label for="confirm" { (t("再次输入新密码", "New password again")) }
                input #confirm type="password" name="confirm" autocomplete="new-password" required;
                button type="submit" { (t("修改密码", "Change password")) }
            }
        }
    };
    page(Some(staff), lang, t("修改密码", "Change password"), body)
}

/// `GET /desk/password`
pub async fn password_page(staff: Staff) -> Markup {
    password_form(&staff, None)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

/// `POST /desk/password`
pub async fn change_password(
    State(state): State<Arc<AppState>>,
    staff: Staff,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> PageResult {
    let lang = staff.lang;
    let fail = |text: &str| {
        (
            StatusCode::BAD_REQUEST,
            password_form(&staff, Some((false, text))),
        )
            .into_response()
    };
    let Some(account) = state.store.account(&staff.name).await? else {
        return Err(PageError::NotFound(None));
    };
    if !auth::verify_blocking(form.current, account.password_hash).await {
        return Ok(fail(tr(
            lang,
            "当前密码不正确",
            "The current password is wrong",
        )));
    }
    if form.new.chars().count() < auth::PASSWORD_MIN_CHARS {
        return Ok(fail(tr(
            lang,
            "新密码至少 10 个字符",
            "The new password needs at least 10 characters",
        )));
    }
    if form.new != form.confirm {
        return Ok(fail(tr(
            lang,
            "两次输入的新密码不一致",
            "The two new passwords differ",
        )));
    }
    let hash = auth::hash_blocking(form.new).await?;
    let now = state.now_ms();
    let store = &state.store;
    let changed = store
        .set_password(&staff.name, &hash, &staff.session, now)
        .await;
    let audited = store.audit(&staff.name, "password", None, None, now).await;
    changed.and(audited)?;
    Ok(password_form(
        &staff,
        Some((true, tr(lang, "密码已修改", "Password changed"))),
    )
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_is_a_desk_page_that_fits_in_a_header() {
        assert_eq!(
            safe_next(Some("/desk/reports/XJ-1?a=b")),
            "/desk/reports/XJ-1?a=b"
        );
        for bad in [
            "https://evil.example/",
            "//evil.example/desk/",
            "/desk//evil.example",
            "/desk/\\evil.example",
            "/desk/\r\nSet-Cookie: x=1",
            "/desk/\u{7f}",
            "/desk/a\tb",
            "/desk/\0",
        ] {
            assert_eq!(safe_next(Some(bad)), "/desk/", "{bad:?}");
        }
        // Whatever passes goes into a Location header.
        assert!(axum::http::HeaderValue::from_str(safe_next(Some("/desk/楼"))).is_ok());
    }
}
