#![no_main]
//! The campaign feed and its cached copy: malformed input is skipped or refused, never a panic.
use libfuzzer_sys::fuzz_target;
use xinjing_core::campaign::{active_on, choose_feed, parse_feed};
use xinjing_contract::time::Date;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(parsed) = parse_feed(&text) {
        let _ = active_on(&parsed.feed.campaigns, Date::in_shanghai(1_796_000_000_000.0));
    }
    let _ = choose_feed(None, Some(&text));
    let _ = Date::parse(&text);
});
