//! The desk (工作台): the town's server that receives, keeps and answers the reports the
//! Xinjing safety widget sends. It speaks the endpoint contract of `crates/contract` (the
//! same types and rules the phone uses), keeps reports in SQLite or PostgreSQL and photos in
//! a directory or an S3-compatible bucket, and serves the widget itself.

pub mod app;
pub mod backup;
pub mod campaigns;
pub mod client_addr;
pub mod clock;
pub mod config;
pub mod disk;
pub mod http;
pub mod idempotency;
pub mod ids;
pub mod jpeg;
pub mod lifecycle;
pub mod metrics;
pub mod notify;
pub mod photo_names;
pub mod photos;
pub mod posters;
pub mod ratelimit;
pub mod redact;
pub mod request_id;
pub mod resolution;
pub mod retention;
pub mod routes;
#[cfg(feature = "test-support")]
pub mod sample;
pub mod sd_notify;
pub mod serve;
pub mod shrink;
pub mod staff;
pub mod state;
pub mod stats;
pub mod store;
pub mod town;
pub mod units;
pub mod widget;

pub use app::{start, Desk};
pub use config::Config;
pub use state::AppState;
