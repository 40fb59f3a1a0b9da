//! Getting `config.json`, and keeping it: the last one that loaded and checked out is kept
//! on the phone, so one failed load (a flaky network, a deploy in progress) neither
//! replaces the form with "call 12345" nor stops the reports waiting on the phone. Meanwhile
//! the file is fetched again with back-off, and a newer config (another endpoint, say)
//! takes over as soon as it arrives.

use crate::platform::{clock, http::get_text, storage};
use crate::ui::context::{ConfigState, Settings};
use crate::ui::MOUNT_ID;
use leptos::prelude::*;
use std::sync::Arc;
use xinjing_core::config::parse_config_for_build;
use xinjing_core::outbox::{backoff_ms, MAX_RETRY_MS};

const CONFIG_URL: &str = "config.json";
const TIMEOUT_MS: u32 = 15_000;

fn checked(json: &str, overrides: &[(String, String)]) -> ConfigState {
    match parse_config_for_build(json, overrides, cfg!(feature = "demo")) {
        Ok(config) => ConfigState::Ready(Arc::new(config)),
        Err(errors) => ConfigState::Broken(errors.iter().map(|e| e.explain()).collect()),
    }
}

fn report(state: &ConfigState) {
    if let ConfigState::Broken(problems) = state {
        for problem in problems {
            web_sys::console::error_1(&format!("xinjing-safety config: {problem}").into());
        }
    }
}

/// The config at start. The first request may be answered by the page's `<link
/// rel="preload">`; `keep_fresh` revalidates it afterwards.
pub async fn fetch_config(overrides: &[(String, String)]) -> ConfigState {
    let state = match get_text(CONFIG_URL, TIMEOUT_MS, false).await {
        Ok(json) => {
            let state = checked(&json, overrides);
            if matches!(state, ConfigState::Ready(_)) {
                let _ = storage::set(storage::KEY_CONFIG, &json);
            }
            state
        }
        Err(_) => match storage::get(storage::KEY_CONFIG).map(|json| checked(&json, overrides)) {
            Some(saved @ ConfigState::Ready(_)) => {
                web_sys::console::warn_1(
                    &format!("xinjing-safety: {CONFIG_URL} could not be loaded; using the last good copy and trying again").into(),
                );
                saved
            }
            _ => ConfigState::Broken(vec![format!("{CONFIG_URL} could not be loaded")]),
        },
    };
    report(&state);
    state
}

/// The mount element's `data-*` overrides, read again (they do not change).
fn overrides() -> Vec<(String, String)> {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return Vec::new();
    };
    let Some(root) = document
        .get_element_by_id(MOUNT_ID)
        .or_else(|| document.body().map(Into::into))
    else {
        return Vec::new();
    };
    super::super::data_overrides(&root)
}

/// Fetches `config.json` past the HTTP cache, retrying with back-off (5 s doubling to
/// 5 min) until it answers; a config that differs from the one in use and checks out
/// replaces it. A newer config that does not check out is reported and not used: the
/// working one stays until the next start, which shows the problem.
pub async fn keep_fresh(settings: Settings, first_delay_ms: u32) {
    clock::sleep(first_delay_ms).await;
    let mut failures = 0;
    let json = loop {
        match get_text(CONFIG_URL, TIMEOUT_MS, true).await {
            Ok(json) => break json,
            Err(_) => {
                failures += 1;
                clock::sleep(backoff_ms(failures, 1.0).min(MAX_RETRY_MS) as u32).await;
            }
        }
    };
    if storage::get(storage::KEY_CONFIG).as_deref() == Some(json.as_str())
        && matches!(settings.config.get_untracked(), ConfigState::Ready(_))
    {
        return;
    }
    let state = checked(&json, &overrides());
    report(&state);
    if let ConfigState::Ready(_) = state {
        let _ = storage::set(storage::KEY_CONFIG, &json);
        if settings.config.get_untracked() != state {
            settings.config.set(state);
        }
    }
}
