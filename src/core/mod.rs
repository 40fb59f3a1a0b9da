//! The domain, free of browser APIs: everything here runs and is tested natively.

pub mod campaign;
pub mod config;
pub mod i18n;
pub mod ids;
pub mod mock;
pub mod my_reports;
pub mod outbox;
pub mod photo;
pub mod report;
pub mod time;
