//! The limits that keep one source, or a few slow sockets, from taking the desk for
//! themselves: the town-wide budget for report intake, the free-space mark, and the
//! connection time-outs and cap.

use super::source::Reader;
use super::ConfigError;

#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    /// Reports accepted per minute from everyone together (0: no budget).
    pub intake_per_minute: u32,
    /// Reports accepted at once from everyone together.
    pub intake_burst: u32,
}

impl Limits {
    pub(super) fn read(reader: &Reader) -> Result<Limits, ConfigError> {
        Ok(Limits {
            intake_per_minute: reader.number("intake_per_minute", 600, 0, 1_000_000_000)? as u32,
            intake_burst: reader.number("intake_burst", 200, 1, 1_000_000_000)? as u32,
        })
    }
}
