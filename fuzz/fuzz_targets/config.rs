#![no_main]
//! config.json and data-* overrides: any text must give Ok or Err, never a panic.
use libfuzzer_sys::fuzz_target;
use xinjing_core::config::{accessible_primary, is_allowed_endpoint, parse_config};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (file, attribute) = text.split_at(text.char_indices().nth(text.chars().count() / 2).map_or(0, |(i, _)| i));
    let _ = parse_config(file, &[("endpoint".into(), attribute.into()), ("communities".into(), attribute.into()), ("timeout-ms".into(), attribute.into())]);
    let _ = is_allowed_endpoint(&text);
    let _ = accessible_primary(&text);
});
