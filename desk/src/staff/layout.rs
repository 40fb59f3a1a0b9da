//! The frame of every staff page (head, navigation, language switch), the error pages, the
//! stylesheet, and the security headers of `/desk/*` (a CSP with no inline script or style).

use super::account::Staff;
use super::i18n::{tr, Lang};
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};

/// The stylesheet, compiled in.
pub const CSS: &str = include_str!("desk.css");

/// No script at all; styles and images from the desk only; forms post only to the desk.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// A hidden field with the session's CSRF token, for every POST form.
pub fn csrf_input(staff: &Staff) -> Markup {
    html! { input type="hidden" name="csrf" value=(staff.csrf); }
}

/// The `<head>` of every desk page (the staff pages, the printable posters): its window
/// title and its one stylesheet.
pub fn head(title: Markup, stylesheet: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) }
            link rel="stylesheet" href=(stylesheet);
        }
    }
}

/// A whole page: `title` is the `<h1>` and the window title.
pub fn page(staff: Option<&Staff>, lang: Lang, title: &str, body: Markup) -> Markup {
    let t = |zh, en| tr(lang, zh, en);
    html! {
        (DOCTYPE)
        html lang=(lang.tag()) {
            (head(html! { (title) " · " (t("新泾工作台", "Xinjing desk")) }, "/desk/static/desk.css"))
            body {
                a.skip href="#main" { (t("跳到正文", "Skip to content")) }
                header.top {
                    a.brand href="/desk/" { (t("新泾 · 工作台", "Xinjing · Desk")) }
                    @if let Some(staff) = staff {
                        nav aria-label=(t("主菜单", "Main menu")) {
                            ul {
                                @if staff.is_unit() {
                                    li { a href="/desk/tasks" { (t("我的任务", "My tasks")) } }
                                } @else {
                                    li { a href="/desk/" { (t("问题清单", "Problem list")) } }
                                    @if staff.reads_town_figures() {
                                        li { a href="/desk/overview" { (t("总览", "Overview")) } }
                                    }
                                    li { a href="/desk/stats" { (t("统计分析", "Statistics")) } }
                                    @if !staff.reads_town_figures() || staff.is_admin() {
                                        li { a href="/desk/rechecks" { (t("回头看", "Check again")) } }
                                    }
                                    li { a href="/desk/posters" { (t("宣传海报", "Posters")) } }
                                }
                                @if staff.is_admin() {
                                    li { a href="/desk/campaigns" { (t("宣传活动", "Campaigns")) } }
                                    li { a href="/desk/units" { (t("处置单位", "Handling units")) } }
                                    li { a href="/desk/audit" { (t("审计日志", "Audit log")) } }
                                    li { a href="/desk/logins" { (t("登录失败", "Failed logins")) } }
                                }
                                li { a href="/desk/password" { (t("修改密码", "Change password")) } }
                                li {
                                    form.inline method="post" action="/desk/logout" {
                                        (csrf_input(staff))
                                        button.link type="submit" { (t("退出登录", "Log out")) }
                                    }
                                }
                            }
                        }
                        p.who { (t("当前账号：", "Signed in as ")) (staff.name) }
                    }
                    a.lang href=(super::i18n::switch_href(lang)) lang=(lang.other().tag()) {
                        (tr(lang, "English", "中文"))
                    }
                }
                main #main {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// A page with a message and a status code.
pub fn message_page(
    staff: Option<&Staff>,
    lang: Lang,
    status: StatusCode,
    title: &str,
    message: &str,
) -> Response {
    let body = html! {
        p { (message) }
        p { a href="/desk/" { (tr(lang, "返回问题清单", "Back to the problem list")) } }
    };
    (status, page(staff, lang, title, body)).into_response()
}

pub fn not_found(staff: Option<&Staff>, lang: Lang) -> Response {
    message_page(
        staff,
        lang,
        StatusCode::NOT_FOUND,
        tr(lang, "没有这个页面", "Page not found"),
        tr(
            lang,
            "地址有误，或您没有查看它的权限。",
            "The address is wrong, or it is not yours to see.",
        ),
    )
}

pub fn bad_request(staff: Option<&Staff>, lang: Lang) -> Response {
    message_page(
        staff,
        lang,
        StatusCode::BAD_REQUEST,
        tr(lang, "表单有误", "The form is not valid"),
        tr(
            lang,
            "请返回上一页检查后重新提交。",
            "Go back, check the form and send it again.",
        ),
    )
}

/// The 503 page: the database (or the photos' storage) failed. (The failure itself is
/// logged by the page error that leads here.)
pub fn unavailable(lang: Lang) -> Response {
    message_page(
        None,
        lang,
        StatusCode::SERVICE_UNAVAILABLE,
        tr(lang, "暂时无法访问", "Temporarily unavailable"),
        tr(
            lang,
            "数据库暂时无法访问，请稍后刷新。",
            "The database cannot be reached just now. Reload in a moment.",
        ),
    )
}

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        CSS,
    )
        .into_response()
}

/// Security headers of every `/desk/` answer. Pages hold personal data: never cached.
pub async fn headers(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(CSP));
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}
