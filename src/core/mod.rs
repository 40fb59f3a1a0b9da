//! The domain, free of browser APIs: everything here runs and is tested natively. The
//! endpoint contract (payload, rules, answers, tickets, time and ids) comes from the
//! `xinjing-contract` crate, which the desk shares.

pub mod campaign;
pub mod config;
pub mod follow_up;
pub mod i18n;
pub mod mock;
pub mod my_reports;
pub mod outbox;
pub mod photo;
pub mod report;
pub mod similar;
