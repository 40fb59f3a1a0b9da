//! Xinjing safety widget.
//!
//! `core` is pure Rust (no browser, no Leptos) and is tested natively with `cargo test`.
//! `platform` adapts browser APIs to the traits `core` defines; `ui` wires Leptos
//! components to both. Only `core` builds on the native target.

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod platform;
#[cfg(target_arch = "wasm32")]
pub mod ui;
