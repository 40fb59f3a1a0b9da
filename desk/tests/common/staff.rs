//! A staff member's browser for the desk's pages: cookies kept by hand, redirects not
//! followed (the tests look at them), the CSRF token read from the page as a browser would.

use super::{Answer, TestDesk};
use xinjing_desk::staff::auth::hash_password;

pub const PASSWORD: &str = "correct horse battery";

/// Creates an account directly in the store (the CLI has its own test).
pub async fn add_account(desk: &TestDesk, name: &str, role: &str, communities: &[&str]) {
    let hash = hash_password(PASSWORD).unwrap();
    let communities: Vec<String> = communities.iter().map(|c| c.to_string()).collect();
    desk.state()
        .store
        .put_account(name, role, &hash, &communities, 0)
        .await
        .unwrap();
}

pub struct Browser {
    pub base: String,
    http: reqwest::Client,
    cookies: Vec<(String, String)>,
    pub csrf: Option<String>,
    /// Sent as `X-Forwarded-For`: the browser's address as a trusted proxy reports it.
    pub forwarded_for: Option<String>,
}

/// The value of the hidden `csrf` field of a page.
pub fn csrf_in(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    Some(html[at..].split('"').next()?.to_owned())
}

impl Browser {
    pub fn new(desk: &TestDesk) -> Browser {
        Browser::at(&desk.url)
    }

    pub fn at(url: &str) -> Browser {
        let _ = rustls::crypto::ring::default_provider().install_default();
        Browser {
            base: url.to_owned(),
            http: reqwest::Client::builder()
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: Vec::new(),
            csrf: None,
            forwarded_for: None,
        }
    }

    /// A browser at `ip`, behind the desk's trusted proxy.
    pub fn from_address(desk: &TestDesk, ip: &str) -> Browser {
        Browser {
            forwarded_for: Some(ip.to_owned()),
            ..Browser::new(desk)
        }
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("Cookie", self.cookie_header());
        if let Some(ip) = &self.forwarded_for {
            req = req.header("X-Forwarded-For", ip);
        }
        req
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn cookies_set(&mut self, name: &str, value: &str) {
        self.cookies.retain(|(k, _)| k != name);
        self.cookies.push((name.to_owned(), value.to_owned()));
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn keep_cookies(&mut self, answer: &Answer) {
        for value in answer.headers.get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(k, _)| k != name);
            if !value.is_empty() && !text.contains("Max-Age=0") {
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        let response = self
            .request(reqwest::Method::GET, path)
            .send()
            .await
            .unwrap();
        let answer = Answer::from(response).await;
        self.keep_cookies(&answer);
        if let Some(csrf) = csrf_in(&answer.text) {
            self.csrf = Some(csrf);
        }
        answer
    }

    /// A file (a download): its bytes, after checking it was served.
    pub async fn get_bytes(&mut self, path: &str) -> Vec<u8> {
        let response = self
            .request(reqwest::Method::GET, path)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
        response.bytes().await.unwrap().to_vec()
    }

    /// Posts a form as is (no token added).
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let response = self
            .request(reqwest::Method::POST, path)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(fields).unwrap())
            .send()
            .await
            .unwrap();
        let answer = Answer::from(response).await;
        self.keep_cookies(&answer);
        if let Some(csrf) = csrf_in(&answer.text) {
            self.csrf = Some(csrf);
        }
        answer
    }

    /// Posts a form with the CSRF token of the last page read.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let csrf = self
            .csrf
            .clone()
            .expect("a page with a form was read first");
        let mut all: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    pub async fn try_login(&mut self, name: &str, password: &str) -> Answer {
        let page = self.get("/desk/login").await;
        assert_eq!(page.status, 200, "{}", page.text);
        self.post(
            "/desk/login",
            &[("name", name), ("password", password), ("next", "/desk/")],
        )
        .await
    }

    pub async fn login(&mut self, name: &str) {
        let answer = self.try_login(name, PASSWORD).await;
        assert_eq!(answer.status, 303, "{}", answer.text);
        let list = self.get("/desk/").await;
        assert_eq!(list.status, 200, "{}", list.text);
    }
}
