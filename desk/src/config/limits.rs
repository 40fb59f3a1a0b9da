//! The limits that keep one source, or a few slow sockets, from taking the desk for
//! themselves: the town-wide budget for report intake, the connection time-outs and caps,
//! and the free-space mark.

use super::source::Reader;
use super::ConfigError;
use std::time::Duration;

#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    /// Reports accepted per minute from everyone together (0: no budget).
    pub intake_per_minute: u32,
    /// Reports accepted at once from everyone together.
    pub intake_burst: u32,
    /// Time to send a request's headers; also the longest an idle connection is kept.
    pub header_timeout: Duration,
    /// Connections open at once; more wait to be accepted.
    pub max_connections: usize,
    /// Requests handled at once; more are answered 503 at once.
    pub max_in_flight: usize,
    /// Below this much free space (MiB) where the desk writes, reports wait (0: no mark).
    pub min_free_mb: u64,
    /// The largest photo a unit's page takes (a phone camera's own file); the desk shrinks
    /// it to the API's limits itself, since that page runs no script.
    pub unit_photo_max_bytes: usize,
}

impl Limits {
    pub(super) fn read(reader: &Reader) -> Result<Limits, ConfigError> {
        Ok(Limits {
            intake_per_minute: reader.number("intake_per_minute", 600, 0, 1_000_000_000)? as u32,
            intake_burst: reader.number("intake_burst", 200, 1, 1_000_000_000)? as u32,
            header_timeout: Duration::from_secs(reader.number(
                "header_timeout_secs",
                20,
                1,
                600,
            )?),
            max_connections: reader.number("max_connections", 1024, 1, 1_000_000)? as usize,
            max_in_flight: reader.number("max_in_flight", 256, 1, 1_000_000)? as usize,
            min_free_mb: reader.number("min_free_mb", 200, 0, 1 << 40)?,
            // At most 15: the proxy in front takes a unit's request up to 16 MiB, form
            // fields and all, so a larger photo would be refused there unexplained.
            unit_photo_max_bytes: reader.number("unit_photo_max_mb", 15, 1, 15)? as usize
                * 1024
                * 1024,
        })
    }
}
