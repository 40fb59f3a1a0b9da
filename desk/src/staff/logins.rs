//! `/desk/logins` (admins): the failed logins of the last window, by account, by client and
//! by the two together, and a button to forget those of an account or a client (a clerk
//! who mistyped, an office behind one address).

use super::auth::{self, Admin};
use super::csrf::CsrfForm;
use super::error::PageResult;
use super::i18n::tr;
use super::layout::{self, csrf_input, page};
use super::rules::local_time;
use crate::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use maud::html;
use serde::Deserialize;
use std::sync::Arc;

/// `GET /desk/logins`
pub async fn logins_page(State(state): State<Arc<AppState>>, Admin(staff): Admin) -> PageResult {
    let lang = staff.lang;
    let t = |zh, en| tr(lang, zh, en);
    let since = state.now_ms() - auth::LOGIN_WINDOW_MS;
    let rows = state.store.login_failure_summary(since).await?;
    let body = html! {
        p { (t("最近 15 分钟内的登录失败。清除后，该账号或地址不再被减速或阻止。",
               "Failed logins of the last 15 minutes. Clearing them stops the slowing or blocking of that account or address.")) }
        table.list {
            caption.sr-only { (t("登录失败（最新在前）", "Failed logins (newest first)")) }
            thead { tr {
                th scope="col" { (t("账号", "Account")) }
                th scope="col" { (t("地址", "Address")) }
                th scope="col" { (t("次数", "Failures")) }
                th scope="col" { (t("最近", "Latest")) }
                th scope="col" { (t("状态", "State")) }
                th scope="col" { span.sr-only { (t("操作", "Action")) } }
            } }
            tbody {
                @for row in &rows {
                    @let (kind, account, client) = split(&row.subject);
                    @let state_text = match kind {
                        "account" if auth::account_delay(row.failures).is_zero() => "",
                        "account" => t("登录被减速", "Logins slowed"),
                        "ip" if row.failures > auth::LOGIN_MAX_PER_ADDRESS => t("已阻止", "Blocked"),
                        "pair" if row.failures > auth::LOGIN_MAX_PER_PAIR => t("已阻止", "Blocked"),
                        _ => "",
                    };
                    tr {
                        td data-label=(t("账号", "Account")) { (account) }
                        td data-label=(t("地址", "Address")) { (client) }
                        td data-label=(t("次数", "Failures")) { (row.failures) }
                        td data-label=(t("最近", "Latest")) { (local_time(Some(row.latest))) }
                        td data-label=(t("状态", "State")) { (state_text) }
                        td {
                            @if kind != "pair" {
                                form.inline method="post" action="/desk/logins/clear" {
                                    (csrf_input(&staff))
                                    input type="hidden" name="kind" value=(kind);
                                    input type="hidden" name="value" value=(if kind == "account" { account } else { client });
                                    button type="submit" { (t("清除", "Clear")) " " (if kind == "account" { account } else { client }) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page(Some(&staff), lang, t("登录失败", "Failed logins"), body).into_response())
}

/// `account:NAME`, `ip:CLIENT` or `pair:CLIENT NAME` as (kind, account, client).
fn split(subject: &str) -> (&str, &str, &str) {
    let (kind, rest) = subject.split_once(':').unwrap_or(("", subject));
    match kind {
        "account" => (kind, rest, ""),
        "ip" => (kind, "", rest),
        _ => {
            let (client, account) = rest.split_once(' ').unwrap_or((rest, ""));
            (kind, account, client)
        }
    }
}

#[derive(Deserialize)]
pub struct ClearForm {
    kind: String,
    value: String,
}

/// `POST /desk/logins/clear`
pub async fn clear(
    State(state): State<Arc<AppState>>,
    Admin(staff): Admin,
    CsrfForm(form): CsrfForm<ClearForm>,
) -> PageResult {
    let lang = staff.lang;
    let store = &state.store;
    let cleared = match form.kind.as_str() {
        "account" => store.clear_account_failures(&form.value).await,
        "ip" => store.clear_client_failures(&form.value).await,
        _ => return Ok(layout::bad_request(Some(&staff), lang)),
    };
    let detail = format!("{}:{}", form.kind, form.value);
    let audited = store
        .audit(
            &staff.name,
            "logins_clear",
            None,
            Some(&detail),
            state.now_ms(),
        )
        .await;
    cleared.and(audited.map(|()| 0))?;
    Ok(Redirect::to("/desk/logins").into_response())
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn subjects_read_back() {
        assert_eq!(split("account:li"), ("account", "li", ""));
        assert_eq!(split("ip:2001:db8::"), ("ip", "", "2001:db8::"));
        assert_eq!(
            split("pair:198.51.100.7 li"),
            ("pair", "li", "198.51.100.7")
        );
    }
}
