//! Per-client rate limits: a token bucket per client (see `client_addr` for who the client
//! is; an IPv6 client is its /64, which one subscriber is usually given whole), refilled
//! continuously; and [`Budget`], one bucket that every client shares.
//!
//! The buckets live in the process: two desks behind one proxy each allow the full rate.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

const SHARDS: usize = 16;
/// Beyond this many clients per shard, full buckets are forgotten.
const SHARD_SOFT_CAP: usize = 4096;

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    at_ms: i64,
}

pub struct RateLimiter {
    per_ms: f64,
    burst: f64,
    shards: Vec<Mutex<HashMap<IpAddr, Bucket>>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32, burst: u32) -> RateLimiter {
        RateLimiter {
            per_ms: f64::from(per_minute) / 60_000.0,
            burst: f64::from(burst.max(1)),
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
        }
    }

    /// Takes one token for `client`; when none is left, the seconds until one is.
    pub fn check(&self, client: IpAddr, now_ms: i64) -> Result<(), u64> {
        let client = client_key(client);
        let shard = &self.shards[shard_of(client)];
        let mut buckets = shard.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > SHARD_SOFT_CAP {
            let (per_ms, burst) = (self.per_ms, self.burst);
            buckets.retain(|_, b| b.tokens + (now_ms - b.at_ms) as f64 * per_ms < burst);
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            tokens: self.burst,
            at_ms: now_ms,
        });
        bucket.take(self.per_ms, self.burst, now_ms)
    }
}

impl Bucket {
    fn take(&mut self, per_ms: f64, burst: f64, now_ms: i64) -> Result<(), u64> {
        let elapsed = (now_ms - self.at_ms).max(0) as f64;
        self.tokens = (self.tokens + elapsed * per_ms).min(burst);
        self.at_ms = now_ms;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            let wait_ms = (1.0 - self.tokens) / per_ms;
            Err((wait_ms / 1000.0).ceil().max(1.0) as u64)
        }
    }
}

/// One bucket for everyone: the town's budget for new reports, so that many addresses
/// together cannot fill the desk faster than staff could ever read.
pub struct Budget {
    per_ms: f64,
    burst: f64,
    bucket: Mutex<Bucket>,
}

impl Budget {
    pub fn new(per_minute: u32, burst: u32) -> Budget {
        let burst = f64::from(burst.max(1));
        Budget {
            per_ms: f64::from(per_minute) / 60_000.0,
            burst,
            bucket: Mutex::new(Bucket {
                tokens: burst,
                at_ms: i64::MIN / 2,
            }),
        }
    }

    /// Takes one token; when none is left, the seconds until one is.
    pub fn check(&self, now_ms: i64) -> Result<(), u64> {
        let mut bucket = self.bucket.lock().unwrap_or_else(|e| e.into_inner());
        if bucket.at_ms == i64::MIN / 2 {
            bucket.at_ms = now_ms;
        }
        bucket.take(self.per_ms, self.burst, now_ms)
    }
}

/// The key a client is counted under: an IPv4 address, or the /64 of an IPv6 one (a
/// subscriber is handed a whole /64 and can rotate through it at will).
pub fn client_key(ip: IpAddr) -> IpAddr {
    match crate::client_addr::canonical(ip) {
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & !(u64::MAX as u128)).into()),
        v4 => v4,
    }
}

fn shard_of(ip: IpAddr) -> usize {
    let folded = match ip {
        IpAddr::V4(v4) => u64::from(u32::from(v4)),
        IpAddr::V6(v6) => {
            let n = u128::from(v6);
            (n >> 64) as u64 ^ n as u64
        }
    };
    (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 60) as usize % SHARDS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_refills_at_the_rate() {
        let limiter = RateLimiter::new(60, 3); // one a second, three at once
        let ip: IpAddr = "203.0.113.9".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(limiter.check(ip, 0), Ok(()));
        }
        assert_eq!(limiter.check(ip, 0), Err(1));
        assert_eq!(limiter.check(ip, 999), Err(1));
        assert_eq!(limiter.check(ip, 1000), Ok(()));
        // Another client has its own bucket.
        assert_eq!(limiter.check("203.0.113.10".parse().unwrap(), 1000), Ok(()));
    }

    #[test]
    fn an_ipv6_client_is_its_slash_64() {
        let limiter = RateLimiter::new(60, 2);
        for ip in ["2001:db8:1:2::1", "2001:db8:1:2:ffff::9"] {
            assert_eq!(limiter.check(ip.parse().unwrap(), 0), Ok(()), "{ip}");
        }
        // A third address of the same /64 finds the bucket empty; the next /64 does not.
        assert_eq!(
            limiter.check("2001:db8:1:2:abcd::7".parse().unwrap(), 0),
            Err(1)
        );
        assert_eq!(limiter.check("2001:db8:1:3::1".parse().unwrap(), 0), Ok(()));
    }

    #[test]
    fn the_budget_is_shared_and_refills() {
        let budget = Budget::new(60, 2);
        assert_eq!(budget.check(5_000), Ok(()));
        assert_eq!(budget.check(5_000), Ok(()));
        assert_eq!(budget.check(5_000), Err(1));
        assert_eq!(budget.check(6_000), Ok(()));
    }
}
