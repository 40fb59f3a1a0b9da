//! A logged-in staff member, over HTTP as a browser would do it: the login page's
//! double-submit cookie, the session cookie, and each form's CSRF token read from the page.
#![allow(dead_code)]

use crate::common::{client, TestDesk};
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};

pub fn form_body(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap()
}

/// Creates an account directly in the store (as `xinjing-desk user add` does).
pub async fn add_account(desk: &TestDesk, name: &str, role: &str, communities: &[&str]) {
    let hash = xinjing_desk::staff::auth::hash_password("correct horse battery").unwrap();
    let communities: Vec<String> = communities.iter().map(|c| c.to_string()).collect();
    desk.state()
        .store
        .put_account(name, role, &hash, &communities, desk.state().now_ms())
        .await
        .unwrap();
}

/// A browser session of one account (cookies by hand; redirects not followed).
pub struct Session {
    pub url: String,
    pub cookie: String,
    pub http: reqwest::Client,
}

fn cookie_value(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or("").to_owned())
}

/// The value of the first `name="csrf"` hidden field on a page.
pub fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token")
        + 19;
    html[at..].split('"').next().unwrap().to_owned()
}

pub async fn login(desk: &TestDesk, name: &str) -> Session {
    let http = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let _ = client();
    let page = http
        .get(format!("{}/desk/login", desk.url))
        .send()
        .await
        .unwrap();
    let login_cookie = cookie_value(&page, "xj_desk_login").expect("the login cookie");
    let token = csrf_of(&page.text().await.unwrap());
    let response = http
        .post(format!("{}/desk/login", desk.url))
        .header(COOKIE, format!("xj_desk_login={login_cookie}"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form_body(&[
            ("csrf", token.as_str()),
            ("name", name),
            ("password", "correct horse battery"),
            ("next", "/desk/"),
        ]))
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_redirection(),
        "login: {}",
        response.status()
    );
    let session = cookie_value(&response, "xj_desk_session").expect("a session cookie");
    Session {
        url: desk.url.clone(),
        cookie: format!("xj_desk_session={session}"),
        http,
    }
}

/// An answer read whole: status, `Location`, body.
pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub text: String,
}

impl Session {
    pub async fn get(&self, path: &str) -> Page {
        let response = self
            .http
            .get(format!("{}{path}", self.url))
            .header(COOKIE, &self.cookie)
            .send()
            .await
            .unwrap();
        read(response).await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        let response = self
            .http
            .post(format!("{}{path}", self.url))
            .header(COOKIE, &self.cookie)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form_body(form))
            .send()
            .await
            .unwrap();
        read(response).await
    }
}

async fn read(response: reqwest::Response) -> Page {
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    Page {
        status,
        location,
        text: response.text().await.unwrap(),
    }
}
