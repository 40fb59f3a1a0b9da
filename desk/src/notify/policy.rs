//! The notifier's decisions, pure: how a platform's answer is judged, how long to wait
//! before a retry, and how many messages a rate limit allows now (with a digest for the
//! rest).

use super::config::{Kind, Limit};

/// What became of one request to a channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Worth another try later: network errors, 5xx, 429, or the platform's "errcode".
    Retry(String),
    /// Will not get better by retrying (a 4xx such as a wrong URL).
    Permanent(String),
}

/// Judges an HTTP answer. WeCom and DingTalk answer 200 with `{"errcode": 0}` when they took
/// the message and another errcode when not (130101 / 45009: sending too fast); Feishu
/// answers `{"code": 0}` (older bots `{"StatusCode": 0}`). The webhook: any 2xx.
pub fn judge(kind: Kind, status: u16, body: &str) -> Outcome {
    if status == 429 || status == 408 || status >= 500 {
        return Outcome::Retry(format!("HTTP {status}"));
    }
    if !(200..300).contains(&status) {
        return Outcome::Permanent(format!("HTTP {status}"));
    }
    if kind == Kind::Webhook {
        return Outcome::Delivered;
    }
    let Ok(answer) = serde_json::from_str::<serde_json::Value>(body) else {
        return Outcome::Retry(format!("HTTP {status} with an answer that is not JSON"));
    };
    let (field, code) = match kind {
        Kind::Feishu => match answer.get("code") {
            Some(code) => ("code", code.as_i64()),
            None => (
                "StatusCode",
                answer.get("StatusCode").and_then(|c| c.as_i64()),
            ),
        },
        _ => ("errcode", answer.get("errcode").and_then(|c| c.as_i64())),
    };
    match code {
        Some(0) => Outcome::Delivered,
        Some(code) => {
            // The platforms' messages name the problem; they hold no secret of ours.
            let message = ["errmsg", "msg", "StatusMessage"]
                .iter()
                .find_map(|f| answer.get(*f).and_then(|m| m.as_str()))
                .unwrap_or("")
                .chars()
                .take(120)
                .collect::<String>();
            Outcome::Retry(format!("{field} {code}: {message}"))
        }
        None => Outcome::Retry(format!("HTTP {status} without {field}")),
    }
}

pub const BACKOFF_FIRST_MS: i64 = 2_000;
pub const BACKOFF_MAX_MS: i64 = 5 * 60_000;

/// The wait before try number `attempts + 1`: doubling from 2 s up to 5 minutes, of which
/// a random half (`jitter` in 0..1), so desks and channels that failed together do not
/// retry together.
pub fn backoff_ms(attempts: u32, jitter: f64) -> i64 {
    let doubled = BACKOFF_FIRST_MS.saturating_mul(1_i64 << attempts.saturating_sub(1).min(20));
    let full = doubled.min(BACKOFF_MAX_MS);
    full / 2 + (jitter.clamp(0.0, 1.0) * (full / 2) as f64) as i64
}

/// How many requests the channel's limits allow now, given how many went out in each
/// limit's window (`used[i]` for `limits[i]`).
pub fn capacity(limits: &[Limit], used: &[u32]) -> usize {
    limits
        .iter()
        .zip(used)
        .map(|(limit, used)| limit.count.saturating_sub(*used) as usize)
        .min()
        .unwrap_or(0)
}

/// One message of a send pass: the due events at these positions, alone or as a digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Batch {
    One(usize),
    Digest(std::ops::Range<usize>),
}

/// Splits `due` waiting events into at most `capacity` messages: one each while they fit;
/// when more are waiting than fit, the last message is a digest of all the rest, so
/// nothing is dropped and nothing waits behind the limit for ever.
pub fn plan(due: usize, capacity: usize) -> Vec<Batch> {
    if due <= capacity {
        return (0..due).map(Batch::One).collect();
    }
    if capacity == 0 {
        return Vec::new();
    }
    let singles = capacity - 1;
    let mut batches: Vec<Batch> = (0..singles).map(Batch::One).collect();
    batches.push(Batch::Digest(singles..due));
    batches
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_judged_per_platform() {
        assert_eq!(
            judge(Kind::WeCom, 200, r#"{"errcode":0,"errmsg":"ok"}"#),
            Outcome::Delivered
        );
        assert!(matches!(
            judge(Kind::DingTalk, 200, r#"{"errcode":130101,"errmsg":"send too fast"}"#),
            Outcome::Retry(m) if m.contains("130101")
        ));
        assert_eq!(
            judge(Kind::Feishu, 200, r#"{"code":0,"msg":"success"}"#),
            Outcome::Delivered
        );
        assert_eq!(
            judge(Kind::Feishu, 200, r#"{"StatusCode":0}"#),
            Outcome::Delivered
        );
        assert!(matches!(
            judge(
                Kind::Feishu,
                200,
                r#"{"code":19021,"msg":"sign match fail"}"#
            ),
            Outcome::Retry(_)
        ));
        assert!(matches!(judge(Kind::WeCom, 502, ""), Outcome::Retry(_)));
        assert!(matches!(judge(Kind::WeCom, 429, ""), Outcome::Retry(_)));
        assert!(matches!(
            judge(Kind::WeCom, 200, "<html>"),
            Outcome::Retry(_)
        ));
        assert!(matches!(
            judge(Kind::Webhook, 404, ""),
            Outcome::Permanent(_)
        ));
        assert_eq!(judge(Kind::Webhook, 204, ""), Outcome::Delivered);
    }

    #[test]
    fn backoff_doubles_with_jitter_up_to_a_cap() {
        assert_eq!(backoff_ms(1, 0.0), 1_000);
        assert_eq!(backoff_ms(1, 1.0), 2_000);
        assert_eq!(backoff_ms(3, 1.0), 8_000);
        assert_eq!(backoff_ms(30, 1.0), BACKOFF_MAX_MS);
        assert_eq!(backoff_ms(30, 0.0), BACKOFF_MAX_MS / 2);
    }

    #[test]
    fn over_the_limit_the_rest_go_in_one_digest() {
        let minute = [Limit {
            count: 20,
            window_ms: 60_000,
        }];
        assert_eq!(capacity(&minute, &[18]), 2);
        assert_eq!(capacity(&minute, &[25]), 0);
        assert_eq!(
            plan(3, 5),
            vec![Batch::One(0), Batch::One(1), Batch::One(2)]
        );
        assert_eq!(plan(30, 20).len(), 20);
        assert_eq!(plan(30, 20)[19], Batch::Digest(19..30));
        assert_eq!(plan(10, 1), vec![Batch::Digest(0..10)]);
        assert_eq!(plan(10, 0), vec![]);
    }
}
