//! What the notification tests share: fake robots, signature checks made with the `hmac`
//! crate (not the desk's own HMAC), and short ways to file reports and run passes.
#![allow(dead_code)]

pub mod robots;

use crate::common::*;
use base64::Engine;
use hmac::{KeyInit, Mac};
use robots::Robot;
use serde_json::{json, Value};
use xinjing_desk::notify::{counts, Counts};
use xinjing_desk::sample;

pub type HmacSha256 = hmac::Hmac<sha2_verify::Sha256>;

pub fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub const DING_SECRET: &str = "SEC-ding-test-secret";
pub const FEISHU_SECRET: &str = "feishu-test-secret";
pub const HOOK_SECRET: &str = "hook-test-secret";
/// Passes run at the start and when a test asks (`run_now`), unless a test wants polling.
pub const NO_POLL: (&str, &str) = ("DESK_NOTIFY_POLL_MS", "3600000");

pub fn wecom_vars(robot: &Robot) -> Vec<(String, String)> {
    vec![("DESK_NOTIFY_WECOM_URL".into(), robot.url.clone())]
}

pub fn dingtalk_vars(robot: &Robot) -> Vec<(String, String)> {
    vec![
        ("DESK_NOTIFY_DINGTALK_URL".into(), robot.url.clone()),
        ("DESK_NOTIFY_DINGTALK_SECRET".into(), DING_SECRET.into()),
    ]
}

pub fn vars<'a>(
    owned: &'a [(String, String)],
    more: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain(more.iter().copied())
        .collect()
}

/// A report with everything personal a resident could give: name, phone, and a phone
/// number and a name in the free texts.
pub fn personal_report(id: &str) -> Value {
    let mut report = sample::report(id);
    report["contact"] = json!({ "name": "王阿姨", "phone": "13912345678" });
    report["consent"]["contact"] = json!(true);
    report["description"] = json!("楼下张师傅的电动车天天在楼道充电，请打 13812345678 找我");
    report["location"]["detail"] = json!("3 楼楼道 有事打139 1234 5678");
    report
}

pub const PERSONAL: [&str; 8] = [
    "王阿姨",
    "13912345678",
    "13812345678",
    "139 1234 5678",
    "1391234",
    "张师傅",
    "充电，请打",
    "找我",
];

pub fn assert_nothing_personal(text: &str) {
    for word in PERSONAL {
        assert!(!text.contains(word), "{word:?} in a notification: {text}");
    }
}

pub async fn post_one(desk: &TestDesk, report: &Value) -> String {
    desk.post(report).await.ticket()
}

pub async fn file(desk: &TestDesk) -> String {
    post_one(desk, &sample::report(&sample::random_uuid())).await
}

/// Waits (without a fixed sleep) until `check` holds, for at most 10 s.
pub async fn wait_until(what: &str, check: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !check() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting: {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

pub async fn run_now(desk: &TestDesk) -> xinjing_desk::notify::Pass {
    desk.desk()
        .notifier
        .as_ref()
        .expect("notifications on")
        .run_now()
        .await
}

pub async fn outbox_counts(desk: &TestDesk) -> Counts {
    counts(&desk.state().store).await.unwrap()
}

/// The tickets a WeCom message names (one, or a digest's list), in order.
pub fn wecom_tickets(body: &Value) -> Vec<String> {
    let content = body["markdown"]["content"].as_str().unwrap();
    content
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| w.starts_with("XJ-") && w.len() == 16)
        .map(str::to_owned)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

pub fn clock_ms(clock: &xinjing_desk::clock::FakeClock) -> i64 {
    use xinjing_desk::clock::Clock;
    clock.now_ms()
}

pub async fn test_pool(url: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::pool::PoolOptions::<sqlx::Any>::new()
        .max_connections(1)
        .connect(url)
        .await
        .unwrap()
}
