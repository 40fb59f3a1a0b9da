//! What every request handler and the scheduled tasks share.

use crate::clock::Clock;
use crate::config::Config;
use crate::photos::PhotoStore;
use crate::ratelimit::{Budget, RateLimiter};
use crate::store::Store;
use crate::widget::Widget;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// What every request handler shares. Nothing here outlives the process: the state that
/// matters is in the database and the photo store.
pub struct AppState {
    pub config: Config,
    pub store: Store,
    pub photos: PhotoStore,
    pub photo_names: crate::photos::PhotoNames,
    pub clock: Arc<dyn Clock>,
    /// Residential areas accepted (empty: free text).
    pub communities: Vec<String>,
    pub widget: Option<Widget>,
    pub limiter: Option<RateLimiter>,
    /// Login attempts per client, checked before a login writes anything.
    pub login_limiter: Option<RateLimiter>,
    /// New reports from all clients together (`None`: no budget).
    pub intake: Option<Budget>,
    pub retention_days: u32,
    pub public_url: String,
    pub stopping: Arc<AtomicBool>,
    pub metrics: crate::metrics::Metrics,
    /// Free space where the desk writes, against the configured mark.
    pub space: crate::disk::SpaceMark,
    /// The handling units in force (the database's, over the configured robots).
    pub units: crate::units::book::UnitBook,
}

impl AppState {
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// A claim on an Idempotency-Key older than this belongs to a request that died: no
    /// live request runs longer than the request time-out (the margin covers clocks of
    /// several desk hosts that differ a little).
    pub fn claim_stale_ms(&self) -> i64 {
        2 * self.config.request_timeout.as_millis() as i64 + 5_000
    }
}
