//! The domain, free of browser APIs: everything here runs and is tested natively. The
//! endpoint contract (payload, rules, answers, tickets, time and ids) comes from the
//! `xinjing-contract` crate, which the desk shares. One part is target-specific: in the
//! wasm, `json` reads every JSON document through the engine's `JSON.parse` (an
//! ECMAScript built-in, not a browser API); natively through serde_json, same readers.

pub mod campaign;
pub mod config;
pub mod deployment;
pub mod follow_up;
pub mod i18n;
pub mod json;
pub mod mock;
pub mod my_reports;
pub mod outbox;
pub mod photo;
pub mod report;
pub mod similar;
pub mod sort;
