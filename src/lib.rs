//! Xinjing safety widget.
//!
//! The rules live in the `xinjing-core` crate (pure Rust, no browser, no Leptos), tested
//! natively with `cargo test`. `platform` adapts browser APIs to the traits the core
//! defines; `ui` wires Leptos components to both. Both are wasm-only.

#[cfg(target_arch = "wasm32")]
pub mod platform;
#[cfg(target_arch = "wasm32")]
pub mod ui;
