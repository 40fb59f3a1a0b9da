//! Fake robot receivers (WeCom, DingTalk, Feishu, a webhook): in-process HTTP servers on
//! port 0 that record every request and answer as scripted (by default, the platform's
//! "ok").

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::Router;
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug)]
pub struct Request {
    pub query: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Request {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8")
    }

    pub fn query_param(&self, name: &str) -> Option<String> {
        url_decode_pairs(&self.query)
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

#[derive(Default)]
struct Shared {
    requests: Vec<Request>,
    script: VecDeque<(u16, String)>,
}

pub struct Robot {
    pub url: String,
    shared: Arc<Mutex<Shared>>,
    task: tokio::task::JoinHandle<()>,
}

impl Robot {
    /// `path_and_query` as the platform's URL has it, `ok` the answer it gives when all is well.
    pub async fn start(path_and_query: &str, ok: (u16, &str)) -> Robot {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let ok = (ok.0, ok.1.to_owned());
        let app = {
            let shared = shared.clone();
            let ok = ok.clone();
            Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: Bytes| {
                let shared = shared.clone();
                let ok = ok.clone();
                async move {
                    let mut s = shared.lock().unwrap();
                    s.requests.push(Request {
                        query: uri.query().unwrap_or("").to_owned(),
                        headers,
                        body: body.to_vec(),
                    });
                    let (status, body) = s.script.pop_front().unwrap_or(ok);
                    (StatusCode::from_u16(status).unwrap(), body)
                }
            })
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Robot {
            url: format!("http://{addr}{path_and_query}"),
            shared,
            task,
        }
    }

    pub async fn wecom() -> Robot {
        Robot::start(
            "/cgi-bin/webhook/send?key=wecom-test-key",
            (200, r#"{"errcode":0,"errmsg":"ok"}"#),
        )
        .await
    }

    pub async fn dingtalk() -> Robot {
        Robot::start(
            "/robot/send?access_token=ding-test-token",
            (200, r#"{"errcode":0,"errmsg":"ok"}"#),
        )
        .await
    }

    pub async fn feishu() -> Robot {
        Robot::start(
            "/open-apis/bot/v2/hook/feishu-test",
            (200, r#"{"code":0,"msg":"success","data":{}}"#),
        )
        .await
    }

    pub async fn webhook() -> Robot {
        Robot::start("/hooks/xinjing", (204, "")).await
    }

    /// The next answers, in order, before the usual "ok" again.
    pub fn answer_next(&self, answers: &[(u16, &str)]) {
        let mut s = self.shared.lock().unwrap();
        s.script
            .extend(answers.iter().map(|(c, b)| (*c, (*b).to_owned())));
    }

    /// Every later request answered so (until `answer_next` is used again).
    pub fn answer_always(&self, status: u16, body: &str) {
        self.answer_next(&vec![(status, body); 10_000]);
    }

    pub fn requests(&self) -> Vec<Request> {
        self.shared.lock().unwrap().requests.clone()
    }

    pub fn count(&self) -> usize {
        self.shared.lock().unwrap().requests.len()
    }
}

impl Drop for Robot {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn url_decode_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}
