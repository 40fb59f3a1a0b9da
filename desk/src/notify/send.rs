//! One request to a channel: the signature each platform wants, then the answer judged.
//! Errors never carry the URL (it holds the robot's key).

use super::config::{Channel, Kind};
use super::policy::{judge, Outcome};
use super::sign;
use serde_json::Value;
use std::time::Duration;

/// Short enough that a request ends well inside the channel lease.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        // A redirect would carry the signed message somewhere not configured.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("xinjing-desk/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("an HTTP client")
}

/// Sends `body` (a message from `message`) to the channel at time `now_ms`.
pub async fn send(
    client: &reqwest::Client,
    channel: &Channel,
    mut body: Value,
    now_ms: i64,
) -> Outcome {
    let secret = channel.secret.as_deref();
    let mut url = match reqwest::Url::parse(&channel.url) {
        Ok(url) => url,
        Err(_) => return Outcome::Permanent("the url does not parse".to_owned()),
    };
    let mut request = match channel.kind {
        Kind::WeCom => client.post(url).json(&body),
        Kind::DingTalk => {
            if let Some(secret) = secret {
                url.query_pairs_mut()
                    .append_pair("timestamp", &now_ms.to_string())
                    .append_pair("sign", &sign::dingtalk(now_ms, secret));
            }
            client.post(url).json(&body)
        }
        Kind::Feishu => {
            if let (Some(secret), Some(fields)) = (secret, body.as_object_mut()) {
                let seconds = now_ms.div_euclid(1000);
                fields.insert("timestamp".into(), Value::String(seconds.to_string()));
                fields.insert("sign".into(), Value::String(sign::feishu(seconds, secret)));
            }
            client.post(url).json(&body)
        }
        Kind::Webhook => {
            let bytes = serde_json::to_vec(&body).unwrap_or_default();
            let seconds = now_ms.div_euclid(1000);
            let signature = sign::webhook(seconds, secret.unwrap_or(""), &bytes);
            client
                .post(url)
                .header("Content-Type", "application/json")
                .header("X-Xinjing-Timestamp", seconds.to_string())
                .header("X-Xinjing-Signature", signature)
                .body(bytes)
        }
    };
    request = request.header("Accept", "application/json");
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let text = response.text().await.unwrap_or_default();
            judge(channel.kind, status, &text)
        }
        Err(e) => Outcome::Retry(network_error(&e)),
    }
}

/// What went wrong, in words that hold no URL.
fn network_error(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else if e.is_body() || e.is_decode() {
        "the answer broke off"
    } else {
        "request failed"
    };
    format!("network: {what}")
}
