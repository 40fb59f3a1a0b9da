//! Per-client rate limits: a token bucket per client address (see `client_addr` for who
//! the client is), refilled continuously.
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
        let elapsed = (now_ms - bucket.at_ms).max(0) as f64;
        bucket.tokens = (bucket.tokens + elapsed * self.per_ms).min(self.burst);
        bucket.at_ms = now_ms;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait_ms = (1.0 - bucket.tokens) / self.per_ms;
            Err((wait_ms / 1000.0).ceil().max(1.0) as u64)
        }
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
}
